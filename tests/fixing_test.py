"""fix() and rebase(): the commands that rewrite files, against real files and git."""

from __future__ import annotations

import pytest

from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Locator, find_project
from alembic_lint.fixing import fix, rebase
from alembic_lint.lint import lint
from alembic_lint.rebase import RebaseRefused
from tests.builders import project_at, revision, write_chain
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
        ("migrations/HEAD", "head file now names 5d2e8a41c07f"),
        (
            "migrations/versions/5d2e8a41c07f_step.py",
            f"docstring Revision ID: 5d2e8a41c07f; Revises: {BASE}",
        ),
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


@pytest.mark.parametrize(
    ("newline", "encoding"),
    [("\r", "utf-8"), ("\r\n", "latin-1"), ("\r", "latin-1"), ("\n", "latin-1")],
)
def test_fix_and_check_read_files_as_python_does(tmp_path, newline, encoding):
    """A Latin-1 comment (with its cookie) or lone-CR line endings: Python imports such files,
    so check reads them and fix rewrites them, keeping the bytes it does not change."""
    write_chain(tmp_path / "versions", 1)
    source = revision("ab12cd34ef56", "0000beef0000").replace(
        "Revises: 0000beef0000", "Revises: stale"
    )
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + source if encoding == "latin-1" else source
    path = tmp_path / "versions" / "ab12cd34ef56_x.py"
    path.write_bytes(source.replace("\n", newline).encode(encoding))
    found = lint(project_at(tmp_path), Settings(), cwd=tmp_path).diagnostics
    assert [(d.code, d.line) for d in found] == [("AL304", 6 if encoding == "latin-1" else 4)]
    [change] = fix(project_at(tmp_path), Settings(), cwd=tmp_path)
    assert change.summary == "docstring Revises: 0000beef0000"
    expected = source.replace("Revises: stale", "Revises: 0000beef0000")
    assert path.read_bytes() == expected.replace("\n", newline).encode(encoding)
    assert lint(project_at(tmp_path), Settings(), cwd=tmp_path).diagnostics == []


def test_fix_with_an_unknown_start_after_is_an_error_and_writes_nothing(repo):
    """As for check: a mistyped start-after must not let fix rewrite the legacy revisions."""
    legacy = repo / "migrations" / "versions" / f"{BASE}_step.py"
    stale = legacy.read_text().replace(f"Revision ID: {BASE}", "Revision ID: 000")
    legacy.write_text(stale)
    with pytest.raises(UsageError, match="start-after: unknown revision `nope`"):
        fix(project_of(repo), Settings(start_after="nope"), cwd=repo)
    assert legacy.read_text() == stale


def numbered(root, chain):
    """A project whose messages are numbered: (rev, down, message, file name) per revision."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    for rev, down, message, name in chain:
        (versions / name).write_text(revision(rev, down, message=message))
    return versions


def test_fix_numbers_a_placeholder_after_its_parent(tmp_path):
    versions = numbered(
        tmp_path,
        [
            ("3f9c2a71be04", None, "v001 create users", "3f9c2a71be04_v001_create_users.py"),
            ("8d41e6c0a9f3", "3f9c2a71be04", "v002 add email", "8d41e6c0a9f3_v002_add_email.py"),
            ("c07b5e92d1a6", "8d41e6c0a9f3", "vXXX add phone", "c07b5e92d1a6_vxxx_add_phone.py"),
        ],
    )
    before = (versions / "c07b5e92d1a6_vxxx_add_phone.py").read_bytes()
    [change] = fix(project_of(tmp_path), DEFAULT, cwd=tmp_path, dry_run=True)
    assert change.renamed == "c07b5e92d1a6_v003_add_phone.py"
    assert change.summary == "message `vXXX` now `v003`; renamed to c07b5e92d1a6_v003_add_phone.py"
    assert (versions / "c07b5e92d1a6_vxxx_add_phone.py").read_bytes() == before  # dry run
    fix(project_of(tmp_path), DEFAULT, cwd=tmp_path)
    fixed = (versions / "c07b5e92d1a6_v003_add_phone.py").read_bytes()
    assert fixed == before.replace(b'"""vXXX add phone', b'"""v003 add phone')
    assert not (versions / "c07b5e92d1a6_vxxx_add_phone.py").exists()
    assert run(tmp_path) == []


def test_fix_renumbers_a_rebased_branch_and_everything_after_it(tmp_path):
    # main added v002; our v002 and v003 were rebased onto it and now repeat its numbers
    versions = numbered(
        tmp_path,
        [
            ("3f9c2a71be04", None, "v001 create users", "3f9c2a71be04_v001_create_users.py"),
            ("8d41e6c0a9f3", "3f9c2a71be04", "v002 add email", "8d41e6c0a9f3_v002_add_email.py"),
            ("c07b5e92d1a6", "8d41e6c0a9f3", "v002 add phone", "c07b5e92d1a6_v002_add_phone.py"),
            ("e5a83f1c6b27", "c07b5e92d1a6", "v003 index phone", "e5a83f1c6b27_v003_index.py"),
        ],
    )
    assert ("migrations/versions/c07b5e92d1a6_v002_add_phone.py", "AL303") in run(tmp_path)
    changes = fix(project_of(tmp_path), DEFAULT, cwd=tmp_path)
    assert sorted(c.renamed or "" for c in changes) == [
        "c07b5e92d1a6_v003_add_phone.py",
        "e5a83f1c6b27_v004_index.py",
    ]
    assert (versions / "e5a83f1c6b27_v004_index.py").read_text().startswith('"""v004 index phone')
    assert run(tmp_path) == []


