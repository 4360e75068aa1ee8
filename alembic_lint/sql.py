"""The SQL of ``op.execute(...)``, split into statements and parsed into plain records.

What it extracts is what the AL4xx rules read (RULES.md): for each statement its kind, its target
table (unqualified, the schema apart), the index, type, view or parameter it names, the enum values
it creates, the tables it reads or writes, flags such as ``concurrently``, ``if_exists`` or
``select_source``, and for ``ALTER TABLE`` / ``ALTER TYPE`` one :class:`Action` per sub-command, in
order: columns added (type, default, NOT NULL, inline constraints, generated, identity, serial),
dropped, retyped, renamed; constraints added (foreign key, check with its expression, unique,
primary key, NOT VALID, USING INDEX), validated, dropped, renamed; enum values added or renamed;
partitions detached. Everything is a NamedTuple of str, int, bool, None and tuples, so that the
parse cache can store it as JSON.

**Two parsers, each for what it does best** (figures in README.md, "SQL parsing", measured by
benchmarks/sql_speed.py):

- **PostgreSQL's own grammar, through pglast** (libpg_query, a C extension), first for every
  statement. It is PostgreSQL's parser, so what it accepts is what the server accepts and what
  it builds is what the server would do: ``RENAME CONSTRAINT`` is never a column rename, ``NOT
  VALID``, ``CONCURRENTLY``, ``USING INDEX`` and ``ADD VALUE`` are all there. It is also the
  fastest by far. Its JSON output is walked (``parse_sql_json``; building pglast's Python node
  objects is seven times slower).
- **sqlglot with the MySQL dialect** (pure Python), only for a statement that PostgreSQL's grammar
  rejects: backticks, ``MODIFY``, ``CHANGE``, ``ALGORITHM=INSTANT``, ``AUTO_INCREMENT``. Its
  PostgreSQL dialect was measured too and loses too much (``RENAME CONSTRAINT``, ``VALIDATE
  CONSTRAINT`` and ``ALTER TYPE ... ADD VALUE`` come back as unparsed commands). ``RENAME TABLE a
  TO b``, which sqlglot does not parse, is read from sqlglot's own MySQL tokens.

Both are imported lazily, pglast when there is SQL to parse and sqlglot only when pglast has
rejected a statement, because the static path must stay fast and most histories need neither or
only pglast.

Decisions:

- **Splitting.** The whole string goes to PostgreSQL's parser first, which splits it the way the
  server would (``BEGIN ATOMIC`` bodies, ``CREATE RULE`` lists). If that fails, the string is cut at
  every ``;`` outside quotes, dollar quotes (``$$``, ``$tag$``) and comments (``--``, ``/* */``),
  with MySQL's conventions for quotes (backslash escapes, backticks, comments that do not nest), and
  each piece is parsed on its own, so one bad statement never loses its neighbours. Empty
  statements and comments are dropped; ``text`` runs from the first token to the last. A string
  with a NUL character never goes to libpg_query whole (it reads C strings and would stop there).
- **Bind parameters.** ``:name`` (not after ``:``, a word character or ``\\``, as SQLAlchemy's
  ``text()`` reads them), ``%(name)s`` and ``%s``, outside quotes and comments, are replaced
  before parsing by a placeholder of the same length: ``($1)`` for PostgreSQL and ``(?)`` for MySQL
  where it fits (so that an expanding ``IN :ids`` parses), else ``$1`` / ``?``. ``text`` and every
  expression keep them as written. ``:name::int`` is read as a bind followed by a cast.
- **A statement neither parser understands** becomes ``kind="unparsed"``, ``parser="none"``, with
  its text and offset, never an exception: rules treat it as unknown, never as safe or unsafe.
  sqlglot results that are not statements (a bare expression, a "Command" fallback) count as not
  understood. Any input, however broken, returns a tuple (a property test fuzzes it, and checks
  that whatever PostgreSQL accepts, the extraction reads).
- ``ALTER TABLE t ADD INDEX ix (a)`` and ``ADD KEY`` are valid PostgreSQL (a column named
  ``index`` of a type ``ix(a)``) but mean MySQL's index: without ``COLUMN`` they go to sqlglot.
- **Identifiers** are folded as PostgreSQL folds them: unquoted ones lower-case, quoted ones kept.
  A schema goes to ``schema`` and never into ``table`` or ``name``.
- **Types** (PostgreSQL) are PostgreSQL's own names, so that spellings compare equal: ``integer``
  is ``int4``, ``character varying(20)`` is ``varchar(20)``, ``timestamp with time zone`` is
  ``timestamptz``, ``decimal(10,2)`` is ``numeric(10, 2)``; arrays keep ``[]``; ``interval`` drops
  its fields. MySQL types are sqlglot's rendering, lower-case (``varchar(255)``,
  ``enum('a', 'b')``).
- **Expressions** (defaults, CHECK) are the text as written for PostgreSQL, located with
  PostgreSQL's own scanner, and sqlglot's rendering for MySQL. ``functions`` holds the lower-case
  names called in defaults, generated columns and checks (``current_timestamp`` and the like
  included), sorted.
- ``ALTER INDEX i RENAME TO j`` is ``kind="other"`` with ``name="i"`` and one ``rename_index``
  action: it does not alter a table. MySQL's ``ALTER TABLE t RENAME INDEX a TO b`` is an
  ``alter_table`` with the same action. ``DETACH PARTITION`` names the partition in ``name``.
  Sub-commands with no kind of their own are ``Action("other")`` and name nothing.
- **Constraints.** ``column`` is the one column a constraint concerns when there is exactly one (a
  one-column key, or a CHECK that is exactly ``c IS NOT NULL``). PostgreSQL 18's ``ADD [CONSTRAINT
  n] NOT NULL c [NOT VALID]`` is a ``set_not_null`` action, which is what it does. ``NOT
  ENFORCED`` gives the flag ``not_enforced``, not ``not_valid``: it is never validated.
- A statement's ``concurrently`` flag means it cannot run inside a transaction block (``DETACH
  PARTITION ... CONCURRENTLY`` included). ``tables`` of an ``ALTER TABLE`` include the tables its
  foreign keys reference, and of DML the target first, then every table read (CTE names left out).
  ``DROP`` statements list every object dropped in ``values`` (``table`` / ``name`` is the first).
- MySQL's ``SET a = 1, GLOBAL b = 2`` gives one ``set`` statement per variable, with the same text
  and offset; ``SET GLOBAL`` and ``SET PERSIST`` carry the flag ``global`` (they leave the session's
  value alone). ``RESET`` is ``other``.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from pglast.parser import Token
    from sqlglot import exp


class Action(NamedTuple):
    """One sub-command of ALTER TABLE / ALTER TYPE, or the effect of another statement."""

    kind: str
    column: str | None = None
    name: str | None = None
    target: str | None = None
    constraint: str | None = None
    type: str | None = None
    default: str | None = None
    functions: tuple[str, ...] = ()
    references: str | None = None
    expression: str | None = None
    not_null: bool = False
    flags: tuple[str, ...] = ()


class Statement(NamedTuple):
    """One SQL statement: what it is, where it is, and what it does."""

    kind: str
    text: str
    offset: int
    table: str | None = None
    schema: str | None = None
    name: str | None = None
    values: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    parser: str = "postgresql"
    tables: tuple[str, ...] = ()


def parse_sql(text: str) -> tuple[Statement, ...]:
    """Split ``text`` into statements and parse each one; never raises."""
    try:
        return tuple(_pglast(text, 0))
    except Exception:  # any rejection, or a tree this module did not expect
        pass
    found: list[Statement] = []
    for start, end in _scan(text, mysql=True)[0]:
        piece = text[start:end]
        try:
            found += _pglast(piece, start)
        except Exception:  # rejected by PostgreSQL's grammar: try MySQL's
            try:
                found += _sqlglot(piece, start)
            except Exception:  # rejected by both
                found.append(Statement("unparsed", piece, start, parser="none"))
    return tuple(found)


# --- splitting and bind parameters ------------------------------------------------------------

_QUOTES = {
    False: r"""[eE]'(?:[^'\\]|\\.|'')*'?|'(?:[^']|'')*'?|"(?:[^"]|"")*"?""",
    True: r"""'(?:[^'\\]|\\.|'')*'?|"(?:[^"\\]|\\.|"")*"?|`(?:[^`]|``)*`?""",
}
_TOKEN = {
    mysql: re.compile(
        rf"""
        (?P<comment>--[^\n]*)
        |(?P<block>/\*)
        |(?P<quote>{quotes})
        |(?P<dollar>\$(?:[^\W\d]\w*)?\$)
        |(?P<semi>;)
        |(?P<code>[^'"`$;/-]+(?:(?<=\w)\$[^'"`$;/-]*)*|.)
        """,
        re.VERBOSE | re.DOTALL,
    )
    for mysql, quotes in _QUOTES.items()
}
_BLOCK_MARK = re.compile(r"/\*|\*/")
# As SQLAlchemy's text() reads binds: ":name" not after ":" (casts), a word character or "\".
_BIND = re.compile(r"(?<![:\w\\]):\w+|%\([^()]*\)s|%s(?!\w)|\\(?=:)")


