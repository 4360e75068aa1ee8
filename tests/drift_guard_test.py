"""The drift guard battery: ordinary project code that reaches a database drift did not create.

Each variant is a small real Alembic project (`alembic init`, a models.py, one revision) whose
env.py, models.py or migration tries one way to reach a *victim*: a SQLite file, a database on the
PostgreSQL server or one on MariaDB, each holding a table `precious` with three rows.

Two halves, one per variant and victim:
- `test_plain_alembic_touches_the_victim` runs the project with the plain `alembic upgrade heads`
  and asserts the victim changed. It proves each probe is real: a probe that does not reach its
  victim under alembic proves nothing about the guard.
- `test_drift_leaves_the_victim_untouched` runs `alembic-lint drift --format json` on the same
  project (with `--url` for the server victims, and `--db postgres` for some PostgreSQL ones) and
  asserts the victim is untouched and the outcome is the expected one:
  - "redirect": the run proceeds on the disposable database (exit 0 or 1, AL901 findings only);
  - "refuse": exit 1 with an AL905 whose `path` is the project file and `line` a line marked
    `# PROBE` there;
  - "either": one of the two (code that would run after the run: atexit, an unjoined thread;
    an Engine built by hand);
  - "fail": exit 1 with AL902 or AL905 (the server refuses names of another database, or the
    database server itself connects out).

Victims are named `victim_<hex>` on the servers, next to the project's own `t_<hex>` database
(its sqlalchemy.url for plain alembic runs); both are dropped afterwards. Under CI=true a server
that is down fails these tests, locally it skips them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import pytest
from alembic import command
from alembic.config import Config

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARIADB_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/test"
BIN = Path(sys.executable).parent
TOUCH = "DELETE FROM precious WHERE id = 1"
REVISION = "7c1e9d0b4a52"
REVISION_PATH = f"migrations/versions/{REVISION}_users.py"

MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(100), nullable=False),
)
"""

FLASK_MODELS = """\
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = @URL@
db = SQLAlchemy(app)  # PROBE


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(100), nullable=False)


metadata = db.metadata
"""

REVISION_TEXT = f'''"""users

Revision ID: {REVISION}
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = {REVISION!r}
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("users")
'''

GENERIC_ENGINE = """\
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
"""
ASYNC_ENGINE = GENERIC_ENGINE.replace("= engine_from_config", "= async_engine_from_config")


