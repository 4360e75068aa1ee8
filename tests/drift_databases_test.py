"""The disposable databases of a drift run, on SQLite, the embedded PostgreSQL and the real
PostgreSQL and MariaDB servers: what a pool creates, restores, sweeps and leaves behind (nothing).

Databases that a test creates on the servers are named `t_<random>`, except the ones that must
look like a drift run's (`alembic_lint_<hostid>_<pid>_<random>`) so that the sweep sees them;
every test drops what it created.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from alembic_lint.diagnostics import UsageError
from alembic_lint.drift import databases
from alembic_lint.drift.cache import KEEP, Chain
from alembic_lint.drift.databases import CacheSpec, pool
from tests.drift_test import MARIADB_URL, PG_URL, _server

ROOT = Path(__file__).resolve().parent.parent
WANTED = Chain("env", {"a1": "digest-a1"})


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def _admin(url: str) -> sa.Engine:
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


def _databases(url: str) -> set[str]:
    engine = _admin(url)
    if engine.dialect.name == "postgresql":
        query = "SELECT datname FROM pg_database"
    else:
        query = "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"
    with engine.connect() as conn:
        found = {name for (name,) in conn.execute(sa.text(query))}
    engine.dispose()
    return found


def _run(url: str, *statements: str) -> None:
    engine = _admin(url)
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


def _scalar(url: str, statement: str, **params):
    engine = _admin(url)
    with engine.connect() as conn:
        value = conn.execute(sa.text(statement), params).scalar()
    engine.dispose()
    return value


def _templates_of(url: str, key: str) -> list[str]:
    engine = _admin(url)
    with engine.connect() as conn:
        names = [name for name, _ in databases._template_list(conn, key)]
    engine.dispose()
    return names


def _stale_name(pid: int, host: str = databases.HOSTID) -> str:
    return f"alembic_lint_{host}_{pid}_{secrets.token_hex(4)}"


# -- names, errors, signals ------------------------------------------------------------------


def test_names_say_whose_they_are():
    name = databases.owned_name()
    assert name.startswith(f"alembic_lint_{databases.HOSTID}_{os.getpid()}_")
    assert len(name) <= 63
    assert not name.startswith(databases.TEMPLATE_PREFIX)
    assert databases.gone_owner(name) is None  # this process is alive
    dead = _dead_pid()
    assert databases.gone_owner(_stale_name(dead)) == dead
    other_host = "0" * 6 if databases.HOSTID != "0" * 6 else "1" * 6
    assert databases.gone_owner(_stale_name(dead, other_host)) is None
    assert databases.gone_owner("alembic_lint_cache_0123456789abcdef") is None
    assert databases.gone_owner("alembic_lint_0123456789ab") is None  # an older run's name


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param(
            'extension "postgis" is not available\nDETAIL:  Could not open extension control '
            'file "/usr/share/postgresql/18/extension/postgis.control": No such file or directory.',
            "postgis",
            id="postgres-15-and-later",
        ),
        pytest.param(
            'could not open extension control file "/usr/share/postgresql/13/extension/'
            'pg_trgm.control": No such file or directory',
            "pg_trgm",
            id="older-postgres",
        ),
        pytest.param('relation "users" does not exist', None, id="another-error"),
    ],
)
def test_missing_extension_names_it(message, expected):
    assert databases.missing_extension(Exception(message)) == expected


def test_sigterm_and_sighup_become_keyboard_interrupts():
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        with pytest.raises(KeyboardInterrupt, match=signal.Signals(signum).name):
            with databases.signals_as_interrupt():
                os.kill(os.getpid(), signum)
                time.sleep(5)  # the handler raises before this ends
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == before

    seen: list[object] = []

    def elsewhere():
        with databases.signals_as_interrupt():
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert seen == [before[0]]  # only the main thread may set handlers


def test_unknown_kinds():
    with pytest.raises(UsageError, match="--db must be sqlite or postgres, not `oracle`"):
        with pool("oracle", url=None, note=print, cache=None):
            pass  # pragma: no cover - never entered
    with pytest.raises(UsageError, match="needs a URL"):
        with pool("server", url=None, note=print, cache=None):
            pass  # pragma: no cover - never entered


# -- SQLite ----------------------------------------------------------------------------------


def _touch_sqlite(url: str, table: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} (id INTEGER)"))
    engine.dispose()


def test_sqlite_pool(tmp_path):
    cache = CacheSpec(str(tmp_path / "cache"), "project", WANTED)
    with pool("sqlite", url=None, note=print, cache=cache) as found:
        assert found.dialect == "sqlite"
        main = found.get("")
        assert found.get("") is main
        assert main.held == frozenset()
        other = found.get("second")
        assert other.url != main.url and found.get("second") is other
        _touch_sqlite(main.url, "kept")
        main.keep()
        scratch = Path(main.url.removeprefix("sqlite:///")).parent
    assert not scratch.exists()
    with pool("sqlite", url=None, note=print, cache=cache) as found:
        main = found.get("")
        assert main.held == {"a1"}
        found.evict()
        found.evict()  # nothing left to evict
    assert not list((tmp_path / "cache" / "project").glob("*.sqlite"))
    with pool("sqlite", url=None, note=print, cache=cache) as found:
        assert found.get("").held == frozenset()
    with pool("sqlite", url=None, note=print, cache=None) as found:
        assert found.get("").held == frozenset()
        found.evict()


# -- PostgreSQL and MariaDB servers -----------------------------------------------------------


@pytest.fixture(params=["postgres", "mariadb"])
def server(request) -> str:
    return _server(PG_URL if request.param == "postgres" else MARIADB_URL)


def test_server_pool_creates_names_and_drops(server):
    notes: list[str] = []
    with pool("server", url=server, note=notes.append, cache=None) as found:
        assert found.dialect in ("postgresql", "mysql")
        main, second = found.get(""), found.get("second")
        assert found.get("second") is second and main.url != second.url
        names = {sa.make_url(b.url).database for b in (main, second)}
        assert all(databases.gone_owner(name) is None for name in names)
        assert names <= _databases(server)
        main.keep()  # no cache: nothing to keep
        found.evict()
        lingering = sa.create_engine(main.url)  # a pooled engine env.py left open
        with lingering.connect() as conn:
            conn.execute(sa.text("CREATE TABLE t (id INTEGER)"))
            conn.commit()
            with pool("server", url=server, note=notes.append, cache=None) as nested:
                nested.get("")  # another run meanwhile leaves this one's databases alone
            assert names <= _databases(server)
    lingering.dispose()  # its connection was closed by the server, as drift ended it
    assert not names & _databases(server)
    assert notes == []


def test_the_sweep_drops_only_databases_of_gone_runs(server):
    dead = _dead_pid()
    stale, live, foreign = (
        _stale_name(dead),
        _stale_name(os.getpid()),
        _stale_name(dead, "f" * 6 if databases.HOSTID != "f" * 6 else "e" * 6),
    )
    _run(server, *(f"CREATE DATABASE {name}" for name in (stale, live, foreign)))
    notes: list[str] = []
    try:
        with pool("server", url=server, note=notes.append, cache=None):
            pass
        assert notes == [
            f"dropped database `{stale}`, left behind by drift run {dead}, which is gone"
        ]
        assert {live, foreign} <= _databases(server)
        assert stale not in _databases(server)
    finally:
        _run(server, *(f"DROP DATABASE IF EXISTS {name}" for name in (stale, live, foreign)))


def test_a_stale_database_that_cannot_be_dropped_is_skipped():
    url = _server(PG_URL)
    stale = _stale_name(_dead_pid())
    _run(url, f"CREATE DATABASE {stale} IS_TEMPLATE true")  # PostgreSQL refuses to drop it
    notes: list[str] = []
    try:
        with pool("server", url=url, note=notes.append, cache=None):
            pass
        assert notes == []
        assert stale in _databases(url)
    finally:
        _run(url, f"ALTER DATABASE {stale} IS_TEMPLATE false", f"DROP DATABASE {stale}")


def test_a_database_that_cannot_be_dropped_is_noted():
    url = _server(PG_URL)
    notes: list[str] = []
    with pool("server", url=url, note=notes.append, cache=None) as found:
        name = sa.make_url(found.get("").url).database
        _run(url, f"ALTER DATABASE {name} IS_TEMPLATE true")
    try:
        assert notes == [f"could not drop database `{name}`: cannot drop a template database"]
    finally:
        _run(url, f"ALTER DATABASE {name} IS_TEMPLATE false", f"DROP DATABASE {name}")


def _role_exists(url: str, role: str) -> bool:
    return bool(_scalar(url, "SELECT count(*) FROM pg_roles WHERE rolname = :r", r=role))


def test_roles_a_migration_creates_are_dropped(tmp_path):
    url = _server(PG_URL)
    mine, theirs = f"t_{secrets.token_hex(4)}", f"t_{secrets.token_hex(4)}"
    cache = CacheSpec(str(tmp_path), f"roles-{secrets.token_hex(4)}", WANTED)
    table = f"t_{secrets.token_hex(4)}"
    try:
        with pool("server", url=url, note=print, cache=cache) as found:
            main = found.get("")
            _run(main.url, f"CREATE ROLE {mine}", f"CREATE TABLE owned (id int)")
            _run(main.url, f"ALTER TABLE owned OWNER TO {mine}")
            # a role that owns something in a database of someone else's is not this run's
            _run(url, f"CREATE ROLE {theirs}", f"CREATE TABLE {table} (id int)")
            _run(url, f"ALTER TABLE {table} OWNER TO {theirs}")
            main.keep()
            assert _templates_of(url, cache.key) == []  # roles: no template
        assert not _role_exists(url, mine)
        assert _role_exists(url, theirs)
    finally:
        _run(url, f"DROP TABLE IF EXISTS {table}", f"DROP ROLE IF EXISTS {theirs}")
        _run(url, f"DROP ROLE IF EXISTS {mine}")


def test_templates_restore_retry_and_evict(tmp_path):
    url = _server(PG_URL)
    cache = CacheSpec(str(tmp_path), f"templates-{secrets.token_hex(4)}", WANTED)
    try:
        with pool("server", url=url, note=print, cache=cache) as found:
            main = found.get("")
            assert main.held == frozenset()
            _run(main.url, "CREATE TABLE kept (id int)")
            main.keep()
            found.get("second").keep()  # only the main database is kept
        [template] = _templates_of(url, cache.key)
        with pool("server", url=url, note=print, cache=cache) as found:
            main = found.get("")
            assert main.held == {"a1"}
            assert _scalar(main.url, "SELECT count(*) FROM kept") == 0
        blocker = sa.create_engine(
            sa.make_url(url).set(database=template), poolclass=sa.pool.NullPool
        )
        with blocker.connect():  # someone is using the template: retried, then no template
            with pool("server", url=url, note=print, cache=cache) as found:
                assert found.get("").held == frozenset()
                found.evict()  # nothing was restored
        blocker.dispose()
        assert _templates_of(url, cache.key) == [template]
        with pool("server", url=url, note=print, cache=cache) as found:
            assert found.get("").held == {"a1"}
            found.evict()
        assert _templates_of(url, cache.key) == []
    finally:
        _run(url, *(f"DROP DATABASE IF EXISTS {t}" for t in _templates_of(url, cache.key)))


def test_mariadb_has_no_templates(tmp_path):
    url = _server(MARIADB_URL)
    cache = CacheSpec(str(tmp_path), f"maria-{secrets.token_hex(4)}", WANTED)
    with pool("server", url=url, note=print, cache=cache) as found:
        main = found.get("")
        main.keep()
        found.evict()
    with pool("server", url=url, note=print, cache=cache) as found:
        assert found.get("").held == frozenset()


def test_mariadb_users_and_roles_a_migration_creates_are_dropped():
    url = _server(MARIADB_URL)
    user, role, theirs = (f"t_{secrets.token_hex(4)}" for _ in range(3))
    try:
        with pool("server", url=url, note=print, cache=None) as found:
            main = found.get("")
            name = sa.make_url(main.url).database
            _run(
                main.url,
                f"CREATE USER '{user}'@'%'",
                f"GRANT SELECT ON `{name}`.* TO '{user}'@'%'",
                f"CREATE ROLE {role}",
            )
            _run(url, f"CREATE USER '{theirs}'@'%'", f"GRANT SELECT ON test.* TO '{theirs}'@'%'")
        users = {u for (u,) in _rows(url, "SELECT User FROM mysql.user")}
        assert user not in users and role not in users
        assert theirs in users
    finally:
        _run(url, f"DROP USER IF EXISTS '{theirs}'@'%'", f"DROP USER IF EXISTS '{user}'@'%'")
        _run(url, f"DROP ROLE IF EXISTS {role}")


def _rows(url: str, statement: str) -> list[tuple]:
    engine = _admin(url)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(sa.text(statement))]
    engine.dispose()
    return rows


def test_runs_of_one_project_take_turns(server, tmp_path):
    key = f"turns-{secrets.token_hex(4)}"
    cache = CacheSpec(str(tmp_path), key, WANTED)
    engine = _admin(server)
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        conn.execute(sa.text("SELECT pg_advisory_lock(:n)"), {"n": number})
    else:
        name = "alembic_lint_" + hashlib.sha256(key.encode()).hexdigest()[:32]
        conn.execute(sa.text("SELECT GET_LOCK(:n, 0)"), {"n": name})
    threading.Timer(1.0, conn.close).start()  # the other run ends
    notes: list[str] = []
    try:
        with pool("server", url=server, note=notes.append, cache=cache) as found:
            found.get("")
        assert notes == ["waiting for another drift run of this project on this server"]
    finally:
        engine.dispose()
        if engine.dialect.name == "postgresql":
            _run(server, *(f"DROP DATABASE IF EXISTS {t}" for t in _templates_of(server, key)))


def test_without_create_database_privileges():
    url = _server(PG_URL)
    name = f"t_{secrets.token_hex(4)}"
    _run(url, f"CREATE ROLE {name} LOGIN NOCREATEDB", f"CREATE DATABASE {name} OWNER {name}")
    limited = f"postgresql+psycopg://{name}@127.0.0.1:5432/{name}"
    extra = f"t_{secrets.token_hex(4)}"
    notes: list[str] = []
    try:
        with pool("server", url=limited, note=notes.append, cache=None) as found:
            main = found.get("")
            assert main.url == limited
            _run(limited, "CREATE TABLE made (id int)")
            _run(url, f"CREATE ROLE {extra}")  # a role made meanwhile is dropped with what it owns
            with pytest.raises(UsageError, match="cannot create database `second`"):
                found.get("second")
        assert notes == [f"cannot create databases there; using the empty database `{name}`"]
        assert _scalar(limited, "SELECT count(*) FROM pg_tables WHERE tablename = 'made'") == 0
        _run(limited, "CREATE TABLE keep_me (id int)")
        with pytest.raises(UsageError, match="not empty; drift never touches a database"):
            with pool("server", url=limited, note=notes.append, cache=None) as found:
                found.get("")
    finally:
        _run(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"DROP ROLE IF EXISTS {name}")
        _run(url, f"DROP ROLE IF EXISTS {extra}")


def test_mariadb_without_create_database_privileges():
    url = _server(MARIADB_URL)
    name = f"t_{secrets.token_hex(4)}"
    _run(
        url,
        f"CREATE DATABASE {name}",
        f"CREATE USER '{name}'@'%'",
        f"GRANT ALL ON `{name}`.* TO '{name}'@'%'",
    )
    limited = f"mysql+pymysql://{name}@127.0.0.1:3306/{name}"
    notes: list[str] = []
    try:
        with pool("server", url=limited, note=notes.append, cache=None) as found:
            assert found.get("").url == limited
        assert notes == [f"cannot create databases there; using the empty database `{name}`"]
    finally:
        _run(url, f"DROP DATABASE IF EXISTS {name}", f"DROP USER IF EXISTS '{name}'@'%'")


def test_unreachable_server():
    with pytest.raises(UsageError, match="cannot connect to the database server"):
        with pool(
            "server", url="postgresql+psycopg://nobody@127.0.0.1:1/none", note=print, cache=None
        ):
            pass  # pragma: no cover - never entered
