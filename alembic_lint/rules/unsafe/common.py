"""What every AL4xx rule shares: the bodies it reads, new tables, phase, locations and hints.

- **Bodies.** ``upgrade()``, and ``downgrade()`` too with ``lint-downgrade = true``. The rules
  see each body as its operations with their ``facts.BodyFacts``, in order.
- **New tables are safe.** ``new_table`` is true for an operation on a table that an earlier
  operation of the same body created (``op.create_table``, also as ``t = op.create_table(...)``,
  or SQL ``CREATE TABLE``); the same operation before the ``create_table`` is not.
- **Phase is structural.** ``is_contract``: the revision carries a contract branch label
  (``contract-branch-labels``, inherited along the branch as Alembic's effective labels are) or
  lives under a ``contract-version-locations`` directory. The message never decides.
- **Scope** is the record's (``unapplied=True``): the engine hands these rules only the revisions
  that have not run in production.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.facts import BodyFacts, body_facts
from alembic_lint.operations import Operation
from alembic_lint.rules import Context, diag
from alembic_lint.script import RevisionScript
from alembic_lint.sql import Action, Statement

PG = frozenset({"postgresql"})
MYSQL = frozenset({"mysql", "mariadb"})
PG_MYSQL = PG | MYSQL


class Body(NamedTuple):
    name: str
    """``upgrade`` or ``downgrade``."""
    operations: Sequence[Operation]
    facts: BodyFacts


def bodies(script: RevisionScript, ctx: Context, *, both: bool = False) -> Iterator[Body]:
    """The bodies the family reads: ``upgrade()``, and ``downgrade()`` when ``both`` (AL406)
    or with ``lint-downgrade = true``."""
    for name, function in (("upgrade", script.upgrade), ("downgrade", script.downgrade)):
        if function is None or (name == "downgrade" and not (both or ctx.settings.lint_downgrade)):
            continue
        ops = function.operations
        if ops:
            yield Body(name, ops, body_facts(ops))


def new_table(body: Body, index: int, table: str | None = None) -> bool:
    """Whether the table of operation ``index`` (or ``table``) was created earlier in the body."""
    return body.facts.is_new_table(
        table if table is not None else body.operations[index].table, index
    )


def is_contract(script: RevisionScript, ctx: Context) -> bool:
    labels = set(ctx.settings.contract_branch_labels)
    if script.revision is not None and labels & ctx.graph.labels.get(script.revision, frozenset()):
        return True
    if labels & set(script.branch_labels):
        return True
    location = ctx.locations.get(script.path)
    if location is None:
        return False
    return any(
        location == root or location.startswith(root.rstrip(os.sep) + os.sep)
        for root in ctx.settings.contract_version_locations
    )


def statements(op: Operation) -> Iterator[tuple[Statement, Action | None]]:
    """Each SQL statement an operation runs, with each of its actions (None for a statement
    without actions)."""
    for statement in op.sql:
        if statement.actions:
            for action in statement.actions:
                yield statement, action
        else:
            yield statement, None


def finding(
    script: RevisionScript, op: Operation, code: str, message: str, hint: str
) -> Diagnostic:
    """A finding at the operation; the message names the lock or the failure, the hint the safe
    Alembic form."""
    return diag(script, op.line, op.col, code, message, hint)
