from __future__ import annotations

import textwrap

import pytest

from alembic_lint import rules
from alembic_lint.cli import main
from alembic_lint.config import Settings
from tests.builders import check, revision

REV = "7c1e9d0b4a52"
PG = Settings(dialect="postgresql")
MYSQL = Settings(dialect="mysql")
BODY = 20
"""The line before the first line of ``upgrade()``'s body in ``revision()``'s template."""


def lines(code, upgrade, *, settings=PG, downgrade="pass"):
    """The lines of ``upgrade()`` (1-based) at which the rule fires."""
    source = revision(REV, None, upgrade=textwrap.dedent(upgrade).strip(), downgrade=downgrade)
    found = check(code, {"versions/x.py": source}, settings=settings)
    assert all(d.code == code and d.revision == REV for d in found)
    return [d.line - BODY for d in found]


def only(code, upgrade, *, settings=PG):
    """The one finding of the rule."""
    source = revision(REV, None, upgrade=textwrap.dedent(upgrade).strip())
    (found,) = check(code, {"versions/x.py": source}, settings=settings)
    return found


BLOCK = "with op.get_context().autocommit_block():"

# --- AL401 non-concurrent-index -------------------------------------------------------------


@pytest.mark.parametrize(
    ("upgrade", "expected"),
    [
        pytest.param('op.create_index("ix_a", "users", ["a"])', [1], id="create_index"),
        pytest.param(
            'op.create_index(op.f("ix_a"), "users", ["a"], unique=True)', [1], id="unique"
        ),
        pytest.param(
            'op.create_index("ix_a", "users", ["a"], postgresql_concurrently=False)',
            [1],
            id="concurrently-false",
        ),
        pytest.param(
            'op.create_index(index_name="ix_a", table_name="users", columns=["a"])',
            [1],
            id="keywords",
        ),
        pytest.param(
            """
            with op.batch_alter_table("users") as batch_op:
                batch_op.create_index("ix_a", ["a"])
            """,
            [2],
            id="batch_op",
        ),
        pytest.param(
            'op.add_column("users", sa.Column("a", sa.Integer(), index=True))',
            [1],
            id="add_column-index",
        ),
        pytest.param(
            'op.add_column("users", sa.Column("a", sa.Integer(), index=True, unique=True))',
            [1],
            id="add_column-unique-index",
        ),
        pytest.param(
            """
            with op.batch_alter_table("users") as batch_op:
                batch_op.add_column(sa.Column("a", sa.Integer(), index=True))
            """,
            [2],
            id="batch_op-add_column-index",
        ),
        pytest.param('op.execute("CREATE INDEX ix_a ON users (a)")', [1], id="sql"),
        pytest.param(
            'op.execute(sa.text("CREATE UNIQUE INDEX IF NOT EXISTS ix_a ON app.users (a)"))',
            [1],
            id="sql-unique-text",
        ),
        pytest.param(
            """
            bind = op.get_bind()
            bind.execute(sa.text("CREATE INDEX ix_a ON users (a)"))
            bind.exec_driver_sql("CREATE INDEX ix_b ON users (b)")
            """,
            [2, 3],
            id="sql-through-the-bind",
        ),
        pytest.param(
            f"""
            {BLOCK}
                op.create_index("ix_a", "users", ["a"])
            """,
            [2],
            id="in-block-but-not-concurrent",
        ),
        pytest.param(
            """
            op.execute("COMMIT")
            op.create_index("ix_a", "users", ["a"])
            """,
            [2],
            id="after-commit-but-not-concurrent",
        ),
        pytest.param(
            """
            op.create_index("ix_a", "users", ["a"])
            op.create_table("users", sa.Column("id", sa.Integer()))
            """,
            [1],
            id="before-the-create_table",
        ),
        pytest.param(
            """
            op.create_table("audit", sa.Column("id", sa.Integer()))
            op.create_index("ix_a", "users", ["a"])
            """,
            [2],
            id="another-table-is-new",
        ),
        pytest.param(
            """
            op.add_column("users", sa.Column("a", sa.Integer()))
            op.create_index("ix_a", "users", ["a"])
            """,
            [2],
            id="on-a-new-column-of-an-existing-table",
        ),
        pytest.param(
            'op.create_index("ix_a", TABLE, ["a"])', [1], id="unknown-table-nothing-created"
        ),
        pytest.param(
            """
            for table in ("users", "orders"):
                op.create_index(f"ix_{table}_a", table, ["a"])
            """,
            [2, 2],
            id="literal-loop",
        ),
        pytest.param(
            """
            if op.get_bind().dialect.name == "postgresql":
                op.create_index("ix_a", "users", ["a"])
            """,
            [2],
            id="postgresql-branch",
        ),
    ],
)
def test_al401_fires(upgrade, expected):
    assert lines("AL401", upgrade) == expected


