"""Working out a rebase: which revision gets a new ``down_revision``, and onto what.

After a merge brings in another head, the branch's own new revisions are re-pointed onto the
head that is already on the base branch (it may be applied somewhere; ours is not yet). Only the
first of our new revisions changes: the one whose parent is the common ancestor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from alembic_lint.diagnostics import UsageError
from alembic_lint.graph import RevisionGraph


class RebasePlan(NamedTuple):
    revision: str
    """The revision whose ``down_revision`` changes."""
    old: tuple[str, ...]
    onto: str


class RebaseRefused(UsageError):
    """No sensible rebase: the message says why and what to do instead."""


def _head_of(graph: RevisionGraph, revision: str) -> str:
    node = revision
    while graph.children[node]:
        if len(graph.children[node]) > 1:
            raise RebaseRefused(f"`{revision}` has branches after it; name the head to rebase")
        node = graph.children[node][0]
    return node


def _first_new(graph: RevisionGraph, ours: str, theirs: str) -> str:
    """Walking down from our head: the revision whose parent the two heads have in common."""
    shared = graph.ancestors(theirs)
    node = ours
    while True:
        parents = graph.parents[node]
        if len(parents) != 1:
            raise RebaseRefused(
                f"`{node}` is a merge or a base, so there is no single parent to re-point; "
                f"join the heads with `alembic merge {ours} {theirs}` instead"
            )
        if parents[0] in shared:
            return node
        node = parents[0]


def plan(
    graph: RevisionGraph,
    *,
    revision: str | None = None,
    onto: str | None = None,
    on_base: Callable[[str], bool] | None = None,
    base: str | None = None,
) -> RebasePlan:
    """The rebase to do, or RebaseRefused saying why there is none.

    ``on_base`` tells whether a revision id is on the base branch (named ``base`` in messages);
    without it, ``revision`` or ``onto`` must say which head is ours.
    """
    for name in (revision, onto):
        if name is not None and name not in graph.revisions:
            raise RebaseRefused(f"unknown revision `{name}`")
    if revision is not None and onto is not None:
        if len(graph.parents[revision]) > 1:
            raise RebaseRefused(f"`{revision}` is a merge revision; it cannot be re-pointed")
        if revision in graph.ancestors(onto):
            raise RebaseRefused(f"`{onto}` descends from `{revision}`: that would make a cycle")
        return _checked(RebasePlan(revision, graph.parents[revision], onto), on_base, base)

    groups = graph.competing(graph.heads)
    if revision is not None:
        ours = _head_of(graph, revision)
        group = next((g for g in groups if ours in g), None)
        if group is None:
            raise RebaseRefused(f"`{ours}` is the only head of its branch; nothing to rebase onto")
        others = [h for h in group if h != ours]
        if len(others) != 1:
            raise RebaseRefused(f"{len(group)} heads compete with `{ours}`; pass --onto")
        theirs = others[0]
    else:
        if not groups:
            raise RebaseRefused("there is only one head per branch; nothing to rebase")
        if len(groups) > 1 or len(groups[0]) > 2:
            heads = ", ".join(f"`{h}`" for g in groups for h in g)
            raise RebaseRefused(
                f"more than two heads compete ({heads}); name the revision to rebase"
            )
        first, second = groups[0]
        if onto is not None:
            if onto not in (first, second):
                raise RebaseRefused(
                    f"`{onto}` is not one of the competing heads `{first}`, `{second}`"
                )
            theirs = onto
        elif on_base is None:
            raise RebaseRefused(
                f"cannot tell which of `{first}` and `{second}` is new here without a base branch; "
                "name it: `alembic-lint rebase REVISION`, or pass --base"
            )
        else:
            placed = [h for h in (first, second) if on_base(h)]
            if len(placed) != 1:
                where = "both are" if placed else "neither is"
                raise RebaseRefused(
                    f"{where} on `{base}`, so the rebase is not clear; name the revision to "
                    f"rebase, or join the heads with `alembic merge {first} {second}`"
                )
            theirs = placed[0]
        ours = second if theirs == first else first
    moving = _first_new(graph, ours, theirs)
    return _checked(RebasePlan(moving, graph.parents[moving], theirs), on_base, base)


def _checked(
    found: RebasePlan, on_base: Callable[[str], bool] | None, base: str | None
) -> RebasePlan:
    if on_base is not None and on_base(found.revision):
        raise RebaseRefused(
            f"`{found.revision}` is already on `{base}` and may be applied; "
            "join the heads with a merge revision (`alembic merge heads`) instead"
        )
    return found
