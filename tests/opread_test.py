from __future__ import annotations

import ast
import textwrap
from typing import Any

import pytest

from alembic_lint import opread
from alembic_lint.astread import read as parse_script
from alembic_lint.operations import Call, Lit, Ref, Seq, Unknown
from alembic_lint.script import Function, RevisionScript
from alembic_lint.sql import Statement, parse_sql


def read(body, module="NAME = make()\n"):
    """The operations of ``def upgrade(): <body>``; ``module`` follows it, and line 1 is the
    body's first line."""
    source = "def upgrade():\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n"
    tree = ast.parse(source + textwrap.dedent(module))
    assert isinstance(tree.body[0], ast.FunctionDef)
    return opread.operations(tree.body[0], opread.module_context(tree))


def S(*items):
    return Seq(items)


def C(func, *args, **kwargs):
    return Call(func, args, tuple(kwargs.items()))


def _column(column, keys):
    fields = {
        "name": column.name,
        "type": column.type,
        "args": column.args,
        "kwargs": dict(column.kwargs),
        "not_null": column.not_null,
        "line": column.line - 1,
    }
    return {key: fields[key] for key in keys}


def view(op, expected):
    """The fields of ``op`` that ``expected`` names, in the shape ``expected`` gives them."""
    out: dict[str, Any] = {}
    for key, want in expected.items():
        if key == "kwargs":
            out[key] = dict(op.kwargs)
        elif key == "columns":
            out[key] = [_column(c, w) for c, w in zip(op.columns, want, strict=False)]
            out[key] += [_column(c, ()) for c in op.columns[len(want) :]]
        elif key == "conditions":
            out[key] = [(c.kind, c.test, c.offline) for c in op.conditions]
        elif key == "segment":
            out[key] = (op.segment, op.segment_kind)
        elif key == "line":
            out[key] = op.line - 1
        elif key == "sql":
            out[key] = [s.kind for s in op.sql]
        else:
            out[key] = getattr(op, key)
    return out


def check(body, expected, module=""):
    ops = read(body, module)
    assert [view(op, want) for op, want in zip(ops, expected, strict=False)] == expected
    assert len(ops) == len(expected), ops


# -- every operation, positional and keyword -------------------------------------------------

# (method, how many positional arguments, index of the table argument, index of the name argument)
OP_CALLS = [
    ("create_table", 1, 0, None),
    ("drop_table", 1, 0, None),
    ("add_column", 2, 0, None),
    ("drop_column", 2, 0, 1),
    ("alter_column", 2, 0, 1),
    ("create_index", 3, 1, 0),
    ("drop_index", 2, 1, 0),
    ("create_foreign_key", 5, 1, 0),
    ("create_unique_constraint", 3, 1, 0),
    ("create_primary_key", 3, 1, 0),
    ("create_check_constraint", 3, 1, 0),
    ("create_exclude_constraint", 2, 1, 0),
    ("drop_constraint", 3, 1, 0),
    ("rename_table", 2, 0, None),
    ("execute", 1, None, None),
    ("bulk_insert", 2, None, None),
    ("create_table_comment", 2, 0, None),
    ("drop_table_comment", 1, 0, None),
    ("batch_alter_table", 1, 0, None),
]
BATCH_CALLS = [
    ("add_column", 1, None),
    ("drop_column", 1, 0),
    ("alter_column", 1, 0),
    ("create_index", 2, 0),
    ("drop_index", 1, 0),
    ("create_foreign_key", 4, 0),
    ("create_unique_constraint", 2, 0),
    ("create_primary_key", 2, 0),
    ("create_check_constraint", 2, 0),
    ("create_exclude_constraint", 1, 0),
    ("drop_constraint", 2, 0),
    ("execute", 1, None),
    ("create_table_comment", 1, None),
]


def test_the_tables_cover_every_operation():
    assert [m for m, *_ in OP_CALLS] == list(opread._OP_PARAMS)
    assert [m for m, *_ in BATCH_CALLS] == list(opread._BATCH_PARAMS)


@pytest.mark.parametrize(
    ("method", "count", "table", "name"), OP_CALLS, ids=[c[0] for c in OP_CALLS]
)
def test_op_arguments_are_named_after_alembics_signature(method, count, table, name):
    params = opread._OP_PARAMS[method][:count]
    values = [f"v{i}" for i in range(count)]
    positional = ", ".join(repr(v) for v in values)
    keyword = ", ".join(f"{p}={v!r}" for p, v in zip(params, values, strict=True))
    [by_position] = read(f"op.{method}({positional})")
    [by_keyword] = read(f"op.{method}({keyword})")
    assert dict(by_position.kwargs) == {p: Lit(v) for p, v in zip(params, values, strict=True)}
    assert by_position._replace(col=0) == by_keyword._replace(col=0)
    assert by_position.call == method and by_position.via == "op" and not by_position.batch
    assert by_position.table == (None if table is None else values[table])
    assert by_position.name == (None if name is None else values[name])
    assert by_position.args == () and by_position.columns == ()


@pytest.mark.parametrize(("method", "count", "name"), BATCH_CALLS, ids=[c[0] for c in BATCH_CALLS])
def test_batch_op_arguments_are_named_and_carry_the_batch_table(method, count, name):
    params = opread._BATCH_PARAMS[method][:count]
    values = [f"v{i}" for i in range(count)]
    positional = ", ".join(repr(v) for v in values)
    keyword = ", ".join(f"{p}={v!r}" for p, v in zip(params, values, strict=True))
    body = f"""\
        with op.batch_alter_table("t", schema="s") as batch_op:
            batch_op.{method}({positional})
            batch_op.{method}({keyword})
    """
    batch, by_position, by_keyword = read(body)
    assert (batch.call, batch.table, batch.schema, batch.target) == (
        "batch_alter_table",
        "t",
        "s",
        "batch_op",
    )
    assert dict(by_position.kwargs) == {p: Lit(v) for p, v in zip(params, values, strict=True)}
    assert by_position._replace(col=0, line=0) == by_keyword._replace(col=0, line=0)
    assert (by_position.via, by_position.batch) == ("batch_op", True)
    assert (by_position.table, by_position.schema) == ("t", "s")
    assert by_position.name == (None if name is None else values[name])


