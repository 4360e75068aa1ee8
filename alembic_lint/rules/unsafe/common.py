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
- **Other databases' branches.** ``steps`` leaves out an operation inside ``if
  bind.dialect.name == "mysql":`` (or ``isinstance(bind.dialect, MySQLDialect)``, ``!=``, ``in``,
  ``not``, the ``else`` branch) when the project's dialect is another: it never runs there
  (``ruled_out``). Tests it cannot read keep the operation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.dialect import Dialect
from alembic_lint.facts import BodyFacts, body_facts
from alembic_lint.operations import Call, Column, Expr, Lit, Operation, is_true, literal, tail
from alembic_lint.rules import Context, diag
from alembic_lint.script import RevisionScript

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
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
            yield Body(name, ops, _facts(ops))


_SEEN: dict[int, tuple[Sequence[Operation], BodyFacts]] = {}
_SEEN_LIMIT = 65536


def _facts(ops: Sequence[Operation]) -> BodyFacts:
    """``body_facts``, once per body and run rather than once per rule: some twenty rules read
    every body. Keyed by the body's identity (it holds the body, so the id cannot be reused),
    and bounded, above the largest histories: a bound below a history's size clears the memo
    on every rule's pass and computes every body again. ``body_facts`` is pure, so this changes
    nothing but the time."""
    seen = _SEEN.get(id(ops))
    if seen is None or seen[0] is not ops:
        if len(_SEEN) >= _SEEN_LIMIT:
            _SEEN.clear()
        seen = _SEEN[id(ops)] = (ops, body_facts(ops))
    return seen[1]


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


def _label_names(labels: Iterable[str]) -> set[str]:
    """Branch labels as names: a literal as it is, and a label written as an expression (what
    OpenStack writes, ``branch_labels = (cli.CONTRACT_BRANCH,)``) by its last name, lower-cased,
    without a ``_branch`` suffix: ``contract``."""
    names = set()
    for label in labels:
        names.add(label)
        if "." in label or label.isupper():
            tail_name = label.rsplit(".", 1)[-1].lower()
            names.add(tail_name.removesuffix("_branch"))
    return names


def is_contract(script: RevisionScript, ctx: Context) -> bool:
    labels = set(ctx.settings.contract_branch_labels)
    inherited = ctx.graph.labels.get(script.revision, frozenset()) if script.revision else ()
    if labels & _label_names([*inherited, *script.branch_labels]):
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


def creates_table(op: Operation) -> bool:
    """Whether the operation creates a table, named or not (``op.create_table``, SQL)."""
    if op.call == "create_table" and op.via == "op":
        return True
    return any(statement.kind == "create_table" for statement in op.sql)


def existing_table(
    body: Body, index: int, table: str | None, *, statement: Statement | None = None
) -> bool:
    """Whether operation ``index`` works on a table that existed before the body ran.

    A known table did unless an earlier operation created it, or, for one of the operation's
    SQL ``statement``s, an earlier statement of the same ``op.execute``. An unknown one (its
    name held in a variable) did only when no earlier operation created any table: otherwise it
    may be one of those, and the family stays quiet rather than guess.
    """
    if table is not None:
        return not new_table(body, index, table, statement=statement)
    return not any(creates_table(op) for op in body.operations[:index])


def in_transaction(body: Body, index: int) -> bool:
    """Whether operation ``index`` runs inside a transaction.

    Inside ``autocommit_block()`` it does not, nor after an explicit ``COMMIT``. When the block
    ends, Alembic begins a new transaction, also after a ``COMMIT`` (SQLAlchemy still holds its
    transaction then, so the block commits and re-begins it); the model restores the kind the
    block was entered with, so a segment that starts where a block ended is a transaction.
    """
    op = body.operations[index]
    if op.segment_kind != "after_commit":
        return op.segment_kind == "transaction"
    # an op in "after_commit" follows the COMMIT that began its segment, or the end of a block
    last = next(o for o in reversed(body.operations[:index]) if o.segment != op.segment)
    return last.segment_kind == "autocommit" and not any(s.kind == "commit" for s in last.sql)


_FAMILY = {"mariadb": "mysql"}
_ALIASES = {"postgres": "postgresql"}
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
# tests as ``ast.unparse`` writes them: `bind.dialect.name == 'mysql'`, `dialect in ('a', 'b')`
_SUBJECT = r"(?:[\w.()]*\b(?:dialect|engine)\.name|\w*dialect\w*)"
_NAME_TEST = re.compile(
    rf"""{_SUBJECT} (?P<op>==|!=|in|not in) (?P<names>['"]\w+['"]|[(\[][^()\[\]]*[)\]])"""
)
_CLASS_TEST = re.compile(r"isinstance\([\w.()]+\.dialect, (?P<classes>\w+|\([\w, ]+\))\)")