@pytest.mark.parametrize(
    "upgrade",
    [
        pytest.param(
            f"""
            {BLOCK}
                op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            """,
            id="concurrent-in-block",
        ),
        pytest.param(
            """
            op.execute("COMMIT")
            op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            """,
            id="concurrent-after-commit",
        ),
        pytest.param(
            f"""
            {BLOCK}
                op.execute("CREATE UNIQUE INDEX CONCURRENTLY ix_a ON users (a)")
            """,
            id="sql-concurrently",
        ),
        pytest.param(
            'op.create_index("ix_a", "users", ["a"], postgresql_concurrently=CONCURRENT)',
            id="unknown-concurrently",
        ),
        pytest.param(
            """
            op.create_table("users", sa.Column("id", sa.Integer()), sa.Column("a", sa.Integer()))
            op.create_index("ix_a", "users", ["a"])
            op.add_column("users", sa.Column("b", sa.Integer(), index=True))
            """,
            id="new-table",
        ),
        pytest.param(
            """
            t = op.create_table("users", sa.Column("a", sa.Integer()))
            op.create_index("ix_a", "users", ["a"])
            op.bulk_insert(t, [{"a": 1}])
            op.create_index("ix_b", "users", ["a"])
            """,
            id="new-table-assigned",
        ),
        pytest.param(
            """
            op.execute("CREATE TABLE users (a int)")
            op.execute("CREATE INDEX ix_a ON users (a)")
            """,
            id="new-table-sql",
        ),
        pytest.param(
            """
            with op.batch_alter_table("users") as batch_op:
                batch_op.create_index("ix_a", ["a"], postgresql_concurrently=True)
            """,
            id="batch-concurrent",
        ),
        pytest.param(
            'op.create_table("users", sa.Column("a", sa.Integer(), index=True))',
            id="index-inside-create_table",
        ),
        pytest.param(
            """
            op.add_column("users", sa.Column("a", sa.Integer(), unique=True))
            op.add_column("users", sa.Column("b", sa.Integer(), index=False))
            op.add_column("users", sa.Column("c", sa.Integer(), index=INDEXED))
            """,
            id="add_column-without-index",
        ),
        pytest.param(
            """
            op.create_table(NAME, sa.Column("a", sa.Integer()))
            op.create_index("ix_a", TABLE, ["a"])
            """,
            id="unknown-table-after-a-create",
        ),
        pytest.param(
            """
            op.execute(sa.text(SQL))
            op.execute("CREATE INDEX CONCURRENTLY ON ONLY")
            """,
            id="sql-unknown-or-unparsed",
        ),
        pytest.param(
            """
            if op.get_bind().dialect.name == "sqlite":
                op.create_index("ix_a", "users", ["a"])
            """,
            id="sqlite-branch",
        ),
        pytest.param(
            """
            if op.get_bind().dialect.name != "postgresql":
                op.create_index("ix_a", "users", ["a"])
            """,
            id="not-postgresql-branch",
        ),
        pytest.param(
            """
            if op.get_bind().dialect.name == "postgresql":
                pass
            else:
                op.create_index("ix_a", "users", ["a"])
            """,
            id="else-of-postgresql-branch",
        ),
    ],
)
def test_al401_quiet(upgrade):
    assert lines("AL401", upgrade) == []