def _scan(text: str, *, mysql: bool) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The statements' spans (first to last significant character) and the bind parameters'."""
    spans: list[tuple[int, int]] = []
    binds: list[tuple[int, int]] = []
    first = last = -1
    pos = 0
    token = _TOKEN[mysql]
    while pos < len(text):
        match = token.match(text, pos)
        assert match is not None  # the last alternative matches any character
        kind, end = match.lastgroup, match.end()
        if kind == "block":
            end = _block_end(text, end, nested=not mysql)
        elif kind == "dollar":
            close = text.find(match.group(), end)
            end = len(text) if close < 0 else close + len(match.group())
        elif kind == "code":
            binds.extend(m.span() for m in _BIND.finditer(text, pos, end))
        if kind == "semi":
            if first >= 0:
                spans.append((first, last))
            first = -1
        elif kind == "code":
            piece = text[pos:end]
            if not piece.isspace():
                first = pos + len(piece) - len(piece.lstrip()) if first < 0 else first
                last = end - len(piece) + len(piece.rstrip())
        elif kind not in ("comment", "block"):
            first = pos if first < 0 else first
            last = end
        pos = end
    if first >= 0:
        spans.append((first, last))
    return spans, binds


def _block_end(text: str, pos: int, *, nested: bool) -> int:
    depth = 1
    for mark in _BLOCK_MARK.finditer(text, pos):
        depth += 1 if mark.group() == "/*" and nested else -1 if mark.group() == "*/" else 0
        if depth == 0:
            return mark.end()
    return len(text)


def _mask(text: str, binds: list[tuple[int, int]], placeholder: str) -> str:
    """``text`` with each bind replaced by ``placeholder``, parenthesised where it fits (so that
    ``IN :ids``, an expanding bind, parses too), padded to the same length."""
    if not binds:
        return text
    parts: list[str] = []
    pos = 0
    for start, end in binds:
        size = end - start
        stub = f"({placeholder})" if size >= len(placeholder) + 2 else placeholder
        parts += [text[pos:start], stub.ljust(size) if size > 1 else " "]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


# --- PostgreSQL (pglast) ------------------------------------------------------------------------

_Node = dict[str, Any]

_SERIAL = frozenset({"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"})
_CONSTRAINTS = {
    "CONSTR_FOREIGN": "foreign_key",
    "CONSTR_CHECK": "check",
    "CONSTR_UNIQUE": "unique",
    "CONSTR_PRIMARY": "primary_key",
    "CONSTR_EXCLUSION": "exclude",
}
_INLINE_FLAGS = {
    "CONSTR_UNIQUE": "unique",
    "CONSTR_PRIMARY": "primary_key",
    "CONSTR_FOREIGN": "references",
    "CONSTR_IDENTITY": "identity",
}
_SIMPLE_COMMANDS = {
    "AT_SetNotNull": "set_not_null",
    "AT_DropNotNull": "drop_not_null",
    "AT_ValidateConstraint": "validate_constraint",
}
_TRANSACTIONS = {
    "TRANS_STMT_BEGIN": "begin",
    "TRANS_STMT_START": "begin",
    "TRANS_STMT_COMMIT": "commit",
}
_DROPS = {"OBJECT_TABLE": "drop_table", "OBJECT_INDEX": "drop_index", "OBJECT_TYPE": "drop_type"}
_TRUE = {"String": {"sval": "true"}}
_DML = {
    "UpdateStmt": "update",
    "DeleteStmt": "delete",
    "InsertStmt": "insert",
    "SelectStmt": "select",
}


def _pglast(text: str, offset: int) -> list[Statement]:
    """The statements of ``text`` by PostgreSQL's grammar; raises if it rejects any."""
    spans, binds = _scan(text, mysql=False)
    if not spans:
        return []
    if "\x00" in text:  # libpg_query reads a C string: it would stop there, silently
        raise ValueError("NUL character")
    from pglast.parser import parse_sql_json

    masked = _mask(text, binds, "$1")
    parsed = json.loads(parse_sql_json(masked))
    source = _Source(masked, text, binds)
    starts = [start for start, _ in spans]
    found = []
    for raw in parsed["stmts"]:
        location = raw.get("stmt_location", 0)
        start = source.char(location)
        stop = source.char(location + raw["stmt_len"]) if raw.get("stmt_len") else len(text)
        # PostgreSQL's statement runs to its ";", comments included: end at the last token
        last = bisect.bisect_left(starts, stop) - 1
        end = min(spans[last][1], stop)
        statement = Statement("other", text[start:end].rstrip(), offset + start)
        found.append(_pg_statement(statement, raw["stmt"], source))
    return found