def _reachable(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:  # pragma: no cover - a server that is down
        if os.environ.get("CI") == "true":
            pytest.fail(f"{url} is not reachable under CI: {exc}")
        pytest.skip(f"{url} is not reachable: {exc.orig}")
    finally:
        engine.dispose()


# --- victims ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Victim:
    """A database holding `precious` rows, and what probes need to name it."""

    kind: str
    url: str
    own_url: str
    values: dict[str, object]
    code: dict[str, str]
    snapshot: Callable[[], object]
    drop: Callable[[], None]
    drift_modes: dict[str, list[str]]


def _sqlite_snapshot(path: Path) -> object:
    if not path.exists():
        return "absent"
    data = path.read_bytes()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        has_rows = any(name == "precious" for _, name, _ in tables)
        rows = db.execute("SELECT * FROM precious ORDER BY id").fetchall() if has_rows else None
    finally:
        db.close()
    return (hashlib.sha256(data).hexdigest(), tables, rows)


def _python_touch(connect: str) -> str:
    """A `python -c` program that connects with ``connect`` and deletes a precious row."""
    return f"db = {connect}\ndb.cursor().execute({TOUCH!r})\ndb.commit()\n"


def _sqlite_victim(tmp_path: Path, *, absent: bool) -> Victim:
    path = tmp_path / "victim.sqlite"
    if not absent:
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE precious (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        db.executemany("INSERT INTO precious VALUES (?, ?)", [(1, "a"), (2, "b"), (3, "c")])
        db.commit()
        db.close()
    connect = f"__import__('sqlite3').connect({str(path)!r})"
    child = _python_touch(connect)
    return Victim(
        kind="sqlite-new" if absent else "sqlite",
        url=f"sqlite:///{path}",
        own_url=f"sqlite:///{tmp_path / 'app' / 'dev.sqlite'}",
        values={
            "URL": f"sqlite:///{path}",
            "ASYNC_URL": f"sqlite+aiosqlite:///{path}",
            "PATH": str(path),
            "DRIVER": "sqlite",
            "USER": None,
            "HOST": None,
            "PORT": None,
            "DATABASE": str(path),
            "PREFIX": "sqlite://",
            "CHILD": child,
            "SHELL": f"{sys.executable} -c {_shell_quote(child)}",
        },
        code={"CONNECT": connect},
        snapshot=lambda: _sqlite_snapshot(path),
        drop=lambda: None,
        drift_modes={"sqlite": []},
    )


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _pg(database: str, **kwargs: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host="127.0.0.1", port=5432, user="postgres", dbname=database, autocommit=True, **kwargs
    )


def _pg_snapshot(name: str) -> object:
    with _pg(name) as db:
        tables = db.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        ).fetchall()
        rows = db.execute("SELECT * FROM precious ORDER BY id").fetchall()
        extensions = db.execute("SELECT extname FROM pg_extension ORDER BY 1").fetchall()
    return (tables, rows, extensions)


def _pg_drop(*names: str) -> None:
    with _pg("test") as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _pg_victim(tmp_path: Path) -> Victim:
    _reachable(PG_ADMIN)
    token = uuid.uuid4().hex[:12]
    name, own = f"victim_{token}", f"t_{token}"
    with _pg("test") as admin:
        admin.execute(f"CREATE DATABASE {name}")
        admin.execute(f"CREATE DATABASE {own}")
    with _pg(name) as db:
        db.execute("CREATE TABLE precious (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        db.execute("INSERT INTO precious VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    conninfo = f"host=127.0.0.1 port=5432 user=postgres dbname={name}"
    connect = f"__import__('psycopg').connect({conninfo!r})"
    return Victim(
        kind="postgres",
        url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
        own_url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{own}",
        values={
            "URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
            "ASYNC_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
            "DB": name,
            "CONNINFO": conninfo,
            "DRIVER": "postgresql+psycopg",
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": 5432,
            "DATABASE": name,
            "PREFIX": "postgresql+psycopg://",
            "CHILD": _python_touch(connect),
            "SHELL": f"psql -X -q -h 127.0.0.1 -p 5432 -U postgres -d {name} -c '{TOUCH}'",
        },
        code={"CONNECT": connect},
        snapshot=lambda: _pg_snapshot(name),
        drop=lambda: _pg_drop(name, own),
        drift_modes={"url": ["--url", PG_ADMIN], "embedded": ["--db", "postgres"]},
    )


def _mariadb(database: str) -> pymysql.Connection[Any]:
    return pymysql.connect(
        host="127.0.0.1", port=3306, user="root", database=database, autocommit=True
    )


def _mariadb_snapshot(name: str) -> object:
    db = _mariadb(name)
    try:
        cursor = db.cursor()
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1",
            (name,),
        )
        tables = cursor.fetchall()
        cursor.execute("SELECT * FROM precious ORDER BY id")
        rows = cursor.fetchall()
    finally:
        db.close()
    return (tables, rows)


def _mariadb_drop(*names: str) -> None:
    db = _mariadb("test")
    try:
        for name in names:
            db.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
    finally:
        db.close()


def _mariadb_victim(tmp_path: Path) -> Victim:
    _reachable(MARIADB_ADMIN)
    token = uuid.uuid4().hex[:12]
    name, own = f"victim_{token}", f"t_{token}"
    db = _mariadb("test")
    try:
        cursor = db.cursor()
        cursor.execute(f"CREATE DATABASE {name}")
        cursor.execute(f"CREATE DATABASE {own}")
        cursor.execute(
            f"CREATE TABLE {name}.precious (id INTEGER PRIMARY KEY, name VARCHAR(10) NOT NULL)"
        )
        cursor.execute(f"INSERT INTO {name}.precious VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    finally:
        db.close()
    connect = (
        "__import__('pymysql').connect(host='127.0.0.1', port=3306, user='root', "
        f"database={name!r})"
    )
    return Victim(
        kind="mariadb",
        url=f"mysql+pymysql://root@127.0.0.1:3306/{name}",
        own_url=f"mysql+pymysql://root@127.0.0.1:3306/{own}",
        values={
            "URL": f"mysql+pymysql://root@127.0.0.1:3306/{name}",
            "DB": name,
            "DRIVER": "mysql+pymysql",
            "USER": "root",
            "HOST": "127.0.0.1",
            "PORT": 3306,
            "DATABASE": name,
            "PREFIX": "mysql+pymysql://",
            "CHILD": _python_touch(connect),
            "SHELL": f"mariadb -h 127.0.0.1 -P 3306 -u root {name} -e '{TOUCH}'",
        },
        code={"CONNECT": connect},
        snapshot=lambda: _mariadb_snapshot(name),
        drop=lambda: _mariadb_drop(name, own),
        drift_modes={"url": ["--url", MARIADB_ADMIN]},
    )


VICTIMS: Mapping[str, Callable[[Path], Victim]] = {
    "sqlite": lambda tmp: _sqlite_victim(tmp, absent=False),
    "sqlite-new": lambda tmp: _sqlite_victim(tmp, absent=True),
    "postgres": _pg_victim,
    "mariadb": _mariadb_victim,
}

# The raw connect that thread, atexit and child-process probes make, one per victim kind.
RAW = {
    "sqlite": f"""\
def _touch():
    import sqlite3
    db = sqlite3.connect(@PATH@)  # PROBE
    db.execute({TOUCH!r})
    db.commit()
    db.close()
""",
    "postgres": f"""\
def _touch():
    import psycopg
    with psycopg.connect(@CONNINFO@, autocommit=True) as db:  # PROBE
        db.execute({TOUCH!r})
""",
    "mariadb": f"""\
def _touch():
    import pymysql
    db = pymysql.connect(host="127.0.0.1", port=3306, user="root", database=@DB@, autocommit=True)  # PROBE
    db.cursor().execute({TOUCH!r})
    db.close()
""",
}


# --- variants --------------------------------------------------------------------------------

Code = str | Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class Variant:
    """One way to reach the victim; code fields may differ per victim kind (a mapping)."""

    name: str
    kinds: tuple[str, ...]
    outcome: str
    where: str = "migrations/env.py"
    env_top: Code = ""
    engine: Code = ""
    models: Code = ""
    models_extra: Code = ""
    upgrade_top: Code = ""
    ini_url: bool = False
    ini_extra: str = ""
    environ: tuple[str, ...] = ()
    template: str = "generic"
    embedded: bool = False


def _pick(code: Code, kind: str) -> str:
    return code if isinstance(code, str) else code[kind.removesuffix("-new")]


SERVERS = ("sqlite", "postgres", "mariadb")
CONNECTS = {
    "sqlite": "sqlite3.connect(@PATH@)",
    "postgres": "psycopg.connect(@CONNINFO@)",
    "mariadb": 'pymysql.connect(host="127.0.0.1", port=3306, user="root", database=@DB@)',
}
IMPORTS = {"sqlite": "import sqlite3", "postgres": "import psycopg", "mariadb": "import pymysql"}


def _per_kind(template: str) -> dict[str, str]:
    return {
        kind: template.replace("@IMPORT@", IMPORTS[kind]).replace("@RAWCONNECT@", CONNECTS[kind])
        for kind in SERVERS
    }


PG_SOCKET = f"""\
import socket
import struct


def _exactly(sock, size):
    data = b""
    while len(data) < size:
        data += sock.recv(size - len(data))
    return data


def _until_ready(sock):
    while True:
        tag = _exactly(sock, 1)
        (length,) = struct.unpack("!I", _exactly(sock, 4))
        _exactly(sock, length - 4)
        if tag == b"Z":
            return


_sock = socket.create_connection(("127.0.0.1", 5432))  # PROBE
_params = b"user\\0postgres\\0database\\0" + @DB@.encode() + b"\\0\\0"
_sock.sendall(struct.pack("!II", len(_params) + 8, 196608) + _params)
_until_ready(_sock)
_query = {TOUCH!r}.encode() + b"\\0"
_sock.sendall(b"Q" + struct.pack("!I", len(_query) + 4) + _query)
_until_ready(_sock)
_sock.sendall(b"X" + struct.pack("!I", 4))
_sock.close()
"""

CTYPES_LIBPQ = f"""\
import ctypes

_pq = ctypes.CDLL(@LIBPQ@)  # PROBE: the guard refuses to load a database client library
_pq.PQconnectdb.restype = ctypes.c_void_p
_pq.PQconnectdb.argtypes = [ctypes.c_char_p]
_pq.PQexec.restype = ctypes.c_void_p
_pq.PQexec.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
_pq.PQfinish.argtypes = [ctypes.c_void_p]
_conn = _pq.PQconnectdb(@CONNINFO@.encode())  # PROBE
_pq.PQexec(_conn, {TOUCH!r}.encode())
_pq.PQfinish(_conn)
"""

VARIANTS = [
    # Engines and URLs: redirected to the disposable database.
    Variant(
        "create_engine",
        ("sqlite", "sqlite-new", "postgres", "mariadb"),
        "redirect",
        engine="import sqlalchemy\nconnectable = sqlalchemy.create_engine(@URL@, poolclass=pool.NullPool)  # PROBE\n",
        embedded=True,
    ),
    Variant("ini-url", ("sqlite", "sqlite-new", "postgres", "mariadb"), "redirect", ini_url=True),
    Variant(
        "ini-other-section",
        SERVERS,
        "redirect",
        ini_extra="\n[production]\nsqlalchemy.url = @RAWURL@\n",
        engine='connectable = engine_from_config(config.get_section("production", {}), prefix="sqlalchemy.", poolclass=pool.NullPool)  # PROBE\n',
    ),
    Variant(
        "url-object",
        ("sqlite", "sqlite-new", "postgres", "mariadb"),
        "redirect",
        engine=(
            "import sqlalchemy as sa\n"
            "_url = sa.engine.URL.create(@DRIVER@, username=@USER@, host=@HOST@, port=@PORT@, database=@DATABASE@)\n"
            "connectable = sa.create_engine(_url, poolclass=pool.NullPool)  # PROBE\n"
        ),
    ),
    Variant(
        "creator",
        SERVERS,
        "redirect",
        engine=_per_kind(
            "@IMPORT@\nimport sqlalchemy\n"
            "connectable = sqlalchemy.create_engine(@PREFIX@, creator=lambda: @RAWCONNECT@, poolclass=pool.NullPool)  # PROBE\n"
        ),
        embedded=True,
    ),
    Variant(
        "pool",
        SERVERS,
        "redirect",
        engine=_per_kind(
            "@IMPORT@\nimport sqlalchemy\n"
            "connectable = sqlalchemy.create_engine(@PREFIX@, pool=sqlalchemy.pool.QueuePool(lambda: @RAWCONNECT@))  # PROBE\n"
        ),
    ),
    Variant(
        "async-engine",
        ("sqlite", "postgres"),
        "redirect",
        template="async",
        engine="from sqlalchemy.ext.asyncio import create_async_engine\nconnectable = create_async_engine(@ASYNC_URL@, poolclass=pool.NullPool)  # PROBE\n",
        embedded=True,
    ),
    Variant(
        "flask-sqlalchemy",
        SERVERS,
        "redirect",
        models=FLASK_MODELS,
        env_top="from models import app, db\n\napp.app_context().push()\n",
        engine="connectable = db.engine  # PROBE\n",
    ),
    Variant(
        "models-engine",
        SERVERS,
        "redirect",
        where="models.py",
        models_extra="\nengine = sa.create_engine(@URL@)  # PROBE\n",
        engine="from models import engine as connectable\n",
    ),
    Variant(
        "environ-url",
        SERVERS,
        "redirect",
        environ=("DATABASE_URL",),
        engine='import os\nimport sqlalchemy\nconnectable = sqlalchemy.create_engine(os.environ["DATABASE_URL"], poolclass=pool.NullPool)  # PROBE\n',
        embedded=True,
    ),
    Variant(
        "set-main-option",
        SERVERS,
        "redirect",
        env_top='config.set_main_option("sqlalchemy.url", @URL@)  # PROBE\n',
    ),
    Variant(
        "session-in-migration",
        SERVERS,
        "redirect",
        where=REVISION_PATH,
        upgrade_top=(
            "from sqlalchemy.orm import Session\n\n"
            "with Session(bind=sa.create_engine(@URL@)) as session:  # PROBE\n"
            '    session.execute(sa.text("CREATE TABLE stolen (id INTEGER)"))\n'
            "    session.commit()\n"
        ),
    ),
    Variant(
        "reload-sqlalchemy",
        ("sqlite", "postgres"),
        "redirect",
        engine=(
            "import importlib\nimport sqlalchemy\n\nsqlalchemy = importlib.reload(sqlalchemy)\n"
            "connectable = sqlalchemy.create_engine(@URL@, poolclass=pool.NullPool)  # PROBE\n"
        ),
    ),
    Variant(
        "deep-import",
        SERVERS,
        "redirect",
        engine=(
            "from sqlalchemy.engine.create import create_engine as _create_engine\n"
            "connectable = _create_engine(@URL@, poolclass=pool.NullPool)  # PROBE\n"
        ),
    ),
    Variant(
        "engine-by-hand",
        ("sqlite", "postgres"),
        "either",
        engine=_per_kind(
            "@IMPORT@\nimport sqlalchemy as sa\nfrom sqlalchemy.engine.base import Engine\n\n"
            "_url = sa.make_url(@URL@)\n"
            "_dialect = _url.get_dialect()(dbapi=_url.get_dialect().import_dbapi())\n"
            "connectable = Engine(pool.NullPool(lambda: @RAWCONNECT@), _dialect, _url)  # PROBE\n"
            "with connectable.connect() as _first:\n"
            "    _dialect.initialize(_first)\n"
        ),
    ),
    # Raw DBAPI connects: refused.
    Variant("sqlite3-env", ("sqlite",), "refuse", env_top=RAW["sqlite"] + "\n\n_touch()\n"),
    Variant(
        "sqlite3-migration",
        ("sqlite",),
        "refuse",
        where=REVISION_PATH,
        upgrade_top=RAW["sqlite"] + "\n_touch()\n",
    ),
    Variant(
        "psycopg-connect",
        ("postgres",),
        "refuse",
        env_top=RAW["postgres"] + "\n\n_touch()\n",
        embedded=True,
    ),
    Variant(
        "psycopg-Connection.connect",
        ("postgres",),
        "refuse",
        where="models.py",
        models_extra=(
            "\nimport psycopg\n\n"
            "with psycopg.Connection.connect(@CONNINFO@, autocommit=True) as _db:  # PROBE\n"
            f"    _db.execute({TOUCH!r})\n"
        ),
    ),
    Variant(
        "psycopg2-migration",
        ("postgres",),
        "refuse",
        where=REVISION_PATH,
        upgrade_top=(
            "import psycopg2\n\n_db = psycopg2.connect(@CONNINFO@)  # PROBE\n_db.autocommit = True\n"
            f"_db.cursor().execute({TOUCH!r})\n_db.close()\n"
        ),
    ),
    Variant("pymysql-env", ("mariadb",), "refuse", env_top=RAW["mariadb"] + "\n\n_touch()\n"),
    Variant(
        "pymysql-models",
        ("mariadb",),
        "refuse",
        where="models.py",
        models_extra=(
            "\nimport pymysql\n\n"
            '_db = pymysql.connect(host="127.0.0.1", port=3306, user="root", database=@DB@, autocommit=True)  # PROBE\n'
            f"_db.cursor().execute({TOUCH!r})\n"
        ),
    ),
    Variant(
        "asyncpg",
        ("postgres",),
        "refuse",
        env_top=(
            "import asyncio\nimport asyncpg\n\n\nasync def _touch():\n"
            '    db = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database=@DB@)  # PROBE\n'
            f"    await db.execute({TOUCH!r})\n    await db.close()\n\n\nasyncio.run(_touch())\n"
        ),
    ),
    Variant(
        "pg8000",
        ("postgres",),
        "refuse",
        where="models.py",
        models_extra=(
            "\nimport pg8000.native\n\n"
            '_db = pg8000.native.Connection("postgres", host="127.0.0.1", port=5432, database=@DB@)  # PROBE\n'
            f"_db.run({TOUCH!r})\n_db.close()\n"
        ),
    ),
    Variant(
        "aiosqlite-raw",
        ("sqlite",),
        "refuse",
        env_top=(
            "import asyncio\nimport aiosqlite\n\n\nasync def _touch():\n"
            "    async with aiosqlite.connect(@PATH@) as db:  # PROBE\n"
            f"        await db.execute({TOUCH!r})\n        await db.commit()\n\n\nasyncio.run(_touch())\n"
        ),
    ),
    Variant("socket-startup-packet", ("postgres",), "refuse", env_top=PG_SOCKET, embedded=True),
    # Child processes: refused.
    Variant(
        "subprocess-alembic",
        SERVERS,
        "refuse",
        env_top=(
            "import os\nimport subprocess\n\n"
            'if "DATABASE_URL" not in os.environ:\n'
            '    subprocess.run(["alembic", "upgrade", "heads"], env={**os.environ, "DATABASE_URL": @URL@}, check=True)  # PROBE\n'
        ),
        engine=(
            "import os\nimport sqlalchemy\n"
            'connectable = sqlalchemy.create_engine(os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)\n'
        ),
    ),
    Variant("os-system", SERVERS, "refuse", env_top="import os\n\nos.system(@SHELL@)  # PROBE\n"),
    Variant(
        "fork-execv",
        SERVERS,
        "refuse",
        env_top=(
            "import os\nimport sys\n\n_pid = os.fork()  # PROBE\nif _pid == 0:\n"
            '    os.execv(sys.executable, [sys.executable, "-c", @CHILD@])  # PROBE\n'
            "os.waitpid(_pid, 0)\n"
        ),
    ),
    Variant(
        "posix-spawn",
        ("sqlite", "postgres"),
        "refuse",
        env_top=(
            "import os\nimport sys\n\n"
            '_pid = os.posix_spawn(sys.executable, [sys.executable, "-c", @CHILD@], dict(os.environ))  # PROBE\n'
            "os.waitpid(_pid, 0)\n"
        ),
    ),
    Variant(
        "multiprocessing",
        SERVERS,
        "refuse",
        env_top=_per_kind(
            "import multiprocessing\n\n\n@RAW@\n\n"
            '_process = multiprocessing.get_context("fork").Process(target=_touch)\n'
            "_process.start()  # PROBE\n_process.join()\n"
        ),
    ),
    # Threads and code that would run after the run.
    Variant(
        "thread-joined",
        SERVERS,
        "refuse",
        env_top=_per_kind(
            "import threading\n\n\n@RAW@\n\n_thread = threading.Thread(target=_touch)\n"
            "_thread.start()  # PROBE\n_thread.join()\n"
        ),
    ),
    Variant(
        "thread-pool",
        ("sqlite", "mariadb"),
        "refuse",
        env_top=_per_kind(
            "from concurrent.futures import ThreadPoolExecutor\n\n\n@RAW@\n\n"
            "with ThreadPoolExecutor(1) as _pool:\n    _pool.submit(_touch).result()  # PROBE\n"
        ),
    ),
    Variant(
        "thread-not-joined",
        ("sqlite", "postgres"),
        "either",
        env_top=_per_kind(
            "import threading\nimport time\n\n\n@RAW@\n\n\ndef _later():\n    time.sleep(1)\n"
            "    _touch()\n\n\nthreading.Thread(target=_later).start()  # PROBE\n"
        ),
    ),
    Variant(
        "atexit",
        SERVERS,
        "either",
        env_top=_per_kind("import atexit\n\n\n@RAW@\n\n\natexit.register(_touch)  # PROBE\n"),
    ),
    # SQL that names another database.
    Variant(
        "sqlite-attach",
        ("sqlite",),
        "refuse",
        where=REVISION_PATH,
        upgrade_top=(
            "op.execute(\"ATTACH DATABASE '%s' AS v\" % @PATH@)  # PROBE\n"
            "op.execute(\"INSERT INTO v.precious VALUES (4, 'stolen')\")\n"
        ),
    ),
    Variant(
        "mariadb-schema",
        ("mariadb",),
        "fail",
        where=REVISION_PATH,
        upgrade_top='op.create_table("stolen", sa.Column("id", sa.Integer, primary_key=True), schema=@DB@)  # PROBE\n',
    ),
    Variant(
        "mariadb-qualified-insert",
        ("mariadb",),
        "fail",
        where=REVISION_PATH,
        upgrade_top="op.execute(\"INSERT INTO %s.precious VALUES (4, 'stolen')\" % @DB@)  # PROBE\n",
    ),
    Variant(
        "postgres-dblink",
        ("postgres",),
        "fail",
        where=REVISION_PATH,
        upgrade_top=(
            'op.execute("CREATE EXTENSION IF NOT EXISTS dblink")\n'
            "op.execute(\"SELECT dblink_exec('%s', '%s')\" % (@CONNINFO@, "
            f"{TOUCH!r}))  # PROBE\n"
        ),
        embedded=True,
    ),
    Variant(
        "ctypes-libpq",
        ("postgres",),
        "refuse",
        env_top=CTYPES_LIBPQ,
    ),
]


def _libpq() -> str:
    """A libpq to load with ctypes: the system's, else the one psycopg's binary wheel bundles."""
    import ctypes.util
    import glob

    import psycopg_binary

    bundled = glob.glob(
        str(Path(psycopg_binary.__file__).parent.parent / "psycopg_binary.libs" / "libpq*")
    )
    return ctypes.util.find_library("pq") or sorted(bundled)[0]


def _fill(code: str, victim: Victim) -> str:
    for key, snippet in victim.code.items():
        code = code.replace(f"@{key}@", snippet)
    code = code.replace("@RAW@", RAW[victim.kind.removesuffix("-new")])
    code = code.replace("@LIBPQ@", repr(_libpq()) if "@LIBPQ@" in code else "")
    code = code.replace("@RAWURL@", victim.url)
    for key, value in victim.values.items():
        code = code.replace(f"@{key}@", repr(value))
    assert not re.search("@[A-Z_]+@", code), code
    return code


# --- projects --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> dict[str, Path]:
    """One `alembic init` per template, copied into each test's project."""
    made = {}
    for name in ("generic", "async"):
        root = tmp_path_factory.mktemp(f"template-{name}") / "app"
        root.mkdir()
        command.init(Config(str(root / "alembic.ini")), str(root / "migrations"), template=name)
        made[name] = root
    return made


def _indent(code: str, prefix: str) -> str:
    return textwrap.indent(code, prefix, lambda line: bool(line.strip()))


def build(templates: Mapping[str, Path], tmp_path: Path, variant: Variant, victim: Victim) -> Path:
    root = tmp_path / "app"
    shutil.copytree(templates[variant.template], root)
    kind = victim.kind
    ini = root / "alembic.ini"
    url = victim.url if variant.ini_url else victim.own_url
    text = re.sub(
        "^script_location = .*$",
        "script_location = %(here)s/migrations",
        ini.read_text().replace("driver://user:pass@localhost/dbname", url),
        flags=re.MULTILINE,
    )
    ini.write_text(text + _fill(variant.ini_extra, victim))
    env = root / "migrations" / "env.py"
    text = env.read_text().replace(
        "target_metadata = None", "from models import metadata\n\ntarget_metadata = metadata"
    )
    text = text.replace(
        "config = context.config\n",
        "config = context.config\n" + _fill(_pick(variant.env_top, kind), victim),
    )
    engine = _indent(_fill(_pick(variant.engine, kind), victim), "    ")
    default = ASYNC_ENGINE if variant.template == "async" else GENERIC_ENGINE
    text = text.replace(default, engine or default)
    env.write_text(text)
    models = _pick(variant.models, kind) or MODELS
    (root / "models.py").write_text(_fill(models + _pick(variant.models_extra, kind), victim))
    upgrade = _indent(_fill(_pick(variant.upgrade_top, kind), victim), "    ")
    (root / "migrations" / "versions").mkdir(exist_ok=True)
    (root / REVISION_PATH).write_text(
        REVISION_TEXT.replace("def upgrade() -> None:\n", "def upgrade() -> None:\n" + upgrade)
    )
    return root


def probe_lines(root: Path, where: str) -> list[int]:
    lines = (root / where).read_text().splitlines()
    return [number for number, line in enumerate(lines, 1) if "# PROBE" in line]


def environment(tmp_path: Path, variant: Variant, victim: Victim) -> dict[str, str]:
    """What a CI job has: the tools on PATH, no PYTHONPATH, a cache of its own."""
    drop = {"PYTHONPATH", "ALEMBIC_CONFIG", "NO_COLOR", "DATABASE_URL"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ALEMBIC_LINT_CACHE_DIR"] = str(tmp_path / "cache")
    env.update(dict.fromkeys(variant.environ, victim.url))
    return env


@dataclasses.dataclass(frozen=True)
class Case:
    variant: Variant
    kind: str
    mode: str = ""


def _cases(with_modes: bool) -> list[Any]:
    modes = {
        "sqlite": ["sqlite"],
        "sqlite-new": ["sqlite"],
        "postgres": ["url"],
        "mariadb": ["url"],
    }
    cases = []
    for variant in VARIANTS:
        for kind in variant.kinds:
            extra = ["embedded"] if variant.embedded and kind == "postgres" else []
            for mode in (modes[kind] + extra) if with_modes else [""]:
                case = Case(variant, kind, mode)
                ident = "-".join(part for part in (variant.name, kind, mode) if part)
                cases.append(pytest.param(case, id=ident))
    return cases


@pytest.fixture
def victim(case, tmp_path) -> Iterator[Victim]:
    made = VICTIMS[case.kind](tmp_path)
    try:
        yield made
    finally:
        made.drop()


def test_the_battery_is_large_enough():
    assert len({v.name for v in VARIANTS}) == len(VARIANTS) >= 34
    assert {v.outcome for v in VARIANTS} == {"redirect", "refuse", "either", "fail"}
    assert {"migrations/env.py", "models.py", REVISION_PATH} == {v.where for v in VARIANTS}


def _run(args: list[str], root: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("case", _cases(with_modes=False))
def test_plain_alembic_touches_the_victim(case, victim, templates, tmp_path):
    root = build(templates, tmp_path, case.variant, victim)
    # the drift half asserts AL905 lines against these markers, so every probe file has one
    assert probe_lines(root, case.variant.where) or case.variant.name == "ini-url"
    before = victim.snapshot()
    done = _run(
        [str(BIN / "alembic"), "upgrade", "heads"],
        root,
        environment(tmp_path, case.variant, victim),
    )
    assert victim.snapshot() != before, (
        f"not a probe: plain alembic left the victim alone\n{done.stderr}"
    )


def findings(stdout: str) -> list[dict[str, Any]] | None:
    """The JSON findings, or None when stdout is not JSON (which is a failure of its own)."""
    try:
        parsed = json.loads(stdout)
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) else None


def test_findings_parses_only_json_lists():
    assert findings('[{"code": "AL905"}]') == [{"code": "AL905"}]
    assert findings("No new upgrade operations detected.\n[]") is None
    assert findings("{}") is None


def outcome_problems(
    outcome: str, returncode: int, found: list[dict[str, Any]] | None, where: str, lines: list[int]
) -> list[str]:
    """What is wrong with a drift run, for the variant's expected outcome (empty: nothing)."""
    items = found or []
    codes = {item.get("code") for item in items}
    refused = [
        i
        for i in items
        if i.get("code") == "AL905" and i.get("path") == where and i.get("line") in lines
    ]
    checks = {
        "redirect": returncode in (0, 1) and codes <= {"AL901"},
        "refuse": returncode == 1 and bool(refused),
        "either": returncode in (0, 1)
        and codes <= {"AL901", "AL905"}
        and len(refused) == len([i for i in items if i.get("code") == "AL905"]),
        "fail": returncode == 1 and bool(codes & {"AL902", "AL905"}),
    }
    wrong = (
        []
        if checks[outcome]
        else [f"expected {outcome} (AL905 at {where}:{lines}), got exit {returncode}: {items}"]
    )
    return wrong + ([] if found is not None else ["stdout is not a JSON list of findings"])


def test_outcome_problems():
    at = {"code": "AL905", "path": "migrations/env.py", "line": 3}
    assert outcome_problems("refuse", 1, [at], "migrations/env.py", [3]) == []
    assert outcome_problems("refuse", 1, [at], "migrations/env.py", [4]) != []
    assert outcome_problems("either", 0, [], "models.py", [1]) == []
    assert outcome_problems("either", 1, [at], "models.py", [1]) != []
    assert outcome_problems("redirect", 1, [{"code": "AL901"}], "models.py", [1]) == []
    assert outcome_problems("redirect", 1, [at], "models.py", [1]) != []
    assert outcome_problems("fail", 1, [{"code": "AL902"}], "models.py", [1]) == []
    assert outcome_problems("fail", 0, None, "models.py", [1]) == [
        "expected fail (AL905 at models.py:[1]), got exit 0: []",
        "stdout is not a JSON list of findings",
    ]


@pytest.mark.parametrize("case", _cases(with_modes=True))
def test_drift_leaves_the_victim_untouched(case, victim, templates, tmp_path):
    root = build(templates, tmp_path, case.variant, victim)
    before = victim.snapshot()
    mode = victim.drift_modes[case.mode]
    args = [str(BIN / "alembic-lint"), "drift", "--format", "json", "--no-cache", *mode]
    done = _run(args, root, environment(tmp_path, case.variant, victim))
    touched = [] if victim.snapshot() == before else ["VICTIM TOUCHED"]
    problems = touched + outcome_problems(
        case.variant.outcome,
        done.returncode,
        findings(done.stdout),
        case.variant.where,
        probe_lines(root, case.variant.where),
    )
    assert not problems, f"{case.variant.name}: {problems}\nstderr: {done.stderr}"
