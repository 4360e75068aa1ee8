"""AL4xx: operations that are unsafe on a live database, dialect-aware and order-aware.

The family reads the operation model (``alembic_lint.operations``) of the revisions that have
not run in production; ``common`` holds the semantics every rule shares. One module per theme:
``indexes``, ``constraints``, ``columns``, ``tables`` and ``transactions``.
"""

from __future__ import annotations

from alembic_lint.rules import AnyRule
from alembic_lint.rules.unsafe import columns, constraints, indexes, tables, transactions

RULES: tuple[AnyRule, ...] = (
    indexes.RULES + constraints.RULES + columns.RULES + tables.RULES + transactions.RULES
)
