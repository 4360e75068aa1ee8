from __future__ import annotations

import pytest

from alembic_lint.config import Settings
from alembic_lint.dialect import Dialect
from alembic_lint.graph import build_graph
from alembic_lint.rules import Context
from alembic_lint.rules.unsafe import common
from alembic_lint.rules.unsafe.common import runs_on
from tests.builders import PROJECT, parse, revision


def dialect(name):
    return Dialect(name, 14, (8, 0), "test")


def only_op(upgrade):
    script = parse(revision("aaa111", None, upgrade=upgrade))
    assert script.upgrade is not None
    *_, op = script.upgrade.operations
    return op


def under(test, *, branch="if"):
    body = (
        f"if {test}:\n    pass\nelse:\n    op.drop_table('t')"
        if branch == "else"
        else (f"if {test}:\n    op.drop_table('t')")
    )
    return only_op(f"bind = op.get_bind()\n{body}")


@pytest.mark.parametrize(
    ("test", "runs_on_pg", "runs_on_mysql"),
    [
        ('bind.dialect.name == "postgresql"', True, False),
        ('bind.dialect.name == "postgres"', True, False),
        ('bind.dialect.name != "postgresql"', False, True),
        ('op.get_context().dialect.name == "mysql"', False, True),
        ('bind.dialect.name == "mariadb"', False, True),
        ('bind.engine.name in ("mysql", "mariadb")', False, True),
        ('bind.dialect.name not in ["sqlite"]', True, True),
        ('dialect_name == "sqlite"', False, False),
        ("isinstance(bind.dialect, MySQLDialect)", False, True),
        ("isinstance(bind.dialect, (PGDialect, SQLiteDialect))", True, False),
        ("isinstance(bind.dialect, postgresql.dialect)", True, True),
        ("isinstance(bind.dialect, MSDialect)", False, False),
        ('not bind.dialect.name == "mysql"', True, False),
        ('not not bind.dialect.name == "mysql"', False, True),
        ("isinstance(bind.dialect, DefaultDialect)", True, True),
        ('bind.dialect.name == "mysql" and flag', True, True),
        ("is_sqlite(bind)", True, True),
        ("flag", True, True),
    ],
)
def test_runs_on(test, runs_on_pg, runs_on_mysql):
    op = under(test)
    assert runs_on(op, dialect("postgresql")) is runs_on_pg
    assert runs_on(op, dialect("mariadb")) is runs_on_mysql
    assert runs_on(op, None)


def test_else_branches_run_where_the_test_fails():
    op = under('bind.dialect.name == "mysql"', branch="else")
    assert runs_on(op, dialect("postgresql")) and not runs_on(op, dialect("mysql"))


def test_loops_and_helpers_do_not_decide():
    op = only_op("for t in tables:\n    op.drop_table(t)")
    assert runs_on(op, dialect("mysql"))


def test_new_table_by_an_earlier_statement_of_the_same_execute():
    upgrade = 'op.execute("ALTER TABLE t ADD COLUMN a int; CREATE TABLE t (a int); ALTER TABLE t ADD COLUMN b int")'
    script = parse(revision("aaa111", None, upgrade=upgrade))
    ctx = Context(build_graph([script]), Settings(), PROJECT, {}, frozenset())
    (body,) = common.bodies(script, ctx)
    first, _, last = body.operations[0].sql
    assert not common.new_table(body, 0, "t", statement=first)
    assert common.new_table(body, 0, "t", statement=last)
    assert not common.new_table(body, 0, "t")
    assert [a.column for _, a in common.alter_actions(body.operations[0], "add_column")] == [
        "a",
        "b",
    ]
