from __future__ import annotations

import textwrap

import pytest

from alembic_lint.cli import main
from alembic_lint.config import Settings
from tests.builders import check, revision

REV = "7c1e9d0b4a52"
PG = Settings(dialect="postgresql")
MYSQL = Settings(dialect="mysql")
MARIADB = Settings(dialect="mariadb")
BODY = 20
"""The line before the first line of ``upgrade()``'s body in ``revision()``'s template."""
BLOCK = "with op.get_context().autocommit_block():"


def lines(code, upgrade, *, settings=PG, downgrade="pass"):
    """The lines of ``upgrade()`` (1-based) at which the rule fires."""
    source = revision(REV, None, upgrade=textwrap.dedent(upgrade).strip(), downgrade=downgrade)
    found = check(code, {"versions/x.py": source}, settings=settings)
    assert all(d.code == code and d.revision == REV for d in found)
    return [d.line - BODY for d in found]


def only(code, upgrade, *, settings=PG):
    source = revision(REV, None, upgrade=textwrap.dedent(upgrade).strip())
    (found,) = check(code, {"versions/x.py": source}, settings=settings)
    return found


FK = 'op.create_foreign_key("fk_o_u", "orders", "users", ["user_id"], ["id"]'

# --- AL404 foreign-key-without-not-valid ----------------------------------------------------


@pytest.mark.parametrize(
    ("upgrade", "expected"),
    [
        pytest.param(f"{FK})", [1], id="create_foreign_key"),
        pytest.param(f"{FK}, postgresql_not_valid=False)", [1], id="not-valid-false"),
        pytest.param(
            """
            op.create_foreign_key(
                constraint_name="fk_o_u",
                source_table="orders",
                referent_table="users",
                local_cols=["user_id"],
                remote_cols=["id"],
            )
            """,
            [1],
            id="keywords",
        ),
        pytest.param(
            """
            with op.batch_alter_table("orders") as batch_op:
                batch_op.create_foreign_key("fk_o_u", "users", ["user_id"], ["id"])
            """,
            [2],
            id="batch_op",
        ),
        pytest.param(
            'op.add_column("orders", sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")))',
            [1],
            id="add_column-foreign-key",
        ),
        pytest.param(
            'op.add_column("orders", sa.Column("user_id", sa.Integer(), '
            'sa.ForeignKey("users.id")), inline_references=True)',
            [1],
            id="add_column-inline-references",
        ),
        pytest.param(
            """
            with op.batch_alter_table("orders") as batch_op:
                batch_op.add_column(sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")))
            """,
            [2],
            id="batch_op-add_column",
        ),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) '
            'REFERENCES users (id)")',
            [1],
            id="sql",
        ),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD FOREIGN KEY (a) REFERENCES users (id), '
            'ADD COLUMN b int REFERENCES users (id)")',
            [1, 1],
            id="sql-two",
        ),
        pytest.param(
            """
            op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))
            op.create_foreign_key("fk_o_u", "orders", "users", ["user_id"], ["id"])
            """,
            [2],
            id="referenced-table-new-source-existing",
        ),
        pytest.param(
            f"""
            {FK})
            op.create_table("orders", sa.Column("id", sa.Integer()))
            """,
            [1],
            id="before-the-create_table",
        ),
    ],
)
def test_al404_fires_on_postgresql(upgrade, expected):
    assert lines("AL404", upgrade) == expected


