from __future__ import annotations

import textwrap

import pytest

from alembic_lint.cli import main
from alembic_lint.config import DEFAULT_VOLATILE_FUNCTIONS, Settings
from tests.builders import check, revision

REV = "c0ffee000001"
PG = Settings(dialect="postgresql")
PG10 = PG._replace(postgresql_version=10)
PG11 = PG._replace(postgresql_version=11)
PG18 = PG._replace(postgresql_version=18)
MY = Settings(dialect="mysql")
MARIA = Settings(dialect="mariadb")
SQLITE = Settings(dialect="sqlite")
DOWN = PG._replace(lint_downgrade=True)


def lint(code, upgrade, settings=PG, before=(), downgrade="pass", labels="None"):
    """The findings of ``code`` on the last revision; ``before`` are the upgrades of the
    revisions before it, oldest first."""
    sources, prev = {}, None
    for i, up in enumerate(before):
        rev = f"{i:04d}beef{i:04d}"
        sources[f"versions/{rev}.py"] = revision(rev, prev, upgrade=up, downgrade="pass")
        prev = rev
    sources["versions/x.py"] = revision(
        REV, prev, upgrade=upgrade, downgrade=downgrade, labels=labels
    )
    return [d for d in check(code, sources, settings=settings) if d.path == "versions/x.py"]


def case(code, upgrade, settings=PG, before=(), *, n=1, downgrade="pass", labels="None", id):
    return pytest.param(code, upgrade, settings, before, downgrade, labels, n, id=f"{code}-{id}")


def sql(text):
    return f"op.execute({text!r})"


def batch(*lines, table="users"):
    body = "".join(f"\n    {line}" for line in lines)
    return f'with op.batch_alter_table("{table}") as batch_op:{body}'


def add(column, table="users"):
    return f'op.add_column("{table}", sa.Column({column}))'


USERS = 'op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))'
NOT_NULL = add('"status", sa.String(20), nullable=False')
S = add('"s", sa.Text()')
S_DEFAULT = add('"s", sa.Text(), nullable=False, server_default="x"')
S_AUDIT = add('"s", sa.Text(), nullable=False', "audit")
IDENTITY = add('"n", sa.Integer(), sa.Identity()')

