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


RULES: tuple[AnyRule, ...] = (
    RevisionRule("AL406", "offline-unsafe-bind", True, offline_unsafe_bind, unapplied=True),
)