@pytest.mark.parametrize(
    "upgrade",
    [
        pytest.param(f"{FK}, postgresql_not_valid=True)", id="not-valid"),
        pytest.param(f"{FK}, postgresql_not_valid=NOT_VALID)", id="unknown-not-valid"),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) '
            'REFERENCES users (id) NOT VALID")',
            id="sql-not-valid",
        ),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) '
            'REFERENCES users (id) NOT ENFORCED")',
            id="sql-not-enforced",
        ),
        pytest.param(
            """
            op.create_table(
                "orders",
                sa.Column("id", sa.Integer()),
                sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
                sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
            )
            """,
            id="inside-create_table",
        ),
        pytest.param(
            f"""
            t = op.create_table("orders", sa.Column("id", sa.Integer()))
            {FK})
            op.add_column("orders", sa.Column("u", sa.Integer(), sa.ForeignKey("users.id")))
            """,
            id="new-table-assigned",
        ),
        pytest.param(
            """
            op.execute("CREATE TABLE orders (id int, user_id int REFERENCES users (id))")
            op.execute("ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id)")
            """,
            id="new-table-sql",
        ),
        pytest.param(
            """
            op.add_column("orders", sa.Column("user_id", sa.Integer()))
            op.execute("ALTER TABLE orders ADD CONSTRAINT ck CHECK (a > 0), DROP COLUMN b")
            """,
            id="no-foreign-key",
        ),
        pytest.param(
            f"""
            if op.get_bind().dialect.name == "sqlite":
                {FK})
            """,
            id="sqlite-branch",
        ),
    ],
)
def test_al404_quiet_on_postgresql(upgrade):
    assert lines("AL404", upgrade) == []


def test_al404_postgresql_messages():
    found = only("AL404", f"{FK})")
    assert found.message == (
        "`create_foreign_key` checks every row of `orders` while it holds SHARE ROW EXCLUSIVE "
        "locks on `orders` and `users`: writes to both wait for the whole scan"
    )
    assert found.hint == (
        "`op.create_foreign_key(..., postgresql_not_valid=True)`, then "
        '`op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_o_u")` in the next revision'
    )
    column = only(
        "AL404",
        'op.add_column("orders", sa.Column("u", sa.Integer(), sa.ForeignKey("app.users.id")))',
    )
    assert column.message.startswith(
        '`sa.Column("u", ..., sa.ForeignKey(...))` in `add_column` checks every row of '
        "`orders` while it holds SHARE ROW EXCLUSIVE locks on `orders` and `users`"
    )
    assert column.hint == (
        "add the column without the key, add it with "
        "`op.create_foreign_key(..., postgresql_not_valid=True)`, and "
        '`op.execute("ALTER TABLE orders VALIDATE CONSTRAINT <name>")` in the next revision'
    )
    sql = only("AL404", 'op.execute("ALTER TABLE orders ADD FOREIGN KEY (u) REFERENCES users")')
    assert sql.message.startswith("`ADD FOREIGN KEY` checks every row of `orders`")
    assert sql.hint.startswith("add `NOT VALID` to it, then `op.execute(")
    unknown = only(
        "AL404",
        'op.add_column(TABLE, sa.Column("u", sa.Integer(), sa.ForeignKey(users.c.id)))',
    )
    assert "locks on its table and the table it references" in unknown.message
    assert "ALTER TABLE <table> VALIDATE CONSTRAINT <name>" in unknown.hint


@pytest.mark.parametrize(
    ("upgrade", "expected", "settings"),
    [
        pytest.param(f"{FK})", [1], MYSQL, id="create_foreign_key"),
        pytest.param(f"{FK}, postgresql_not_valid=True)", [1], MYSQL, id="not-valid-ignored"),
        pytest.param(
            'op.add_column("orders", sa.Column("u", sa.Integer(), sa.ForeignKey("users.id")))',
            [1],
            MYSQL,
            id="add_column",
        ),
        pytest.param(
            'op.execute("ALTER TABLE `orders` ADD CONSTRAINT `fk` FOREIGN KEY (`u`) '
            'REFERENCES `users` (`id`), ALGORITHM=INPLACE")',
            [1],
            MYSQL,
            id="sql-backticks",
        ),
        pytest.param(
            f"""
            op.execute("SET foreign_key_checks = 0")
            op.execute("SET foreign_key_checks = 1")
            {FK})
            """,
            [3],
            MYSQL,
            id="checks-back-on",
        ),
        pytest.param(
            f"""
            op.execute("SET GLOBAL foreign_key_checks = 0")
            {FK})
            """,
            [2],
            MYSQL,
            id="global-does-not-change-the-session",
        ),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD COLUMN u int REFERENCES users (id)")',
            [1],
            MARIADB,
            id="mariadb-inline-references",
        ),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD COLUMN u int REFERENCES users (id)")',
            [1],
            Settings(dialect="mysql", mysql_version=(9, 0)),
            id="mysql-9-inline-references",
        ),
        pytest.param(
            f"""
            if op.get_bind().dialect.name == "mysql":
                {FK})
            """,
            [2],
            MARIADB,
            id="mysql-branch-on-mariadb",
        ),
        pytest.param(
            f"""
            if op.get_bind().dialect.name == "postgresql":
                op.execute("SET foreign_key_checks = 0")
            {FK})
            """,
            [3],
            MYSQL,
            id="checks-off-only-on-postgresql",
        ),
    ],
)
def test_al404_fires_on_mysql(upgrade, expected, settings):
    assert lines("AL404", upgrade, settings=settings) == expected


