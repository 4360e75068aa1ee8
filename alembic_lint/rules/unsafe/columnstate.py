"""What the history says about one column: its type, NOT NULL, server default and comment, and
which type changes need no table rewrite. AL405, AL407 and AL420 ask it.

Decisions:

- **Backwards, newest first.** ``ColumnHistory.facts`` starts at the operation asked about and
  walks back through the operations before it in the same body, then through the upgrades of the
  revision's ancestors that name the table, newest first (``HistoryIndex``, built once per
  graph, orders them and knows each revision's ancestors). Operations in a branch for another
  database (``common.ruled_out``) are left out. The most recent
  operation that sets a property decides it; an ``alter_column``'s ``existing_*`` arguments state
  the property as it was before that call. Renames are followed (``alter_column(new_column_name=)``,
  ``rename_table``, SQL ``RENAME``, MySQL ``CHANGE``). The walk ends at what creates the column
  (``add_column``, ``create_table``, SQL ``ADD COLUMN`` / ``CREATE TABLE``), at a drop of it, or
  when every property is decided.
- **Unknown is unknown.** A property that no operation decides, a non-literal argument, SQL that
  does not say (a MySQL ``COMMENT`` clause, which the SQL model does not carry): None, never a
  guess. ``op.execute`` of text that is not literal changes nothing the walk can see.
- **MySQL restates.** On MySQL an ``alter_column`` that Alembic renders as ``MODIFY``/``CHANGE``
  (a new name, type, nullability, autoincrement or comment, or any change of a DATETIME column)
  sets nullability, default and comment to what the call passes, ``existing_*`` included, and
  to NULL, no default and no comment otherwise: Alembic's own rule.
- **Types** are read from SQLAlchemy types (``sa.String(50)``, ``mysql.VARCHAR(20,
  charset="latin1")``, ``sa.Enum("a", "b")``) and from SQL type names (``varchar(20)``,
  ``numeric(10, 2)``, ``enum('a', 'b')``) into one ``ColumnType``, so that both spellings compare.
  ``rewrite_free`` knows the changes that PostgreSQL and MySQL make without copying the table; any
  other change, or one it cannot read, is not proven.
- **MySQL character width.** A VARCHAR's length prefix is one byte up to 255 bytes and two bytes
  beyond, and a change across that line copies the table. The width of a character is read from
  the type's ``charset``/``collation`` where given (``latin1``/``ascii`` 1 byte, ``utf8``/
  ``utf8mb3`` 3, ``utf8mb4`` 4); otherwise ``utf8mb4``, MySQL 8's default, is assumed: a
  VARCHAR of up to 63 characters is in the first bracket, 64 and more in the second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from alembic_lint.dialect import Dialect
from alembic_lint.graph import RevisionGraph
from alembic_lint.operations import Call, Column, Expr, Lit, Operation, Ref, tail
from alembic_lint.rules.unsafe import common
from alembic_lint.script import RevisionScript

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
    from alembic_lint.sql import Action, Statement


class ColumnType(NamedTuple):
    kind: str
    """varchar, text, char, numeric, cidr, inet, enum, set, or another type's lower-case name."""
    length: int | None = None
    """A varchar's or char's length, a numeric's precision; None: unbounded."""
    scale: int | None = None
    values: tuple[str, ...] = ()
    """An enum's or set's values, in order."""
    charset: str | None = None
    """The ``charset`` or ``collation`` given (``latin1``, ``utf8mb4_bin``), lower-case."""
    args: tuple[str, ...] = ()
    """The arguments of any other type, as text, so that equal types compare equal."""


