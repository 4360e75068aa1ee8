"""AL4xx, transactions: what runs in which transaction, what needs a live connection, and what
holds locks while it waits or works.

- **AL406** reads both bodies (``alembic downgrade --sql`` exists too); the others read
  ``upgrade()`` only, and ``downgrade()`` too with ``lint-downgrade = true``.
- **Segments** come from the model: ``autocommit_block()`` runs outside a transaction, and so
  does every statement after an explicit ``COMMIT`` (the server then commits each statement).
- **Locks** are ``common.op_locks`` / ``common.statement_locks``: only locks that block the
  application's writes count (``CONCURRENTLY``, ``COMMENT ON``, ``VALIDATE CONSTRAINT`` do not).
- **Enum values** are known only when every value is a literal; a Python enum class or
  ``*VALUES`` keeps AL416 and AL417 quiet.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.discover import Project
from alembic_lint.operations import Call, Expr, Lit, Operation, Ref, Seq, Unknown, is_true, tail
from alembic_lint.rules import AnyRule, Context, RevisionRule
from alembic_lint.rules.unsafe import common
from alembic_lint.script import RevisionScript

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
    from alembic_lint.sql import Action, Statement

# --- AL406 ---------------------------------------------------------------------------------------

_DROPPED = (None, "assign")
_USED = {"iterate": "iterated over", "use": "used", "subscript": "indexed"}
_ROW_METHODS = frozenset({"scalar", "scalars"})
_SESSION_READS = frozenset({"query", "get", "get_one", "scalar", "scalars"})
_CONNECTIONS = frozenset({"get_bind", "connect", "connection", "bind", "conn", "engine"})


def _connection(expr: Expr) -> bool:
    """Whether ``sa.inspect(...)`` is given a connection rather than a mapped class."""
    if isinstance(expr, Unknown):  # a local name: ``bind = op.get_bind()`` in practice
        return True
    if isinstance(expr, Call):
        return tail(expr.func) in _CONNECTIONS
    return isinstance(expr, Ref) and tail(expr.name) in _CONNECTIONS


def _offline_read(op: Operation) -> str | None:
    """What in ``op`` needs a live database, in words; None when offline mode can run it."""
    used = op.consumed not in _DROPPED
    if op.via == "bind":
        if op.call in _ROW_METHODS:
            return f"`bind.{op.call}(...)` reads through the connection"
        if op.call in ("execute", "exec_driver_sql") and used:
            how = _USED.get(op.consumed or "", f"read (`.{op.consumed}`)")
            return f"the result of `bind.{op.call}(...)` is {how}"
    elif op.via == "session":
        if op.call in _SESSION_READS or (op.call == "execute" and used):
            return f"`session.{op.call}(...)` queries through the connection"
    elif op.call in ("inspect", "from_engine") and op.args and _connection(op.args[0]):
        return f"`{op.call}(...)` inspects the live database"
    return None


def offline_unsafe_bind(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Flags reads through the migration's connection whose result is used: ``.fetchall()``,
    ``.scalar()``, ``.first()``, iteration or any later use of ``op.get_bind().execute(...)``,
    ``sa.inspect(bind)`` (reported where the inspector is made), and ORM queries on
    ``Session(bind=op.get_bind())``. It reads ``upgrade()`` and ``downgrade()``.

    Writes whose result is dropped (``bind.execute(sa.text("UPDATE ..."))``), ``bind.dialect``,
    ``Enum.create(bind, checkfirst=True)`` and code that runs only online (under ``if not
    context.is_offline_mode():``, the ``else`` of ``if op.get_context().as_sql:``, or after
    ``if context.is_offline_mode(): return``) are fine.

    ## Why is this bad?
    ``alembic upgrade --sql`` (and ``downgrade --sql``) renders the migration as a script for
    a DBA to run, with no database behind the connection: a write is printed, but a read has
    nothing to return, so the offline run fails at that line and the script cannot be produced.

    ## Example
    ```python
    def upgrade():
        inspector = sa.inspect(op.get_bind())
        if "legacy" in inspector.get_table_names():
            op.drop_table("legacy")
    ```

    ## Use instead
    ```python
    def upgrade():
        op.execute("DROP TABLE IF EXISTS legacy")
    ```
    or guard the read with ``if not context.is_offline_mode():``.
    """
    for body in common.bodies(script, ctx, both=True):
        for op in body.operations:
            what = _offline_read(op) if op.offline is not False else None
            if what is not None:
                yield common.finding(
                    script,
                    op,
                    "AL406",
                    f"{what}, but `alembic {body.name} --sql` has no database to read: "
                    "offline mode fails here",
                    "express the step as SQL (`op.execute(sa.text(...))`), or guard it with "
                    "`if not context.is_offline_mode():`",
                )


