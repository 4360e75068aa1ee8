"""The drift child end to end: env.py run as alembic runs it, engines redirected, the guard's
layers, and the facts the child reports (through ``drift()``, on real projects and databases).

Guard and redirect code runs in the child process; coverage follows it there (coverage's
``patch = subprocess, _exit``).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from alembic_lint.drift import DriftOptions
from tests.drift_test import PG_URL, _server, project, run, write_revision

__all__ = ["project"]  # the fixture

ENV_MARK = "from models import metadata\ntarget_metadata = metadata"


def inject(project: Path, code: str, *, where: str = "env") -> int:
    """Put ``code`` at module level of env.py (or models.py); the line number of its first line."""
    path = project / ("migrations/env.py" if where == "env" else "models.py")
    text = path.read_text()
    anchor = ENV_MARK if where == "env" else "metadata = sa.MetaData()"
    before = text[: text.index(anchor)]
    path.write_text(before + textwrap.dedent(code).strip() + "\n" + text[len(before) :])
    return before.count("\n") + 1


@pytest.fixture
def victim(tmp_path):
    path = tmp_path / "victim.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE precious (x INTEGER)")
    conn.execute("INSERT INTO precious VALUES (1), (2), (3)")
    conn.commit()
    conn.close()
    return path


def untouched(path: Path, before: bytes) -> bool:
    return path.read_bytes() == before


@pytest.mark.parametrize(
    "code",
    [
        "import sqlalchemy as sa\nsa.create_engine('sqlite:///{victim}').connect().close()",
        "import sqlalchemy as sa\nfrom sqlalchemy.engine import URL\n"
        "sa.create_engine(URL.create('sqlite', database='{victim}')).connect().close()",
        "import sqlalchemy as sa, sqlite3\n"
        "e = sa.create_engine('sqlite://', creator=lambda: sqlite3.connect('{victim}'))\n"
        "e.connect().close()",
        "import sqlalchemy as sa, sqlite3\nfrom sqlalchemy.pool import QueuePool\n"
        "e = sa.create_engine('sqlite://', pool=QueuePool(lambda: sqlite3.connect('{victim}')))\n"
        "e.connect().close()",
        "import sqlalchemy as sa\n"
        "sa.engine_from_config({{'db.url': 'sqlite:///{victim}'}}, prefix='db.').connect().close()",
        "import asyncio\nfrom sqlalchemy.ext.asyncio import create_async_engine\n"
        "async def go():\n    e = create_async_engine('sqlite+aiosqlite:///{victim}')\n"
        "    async with e.connect():\n        pass\n    await e.dispose()\nasyncio.run(go())",
    ],
    ids=["create_engine", "url-object", "creator", "pool", "engine_from_config", "async"],
)
def test_engines_are_redirected(project, victim, code):
    before = victim.read_bytes()
    inject(project, code.format(victim=victim))
    assert [d.code for d in run(project)] == ["AL901", "AL901"]
    assert untouched(victim, before)


@pytest.mark.parametrize(
    ("code", "what"),
    [
        ("import sqlite3\nsqlite3.connect('{victim}')", "sqlite3.connect("),
        ("import subprocess\nsubprocess.run(['true'])", "starting a child process"),
        ("import os\nos.system('true')", "starting a child process (os.system"),
        (
            "import socket\nsocket.create_connection(('127.0.0.1', 5432), timeout=1)",
            "a network connection to 127.0.0.1:5432",
        ),
        (
            "import socket\ns = socket.socket(socket.AF_UNIX)\n"
            "s.connect('/var/run/postgresql/.s.PGSQL.5432')",
            "the database server socket",
        ),
        ("import ctypes\nctypes.CDLL('libpq.so.5')", "loading the database client library"),
        (
            "import psycopg\npsycopg.connect('host=127.0.0.1 user=postgres dbname=test')",
            "a raw psycopg connection",
        ),
        (
            "import psycopg\npsycopg.Connection.connect('host=127.0.0.1 user=postgres dbname=test')",
            "a raw psycopg connection",
        ),
        (
            "import sqlalchemy as sa\nfrom sqlalchemy.engine.base import Engine\n"
            "import sqlalchemy.engine.create as c\n"
            "e = c.create_engine.__wrapped__('sqlite:///{victim}')\ne.connect()",
            "a SQLAlchemy engine tried to connect to sqlite/",
        ),
        (
            "import sqlite3\ntry:\n    sqlite3.connect('{victim}')\nexcept Exception:\n    pass",
            "sqlite3.connect(",
        ),
    ],
    ids=[
        "sqlite3",
        "subprocess",
        "os.system",
        "tcp",
        "unix-socket",
        "ctypes",
        "psycopg",
        "psycopg-classmethod",
        "unredirected-engine",
        "swallowed",
    ],
)
def test_everything_else_is_stopped_at_its_line(project, victim, code, what):
    before = victim.read_bytes()
    line = inject(project, code.format(victim=victim))
    [found] = run(project)
    assert found.code == "AL905"
    assert what in found.message
    assert found.path == "migrations/env.py"
    assert line <= found.line <= line + code.count("\n")
    assert untouched(victim, before)


def test_attach_in_a_migration_is_refused(project, victim):
    before = victim.read_bytes()
    path = write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        f"""
