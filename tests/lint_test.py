from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Project
from alembic_lint.lint import PER_WORKER, lint, parse_all
from tests.builders import revision


def project_at(root: Path) -> Project:
    return Project(None, str(root), (str(root / "versions"),), False, "%(rev)s_%(slug)s")


def write_chain(versions: Path, n: int) -> None:
    versions.mkdir(parents=True, exist_ok=True)
    prev = None
    for i in range(n):
        rev = f"{i:04d}beef{i:04d}"
        (versions / f"{rev}_step.py").write_text(revision(rev, prev, message=f"step {i}"))
        prev = rev


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


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: None, "No such file or directory"),
        (lambda p: p.write_text(""), "Not a directory"),
        (lambda p: p.symlink_to(p), "Too many levels of symbolic links"),
    ],
)
def test_a_version_location_that_cannot_be_listed_is_an_error(tmp_path, make, why):
    """Never "All checks passed" when nothing could be checked."""
    make(tmp_path / "versions")
    with pytest.raises(UsageError, match=f"version location `versions` cannot be read: {why}"):
        lint(project_at(tmp_path), Settings(), cwd=tmp_path)


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: os.mkfifo(p), r"not a regular file \(a FIFO\)"),
        (lambda p: p.symlink_to("/dev/zero"), r"not a regular file \(a device\)"),
        (lambda p: p.symlink_to(p), "Too many levels of symbolic links"),
        (lambda p: p.write_bytes(b"#" * (10 << 20) + b"\n"), "larger than 10 MiB"),
    ],
)
def test_odd_files_are_al005_and_never_block(tmp_path, make, why):
    write_chain(tmp_path / "versions", 2)
    odd = tmp_path / "versions" / "ab12cd34ef56_odd.py"
    make(odd)
    result = lint(project_at(tmp_path), Settings(), cwd=tmp_path)
    assert [(d.path, d.code) for d in result.diagnostics] == [
        ("versions/ab12cd34ef56_odd.py", "AL005")
    ]
    assert re.search(why, result.diagnostics[0].message)


def test_a_file_at_the_size_cap_is_read(tmp_path):
    write_chain(tmp_path / "versions", 1)
    big = tmp_path / "versions" / "0000beef0000_step.py"
    big.write_bytes(big.read_bytes() + b"#" * ((10 << 20) - big.stat().st_size))
    assert lint(project_at(tmp_path), Settings(), cwd=tmp_path).diagnostics == []


def test_cache_gives_the_same_answer_and_sees_edits(tmp_path):
    write_chain(tmp_path / "versions", 4)
    cache = tmp_path / "cache"
    cold = lint(project_at(tmp_path), Settings(), cwd=tmp_path, cache_dir=cache)
    assert list(cache.iterdir())
    warm = lint(project_at(tmp_path), Settings(), cwd=tmp_path, cache_dir=cache)
    assert warm.diagnostics == cold.diagnostics == []
    target = next((tmp_path / "versions").glob("0003*"))
    target.write_text(revision("0003beef0003", "0002beef0002", message="wip", downgrade="pass"))
    edited = lint(project_at(tmp_path), Settings(), cwd=tmp_path, cache_dir=cache)
    assert sorted(d.code for d in edited.diagnostics) == ["AL202", "AL301"]
    target.unlink()
    assert lint(project_at(tmp_path), Settings(), cwd=tmp_path, cache_dir=cache).files == 3


def test_corrupt_or_unwritable_cache_is_a_cold_start(tmp_path):
    write_chain(tmp_path / "versions", 2)
    cache = tmp_path / "cache"
    lint(project_at(tmp_path), Settings(), cwd=tmp_path, cache_dir=cache)
    for f in cache.iterdir():
        f.write_bytes(b"garbage")
    assert lint(project_at(tmp_path), Settings(), cwd=tmp_path, cache_dir=cache).diagnostics == []
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    assert (
        lint(project_at(tmp_path), Settings(), cwd=tmp_path, cache_dir=blocked / "sub").diagnostics
        == []
    )


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_parallel_parse_keeps_order_and_results(tmp_path, jobs):
    n = 3 * PER_WORKER + 7
    write_chain(tmp_path / "versions", n)
    items = sorted((str(p), p.name) for p in (tmp_path / "versions").iterdir())
    assert parse_all(items, jobs=jobs) == parse_all(items, jobs=1)
    result = lint(project_at(tmp_path), Settings(), cwd=tmp_path, jobs=jobs)
    assert result.diagnostics == []
    assert result.graph.heads == (f"{n - 1:04d}beef{n - 1:04d}",)


def test_a_failing_child_is_redone_in_the_parent(tmp_path, monkeypatch):
    import pickle

    write_chain(tmp_path / "versions", 2 * PER_WORKER)
    items = sorted((str(p), p.name) for p in (tmp_path / "versions").iterdir())
    expected = parse_all(items, jobs=1)

    def broken_dumps(*args, **kwargs):  # pragma: no cover - runs in the forked child
        raise RuntimeError("child cannot send")

    monkeypatch.setattr(pickle, "dumps", broken_dumps)
    assert parse_all(items, jobs=2) == expected


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


def test_a_syntax_error_does_not_break_the_graph_around_it(tmp_path):
    write_chain(tmp_path / "versions", 3)
    middle = next((tmp_path / "versions").glob("0001*"))
    middle.write_text(middle.read_text().replace("def upgrade() -> None:", "def upgrade() -> None"))
    result = lint(project_at(tmp_path), Settings(), cwd=tmp_path)
    assert [(d.path, d.code) for d in result.diagnostics] == [(f"versions/{middle.name}", "AL001")]
    assert result.graph.heads == ("0002beef0002",)


def test_each_project_has_its_own_cache(tmp_path):
    for name in ("one", "two"):
        write_chain(tmp_path / name / "versions", 2)
    cache = tmp_path / "cache"
    for name in ("one", "two"):
        lint(project_at(tmp_path / name), Settings(), cwd=tmp_path, cache_dir=cache)
    assert len(list(cache.iterdir())) == 2


def test_an_unreadable_child_answer_is_redone_in_the_parent(tmp_path, monkeypatch):
    import pickle

    write_chain(tmp_path / "versions", 2 * PER_WORKER)
    items = sorted((str(p), p.name) for p in (tmp_path / "versions").iterdir())
    expected = parse_all(items, jobs=1)

    def broken_loads(*args, **kwargs):
        raise pickle.UnpicklingError("garbled")

    monkeypatch.setattr(pickle, "loads", broken_loads)
    assert parse_all(items, jobs=2) == expected


@pytest.mark.parametrize(
    ("newline", "encoding"),
    [("\r", "utf-8"), ("\r\n", "latin-1"), ("\r", "latin-1"), ("\n", "latin-1")],
)
def test_fix_and_check_read_files_as_python_does(tmp_path, newline, encoding):
    """A Latin-1 comment (with its cookie) or lone-CR line endings: Python imports such files,
    so check reads them and fix rewrites them, keeping the bytes it does not change."""
    from alembic_lint.lint import fix

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