# --- AL415 ---------------------------------------------------------------------------------------


def _is_backfill(statement: Statement) -> bool:
    return statement.table is not None and (
        statement.kind in ("update", "delete")
        or (statement.kind == "insert" and "select_source" in statement.flags)
    )


def _steps(op: Operation, *, mysql: bool) -> list[tuple[Statement | None, tuple[common.Lock, ...]]]:
    """The SQL statements of ``op`` with their locks, in order, or the ``op.*`` call itself."""
    if op.sql:
        return [(s, common.statement_locks(s, mysql=mysql)) for s in op.sql]
    return [(None, common.op_locks(op, mysql=mysql))]


def backfill_in_ddl_transaction(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Flags an ``UPDATE``, ``DELETE`` or ``INSERT ... SELECT`` on a table that DDL earlier in the
    same transaction has locked: ``op.add_column``, ``op.alter_column``, ``op.create_index``,
    a constraint, or raw ``ALTER TABLE``, then a backfill through ``op.execute(...)`` or
    the connection (``conn.execute(sa.text(...))``), with no ``COMMIT`` or ``autocommit_block()`` in
    between. DML on other tables, on tables this upgrade created, and in a later segment is fine.

    ## Why is this bad?
    PostgreSQL holds every lock until the transaction commits. The DDL's lock (ACCESS EXCLUSIVE
    for ``ALTER TABLE``, SHARE for ``CREATE INDEX``) is therefore held for the whole backfill,
    which on a large table takes minutes, and the application's queries on the table queue
    behind it until then.

    ## Example
    ```python
    def upgrade():
        op.add_column("users", sa.Column("email_lower", sa.String()))
        op.execute("UPDATE users SET email_lower = lower(email)")
    ```

    ## Use instead
    Three revisions: the DDL; the backfill, in batches; then the constraint.
    ```python
    # revision 1
    op.add_column("users", sa.Column("email_lower", sa.String()))
    # revision 2
    op.execute("UPDATE users SET email_lower = lower(email) WHERE id BETWEEN 1 AND 10000")
    ```
    """
    for body in common.bodies(script, ctx):
        held: dict[tuple[int, str], tuple[common.Lock, str, int]] = {}
        reported: set[tuple[int, str]] = set()
        for index, op in enumerate(body.operations):
            if op.segment_kind != "transaction":
                continue
            for statement, locks in _steps(op, mysql=False):
                if statement is not None and _is_backfill(statement):
                    key = (op.segment, str(statement.table).lower())
                    if key in held and key not in reported:
                        reported.add(key)
                        yield _backfill(script, op, statement, *held[key])
                for lock in locks:
                    if not common.new_table(body, index + 1, lock.table):
                        where = (op.segment, lock.table.lower())
                        held.setdefault(where, (lock, common.describe(op, statement), op.line))


def _backfill(
    script: RevisionScript,
    op: Operation,
    statement: Statement,
    lock: common.Lock,
    what: str,
    line: int,
) -> Diagnostic:
    blocked = "queries on" if lock.blocks_reads else "writes to"
    return common.finding(
        script,
        op,
        "AL415",
        f"{common.describe(op, statement)} backfills `{lock.table}` while {what} (line {line}) "
        f"holds {lock.phrase} on it in the same transaction: the application's {blocked} "
        f"`{lock.table}` wait until the backfill commits",
        "commit the DDL first: put the backfill in its own revision, in batches, and the "
        "constraint in the next one",
    )


# --- AL416 ---------------------------------------------------------------------------------------


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _mentions(expr: Expr | None, value: str) -> bool:
    """Whether an argument writes ``value``: the literal itself, or SQL or source text that
    quotes it."""
    if isinstance(expr, Lit):
        return isinstance(expr.value, str) and (expr.value == value or _quoted(value) in expr.value)
    if isinstance(expr, Unknown):
        return _quoted(value) in expr.source or f'"{value}"' in expr.source
    if isinstance(expr, Call):
        return any(_mentions(e, value) for e in (*expr.args, *(v for _, v in expr.kwargs)))
    if isinstance(expr, Seq):
        return any(_mentions(e, value) for e in expr.items)
    return False


_VALUE_ARGUMENTS = ("rows", "server_default", "condition", "postgresql_where")


def _uses(op: Operation, statement: Statement | None, value: str) -> bool:
    """Whether a step uses the enum ``value``: SQL that quotes it (other enum DDL aside), rows
    of ``op.bulk_insert``, a server default, a CHECK condition or a partial index's WHERE."""
    if statement is not None:
        return statement.kind not in ("alter_type", "create_type") and (
            _quoted(value) in statement.text
        )
    given = [op.kw(key) for key in _VALUE_ARGUMENTS]
    given += [c.kw("server_default") for c in op.columns]
    if op.call == "bulk_insert":
        given += op.args
    return any(_mentions(expr, value) for expr in given)