OPS = [
    pytest.param(
        'op.add_column("t", sa.Column(sa.Enum("a", name="st")))\nop.add_column("t", sa.Column(Integer, sa.ForeignKey("u.id")))\nop.add_column("t", sa.Column(name))',
        [
            {
                "columns": [
                    {"name": None, "type": C("sa.Enum", Lit("a"), name=Lit("st")), "args": ()}
                ]
            },
            {
                "columns": [
                    {
                        "name": None,
                        "type": Ref("Integer"),
                        "args": (C("sa.ForeignKey", Lit("u.id")),),
                    }
                ]
            },
            {"columns": [{"name": None, "type": Ref("name"), "args": ()}]},
        ],
        id="a-column-without-a-name-has-its-type-first",
    ),
    pytest.param(
        'op.create_index("ix", *rest)\nop.drop_column(*args, "c")\nop.create_table("t", *columns, sa.Column("id", sa.Integer))',
        [
            {
                "name": "ix",
                "table": None,
                "kwargs": {"index_name": Lit("ix")},
                "args": (Unknown("*rest"),),
            },
            {"name": None, "table": None, "kwargs": {}, "args": (Unknown("*args"), Lit("c"))},
            {"table": "t", "args": (Unknown("*columns"),), "columns": [{"name": "id"}]},
        ],
        id="starred-positions",
    ),
    pytest.param(
        'op.create_foreign_key("fk", "a", "b", ["b_id"], ["id"], source_schema="s", referent_schema="r")\nop.create_foreign_key("fk", "a", "b", ["b_id"], ["id"], schema="ignored")',
        [{"table": "a", "schema": "s"}, {"table": "a", "schema": None}],
        id="foreign-key-source-schema",
    ),
    pytest.param(
        'op.add_column("t", sa.Column(NAME, sa.Integer))\nop.add_column("t", sa.Column(name, sa.String(), nullable=False))',
        [
            {"name": None, "columns": [{"name": None, "type": Ref("sa.Integer"), "args": ()}]},
            {"name": None, "columns": [{"name": None, "type": C("sa.String"), "not_null": True}]},
        ],
        id="a-column-name-that-is-not-a-literal",
    ),
    pytest.param(
        'op.add_column("t", sa.Column(name="n", type_=sa.Integer, nullable=False))\nop.add_column("t", sa.Column(sa.Integer, name="m"))',
        [
            {
                "name": "n",
                "columns": [
                    {"name": "n", "type": Ref("sa.Integer"), "kwargs": {"nullable": Lit(False)}}
                ],
            },
            {
                "name": "m",
                "columns": [{"name": "m", "type": Ref("sa.Integer"), "args": (), "kwargs": {}}],
            },
        ],
        id="column-name-and-type-by-keyword",
    ),
    pytest.param(
        'op.add_column("t", sa.Column(None, sa.Integer))\nop.add_column("t", sa.Column())',
        [
            {"columns": [{"name": None, "type": Ref("sa.Integer")}]},
            {"columns": [{"name": None, "type": None, "args": (), "kwargs": {}}]},
        ],
        id="column-without-a-name",
    ),
    pytest.param(
        'op.add_column("t", sa.Column("id", sa.Integer, sa.Identity()))\nop.add_column("t", sa.Column("id", sa.Integer, sa.Identity(), nullable=True))',
        [{"columns": [{"not_null": True}]}, {"columns": [{"not_null": False}]}],
        id="identity-is-not-null",
    ),
    pytest.param(
        'local = make()\nop.add_column("t", local.Column("c", sa.Integer))\nop.add_column("t", sa.Column(*cols))',
        [
            {
                "columns": [],
                "kwargs": {
                    "table_name": Lit("t"),
                    "column": Unknown("local.Column('c', sa.Integer)"),
                },
            },
            {"columns": [{"name": None, "type": None, "args": (Unknown("*cols"),)}]},
        ],
        id="columns-that-cannot-be-read",
    ),
    pytest.param(
        'op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True), sa.UniqueConstraint("id"), schema="s")',
        [
            {
                "call": "create_table",
                "table": "t",
                "schema": "s",
                "kwargs": {"table_name": Lit("t"), "schema": Lit("s")},
                "columns": [
                    {
                        "name": "id",
                        "type": C("sa.Integer"),
                        "args": (),
                        "kwargs": {"primary_key": Lit(True)},
                        "not_null": True,
                        "line": 1,
                    }
                ],
                "args": (C("sa.UniqueConstraint", Lit("id")),),
                "line": 1,
                "col": 5,
            }
        ],
        id="create_table-columns-and-constraints",
    ),
    pytest.param(
        'op.add_column("t", sa.Column("c", sa.String(10), nullable=False, server_default=sa.text("\'x\'")))',
        [
            {
                "call": "add_column",
                "table": "t",
                "name": "c",
                "kwargs": {"table_name": Lit("t")},
                "columns": [
                    {
                        "name": "c",
                        "type": C("sa.String", Lit(10)),
                        "kwargs": {
                            "nullable": Lit(False),
                            "server_default": C("sa.text", Lit("'x'")),
                        },
                        "not_null": True,
                    }
                ],
            }
        ],
        id="add_column-server_default-text",
    ),
    pytest.param(
        'op.add_column("t", column=sa.Column("c", sa.Integer, index=True, unique=True), schema="s")',
        [
            {
                "table": "t",
                "schema": "s",
                "name": "c",
                "columns": [
                    {
                        "name": "c",
                        "type": Ref("sa.Integer"),
                        "kwargs": {"index": Lit(True), "unique": Lit(True)},
                        "not_null": False,
                    }
                ],
            }
        ],
        id="add_column-keyword-index-unique",
    ),
    pytest.param(
        'op.add_column("t", sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE")))',
        [
            {
                "columns": [
                    {
                        "name": "owner_id",
                        "type": C("sa.Integer"),
                        "args": (C("sa.ForeignKey", Lit("users.id"), ondelete=Lit("CASCADE")),),
                    }
                ]
            }
        ],
        id="add_column-foreign-key",
    ),
    pytest.param(
        'op.add_column("t", sa.Column("ref", sa.ForeignKey("users.id")))',
        [
            {
                "columns": [
                    {"name": "ref", "type": None, "args": (C("sa.ForeignKey", Lit("users.id")),)}
                ]
            }
        ],
        id="add_column-type-from-the-foreign-key",
    ),
    pytest.param(
        'op.add_column("t", sa.Column("total", sa.Integer(), sa.Computed("a + b", persisted=True)))',
        [{"columns": [{"args": (C("sa.Computed", Lit("a + b"), persisted=Lit(True)),)}]}],
        id="add_column-computed",
    ),
    pytest.param(
        'op.add_column("t", sa.Column("id", sa.BigInteger(), sa.Identity(always=True, start=-1)))',
        [
            {
                "columns": [
                    {
                        "type": C("sa.BigInteger"),
                        "args": (C("sa.Identity", always=Lit(True), start=Lit(-1)),),
                    }
                ]
            }
        ],
        id="add_column-identity",
    ),
    pytest.param(
        'op.alter_column("t", "c", nullable=False, existing_type=sa.String(length=20), existing_server_default=None, new_column_name="d")',
        [
            {
                "call": "alter_column",
                "table": "t",
                "name": "c",
                "kwargs": {
                    "table_name": Lit("t"),
                    "column_name": Lit("c"),
                    "nullable": Lit(False),
                    "existing_type": C("sa.String", length=Lit(20)),
                    "existing_server_default": Lit(None),
                    "new_column_name": Lit("d"),
                },
            }
        ],
        id="alter_column-existing",
    ),
    pytest.param(
        'op.create_index(op.f("ix_t_c"), "t", ["c"], unique=True, postgresql_concurrently=True)',
        [
            {
                "name": "ix_t_c",
                "table": "t",
                "kwargs": {
                    "index_name": Lit("ix_t_c"),
                    "table_name": Lit("t"),
                    "columns": S(Lit("c")),
                    "unique": Lit(True),
                    "postgresql_concurrently": Lit(True),
                },
            }
        ],
        id="op.f-and-dialect-kwargs",
    ),
    pytest.param(
        'op.drop_index(op.f("ix_t_c"), table_name="t")\nop.drop_constraint(op.f("fk_x"), "t", type_="foreignkey")',
        [
            {"call": "drop_index", "name": "ix_t_c", "table": "t"},
            {"call": "drop_constraint", "name": "fk_x", "table": "t", "line": 2},
        ],
        id="op.f-in-drops",
    ),
    pytest.param(
        'op.create_exclude_constraint("ex", "t", ("period", "&&"), where="x > 0")',
        [
            {
                "name": "ex",
                "table": "t",
                "args": (S(Lit("period"), Lit("&&")),),
                "kwargs": {
                    "constraint_name": Lit("ex"),
                    "table_name": Lit("t"),
                    "where": Lit("x > 0"),
                },
            }
        ],
        id="exclude-elements-are-args",
    ),
    pytest.param(
        'op.rename_table("a", "b", schema="s")',
        [
            {
                "table": "a",
                "schema": "s",
                "kwargs": {
                    "old_table_name": Lit("a"),
                    "new_table_name": Lit("b"),
                    "schema": Lit("s"),
                },
            }
        ],
        id="rename_table",
    ),
    pytest.param(
        "op.create_table(1)\nop.drop_index(op.f(name))",
        [
            {"table": None, "kwargs": {"table_name": Lit(1)}},
            {"name": None, "kwargs": {"index_name": Ref("name")}},
        ],
        id="names-that-are-not-strings",
    ),
]


