from __future__ import annotations

import pytest

from alembic_lint.graph import build_graph
from alembic_lint.operations import Call, Lit, Ref, Unknown
from alembic_lint.rules.unsafe.columnstate import (
    ColumnFacts,
    ColumnHistory,
    ColumnType,
    oldest_first,
    restates,
    rewrite_free,
    sa_type,
    shown,
    sql_type,
)
from tests.builders import parse, revision


def sa(func, *args, **kwargs):
    return Call(func, tuple(Lit(a) for a in args), tuple((k, Lit(v)) for k, v in kwargs.items()))


@pytest.mark.parametrize(
    ("expr", "mysql", "expected"),
    [
        (sa("sa.String", 50), False, ColumnType("varchar", 50)),
        (sa("sa.String", length=50), False, ColumnType("varchar", 50)),
        (Ref("sa.String"), False, ColumnType("varchar")),
        (
            sa("sa.types.VARCHAR", 20, collation="utf8mb4_bin"),
            True,
            ColumnType("varchar", 20, charset="utf8mb4"),
        ),
        (
            sa("mysql.VARCHAR", length=20, charset="latin1"),
            True,
            ColumnType("varchar", 20, charset="latin1"),
        ),
        (sa("sa.Unicode", 10), False, ColumnType("varchar", 10)),
        (sa("sa.CHAR", 3), False, ColumnType("char", 3)),
        (sa("sa.Text"), False, ColumnType("text")),
        (sa("sa.Text", 1000), False, ColumnType("text")),
        (sa("sa.Text", 1000), True, ColumnType("text", args=("1000",))),
        (sa("sa.Numeric", 10, 2), False, ColumnType("numeric", 10, 2)),
        (sa("sa.Numeric", precision=10, scale=2), False, ColumnType("numeric", 10, 2)),
        (sa("sa.Numeric", 10), False, ColumnType("numeric", 10, 0)),
        (sa("sa.DECIMAL"), False, ColumnType("numeric")),
        (sa("postgresql.CIDR"), False, ColumnType("cidr")),
        (sa("sa.Enum", "a", "b", name="status"), True, ColumnType("enum", values=("a", "b"))),
        (sa("mysql.SET", "x", "y"), True, ColumnType("set", values=("x", "y"))),
        (sa("sa.Integer"), False, ColumnType("integer")),
        (Ref("sa.BIGINT"), True, ColumnType("bigint")),
        (sa("sa.DateTime", timezone=True), False, ColumnType("timestamptz")),
        (sa("sa.DateTime"), False, ColumnType("timestamp")),
        (sa("sa.DateTime", timezone=True), True, ColumnType("datetime")),
        (sa("sa.Boolean"), True, ColumnType("boolean")),
        (sa("sa.Interval", second_precision=3), False, ColumnType("interval", args=("3",))),
        (sa("mysql.TEXT", charset="latin1"), True, ColumnType("text", charset="latin1")),
    ],
)
def test_sa_type(expr, mysql, expected):
    assert sa_type(expr, mysql=mysql) == expected


@pytest.mark.parametrize(
    "expr",
    [
        None,
        Lit("varchar"),
        Unknown("make_type()"),
        Call("sa.String", (Ref("LENGTH"),), ()),
        Call("sa.Numeric", (Lit(10), Ref("SCALE")), ()),
        Call("sa.Enum", (Ref("Status"),), ()),
        Call("sa.Enum", (), ()),
        Call("sa.DateTime", (), (("timezone", Ref("TZ")),)),
        Call("sa.JSON", (Ref("x"),), ()),
    ],
)
def test_sa_type_unreadable(expr):
    assert sa_type(expr, mysql=False) is None