class _Source:
    """A parsed string: byte offsets to characters, and PostgreSQL's tokens when needed."""

    def __init__(self, masked: str, text: str, binds: list[tuple[int, int]]) -> None:
        self.masked = masked
        self.text = text
        self.binds = binds
        self._bind_starts = [start for start, _ in binds]
        self.data = None if masked.isascii() else masked.encode()
        self._tokens: list[Token] | None = None
        self._starts: list[int] = []

    def char(self, offset: int) -> int:
        if self.data is None:
            return offset
        return len(self.data[:offset].decode(errors="ignore"))

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            from pglast.parser import scan

            self._tokens = [t for t in scan(self.masked) if not t.name.endswith("_COMMENT")]
            self._starts = [t.start for t in self._tokens]
        return self._tokens

    def index(self, offset: int) -> int:
        """The first token at or after the character offset."""
        self.tokens  # noqa: B018 - fills _starts
        return bisect.bisect_left(self._starts, offset)

    def after(self, offset: int, keyword: str) -> int:
        """The token after the first ``keyword`` at or after ``offset``."""
        i = self.index(offset)
        while self.tokens[i].name != keyword:
            i += 1
        return i + 1

    def run(self, i: int, limit: float) -> str:
        """From token ``i`` to the expression's end: a "," or ")" outside brackets, or ``limit``."""
        tokens, depth, last = self.tokens, 0, i
        for j in range(i, len(tokens)):
            name = tokens[j].name
            if tokens[j].start >= limit or (
                depth == 0 and name in ("ASCII_44", "ASCII_41", "ASCII_59")
            ):
                break
            depth += name in ("ASCII_40", "ASCII_91")
            depth -= name in ("ASCII_41", "ASCII_93")
            last = j
        end = tokens[last].end + 1
        # a placeholder is shorter than its bind: end where the bind ends
        k = bisect.bisect_left(self._bind_starts, end) - 1
        if k >= 0 and self.binds[k][1] > end:
            end = self.binds[k][1]
        return self.text[tokens[i].start : end]

    def group(self, i: int) -> str:
        """The text inside the parenthesis at token ``i``."""
        inner = self.run(i + 1, float("inf"))
        return inner.strip()


def _pg_statement(statement: Statement, wrapped: _Node, source: _Source) -> Statement:
    node_type, node = _inner(wrapped)
    if node_type == "AlterTableStmt":
        return _pg_alter_table(statement, node, source)
    if node_type == "RenameStmt":
        return _pg_rename(statement, node)
    if node_type == "IndexStmt":
        schema, table = _range_var(node["relation"])
        flags = _flags(concurrently=node.get("concurrent"), unique=node.get("unique"))
        flags += _flags(if_not_exists=node.get("if_not_exists"))
        return statement._replace(
            kind="create_index",
            table=table,
            schema=schema,
            name=node.get("idxname"),
            flags=tuple(sorted(flags)),
            tables=(table,),
        )
    if node_type == "DropStmt" and node.get("removeType") in _DROPS:
        return _pg_drop(statement, node)
    if node_type == "ReindexStmt":
        return _pg_reindex(statement, node)
    if node_type == "CreateEnumStmt":
        schema, name = _qualified(_strings(node["typeName"]))
        values = tuple(_strings(node.get("vals", [])))
        return statement._replace(kind="create_type", schema=schema, name=name, values=values)
    if node_type == "CompositeTypeStmt":
        schema, name = _range_var(node["typevar"])
        return statement._replace(kind="create_type", schema=schema, name=name)
    if node_type == "CreateRangeStmt":
        schema, name = _qualified(_strings(node["typeName"]))
        return statement._replace(kind="create_type", schema=schema, name=name)
    if node_type == "AlterEnumStmt":
        return _pg_alter_enum(statement, node)
    if node_type == "ViewStmt":
        schema, name = _range_var(node["view"])
        return statement._replace(
            kind="create_view", schema=schema, name=name, tables=_pg_tables(node["query"], ())
        )
    if node_type == "CreateStmt":
        return _pg_create_table(statement, node, source)
    if node_type == "CreateTableAsStmt" and node.get("objtype") == "OBJECT_TABLE":
        schema, table = _range_var(node["into"]["rel"])
        return statement._replace(
            kind="create_table",
            table=table,
            schema=schema,
            flags=_flags(if_not_exists=node.get("if_not_exists")),
            tables=_pg_tables(node["query"], (table,)),
        )
    if node_type in _DML:
        return _pg_dml(statement, node_type, node)
    if node_type == "TruncateStmt":
        tables = [_range_var(r.get("RangeVar", r))[1] for r in node.get("relations", [])]
        return statement._replace(
            kind="truncate", table=tables[0] if tables else None, tables=_unique(tables)
        )
    if node_type == "VariableSetStmt" and node["kind"] in ("VAR_SET_VALUE", "VAR_SET_DEFAULT"):
        values = tuple(_constant(arg) for arg in node.get("args", []))
        return statement._replace(
            kind="set",
            name=node["name"],
            values=values,
            flags=_flags(local=node.get("is_local")),
        )
    if node_type == "TransactionStmt" and node["kind"] in _TRANSACTIONS:
        return statement._replace(kind=_TRANSACTIONS[node["kind"]])
    return statement


