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

from collections.abc import Iterator, Sequence

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.operations import Call, Expr, Lit, Operation, Ref, Seq, Unknown, tail
from alembic_lint.rules import AnyRule, Context, RevisionRule
from alembic_lint.rules.unsafe import common
from alembic_lint.script import RevisionScript
from alembic_lint.sql import Statement

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
)