def test_fix_refuses_a_rename_onto_an_existing_file_and_writes_nothing(tmp_path):
    versions = numbered(
        tmp_path,
        [
            ("3f9c2a71be04", None, "v001 create users", "3f9c2a71be04_v001_create_users.py"),
            ("c07b5e92d1a6", "3f9c2a71be04", "v002 add phone", "c07b5e92d1a6_v002.py"),
            ("8d41e6c0a9f3", "c07b5e92d1a6", "vxxx add email", "8d41e6c0a9f3_vxxx.py"),
        ],
    )
    (versions / "8d41e6c0a9f3_v003.py").write_text("# not a revision, in the way\n")
    before = (versions / "8d41e6c0a9f3_vxxx.py").read_bytes()
    with pytest.raises(UsageError, match=r"cannot rename to `8d41e6c0a9f3_v003\.py`: it exists"):
        fix(project_of(tmp_path), Settings(ignore=("AL003",)), cwd=tmp_path)
    assert (versions / "8d41e6c0a9f3_vxxx.py").read_bytes() == before


def test_fix_applies_only_the_selected_findings(tmp_path):
    versions = numbered(
        tmp_path,
        [
            ("3f9c2a71be04", None, "v001 create users", "3f9c2a71be04_v001_create_users.py"),
            ("8d41e6c0a9f3", "3f9c2a71be04", "vXXX add email", "8d41e6c0a9f3_vxxx_add_email.py"),
        ],
    )
    path = versions / "8d41e6c0a9f3_vxxx_add_email.py"
    path.write_text(path.read_text().replace("Revises: 3f9c2a71be04", "Revises: 000000000000"))
    [change] = fix(project_of(tmp_path), Settings(select=("AL304",)), cwd=tmp_path)
    assert change.summary == "docstring Revises: 3f9c2a71be04" and change.renamed is None
    assert path.exists() and '"""vXXX add email' in path.read_text()


def test_rebase_without_a_head_file_changes_the_revision_only(tmp_path):
    root = tmp_path / "plain"
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    for rev, down in ((BASE, None), ("5d2e8a41c07f", BASE), ("e41f7b20c9d3", BASE)):
        (root / "migrations" / "versions" / f"{rev}_x.py").write_text(revision(rev, down))
    changes = rebase(project_of(root), Settings(), cwd=root, onto="5d2e8a41c07f", dry_run=True)
    assert [c.path for c in changes] == ["migrations/versions/e41f7b20c9d3_x.py"]
    (root / "migrations" / "HEAD").write_text("e41f7b20c9d3\n")  # already what it will be
    current = Settings(head_file="migrations/HEAD")
    changes = rebase(project_of(root), current, cwd=root, onto="5d2e8a41c07f", dry_run=True)
    assert [c.path for c in changes] == ["migrations/versions/e41f7b20c9d3_x.py"]


