"""Scratch git repositories holding an Alembic project, for the git-aware tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.builders import revision

BASE = "7c1e9d0b4a52"
"""The base revision of ``new_project``."""

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def commit(cwd: Path, message: str) -> None:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", message)


def add_revision(
    root: Path, rev: str, down: str | tuple[str, ...] | None, message: str = "add something"
) -> Path:
    path = root / "migrations" / "versions" / f"{rev}_step.py"
    path.write_text(revision(rev, down, message=message))
    return path


def new_project(root: Path, *, pyproject: str = "") -> Path:
    """A git repository on ``main`` with an Alembic project and one committed base revision."""
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (root / "migrations" / "env.py").write_text("")
    if pyproject:
        (root / "pyproject.toml").write_text(pyproject)
    git(root, "init", "-q", "-b", "main")
    add_revision(root, BASE, None, "create users")
    commit(root, "initial history")
    return root


def two_branches(repo: Path) -> None:
    """main gains 5d2e8a41c07f; branch `feature` (checked out) adds e41f7b20c9d3 on the old head."""
    git(repo, "checkout", "-q", "-b", "feature")
    add_revision(repo, "e41f7b20c9d3", BASE, "add orders")
    commit(repo, "feature revision")
    git(repo, "checkout", "-q", "main")
    add_revision(repo, "5d2e8a41c07f", BASE, "add users.email")
    commit(repo, "main revision")
    git(repo, "checkout", "-q", "feature")