_SA_KINDS = {
    "string": "varchar",
    "varchar": "varchar",
    "unicode": "varchar",
    "nvarchar": "varchar",
    "text": "text",
    "unicodetext": "text",
    "clob": "text",
    "char": "char",
    "nchar": "char",
    "numeric": "numeric",
    "decimal": "numeric",
    "cidr": "cidr",
    "inet": "inet",
    "enum": "enum",
    "set": "set",
    "integer": "integer",
    "int": "integer",
    "biginteger": "bigint",
    "bigint": "bigint",
    "smallinteger": "smallint",
    "smallint": "smallint",
    "boolean": "boolean",
    "uuid": "uuid",
    "date": "date",
    "datetime": "datetime",
    "timestamp": "timestamp",
}
_SQL_KINDS = {
    "character varying": "varchar",
    "bpchar": "char",
    "character": "char",
    "decimal": "numeric",
    "int4": "integer",
    "int": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "bool": "boolean",
}
_LENGTH_KINDS = frozenset({"varchar", "char"})
_DATETIME = frozenset({"datetime", "timestamp"})
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_WIDTHS = {"latin1": 1, "ascii": 1, "binary": 1, "utf8": 3, "utf8mb3": 3, "utf8mb4": 4}


def _size(expr: Expr | None) -> tuple[bool, int | None]:
    """(readable, value) of a length, precision or scale argument; absent or None is unbounded."""
    if expr is None or expr == Lit(None):
        return True, None
    if isinstance(expr, Lit) and isinstance(expr.value, int) and not isinstance(expr.value, bool):
        return True, expr.value
    return False, None


def sa_type(expr: Expr | None, *, mysql: bool) -> ColumnType | None:
    """The type of an SQLAlchemy type expression; None when it cannot be read."""
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    if isinstance(expr, Ref):
        func = expr.name
    elif isinstance(expr, Call):
        func, args, kwargs = expr.func, expr.args, expr.kwargs
    else:
        return None
    kind = _SA_KINDS.get(tail(func).lower(), tail(func).lower())
    given = dict(kwargs)
    charset = _charset(given)
    if kind in _LENGTH_KINDS:
        ok, length = _size(args[0] if args else given.get("length"))
        return ColumnType(kind, length, charset=charset) if ok else None
    if kind == "numeric":
        ok, precision = _size(args[0] if args else given.get("precision"))
        scale_ok, scale = _size(args[1] if len(args) > 1 else given.get("scale"))
        if not (ok and scale_ok):
            return None
        if precision is not None and scale is None:
            scale = 0
        return ColumnType(kind, precision, scale)
    if kind in ("enum", "set"):
        values = [a.value for a in args if isinstance(a, Lit) and isinstance(a.value, str)]
        if not values or len(values) != len(args):
            return None
        return ColumnType(kind, values=tuple(values), charset=charset)
    timezone = given.pop("timezone", None)
    if kind in _DATETIME and not mysql:
        if timezone is not None and not isinstance(timezone, Lit):
            return None
        kind = "timestamptz" if timezone == Lit(True) else "timestamp"
    if kind == "text" and not mysql:
        return ColumnType("text", charset=charset)
    shown = []
    for key, item in (*((None, a) for a in args), *given.items()):
        if key in ("charset", "collation"):
            continue
        if not isinstance(item, Lit):
            return None
        shown.append(str(item.value).lower())
    return ColumnType(kind, args=tuple(shown), charset=charset)


def _charset(given: dict[str, Expr]) -> str | None:
    for key in ("collation", "charset"):
        value = given.get(key)
        if isinstance(value, Lit) and isinstance(value.value, str):
            return value.value.lower()
    return None