@pytest.mark.parametrize(
    ("text", "mysql", "expected"),
    [
        ("varchar(20)", False, ColumnType("varchar", 20)),
        ("varchar", False, ColumnType("varchar")),
        ("text", False, ColumnType("text")),
        ("numeric(10, 2)", False, ColumnType("numeric", 10, 2)),
        ("numeric(10)", False, ColumnType("numeric", 10, 0)),
        ("numeric", False, ColumnType("numeric")),
        ("decimal(12, 2)", True, ColumnType("numeric", 12, 2)),
        ("bpchar(4)", False, ColumnType("char", 4)),
        ("cidr", False, ColumnType("cidr")),
        ("int4", False, ColumnType("integer")),
        ("int", True, ColumnType("integer")),
        ("tinyint(1)", True, ColumnType("boolean")),
        ("tinyint(1)", False, ColumnType("tinyint", args=("1",))),
        ("enum('a', 'b''s')", True, ColumnType("enum", values=("a", "b's"))),
        ("set('x')", True, ColumnType("set", values=("x",))),
        ("int unsigned", True, ColumnType("int unsigned")),
        ("varchar(20)[]", False, ColumnType("varchar []", args=("20",))),
        ("timestamptz", False, ColumnType("timestamptz")),
    ],
)
def test_sql_type(text, mysql, expected):
    assert sql_type(text, mysql=mysql) == expected


@pytest.mark.parametrize("text", [None, "varchar(n)", "numeric(10, x)", "varchar(20"])
def test_sql_type_unreadable(text):
    assert sql_type(text, mysql=False) is None


def test_both_spellings_compare_equal():
    assert sa_type(sa("sa.String", 20), mysql=False) == sql_type("varchar(20)", mysql=False)
    assert sa_type(sa("sa.Numeric", 10, 2), mysql=True) == sql_type("decimal(10, 2)", mysql=True)
    assert sa_type(sa("sa.Enum", "a"), mysql=True) == sql_type("enum('a')", mysql=True)


V, T, N = ColumnType("varchar"), ColumnType("text"), ColumnType("numeric")


def v(n, charset=None):
    return ColumnType("varchar", n, charset=charset)


def num(p, s):
    return ColumnType("numeric", p, s)


def enum(*values, kind="enum"):
    return ColumnType(kind, values=values)


@pytest.mark.parametrize(
    ("old", "new", "mysql"),
    [
        (v(50), v(50), False),
        (v(50), v(100), False),
        (v(50), V, False),
        (v(50), T, False),
        (T, V, False),
        (V, T, False),
        (num(10, 2), num(12, 2), False),
        (num(10, 2), N, False),
        (ColumnType("cidr"), ColumnType("inet"), False),
        (ColumnType("integer"), ColumnType("integer"), True),
        (v(50), v(60), True),
        (v(50), v(63), True),
        (v(64), v(300), True),
        (v(100, "latin1"), v(255, "latin1"), True),
        (v(70, "utf8mb3"), v(85, "utf8mb3"), True),
        (enum("a", "b"), enum("a", "b", "c"), True),
        (enum("a", kind="set"), enum("a", "b", kind="set"), True),
    ],
)
def test_rewrite_free(old, new, mysql):
    assert rewrite_free(old, new, mysql=mysql)


@pytest.mark.parametrize(
    ("old", "new", "mysql"),
    [
        (v(100), v(50), False),
        (T, v(100), False),
        (V, v(100), False),
        (num(10, 2), num(12, 3), False),
        (num(10, 2), num(8, 2), False),
        (N, num(10, 2), False),
        (ColumnType("inet"), ColumnType("cidr"), False),
        (ColumnType("integer"), ColumnType("bigint"), False),
        (v(50), v(50, "c"), False),
        (v(50), v(100), True),
        (v(63), v(64), True),
        (v(100), v(50), True),
        (v(200, "latin1"), v(300, "latin1"), True),
        (v(50, "latin1"), v(60), True),
        (v(50), T, True),
        (V, v(20), True),
        (enum("a", "b"), enum("b", "a", "c"), True),
        (enum("a", "b"), enum("a"), True),
        (enum(*map(str, range(255))), enum(*map(str, range(256))), True),
        (enum(*"abcdefgh", kind="set"), enum(*"abcdefghi", kind="set"), True),
        (enum(*map(str, range(32)), kind="set"), enum(*map(str, range(33)), kind="set"), True),
        (num(10, 2), num(12, 2), True),
    ],
)
def test_rewrite_needed(old, new, mysql):
    assert not rewrite_free(old, new, mysql=mysql)