def _holds(test: str, dialect: str) -> bool | None:
    """Whether a test about the dialect holds on ``dialect``; None when it is not such a test,
    or when it cannot tell: a MySQL project may reach its server as ``mysql`` or ``mariadb``."""
    negated = False
    while test.startswith("not "):
        negated, test = not negated, test[4:]
    match = _NAME_TEST.fullmatch(test)
    if match is not None:
        found = re.findall(r"""['"](\w+)['"]""", match.group("names"))
        names = {_ALIASES.get(n.lower(), n.lower()) for n in found}
        if dialect in names:
            holds: bool | None = True
        elif any(_FAMILY.get(n, n) == _FAMILY.get(dialect, dialect) for n in names):
            holds = None
        else:
            holds = False
        if holds is not None and match.group("op") in ("!=", "not in"):
            holds = not holds
    else:
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
        holds = _FAMILY.get(dialect, dialect) in families
    return None if holds is None else holds != negated


def ruled_out(op: Operation, dialect: Dialect | None) -> bool:
    """Whether a condition around the operation keeps it from running on ``dialect``:
    ``if bind.dialect.name == "sqlite":``, ``!=``, ``in (...)``, ``not``,
    ``isinstance(bind.dialect, MySQLDialect)``, or the ``else`` of one.

    An ``if`` whose test joins such a test with ``and`` needs it to hold too; an ``else`` counts
    only when its test is the dialect test alone; a test with ``or`` decides nothing. MySQL and
    MariaDB are one family where a name cannot tell them apart (``mysql://`` reaches either
    server), so ``!= "mysql"`` rules out nothing on MariaDB.
    """
    if dialect is None:
        return False
    for condition in op.conditions:
        test = condition.test.strip()
        if condition.kind not in ("if", "else") or " or " in test:
            continue
        parts = test.split(" and ") if condition.kind == "if" else [test]
        for part in parts:
            holds = _holds(part, dialect.name)
            if holds is not None and holds != (condition.kind == "if"):
                return True
    return False


def steps(body: Body, ctx: Context) -> Iterator[tuple[int, Operation]]:
    """Each operation of the body with its index, except those that a dialect test around them
    keeps from running on the dialect linted against (``ruled_out``)."""
    for index, op in enumerate(body.operations):
        if not ruled_out(op, ctx.dialect):
            yield index, op


def flag(op: Operation, key: str) -> bool | None:
    """A boolean keyword argument such as ``postgresql_concurrently``: False when absent, None
    when its value is not a literal."""
    value = op.kw(key)
    if value is None:
        return False
    return bool(value.value) if isinstance(value, Lit) else None


def quoted(name: str | None, fallback: str) -> str:
    """A name in backticks for a message, or the fallback words when it is unknown."""
    return f"`{name}`" if name is not None else fallback


def column_call(column: Column, argument: str) -> str:
    """``sa.Column("email", ..., unique=True)`` for a message: the argument that matters."""
    name = f'"{column.name}", ' if column.name is not None else ""
    return f"`sa.Column({name}..., {argument})`"


# --- locks ---------------------------------------------------------------------------------------

ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
SHARE = "SHARE"
METADATA = "metadata"


class Lock(NamedTuple):
    """A lock that an operation takes on a table and that blocks the application's writes."""

    table: str
    mode: str
    """PostgreSQL's lock mode, or ``metadata`` (MySQL's exclusive metadata lock)."""

    @property
    def phrase(self) -> str:
        """``an ACCESS EXCLUSIVE lock``, ``a SHARE lock``, ``the metadata lock``."""
        if self.mode == METADATA:
            return "the metadata lock"
        return f"{'an' if self.mode[0] in 'AEIOU' else 'a'} {self.mode} lock"

    @property
    def blocks_reads(self) -> bool:
        return self.mode in (ACCESS_EXCLUSIVE, METADATA)


_ACCESS_EXCLUSIVE_OPS = frozenset(
    {
        "add_column",
        "drop_column",
        "create_unique_constraint",
        "create_primary_key",
        "create_check_constraint",
        "create_exclude_constraint",
        "drop_constraint",
        "rename_table",
        "drop_table",
    }
)
_NOT_CHANGES = frozenset({"table_name", "column_name", "schema", "comment"})


def _alters(op: Operation) -> bool:
    """Whether ``alter_column`` changes more than the comment (a comment alone is ``COMMENT ON``,
    which does not block writes); an unknown ``**kwargs`` may change anything."""
    return any(key not in _NOT_CHANGES and not key.startswith("existing_") for key, _ in op.kwargs)