def sql_type(text: str | None, *, mysql: bool) -> ColumnType | None:
    """The type of an SQL type name as ``sql`` renders it (``varchar(20)``, ``numeric(10, 2)``,
    ``enum('a', 'b')``); None when it cannot be read."""
    if text is None:
        return None
    text = text.strip().lower()
    inner: str | None = None
    name, suffix = text, ""
    if "(" in text:
        name, rest = text.split("(", 1)
        inner, close, suffix = rest.rpartition(")")
        if not close:
            return None
    name, suffix = name.strip(), suffix.strip()
    kind = _SQL_KINDS.get(name, name)
    if mysql and kind == "tinyint" and inner == "1" and not suffix:
        return ColumnType("boolean")
    if kind in ("enum", "set") and not suffix:
        values = tuple(v.replace("''", "'") for v in _QUOTED.findall(inner or ""))
        return ColumnType(kind, values=values)
    numbers = tuple(part.strip() for part in inner.split(",")) if inner is not None else ()
    if (kind in _LENGTH_KINDS or kind == "numeric") and not suffix:
        if not all(n.isdigit() for n in numbers):
            return None
        sizes = [int(n) for n in numbers]
        if kind == "numeric":
            return (
                ColumnType(kind, sizes[0], sizes[1] if len(sizes) > 1 else 0)
                if sizes
                else ColumnType(kind)
            )
        return ColumnType(kind, sizes[0] if sizes else None)
    if not numbers and not suffix:
        return ColumnType(kind)
    return ColumnType(f"{kind} {suffix}".strip(), args=numbers)


def _width(charset: str | None) -> int:
    """Bytes a character takes at most, from the character set a collation starts with."""
    return _WIDTHS.get((charset or "utf8mb4").split("_", 1)[0], 4)


def _set_bytes(count: int) -> int:
    """The bytes a MySQL SET of ``count`` members is stored in: 1, 2, 3, 4 or 8."""
    size = (count + 7) // 8
    return 8 if size > 4 else size


def rewrite_free(old: ColumnType, new: ColumnType, *, mysql: bool) -> bool:
    """Whether changing a column from ``old`` to ``new`` leaves the table as it is: PostgreSQL
    changes only the catalog (a binary-coercible type, no stricter limit), MySQL changes it in
    place without copying. A change of character set or collation is never proven."""
    if old == new:
        return True
    if old.charset != new.charset:
        return False
    if mysql:
        return _mysql_in_place(old, new)
    if old.kind in ("varchar", "text") and new.kind in ("varchar", "text"):
        if new.kind == "text" or new.length is None:
            return True
        return old.kind == "varchar" and old.length is not None and new.length >= old.length
    if old.kind == new.kind == "numeric":
        if new.length is None:
            return True
        return old.length is not None and new.scale == old.scale and new.length >= old.length
    return old.kind == "cidr" and new.kind == "inet"


def _mysql_in_place(old: ColumnType, new: ColumnType) -> bool:
    if old.kind == new.kind == "varchar" and old.length is not None and new.length is not None:
        width = _width(old.charset)
        # the length prefix: one byte up to 255 bytes, two beyond
        return new.length >= old.length and (old.length * width > 255) == (new.length * width > 255)
    if old.kind == new.kind and old.kind in ("enum", "set"):
        if new.values[: len(old.values)] != old.values:
            return False
        if old.kind == "enum":
            return (len(old.values) > 255) == (len(new.values) > 255)
        return _set_bytes(len(old.values)) == _set_bytes(len(new.values))
    return False


def shown(column_type: ColumnType) -> str:
    """A type as a person writes it in SQL: ``varchar(50)``, ``numeric(10, 2)``."""
    if column_type.values:
        return f"{column_type.kind}({', '.join(repr(v) for v in column_type.values)})"
    parts = [str(p) for p in (column_type.length, column_type.scale) if p is not None]
    parts += list(column_type.args)
    text = f"{column_type.kind}({', '.join(parts)})" if parts else column_type.kind
    return f"{text} {column_type.charset}" if column_type.charset else text


# --- the history of a column -------------------------------------------------------------------


class ColumnFacts(NamedTuple):
    """What is known of a column; None: unknown."""

    type: ColumnType | None = None
    not_null: bool | None = None
    default: bool | None = None
    comment: bool | None = None


def _gives(expr: Expr | None) -> bool | None:
    """Whether a ``server_default`` or ``comment`` value gives one: False for None or absent,
    None when it is not literal."""
    if expr is None or expr == Lit(None):
        return False
    if isinstance(expr, Lit | Call):
        return True
    return None