def upgrade() -> None:
    op.execute("ATTACH DATABASE '{victim}' AS v")
    op.execute("INSERT INTO v.precious VALUES (4)")


def downgrade() -> None:
    pass
""",
    )
    [found] = run(project)
    assert found.code == "AL905"
    assert found.message.startswith(f"ATTACH DATABASE '{victim}' was stopped")
    assert found.path == "migrations/versions/5d2e8a41c07f_step.py"
    assert path.read_text().splitlines()[found.line - 1].strip().startswith('op.execute("ATTACH')
    assert untouched(victim, before)


def test_threads_and_atexit_never_run_after_the_run(project, victim):
    before = victim.read_bytes()
    inject(
        project,
        f"""
        import atexit, sqlite3, threading, time
        atexit.register(lambda: sqlite3.connect({str(victim)!r}).execute("DELETE FROM precious"))
        def later():
            time.sleep(2)
            sqlite3.connect({str(victim)!r}).execute("DELETE FROM precious")
        threading.Thread(target=later, daemon=False).start()
        """,
    )
    assert [d.code for d in run(project)] == ["AL901", "AL901"]
    assert untouched(victim, before)


def test_env_py_runs_where_alembic_runs_it(project, tmp_path, monkeypatch):
    """From another directory: the ini's directory is the working directory, fileConfig gets the
    real file name, and the project root is importable without PYTHONPATH."""
    (project / "settings.py").write_text("URL = 'sqlite:///./app.db'\n")
    inject(
        project,
        """
        import os
        assert config.config_file_name.endswith("alembic.ini"), config.config_file_name
        assert os.getcwd() == os.path.dirname(os.path.abspath(config.config_file_name))
        import settings
        config.set_main_option("sqlalchemy.url", settings.URL)
        """,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    found = run(project)
    assert [d.code for d in found] == ["AL901", "AL901"]
    assert not (project / "app.db").exists()


def test_env_py_errors_name_the_line_and_the_exception(project, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    line = inject(project, "import os\nURL = os.environ['DATABASE_URL']")
    [found] = run(project)
    assert (found.code, found.path, found.line) == ("AL905", "migrations/env.py", line + 1)
    assert found.message == "env.py cannot be run: KeyError: 'DATABASE_URL'"
    assert "set the settings env.py needs" in (found.hint or "")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///ignored.db")
    inject(project, "config.set_main_option('sqlalchemy.url', URL)")
    assert [d.code for d in run(project)] == ["AL901", "AL901"]


def test_models_errors_point_at_the_models(project):
    line = inject(project, "raise RuntimeError('models are broken')", where="models")
    [found] = run(project)
    assert (found.code, found.path, found.line) == ("AL905", "models.py", line)
    assert found.message == "env.py cannot be run: RuntimeError: models are broken"


def test_a_process_that_ends_itself(project, capsys):
    env = project / "migrations" / "env.py"
    original = env.read_text()
    inject(project, "import os\nos._exit(7)")
    [found] = run(project)
    assert found.code == "AL905"
    assert found.message == "env.py ended the drift process before it finished (exit status 7)"
    env.write_text(original)
    inject(project, "import sys\nsys.exit(3)")
    [found] = run(project)
    assert found.message == "env.py cannot be run: SystemExit: 3"


def test_debug_shows_the_output_and_the_traceback(project):
    inject(project, "print('hello from env.py')\nraise ValueError('boom')")
    notes: list[str] = []
    [found] = run(project, DriftOptions(debug=True), note=notes.append)
    assert found.message == "env.py cannot be run: ValueError: boom"
    assert "hello from env.py" in notes[0]
    assert notes[1].startswith("Traceback") and "ValueError: boom" in notes[1]


def test_nothing_reaches_stdout_in_json(project, capfd):
    inject(project, "print('chatter on stdout')")
    from alembic_lint.cli import main

    assert main(["drift", "--format", "json", "--no-cache"]) == 1
    out = capfd.readouterr().out
    import json

    assert [item["code"] for item in json.loads(out)] == ["AL901", "AL901"]


def test_sqlite_limits_are_told_apart(project):
    write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        """