def test_shown():
    assert shown(v(50)) == "varchar(50)"
    assert shown(num(10, 2)) == "numeric(10, 2)"
    assert shown(T) == "text"
    assert shown(enum("a", "b")) == "enum('a', 'b')"
    assert shown(ColumnType("interval", args=("3",))) == "interval(3)"


def upgrade_of(script):
    assert script.upgrade is not None
    return script.upgrade.operations


def op_of(line):
    (op,) = upgrade_of(parse(revision("aaa111", None, upgrade=line)))
    return op


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('op.alter_column("t", "c", type_=sa.String(20))', True),
        ('op.alter_column("t", "c", nullable=False, existing_type=sa.String(20))', True),
        ('op.alter_column("t", "c", new_column_name="d", existing_type=sa.String(20))', True),
        ('op.alter_column("t", "c", comment=None, existing_type=sa.String(20))', True),
        ('op.alter_column("t", "c", autoincrement=True, existing_type=sa.Integer())', True),
        ('op.alter_column("t", "c", server_default="x", existing_type=sa.String(20))', False),
        ('op.alter_column("t", "c", server_default="x", existing_type=sa.DateTime())', True),
        ('op.alter_column("t", "c", server_default=None, existing_type=sa.DateTime())', False),
        ('op.alter_column("t", "c", comment=False, existing_type=sa.String(20))', False),
        ('op.alter_column("t", "c", nullable=None, existing_type=sa.String(20))', False),
        ('op.alter_column("t", "c", server_default="x", type_=sa.TIMESTAMP())', True),
    ],
)
def test_restates(line, expected):
    assert restates(op_of(line)) is expected


def facts_of(*upgrades, mysql=False, table="t", column="c"):
    """The facts of ``table.column`` at the end of the last upgrade, the others before it."""
    sources, prev = [], None
    for i, upgrade in enumerate(upgrades):
        rev = f"{i:04d}cafe{i:04d}"
        sources.append(parse(revision(rev, prev, upgrade=upgrade), f"versions/{rev}.py"))
        prev = rev
    graph = build_graph(sources)
    last = sources[-1]
    ops = upgrade_of(last)
    return ColumnHistory(graph, last, mysql=mysql).facts(ops, len(ops), table, column)


VARCHAR20 = ColumnType("varchar", 20)