@pytest.mark.parametrize(("body", "expected"), OPS)
def test_operations(body, expected):
    check(body, expected)


# -- values: literals, names, strings -------------------------------------------------------

MODULE = """\
from alembic import op as alembic_op
import sqlalchemy as sa

TABLE = "users"
TABLES = ("a", "b")
CALLED = make_name()
REBOUND = "first"
REBOUND = object()
PREFIX = "ix_"
CHAINED = PREFIX + TABLE
TYPED: str = "typed"
IMPORTED = "shadowed"
from somewhere import IMPORTED
BLOCK = "before"
if condition:
    BLOCK = "inside"
UNPACKED = "before"
UNPACKED, OTHER = "a", "b"
DEFINED = "before"
def DEFINED(): pass
UNKNOWN = "before"
UNKNOWN = values[0]
accounts = sa.table("accounts", sa.column("id"))
GUARDED = "before"
BLOCKDEF = "before"
try:
    from somewhere import GUARDED
except ImportError:
    def BLOCKDEF(): pass
"""

VALUES = [
    pytest.param(
        "op.drop_table(GUARDED)", {"table_name": Ref("GUARDED")}, id="module-imported-in-a-block"
    ),
    pytest.param(
        "op.drop_table(BLOCKDEF)", {"table_name": Ref("BLOCKDEF")}, id="module-defined-in-a-block"
    ),
    pytest.param(
        'fh = open("x")\nop.execute(fh.name)',
        {"sqltext": Unknown("fh.name")},
        id="attribute-of-a-local",
    ),
    pytest.param(
        "op.execute(get().name)", {"sqltext": Unknown("get().name")}, id="attribute-of-a-call"
    ),
    pytest.param(
        "n: str\nop.drop_table(n)", {"table_name": Ref("n")}, id="annotation-without-value"
    ),
    pytest.param(
        'x.y += "a"\nop.drop_table(x.y)', {"table_name": Ref("x.y")}, id="augmented-attribute"
    ),
    pytest.param("op.drop_table(CALLED)", {"table_name": C("make_name")}, id="module-call"),
    pytest.param("op.drop_table(REBOUND)", {"table_name": C("object")}, id="module-rebound"),
    pytest.param(
        "op.drop_table(CHAINED)",
        {"table_name": Lit("ix_users")},
        id="module-from-earlier-constants",
    ),
    pytest.param("op.drop_table(TYPED)", {"table_name": Lit("typed")}, id="module-annotated"),
    pytest.param(
        "op.drop_table(IMPORTED)", {"table_name": Ref("IMPORTED")}, id="module-imported-over"
    ),
    pytest.param(
        "op.drop_table(BLOCK)", {"table_name": Ref("BLOCK")}, id="module-assigned-in-a-block"
    ),
    pytest.param("op.drop_table(UNPACKED)", {"table_name": Ref("UNPACKED")}, id="module-unpacked"),
    pytest.param(
        "op.drop_table(DEFINED)", {"table_name": Ref("DEFINED")}, id="module-defined-over"
    ),
    pytest.param("op.drop_table(UNKNOWN)", {"table_name": Ref("UNKNOWN")}, id="module-unknown"),
    pytest.param("op.drop_table(sa)", {"table_name": Ref("sa")}, id="module-import"),
    pytest.param(
        'op.drop_table("{}".format(TABLE))',
        {"table_name": Unknown("'{}'.format(TABLE)")},
        id="str-format",
    ),
    pytest.param(
        'op.alter_column("t", "c", type_=sa.Enum("a", name="e").with_variant(mysql.ENUM("a"), "mysql"))',
        {
            "table_name": Lit("t"),
            "column_name": Lit("c"),
            "type_": Unknown("sa.Enum('a', name='e').with_variant(mysql.ENUM('a'), 'mysql')"),
        },
        id="method-of-a-call",
    ),
    pytest.param(
        'op.drop_index(alembic.op.f("ix_b"))', {"index_name": Lit("ix_b")}, id="alembic.op.f"
    ),
    pytest.param(
        'op.drop_index(alembic_op.f("ix_a"))', {"index_name": Lit("ix_a")}, id="op.f-imported-as"
    ),
    pytest.param(
        'op.drop_index(other.f("ix"))',
        {"index_name": C("other.f", Lit("ix"))},
        id="f-of-something-else",
    ),
    pytest.param("op.drop_index(op.f())", {"index_name": C("op.f")}, id="op.f-without-arguments"),
    pytest.param("op.drop_table(TABLE)", {"table_name": Lit("users")}, id="module-constant"),
    pytest.param(
        'name = "local"\nop.drop_table(name)', {"table_name": Lit("local")}, id="local-literal"
    ),
    pytest.param(
        'name: str = "local"\nop.drop_table(name)',
        {"table_name": Lit("local")},
        id="local-annotated",
    ),
    pytest.param("name = make()\nop.drop_table(name)", {"table_name": C("make")}, id="local-call"),
    pytest.param(
        "name = x[0]\nop.drop_table(name)", {"table_name": Unknown("name")}, id="local-unknown"
    ),
    pytest.param(
        'name = "a"\nname += "b"\nop.drop_table(name)',
        {"table_name": Unknown("name")},
        id="augmented",
    ),
    pytest.param(
        'op.drop_table(f"{TABLE}_archive")',
        {"table_name": Lit("users_archive")},
        id="f-string-known",
    ),
    pytest.param(
        'op.drop_table(f"{prefix}_archive")',
        {"table_name": Unknown("f'{prefix}_archive'")},
        id="f-string-unknown",
    ),
    pytest.param(
        'op.drop_table(f"{TABLE!r}")',
        {"table_name": Unknown("f'{TABLE!r}'")},
        id="f-string-conversion",
    ),
    pytest.param(
        'op.drop_table(f"{TABLE:>10}")',
        {"table_name": Unknown("f'{TABLE:>10}'")},
        id="f-string-format-spec",
    ),
    pytest.param(
        'op.drop_table(f"t{1}{None}{True}{1.5}")',
        {"table_name": Lit("t1NoneTrue1.5")},
        id="f-string-non-strings",
    ),
    pytest.param(
        'op.drop_table(TABLE + "_" + "x")', {"table_name": Lit("users_x")}, id="concatenation"
    ),
    pytest.param(
        "op.drop_table(TABLE + suffix)",
        {"table_name": Unknown("TABLE + suffix")},
        id="concatenation-unknown",
    ),
    pytest.param(
        'op.drop_table("t" + 1)', {"table_name": Unknown("'t' + 1")}, id="concatenation-not-strings"
    ),
    pytest.param(
        'op.drop_table("%s_x" % TABLE)',
        {"table_name": Unknown("'%s_x' % TABLE")},
        id="percent-format",
    ),
    pytest.param(
        'op.execute(textwrap.dedent("""\\n    SELECT 1\\n    """))',
        {"sqltext": Lit("\nSELECT 1\n")},
        id="dedent",
    ),
    pytest.param(
        "op.execute(dedent(sql))", {"sqltext": C("dedent", Ref("sql"))}, id="dedent-unknown"
    ),
    pytest.param(
        "op.execute(dedent(1))", {"sqltext": C("dedent", Lit(1))}, id="dedent-not-a-string"
    ),
    pytest.param(
        'op.execute(sa.text("SELECT :x").bindparams(x=1))',
        {"sqltext": C("sa.text", Lit("SELECT :x"))},
        id="bindparams-seen-through",
    ),
    pytest.param(
        'op.alter_column("t", "c", server_default=-1)',
        {"table_name": Lit("t"), "column_name": Lit("c"), "server_default": Lit(-1)},
        id="negative-number",
    ),
    pytest.param(
        'op.alter_column("t", "c", server_default=-x)',
        {"table_name": Lit("t"), "column_name": Lit("c"), "server_default": Unknown("-x")},
        id="negative-unknown",
    ),
    pytest.param(
        'op.alter_column("t", "c", comment=b"x")',
        {"table_name": Lit("t"), "column_name": Lit("c"), "comment": Unknown("b'x'")},
        id="bytes",
    ),
    pytest.param(
        'op.alter_column("t", "c", info={"a": 1})',
        {"table_name": Lit("t"), "column_name": Lit("c"), "info": Unknown("{'a': 1}")},
        id="dict",
    ),
    pytest.param(
        'op.create_index("i", "t", ["a", {"b"}])',
        {"index_name": Lit("i"), "table_name": Lit("t"), "columns": S(Lit("a"), S(Lit("b")))},
        id="list-and-set",
    ),
    pytest.param(
        'op.create_index("i", "t", cols, **opts)',
        {"index_name": Lit("i"), "table_name": Lit("t"), "columns": Ref("cols"), "**": Ref("opts")},
        id="double-star",
    ),
    pytest.param(
        'op.alter_column("t", "c", type_=postgresql.ARRAY(sa.String(), dimensions=2))',
        {
            "table_name": Lit("t"),
            "column_name": Lit("c"),
            "type_": C("postgresql.ARRAY", C("sa.String"), dimensions=Lit(2)),
        },
        id="nested-calls",
    ),
    pytest.param(
        'op.alter_column("t", "c", type_=sa.Enum(*values, name="e"))',
        {
            "table_name": Lit("t"),
            "column_name": Lit("c"),
            "type_": C("sa.Enum", Unknown("*values"), name=Lit("e")),
        },
        id="starred-inside-a-call",
    ),
]


