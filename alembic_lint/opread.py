"""The ast of ``upgrade()`` / ``downgrade()`` -> the operation model (see ``operations``)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

from alembic_lint.operations import (
    Call,
    Column,
    Condition,
    Expr,
    Lit,
    Operation,
    Operations,
    Ref,
    SegmentKind,
    Seq,
    Unknown,
    Via,
    tail,
)

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
    from alembic_lint.sql import Statement


class HasOperations(Protocol):
    @property
    def operations(self) -> Sequence[Operation]: ...


# Alembic's own parameter names, in order, for the positional arguments of each operation.
_OP_PARAMS: Mapping[str, tuple[str, ...]] = {
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_foreign_key": (
        "constraint_name",
        "source_table",
        "referent_table",
        "local_cols",
        "remote_cols",
    ),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_exclude_constraint": ("constraint_name", "table_name"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "rename_table": ("old_table_name", "new_table_name"),
    "execute": ("sqltext",),
    "bulk_insert": ("table", "rows"),
    "create_table_comment": ("table_name", "comment"),
    "drop_table_comment": ("table_name",),
    "batch_alter_table": ("table_name", "schema", "recreate"),
}
_BATCH_PARAMS: Mapping[str, tuple[str, ...]] = {
    "add_column": ("column",),
    "drop_column": ("column_name",),
    "alter_column": ("column_name",),
    "create_index": ("index_name", "columns"),
    "drop_index": ("index_name",),
    "create_foreign_key": ("constraint_name", "referent_table", "local_cols", "remote_cols"),
    "create_unique_constraint": ("constraint_name", "columns"),
    "create_primary_key": ("constraint_name", "columns"),
    "create_check_constraint": ("constraint_name", "condition"),
    "create_exclude_constraint": ("constraint_name",),
    "drop_constraint": ("constraint_name", "type_"),
    "execute": ("sqltext",),
    "create_table_comment": ("comment",),
}
_TABLE_PARAMS = ("table_name", "source_table", "old_table_name")
_NAME_PARAMS = ("index_name", "constraint_name", "column_name")
_COLUMN_EXTRAS = frozenset(
    {"ForeignKey", "Computed", "Identity", "Sequence", "CheckConstraint", "FetchedValue"}
)
_SEE_THROUGH = frozenset({"bindparams", "execution_options", "columns"})
_SQL_WRAPPERS = frozenset({"text", "DDL", "literal_column"})
_OP_GETTERS = frozenset({"get_bind", "get_context", "f", "inline_literal"})
_MAX_DEPTH = 4
_MAX_UNROLL = 64
_MAX_SOURCE = 200


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _unknown(node: ast.AST) -> Unknown:
    return Unknown(ast.unparse(node)[:_MAX_SOURCE])


def _modes(test: ast.expr) -> tuple[bool | None, bool | None]:
    """Whether the branch where ``test`` holds, and the one where it does not, run only offline
    (True), only online (False), or in both modes (None)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        holds, fails = _modes(test.operand)
        return fails, holds
    if (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "is_offline_mode"
    ) or (isinstance(test, ast.Attribute) and test.attr == "as_sql"):
        return True, False
    if isinstance(test, ast.BoolOp):
        # `a and b` holds only where both do; `a or b` fails only where both do
        modes = [_modes(value)[0 if isinstance(test.op, ast.And) else 1] for value in test.values]
        mode = next((m for m in modes if m is not None), None)
        return (mode, None) if isinstance(test.op, ast.And) else (None, mode)
    return None, None