@pytest.mark.parametrize(
    ("upgrades", "mysql", "expected"),
    [
        pytest.param(
            ['op.add_column("t", sa.Column("c", sa.String(20), nullable=False))'],
            False,
            ColumnFacts(VARCHAR20, True, False, False),
            id="add-column",
        ),
        pytest.param(
            [
                'op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), '
                'sa.Column("c", sa.String(20), server_default="x", comment="why"))'
            ],
            False,
            ColumnFacts(VARCHAR20, False, True, True),
            id="create-table",
        ),
        pytest.param(
            ['op.create_table("t", sa.Column("c", sa.Integer, sa.Identity()))'],
            False,
            ColumnFacts(ColumnType("integer"), True, False, False),
            id="identity-is-not-null",
        ),
        pytest.param(
            ['op.create_table("t", sa.Column("id", sa.Integer))', "pass"],
            False,
            ColumnFacts(),
            id="table-created-without-it",
        ),
        pytest.param(
            [
                'op.add_column("t", sa.Column("c", sa.String(20)))',
                'op.alter_column("t", "c", type_=sa.String(50), nullable=False)',
            ],
            False,
            ColumnFacts(ColumnType("varchar", 50), True, False, False),
            id="alter-column-in-a-later-revision",
        ),
        pytest.param(
            [
                'op.add_column("t", sa.Column("b", sa.String(20)))\n'
                'op.alter_column("t", "b", new_column_name="c", server_default=sa.text("1"))'
            ],
            False,
            ColumnFacts(VARCHAR20, False, True, False),
            id="renamed-column",
        ),
        pytest.param(
            [
                'op.add_column("s", sa.Column("c", sa.Text(), nullable=False))\n'
                'op.rename_table("s", "t")'
            ],
            False,
            ColumnFacts(ColumnType("text"), True, False, False),
            id="renamed-table",
        ),
        pytest.param(
            [
                'op.alter_column("t", "c", server_default=None, existing_type=sa.String(20), '
                'existing_nullable=True, existing_comment="x")'
            ],
            False,
            ColumnFacts(VARCHAR20, False, False, True),
            id="existing-arguments",
        ),
        pytest.param(
            [
                'op.alter_column("t", "c", nullable=NULLABLE, comment=COMMENT, '
                "server_default=DEFAULT)"
            ],
            False,
            ColumnFacts(None, None, None, None),
            id="unknown-values",
        ),
        pytest.param(
            [
                'op.add_column("t", sa.Column("c", sa.String(20), nullable=False, '
                'server_default="x", comment="y"))',
                'op.alter_column("t", "c", type_=sa.String(30))',
            ],
            True,
            ColumnFacts(ColumnType("varchar", 30), False, False, False),
            id="mysql-modify-resets",
        ),
        pytest.param(
            [
                'op.add_column("t", sa.Column("c", sa.String(20), nullable=False, '
                'server_default="x"))',
                'op.alter_column("t", "c", type_=sa.String(30), existing_nullable=False, '
                'existing_server_default="x", existing_comment=None)',
            ],
            True,
            ColumnFacts(ColumnType("varchar", 30), True, True, False),
            id="mysql-modify-told",
        ),
        pytest.param(
            [
                'op.add_column("t", sa.Column("c", sa.String(20), nullable=False, '
                'server_default="x"))\n'
                'op.drop_column("t", "c")'
            ],
            False,
            ColumnFacts(),
            id="dropped",
        ),
        pytest.param(
            ['op.add_column("t", sa.Column("c", sa.String(20)))\nop.drop_table("t")'],
            False,
            ColumnFacts(),
            id="table-dropped",
        ),
        pytest.param(
            [
                'op.add_column("t", sa.Column("c", sa.String(20)))',
                'op.add_column("u", sa.Column("c", sa.Text()))\n'
                'op.alter_column("u", "c", type_=sa.Integer())\n'
                'op.alter_column("t", "other", type_=sa.Integer())\n'
                'op.create_index("ix", "t", ["c"])\n'
                'op.rename_table("x", "y")\n'
                "bind = op.get_bind()\n"
                "bind.execute(sa.text('select 1'))\n"
                "op.execute(SQL)",
            ],
            False,
            ColumnFacts(VARCHAR20, False, False, False),
            id="other-tables-and-unknown-sql",
        ),
    ],
)
def test_facts_from_operations(upgrades, mysql, expected):
    assert facts_of(*upgrades, mysql=mysql) == expected


def execute(sql):
    return f"op.execute({sql!r})"