def _pg_alter_table(statement: Statement, node: _Node, source: _Source) -> Statement:
    schema, table = _range_var(node["relation"])
    actions = tuple(_pg_command(cmd["AlterTableCmd"], source) for cmd in node["cmds"])
    flags = _flags(if_exists=node.get("missing_ok"))
    if any("concurrently" in action.flags for action in actions):
        flags += ("concurrently",)
    kind = {"OBJECT_TABLE": "alter_table", "OBJECT_TYPE": "alter_type"}.get(
        node["objtype"], "other"
    )
    references = tuple(a.references for a in actions if a.references)
    return statement._replace(
        kind=kind,
        table=table if kind == "alter_table" else None,
        name=table if kind != "alter_table" else None,
        schema=schema,
        flags=tuple(sorted(flags)),
        actions=actions,
        tables=_unique((table, *references)) if kind == "alter_table" else (),
    )


def _pg_command(cmd: _Node, source: _Source) -> Action:
    subtype = cmd["subtype"]
    name = cmd.get("name")
    missing = cmd.get("missing_ok")
    definition: _Node = cmd.get("def") or {}
    if subtype == "AT_AddColumn":
        column = definition["ColumnDef"]
        i = source.index(source.char(column["location"]))
        if source.tokens[i].name in ("INDEX", "KEY") and source.tokens[i - 1].name == "ADD_P":
            raise ValueError("MySQL's ADD INDEX / ADD KEY, not a column named index")
        action = _pg_column(column, source)
        return action._replace(flags=tuple(sorted(action.flags + _flags(if_not_exists=missing))))
    if subtype == "AT_DropColumn":
        return Action("drop_column", column=name, flags=_flags(if_exists=missing))
    if subtype == "AT_AlterColumnType":
        column = definition["ColumnDef"]
        flags = _flags(using="raw_default" in column)
        return Action(
            "alter_column_type", column=name, type=_pg_type(column["typeName"]), flags=flags
        )
    if subtype in _SIMPLE_COMMANDS:
        kind = _SIMPLE_COMMANDS[subtype]
        column, constraint = (None, name) if kind == "validate_constraint" else (name, None)
        return Action(kind, column=column, name=constraint)
    if subtype == "AT_ColumnDefault":
        if not definition:
            return Action("drop_default", column=name)
        start = source.char(min(_locations(definition)))
        i = source.index(start)
        while source.tokens[i - 1].name != "DEFAULT":
            i -= 1
        return Action(
            "set_default",
            column=name,
            default=source.run(i, float("inf")),
            functions=_pg_functions(definition),
        )
    if subtype == "AT_AddConstraint":
        return _pg_constraint(definition["Constraint"], source)
    if subtype == "AT_DropConstraint":
        return Action("drop_constraint", name=name, flags=_flags(if_exists=missing))
    if subtype == "AT_DetachPartition":
        partition = definition["PartitionCmd"]
        flags = _flags(concurrently=partition.get("concurrent"))
        return Action("detach_partition", name=partition["name"]["relname"], flags=flags)
    return Action("other")


def _pg_column(column: _Node, source: _Source) -> Action:
    type_text = _pg_type(column["typeName"]) if "typeName" in column else None
    flags: list[str] = ["serial"] if type_text in _SERIAL else []
    constraints = [c["Constraint"] for c in column.get("constraints", [])]
    # an expression ends where the next constraint or COLLATE clause begins
    starts = [source.char(c["location"]) for c in constraints]
    if "collClause" in column:
        collate = source.char(column["collClause"]["location"])
    default = expression = key = name = references = None
    functions: list[str] = []
    not_null = False
    for i, constraint in enumerate(constraints):
        contype = constraint["contype"]
        location = starts[i]
        ends = starts[i + 1 : i + 2]
        if "collClause" in column and collate > location:
            ends.append(collate)
        limit = min(ends, default=float("inf"))
        if contype in _INLINE_FLAGS:
            flags.append(_INLINE_FLAGS[contype])
        if contype in _CONSTRAINTS and key is None:
            key, name = _CONSTRAINTS[contype], constraint.get("conname")
        references = references or constraint.get("pktable", {}).get("relname")
        not_null = not_null or contype == "CONSTR_NOTNULL"
        if contype == "CONSTR_DEFAULT":
            default = source.run(source.after(location, "DEFAULT"), limit)
        elif contype == "CONSTR_CHECK":
            expression = expression or source.group(source.after(location, "CHECK"))
        elif contype == "CONSTR_GENERATED" and constraint.get("generated_kind", "s") == "s":
            flags.append("generated_stored")
        functions += _pg_functions(constraint.get("raw_expr"))
    return Action(
        "add_column",
        column=column["colname"],
        name=name,
        constraint=key,
        type=type_text,
        default=default,
        functions=tuple(sorted(set(functions))),
        references=references,
        expression=expression,
        not_null=not_null,
        flags=tuple(sorted(set(flags))),
    )