FIRES = [
    # AL402
    case("AL402", NOT_NULL, id="not-null"),
    case("AL402", add('"code", sa.String(10), primary_key=True'), id="string-primary-key"),
    case("AL402", NOT_NULL, MY, id="mysql"),
    case("AL402", NOT_NULL, MARIA, id="mariadb"),
    case(
        "AL402", batch('batch_op.add_column(sa.Column("s", sa.Text(), nullable=False))'), id="batch"
    ),
    case("AL402", add('"s", sa.String(), nullable=False, default="x"'), id="python-default-only"),
    case("AL402", add('"s", sa.String(), nullable=False, server_default=None'), id="default-none"),
    case(
        "AL402",
        f'{S_AUDIT}\nop.create_table("audit", sa.Column("id", sa.Integer))',
        id="before-create-table",
    ),
    case("AL402", NOT_NULL, before=[USERS], id="table-from-an-earlier-revision"),
    case(
        "AL402",
        'for table in ("users", "teams"):\n'
        '    op.add_column(table, sa.Column("s", sa.Text(), nullable=False))',
        n=2,
        id="loop",
    ),
    case(
        "AL402",
        f"{S_DEFAULT}\n"
        'op.execute("UPDATE users SET s = name")\n'
        'op.alter_column("users", "s", server_default=None)',
        id="default-dropped-later",
    ),
    case(
        "AL402",
        f"{S_DEFAULT}\n" + batch('batch_op.alter_column("s", server_default=None)'),
        id="default-dropped-in-batch",
    ),
    case(
        "AL402",
        sql(
            "ALTER TABLE users ADD COLUMN s text NOT NULL DEFAULT 'x'; "
            "ALTER TABLE users ALTER COLUMN s DROP DEFAULT"
        ),
        id="sql-default-dropped",
    ),
    case("AL402", sql("ALTER TABLE users ADD COLUMN s text NOT NULL"), id="sql"),
    case("AL402", sql("ALTER TABLE users ADD COLUMN s text PRIMARY KEY"), id="sql-primary-key"),
    case("AL402", sql("ALTER TABLE `users` ADD COLUMN s int NOT NULL"), MY, id="sql-mysql"),
    case("AL402", "pass", DOWN, downgrade=NOT_NULL, id="downgrade-with-lint-downgrade"),
    # AL403
    case("AL403", 'op.drop_column("users", "legacy")', id="drop-column"),
    case("AL403", batch('batch_op.drop_column("legacy")'), id="batch"),
    case("AL403", sql("ALTER TABLE users DROP COLUMN a, DROP COLUMN IF EXISTS b"), n=2, id="sql"),
    case("AL403", sql("ALTER TABLE `users` DROP COLUMN a"), MY, id="sql-mysql"),
    case("AL403", 'op.drop_column("users", "legacy")', MY, id="mysql"),
    case("AL403", 'op.drop_column("users", "legacy")', SQLITE, id="sqlite"),
    case("AL403", 'op.drop_column("users", "legacy")', labels="('expand',)", id="expand-label"),
    case(
        "AL403",
        'op.drop_column("users", "legacy")',
        before=[add('"legacy", sa.Text()')],
        id="column-from-an-earlier-revision",
    ),
    case("AL403", f'op.drop_column("users", "s")\n{S}', id="before-add"),
    case(
        "AL403",
        'op.drop_column("audit", "s")\nop.create_table("audit", sa.Column("s", sa.Text()))',
        id="before-create-table",
    ),
    case("AL403", "op.drop_column(TABLE, COLUMN)", id="unknown-names"),
    case("AL403", "pass", DOWN, downgrade='op.drop_column("users", "x")', id="downgrade-linted"),
    # AL405
    case("AL405", 'op.alter_column("users", "email", nullable=False)', id="nullable-false"),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False, existing_nullable=True)',
        id="existing-nullable-true",
    ),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False, existing_nullable=FLAG)',
        id="existing-nullable-unknown",
    ),
    case("AL405", batch('batch_op.alter_column("email", nullable=False)'), id="batch"),
    case("AL405", sql("ALTER TABLE users ALTER COLUMN email SET NOT NULL"), id="sql"),
    case(
        "AL405",
        f"{S}\n"
        'op.execute("UPDATE users SET s = name")\n'
        'op.alter_column("users", "s", nullable=False)',
        id="column-added-nullable-just-before",
    ),
    case(
        "AL405",
        f"{S}\n" + sql("ALTER TABLE users ALTER COLUMN s SET NOT NULL"),
        id="sql-after-nullable-add",
    ),
    case(
        "AL405",
        'op.create_check_constraint("ck", "users", "email IS NOT NULL")\n'
        'op.alter_column("users", "email", nullable=False)',
        PG11,
        id="check-before-pg12",
    ),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False)',
        PG11,
        before=['op.create_check_constraint("ck", "users", "email IS NOT NULL")'],
        id="history-check-before-pg12",
    ),
    case(
        "AL405",
        'op.create_check_constraint("ck", "users", "email IS NOT NULL", '
        "postgresql_not_valid=True)\n"
        'op.alter_column("users", "email", nullable=False)',
        id="check-not-validated",
    ),
    case(
        "AL405",
        'op.create_check_constraint("ck", "users", "name IS NOT NULL")\n'
        'op.alter_column("users", "email", nullable=False)',
        id="check-on-another-column",
    ),
    case(
        "AL405",
        'op.create_check_constraint("ck", "teams", "email IS NOT NULL")\n'
        'op.alter_column("users", "email", nullable=False)',
        id="check-on-another-table",
    ),
    case(
        "AL405",
        'op.create_check_constraint("ck", "users", "email IS NOT NULL")\n'
        'op.drop_constraint("ck", "users", type_="check")\n'
        'op.alter_column("users", "email", nullable=False)',
        id="check-dropped-before",
    ),
    case(
        "AL405",
        sql(
            "ALTER TABLE users ADD CONSTRAINT ck CHECK (email IS NOT NULL); "
            "ALTER TABLE users DROP CONSTRAINT ck; "
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL"
        ),
        id="sql-check-dropped-before",
    ),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False)',
        before=[
            'op.create_check_constraint("ck", "users", "email IS NOT NULL", '
            "postgresql_not_valid=True)"
        ],
        id="history-check-never-validated",
    ),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False)',
        before=[
            'op.create_check_constraint("ck", "users", "email IS NOT NULL")',
            'op.drop_constraint("ck", "users", type_="check")',
        ],
        id="history-check-dropped",
    ),
    case(
        "AL405",
        'op.alter_column("audit", "s", nullable=False)\n'
        'op.create_table("audit", sa.Column("s", sa.Text()))',
        id="before-create-table",
    ),
    case("AL405", 'op.alter_column(TABLE, "s", nullable=False)', id="unknown-table"),
    # AL407
    case("AL407", 'op.alter_column("users", "name", type_=sa.String(200))', id="no-existing-type"),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.String(50), existing_type=sa.String(100))',
        id="varchar-shrinks",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.String(50), existing_type=sa.Text())',
        id="text-to-varchar",
    ),
    case(
        "AL407",
        'op.alter_column("orders", "amount", type_=sa.Numeric(12, 3), '
        "existing_type=sa.Numeric(10, 2))",
        id="numeric-scale-changes",
    ),
    case(
        "AL407",
        'op.alter_column("users", "id", type_=sa.BigInteger(), existing_type=sa.Integer())',
        id="integer-to-bigint",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.Text(), '
        'existing_type=sa.String(20), postgresql_using="lower(name)")',
        id="using",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=make_type(), existing_type=sa.String(20))',
        id="unreadable-type",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.String(50), existing_type=OLD_TYPE)',
        id="unreadable-existing-type",
    ),
    case("AL407", batch('batch_op.alter_column("name", type_=sa.String(200))'), id="batch"),
    case("AL407", sql("ALTER TABLE users ALTER COLUMN name TYPE varchar(200)"), id="sql"),
    case(
        "AL407",
        sql("ALTER TABLE users ALTER COLUMN name TYPE text USING name::text"),
        before=[add('"name", sa.String(20)')],
        id="sql-using",
    ),
    case(
        "AL407",
        sql("ALTER TABLE users ALTER COLUMN name TYPE varchar(10)"),
        before=[add('"name", sa.String(20)')],
        id="sql-history-shrinks",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.String(100), existing_type=sa.String(50))',
        MY,
        id="mysql-varchar-crosses-255-bytes",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=mysql.VARCHAR(300, charset="latin1"), '
        'existing_type=mysql.VARCHAR(200, charset="latin1"))',
        MY,
        id="mysql-latin1-crosses",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.String(60, collation="latin1_bin"), '
        "existing_type=sa.String(50))",
        MY,
        id="mysql-charset-changes",
    ),
    case(
        "AL407",
        'op.alter_column("users", "s", type_=sa.Enum("b", "a", '
        'name="s"), existing_type=sa.Enum("a", "b", name="s"))',
        MY,
        id="mysql-enum-reordered",
    ),
    case(
        "AL407",
        'op.alter_column("users", "s", type_=sa.Enum("a", "b", "c", name="s"), '
        'existing_type=sa.Enum("a", "b", name="s"))',
        id="pg-enum-appended",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.Text(), existing_type=sa.String(50))',
        MY,
        id="mysql-varchar-to-text",
    ),
    case(
        "AL407",
        sql("ALTER TABLE `users` MODIFY name VARCHAR(100) NOT NULL"),
        MY,
        id="mysql-modify-unknown-history",
    ),
    case(
        "AL407",
        sql("ALTER TABLE `users` MODIFY name VARCHAR(100) NOT NULL"),
        MY,
        before=[add('"name", sa.String(50), nullable=False')],
        id="mysql-modify-crosses",
    ),
    case(
        "AL407",
        sql("ALTER TABLE `users` CHANGE name full_name VARCHAR(100)"),
        MY,
        before=[add('"name", sa.String(50)')],
        id="mysql-change-crosses",
    ),
    case("AL407", 'op.alter_column("users", "name", type_=sa.String(200))', MARIA, id="mariadb"),
    # AL412
    case("AL412", 'op.alter_column("users", "name", new_column_name="full_name")', id="rename"),
    case("AL412", 'op.alter_column("users", "name", new_column_name="full_name")', MY, id="mysql"),
    case("AL412", 'op.alter_column("users", "name", new_column_name="n")', SQLITE, id="sqlite"),
    case("AL412", batch('batch_op.alter_column("name", new_column_name="full_name")'), id="batch"),
    case("AL412", sql("ALTER TABLE users RENAME COLUMN name TO full_name"), id="sql"),
    case("AL412", sql("ALTER TABLE users RENAME name TO full_name"), id="sql-without-column"),
    case("AL412", sql("ALTER TABLE `users` CHANGE name full_name VARCHAR(50)"), MY, id="change"),
    case("AL412", sql("ALTER TABLE `users` RENAME COLUMN name TO full_name"), MY, id="sql-mysql"),
    case("AL412", 'op.alter_column("users", "name", new_column_name=NEW)', id="unknown-new-name"),
    # AL414
    case(
        "AL414",
        add('"pid", sa.Uuid(), server_default=sa.text("gen_random_uuid()")'),
        id="gen-random-uuid",
    ),
    case(
        "AL414",
        add('"pid", sa.Uuid(), server_default=sa.text("uuid_generate_v4()")'),
        id="uuid-generate-v4",
    ),
    case("AL414", add('"pid", sa.Uuid(), server_default=sa.func.gen_random_uuid()'), id="sa-func"),
    case(
        "AL414",
        add('"n", sa.Integer(), server_default=sa.text("nextval(\'n_seq\'::regclass)")'),
        id="nextval",
    ),
    case(
        "AL414",
        add('"at", sa.DateTime(), server_default=sa.func.clock_timestamp()'),
        id="clock-timestamp",
    ),
    case(
        "AL414",
        add('"r", sa.Float(), server_default=sa.text("floor(random() * 10)")'),
        id="nested-random",
    ),
    case(
        "AL414",
        add('"k", sa.Text(), server_default=sa.text("make_key()")'),
        PG._replace(volatile_functions=DEFAULT_VOLATILE_FUNCTIONS | {"make_key"}),
        id="volatile-functions-setting",
    ),
    case("AL414", add('"g", sa.Integer(), sa.Computed("a + 1", persisted=True)'), id="stored"),
    case("AL414", add('"g", sa.Integer(), sa.Computed("a + 1")'), id="computed-before-pg18"),
    case("AL414", add('"n", sa.Integer(), sa.Identity()'), id="identity"),
    case("AL414", add('"id2", sa.BigInteger(), primary_key=True'), id="serial-primary-key"),
    case("AL414", add('"s", sa.Text(), server_default="x"'), PG10, id="any-default-before-pg11"),
    case("AL414", sql("ALTER TABLE users ADD COLUMN n serial"), id="sql-serial"),
    case(
        "AL414",
        sql("ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS IDENTITY"),
        id="sql-identity",
    ),
    case(
        "AL414",
        sql("ALTER TABLE users ADD COLUMN g int GENERATED ALWAYS AS (a + 1) STORED"),
        id="sql-generated",
    ),
    case(
        "AL414",
        sql("ALTER TABLE users ADD COLUMN pid uuid DEFAULT gen_random_uuid()"),
        id="sql-volatile",
    ),
    case("AL414", sql("ALTER TABLE users ADD COLUMN s text DEFAULT 'x'"), PG10, id="sql-pg10"),
    case(
        "AL414",
        batch('batch_op.add_column(sa.Column("n", sa.Integer(), sa.Identity()))'),
        id="batch",
    ),
    case(
        "AL414",
        add('"pid", sa.String(36), server_default=sa.text("(uuid())")'),
        MY,
        id="mysql-expression-default",
    ),
    case(
        "AL414", add('"pid", sa.String(36), server_default=sa.func.uuid()'), MY, id="mysql-sa-func"
    ),
    case(
        "AL414",
        add('"j", sa.JSON(), server_default=sa.text("(JSON_ARRAY())")'),
        MARIA,
        id="mariadb-expression-default",
    ),
    case(
        "AL414",
        add('"g", sa.Integer(), sa.Computed("a + 1", persisted=True)'),
        MY,
        id="mysql-stored",
    ),
    case("AL414", add('"id2", sa.Integer(), primary_key=True'), MY, id="mysql-auto-increment"),
    case(
        "AL414",
        sql("ALTER TABLE `users` ADD COLUMN n int NOT NULL AUTO_INCREMENT"),
        MY,
        id="mysql-sql-auto-increment",
    ),
    case(
        "AL414",
        sql("ALTER TABLE `users` ADD COLUMN g int AS (a + 1) STORED"),
        MY,
        id="mysql-sql-stored",
    ),
    case(
        "AL414",
        sql("ALTER TABLE `users` ADD COLUMN pid char(36) DEFAULT (uuid())"),
        MY,
        id="mysql-sql-expression",
    ),
    # AL420
    case(
        "AL420",
        'op.alter_column("users", "email", type_=sa.String(320), existing_type=sa.String(255))',
        MY,
        id="no-existing-nullable",
    ),
    case(
        "AL420",
        'op.alter_column("users", "email", type_=sa.String(320), existing_type=sa.String(255))',
        MY,
        before=[add('"email", sa.String(255), nullable=False')],
        id="history-not-null",
    ),
    case(
        "AL420",
        'op.alter_column("users", "email", type_=sa.String(320), '
        "existing_type=sa.String(255), existing_nullable=True)",
        MY,
        before=[add('"email", sa.String(255), server_default="x"')],
        id="history-default",
    ),
    case(
        "AL420",
        'op.alter_column("users", "email", type_=sa.String(320), '
        "existing_type=sa.String(255), existing_nullable=True)",
        MY,
        before=[add('"email", sa.String(255), comment="login"')],
        id="history-comment",
    ),
    case("AL420", 'op.alter_column("users", "email", nullable=False)', MY, id="no-existing-type"),
    case(
        "AL420",
        'op.alter_column("users", "at", server_default=sa.text("CURRENT_TIMESTAMP"), '
        "existing_type=sa.DateTime())",
        MY,
        id="datetime-default-restates",
    ),
    case(
        "AL420",
        'op.alter_column("users", "name", new_column_name="full_name", '
        "existing_type=sa.String(50))",
        MY,
        id="rename",
    ),
    case(
        "AL420",
        batch('batch_op.alter_column("email", type_=sa.String(320), existing_type=sa.String(255))'),
        MY,
        id="batch",
    ),
    case(
        "AL420",
        'op.alter_column("users", "email", type_=sa.String(320), existing_type=sa.String(255))',
        MARIA,
        id="mariadb",
    ),
    case(
        "AL420",
        f'{S_DEFAULT}\nop.alter_column("users", "s", nullable=False, existing_type=sa.Text())',
        MY,
        id="default-lost-after-add",
    ),
    case(
        "AL420",
        sql("ALTER TABLE `users` MODIFY email VARCHAR(320)"),
        MY,
        before=[add('"email", sa.String(255), nullable=False')],
        id="sql-modify-drops-not-null",
    ),
    case(
        "AL420",
        sql("ALTER TABLE `users` CHANGE email mail VARCHAR(320) NOT NULL"),
        MY,
        before=[add('"email", sa.String(255), nullable=False, server_default="x"')],
        id="sql-change-drops-default",
    ),
    # statements of one op.execute, in order
    case(
        "AL405",
        sql(
            "ALTER TABLE teams ADD CONSTRAINT ck CHECK (email IS NOT NULL); "
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL"
        ),
        id="sql-check-on-another-table",
    ),
    case(
        "AL405",
        sql(
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL; "
            "ALTER TABLE users ADD CONSTRAINT ck CHECK (email IS NOT NULL)"
        ),
        id="sql-check-after",
    ),
    # what runs only on another database is left out
    case(
        "AL407",
        "bind = op.get_bind()\nif isinstance(bind.dialect, MySQLDialect):\n"
        '    op.alter_column("q", "sql", existing_type=sa.Text(), type_=mysql.LONGTEXT())',
        MY,
        id="mysql-branch-on-mysql",
    ),
    case(
        "AL403",
        'if op.get_bind().dialect.name == "sqlite":\n    pass\nelse:\n'
        '    op.drop_column("users", "x")',
        id="else-branch-of-sqlite",
    ),
    case(
        "AL405",
        'if op.get_bind().dialect.name == "mysql":\n'
        '    op.create_check_constraint("ck", "users", "email IS NOT NULL")\n'
        'op.alter_column("users", "email", nullable=False)',
        id="check-in-mysql-branch",
    ),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False)',
        before=[
            'if op.get_bind().dialect.name == "mysql":\n'
            '    op.create_check_constraint("ck", "users", "email IS NOT NULL")'
        ],
        id="history-check-in-mysql-branch",
    ),
    # a table emptied first takes a NOT NULL column; only when it stays empty
    case("AL402", 'op.execute("DELETE FROM users WHERE id > 10")\n' + NOT_NULL, id="delete-where"),
    case(
        "AL402",
        'op.execute("DELETE FROM users; INSERT INTO users (id) VALUES (1)")\n' + NOT_NULL,
        id="delete-then-insert",
    ),
    case(
        "AL402",
        'op.execute("DELETE FROM users")\n'
        'op.bulk_insert(sa.table("users", sa.column("id")), [{"id": 1}])\n' + NOT_NULL,
        id="delete-then-bulk-insert",
    ),
    case(
        "AL402",
        'op.execute("DELETE FROM users USING teams WHERE users.team = teams.id")\n' + NOT_NULL,
        id="delete-using",
    ),
    case("AL402", 'op.execute("DELETE FROM teams")\n' + NOT_NULL, id="other-table-emptied"),
    case(
        "AL402",
        'if op.get_bind().dialect.name == "sqlite":\n    op.execute("DELETE FROM users")\n'
        + NOT_NULL,
        id="emptied-on-another-database",
    ),
    case(
        "AL402",
        sql("ALTER TABLE users ADD COLUMN s text NOT NULL; DELETE FROM users"),
        id="emptied-after",
    ),
    case(
        "AL402",
        sql("DELETE FROM teams; ALTER TABLE old RENAME TO users") + "\n" + NOT_NULL,
        id="renamed-from-a-table-not-emptied",
    ),
    case(
        "AL402",
        'op.execute("DELETE FROM users USING teams")\n' + NOT_NULL,
        id="delete-using-without-where",
    ),
]