def upgrade() -> None:
    op.create_unique_constraint("uq_users_email", "users", ["email"])


def downgrade() -> None:
    op.drop_constraint("uq_users_email", "users")
""",
    )
    [found] = run(project)
    assert found.code == "AL902"
    assert "because SQLite cannot do it" in found.message
    assert "--db postgres" in (found.hint or "")


def test_a_history_that_cannot_start_from_empty(project):
    write_revision(
        project,
        "7c1e9d0b4a52",
        None,
        """
def upgrade() -> None:
    op.add_column("users", sa.Column("email", sa.String(100)))


def downgrade() -> None:
    op.drop_column("users", "email")
""",
    )
    [found] = run(project)
    assert found.code == "AL902"
    assert found.message.startswith("the migrations cannot build a database from empty")
    assert "create_all()" in (found.hint or "")


def test_a_missing_extension_is_named(project):
    write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        """
def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS no_such_extension")


def downgrade() -> None:
    pass
""",
    )
    [found] = run(project, DriftOptions(db="postgres"))
    assert found.code == "AL902"
    assert "needs the PostgreSQL extension `no_such_extension`" in found.message


def test_the_project_chooses_its_kind_of_database(project):
    ini = project / "alembic.ini"
    text = ini.read_text()
    env = project / "migrations" / "env.py"
    original = env.read_text()
    ini.write_text(
        text.replace("driver://user:pass@localhost/dbname", "postgresql://app@db.example.com/app")
    )
    inject(
        project,
        "import sqlalchemy as sa\nassert context.config.get_main_option('sqlalchemy.url').startswith('postgresql://app@')",
    )
    write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        """
def upgrade() -> None:
    op.execute("SELECT pg_catalog.version()")


def downgrade() -> None:
    pass
""",
    )
    assert [d.code for d in run(project)] == ["AL901", "AL901"]
    env.write_text(original)
    ini.write_text(
        text.replace("driver://user:pass@localhost/dbname", "mysql+pymysql://app@db/app")
    )
    with pytest.raises(Exception, match="which has no embedded server: pass --url"):
        run(project)


def test_a_mariadb_account_sees_only_its_database(project):
    url = _server("mysql+pymysql://root@127.0.0.1:3306/test")
    write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        """
def upgrade() -> None:
    op.create_table("intruder", sa.Column("id", sa.Integer), schema="test")


def downgrade() -> None:
    pass
""",
    )
    [found] = run(project, DriftOptions(url=url))
    assert found.code == "AL902"
    assert "denied" in found.message
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert "intruder" not in sa.inspect(conn).get_table_names()
        users = conn.execute(
            sa.text("SELECT user FROM mysql.user WHERE user LIKE 'alembic_lint_%'")
        )
        assert users.fetchall() == []
    engine.dispose()


def test_dblink_is_refused_on_postgresql(project):
    url = _server(PG_URL)
    write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        """
def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS dblink")


def downgrade() -> None:
    pass
""",
    )
    for options in (DriftOptions(db="postgres"), DriftOptions(url=url)):
        [found] = run(project, options)
        assert found.code == "AL902"
        assert "refuses dblink and postgres_fdw" in found.message


def test_a_missing_async_driver(project, monkeypatch):
    ini = project / "alembic.ini"
    ini.write_text(
        ini.read_text().replace("driver://user:pass@localhost/dbname", "sqlite+aiosqlite:///x.db")
    )
    inject(
        project,
        """
        import sys
        sys.modules["aiosqlite"] = None
        from sqlalchemy.ext.asyncio import create_async_engine
        create_async_engine("sqlite+aiosqlite:///x.db")
        """,
    )
    [found] = run(project)
    assert found.code == "AL905"
    assert "aiosqlite" in found.message


def test_cache_is_keyed_on_what_the_run_read(project, tmp_path):
    options = DriftOptions(cache_dir=str(tmp_path / "cache"))
    (project / "extra.py").write_text("import sqlalchemy as sa\nCOLUMNS = []\n")
    models = project / "models.py"
    models.write_text(
        models.read_text().replace(
            "import sqlalchemy as sa", "import sqlalchemy as sa\nfrom extra import COLUMNS"
        )
    )
    models.write_text(models.read_text().replace('sa.Column("phone", sa.String(20)),', "*COLUMNS,"))
    assert [d.code for d in run(project, options)] == ["AL901"]
    assert [d.code for d in run(project, options)] == ["AL901"]  # from the result cache
    (project / "extra.py").write_text(
        "import sqlalchemy as sa\nCOLUMNS = [sa.Column('phone', sa.String(20))]\n"
    )
    assert [d.code for d in run(project, options)] == ["AL901", "AL901"]
    assert os.listdir(tmp_path / "cache")
    assert sys.modules.get("extra") is None


FLASK_APP = """
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(100))
    phone = db.Column(db.String(20))


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///production.db"
    db.init_app(app)
    Migrate(app, db)
    return app
