from __future__ import annotations

import pytest

from alembic_lint.draw.chart import build_chart
from alembic_lint.draw.layout import layout
from tests.builders import history
from tests.drawing import generated_sources, sample_graph


def _edges(chart):
    return [(e.source, e.target, e.dashed) for e in chart.edges]


def _check_proper(placed, edges):
    """Children above parents, one box per place, bends one per rank and on free places."""
    taken: dict[tuple[int, int], object] = {}
    for i, (column, rank) in enumerate(zip(placed.column, placed.rank, strict=True)):
        assert (column, rank) not in taken, (i, taken.get((column, rank)))
        taken[(column, rank)] = i
    for (source, target, dashed), bends in zip(edges, placed.bends, strict=True):
        if dashed:
            assert bends == ()
            continue
        assert placed.rank[target] > placed.rank[source]
        assert [rank for _, rank in bends] == list(
            range(placed.rank[source] + 1, placed.rank[target])
        )
        for bend in bends:
            assert bend not in taken
            taken[bend] = "bend"
    assert placed.columns == 1 + max(
        [*placed.column, *(c for bends in placed.bends for c, _ in bends)]
    )
    assert placed.ranks == 1 + max(placed.rank)


def test_the_sample_lays_out_with_the_main_line_straight():
    chart = build_chart(sample_graph())
    placed = layout(len(chart.nodes), _edges(chart))
    _check_proper(placed, _edges(chart))
    by_id = {n.revision: i for i, n in enumerate(chart.nodes)}
    ranks = {rev: placed.rank[i] for rev, i in by_id.items()}
    assert sorted(ranks.values()) == [0, 1, 2, 3, 3, 4, 5, 5]
    line = [i for i, n in enumerate(chart.nodes) if n.kind == "fold" or set(n.roles) - {"head"}]
    assert len(line) == 4
    assert {placed.column[i] for i in line} == {0}  # base, fold, branch point, merge point
    heads = [placed.column[i] for i, n in enumerate(chart.nodes) if "head" in n.roles]
    assert sorted(heads) == [0, 1]
    assert placed.columns == 2


def test_a_thousand_revisions_keep_every_merge_and_branch_point_in_the_first_column():
    chart = build_chart(history(generated_sources(1000))[1])
    placed = layout(len(chart.nodes), _edges(chart))
    _check_proper(placed, _edges(chart))
    joints = [i for i, n in enumerate(chart.nodes) if {"merge", "branch"} & set(n.roles)]
    assert len(joints) > 10
    assert {placed.column[i] for i in joints} == {0}
    assert placed.columns <= 3


def test_a_long_edge_bends_on_every_rank_it_crosses():
    # 0 -> 1 -> 2 -> 3 -> 4 and 0 -> 4: the short edge waits beside the chain
    edges = [(0, 1, False), (1, 2, False), (2, 3, False), (3, 4, False), (0, 4, False)]
    placed = layout(5, edges)
    _check_proper(placed, edges)
    assert placed.rank == (0, 1, 2, 3, 4)
    assert placed.bends[4] == ((1, 1), (1, 2), (1, 3))
    assert placed.column == (0, 0, 0, 0, 0)


def test_dashed_edges_do_not_rank_and_parentless_nodes_wait_below_their_child():
    edges = [(0, 1, False), (1, 2, False), (2, 3, False), (4, 3, False), (3, 0, True)]
    placed = layout(5, edges)
    _check_proper(placed, edges)
    assert placed.rank == (0, 1, 2, 3, 2)  # 4 (a missing parent, say) just below 3
    assert placed.column[4] == 1


@pytest.mark.parametrize(
    "edges",
    [
        pytest.param([(0, 1, False), (1, 0, False)], id="two"),
        pytest.param([(0, 1, False), (1, 2, False), (2, 1, False), (3, 3, False)], id="tail"),
    ],
)
def test_cycles_are_broken_where_met(edges):
    count = 1 + max(max(s, t) for s, t, _ in edges)
    placed = layout(count, edges)
    assert len(placed.rank) == count
    backwards = [
        bends
        for (s, t, _), bends in zip(edges, placed.bends, strict=True)
        if placed.rank[t] <= placed.rank[s]
    ]
    assert backwards and all(bends == () for bends in backwards)
    assert len(set(zip(placed.column, placed.rank, strict=True))) == count


def test_nothing_to_lay_out():
    assert layout(0, []) == ((), (), (), 0, 0)