QUIET = [
    # AL402
    case(
        "AL402",
        add('"s", sa.Text(), nullable=False, server_default=sa.text("\'x\'")'),
        id="server-default-text",
    ),
    case("AL402", add('"s", sa.Text(), nullable=False, server_default="x"'), id="server-default"),
    case(
        "AL402",
        add('"at", sa.DateTime(), nullable=False, server_default=sa.func.now()'),
        id="server-default-func",
    ),
    case("AL402", add('"s", sa.Text(), nullable=False, server_default="x"'), MY, id="mysql"),
    case("AL402", add('"s", sa.Text(), nullable=True'), id="nullable"),
    case("AL402", add('"s", sa.Text()'), id="nullable-by-default"),
    case("AL402", add('"n", sa.Integer(), sa.Identity(), nullable=False'), id="identity"),
    case("AL402", add('"g", sa.Integer(), sa.Computed("a + 1"), nullable=False'), id="computed"),
    case("AL402", add('"id2", sa.Integer(), primary_key=True'), id="serial-primary-key"),
    case("AL402", f"{USERS}\n{NOT_NULL}", id="new-table"),
    case(
        "AL402",
        't = op.create_table("users", sa.Column("id", sa.Integer))\n'
        'op.bulk_insert(t, [{"id": 1}])\n' + NOT_NULL,
        id="new-table-assigned-and-filled",
    ),
    case("AL402", sql("CREATE TABLE users (id int)") + "\n" + NOT_NULL, id="new-table-sql"),
    case("AL402", add('"s", sa.Text(), nullable=NULLABLE'), id="nullable-unknown"),
    case(
        "AL402", add('"s", sa.Text(), nullable=False, server_default=DEFAULT'), id="default-unknown"
    ),
    case(
        "AL402",
        add('"s", sa.Text(), nullable=False, server_default=sa.FetchedValue()'),
        id="fetched-value",
    ),
    case(
        "AL402",
        f"{S_DEFAULT}\n"
        'op.alter_column("users", "other", server_default=None)\n'
        'op.alter_column("teams", "s", server_default=None)\n'
        + sql("ALTER TABLE users ALTER COLUMN other DROP DEFAULT"),
        id="other-defaults-dropped",
    ),
    case(
        "AL402", sql("ALTER TABLE users ADD COLUMN s text NOT NULL DEFAULT 'x'"), id="sql-default"
    ),
    case(
        "AL402",
        sql("ALTER TABLE users ADD COLUMN n int NOT NULL GENERATED ALWAYS AS IDENTITY"),
        id="sql-identity",
    ),
    case("AL402", sql("ALTER TABLE users ADD COLUMN n bigserial NOT NULL"), id="sql-serial"),
    case(
        "AL402",
        sql("ALTER TABLE users ADD COLUMN g int NOT NULL GENERATED ALWAYS AS (a) STORED"),
        id="sql-generated",
    ),
    case("AL402", "pass", downgrade=NOT_NULL, id="downgrade"),
    case("AL402", NOT_NULL, SQLITE, id="sqlite"),
    # AL403
    case("AL403", 'op.drop_column("users", "legacy")', labels="('contract',)", id="contract"),
    case(
        "AL403",
        'op.drop_column("users", "legacy")',
        PG._replace(contract_branch_labels=("c",)),
        labels="('c',)",
        id="contract-label-setting",
    ),
    case("AL403", f'{USERS}\nop.drop_column("users", "id")', id="new-table"),
    case("AL403", f'{S}\nop.drop_column("users", "s")', id="new-column"),
    case(
        "AL403",
        sql("CREATE TABLE tmp (a int, b int); ALTER TABLE tmp DROP COLUMN b"),
        id="new-table-sql",
    ),
    case("AL403", sql("ALTER TABLE users DROP CONSTRAINT ck; DROP INDEX ix"), id="not-a-column"),
    case("AL403", 'op.drop_constraint("ck", "users")', id="drop-constraint"),
    case("AL403", "pass", downgrade='op.drop_column("users", "x")', id="downgrade"),
    # AL405
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False, existing_nullable=False)',
        id="unchanged",
    ),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False)',
        before=[add('"email", sa.Text(), nullable=False, server_default="x"')],
        id="history-not-null-already",
    ),
    case(
        "AL405",
        sql("ALTER TABLE users ALTER COLUMN email SET NOT NULL"),
        before=[add('"email", sa.Text(), nullable=False, server_default="x"')],
        id="sql-history-not-null-already",
    ),
    case(
        "AL405",
        'op.create_check_constraint("ck", "users", "email IS NOT NULL")\n'
        'op.alter_column("users", "email", nullable=False)',
        id="validated-check",
    ),
    case(
        "AL405",
        'op.create_check_constraint("ck", "users", sa.text("email IS NOT NULL"))\n'
        'op.alter_column("users", "email", nullable=False)',
        id="validated-check-sa-text",
    ),
    case(
        "AL405",
        'op.create_check_constraint("ck", "users", "(email IS NOT NULL)", '
        "postgresql_not_valid=True)\n"
        'op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck")\n'
        'op.alter_column("users", "email", nullable=False)',
        id="not-valid-then-validated",
    ),
    case(
        "AL405",
        sql(
            "ALTER TABLE users ADD CONSTRAINT ck CHECK (email IS NOT NULL) NOT VALID; "
            "ALTER TABLE users VALIDATE CONSTRAINT ck; "
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL"
        ),
        id="sql-recipe",
    ),
    case(
        "AL405",
        batch(
            'batch_op.create_check_constraint("ck", "email IS NOT NULL")',
            'batch_op.alter_column("email", nullable=False)',
        ),
        id="batch-recipe",
    ),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False)',
        before=[
            sql("ALTER TABLE users ADD CONSTRAINT ck CHECK (email IS NOT NULL) NOT VALID"),
            sql("ALTER TABLE users VALIDATE CONSTRAINT ck"),
        ],
        id="history-recipe",
    ),
    case(
        "AL405",
        'op.alter_column("users", "Email", nullable=False)',
        before=['op.create_check_constraint("ck", "users", "email IS NOT NULL")'],
        id="history-validated-check",
    ),
    case("AL405", f'{USERS}\nop.alter_column("users", "id", nullable=False)', id="new-table"),
    case("AL405", 'op.alter_column("users", "email", nullable=True)', id="nullable"),
    case("AL405", 'op.alter_column("users", "email", type_=sa.Text())', id="no-nullable"),
    case("AL405", 'op.alter_column("users", "email", nullable=False)', MY, id="mysql"),
    case(
        "AL405", "pass", downgrade='op.alter_column("users", "e", nullable=False)', id="downgrade"
    ),
    # AL407
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.String(200), existing_type=sa.String(100))',
        id="varchar-grows",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.String(), existing_type=sa.VARCHAR(length=100))',
        id="varchar-unbounded",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.Text(), existing_type=sa.String(100))',
        id="varchar-to-text",
    ),
    case(
        "AL407",
        'op.alter_column("orders", "amount", type_=sa.Numeric(12, 2), '
        "existing_type=sa.Numeric(precision=10, scale=2))",
        id="numeric-precision-up",
    ),
    case(
        "AL407",
        'op.alter_column("orders", "amount", type_=sa.Numeric(), existing_type=sa.Numeric(10, 2))',
        id="numeric-unbounded",
    ),
    case(
        "AL407",
        'op.alter_column("hosts", "ip", type_=postgresql.INET(), existing_type=postgresql.CIDR())',
        id="cidr-to-inet",
    ),
    case(
        "AL407",
        'op.alter_column("users", "id", type_=sa.Integer(), existing_type=sa.INTEGER())',
        id="same-type",
    ),
    case(
        "AL407",
        batch('batch_op.alter_column("name", type_=sa.String(200), existing_type=sa.String(100))'),
        id="batch",
    ),
    case(
        "AL407",
        sql("ALTER TABLE users ALTER COLUMN name TYPE varchar(200)"),
        before=[add('"name", sa.String(100)')],
        id="sql-history-proves",
    ),
    case(
        "AL407",
        sql("ALTER TABLE users ALTER COLUMN name TYPE text"),
        before=[sql("ALTER TABLE users ADD COLUMN name varchar(20)")],
        id="sql-history-sql",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.String(60), existing_type=sa.String(50))',
        MY,
        id="mysql-varchar-under-255-bytes",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=sa.String(500), existing_type=sa.String(100))',
        MY,
        id="mysql-varchar-over-255-bytes",
    ),
    case(
        "AL407",
        'op.alter_column("users", "name", type_=mysql.VARCHAR(250, charset="latin1"), '
        'existing_type=mysql.VARCHAR(100, charset="latin1"))',
        MY,
        id="mysql-latin1",
    ),
    case(
        "AL407",
        'op.alter_column("users", "s", type_=sa.Enum("a", "b", "c", name="s"), '
        'existing_type=sa.Enum("a", "b", name="s"))',
        MY,
        id="mysql-enum-appended",
    ),
    case(
        "AL407",
        'op.alter_column("users", "s", type_=mysql.SET("a", "b", "c"), '
        'existing_type=mysql.SET("a", "b"))',
        MARIA,
        id="mariadb-set-appended",
    ),
    case(
        "AL407",
        sql("ALTER TABLE `users` MODIFY name VARCHAR(60) NOT NULL"),
        MY,
        before=[add('"name", sa.String(50), nullable=False')],
        id="mysql-modify-in-bracket",
    ),
    case(
        "AL407",
        sql("ALTER TABLE `users` MODIFY name VARCHAR(50) NULL"),
        MY,
        before=[add('"name", sa.String(50), nullable=False')],
        id="mysql-modify-same-type",
    ),
    case(
        "AL407", f'{USERS}\nop.alter_column("users", "id", type_=sa.BigInteger())', id="new-table"
    ),
    case("AL407", 'op.alter_column("users", "name", type_=sa.Text())', SQLITE, id="sqlite"),
    case("AL407", 'op.alter_column("users", "name", type_=None, nullable=True)', id="no-type"),
    case(
        "AL407", "pass", downgrade='op.alter_column("users", "n", type_=sa.Text())', id="downgrade"
    ),
    # AL412
    case("AL412", sql("ALTER TABLE users RENAME CONSTRAINT ck_a TO ck_b"), id="rename-constraint"),
    case("AL412", sql("ALTER INDEX ix_a RENAME TO ix_b"), id="rename-index"),
    case(
        "AL412", sql("ALTER TABLE `users` RENAME INDEX ix_a TO ix_b"), MY, id="mysql-rename-index"
    ),
    case("AL412", sql("ALTER TABLE `users` CHANGE name name VARCHAR(50)"), MY, id="change-same"),
    case("AL412", sql("ALTER TABLE users RENAME TO members"), id="rename-table"),
    case(
        "AL412", f'{USERS}\nop.alter_column("users", "id", new_column_name="uid")', id="new-table"
    ),
    case(
        "AL412",
        f'{S}\nop.alter_column("users", "s", new_column_name="t")',
        id="new-column",
    ),
    case(
        "AL412",
        'op.alter_column("users", "name", new_column_name=None, nullable=True)',
        id="no-new-name",
    ),
    case(
        "AL412",
        "pass",
        downgrade='op.alter_column("users", "a", new_column_name="b")',
        id="downgrade",
    ),
    # AL414
    case("AL414", add('"at", sa.DateTime(), server_default=sa.func.now()'), id="now"),
    case(
        "AL414",
        add('"at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP")'),
        id="current-timestamp",
    ),
    case("AL414", add('"at", sa.DateTime(), server_default=sa.text("now()")'), id="now-text"),
    case("AL414", add('"s", sa.Text(), server_default="draft"'), id="constant"),
    case("AL414", add('"s", sa.Text(), server_default=sa.text("\'draft\'")'), id="constant-text"),
    case("AL414", add('"b", sa.Boolean(), server_default=sa.true()'), id="true"),
    case("AL414", add('"n", sa.Integer(), server_default="0"'), PG11, id="constant-on-pg11"),
    case("AL414", add('"s", sa.Text(), nullable=True'), PG10, id="no-default-on-pg10"),
    case("AL414", add('"g", sa.Integer(), sa.Computed("a + 1")'), PG18, id="virtual-on-pg18"),
    case("AL414", add('"s", sa.Text(), server_default=DEFAULT'), id="unknown-default"),
    case(
        "AL414",
        add('"s", sa.Text(), server_default=sa.text("1; DROP TABLE users")'),
        id="not-one-default",
    ),
    case("AL414", add('"s", sa.Text(), server_default=sa.text("now() +")'), id="bad-sql"),
    case("AL414", add('"s", sa.Text(), server_default=sa.text(EXPR)'), id="unknown-text"),
    case("AL414", add('"s", sa.Text(), server_default=sa.func.lower(NAME)'), id="unknown-arg"),
    case("AL414", add('"s", sa.Text(), server_default=make_default()'), id="unknown-call"),
    case(
        "AL414",
        add('"id2", sa.Integer(), primary_key=True, autoincrement=False'),
        id="no-autoincrement",
    ),
    case(
        "AL414",
        add('"tid", sa.Integer(), sa.ForeignKey("teams.id"), primary_key=True'),
        id="foreign-key-primary-key",
    ),
    case("AL414", sql("ALTER TABLE users ADD COLUMN s text DEFAULT 'x'"), id="sql-constant"),
    case("AL414", sql("ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now()"), id="sql-now"),
    case("AL414", f"{USERS}\n{IDENTITY}", id="new-table"),
    case("AL414", add('"at", sa.DateTime(), server_default=sa.func.now()'), MY, id="mysql-now"),
    case(
        "AL414",
        add(
            '"at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP ON '
            'UPDATE CURRENT_TIMESTAMP")'
        ),
        MY,
        id="mysql-on-update",
    ),
    case("AL414", add('"s", sa.Text(), server_default="x"'), MY, id="mysql-constant"),
    case("AL414", add('"g", sa.Integer(), sa.Computed("a + 1")'), MY, id="mysql-virtual"),
    case("AL414", add('"n", sa.Integer(), sa.Identity()'), MY, id="mysql-identity-ignored"),
    case(
        "AL414",
        sql("ALTER TABLE `users` ADD COLUMN g int AS (a + 1) VIRTUAL"),
        MY,
        id="mysql-sql-virtual",
    ),
    case("AL414", add('"n", sa.Integer(), sa.Identity()'), SQLITE, id="sqlite"),
    case("AL414", "pass", downgrade=add('"n", sa.Integer(), sa.Identity()'), id="downgrade"),
    # AL420
    case(
        "AL420",
        'op.alter_column("users", "email", type_=sa.String(320), '
        "existing_type=sa.String(255), existing_nullable=False, "
        'existing_server_default=sa.text("\'\'"), existing_comment="login")',
        MY,
        before=[add('"email", sa.String(255), nullable=False, server_default="", comment="l"')],
        id="everything-stated",
    ),
    case(
        "AL420",
        'op.alter_column("users", "email", nullable=False, existing_type=sa.String(9))',
        MY,
        id="nullable-given",
    ),
    case(
        "AL420",
        'op.alter_column("users", "email", type_=sa.String(320), existing_type=sa.String(255))',
        MY,
        before=[add('"email", sa.String(255)')],
        id="history-nullable",
    ),
    case(
        "AL420",
        'op.alter_column("users", "email", server_default="x", existing_type=sa.String(255))',
        MY,
        id="set-default-only",
    ),
    case(
        "AL420",
        'op.alter_column("users", "at", server_default=None, existing_type=sa.DateTime())',
        MY,
        id="datetime-default-dropped",
    ),
    case(
        "AL420",
        'op.alter_column("users", "email", type_=sa.String(320), '
        "existing_type=sa.String(255), existing_nullable=False)",
        MY,
        id="no-default-known",
    ),
    case(
        "AL420",
        'op.alter_column("users", "email", type_=sa.String(320), '
        'existing_type=sa.String(255), existing_nullable=False, server_default="y", '
        'comment="new")',
        MY,
        before=[add('"email", sa.String(255), server_default="x", comment="old"')],
        id="new-default-and-comment",
    ),
    case(
        "AL420",
        f'{USERS}\nop.alter_column("users", "id", type_=sa.BigInteger())',
        MY,
        id="new-table",
    ),
    case("AL420", 'op.alter_column("users", "email", type_=sa.String(320))', PG, id="postgresql"),
    case(
        "AL420",
        sql("ALTER TABLE `users` MODIFY email VARCHAR(320) NOT NULL DEFAULT 'x'"),
        MY,
        before=[add('"email", sa.String(255), nullable=False, server_default="x"')],
        id="sql-modify-repeats",
    ),
    case(
        "AL420",
        sql("ALTER TABLE `users` MODIFY email VARCHAR(320)"),
        MY,
        id="sql-modify-unknown-history",
    ),
    case(
        "AL420",
        sql("CREATE TABLE t (a int); ALTER TABLE `t` MODIFY a bigint"),
        MY,
        id="sql-new-table",
    ),
    case(
        "AL420",
        "pass",
        MY,
        downgrade='op.alter_column("users", "e", type_=sa.Text())',
        id="downgrade",
    ),
    # statements of one op.execute, in order; the history of a table
    case(
        "AL402",
        sql("CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN s text NOT NULL"),
        id="new-table-same-execute",
    ),
    case(
        "AL403",
        sql("ALTER TABLE users ADD COLUMN s int; ALTER TABLE users DROP COLUMN s"),
        id="new-column-same-execute",
    ),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False)\n'
        'op.alter_column("users", "name", nullable=False)',
        before=[
            'op.create_check_constraint("ck_e", "users", "email IS NOT NULL")',
            'op.create_check_constraint("ck_n", "users", "name IS NOT NULL")',
        ],
        id="two-columns-with-history-checks",
    ),
    case(
        "AL405",
        f'{USERS}\nop.alter_column("users", "email", nullable=False)',
        id="new-table-other-column",
    ),
    case(
        "AL405",
        sql("CREATE TABLE t (c int); ALTER TABLE t ALTER COLUMN c SET NOT NULL"),
        id="new-table-same-execute",
    ),
    case(
        "AL407",
        sql(
            "ALTER TABLE users ADD COLUMN n varchar(20); "
            "ALTER TABLE users ALTER COLUMN n TYPE varchar(40)"
        ),
        id="history-in-the-same-execute",
    ),
    # what runs only on another database is left out
    case(
        "AL407",
        "bind = op.get_bind()\nif isinstance(bind.dialect, MySQLDialect):\n"
        '    op.alter_column("q", "sql", existing_type=sa.Text(), type_=mysql.LONGTEXT())',
        id="mysql-branch-on-postgresql",
    ),
    case(
        "AL403",
        'if op.get_bind().dialect.name == "sqlite":\n    op.drop_column("users", "x")',
        id="sqlite-branch",
    ),
    case(
        "AL405",
        'if op.get_bind().dialect.name == "postgresql":\n'
        '    op.create_check_constraint("ck", "users", "email IS NOT NULL")\n'
        'op.alter_column("users", "email", nullable=False)',
        id="check-in-postgresql-branch",
    ),
    case(
        "AL405",
        'op.alter_column("users", "email", nullable=False)',
        before=[
            'if op.get_bind().dialect.name == "postgresql":\n'
            '    op.create_check_constraint("ck", "users", "email IS NOT NULL")'
        ],
        id="history-check-in-postgresql-branch",
    ),
    # a table emptied first takes a NOT NULL column
    case("AL402", 'op.execute("DELETE FROM users")\n' + NOT_NULL, id="emptied"),
    case("AL402", 'op.execute("DELETE FROM users")\n' + NOT_NULL, MY, id="emptied-mysql"),
    case(
        "AL402",
        'op.execute("DELETE FROM old")\nop.rename_table("old", "users")\n' + NOT_NULL,
        id="emptied-then-renamed",
    ),
    case(
        "AL402",
        sql("DELETE FROM old; ALTER TABLE old RENAME TO users") + "\n" + NOT_NULL,
        id="emptied-then-renamed-in-sql",
    ),
    case(
        "AL402",
        sql("DELETE FROM users; ALTER TABLE users ADD COLUMN s text NOT NULL"),
        id="emptied-in-the-same-execute",
    ),
    case("AL402", 'op.execute("TRUNCATE users, teams")\n' + NOT_NULL, id="truncated"),
]