"""


def test_flask_migrate_with_an_app_factory(tmp_path, monkeypatch):
    """`flask db init` + `flask db migrate` made the project; drift runs from its root, in the
    app's context, and never creates the app's own database."""
    import subprocess

    root = tmp_path / "flaskapp"
    root.mkdir()
    (root / "app.py").write_text(FLASK_APP.replace("    phone = db.Column(db.String(20))\n", ""))
    flask = str(Path(sys.executable).with_name("flask"))
    env = {**os.environ, "FLASK_APP": "app"}
    subprocess.run([flask, "db", "init"], cwd=root, env=env, check=True, capture_output=True)
    subprocess.run(
        [flask, "db", "migrate", "-m", "users"], cwd=root, env=env, check=True, capture_output=True
    )
    for leftover in (root / "instance").glob("*.db"):
        leftover.unlink()
    (root / "app.py").write_text(FLASK_APP)
    monkeypatch.chdir(root)
    monkeypatch.delenv("FLASK_APP", raising=False)
    from alembic_lint.config import Settings
    from alembic_lint.discover import Locator, find_project
    from alembic_lint.drift import drift

    found = drift(
        find_project(Locator(), cwd=root, environ={}), Settings(), DriftOptions(), cwd=str(root)
    )
    assert [(d.code, d.message) for d in found.diagnostics] == [
        ("AL901", 'table "user": column "phone" is in the models but no migration creates it')
    ]
    assert not list((root / "instance").glob("*.db"))


def test_accounts_without_the_rights_to_narrow(project):
    """An account that may create databases but not accounts (MariaDB) or event triggers
    (PostgreSQL): drift still runs, and says what it could not fence off."""
    mariadb = _server("mysql+pymysql://root@127.0.0.1:3306/test")
    pg = _server(PG_URL)
    admin_my = sa.create_engine(mariadb, isolation_level="AUTOCOMMIT")
    admin_pg = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin_my.connect() as conn:
        conn.execute(sa.text("DROP USER IF EXISTS 'drift_nogrant'@'%'"))
        conn.execute(sa.text("CREATE USER 'drift_nogrant'@'%'"))
        conn.execute(
            sa.text(
                "GRANT CREATE, DROP, ALTER, SELECT, INSERT, UPDATE, DELETE, INDEX, REFERENCES ON *.* TO 'drift_nogrant'@'%'"
            )
        )
    with admin_pg.connect() as conn:
        conn.execute(sa.text("DROP ROLE IF EXISTS drift_createdb"))
        conn.execute(sa.text("CREATE ROLE drift_createdb LOGIN CREATEDB"))
    try:
        for url, expected in (
            (
                "mysql+pymysql://drift_nogrant@127.0.0.1:3306/test",
                "cannot create a temporary account",
            ),
            (
                PG_URL.replace("postgres@", "drift_createdb@"),
                "cannot create an event trigger",
            ),
        ):
            notes: list[str] = []
            assert [d.code for d in run(project, DriftOptions(url=url), note=notes.append)] == [
                "AL901",
                "AL901",
            ]
            assert any(n.startswith(expected) for n in notes), notes
    finally:
        with admin_my.connect() as conn:
            conn.execute(sa.text("DROP USER IF EXISTS 'drift_nogrant'@'%'"))
        with admin_pg.connect() as conn:
            conn.execute(sa.text("DROP ROLE IF EXISTS drift_createdb"))
        admin_my.dispose()
        admin_pg.dispose()


def test_multiprocessing_cannot_start_an_unguarded_interpreter(project, victim):
    """spawn and forkserver start a fresh interpreter without an audit event of their own."""
    before = victim.read_bytes()
    path = project / "worker.py"
    path.write_text(
        "import sqlite3\n\n\ndef work(target):\n    sqlite3.connect(target).execute('DELETE FROM precious')\n"
    )
    inject(
        project,
        f"""
        import multiprocessing, worker
        process = multiprocessing.get_context("spawn").Process(target=worker.work, args=({str(victim)!r},))
        process.start()
        process.join()
        """,
    )
    [found] = run(project)
    assert found.code == "AL905"
    assert "starting a child process" in found.message
    assert untouched(victim, before)


def test_a_forked_process_is_stopped_and_reported(project, victim):
    before = victim.read_bytes()
    line = inject(
        project,
        f"""
        import os, sqlite3
        pid = os.fork()
        if pid == 0:
            sqlite3.connect({str(victim)!r}).execute("DELETE FROM precious")
            os._exit(0)
        os.waitpid(pid, 0)
        """,
    )
    [found] = run(project)
    assert (found.code, found.line) == ("AL905", line + 3)
    assert untouched(victim, before)


def test_a_thread_is_blamed_on_the_line_that_started_it(project, victim):
    line = inject(
        project,
        f"""
        import asyncio, aiosqlite
        async def go():
            async with aiosqlite.connect({str(victim)!r}):
                pass
        asyncio.run(go())
        """,
    )
    [found] = run(project)
    assert found.code == "AL905"
    assert line <= found.line <= line + 5


def test_a_relative_script_location_runs_from_where_it_resolves(tmp_path, monkeypatch):
    """mlflow's ini says ``script_location = pkg/migrations`` from the root of its tree: alembic
    is run from there, not from the ini's own directory."""
    from alembic import command
    from alembic.config import Config

    root = tmp_path / "tree"
    (root / "pkg").mkdir(parents=True)
    command.init(
        Config(str(root / "pkg" / "migrations" / "alembic.ini")), str(root / "pkg" / "migrations")
    )
    ini = root / "pkg" / "migrations" / "alembic.ini"
    ini.write_text(
        ini.read_text()
        .replace("script_location = %(here)s", "script_location = pkg/migrations")
        .replace("driver://user:pass@localhost/dbname", "sqlite://")
    )
    monkeypatch.chdir(root)
    from alembic_lint.config import Settings
    from alembic_lint.discover import Locator, find_project
    from alembic_lint.drift import drift

    project = find_project(Locator(config_files=[str(ini)]), cwd=root, environ={})
    write_revision(
        root / "pkg",
        "7c1e9d0b4a52",
        None,
        'def upgrade():\n    op.execute("SELECT 1")\n\n\ndef downgrade():\n    pass\n',
    )
    env = root / "pkg" / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "target_metadata = None", "import sqlalchemy as sa\ntarget_metadata = sa.MetaData()"
        )
    )
    found = drift(project, Settings(), DriftOptions(), cwd=str(root)).diagnostics
    assert found == []


