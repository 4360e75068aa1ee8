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

from collections.abc import Iterator

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.operations import Call, Expr, Operation, Ref, Unknown, tail
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
)