@pytest.mark.parametrize(
    ("upgrade", "settings"),
    [
        pytest.param(
            f"""
            op.execute("SET FOREIGN_KEY_CHECKS=0")
            {FK})
            op.add_column("orders", sa.Column("u", sa.Integer(), sa.ForeignKey("users.id")))
            """,
            MYSQL,
            id="checks-off",
        ),
        pytest.param(
            f"""
            op.execute("SET SESSION foreign_key_checks = OFF")
            {FK})
            """,
            MARIADB,
            id="checks-off-session",
        ),
        pytest.param(
            f"""
            op.create_table("orders", sa.Column("u", sa.Integer(), sa.ForeignKey("users.id")))
            {FK})
            """,
            MYSQL,
            id="new-table",
        ),
        pytest.param(
            """
            op.execute("ALTER TABLE orders ADD COLUMN u int REFERENCES users (id)")
            op.add_column(
                "orders",
                sa.Column("v", sa.Integer(), sa.ForeignKey("users.id")),
                inline_references=True,
            )
            """,
            MYSQL,
            id="inline-references-ignored-before-mysql-9",
        ),
        pytest.param(
            f"""
            if op.get_bind().dialect.name == "postgresql":
                {FK}, postgresql_not_valid=True)
            """,
            MYSQL,
            id="postgresql-branch",
        ),
        pytest.param(
            f"""
            if op.get_bind().dialect.name == "mysql":
                pass
            else:
                {FK}, postgresql_not_valid=True)
            """,
            MYSQL,
            id="else-of-mysql-branch",
        ),
        pytest.param(f"{FK})", Settings(dialect="sqlite"), id="sqlite"),
    ],
)
def test_al404_quiet_on_mysql(upgrade, settings):
    assert lines("AL404", upgrade, settings=settings) == []


def test_al404_mysql_messages():
    found = only("AL404", f"{FK}, postgresql_not_valid=True)", settings=MYSQL)
    assert found.message == (
        "`create_foreign_key` copies the whole of `orders` on MySQL while `foreign_key_checks` "
        "is on: writes to `orders` wait until the copy ends (`postgresql_not_valid` does "
        "nothing on MySQL)"
    )
    assert found.hint == (
        '`op.execute("SET foreign_key_checks = 0")` before it lets MySQL add the key in place '
        "without checking existing rows (set it back to 1 after); or declare the key in "
        "`create_table`"
    )
    assert only("AL404", f"{FK})", settings=MYSQL).message.endswith("until the copy ends")


def test_al404_downgrade_is_not_linted():
    assert lines("AL404", "pass", downgrade=f"{FK})") == []
    linted = Settings(dialect="postgresql", lint_downgrade=True)
    assert lines("AL404", "pass", downgrade=f"{FK})", settings=linted) == [5]


# --- AL411 check-constraint-without-not-valid -----------------------------------------------

CK = 'op.create_check_constraint("ck_total", "orders", "total >= 0"'


