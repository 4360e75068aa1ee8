"""The drift fixture projects are what they claim, proved with the real ``alembic`` / ``flask``.

For each ``fixtures/drift/<name>/``: a copy is pointed at scratch databases (SQLite files in the
test's directory, or new ``t_<random>`` databases on the local PostgreSQL server), upgraded to
heads by the real program, and ``alembic check`` (``flask db check``) must report exactly the
planted difference; with the planted line removed from the models it must report nothing. This
is the ground truth that ``tests/drift_templates_test.py`` holds ``alembic-lint drift`` to.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.driftfixtures import (
    DRIFT_FIXTURES,
    NAMES,
    alembic_versions,
    clean_env,
    copy_fixture,
    expected,
    postgres_database,
    scratch_value,
    set_ini_url,
    too_old,
)

BIN = Path(sys.executable).parent
PATTERNS = {
    "generic",
    "async",
    "multidb",
    "pyproject",
    "pyproject_async",
    "flask_factory",
    "fastapi_settings",
    "environ_url",
    "postgres",
    "postgres_async",
}
FIXTURES = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            bool(too_old(expected(name)["requires"])), reason=too_old(expected(name)["requires"])
        ),
    )
    for name in NAMES
]


def tool(command: str, *args: str) -> list[str]:
    """``alembic ARGS`` or, for Flask-Migrate, ``flask db ARGS``, from this environment."""
    if command == "flask":
        return [str(BIN / "flask"), "db", *args]
    return [str(BIN / "alembic"), *args]


def test_every_pattern_has_a_fixture():
    assert set(NAMES) == PATTERNS


def test_fixtures_hold_no_generated_files():
    leftovers = [
        p.relative_to(DRIFT_FIXTURES).as_posix()
        for p in DRIFT_FIXTURES.rglob("*")
        if p.name == "__pycache__" or p.suffix in (".db", ".pyc") or p.name == ".env"
    ]
    assert leftovers == []


@pytest.mark.parametrize("name", NAMES)
def test_fixture_has_models_and_two_revisions(name):
    exp = expected(name)
    root = DRIFT_FIXTURES / name
    revisions = [p for p in root.rglob("versions/*.py") if p.name != "__init__.py"]
    assert len(revisions) >= 2
    assert any(p.name.startswith(exp["head"] + "_") for p in revisions)
    assert exp["planted"]["line"] in (root / exp["planted"]["file"]).read_text().splitlines()
    assert (root / exp["drift"]["findings"][0]["path"]).is_file()


def test_too_old_names_the_missing_version():
    assert too_old({"alembic": "1.0", "sqlalchemy": "1.0"}) == ""
    assert too_old({"alembic": "999"}).startswith("needs alembic >= 999; ")


@pytest.mark.parametrize("name", FIXTURES)
def test_real_tools_report_exactly_the_planted_drift(name, tmp_path):
    exp = expected(name)
    database = exp["database"]
    work = copy_fixture(name, tmp_path / "project")
    with ExitStack() as stack:
        where: dict[str, str] = {}
        for target in dict.fromkeys(entry["database"] for entry in exp["scratch"]):
            if database["dialect"] == "sqlite":
                where[target] = str(tmp_path / f"{target}.db")
            else:
                where[target] = stack.enter_context(postgres_database())
        env = dict(exp["env"])
        for entry in exp["scratch"]:
            value = scratch_value(entry["value"], database, where[entry["database"]])
            if "ini" in entry:
                set_ini_url(work / entry["ini"], entry["section"], entry["key"], value)
            else:
                env[entry["env"]] = value
        env = clean_env(env)

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                tool(exp["command"], *args),
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )

        upgrade = run("upgrade", "heads")
        assert upgrade.returncode == 0, upgrade.stderr
        # the scratch databases, and only they, were migrated
        for target in where:
            assert alembic_versions(database, where[target]) == [exp["head"]]
        assert not list(work.rglob("*.db"))

        check = run("check")
        # alembic exits 255 on FAILED, flask db check 1
        assert check.returncode != 0
        found = f"New upgrade operations detected: [{exp['alembic_check']}]"
        assert found in check.stdout + check.stderr

        models = work / exp["planted"]["file"]
        lines = models.read_text().splitlines(keepends=True)
        models.write_text(
            "".join(line for line in lines if line.rstrip("\n") != exp["planted"]["line"])
        )
        clean = run("check")
        assert clean.returncode == 0, clean.stderr
        assert "No new upgrade operations detected" in clean.stdout + clean.stderr
