from __future__ import annotations

import textwrap

import pytest

from alembic_lint import rules
from alembic_lint.config import Settings
from alembic_lint.discover import Project
from alembic_lint.operations import Call, Lit, Ref, Unknown
from alembic_lint.rules.unsafe import common
from alembic_lint.sql import parse_sql
from tests.builders import DEFAULT_SETTINGS, PROJECT, check, history, parse, revision

REV = "7c1e9d0b4a52"
BODY_START = 20  # the line of `def upgrade()` in tests.builders.revision


def _dedent(text):
    return textwrap.dedent(text).strip("\n")


def run(code, upgrade, *, downgrade="pass", dialect="postgresql", history=(), project=PROJECT,
        **settings):  # fmt: skip
    """The findings of one rule on a revision (after ``history``, a chain of upgrades), as
    (line within upgrade(), message)."""
    sources = {}
    down = None
    for i, body in enumerate(history):
        rev = f"{i:04d}aaaa{i:04d}"
        sources[f"versions/{rev}.py"] = revision(rev, down, upgrade=_dedent(body))
        down = rev
    labels = settings.pop("labels", "None")
    sources["versions/x.py"] = revision(
        REV, down, upgrade=_dedent(upgrade), downgrade=_dedent(downgrade),
        labels=labels,
    )  # fmt: skip
    found = check(code, sources, settings=Settings(dialect=dialect, **settings), project=project)
    return [(d.line - BODY_START, d.message) for d in found if d.path == "versions/x.py"]


def lines(code, upgrade, **kwargs):
    return [line for line, _ in run(code, upgrade, **kwargs)]


# --- AL406 offline-unsafe-bind -------------------------------------------------------------------

AL406_FIRES = [
    pytest.param(
        """
        bind = op.get_bind()
        rows = bind.execute(sa.text("SELECT id FROM users")).fetchall()
        """,
        [2],
        id="fetchall",
    ),
    pytest.param('op.get_bind().execute(sa.text("SELECT 1")).first()', [1], id="get-bind-first"),
    pytest.param(
        """
        conn = op.get_bind()
        n = conn.scalar(sa.text("SELECT count(*) FROM users"))
        """,
        [2],
        id="scalar",
    ),
    pytest.param(
        """
        conn = op.get_bind()
        conn.scalars(sa.text("SELECT id FROM users"))
        """,
        [2],
        id="scalars-even-dropped",
    ),
    pytest.param(
        """
        conn = op.get_bind()
        for row in conn.execute(sa.text("SELECT id FROM users")):
            op.execute(f"UPDATE users SET x = 1 WHERE id = {row.id}")
        """,
        [2],
        id="iteration",
    ),
    pytest.param(
        """
        conn = op.get_bind()
        result = conn.execute(sa.text("SELECT id FROM users"))
        ids = [r[0] for r in result]
        """,
        [2],
        id="assigned-result-used",
    ),
    pytest.param(
        """
        conn = op.get_bind()
        conn.execute(sa.text("SELECT id FROM users"))[0]
        """,
        [2],
        id="subscript",
    ),
    pytest.param(
        """
        conn = op.get_bind()
        if conn.execute(sa.text("UPDATE users SET a = 1")).rowcount:
            pass
        """,
        [2],
        id="rowcount-of-a-write",
    ),
    pytest.param(
        """
        inspector = sa.inspect(op.get_bind())
        if "legacy" in inspector.get_table_names():
            op.drop_table("legacy")
        """,
        [1],
        id="inspect-get-bind",
    ),
    pytest.param(
        """
        bind = op.get_bind()
        inspector = sa.inspect(bind)
        columns = inspector.get_columns("users")
        """,
        [2],
        id="inspect-bind-once",
    ),
    pytest.param(
        """
        insp = Inspector.from_engine(op.get_bind())
        insp.get_indexes("users")
        """,
        [1],
        id="from-engine",
    ),
    pytest.param("insp = sa.inspect(context.bind)", [1], id="inspect-context-bind"),
    pytest.param(
        """
        session = Session(bind=op.get_bind())
        for user in session.query(User).all():
            user.email = user.email.lower()
        session.commit()
        """,
        [2],
        id="orm-query",
    ),
    pytest.param(
        """
        session = orm.Session(bind=op.get_bind())
        user = session.get(User, 1)
        rows = session.execute(sa.select(User)).all()
        """,
        [2, 3],
        id="orm-get-and-execute",
    ),
    pytest.param(
        """
        if context.is_offline_mode():
            rows = op.get_bind().execute(sa.text("SELECT 1")).fetchall()
        """,
        [2],
        id="in-the-offline-branch",
    ),
    pytest.param(
        """
        def helper():
            return op.get_bind().execute(sa.text("SELECT 1")).scalar()
        helper()
        """,
        [2],
        id="nested-helper",
    ),
]


@pytest.mark.parametrize(("upgrade", "expected"), AL406_FIRES)
def test_al406_fires(upgrade, expected):
    assert lines("AL406", upgrade) == expected


AL406_QUIET = [
    pytest.param(
        """
        bind = op.get_bind()
        bind.execute(sa.text("UPDATE users SET active = true"))
        """,
        id="write-dropped",
    ),
    pytest.param(
        """
        conn = op.get_bind()
        result = conn.execute(sa.text("DELETE FROM sessions"))
        """,
        id="assigned-but-unused",
    ),
    pytest.param(
        """
        bind = op.get_bind()
        if bind.dialect.name == "postgresql":
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        """,
        id="bind-dialect",
    ),
    pytest.param(
        """
        status = postgresql.ENUM("a", "b", name="status")
        status.create(op.get_bind(), checkfirst=True)
        sa.Enum("x", name="kind").create(op.get_bind(), checkfirst=True)
        """,
        id="enum-create-checkfirst",
    ),
    pytest.param(
        """
        if not context.is_offline_mode():
            rows = op.get_bind().execute(sa.text("SELECT 1")).fetchall()
        """,
        id="guarded-not-offline",
    ),
    pytest.param(
        """
        if op.get_context().as_sql:
            op.execute("UPDATE users SET a = 1")
        else:
            insp = sa.inspect(op.get_bind())
            insp.get_columns("users")
        """,
        id="guarded-as-sql-else",
    ),
    pytest.param(
        """
        if context.is_offline_mode():
            return
        n = op.get_bind().execute(sa.text("SELECT 1")).scalar()
        """,
        id="early-return-offline",
    ),
    pytest.param(
        """
        session = Session(bind=op.get_bind())
        session.add(User(name="admin"))
        session.commit()
        """,
        id="orm-write",
    ),
    pytest.param("mapper = sa.inspect(User)", id="inspect-mapped-class"),
    pytest.param('op.execute(sa.text("UPDATE users SET a = 1"))', id="op-execute"),
]