ARGS = ("code", "upgrade", "settings", "before", "downgrade", "labels", "n")


@pytest.mark.parametrize(ARGS, FIRES)
def test_fires(code, upgrade, settings, before, downgrade, labels, n):
    found = lint(code, upgrade, settings, before, downgrade, labels)
    assert [d.code for d in found] == [code] * n, found
    assert all(d.hint for d in found)


@pytest.mark.parametrize(ARGS, QUIET)
def test_quiet(code, upgrade, settings, before, downgrade, labels, n):
    assert lint(code, upgrade, settings, before, downgrade, labels) == []


def messages(code, upgrade, settings=PG, before=()):
    return [(d.line, d.message) for d in lint(code, upgrade, settings, before)]


def test_al402_messages_name_the_failure():
    assert messages("AL402", NOT_NULL) == [
        (
            21,
            "adds NOT NULL column `users.status` without a server default: the ALTER TABLE "
            "fails as soon as the table has a row",
        )
    ]
    assert "implicit default (0, '')" in messages("AL402", NOT_NULL, MY)[0][1]
    dropped = f"{S_DEFAULT}\n" + ('op.alter_column("users", "s", server_default=None)')
    assert messages("AL402", dropped)[0][1].startswith(
        "adds NOT NULL column `users.s` and drops its server default later in this upgrade"
    )


