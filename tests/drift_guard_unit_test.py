"""The guard's pieces that run without installing it (installing is for the child only: audit
hooks cannot be removed)."""

from __future__ import annotations

import importlib.machinery
import os
import sys
import types
from pathlib import Path

import pytest

from alembic_lint.drift import guard as guard_module
from alembic_lint.drift.guard import Guard, GuardError, _sqlite_path, _wrap_driver, _Wrapping


@pytest.mark.parametrize(
    ("argument", "path"),
    [
        (":memory:", None),
        ("", None),
        ("file::memory:?cache=shared", None),
        ("file:x.db?mode=memory", None),
        (b"/tmp/a.db", "/tmp/a.db"),
        (Path("/tmp/b.db"), "/tmp/b.db"),
        ("file:/tmp/c.db?mode=ro", "/tmp/c.db"),
        ("file:///tmp/d.db", "/tmp/d.db"),
    ],
)
def test_sqlite_path(argument, path):
    assert _sqlite_path(argument) == (os.path.realpath(path) if path else None)


def test_where_finds_the_projects_frame(tmp_path):
    project = tmp_path / "app"
    project.mkdir()
    code = compile("def call(f):\n    return f()\n", str(project / "env.py"), "exec")
    space: dict[str, object] = {}
    exec(code, space)
    guard = Guard([str(project)])
    assert space["call"](guard.where) == (os.path.realpath(project / "env.py"), 2)  # type: ignore[operator]
    assert Guard([str(tmp_path / "elsewhere")]).where() == (None, 1)


def test_refusals_are_kept_even_when_caught(tmp_path):
    guard = Guard([str(tmp_path)])
    with pytest.raises(GuardError, match="a raw thing connection: drift stopped it"):
        guard.refuse("a raw thing connection")
    assert [v.what for v in guard.violations] == ["a raw thing connection"]


def _driver_module() -> types.ModuleType:
    module = types.ModuleType("psycopg")

    class Connection:
        @classmethod
        def connect(cls, *args: object) -> tuple[object, ...]:
            return (cls, *args)

    class AsyncConnection(Connection):
        pass

    module.Connection = Connection  # type: ignore[attr-defined]
    module.AsyncConnection = AsyncConnection  # type: ignore[attr-defined]
    module.connect = Connection.connect  # type: ignore[attr-defined]
    return module


def test_driver_connects_only_inside_drifts_own_window(tmp_path):
    guard = Guard([str(tmp_path)])
    module = _driver_module()
    _wrap_driver(guard, "psycopg", module)
    _wrap_driver(guard, "psycopg", module)  # wrapping twice changes nothing
    for connect in (module.connect, module.Connection.connect, module.AsyncConnection.connect):
        with pytest.raises(GuardError, match="a raw psycopg connection"):
            connect("dbname=prod")
    with guard.connecting():
        assert module.Connection.connect("x") == (module.Connection, "x")
        assert module.connect("y")[1:] == ("y",)
    assert not guard.inside
    _wrap_driver(guard, "MySQLdb", types.ModuleType("MySQLdb"))  # nothing to wrap: no error


def test_the_import_hook_wraps_drivers_when_they_are_imported(tmp_path, monkeypatch):
    (tmp_path / "psycopg.py").write_text(
        "class Connection:\n    @classmethod\n    def connect(cls):\n        return 'open'\n"
        "class AsyncConnection(Connection):\n    pass\nconnect = Connection.connect\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "psycopg", raising=False)
    guard = Guard([str(tmp_path)])
    finder = _Wrapping(guard)
    monkeypatch.setattr(sys, "meta_path", [finder, object(), *sys.meta_path])
    assert finder.find_spec("json", None) is None
    import psycopg  # the stand-in above

    with pytest.raises(GuardError):
        psycopg.connect()
    spec = psycopg.__spec__
    assert isinstance(spec, importlib.machinery.ModuleSpec)
    assert spec.loader.get_filename("psycopg").endswith("psycopg.py")  # type: ignore[union-attr]
    monkeypatch.delitem(sys.modules, "psycopg")


def test_small_helpers():
    assert guard_module._short(["a"] * 40).endswith("...")
    assert guard_module._short("short") == "short"
    assert guard_module._coverage_data("/x/.coverage.host.1") == ("coverage" in sys.modules)
    assert not guard_module._coverage_data("/x/prod.db")


@pytest.mark.parametrize(
    ("event", "args", "allowed"),
    [
        ("subprocess.Popen", ("/usr/bin/uname", ["uname", "-p"], None, None), True),
        ("subprocess.Popen", (None, ["file", "-b", "/bin/sh"], None, None), True),
        ("subprocess.Popen", (b"ldconfig", [b"ldconfig", b"-p"], None, None), True),
        ("subprocess.Popen", ("alembic", ["alembic", "upgrade", "heads"], None, None), False),
        ("subprocess.Popen", (None, "psql -c 'select 1'", None, None), False),
        ("os.system", (b"uname",), False),
    ],
)
def test_system_facts(event, args, allowed):
    assert guard_module.system_fact(event, args) is allowed
