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
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from alembic_lint.diagnostics import UsageError
from alembic_lint.drift import databases
from alembic_lint.drift.cache import Chain
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
        with (
            pytest.raises(KeyboardInterrupt, match=signal.Signals(signum).name),
            databases.signals_as_interrupt(),
        ):
            os.kill(os.getpid(), signum)
            time.sleep(5)  # pragma: no cover - the handler raises before this runs
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
    with (
        pytest.raises(UsageError, match="--db must be sqlite or postgres, not `oracle`"),
        pool("oracle", url=None, note=print, cache=None),
    ):
        pass  # pragma: no cover - never entered
    with (
        pytest.raises(UsageError, match="needs a URL"),
        pool("server", url=None, note=print, cache=None),
    ):
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
        assert all(databases.gone_owner(str(name)) is None for name in names)
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
            _run(main.url, f"CREATE ROLE {mine}", "CREATE TABLE owned (id int)")
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
        # someone is using the template: retried, then no template
        with blocker.connect(), pool("server", url=url, note=print, cache=cache) as found:
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


def _rows(url: str, statement: str) -> list[tuple[object, ...]]:
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


def test_a_session_the_server_ends_is_one_line(tmp_path):
    url = _server(PG_URL)
    key = f"ended-{secrets.token_hex(4)}"
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    engine = _admin(url)
    holder = engine.connect()
    holder.execute(sa.text("SELECT pg_advisory_lock(:n)"), {"n": number})

    def end_the_waiter():
        while not _scalar(
            url,
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND objid = :o",
            o=number & 0xFFFFFFFF,
        ):
            time.sleep(0.05)
        # only the waiter: the holder's last query reads the same, and ending it would hand
        # the waiter the lock instead of ending its session
        _run(
            url,
            "SELECT pg_terminate_backend(pid) FROM pg_locks "
            f"WHERE NOT granted AND objid = {number & 0xFFFFFFFF}",
        )

    thread = threading.Thread(target=end_the_waiter)
    thread.start()
    try:
        with (
            pytest.raises(UsageError, match=r"^the database server failed: "),
            pool("server", url=url, note=print, cache=CacheSpec(str(tmp_path), key, WANTED)),
        ):
            pass  # pragma: no cover - never entered
    finally:
        thread.join()
        holder.close()
        engine.dispose()


def test_a_server_that_dies_mid_run_is_noted():
    notes: list[str] = []
    with pool("postgres", url=None, note=notes.append, cache=None) as found:
        main = found.get("")
        data = Path(_scalar(main.url, "SHOW data_directory"))
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGKILL)
        while databases._alive(postmaster):
            time.sleep(0.05)
    name = sa.make_url(main.url).database
    assert notes[0].startswith(f"could not drop database `{name}`: ")
    assert notes[1].startswith("could not clean up on the database server: ")
    assert len(notes) == 2


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
            _run(url, f"CREATE ROLE {extra}")  # this account may not drop it: no error
            with pytest.raises(UsageError, match="cannot create database `second`"):
                found.get("second")
        assert notes == [f"cannot create databases there; using the empty database `{name}`"]
        assert _scalar(limited, "SELECT count(*) FROM pg_tables WHERE tablename = 'made'") == 0
        assert _role_exists(url, extra)
        _run(limited, "CREATE TABLE keep_me (id int)")
        with (
            pytest.raises(UsageError, match="not empty; drift never touches a database"),
            pool("server", url=limited, note=notes.append, cache=None) as found,
        ):
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
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    with (
        pytest.raises(UsageError, match="cannot connect to the database server"),
        pool("server", url=unreachable, note=print, cache=None),
    ):
        pass  # pragma: no cover - never entered


# -- the embedded PostgreSQL, and its extension stand-ins --------------------------------------

DATA = [b"", b"abc", b"a" * 55, b"a" * 56, b"a" * 64, b"x" * 1000, "é ü".encode()]
ALGORITHMS = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]


