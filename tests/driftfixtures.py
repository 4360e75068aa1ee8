"""The drift fixture projects in ``fixtures/drift/``: their ``expected.json``, copies and scratch databases.

Each fixture is a project made with the real tools (``alembic init -t ...``, ``flask db init``, then
``alembic revision --autogenerate`` / ``flask db migrate``), with one column added to the models
after the last revision: the drift it plants. ``expected.json`` says how the project is run, how
to point it at a scratch database (``scratch``), which line is the planted drift (``planted``),
what ``alembic check`` reports (``alembic_check``) and what ``alembic-lint drift`` should report
(``drift``). See ``fixtures/drift/README.md``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DRIFT_FIXTURES = ROOT / "fixtures" / "drift"
NAMES = sorted(p.name for p in DRIFT_FIXTURES.iterdir() if (p / "expected.json").is_file())

PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres", "password": "postgres"}
# Variables through which a developer's shell could point a fixture at some other database.
FOREIGN_ENV = (
    "DATABASE_URL",
    "FLASK_APP",
    "ALEMBIC_CONFIG",
    "PYTHONPATH",
    "SQLALCHEMY_DATABASE_URI",
)


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DRIFT_FIXTURES / name / "expected.json").read_text())
    return data


def copy_fixture(name: str, parent: Path) -> Path:
    work = parent / name
    shutil.copytree(DRIFT_FIXTURES / name, work)
    return work


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """The test's environment without anything that names a database, plus ``extra``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in FOREIGN_ENV and not key.startswith("POSTGRES_")
    }
    env.update(extra)
    return env


def set_ini_url(ini: Path, section: str, key: str, url: str) -> None:
    """Replace ``key = ...`` in ``[section]`` of an ini file, keeping every other line."""
    lines = ini.read_text().splitlines(keepends=True)
    current = None
    for i, line in enumerate(lines):
        header = re.match(r"\[([^\]]+)\]\s*$", line)
        if header:
            current = header.group(1)
        elif current == section and re.match(rf"{re.escape(key)}\s*=", line):
            lines[i] = f"{key} = {url}\n"
            ini.write_text("".join(lines))
            return
    raise AssertionError(f"no {key} in [{section}] of {ini}")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty database ``t_<random>`` on the local server, dropped afterwards."""
    import psycopg

    name = f"t_{secrets.token_hex(6)}"
    dsn = f"host={PG['host']} port={PG['port']} user={PG['user']} dbname=test"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scratch_url(database: dict[str, str], where: str) -> str:
    """The SQLAlchemy URL of a scratch database: a SQLite file path or a PostgreSQL name."""
    if database["dialect"] == "sqlite":
        return f"sqlite+{database['driver']}:///{where}"
    user, password, host, port = PG["user"], PG["password"], PG["host"], PG["port"]
    return f"postgresql+{database['driver']}://{user}:{password}@{host}:{port}/{where}"


def alembic_versions(database: dict[str, str], where: str) -> list[str]:
    """The rows of ``alembic_version`` in a scratch database."""
    if database["dialect"] == "sqlite":
        import sqlite3

        with sqlite3.connect(where) as conn:
            return [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    import psycopg

    dsn = f"host={PG['host']} port={PG['port']} user={PG['user']} dbname={where}"
    with psycopg.connect(dsn) as conn:
        return [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]


def too_old(requires: dict[str, str]) -> str:
    """Why the installed alembic/SQLAlchemy cannot run a fixture ("" when they can)."""
    from importlib.metadata import version

    from packaging.version import Version

    for dist, floor in requires.items():
        have = version(dist)
        if Version(have) < Version(floor):
            return f"needs {dist} >= {floor}; {have} is installed"
    return ""


def scratch_value(value: str, database: dict[str, str], where: str) -> str:
    """One scratch setting: the whole URL, or one of its parts for settings classes."""
    if value == "url":
        return scratch_url(database, where)
    if value == "database":
        return where
    return PG[value]
