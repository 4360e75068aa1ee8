"""What git says about the history (AL501-AL504), against real git repositories."""

from __future__ import annotations

import pytest

from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Locator, find_project
from alembic_lint.fixing import rebase
from alembic_lint.lint import lint
from tests.builders import revision
from tests.gitutil import BASE, add_revision, commit, git, new_project, two_branches


@pytest.fixture
def repo(tmp_path):
    return new_project(tmp_path / "repo")


DEFAULT = Settings()


def run(repo, settings=DEFAULT, **kwargs):
    project = find_project(Locator(), cwd=repo, environ={})
    return [(d.path, d.code) for d in lint(project, settings, cwd=repo, **kwargs).diagnostics]


def project_of(repo):
    return find_project(Locator(), cwd=repo, environ={})


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