def test_al401_message_and_hint():
    found = only("AL401", 'op.create_index("ix_a", "users", ["a"])')
    assert found.message == (
        "`create_index` builds `ix_a` on `users` without CONCURRENTLY: its SHARE lock blocks "
        "every write to `users` until the index is built"
    )
    assert found.hint == (
        "`with op.get_context().autocommit_block(): "
        "op.create_index(..., postgresql_concurrently=True)`"
    )
    column = only("AL401", 'op.add_column("users", sa.Column("a", sa.Integer(), index=True))')
    assert column.message.startswith('`sa.Column("a", ..., index=True)` in `add_column` builds')
    assert column.hint.startswith("add the column without `index=True`, then `with")
    sql = only("AL401", 'op.execute("CREATE UNIQUE INDEX ix_a ON users (a)")')
    assert sql.message.startswith("`CREATE UNIQUE INDEX` on `users` without CONCURRENTLY")
    assert sql.hint.startswith("`CREATE UNIQUE INDEX CONCURRENTLY`, alone in an `op.execute`")
    unknown = only("AL401", 'op.create_index(NAME, TABLE, ["a"])')
    assert unknown.message.startswith("`create_index` builds an index on its table without")


def test_al401_downgrade_only_with_lint_downgrade():
    index = 'op.create_index("ix_a", "users", ["a"])'
    assert lines("AL401", "pass", downgrade=index) == []
    linted = Settings(dialect="postgresql", lint_downgrade=True)
    assert lines("AL401", "pass", downgrade=index, settings=linted) == [5]


@pytest.mark.parametrize("code", ["AL401", "AL408", "AL409", "AL421"])
@pytest.mark.parametrize("dialect", ["mysql", "mariadb", "sqlite"])
def test_postgresql_only(code, dialect):
    upgrade = """
        op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
        op.create_index("ix_b", "users", ["b"])
        op.create_unique_constraint("uq_a", "users", ["a"])
        op.drop_index("ix_c", table_name="users")
    """
    assert lines(code, upgrade) != []
    assert lines(code, upgrade, settings=Settings(dialect=dialect)) == []


# --- AL408 concurrently-in-transaction ------------------------------------------------------


@pytest.mark.parametrize(
    ("upgrade", "expected"),
    [
        pytest.param(
            'op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)',
            [1],
            id="create_index",
        ),
        pytest.param(
            'op.drop_index("ix_a", table_name="users", postgresql_concurrently=True)',
            [1],
            id="drop_index",
        ),
        pytest.param(
            """
            with op.batch_alter_table("users") as batch_op:
                batch_op.create_index("ix_a", ["a"], postgresql_concurrently=True)
            """,
            [2],
            id="batch_op",
        ),
        pytest.param(
            'op.execute("CREATE INDEX CONCURRENTLY ix_a ON users (a)")', [1], id="sql-create"
        ),
        pytest.param('op.execute("DROP INDEX CONCURRENTLY ix_a")', [1], id="sql-drop"),
        pytest.param('op.execute("REINDEX INDEX CONCURRENTLY ix_a")', [1], id="sql-reindex"),
        pytest.param(
            'op.execute("ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY")',
            [1],
            id="sql-detach-partition",
        ),
        pytest.param(
            """
            op.create_table("users", sa.Column("a", sa.Integer()))
            op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            """,
            [2],
            id="new-table-fails-too",
        ),
        pytest.param(
            f"""
            {BLOCK}
                op.execute("SET lock_timeout = '2s'")
            op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            """,
            [3],
            id="after-the-block",
        ),
        pytest.param(
            f"""
            op.execute("COMMIT")
            {BLOCK}
                op.execute("SET lock_timeout = '2s'")
            op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            """,
            [4],
            id="commit-then-block-then-concurrently",
        ),
        pytest.param(
            """
            op.execute("COMMIT")
            op.execute("BEGIN")
            op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            """,
            [3],
            id="commit-then-begin",
        ),
        pytest.param(
            f"""
            {BLOCK}
                op.execute(
                    "CREATE INDEX CONCURRENTLY ix_a ON users (a); "
                    "CREATE INDEX CONCURRENTLY ix_b ON users (b)"
                )
            """,
            [2],
            id="several-statements-in-block",
        ),
        pytest.param(
            """
            op.execute("COMMIT")
            op.execute("SET lock_timeout = '2s'; CREATE INDEX CONCURRENTLY ix_a ON users (a)")
            """,
            [2],
            id="several-statements-after-commit",
        ),
        pytest.param(
            """
            def build(name):
                op.create_index(name, "users", ["a"], postgresql_concurrently=True)


            build("ix_a")
            """,
            [2],
            id="helper",
        ),
    ],
)
def test_al408_fires(upgrade, expected):
    assert lines("AL408", upgrade) == expected