@pytest.mark.parametrize(("body", "kwargs"), VALUES)
def test_values(body, kwargs):
    *_, op = read(body, MODULE)
    assert dict(op.kwargs) == kwargs


def test_unknown_source_is_cut_short():
    [op] = read(f"op.drop_table(x + {'y' * 300!r} + z)")
    [(_, value)] = op.kwargs
    assert isinstance(value, Unknown) and len(value.source) == opread._MAX_SOURCE


def test_alembic_op_under_another_name():
    body = 'alembic_op.drop_table("a")\nalembic.op.drop_table("b")\nother.drop_table("c")'
    check(body, [{"call": "drop_table", "via": "op", "table": "a"}, {"table": "b"}], MODULE)
    assert [op.table for op in read('op.drop_table("a")')] == ["a"]  # `op` without the import


# -- loops, conditions, segments ----------------------------------------------------------------

FLOW = [
    pytest.param(
        "with op.batch_alter_table('t'):\n    op.execute('x')",
        [{"call": "batch_alter_table", "table": "t", "target": None}, {"batch": False}],
        id="batch-without-as",
    ),
    pytest.param(
        "x = 1\nreturn\ndel x\nassert y",
        [],
        id="nothing-to-read",
    ),
    pytest.param(
        "op.execute('COMMIT')\nwith op.get_context().autocommit_block():\n    op.execute('a')\nop.execute('b')",
        [
            {"segment": (0, "transaction")},
            {"segment": (2, "autocommit")},
            {"segment": (3, "transaction")},
        ],
        id="a-block-after-commit-begins-a-transaction",
    ),
    pytest.param(
        "with op.get_context().autocommit_block():\n    op.execute('COMMIT')\n    op.execute('a')\nop.execute('b')",
        [
            {"segment": (1, "autocommit")},
            {"segment": (2, "after_commit")},
            {"segment": (3, "transaction")},
        ],
        id="commit-inside-a-block",
    ),
    pytest.param(
        "op.execute('a')\nreturn\nop.execute('never')",
        [{"kwargs": {"sqltext": Lit("a")}}],
        id="unreachable-after-return",
    ),
    pytest.param(
        "if x:\n    raise E\nelse:\n    return\nop.execute('never')",
        [],
        id="both-branches-leave",
    ),
    pytest.param(
        "if context.is_offline_mode():\n    op.execute('a')\nelse:\n    return\nop.execute('b')",
        [
            {"offline": True},
            {"offline": True, "conditions": [("if", "context.is_offline_mode()", True)]},
        ],
        id="else-returns",
    ),
    pytest.param(
        "if context.is_offline_mode():\n    op.execute('a')\n    return\nelse:\n    op.execute('b')\nop.execute('c')",
        [{"offline": True}, {"offline": False}, {"offline": False}],
        id="offline-branch-returns-with-an-else",
    ),
    pytest.param(
        "if not has_table:\n    return\nop.execute('a')",
        [{"offline": None, "conditions": [("if", "not (not has_table)", None)]}],
        id="any-early-return-conditions-the-rest",
    ),
    pytest.param(
        "for t in tables:\n    if t == 'skip':\n        continue\n    op.drop_table(t)\n    break\n    op.drop_table('never')",
        [{"conditions": [("loop", "tables", None), ("if", "not (t == 'skip')", None)]}],
        id="continue-and-break",
    ),
    pytest.param(
        "for t in ('a', 'b'):\n    op.drop_table(t)\n    if done:\n        break",
        [{"kwargs": {"table_name": Unknown("t")}}],
        id="a-loop-that-breaks-is-not-unrolled",
    ),
    pytest.param(
        "for t in ('a', 'b'):\n    for c in cs:\n        break\n    while x:\n        break\n    op.drop_table(t)",
        [{"table": "a"}, {"table": "b"}],
        id="a-break-of-an-inner-loop",
    ),
    pytest.param(
        "for t in ('a', 'b'):\n    op.drop_table(t)\n    for c in cs:\n        pass\n    else:\n        break",
        [{"table": None}],
        id="a-break-in-an-inner-loops-else",
    ),
    pytest.param(
        "for t in ('a', 'b'):\n    def f():\n        for x in y:\n            break\n    try:\n        pass\n    except E:\n        op.drop_table(t)\n    match t:\n        case 'a':\n            pass",
        [{"table": "a"}, {"table": "b"}],
        id="no-break-in-nested-statements",
    ),
    pytest.param(
        "for t in ('a', 'b'):\n    try:\n        op.drop_table(t)\n    except E:\n        break",
        [{"table": None}],
        id="a-break-in-an-except",
    ),
    pytest.param(
        "if context.is_offline_mode() and x:\n    op.execute('a')\nelse:\n    op.execute('b')",
        [{"offline": True}, {"offline": None}],
        id="offline-and",
    ),
    pytest.param(
        "if x or context.is_offline_mode():\n    op.execute('a')\nelse:\n    op.execute('b')",
        [{"offline": None}, {"offline": False}],
        id="offline-or",
    ),
    pytest.param(
        "if not (context.is_offline_mode() or x):\n    op.execute('a')\nif not (x and op.get_context().as_sql):\n    op.execute('b')\nelse:\n    op.execute('c')",
        [{"offline": False}, {"offline": None}, {"offline": True}],
        id="offline-negated-bool-ops",
    ),
    pytest.param(
        "if x and y:\n    op.execute('a')\nif x or y:\n    return\nop.execute('b')",
        [{"offline": None}, {"offline": None, "conditions": [("if", "not (x or y)", None)]}],
        id="bool-ops-without-modes",
    ),
    pytest.param(
        "if context.is_offline_mode() or x:\n    return\nop.execute('online')",
        [{"offline": False}],
        id="early-return-offline-or",
    ),
    pytest.param(
        'for name in ("a", "b"):\n    op.drop_table(name)',
        [
            {"table": "a", "conditions": [("loop", "('a', 'b')", None)], "line": 2},
            {"table": "b", "conditions": [("loop", "('a', 'b')", None)], "line": 2},
        ],
        id="literal-loop-unrolled",
    ),
    pytest.param(
        "for name in TABLES:\n    op.drop_table(name)\nelse:\n    op.drop_table(name)",
        [{"table": "a"}, {"table": "b"}, {"table": "b", "conditions": []}],
        id="constant-loop-unrolled-then-else",
    ),
    pytest.param(
        "for name in tables:\n    op.drop_table(name)",
        [
            {
                "table": None,
                "kwargs": {"table_name": Unknown("name")},
                "conditions": [("loop", "tables", None)],
            }
        ],
        id="unknown-loop-once",
    ),
    pytest.param(
        'for name in ("a", other):\n    op.drop_table(name)',
        [{"table": None}],
        id="loop-over-a-tuple-with-an-unknown",
    ),
    pytest.param(
        "for name in ():\n    op.drop_table(name)",
        [{"table": None}],
        id="empty-literal-loop",
    ),
    pytest.param(
        'for name, kind in (("a", "b"),):\n    op.drop_table(name)\n    op.drop_table(kind)',
        [{"kwargs": {"table_name": Unknown("name")}}, {"kwargs": {"table_name": Unknown("kind")}}],
        id="unpacking-loop",
    ),
    pytest.param(
        "while more():\n    op.drop_table('w')\nelse:\n    op.drop_table('e')",
        [
            {"table": "w", "conditions": [("loop", "more()", None)]},
            {"table": "e", "conditions": [("loop", "more()", None)]},
        ],
        id="while",
    ),
    pytest.param(
        "if x:\n    op.drop_table('a')\nelif y:\n    op.drop_table('b')\nelse:\n    op.drop_table('c')",
        [
            {"table": "a", "conditions": [("if", "x", None)]},
            {"table": "b", "conditions": [("else", "x", None), ("if", "y", None)]},
            {"table": "c", "conditions": [("else", "x", None), ("else", "y", None)]},
        ],
        id="if-elif-else",
    ),
    pytest.param(
        "if context.is_offline_mode():\n    op.execute('a')\nelse:\n    op.execute('b')",
        [
            {"conditions": [("if", "context.is_offline_mode()", True)], "offline": True},
            {"conditions": [("else", "context.is_offline_mode()", False)], "offline": False},
        ],
        id="offline-else",
    ),
    pytest.param(
        "if not context.is_offline_mode():\n    op.execute('a')",
        [{"conditions": [("if", "not context.is_offline_mode()", False)], "offline": False}],
        id="not-offline",
    ),
    pytest.param(
        "if op.get_context().as_sql:\n    op.execute('a')\nif not not op.get_context().as_sql:\n    op.execute('b')",
        [{"offline": True}, {"offline": True}],
        id="as_sql",
    ),
    pytest.param(
        "if context.is_offline_mode():\n    if x:\n        op.execute('a')",
        [
            {
                "conditions": [("if", "context.is_offline_mode()", True), ("if", "x", None)],
                "offline": True,
            }
        ],
        id="nested-under-offline",
    ),
    pytest.param(
        "if context.is_offline_mode():\n    return\nop.execute('online')",
        [{"conditions": [("if", "not (context.is_offline_mode())", False)], "offline": False}],
        id="early-return-offline",
    ),
    pytest.param(
        "if not context.is_offline_mode():\n    raise RuntimeError('offline only')\nop.execute('x')",
        [{"offline": True}],
        id="early-raise-online",
    ),
    pytest.param(
        "if x:\n    op.execute('a')\nop.execute('b')",
        [{"offline": None}, {"conditions": [], "offline": None}],
        id="plain-if",
    ),
    pytest.param(
        "try:\n    op.drop_table('a')\nexcept (KeyError, ValueError):\n    op.drop_table('b')\nexcept:\n    op.drop_table('c')\nelse:\n    op.drop_table('d')\nfinally:\n    op.drop_table('e')",
        [
            {"table": "a", "conditions": [("try", "try", None)]},
            {"table": "d", "conditions": [("try", "try", None)]},
            {"table": "b", "conditions": [("try", "except (KeyError, ValueError)", None)]},
            {"table": "c", "conditions": [("try", "except", None)]},
            {"table": "e", "conditions": []},
        ],
        id="try",
    ),
    pytest.param(
        "match kind:\n    case 'a':\n        op.drop_table('a')\n    case [x, *_]:\n        op.drop_table('b')",
        [
            {"table": "a", "conditions": [("if", "'a'", None)]},
            {"table": "b", "conditions": [("if", "[x, *_]", None)]},
        ],
        id="match",
    ),
    pytest.param(
        "with op.get_context().autocommit_block():\n    op.execute('a')\nop.execute('b')",
        [{"segment": (1, "autocommit")}, {"segment": (2, "transaction")}],
        id="autocommit-block",
    ),
    pytest.param(
        "op.execute('a')\nop.execute('COMMIT')\nop.execute(sa.text('commit;'))\nop.execute('b')",
        [
            {"segment": (0, "transaction")},
            {"segment": (0, "transaction"), "sql": ["commit"]},
            {"segment": (1, "after_commit")},
            {"segment": (2, "after_commit")},
        ],
        id="explicit-commit",
    ),
    pytest.param(
        "with op.get_context().autocommit_block():\n    with op.get_context().autocommit_block():\n        op.execute('a')\n    op.execute('b')\nop.execute('c')",
        [
            {"segment": (2, "autocommit")},
            {"segment": (3, "autocommit")},
            {"segment": (4, "transaction")},
        ],
        id="nested-autocommit",
    ),
    pytest.param(
        "with open('x') as fh, warnings.catch_warnings():\n    op.execute(fh.read())",
        [
            {
                "segment": (0, "transaction"),
                "conditions": [],
                "kwargs": {"sqltext": Unknown("fh.read()")},
                "sql": [],
            }
        ],
        id="other-with",
    ),
    pytest.param(
        "def local(name):\n    op.drop_table(name)\nlocal('x')\nlocal('y')",
        [{"table": "x", "conditions": [("call", "local", None)], "line": 2}, {"table": "y"}],
        id="nested-helper",
    ),
]