@pytest.mark.parametrize("upgrade", AL406_QUIET)
def test_al406_quiet(upgrade):
    assert lines("AL406", upgrade) == []


def test_al406_reads_the_downgrade_too():
    downgrade = 'rows = op.get_bind().execute(sa.text("SELECT 1")).fetchall()'
    found = run("AL406", "pass", downgrade=downgrade, dialect="sqlite")
    assert found == [
        (
            5,
            "the result of `bind.execute(...)` is read (`.fetchall`), but `alembic downgrade "
            "--sql` has no database to read: offline mode fails here",
        )
    ]


def test_al406_message_names_the_read():
    found = run(
        "AL406", 'conn = op.get_bind()\nfor r in conn.execute(sa.text("SELECT 1")):\n    pass'
    )
    assert found == [
        (
            2,
            "the result of `bind.execute(...)` is iterated over, but `alembic upgrade --sql` "
            "has no database to read: offline mode fails here",
        )
    ]


@pytest.mark.parametrize(
    "upgrade",
    [
        'n = op.get_bind().scalar(sa.text("SELECT 1"))',
        'for r in op.get_bind().execute(sa.text("SELECT 1")):\n    pass',
        'if sa.inspect(op.get_bind()).has_table("legacy"):\n    pass',
        'ids = [r.id for r in op.get_bind().execute(sa.text("SELECT id FROM t"))]',
    ],
)
def test_al406_chained_reads(upgrade):
    assert lines("AL406", upgrade) == [1]


# --- AL415 backfill-in-ddl-transaction -----------------------------------------------------------

AL415_FIRES = [
    pytest.param(
        """
        op.add_column("users", sa.Column("email_lower", sa.String()))
        op.execute("UPDATE users SET email_lower = lower(email)")
        """,
        [2],
        id="add-column-then-update",
    ),
    pytest.param(
        """
        op.alter_column("users", "email", nullable=False)
        op.execute(sa.text("DELETE FROM users WHERE email IS NULL"))
        """,
        [2],
        id="alter-column-then-delete",
    ),
    pytest.param(
        """
        op.create_index("ix_users_email", "users", ["email"])
        op.execute("INSERT INTO users (email) SELECT email FROM invites")
        """,
        [2],
        id="index-then-insert-select",
    ),
    pytest.param(
        """
        op.create_foreign_key("fk", "orders", "users", ["user_id"], ["id"])
        op.execute("UPDATE users SET active = true")
        """,
        [2],
        id="foreign-key-locks-the-referent",
    ),
    pytest.param(
        """
        op.execute("ALTER TABLE users ADD COLUMN flag boolean; UPDATE users SET flag = false")
        """,
        [1],
        id="raw-sql-one-string",
    ),
    pytest.param(
        """
        op.create_check_constraint("ck", "users", "age > 0")
        conn = op.get_bind()
        conn.execute(sa.text("UPDATE users SET age = 1 WHERE age <= 0"))
        """,
        [3],
        id="through-the-bind",
    ),
    pytest.param(
        """
        with op.batch_alter_table("users") as batch_op:
            batch_op.add_column(sa.Column("x", sa.Integer()))
        op.execute("UPDATE users SET x = 0")
        """,
        [3],
        id="batch-op",
    ),
    pytest.param(
        """
        op.add_column("users", sa.Column("x", sa.Integer()))
        op.execute("UPDATE users SET x = 0 WHERE id < 100")
        op.execute("UPDATE users SET x = 0 WHERE id >= 100")
        """,
        [2],
        id="once-per-table",
    ),
    pytest.param(
        """
        op.execute("COMMIT")
        op.execute("BEGIN")
        op.add_column("users", sa.Column("x", sa.Integer()))
        op.execute("UPDATE users SET x = 0")
        """,
        [4],
        id="new-transaction-after-commit",
    ),
    pytest.param(
        """
        op.execute("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id)")
        op.execute("UPDATE users SET x = 0")
        """,
        [2],
        id="raw-foreign-key-locks-the-referent",
    ),
    pytest.param(
        """
        op.execute("CREATE INDEX ix ON users (a)")
        op.execute("DELETE FROM users WHERE a IS NULL")
        """,
        [2],
        id="raw-index",
    ),
    pytest.param(
        """
        op.execute("DROP INDEX ix_users_a")
        op.drop_index("ix_users_b", table_name="users")
        op.execute("UPDATE users SET x = 0")
        """,
        [3],
        id="drop-index-with-table",
    ),
    pytest.param(
        """
        op.rename_table("people", "users")
        op.execute("UPDATE users SET x = 0")
        """,
        [2],
        id="renamed-table",
    ),
]


@pytest.mark.parametrize(("upgrade", "expected"), AL415_FIRES)
def test_al415_fires(upgrade, expected):
    assert lines("AL415", upgrade) == expected


AL415_QUIET = [
    pytest.param(
        """
        op.add_column("users", sa.Column("x", sa.Integer()))
        op.execute("UPDATE orders SET total = 0")
        """,
        id="dml-on-another-table",
    ),
    pytest.param(
        """
        op.create_table("t", sa.Column("id", sa.Integer()))
        op.create_index("ix_t", "t", ["id"])
        op.execute("INSERT INTO t (id) SELECT id FROM users")
        """,
        id="table-new",
    ),
    pytest.param(
        """
        t = op.create_table("t", sa.Column("id", sa.Integer()))
        op.add_column("t", sa.Column("x", sa.Integer()))
        op.execute("UPDATE t SET x = 1")
        """,
        id="table-new-assigned",
    ),
    pytest.param(
        """
        op.execute("CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN x int; UPDATE t SET x = 1")
        """,
        id="table-new-raw-sql",
    ),
    pytest.param(
        """
        op.add_column("users", sa.Column("x", sa.Integer()))
        op.execute("COMMIT")
        op.execute("UPDATE users SET x = 0")
        """,
        id="after-commit",
    ),
    pytest.param(
        """
        op.add_column("users", sa.Column("x", sa.Integer()))
        with op.get_context().autocommit_block():
            op.execute("UPDATE users SET x = 0")
        """,
        id="backfill-in-autocommit-block",
    ),
    pytest.param(
        """
        with op.get_context().autocommit_block():
            op.create_index("ix", "users", ["x"], postgresql_concurrently=True)
            op.execute("UPDATE users SET x = 0")
        """,
        id="ddl-in-autocommit-block",
    ),
    pytest.param(
        """
        op.execute("UPDATE users SET x = 0")
        op.alter_column("users", "x", nullable=False)
        """,
        id="dml-before-ddl",
    ),
    pytest.param(
        """
        op.add_column("users", sa.Column("x", sa.Integer()))
        op.execute("INSERT INTO users (id) VALUES (1)")
        """,
        id="insert-values",
    ),
    pytest.param(
        """
        op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck")
        op.create_index("ix", "users", ["x"], postgresql_concurrently=True)
        op.alter_column("users", "x", comment="the x")
        op.alter_column("users", "y", existing_type=sa.Integer())
        op.create_table_comment("users", "people")
        op.execute("UPDATE users SET x = 0")
        """,
        id="locks-that-block-no-writes",
    ),
    pytest.param(
        """
        op.add_column("users", sa.Column("x", sa.Integer()))
        op.execute("SELECT count(*) FROM users")
        """,
        id="select",
    ),
]


