"""AL4xx, indexes: see the module docstring of ``alembic_lint.rules.unsafe``.

Building, dropping and promoting indexes on PostgreSQL: what locks the table (AL401, AL409,
AL421) and what PostgreSQL refuses to run inside a transaction (AL408). MySQL builds secondary
indexes in place with concurrent writes, so these rules are PostgreSQL's only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.operations import Operation, is_true
from alembic_lint.rules import AnyRule, Context, RevisionRule
from alembic_lint.rules.unsafe import common
from alembic_lint.rules.unsafe.common import Body, existing_table, flag, quoted
from alembic_lint.script import RevisionScript

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
    from alembic_lint.sql import Statement

_BLOCK = "with op.get_context().autocommit_block():"
_ALEMBIC_OPS = ("op", "batch_op")


def _alembic(op: Operation, *calls: str) -> bool:
    return op.via in _ALEMBIC_OPS and op.call in calls


def non_concurrent_index(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports an index built on an existing table without `CONCURRENTLY`: `op.create_index`
    (or `batch_op.create_index`) without `postgresql_concurrently=True`, an
    `sa.Column(..., index=True)` in `add_column`, and SQL `CREATE [UNIQUE] INDEX` without
    `CONCURRENTLY`. An index on a table created earlier in the same `upgrade()` is fine.

    ## Why is this bad?
    A plain `CREATE INDEX` holds a SHARE lock on the table until the index is built: reads go
    on, but every `INSERT`, `UPDATE` and `DELETE` waits, for minutes on a large table. `CREATE
    INDEX CONCURRENTLY` builds it while writes continue. It cannot run inside a transaction
    block, so it goes in an `autocommit_block()` (see AL408).

    ## Example
    ```python
    def upgrade() -> None:
        op.create_index("ix_orders_user_id", "orders", ["user_id"])
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True
            )
    ```
    """
    for body in common.bodies(script, ctx):
        for index, op in common.steps(body, ctx):
            yield from _non_concurrent_index(script, body, index, op)


def _non_concurrent_index(
    script: RevisionScript, body: Body, index: int, op: Operation
) -> Iterator[Diagnostic]:
    hint = f"`{_BLOCK} op.create_index(..., postgresql_concurrently=True)`"
    if (
        _alembic(op, "create_index")
        and flag(op, "postgresql_concurrently") is False
        and existing_table(body, index, op.table)
    ):
        yield common.finding(
            script,
            op,
            "AL401",
            f"`create_index` builds {quoted(op.name, 'an index')} on {_table(op.table)} "
            f"without CONCURRENTLY: {_share_lock(op.table)}",
            hint,
        )
    if _alembic(op, "add_column") and existing_table(body, index, op.table):
        for column in op.columns:
            if is_true(column.kw("index")):
                yield common.finding(
                    script,
                    op,
                    "AL401",
                    f"{common.column_call(column, 'index=True')} in `add_column` builds an "
                    f"index on {_table(op.table)} without CONCURRENTLY: {_share_lock(op.table)}",
                    f"add the column without `index=True`, then {hint}",
                )
    for statement in op.sql:
        if (
            statement.kind == "create_index"
            and "concurrently" not in statement.flags
            and existing_table(body, index, statement.table, statement=statement)
        ):
            unique = " UNIQUE" if "unique" in statement.flags else ""
            yield common.finding(
                script,
                op,
                "AL401",
                f"`CREATE{unique} INDEX` on {_table(statement.table)} without CONCURRENTLY: "
                f"{_share_lock(statement.table)}",
                f"`CREATE{unique} INDEX CONCURRENTLY`, alone in an `op.execute` inside `{_BLOCK}`",
            )


def _table(table: str | None) -> str:
    return quoted(table, "its table")


def _share_lock(table: str | None) -> str:
    return f"its SHARE lock blocks every write to {_table(table)} until the index is built"


_CONCURRENT_SQL = {
    "create_index": "CREATE INDEX CONCURRENTLY",
    "drop_index": "DROP INDEX CONCURRENTLY",
    "reindex": "REINDEX ... CONCURRENTLY",
    "alter_table": "DETACH PARTITION ... CONCURRENTLY",
}