def test_a_chain_of_broken_numbers_is_fixed_once(tmp_path):
    """Two revisions that do not follow their parents both carry the edits of the ones after
    them; each edit is applied once."""
    versions = numbered(
        tmp_path,
        [
            ("3f9c2a71be04", None, "v001 create users", "3f9c2a71be04_v001.py"),
            ("8d41e6c0a9f3", "3f9c2a71be04", "v003 add email", "8d41e6c0a9f3_v003.py"),
            ("c07b5e92d1a6", "8d41e6c0a9f3", "v005 add phone", "c07b5e92d1a6_v005.py"),
            ("e5a83f1c6b27", "c07b5e92d1a6", "hotfix: index phone", "e5a83f1c6b27_hotfix.py"),
        ],
    )
    changes = fix(project_of(tmp_path), DEFAULT, cwd=tmp_path)
    assert sorted((c.path.rsplit("/", 1)[-1], c.renamed) for c in changes) == [
        ("8d41e6c0a9f3_v003.py", "8d41e6c0a9f3_v002.py"),
        ("c07b5e92d1a6_v005.py", "c07b5e92d1a6_v003.py"),
    ]
    assert (versions / "c07b5e92d1a6_v003.py").read_text().startswith('"""v003 add phone')


def test_a_rule_that_crashes_stops_fix(tmp_path, monkeypatch):
    from alembic_lint import rules

    def crash(script, ctx):
        raise KeyError("boom")
        yield  # pragma: no cover - a generator, as every check is

    monkeypatch.setattr(
        rules,
        "ALL_RULES",
        tuple(r._replace(check=crash) if r.code == "AL304" else r for r in rules.ALL_RULES),
    )
    numbered(tmp_path, [("3f9c2a71be04", None, "v001 create users", "3f9c2a71be04_v001.py")])
    with pytest.raises(UsageError, match="internal error: rule AL304"):
        fix(project_of(tmp_path), DEFAULT, cwd=tmp_path)


def test_a_change_that_only_renames_writes_no_bytes(tmp_path):
    from alembic_lint.fixing import Change, _apply

    path = tmp_path / "a_vxxx.py"
    path.write_bytes(b"x = 1\n")
    os_stat = path.stat().st_mtime_ns
    _apply([Change("a_vxxx.py", b"x = 1\n", b"x = 1\n", "renamed", "a_v002.py")],
           {"a_vxxx.py": str(path)}, dry_run=False)  # fmt: skip
    moved = tmp_path / "a_v002.py"
    assert moved.read_bytes() == b"x = 1\n" and moved.stat().st_mtime_ns == os_stat


def test_an_unreadable_file_is_a_usage_error(tmp_path):
    from alembic_lint.fixing import _read_bytes

    with pytest.raises(UsageError, match="Is a directory"):
        _read_bytes(str(tmp_path))


def test_fix_with_files_fixes_only_those_and_leaves_renames_when_told(tmp_path):
    """new-revision fixes the one file alembic wrote, and renames it once alembic is done."""
    versions = numbered(
        tmp_path,
        [
            ("3f9c2a71be04", None, "v001 create users", "3f9c2a71be04_v001_create_users.py"),
            ("8d41e6c0a9f3", "3f9c2a71be04", "v002 add email", "8d41e6c0a9f3_v002_add_email.py"),
            ("c07b5e92d1a6", "8d41e6c0a9f3", "vXXX add phone", "c07b5e92d1a6_vxxx_add_phone.py"),
        ],
    )
    other = versions / "8d41e6c0a9f3_v002_add_email.py"
    stale = other.read_text().replace("Revision ID: 8d41e6c0a9f3", "Revision ID: 111")
    other.write_text(stale)
    new = versions / "c07b5e92d1a6_vxxx_add_phone.py"
    settings = Settings(head_file="migrations/HEAD")  # AL505 would write it
    [change] = fix(project_of(tmp_path), settings, cwd=tmp_path, files=[new], rename=False)
    assert change.path == "migrations/versions/c07b5e92d1a6_vxxx_add_phone.py"
    assert change.renamed == "c07b5e92d1a6_v003_add_phone.py"
    assert new.read_text().startswith('"""v003 add phone')  # written, not renamed
    assert not (versions / "c07b5e92d1a6_v003_add_phone.py").exists()
    assert other.read_text() == stale  # its AL304 is not on the file given
    assert not (tmp_path / "migrations" / "HEAD").exists()