def _pg_constraint(constraint: _Node, source: _Source) -> Action:
    contype = constraint["contype"]
    name = constraint.get("conname")
    if contype == "CONSTR_NOTNULL":  # PostgreSQL 18: ADD [CONSTRAINT n] NOT NULL c [NOT VALID]
        (column,) = _strings(constraint["keys"])
        return Action(
            "set_not_null",
            column=column,
            name=name,
            flags=_flags(not_valid=constraint.get("skip_validation")),
        )
    key = _CONSTRAINTS.get(contype)
    if key is None:  # pragma: no cover - PostgreSQL 18's grammar adds no other table constraint
        return Action("other", name=name)
    columns = _strings(constraint.get("fk_attrs") or constraint.get("keys") or [])
    expression = None
    raw: _Node = constraint.get("raw_expr") or {}
    if contype == "CONSTR_CHECK":
        expression = source.group(source.after(source.char(constraint["location"]), "CHECK"))
        test = raw.get("NullTest", {})
        if test.get("nulltesttype") == "IS_NOT_NULL" and "ColumnRef" in test["arg"]:
            columns = _strings(test["arg"]["ColumnRef"]["fields"])
    # NOT ENFORCED (PostgreSQL 18) skips validation for good: it is not NOT VALID
    enforced = constraint.get("is_enforced") or contype not in ("CONSTR_CHECK", "CONSTR_FOREIGN")
    flags = _flags(
        not_valid=enforced and constraint.get("skip_validation"),
        not_enforced=not enforced,
        using_index="indexname" in constraint,
    )
    return Action(
        "add_constraint",
        column=columns[0] if len(columns) == 1 else None,
        name=name,
        constraint=key,
        references=constraint.get("pktable", {}).get("relname"),
        expression=expression,
        functions=_pg_functions(raw),
        flags=flags,
    )


def _pg_rename(statement: Statement, node: _Node) -> Statement:
    rename_type = node["renameType"]
    schema, relation = _range_var(node["relation"]) if "relation" in node else (None, None)
    kind, table, name = "alter_table", relation, None
    if rename_type == "OBJECT_TABLE":
        action = Action("rename_table", target=node["newname"])
    elif rename_type == "OBJECT_COLUMN" and node.get("relationType") == "OBJECT_TABLE":
        action = Action("rename_column", column=node["subname"], target=node["newname"])
    elif rename_type == "OBJECT_TABCONSTRAINT":
        action = Action("rename_constraint", name=node["subname"], target=node["newname"])
    elif rename_type == "OBJECT_INDEX":
        kind, table, name = "other", None, relation
        action = Action("rename_index", name=relation, target=node["newname"])
    else:
        return statement
    return statement._replace(
        kind=kind,
        table=table,
        schema=schema,
        name=name,
        flags=_flags(if_exists=node.get("missing_ok")),
        actions=(action,),
        tables=(table,) if table else (),
    )


def _pg_drop(statement: Statement, node: _Node) -> Statement:
    kind = _DROPS[node["removeType"]]
    names = []
    for wrapped in node["objects"]:
        node_type, item = _inner(wrapped)
        names.append(_qualified(_strings(item["items"] if node_type == "List" else item["names"])))
    schema, first = names[0]
    flags = _flags(if_exists=node.get("missing_ok"), concurrently=node.get("concurrent"))
    values = tuple(name for _, name in names)
    return statement._replace(
        kind=kind,
        table=first if kind == "drop_table" else None,
        name=first if kind != "drop_table" else None,
        schema=schema,
        values=values,
        flags=tuple(sorted(flags)),
        tables=values if kind == "drop_table" else (),
    )


def _pg_reindex(statement: Statement, node: _Node) -> Statement:
    concurrently = any(
        param["DefElem"]["defname"] == "concurrently"
        and _constant(param["DefElem"].get("arg", _TRUE)).lower() not in ("false", "off", "0")
        for param in node.get("params", [])
    )
    statement = statement._replace(kind="reindex", flags=_flags(concurrently=concurrently))
    if "relation" not in node:
        return statement._replace(name=node.get("name"))
    schema, name = _range_var(node["relation"])
    if node["kind"] == "REINDEX_OBJECT_TABLE":
        return statement._replace(table=name, schema=schema, tables=(name,))
    return statement._replace(name=name, schema=schema)


def _pg_alter_enum(statement: Statement, node: _Node) -> Statement:
    schema, name = _qualified(_strings(node["typeName"]))
    if "oldVal" in node:
        action = Action("rename_value", name=node["oldVal"], target=node["newVal"])
    else:
        action = Action(
            "add_value",
            name=node["newVal"],
            flags=_flags(if_not_exists=node.get("skipIfNewValExists")),
        )
    return statement._replace(kind="alter_type", schema=schema, name=name, actions=(action,))


def _pg_create_table(statement: Statement, node: _Node, source: _Source) -> Statement:
    schema, table = _range_var(node["relation"])
    actions = []
    for wrapped in node.get("tableElts", []):
        node_type, element = _inner(wrapped)
        if node_type == "ColumnDef":
            actions.append(_pg_column(element, source))
        elif node_type == "Constraint":
            actions.append(_pg_constraint(element, source))
    parents = tuple(_range_var(p["RangeVar"])[1] for p in node.get("inhRelations", []))
    references = tuple(a.references for a in actions if a.references)
    return statement._replace(
        kind="create_table",
        table=table,
        schema=schema,
        flags=_flags(if_not_exists=node.get("if_not_exists")),
        actions=tuple(actions),
        tables=_unique((table, *parents, *references)),
    )


def _pg_dml(statement: Statement, node_type: str, node: _Node) -> Statement:
    kind = _DML[node_type]
    schema = table = None
    if "relation" in node:
        schema, table = _range_var(node["relation"])
    flags: tuple[str, ...] = ()
    source_query = node.get("selectStmt", {}).get("SelectStmt")
    if source_query is not None and "valuesLists" not in source_query:
        flags = ("select_source",)
    if kind in ("update", "delete") and "whereClause" not in node:
        flags = ("all_rows",)
    return statement._replace(
        kind=kind,
        table=table,
        schema=schema,
        flags=flags,
        tables=_pg_tables(node, (table,) if table else ()),
    )


def _pg_tables(node: Any, first: tuple[str, ...]) -> tuple[str, ...]:
    """Every table named in the tree, in the order written, CTE names left out."""
    ctes = set()
    found = []
    for body in _bodies(node):
        if "relname" in body:
            found.append((body.get("location", -1), body.get("schemaname"), body["relname"]))
        elif "ctename" in body:
            ctes.add(body["ctename"])
    found.sort(key=lambda item: item[0])
    names = [name for _, schema, name in found if schema is not None or name not in ctes]
    return _unique((*first, *names))


