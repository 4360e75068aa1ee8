"""The operation model: what ``upgrade()`` and ``downgrade()`` ask Alembic to do, in order.

``opread`` builds it from the ``ast`` of a revision file, without importing or running it;
``astread`` keeps it in each ``Function``, and the parse cache stores it with the rest of the
parse. Rules read it through ``facts``. Decisions:

- **Calls, not statements, in the order Python runs them.** One ``Operation`` per call of
  ``op.*``, of ``batch_op.*`` inside ``with op.batch_alter_table(...) as batch_op``, and of a
  read or write through the connection (``op.get_bind()``, ``Session(bind=...)``,
  ``sa.inspect(bind)``). Calls in the arguments of a call come before it. Code after
  ``return``, ``raise``, ``continue`` or ``break`` is not read, nor the body of a ``lambda``.
- **Helpers are followed.** A helper function called from the body is read in its place (a few
  levels deep, never recursively), with its parameters bound to the call's arguments: a
  ``batch_op``, connection or created table handed to it stays one. A module-level helper sees
  the module's names and its parameters, as Python scopes it; one defined inside the body (a
  closure) also sees the caller's names as they are at the call. A default that ``*args`` or
  ``**kwargs`` may override is unknown.
- **Literal loops are unrolled** (``for t in ("a", "b")``, also over a module constant), so an
  operation appears once per table; a loop over anything else, or one that may ``break``, is
  read once with its variable unknown.
- **Arguments by name.** Positional arguments are named after Alembic's own signatures, so
  ``op.alter_column("t", "c", nullable=False)`` and the keyword spelling give the same
  ``kwargs``; after a ``*args`` the positions are unknown and the arguments stay in ``args``.
  ``sa.Column(...)`` arguments are kept as ``Column`` records, also for a column assigned to a
  name first.
- **Literals or unknown.** An argument is a literal (``Lit``), a dotted name (``Ref``, such as
  ``sa.Integer``), a call of a dotted name (``Call``), a list or tuple (``Seq``), or ``Unknown``
  with its source text (a call of anything else, ``"{}".format(x)``, an attribute of a local
  object, ``%``-formatting, an f-string with a field that is not a known literal). A name
  assigned at module level (once, outside any block) or earlier in the function stands for the
  expression it was assigned (``t = sa.table("t")``, ``c = sa.Column(...)``, ``name = PREFIX +
  "x"``). Where paths join, a name keeps its value only if every path that gets there gives it
  that value: one an ``if`` may rebind, one a loop body assigns, one assigned in a ``try`` (seen
  from its ``except``) is unknown, never the value of the path read last.
- **SQL is parsed.** The text of ``op.execute(...)`` (a string, ``sa.text(...)``, ``DDL``,
  ``textwrap.dedent``) is split into statements by ``sql.parse_sql``. Unknown text gives no
  statements and ``Unknown`` as ``sqltext``.
- **Transaction segments.** ``with op.get_context().autocommit_block():`` runs its operations
  outside a transaction (segment kind ``autocommit``); an ``op.execute("COMMIT")`` ends the
  transaction, and what follows is segment kind ``after_commit`` (until a ``BEGIN``). After the
  block, Alembic begins a new transaction (kind ``transaction``), also when a ``COMMIT`` came
  before it. Segments are numbered in order.
- **Conditions.** Each operation carries the ``if``/``else``/loop/``try``/``match``/helper-call
  nesting around it; a branch that runs only in offline (``--sql``) mode, or only online, says
  so (``context.is_offline_mode()``, ``op.get_context().as_sql``, with ``not``, ``and``, ``or``).
  The code after ``if x: return`` (or ``raise``, ``continue``, ``break``) carries ``not (x)``,
  and the mode that implies.
- **Reads are used or dropped.** ``consumed`` says how the result of a call is taken: by a
  method (``.fetchall()``), by iteration, by the expression around it, or assigned to a name
  that is read later; None when the statement drops it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple, TypeAlias

if TYPE_CHECKING:  # the SQL module is imported only where SQL is parsed
    from alembic_lint.sql import Statement


# Each expression ends with a constant tag, so that a JSON list of one tells which it is, and
# ``Lit("x") != Ref("x")``.


class Lit(NamedTuple):
    value: str | int | float | bool | None
    tag: Literal["l"] = "l"


class Ref(NamedTuple):
    """A dotted name as written: ``sa.Integer``, ``postgresql.UUID``, ``my_enum``."""

    name: str
    tag: Literal["r"] = "r"


class Call(NamedTuple):
    func: str
    """The dotted name called, as written (``sa.String``, ``sa.text``); a call of anything
    else (``"{}".format(x)``, ``sa.Enum(...).with_variant(...)``) is ``Unknown``."""
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str, Expr], ...]
    tag: Literal["c"] = "c"

    def kw(self, key: str) -> Expr | None:
        for name, value in self.kwargs:
            if name == key:
                return value
        return None


class Seq(NamedTuple):
    items: tuple[Expr, ...]
    tag: Literal["s"] = "s"


class Unknown(NamedTuple):
    source: str
    tag: Literal["u"] = "u"


Expr: TypeAlias = "Lit | Ref | Call | Seq | Unknown"


def tail(name: str) -> str:
    """The last part of a dotted name: ``sa.types.String`` -> ``String``."""
    return name.rsplit(".", 1)[-1]


def literal(expr: Expr | None) -> str | int | float | bool | None:
    """The value of a literal, else None (also for a missing or unknown one)."""
    return expr.value if isinstance(expr, Lit) else None


def is_true(expr: Expr | None) -> bool:
    return isinstance(expr, Lit) and expr.value is True


def is_false(expr: Expr | None) -> bool:
    return isinstance(expr, Lit) and expr.value is False


class Column(NamedTuple):
    """An ``sa.Column(...)`` call: its name, type, other positional and keyword arguments."""

    name: str | None
    type: Expr | None
    args: tuple[Expr, ...]
    """Positional arguments after the name and type: ``sa.ForeignKey``, ``sa.Computed``, ..."""
    kwargs: tuple[tuple[str, Expr], ...]
    line: int
    col: int

    def kw(self, key: str) -> Expr | None:
        for name, value in self.kwargs:
            if name == key:
                return value
        return None

    def calls(self, name: str) -> tuple[Call, ...]:
        """Positional arguments that call ``name`` (``ForeignKey``, ``Computed``, ``Identity``)."""
        return tuple(a for a in self.args if isinstance(a, Call) and tail(a.func) == name)

    @property
    def not_null(self) -> bool | None:
        """Whether the column is NOT NULL, as SQLAlchemy decides it; None when unknown.

        A given ``nullable`` decides, by its truth (SQLAlchemy renders NOT NULL for any false
        value, ``None`` included); without it, an ``Identity`` column or a primary key is NOT
        NULL, any other is nullable. A table-level ``PrimaryKeyConstraint`` is not seen here.
        """
        nullable = self.kw("nullable")
        if nullable is not None:
            return None if not isinstance(nullable, Lit) else not nullable.value
        if self.calls("Identity"):
            return True
        primary = self.kw("primary_key")
        if primary is None:
            return False
        return None if not isinstance(primary, Lit) else bool(primary.value)


class Condition(NamedTuple):
    kind: Literal["if", "else", "loop", "try", "with", "call"]
    test: str
    """The test, the loop's iterable, or the helper function's name, as source text."""
    offline: bool | None
    """True: this branch runs only in offline (``--sql``) mode; False: only online."""
    line: int


Via = Literal["op", "batch_op", "bind", "session", "inspector"]
SegmentKind = Literal["transaction", "autocommit", "after_commit"]


class Operation(NamedTuple):
    call: str
    """The method called: ``create_table``, ``add_column``, ``execute``, ``fetchall`` ..."""
    via: Via
    table: str | None
    schema: str | None
    name: str | None
    """The object the call names: the index, the constraint, or the column."""
    columns: tuple[Column, ...]
    kwargs: tuple[tuple[str, Expr], ...]
    """Every argument by its name in Alembic's signature, positional ones included."""
    args: tuple[Expr, ...]
    """Positional arguments that have no name (``*columns`` of ``create_table`` are in columns)."""
    sql: tuple[Statement, ...]
    segment: int
    segment_kind: SegmentKind
    conditions: tuple[Condition, ...]
    batch: bool
    """Inside ``with op.batch_alter_table(...)``."""
    target: str | None
    """The name the result is assigned to (``t = op.create_table(...)``)."""
    consumed: str | None
    """How the result is used: the method or attribute taken from it (``fetchall``,
    ``scalar``, ``rowcount``...), ``subscript``, ``iterate`` (a ``for`` or a comprehension),
    ``assign`` (to ``target``, and never read), ``use`` (``target`` read later, or the value
    taken by the expression or statement around it: an argument, a test, a return value);
    None when it is dropped (an expression statement)."""
    line: int
    col: int

    def kw(self, key: str) -> Expr | None:
        for name, value in self.kwargs:
            if name == key:
                return value
        return None

    @property
    def offline(self) -> bool | None:
        """True if this runs only offline, False only online, None in both modes."""
        for condition in reversed(self.conditions):
            if condition.offline is not None:
                return condition.offline
        return None


Operations = tuple[Operation, ...]
