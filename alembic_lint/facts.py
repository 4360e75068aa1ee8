"""Facts derived from the operation model, as pure functions that rules query.

``body_facts`` reads one ``upgrade()`` (or ``downgrade()``) in order: which tables it creates
and drops, the columns it adds, the constraints it adds ``NOT VALID`` and validates, and the
transaction segment of each operation, from ``op`` calls and the SQL they run alike. Every
answer is about the operations *before* a given one (by index), because order matters: an index
on a table created two lines earlier is safe, the same index before the ``create_table`` is not.

``history_not_null_checks`` looks back through the revision graph, for the recipe that spans
revisions: a ``CHECK (c IS NOT NULL) NOT VALID`` in one revision, validated in a later one,
lets PostgreSQL 12+ set NOT NULL without a scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from alembic_lint.graph import RevisionGraph
from alembic_lint.operations import Operation, is_true, literal
from alembic_lint.script import RevisionScript

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
    from alembic_lint.sql import Statement

_NEVER = 1 << 62


class Constraint(NamedTuple):
    table: str | None
    name: str | None
    kind: str
    """foreign_key, check, unique, primary_key or exclude."""
    not_valid: bool
    expression: str | None
    """A CHECK's condition as written, when literal."""
    at: int
    """Index of the operation that adds it."""


class BodyFacts(NamedTuple):
    created: Mapping[str, int]
    """Table -> index of the first operation that creates it."""
    dropped: Mapping[str, int]
    added_columns: Mapping[tuple[str, str], int]
    """(table, column) -> index of the operation that adds it."""
    constraints: tuple[Constraint, ...]
    """Constraints added, in order, by ``op.create_*_constraint``/``create_foreign_key``
    and by SQL ``ADD CONSTRAINT``."""
    validated: Mapping[str, int]
    """Constraint name -> index of its ``VALIDATE CONSTRAINT``."""
    segments: tuple[int, ...]
    """The transaction segment of each operation, by index."""

    def is_new_table(self, table: str | None, before: int) -> bool:
        """Whether ``table`` was created by an operation before index ``before``."""
        return table is not None and self.created.get(table, _NEVER) < before

    def is_new_column(self, table: str | None, column: str | None, before: int) -> bool:
        if table is None or column is None:
            return False
        return self.added_columns.get((table, column), _NEVER) < before

    def pending_not_valid(self, table: str | None, before: int) -> tuple[Constraint, ...]:
        """Constraints added NOT VALID on ``table`` before ``before`` and not validated since."""
        return tuple(
            c
            for c in self.constraints
            if c.table == table
            and c.not_valid
            and c.at < before
            and not (c.name is not None and self.validated.get(c.name, _NEVER) < before)
        )

    def same_segment(self, first: int, second: int) -> bool:
        return self.segments[first] == self.segments[second]


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _op_constraint(op: Operation, index: int) -> Constraint | None:
    kinds = {
        "create_foreign_key": "foreign_key",
        "create_check_constraint": "check",
        "create_unique_constraint": "unique",
        "create_primary_key": "primary_key",
        "create_exclude_constraint": "exclude",
    }
    kind = kinds.get(op.call)
    if kind is None or op.via not in ("op", "batch_op"):
        return None
    condition = op.kw("condition")
    expression = _str(literal(condition))
    not_valid = is_true(op.kw("postgresql_not_valid"))
    return Constraint(op.table, op.name, kind, not_valid, expression, index)


def _sql_facts(statement: Statement, index: int) -> Iterator[tuple[str, object]]:
    table = statement.table
    if statement.kind == "create_table" and table:
        yield "created", table
    elif statement.kind == "drop_table" and table:
        yield "dropped", table
    elif statement.kind == "alter_table":
        for action in statement.actions:
            if action.kind == "add_column" and table and action.column:
                yield "column", (table, action.column)
            elif action.kind == "add_constraint" and action.constraint:
                not_valid = "not_valid" in action.flags
                yield (
                    "constraint",
                    Constraint(
                        table, action.name, action.constraint, not_valid, action.expression, index
                    ),
                )
            elif action.kind == "validate_constraint" and action.name:
                yield "validated", action.name


