"""AL4xx, tables: dropping and renaming a table (AL410, AL413).

Both read ``op.drop_table`` / ``op.rename_table`` and the SQL of ``op.execute`` alike
(``DROP TABLE a, b`` is one finding per table; MySQL's ``RENAME TABLE a TO b, c TO d`` one per
pair). A table that the same upgrade creates before the drop or rename is new to the code too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.operations import Call, Expr, Lit, Operation, tail
from alembic_lint.rules import AnyRule, Context, Need, RevisionRule
from alembic_lint.rules.unsafe import common
from alembic_lint.script import RevisionScript

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
    from alembic_lint.sql import Statement

# the rules for every dialect still read it, to leave out what runs only on another database
_DIALECT: frozenset[Need] = frozenset({"dialect"})
_VIEW_OPS = frozenset(
    {"create_view", "create_or_replace_view", "replace_view", "create_entity", "replace_entity"}
)


def drop_table(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports `op.drop_table` and SQL `DROP TABLE` outside a contract revision. A revision is a
    contract revision when it carries one of `contract-branch-labels` (default `["contract"]`,
    inherited along the branch) or lives under one of `contract-version-locations`; its message
    never decides. A table created earlier in the same upgrade (a staging or temporary table)
    may be dropped.

    ## Why is this bad?
    Migrations run before the new code is deployed, or while old and new code both run. The code
    that is still deployed reads and writes the table, and every such query fails from the moment
    it is gone, until the new code is out. A drop cannot be rolled back by a downgrade either:
    the data is gone.

    ## Example
    ```python
    def upgrade() -> None:
        op.drop_table("legacy_sessions")
    ```

    ## Use instead
    Stop using the table in the code and deploy; then drop it in a revision on the contract
    branch:
    ```python
    branch_labels = ("contract",)


    def upgrade() -> None:
        op.drop_table("legacy_sessions")
    ```

    ## Options
    `contract-branch-labels`, `contract-version-locations`.
    """
    if common.is_contract(script, ctx):
        return
    hint = f"stop using the table in the code and deploy; drop it {common.contract_hint(ctx)}"
    for body in common.bodies(script, ctx):
        for index, op in common.steps(body, ctx):
            tables: list[tuple[str | None, Statement | None]] = []
            if op.call == "drop_table" and op.via == "op":
                tables.append((op.table, None))
            for statement in op.sql:
                if statement.kind == "drop_table":
                    tables += [(name, statement) for name in statement.values]
            for table, where in tables:
                if not common.new_table(body, index, table, statement=where):
                    message = f"drops table `{table or '?'}`: {common.DEPLOYED}"
                    yield common.finding(script, op, "AL410", message, hint)


def _literal_name(expr: Expr | None) -> str | None:
    return expr.value if isinstance(expr, Lit) and isinstance(expr.value, str) else None


def _view_name(op: Operation) -> str | None:
    """The view a custom view operation creates: ``op.create_view("v", ...)``, the cookbook's
    ``op.create_view(ReplaceableObject("v", ...))``, alembic_utils'
    ``op.create_entity(PGView(signature="v", ...))``."""
    if op.call not in _VIEW_OPS or op.via != "op" or not op.args:
        return None
    first = op.args[0]
    if isinstance(first, Call):
        if op.call.endswith("_entity") and "View" not in tail(first.func):
            return None
        return _literal_name(first.kw("signature") or first.kw("name")) or (
            _literal_name(first.args[0]) if first.args else None
        )
    return None if op.call.endswith("_entity") else _literal_name(first)


def _views(body: common.Body) -> frozenset[str]:
    names = set()
    for op in body.operations:
        name = _view_name(op)
        if name is not None:
            names.add(name)
        names.update(s.name for s in op.sql if s.kind == "create_view" and s.name)
    return frozenset(names)


def rename_table(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a table renamed without a view that keeps the old name working: `op.rename_table`,
    SQL `RENAME TO` and MySQL's `RENAME TABLE`. It stays quiet when the same upgrade creates a
    view with the old name (SQL `CREATE VIEW`, or a view operation such
    as `op.create_view(...)` or alembic_utils' `op.create_entity(PGView(...))`), or the table was
    created earlier in the same upgrade.

    ## Why is this bad?
    The rename is instant, but the code that is still deployed keeps using the old name, and
    every query it sends fails until the new code is out; during a rolling deploy old and new
    code run side by side, so neither name works for everyone.

    ## Example
    ```python
    op.rename_table("customer", "customers")
    ```

    ## Use instead
    Keep the table name (`__tablename__ = "customer"`), or rename it and keep the old name
    working with a view that a contract revision drops later:
    ```python
    op.rename_table("customer", "customers")
    op.execute("CREATE VIEW customer AS SELECT * FROM customers")
    ```
    """
    hint = (
        "keep the table name (`__tablename__`), or rename it and create a view with the old name "
        f"in the same upgrade, dropped {common.contract_hint(ctx)}"
    )
    for body in common.bodies(script, ctx):
        views: frozenset[str] | None = None
        for index, op in common.steps(body, ctx):
            renames: list[tuple[str | None, str | None, Statement | None]] = []
            if op.call == "rename_table" and op.via == "op":
                renames.append((op.table, _literal_name(op.kw("new_table_name")), None))
            for statement in op.sql:
                actions = [a for a in statement.actions if a.kind == "rename_table"]
                if statement.kind != "alter_table" or not actions:
                    continue
                # MySQL's RENAME TABLE a TO b, c TO d: the old names are the statement's tables
                olds = statement.tables if len(actions) == len(statement.actions) else ()
                for i, action in enumerate(actions):
                    old = olds[i] if i < len(olds) else statement.table
                    renames.append((old, action.target, statement))
            for old, new, where in renames:
                if common.new_table(body, index, old, statement=where):
                    continue
                views = _views(body) if views is None else views
                if old in views:
                    continue
                to = f" to `{new}`" if new is not None else ""
                what = f"table `{old}`" if old else "a table (its name is not a literal)"
                message = f"renames {what}{to}: {common.DEPLOYED}"
                yield common.finding(script, op, "AL413", message, hint)


RULES: tuple[AnyRule, ...] = (
    RevisionRule("AL410", "drop-table", True, drop_table, needs=_DIALECT, unapplied=True),
    RevisionRule("AL413", "rename-table", True, rename_table, needs=_DIALECT, unapplied=True),
)
