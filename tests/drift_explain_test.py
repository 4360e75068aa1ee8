"""The child's facts -> diagnostics: which failure is which, and where it is shown."""

from __future__ import annotations

import pytest

from alembic_lint.drift.explain import Where, failure, violations


@pytest.fixture
def where(tmp_path) -> Where:
    real = str(tmp_path / "migrations" / "versions" / "a1_step.py")
    return Where(
        str(tmp_path), "migrations/env.py", {"a1": ("migrations/versions/a1_step.py", real, 12, 20)}
    )


def fail(**fields):
    base = {
        "stage": "upgrade",
        "revision": "a1",
        "type": "OperationalError",
        "message": "boom",
        "module": None,
        "missing_driver": False,
        "path": None,
        "line": 1,
        "step": 2,
    }
    return {**base, **fields}


@pytest.mark.parametrize(
    ("fields", "dialect", "start", "hint"),
    [
        (
            {"message": 'extension "postgis" is not available'},
            "postgresql",
            "upgrade to `a1` needs the PostgreSQL extension `postgis`",
            "--url",
        ),
        (
            {
                "message": 'could not open extension control file "/x/share/extension/citext.control"'
            },
            "postgresql",
            "upgrade to `a1` needs the PostgreSQL extension `citext`",
            "--url",
        ),
        (
            {"message": "no such table: users", "step": 1},
            "sqlite",
            "the migrations cannot build a database from empty",
            "create_all()",
        ),
        (
            {"message": "no such table: users", "step": 3},
            "sqlite",
            "upgrade to `a1` failed on a fresh database",
            "reproduce",
        ),
        (
            {"message": 'near "ALTER": syntax error'},
            "sqlite",
            "upgrade to `a1` failed because SQLite cannot do it",
            "batch_alter_table",
        ),
        (
            {"type": "NotImplementedError", "message": ""},
            "sqlite",
            "upgrade to `a1` failed because SQLite cannot do it",
            "--db postgres",
        ),
        (
            {"message": 'near "ALTER": syntax error'},
            "postgresql",
            "upgrade to `a1` failed on a fresh database",
            "reproduce",
        ),
    ],
)
def test_upgrade_failures(where, fields, dialect, start, hint):
    found = failure(fail(**fields), where, dialect)
    assert (found.code, found.path, found.line, found.revision) == (
        "AL902",
        "migrations/versions/a1_step.py",
        12,
        "a1",
    )
    assert found.message.startswith(start)
    assert hint in (found.hint or "")


def test_a_failure_in_a_revision_file_before_any_step(where):
    path = where.revisions["a1"][1]
    found = failure(fail(stage="env", revision=None, path=path, line=3), where, "sqlite")
    assert (found.code, found.revision) == ("AL902", "a1")


def test_env_failures(where, tmp_path):
    found = failure(
        fail(stage="check", revision=None, path=str(tmp_path / "models.py"), line=4),
        where,
        "sqlite",
    )
    assert (found.code, found.path, found.line) == ("AL905", "models.py", 4)
    assert found.message == "the comparison cannot be run: OperationalError: boom"
    found = failure(
        fail(stage="env", revision=None, type="ValidationError", message="x"), where, "sqlite"
    )
    assert found.path == "migrations/env.py"
    assert (found.hint or "").startswith("set the settings env.py needs")
    found = failure(
        fail(
            stage="env",
            revision=None,
            type="ModuleNotFoundError",
            message="No module named 'asyncpg'",
            module="asyncpg",
        ),
        where,
        "sqlite",
    )
    assert "install the driver (asyncpg)" in (found.hint or "")
    outside = failure(
        fail(stage="env", revision=None, path="/elsewhere/lib.py", message=""), where, "sqlite"
    )
    assert (outside.path, outside.message) == (
        "/elsewhere/lib.py",
        "env.py cannot be run: OperationalError",
    )


def test_violations_are_told_once_per_line(where, tmp_path):
    env = str(tmp_path / "migrations" / "env.py")
    facts = {
        "violations": [
            ["a raw x connection", env, 3],
            ["a raw x connection", env, 3],
            ["y", None, 1],
        ]
    }
    found = violations(facts, where)
    assert [(d.path, d.line) for d in found] == [("migrations/env.py", 3), ("migrations/env.py", 1)]