def test_al403_hint_follows_the_contract_settings():
    (found,) = lint("AL403", 'op.drop_column("users", "legacy")')
    assert found.message == (
        "drops column `users.legacy`: the code still deployed uses it and fails until the new "
        "code is out"
    )
    assert found.hint.endswith("drop it in a revision on the `contract` branch")
    located = PG._replace(contract_branch_labels=(), contract_version_locations=("/x/contract",))
    (found,) = lint("AL403", 'op.drop_column("users", "legacy")', located)
    assert found.hint.endswith("under a `contract-version-locations` directory")
    nowhere = PG._replace(contract_branch_labels=())
    (found,) = lint("AL403", 'op.drop_column("users", "legacy")', nowhere)
    assert found.hint.endswith("in a later revision, once no deployed code uses it")
    (found,) = lint("AL403", "op.drop_column(TABLE, COLUMN)")
    assert found.message.startswith("drops column `?`: ")


def test_al403_contract_label_is_inherited_along_the_branch():
    sources = {
        "versions/a.py": revision("aaa111", None, labels="('contract',)", upgrade="pass"),
        "versions/b.py": revision("bbb222", "aaa111", upgrade='op.drop_column("users", "x")'),
        "versions/c.py": revision("ccc333", None, upgrade='op.drop_column("users", "y")'),
    }
    found = check("AL403", sources, settings=PG)
    assert [d.path for d in found] == ["versions/c.py"]


