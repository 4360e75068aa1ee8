"""The one record every stage produces and every reporter consumes."""

from __future__ import annotations

from typing import Literal, NamedTuple


class Edit(NamedTuple):
    """One change that a finding's fix makes to a file; ``fixing`` applies it through
    ``rewrite``, byte-preserving.

    - ``doc_line``: set the docstring's ``old:`` line (``Revision ID``, ``Revises``) to ``new``;
    - ``message``: replace ``old`` by ``new`` in the message (the docstring's first line);
    - ``rename``: rename the file, in its directory, from the name ``old`` to ``new``;
    - ``write``: replace the whole file (a head file) with ``new``.
    """

    path: str
    """The file, as shown in findings."""
    action: Literal["doc_line", "message", "rename", "write"]
    old: str
    new: str


class Diagnostic(NamedTuple):
    """A finding at a 1-based line and column of a file, with the edits that fix it, if any."""

    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str | None = None
    revision: str | None = None
    fix: tuple[Edit, ...] = ()


class UsageError(Exception):
    """A usage, configuration or environment problem: exit 2, one line on stderr."""