def _check_extensions(url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:

        def run(sql, **params):
            return conn.execute(sa.text(sql), params).scalar()

        for ddl in (
            'CREATE EXTENSION "uuid-ossp"',
            'CREATE EXTENSION IF NOT EXISTS "uuid-ossp"',
            "CREATE SCHEMA crypto",
            "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA crypto",
        ):
            conn.execute(sa.text(ddl))
        for data in DATA:
            for algorithm in ALGORITHMS:
                expected = hashlib.new(algorithm, data).digest()
                got = run("SELECT crypto.digest(:d, :a)", d=data, a=algorithm.upper())
                assert bytes(got) == expected, (algorithm, data)
                for key in (b"", b"key", b"k" * 64, b"k" * 129):
                    got = run("SELECT crypto.hmac(:d, :k, :a)", d=data, k=key, a=algorithm)
                    assert bytes(got) == hmac.new(key, data, algorithm).digest(), (algorithm, key)
            text = data.decode()
            assert (
                bytes(run("SELECT crypto.digest(:t, 'sha1')", t=text))
                == hashlib.sha1(data).digest()
            )
            assert (
                bytes(run("SELECT crypto.hmac(:t, 'k', 'md5')", t=text))
                == hmac.new(b"k", data, "md5").digest()
            )
            for namespace in ("dns", "url", "oid", "x500"):
                ns = getattr(uuid, f"NAMESPACE_{namespace.upper()}")
                assert run(f"SELECT uuid_ns_{namespace}()") == ns
                assert run(
                    f"SELECT uuid_generate_v3(uuid_ns_{namespace}(), :t)", t=text
                ) == uuid.uuid3(ns, text)
                assert run(
                    f"SELECT uuid_generate_v5(uuid_ns_{namespace}(), :t)", t=text
                ) == uuid.uuid5(ns, text)
        assert run("SELECT uuid_nil()") == uuid.UUID(int=0)
        assert run("SELECT uuid_generate_v4()").version == 4
        assert run("SELECT crypto.gen_random_uuid()").version == 4
        for function in ("uuid_generate_v1", "uuid_generate_v1mc"):
            made = [run(f"SELECT {function}()") for _ in range(3)]
            assert len(set(made)) == 3
            for value in made:
                assert (value.version, value.variant) == (1, uuid.RFC_4122)
                assert value.node & (1 << 40)  # multicast bit: not a MAC address
                seconds = (value.time - 0x01B21DD213814000) / 1e7
                assert abs(seconds - time.time()) < 3600
        assert len(bytes(run("SELECT crypto.gen_random_bytes(1000)"))) == 1000
        assert run("SELECT crypto.gen_random_bytes(16)") != run(
            "SELECT crypto.gen_random_bytes(16)"
        )
    for sql, message in [
        (
            "SELECT crypto.digest('x', 'whirlpool')",
            'Cannot use "whirlpool": No such hash algorithm',
        ),
        ("SELECT crypto.gen_random_bytes(1025)", "Length not in range"),
        (
            "SELECT crypto.crypt('secret', crypto.gen_salt('bf'))",
            "gen_salt() is not covered by alembic-lint's pgcrypto stand-in; use --url with a real server",
        ),
        (
            "SELECT crypto.pgp_sym_encrypt('secret', 'key')",
            "pgp_sym_encrypt() is not covered by alembic-lint's pgcrypto stand-in",
        ),
    ]:
        with pytest.raises(sa.exc.DBAPIError) as raised, engine.connect() as conn:
            conn.execute(sa.text(sql))
        assert message in databases.first_line(raised.value)
    with pytest.raises(sa.exc.DBAPIError) as raised, engine.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION postgis"))
    assert databases.missing_extension(raised.value) == "postgis"
    engine.dispose()


def test_the_embedded_server_has_uuid_ossp_and_pgcrypto():
    with pool("postgres", url=None, note=print, cache=None) as found:
        assert found.dialect == "postgresql"
        _check_extensions(found.get("").url)
        second = found.get("second").url
        engine = sa.create_engine(second, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text('CREATE EXTENSION "uuid-ossp"'))
            made = conn.execute(sa.text("SELECT uuid_generate_v4()")).scalar_one()
            assert made.version == 4
        engine.dispose()


def test_the_cached_embedded_cluster_keeps_templates(tmp_path):
    cache = CacheSpec(str(tmp_path / "cache"), "embedded", WANTED)
    stale = Path(tempfile.gettempdir()) / f"alembic-lint-pg-{_dead_pid()}-left"
    stale.mkdir()
    notes: list[str] = []
    with pool("postgres", url=None, note=notes.append, cache=cache) as found:
        main = found.get("")
        assert main.held == frozenset()
        _run(
            main.url,
            'CREATE EXTENSION "uuid-ossp"',
            "CREATE TABLE kept (id uuid DEFAULT uuid_generate_v4())",
        )
        main.keep()
    assert f"removed the embedded PostgreSQL in `{stale}`" in "\n".join(notes)
    assert not stale.exists()
    with pool("postgres", url=None, note=notes.append, cache=cache) as found:
        main = found.get("")
        assert main.held == {"a1"}
        _run(
            main.url,
            "INSERT INTO kept DEFAULT VALUES",
            'CREATE EXTENSION IF NOT EXISTS "uuid-ossp"',
        )
    assert not (tmp_path / "cache" / "embedded-postgres" / "postmaster.pid").exists()  # stopped


def test_a_broken_cached_cluster_is_rebuilt(tmp_path):
    broken = tmp_path / "cache" / "embedded-postgres"
    (broken / "global").mkdir(parents=True)  # what an initdb that was killed halfway leaves
    (broken / "PG_VERSION").write_text("18\n")
    notes: list[str] = []
    cache = CacheSpec(str(tmp_path / "cache"), "broken", WANTED)
    with pool("postgres", url=None, note=notes.append, cache=cache) as found:
        assert _scalar(found.get("").url, "SELECT 1") == 1
    assert notes == [
        "the cached embedded PostgreSQL would not start (CalledProcessError); rebuilt it"
    ]


# -- signals, SIGKILL and concurrent runs, in real processes -------------------------------------

CHILD = """
import json, sys, time

import sqlalchemy as sa

from alembic_lint.drift import databases
from alembic_lint.drift.cache import Chain

kind, url, directory, key, mode = sys.argv[1:]
cache = databases.CacheSpec(directory, key, Chain("env", {"a1": "digest-a1"})) if directory else None
try:
    with databases.signals_as_interrupt(), databases.pool(
        kind, url=url or None, note=lambda line: print("note:", line, flush=True), cache=cache
    ) as found:
        main, other = found.get(""), found.get("second")
        engine = sa.create_engine(main.url, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE IF NOT EXISTS t (id int)"))
        engine.dispose()
        print(json.dumps([main.url, other.url]), flush=True)
        if mode == "hold":
            time.sleep(600)
        main.keep()
except KeyboardInterrupt:
    sys.exit(130)
"""


def _child(kind: str, url: str = "", directory: str = "", key: str = "", mode: str = "hold"):
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, url, directory, key, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _urls(child) -> list[str]:
    line = next((line for line in child.stdout if line.startswith("[")), None)
    assert line is not None, child.stderr.read()
    return [str(url) for url in json.loads(line)]


def _embedded_dirs(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"alembic-lint-pg-{pid}-*"))


