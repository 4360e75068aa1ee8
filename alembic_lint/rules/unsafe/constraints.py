"""AL4xx, constraints: see the module docstring of ``alembic_lint.rules.unsafe``.

Foreign keys and CHECK constraints added to existing tables (AL404, AL411), which check every
row while they hold a lock, and the ``NOT VALID`` recipe that avoids it on PostgreSQL, done
wrong (AL418). MySQL has no ``NOT VALID``: there, adding either to an existing table copies it,
except a foreign key while ``foreign_key_checks`` is off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.operations import Call, Lit, Operation, is_true, literal
from alembic_lint.rules import AnyRule, Context, RevisionRule
from alembic_lint.rules.unsafe import common
from alembic_lint.rules.unsafe.common import Body, existing_table, flag, quoted
from alembic_lint.script import RevisionScript

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
    from alembic_lint.sql import Action, Statement

_ALEMBIC_OPS = ("op", "batch_op")


class _Added(NamedTuple):
    """A constraint that a step adds to an existing table, as the rules report it."""

    what: str
    """How the step is spelled in the message: `create_foreign_key`, `ADD CHECK` ..."""
    table: str | None
    name: str | None
    not_valid: bool | None
    """None when the argument that decides is not a literal."""
    references: str | None = None
    alembic: bool = False
    """An Alembic call, which takes ``postgresql_not_valid``."""
    inline: bool = False
    """A foreign key as ``REFERENCES`` in the column definition of ``ADD COLUMN``."""


_CALLS = {"foreign_key": "create_foreign_key", "check": "create_check_constraint"}
_COLUMN_ARGUMENTS = {"foreign_key": "ForeignKey", "check": "CheckConstraint"}


def _added(body: Body, index: int, op: Operation, kind: str) -> Iterator[_Added]:
    """The foreign keys (``kind="foreign_key"``) or CHECK constraints (``"check"``) that the
    operation adds to a table that existed before the body."""
    call = _CALLS[kind]
    if op.via in _ALEMBIC_OPS and existing_table(body, index, op.table):
        if op.call == call:
            referent = literal(op.kw("referent_table"))
            yield _Added(
                f"`{call}`",
                op.table,
                op.name,
                flag(op, "postgresql_not_valid"),
                referent if isinstance(referent, str) else None,
                alembic=True,
            )
        elif op.call == "add_column":
            argument = _COLUMN_ARGUMENTS[kind]
            for column in op.columns:
                for extra in column.calls(argument):
                    yield _Added(
                        f"{common.column_call(column, f'sa.{argument}(...)')} in `add_column`",
                        op.table,
                        None,
                        False,
                        _referenced(extra) if kind == "foreign_key" else None,
                        inline=is_true(op.kw("inline_references")),
                    )
    for statement in op.sql:
        if statement.kind == "alter_table" and existing_table(
            body, index, statement.table, statement=statement
        ):
            for action in statement.actions:
                found = _sql_added(statement, action, kind)
                if found is not None:
                    yield found


def _referenced(foreign_key: Call) -> str | None:
    """The table of ``sa.ForeignKey("orgs.id")`` (``"public.orgs.id"`` too)."""
    target = foreign_key.args[0] if foreign_key.args else None
    if isinstance(target, Lit) and isinstance(target.value, str) and "." in target.value:
        return target.value.split(".")[-2]
    return None


def _sql_added(statement: Statement, action: Action, kind: str) -> _Added | None:
    words = {"foreign_key": "FOREIGN KEY", "check": "CHECK"}[kind]
    if action.kind == "add_constraint" and action.constraint == kind:
        return _Added(
            f"`ADD {words}`",
            statement.table,
            action.name,
            # PostgreSQL 18's NOT ENFORCED never checks the rows at all
            bool({"not_valid", "not_enforced"} & set(action.flags)),
            action.references,
        )
    if action.kind == "add_column" and (
        "references" in action.flags if kind == "foreign_key" else action.expression is not None
    ):
        spelled = "REFERENCES" if kind == "foreign_key" else "CHECK"
        return _Added(
            f"`ADD COLUMN ... {spelled}`",
            statement.table,
            None,
            False,
            action.references,
            inline=kind == "foreign_key",
        )
    return None


def _foreign_key_checks_off(op: Operation, state: bool) -> bool:
    """Whether MySQL's ``foreign_key_checks`` is off after the operation (``SET
    foreign_key_checks = 0`` for the session), given whether it was before."""
    for statement in op.sql:
        if (
            statement.kind == "set"
            and statement.name == "foreign_key_checks"
            and statement.values
            and "global" not in statement.flags
        ):
            state = statement.values[0].lower() in ("0", "off", "false")
    return state


def foreign_key_without_not_valid(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a foreign key added to an existing table in a way that checks every row at once:
    on PostgreSQL, `create_foreign_key` (or `batch_op.create_foreign_key`) without
    `postgresql_not_valid=True`, an `sa.ForeignKey` in `add_column`, and SQL `ADD ... FOREIGN
    KEY` or `ADD COLUMN ... REFERENCES` without `NOT VALID` (or PostgreSQL 18's `NOT
    ENFORCED`). On MySQL and MariaDB, any foreign key added to an existing table, unless
    `foreign_key_checks` was turned off before it in the same `upgrade()` (MySQL before 9.0
    ignores a `REFERENCES` written in a column definition, so that adds no key). A foreign key
    declared inside `create_table`, or added to a table created earlier in the same
    `upgrade()`, is fine.

    ## Why is this bad?
    PostgreSQL checks that every existing row has its parent while it holds a SHARE ROW
    EXCLUSIVE lock on both tables: writes to the table *and* to the table it references wait
    for the whole scan. With `NOT VALID` the constraint applies to new rows at once, and
    `VALIDATE CONSTRAINT`, run later, checks the old rows under a lock that lets writes go on.
    MySQL has no `NOT VALID`: with `foreign_key_checks` on, adding the key copies the whole
    table (`ALGORITHM=COPY`), blocking writes throughout; with it off, the key is added in
    place, without checking existing rows.

    ## Example
    ```python
    def upgrade() -> None:
        op.create_foreign_key(
            "fk_orders_user_id", "orders", "users", ["user_id"], ["id"]
        )
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.create_foreign_key(
            "fk_orders_user_id", "orders", "users", ["user_id"], ["id"],
            postgresql_not_valid=True,
        )

    # and in the next revision:
    def upgrade() -> None:
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user_id")
    ```
    On MySQL, `op.execute("SET foreign_key_checks = 0")` before the key and
    `op.execute("SET foreign_key_checks = 1")` after it.
    """
    dialect = ctx.dialect
    mysql = dialect is not None and dialect.is_mysql
    # MySQL before 9.0 parses an inline REFERENCES and ignores it: no key, nothing copied
    ignores_inline = (
        dialect is not None and dialect.name == "mysql" and dialect.mysql_version < (9, 0)
    )
    for body in common.bodies(script, ctx):
        checks_off = False
        for index, op in common.steps(body, ctx):
            for added in _added(body, index, op, "foreign_key"):
                if mysql and not checks_off and not (added.inline and ignores_inline):
                    yield _mysql_foreign_key(script, op, added)
                elif not mysql and added.not_valid is False:
                    yield _pg_foreign_key(script, op, added)
            checks_off = _foreign_key_checks_off(op, checks_off)


