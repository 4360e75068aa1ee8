"""The built wheel carries every package of the source tree (a missing subpackage only shows up
once installed, as `ModuleNotFoundError` in a user's hook)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.network
def test_the_wheel_has_every_package(tmp_path):
    source = tmp_path / "source"  # a clean copy: a stale build/ directory would hide a gap
    shutil.copytree(
        ROOT / "alembic_lint", source / "alembic_lint", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("alembic_lint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in ROOT.joinpath("alembic_lint").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names
    assert "alembic_lint/drift/guard.py" in names
    extensions = ROOT / "alembic_lint" / "drift" / "pg_extensions" / "extension"
    shipped = sorted(path.name for path in extensions.iterdir())
    assert shipped == [
        "pgcrypto--1.3.sql",
        "pgcrypto.control",
        "uuid-ossp--1.1.sql",
        "uuid-ossp.control",
    ]
    for name in shipped:
        assert f"alembic_lint/drift/pg_extensions/extension/{name}" in names