@pytest.mark.parametrize("upgrade", AL415_QUIET)
def test_al415_quiet(upgrade):
    assert lines("AL415", upgrade) == []


def test_al415_message_and_dialects():
    upgrade = """
        op.add_column("users", sa.Column("x", sa.Integer()))
        op.execute("UPDATE users SET x = 0")
        """
    assert run("AL415", upgrade) == [
        (
            2,
            "`UPDATE` backfills `users` while `op.add_column` (line 21) holds an ACCESS "
            "EXCLUSIVE lock on it in the same transaction: the application's queries on "
            "`users` wait until the backfill commits",
        )
    ]
    assert lines("AL415", upgrade, dialect="mysql") == []
    assert lines("AL415", "pass", downgrade=upgrade) == []
    assert lines("AL415", "pass", downgrade=upgrade, lint_downgrade=True) == [6]
    share = 'op.create_index("ix", "users", ["x"])\nop.execute("DELETE FROM users")'
    assert (
        "a SHARE lock on it in the same transaction: the application's writes to `users`"
        in (run("AL415", share)[0][1])
    )


def test_al415_backfill_through_get_bind():
    upgrade = """
        op.add_column("users", sa.Column("x", sa.Integer()))
        op.get_bind().execute(sa.text("UPDATE users SET x = 0"))
        """
    assert lines("AL415", upgrade) == [2]


# --- AL416 enum-add-value-in-transaction ---------------------------------------------------------

ADD = "op.execute(\"ALTER TYPE status ADD VALUE 'archived'\")"

AL416_FIRES = [
    pytest.param(ADD, 11, [1], id="pg11-any-add-value"),
    pytest.param(
        f"""
        op.execute("COMMIT")
        op.execute("BEGIN")
        {ADD}
        """,
        11,
        [3],
        id="pg11-new-transaction",
    ),
    pytest.param(
        f"""
        {ADD}
        op.execute("UPDATE posts SET status = 'archived' WHERE deleted")
        """,
        14,
        [1],
        id="pg14-used-in-sql",
    ),
    pytest.param(
        """
        op.execute("ALTER TYPE status ADD VALUE 'archived'; UPDATE posts SET status = 'archived'")
        """,
        12,
        [1],
        id="pg12-used-in-the-same-string",
    ),
    pytest.param(
        f"""
        {ADD}
        op.alter_column("posts", "status", server_default="archived")
        """,
        14,
        [1],
        id="used-as-server-default",
    ),
    pytest.param(
        f"""
        {ADD}
        op.add_column("posts", sa.Column("s2", status, server_default=sa.text("'archived'")))
        """,
        14,
        [1],
        id="used-in-a-column-default",
    ),
    pytest.param(
        f"""
        {ADD}
        op.bulk_insert(posts, [{{"id": 1, "status": "archived"}}])
        """,
        14,
        [1],
        id="used-in-bulk-insert",
    ),
    pytest.param(
        f"""
        {ADD}
        op.bulk_insert(sa.table("posts"), ROWS)
        op.create_check_constraint("ck", "posts", "status <> 'archived'")
        """,
        14,
        [1],
        id="used-in-a-check",
    ),
    pytest.param(
        f"""
        {ADD}
        op.create_index("ix", "posts", ["id"], postgresql_where=sa.text("status = 'archived'"))
        """,
        14,
        [1],
        id="used-in-a-partial-index",
    ),
    pytest.param(
        f"""
        {ADD}
        conn = op.get_bind()
        conn.execute(sa.text("UPDATE posts SET status = 'archived'"))
        """,
        14,
        [1],
        id="used-through-the-bind",
    ),
    pytest.param(
        """
        op.execute("CREATE TYPE other AS ENUM ('a')")
        op.execute("ALTER TYPE status ADD VALUE 'o''brien'")
        op.execute("UPDATE posts SET status = 'o''brien'")
        """,
        14,
        [2],
        id="quoted-value",
    ),
]


@pytest.mark.parametrize(("upgrade", "version", "expected"), AL416_FIRES)
def test_al416_fires(upgrade, version, expected):
    assert lines("AL416", upgrade, postgresql_version=version) == expected