def concurrently_in_transaction(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a step that PostgreSQL refuses inside a transaction block, run inside one:
    `postgresql_concurrently=True` on `create_index` / `drop_index`, and SQL `CREATE INDEX
    CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX ... CONCURRENTLY` and `DETACH PARTITION
    ... CONCURRENTLY`, outside `with op.get_context().autocommit_block():` and not after an
    explicit `op.execute("COMMIT")`. Also such a statement sent together with other
    statements in one `op.execute(...)`, wherever it is: PostgreSQL runs a string of several
    statements as one implicit transaction.

    ## Why is this bad?
    Alembic runs `upgrade()` in a transaction on PostgreSQL, and the statement fails with
    `ActiveSqlTransaction: CREATE INDEX CONCURRENTLY cannot run inside a transaction block`:
    the deploy stops at this revision. A transaction begins again when an `autocommit_block()`
    ends, so a concurrent step after the block is inside one too. An `op.execute("COMMIT")`
    before the step works with psycopg2 only: psycopg 3 and asyncpg begin a new transaction
    on the next statement, so the block is the form that works everywhere.

    ## Example
    ```python
    def upgrade() -> None:
        op.create_index(
            "ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True
        )
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True
            )
    ```
    """
    hint = f"wrap it in `{_BLOCK}`"
    for body in common.bodies(script, ctx):
        for index, op in common.steps(body, ctx):
            transaction = common.in_transaction(body, index)
            if (
                _alembic(op, "create_index", "drop_index")
                and flag(op, "postgresql_concurrently") is True
                and transaction
            ):
                what = "CREATE" if op.call == "create_index" else "DROP"
                yield common.finding(
                    script,
                    op,
                    "AL408",
                    f"`{op.call}(..., postgresql_concurrently=True)` runs inside the "
                    f"migration's transaction: PostgreSQL refuses {what} INDEX CONCURRENTLY "
                    "in a transaction block and the upgrade fails",
                    hint,
                )
            concurrent = [s for s in op.sql if "concurrently" in s.flags]
            if not concurrent:
                continue
            words = _CONCURRENT_SQL.get(concurrent[0].kind, concurrent[0].kind)
            if transaction:
                yield common.finding(
                    script,
                    op,
                    "AL408",
                    f"`{words}` runs inside the migration's transaction: PostgreSQL refuses "
                    "it in a transaction block and the upgrade fails",
                    hint,
                )
            elif len(op.sql) > 1:
                yield common.finding(
                    script,
                    op,
                    "AL408",
                    f"`{words}` is sent with other statements in one `op.execute`: PostgreSQL "
                    "runs them as one implicit transaction, refuses it there, and the upgrade "
                    "fails",
                    f"one statement per `op.execute(...)`, inside `{_BLOCK}`",
                )


def add_unique_constraint(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a UNIQUE or PRIMARY KEY constraint added to an existing table with an index built
    on the spot: `create_unique_constraint`, `create_primary_key`, an `sa.Column(...,
    unique=True)` in `add_column` (a unique *constraint*; with `index=True` as well it is a
    unique index, AL401's business), `primary_key=True` with `inline_primary_key=True`, and SQL
    `ADD ... UNIQUE` / `PRIMARY KEY` without `USING INDEX`.

    Without `inline_primary_key=True`, Alembic's `add_column` does not add the primary key of
    a `primary_key=True` column at all, so there is no index to build.

    ## Why is this bad?
    `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE` builds its index while it holds an ACCESS
    EXCLUSIVE lock: every read and write of the table waits until the whole table is indexed.
    PostgreSQL can instead adopt an index built beforehand with `CREATE UNIQUE INDEX
    CONCURRENTLY`, which takes only a brief lock.

    ## Example
    ```python
    def upgrade() -> None:
        op.create_unique_constraint("uq_users_email", "users", ["email"])
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        with op.get_context().autocommit_block():
            op.create_index(
                "uq_users_email", "users", ["email"], unique=True, postgresql_concurrently=True
            )
        op.execute(
            "ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email"
        )
    ```
    """
    for body in common.bodies(script, ctx):
        for index, op in common.steps(body, ctx):
            yield from _add_unique_constraint(script, body, index, op)


def _add_unique_constraint(
    script: RevisionScript, body: Body, index: int, op: Operation
) -> Iterator[Diagnostic]:
    if _alembic(op, "create_unique_constraint", "create_primary_key") and existing_table(
        body, index, op.table
    ):
        kind = "UNIQUE" if op.call == "create_unique_constraint" else "PRIMARY KEY"
        yield common.finding(
            script,
            op,
            "AL409",
            f"`{op.call}` on {_table(op.table)} {_builds(op.table)}",
            _unique_hint(kind, op.table, op.name),
        )
    if _alembic(op, "add_column") and existing_table(body, index, op.table):
        for column in op.columns:
            unique = is_true(column.kw("unique")) and not is_true(column.kw("index"))
            primary = is_true(column.kw("primary_key")) and is_true(op.kw("inline_primary_key"))
            if unique or primary:
                kind, spelled = ("UNIQUE", "unique") if unique else ("PRIMARY KEY", "primary_key")
                yield common.finding(
                    script,
                    op,
                    "AL409",
                    f"{common.column_call(column, f'{spelled}=True')} in `add_column` adds a "
                    f"{kind} constraint to {_table(op.table)} that {_builds(op.table)}",
                    f"add the column without `{spelled}=True`, then "
                    + _unique_hint(kind, op.table, None),
                )
    for statement in op.sql:
        yield from _unique_sql(script, body, index, op, statement)


def _unique_sql(
    script: RevisionScript, body: Body, index: int, op: Operation, statement: Statement
) -> Iterator[Diagnostic]:
    if statement.kind != "alter_table" or not existing_table(
        body, index, statement.table, statement=statement
    ):
        return
    for action in statement.actions:
        if action.kind == "add_constraint" and "using_index" not in action.flags:
            keys: tuple[str | None, ...] = (action.constraint,)
        elif action.kind == "add_column":
            keys = action.flags
        else:
            continue
        kind = next((_KEYS[key] for key in keys if key in _KEYS), None)
        if kind is not None:
            yield common.finding(
                script,
                op,
                "AL409",
                f"`ADD ... {kind}` without `USING INDEX` on {_table(statement.table)} "
                f"{_builds(statement.table)}",
                _unique_hint(kind, statement.table, action.name),
            )


_KEYS = {"unique": "UNIQUE", "primary_key": "PRIMARY KEY"}


def _builds(table: str | None) -> str:
    return (
        "builds its index under an ACCESS EXCLUSIVE lock: every read and write of "
        f"{_table(table)} waits until the index is built"
    )


def _unique_hint(kind: str, table: str | None, name: str | None) -> str:
    constraint = name or "<name>"
    return (
        f'build the index first, `{_BLOCK} op.create_index("{constraint}", ..., unique=True, '
        f'postgresql_concurrently=True)`, then `op.execute("ALTER TABLE {table or "<table>"} '
        f'ADD CONSTRAINT {constraint} {kind} USING INDEX {constraint}")`'
    )


def non_concurrent_index_drop(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports an index dropped without `CONCURRENTLY`: `op.drop_index` (or `batch_op.drop_index`)
    without `postgresql_concurrently=True`, and SQL `DROP INDEX` without `CONCURRENTLY`. An
    index created earlier in the same `upgrade()`, or on a table created there, is fine.

    The rule is opt-in: the drop itself is quick, and many teams accept the brief lock.

    ## Why is this bad?
    `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the table. It must wait for every running
    query on the table to finish, and while it waits, every new read and write queues behind
    it: one slow report stalls the whole table. `DROP INDEX CONCURRENTLY` waits without
    blocking anyone.

    ## Example
    ```python
    def upgrade() -> None:
        op.drop_index("ix_orders_legacy", table_name="orders")
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        with op.get_context().autocommit_block():
            op.drop_index(
                "ix_orders_legacy", table_name="orders", postgresql_concurrently=True
            )
    ```
    """
    for body in common.bodies(script, ctx):
        created: set[str] = set()
        for index, op in common.steps(body, ctx):
            yield from _index_drop(script, body, index, op, created)
            if _alembic(op, "create_index") and op.name is not None:
                created.add(op.name)
            created.update(
                s.name for s in op.sql if s.kind == "create_index" and s.name is not None
            )


def _index_drop(
    script: RevisionScript, body: Body, index: int, op: Operation, created: set[str]
) -> Iterator[Diagnostic]:
    hint = f"`{_BLOCK} op.drop_index(..., postgresql_concurrently=True)`"
    if (
        _alembic(op, "drop_index")
        and flag(op, "postgresql_concurrently") is False
        and op.name not in created
        and not body.facts.is_new_table(op.table, index)
    ):
        yield common.finding(
            script,
            op,
            "AL421",
            f"`drop_index` drops {quoted(op.name, 'an index')} without CONCURRENTLY: "
            f"{_exclusive(op.table)}",
            hint,
        )
    for statement in op.sql:
        if (
            statement.kind == "drop_index"
            and "concurrently" not in statement.flags
            and not created.issuperset(statement.values)
        ):
            yield common.finding(
                script,
                op,
                "AL421",
                f"`DROP INDEX` {quoted(statement.name, 'an index')} without CONCURRENTLY: "
                f"{_exclusive(None)}",
                f"`DROP INDEX CONCURRENTLY`, alone in an `op.execute` inside `{_BLOCK}`",
            )


def _exclusive(table: str | None) -> str:
    return (
        f"its ACCESS EXCLUSIVE lock on {_table(table)} waits for every running query and "
        "blocks every read and write queued behind it"
    )


RULES: tuple[AnyRule, ...] = (
    RevisionRule(
        "AL401",
        "non-concurrent-index",
        True,
        non_concurrent_index,
        dialects=common.PG,
        unapplied=True,
    ),
    RevisionRule(
        "AL408",
        "concurrently-in-transaction",
        True,
        concurrently_in_transaction,
        dialects=common.PG,
        unapplied=True,
    ),
    RevisionRule(
        "AL409",
        "add-unique-constraint",
        True,
        add_unique_constraint,
        dialects=common.PG,
        unapplied=True,
    ),
    RevisionRule(
        "AL421",
        "non-concurrent-index-drop",
        False,
        non_concurrent_index_drop,
        dialects=common.PG,
        unapplied=True,
    ),
)
