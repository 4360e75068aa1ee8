"""The guard, in the drift child: nothing the project's code runs may reach a database that drift
did not create.

Engines are redirected (``redirect``), so ordinary code never aims at another database; the guard
stops everything else *before a byte is sent*, at four layers, because no single one sees it all:

- Python's audit hooks (``sys.addaudithook``): every ``sqlite3.connect`` (the file must be a
  disposable one), every TCP/UDP ``socket.connect`` (allowed only while drift itself opens a
  connection to a disposable database, so a pure-Python driver or a hand-written socket cannot
  reach another database on the same server), Unix sockets of database servers, child processes
  (``subprocess``, ``os.system``, ``os.exec*``, ``os.posix_spawn``, ``os.spawn*``, and
  multiprocessing's spawn; only the commands that read a system fact, ``system_fact``, may run),
  and ``ctypes`` loading a database client library;
- an authorizer on every SQLite connection an engine opens, refusing ``ATTACH`` of any other
  file;
- the connect functions of the drivers that talk to the server from C (libpq: psycopg and
  psycopg2; libmysqlclient: MySQLdb; MariaDB Connector/C), wrapped when they are imported: they
  too connect only inside drift's own connect;
- a SQLAlchemy ``do_connect`` listener on every engine: the target must be a disposable database,
  and only then does drift open the connection itself, inside the allowed window.

Each refusal is kept as a ``Violation`` with the project file and line that tried, even when the
project's code catches the exception, and becomes AL905. Code that would run after the run
(atexit handlers, threads) never does: the child ends with ``os._exit``.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import inspect
import os
import re
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import FrameType, ModuleType
from typing import Any, NamedTuple, NoReturn

HOW_TO_FIX = (
    "let env.py and the models reach the database only through SQLAlchemy engines "
    "(create_engine / engine_from_config), which drift points at its disposable database; or set "
    "`target-metadata` in [tool.alembic-lint] to run the migrations without env.py"
)

_CHILD_EVENTS = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile"}
)
_CLIENT_LIBRARY = re.compile(r"(?i)(libpq|mysqlclient|mariadb|libsqlite)")
_SERVER_SOCKET = re.compile(r"(\.s\.PGSQL\.\d+|mysqld?\.sock)$")
_SQLITE_ATTACH = 24  # sqlite3.SQLITE_ATTACH
_SQLITE_DENY = 1
_SQLITE_OK = 0


class GuardError(Exception):
    """The project's code tried to reach a database other than the disposable one."""


class Violation(NamedTuple):
    what: str
    path: str | None
    line: int


def identity(
    dialect_name: str, cargs: Sequence[Any], cparams: Mapping[str, Any]
) -> tuple[str, ...]:
    """What names a database, from the DBAPI connect arguments a dialect produces."""
    if dialect_name == "sqlite":
        path = str(cargs[0]) if cargs else str(cparams.get("database", ""))
        return ("sqlite", _sqlite_path(path) or ":memory:")
    host = str(cparams.get("host") or cparams.get("unix_socket") or "localhost")
    port = str(cparams.get("port") or "")
    database = str(cparams.get("dbname") or cparams.get("database") or cparams.get("db") or "")
    return (dialect_name, host, port, database)


def _sqlite_path(database: object) -> str | None:
    """The file a ``sqlite3.connect`` argument names; None for an in-memory or temporary one."""
    if isinstance(database, bytes):
        database = database.decode(errors="replace")
    text = os.fspath(database) if isinstance(database, os.PathLike) else str(database)
    if text.startswith("file:"):
        text = text[len("file:") :].split("?", 1)[0]
        if text.startswith("//"):
            text = "/" + text[2:].lstrip("/")
    if text in ("", ":memory:") or "mode=memory" in str(database):
        return None
    return os.path.realpath(text)