AL416_QUIET = [
    pytest.param(ADD, 12, id="pg12-unused"),
    pytest.param(
        f"""
        with op.get_context().autocommit_block():
            {ADD}
        op.execute("UPDATE posts SET status = 'archived'")
        """,
        11,
        id="in-the-block",
    ),
    pytest.param(
        f"""
        op.execute("COMMIT")
        {ADD}
        """,
        11,
        id="after-commit",
    ),
    pytest.param(
        f"""
        {ADD}
        op.execute("COMMIT")
        op.execute("UPDATE posts SET status = 'archived'")
        """,
        14,
        id="used-after-commit",
    ),
    pytest.param(
        """
        op.execute("CREATE TYPE status AS ENUM ('a')")
        op.execute("ALTER TYPE status ADD VALUE 'b'")
        op.execute("UPDATE posts SET status = 'b'")
        """,
        11,
        id="type-created-in-the-segment",
    ),
    pytest.param(
        """
        op.create_table("posts", sa.Column("s", sa.Enum("a", name="status")))
        op.execute("ALTER TYPE status ADD VALUE 'b'")
        """,
        11,
        id="type-created-by-create-table",
    ),
    pytest.param(
        """
        op.execute("ALTER TYPE status ADD VALUE 'b'")
        op.execute("ALTER TYPE status ADD VALUE 'c' AFTER 'b'")
        op.execute("CREATE TYPE copy AS ENUM ('b')")
        op.add_column("posts", sa.Column("b", sa.Integer()))
        """,
        14,
        id="other-enum-ddl-and-names-are-no-use",
    ),
    pytest.param(
        """
        status = postgresql.ENUM("a", "b", name="status")
        status.create(op.get_bind(), checkfirst=False)
        op.execute("ALTER TYPE status ADD VALUE 'c'")
        """,
        11,
        id="type-created-with-enum-create-on-the-bind",
    ),
    pytest.param(
        """
        values = ", ".join(f"'{v}'" for v in VALUES)
        op.execute(f"CREATE TYPE status AS ENUM ({values})")
        op.execute("ALTER TYPE status ADD VALUE 'c'")
        """,
        11,
        id="type-created-by-sql-built-at-run-time",
    ),
]


@pytest.mark.parametrize(("upgrade", "version"), AL416_QUIET)
def test_al416_quiet(upgrade, version):
    assert lines("AL416", upgrade, postgresql_version=version) == []


def test_al416_messages_hint_and_scope():
    assert run("AL416", ADD, postgresql_version=11) == [
        (
            1,
            "`ALTER TYPE status ADD VALUE` runs inside the migration's transaction: PostgreSQL "
            "11 rejects it there (`cannot run inside a transaction block`), and the upgrade fails",
        )
    ]
    used = f"{ADD}\nop.execute(\"UPDATE posts SET status = 'archived'\")"
    assert run("AL416", used) == [
        (
            1,
            "`archived` is added to `status` and used at line 22 in the same transaction: "
            "PostgreSQL rejects it until the value is committed (`unsafe use of new value`), "
            "and the upgrade fails",
        )
    ]
    found = check(
        "AL416",
        {"versions/x.py": revision(REV, None, upgrade=ADD)},
        settings=Settings(dialect="postgresql", postgresql_version=11),
    )
    assert found[0].hint == (
        "add the value in its own block: `with op.get_context().autocommit_block(): "
        "op.execute(\"ALTER TYPE status ADD VALUE IF NOT EXISTS 'archived'\")`"
    )
    created_type_not = (
        'op.create_table("p", sa.Column("s", postgresql.ENUM("a", name="status", '
        f"create_type=False)))\n{ADD}"
    )
    assert lines("AL416", created_type_not, postgresql_version=11) == [2]
    assert lines("AL416", ADD, dialect="mysql", postgresql_version=11) == []
    assert lines("AL416", "pass", downgrade=ADD, postgresql_version=11) == []


# --- AL417 enum-value-rename-or-removal ----------------------------------------------------------

POSTS_PG = 'op.create_table("posts", sa.Column("s", sa.Enum("a", "b", "c", name="status")))'
POSTS_MY = 'op.create_table("posts", sa.Column("s", mysql.ENUM("a", "b", "c")))'
NEW_AB = 'op.alter_column("posts", "s", type_=mysql.ENUM("a", "b"))'

AL417_FIRES = [
    pytest.param(
        "postgresql",
        (),
        "op.execute(\"ALTER TYPE status RENAME VALUE 'a' TO 'z'\")",
        [1],
        id="rename-value",
    ),
    pytest.param(
        "postgresql",
        (POSTS_PG,),
        """
        op.execute("DROP TYPE status")
        op.execute("CREATE TYPE status AS ENUM ('a', 'b')")
        """,
        [2],
        id="drop-and-create",
    ),
    pytest.param(
        "postgresql",
        ("op.execute(\"CREATE TYPE status AS ENUM ('a', 'b', 'c')\")",),
        """
        op.execute("ALTER TYPE status RENAME TO status_old")
        op.execute("CREATE TYPE status AS ENUM ('a', 'b')")
        op.execute("ALTER TABLE posts ALTER COLUMN s TYPE status USING s::text::status")
        op.execute("DROP TYPE status_old")
        """,
        [2],
        id="rename-create-swap-once",
    ),
    pytest.param(
        "postgresql",
        (POSTS_PG,),
        """
        op.execute("CREATE TYPE status_new AS ENUM ('a', 'c')")
        op.execute("ALTER TABLE posts ALTER COLUMN s TYPE status_new USING s::text::status_new")
        """,
        [2],
        id="swap-to-a-new-type",
    ),
    pytest.param(
        "postgresql",
        (),
        """
        op.alter_column(
            "posts", "s",
            type_=postgresql.ENUM("a", "b", name="status_new"),
            existing_type=postgresql.ENUM("a", "b", "c", name="status"),
            postgresql_using="s::text::status_new",
        )
        """,
        [1],
        id="alter-column-pg-enum",
    ),
    pytest.param(
        "postgresql",
        (
            "op.execute(\"CREATE TYPE status AS ENUM ('a', 'b')\")",
            "op.execute(\"ALTER TYPE status ADD VALUE 'c'\")",
        ),
        "op.execute(\"DROP TYPE status; CREATE TYPE status AS ENUM ('a', 'b')\")",
        [1],
        id="value-added-in-history",
    ),
    pytest.param(
        "postgresql",
        (
            "op.execute(\"CREATE TYPE status AS ENUM ('a', 'b')\")",
            "op.execute(\"ALTER TYPE status RENAME VALUE 'b' TO 'c'\")",
        ),
        "op.execute(\"DROP TYPE status; CREATE TYPE status AS ENUM ('a', 'b')\")",
        [1],
        id="value-renamed-in-history",
    ),
    pytest.param(
        "mysql",
        (),
        'op.alter_column("posts", "s", type_=mysql.ENUM("a", "b"), '
        'existing_type=mysql.ENUM("a", "b", "c"))',
        [1],
        id="mysql-existing-type",
    ),
    pytest.param(
        "mysql",
        (),
        'op.alter_column("posts", "s", type_=mysql.SET("a"), existing_type=mysql.SET("a", "b"))',
        [1],
        id="mysql-set",
    ),
    pytest.param("mysql", (POSTS_MY,), NEW_AB, [1], id="mysql-history"),
    pytest.param(
        "postgresql",
        ('op.add_column("posts", sa.Column(sa.Enum("a", "b", name="st")))',),
        "op.execute(\"DROP TYPE st; CREATE TYPE st AS ENUM ('a')\")",
        [1],
        id="type-of-an-unnamed-column",
    ),
    pytest.param(
        "mysql",
        (POSTS_MY,),
        """
        with op.batch_alter_table("posts") as batch_op:
            batch_op.alter_column("s", type_=sa.Enum("a", "c"))
        """,
        [2],
        id="mysql-batch-op",
    ),
    pytest.param(
        "mysql",
        (POSTS_MY,),
        "op.execute(\"ALTER TABLE posts MODIFY s ENUM('a', 'b') NOT NULL\")",
        [1],
        id="mysql-modify",
    ),
    pytest.param(
        "mysql",
        ("op.execute(\"CREATE TABLE posts (id int, s ENUM('a', 'b', 'c'))\")",),
        "op.execute(\"ALTER TABLE `posts` CHANGE `s` `state` ENUM('a', 'b')\")",
        [1],
        id="mysql-raw-history-and-change",
    ),
    pytest.param(
        "mysql",
        (),
        """
        op.add_column("posts", sa.Column("s", mysql.ENUM("a", "b", "c")))
        op.alter_column("posts", "s", new_column_name="state", existing_type=mysql.ENUM("a", "b", "c"))
        op.alter_column("posts", "state", type_=mysql.ENUM("a", "b"))
        """,
        [3],
        id="mysql-in-body-after-rename",
    ),
    pytest.param(
        "mysql",
        (POSTS_MY, 'op.execute("ALTER TABLE posts RENAME COLUMN s TO state")'),
        'op.alter_column("posts", "state", type_=mysql.ENUM("b", "c"))',
        [1],
        id="mysql-raw-rename-in-history",
    ),
]