def _flag(expr: Expr | None) -> bool | None:
    return expr.value if isinstance(expr, Lit) and isinstance(expr.value, bool) else None


def _passed(op: Operation, key: str, empty: Expr) -> bool:
    value = op.kw(key)
    return value is not None and value != empty


def restates(op: Operation) -> bool:
    """Whether Alembic renders this ``alter_column`` on MySQL as ``MODIFY``/``CHANGE``, which
    restates the whole column: a new name, type, nullability or autoincrement, a comment, or
    anything on a DATETIME/TIMESTAMP column but dropping its default."""
    keys = ("new_column_name", "nullable", "type_", "autoincrement")
    if any(_passed(op, key, Lit(None)) for key in keys) or _passed(op, "comment", Lit(False)):
        return True
    type_ = op.kw("type_") if _passed(op, "type_", Lit(None)) else op.kw("existing_type")
    column_type = sa_type(type_, mysql=True)
    return (
        column_type is not None
        and column_type.kind in _DATETIME
        and op.kw("server_default") != Lit(None)
    )


class _Walk:
    """One backward walk after one column: its names at this point, and what is decided."""

    def __init__(self, table: str, column: str, dialect: Dialect | None) -> None:
        self.table = table
        self.column = column
        self.dialect = dialect
        self.mysql = dialect is not None and dialect.is_mysql
        self.decided: dict[str, object] = {}
        self.done = False

    def decide(self, **values: object) -> None:
        for key, value in values.items():
            self.decided.setdefault(key, value)
        self.done = self.done or len(self.decided) == len(ColumnFacts._fields)

    def result(self) -> ColumnFacts:
        return ColumnFacts(**self.decided)  # type: ignore[arg-type]

    def operation(self, op: Operation) -> None:
        if op.via not in ("op", "batch_op") or common.ruled_out(op, self.dialect):
            return
        for statement in reversed(op.sql):
            self.statement(statement)
            if self.done:
                return
        if op.call == "rename_table":
            if op.kw("new_table_name") == Lit(self.table) and op.table is not None:
                self.table = op.table
        elif op.table != self.table:
            return
        elif op.call in ("add_column", "create_table"):
            for column in op.columns:
                if column.name == self.column:
                    self.created(column)
            # a table created without the column: it came later, in a way the walk cannot see
            self.done = self.done or op.call == "create_table"
        elif op.call == "drop_table" or (op.call == "drop_column" and op.name == self.column):
            self.done = True
        elif op.call == "alter_column":
            self.alter_column(op)

    def created(self, column: Column) -> None:
        self.decide(
            type=sa_type(column.type, mysql=self.mysql),
            not_null=True if column.calls("Identity") else column.not_null,
            default=_gives(column.kw("server_default")),
            comment=_gives(column.kw("comment")),
        )
        self.done = True

    def alter_column(self, op: Operation) -> None:
        new_name = op.kw("new_column_name")
        renamed = isinstance(new_name, Lit) and isinstance(new_name.value, str)
        if (new_name if renamed else Lit(op.name)) != Lit(self.column):
            return
        if _passed(op, "type_", Lit(None)):
            self.decide(type=sa_type(op.kw("type_"), mysql=self.mysql))
        if _passed(op, "nullable", Lit(None)):
            nullable = _flag(op.kw("nullable"))
            self.decide(not_null=None if nullable is None else not nullable)
        if _passed(op, "server_default", Lit(False)):
            self.decide(default=_gives(op.kw("server_default")))
        if _passed(op, "comment", Lit(False)):
            self.decide(comment=_gives(op.kw("comment")))
        existing_nullable = op.kw("existing_nullable")
        if self.mysql and restates(op):
            # what MODIFY/CHANGE is not told, it resets: NULL, no default, no comment
            if existing_nullable is None or existing_nullable == Lit(None):
                self.decide(not_null=False)
            if op.kw("existing_server_default") is None:
                self.decide(default=False)
            if op.kw("existing_comment") is None:
                self.decide(comment=False)
        # the existing_* arguments state the column before this call
        if op.kw("existing_type") is not None:
            self.decide(type=sa_type(op.kw("existing_type"), mysql=self.mysql))
        if _flag(existing_nullable) is not None:
            self.decide(not_null=not _flag(existing_nullable))
        if op.kw("existing_server_default") is not None:
            self.decide(default=_gives(op.kw("existing_server_default")))
        if op.kw("existing_comment") is not None:
            self.decide(comment=_gives(op.kw("existing_comment")))
        if renamed and op.name is not None:
            self.column = op.name

    def statement(self, statement: Statement) -> None:
        if statement.kind == "drop_table" and self.table in statement.values:
            self.done = True
        elif statement.kind == "create_table" and statement.table == self.table:
            for action in statement.actions:
                if action.kind == "add_column" and action.column == self.column:
                    self.restated(action)
            self.done = True
        elif statement.kind == "alter_table":
            renames = [a for a in statement.actions if a.kind == "rename_table"]
            # MySQL's RENAME TABLE a TO b, c TO d: the old names are the statement's tables
            olds = statement.tables if len(renames) == len(statement.actions) else ()
            for i, action in reversed(list(enumerate(statement.actions))):
                if action.kind == "rename_table":
                    old = olds[i] if i < len(olds) else statement.table
                    if action.target == self.table and old is not None:
                        self.table = old
                elif statement.table == self.table:
                    self.action(action)
                if self.done:
                    return

    def restated(self, action: Action) -> None:
        """A column spelled out in SQL: ``ADD COLUMN``, ``MODIFY``, ``CHANGE``, ``CREATE TABLE``."""
        self.decide(
            type=sql_type(action.type, mysql=self.mysql),
            not_null=action.not_null or "primary_key" in action.flags,
            default=action.default is not None,
            comment=None,
        )

    def action(self, action: Action) -> None:
        kind = action.kind
        if kind in ("change_column", "rename_column"):
            if action.target == self.column and action.column is not None:
                if kind == "change_column":
                    self.restated(action)
                self.column = action.column
            return
        if action.column != self.column:
            return
        if kind in ("add_column", "drop_column"):
            if kind == "add_column":
                self.restated(action)
            self.done = True
        elif kind == "alter_column_type":
            self.decide(type=sql_type(action.type, mysql=self.mysql))
        elif kind in ("set_not_null", "drop_not_null"):
            self.decide(not_null=kind == "set_not_null")
        elif kind in ("set_default", "drop_default"):
            self.decide(default=kind == "set_default")
        elif kind == "modify_column":
            self.restated(action)