@pytest.mark.parametrize(
    "upgrade",
    [
        pytest.param(
            f"""
            {BLOCK}
                op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
                op.drop_index("ix_b", table_name="users", postgresql_concurrently=True)
                op.execute("REINDEX INDEX CONCURRENTLY ix_c")
            """,
            id="in-block",
        ),
        pytest.param(
            """
            op.execute("COMMIT")
            op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            op.execute("CREATE INDEX CONCURRENTLY ix_b ON users (b)")
            """,
            id="after-commit",
        ),
        pytest.param(
            """
            op.execute(sa.text("commit"))
            op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            """,
            id="after-commit-text",
        ),
        pytest.param(
            f"""
            op.execute("COMMIT")
            {BLOCK}
                op.execute("COMMIT")
                op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            """,
            id="commit-inside-the-block",
        ),
        pytest.param(
            'op.create_index("ix_a", "users", ["a"], postgresql_concurrently=CONCURRENT)',
            id="unknown",
        ),
        pytest.param(
            """
            op.create_index("ix_a", "users", ["a"])
            op.execute("CREATE INDEX ix_b ON users (b); SELECT 1")
            """,
            id="not-concurrent",
        ),
        pytest.param(
            """
            if op.get_bind().dialect.name == "sqlite":
                op.create_index("ix_a", "users", ["a"], postgresql_concurrently=True)
            """,
            id="sqlite-branch",
        ),
    ],
)
def test_al408_quiet(upgrade):
    assert lines("AL408", upgrade) == []


def test_al408_messages():
    found = only("AL408", 'op.drop_index("ix_a", postgresql_concurrently=True)')
    assert found.message == (
        "`drop_index(..., postgresql_concurrently=True)` runs inside the migration's "
        "transaction: PostgreSQL refuses DROP INDEX CONCURRENTLY in a transaction block and "
        "the upgrade fails"
    )
    assert found.hint == "wrap it in `with op.get_context().autocommit_block():`"
    sql = only("AL408", 'op.execute("ALTER TABLE e DETACH PARTITION e1 CONCURRENTLY")')
    assert sql.message.startswith("`DETACH PARTITION ... CONCURRENTLY` runs inside")
    several = only(
        "AL408",
        f"""
        {BLOCK}
            op.execute("SELECT 1; DROP INDEX CONCURRENTLY ix_a")
        """,
    )
    assert several.message.startswith(
        "`DROP INDEX CONCURRENTLY` is sent with other statements in one `op.execute`"
    )
    assert several.hint == (
        "one statement per `op.execute(...)`, inside `with op.get_context().autocommit_block():`"
    )


# --- AL409 add-unique-constraint ------------------------------------------------------------


@pytest.mark.parametrize(
    ("upgrade", "expected"),
    [
        pytest.param('op.create_unique_constraint("uq_a", "users", ["a"])', [1], id="unique"),
        pytest.param('op.create_primary_key("pk_users", "users", ["id"])', [1], id="primary"),
        pytest.param(
            """
            with op.batch_alter_table("users") as batch_op:
                batch_op.create_unique_constraint("uq_a", ["a"])
                batch_op.create_primary_key("pk_users", ["id"])
            """,
            [2, 3],
            id="batch_op",
        ),
        pytest.param(
            'op.add_column("users", sa.Column("a", sa.Integer(), unique=True))',
            [1],
            id="add_column-unique",
        ),
        pytest.param(
            'op.add_column("users", sa.Column("id", sa.Integer(), primary_key=True), '
            "inline_primary_key=True)",
            [1],
            id="add_column-inline-primary-key",
        ),
        pytest.param(
            'op.execute("ALTER TABLE users ADD CONSTRAINT uq_a UNIQUE (a)")', [1], id="sql"
        ),
        pytest.param(
            'op.execute("ALTER TABLE users ADD UNIQUE (a), ADD PRIMARY KEY (id)")',
            [1, 1],
            id="sql-two",
        ),
        pytest.param(
            'op.execute("ALTER TABLE users ADD COLUMN a int UNIQUE")', [1], id="sql-add-column"
        ),
        pytest.param(
            """
            op.create_unique_constraint("uq_a", "users", ["a"])
            op.create_table("users", sa.Column("a", sa.Integer()))
            """,
            [1],
            id="before-the-create_table",
        ),
    ],
)
def test_al409_fires(upgrade, expected):
    assert lines("AL409", upgrade) == expected