@pytest.mark.parametrize(("dialect", "history", "upgrade", "expected"), AL417_FIRES)
def test_al417_fires(dialect, history, upgrade, expected):
    assert lines("AL417", upgrade, dialect=dialect, history=history) == expected


AL417_RESTORED = [
    pytest.param(
        "mysql",
        "op.execute(\"ALTER TABLE posts MODIFY s ENUM('a', 'b') NOT NULL\")",
        "op.execute(\"ALTER TABLE posts MODIFY s ENUM('a', 'b', 'c') NOT NULL\")",
        [1],
        id="mysql-modify",
    ),
    pytest.param(
        "mysql",
        NEW_AB,
        'op.alter_column("posts", "s", type_=mysql.ENUM("a", "b", "c"))',
        [1],
        id="mysql-alter-column",
    ),
    pytest.param(
        "postgresql",
        """
        op.execute("ALTER TYPE status RENAME TO status_old")
        op.execute("CREATE TYPE status AS ENUM ('a', 'b')")
        op.execute("ALTER TABLE posts ALTER COLUMN s TYPE status USING s::text::status")
        op.execute("DROP TYPE status_old")
        """,
        """
        op.execute("ALTER TYPE status RENAME TO status_old")
        op.execute("CREATE TYPE status AS ENUM ('a', 'b', 'c')")
        op.execute("ALTER TABLE posts ALTER COLUMN s TYPE status USING s::text::status")
        op.execute("DROP TYPE status_old")
        """,
        [2],
        id="pg-swap",
    ),
    pytest.param(
        "mysql",
        'op.alter_column("posts", "s", type_=mysql.ENUM("a", "b", "c"))',
        NEW_AB,
        [],
        id="upgrade-adds-a-value",
    ),
]


@pytest.mark.parametrize(("dialect", "upgrade", "downgrade", "expected"), AL417_RESTORED)
def test_al417_old_values_from_what_the_downgrade_restores(dialect, upgrade, downgrade, expected):
    assert lines("AL417", upgrade, downgrade=downgrade, dialect=dialect) == expected


AL417_QUIET = [
    pytest.param(
        "postgresql",
        (),
        'op.alter_column("posts", "s", type_=sa.Enum("a", "b", "c", name="s2"), '
        'existing_type=sa.Enum("a", "b", name="s1"))',
        id="values-only-added",
    ),
    pytest.param(
        "postgresql",
        (POSTS_PG,),
        "op.execute(\"DROP TYPE status; CREATE TYPE status AS ENUM ('a', 'b', 'c', 'd')\")",
        id="re-created-with-more",
    ),
    pytest.param(
        "postgresql",
        (),
        "op.execute(\"CREATE TYPE status AS ENUM ('a')\")",
        id="new-type",
    ),
    pytest.param(
        "postgresql",
        (POSTS_PG, 'op.execute("DROP TYPE status")'),
        "op.execute(\"CREATE TYPE status AS ENUM ('x')\")",
        id="dropped-in-an-earlier-revision",
    ),
    pytest.param(
        "postgresql",
        (),
        'op.alter_column("posts", "s", type_=sa.Enum(Status), existing_type=sa.Enum("a", "b"))',
        id="python-enum-class-is-unknown",
    ),
    pytest.param(
        "postgresql",
        (),
        'op.alter_column("posts", "s", type_=sa.Enum(*VALUES), existing_type=sa.Enum("a", "b"))',
        id="starred-values-are-unknown",
    ),
    pytest.param("mysql", (), NEW_AB, id="mysql-no-history"),
    pytest.param(
        "mysql",
        (
            POSTS_MY,
            'op.drop_column("posts", "s")',
            'op.add_column("posts", sa.Column("s", mysql.ENUM("a")))',
        ),
        NEW_AB,
        id="mysql-column-dropped-and-re-added",
    ),
    pytest.param(
        "mysql",
        (POSTS_MY, 'op.drop_table("posts")'),
        NEW_AB,
        id="mysql-table-dropped",
    ),
    pytest.param(
        "mysql",
        (POSTS_MY, 'op.execute("DROP TABLE posts")'),
        NEW_AB,
        id="mysql-table-dropped-raw",
    ),
    pytest.param(
        "mysql",
        (POSTS_MY, 'op.execute("ALTER TABLE posts DROP COLUMN s")'),
        NEW_AB,
        id="mysql-column-dropped-raw",
    ),
    pytest.param(
        "mysql",
        (POSTS_MY, 'op.alter_column("posts", "s", type_=sa.String(20))'),
        NEW_AB,
        id="mysql-column-became-varchar",
    ),
    pytest.param(
        "mysql",
        (POSTS_MY,),
        "op.execute(\"ALTER TABLE posts MODIFY s ENUM('a', 'b', 'c', 'd')\")",
        id="mysql-modify-appends",
    ),
]


