"""Which revisions the per-revision checks look at: start-after and the files given."""

from __future__ import annotations

import pytest

from alembic_lint.diagnostics import UsageError
from alembic_lint.scope import given_files, in_scope, legacy
from tests.builders import history, revision

SOURCES = {
    "versions/a/aaa111_a.py": revision("aaa111", None),
    "versions/a/bbb222_b.py": revision("bbb222", "aaa111"),
    "versions/c/ccc333_c.py": revision("ccc333", "bbb222"),
    "versions/c/ddd444_d.py": revision("ddd444", "bbb222"),
}


@pytest.fixture
def tree(tmp_path):
    for path in SOURCES:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(SOURCES[path])
    return tmp_path


@pytest.mark.parametrize(
    ("start_after", "expected"),
    [(None, set()), ("aaa111", {"aaa111"}), ("ccc333", {"aaa111", "bbb222", "ccc333"})],
)
def test_legacy_is_start_after_and_its_ancestors(start_after, expected):
    _, graph = history(SOURCES)
    assert legacy(graph, start_after) == expected


def test_an_unknown_start_after_is_a_usage_error():
    _, graph = history(SOURCES)
    with pytest.raises(UsageError, match="start-after: unknown revision `nope`"):
        legacy(graph, "nope")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([], []),
        (["."], ["aaa111", "bbb222", "ccc333", "ddd444"]),
        (["versions/c"], ["ccc333", "ddd444"]),
        (["versions/c/"], ["ccc333", "ddd444"]),
        (["versions/a/bbb222_b.py", "versions/c/../c/ddd444_d.py"], ["bbb222", "ddd444"]),
    ],
)
def test_given_files_and_directories(tree, files, expected):
    scripts, _ = history(SOURCES)
    assert [s.revision for s in given_files(scripts, files, cwd=str(tree))] == expected


def test_a_given_file_that_does_not_exist_is_a_usage_error(tree):
    scripts, _ = history(SOURCES)
    with pytest.raises(UsageError, match=r"no such file: versions/a/zzz\.py"):
        given_files(scripts, ["versions/a/zzz.py"], cwd=str(tree))


@pytest.mark.parametrize(
    ("files", "start_after", "expected"),
    [
        (None, None, ["aaa111", "bbb222", "ccc333", "ddd444"]),
        (None, "bbb222", ["ccc333", "ddd444"]),
        (["versions/a"], None, ["aaa111", "bbb222"]),
        (["versions/a", "versions/c/ddd444_d.py"], "aaa111", ["bbb222", "ddd444"]),
    ],
)
def test_in_scope_narrows_by_files_then_drops_the_legacy(tree, files, start_after, expected):
    scripts, graph = history(SOURCES)
    chosen = in_scope(scripts, graph, files=files, cwd=str(tree), start_after=start_after)
    assert [s.revision for s in chosen] == expected


def test_in_scope_checks_the_files_before_start_after(tree):
    """Both wrong: the first error named is the one on the command line."""
    scripts, graph = history(SOURCES)
    with pytest.raises(UsageError, match="no such file"):
        in_scope(scripts, graph, files=["missing.py"], cwd=str(tree), start_after="nope")
    with pytest.raises(UsageError, match="unknown revision"):
        in_scope(scripts, graph, files=None, cwd=str(tree), start_after="nope")
