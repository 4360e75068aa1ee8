"""``alembic-lint drift`` on every drift fixture project, run as a user runs it.

From the fixture's root, with no flags and no configuration, only the environment variables its
``expected.json`` says a user has set: the outcome must be the one ``expected.json`` records (one
AL901 for the planted column), which ``tests/drift_fixtures_test.py`` proved with the real tools;
with the planted line removed, drift must be clean. Nothing may be written into the project (a
redirect that failed would leave the project's own SQLite file there).

Each test makes all its observations first and compares them in one final assertion, so that a
failure shows everything that differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.driftfixtures import NAMES, clean_env, copy_fixture, expected, too_old

BIN = Path(sys.executable).parent
FIXTURES = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            bool(too_old(expected(name)["requires"])), reason=too_old(expected(name)["requires"])
        ),
    )
    for name in NAMES
]


def pick(finding: dict[str, Any]) -> tuple[Any, ...]:
    return (finding["code"], finding["path"], finding["line"], finding["message"])


def drift(work: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "alembic-lint"), "drift", "--format", "json"],
        cwd=work,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=600,
    )


def written(work: Path) -> list[str]:
    """Database files in the project: drift must create its databases elsewhere."""
    return sorted(p.relative_to(work).as_posix() for p in work.rglob("*.db"))


@pytest.mark.parametrize("name", FIXTURES)
def test_drift_reports_the_planted_column(name, tmp_path):
    exp = expected(name)
    work = copy_fixture(name, tmp_path)
    proc = drift(work, exp["env"])
    want: tuple[Any, ...] = (exp["drift"]["exit"], list(map(pick, exp["drift"]["findings"])), [])
    files = written(work)
    assert (proc.returncode, list(map(pick, json.loads(proc.stdout))), files) == want, proc.stderr


@pytest.mark.parametrize("name", FIXTURES)
def test_drift_is_clean_without_the_planted_column(name, tmp_path):
    exp = expected(name)
    work = copy_fixture(name, tmp_path)
    models = work / exp["planted"]["file"]
    lines = models.read_text().splitlines(keepends=True)
    models.write_text(
        "".join(line for line in lines if line.rstrip("\n") != exp["planted"]["line"])
    )
    proc = drift(work, exp["env"])
    files = written(work)
    assert (proc.returncode, json.loads(proc.stdout), files) == (0, [], []), proc.stderr
