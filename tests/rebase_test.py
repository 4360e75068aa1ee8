from __future__ import annotations

import pytest

from alembic_lint.rebase import RebasePlan, RebaseRefused, plan
from tests.builders import history, revision

BASE = "7c1e9d0b4a52"


def graph_of(*spec):
    return history({f"versions/{rev}.py": revision(rev, down) for rev, down in spec})[1]


TWO_HEADS = graph_of((BASE, None), ("aaa111", BASE), ("bbb222", BASE), ("bbb333", "bbb222"))


def test_auto_uses_the_base_branch():
    on_main = {BASE, "aaa111"}.__contains__
    assert plan(TWO_HEADS, on_base=on_main, base="main") == RebasePlan("bbb222", (BASE,), "aaa111")


def test_named_revision_and_onto():
    assert plan(TWO_HEADS, revision="bbb333") == RebasePlan("bbb222", (BASE,), "aaa111")
    assert plan(TWO_HEADS, revision="bbb222") == RebasePlan("bbb222", (BASE,), "aaa111")
    assert plan(TWO_HEADS, revision="aaa111") == RebasePlan("aaa111", (BASE,), "bbb333")
    assert plan(TWO_HEADS, onto="aaa111") == RebasePlan("bbb222", (BASE,), "aaa111")
    assert plan(TWO_HEADS, revision="bbb222", onto="aaa111") == RebasePlan(
        "bbb222", (BASE,), "aaa111"
    )


@pytest.mark.parametrize(
    ("graph", "kwargs", "reason"),
    [
        (TWO_HEADS, {"revision": "nope"}, "unknown revision `nope`"),
        (TWO_HEADS, {"revision": "bbb222", "onto": "bbb333"}, "descends from `bbb222`"),
        (TWO_HEADS, {}, "without a base branch"),
        (TWO_HEADS, {"on_base": lambda r: True, "base": "main"}, "both are on `main`"),
        (TWO_HEADS, {"on_base": lambda r: False, "base": "main"}, "neither is on `main`"),
        (TWO_HEADS, {"onto": BASE}, "not one of the competing heads"),
        (
            TWO_HEADS,
            {
                "on_base": {BASE, "bbb222", "bbb333"}.__contains__,
                "base": "main",
                "revision": "aaa111",
                "onto": "bbb333",
            },
            None,
        ),
        (
            TWO_HEADS,
            {"on_base": {BASE, "aaa111", "bbb222"}.__contains__, "base": "main"},
            "`bbb222` is already on `main`",
        ),
        (graph_of((BASE, None), ("aaa111", BASE)), {}, "only one head per branch"),
        (
            graph_of((BASE, None), ("aaa111", BASE)),
            {"revision": "aaa111"},
            "only head of its branch",
        ),
        (
            graph_of((BASE, None), ("a1", BASE), ("b1", BASE), ("c1", BASE)),
            {},
            "more than two heads",
        ),
        (
            graph_of((BASE, None), ("a1", BASE), ("b1", BASE), ("c1", BASE)),
            {"revision": "a1"},
            "3 heads compete",
        ),
        (
            graph_of((BASE, None), ("a1", BASE), ("b1", "a1"), ("c1", "a1")),
            {"revision": "a1"},
            "has branches after it",
        ),
        (
            graph_of((BASE, None), ("a1", BASE), ("b1", BASE), ("m1", ("a1", "b1")), ("c1", BASE)),
            {"revision": "m1"},
            "merge or a base",
        ),
        (
            graph_of((BASE, None), ("a1", BASE), ("b1", BASE), ("m1", ("a1", "b1"))),
            {"revision": "m1", "onto": BASE},
            "merge revision",
        ),
    ],
)
def test_refusals(graph, kwargs, reason):
    if reason is None:
        assert plan(graph, **kwargs) == RebasePlan("aaa111", (BASE,), "bbb333")
        return
    with pytest.raises(RebaseRefused, match=reason.replace("(", r"\(")):
        plan(graph, **kwargs)
