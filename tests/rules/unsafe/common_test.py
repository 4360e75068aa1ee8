from __future__ import annotations

import textwrap

import pytest

from alembic_lint.dialect import Dialect
from alembic_lint.facts import body_facts
from alembic_lint.rules.unsafe import common
from tests.builders import parse, revision


def body(upgrade):
    script = parse(revision("7c1e9d0b4a52", None, upgrade=textwrap.dedent(upgrade).strip()))
    assert script.upgrade is not None
    ops = script.upgrade.operations
    return common.Body("upgrade", ops, body_facts(ops))


ALL = {"postgresql", "mysql", "mariadb", "sqlite"}


def dialect(name):
    return Dialect(name, 14, (8, 0), "a test")


@pytest.mark.parametrize(
    ("test", "runs_on"),
    [
        ('if bind.dialect.name == "postgresql":', {"postgresql"}),
        ("if op.get_bind().dialect.name == 'mysql':", {"mysql", "mariadb"}),
        ('if conn.dialect.name != "sqlite":', {"postgresql", "mysql", "mariadb"}),
        ('if bind.engine.name != "mysql":', {"postgresql", "sqlite", "mariadb"}),
        ('if bind.dialect.name == "postgresql" and FLAG:', {"postgresql"}),
        ('if bind.dialect.name == "postgresql" or FLAG:', ALL),
        ('if not bind.dialect.name == "postgresql":', ALL - {"postgresql"}),
        ('if not not bind.dialect.name == "sqlite":', {"sqlite"}),
        ('if bind.dialect.name in ("mysql", "mariadb"):', {"mysql", "mariadb"}),
        ('if bind.dialect.name not in ["sqlite"]:', ALL - {"sqlite"}),
        ('if bind.dialect.name == "postgres":', {"postgresql"}),
        ('if op.get_context().dialect.name == "mariadb":', {"mysql", "mariadb"}),
        ('if dialect_name == "sqlite":', {"sqlite"}),
        ("if isinstance(bind.dialect, MySQLDialect):", {"mysql", "mariadb"}),
        ("if isinstance(bind.dialect, (PGDialect, SQLiteDialect)):", {"postgresql", "sqlite"}),
        ("if isinstance(bind.dialect, MSDialect):", set()),
        ("if isinstance(bind.dialect, DefaultDialect):", ALL),
        ("if isinstance(bind.dialect, postgresql.dialect):", ALL),
        ("if is_sqlite(bind):", ALL),
        ('if bind.dialect.name == "postgresql":\n    pass\nelse:', ALL - {"postgresql"}),
        ('if bind.dialect.name != "sqlite":\n    pass\nelse:', {"sqlite"}),
        ('if bind.dialect.name == "mysql":\n    pass\nelse:', ALL - {"mysql"}),
        ('if bind.dialect.name == "sqlite" and FLAG:\n    pass\nelse:', ALL),
        ('for name in bind.dialect.name == "sqlite":', ALL),
        ("if FLAG:", ALL),
    ],
)
def test_ruled_out(test, runs_on):
    source = f"{test}\n    op.drop_table('users')"
    (op,) = [o for o in body(source).operations if o.call == "drop_table"]
    for name in ("postgresql", "mysql", "mariadb", "sqlite"):
        assert common.ruled_out(op, dialect(name)) is (name not in runs_on), name
    assert common.ruled_out(op, None) is False


def test_new_table_by_an_earlier_statement_of_the_same_execute():
    found = body(
        'op.execute("ALTER TABLE t ADD COLUMN a int; CREATE TABLE t (a int); '
        'ALTER TABLE t ADD COLUMN b int")'
    )
    first, _, last = found.operations[0].sql
    assert not common.new_table(found, 0, "t", statement=first)
    assert common.new_table(found, 0, "t", statement=last)
    assert not common.new_table(found, 0, "t")
    added = [a.column for _, a in common.alter_actions(found.operations[0], "add_column")]
    assert added == ["a", "b"]


@pytest.mark.parametrize(
    ("upgrade", "expected"),
    [
        pytest.param("op.drop_table('a')", [True], id="transaction"),
        pytest.param(
            """
            with op.get_context().autocommit_block():
                op.drop_table('a')
            op.drop_table('b')
            """,
            [False, True],
            id="block",
        ),
        pytest.param(
            """
            op.execute("COMMIT")
            op.drop_table('a')
            with op.get_context().autocommit_block():
                op.drop_table('b')
            op.drop_table('c')
            """,
            [True, False, False, True],
            id="commit-then-block",
        ),
        pytest.param(
            """
            op.execute("COMMIT")
            with op.get_context().autocommit_block():
                op.execute("COMMIT")
                op.drop_table('a')
            """,
            [True, False, False],
            id="commit-in-the-block",
        ),
    ],
)
def test_in_transaction(upgrade, expected):
    found = body(upgrade)
    assert [common.in_transaction(found, i) for i in range(len(found.operations))] == expected


def test_existing_table():
    found = body(
        """
        op.create_index("ix", "users", ["a"])
        op.create_index("ix", TABLE, ["a"])
        op.execute("CREATE TABLE users (a int)")
        op.create_index("ix", "users", ["a"])
        op.create_index("ix", "orders", ["a"])
        op.create_index("ix", TABLE, ["a"])
        """
    )
    tables = [op.table for op in found.operations]
    assert [common.existing_table(found, i, t) for i, t in enumerate(tables)] == [
        True, True, True, False, True, False
    ]  # fmt: skip


def test_flag_quoted_and_column_call():
    (op,) = body(
        'op.create_index("ix", "t", ["a"], postgresql_concurrently=X, unique=1)'
    ).operations
    assert common.flag(op, "postgresql_concurrently") is None
    assert common.flag(op, "unique") is True
    assert common.flag(op, "postgresql_where") is False
    assert common.quoted("users", "its table") == "`users`"
    assert common.quoted(None, "its table") == "its table"
    (add,) = body("op.add_column('t', sa.Column(sa.Integer(), index=True))").operations
    assert common.column_call(add.columns[0], "index=True") == "`sa.Column(..., index=True)`"


def test_the_body_facts_memo_is_bounded(monkeypatch):
    from alembic_lint.rules.unsafe import common as unsafe_common
    from tests.builders import parse, revision

    monkeypatch.setattr(unsafe_common, "_SEEN", {})
    monkeypatch.setattr(unsafe_common, "_SEEN_LIMIT", 1)
    first = parse(revision("3f9c2a71be04", None)).upgrade
    second = parse(revision("8d41e6c0a9f3", None)).upgrade
    assert first is not None and second is not None
    facts = unsafe_common._facts(first.operations)
    assert unsafe_common._facts(first.operations) is facts  # computed once
    unsafe_common._facts(second.operations)  # over the bound: the memo starts again
    assert list(unsafe_common._SEEN) == [id(second.operations)]