def _pg_foreign_key(script: RevisionScript, op: Operation, added: _Added) -> Diagnostic:
    table = quoted(added.table, "its table")
    referenced = quoted(added.references, "the table it references")
    if added.alembic:
        hint = "`op.create_foreign_key(..., postgresql_not_valid=True)`, then "
    elif added.what.startswith("`ADD FOREIGN KEY"):
        hint = "add `NOT VALID` to it, then "
    else:
        hint = (
            "add the column without the key, add it with "
            "`op.create_foreign_key(..., postgresql_not_valid=True)`, and "
        )
    return common.finding(
        script,
        op,
        "AL404",
        f"{added.what} checks every row of {table} while it holds SHARE ROW EXCLUSIVE locks on "
        f"{table} and {referenced}: writes to both wait for the whole scan",
        f"{hint}{_validate(added)} in the next revision",
    )


def _validate(added: _Added) -> str:
    return (
        f'`op.execute("ALTER TABLE {added.table or "<table>"} VALIDATE CONSTRAINT '
        f'{added.name or "<name>"}")`'
    )


def _mysql_foreign_key(script: RevisionScript, op: Operation, added: _Added) -> Diagnostic:
    table = quoted(added.table, "its table")
    ignored = (
        " (`postgresql_not_valid` does nothing on MySQL)"
        if added.alembic and added.not_valid is not False
        else ""
    )
    return common.finding(
        script,
        op,
        "AL404",
        f"{added.what} copies the whole of {table} on MySQL while `foreign_key_checks` is on: "
        f"writes to {table} wait until the copy ends{ignored}",
        '`op.execute("SET foreign_key_checks = 0")` before it lets MySQL add the key in place '
        "without checking existing rows (set it back to 1 after); or declare the key in "
        "`create_table`",
    )