def test_al405_message_and_hints_by_version():
    (found,) = lint("AL405", 'op.alter_column("users", "email", nullable=False)')
    assert found.message == (
        "sets NOT NULL on `users.email`: takes an ACCESS EXCLUSIVE lock on `users` and scans "
        "every row for NULLs"
    )
    assert "NOT VALID" in found.hint and "VALIDATE" in found.hint
    (old,) = lint("AL405", 'op.alter_column("users", "email", nullable=False)', PG11)
    assert old.hint.startswith("before PostgreSQL 12 no CHECK spares the scan")


def test_al405_multi_revision_recipe_through_the_graph():
    """NOT VALID in revision N, VALIDATE and SET NOT NULL in N+1: quiet; the same N+1 without
    N is not."""
    n = 'op.create_check_constraint("ck_email", "users", "email IS NOT NULL", postgresql_not_valid=True)'
    n1 = (
        'op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_email")\n'
        'op.alter_column("users", "email", nullable=False)\n'
        'op.drop_constraint("ck_email", "users", type_="check")'
    )
    assert lint("AL405", n1, before=[n]) == []
    assert len(lint("AL405", n1)) == 1


def test_al407_messages_say_why_nothing_is_proven():
    assert messages("AL407", 'op.alter_column("users", "name", type_=sa.String(200))') == [
        (
            21,
            "changes the type of `users.name` (no `existing_type`, so nothing proves it needs "
            "no rewrite): takes an ACCESS EXCLUSIVE lock on `users` and rewrites it with its "
            "indexes",
        )
    ]
    shrink = 'op.alter_column("u", "n", type_=sa.String(5), existing_type=sa.String(9))'
    assert "(from varchar(9) to varchar(5))" in messages("AL407", shrink)[0][1]
    unreadable = 'op.alter_column("u", "n", type_=types[0], existing_type=sa.String(9))'
    assert "to a type that cannot be read" in messages("AL407", unreadable)[0][1]
    raw = sql("ALTER TABLE u ALTER COLUMN n TYPE text")
    assert "the history does not show its type" in messages("AL407", raw)[0][1]
    using = sql("ALTER TABLE u ALTER COLUMN n TYPE text USING n::text")
    assert "(with USING)" in messages("AL407", using, before=[add('"n", sa.Text()', "u")])[0][1]
    mysql = messages("AL407", 'op.alter_column("u", "n", type_=sa.Text())', MY)[0][1]
    assert mysql.endswith("MySQL copies `u` (ALGORITHM=COPY) and blocks writes to it")


