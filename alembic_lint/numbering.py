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


class Numbering(NamedTuple):
    numbers: Mapping[str, tuple[int, str]]
    """Revision id -> (number, digits as written)."""
    users: Mapping[int, tuple[str, ...]]
    """Number -> the revisions that use it, sorted."""
    active: bool
    """Whether the project numbers its messages: at least two, and half, of its revisions."""

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
    return Numbering(numbers, {n: tuple(sorted(r)) for n, r in users.items()}, active)