def _flat(ops: Sequence[Operation]) -> list[tuple[Operation, Statement | None]]:
    """Each SQL statement with its operation, in order; an ``op.*`` call stands for itself."""
    return [(op, s) for op in ops for s in (op.sql or (None,))]


def _creates_type(op: Operation, statement: Statement | None, name: str) -> bool:
    if statement is not None:
        return statement.kind == "create_type" and (statement.name or "").lower() == name
    if op.call == "create_enum":  # my_enum.create(op.get_bind())
        return (op.name or "").lower() == name
    sqltext = op.kw("sqltext")
    if op.call == "execute" and isinstance(sqltext, Unknown):
        # SQL built at run time (an f-string of the values): its literal part may still say
        # `CREATE TYPE <name>`, and then the rule must not claim the type already existed
        return (
            re.search(rf"(?i)\bcreate\s+type\s+\"?{re.escape(name)}\b", sqltext.source) is not None
        )
    if op.call != "create_table":
        return False
    return any(
        common.enum_name(c.type) == name
        and not (isinstance(c.type, Call) and c.type.kw("create_type") == Lit(False))
        for c in op.columns
    )


def enum_add_value_in_transaction(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Flags ``ALTER TYPE ... ADD VALUE`` that runs inside the migration's transaction (not in an
    ``autocommit_block()``, not after an explicit ``COMMIT``) when ``postgresql-version`` is
    below 12, or, on 12 and later, when the same transaction goes on to use the new value (SQL
    that quotes it, ``op.bulk_insert`` rows, a ``server_default``, a CHECK condition, a partial
    index's ``postgresql_where``). A type created earlier in the same transaction is fine.

    ## Why is this bad?
    Before PostgreSQL 12, ``ADD VALUE`` cannot run inside a transaction block at all: the
    migration fails. From 12 on it may, but the new value cannot be used until the transaction
    commits (``unsafe use of new value``), so the rest of the upgrade fails.

    ## Example
    ```python
    def upgrade():
        op.execute("ALTER TYPE status ADD VALUE 'archived'")
        op.execute("UPDATE posts SET status = 'archived' WHERE deleted")
    ```

    ## Use instead
    ```python
    def upgrade():
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE status ADD VALUE IF NOT EXISTS 'archived'")
        op.execute("UPDATE posts SET status = 'archived' WHERE deleted")
    ```

    ## Options
    ``postgresql-version``: below 12, every ``ADD VALUE`` in a transaction is flagged.
    """
    version = ctx.dialect.postgresql_version if ctx.dialect is not None else 14
    for body in common.bodies(script, ctx):
        steps = _flat(body.operations)
        for position, (op, statement) in enumerate(steps):
            if statement is None or statement.kind != "alter_type" or not statement.name:
                continue
            if op.segment_kind != "transaction":
                continue
            name = statement.name.lower()
            if any(
                o.segment == op.segment and _creates_type(o, s, name) for o, s in steps[:position]
            ):
                continue
            for action in statement.actions:
                if action.kind != "add_value" or action.name is None:
                    continue
                value = action.name
                if version < 12:
                    message = (
                        f"`ALTER TYPE {statement.name} ADD VALUE` runs inside the migration's "
                        f"transaction: PostgreSQL {version} rejects it there (`cannot run "
                        "inside a transaction block`), and the upgrade fails"
                    )
                else:
                    later = steps[position + 1 :]
                    use = next(
                        (o for o, s in later if o.segment == op.segment and _uses(o, s, value)),
                        None,
                    )
                    if use is None:
                        continue
                    message = (
                        f"`{value}` is added to `{statement.name}` and used at line {use.line} "
                        "in the same transaction: PostgreSQL rejects it until the value is "
                        "committed (`unsafe use of new value`), and the upgrade fails"
                    )
                yield common.finding(
                    script,
                    op,
                    "AL416",
                    message,
                    "add the value in its own block: `with op.get_context().autocommit_block(): "
                    f'op.execute("ALTER TYPE {statement.name} ADD VALUE IF NOT EXISTS '
                    f'{_quoted(value)}")`',
                )


# --- AL417 ---------------------------------------------------------------------------------------


_RETYPES = frozenset({"modify_column", "change_column", "alter_column_type"})


class _Change(NamedTuple):
    op: Operation
    what: str
    removed: tuple[str, ...]
    """The values taken away; empty for a rename in place."""


class _Enums:
    """The enum values known at a point of the history: named PostgreSQL types, and the values
    each enum column accepts (MySQL's ENUM and SET live on the column). The ancestors are
    replayed first, with ``checking`` off; the revision's own steps then record ``changes``."""

    def __init__(self) -> None:
        self.types: dict[str, tuple[str, ...]] = {}
        self.columns: dict[tuple[str, str], tuple[str, ...]] = {}
        self.dropped: dict[str, tuple[str, ...]] = {}
        """Types dropped by the revision being checked, until it re-creates them."""
        self.checking = False
        self.changes: list[_Change] = []
        self.restored: _Enums | None = None
        """What the revision's ``downgrade()`` restores: the values before the upgrade, when
        the history does not tell them (a history of one revision, say)."""

    def old_type(self, name: str) -> tuple[str, ...] | None:
        found = self.types.get(name) or self.dropped.pop(name, None)
        return found or (self.restored.types.get(name) if self.restored else None)

    def old_column(self, key: tuple[str, str]) -> tuple[str, ...] | None:
        found = self.columns.get(key)
        return found or (self.restored.columns.get(key) if self.restored else None)

    def compare(
        self, op: Operation, old: tuple[str, ...] | None, new: tuple[str, ...], what: str
    ) -> None:
        """Record a change of value list; ``what`` ends with the verb (``drops``)."""
        gone = tuple(v for v in old or () if v not in new)
        if self.checking and gone:
            names = ", ".join(f"`{v}`" for v in gone)
            message = (
                f"{what} {names}: rows that hold a removed value make the change fail, and "
                "code still running that writes one breaks"
            )
            self.changes.append(_Change(op, message, gone))

    def column_type(self, key: tuple[str, str], values: tuple[str, ...] | None) -> None:
        if values is None:
            self.columns.pop(key, None)
        else:
            self.columns[key] = values

    def op(self, op: Operation) -> None:
        for statement in op.sql:
            self.statement(op, statement)
        if op.via not in ("op", "batch_op") or op.table is None:
            return
        table = op.table.lower()
        if op.call in ("create_table", "add_column"):
            for column in op.columns:
                self.declare(table, column.name, column.type)
        elif op.call == "alter_column" and op.name is not None:
            key = (table, op.name.lower())
            new_type = op.kw("type_")
            new = common.enum_values(new_type)
            if new is not None:
                old = common.enum_values(op.kw("existing_type")) or self.old_column(key)
                self.compare(op, old, new, f"the new value list of `{op.table}.{op.name}` drops")
            if new_type is not None:
                self.declare(table, op.name, new_type)
            renamed = op.kw("new_column_name")
            if isinstance(renamed, Lit) and isinstance(renamed.value, str) and key in self.columns:
                self.columns[(table, renamed.value.lower())] = self.columns.pop(key)
        elif op.call == "drop_column" and op.name is not None:
            self.columns.pop((table, op.name.lower()), None)
        elif op.call == "drop_table":
            self.drop_table(table)

    def declare(self, table: str, column: str | None, type_: Expr | None) -> None:
        values = common.enum_values(type_)
        name = common.enum_name(type_)
        if values is not None and name is not None:
            self.types.setdefault(name, values)
        if column is not None:
            self.column_type((table, column.lower()), values)

    def drop_table(self, table: str) -> None:
        for key in [k for k in self.columns if k[0] == table]:
            del self.columns[key]

    def statement(self, op: Operation, statement: Statement) -> None:
        name = (statement.name or "").lower()
        if statement.kind == "create_type" and statement.values:
            old = self.old_type(name)
            self.compare(op, old, statement.values, f"`{statement.name}` is re-created without")
            self.types[name] = statement.values
        elif statement.kind == "drop_type":
            for dropped in statement.values:
                values = self.types.pop(dropped.lower(), None)
                if values is not None and self.checking:
                    self.dropped[dropped.lower()] = values
        elif statement.kind == "alter_type":
            for action in statement.actions:
                self.alter_type(op, statement, action)
        elif statement.kind in ("alter_table", "create_table") and statement.table:
            for action in statement.actions:
                self.alter_table(op, statement.table.lower(), action)
        elif statement.kind == "drop_table":
            for table in statement.values:
                self.drop_table(table.lower())

    def alter_type(self, op: Operation, statement: Statement, action: Action) -> None:
        name = (statement.name or "").lower()
        values = self.types.get(name)
        value, target = action.name, action.target
        if action.kind == "add_value" and value is not None and values is not None:
            self.types[name] = (*values, value)
        elif action.kind == "rename_value" and value is not None and target is not None:
            if self.checking:
                message = (
                    f"`{statement.name}` value `{value}` is renamed to `{target}` in place: code "
                    f"still running writes and matches `{value}`, which no longer exists"
                )
                self.changes.append(_Change(op, message, ()))
            if values is not None:
                self.types[name] = tuple(target if v == value else v for v in values)

    def alter_table(self, op: Operation, table: str, action: Action) -> None:
        column = (action.column or "").lower()
        key = (table, column)
        if action.kind == "add_column" or action.kind in _RETYPES:
            new = common.sql_enum_values(action.type or "")
            if new is None and action.type is not None:
                new = self.types.get(action.type.lower())
            if action.kind != "add_column" and new is not None:
                what = f"the new value list of `{table}.{action.column}` drops"
                self.compare(op, self.old_column(key), new, what)
            if action.kind == "change_column" and action.target:
                self.columns.pop(key, None)
                key = (table, action.target.lower())
            self.column_type(key, new)
        elif action.kind == "drop_column":
            self.columns.pop(key, None)
        elif action.kind == "rename_column" and action.target and key in self.columns:
            self.columns[(table, action.target.lower())] = self.columns.pop(key)


def _changes_values(op: Operation) -> bool:
    """Whether a step may drop an enum value: only then is the history read."""
    if op.call == "alter_column" and common.enum_values(op.kw("type_")) is not None:
        return True
    return any(
        (s.kind == "create_type" and s.values) or (action is not None and action.kind in _RETYPES)
        for s, action in common.statements(op)
    )


def enum_value_rename_or_removal(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Flags a change that takes a value away from an enum that running code may still write:
    ``ALTER TYPE ... RENAME VALUE``; a type re-created without some of its values (``DROP
    TYPE`` then ``CREATE TYPE ... AS ENUM``, or the rename-create-swap idiom); an
    ``alter_column(type_=sa.Enum(...))`` (``postgresql.ENUM``, ``mysql.ENUM``, ``mysql.SET``)
    whose list drops a value of ``existing_type``; and MySQL ``MODIFY`` / ``CHANGE`` to an
    ENUM or SET list that drops one. The old values come from ``existing_type``, else from
    the history (``create_table``, ``add_column``, ``CREATE TYPE``, ``ADD VALUE`` in earlier
    revisions), else from what ``downgrade()`` restores (read, not linted). Adding values is fine, and so is removing one in a contract revision (a
    contract branch label or location); a rename is flagged everywhere.

    ## Why is this bad?
    The application that runs during and after the deploy still writes the old value: its
    inserts fail. Rows that hold it make the type change fail (PostgreSQL's cast), or become
    ``''`` (MySQL outside strict mode), and a rename breaks every reader that matches on the
    old spelling.

    ## Example
    ```python
    def upgrade():
        op.execute("ALTER TYPE status RENAME VALUE 'archived' TO 'hidden'")
    ```

    ## Use instead
    Expand, migrate, contract: add the new value, write both, backfill, and retire the old
    value in a later (contract) revision once no code uses it.
    ```python
    def upgrade():
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE status ADD VALUE IF NOT EXISTS 'hidden'")
    ```

    ## Options
    ``contract-branch-labels``, ``contract-version-locations``: where removals are expected.
    """
    contract = common.is_contract(script, ctx)
    for body in common.bodies(script, ctx):
        enums = _Enums()
        if any(_changes_values(op) for op in body.operations):
            before = common.ancestors_in_order(ctx, script)
            # a downgrade starts where this revision's upgrade ended
            for done in [*before, *([script] if body.name == "downgrade" else [])]:
                for op in done.upgrade.operations if done.upgrade else ():
                    enums.op(op)
            if body.name == "upgrade" and script.downgrade is not None:
                enums.restored = _Enums()
                for op in script.downgrade.operations:
                    enums.restored.op(op)
        enums.checking = True
        for op in body.operations:
            enums.op(op)
        seen: set[tuple[str, ...]] = set()
        for change in enums.changes:
            if change.removed and (contract or change.removed in seen):
                continue
            seen.add(change.removed)
            yield common.finding(
                script,
                change.op,
                "AL417",
                change.what,
                "add the new value, write both, backfill, and retire the old value in a later "
                "contract revision",
            )


# --- AL419 ---------------------------------------------------------------------------------------

_ONCE_CALLS = frozenset(
    {
        "create_table",
        "drop_table",
        "add_column",
        "drop_column",
        "create_index",
        "drop_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_primary_key",
        "create_check_constraint",
        "create_exclude_constraint",
        "drop_constraint",
        "rename_table",
    }
)
_ONCE_KINDS = frozenset(
    {"create_table", "drop_table", "create_index", "drop_index", "create_type", "drop_type"}
)
_ONCE_ACTIONS = frozenset(
    {
        "add_column",
        "drop_column",
        "add_constraint",
        "drop_constraint",
        "rename_column",
        "rename_table",
        "rename_constraint",
        "rename_index",
        "detach_partition",
        "add_value",
        "rename_value",
    }
)
_GUARDS = frozenset({"if_exists", "if_not_exists"})


def _runs_once(op: Operation) -> str | None:
    """The first step of ``op`` that fails when it runs a second time, named; None when every
    step may run again (``IF [NOT] EXISTS``, ``SET``, DML, an ``alter_column`` that keeps the
    name)."""
    for statement in op.sql:
        if statement.kind in _ONCE_KINDS:
            once = not _GUARDS & set(statement.flags)
        else:
            once = any(
                a.kind in _ONCE_ACTIONS and not _GUARDS & set(a.flags) for a in statement.actions
            )
        if once:
            return common.describe(op, statement)
    if op.sql or op.via not in ("op", "batch_op"):
        return None
    if is_true(op.kw("if_exists")) or is_true(op.kw("if_not_exists")):
        return None
    renames = op.call == "alter_column" and op.kw("new_column_name") not in (None, Lit(None))
    return common.describe(op) if op.call in _ONCE_CALLS or renames else None


def autocommit_block_splits_revision(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Flags an ``autocommit_block()`` that DDL precedes in the same upgrade: a step that fails
    when it runs twice (``op.add_column``, ``op.create_index``, ``CREATE TABLE``, ``ADD
    CONSTRAINT``, a rename ...). Steps before the block that may run again are fine: ``SET``,
    DML, ``IF [NOT] EXISTS`` DDL, and ``alter_column`` changes other than a rename.

    ## Why is this bad?
    The block commits the transaction before it runs. When the block, or anything after it,
    then fails, the steps before it stay applied while ``alembic_version`` still names the
    previous revision, and running the upgrade again fails on the first of them (``column
    already exists``): someone has to repair the database by hand.

    ## Example
    ```python
    def upgrade():
        op.add_column("users", sa.Column("email", sa.String()))
        with op.get_context().autocommit_block():
            op.create_index("ix_users_email", "users", ["email"], postgresql_concurrently=True)
    ```

    ## Use instead
    Put the steps before the block in their own revision, or make them idempotent:
    ```python
    def upgrade():
        op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS email varchar")
        with op.get_context().autocommit_block():
            op.create_index("ix_users_email", "users", ["email"], postgresql_concurrently=True)
    ```
    """
    for body in common.bodies(script, ctx):
        ops = body.operations
        blocks: set[int] = set()
        for index, op in enumerate(ops):
            if op.segment_kind != "autocommit" or op.segment in blocks:
                continue
            blocks.add(op.segment)
            # the block commits the transaction that was open when it began
            before = (
                (o, _runs_once(o))
                for o in ops[:index]
                if o.segment == op.segment - 1 and o.segment_kind == "transaction"
            )
            committed = next(((o, what) for o, what in before if what is not None), None)
            if committed is not None:
                first, what = committed
                yield common.finding(
                    script,
                    op,
                    "AL419",
                    f"this `autocommit_block()` first commits {what} (line {first.line}): if "
                    "the rest fails, the revision stays half applied and running it again "
                    f"fails on {what}",
                    "put the steps before the block in their own revision, or make them "
                    "idempotent (`IF NOT EXISTS`)",
                )


# --- AL422 ---------------------------------------------------------------------------------------

_DISABLED = re.compile(r"0+(\.0*)?\s*[a-z]*")
_TIMEOUT_NAMES = re.compile(r"(?<!\w)(?:lock_timeout|lock_wait_timeout)(?!\w)")


def _sets_timeout(statement: Statement, setting: str) -> bool:
    """``SET [LOCAL] lock_timeout = '5s'`` (not 0, not DEFAULT), or ``SELECT set_config(...)``."""
    if statement.kind == "select":
        text = statement.text.lower()
        return "set_config" in text and f"'{setting}'" in text
    value = statement.values[0].strip().lower() if statement.values else "0"
    return statement.kind == "set" and statement.name == setting and not _DISABLED.fullmatch(value)


@lru_cache(maxsize=8)
def _env_names(path: str, stamp: tuple[int, int]) -> frozenset[str]:
    """The timeout settings that ``env.py`` names in its code, comments aside; read once per
    run (``stamp`` is the file's mtime and size), never executed."""
    del stamp  # part of the cache key only
    import io
    import tokenize

    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            text = file.read()
    except OSError:
        return frozenset()
    pieces: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT:
                pieces.append(token.string)
    except (tokenize.TokenError, SyntaxError):  # unreadable: let the text decide
        pieces = [text]
    return frozenset(m.group() for m in _TIMEOUT_NAMES.finditer("\n".join(pieces)))


def _configured(project: Project, setting: str) -> bool:
    """Whether env.py or ``sqlalchemy.url`` (``options=-c lock_timeout=...``) sets it."""
    if project.url and setting in _TIMEOUT_NAMES.findall(unquote(project.url)):
        return True
    path = os.path.join(project.script_location, "env.py")
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return setting in _env_names(path, (stat.st_mtime_ns, stat.st_size))


def _first_unguarded_lock(
    body: common.Body, setting: str, *, mysql: bool
) -> tuple[Operation, str, common.Lock] | None:
    session = False
    local: set[int] = set()
    for index, op in enumerate(body.operations):
        for statement, locks in _steps(op, mysql=mysql):
            if statement is not None and _sets_timeout(statement, setting):
                if "local" not in statement.flags:
                    session = True
                elif op.segment_kind == "transaction":
                    local.add(op.segment)
            if session or op.segment in local:
                continue
            for lock in locks:
                if not common.new_table(body, index + 1, lock.table):
                    return op, common.describe(op, statement), lock
    return None


def missing_lock_timeout(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """## What it does
    Flags a revision that takes a lock on an existing table (``ALTER TABLE``, a non-concurrent
    ``CREATE INDEX``, a foreign key, ``DROP TABLE`` ...) when neither env.py nor the revision,
    before that step, sets ``lock_timeout`` (PostgreSQL) or ``lock_wait_timeout`` (MySQL).
    env.py is read as text, never run; a setting in ``sqlalchemy.url`` counts too.

    ## Why is this bad?
    A DDL statement first waits for its lock, behind any long transaction on the table, and
    every query that arrives while it waits queues behind it: a one-millisecond ``ALTER TABLE``
    stops the application until the long transaction ends. A lock timeout makes the migration
    fail fast instead, and it can be retried.

    ## Example
    ```python
    def upgrade():
        op.add_column("users", sa.Column("email", sa.String()))
    ```

    ## Use instead
    Set it once in env.py, for every revision:
    ```python
    with connectable.connect() as connection:
        connection.execute(sa.text("SET lock_timeout = '5s'"))
        context.configure(connection=connection, target_metadata=target_metadata)
    ```
    or ``op.execute("SET lock_timeout = '5s'")`` at the top of the revision (MySQL: ``SET
    SESSION lock_wait_timeout = 5``).
    """
    mysql = ctx.dialect is not None and ctx.dialect.is_mysql
    setting = "lock_wait_timeout" if mysql else "lock_timeout"
    for body in common.bodies(script, ctx):
        first = _first_unguarded_lock(body, setting, mysql=mysql)
        if first is None or _configured(ctx.project, setting):
            continue
        op, what, lock = first
        example = "SET SESSION lock_wait_timeout = 5" if mysql else "SET lock_timeout = '5s'"
        yield common.finding(
            script,
            op,
            "AL422",
            f"{what} waits for {lock.phrase} on `{lock.table}` with no `{setting}`: while it "
            f"waits behind a long transaction, every query on `{lock.table}` queues behind it",
            f'set it once in env.py: `connection.execute(sa.text("{example}"))` before '
            "`context.run_migrations()`",
        )


RULES: tuple[AnyRule, ...] = (
    RevisionRule("AL406", "offline-unsafe-bind", True, offline_unsafe_bind, unapplied=True),
    RevisionRule(
        "AL415",
        "backfill-in-ddl-transaction",
        True,
        backfill_in_ddl_transaction,
        dialects=common.PG,
        unapplied=True,
    ),
    RevisionRule(
        "AL416",
        "enum-add-value-in-transaction",
        True,
        enum_add_value_in_transaction,
        dialects=common.PG,
        unapplied=True,
    ),
    RevisionRule(
        "AL417",
        "enum-value-rename-or-removal",
        True,
        enum_value_rename_or_removal,
        dialects=common.PG_MYSQL,
        unapplied=True,
    ),
    RevisionRule(
        "AL419",
        "autocommit-block-splits-revision",
        True,
        autocommit_block_splits_revision,
        dialects=common.PG,
        unapplied=True,
    ),
    RevisionRule(
        "AL422",
        "missing-lock-timeout",
        False,
        missing_lock_timeout,
        dialects=common.PG_MYSQL,
        unapplied=True,
    ),
)