def _pg_functions(node: Any) -> tuple[str, ...]:
    names = set()
    for key, body in _wrapped(node):
        if key == "FuncCall":
            names.add(_strings(body["funcname"])[-1].lower())
        elif key == "SQLValueFunction":
            names.add(body["op"].removeprefix("SVFOP_").removesuffix("_N").lower())
    return tuple(sorted(names))


def _pg_type(type_name: _Node) -> str:
    names = _strings(type_name["names"])
    if len(names) > 1 and names[0] == "pg_catalog":
        names = names[1:]
    text = ".".join(names)
    modifiers = [_modifier(m) for m in type_name.get("typmods", [])]
    if modifiers and text != "interval" and None not in modifiers:
        text += f"({', '.join(m for m in modifiers if m is not None)})"
    for bound in type_name.get("arrayBounds", []):
        size = bound["Integer"].get("ival", -1)
        text += "[]" if size < 0 else f"[{size}]"
    return text


def _modifier(wrapped: _Node) -> str | None:
    node_type, node = _inner(wrapped)
    if node_type == "A_Const" and "sval" in node:
        return "'" + _constant(wrapped).replace("'", "''") + "'"
    if node_type == "A_Const":
        return _constant(wrapped)
    if node_type == "ColumnRef":
        return ".".join(_strings(node["fields"]))
    return None


def _constant(wrapped: _Node) -> str:
    """A constant's value as text (``5s``, ``0``, ``true``); other nodes give their type name."""
    node_type, node = _inner(wrapped)
    if node_type == "A_Const":
        for field in ("sval", "ival", "fval", "boolval"):
            if field in node:
                value = node[field].get(
                    field, {"sval": "", "ival": 0, "fval": "0"}.get(field, False)
                )
                return str(value).lower() if field == "boolval" else str(value)
        return "null"
    if node_type == "String":
        return str(node.get("sval", ""))
    if node_type == "Integer":
        return str(node.get("ival", 0))
    return node_type


def _inner(wrapped: _Node) -> tuple[str, _Node]:
    """``{"Type": {...}}`` -> ``("Type", {...})``."""
    ((node_type, node),) = wrapped.items()
    return node_type, node


def _strings(nodes: list[_Node]) -> list[str]:
    return [str(n["String"].get("sval", "")) for n in nodes if "String" in n]


def _range_var(node: _Node) -> tuple[str | None, str]:
    return node.get("schemaname"), node["relname"]


def _qualified(names: list[str]) -> tuple[str | None, str]:
    return (names[-2] if len(names) > 1 else None), names[-1]


def _wrapped(node: Any) -> list[tuple[str, _Node]]:
    """Every ``(key, dict)`` pair below ``node``; iterative, for deep trees."""
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            for key, value in item.items():
                if type(value) is dict:
                    found.append((key, value))
                    stack.append(value)
                elif type(value) is list:
                    stack.append(value)
        elif type(item) is list:
            stack.extend(item)
    return found


def _bodies(node: Any) -> list[_Node]:
    return [body for _, body in _wrapped(node)]


def _locations(node: Any) -> list[int]:
    return [b["location"] for b in _bodies(node) if b.get("location", -1) >= 0]


def _flags(**given: Any) -> tuple[str, ...]:
    return tuple(sorted(name for name, value in given.items() if value))


def _unique(names: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for name in names if name))


# --- MySQL (sqlglot) ----------------------------------------------------------------------------


def _sqlglot(text: str, offset: int, dialect: str = "mysql") -> list[Statement]:
    """One statement by sqlglot's grammar for ``dialect``; raises if it is not understood."""
    import logging

    import sqlglot
    from sqlglot import exp

    masked = _mask(text, _scan(text, mysql=True)[1], "?")
    statement = Statement("other", text, offset, parser=dialect)
    logger = logging.getLogger("sqlglot")
    # sqlglot logs a warning for each statement it falls back on; that is our "not understood"
    disabled, logger.disabled = logger.disabled, True
    try:
        (tree,) = sqlglot.parse(masked, read=dialect)
    finally:
        logger.disabled = disabled
    if isinstance(tree, exp.Command) and tree.name.upper() == "RENAME":
        return [_my_rename_table(statement, tree.expression.name)]
    if isinstance(tree, exp.Set):
        return _my_set(statement, tree)
    return [_my_statement(statement, tree)]


def _my_statement(statement: Statement, tree: exp.Expr | None) -> Statement:
    from sqlglot import exp

    if isinstance(tree, exp.Alter) and tree.args.get("kind") == "TABLE":
        return _my_alter_table(statement, tree)
    if isinstance(tree, exp.Create):
        return _my_create(statement, tree)
    if isinstance(tree, exp.Drop) and tree.args.get("kind") in ("TABLE", "INDEX", "TYPE"):
        return _my_drop(statement, tree)
    if isinstance(tree, (exp.Update, exp.Delete, exp.Insert, exp.Query)):
        return _my_dml(statement, tree)
    if isinstance(tree, exp.Transaction):
        return statement._replace(kind="begin")
    if isinstance(tree, exp.Commit):
        return statement._replace(kind="commit")
    if isinstance(tree, (exp.Alter, exp.Drop, exp.Rollback, exp.Use, exp.Show, exp.Grant)):
        return statement
    raise ValueError("not a statement that sqlglot understood")


def _my_alter_table(statement: Statement, tree: exp.Alter) -> Statement:
    schema, table = _my_table(tree.this)
    actions = tuple(_my_action(action) for action in tree.args.get("actions") or [])
    if tree.args.get("not_valid"):
        actions = tuple(
            a._replace(flags=tuple(sorted({*a.flags, "not_valid"})))
            if a.kind == "add_constraint"
            else a
            for a in actions
        )
    references = tuple(a.references for a in actions if a.references)
    return statement._replace(
        kind="alter_table",
        table=table,
        schema=schema,
        flags=_flags(if_exists=tree.args.get("exists")),
        actions=actions,
        tables=_unique((table, *references)),
    )