def body_facts(ops: Sequence[Operation]) -> BodyFacts:
    created: dict[str, int] = {}
    dropped: dict[str, int] = {}
    columns: dict[tuple[str, str], int] = {}
    constraints: list[Constraint] = []
    validated: dict[str, int] = {}
    for index, op in enumerate(ops):
        if op.via in ("op", "batch_op") and op.table is not None:
            if op.call == "create_table":
                created.setdefault(op.table, index)
            elif op.call == "drop_table":
                dropped.setdefault(op.table, index)
            elif op.call == "add_column":
                for column in op.columns:
                    if column.name is not None:
                        columns.setdefault((op.table, column.name), index)
        constraint = _op_constraint(op, index)
        if constraint is not None:
            constraints.append(constraint)
        for statement in op.sql:
            for kind, value in _sql_facts(statement, index):
                if kind == "created":
                    created.setdefault(str(value), index)
                elif kind == "dropped":
                    dropped.setdefault(str(value), index)
                elif kind == "column":
                    assert isinstance(value, tuple)
                    columns.setdefault(value, index)
                elif kind == "constraint":
                    assert isinstance(value, Constraint)
                    constraints.append(value)
                else:
                    validated.setdefault(str(value), index)
    return BodyFacts(
        created,
        dropped,
        columns,
        tuple(constraints),
        validated,
        tuple(op.segment for op in ops),
    )


_NOT_NULL_CHECK = re.compile(r"(?is)^\(*\s*\"?(\w+)\"?\s+is\s+not\s+null\s*\)*$")


def not_null_column(expression: str | None) -> str | None:
    """The column of a ``c IS NOT NULL`` check condition, else None."""
    if expression is None:
        return None
    match = _NOT_NULL_CHECK.match(expression.strip())
    return match.group(1).lower() if match else None


def history_not_null_checks(
    graph: RevisionGraph, script: RevisionScript, table: str
) -> frozenset[str]:
    """Columns of ``table`` that a validated ``CHECK (c IS NOT NULL)`` covers when ``script``
    starts: added in an ancestor revision (validating, or NOT VALID and then validated in an
    ancestor), and not dropped since."""
    if script.revision is None:
        return frozenset()
    ancestors = [
        graph.revisions[r] for r in graph.ancestors(script.revision) if r != script.revision
    ]
    checks: dict[str, tuple[str, bool]] = {}
    """Constraint name -> (column, validated)."""
    for ancestor in _in_order(graph, ancestors):
        upgrade = ancestor.upgrade
        if upgrade is None:
            continue
        facts = body_facts(upgrade.operations)
        for constraint in facts.constraints:
            column = not_null_column(constraint.expression)
            if (
                constraint.table == table
                and constraint.kind == "check"
                and column
                and constraint.name
            ):
                checks[constraint.name] = (column, not constraint.not_valid)
        for name in facts.validated:
            if name in checks:
                checks[name] = (checks[name][0], True)
        for op in upgrade.operations:
            if op.call == "drop_constraint" and op.name in checks:
                del checks[op.name]
    return frozenset(column for column, valid in checks.values() if valid)


def _in_order(graph: RevisionGraph, scripts: Iterable[RevisionScript]) -> list[RevisionScript]:
    """Oldest first: by depth (the longest path down to a base), which grows along every edge."""
    depth: dict[str, int] = {}
    for script in scripts:
        stack = [script.revision] if script.revision is not None else []
        while stack:
            rev = stack[-1]
            parents = [p for p in graph.parents.get(rev, ()) if p not in depth]
            if parents and len(stack) < 100_000:
                stack.extend(p for p in parents if p not in stack)
                if stack[-1] != rev:
                    continue
            depth[rev] = 1 + max((depth.get(p, 0) for p in graph.parents.get(rev, ())), default=0)
            stack.pop()
    return sorted(scripts, key=lambda s: depth.get(s.revision or "", 0))