def check_constraint_without_not_valid(
    script: RevisionScript, ctx: Context
) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a CHECK constraint added to an existing table in a way that checks every row at
    once: on PostgreSQL, `create_check_constraint` (or `batch_op.create_check_constraint`)
    without `postgresql_not_valid=True`, SQL `ADD ... CHECK` without `NOT VALID` (or `NOT
    ENFORCED`), and a CHECK on a column added to an existing table (`sa.CheckConstraint` in
    the `sa.Column` of `add_column`, SQL `ADD COLUMN ... CHECK`). On MySQL 8 and MariaDB, any
    CHECK added to an existing table (MySQL 5.7 parses CHECK and ignores it). A CHECK inside
    `create_table`, or on a table created earlier in the same `upgrade()`, is fine.

    ## Why is this bad?
    PostgreSQL scans the whole table to prove the condition while it holds an ACCESS
    EXCLUSIVE lock: every read and write of the table waits for the scan. With `NOT VALID` the
    check applies to new rows at once, and `VALIDATE CONSTRAINT`, run later, scans under a
    SHARE UPDATE EXCLUSIVE lock that lets reads and writes go on. MySQL has no `NOT VALID`:
    adding a CHECK copies the whole table (`ALGORITHM=COPY`), blocking writes throughout.

    ## Example
    ```python
    def upgrade() -> None:
        op.create_check_constraint("ck_orders_total", "orders", "total >= 0")
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.create_check_constraint(
            "ck_orders_total", "orders", "total >= 0", postgresql_not_valid=True
        )

    # and in the next revision:
    def upgrade() -> None:
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_orders_total")
    ```
    On MySQL, an online schema change tool (gh-ost, pt-online-schema-change), or the check
    enforced by the application.
    """
    dialect = ctx.dialect
    mysql = dialect is not None and dialect.is_mysql
    if mysql and dialect is not None and dialect.name == "mysql" and dialect.mysql_version < (8, 0):
        return
    for body in common.bodies(script, ctx):
        for index, op in common.steps(body, ctx):
            for added in _added(body, index, op, "check"):
                if mysql:
                    yield _mysql_check(script, op, added)
                elif added.not_valid is False:
                    yield _pg_check(script, op, added)


def _pg_check(script: RevisionScript, op: Operation, added: _Added) -> Diagnostic:
    table = quoted(added.table, "its table")
    if added.alembic:
        hint = "`op.create_check_constraint(..., postgresql_not_valid=True)`, then "
    elif added.what.startswith("`ADD CHECK"):
        hint = "add `NOT VALID` to it, then "
    else:
        hint = (
            "add the column without the CHECK, add it with "
            "`op.create_check_constraint(..., postgresql_not_valid=True)`, and "
        )
    return common.finding(
        script,
        op,
        "AL411",
        f"{added.what} scans every row of {table} while it holds an ACCESS EXCLUSIVE lock: "
        f"every read and write of {table} waits for the scan",
        f"{hint}{_validate(added)} in the next revision",
    )


def _mysql_check(script: RevisionScript, op: Operation, added: _Added) -> Diagnostic:
    table = quoted(added.table, "its table")
    ignored = (
        " (`postgresql_not_valid` does nothing on MySQL)"
        if added.alembic and added.not_valid is not False
        else ""
    )
    return common.finding(
        script,
        op,
        "AL411",
        f"{added.what} copies the whole of {table} on MySQL (ALGORITHM=COPY): writes to "
        f"{table} wait until the copy ends{ignored}",
        "run it with an online schema change tool (gh-ost, pt-online-schema-change) outside "
        "the migration, or enforce the rule in the application",
    )


def validate_in_same_transaction(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a `VALIDATE CONSTRAINT x` that runs in the same transaction as the `ADD CONSTRAINT
    x ... NOT VALID` (or `postgresql_not_valid=True`) that added it: the same transaction
    segment of one `upgrade()`, or one `op.execute` string. A `COMMIT` between the two, an
    `autocommit_block()`, or a later revision separates them.

    ## Why is this bad?
    `NOT VALID` exists so that the strong lock of `ADD CONSTRAINT` (SHARE ROW EXCLUSIVE for a
    foreign key, ACCESS EXCLUSIVE for a CHECK) is held only for a moment, and the scan of the
    old rows happens later under a weak one. In the same transaction, the strong lock is still
    held until the commit, so the scan runs under it after all: the table is as blocked as
    without `NOT VALID`.

    ## Example
    ```python
    def upgrade() -> None:
        op.create_foreign_key(
            "fk_orders_user_id", "orders", "users", ["user_id"], ["id"],
            postgresql_not_valid=True,
        )
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user_id")
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.create_foreign_key(
            "fk_orders_user_id", "orders", "users", ["user_id"], ["id"],
            postgresql_not_valid=True,
        )

    # and in the next revision:
    def upgrade() -> None:
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user_id")
    ```
    """
    for body in common.bodies(script, ctx):
        for index, op in common.steps(body, ctx):
            for statement, name in _same_transaction_validations(body, index, op):
                yield common.finding(
                    script,
                    op,
                    "AL418",
                    f"`VALIDATE CONSTRAINT {name}` runs in the transaction that added it NOT "
                    f"VALID: the lock the ADD took on {quoted(statement.table, 'its table')} "
                    "is still held, so the whole scan runs under it",
                    "move `VALIDATE CONSTRAINT` to the next revision",
                )