class Guard:
    """One per child process: what is allowed, and what was refused."""

    def __init__(self, roots: Sequence[str]) -> None:
        self.roots = tuple(os.path.realpath(root) + os.sep for root in roots)
        ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
        self.exclude = (ours, *{os.path.realpath(p) + os.sep for p in _library_dirs()})
        self.sqlite_files: set[str] = set()
        self.identities: set[tuple[str, ...]] = set()
        self.violations: list[Violation] = []
        self.report: Callable[[Violation], None] = lambda violation: None
        """Called with each violation of a forked process (the child sets it to its channel)."""
        self._local = threading.local()
        self._pid = os.getpid()
        self._started: dict[int | None, tuple[str | None, int]] = {}

    # -- what is allowed --------------------------------------------------------------------

    def allow(self, dialect_name: str, cargs: Sequence[Any], cparams: Mapping[str, Any]) -> None:
        target = identity(dialect_name, cargs, cparams)
        self.identities.add(target)
        if dialect_name == "sqlite" and target[1] != ":memory:":
            self.sqlite_files.add(target[1])

    def allowed(self, target: tuple[str, ...]) -> bool:
        return target in self.identities or (target[0] == "sqlite" and target[1] == ":memory:")

    @contextlib.contextmanager
    def connecting(self) -> Iterator[None]:
        """The window in which drift itself opens a connection to a disposable database."""
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth

    @property
    def inside(self) -> bool:
        return bool(getattr(self._local, "depth", 0))

    # -- refusing ---------------------------------------------------------------------------

    def where(self, frame: FrameType | None = None) -> tuple[str | None, int]:
        """The innermost frame in the project's own files (not in libraries, nor in drift)."""
        frame = frame or sys._getframe(1)
        while frame is not None:
            name = frame.f_code.co_filename
            if not name.startswith("<"):
                real = os.path.realpath(name)
                if real.startswith(self.roots) and not real.startswith(self.exclude):
                    return real, frame.f_lineno
            frame = frame.f_back
        # a thread's own stack holds only library code (aiosqlite's worker): the project line
        # is the one that started the thread
        return self._started.get(threading.get_ident(), (None, 1))

    def record(self, violation: Violation) -> None:
        self.violations.append(violation)
        if os.getpid() != self._pid:
            # a process that env.py forked: only the channel reaches the parent, and a copy of
            # the run must not go on to migrate and report twice
            self.report(violation)
            os._exit(70)

    def refuse(self, what: str) -> NoReturn:
        path, line = self.where(sys._getframe(1))
        self.record(Violation(what, path, line))
        raise GuardError(f"{what}: drift stopped it before it connected")

    # -- installing -------------------------------------------------------------------------

    def install(self) -> None:
        sys.addaudithook(self._audit)
        self._follow_threads()
        # multiprocessing's spawn and forkserver start interpreters through fork_exec, which
        # raises no audit event of its own
        try:
            import _posixsubprocess
        except ImportError:  # pragma: no cover - Windows
            pass
        else:

            def refusing_fork_exec(*args: Any, **kwargs: Any) -> Any:
                self.refuse("starting a child process (fork_exec)")

            _posixsubprocess.fork_exec = refusing_fork_exec
        sys.meta_path.insert(0, _Wrapping(self))
        for name in list(sys.modules):
            _wrap_driver(self, name, sys.modules[name])

    def _follow_threads(self) -> None:
        guard, start = self, threading.Thread.start
        bootstrap = threading.Thread._bootstrap  # type: ignore[attr-defined]

        def started(thread: threading.Thread) -> None:
            thread.__dict__["_alembic_lint_origin"] = guard.where(sys._getframe(1))
            start(thread)

        # runs first thing in the new thread, before coverage's tracer is set there
        def run(thread: threading.Thread) -> None:  # pragma: no cover
            guard._started[threading.get_ident()] = thread.__dict__.get(
                "_alembic_lint_origin", (None, 1)
            )
            bootstrap(thread)

        threading.Thread.start = started  # type: ignore[assignment]
        threading.Thread._bootstrap = run  # type: ignore[attr-defined]

    def install_sqlalchemy(self) -> None:
        """The ``do_connect`` listener on every engine (after SQLAlchemy is imported)."""
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        from sqlalchemy.pool import Pool

        def do_connect(
            dialect: Any, conn_rec: Any, cargs: Sequence[Any], cparams: Mapping[str, Any]
        ) -> Any:
            target = identity(dialect.name, cargs, cparams)
            if not self.allowed(target):
                self.refuse("a SQLAlchemy engine tried to connect to " + _shown(target))
            with self.connecting():
                return dialect.connect(*cargs, **cparams)

        def on_connect(dbapi_connection: Any, record: Any) -> None:
            # an authorizer cannot be set while sqlite3 is still building the connection (its
            # audit event comes too early), so it is set on every pooled SQLite connection
            raw = getattr(dbapi_connection, "driver_connection", dbapi_connection)
            raw = getattr(raw, "_conn", raw)  # aiosqlite's thread-owned sqlite3 connection
            if isinstance(raw, sqlite3.Connection):
                raw.set_authorizer(self._sqlite_authorizer)

        event.listen(Engine, "do_connect", do_connect)
        event.listen(Pool, "connect", on_connect)

    # Python runs audit hooks, and SQLite its authorizer, with tracing paused, so coverage cannot
    # see these three methods; tests/drift_child_test.py exercises every branch end to end.
    def _audit(self, event: str, args: tuple[Any, ...]) -> None:  # pragma: no cover
        if event == "socket.connect":
            self._socket(args[0], args[1])
        elif event == "sqlite3.connect":
            path = _sqlite_path(args[0])
            if path is not None and path not in self.sqlite_files and not _coverage_data(path):
                self.refuse(f"sqlite3.connect({path!r})")
        elif event in _CHILD_EVENTS and not system_fact(event, args):
            shown = args[0] if args else ""
            self.refuse(f"starting a child process ({event} {_short(shown)})")
        elif event == "ctypes.dlopen" and _CLIENT_LIBRARY.search(str(args[0] or "")):
            self.refuse(f"loading the database client library {args[0]!s}")

    def _socket(self, sock: socket.socket, address: Any) -> None:  # pragma: no cover
        if self.inside:
            return
        if sock.family == getattr(socket, "AF_UNIX", None):
            path = address.decode(errors="replace") if isinstance(address, bytes) else address
            if isinstance(path, str) and _SERVER_SOCKET.search(path):
                self.refuse(f"a connection to the database server socket {path}")
            return
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = address[0], address[1]
            self.refuse(f"a network connection to {host}:{port}")

    def _sqlite_authorizer(self, action: int, arg1: Any, *rest: Any) -> int:  # pragma: no cover
        if action != _SQLITE_ATTACH:
            return _SQLITE_OK
        path = _sqlite_path(arg1 or "")
        if path is None or path in self.sqlite_files:
            return _SQLITE_OK
        where = self.where(sys._getframe(1))
        self.record(Violation(f"ATTACH DATABASE {arg1!r}", *where))
        return _SQLITE_DENY


