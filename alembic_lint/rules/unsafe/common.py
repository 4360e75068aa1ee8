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
- **Other databases' branches.** ``running`` leaves out an operation inside ``if
  bind.dialect.name == "mysql":`` (or ``isinstance(bind.dialect, MySQLDialect)``, ``!=``, ``in``,
  the ``else`` branch) when the project's dialect is another: it never runs there. Tests it
  cannot read keep the operation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.dialect import Dialect
from alembic_lint.facts import BodyFacts, body_facts
from alembic_lint.operations import Operation
from alembic_lint.rules import Context, diag
from alembic_lint.script import RevisionScript
from alembic_lint.sql import Action, Statement

PG = frozenset({"postgresql"})
MYSQL = frozenset({"mysql", "mariadb"})
PG_MYSQL = PG | MYSQL
DEPLOYED = "the code still deployed uses it and fails until the new code is out"
"""The failure of a drop or a rename before the code stops using the object."""


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


def new_table(
    body: Body, index: int, table: str | None = None, *, statement: Statement | None = None
) -> bool:
    """Whether the table of operation ``index`` (or ``table``) was created earlier in the body;
    with ``statement`` (one of the operation's SQL statements), also by an earlier statement of
    the same ``op.execute``."""
    name = table if table is not None else body.operations[index].table
    if body.facts.is_new_table(name, index):
        return True
    return statement is not None and any(
        earlier.kind == "create_table" and earlier.table == name
        for earlier in body.operations[index].sql
        if earlier.offset < statement.offset
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


def alter_actions(op: Operation, *kinds: str) -> Iterator[tuple[Statement, Action]]:
    """The actions of the given kinds in the ``ALTER TABLE`` statements an operation runs."""
    for statement, action in statements(op):
        if statement.kind == "alter_table" and action is not None and action.kind in kinds:
            yield statement, action


def contract_hint(ctx: Context) -> str:
    """Where a drop belongs, in the words of the project's settings."""
    labels = ctx.settings.contract_branch_labels
    if labels:
        return f"in a revision on the `{labels[0]}` branch"
    if ctx.settings.contract_version_locations:
        return "in a revision under a `contract-version-locations` directory"
    return "in a later revision, once no deployed code uses it"


_DIALECT_NAMES = {"postgres": "postgresql", "mariadb": "mysql"}
_DIALECT_CLASSES = (
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
    ("pg", "postgresql"),
    ("postgres", "postgresql"),
    ("sqlite", "sqlite"),
    ("mssql", "mssql"),
    ("ms", "mssql"),
    ("oracle", "oracle"),
)
# the test as ``ast.unparse`` writes it: `bind.dialect.name == 'mysql'`, `dialect in ('a', 'b')`
_SUBJECT = r"(?:[\w.()]*\b(?:dialect|engine)\.name|\w*dialect\w*)"
_NAME_TEST = re.compile(
    rf"{_SUBJECT} (?P<op>==|!=|in|not in) (?P<names>'\w+'|[(\[][^()\[\]]*[)\]])"
)
_CLASS_TEST = re.compile(r"isinstance\([\w.()]+\.dialect, (?P<classes>\w+|\([\w, ]+\))\)")


def _dialect_test(test: str) -> tuple[frozenset[str], bool] | None:
    """The dialects an ``if`` test selects, and whether it selects them or all others; None for
    a test that is not about the dialect, or not only."""
    negated = False
    while test.startswith("not "):
        negated = not negated
        test = test[4:]
    match = _NAME_TEST.fullmatch(test)
    if match is not None:
        names = re.findall(r"'(\w+)'", match.group("names"))
        chosen = frozenset(_DIALECT_NAMES.get(n.lower(), n.lower()) for n in names)
        return chosen, negated ^ (match.group("op") in ("!=", "not in"))
    match = _CLASS_TEST.fullmatch(test)
    if match is None:
        return None
    families = set()
    for cls in re.findall(r"\w+", match.group("classes")):
        lowered = cls.lower()
        family = next((f for prefix, f in _DIALECT_CLASSES if lowered.startswith(prefix)), None)
        if family is None:
            return None
        families.add(family)
    return frozenset(families), negated


def runs_on(op: Operation, dialect: Dialect | None) -> bool:
    """Whether an operation runs on the project's database: not inside an ``if`` (or ``else``)
    whose test rules that dialect out, such as ``if bind.dialect.name == "mysql":`` or
    ``if isinstance(bind.dialect, SQLiteDialect):`` on PostgreSQL. A test this does not read
    leaves the operation in."""
    if dialect is None:
        return True
    name = _DIALECT_NAMES.get(dialect.name, dialect.name)
    for condition in op.conditions:
        if condition.kind not in ("if", "else"):
            continue
        selected = _dialect_test(condition.test)
        if selected is None:
            continue
        dialects, others = selected
        holds = (name in dialects) != others
        if holds != (condition.kind == "if"):
            return False
    return True


def running(body: Body, ctx: Context) -> Iterator[tuple[int, Operation]]:
    """The operations of a body, with their index, that run on the project's database."""
    for index, op in enumerate(body.operations):
        if runs_on(op, ctx.dialect):
            yield index, op