def op_locks(op: Operation, *, mysql: bool) -> tuple[Lock, ...]:
    """The write-blocking locks of an ``op.*`` / ``batch_op.*`` call (its SQL apart), by table.

    PostgreSQL: ``CREATE INDEX`` takes SHARE, a foreign key SHARE ROW EXCLUSIVE on both tables,
    every other ALTER ACCESS EXCLUSIVE; ``CONCURRENTLY`` and ``COMMENT ON`` block no writes.
    MySQL: every DDL statement takes an exclusive metadata lock, comments included.
    """
    if op.via not in ("op", "batch_op") or op.table is None:
        return ()
    call = op.call
    concurrent = is_true(op.kw("postgresql_concurrently")) and not mysql
    if call in _ACCESS_EXCLUSIVE_OPS or (call == "alter_column" and (mysql or _alters(op))):
        mode = METADATA if mysql else ACCESS_EXCLUSIVE
        renamed = literal(op.kw("new_table_name")) if call == "rename_table" else None
        return tuple(Lock(t, mode) for t in (op.table, renamed) if isinstance(t, str))
    if call == "create_foreign_key":
        referent = literal(op.kw("referent_table"))
        tables = [op.table, *([referent] if isinstance(referent, str) else [])]
        return tuple(Lock(t, METADATA if mysql else SHARE_ROW_EXCLUSIVE) for t in tables)
    if call in ("create_index", "drop_index") and not concurrent:
        mode = METADATA if mysql else SHARE if call == "create_index" else ACCESS_EXCLUSIVE
        return (Lock(op.table, mode),)
    return ()


def statement_locks(statement: Statement, *, mysql: bool) -> tuple[Lock, ...]:
    """The write-blocking locks of one SQL statement, by table, as ``op_locks`` reads them.

    ``VALIDATE CONSTRAINT`` alone takes SHARE UPDATE EXCLUSIVE, which blocks no writes.
    """
    kind, table = statement.kind, statement.table
    if table is None:
        return ()
    if kind == "alter_table":
        found: list[Lock] = []
        for action in statement.actions:
            if action.kind == "validate_constraint" and not mysql:
                continue
            if action.kind == "add_constraint" and action.constraint == "foreign_key":
                mode = METADATA if mysql else SHARE_ROW_EXCLUSIVE
                found += [Lock(t, mode) for t in (table, action.references) if t]
            else:
                found.append(Lock(table, METADATA if mysql else ACCESS_EXCLUSIVE))
        return tuple(dict.fromkeys(found))
    if kind == "create_index" and "concurrently" not in statement.flags:
        return (Lock(table, METADATA if mysql else SHARE),)
    if kind == "drop_table":
        return tuple(Lock(t, METADATA if mysql else ACCESS_EXCLUSIVE) for t in statement.values)
    return ()


def describe(op: Operation, statement: Statement | None = None) -> str:
    """How a finding names the step: ``op.add_column`` or the SQL statement's kind."""
    if statement is not None:
        return "`" + statement.kind.replace("_", " ").upper() + "`"
    return f"`{op.via}.{op.call}`"


# --- enum values ---------------------------------------------------------------------------------

ENUM_TYPES = frozenset({"Enum", "ENUM", "SET"})
_QUOTED = re.compile(r"'((?:[^'\\]|\\.|'')*)'")


def enum_values(expr: Expr | None) -> tuple[str, ...] | None:
    """The values of ``sa.Enum("a", "b")``, ``postgresql.ENUM(...)``, ``mysql.ENUM(...)`` or
    ``mysql.SET(...)`` when every one is a literal string; None otherwise (a Python enum class,
    ``*VALUES``, another type)."""
    if not (isinstance(expr, Call) and tail(expr.func) in ENUM_TYPES and expr.args):
        return None
    values = [literal(arg) for arg in expr.args]
    if not all(isinstance(v, str) for v in values):
        return None
    return tuple(str(v) for v in values)


def enum_name(expr: Expr | None) -> str | None:
    """The type name of an enum type expression (``name="status"``), lower-case."""
    name = literal(expr.kw("name")) if isinstance(expr, Call) else None
    return name.lower() if isinstance(name, str) else None


def sql_enum_values(type_text: str) -> tuple[str, ...] | None:
    """The values of a MySQL column type as ``sql`` renders it: ``enum('a', 'b')``, ``set(...)``."""
    head, _, rest = type_text.partition("(")
    if head.strip().lower() not in ("enum", "set") or not rest:
        return None
    return tuple(m.group(1).replace("''", "'").replace("\\'", "'") for m in _QUOTED.finditer(rest))


# --- history -------------------------------------------------------------------------------------


def ancestors_in_order(ctx: Context, script: RevisionScript) -> list[RevisionScript]:
    """The revisions that run before ``script``, each after its own parents (oldest first)."""
    start = script.revision
    if start is None:
        return []
    graph = ctx.graph
    order: list[RevisionScript] = []
    seen = {start}
    stack = [(start, iter(graph.parents.get(start, ())))]
    while stack:
        rev, parents = stack[-1]
        for parent in parents:
            if parent not in seen and parent in graph.revisions:
                seen.add(parent)
                stack.append((parent, iter(graph.parents.get(parent, ()))))
                break
        else:
            stack.pop()
            if rev != start:
                order.append(graph.revisions[rev])
    return order


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