_SYSTEM_FACTS = frozenset(
    {"uname", "file", "ldconfig", "gcc", "cc", "ld", "objdump", "getconf", "sw_vers", "lsb_release"}
)


def system_fact(event: str, args: tuple[Any, ...]) -> bool:
    """A child process that only reads a fact about the system: ``platform`` runs ``uname`` and
    ``file``, ``ctypes.util.find_library`` runs ``ldconfig``, ``gcc`` or ``ld``, and libraries
    call those at import time. None of them reaches a database."""
    if event != "subprocess.Popen":
        return False
    executable, argv = args[0], args[1]
    if executable is None and isinstance(argv, (list, tuple)) and argv:
        executable = argv[0]
    if isinstance(executable, bytes):
        executable = executable.decode(errors="replace")
    if not isinstance(executable, (str, os.PathLike)):
        return False
    return os.path.basename(os.fspath(executable)) in _SYSTEM_FACTS


def _coverage_data(path: str) -> bool:
    """coverage.py keeps its measurements in SQLite; the test suite measures the child too."""
    return os.path.basename(path).startswith(".coverage") and "coverage" in sys.modules


def _shown(target: tuple[str, ...]) -> str:
    return "/".join(part for part in target if part)


def _short(value: object) -> str:
    text = " ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _library_dirs() -> list[str]:
    import sysconfig

    paths = sysconfig.get_paths()
    return [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths]


# -- the drivers that connect from C ----------------------------------------------------------

_DRIVERS: dict[str, tuple[tuple[str, str], ...]] = {
    # module -> (object path, attribute) pairs to wrap once the module is imported
    "psycopg": (("", "connect"), ("Connection", "connect"), ("AsyncConnection", "connect")),
    "psycopg2": (("", "connect"), ("", "_connect")),
    "MySQLdb": (("", "connect"), ("", "Connect")),
    "MySQLdb.connections": (("Connection", "__init__"),),
    "mariadb": (("", "connect"),),
    "mariadb.connections": (("Connection", "__init__"),),
}


def _wrap_driver(guard: Guard, name: str, module: ModuleType) -> None:
    for owner_path, attr in _DRIVERS.get(name, ()):
        owner: Any = getattr(module, owner_path, None) if owner_path else module
        original = getattr(owner, attr, None) if owner is not None else None
        if original is None or getattr(original, "__alembic_lint__", False):
            continue
        label = name.split(".")[0]
        static = inspect.getattr_static(owner, attr) if isinstance(owner, type) else None
        setattr(owner, attr, _refusing(guard, label, original, isinstance(static, classmethod)))


def _refusing(guard: Guard, label: str, original: Any, is_classmethod: bool) -> Any:
    def check() -> None:
        if not guard.inside:
            guard.refuse(f"a raw {label} connection")

    if is_classmethod:
        func = original.__func__

        def method(cls: Any, *args: Any, **kwargs: Any) -> Any:
            check()
            return func(cls, *args, **kwargs)

        method.__alembic_lint__ = True  # type: ignore[attr-defined]
        return classmethod(method)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        check()
        return original(*args, **kwargs)

    wrapper.__alembic_lint__ = True  # type: ignore[attr-defined]
    return wrapper


class _Wrapping(importlib.abc.MetaPathFinder):
    """Wraps a driver's connect functions as soon as the driver is imported."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _DRIVERS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, self.guard)
                return spec
        return None


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: Any, guard: Guard) -> None:
        self.inner, self.guard = inner, guard

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self.inner.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        _wrap_driver(self.guard, module.__name__, module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