def test_an_env_py_that_is_handed_its_connection(project):
    """pytest-alembic's and dagster's pattern: env.py uses ``config.attributes["connection"]``."""
    env = project / "migrations" / "env.py"
    env.write_text(
        textwrap.dedent(
            """
            from alembic import context
            from models import metadata

            config = context.config
            connection = config.attributes.get("connection")
            if connection is None:
                raise RuntimeError("no connection handed over")
            assert "connection" in config.attributes and config.attributes["connection"] is connection
            context.configure(connection=connection, target_metadata=metadata)
            with context.begin_transaction():
                context.run_migrations()
            """
        )
    )
    assert [d.code for d in run(project)] == ["AL901", "AL901"]


def test_a_failure_on_a_restored_database_runs_again_from_scratch(project, tmp_path):
    options = DriftOptions(cache_dir=str(tmp_path / "cache"))
    assert [d.code for d in run(project, options)] == ["AL901", "AL901"]
    write_revision(
        project,
        "5d2e8a41c07f",
        "7c1e9d0b4a52",
        'def upgrade() -> None:\n    op.drop_table("nowhere")\n\n\ndef downgrade() -> None:\n    pass\n',
    )
    steps: list[str] = []
    [found] = run(project, options, progress=steps.append)
    assert (found.code, found.revision) == ("AL902", "5d2e8a41c07f")
    # once on the restored copy (one step), then from scratch (both revisions)
    assert steps == [
        "upgrade 1 of 1: 5d2e8a41c07f",
        "upgrade 1 of 2: 7c1e9d0b4a52",
        "upgrade 2 of 2: 5d2e8a41c07f",
    ]


def test_an_env_hook_that_drops_the_revision_means_no_difference(project):
    env = project / "migrations" / "env.py"
    env.write_text(
        env.read_text().replace(
            "target_metadata=target_metadata",
            "target_metadata=target_metadata, process_revision_directives=lambda c, r, d: d.clear()",
        )
    )
    assert run(project) == []