@pytest.mark.parametrize(
    ("upgrades", "mysql", "expected"),
    [
        pytest.param(
            [execute("CREATE TABLE t (id int PRIMARY KEY, c varchar(20) NOT NULL DEFAULT 'x')")],
            False,
            ColumnFacts(VARCHAR20, True, True, None),
            id="create-table",
        ),
        pytest.param(
            [execute("CREATE TABLE t (c int PRIMARY KEY)")],
            False,
            ColumnFacts(ColumnType("integer"), True, False, None),
            id="primary-key",
        ),
        pytest.param(
            [execute("CREATE TABLE t (id int)")],
            False,
            ColumnFacts(),
            id="create-table-without-it",
        ),
        pytest.param(
            [
                execute("ALTER TABLE t ADD COLUMN c varchar(20)"),
                execute(
                    "ALTER TABLE t ALTER COLUMN c TYPE text, ALTER COLUMN c SET NOT NULL, "
                    "ALTER COLUMN c SET DEFAULT 'y'"
                ),
            ],
            False,
            ColumnFacts(ColumnType("text"), True, True, None),
            id="alter-column",
        ),
        pytest.param(
            [
                execute("ALTER TABLE t ADD COLUMN c varchar(20) NOT NULL DEFAULT 'x'"),
                execute("ALTER TABLE t ALTER COLUMN c DROP NOT NULL, ALTER COLUMN c DROP DEFAULT"),
            ],
            False,
            ColumnFacts(VARCHAR20, False, False, None),
            id="drop-not-null-and-default",
        ),
        pytest.param(
            [
                execute("ALTER TABLE s ADD COLUMN b varchar(20)"),
                execute("ALTER TABLE s RENAME COLUMN b TO c"),
                execute("ALTER TABLE s RENAME TO t"),
            ],
            False,
            ColumnFacts(VARCHAR20, False, False, None),
            id="renames",
        ),
        pytest.param(
            [
                execute("ALTER TABLE `s` ADD COLUMN c varchar(20)"),
                execute("RENAME TABLE x TO y, s TO t"),
            ],
            True,
            ColumnFacts(VARCHAR20, False, False, None),
            id="mysql-rename-table-pairs",
        ),
        pytest.param(
            [
                execute("ALTER TABLE `t` ADD COLUMN b int"),
                execute("ALTER TABLE `t` CHANGE b c varchar(20) NOT NULL DEFAULT 'x'"),
            ],
            True,
            ColumnFacts(VARCHAR20, True, True, None),
            id="mysql-change",
        ),
        pytest.param(
            [
                execute("ALTER TABLE `t` ADD COLUMN c int NOT NULL"),
                execute("ALTER TABLE `t` MODIFY c varchar(20)"),
            ],
            True,
            ColumnFacts(VARCHAR20, False, False, None),
            id="mysql-modify",
        ),
        pytest.param(
            [execute("ALTER TABLE t ADD COLUMN c int; ALTER TABLE t DROP COLUMN c")],
            False,
            ColumnFacts(),
            id="dropped",
        ),
        pytest.param(
            [execute("ALTER TABLE t ADD COLUMN c int"), execute("DROP TABLE t, u")],
            False,
            ColumnFacts(),
            id="table-dropped",
        ),
        pytest.param(
            [
                execute("ALTER TABLE t ADD COLUMN c int"),
                execute(
                    "ALTER TABLE u ALTER COLUMN c TYPE text; ALTER TABLE t ALTER COLUMN d TYPE "
                    "text, ADD CONSTRAINT x CHECK (c IS NOT NULL); CREATE INDEX ix ON t (c); "
                    "ALTER TABLE `t` CHANGE d e int"
                ),
            ],
            False,
            ColumnFacts(ColumnType("integer"), False, False, None),
            id="other-columns",
        ),
    ],
)
def test_facts_from_sql(upgrades, mysql, expected):
    assert facts_of(*upgrades, mysql=mysql) == expected


def test_the_walk_stops_when_everything_is_decided():
    """The newest decision wins, and nothing older is read once all is known."""
    facts = facts_of(
        'op.add_column("t", sa.Column("c", sa.Integer()))',
        'op.alter_column("t", "c", type_=sa.Text(), nullable=False, server_default="x", '
        'comment="y")',
    )
    assert facts == ColumnFacts(ColumnType("text"), True, True, True)


def test_facts_before_an_operation_in_the_same_upgrade():
    upgrade = (
        'op.add_column("t", sa.Column("c", sa.String(20)))\n'
        'op.alter_column("t", "c", nullable=False)\n'
    )
    script = parse(revision("aaa111", None, upgrade=upgrade))
    history = ColumnHistory(build_graph([script]), script, mysql=False)
    ops = upgrade_of(script)
    assert history.facts(ops, 1, "t", "c").not_null is False
    assert history.facts(ops, 2, "t", "c").not_null is True
    assert history.facts(ops, 0, "t", "c") == ColumnFacts()
    assert history.earlier() is history.earlier()


def test_oldest_first_puts_parents_first_and_survives_odd_graphs():
    sources = [
        parse(revision("aaa111", None), "versions/a.py"),
        parse(revision("bbb222", "aaa111"), "versions/b.py"),
        parse(revision("ccc333", "aaa111"), "versions/c.py"),
        parse(revision("ddd444", ("bbb222", "ccc333", "missing")), "versions/d.py"),
    ]
    graph = build_graph(sources)
    order = [s.revision or "" for s in oldest_first(graph, sources[-1])]
    assert order[0] == "aaa111" and sorted(order[1:]) == ["bbb222", "ccc333"]
    no_id = parse(revision("aaa111", None).replace("revision: str = 'aaa111'", "x = 1"))
    assert oldest_first(graph, no_id) == []