@pytest.mark.parametrize(
    ("signum", "kind"),
    [
        pytest.param(signal.SIGTERM, "postgres-server", id="sigterm-postgres-server"),
        pytest.param(signal.SIGHUP, "mariadb", id="sighup-mariadb"),
        pytest.param(signal.SIGTERM, "embedded", id="sigterm-embedded"),
        pytest.param(signal.SIGHUP, "embedded", id="sighup-embedded"),
    ],
)
def test_sigterm_and_sighup_clean_up(signum, kind):
    url = (
        "" if kind == "embedded" else _server(PG_URL if kind == "postgres-server" else MARIADB_URL)
    )
    child = _child("postgres" if kind == "embedded" else "server", url)
    urls = _urls(child)
    if kind == "embedded":
        assert _embedded_dirs(child.pid)
    child.send_signal(signum)
    assert child.wait(60) == 130, child.stderr.read()
    child.stdout.close()
    child.stderr.close()
    if kind == "embedded":
        assert _embedded_dirs(child.pid) == []
    else:
        assert not {sa.make_url(u).database for u in urls} & _databases(url)


def test_after_sigkill_the_next_run_sweeps(tmp_path):
    url = _server(PG_URL)
    cache_dir = str(tmp_path / "cache")
    children = [
        _child("server", url),
        _child("postgres"),
        _child("postgres", directory=cache_dir, key="k"),
    ]
    names = [[sa.make_url(u).database for u in _urls(child)] for child in children]
    [left_dir] = _embedded_dirs(children[1].pid)
    for child in children:
        child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert set(names[0]) <= _databases(url)
    postmaster = int((left_dir / "data" / "postmaster.pid").read_text().split()[0])
    assert databases._alive(postmaster)  # the orphan server still runs

    notes: list[str] = []
    with pool("server", url=url, note=notes.append, cache=None):
        pass
    for name in names[0]:
        assert (
            f"dropped database `{name}`, left behind by drift run {children[0].pid}, which is gone"
            in notes
        )
    assert not set(names[0]) & _databases(url)

    notes.clear()
    with pool("postgres", url=None, note=notes.append, cache=None):
        pass
    assert (
        f"removed the embedded PostgreSQL in `{left_dir}`, left behind by drift run {children[1].pid}, which is gone"
        in notes
    )
    assert not left_dir.exists()
    assert not databases._alive(postmaster)

    notes.clear()
    cache = CacheSpec(cache_dir, "k", WANTED)
    with pool("postgres", url=None, note=notes.append, cache=cache) as found:
        left = _databases(found.get("").url)
    pid = children[2].pid
    assert (
        f"the cached embedded PostgreSQL was still held by gone drift runs ({pid}); released"
        in notes
    )
    for name in names[2]:
        assert f"dropped database `{name}`, left behind by drift run {pid}, which is gone" in notes
        assert name not in left
    assert not (Path(cache_dir) / "embedded-postgres" / "postmaster.pid").exists()  # stopped


