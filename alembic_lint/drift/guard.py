"""The connection guard: while drift runs, no engine may connect anywhere but the disposable database.

It is a SQLAlchemy ``do_connect`` listener on every engine, so it stops a connection *before* it
opens, whatever env.py does with the URL it is given (Flask-Migrate's env.py, for one, ignores it
and connects to the application's configured database).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

HOW_TO_FIX = (
    "make env.py use the connection in `config.attributes['connection']` or the URL in "
    "`sqlalchemy.url`, or set `target-metadata` in [tool.alembic-lint] to run without env.py"
)


class GuardError(Exception):
    """env.py tried to reach a database other than the disposable one."""


def identity(
    dialect_name: str, cargs: Sequence[Any], cparams: Mapping[str, Any]
) -> tuple[str, ...]:
    """What names a database, from the DBAPI connect arguments a dialect produces."""
    if dialect_name == "sqlite":
        path = str(cargs[0]) if cargs else str(cparams.get("database", ""))
        return ("sqlite", os.path.realpath(path) if path and path != ":memory:" else ":memory:")
    host = str(cparams.get("host") or cparams.get("unix_socket") or "localhost")
    port = str(cparams.get("port") or "")
    database = str(cparams.get("dbname") or cparams.get("database") or cparams.get("db") or "")
    return (dialect_name, host, port, database)


def _of_url(url: str) -> tuple[str, ...]:
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    dialect = parsed.get_dialect()()
    cargs, cparams = dialect.create_connect_args(parsed)
    return identity(dialect.name, cargs, cparams)


@contextlib.contextmanager
def only(url: str) -> Iterator[None]:
    """Refuse, for the duration, every connection that is not to the database ``url`` names."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    allowed = _of_url(url)

    def check(
        dialect: Any, conn_rec: Any, cargs: Sequence[Any], cparams: Mapping[str, Any]
    ) -> None:
        target = identity(dialect.name, cargs, cparams)
        if target != allowed:
            shown = "/".join(part for part in target if part)
            raise GuardError(f"env.py tried to connect to {shown}, not to the disposable database")

    event.listen(Engine, "do_connect", check)
    try:
        yield
    finally:
        event.remove(Engine, "do_connect", check)