@pytest.mark.parametrize(("body", "expected"), FLOW)
def test_flow(body, expected):
    check(body, expected, MODULE)


# -- reads through the connection ---------------------------------------------------------------

READS = [
    pytest.param(
        "insp = inspect(op.get_bind())\ninsp.get_columns('t')",
        [
            {"call": "inspect", "via": "inspector", "target": "insp", "args": (C("op.get_bind"),)},
            {"call": "get_columns"},
        ],
        id="inspect-imported-by-name",
    ),
    pytest.param(
        "conn = op.get_bind()\nprint(list(conn.execute(q)))\nif conn.execute(q):\n    pass\nassert conn.execute(q)\nx.y = conn.execute(q)\nconn.execute(q)",
        [
            {"consumed": "use"},
            {"consumed": "use"},
            {"consumed": "use"},
            {"consumed": "use", "target": None},
            {"consumed": None},
        ],
        id="used-by-the-expression-around-it",
    ),
    pytest.param(
        "conn = op.get_bind()\nids = [r.id for r in conn.execute(q) if r]\nnames = {k: v for k, v in conn.execute(q)}\nr = 'kept'\nop.drop_table(r)",
        [{"consumed": "iterate"}, {"consumed": "iterate"}, {"table": "kept"}],
        id="comprehensions",
    ),
    pytest.param(
        "conn = op.get_bind()\nop.bulk_insert(t, conn.execute(q).fetchall())\nop.execute(t.update().values(n=conn.execute(q).scalar()))",
        [
            {"via": "bind", "consumed": "fetchall", "line": 2},
            {"call": "bulk_insert", "via": "op", "line": 2},
            {"via": "bind", "consumed": "scalar", "line": 3},
            {"call": "execute", "via": "op", "line": 3},
        ],
        id="reads-inside-arguments-come-first",
    ),
    pytest.param(
        "conn = op.get_bind()\nconn.execute(q).fetchmany(conn.execute(q).scalar())",
        [{"consumed": "fetchmany"}, {"consumed": "scalar"}],
        id="reads-in-the-arguments-of-a-consuming-call",
    ),
    pytest.param(
        "conn = op.get_bind()\ncallback = lambda: conn.execute(q).fetchall()\nsa.event.listen(t, 'after_create', lambda *a: op.execute('x'))",
        [],
        id="lambda-bodies-do-not-run-here",
    ),
    pytest.param(
        "Maker = sessionmaker()\ns = Maker(bind=bind)\ns.query(X).first()\nsessionmaker(bind=bind)().query(Y).count()",
        [{"via": "session", "consumed": "first"}, {"via": "session", "consumed": "count"}],
        id="sessionmaker",
    ),
    pytest.param(
        "if not sa.inspect(op.get_bind()).has_table('t'):\n    pass\nins = Inspector.from_engine(op.get_bind())\nins.get_indexes('t')",
        [
            {"call": "inspect", "via": "inspector", "consumed": "has_table"},
            {"call": "has_table", "via": "inspector", "consumed": "use"},
            {"call": "from_engine", "via": "inspector", "consumed": "assign"},
            {"call": "get_indexes", "via": "inspector"},
        ],
        id="inspector-inline-and-from_engine",
    ),
    pytest.param(
        'op.get_bind().execute(sa.text("UPDATE t SET x = 1"))',
        [
            {
                "call": "execute",
                "via": "bind",
                "args": (C("sa.text", Lit("UPDATE t SET x = 1")),),
                "sql": [s.kind for s in parse_sql("UPDATE t SET x = 1")],
                "consumed": None,
            }
        ],
        id="write-dropped",
    ),
    pytest.param(
        "op.get_context().bind.execute(q).first()\nop.get_bind().connect().execute(q)\nop.inline_literal('x')",
        [{"via": "bind", "consumed": "first"}, {"via": "bind", "consumed": None}],
        id="receivers-that-are-calls",
    ),
    pytest.param(
        'conn = op.get_bind()\nrows = conn.execute(sa.text("SELECT 1")).fetchall()',
        [{"via": "bind", "consumed": "fetchall", "target": None, "line": 2}],
        id="fetchall",
    ),
    pytest.param(
        'bind = op.get_bind()\nif bind.execute(q).scalar():\n    pass\nn = bind.execute(q).rowcount\nfirst = bind.execute(q)[0]\nbind.exec_driver_sql("SELECT 2").first()',
        [
            {"consumed": "scalar"},
            {"consumed": "rowcount"},
            {"consumed": "subscript"},
            {
                "call": "exec_driver_sql",
                "consumed": "first",
                "sql": [parse_sql("SELECT 2")[0].kind],
            },
        ],
        id="scalar-rowcount-subscript",
    ),
    pytest.param(
        "conn = op.get_bind()\nfor row in conn.execute(q):\n    op.execute(row)",
        [
            {"via": "bind", "consumed": "iterate"},
            {"via": "op", "kwargs": {"sqltext": Unknown("row")}},
        ],
        id="iterated",
    ),
    pytest.param(
        "conn = op.get_bind()\nresult = conn.execute(q)\nfor row in result:\n    pass",
        [{"target": "result", "consumed": "use"}],
        id="assigned-then-used",
    ),
    pytest.param(
        "conn = op.get_bind()\nresult = conn.execute(q)",
        [{"target": "result", "consumed": "assign"}],
        id="assigned-unused",
    ),
    pytest.param(
        "conn = op.get_bind()\nresult = conn.execute(q)\nop.bulk_insert(t, result)",
        [{"consumed": "use"}, {"call": "bulk_insert"}],
        id="assigned-then-passed",
    ),
    pytest.param(
        "with op.get_bind().connect() as conn:\n    conn.execute(q)",
        [{"via": "bind", "call": "execute"}],
        id="connect",
    ),
    pytest.param(
        "inspector = sa.inspect(op.get_bind())\nif 'x' in inspector.get_table_names():\n    pass\ncols = inspector.get_columns('t')",
        [
            {"call": "inspect", "via": "inspector", "target": "inspector", "consumed": "assign"},
            {"call": "get_table_names", "via": "inspector", "consumed": "use"},
            {
                "call": "get_columns",
                "via": "inspector",
                "target": "cols",
                "consumed": "assign",
                "line": 4,
            },
        ],
        id="inspector",
    ),
    pytest.param(
        "session = Session(bind=op.get_bind())\nusers = session.query(User).all()\nsession.add(User())\nsession.commit()",
        [
            {"call": "query", "via": "session", "consumed": "all"},
            {"call": "add", "via": "session", "consumed": None},
            {"call": "commit", "via": "session"},
        ],
        id="session",
    ),
    pytest.param(
        "with Session(bind=op.get_bind()) as s:\n    s.execute(sa.select(User)).scalars()",
        [{"call": "execute", "via": "session", "consumed": "scalars"}],
        id="with-session",
    ),
    pytest.param(
        "bind = op.get_context().bind\nbind.execute(q)\nalias = bind\nalias.execute(q)",
        [{"via": "bind"}, {"via": "bind"}],
        id="context-bind-and-alias",
    ),
    pytest.param(
        "if op.get_bind().dialect.name == 'postgresql':\n    op.execute('a')",
        [{"via": "op", "conditions": [("if", "op.get_bind().dialect.name == 'postgresql'", None)]}],
        id="dialect-is-not-a-read",
    ),
]


