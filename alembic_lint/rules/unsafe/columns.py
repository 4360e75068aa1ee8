"""AL4xx, columns: adding, dropping, renaming and retyping a column, and NOT NULL.

Each rule reads the ``op``/``batch_op`` calls and the SQL of ``op.execute`` alike, on tables that
exist before the upgrade (see ``common``). What the history says about a column (its type,
nullability, default) comes from ``columnstate``. Decisions shared by the rules here:

- **A column added in the same upgrade** is new to the code too: dropping or renaming it breaks
  nothing deployed (AL403, AL412 stay quiet). Its table is not new, though: retyping it or
  setting it NOT NULL still locks and scans or rewrites the table (AL405, AL407 fire).
- **Defaults** are read as SQLAlchemy renders them: a plain string is a quoted constant
  (``server_default="now()"`` is the text ``'now()'``), ``sa.text(...)`` and
  ``sa.literal_column(...)`` are SQL whose functions are found by the SQL parser, ``sa.func.f()``
  calls ``f``. A default that is not literal is unknown, and no rule fires on it alone.
- **Generated and identity columns.** ``sa.Computed`` is stored when ``persisted=True``; on
  PostgreSQL before 18, which has only stored generated columns, also when ``persisted`` is not
  given. An integer primary key that SQLAlchemy makes autoincrement (no ``autoincrement=False``,
  no foreign key, no default) is rendered ``SERIAL`` on PostgreSQL and ``AUTO_INCREMENT`` on
  MySQL: its values are filled in, like an ``sa.Identity()`` column's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.dialect import Dialect
from alembic_lint.facts import not_null_column
from alembic_lint.graph import RevisionGraph
from alembic_lint.operations import Call, Column, Expr, Lit, Operation, Ref, is_true, tail
from alembic_lint.rules import AnyRule, Context, Need, RevisionRule
from alembic_lint.rules.unsafe import common
from alembic_lint.rules.unsafe.columnstate import (
    ColumnHistory,
    ColumnType,
    history_index,
    restates,
    rewrite_free,
    sa_type,
    shown,
    sql_type,
)
from alembic_lint.script import RevisionScript

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
    from alembic_lint.sql import Action, Statement

_PG_LOCK = "takes an ACCESS EXCLUSIVE lock on `{table}`"
_MYSQL_COPY = "MySQL copies `{table}` (ALGORITHM=COPY) and blocks writes to it"
_MYSQL_TIME_DEFAULTS = frozenset({"current_timestamp", "now", "localtime", "localtimestamp"})
_INTEGERS = frozenset({"integer", "int", "biginteger", "bigint", "smallinteger", "smallint"})


def _name(table: str | None, column: str | None = None) -> str:
    if column is None:
        return f"`{table or '?'}`"
    return f"`{table or '?'}.{column}`"


def _is_op(op: Operation, call: str) -> bool:
    return op.call == call and op.via in ("op", "batch_op")


_NONE = Lit(None)
# the rules for every dialect still read it, to leave out what runs only on another database
_DIALECT: frozenset[Need] = frozenset({"dialect"})


def _passed(op: Operation, key: str, empty: Expr = _NONE) -> bool:
    value = op.kw(key)
    return value is not None and value != empty


def _dialect(ctx: Context) -> Dialect:
    assert ctx.dialect is not None  # the records declare dialects, so the engine sets it
    return ctx.dialect


class _Target(NamedTuple):
    """A column an operation acts on; ``statement`` when it is SQL, ``detail`` what the rule
    reports about it (a reason, a new name)."""

    table: str | None
    column: str | None
    statement: Statement | None = None
    detail: str | None = None


def _on_new_table(body: common.Body, index: int, target: _Target) -> bool:
    return common.new_table(body, index, target.table, statement=target.statement)


def _on_new_column(body: common.Body, index: int, target: _Target) -> bool:
    """Whether the column was added earlier in the upgrade (or its table created)."""
    if _on_new_table(body, index, target):
        return True
    if body.facts.is_new_column(target.table, target.column, index):
        return True
    statement = target.statement
    return statement is not None and any(
        earlier.offset < statement.offset
        and earlier.table == target.table
        and action.column == target.column
        for earlier, action in common.alter_actions(body.operations[index], "add_column")
    )


# --- columns added: what SQLAlchemy or the SQL says about them ----------------------------------


class _Default(NamedTuple):
    text: str
    """As a person reads it: ``gen_random_uuid()``, ``'draft'``."""
    functions: tuple[str, ...]
    expression: bool
    """Not a literal (MySQL's notion: a function call other than the current time, or
    parenthesized)."""


class _Added(NamedTuple):
    at: int
    op: Operation
    table: str | None
    column: str | None
    not_null: bool | None
    default: _Default | None
    has_default: bool | None
    """Whether a server default is given; None when it is not literal."""
    identity: bool
    """``sa.Identity()``, or SQL ``GENERATED ... AS IDENTITY`` / ``AUTO_INCREMENT``."""
    serial: bool
    computed: Call | None
    stored: bool
    """A raw ``GENERATED ... STORED`` column (the SQL says; SQLAlchemy's depends on the
    dialect, see ``_stored``)."""
    statement: Statement | None
    """The SQL statement that adds it, when it is not an ``sa.Column``."""


def _sql_default(text: str) -> _Default | None:
    """A default written as SQL, read by the SQL parser as a column default."""
    from alembic_lint.sql import parse_sql

    parsed = parse_sql(f"ALTER TABLE t ADD COLUMN c integer DEFAULT {text}")
    actions = parsed[0].actions if len(parsed) == 1 else ()
    if len(actions) != 1 or actions[0].default is None:
        return None
    action = actions[0]
    return _Default(text.strip(), action.functions, _expression(text, action.functions))


def _expression(text: str, functions: tuple[str, ...]) -> bool:
    return text.strip().startswith("(") or bool(set(functions) - _MYSQL_TIME_DEFAULTS)


def _default(expr: Expr | None) -> _Default | None:
    """A ``server_default`` as the database sees it; None when absent, None or unknown."""
    if isinstance(expr, Lit) and expr.value is not None:
        return _Default(repr(expr.value), (), False)
    if not isinstance(expr, Call):
        return None
    name = tail(expr.func)
    first = expr.args[0] if expr.args else None
    if name in ("text", "literal_column") and isinstance(first, Lit):
        return _sql_default(str(first.value)) if isinstance(first.value, str) else None
    if name in ("true", "false"):
        return _Default(name, (), False)
    parts = expr.func.split(".")
    if len(parts) > 1 and parts[-2] == "func":
        inner = [_default(a) for a in expr.args]
        if any(i is None for i in inner):
            return None
        functions = {name.lower()}.union(*(i.functions for i in inner if i is not None))
        text = f"{name}({', '.join(i.text for i in inner if i is not None)})"
        return _Default(text, tuple(sorted(functions)), _expression(text, tuple(functions)))
    return None


def _has_default(expr: Expr | None) -> bool | None:
    if expr is None or expr == Lit(None):
        return False
    if isinstance(expr, Lit) or (isinstance(expr, Call) and tail(expr.func) != "FetchedValue"):
        return True
    return None


def _serial(column: Column) -> bool:
    """Whether SQLAlchemy makes this column autoincrement: ``SERIAL``, ``AUTO_INCREMENT``."""
    type_ = column.type
    name = type_.name if isinstance(type_, Ref) else type_.func if isinstance(type_, Call) else None
    return (
        column.kw("primary_key") == Lit(True)
        and name is not None
        and tail(name).lower() in _INTEGERS
        and column.kw("autoincrement") in (None, Lit(True), Lit("auto"))
        and not column.calls("ForeignKey")
        and not column.calls("Sequence")
        and column.kw("server_default") in (None, Lit(None))
    )


def _from_column(index: int, op: Operation, column: Column) -> _Added:
    computed = column.calls("Computed")
    server_default = column.kw("server_default")
    return _Added(
        index,
        op,
        op.table,
        column.name,
        column.not_null,
        _default(server_default),
        _has_default(server_default),
        bool(column.calls("Identity")),
        _serial(column),
        computed[0] if computed else None,
        False,
        None,
    )


def _from_action(index: int, op: Operation, statement: Statement, action: Action) -> _Added:
    default = None
    if action.default is not None:
        default = _Default(
            action.default, action.functions, _expression(action.default, action.functions)
        )
    return _Added(
        index,
        op,
        statement.table,
        action.column,
        action.not_null or "primary_key" in action.flags,
        default,
        action.default is not None,
        "identity" in action.flags,
        "serial" in action.flags,
        None,
        "generated_stored" in action.flags,
        statement,
    )


def _added(body: common.Body, ctx: Context) -> Iterator[_Added]:
    """Every column added to a table that exists before the upgrade, in order."""
    for index, op in common.steps(body, ctx):
        if _is_op(op, "add_column") and not common.new_table(body, index):
            for column in op.columns:
                yield _from_column(index, op, column)
        for statement, action in common.alter_actions(op, "add_column"):
            if not common.new_table(body, index, statement.table, statement=statement):
                yield _from_action(index, op, statement, action)


def _stored(added: _Added, dialect: Dialect) -> bool:
    if added.stored or added.computed is None:
        return added.stored
    persisted = added.computed.kw("persisted")
    if dialect.is_mysql:
        return persisted == Lit(True)
    return persisted == Lit(True) or (persisted is None and dialect.postgresql_version < 18)


# --- AL402 -------------------------------------------------------------------------------------


def _default_dropped_later(body: common.Body, added: _Added) -> bool:
    start = added.statement.offset if added.statement is not None else -1
    for index in range(added.at, len(body.operations)):
        op = body.operations[index]
        if (
            index > added.at
            and _is_op(op, "alter_column")
            and op.table == added.table
            and op.name == added.column
            and op.kw("server_default") == Lit(None)
        ):
            return True
        for statement, action in common.alter_actions(op, "drop_default"):
            if (
                (index > added.at or statement.offset > start)
                and statement.table == added.table
                and action.column == added.column
            ):
                return True
    return False


def _emptied(body: common.Body, added: _Added, ctx: Context) -> bool:
    """Whether an earlier step of the upgrade deletes every row of the table (``DELETE FROM t``
    without ``WHERE`` or ``USING``, ``TRUNCATE``) and none is inserted since, following renames:
    a deliberate data reset, after which a NOT NULL column without a default can be added."""
    empty: set[str] = set()
    for index, op in common.steps(body, ctx):
        if index > added.at or (index == added.at and added.statement is None):
            break
        for statement in op.sql:
            if added.statement is not None and statement.offset >= added.statement.offset:
                break
            table = statement.table
            if statement.kind == "truncate":
                empty.update(statement.tables)
            elif statement.kind == "delete" and "all_rows" in statement.flags and table:
                if statement.tables == (table,):
                    empty.add(table)
            elif statement.kind == "insert" and table:
                empty.discard(table)
            for action in statement.actions:
                if action.kind == "rename_table" and table in empty and action.target:
                    empty.add(action.target)
        new = op.kw("new_table_name")
        if op.call == "rename_table" and op.table in empty and isinstance(new, Lit):
            empty.add(str(new.value))
        elif op.call == "bulk_insert" and op.table is not None:
            empty.discard(op.table)
    return added.table in empty


def add_not_null_column_without_default(
    script: RevisionScript, ctx: Context
) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a NOT NULL column added to an existing table without a server default. NOT NULL
    means `nullable=False` or `primary_key=True`; a server default that a later step of the same
    upgrade drops counts as none. Identity, serial and computed columns fill themselves in and
    are fine, and so is `add_column` on a table the same upgrade creates. `default=` is
    SQLAlchemy's Python side default: the database never sees it.

    ## Why is this bad?
    PostgreSQL cannot give the existing rows a value, so the `ALTER TABLE` fails as soon as the
    table has a row: the deploy breaks on production although it passed on an empty test
    database. MySQL fills the rows with the type's implicit default (`0`, `''`) instead, silently.
    Either way, inserts from the code that is still deployed, which does not know the column yet,
    fail once the column has no default.

    ## Example
    ```python
    op.add_column("users", sa.Column("status", sa.String(20), nullable=False))
    ```

    ## Use instead
    ```python
    op.add_column(
        "users",
        sa.Column("status", sa.String(20), nullable=False, server_default=sa.text("'active'")),
    )
    ```
    or add it nullable, backfill it, and set NOT NULL in a later revision (see AL405).

    A table that the upgrade empties first (`DELETE FROM t` without `WHERE`, `TRUNCATE t`, and
    no insert since) has no row to fail on, so a NOT NULL column without a default is quiet
    there.
    """
    mysql = _dialect(ctx).is_mysql
    for body in common.bodies(script, ctx):
        for added in _added(body, ctx):
            filled = added.identity or added.serial or added.computed or added.stored
            if added.not_null is not True or filled or _emptied(body, added, ctx):
                continue
            name = _name(added.table, added.column)
            hint = (
                "give it a `server_default=sa.text(...)`, or add it nullable, backfill it, and "
                "set NOT NULL in a later revision (AL405's recipe)"
            )
            if added.has_default is False:
                failure = (
                    "MySQL fills the existing rows with the type's implicit default (0, '') and "
                    "inserts from the code still deployed fail"
                    if mysql
                    else "the ALTER TABLE fails as soon as the table has a row"
                )
                message = f"adds NOT NULL column {name} without a server default: {failure}"
                yield common.finding(script, added.op, "AL402", message, hint)
            elif added.has_default and _default_dropped_later(body, added):
                message = (
                    f"adds NOT NULL column {name} and drops its server default later in this "
                    "upgrade: inserts from the code still deployed, which does not set it, fail"
                )
                hint = "keep the server default until no deployed code inserts without the column"
                yield common.finding(script, added.op, "AL402", message, hint)


