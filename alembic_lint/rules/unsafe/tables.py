"""AL4xx, tables: see the module docstring of ``alembic_lint.rules.unsafe``."""

from __future__ import annotations

from alembic_lint.rules import AnyRule

RULES: tuple[AnyRule, ...] = ()