@pytest.mark.parametrize(("body", "expected"), READS)
def test_reads(body, expected):
    check(body, expected, MODULE)


# -- tables by result -------------------------------------------------------------------------


def test_bulk_insert_into_a_created_table():
    body = """\
        t = op.create_table("accounts", sa.Column("id", sa.Integer))
        op.bulk_insert(t, [{"id": 1}])
        op.bulk_insert(sa.table("other", sa.column("id")), [])
        op.bulk_insert(unknown, [])
        op.bulk_insert(sa.table(name), [])
    """
    check(
        body,
        [
            {"call": "create_table", "table": "accounts", "target": "t", "consumed": "assign"},
            {
                "call": "bulk_insert",
                "table": "accounts",
                "kwargs": {"table": Unknown("t"), "rows": S(Unknown("{'id': 1}"))},
            },
            {"table": "other"},
            {"table": None},
            {"table": None},
        ],
    )


def test_a_rebound_target_is_forgotten():
    body = 't = op.create_table("accounts")\nt = other\nop.bulk_insert(t, [])'
    assert [op.table for op in read(body)] == ["accounts", None]


# -- helper functions ---------------------------------------------------------------------------

HELPERS = """\
TABLE = "users"


def drop(name, kind="k", *, schema="s", extra=None):
    op.drop_table(name, schema=schema)
    op.drop_table(kind)
    op.drop_table(extra)


def drop_everything(*names, **options):
    op.drop_table(names)
    op.drop_table(options)


def uses_globals():
    op.drop_table(TABLE)
    op.drop_table(t)
    leaked = "inside"


def add_to(batch):
    batch.drop_column("c")


def fetch(conn, query):
    return conn.execute(query).fetchall()


def seed(table):
    op.bulk_insert(table, [])


def recursive():
    op.drop_table("r")
    recursive()


def ping():
    op.drop_table("ping")
    pong()


def pong():
    op.drop_table("pong")
    ping()


def level1():
    op.drop_table("1")
    level2()


def level2():
    op.drop_table("2")
    level3()


def level3():
    op.drop_table("3")
    level4()


def level4():
    op.drop_table("4")


def offline_guarded():
    if context.is_offline_mode():
        return
    op.get_bind().execute(q).fetchall()
"""


def _tables(op):
    return {k: v for k, v in op.kwargs if k in ("table_name", "schema")}