@pytest.mark.parametrize("kind", ["postgres-server", "mariadb", "embedded"])
def test_concurrent_runs_neither_crash_nor_drop_each_other(kind, tmp_path):
    runs = 12
    url = (
        "" if kind == "embedded" else _server(PG_URL if kind == "postgres-server" else MARIADB_URL)
    )
    keys = [f"concurrent-{secrets.token_hex(4)}" for _ in range(2)]  # two projects
    children = [
        _child(
            "postgres" if kind == "embedded" else "server",
            url,
            str(tmp_path / "cache") if i < runs - 2 else "",  # and two runs without a cache
            keys[i % 2],
            mode="work",
        )
        for i in range(runs)
    ]
    try:
        outputs = [child.communicate(timeout=300) for child in children]
        for child, (_, err) in zip(children, outputs, strict=True):
            assert child.returncode == 0, err
            assert "Traceback" not in err
        if kind == "embedded":
            assert not (tmp_path / "cache" / "embedded-postgres" / "postmaster.pid").exists()
            return
        pids = {str(child.pid) for child in children}
        left = [
            name for name in _databases(url) if name.split("_")[3:4] and name.split("_")[3] in pids
        ]
        assert left == []
        if kind == "postgres-server":
            for key in keys:
                assert len(_templates_of(url, key)) == 1
    finally:
        if kind == "postgres-server":
            _run(
                url,
                *(f"DROP DATABASE IF EXISTS {t}" for key in keys for t in _templates_of(url, key)),
            )
