"""``alembic-lint drift`` on public projects that ship their migrations and models on PyPI.

Each project is installed, at the version whose outcome was established by hand with the real
``alembic`` (see the ``Real`` records), into a fresh virtual environment together with alembic-lint
(drift runs in the user's own environment). Drift runs from the installed package's parent
directory, which is laid out as the project's source tree, with the project's own ``alembic.ini``
passed as ``-c`` (the option alembic takes; none of these projects keeps an ini at its root) and
nothing else: no ``--url``, no ``[tool.alembic-lint]``.

What is right for each, and why (SQLite, their default database):

- **mlflow-skinny 3.17.2** (``mlflow/store/db_migrations``, 76 revisions): MLflow builds a new
  database with ``InitialBase.metadata.create_all`` and only then upgrades; its base revision
  ``451aebb31d03`` begins with ``ALTER TABLE metrics``. ``alembic upgrade heads`` on an empty
  database fails there with ``no such table: metrics``. Right: one AL902 on that revision. (After
  MLflow's own ``create_all`` + upgrade, ``alembic check`` reports 16 differences.)
- **dagster 1.13.29** (``dagster/_core/storage/alembic``, 89 files, one shared by the run, event
  log and schedule storages): its env.py refuses to run without ``config.attributes["connection"]``
  ("If you are trying to run this script from the command line, STOP"), which drift provides.
  Dagster creates storages with ``create_all`` + stamp; from empty the early revisions return
  early (no tables) and ``b22f16781a7c`` (``011_wipe_schedules_table_for_0_10_0_sqlite_1.py``)
  fails with ``currently upgrading instance not set``. Right: one AL902 on that revision.
- **prefect 3.9.1** (``prefect/server/database/_migrations``, 235 revisions): env.py reads the URL
  from pydantic settings (``PREFECT_API_DATABASE_CONNECTION_URL``, default
  ``sqlite+aiosqlite:///$PREFECT_HOME/prefect.db``), builds its own async engine and runs the
  migrations through ``anyio.from_thread.run``: under ``alembic`` it raises ``NoEventLoopError``
  (only ``prefect server database upgrade``, which calls alembic from an AnyIO worker thread, can
  run it; that way it migrates from empty and ``alembic check`` reports 15 differences). Right,
  for a tool that runs env.py as alembic does: one AL905 on env.py naming ``NoEventLoopError``;
  and prefect's own database file is never created. Its revisions are in ``versions/sqlite`` and
  ``versions/postgresql``, which env.py picks at run time (``context.script.version_locations``),
  so the ini alone shows none: "All checks passed (0 files checked)" would be a false clean.

Marked ``network`` (PyPI). Every observation is made before one final assertion, so a failure
shows everything that differs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import pytest

from tests.driftfixtures import ROOT, clean_env


@dataclass(frozen=True)
class Real:
    requirements: tuple[str, ...]
    config: str  # the project's alembic.ini, relative to the directory drift runs in
    findings: tuple[tuple[str, str], ...]  # (code, path) of each expected finding
    mentions: tuple[str, ...]  # text the findings must carry (the database's or env.py's error)
    env: dict[str, str] = field(default_factory=dict)  # relative values are under tmp_path
    never_created: tuple[str, ...] = ()  # files under tmp_path that drift must not create


MIGRATIONS = {
    "mlflow": "mlflow/store/db_migrations",
    "dagster": "dagster/_core/storage/alembic",
    "prefect": "prefect/server/database/_migrations",
}
PROJECTS = {
    "mlflow": Real(
        requirements=("mlflow-skinny==3.17.2", "alembic", "SQLAlchemy"),
        config=f"{MIGRATIONS['mlflow']}/alembic.ini",
        findings=(("AL902", f"{MIGRATIONS['mlflow']}/versions/451aebb31d03_add_metric_step.py"),),
        mentions=("451aebb31d03", "no such table: metrics"),
    ),
    "dagster": Real(
        requirements=("dagster==1.13.29",),
        config="dagster/_core/storage/runs/sqlite/alembic/alembic.ini",
        findings=(
            (
                "AL902",
                f"{MIGRATIONS['dagster']}/versions/011_wipe_schedules_table_for_0_10_0_sqlite_1.py",
            ),
        ),
        mentions=("b22f16781a7c", "currently upgrading instance not set"),
        env={"DAGSTER_HOME": "dagster_home"},
    ),
    "prefect": Real(
        requirements=("prefect==3.9.1",),
        config="prefect/server/database/alembic.ini",
        findings=(("AL905", f"{MIGRATIONS['prefect']}/env.py"),),
        mentions=("NoEventLoopError",),
        env={"PREFECT_HOME": "prefect_home"},
        never_created=("prefect_home/prefect.db",),
    ),
}
WHERE = itemgetter("code", "path")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """alembic-lint built from a clean copy of the source tree."""
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"
    shutil.copytree(
        ROOT / "alembic_lint", source / "alembic_lint", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("alembic_lint-*.whl")
    return built


@pytest.mark.network
@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_drift_on_a_public_project(name, wheel, tmp_path):
    real = PROJECTS[name]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel), *real.requirements],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    env = {key: str(tmp_path / value) for key, value in real.env.items()}
    proc = subprocess.run(
        [str(venv / "bin" / "alembic-lint"), "drift", "--format", "json", "-c", real.config],
        cwd=site,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=600,
    )
    created = [path for path in real.never_created if (tmp_path / path).exists()]
    mentioned = all(map(proc.stdout.__contains__, real.mentions))
    want: tuple[object, ...] = (1, list(real.findings), True, [])
    got = (proc.returncode, list(map(WHERE, json.loads(proc.stdout))), mentioned, created)
    assert got == want, proc.stderr