HELPER_CALLS = [
    pytest.param(
        'drop("a")',
        [
            {"table_name": Lit("a"), "schema": Lit("s")},
            {"table_name": Lit("k")},
            {"table_name": Lit(None)},
        ],
        id="positional-and-defaults",
    ),
    pytest.param(
        'drop(name="a", kind="b", schema="x", extra=TABLE)',
        [
            {"table_name": Lit("a"), "schema": Lit("x")},
            {"table_name": Lit("b")},
            {"table_name": Lit("users")},
        ],
        id="keywords",
    ),
    pytest.param(
        'drop("a", *rest)',
        [
            {"table_name": Lit("a"), "schema": Lit("s")},
            {"table_name": Unknown("kind")},
            {"table_name": Lit(None)},
        ],
        id="starred-leaves-later-positions-unknown",
    ),
    pytest.param(
        "drop(*rest)",
        [
            {"table_name": Unknown("name"), "schema": Lit("s")},
            {"table_name": Unknown("kind")},
            {"table_name": Lit(None)},
        ],
        id="starred-first",
    ),
    pytest.param(
        'drop("a", extra="e", **options)',
        [
            {"table_name": Lit("a"), "schema": Unknown("schema")},
            {"table_name": Unknown("kind")},
            {"table_name": Lit("e")},
        ],
        id="double-star-may-set-any-default",
    ),
    pytest.param(
        'drop_everything("a", "b", x=1)',
        [{"table_name": Unknown("names")}, {"table_name": Unknown("options")}],
        id="varargs",
    ),
    pytest.param(
        't = "caller"\nuses_globals()\nop.drop_table(leaked)',
        [{"table_name": Lit("users")}, {"table_name": Ref("t")}, {"table_name": Ref("leaked")}],
        id="a-module-helper-sees-the-module-not-the-caller",
    ),
    pytest.param(
        't = "first"\ndef closure():\n    op.drop_table(t)\nt = "second"\nclosure()',
        [{"table_name": Lit("second")}],
        id="a-closure-sees-the-callers-names-at-the-call",
    ),
    pytest.param(
        'def drop(name):\n    op.drop_table("nested " + name)\ndrop("x")',
        [{"table_name": Lit("nested x")}],
        id="a-nested-definition-shadows-the-module-one",
    ),
    pytest.param("recursive()", [{"table_name": Lit("r")}], id="recursion"),
    pytest.param(
        "ping()", [{"table_name": Lit("ping")}, {"table_name": Lit("pong")}], id="mutual-recursion"
    ),
    pytest.param(
        "level1()",
        [{"table_name": Lit("1")}, {"table_name": Lit("2")}, {"table_name": Lit("3")}],
        id="depth-limit",
    ),
]


@pytest.mark.parametrize(("body", "expected"), HELPER_CALLS)
def test_helper_calls(body, expected):
    assert [_tables(op) for op in read(body, HELPERS)] == expected


def test_helper_conditions_and_lines():
    check(
        "if x:\n    level1()",
        [
            {"line": 51, "conditions": [("if", "x", None), ("call", "level1", None)]},
            {
                "line": 56,
                "conditions": [
                    ("if", "x", None),
                    ("call", "level1", None),
                    ("call", "level2", None),
                ],
            },
            {"line": 61},
        ],
        HELPERS,
    )


def test_helpers_receive_batches_connections_and_tables():
    body = """\
        with op.batch_alter_table("t", schema="s") as b:
            add_to(b)
        fetch(op.get_bind(), q)
        conn = op.get_bind()
        rows = fetch(conn, conn.execute(q).scalar())
        t = op.create_table("created")
        seed(t)
        seed(conn)
        offline_guarded()
    """
    check(
        body,
        [
            {"call": "batch_alter_table"},
            {"call": "drop_column", "via": "batch_op", "table": "t", "schema": "s", "batch": True},
            {
                "call": "execute",
                "via": "bind",
                "consumed": "fetchall",
                "kwargs": {},
                "args": (Ref("q"),),
            },
            {"call": "execute", "via": "bind", "consumed": "scalar", "line": 5},
            {
                "call": "execute",
                "via": "bind",
                "consumed": "fetchall",
                "conditions": [("call", "fetch", None)],
            },
            {"call": "create_table", "target": "t"},
            {"call": "bulk_insert", "table": "created"},
            {"call": "bulk_insert", "table": None},
            {"call": "execute", "via": "bind", "offline": False},
        ],
        HELPERS,
    )


def test_a_read_passed_to_a_helper_is_used():
    body = "conn = op.get_bind()\nresult = conn.execute(q)\nseed(result)\nother = conn.execute(q)\nseed(x)"
    check(
        body,
        [
            {"consumed": "use"},
            {"call": "bulk_insert"},
            {"consumed": "assign"},
            {"call": "bulk_insert"},
        ],
        HELPERS,
    )


# -- names where paths join -----------------------------------------------------------------------

JOINS = [
    pytest.param('t = "a"\nif x:\n    t = "b"\nop.drop_table(t)', Unknown("t"), id="if-may-rebind"),
    pytest.param(
        'if x:\n    t = "a"\nelse:\n    t = "b"\nop.drop_table(t)',
        Unknown("t"),
        id="if-else-differ",
    ),
    pytest.param(
        'if x:\n    t = "a"\nelse:\n    t = "a"\nop.drop_table(t)', Lit("a"), id="if-else-agree"
    ),
    pytest.param('if x:\n    t = "a"\nop.drop_table(t)', Unknown("t"), id="bound-on-one-path"),
    pytest.param('t = "a"\nif x:\n    pass\nop.drop_table(t)', Lit("a"), id="untouched"),
    pytest.param(
        't = "a"\nif x:\n    t = "b"\n    return\nop.drop_table(t)',
        Lit("a"),
        id="the-other-path-returned",
    ),
    pytest.param(
        'if x:\n    t = "a"\nelse:\n    raise E\nop.drop_table(t)', Lit("a"), id="else-raised"
    ),
    pytest.param(
        't = "a"\nif x:\n    op.drop_table(t)\n    t = "b"', Lit("a"), id="inside-the-branch"
    ),
    pytest.param(
        't = "a"\nfor r in rows:\n    op.drop_table(t)\n    t = "b"',
        Unknown("t"),
        id="loop-later-iterations",
    ),
    pytest.param(
        't = "a"\nfor r in rows:\n    t = "b"\n    op.drop_table(t)',
        Lit("b"),
        id="loop-assigned-first",
    ),
    pytest.param(
        't = "a"\nfor r in rows:\n    t = "b"\nop.drop_table(t)',
        Unknown("t"),
        id="after-a-loop-that-may-not-run",
    ),
    pytest.param(
        't = "a"\nfor r in rows:\n    pass\nop.drop_table(t)',
        Lit("a"),
        id="loop-that-does-not-assign",
    ),
    pytest.param(
        't = "a"\nfor t in ("x", "y"):\n    pass\nop.drop_table(t)',
        Lit("y"),
        id="after-an-unrolled-loop",
    ),
    pytest.param('t = "a"\nwhile x:\n    op.drop_table(t)\n    t = "b"', Unknown("t"), id="while"),
    pytest.param(
        't = "a"\ntry:\n    t = "b"\nexcept E:\n    op.drop_table(t)',
        Unknown("t"),
        id="except-sees-either",
    ),
    pytest.param(
        't = "a"\ntry:\n    t = "b"\nexcept E:\n    t = "b"\nop.drop_table(t)',
        Lit("b"),
        id="try-paths-agree",
    ),
    pytest.param(
        't = "a"\ntry:\n    t = "b"\nexcept E:\n    raise\nop.drop_table(t)',
        Lit("b"),
        id="except-raises",
    ),
    pytest.param(
        't = "a"\ntry:\n    t = "b"\n    return\nexcept E:\n    pass\nop.drop_table(t)',
        Unknown("t"),
        id="try-returns-except-falls-through",
    ),
    pytest.param(
        't = "a"\ntry:\n    return\nexcept E:\n    raise\nop.drop_table(t)',
        Lit("a"),
        id="no-path-reaches-the-end",
    ),
    pytest.param(
        "try:\n    pass\nexcept E as t:\n    op.drop_table(t)", Unknown("t"), id="exception-name"
    ),
    pytest.param(
        't = "a"\nmatch x:\n    case 1:\n        t = "b"\nop.drop_table(t)',
        Unknown("t"),
        id="match-may-rebind",
    ),
    pytest.param(
        't = "a"\nmatch x:\n    case 1:\n        return\nop.drop_table(t)',
        Lit("a"),
        id="match-case-returns",
    ),
    pytest.param(
        't = "a"\nmatch x:\n    case [t, *rest]:\n        op.drop_table(t)',
        Unknown("t"),
        id="match-capture",
    ),
    pytest.param(
        't = "a"\nmatch x:\n    case {"k": 1, **t}:\n        op.drop_table(t)',
        Unknown("t"),
        id="match-mapping-rest",
    ),
    pytest.param(
        't = "a"\nmatch x:\n    case [*t]:\n        op.drop_table(t)', Unknown("t"), id="match-star"
    ),
]


