"""The one record every stage produces and every reporter consumes."""

from __future__ import annotations

from typing import NamedTuple


class Diagnostic(NamedTuple):
    """A finding at a 1-based line and column of a file."""

    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str | None = None
    revision: str | None = None


class UsageError(Exception):
    """A usage, configuration or environment problem: exit 2, one line on stderr."""
