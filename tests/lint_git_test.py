"""lint(), rebase() and fix() against real git repositories."""

from __future__ import annotations

import pytest

from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Locator, find_project
from alembic_lint.lint import fix, lint, rebase
from alembic_lint.rebase import RebaseRefused
from tests.builders import revision
from tests.gitutil import add_revision, commit, git, new_project

BASE = "7c1e9d0b4a52"


@pytest.fixture
def repo(tmp_path):
    return new_project(tmp_path / "repo")


DEFAULT = Settings()


def run(repo, settings=DEFAULT, **kwargs):
    project = find_project(Locator(), cwd=repo, environ={})
    return [(d.path, d.code) for d in lint(project, settings, cwd=repo, **kwargs).diagnostics]


def project_of(repo):
    return find_project(Locator(), cwd=repo, environ={})


def two_branches(repo):
    """main gains 5d2e8a41c07f; branch `feature` (checked out) adds e41f7b20c9d3 on the old head."""
    git(repo, "checkout", "-q", "-b", "feature")
    add_revision(repo, "e41f7b20c9d3", BASE, "add orders")
    commit(repo, "feature revision")
    git(repo, "checkout", "-q", "main")
    add_revision(repo, "5d2e8a41c07f", BASE, "add users.email")
    commit(repo, "main revision")
    git(repo, "checkout", "-q", "feature")


