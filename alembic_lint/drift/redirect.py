"""Engine redirection, in the drift child: every engine the project creates lands on a disposable
database.

``create_engine`` (and with it ``engine_from_config``, ``create_async_engine`` and
``async_engine_from_config``, which call it) is replaced before any project code runs, so that
``from sqlalchemy import create_engine`` in env.py or the models gets the replacement too. The
URL the project asks for, whichever way it was built (alembic.ini, app settings, an environment
variable, a ``URL`` object), only says which *kind* of database it wants: drift asks the parent
for a disposable database of that kind, one per distinct database the project names (a multidb
env.py gets several), and keeps the project's driver where it is installed (an async engine keeps
an async driver). ``creator=``, ``async_creator=``, ``pool=`` and ``module=`` would connect
elsewhere, so they are dropped, as are ``connect_args`` that name a host, database or account.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any, NamedTuple

from alembic_lint.drift.guard import Guard

SENTINEL_URL = "sqlite://"
"""What ``sqlalchemy.url`` is set to when the configuration has none: no preference."""

_DROPPED_KWARGS = ("creator", "async_creator", "pool", "module")
_TARGET_ARGS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "dbname",
        "database",
        "db",
        "user",
        "username",
        "password",
        "passwd",
        "unix_socket",
        "unix_sock",
        "service",
        "dsn",
        "conninfo",
        "read_default_file",
    }
)

# (family, async) -> drivers in order of preference, with the module each needs
_DRIVERS: dict[tuple[str, bool], tuple[tuple[str, str], ...]] = {
    ("postgresql", False): (("psycopg", "psycopg"), ("psycopg2", "psycopg2"), ("pg8000", "pg8000")),
    ("postgresql", True): (
        ("asyncpg", "asyncpg"),
        ("psycopg", "psycopg"),
        ("psycopg_async", "psycopg"),
    ),
    ("sqlite", False): (("pysqlite", "sqlite3"),),
    ("sqlite", True): (("aiosqlite", "aiosqlite"),),
    ("mysql", False): (
        ("pymysql", "pymysql"),
        ("mysqldb", "MySQLdb"),
        ("mariadbconnector", "mariadb"),
        ("mysqlconnector", "mysql.connector"),
    ),
    ("mysql", True): (("aiomysql", "aiomysql"), ("asyncmy", "asyncmy")),
}


class Request(NamedTuple):
    """What the child asks the parent for: a database of ``dialect`` for the project's ``name``."""

    dialect: str | None
    """``postgresql``, ``sqlite``, ``mysql`` ...; None when the project's URL says nothing usable."""
    name: str
    """The project's database, without driver or password: one disposable database per name."""


class MissingDriver(Exception):
    """No installed driver can reach the disposable database the way the project asked."""


def family(dialect: str) -> str:
    return "mysql" if dialect == "mariadb" else dialect


def describe_url(url: Any) -> Request:
    """The request for a URL the project gave SQLAlchemy."""
    import sqlalchemy as sa

    text = url if isinstance(url, str) else None
    if text == SENTINEL_URL:
        return Request(None, "")
    try:
        parsed = sa.engine.make_url(url)
        backend = parsed.get_backend_name()
        parsed.get_dialect()
    except Exception:  # an unusable placeholder such as driver://user:pass@localhost/dbname
        # told apart by its text: the multidb template names two placeholders, two databases
        return Request(None, str(url))
    name = f"{backend}://{parsed.host or ''}:{parsed.port or ''}/{parsed.database or ''}"
    return Request(backend, name)


def wants_async(url: Any, kwargs: dict[str, Any]) -> bool:
    if kwargs.get("_is_async"):
        return True
    import sqlalchemy as sa

    try:
        return bool(getattr(sa.engine.make_url(url).get_dialect(), "is_async", False))
    except Exception:
        return False


def adapt(disposable: str, original: Any, *, is_async: bool) -> str:
    """The disposable database's URL with a driver that suits the caller: the project's own where
    it is installed and of the right kind, else the first installed one."""
    import sqlalchemy as sa

    target = sa.engine.make_url(disposable)
    fam = family(target.get_backend_name())
    candidates = _DRIVERS.get((fam, is_async), ())
    try:
        own = sa.engine.make_url(original)
        own_driver = own.get_driver_name() if family(own.get_backend_name()) == fam else None
    except Exception:
        own_driver = None
    ordered = sorted(candidates, key=lambda c: c[0] != own_driver)
    for driver, module in ordered:
        if _installed(module):
            return target.set(drivername=f"{fam}+{driver}").render_as_string(hide_password=False)
    wanted = " or ".join(module for _, module in candidates) or "a driver"
    kind = "an async" if is_async else "a"
    raise MissingDriver(
        f"the project asks for {kind} {fam} engine, and none of its drivers is installed: "
        f"pip install {wanted.split(' or ')[0]}"
    )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def clean_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in kwargs.items() if k not in _DROPPED_KWARGS}
    connect_args = cleaned.get("connect_args")
    if isinstance(connect_args, dict):
        cleaned["connect_args"] = {k: v for k, v in connect_args.items() if k not in _TARGET_ARGS}
    return cleaned


class Redirector:
    """Holds the mapping from the project's databases to disposable ones."""

    def __init__(self, guard: Guard, ask: Callable[[Request], str]) -> None:
        self.guard = guard
        self.ask = ask
        self.given: dict[str, str] = {}
        """Request name -> the disposable URL the parent gave."""
        self.urls: list[str] = []
        """Every URL an engine was actually created with, in order (the first is the main one)."""
        self._original: Any = None
        self._disposable: dict[str, str] = {}

    def target(self, url: Any, kwargs: dict[str, Any]) -> str:
        request = describe_url(url)
        if request.name in self._disposable:  # already one of ours (env.py passing it back)
            given = self._disposable[request.name]
        else:
            if request.name not in self.given:
                self.given[request.name] = self.ask(request)
                self._disposable[describe_url(self.given[request.name]).name] = self.given[
                    request.name
                ]
            given = self.given[request.name]
        return adapt(given, url, is_async=wants_async(url, kwargs))

    def install(self) -> None:
        import sqlalchemy
        import sqlalchemy.engine
        import sqlalchemy.engine.create

        original = sqlalchemy.engine.create.create_engine
        self._original = original

        def create_engine(url: Any, **kwargs: Any) -> Any:
            redirected = self.target(url, kwargs)
            engine = original(redirected, **clean_kwargs(kwargs))
            dialect = engine.dialect
            cargs, cparams = dialect.create_connect_args(engine.url)
            self.guard.allow(dialect.name, cargs, cparams)
            self.urls.append(redirected)
            return engine

        create_engine.__doc__ = original.__doc__
        create_engine.__wrapped__ = original  # type: ignore[attr-defined]
        for module in (sqlalchemy, sqlalchemy.engine, sqlalchemy.engine.create):
            module.create_engine = create_engine  # type: ignore[attr-defined]

    def plain_engine(self, url: str) -> Any:
        """An engine of drift's own (the round trip's schema snapshots), not redirected."""
        import sqlalchemy as sa

        engine = self._original(url, poolclass=sa.pool.NullPool)
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        self.guard.allow(engine.dialect.name, cargs, cparams)
        return engine