def _same_transaction_validations(
    body: Body, index: int, op: Operation
) -> Iterator[tuple[Statement, str]]:
    """The VALIDATE statements of the operation whose constraint was added NOT VALID in the
    same transaction: earlier in the same segment, or earlier in the same SQL string (one
    implicit transaction even in autocommit mode) with no COMMIT between."""
    earlier = set()
    if common.in_transaction(body, index):
        earlier = {
            (c.table, c.name)
            for c in body.facts.constraints
            if c.not_valid
            and c.at < index
            and body.facts.same_segment(c.at, index)
            and not body.facts.is_new_table(c.table, c.at)
        }
    here: set[tuple[str | None, str | None]] = set()
    for statement in op.sql:
        if statement.kind == "commit":
            earlier, here = set(), set()
        for action in statement.actions:
            key = (statement.table, action.name)
            if action.kind == "validate_constraint" and (key in earlier or key in here):
                yield statement, action.name or ""
            if (
                action.kind == "add_constraint"
                and "not_valid" in action.flags
                and existing_table(body, index, statement.table, statement=statement)
            ):
                here.add(key)


RULES: tuple[AnyRule, ...] = (
    RevisionRule(
        "AL404",
        "foreign-key-without-not-valid",
        True,
        foreign_key_without_not_valid,
        dialects=common.PG_MYSQL,
        unapplied=True,
    ),
    RevisionRule(
        "AL411",
        "check-constraint-without-not-valid",
        True,
        check_constraint_without_not_valid,
        dialects=common.PG_MYSQL,
        unapplied=True,
    ),
    RevisionRule(
        "AL418",
        "validate-in-same-transaction",
        True,
        validate_in_same_transaction,
        dialects=common.PG,
        unapplied=True,
    ),
)