@pytest.mark.parametrize(
    ("upgrade", "expected"),
    [
        pytest.param(f"{CK})", [1], id="create_check_constraint"),
        pytest.param(f"{CK}, postgresql_not_valid=False)", [1], id="not-valid-false"),
        pytest.param(
            'op.create_check_constraint("ck", "orders", sa.column("total") >= 0)',
            [1],
            id="expression-condition",
        ),
        pytest.param(
            """
            with op.batch_alter_table("orders") as batch_op:
                batch_op.create_check_constraint("ck_total", "total >= 0")
            """,
            [2],
            id="batch_op",
        ),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0)")', [1], id="sql"
        ),
        pytest.param('op.execute("ALTER TABLE orders ADD CHECK (total >= 0)")', [1], id="sql-bare"),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD COLUMN n int CHECK (n > 0)")',
            [1],
            id="sql-add-column",
        ),
        pytest.param(
            'op.add_column("orders", sa.Column("n", sa.Integer(), sa.CheckConstraint("n > 0")))',
            [1],
            id="add_column-check",
        ),
        pytest.param(
            f"""
            {CK})
            op.create_table("orders", sa.Column("total", sa.Integer()))
            """,
            [1],
            id="before-the-create_table",
        ),
    ],
)
def test_al411_fires_on_postgresql(upgrade, expected):
    assert lines("AL411", upgrade) == expected


@pytest.mark.parametrize(
    "upgrade",
    [
        pytest.param(f"{CK}, postgresql_not_valid=True)", id="not-valid"),
        pytest.param(f"{CK}, postgresql_not_valid=NOT_VALID)", id="unknown"),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT VALID")',
            id="sql-not-valid",
        ),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT ENFORCED")',
            id="sql-not-enforced",
        ),
        pytest.param(
            """
            op.create_table(
                "orders",
                sa.Column("total", sa.Integer(), sa.CheckConstraint("total >= 0")),
                sa.CheckConstraint("total < 100"),
            )
            op.create_check_constraint("ck_total", "orders", "total >= 0")
            op.add_column("orders", sa.Column("n", sa.Integer(), sa.CheckConstraint("n > 0")))
            """,
            id="new-table",
        ),
        pytest.param(
            """
            op.add_column("orders", sa.Column("n", sa.Integer(), nullable=True))
            op.execute("ALTER TABLE orders ADD COLUMN m int NOT NULL DEFAULT 0")
            op.execute("ALTER TABLE orders ADD UNIQUE (m)")
            """,
            id="no-check",
        ),
    ],
)
def test_al411_quiet_on_postgresql(upgrade):
    assert lines("AL411", upgrade) == []


@pytest.mark.parametrize(
    ("upgrade", "settings", "expected"),
    [
        pytest.param(f"{CK})", MYSQL, [1], id="mysql"),
        pytest.param(f"{CK}, postgresql_not_valid=True)", MYSQL, [1], id="not-valid-ignored"),
        pytest.param(
            'op.execute("ALTER TABLE `orders` ADD CONSTRAINT `ck` CHECK (`total` >= 0)")',
            MARIADB,
            [1],
            id="mariadb-sql",
        ),
        pytest.param(f"{CK})", Settings(dialect="mysql", mysql_version=(5, 7)), [], id="mysql-5.7"),
        pytest.param(
            f"{CK})", Settings(dialect="mariadb", mysql_version=(5, 7)), [1], id="mariadb-version"
        ),
        pytest.param(
            f"""
            op.create_table("orders", sa.Column("total", sa.Integer()))
            {CK})
            """,
            MYSQL,
            [],
            id="new-table",
        ),
        pytest.param(f"{CK})", Settings(dialect="sqlite"), [], id="sqlite"),
        pytest.param(
            f"""
            if op.get_bind().dialect.name == "postgresql":
                {CK})
            """,
            MYSQL,
            [],
            id="postgresql-branch",
        ),
    ],
)
def test_al411_on_mysql(upgrade, settings, expected):
    assert lines("AL411", upgrade, settings=settings) == expected