# --- AL403 -------------------------------------------------------------------------------------


def drop_column(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a column dropped outside a contract revision: `op.drop_column`,
    `batch_op.drop_column`, SQL `DROP COLUMN`. A revision is a contract revision when it
    carries one of `contract-branch-labels` (default `["contract"]`, inherited along the branch)
    or lives under one of `contract-version-locations`; its message never decides. A column
    added earlier in the same upgrade may be dropped.

    ## Why is this bad?
    Migrations run before the new code is deployed (or while old and new code both run). Until
    then, the code that is deployed still selects, inserts and updates the column, and every such
    statement fails once the column is gone. SQLAlchemy models list their columns explicitly, so
    even code that never mentions the attribute selects it.

    ## Example
    ```python
    def upgrade() -> None:
        op.drop_column("users", "legacy_flags")
    ```

    ## Use instead
    Remove the column from the models and deploy; then drop it in a revision on the contract
    branch:
    ```python
    branch_labels = ("contract",)


    def upgrade() -> None:
        op.drop_column("users", "legacy_flags")
    ```

    ## Options
    `contract-branch-labels`, `contract-version-locations`.
    """
    if common.is_contract(script, ctx):
        return
    hint = f"stop using the column in the models and deploy; drop it {common.contract_hint(ctx)}"
    for body in common.bodies(script, ctx):
        for index, op in common.steps(body, ctx):
            found: list[_Target] = []
            if _is_op(op, "drop_column"):
                found.append(_Target(op.table, op.name))
            found += [
                _Target(s.table, a.column, s) for s, a in common.alter_actions(op, "drop_column")
            ]
            for target in found:
                if not _on_new_column(body, index, target):
                    message = (
                        f"drops column {_name(target.table, target.column)}: {common.DEPLOYED}"
                    )
                    yield common.finding(script, op, "AL403", message, hint)


# --- AL405 -------------------------------------------------------------------------------------


def _check_column(condition: Expr | None) -> str | None:
    """The column of a ``c IS NOT NULL`` condition, given as a string or ``sa.text("...")``."""
    if isinstance(condition, Call) and tail(condition.func) == "text" and condition.args:
        condition = condition.args[0]
    text = condition.value if isinstance(condition, Lit) else None
    return not_null_column(text) if isinstance(text, str) else None


_Checks = dict[str | None, tuple[str | None, bool]]
"""CHECK constraints on one table, by name: the column of ``c IS NOT NULL``, and validated."""


def _apply_checks(
    checks: _Checks, op: Operation, table: str, before: Statement | None = None
) -> None:
    """Update ``checks`` with the CHECKs an operation adds, validates and drops on ``table``;
    with ``before``, only with its SQL statements before that one."""
    if before is None and op.table == table:
        if _is_op(op, "create_check_constraint"):
            valid = not is_true(op.kw("postgresql_not_valid"))
            checks[op.name] = (_check_column(op.kw("condition")), valid)
        elif _is_op(op, "drop_constraint"):
            checks.pop(op.name, None)
    for statement, action in common.alter_actions(
        op, "add_constraint", "validate_constraint", "drop_constraint"
    ):
        if (before is not None and statement.offset >= before.offset) or statement.table != table:
            continue
        if action.kind == "add_constraint" and action.constraint == "check":
            column = action.column or not_null_column(action.expression)
            checks[action.name] = (column, "not_valid" not in action.flags)
        elif action.kind == "validate_constraint" and action.name in checks:
            checks[action.name] = (checks[action.name][0], True)
        elif action.kind == "drop_constraint":
            checks.pop(action.name, None)


class _CheckHistory:
    """The CHECKs on each table when the revision starts, from the ancestors' upgrades.

    ``facts.history_not_null_checks`` gives only the validated ones, and misses SQL ``DROP
    CONSTRAINT`` and ``sa.text`` conditions; the recipe that validates in this upgrade a CHECK
    added ``NOT VALID`` in an earlier one needs the NOT VALID ones, by name, too."""

    def __init__(self, graph: RevisionGraph, script: RevisionScript, dialect: Dialect) -> None:
        self.graph = graph
        self.script = script
        self.dialect = dialect
        self.tables: dict[str, _Checks] = {}

    def at_start(self, table: str) -> _Checks:
        if table not in self.tables:
            checks: _Checks = {}
            history = history_index(self.graph).touching(self.script, table)
            for ancestor in reversed(list(history)):
                assert ancestor.upgrade is not None  # only upgrades that touch the table
                for op in ancestor.upgrade.operations:
                    if not common.ruled_out(op, self.dialect):
                        _apply_checks(checks, op, table)
            self.tables[table] = checks
        return dict(self.tables[table])


def _checked_not_null(
    body: common.Body, index: int, target: _Target, checks: _CheckHistory
) -> bool:
    """Whether a validated ``CHECK (column IS NOT NULL)`` covers the column just before the
    target: from the revisions before, or from this upgrade."""
    assert target.table is not None and target.column is not None
    state = checks.at_start(target.table)
    for op in body.operations[:index]:
        if not common.ruled_out(op, checks.dialect):
            _apply_checks(state, op, target.table)
    if target.statement is not None:
        _apply_checks(state, body.operations[index], target.table, target.statement)
    return (target.column.lower(), True) in state.values()


def _already_not_null(
    history: ColumnHistory, body: common.Body, index: int, target: _Target
) -> bool:
    facts = history.facts(body.operations, index, target.table, target.column, target.statement)
    return facts.not_null is True


def set_not_null(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports NOT NULL set on a column of an existing PostgreSQL table: `alter_column(...,
    nullable=False)` and SQL `SET NOT NULL`, also on a column added nullable earlier in the same
    upgrade. It stays quiet when the nullability does not change (`existing_nullable=False`, or the
    history shows the column NOT NULL already), and on PostgreSQL 12 and later when a validated
    `CHECK (column IS NOT NULL)` covers the column: added earlier in this upgrade, or in an
    earlier revision (validating, or `NOT VALID` and validated since, in an earlier revision or
    earlier in this upgrade), and not dropped since.

    ## Why is this bad?
    `SET NOT NULL` takes an ACCESS EXCLUSIVE lock on the table and scans every row to prove
    there is no NULL: no query, not even a `SELECT`, gets through until the scan ends, and on a
    large table that is an outage. From PostgreSQL 12 a validated CHECK constraint is accepted
    as the proof, so the scan is skipped, and a `NOT VALID` CHECK can be validated under a weak
    lock.

    ## Example
    ```python
    def upgrade() -> None:
        op.alter_column("users", "email", existing_type=sa.String(), nullable=False)
    ```

    ## Use instead
    ```python
    # revision 1
    op.create_check_constraint(
        "ck_users_email_not_null", "users", "email IS NOT NULL", postgresql_not_valid=True
    )

    # revision 2
    op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_email_not_null")
    op.alter_column("users", "email", existing_type=sa.String(), nullable=False)
    op.drop_constraint("ck_users_email_not_null", "users", type_="check")
    ```

    ## Options
    `postgresql-version`: before 12, a CHECK does not spare the scan.
    """
    version = _dialect(ctx).postgresql_version
    history = ColumnHistory(ctx.graph, script, ctx.dialect)
    checks = _CheckHistory(ctx.graph, script, _dialect(ctx))
    if version >= 12:
        hint = (
            "add `CHECK (column IS NOT NULL) NOT VALID` (`create_check_constraint(..., "
            "postgresql_not_valid=True)`); in the next revision VALIDATE it, then "
            "`alter_column(..., nullable=False)`, then drop the CHECK"
        )
    else:
        hint = (
            "before PostgreSQL 12 no CHECK spares the scan: enforce it with a `NOT VALID` CHECK "
            "validated in the next revision, and set NOT NULL after upgrading PostgreSQL"
        )
    for body in common.bodies(script, ctx):
        for index, op in common.steps(body, ctx):
            found: list[_Target] = []
            if _is_op(op, "alter_column") and op.kw("nullable") == Lit(False):
                target = _Target(op.table, op.name)
                existing = op.kw("existing_nullable")
                if existing == Lit(False) or (
                    existing is None and _already_not_null(history, body, index, target)
                ):
                    continue
                found.append(target)
            for statement, action in common.alter_actions(op, "set_not_null"):
                target = _Target(statement.table, action.column, statement)
                if not _already_not_null(history, body, index, target):
                    found.append(target)
            for target in found:
                if _on_new_table(body, index, target):
                    continue
                if (
                    version >= 12
                    and target.table is not None
                    and target.column is not None
                    and _checked_not_null(body, index, target, checks)
                ):
                    continue
                table = target.table or "?"
                message = (
                    f"sets NOT NULL on {_name(target.table, target.column)}: "
                    f"{_PG_LOCK.format(table=table)} and scans every row for NULLs"
                )
                yield common.finding(script, op, "AL405", message, hint)


# --- AL407 -------------------------------------------------------------------------------------


def _type_change_reason(
    old: ColumnType | None, new: ColumnType | None, *, mysql: bool, unknown: str
) -> str | None:
    """Why a type change is not proven safe, or None when it is."""
    if old is not None and new is not None and rewrite_free(old, new, mysql=mysql):
        return None
    if old is None:
        return f"{unknown}, so nothing proves it needs no rewrite"
    if new is None:
        return f"from {shown(old)} to a type that cannot be read"
    return f"from {shown(old)} to {shown(new)}"


def column_type_change(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a column type change on an existing table that is not proven to leave the table as
    it is: `alter_column(type_=...)`, SQL `ALTER COLUMN TYPE`, and MySQL's `MODIFY`/`CHANGE`,
    which restate the type.

    The old type comes from `existing_type` (for raw SQL, which cannot state it, from the type
    the history gives the column); without it nothing is proven, and the rule fires. These
    changes are proven to need no rewrite: on PostgreSQL, a varchar that grows or loses its
    limit, varchar to text, a numeric whose precision grows at the same scale (or that loses its
    limit), cidr to inet; on MySQL, a VARCHAR that grows within its length-prefix bracket (up to
    255 bytes, or beyond; `utf8mb4`, 4 bytes a character, is assumed unless the type names its
    `charset` or `collation`), and ENUM or SET values appended at the end. A change of character
    set or collation, and a `postgresql_using=` or SQL `USING` clause, are never proven.

    ## Why is this bad?
    PostgreSQL rewrites the table and rebuilds every index on it under an ACCESS EXCLUSIVE lock:
    no query gets through for as long as that takes. MySQL copies the table (`ALGORITHM=COPY`)
    and blocks writes meanwhile. The deployed code may also not read the new type.

    ## Example
    ```python
    op.alter_column("orders", "amount", type_=sa.Numeric(12, 2))
    ```

    ## Use instead
    State the type it had, so that a safe change is proven:
    ```python
    op.alter_column(
        "orders", "amount", type_=sa.Numeric(12, 2), existing_type=sa.Numeric(10, 2)
    )
    ```
    For a change that rewrites: add a new column, write both, backfill it in batches, and swap.
    """
    dialect = _dialect(ctx)
    mysql = dialect.is_mysql
    history = ColumnHistory(ctx.graph, script, ctx.dialect)
    hint = (
        "add a new column, write both, backfill in batches, then swap; or pass `existing_type=` "
        "so a change that needs no rewrite (such as a longer varchar) can be proven"
    )
    for body in common.bodies(script, ctx):
        ops = body.operations
        for index, op in common.steps(body, ctx):
            found: list[_Target] = []
            if _is_op(op, "alter_column") and _passed(op, "type_"):
                existing = op.kw("existing_type")
                old = sa_type(existing, mysql=mysql) if existing is not None else None
                new = sa_type(op.kw("type_"), mysql=mysql)
                reason = _type_change_reason(old, new, mysql=mysql, unknown="no `existing_type`")
                if reason is None and not mysql and _passed(op, "postgresql_using"):
                    reason = "with `postgresql_using`"
                if reason is not None:
                    found.append(_Target(op.table, op.name, None, reason))
            kinds = ("alter_column_type", "modify_column", "change_column")
            for statement, action in common.alter_actions(op, *kinds):
                table, column = statement.table, action.column
                old = history.facts(ops, index, table, column, statement).type
                new = sql_type(action.type, mysql=mysql)
                reason = _type_change_reason(
                    old, new, mysql=mysql, unknown="the history does not show its type"
                )
                if reason is None and "using" in action.flags:
                    reason = "with USING"
                if reason is not None:
                    found.append(_Target(table, column, statement, reason))
            for target in found:
                if _on_new_table(body, index, target):
                    continue
                table = target.table or "?"
                effect = (
                    _MYSQL_COPY.format(table=table)
                    if mysql
                    else _PG_LOCK.format(table=table) + " and rewrites it with its indexes"
                )
                name = _name(target.table, target.column)
                message = f"changes the type of {name} ({target.detail}): {effect}"
                yield common.finding(script, op, "AL407", message, hint)


# --- AL412 -------------------------------------------------------------------------------------


def rename_column(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a column renamed on an existing table. That is `alter_column(new_column_name=...)`,
    SQL `RENAME COLUMN`, and MySQL's `CHANGE old new`. `RENAME CONSTRAINT` and
    `ALTER INDEX ... RENAME` rename no column and are fine; so is renaming a column added earlier
    in the same upgrade.

    ## Why is this bad?
    The rename is instant, but the code that is still deployed keeps using the old name, and
    every query it sends fails until the new code is out. With several application instances,
    old and new code run side by side during a rolling deploy, so there is no moment at which
    either name works for everyone.

    ## Example
    ```python
    op.alter_column("users", "name", new_column_name="full_name")
    ```

    ## Use instead
    Keep the column and rename only the ORM attribute:
    ```python
    full_name = sa.orm.mapped_column("name", sa.String())
    ```
    or add the new column, write both, backfill, move the reads, and drop the old column in a
    contract revision.
    """
    hint = (
        'keep the column name and rename only the ORM attribute (`mapped_column("old", ...)`), '
        "or add the new column, write both, backfill, and drop the old one "
        f"{common.contract_hint(ctx)}"
    )
    for body in common.bodies(script, ctx):
        for index, op in common.steps(body, ctx):
            found: list[_Target] = []
            if _is_op(op, "alter_column") and _passed(op, "new_column_name"):
                new = op.kw("new_column_name")
                new_name = (
                    new.value if isinstance(new, Lit) and isinstance(new.value, str) else None
                )
                found.append(_Target(op.table, op.name, None, new_name))
            for statement, action in common.alter_actions(op, "rename_column", "change_column"):
                if action.target != action.column:
                    found.append(_Target(statement.table, action.column, statement, action.target))
            for target in found:
                if _on_new_column(body, index, target):
                    continue
                to = f" to `{target.detail}`" if target.detail is not None else ""
                name = _name(target.table, target.column)
                message = f"renames column {name}{to}: {common.DEPLOYED}"
                yield common.finding(script, op, "AL412", message, hint)


# --- AL414 -------------------------------------------------------------------------------------


def _rewrite_reason(added: _Added, dialect: Dialect, ctx: Context) -> str | None:
    stored = _stored(added, dialect)
    default = added.default
    if dialect.is_mysql:
        # SQLAlchemy renders no sa.Identity() on MySQL, only an autoincrement primary key
        if added.serial or (added.identity and added.statement is not None):
            return "as an AUTO_INCREMENT column"
        if stored:
            return "as a stored generated column"
        if default is not None and default.expression:
            return f"with the expression default `{default.text}`"
        return None
    if added.identity:
        return "as an identity column"
    if added.serial:
        return "as a serial column"
    if stored:
        return "as a stored generated column"
    if default is not None:
        volatile = sorted(set(default.functions) & ctx.settings.volatile_functions)
        if volatile:
            return f"with the volatile default `{default.text}`"
    if added.has_default and dialect.postgresql_version < 11:
        return f"with a default, on PostgreSQL {dialect.postgresql_version} (before 11)"
    return None


def add_column_rewrites_table(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a column added to an existing table in a way that fills, and so rewrites, every row.
    That is, on PostgreSQL, with a volatile server default (`gen_random_uuid()`, `uuid_generate_v4()`, `random()`,
    `clock_timestamp()`, `nextval(...)`, and the names in `volatile-functions`), as a stored
    `sa.Computed` column, as an identity or serial column, or with any default before
    PostgreSQL 11; on MySQL with an expression default (`DEFAULT (uuid())`), as a stored
    generated column, or as an AUTO_INCREMENT column. Constant and stable defaults (`'draft'`,
    `0`, `now()`, `CURRENT_TIMESTAMP`) are stored once in the catalog and are fine.

    ## Why is this bad?
    PostgreSQL computes the value for each existing row, rewriting the whole table and its
    indexes under an ACCESS EXCLUSIVE lock, so no query gets through until it is done. MySQL
    cannot add such a column instantly or in place and copies the table, blocking writes.

    ## Example
    ```python
    op.add_column(
        "orders",
        sa.Column("public_id", sa.Uuid(), server_default=sa.text("gen_random_uuid()")),
    )
    ```

    ## Use instead
    ```python
    op.add_column("orders", sa.Column("public_id", sa.Uuid(), nullable=True))
    op.alter_column("orders", "public_id", server_default=sa.text("gen_random_uuid()"))
    # then backfill the existing rows in batches, in a data migration
    ```

    ## Options
    `volatile-functions` adds function names to the volatile list; `postgresql-version`.
    """
    dialect = _dialect(ctx)
    for body in common.bodies(script, ctx):
        for added in _added(body, ctx):
            reason = _rewrite_reason(added, dialect, ctx)
            if reason is None:
                continue
            hint = (
                "add a plain nullable column, backfill it in batches, and keep it current from "
                "the code or a trigger"
                if "generated" in reason
                else "add it nullable without a default, set the default for new rows with "
                "`op.alter_column(..., server_default=...)`, then backfill in batches"
            )
            table = added.table or "?"
            effect = (
                _MYSQL_COPY.format(table=table)
                if dialect.is_mysql
                else _PG_LOCK.format(table=table) + " and rewrites every row"
            )
            message = f"adds {_name(added.table, added.column)} {reason}: {effect}"
            yield common.finding(script, added.op, "AL414", message, hint)


# --- AL420 -------------------------------------------------------------------------------------


def mysql_modify_resets_column(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a MySQL `alter_column` that resets what it does not restate. Alembic renders an
    `alter_column` with a new type, nullability, name, comment or autoincrement (or any change
    of a DATETIME column) as `MODIFY` or `CHANGE`, which needs what the column keeps: `existing_nullable` (unless `nullable=` is given,
    or the history shows the column nullable), `existing_server_default` and `existing_comment`
    where the history shows the column has a default or a comment (an earlier `add_column`,
    `create_table` or `alter_column`), and `existing_type`. A raw `MODIFY`/`CHANGE` is reported
    when it leaves out the NOT NULL or the default the history shows. Where the history does not
    tell whether the column has a default or a comment, the rule assumes it has none.

    ## Why is this bad?
    `MODIFY` restates the whole column: whatever it does not repeat is reset. Alembic renders
    what it is given and nothing else, so a NOT NULL column becomes NULL, its server default and
    its comment disappear, silently; without the type Alembic cannot render it at all and fails.

    ## Example
    ```python
    op.alter_column("users", "email", type_=sa.String(320))
    ```

    ## Use instead
    ```python
    op.alter_column(
        "users",
        "email",
        type_=sa.String(320),
        existing_type=sa.String(255),
        existing_nullable=False,
        existing_server_default=sa.text("''"),
    )
    ```
    """
    history = ColumnHistory(ctx.graph, script, ctx.dialect)
    hint = (
        "pass `existing_type`, `existing_nullable` and `existing_server_default` "
        "(and `existing_comment`) as the column is now"
    )
    for body in common.bodies(script, ctx):
        ops = body.operations
        for index, op in common.steps(body, ctx):
            lost: list[str] = []
            table, column = op.table, op.name
            if (
                _is_op(op, "alter_column")
                and restates(op)
                and table is not None
                and column is not None
                and not common.new_table(body, index, table)
            ):
                facts = history.facts(ops, index, table, column)
                if not _passed(op, "type_") and op.kw("existing_type") is None:
                    lost.append("without `existing_type` Alembic cannot render it and fails")
                if (
                    not _passed(op, "nullable")
                    and not _passed(op, "existing_nullable")
                    and facts.not_null is not False
                ):
                    lost.append("without `existing_nullable` it makes the column NULL")
                keeps = (
                    ("server_default", "existing_server_default", facts.default, "server default"),
                    ("comment", "existing_comment", facts.comment, "comment"),
                )
                for new_key, existing_key, has, what in keeps:
                    if has and not _passed(op, new_key, Lit(False)) and op.kw(existing_key) is None:
                        lost.append(f"without `{existing_key}` it drops the {what}")
                if lost:
                    message = (
                        f"on MySQL this `alter_column` restates {_name(table, column)} as "
                        f"MODIFY/CHANGE: {'; '.join(lost)}"
                    )
                    yield common.finding(script, op, "AL420", message, hint)
            for statement, action in common.alter_actions(op, "modify_column", "change_column"):
                target = _Target(statement.table, action.column, statement)
                yield from _raw_modify(script, op, history, body, index, target, action)


def _raw_modify(
    script: RevisionScript,
    op: Operation,
    history: ColumnHistory,
    body: common.Body,
    index: int,
    target: _Target,
    action: Action,
) -> Iterator[Diagnostic]:
    table, column = target.table, target.column
    if _on_new_table(body, index, target):
        return
    facts = history.facts(body.operations, index, table, column, target.statement)
    lost = []
    if facts.not_null and not (action.not_null or "primary_key" in action.flags):
        lost.append("its NOT NULL")
    if facts.default and action.default is None:
        lost.append("its server default")
    if lost:
        message = (
            f"this MODIFY/CHANGE restates {_name(table, column)} without "
            f"{' and '.join(lost)}, which MySQL then drops"
        )
        hint = "repeat the NOT NULL and the DEFAULT the column has in the MODIFY/CHANGE"
        yield common.finding(script, op, "AL420", message, hint)


RULES: tuple[AnyRule, ...] = (
    RevisionRule(
        "AL402",
        "add-not-null-column-without-default",
        True,
        add_not_null_column_without_default,
        dialects=common.PG_MYSQL,
        unapplied=True,
    ),
    RevisionRule("AL403", "drop-column", True, drop_column, needs=_DIALECT, unapplied=True),
    RevisionRule("AL405", "set-not-null", True, set_not_null, dialects=common.PG, unapplied=True),
    RevisionRule(
        "AL407",
        "column-type-change",
        True,
        column_type_change,
        dialects=common.PG_MYSQL,
        unapplied=True,
    ),
    RevisionRule("AL412", "rename-column", True, rename_column, needs=_DIALECT, unapplied=True),
    RevisionRule(
        "AL414",
        "add-column-rewrites-table",
        True,
        add_column_rewrites_table,
        dialects=common.PG_MYSQL,
        unapplied=True,
    ),
    RevisionRule(
        "AL420",
        "mysql-modify-resets-column",
        True,
        mysql_modify_resets_column,
        dialects=common.MYSQL,
        unapplied=True,
    ),
)
