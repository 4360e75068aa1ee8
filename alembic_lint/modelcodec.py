"""The operation model <-> JSON, for the parse cache.

Every record is a tuple, so ``json`` writes the model by itself, in C; expressions end with a
one-letter tag (``Lit``, ``Ref`` and ``Unknown`` all hold one string). Decoding validates every field, so an entry of the
wrong shape is a ValueError (the cache then parses the file again), never a wrong model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from alembic_lint.operations import (
    Call,
    Column,
    Condition,
    Expr,
    Lit,
    Operation,
    Operations,
    Ref,
    Seq,
    Unknown,
)

if TYPE_CHECKING:  # the SQL module is imported only when a body with SQL is decoded
    from alembic_lint.sql import Action, Statement


class Malformed(ValueError):
    pass


def encode_operations(ops: Sequence[Operation]) -> str:
    """The model as a JSON string: every record is a tuple, so ``json`` encodes it by itself."""
    if isinstance(ops, Deferred) and ops._raw is not None:
        return ops._raw  # read from the cache and never decoded: write it back as it was
    import json

    return json.dumps(tuple(ops), separators=(",", ":"))


# -- decoding ---------------------------------------------------------------------------------


def _check(ok: bool) -> None:
    if not ok:
        raise Malformed("not an encoded operation model")


def _list(value: Any, size: int | None = None) -> list[Any]:
    _check(type(value) is list and (size is None or len(value) == size))
    return value  # type: ignore[no-any-return]


def _str(value: Any) -> str:
    _check(type(value) is str)
    return value  # type: ignore[no-any-return]


def _opt_str(value: Any) -> str | None:
    _check(value is None or type(value) is str)
    return value  # type: ignore[no-any-return]


def _int(value: Any) -> int:
    _check(type(value) is int)
    return value  # type: ignore[no-any-return]


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(_str(v) for v in _list(value))


def decode_expr(value: Any) -> Expr:
    """One encoded expression; ``Malformed`` for anything else, too deep nesting included."""
    try:
        return _expr(value)
    except RecursionError:
        raise Malformed("nested too deeply") from None


def _expr(value: Any) -> Expr:
    items = _list(value)
    _check(bool(items))
    tag = items[-1]
    if tag == "l" and len(items) == 2:
        _check(items[0] is None or type(items[0]) in (str, int, float, bool))
        return Lit(items[0])
    if tag == "r" and len(items) == 2:
        return Ref(_str(items[0]))
    if tag == "u" and len(items) == 2:
        return Unknown(_str(items[0]))
    if tag == "s" and len(items) == 2:
        return Seq(tuple(_expr(v) for v in _list(items[0])))
    _check(tag == "c" and len(items) == 4)
    args = tuple(_expr(v) for v in _list(items[1]))
    return Call(_str(items[0]), args, _decode_kwargs(items[2]))


def _decode_kwargs(value: Any) -> tuple[tuple[str, Expr], ...]:
    out = []
    for item in _list(value):
        key, expr = _list(item, 2)
        out.append((_str(key), _expr(expr)))
    return tuple(out)


def _decode_column(value: Any) -> Column:
    name, type_, args, kwargs, line, col = _list(value, 6)
    return Column(
        _opt_str(name),
        None if type_ is None else _expr(type_),
        tuple(_expr(a) for a in _list(args)),
        _decode_kwargs(kwargs),
        _int(line),
        _int(col),
    )


_ACTION_STRS = ("kind", "column", "name", "target", "constraint", "type", "default")


def _decode_action(value: Any) -> Action:
    from alembic_lint.sql import Action

    items = _list(value, len(Action._fields))
    kind, column, name, target, constraint, type_, default = items[:7]
    functions, references, expression, not_null, flags = items[7:]
    _check(type(not_null) is bool)
    return Action(
        _str(kind),
        _opt_str(column),
        _opt_str(name),
        _opt_str(target),
        _opt_str(constraint),
        _opt_str(type_),
        _opt_str(default),
        _strs(functions),
        _opt_str(references),
        _opt_str(expression),
        not_null,
        _strs(flags),
    )


def _decode_statement(value: Any) -> Statement:
    from alembic_lint.sql import Statement

    kind, text, offset, table, schema, name, values, flags, actions, parser, tables = _list(
        value, len(Statement._fields)
    )
    return Statement(
        _str(kind),
        _str(text),
        _int(offset),
        _opt_str(table),
        _opt_str(schema),
        _opt_str(name),
        _strs(values),
        _strs(flags),
        tuple(_decode_action(a) for a in _list(actions)),
        _str(parser),
        _strs(tables),
    )


_VIAS = frozenset({"op", "batch_op", "bind", "session", "inspector"})
_SEGMENT_KINDS = frozenset({"transaction", "autocommit", "after_commit"})
_CONDITION_KINDS = frozenset({"if", "else", "loop", "try", "with", "call"})


def _one_of(value: Any, allowed: frozenset[str]) -> bool:
    return type(value) is str and value in allowed  # a list or dict is not even hashable


def _decode_condition(value: Any) -> Condition:
    kind, test, offline, line = _list(value, 4)
    _check(_one_of(kind, _CONDITION_KINDS) and (offline is None or type(offline) is bool))
    return Condition(kind, _str(test), offline, _int(line))


def decode_operations(value: Any) -> Operations:
    """The inverse of ``encode_operations``; ``Malformed`` (a ValueError) for anything else."""
    try:
        return _operations(value)
    except RecursionError:
        raise Malformed("nested too deeply") from None


def _operations(value: Any) -> Operations:
    ops = []
    for item in _list(value):
        (call, via, table, schema, name, columns, kwargs, args, sql, segment, segment_kind,
         conditions, batch, target, consumed, line, col) = _list(item, len(Operation._fields))  # fmt: skip
        _check(
            _one_of(via, _VIAS) and _one_of(segment_kind, _SEGMENT_KINDS) and type(batch) is bool
        )
        ops.append(
            Operation(
                _str(call),
                via,
                _opt_str(table),
                _opt_str(schema),
                _opt_str(name),
                tuple(_decode_column(c) for c in _list(columns)),
                _decode_kwargs(kwargs),
                tuple(_expr(a) for a in _list(args)),
                tuple(_decode_statement(s) for s in _list(sql)),
                _int(segment),
                segment_kind,
                tuple(_decode_condition(c) for c in _list(conditions)),
                batch,
                _opt_str(target),
                _opt_str(consumed),
                _int(line),
                _int(col),
            )
        )
    return tuple(ops)


class Deferred(Sequence[Operation]):
    """Operations read from the cache, decoded when a rule first reads them.

    Decoding the model costs more than the rest of a cached file, and most runs read only a few
    bodies (the files a commit changes, the revisions after the base ref), so a warm run decodes
    only those. The cache keeps each body as a JSON string inside its entry, so loading the cache
    file does not build the lists either. A damaged entry is then an error of the run that names
    the way out.
    """

    __slots__ = ("_ops", "_raw")

    def __init__(self, raw: str) -> None:
        self._raw: str | None = raw
        self._ops: Operations | None = None

    def _decoded(self) -> Operations:
        if self._ops is None:
            import json

            try:
                self._ops = decode_operations(json.loads(self._raw or ""))
            except (ValueError, RecursionError):  # Malformed is a ValueError
                raise ValueError(
                    "the parse cache holds a damaged entry for this file; run again with --no-cache"
                ) from None
            self._raw = None
        return self._ops

    @overload
    def __getitem__(self, index: int) -> Operation: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Operation]: ...
    def __getitem__(self, index: int | slice) -> Operation | Sequence[Operation]:
        return self._decoded()[index]

    def __len__(self) -> int:
        return len(self._decoded())

    def __bool__(self) -> bool:
        # without this, truth is len(): saving the cache (`if ops:`) would decode every body
        if self._ops is None:
            return self._raw not in ("", "[]")
        return bool(self._ops)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self._decoded())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Deferred, tuple)):
            return self._decoded() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._decoded())

    def __repr__(self) -> str:
        return f"Deferred({self._decoded()!r})"