@pytest.mark.parametrize(("dialect", "history", "upgrade"), AL417_QUIET)
def test_al417_quiet(dialect, history, upgrade):
    assert lines("AL417", upgrade, dialect=dialect, history=history) == []


def test_al417_messages_contract_and_downgrade():
    assert run("AL417", "op.execute(\"ALTER TYPE status RENAME VALUE 'a' TO 'z'\")") == [
        (
            1,
            "`status` value `a` is renamed to `z` in place: code still running writes and "
            "matches `a`, which no longer exists",
        )
    ]
    removal = (
        'op.alter_column("posts", "s", type_=mysql.ENUM("a"), '
        'existing_type=mysql.ENUM("a", "b", "c"))'
    )
    assert run("AL417", removal, dialect="mysql") == [
        (
            1,
            "the new value list of `posts.s` drops `b`, `c`: rows that hold a removed value "
            "make the change fail, and code still running that writes one breaks",
        )
    ]
    contract = {"labels": "('contract',)"}
    assert lines("AL417", removal, dialect="mysql", **contract) == []
    rename = "op.execute(\"ALTER TYPE status RENAME VALUE 'a' TO 'z'\")"
    assert lines("AL417", rename, **contract) == [1]
    assert lines("AL417", "pass", downgrade=removal, dialect="mysql") == []
    widen = (
        'op.alter_column("posts", "s", type_=mysql.ENUM("a", "b"), existing_type=mysql.ENUM("a"))'
    )
    narrow = 'op.alter_column("posts", "s", type_=mysql.ENUM("a"))'
    assert lines("AL417", widen, downgrade=narrow, dialect="mysql") == []
    assert lines("AL417", widen, downgrade=narrow, dialect="mysql", lint_downgrade=True) == [5]
    assert lines("AL417", rename, dialect="sqlite") == []


# --- AL419 autocommit-block-splits-revision ------------------------------------------------------

BLOCK = """
with op.get_context().autocommit_block():
    op.create_index("ix_users_email", "users", ["email"], postgresql_concurrently=True)
"""

AL419_FIRES = [
    pytest.param('op.add_column("users", sa.Column("email", sa.String()))', 1, id="add-column"),
    pytest.param('op.create_table("t", sa.Column("id", sa.Integer()))', 1, id="create-table"),
    pytest.param('op.create_index("ix", "t", ["a"])', 1, id="create-index"),
    pytest.param(
        'op.alter_column("users", "name", new_column_name="full_name")', 1, id="column-rename"
    ),
    pytest.param('op.execute("ALTER TABLE users ADD COLUMN email text")', 1, id="raw-add-column"),
    pytest.param('op.execute("CREATE TABLE t (id int)")', 1, id="raw-create-table"),
    pytest.param(
        "op.execute(\"ALTER TYPE status ADD VALUE 'x'\")", 1, id="raw-add-value-without-guard"
    ),
    pytest.param(
        'op.execute("ALTER TABLE users ALTER COLUMN a SET NOT NULL, ADD CONSTRAINT u UNIQUE (a)")',
        1,
        id="raw-mixed-actions",
    ),
    pytest.param(
        """
        op.execute("SET lock_timeout = '5s'")
        op.alter_column("users", "email", nullable=False)
        op.drop_constraint("fk_old", "users")
        """,
        3,
        id="after-idempotent-steps",
    ),
    pytest.param(
        """
        with op.batch_alter_table("users") as batch_op:
            batch_op.drop_column("legacy")
        """,
        2,
        id="batch-op",
    ),
]


@pytest.mark.parametrize(("before", "line"), AL419_FIRES)
def test_al419_fires(before, line):
    upgrade = _dedent(before) + BLOCK
    offset = upgrade.count("\n", 0, upgrade.index('    op.create_index("ix_users_email"')) + 1
    assert run("AL419", upgrade)[0][0] == offset
    assert f"(line {BODY_START + line})" in run("AL419", upgrade)[0][1]


AL419_QUIET = [
    pytest.param("", id="block-alone"),
    pytest.param("op.execute(\"SET statement_timeout = '1min'\")", id="set"),
    pytest.param('op.execute("CREATE TABLE IF NOT EXISTS t (id int)")', id="create-if-not-exists"),
    pytest.param(
        'op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS a int, DROP COLUMN IF EXISTS b")',
        id="alter-if-exists-actions",
    ),
    pytest.param('op.execute("DROP INDEX IF EXISTS ix_old")', id="drop-index-if-exists"),
    pytest.param(
        "op.execute(\"ALTER TYPE status ADD VALUE IF NOT EXISTS 'x'\")",
        id="add-value-if-not-exists",
    ),
    pytest.param('op.create_index("ix", "t", ["a"], if_not_exists=True)', id="op-if-not-exists"),
    pytest.param('op.drop_table("t", if_exists=True)', id="op-if-exists"),
    pytest.param(
        """
        op.alter_column("users", "email", nullable=False, server_default="x")
        op.execute("ALTER TABLE users ALTER COLUMN a SET DEFAULT 0, ALTER COLUMN a TYPE bigint")
        op.create_table_comment("users", "people")
        """,
        id="re-runnable-alters",
    ),
    pytest.param(
        """
        op.execute("UPDATE users SET a = 0")
        op.bulk_insert(sa.table("t"), [{"id": 1}])
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("GRANT SELECT ON users TO reader")
        """,
        id="dml-and-unknown-statements",
    ),
    pytest.param(
        """
        op.add_column("users", sa.Column("email", sa.String()))
        op.execute("COMMIT")
        """,
        id="already-committed",
    ),
]


@pytest.mark.parametrize("before", AL419_QUIET)
def test_al419_quiet(before):
    assert lines("AL419", _dedent(before) + BLOCK) == []


def test_al419_every_block_that_commits_ddl_and_the_message():
    upgrade = (
        'op.add_column("users", sa.Column("a", sa.Integer()))'
        + BLOCK
        + 'op.execute("SET x = 1")'
        + BLOCK
        + 'op.execute("CREATE INDEX ix_b ON users (b)")'
        + BLOCK
    )
    found = run("AL419", upgrade)
    assert [line for line, _ in found] == [3, 9]
    assert found[0][1] == (
        "this `autocommit_block()` first commits `op.add_column` (line 21): if the rest fails, "
        "the revision stays half applied and running it again fails on `op.add_column`"
    )
    assert found[1][1].startswith(
        "this `autocommit_block()` first commits `CREATE INDEX` (line 27)"
    )
    assert lines("AL419", "pass", downgrade=upgrade) == []
    assert lines("AL419", upgrade, dialect="mysql") == []