def _inert(node: ast.expr) -> bool:
    """Nothing runs in a constant or a dotted name (most arguments: ``"t"``, ``sa.Integer``),
    so there is no operation in it; a name in it may still use a read's result."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, (ast.Constant, ast.Name))


def _ends_flow(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise))


_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def _exits(body: list[ast.stmt]) -> bool:
    """Whether the block ends by leaving it; ``_ends_flow`` also means the function is left."""
    return bool(body) and isinstance(body[-1], _EXITS)


def _breaks(nodes: list[ast.AST]) -> bool:
    """Whether a ``break`` in these statements leaves the loop they are the body of."""
    for node in nodes:
        if isinstance(node, ast.Break):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        inner = list(ast.iter_child_nodes(node))
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            inner = list(node.orelse)  # a break in the body leaves that inner loop
        if _breaks(
            [n for n in inner if isinstance(n, (ast.stmt, ast.excepthandler, ast.match_case))]
        ):
            return True
    return False


def _assigned(stmts: list[ast.stmt]) -> set[str]:
    return {
        sub.id
        for stmt in stmts
        for sub in ast.walk(stmt)
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store)
    }


def _join(paths: list[dict[str, Expr]]) -> dict[str, Expr]:
    """The names after paths join: a value all paths agree on, else unknown."""
    first, *rest = paths
    joined = {}
    for name in set(first).union(*rest):
        value = first.get(name)
        same = all(path.get(name) == value for path in rest)
        joined[name] = value if value is not None and same else Unknown(name)
    return joined


FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


class _Alias(NamedTuple):
    kind: Via
    table: str | None = None
    schema: str | None = None


class _Scope(NamedTuple):
    env: dict[str, Expr]
    locals: set[str]
    aliases: dict[str, _Alias]
    targets: dict[str, str]


class _Walk:
    """One function body, statement by statement, in the order Python runs them."""

    def __init__(
        self,
        helpers: Mapping[str, FunctionNode],
        constants: Mapping[str, Expr],
        op_names: frozenset[str],
    ) -> None:
        self.helpers = dict(helpers)
        self.module_helpers = helpers
        self.constants = constants
        self.env: dict[str, Expr] = dict(constants)
        self.locals: set[str] = set()
        self.op_names = op_names
        self.aliases: dict[str, _Alias] = {}
        self.targets: dict[str, str] = {}
        """Assigned name -> the table it stands for (``t = op.create_table("t")``)."""
        self.pending: dict[str, int] = {}
        """Assigned name of a read's result -> its operation, until the name is used."""
        self.ops: list[Operation] = []
        self.conditions: list[Condition] = []
        self.segment = 0
        self.segment_kind: SegmentKind = "transaction"
        self.calling: list[str] = []

    # -- expressions ------------------------------------------------------------------------

    def expr(self, node: ast.expr) -> Expr:
        if isinstance(node, ast.Constant):
            value = node.value
            if value is None or isinstance(value, (str, int, float, bool)):
                return Lit(value)
            return _unknown(node)
        if isinstance(node, ast.Name):
            return self.env.get(node.id) or Ref(node.id)
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted is not None and dotted.split(".", 1)[0] not in self.locals:
                return Ref(dotted)
            return _unknown(node)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return Seq(tuple(self.expr(e) for e in node.elts))
        if isinstance(node, ast.Call):
            return self.call_expr(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.expr(node.left), self.expr(node.right)
            if (
                isinstance(left, Lit)
                and isinstance(right, Lit)
                and isinstance(left.value, str)
                and isinstance(right.value, str)
            ):
                return Lit(left.value + right.value)
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
            and not isinstance(node.operand.value, bool)
        ):
            return Lit(-node.operand.value)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node)
        return _unknown(node)

    def fstring(self, node: ast.JoinedStr) -> Expr:
        """An f-string whose every field is a known literal, without conversion or format."""
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            assert isinstance(value, ast.FormattedValue)
            known = self.expr(value.value) if value.conversion == -1 else None
            if value.format_spec is not None or not isinstance(known, Lit):
                return _unknown(node)
            parts.append(str(known.value))
        return Lit("".join(parts))

    def call_expr(self, node: ast.Call) -> Expr:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Call)
            and func.attr in _SEE_THROUGH
        ):
            return self.expr(func.value)
        name = _dotted(func)
        if name is None or name.split(".", 1)[0] in self.locals:
            return _unknown(node)  # `"{}".format(x)`, `sa.Enum(...).with_variant(...)`
        args = tuple(_unknown(a) if isinstance(a, ast.Starred) else self.expr(a) for a in node.args)
        kwargs = tuple(
            (kw.arg if kw.arg is not None else "**", self.expr(kw.value)) for kw in node.keywords
        )
        if args and name.rpartition(".")[0] in (*self.op_names, "alembic.op") and tail(name) == "f":
            return args[0]
        if tail(name) == "dedent" and len(args) == 1 and isinstance(args[0], Lit):
            import textwrap

            if isinstance(args[0].value, str):
                return Lit(textwrap.dedent(args[0].value))
        return Call(name, args, kwargs)

    def column(self, node: ast.expr) -> Column | None:
        """An ``sa.Column(...)``, its arguments read as SQLAlchemy reads them.

        Without ``name=``, the first positional argument is the name when ``_is_column_name``
        says so. The type is ``type_=`` or the next positional argument, unless that is a
        ``ForeignKey``, ``Computed``, ``Identity`` ... (then SQLAlchemy takes the type from it,
        or none). A
        column assigned to a name first is read from that assignment, at the line it is used."""
        held = self.env.get(node.id) if isinstance(node, ast.Name) else None
        converted: Expr
        if isinstance(held, Call) and tail(held.func) == "Column":
            converted = held  # `column = sa.Column(...)` earlier
        elif isinstance(node, ast.Call) and tail(_dotted(node.func) or "") == "Column":
            converted = self.call_expr(node)
        else:
            return None
        if not isinstance(converted, Call):
            return None
        args = list(converted.args)
        name = converted.kw("name")
        if name is None and args and _is_column_name(args):
            name = args.pop(0)
        type_: Expr | None = converted.kw("type_")
        starred = bool(args) and isinstance(args[0], Unknown) and args[0].source.startswith("*")
        if type_ is None and args and not starred and not _is_extra(args[0]):
            type_ = args.pop(0)
        kwargs = tuple((k, v) for k, v in converted.kwargs if k not in ("name", "type_"))
        line, col = node.lineno, node.col_offset + 1
        return Column(None if name is None else _str(name), type_, tuple(args), kwargs, line, col)

    # -- operations -------------------------------------------------------------------------

    def owner(self, func: ast.expr) -> tuple[Via, _Alias | None] | None:
        """What a method is called on: op, a batch alias, a connection, a session, an inspector."""
        if isinstance(func, ast.Name):
            if func.id in self.op_names:
                return ("op", None)
            alias = self.aliases.get(func.id)
            return (alias.kind, alias) if alias is not None else None
        if _dotted(func) == "alembic.op":
            return ("op", None)
        made = self.makes(func)
        return None if made is None else (made, None)

    def makes(self, node: ast.expr) -> Via | None:
        """The kind of object an expression gives: ``op.get_bind()``, ``Session(bind=...)``..."""
        if isinstance(node, ast.Name):
            alias = self.aliases.get(node.id)
            return alias.kind if alias is not None and alias.kind != "batch_op" else None
        if not isinstance(node, ast.Call):
            if isinstance(node, ast.Attribute) and node.attr == "bind":
                return "bind"
            return None
        func = node.func
        name = tail(_dotted(func) or (func.attr if isinstance(func, ast.Attribute) else ""))
        if name == "get_bind":
            return "bind"
        if name in ("connect", "connection") and isinstance(func, ast.Attribute):
            return "bind" if self.makes(func.value) == "bind" else None
        if name in ("Session", "sessionmaker") or (
            isinstance(func, (ast.Call, ast.Name)) and self.makes(func) == "session"
        ):
            return "session"
        if name == "inspect" or name == "from_engine":
            return "inspector"
        return None

    def sql_text(self, expr: Expr | None) -> str | None:
        if isinstance(expr, Lit) and isinstance(expr.value, str):
            return expr.value
        if (
            isinstance(expr, Call)
            and tail(expr.func) in _SQL_WRAPPERS
            and expr.args
            and isinstance(expr.args[0], Lit)
            and isinstance(expr.args[0].value, str)
        ):
            return expr.args[0].value
        return None

    def record(self, node: ast.Call, via: Via, alias: _Alias | None, *, target: str | None,
               consumed: str | None) -> Operation:  # fmt: skip
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else _dotted(func) or "?"
        batch = via == "batch_op"
        params = (
            (_BATCH_PARAMS if batch else _OP_PARAMS).get(method, ())
            if via
            in (
                "op",
                "batch_op",
            )
            else ()
        )
        named: list[tuple[str, Expr]] = []
        columns: list[Column] = []
        extra: list[Expr] = []
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                extra.append(_unknown(arg))
                params = params[:i]  # what the later arguments stand for is not known
                continue
            column = self.column(arg)
            if column is not None and (i >= len(params) or params[i] == "column"):
                columns.append(column)
            elif i < len(params):
                named.append((params[i], self.expr(arg)))
            else:
                extra.append(self.expr(arg))
        for kw in node.keywords:
            column = self.column(kw.value) if kw.arg == "column" else None
            if column is not None:
                columns.append(column)
            else:
                named.append((kw.arg if kw.arg is not None else "**", self.expr(kw.value)))
        values = dict(named)
        table = schema = None
        if alias is not None and alias.kind == "batch_op":
            table, schema = alias.table, alias.schema
        else:
            for key in _TABLE_PARAMS:
                if isinstance(values.get(key), Lit):
                    table = _str(values[key])
                    break
            filled = node.args[0] if node.args else _keyword(node, "table")
            if method == "bulk_insert" and filled is not None:
                table = self.table_of(filled)
            schema_value = values.get(
                "source_schema" if method == "create_foreign_key" else "schema"
            )
            schema = _str(schema_value) if isinstance(schema_value, Lit) else None
        name = None
        for key in _NAME_PARAMS:
            if isinstance(values.get(key), Lit):
                name = _str(values[key])
                break
        if name is None and method == "add_column" and columns:
            name = columns[0].name
        statements: tuple[Statement, ...] = ()
        if method in ("execute", "exec_driver_sql"):
            text = self.sql_text(values.get("sqltext") or (self.expr(node.args[0]) if (
                node.args and via != "op" and via != "batch_op") else None))  # fmt: skip
            if text is not None:
                from alembic_lint.sql import parse_sql  # most bodies run no SQL

                statements = parse_sql(text)
        return Operation(
            call=method,
            via=via,
            table=table,
            schema=schema,
            name=name,
            columns=tuple(columns),
            kwargs=tuple(named),
            args=tuple(extra),
            sql=statements,
            segment=self.segment,
            segment_kind=self.segment_kind,
            conditions=tuple(self.conditions),
            batch=batch,
            target=target,
            consumed=consumed,
            line=node.lineno,
            col=node.col_offset + 1,
        )

    def table_of(self, node: ast.expr) -> str | None:
        """The table a ``bulk_insert`` fills: a ``create_table`` result, or ``sa.table("t")``."""
        if isinstance(node, ast.Name) and node.id in self.targets:
            return self.targets[node.id]
        expr = self.expr(node)
        if (
            isinstance(expr, Call)
            and tail(expr.func) in ("table", "Table")
            and expr.args
            and isinstance(expr.args[0], Lit)
        ):
            return _str(expr.args[0])
        return None

    def emit(self, op: Operation) -> None:
        self.ops.append(op)
        if any(s.kind == "commit" for s in op.sql):
            self.segment += 1
            self.segment_kind = "after_commit"
        elif any(s.kind == "begin" for s in op.sql):
            self.segment += 1
            self.segment_kind = "transaction"

    def visit_expr(
        self, node: ast.expr, *, target: str | None = None, used: str | None = None
    ) -> None:
        """Every operation in an expression, in the order Python runs them (arguments before
        the call). ``target`` is the name the value is assigned to; ``used`` says how the
        statement around it uses the value (None: it is dropped)."""
        if _inert(node):
            self.use_names(node)
            return
        consumed = None
        inner: ast.expr = node
        links: list[ast.Call] = []
        # `conn.execute(q).fetchall()` / `.scalar()` / `.rowcount`: the read is consumed
        while not (isinstance(inner, ast.Call) and self.is_operation(inner)):
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
                links.append(inner)
                consumed, inner = inner.func.attr, inner.func.value
            elif isinstance(inner, ast.Attribute):
                consumed, inner = inner.attr, inner.value
            elif isinstance(inner, ast.Subscript):
                consumed, inner = "subscript", inner.value
            else:
                break
        if isinstance(inner, ast.Call) and self.is_operation(inner):
            self.operation(inner, target=target if consumed is None else None,
                           consumed=consumed or used)  # fmt: skip
            for link in reversed(links):
                self.visit_args(link)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            helper = self.helpers.get(node.func.id)
            if helper is not None:
                self.visit_args(node)
                self.inline(helper, node)
                return
        enum = self.enum_ddl(node, target=target, consumed=consumed or used)
        if enum is not None:
            assert isinstance(node, ast.Call)
            self.visit_args(node)
            self.emit(enum)
            return
        if isinstance(node, ast.Lambda):
            return  # its body runs when it is called, if ever
        self.use_names(node)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            self.comprehension(node)
            return
        for child in ast.iter_child_nodes(node):
            value = child.value if isinstance(child, ast.keyword) else child
            if isinstance(value, ast.expr):
                self.visit_use(value)

    def enum_ddl(
        self, node: ast.expr, *, target: str | None, consumed: str | None
    ) -> Operation | None:
        """``my_enum.create(op.get_bind(), checkfirst=...)`` (or ``.drop``): the type's DDL,
        as ``create_enum`` / ``drop_enum`` through the connection, named after the enum."""
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("create", "drop")
        ):
            return None
        enum = self.expr(node.func.value)
        if not (isinstance(enum, Call) and tail(enum.func) in ("ENUM", "Enum")):
            return None
        bind = (
            node.args[0]
            if node.args
            else next((kw.value for kw in node.keywords if kw.arg == "bind"), None)
        )
        if bind is None or self.makes(bind) != "bind":
            return None
        name = enum.kw("name")
        op = self.record(node, "bind", None, target=target, consumed=consumed)
        return op._replace(
            call=f"{node.func.attr}_enum",
            name=name.value if isinstance(name, Lit) and isinstance(name.value, str) else None,
            kwargs=(("type_", enum), *op.kwargs),
        )

    def visit_args(self, node: ast.Call) -> None:
        for arg in [*node.args, *(kw.value for kw in node.keywords)]:
            self.visit_use(arg)

    def visit_use(self, node: ast.expr) -> None:
        """An expression whose value the one around it uses."""
        if not _inert(node):
            self.visit_expr(node, used="use")
        elif self.pending:
            self.use_names(node)

    def comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        saved = self.save()
        for generator in node.generators:
            self.visit_expr(generator.iter, used="iterate")
            for sub in ast.walk(generator.target):
                if isinstance(sub, ast.Name):
                    self.bind_name(sub.id, Unknown(sub.id))
            for test in generator.ifs:
                self.visit_expr(test, used="use")
        for value in [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]:
            self.visit_expr(value, used="use")
        self.restore(saved)

    def save(self) -> _Scope:
        return _Scope(dict(self.env), set(self.locals), dict(self.aliases), dict(self.targets))

    def restore(self, saved: _Scope) -> None:
        self.env, self.locals, self.aliases, self.targets = (
            saved.env, saved.locals, saved.aliases, saved.targets
        )  # fmt: skip

    def is_operation(self, node: ast.Call) -> bool:
        """A call on op, batch_op, a connection, a session or an inspector, other than the
        calls that only give one of those (``op.get_bind()``, ``bind.connect()``)."""
        func = node.func
        if not isinstance(func, ast.Attribute):
            return False
        owned = self.owner(func.value)
        if owned is None or self.makes(node) is not None:
            return False
        return not (owned[0] == "op" and func.attr in _OP_GETTERS)

    def operation(self, node: ast.Call, *, target: str | None, consumed: str | None) -> None:
        assert isinstance(node.func, ast.Attribute)
        owned = self.owner(node.func.value)
        assert owned is not None
        via, alias = owned
        receiver = node.func.value
        if isinstance(receiver, ast.Call) and self.makes(receiver) == "inspector":
            # `sa.inspect(bind).has_table(...)`: the inspector is made here, as when assigned
            self.visit_args(receiver)
            self.emit(self.record(receiver, "inspector", None, target=None,
                                  consumed=node.func.attr))  # fmt: skip
        self.visit_args(node)
        op = self.record(node, via, alias, target=target, consumed=consumed)
        if target is not None and op.call == "create_table" and op.table is not None:
            self.targets[target] = op.table
        if target is not None and via in ("bind", "session", "inspector"):
            self.pending[target] = len(self.ops)
        self.emit(op)

    def use_names(self, node: ast.AST) -> None:
        """A name holding a read's result is used: the read is consumed."""
        if not self.pending:
            return
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self.pending:
                index = self.pending.pop(sub.id)
                self.ops[index] = self.ops[index]._replace(consumed="use")

    def inline(self, helper: FunctionNode, call: ast.Call) -> None:
        """The helper's body, with its parameters bound to the call's arguments. A module-level
        helper sees the module's constants and its parameters; one defined in the function
        body (a closure) also sees the caller's names as they are at the call."""
        if helper.name in self.calling or len(self.calling) >= _MAX_DEPTH:
            return
        spec = helper.args
        params = [a.arg for a in [*spec.posonlyargs, *spec.args]]
        given: dict[str, tuple[Expr, _Alias | None, str | None]] = {}
        positional = params
        for i, arg in enumerate(call.args[: len(params)]):
            if isinstance(arg, ast.Starred):
                positional = params[:i]  # where the later arguments go is not known
                break
            given[params[i]] = self.argument(arg)
        for kw in call.keywords:
            if kw.arg is not None:
                given[kw.arg] = self.argument(kw.value)
        # parameters that `*args` or `**kwargs` may set, whatever their defaults say
        if any(kw.arg is None for kw in call.keywords):
            unknowable = set(params) | {a.arg for a in spec.kwonlyargs}
        else:
            unknowable = set(params) - set(positional)
        unknowable -= set(given)
        saved, pending = self.save(), dict(self.pending)
        if self.module_helpers.get(helper.name) is helper:
            self.env, self.locals, self.aliases, self.targets = dict(self.constants), set(), {}, {}
        defaults = dict(zip(params[len(params) - len(spec.defaults) :], spec.defaults, strict=True))
        defaults.update(
            (a.arg, d)
            for a, d in zip(spec.kwonlyargs, spec.kw_defaults, strict=True)
            if d is not None
        )
        values = {name: self.expr(default) for name, default in defaults.items()}
        names = [*params, *(a.arg for a in spec.kwonlyargs)]
        names += [a.arg for a in (spec.vararg, spec.kwarg) if a is not None]
        for name in names:
            value, alias, table = given.get(name, (values.get(name), None, None))
            self.bind_name(name, Unknown(name) if value is None or name in unknowable else value)
            if alias is not None:
                self.aliases[name] = alias
            if table is not None:
                self.targets[name] = table
        self.calling.append(helper.name)
        self.conditions.append(Condition("call", helper.name, None, call.lineno))
        try:
            self.body(helper.body)
        finally:
            self.conditions.pop()
            self.calling.pop()
            self.restore(saved)
            self.pending = {k: i for k, i in pending.items() if self.ops[i].consumed == "assign"}

    def argument(self, node: ast.expr) -> tuple[Expr, _Alias | None, str | None]:
        """An argument's value, the connection or batch it stands for, the table it holds."""
        alias = self.aliases.get(node.id) if isinstance(node, ast.Name) else None
        made = self.makes(node) if alias is None else None
        table = self.targets.get(node.id) if isinstance(node, ast.Name) else None
        return self.expr(node), alias or (None if made is None else _Alias(made)), table

    def bind_name(self, name: str, value: Expr) -> None:
        self.locals.add(name)
        self.env[name] = value
        self.targets.pop(name, None)
        self.aliases.pop(name, None)

    # -- statements -------------------------------------------------------------------------

    def body(self, stmts: list[ast.stmt]) -> None:
        pushed = 0
        for stmt in stmts:
            self.statement(stmt)
            if isinstance(stmt, _EXITS):
                break  # the rest never runs
            if isinstance(stmt, ast.If) and (_exits(stmt.body) or _exits(stmt.orelse)):
                if _exits(stmt.body) and _exits(stmt.orelse):
                    break
                # `if context.is_offline_mode(): return`: the rest runs only where it fails
                holds, fails = _modes(stmt.test)
                text = ast.unparse(stmt.test)
                test, mode = (f"not ({text})", fails) if _exits(stmt.body) else (text, holds)
                self.conditions.append(Condition("if", test[:_MAX_SOURCE], mode, stmt.lineno))
                pushed += 1
        del self.conditions[len(self.conditions) - pushed :]

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Expr):
            self.visit_expr(stmt.value)  # a value nobody uses
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            self.assign(stmt)
        elif isinstance(stmt, ast.AugAssign):
            self.visit_expr(stmt.value, used="use")
            if isinstance(stmt.target, ast.Name):
                self.bind_name(stmt.target.id, _unknown(stmt.target))
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            self.with_(stmt)
        elif isinstance(stmt, ast.If):
            self.if_(stmt)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.for_(stmt)
        elif isinstance(stmt, ast.While):
            self.visit_expr(stmt.test, used="use")
            test = ast.unparse(stmt.test)[:_MAX_SOURCE]
            self.loop(Condition("loop", test, None, stmt.lineno), stmt.body + stmt.orelse)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.try_(stmt)  # type: ignore[arg-type]  # TryStar has Try's fields
        elif isinstance(stmt, ast.Match):
            self.match(stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.helpers[stmt.name] = stmt
        elif isinstance(stmt, (ast.Return, ast.Delete, ast.Raise, ast.Assert)):
            for child in ast.iter_child_nodes(stmt):
                assert isinstance(child, ast.expr)  # all these hold are expressions
                self.visit_expr(child, used="use")

    def branch(self, condition: Condition, stmts: list[ast.stmt]) -> None:
        self.conditions.append(condition)
        try:
            self.body(stmts)
        finally:
            self.conditions.pop()

    # Where paths join again, a name keeps its value only if every path that reaches the join
    # gives it that value; otherwise it is unknown (never the value of the path walked last).

    def if_(self, stmt: ast.If) -> None:
        self.visit_expr(stmt.test, used="use")
        offline, other = _modes(stmt.test)
        test = ast.unparse(stmt.test)[:_MAX_SOURCE]
        before = dict(self.env)
        self.branch(Condition("if", test, offline, stmt.lineno), stmt.body)
        paths = [] if _ends_flow(stmt.body) else [self.env]
        self.env = dict(before)
        if stmt.orelse:
            self.branch(Condition("else", test, other, stmt.lineno), stmt.orelse)
        if not _ends_flow(stmt.orelse):
            paths.append(self.env)
        self.env = _join(paths) if paths else before

    def loop(
        self, condition: Condition, stmts: list[ast.stmt], target: ast.expr | None = None
    ) -> None:
        """A body that runs any number of times: what it assigns is unknown before it too."""
        before = dict(self.env)
        names = _assigned(stmts)
        if target is not None:
            names |= {sub.id for sub in ast.walk(target) if isinstance(sub, ast.Name)}
        for name in names:
            self.bind_name(name, Unknown(name))
        self.branch(condition, stmts)
        self.env = _join([before, self.env])

    def try_(self, stmt: ast.Try) -> None:
        line = stmt.lineno
        before = dict(self.env)
        self.branch(Condition("try", "try", None, line), stmt.body + stmt.orelse)
        after = self.env
        paths = [] if _ends_flow(stmt.body + stmt.orelse) else [after]
        for handler in stmt.handlers:
            self.env = _join([before, after])  # the exception may come from any statement
            if handler.name is not None:
                self.bind_name(handler.name, Unknown(handler.name))
            test = "except " + (ast.unparse(handler.type) if handler.type is not None else "")
            self.branch(Condition("try", test.strip(), None, handler.lineno), handler.body)
            if not _ends_flow(handler.body):
                paths.append(self.env)
        self.env = _join(paths) if paths else _join([before, after])
        self.body(stmt.finalbody)

    def match(self, stmt: ast.Match) -> None:
        self.visit_expr(stmt.subject, used="use")
        before = dict(self.env)
        paths = [before]
        for case in stmt.cases:
            self.env = dict(before)
            for sub in ast.walk(case.pattern):
                captured = getattr(
                    sub, "rest" if isinstance(sub, ast.MatchMapping) else "name", None
                )
                if captured is not None:
                    self.bind_name(captured, Unknown(captured))
            test = ast.unparse(case.pattern)[:_MAX_SOURCE]
            self.branch(Condition("if", test, None, case.pattern.lineno), case.body)
            if not _ends_flow(case.body):
                paths.append(self.env)
        self.env = _join(paths)

    def assign(self, stmt: ast.Assign | ast.AnnAssign) -> None:
        if stmt.value is None:
            return
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        name = targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None
        made = self.makes(stmt.value)
        if name is not None and made is not None:
            self.bind_name(name, Unknown(name))
            self.aliases[name] = _Alias(made)
            if made == "inspector" and isinstance(stmt.value, ast.Call):
                self.emit(self.record(stmt.value, "inspector", None, target=name,
                                      consumed="assign"))  # fmt: skip
            return
        before = len(self.ops)
        self.visit_expr(stmt.value, target=name, used="use" if name is None else "assign")
        produced = len(self.ops) > before
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name) and not (produced and sub.id == name):
                    value = self.expr(stmt.value) if sub is target else _unknown(sub)
                    self.bind_name(sub.id, _unknown(sub) if isinstance(value, Unknown) else value)
        if produced and name is not None:
            table = self.targets.get(name)
            pending = self.pending.get(name)
            self.bind_name(name, Unknown(name))
            if table is not None:
                self.targets[name] = table
            if pending is not None:
                self.pending[name] = pending

    def with_(self, stmt: ast.With | ast.AsyncWith) -> None:
        outer = self.segment_kind
        autocommit = False
        for item in stmt.items:
            expr = item.context_expr
            var = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
            func = expr.func if isinstance(expr, ast.Call) else None
            if isinstance(func, ast.Attribute) and func.attr == "autocommit_block":
                autocommit = True
                continue
            if (
                isinstance(expr, ast.Call)
                and isinstance(func, ast.Attribute)
                and func.attr == "batch_alter_table"
                and self.owner(func.value) is not None
            ):
                op = self.record(expr, "op", None, target=var, consumed=None)
                self.emit(op)
                if var is not None:
                    self.bind_name(var, Unknown(var))
                    self.aliases[var] = _Alias("batch_op", op.table, op.schema)
                continue
            made = self.makes(expr)
            if var is not None and made is not None:
                self.bind_name(var, Unknown(var))
                self.aliases[var] = _Alias(made)
                continue
            self.visit_expr(expr, target=var, used="use" if var is None else "assign")
            if var is not None and var not in self.pending:
                self.bind_name(var, Unknown(var))
        if autocommit:
            self.segment += 1
            self.segment_kind = "autocommit"
        self.body(stmt.body)
        if autocommit:
            # Alembic begins a new transaction after the block, also after an explicit COMMIT
            self.segment += 1
            self.segment_kind = "autocommit" if outer == "autocommit" else "transaction"

    def for_(self, stmt: ast.For | ast.AsyncFor) -> None:
        iterable = stmt.iter
        self.visit_expr(iterable, used="iterate")
        values = self.expr(iterable)
        test = ast.unparse(iterable)[:_MAX_SOURCE]
        name = stmt.target.id if isinstance(stmt.target, ast.Name) else None
        if (
            name is not None
            and not _breaks(list(stmt.body))
            and isinstance(values, Seq)
            and 0 < len(values.items) <= _MAX_UNROLL
            and all(isinstance(v, Lit) for v in values.items)
        ):
            for value in values.items:
                self.bind_name(name, value)
                self.branch(Condition("loop", test, None, stmt.lineno), stmt.body)
        else:
            self.loop(Condition("loop", test, None, stmt.lineno), stmt.body, stmt.target)
        self.body(stmt.orelse)