class ColumnHistory:
    """What the history says about the columns one revision's operations act on."""

    def __init__(
        self, graph: RevisionGraph, script: RevisionScript, dialect: Dialect | None
    ) -> None:
        self.graph = graph
        self.script = script
        self.dialect = dialect

    def facts(
        self,
        ops: Sequence[Operation],
        index: int,
        table: str | None,
        column: str | None,
        statement: Statement | None = None,
    ) -> ColumnFacts:
        """What is known of ``table.column`` just before ``ops[index]`` runs, or with
        ``statement``, just before that statement of it runs; nothing when a name is unknown."""
        if table is None or column is None:
            return ColumnFacts()
        walk = _Walk(table, column, self.dialect)
        if statement is not None:
            for earlier in reversed(ops[index].sql):
                if earlier.offset < statement.offset and not walk.done:
                    walk.statement(earlier)
        for op in reversed(ops[:index]):
            if walk.done:
                break
            walk.operation(op)
        history = history_index(self.graph)
        before: int | None = None
        while not walk.done:
            name = walk.table
            for ancestor in history.touching(self.script, name, before=before):
                assert ancestor.upgrade is not None  # only upgrades that touch the table
                for op in reversed(ancestor.upgrade.operations):
                    walk.operation(op)
                    if walk.done:
                        break
                if walk.done or walk.table != name:
                    # renamed: go on with the old name, in the revisions older than this one
                    before = history.position[ancestor.revision or ""]
                    break
            else:
                break
        return walk.result()