# --- AL422 missing-lock-timeout ------------------------------------------------------------------

ADD_COLUMN = 'op.add_column("users", sa.Column("email", sa.String()))'

AL422_FIRES = [
    pytest.param("postgresql", ADD_COLUMN, 1, id="add-column"),
    pytest.param("postgresql", 'op.create_index("ix", "users", ["a"])', 1, id="index"),
    pytest.param(
        "postgresql",
        'op.create_foreign_key("fk", "orders", "users", ["user_id"], ["id"])',
        1,
        id="foreign-key",
    ),
    pytest.param("postgresql", 'op.execute("ALTER TABLE users DROP COLUMN a")', 1, id="raw-alter"),
    pytest.param("postgresql", 'op.execute("DROP TABLE legacy")', 1, id="raw-drop-table"),
    pytest.param("postgresql", 'op.execute("CREATE INDEX ix ON users (a)")', 1, id="raw-index"),
    pytest.param(
        "postgresql",
        'op.execute("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id)")',
        1,
        id="raw-foreign-key",
    ),
    pytest.param(
        "postgresql", f'op.execute("SET lock_timeout = 0")\n{ADD_COLUMN}', 2, id="set-to-zero"
    ),
    pytest.param(
        "postgresql",
        f'op.execute("SET lock_timeout TO DEFAULT")\n{ADD_COLUMN}',
        2,
        id="set-to-default",
    ),
    pytest.param(
        "postgresql", f"{ADD_COLUMN}\nop.execute(\"SET lock_timeout = '5s'\")", 1, id="set-after"
    ),
    pytest.param(
        "postgresql",
        f"""
        op.execute("SET LOCAL lock_timeout = '5s'")
        op.execute("COMMIT")
        {ADD_COLUMN}
        """,
        3,
        id="set-local-in-another-transaction",
    ),
    pytest.param(
        "postgresql",
        f"""
        op.create_table("t", sa.Column("id", sa.Integer()))
        op.create_index("ix_t", "t", ["id"])
        {ADD_COLUMN}
        """,
        3,
        id="first-existing-table",
    ),
    pytest.param(
        "postgresql",
        f"""
        with op.get_context().autocommit_block():
            op.execute("SET LOCAL lock_timeout = '5s'")
            {ADD_COLUMN}
        """,
        3,
        id="set-local-outside-a-transaction",
    ),
    pytest.param("mysql", ADD_COLUMN, 1, id="mysql"),
    pytest.param("mysql", 'op.alter_column("users", "a", comment="x")', 1, id="mysql-comment"),
    pytest.param(
        "mysql",
        f'op.execute("SET innodb_lock_wait_timeout = 5")\n{ADD_COLUMN}',
        2,
        id="mysql-innodb-timeout-is-for-rows",
    ),
    pytest.param(
        "mysql",
        f"op.execute(\"SET lock_timeout = '5s'\")\n{ADD_COLUMN}",
        2,
        id="mysql-postgresql-setting",
    ),
]


@pytest.mark.parametrize(("dialect", "upgrade", "line"), AL422_FIRES)
def test_al422_fires(dialect, upgrade, line):
    assert lines("AL422", upgrade, dialect=dialect) == [line]


AL422_QUIET = [
    pytest.param("postgresql", f"op.execute(\"SET lock_timeout = '5s'\")\n{ADD_COLUMN}", id="set"),
    pytest.param(
        "postgresql", f"op.execute(\"SET LOCAL lock_timeout = '5s'\")\n{ADD_COLUMN}", id="set-local"
    ),
    pytest.param(
        "postgresql",
        f"op.execute(\"SELECT set_config('lock_timeout', '5s', false)\")\n{ADD_COLUMN}",
        id="set-config",
    ),
    pytest.param(
        "postgresql",
        f"conn = op.get_bind()\nconn.execute(sa.text(\"SET lock_timeout = '5s'\"))\n{ADD_COLUMN}",
        id="set-through-the-bind",
    ),
    pytest.param(
        "postgresql",
        """
        op.create_table("t", sa.Column("id", sa.Integer()))
        op.create_index("ix_t", "t", ["id"])
        op.execute("ALTER TABLE t ADD COLUMN a int")
        """,
        id="new-table",
    ),
    pytest.param(
        "postgresql",
        """
        with op.get_context().autocommit_block():
            op.create_index("ix", "users", ["a"], postgresql_concurrently=True)
            op.drop_index("ix_old", table_name="users", postgresql_concurrently=True)
        op.drop_index("ix_unknown_table")
        op.execute("UPDATE users SET a = 1")
        op.alter_column("users", "a", comment="x")
        """,
        id="no-blocking-lock",
    ),
    pytest.param(
        "mysql", f'op.execute("SET SESSION lock_wait_timeout = 5")\n{ADD_COLUMN}', id="mysql-set"
    ),
]


@pytest.mark.parametrize(("dialect", "upgrade"), AL422_QUIET)
def test_al422_quiet(dialect, upgrade):
    assert lines("AL422", upgrade, dialect=dialect) == []


def test_al422_message_hint_and_scope():
    found = check(
        "AL422",
        {"versions/x.py": revision(REV, None, upgrade=ADD_COLUMN)},
        settings=Settings(dialect="postgresql"),
    )
    assert [(d.line, d.message, d.hint) for d in found] == [
        (
            21,
            "`op.add_column` waits for an ACCESS EXCLUSIVE lock on `users` with no "
            "`lock_timeout`: while it waits behind a long transaction, every query on `users` "
            "queues behind it",
            "set it once in env.py: `connection.execute(sa.text(\"SET lock_timeout = '5s'\"))` "
            "before `context.run_migrations()`",
        )
    ]
    mysql = run("AL422", ADD_COLUMN, dialect="mysql")
    assert "waits for the metadata lock on `users` with no `lock_wait_timeout`" in mysql[0][1]
    assert lines("AL422", "pass", downgrade=ADD_COLUMN) == []
    assert lines("AL422", "pass", downgrade=ADD_COLUMN, lint_downgrade=True) == [5]
    assert lines("AL422", ADD_COLUMN, dialect="sqlite") == []