def test_untracked_revisions(repo, tmp_path):
    add_revision(repo, "5d2e8a41c07f", BASE)
    assert run(repo) == [("migrations/versions/5d2e8a41c07f_step.py", "AL501")]
    git(repo, "add", ".")
    assert run(repo) == []
    plain = tmp_path / "plain"
    (plain / "migrations" / "versions").mkdir(parents=True)
    (plain / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    (plain / "migrations" / "versions" / f"{BASE}_x.py").write_text(revision(BASE, None))
    assert run(plain) == []


def test_untracked_revision_hidden_by_gitignore_needs_add_f(repo):
    add_revision(repo, "5d2e8a41c07f", BASE)
    add_revision(repo, "e41f7b20c9d3", "5d2e8a41c07f")
    (repo / ".gitignore").write_text("*_step.py\n!7c1e9d0b4a52_step.py\n!e41f7b20c9d3_step.py\n")
    project = project_of(repo)
    found = {d.path: d for d in lint(project, DEFAULT, cwd=repo).diagnostics}
    hidden = found["migrations/versions/5d2e8a41c07f_step.py"]
    assert hidden.hint == "git add -f migrations/versions/5d2e8a41c07f_step.py"
    assert hidden.message.endswith("; .gitignore hides it")
    visible = found["migrations/versions/e41f7b20c9d3_step.py"]
    assert visible.hint == "git add migrations/versions/e41f7b20c9d3_step.py"


def test_base_outside_a_work_tree_is_an_error(tmp_path):
    (tmp_path / "versions").mkdir()
    project = find_project(Locator(script_location=str(tmp_path)), cwd=tmp_path, environ={})
    with pytest.raises(
        UsageError, match=r"base ref `main` given, but .* is not in a git work tree"
    ):
        lint(project, Settings(base="main"), cwd=tmp_path)
    assert lint(project, DEFAULT, cwd=tmp_path).diagnostics == []


def test_modified_removed_and_renamed_revisions(repo):
    add_revision(repo, "5d2e8a41c07f", BASE)
    add_revision(repo, "e41f7b20c9d3", "5d2e8a41c07f")
    commit(repo, "more")
    git(repo, "checkout", "-q", "-b", "feature")
    base_file = repo / "migrations" / "versions" / f"{BASE}_step.py"
    base_file.write_text(base_file.read_text().replace("add_column", "add_column  "))
    middle = repo / "migrations" / "versions" / "5d2e8a41c07f_step.py"
    middle.write_text(middle.read_text().replace("5d2e8a41c07f", "0b9c2d7e4f1a"))
    (repo / "migrations" / "versions" / "e41f7b20c9d3_step.py").unlink()
    commit(repo, "bad edits")
    found = run(repo, Settings(base="main"))
    assert found == [
        ("migrations/versions/5d2e8a41c07f_step.py", "AL305"),
        ("migrations/versions/5d2e8a41c07f_step.py", "AL503"),
        # the renamed revision would sit beside the base's e41f7b20c9d3, which this branch deleted
        ("migrations/versions/5d2e8a41c07f_step.py", "AL504"),
        (f"migrations/versions/{BASE}_step.py", "AL502"),
        ("migrations/versions/e41f7b20c9d3_step.py", "AL503"),
    ]


def test_stale_base_and_its_repair(repo):
    two_branches(repo)
    assert run(repo) == []
    assert run(repo, Settings(base="main")) == [
        ("migrations/versions/e41f7b20c9d3_step.py", "AL504")
    ]
    git(repo, "merge", "-q", "--no-edit", "main")
    assert sorted(code for _, code in run(repo, Settings(base="main"))) == ["AL101", "AL101"]
    changes = rebase(project_of(repo), Settings(base="main"), cwd=repo)
    assert [c.summary for c in changes] == [
        "`e41f7b20c9d3` now revises `5d2e8a41c07f` (was `7c1e9d0b4a52`)"
    ]
    assert run(repo, Settings(base="main")) == []


def test_base_files_that_are_not_revisions_are_ignored(repo):
    versions = repo / "migrations" / "versions"
    (versions / "__init__.py").write_text("")
    (versions / "notes.txt").write_text("")
    (versions / "sub").mkdir()
    (versions / "sub" / "old.py").write_text(revision("0b9c2d7e4f1a", None))
    (versions / "helpers.py").write_text("def helper():\n    pass\n")
    commit(repo, "noise")
    git(repo, "checkout", "-q", "-b", "feature")
    (versions / "helpers.py").unlink()
    commit(repo, "drop the helper")
    assert run(repo, Settings(base="main")) == []


def test_a_bad_base_ref_is_an_error(repo):
    with pytest.raises(UsageError, match="base ref `origin/main` not found"):
        run(repo, Settings(base="origin/main"))


def test_head_file(repo):
    settings = Settings(head_file="migrations/HEAD")
    assert run(repo, settings) == [("migrations/HEAD", "AL505")]
    (repo / "migrations" / "HEAD").write_text(f"{BASE}\n")
    assert run(repo, settings) == []
    git(repo, "add", ".")
    assert run(repo, settings) == []
    (repo / "migrations" / "HEAD").unlink()
    (repo / "migrations" / "HEAD").mkdir()
    with pytest.raises(UsageError, match="head-file `migrations/HEAD`"):
        run(repo, settings)


def test_rebase_picks_the_revision_that_is_not_on_the_base(repo):
    (repo / "migrations" / "HEAD").write_text(f"{BASE}\n")
    commit(repo, "head file")
    two_branches(repo)
    git(repo, "merge", "-q", "--no-edit", "main", check=False)  # the head file conflicts
    settings = Settings(head_file="migrations/HEAD")
    ours = repo / "migrations" / "versions" / "e41f7b20c9d3_step.py"
    before = ours.read_bytes()
    dry = rebase(project_of(repo), settings, cwd=repo, dry_run=True)
    assert [c.path for c in dry] == ["migrations/versions/e41f7b20c9d3_step.py", "migrations/HEAD"]
    assert ours.read_bytes() == before
    rebase(project_of(repo), settings, cwd=repo)
    assert ours.read_bytes() == before.replace(
        f"Revises: {BASE}".encode(), b"Revises: 5d2e8a41c07f"
    ).replace(
        f"down_revision: Union[str, None] = '{BASE}'".encode(),
        b"down_revision: Union[str, None] = '5d2e8a41c07f'",
    )
    assert (repo / "migrations" / "HEAD").read_text() == "e41f7b20c9d3\n"
    git(repo, "add", ".")
    assert run(repo, settings) == []


def test_rebase_refusals(repo, tmp_path):
    two_branches(repo)
    git(repo, "merge", "-q", "--no-edit", "main")
    with pytest.raises(RebaseRefused, match="`5d2e8a41c07f` is already on `main`"):
        rebase(project_of(repo), Settings(), cwd=repo, revision="5d2e8a41c07f", onto="e41f7b20c9d3")
    git(repo, "branch", "-m", "main", "trunk")
    with pytest.raises(RebaseRefused, match="without a base branch"):
        rebase(project_of(repo), Settings(), cwd=repo)
    assert rebase(project_of(repo), Settings(), cwd=repo, revision="e41f7b20c9d3", dry_run=True)


def test_rebase_outside_git_needs_a_name(tmp_path):
    root = tmp_path / "plain"
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    for rev, down in ((BASE, None), ("5d2e8a41c07f", BASE), ("e41f7b20c9d3", BASE)):
        (root / "migrations" / "versions" / f"{rev}_x.py").write_text(revision(rev, down))
    with pytest.raises(RebaseRefused, match="name it"):
        rebase(project_of(root), Settings(), cwd=root)
    changes = rebase(project_of(root), Settings(), cwd=root, onto="5d2e8a41c07f")
    assert [c.path for c in changes] == ["migrations/versions/e41f7b20c9d3_x.py"]


def test_fix_rewrites_docstrings_and_the_head_file(repo):
    path = add_revision(repo, "5d2e8a41c07f", BASE)
    text = path.read_text()
    path.write_text(
        text.replace(f"Revises: {BASE}", "Revises: 0b9c2d7e4f1a").replace(
            "Revision ID: 5d2e8a41c07f", "Revision ID: 111"
        )
    )
    settings = Settings(head_file="migrations/HEAD")
    changes = fix(project_of(repo), settings, cwd=repo)
    assert [(c.path, c.summary) for c in changes] == [
        (
            "migrations/versions/5d2e8a41c07f_step.py",
            f"docstring Revision ID: 5d2e8a41c07f; Revises: {BASE}",
        ),
        ("migrations/HEAD", "head file now names 5d2e8a41c07f"),
    ]
    assert path.read_text() == text
    assert fix(project_of(repo), settings, cwd=repo) == []
    legacy = repo / "migrations" / "versions" / f"{BASE}_step.py"
    legacy.write_text(legacy.read_text().replace(f"Revision ID: {BASE}", "Revision ID: 000"))
    assert fix(project_of(repo), settings._replace(start_after=BASE), cwd=repo) == []


def test_fix_and_rebase_errors_leave_files_alone(repo, monkeypatch):
    (repo / "migrations" / "HEAD").mkdir()
    with pytest.raises(UsageError, match="Is a directory"):
        fix(project_of(repo), Settings(head_file="migrations/HEAD"), cwd=repo)
    (repo / "migrations" / "HEAD").rmdir()

    def no_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", no_replace)
    with pytest.raises(OSError, match="disk full"):
        fix(project_of(repo), Settings(head_file="migrations/HEAD"), cwd=repo)
    assert sorted(p.name for p in (repo / "migrations").iterdir()) == ["env.py", "versions"]


def _digest_of_git_dir(repo):
    """Every name and byte under ``.git``: what a read-only command must not touch."""
    import hashlib
    import os

    digest = hashlib.sha256()
    git_dir = repo / ".git"
    for directory, dirs, files in sorted(os.walk(git_dir)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(directory, name)
            digest.update(os.path.relpath(path, git_dir).encode() + b"\0")
            with open(path, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "--base", "main"],
        ["check", "--no-cache", "--base", "main", "migrations/versions"],
        ["rebase", "--dry-run"],
        ["rebase", "--dry-run", "--base", "main"],
        ["fix", "--dry-run"],
        ["rules"],
        ["rule", "AL501"],
    ],
)
def test_read_only_commands_never_write_into_git(repo, monkeypatch, capsys, argv):
    """Porcelain `git diff` refreshes the index and rewrites .git/index when a tracked file's stat
    data changed; the plumbing used instead never does."""
    import os

    from alembic_lint.cli import main

    two_branches(repo)
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-edit", "main")  # two heads, for rebase
    versions = repo / "migrations" / "versions"
    # A tracked file whose stat data changed but whose content did not: what makes `git diff`
    # refresh the index. And a modified one.
    os.utime(versions / f"{BASE}_step.py", ns=(10**18, 10**18))
    changed = versions / "e41f7b20c9d3_step.py"
    stale = changed.read_text().replace(f"Revises: {BASE}", "Revises: somewhere")
    changed.write_text(stale)
    monkeypatch.chdir(repo)
    monkeypatch.setenv("ALEMBIC_LINT_CACHE_DIR", str(repo.parent / "cache"))
    before = _digest_of_git_dir(repo)
    code = main(argv)
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    assert _digest_of_git_dir(repo) == before
    assert changed.read_text() == stale  # --dry-run wrote nothing either


def test_a_touched_but_unchanged_file_is_not_modified(repo):
    add_revision(repo, "5d2e8a41c07f", BASE)
    commit(repo, "more")
    git(repo, "checkout", "-q", "-b", "feature")
    import os

    os.utime(repo / "migrations" / "versions" / f"{BASE}_step.py", ns=(1, 1))
    assert run(repo, Settings(base="main")) == []