class HistoryIndex(NamedTuple):
    """A revision graph arranged for walks through a revision's past."""

    graph: RevisionGraph
    position: Mapping[str, int]
    """Each revision's place in one order that puts every revision after its parents."""
    ancestors: Mapping[str, int]
    """Each revision's ancestors (itself excluded), as a bit set over positions."""
    tables: Mapping[str, tuple[str, ...]]
    """Each table name -> the revisions whose upgrade names it, newest first."""

    def touching(
        self, script: RevisionScript, table: str, *, before: int | None = None
    ) -> Iterator[RevisionScript]:
        """The ancestors of ``script`` whose upgrade names ``table``, newest first; with
        ``before``, only those older than that position."""
        bits = self.ancestors.get(script.revision or "", 0)
        for rev in self.tables.get(table, ()):
            place = self.position[rev]
            if (before is None or place < before) and bits >> place & 1:
                yield self.graph.revisions[rev]


_INDEX: dict[int, HistoryIndex] = {}


def history_index(graph: RevisionGraph) -> HistoryIndex:
    """The index of ``graph``, built once: every revision's walk through its own past needs it,
    and without it a long history costs each of its revisions a walk through all the others.
    The index of the last graph asked about is kept."""
    cached = _INDEX.get(id(graph))
    if cached is not None and cached.graph is graph:
        return cached
    generation = _generations(graph)
    order = sorted(graph.revisions, key=lambda rev: (generation[rev], rev))
    position = {rev: i for i, rev in enumerate(order)}
    ancestors: dict[str, int] = {}
    tables: dict[str, list[str]] = {}
    for rev in order:
        bits = 0
        for parent in graph.parents.get(rev, ()):
            if parent in position and position[parent] < position[rev]:
                bits |= ancestors[parent] | 1 << position[parent]
        ancestors[rev] = bits
        upgrade = graph.revisions[rev].upgrade
        for table in _tables(upgrade.operations if upgrade is not None else ()):
            tables.setdefault(table, []).append(rev)
    index = HistoryIndex(
        graph, position, ancestors, {t: tuple(reversed(revs)) for t, revs in tables.items()}
    )
    _INDEX.clear()
    _INDEX[id(graph)] = index
    return index


def _tables(ops: Sequence[Operation]) -> set[str]:
    """Every table an upgrade names: in its calls, its renames and its SQL."""
    names: set[str] = set()
    for op in ops:
        if op.table is not None:
            names.add(op.table)
        new = op.kw("new_table_name")
        if isinstance(new, Lit) and isinstance(new.value, str):
            names.add(new.value)
        for statement in op.sql:
            names.update(n for n in (statement.table, *statement.values, *statement.tables) if n)
            names.update(
                a.target for a in statement.actions if a.kind == "rename_table" and a.target
            )
    return names


def _generations(graph: RevisionGraph) -> dict[str, int]:
    """Each revision's generation: the length of the longest path down to a base."""
    found: dict[str, int] = {}
    for start in graph.revisions:
        stack, on_stack = [start], {start}
        while stack:
            rev = stack[-1]
            parents = [p for p in graph.parents.get(rev, ()) if p in graph.revisions]
            # a parent already on the stack closes a cycle (AL106): it counts as a base here
            todo = [p for p in parents if p not in found and p not in on_stack]
            if todo:
                stack.extend(todo)
                on_stack.update(todo)
                continue
            found[rev] = 1 + max((found.get(p, 0) for p in parents), default=0)
            on_stack.discard(stack.pop())
    return found
