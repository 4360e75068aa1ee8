"""lint(): the stages wired together, on real files."""

from __future__ import annotations

import pytest

from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Locator, find_project
from alembic_lint.lint import lint
from tests.builders import project_at, revision, write_chain
from tests.gitutil import BASE, git, new_project


def run(repo, settings):
    project = find_project(Locator(), cwd=repo, environ={})
    return [(d.path, d.code) for d in lint(project, settings, cwd=repo).diagnostics]


def test_bad_files_do_not_hide_the_rest(tmp_path):
    write_chain(tmp_path / "versions", 3)
    (tmp_path / "versions" / "broken.py").write_text("def upgrade(:\n")
    (tmp_path / "versions" / "junk.py").write_bytes(b"\x00\xff\xfe")
    (tmp_path / "versions" / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    result = lint(project_at(tmp_path), Settings(), cwd=tmp_path)
    codes = [(d.path, d.code) for d in result.diagnostics]
    assert codes == [
        ("versions/broken.py", "AL001"),
        ("versions/dangling.py", "AL005"),
        ("versions/junk.py", "AL001"),
    ]
    assert result.files == 6
    assert len(result.graph.revisions) == 3


def test_start_after_skips_legacy_per_revision_findings_only(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "aaa111_a.py").write_text(revision("aaa111", None, message="wip"))
    (versions / "bbb222_b.py").write_text(revision("bbb222", "aaa111", message="todo"))
    (versions / "ccc333_c.py").write_text(revision("ccc333", "aaa111", message="add c"))
    result = lint(project_at(tmp_path), Settings(start_after="aaa111"), cwd=tmp_path)
    assert [(d.revision, d.code) for d in result.diagnostics] == [
        ("bbb222", "AL301"),
        ("bbb222", "AL101"),
        ("ccc333", "AL101"),
    ]


def test_empty_history_is_clean(tmp_path):
    (tmp_path / "versions").mkdir()
    result = lint(project_at(tmp_path), Settings(), cwd=tmp_path)
    assert (result.diagnostics, result.files) == ([], 0)


def test_never_writes_into_the_project_and_never_executes_it(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "aaa111_evil.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('PWNED').write_text('x')\n"
        + revision("aaa111", None)
    )
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    lint(project_at(tmp_path), Settings(), cwd=tmp_path, cache_dir=tmp_path.parent / "elsewhere")
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before
    assert not (versions / "PWNED").exists()


def test_head_file(tmp_path):
    repo = new_project(tmp_path / "repo")
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


def test_git_is_asked_only_when_a_git_rule_is_selected(tmp_path):
    """Without AL501-AL504 and AL4xx (whose scope is what the base ref lacks) even a bad base ref
    goes unnoticed: git is never run."""
    repo = new_project(tmp_path / "repo")
    (repo / "migrations" / "versions" / "5d2e8a41c07f_x.py").write_text(
        revision("5d2e8a41c07f", BASE)
    )
    no_git = Settings(base="nowhere", ignore=("AL4", "AL5"))
    assert run(repo, no_git) == []
    with pytest.raises(UsageError, match="base ref `nowhere` not found"):
        run(repo, no_git._replace(ignore=()))


def test_unsafe_operations_concern_what_the_default_branch_lacks(tmp_path):
    """With no base ref, the AL4xx family compares with the repository's default branch: on
    `main` only revisions not committed there are reported, on a branch what it adds, and
    without any usual branch name every revision."""
    from tests.gitutil import commit, git, new_project

    repo = new_project(tmp_path / "repo")  # its base revision adds users.email (AL422 if chosen)
    unsafe = Settings(select=("AL422",), dialect="postgresql")
    assert run(repo, unsafe) == []  # committed on main: it has run
    new = repo / "migrations" / "versions" / "5d2e8a41c07f_x.py"
    new.write_text(revision("5d2e8a41c07f", BASE))
    assert run(repo, unsafe) == [("migrations/versions/5d2e8a41c07f_x.py", "AL422")]
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "feature")
    assert run(repo, unsafe) == [("migrations/versions/5d2e8a41c07f_x.py", "AL422")]
    git(repo, "branch", "-m", "main", "trunk")  # no usual name: every revision
    assert len(run(repo, unsafe)) == 2
    assert len(run(repo, unsafe._replace(base="trunk"))) == 1