def test_al411_messages():
    found = only("AL411", f"{CK})")
    assert found.message == (
        "`create_check_constraint` scans every row of `orders` while it holds an ACCESS "
        "EXCLUSIVE lock: every read and write of `orders` waits for the scan"
    )
    assert found.hint == (
        "`op.create_check_constraint(..., postgresql_not_valid=True)`, then "
        '`op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_total")` in the next revision'
    )
    sql = only("AL411", 'op.execute("ALTER TABLE orders ADD CHECK (total >= 0)")')
    assert sql.message.startswith("`ADD CHECK` scans every row of `orders`")
    assert sql.hint.startswith("add `NOT VALID` to it, then")
    column = only("AL411", 'op.execute("ALTER TABLE orders ADD COLUMN n int CHECK (n > 0)")')
    assert column.message.startswith("`ADD COLUMN ... CHECK` scans every row of `orders`")
    assert column.hint.startswith(
        "add the column without the CHECK, add it with "
        "`op.create_check_constraint(..., postgresql_not_valid=True)`, and"
    )
    mysql = only("AL411", f"{CK}, postgresql_not_valid=True)", settings=MYSQL)
    assert mysql.message == (
        "`create_check_constraint` copies the whole of `orders` on MySQL (ALGORITHM=COPY): "
        "writes to `orders` wait until the copy ends (`postgresql_not_valid` does nothing on "
        "MySQL)"
    )
    assert mysql.hint.startswith("run it with an online schema change tool")
    assert only("AL411", f"{CK})", settings=MYSQL).message.endswith("until the copy ends")


# --- AL418 validate-in-same-transaction -----------------------------------------------------

VALIDATE = 'op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_o_u")'


@pytest.mark.parametrize(
    ("upgrade", "expected"),
    [
        pytest.param(
            f"""
            {FK}, postgresql_not_valid=True)
            {VALIDATE}
            """,
            [2],
            id="op-then-validate",
        ),
        pytest.param(
            """
            op.execute("ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT VALID")
            op.add_column("orders", sa.Column("n", sa.Integer()))
            op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck")
            """,
            [3],
            id="sql-then-validate",
        ),
        pytest.param(
            """
            op.execute(
                "ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT VALID; "
                "ALTER TABLE orders VALIDATE CONSTRAINT ck"
            )
            """,
            [1],
            id="one-string",
        ),
        pytest.param(
            f"""
            {BLOCK}
                op.execute(
                    "ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT VALID; "
                    "ALTER TABLE orders VALIDATE CONSTRAINT ck"
                )
            """,
            [2],
            id="one-string-in-block-is-one-implicit-transaction",
        ),
        pytest.param(
            'op.execute("ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT VALID, '
            'VALIDATE CONSTRAINT ck")',
            [1],
            id="one-statement",
        ),
        pytest.param(
            """
            with op.batch_alter_table("orders") as batch_op:
                batch_op.create_check_constraint("ck", "total >= 0", postgresql_not_valid=True)
                batch_op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck")
            """,
            [3],
            id="batch_op",
        ),
        pytest.param(
            f"""
            op.execute("COMMIT")
            op.execute("BEGIN")
            {FK}, postgresql_not_valid=True)
            {VALIDATE}
            """,
            [4],
            id="commit-then-begin",
        ),
    ],
)
def test_al418_fires(upgrade, expected):
    assert lines("AL418", upgrade) == expected