@pytest.mark.parametrize(
    "upgrade",
    [
        pytest.param(
            """
            op.execute("ALTER TABLE users ADD CONSTRAINT uq_a UNIQUE USING INDEX uq_a")
            op.execute("ALTER TABLE users ADD CONSTRAINT pk PRIMARY KEY USING INDEX pk")
            """,
            id="using-index",
        ),
        pytest.param(
            'op.add_column("users", sa.Column("a", sa.Integer(), unique=True, index=True))',
            id="unique-index-is-al401",
        ),
        pytest.param(
            'op.add_column("users", sa.Column("id", sa.Integer(), primary_key=True))',
            id="add_column-primary-key-is-not-added",
        ),
        pytest.param(
            'op.add_column("users", sa.Column("a", sa.Integer(), unique=UNIQUE))',
            id="unknown-unique",
        ),
        pytest.param(
            """
            op.create_table("users", sa.Column("a", sa.Integer(), unique=True))
            op.create_unique_constraint("uq_a", "users", ["a"])
            op.create_primary_key("pk", "users", ["a"])
            op.add_column("users", sa.Column("b", sa.Integer(), unique=True))
            op.execute("ALTER TABLE users ADD UNIQUE (b)")
            """,
            id="new-table",
        ),
        pytest.param(
            'op.execute("CREATE TABLE users (a int UNIQUE, PRIMARY KEY (a))")', id="sql-create"
        ),
        pytest.param(
            """
            op.execute("ALTER TABLE users ADD CONSTRAINT ck CHECK (a > 0), DROP COLUMN b")
            op.execute("ALTER TABLE users ADD COLUMN c int REFERENCES orgs (id)")
            op.execute("UPDATE users SET a = 1")
            """,
            id="other-sql",
        ),
    ],
)
def test_al409_quiet(upgrade):
    assert lines("AL409", upgrade) == []


def test_al409_messages():
    found = only("AL409", 'op.create_unique_constraint("uq_a", "users", ["a"])')
    assert found.message == (
        "`create_unique_constraint` on `users` builds its index under an ACCESS EXCLUSIVE lock: "
        "every read and write of `users` waits until the index is built"
    )
    assert found.hint == (
        "build the index first, `with op.get_context().autocommit_block(): "
        'op.create_index("uq_a", ..., unique=True, postgresql_concurrently=True)`, then '
        '`op.execute("ALTER TABLE users ADD CONSTRAINT uq_a UNIQUE USING INDEX uq_a")`'
    )
    column = only("AL409", 'op.add_column("users", sa.Column("a", sa.Integer(), unique=True))')
    assert column.message.startswith(
        '`sa.Column("a", ..., unique=True)` in `add_column` adds a UNIQUE constraint to `users`'
    )
    assert column.hint.startswith("add the column without `unique=True`, then build the index")
    primary = only("AL409", 'op.execute("ALTER TABLE users ADD PRIMARY KEY (id)")')
    assert primary.message.startswith("`ADD ... PRIMARY KEY` without `USING INDEX` on `users`")
    assert primary.hint.endswith(
        '`op.execute("ALTER TABLE users ADD CONSTRAINT <name> PRIMARY KEY USING INDEX <name>")`'
    )
    unknown = only("AL409", 'op.create_primary_key("pk", TABLE, ["id"])')
    assert "ALTER TABLE <table> ADD CONSTRAINT pk PRIMARY KEY" in unknown.hint


# --- AL421 non-concurrent-index-drop --------------------------------------------------------


def test_al421_is_opt_in():
    assert rules.BY_CODE["AL421"].default is False
    assert all(rules.BY_CODE[code].default for code in ("AL401", "AL408", "AL409"))