@pytest.mark.parametrize(("body", "value"), JOINS)
def test_names_where_paths_join(body, value):
    [op] = read(body)
    assert op.kwargs == (("table_name", value),)


def test_tables_and_columns_held_in_names():
    body = """\
        users = sa.table("users", sa.column("id"))
        op.bulk_insert(users, [])
        op.bulk_insert(table=users, rows=[])
        op.bulk_insert(accounts, [])
        op.bulk_insert(rows=[], table=sa.Table("other", meta))
        op.bulk_insert(rows=[])
        email = sa.Column("email", sa.String(), nullable=False)
        op.add_column("users", email)
        with op.batch_alter_table("users") as batch_op:
            batch_op.add_column(email)
    """
    email = {"name": "email", "type": C("sa.String"), "not_null": True}
    check(
        body,
        [
            {"table": "users"},
            {"table": "users"},
            {"table": "accounts"},
            {"table": "other"},
            {"table": None},
            {
                "name": "email",
                "columns": [{**email, "line": 8}],
                "kwargs": {"table_name": Lit("users")},
            },
            {"call": "batch_alter_table"},
            {"name": "email", "columns": [{**email, "line": 10}], "kwargs": {}, "batch": True},
        ],
        MODULE,
    )


@pytest.mark.skipif(
    parse_sql("BEGIN")[0].kind != "begin", reason="the SQL parser in use does not read BEGIN"
)
def test_begin_after_commit_starts_a_transaction():
    check(
        "op.execute('COMMIT')\nop.execute('x')\nop.execute('BEGIN')\nop.execute('y')",
        [
            {"segment": (0, "transaction")},
            {"segment": (1, "after_commit")},
            {},
            {"segment": (2, "transaction")},
        ],
    )


# -- dialect hints ------------------------------------------------------------------------------

HINTS = [
    pytest.param("", "pass", (), id="none"),
    pytest.param(
        "from sqlalchemy.dialects import postgresql, sqlite",
        "pass",
        ("postgresql",),
        id="from-dialects-import",
    ),
    pytest.param(
        "from sqlalchemy.dialects.mysql import ENUM", "pass", ("mysql",), id="from-a-dialect-import"
    ),
    pytest.param(
        "import sqlalchemy.dialects.mariadb as m\nimport sqlalchemy.dialects\nimport os",
        "pass",
        ("mariadb",),
        id="import",
    ),
    pytest.param("from sqlalchemy import types\nfrom . import x", "pass", (), id="other-imports"),
    pytest.param(
        "",
        'op.create_index("i", "t", ["c"], postgresql_concurrently=True)',
        ("postgresql",),
        id="op-keyword",
    ),
    pytest.param(
        "",
        'op.create_table("t", sa.Column("id", sa.Integer), mysql_engine="InnoDB")',
        ("mysql",),
        id="create_table-keyword",
    ),
    pytest.param(
        "",
        'op.create_table("t", sa.Index("i", "c", postgresql_using="gin"))',
        ("postgresql",),
        id="constraint-in-create_table",
    ),
    pytest.param(
        "",
        'op.add_column("t", sa.Column("c", postgresql.JSONB(astext_type=sa.Text())))',
        ("postgresql",),
        id="column-type",
    ),
    pytest.param(
        "",
        'op.add_column("t", sa.Column("c", sa.Integer, mysql_auto_increment=True))',
        ("mysql",),
        id="column-keyword",
    ),
    pytest.param(
        "",
        'op.add_column("t", sa.Column("c", sa.ForeignKey("u.id", mariadb_x=1)))',
        ("mariadb",),
        id="column-argument",
    ),
    pytest.param(
        "",
        'op.alter_column("t", "c", type_=sa.ARRAY(postgresql.UUID()))',
        ("postgresql",),
        id="nested-type",
    ),
    pytest.param(
        "", 'op.alter_column("t", "c", server_default=[mysql.x])', ("mysql",), id="inside-a-list"
    ),
    pytest.param(
        "",
        'op.alter_column("t", "c", postgresql=1, mysqlish_x=2, **mysql_opts)',
        (),
        id="not-dialect-keywords",
    ),
    pytest.param(
        "from sqlalchemy.dialects import mysql",
        'op.execute("x", postgresql_x=1)',
        ("mysql", "postgresql"),
        id="several",
    ),
]


@pytest.mark.parametrize(("imports", "body", "expected"), HINTS)
def test_dialect_hints(imports, body, expected):
    source = f"{imports}\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    {body}\n"
    script = parse_script(source.encode(), "x.py")
    assert isinstance(script, RevisionScript) and script.dialect_hints == expected


@pytest.mark.skipif(
    parse_sql("ALTER TABLE `t` MODIFY c INT")[0].parser != "mysql",
    reason="the SQL parser in use has no MySQL grammar",
)
def test_sql_only_mysql_reads_hints_mysql():
    source = 'def upgrade():\n    op.execute("ALTER TABLE `t` MODIFY c INT")\n'
    script = parse_script(source.encode(), "x.py")
    assert isinstance(script, RevisionScript) and script.dialect_hints == ("mysql",)


def _executing(kind, parser="postgresql"):
    [op] = read('op.execute("x")')
    return op._replace(sql=(Statement(kind, "x", 0, parser=parser),))


def test_statements_move_the_segment():
    """What the statements of the real SQL parser do, whatever parser this checkout has."""
    walk = opread._Walk({}, {}, frozenset({"op"}))
    segments = []
    for kind in ("other", "commit", "other", "begin", "other"):
        walk.emit(_executing(kind))
        segments.append((walk.segment, walk.segment_kind))
    assert segments == [
        (0, "transaction"),
        (1, "after_commit"),
        (1, "after_commit"),
        (2, "transaction"),
        (2, "transaction"),
    ]


def test_sql_read_by_the_mysql_grammar_hints_mysql():
    function = Function(1, 1, "ops", (_executing("alter_table", parser="mysql"),))
    assert opread.dialect_hints(ast.parse(""), [function]) == ("mysql",)
    function = Function(1, 1, "ops", (_executing("alter_table"),))
    assert opread.dialect_hints(ast.parse(""), [function]) == ()


def test_enum_create_and_drop_on_the_connection_are_type_ddl():
    from tests.builders import parse, revision

    body = (
        'status = postgresql.ENUM("a", "b", name="status")\n'
        "status.create(op.get_bind(), checkfirst=True)\n"
        "bind = op.get_bind()\n"
        "status.drop(bind=bind)\n"
        "status.create(metadata)\n"  # not a connection: nothing
        "other.create(op.get_bind())\n"  # not an enum: nothing
    )
    script = parse(revision("3f9c2a71be04", None, upgrade=body))
    assert script.upgrade is not None
    ops = [(o.call, o.via, o.name) for o in script.upgrade.operations]
    assert ops == [("create_enum", "bind", "status"), ("drop_enum", "bind", "status")]
    first = script.upgrade.operations[0]
    assert first.kw("checkfirst") is not None and first.kw("type_") is not None