def test_al412_and_al414_messages():
    assert messages("AL412", 'op.alter_column("users", "name", new_column_name="full")') == [
        (
            21,
            "renames column `users.name` to `full`: the code still deployed uses it and fails "
            "until the new code is out",
        )
    ]
    (found,) = lint("AL412", 'op.alter_column("users", "name", new_column_name=NEW)')
    assert "`users.name`:" in found.message
    (found,) = lint("AL414", add('"pid", sa.Uuid(), server_default=sa.text("gen_random_uuid()")'))
    assert found.message == (
        "adds `users.pid` with the volatile default `gen_random_uuid()`: takes an ACCESS "
        "EXCLUSIVE lock on `users` and rewrites every row"
    )
    assert found.hint.startswith("add it nullable without a default")
    (found,) = lint("AL414", add('"g", sa.Integer(), sa.Computed("a + 1")'))
    assert "as a stored generated column" in found.message
    assert found.hint.startswith("add a plain nullable column")
    (found,) = lint("AL414", add('"s", sa.Text(), server_default="x"'), PG10)
    assert "with a default, on PostgreSQL 10 (before 11)" in found.message
    (found,) = lint("AL414", add('"p", sa.Text(), server_default=sa.func.uuid()'), MY)
    assert "with the expression default `uuid()`" in found.message