def _is_column_name(args: list[Expr]) -> bool:
    """Whether the first positional argument of ``sa.Column(...)`` is its name, as SQLAlchemy
    decides by its value: a string (or None) is; one that is not a literal is when a type
    follows it (a type cannot follow a type), else it is the type (``sa.Column(sa.Enum(...))``).
    A ``*args`` first: neither is known."""
    first = args[0]
    if isinstance(first, Lit):
        return first.value is None or isinstance(first.value, str)
    if isinstance(first, Unknown) and first.source.startswith("*"):
        return False
    return len(args) > 1 and not _is_extra(args[1])


def _is_extra(expr: Expr) -> bool:
    return isinstance(expr, Call) and tail(expr.func) in _COLUMN_EXTRAS


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in node.keywords if kw.arg == name), None)


def _str(expr: Expr) -> str | None:
    return expr.value if isinstance(expr, Lit) and isinstance(expr.value, str) else None


ModuleContext = tuple[Mapping[str, FunctionNode], Mapping[str, Expr], frozenset[str]]


def module_context(tree: ast.Module) -> ModuleContext:
    """Module-level helper functions, constants, and the names ``op`` is imported as.

    A constant is a name assigned once at the top level, outside any ``if`` or ``try``, to a
    value that is not unknown (a literal, a dotted name, a call such as ``sa.table("t")``); a
    name bound any other way (imported, defined, assigned in a block or by unpacking) is not.
    """
    helpers: dict[str, FunctionNode] = {}
    op_names = {"op"}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "alembic":
            op_names.update(a.asname or "op" for a in stmt.names if a.name == "op")
    constants: dict[str, Expr] = {}
    probe = _Walk({}, {}, frozenset(op_names))
    probe.env = constants  # a constant may be built from earlier ones
    for stmt in tree.body:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else (
            stmt.target if isinstance(stmt, ast.AnnAssign) else None)  # fmt: skip
        value = getattr(stmt, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.expr):
            found = probe.expr(value)
            if not isinstance(found, Unknown):
                constants[target.id] = found
                continue
        for name in _binds(stmt):
            constants.pop(name, None)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name not in (
            "upgrade",
            "downgrade",
        ):
            helpers[stmt.name] = stmt
    return helpers, constants, frozenset(op_names)