@pytest.mark.parametrize(
    ("upgrade", "expected"),
    [
        pytest.param('op.drop_index("ix_a", table_name="users")', [1], id="drop_index"),
        pytest.param('op.drop_index(op.f("ix_a"))', [1], id="without-table"),
        pytest.param(
            'op.drop_index("ix_a", table_name="users", postgresql_concurrently=False)',
            [1],
            id="concurrently-false",
        ),
        pytest.param(
            """
            with op.batch_alter_table("users") as batch_op:
                batch_op.drop_index("ix_a")
            """,
            [2],
            id="batch_op",
        ),
        pytest.param('op.execute("DROP INDEX IF EXISTS ix_a")', [1], id="sql"),
        pytest.param(
            """
            op.create_index("ix_b", "users", ["b"], postgresql_concurrently=True)
            op.execute("DROP INDEX ix_a, ix_b")
            """,
            [2],
            id="sql-one-of-two-created-here",
        ),
        pytest.param(
            """
            op.drop_index("ix_a", table_name="users")
            op.create_index("ix_a", "users", ["a"])
            """,
            [1],
            id="before-it-is-created",
        ),
        pytest.param(
            """
            if op.get_bind().dialect.name == "sqlite":
                op.create_index("ix_a", "users", ["a"])
            op.drop_index("ix_a", table_name="users")
            """,
            [3],
            id="created-only-on-sqlite",
        ),
    ],
)
def test_al421_fires(upgrade, expected):
    assert lines("AL421", upgrade) == expected


@pytest.mark.parametrize(
    "upgrade",
    [
        pytest.param(
            f"""
            {BLOCK}
                op.drop_index("ix_a", table_name="users", postgresql_concurrently=True)
                op.execute("DROP INDEX CONCURRENTLY ix_b")
            """,
            id="concurrent",
        ),
        pytest.param(
            'op.drop_index("ix_a", table_name="users", postgresql_concurrently=CONCURRENT)',
            id="unknown",
        ),
        pytest.param(
            """
            op.create_index("ix_a", "users", ["a"])
            op.drop_index("ix_a", table_name="users")
            op.execute("CREATE INDEX ix_b ON users (b)")
            op.execute("DROP INDEX ix_b")
            """,
            id="created-earlier",
        ),
        pytest.param(
            """
            op.create_table("users", sa.Column("a", sa.Integer(), index=True))
            op.drop_index("ix_users_a", table_name="users")
            """,
            id="new-table",
        ),
        pytest.param(
            """
            if op.get_bind().dialect.name == "sqlite":
                op.drop_index("ix_a", table_name="users")
            """,
            id="sqlite-branch",
        ),
    ],
)
def test_al421_quiet(upgrade):
    assert lines("AL421", upgrade) == []


def test_al421_messages():
    found = only("AL421", 'op.drop_index("ix_a", table_name="users")')
    assert found.message == (
        "`drop_index` drops `ix_a` without CONCURRENTLY: its ACCESS EXCLUSIVE lock on `users` "
        "waits for every running query and blocks every read and write queued behind it"
    )
    assert found.hint == (
        "`with op.get_context().autocommit_block(): "
        "op.drop_index(..., postgresql_concurrently=True)`"
    )
    sql = only("AL421", 'op.execute("DROP INDEX ix_a")')
    assert sql.message.startswith(
        "`DROP INDEX` `ix_a` without CONCURRENTLY: its ACCESS EXCLUSIVE lock on its table"
    )
    unknown = only("AL421", "op.drop_index(NAME)")
    assert unknown.message.startswith("`drop_index` drops an index without CONCURRENTLY")


# --- through the command line ---------------------------------------------------------------


def test_cli(tmp_path, monkeypatch, capsys):
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n"
        "sqlalchemy.url = postgresql+psycopg://app@db/app\n"
    )
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    upgrade = textwrap.dedent(
        f"""
        op.create_index("ix_users_email", "users", ["email"])
        {BLOCK}
            op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
        op.drop_index("ix_users_old", table_name="users")
        """
    ).strip()
    (versions / f"{REV}_index.py").write_text(
        revision(REV, None, message="index users", upgrade=upgrade, downgrade="pass")
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "AL401,AL408,AL409,AL421"]) == 1
    out = capsys.readouterr().out
    path = f"migrations/versions/{REV}_index.py"
    assert out.splitlines()[::2] == [
        f"{path}:21:5: AL401 `create_index` builds `ix_users_email` on `users` without "
        "CONCURRENTLY: its SHARE lock blocks every write to `users` until the index is built",
        f"{path}:24:5: AL421 `drop_index` drops `ix_users_old` without CONCURRENTLY: its ACCESS "
        "EXCLUSIVE lock on `users` waits for every running query and blocks every read and "
        "write queued behind it",
        "Found 2 findings in 1 file (1 file checked).",
    ]
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "AL401" in out and "AL421" not in out