def _my_action(action: exp.Expr) -> Action:
    from sqlglot import exp

    if isinstance(action, exp.ColumnDef):
        added = _my_column(action, "add_column")
        both = {*added.flags, *_flags(if_not_exists=action.args.get("exists"))}
        return added._replace(flags=tuple(sorted(both)))
    if isinstance(action, exp.ModifyColumn):
        column = action.this
        renamed = action.args.get("rename_from")
        if renamed is None:
            return _my_column(column, "modify_column")
        return _my_column(column, "change_column")._replace(
            column=_my_name(renamed), target=_my_name(column.this)
        )
    if isinstance(action, exp.AlterColumn):
        return _my_alter_column(action)
    if isinstance(action, exp.Drop):
        kind = str(action.args.get("kind") or "")
        name = _my_name(action.args["tables"][0])
        flags = _flags(if_exists=action.args.get("exists"))
        if kind == "COLUMN":
            return Action("drop_column", column=name, flags=flags)
        if kind in ("FOREIGN KEY", "CONSTRAINT", "CHECK"):
            return Action("drop_constraint", name=name, flags=flags)
        return Action("other", name=name)
    if isinstance(action, exp.AddConstraint):
        return _my_constraint(action.expressions[0])
    if isinstance(action, exp.RenameColumn):
        return Action(
            "rename_column", column=_my_name(action.this), target=_my_name(action.args["to"])
        )
    if isinstance(action, exp.AlterRename):
        return Action("rename_table", target=_my_table(action.this)[1])
    if isinstance(action, exp.RenameIndex):
        return Action(
            "rename_index", name=_my_name(action.this), target=_my_name(action.args["to"])
        )
    return Action("other")


def _my_alter_column(action: exp.AlterColumn) -> Action:
    column = _my_name(action.this)
    if action.args.get("dtype") is not None:
        flags = _flags(using=action.args.get("using"))
        return Action(
            "alter_column_type",
            column=column,
            type=_my_sql(action.args["dtype"]).lower(),
            flags=flags,
        )
    if action.args.get("default") is not None:
        default = action.args["default"]
        return Action(
            "set_default", column=column, default=_my_sql(default), functions=_my_functions(default)
        )
    if action.args.get("allow_null") is not None:
        return Action(
            "drop_not_null" if action.args["allow_null"] else "set_not_null", column=column
        )
    if action.args.get("drop"):
        return Action("drop_default", column=column)
    return Action("other", column=column)


def _my_column(column: exp.ColumnDef, kind: str) -> Action:
    from sqlglot import exp

    type_node = column.args.get("kind")
    type_text = _my_sql(type_node).lower() if type_node is not None else None
    flags = ["serial"] if type_text in _SERIAL else []
    default = expression = key = references = None
    functions: list[str] = []
    not_null = False
    for constraint in column.args.get("constraints") or []:
        spec = constraint.args["kind"]
        if isinstance(spec, exp.NotNullColumnConstraint):
            not_null = not spec.args.get("allow_null")
        elif isinstance(spec, exp.DefaultColumnConstraint):
            default = _my_sql(spec.this)
        elif isinstance(spec, exp.ComputedColumnConstraint) and spec.args.get("persisted"):
            flags.append("generated_stored")
        elif isinstance(
            spec, (exp.AutoIncrementColumnConstraint, exp.GeneratedAsIdentityColumnConstraint)
        ):
            flags.append("identity")
        elif isinstance(spec, exp.PrimaryKeyColumnConstraint):
            flags.append("primary_key")
            key = key or "primary_key"
        elif isinstance(spec, exp.UniqueColumnConstraint):
            flags.append("unique")
            key = key or "unique"
        elif isinstance(spec, exp.Reference):
            flags.append("references")
            key = key or "foreign_key"
            references = _my_reference(spec)
        elif isinstance(spec, exp.CheckColumnConstraint):
            key = key or "check"
            expression = _my_sql(spec.this)
        functions += _my_functions(spec)
    return Action(
        kind,
        column=_my_name(column.this),
        constraint=key,
        type=type_text,
        default=default,
        functions=tuple(sorted(set(functions))),
        references=references,
        expression=expression,
        not_null=not_null,
        flags=tuple(sorted(set(flags))),
    )


def _my_constraint(node: exp.Expr) -> Action:
    from sqlglot import exp

    name = None
    if isinstance(node, exp.Constraint):
        name = _my_name(node.this)
        node = node.expressions[0]
    columns: list[exp.Expr] = []
    references = expression = None
    if isinstance(node, exp.ForeignKey):
        key, columns = "foreign_key", node.expressions
        references = _my_reference(node.args["reference"])
    elif isinstance(node, exp.PrimaryKey):
        key, columns = "primary_key", node.expressions
    elif isinstance(node, exp.UniqueColumnConstraint) and isinstance(node.this, exp.Schema):
        key, columns = "unique", node.this.expressions
        if name is None and node.this.this is not None:
            name = _my_name(node.this.this)
    elif isinstance(node, exp.CheckColumnConstraint):
        key, expression = "check", _my_sql(node.this)
        test, negated = node.this, False
        if isinstance(test, exp.Not):
            test, negated = test.this, True
        negated = negated or bool(test.args.get("negate"))
        if isinstance(test, exp.Is) and isinstance(test.expression, exp.Null) and negated:
            columns = [test.this]
    else:
        index = node.this if isinstance(node, exp.IndexColumnConstraint) else None
        return Action("other", name=name or (_my_name(index) if index is not None else None))
    return Action(
        "add_constraint",
        column=_my_name(columns[0]) if len(columns) == 1 else None,
        name=name,
        constraint=key,
        references=references,
        expression=expression,
        functions=_my_functions(node),
    )


