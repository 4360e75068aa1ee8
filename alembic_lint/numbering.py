"""The version numbers that some projects put in their messages (``alembic revision -m "v042"``).

A pure function of the graph and ``version-pattern``, computed once per run when a rule needs it
(AL303 reports on it; the AL301 and AL303 fixes renumber with it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from alembic_lint.diagnostics import UsageError
from alembic_lint.graph import RevisionGraph

_MAX_DIGITS = 30


_PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9])[vV][xX]+(?![A-Za-z0-9])")


class Renumber(NamedTuple):
    """A revision's number as written in its message, and the number it should have."""

    old: str
    """The digits as written, or the placeholder (``vXXX``)."""
    new: str
    """The digits, or for a placeholder the ``v``-prefixed number (``v043``)."""


class Numbering(NamedTuple):
    numbers: Mapping[str, tuple[int, str]]
    """Revision id -> (number, digits as written)."""
    users: Mapping[int, tuple[str, ...]]
    """Number -> the revisions that use it, sorted."""
    active: bool
    """Whether the project numbers its messages: at least two, and half, of its revisions."""
    plan: Mapping[str, Renumber] = {}
    """What ``renumbering`` would change, when active: the AL301 and AL303 fixes."""

    def expected(self, graph: RevisionGraph, revision: str) -> str | None:
        """The number that follows ``revision``'s parents, as its parents write it (zero-padded
        like the highest of them); None when no parent is numbered."""
        parents = [self.numbers[p] for p in graph.parents.get(revision, ()) if p in self.numbers]
        if not parents:
            return None
        top, digits = max(parents)
        return str(top + 1).zfill(len(digits))


def numbering(graph: RevisionGraph, pattern: re.Pattern[str]) -> Numbering:
    """Revision id -> (number, digits as written), for messages the pattern numbers.

    A pattern whose group matches something other than digits is a UsageError: it would
    silently number nothing.
    """
    numbers: dict[str, tuple[int, str]] = {}
    users: dict[int, list[str]] = {}
    for rev, script in graph.revisions.items():
        match = pattern.search(script.message)
        digits = match.group(1) if match is not None else None
        if digits is None or len(digits) > _MAX_DIGITS:
            continue  # no number, or one too long to be a version (and for int())
        if not digits.isdecimal():
            raise UsageError(
                f"version-pattern `{pattern.pattern}`: its first group matched `{digits}`, "
                "which is not a number; make the group match digits only, e.g. `(\\d+)`"
            )
        numbers[rev] = (int(digits), digits)
        users.setdefault(numbers[rev][0], []).append(rev)
    active = len(numbers) >= 2 and 2 * len(numbers) >= len(graph.revisions)
    found = Numbering(numbers, {n: tuple(sorted(r)) for n, r in users.items()}, active)
    return found._replace(plan=renumbering(graph, found)) if active else found


def renumbering(graph: RevisionGraph, numbering: Numbering) -> dict[str, Renumber]:
    """Revision -> its new number, so that every numbered revision follows its parents.

    Walks the history from its bases: a revision with numbered parents gets the highest of
    their (new) numbers plus one, padded like it; one without keeps its own. A ``vXXX``
    placeholder gets a number the same way. This is what renumbering after a rebase needs: the
    rebased revision and every one after it move up together. Empty unless the project numbers
    its messages.
    """
    if not numbering.active:
        return {}
    new: dict[str, tuple[int, str]] = {}
    plan: dict[str, Renumber] = {}
    for rev in _parents_first(graph):
        parents = [new[p] for p in graph.parents.get(rev, ()) if p in new]
        own = numbering.numbers.get(rev)
        if not parents:
            if own is not None:
                new[rev] = own
            continue
        top, digits = max(parents)
        number = (top + 1, str(top + 1).zfill(len(digits)))
        if own is not None:
            new[rev] = number
            if number[0] != own[0]:
                plan[rev] = Renumber(own[1], number[1])
            continue
        placeholder = _PLACEHOLDER.search(graph.revisions[rev].message)
        if placeholder is not None:
            new[rev] = number
            plan[rev] = Renumber(placeholder.group(0), "v" + number[1])
    return plan


def _parents_first(graph: RevisionGraph) -> list[str]:
    """The revisions in an order where every parent comes before its children (Kahn's); the
    graph's parents are known revisions only, and a cycle's members are left out."""
    waiting = {rev: len(graph.parents.get(rev, ())) for rev in graph.revisions}
    ready = sorted(rev for rev, n in waiting.items() if n == 0)
    order: list[str] = []
    while ready:
        rev = ready.pop()
        order.append(rev)
        for child in graph.children.get(rev, ()):
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return order


def descendants(graph: RevisionGraph, revision: str) -> list[str]:
    """``revision`` and every revision after it, parents first."""
    seen = {revision}
    stack = [revision]
    while stack:
        for child in graph.children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return [rev for rev in _parents_first(graph) if rev in seen]