def _binds(stmt: ast.stmt) -> set[str]:
    """The names a module-level statement binds."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}  # and not what its body binds: most of a revision file is in there
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return set()  # the docstring
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".", 1)[0] for a in stmt.names}
    names = set()
    for sub in ast.walk(stmt):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.add(sub.id)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".", 1)[0] for a in sub.names)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
    return names


def operations(node: FunctionNode, context: ModuleContext) -> Operations:
    """The operations of one ``upgrade``/``downgrade`` definition, in order."""
    helpers, constants, op_names = context
    walk = _Walk(helpers, constants, op_names)
    walk.calling.append(node.name)
    walk.body(node.body)
    return tuple(walk.ops)


_DIALECT_WORDS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mariadb"}


def _expr_hints(expr: Expr, found: set[str]) -> None:
    if isinstance(expr, (Ref, Call)):
        name = expr.name if isinstance(expr, Ref) else expr.func
        for part in name.split("."):
            if part in _DIALECT_WORDS:
                found.add(_DIALECT_WORDS[part])
    if isinstance(expr, Call):
        for arg in expr.args:
            _expr_hints(arg, found)
        _kwargs_hints(expr.kwargs, found)
    elif isinstance(expr, Seq):
        for item in expr.items:
            _expr_hints(item, found)


def _kwargs_hints(kwargs: tuple[tuple[str, Expr], ...], found: set[str]) -> None:
    for key, value in kwargs:
        prefix = key.split("_", 1)[0]
        if prefix in _DIALECT_WORDS and "_" in key:
            found.add(_DIALECT_WORDS[prefix])
        _expr_hints(value, found)


def dialect_hints(tree: ast.Module, functions: Iterable[HasOperations]) -> tuple[str, ...]:
    """The dialects a revision file names: ``sqlalchemy.dialects.<name>`` imports, dialect types
    and ``<dialect>_*`` keyword arguments in its operations, and SQL only MySQL's grammar reads."""
    found: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module:
            parts = stmt.module.split(".")
            names = [a.name for a in stmt.names]
            if parts[:2] == ["sqlalchemy", "dialects"]:
                found.update(
                    _DIALECT_WORDS[w] for w in [*parts[2:3], *names] if w in _DIALECT_WORDS
                )
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                parts = alias.name.split(".")
                if parts[:2] == ["sqlalchemy", "dialects"] and parts[2:3]:
                    found.update(_DIALECT_WORDS[w] for w in parts[2:3] if w in _DIALECT_WORDS)
    for function in functions:
        for op in function.operations:
            _kwargs_hints(op.kwargs, found)
            for arg in op.args:  # `sa.Index(..., postgresql_using="gin")` in create_table
                _expr_hints(arg, found)
            for column in op.columns:
                for expr in column.args if column.type is None else (column.type, *column.args):
                    _expr_hints(expr, found)
                _kwargs_hints(column.kwargs, found)
            if any(statement.parser == "mysql" for statement in op.sql):
                found.add("mysql")
    return tuple(sorted(found))
