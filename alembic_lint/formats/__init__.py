"""What every output format reads: the findings of each environment and what the run knows.

``alembic_lint.report`` holds the line formats (text, json, github) and picks a format; the
document formats that CI systems read, SARIF and JUnit XML, have a module each here. They all
turn the same input into one string: only ``cli`` prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from alembic_lint.diagnostics import Diagnostic


class RuleDoc(NamedTuple):
    """What the formats say about a rule; ``cli`` fills it from the rule registry."""

    name: str
    summary: str
    doc: str
    """The rule's documentation, markdown (``alembic-lint rule CODE``)."""
    default: bool


class Section(NamedTuple):
    """The findings of one environment."""

    environment: str | None
    """Its label where several were linted, else None."""
    diagnostics: Sequence[Diagnostic]
    checked: int
    """Revision files checked."""


class Run(NamedTuple):
    rules: Mapping[str, RuleDoc]
    """At least every code that a finding carries."""
    root: str
    """Absolute: the repository root (the current directory outside git); SARIF's URIs are
    relative to it."""
    cwd: str
    """Absolute: findings' paths are relative to it."""
    color: bool = False
    """Only the text format has colour, whatever this says."""
    summary: bool = True
    """The text format's closing line (``-q`` drops it)."""