@pytest.mark.parametrize(
    "upgrade",
    [
        pytest.param(
            f"""
            {FK}, postgresql_not_valid=True)
            op.execute("COMMIT")
            {VALIDATE}
            """,
            id="after-commit",
        ),
        pytest.param(
            f"""
            {FK}, postgresql_not_valid=True)
            {BLOCK}
                {VALIDATE}
            """,
            id="in-block",
        ),
        pytest.param(
            f"""
            {BLOCK}
                {FK}, postgresql_not_valid=True)
                {VALIDATE}
            """,
            id="both-in-block",
        ),
        pytest.param(
            f"""
            {FK}, postgresql_not_valid=True)
            {BLOCK}
                op.execute("SET lock_timeout = '2s'")
            {VALIDATE}
            """,
            id="block-between",
        ),
        pytest.param(
            """
            op.execute(
                "ALTER TABLE orders ADD CONSTRAINT ck CHECK (total >= 0) NOT VALID; COMMIT; "
                "ALTER TABLE orders VALIDATE CONSTRAINT ck"
            )
            """,
            id="commit-in-the-string",
        ),
        pytest.param(
            f"""
            {FK}, postgresql_not_valid=True)
            op.execute("COMMIT; ALTER TABLE orders VALIDATE CONSTRAINT fk_o_u")
            """,
            id="commit-before-it-in-the-string",
        ),
        pytest.param(
            f"""
            {FK})
            {VALIDATE}
            """,
            id="added-valid",
        ),
        pytest.param(
            f"""
            {FK}, postgresql_not_valid=True)
            op.execute("ALTER TABLE orders VALIDATE CONSTRAINT other")
            op.execute("ALTER TABLE payments VALIDATE CONSTRAINT fk_o_u")
            """,
            id="another-constraint",
        ),
        pytest.param(
            f"""
            op.create_table("orders", sa.Column("user_id", sa.Integer()))
            {FK}, postgresql_not_valid=True)
            {VALIDATE}
            op.execute(
                "ALTER TABLE orders ADD CONSTRAINT ck CHECK (user_id > 0) NOT VALID; "
                "ALTER TABLE orders VALIDATE CONSTRAINT ck"
            )
            """,
            id="new-table",
        ),
        pytest.param(
            f"""
            {VALIDATE}
            {FK}, postgresql_not_valid=True)
            """,
            id="validate-first",
        ),
        pytest.param(
            f"""
            if op.get_bind().dialect.name == "sqlite":
                {FK}, postgresql_not_valid=True)
                {VALIDATE}
            """,
            id="sqlite-branch",
        ),
    ],
)
def test_al418_quiet(upgrade):
    assert lines("AL418", upgrade) == []


def test_al418_quiet_when_validate_is_in_the_next_revision():
    sources = {
        "versions/a.py": revision("aaa111", None, upgrade=f"{FK}, postgresql_not_valid=True)"),
        "versions/b.py": revision("bbb222", "aaa111", upgrade=VALIDATE),
    }
    assert check("AL418", sources, settings=PG) == []
    assert check("AL404", sources, settings=PG) == []


def test_al418_message_and_mysql():
    upgrade = f"{FK}, postgresql_not_valid=True)\n{VALIDATE}"
    found = only("AL418", upgrade)
    assert found.message == (
        "`VALIDATE CONSTRAINT fk_o_u` runs in the transaction that added it NOT VALID: the lock "
        "the ADD took on `orders` is still held, so the whole scan runs under it"
    )
    assert found.hint == "move `VALIDATE CONSTRAINT` to the next revision"
    assert lines("AL418", upgrade, settings=MYSQL) == []


# --- through the command line ---------------------------------------------------------------


def test_cli(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text('[tool.alembic-lint]\ndialect = "postgresql"\n')
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    first = textwrap.dedent(
        f"""
        {FK}, postgresql_not_valid=True)
        {CK})
        """
    ).strip()
    second = textwrap.dedent(
        f"""
        {VALIDATE}
        op.create_check_constraint("ck_n", "orders", "n > 0", postgresql_not_valid=True)
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT ck_n")
        """
    ).strip()
    (versions / "aaa111_fk.py").write_text(revision("aaa111", None, upgrade=first))
    (versions / "bbb222_validate.py").write_text(revision("bbb222", "aaa111", upgrade=second))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "AL404,AL411,AL418"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[::2] == [
        "migrations/versions/aaa111_fk.py:22:5: AL411 `create_check_constraint` scans every row "
        "of `orders` while it holds an ACCESS EXCLUSIVE lock: every read and write of `orders` "
        "waits for the scan",
        "migrations/versions/bbb222_validate.py:23:5: AL418 `VALIDATE CONSTRAINT ck_n` runs in "
        "the transaction that added it NOT VALID: the lock the ADD took on `orders` is still "
        "held, so the whole scan runs under it",
        "Found 2 findings in 2 files (2 files checked).",
    ]
