"""numbering: the version numbers in messages, and the renumbering the fixes apply."""

from __future__ import annotations

import re

import pytest

from alembic_lint.config import DEFAULT_VERSION_PATTERN
from alembic_lint.diagnostics import UsageError
from alembic_lint.numbering import Renumber, descendants, numbering
from tests.builders import history, revision

PATTERN = re.compile(DEFAULT_VERSION_PATTERN)


def graph_of(*chain):
    sources = {
        f"versions/{rev}.py": revision(rev, down, message=message) for rev, down, message in chain
    }
    return history(sources)[1]


def test_numbers_and_users():
    graph = graph_of(("aa01", None, "v01 a"), ("aa02", "aa01", "v02 b"), ("aa03", "aa01", "v02 c"))
    found = numbering(graph, PATTERN)
    assert found.active and found.numbers["aa02"] == (2, "02")
    assert found.users[2] == ("aa02", "aa03")
    assert found.expected(graph, "aa03") == "02"
    assert found.expected(graph, "aa01") is None


def test_inactive_when_most_revisions_are_unnumbered():
    graph = graph_of(("aa01", None, "v01 a"), ("aa02", "aa01", "b"), ("aa03", "aa02", "c"))
    found = numbering(graph, PATTERN)
    assert not found.active and found.plan == {}


@pytest.mark.parametrize(
    ("chain", "plan"),
    [
        pytest.param(
            [("aa01", None, "v01 a"), ("aa02", "aa01", "v02 b"), ("aa03", "aa02", "v03 c")],
            {},
            id="in-order",
        ),
        pytest.param(
            [("aa01", None, "v01 a"), ("aa02", "aa01", "v02 b"), ("aa03", "aa02", "vXXX c")],
            {"aa03": Renumber("vXXX", "v03")},
            id="placeholder",
        ),
        pytest.param(
            [
                ("aa01", None, "v009 a"),
                ("aa02", "aa01", "v010 b"),
                ("aa03", "aa02", "v010 c"),
                ("aa04", "aa03", "v011 d"),
            ],
            {"aa03": Renumber("010", "011"), "aa04": Renumber("011", "012")},
            id="rebased-chain-moves-together",
        ),
        pytest.param(
            [
                ("aa01", None, "v1 a"),
                ("aa02", "aa01", "v2 b"),
                ("aa03", "aa01", "v2 c"),
                ("aa04", ("aa02", "aa03"), "v3 merge"),
            ],
            {},
            id="a-merge-follows-the-highest-parent",
        ),
        pytest.param(
            [("aa01", None, "v1 a"), ("aa02", "aa01", "no number"), ("aa03", "aa02", "v2 c")],
            {},
            id="an-unnumbered-parent-breaks-the-chain",
        ),
        pytest.param(
            [("aa01", None, "vXXX a"), ("aa02", "aa01", "v2 b"), ("aa03", "aa02", "v3 c")],
            {},
            id="a-placeholder-base-has-nothing-to-follow",
        ),
    ],
)
def test_renumbering(chain, plan):
    graph = graph_of(*chain)
    assert dict(numbering(graph, PATTERN).plan) == plan


def test_a_cycle_does_not_hang_it():
    graph = graph_of(("aa01", "aa02", "v1 a"), ("aa02", "aa01", "v2 b"), ("aa03", None, "v3 c"))
    assert numbering(graph, PATTERN).plan == {}


def test_descendants_parents_first():
    graph = graph_of(
        ("aa01", None, "a"), ("aa02", "aa01", "b"), ("aa03", "aa01", "c"), ("aa04", "aa02", "d")
    )
    found = descendants(graph, "aa02")
    assert found == ["aa02", "aa04"]
    assert descendants(graph, "aa01")[0] == "aa01" and len(descendants(graph, "aa01")) == 4


def test_a_pattern_that_numbers_no_digits_is_a_usage_error():
    graph = graph_of(("aa01", None, "vab a"))
    with pytest.raises(UsageError, match="not a number"):
        numbering(graph, re.compile(r"^v(\w+)"))


def test_renumbering_of_an_inactive_numbering_is_empty_and_dangling_parents_are_ignored():
    from alembic_lint.numbering import renumbering

    graph = graph_of(("aa01", "gone", "v1 a"), ("aa02", "aa01", "v1 b"), ("aa03", "aa02", "c"))
    found = numbering(graph, PATTERN)
    assert dict(found.plan) == {"aa02": Renumber("1", "2")}
    assert renumbering(graph, found._replace(active=False)) == {}


def test_descendants_of_a_diamond_are_listed_once():
    graph = graph_of(
        ("aa01", None, "a"),
        ("aa02", "aa01", "b"),
        ("aa03", "aa01", "c"),
        ("aa04", ("aa02", "aa03"), "merge"),
    )
    assert sorted(descendants(graph, "aa01")) == ["aa01", "aa02", "aa03", "aa04"]
