"""A layered layout for the html drawing: ranks, an order within each rank, and columns.

A simple Sugiyama-style layout, linear in the size of the history apart from the sorts:

1. Ranks by longest path from the bases over the solid edges (dashed ``depends_on`` edges do
   not rank), so a child is always above its parents. A cycle (AL106) is broken where it is met;
   its closing edge is drawn against the flow. A node with no parent (a base, a missing
   revision) is then raised to just below its lowest child.
2. An edge spanning several ranks gets one bend point per rank it crosses, so that it is laid
   out (and drawn) like a chain of nodes and never runs through a box.
3. Order within ranks: a depth-first walk from the bases that follows the child reaching
   highest first, so the longest line of the history comes first (leftmost) and stays straight,
   then two barycenter sweeps against crossings.
4. Columns: each node sits above its leftmost parent where the order allows, else just right of
   its left neighbour; parentless nodes are then moved under their leftmost child.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

SWEEPS = 2


class Layout(NamedTuple):
    column: tuple[int, ...]
    """Per node, from 0 at the left."""
    rank: tuple[int, ...]
    """Per node, from 0 at the bottom (the bases)."""
    bends: tuple[tuple[tuple[int, int], ...], ...]
    """Per edge, the (column, rank) points between its ends; empty for a one-rank edge."""
    columns: int
    ranks: int


def _ranks(count: int, succ: list[list[int]], pred: list[list[int]]) -> list[int]:
    rank = [0] * count
    waiting = [len(p) for p in pred]
    done = [False] * count
    ready = [v for v in range(count) if waiting[v] == 0]
    ready.reverse()
    forced = 0
    placed = 0
    while placed < count:
        if not ready:  # a cycle: force its first node, as if its remaining parents came later
            while done[forced]:
                forced += 1
            ready.append(forced)
            waiting[forced] = 0
        v = ready.pop()
        done[v] = True
        placed += 1
        for w in succ[v]:
            if not done[w]:
                rank[w] = max(rank[w], rank[v] + 1)
                waiting[w] -= 1
                if waiting[w] == 0:
                    ready.append(w)
    for v in range(count):
        if not pred[v] and succ[v]:
            rank[v] = max(rank[v], min(rank[w] for w in succ[v]) - 1)
    return rank


def layout(count: int, edges: Sequence[tuple[int, int, bool]]) -> Layout:
    """Lay out ``count`` nodes joined by ``edges`` (source, target, dashed)."""
    succ: list[list[int]] = [[] for _ in range(count)]
    pred: list[list[int]] = [[] for _ in range(count)]
    for source, target, dashed in edges:
        if not dashed and source != target:
            succ[source].append(target)
            pred[target].append(source)
    rank = _ranks(count, succ, pred)

    # proper edges (one rank apart) between nodes and bend points
    rank_of = list(rank)
    up: list[list[int]] = [[] for _ in range(count)]
    down: list[list[int]] = [[] for _ in range(count)]
    chains: list[list[int]] = []
    for source, target, dashed in edges:
        chain: list[int] = []
        if not dashed and rank[target] > rank[source]:
            prev = source
            for r in range(rank[source] + 1, rank[target]):
                bend = len(rank_of)
                rank_of.append(r)
                up.append([])
                down.append([])
                up[prev].append(bend)
                down[bend].append(prev)
                chain.append(bend)
                prev = bend
            up[prev].append(target)
            down[target].append(prev)
        chains.append(chain)
    total = len(rank_of)
    ranks = max(rank_of, default=-1) + 1

    # how high each node's line reaches: the walk follows the highest-reaching child first
    reach = list(rank_of)
    by_rank: list[list[int]] = [[] for _ in range(ranks)]
    for v in range(total):
        by_rank[rank_of[v]].append(v)
    for r in range(ranks - 1, -1, -1):
        for v in by_rank[r]:
            for w in up[v]:
                reach[v] = max(reach[v], reach[w])
    layers: list[list[int]] = [[] for _ in range(ranks)]
    seen = [False] * total
    for root in sorted(range(total), key=lambda v: (rank_of[v], v)):
        if seen[root] or down[root]:
            continue
        seen[root] = True
        stack = [root]
        while stack:
            v = stack.pop()
            layers[rank_of[v]].append(v)
            for w in sorted(up[v], key=lambda w: (reach[w], -w)):
                if not seen[w]:
                    seen[w] = True
                    stack.append(w)

    pos = [0] * total
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i
    for _ in range(SWEEPS):
        for sweep, neighbours in ((range(1, ranks), down), (range(ranks - 2, -1, -1), up)):
            for r in sweep:
                layer = layers[r]

                def barycenter(v: int, near: list[list[int]] = neighbours) -> float:
                    around = near[v]
                    return sum(pos[w] for w in around) / len(around) if around else pos[v]

                layer.sort(key=barycenter)
                for i, v in enumerate(layer):
                    pos[v] = i

    column = [0] * total
    for layer in layers:
        left = -1
        for v in layer:
            want = min((column[w] for w in down[v]), default=0)
            column[v] = left = max(want, left + 1)
    for layer in reversed(layers):
        left = -1
        for v in layer:
            if not down[v] and up[v]:
                column[v] = max(column[v], min(column[w] for w in up[v]))
            column[v] = left = max(column[v], left + 1)
    return Layout(
        column=tuple(column[:count]),
        rank=tuple(rank),
        bends=tuple(tuple((column[b], rank_of[b]) for b in chain) for chain in chains),
        columns=max(column, default=-1) + 1,
        ranks=ranks,
    )