def test_al420_messages_list_what_is_lost():
    (found,) = lint(
        "AL420",
        'op.alter_column("users", "email", nullable=True)',
        MY,
        before=[add('"email", sa.String(255), server_default="x", comment="login"')],
    )
    assert found.message == (
        "on MySQL this `alter_column` restates `users.email` as MODIFY/CHANGE: without "
        "`existing_type` Alembic cannot render it and fails; without `existing_server_default` "
        "it drops the server default; without `existing_comment` it drops the comment"
    )
    (found,) = lint(
        "AL420",
        sql("ALTER TABLE `users` MODIFY email VARCHAR(320)"),
        MY,
        before=[add('"email", sa.String(255), nullable=False, server_default="x"')],
    )
    assert found.message == (
        "this MODIFY/CHANGE restates `users.email` without its NOT NULL and its server default, "
        "which MySQL then drops"
    )


def test_every_column_rule_through_the_cli(tmp_path, monkeypatch, capsys):
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (tmp_path / "pyproject.toml").write_text('[tool.alembic-lint]\ndialect = "postgresql"\n')
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "a1_users.py").write_text(
        revision("a1a1a1a1a1a1", None, message="create users", upgrade=USERS)
    )
    upgrade = textwrap.dedent(
        """\
        op.add_column("users", sa.Column("status", sa.String(20), nullable=False))
        op.drop_column("users", "legacy")
        op.alter_column("users", "email", nullable=False)
        op.alter_column("users", "name", type_=sa.String(200))
        op.alter_column("users", "name", new_column_name="full_name")
        op.add_column("users", sa.Column("pid", sa.Uuid(), server_default=sa.text("gen_random_uuid()")))
        op.alter_column("users", "bio", type_=sa.Text(), existing_type=sa.String(100))"""
    )
    (versions / "b2_users.py").write_text(
        revision("b2b2b2b2b2b2", "a1a1a1a1a1a1", message="change users", upgrade=upgrade)
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "AL402,AL403,AL405,AL407,AL412,AL414"]) == 1
    out = capsys.readouterr().out
    lines = [line.split(": ", 1)[0] for line in out.splitlines() if ": AL4" in line]
    path = "migrations/versions/b2_users.py"
    assert lines == [f"{path}:{line}:5" for line in range(21, 27)]
    codes = [line.split(": ", 1)[1].split()[0] for line in out.splitlines() if ": AL4" in line]
    assert codes == ["AL402", "AL403", "AL405", "AL407", "AL412", "AL414"]
    (tmp_path / "pyproject.toml").write_text('[tool.alembic-lint]\ndialect = "mysql"\n')
    assert main(["check", "--select", "AL420"]) == 1
    out = capsys.readouterr().out
    found = [line.split(": ", 1)[0] for line in out.splitlines() if ": AL420" in line]
    assert found == [f"{path}:{line}:5" for line in (23, 24, 25, 27)]


def test_al402_quiet_on_a_table_the_upgrade_empties_first():
    from tests.builders import check, revision

    add = 'op.add_column("dag_code", sa.Column("dag_id", sa.String(250), nullable=False))'
    for first, found in (('op.execute("delete from dag_code;")', 0), ("pass", 1)):
        sources = {"versions/a.py": revision("3f9c2a71be04", None, upgrade=f"{first}\n{add}")}
        assert len(check("AL402", sources)) == found, first
