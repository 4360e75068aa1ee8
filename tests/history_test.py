"""Reading and parsing the history: odd files, the parallel parse, the cache."""

from __future__ import annotations

import os
import re

import pytest

from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.history import PER_WORKER, parse_all, read_file
from alembic_lint.lint import lint
from alembic_lint.script import RevisionScript, ScriptError
from tests.builders import project_at, revision, write_chain


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


def test_an_unreadable_child_answer_is_redone_in_the_parent(tmp_path, monkeypatch):
    import pickle

    write_chain(tmp_path / "versions", 2 * PER_WORKER)
    items = sorted((str(p), p.name) for p in (tmp_path / "versions").iterdir())
    expected = parse_all(items, jobs=1)

    def broken_loads(*args, **kwargs):
        raise pickle.UnpicklingError("garbled")

    monkeypatch.setattr(pickle, "loads", broken_loads)
    assert parse_all(items, jobs=2) == expected


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


def test_a_parser_crash_is_al001_on_its_file_and_the_rest_is_parsed(tmp_path, monkeypatch):
    from alembic_lint import astread

    write_chain(tmp_path / "versions", 2)
    real = astread.read

    def fragile(data, path, **kwargs):
        if path.startswith("0001"):
            raise IndexError("parser bug")
        return real(data, path, **kwargs)

    monkeypatch.setattr(astread, "read", fragile)
    items = sorted((str(p), p.name) for p in (tmp_path / "versions").iterdir())
    first, second = parse_all(items, jobs=1)
    assert isinstance(first, RevisionScript) and first.revision == "0000beef0000"
    assert second == ScriptError(
        "0001beef0001_step.py",
        "AL001",
        1,
        1,
        "internal error of the parser (IndexError: parser bug); please report it",
    )


def test_reading_a_directory_is_an_oserror(tmp_path):
    with pytest.raises(IsADirectoryError):
        read_file(str(tmp_path))