ENV_SETS = [
    pytest.param(
        "postgresql",
        "def run():\n    connection.execute(text(\"SET lock_timeout = '5s'\"))\n",
        id="execute",
    ),
    pytest.param(
        "postgresql",
        'engine = create_engine(url, connect_args={"options": "-c lock_timeout=5000"})\n',
        id="connect-args",
    ),
    pytest.param("mysql", 'SETUP = f"SET SESSION lock_wait_timeout = {N}"\n', id="mysql-f-string"),
    pytest.param("postgresql", '"""unterminated\nSET lock_timeout = 1\n', id="unreadable-env"),
]


@pytest.mark.parametrize(("dialect", "env"), ENV_SETS)
def test_al422_quiet_when_env_py_sets_it(tmp_path, dialect, env):
    (tmp_path / "env.py").write_text(env)
    project = Project(None, str(tmp_path), (str(tmp_path / "versions"),), False, "%(rev)s")
    assert lines("AL422", ADD_COLUMN, dialect=dialect, project=project) == []


def test_al422_env_py_comments_other_settings_and_changes(tmp_path):
    env = tmp_path / "env.py"
    env.write_text("# TODO: SET lock_timeout\nSETUP = 'SET innodb_lock_wait_timeout = 5'\n")
    project = Project(None, str(tmp_path), (str(tmp_path / "versions"),), False, "%(rev)s")
    assert lines("AL422", ADD_COLUMN, project=project) == [1]
    assert lines("AL422", ADD_COLUMN, dialect="mysql", project=project) == [1]
    env.write_text("SETUP = 'SET lock_timeout = 5000'\n# more\n")
    assert lines("AL422", ADD_COLUMN, project=project) == []
    env.unlink()
    env.mkdir()  # an env.py that cannot be read sets nothing
    assert lines("AL422", ADD_COLUMN, project=project) == [1]


def test_al422_quiet_when_the_url_sets_it():
    url = "postgresql://db/app?options=-c%20lock_timeout%3D5s"
    project = PROJECT._replace(url=url)
    assert lines("AL422", ADD_COLUMN, project=project) == []
    assert lines("AL422", ADD_COLUMN, project=PROJECT._replace(url="postgresql://db/app")) == [1]


# --- through the CLI -----------------------------------------------------------------------------

CLI_UPGRADE = """
op.add_column("posts", sa.Column("slug", sa.String()))
op.execute("UPDATE posts SET slug = lower(title)")
op.execute("ALTER TYPE status ADD VALUE 'archived'")
op.execute("UPDATE posts SET status = 'archived' WHERE deleted")
with op.get_context().autocommit_block():
    op.create_index("ix_posts_slug", "posts", ["slug"], postgresql_concurrently=True)
op.execute("ALTER TYPE kind RENAME VALUE 'a' TO 'b'")
"""


def test_cli_on_a_project(tmp_path, monkeypatch, capsys):
    from alembic_lint.cli import main

    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n"
        "sqlalchemy.url = postgresql+psycopg://db/app\n"
    )
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text("raise SystemExit('env.py must never run')\n")
    downgrade = 'n = op.get_bind().execute(sa.text("SELECT count(*) FROM posts")).scalar()'
    (versions / f"{REV}_posts.py").write_text(
        revision(REV, None, message="posts slug", upgrade=_dedent(CLI_UPGRADE), downgrade=downgrade)
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "AL4", "--extend-select", "AL422"]) == 1
    out = capsys.readouterr().out
    path = f"migrations/versions/{REV}_posts.py"
    found = [" ".join(line.split()[:2]) for line in out.splitlines() if line.startswith(path)]
    assert found == [
        f"{path}:21:5: AL422",
        f"{path}:22:5: AL415",
        f"{path}:23:5: AL416",
        f"{path}:26:9: AL419",
        f"{path}:27:5: AL417",
        f"{path}:31:9: AL406",
    ]
    assert out.endswith("Found 6 findings in 1 file (1 file checked).\n")


# --- shared helpers ------------------------------------------------------------------------------


def test_ancestors_in_order_on_a_diamond_with_a_dangling_parent():
    _, graph = history(
        {
            "versions/a.py": revision("a", None),
            "versions/b.py": revision("b", "a"),
            "versions/c.py": revision("c", ("a", "gone")),
            "versions/d.py": revision("d", ("b", "c")),
        }
    )
    ctx = rules.Context(graph, DEFAULT_SETTINGS, PROJECT, {}, frozenset())
    order = [str(s.revision) for s in common.ancestors_in_order(ctx, graph.revisions["d"])]
    assert sorted(order) == ["a", "b", "c"]
    assert order[0] == "a"
    no_id = parse(revision("x", None).replace("revision: str = 'x'", "revision = REV"))
    assert no_id.revision is None
    assert common.ancestors_in_order(ctx, no_id) == []


@pytest.mark.parametrize(
    ("expr", "values"),
    [
        (Call("sa.Enum", (Lit("a"), Lit("b")), (("name", Lit("s")),)), ("a", "b")),
        (Call("mysql.SET", (Lit("a"),), ()), ("a",)),
        (Call("sa.Enum", (Ref("Status"),), ()), None),
        (Call("sa.Enum", (), ()), None),
        (Call("sa.String", (Lit(20),), ()), None),
        (Unknown("t"), None),
        (None, None),
    ],
)
def test_enum_values(expr, values):
    assert common.enum_values(expr) == values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("enum('a', 'b')", ("a", "b")),
        ("set('x')", ("x",)),
        (r"enum('it''s', 'a\'b')", ("it's", "a'b")),
        ("varchar(20)", None),
        ("enum", None),
        ("", None),
    ],
)
def test_sql_enum_values(text, values):
    assert common.sql_enum_values(text) == values


def test_statement_locks():
    (alter,) = parse_sql("ALTER TABLE t VALIDATE CONSTRAINT c, ADD COLUMN a int")
    assert common.statement_locks(alter, mysql=False) == (common.Lock("t", "ACCESS EXCLUSIVE"),)
    assert common.statement_locks(alter, mysql=True) == (common.Lock("t", "metadata"),)
    (concurrent,) = parse_sql("CREATE INDEX CONCURRENTLY ix ON t (a)")
    (other,) = parse_sql("SELECT 1")
    assert common.statement_locks(concurrent, mysql=False) == ()
    assert common.statement_locks(other, mysql=False) == ()
    assert common.Lock("t", "SHARE").phrase == "a SHARE lock"
    assert not common.Lock("t", "SHARE").blocks_reads
