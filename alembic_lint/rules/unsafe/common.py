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
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.dialect import Dialect
from alembic_lint.facts import BodyFacts, body_facts
from alembic_lint.operations import Column, Lit, Operation
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


def creates_table(op: Operation) -> bool:
    """Whether the operation creates a table, named or not (``op.create_table``, SQL)."""
    if op.call == "create_table" and op.via == "op":
        return True
    return any(statement.kind == "create_table" for statement in op.sql)


def existing_table(body: Body, index: int, table: str | None) -> bool:
    """Whether operation ``index`` works on a table that existed before the body ran.

    A known table did unless an earlier operation created it. An unknown one (its name held in
    a variable) did only when no earlier operation created any table: otherwise it may be one
    of those, and the family stays quiet rather than guess.
    """
    if table is not None:
        return not body.facts.is_new_table(table, index)
    return not any(creates_table(op) for op in body.operations[:index])


def in_transaction(body: Body, index: int) -> bool:
    """Whether operation ``index`` runs inside a transaction.

    Inside ``autocommit_block()`` it does not, nor after an explicit ``COMMIT``. When the block
    ends, Alembic begins a new transaction, also after a ``COMMIT`` (SQLAlchemy still holds its
    transaction then, so the block commits and re-begins it); the model restores the kind the
    block was entered with, so a segment that starts where a block ended is a transaction.
    """
    op = body.operations[index]
    if op.segment_kind != "after_commit":
        return op.segment_kind == "transaction"
    # an op in "after_commit" follows the COMMIT that began its segment, or the end of a block
    last = next(o for o in reversed(body.operations[:index]) if o.segment != op.segment)
    return last.segment_kind == "autocommit" and not any(s.kind == "commit" for s in last.sql)


_DIALECT_TEST = re.compile(r"""[\w.()]*\b(?:dialect|engine)\.name\s*(==|!=)\s*['"](\w+)['"]""")
_FAMILY = {"mariadb": "mysql"}


def ruled_out(op: Operation, dialect: Dialect | None) -> bool:
    """Whether a condition around the operation keeps it from running on ``dialect``:
    ``if bind.dialect.name == "sqlite":``, ``!=``, or the ``else`` of one.

    An ``if`` whose test joins the comparison with ``and`` needs it to hold too; an ``else``
    counts only when its test is the comparison alone. MySQL and MariaDB are one family for
    ``==``, since a ``mysql://`` URL reaches either server.
    """
    if dialect is None:
        return False
    current = _FAMILY.get(dialect.name, dialect.name)
    for condition in op.conditions:
        test = condition.test.strip()
        match = _DIALECT_TEST.search(test)
        if match is None or " or " in test or "not " in test:
            continue
        whole = match.group(0) == test
        equal = match.group(1) == "=="
        if condition.kind == "else" and whole:
            equal = not equal
        elif condition.kind != "if":
            continue
        named = match.group(2)
        if (equal and _FAMILY.get(named, named) != current) or (
            not equal and named == dialect.name
        ):
            return True
    return False


def steps(body: Body, ctx: Context) -> Iterator[tuple[int, Operation]]:
    """Each operation of the body with its index, except those that a dialect test around them
    keeps from running on the dialect linted against (``ruled_out``)."""
    for index, op in enumerate(body.operations):
        if not ruled_out(op, ctx.dialect):
            yield index, op


def flag(op: Operation, key: str) -> bool | None:
    """A boolean keyword argument such as ``postgresql_concurrently``: False when absent, None
    when its value is not a literal."""
    value = op.kw(key)
    if value is None:
        return False
    return bool(value.value) if isinstance(value, Lit) else None


def quoted(name: str | None, fallback: str) -> str:
    """A name in backticks for a message, or the fallback words when it is unknown."""
    return f"`{name}`" if name is not None else fallback


def column_call(column: Column, argument: str) -> str:
    """``sa.Column("email", ..., unique=True)`` for a message: the argument that matters."""
    name = f'"{column.name}", ' if column.name is not None else ""
    return f"`sa.Column({name}..., {argument})`"