def _my_create(statement: Statement, tree: exp.Create) -> Statement:
    from sqlglot import exp

    kind = str(tree.args.get("kind") or "")
    target = tree.this
    if kind == "INDEX" and isinstance(target, exp.Index):
        schema, table = _my_table(target.args["table"])
        flags = _flags(unique=tree.args.get("unique"), if_not_exists=tree.args.get("exists"))
        flags += _flags(concurrently=tree.args.get("concurrently"))
        return statement._replace(
            kind="create_index",
            table=table,
            schema=schema,
            name=_my_name(target.this) if target.this else None,
            flags=tuple(sorted(flags)),
            tables=(table,),
        )
    if kind == "TABLE":
        columns = target.expressions if isinstance(target, exp.Schema) else []
        table_node = target.this if isinstance(target, exp.Schema) else target
        schema, table = _my_table(table_node)
        actions = tuple(
            _my_column(c, "add_column") if isinstance(c, exp.ColumnDef) else _my_constraint(c)
            for c in columns
        )
        references = tuple(a.references for a in actions if a.references)
        query = tree.expression
        sources = _my_tables(query) if query is not None else ()
        return statement._replace(
            kind="create_table",
            table=table,
            schema=schema,
            flags=_flags(if_not_exists=tree.args.get("exists")),
            actions=actions,
            tables=_unique((table, *sources, *references)),
        )
    if kind == "VIEW":
        schema, name = _my_table(target)
        return statement._replace(
            kind="create_view", schema=schema, name=name, tables=_my_tables(tree.expression)
        )
    return statement


def _my_drop(statement: Statement, tree: exp.Drop) -> Statement:
    from sqlglot import exp

    kind = {"TABLE": "drop_table", "INDEX": "drop_index", "TYPE": "drop_type"}[tree.args["kind"]]
    names = [_my_table(t) for t in tree.args.get("tables") or []]
    schema, first = names[0]
    values = tuple(name for _, name in names)
    flags = _flags(if_exists=tree.args.get("exists"), concurrently=tree.args.get("concurrently"))
    table = None
    on = tree.args.get("cluster")
    if kind == "drop_index" and isinstance(on, exp.OnProperty):
        table = _my_table(on.this)[1]
    return statement._replace(
        kind=kind,
        table=first if kind == "drop_table" else table,
        name=first if kind != "drop_table" else None,
        schema=schema,
        values=values,
        flags=flags,
        tables=values if kind == "drop_table" else _unique((table,)),
    )


def _my_dml(statement: Statement, tree: exp.Expr) -> Statement:
    from sqlglot import exp

    kind = "select"
    if isinstance(tree, exp.Update):
        kind = "update"
    elif isinstance(tree, exp.Delete):
        kind = "delete"
    elif isinstance(tree, exp.Insert):
        kind = "insert"
    schema = table = None
    if kind != "select":
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        schema, table = _my_table(target)
    query = tree.args.get("expression") if kind == "insert" else None
    flags = ("select_source",) if isinstance(query, exp.Query) else ()
    return statement._replace(
        kind=kind,
        table=table,
        schema=schema,
        flags=flags,
        tables=_unique((table, *_my_tables(tree))),
    )


def _my_set(statement: Statement, tree: exp.Set) -> list[Statement]:
    """One statement per assignment: MySQL's ``SET a = 1, GLOBAL b = 2`` sets two variables."""
    from sqlglot import exp

    found = []
    scope = ""
    for item in tree.expressions:
        # a scope applies to the assignments after it that name none (MySQL's rule)
        scope = str(item.args.get("kind") or scope).upper()
        assignment = item.this
        target = assignment.this if isinstance(assignment, exp.EQ) else None
        if target is None or isinstance(target, exp.Parameter):  # SET NAMES, a user @variable
            found.append(statement)
            continue
        here = scope
        if isinstance(target, exp.SessionParameter):  # @@global.x
            here = str(target.args.get("kind") or "").upper()
            target = target.this
        value = assignment.expression
        found.append(
            statement._replace(
                kind="set",
                name=target.name.lower(),
                values=(value.name if isinstance(value, exp.Literal) else _my_sql(value),),
                flags=_flags(
                    local=here == "LOCAL",
                    **{"global": here in ("GLOBAL", "PERSIST", "PERSIST_ONLY")},
                ),
            )
        )
    return found


def _my_rename_table(statement: Statement, rest: str) -> Statement:
    """``RENAME TABLE a TO b [, c TO d]``, read from sqlglot's MySQL tokens."""
    from sqlglot import TokenType
    from sqlglot.dialects.mysql import MySQL

    tokens = MySQL().tokenize(rest)
    if tokens[0].token_type != TokenType.TABLE:
        raise ValueError("not RENAME TABLE")
    names: list[tuple[str | None, str]] = []
    parts: list[str] = []
    for token in [*tokens[1:], None]:
        if token is None or token.token_type == TokenType.COMMA or token.text.upper() == "TO":
            names.append(_qualified(parts))
            parts = []
        elif token.token_type != TokenType.DOT:
            quoted = token.token_type == TokenType.IDENTIFIER
            parts.append(token.text if quoted else token.text.lower())
    if len(names) % 2:
        raise ValueError("RENAME TABLE without a new name")
    olds, news = names[::2], names[1::2]
    return statement._replace(
        kind="alter_table",
        table=olds[0][1],
        schema=olds[0][0],
        actions=tuple(Action("rename_table", target=new) for _, new in news),
        tables=_unique([old for _, old in olds]),
    )


def _my_table(node: exp.Expr) -> tuple[str | None, str]:
    db = node.args.get("db")
    return (_my_name(db) if db is not None else None), _my_name(node.this)


def _my_tables(tree: exp.Expr) -> tuple[str, ...]:
    from sqlglot import exp

    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    found = []
    for table in tree.find_all(exp.Table):
        schema, name = _my_table(table)
        if schema is not None or name not in ctes:
            found.append(name)
    return _unique(found)


def _my_reference(reference: exp.Expr) -> str | None:
    from sqlglot import exp

    target = reference.this
    if isinstance(target, exp.Schema):
        target = target.this
    return _my_table(target)[1]


def _my_functions(node: exp.Expr) -> tuple[str, ...]:
    from sqlglot import exp

    names = set()
    for call in node.find_all(exp.Func):
        if isinstance(call, (exp.Cast, exp.TryCast)):
            continue
        names.add((call.name if isinstance(call, exp.Anonymous) else call.sql_name()).lower())
    return tuple(sorted(names))


def _my_name(node: exp.Expr) -> str:
    from sqlglot import exp

    while isinstance(node, (exp.Column, exp.Table)):
        node = node.this
    return node.name if node.args.get("quoted") else node.name.lower()


def _my_sql(node: exp.Expr) -> str:
    return node.sql(dialect="mysql")
