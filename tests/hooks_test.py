"""The shipped hook, run by the real pre-commit program against a scratch git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import revision

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "PRE_COMMIT_HOME": str(Path.home() / ".cache" / "alembic-lint-tests" / "pre-commit"),
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True)


def test_hook_manifest_is_valid():
    pre_commit = shutil.which("pre-commit", path=os.path.dirname(sys.executable))
    assert pre_commit is not None
    proc = subprocess.run(
        [pre_commit, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.network
def test_pre_commit_runs_the_hook(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():  # pragma: no cover
        pytest.skip("needs git and a git checkout of alembic-lint")
    pre_commit = shutil.which("pre-commit", path=os.path.dirname(sys.executable))
    assert pre_commit is not None
    repo = tmp_path / "app"
    versions = repo / "migrations" / "versions"
    versions.mkdir(parents=True)
    (repo / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (repo / "migrations" / "env.py").write_text("")
    (versions / "7c1e9d0b4a52_init.py").write_text(
        revision("7c1e9d0b4a52", None, message="create users")
    )
    (versions / "e41f7b20c9d3_email.py").write_text(
        revision("e41f7b20c9d3", "7c1e9d0b4a52", message="vXXX")
    )
    git(repo, "init", "-q")
    git(repo, "add", ".")

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(ROOT), "alembic-lint", "--all-files"],
            cwd=repo,
            env=ENV,
            capture_output=True,
            text=True,
        )

    failing = run()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "AL301 revision message has an unfilled placeholder `vXXX`" in failing.stdout
    (versions / "e41f7b20c9d3_email.py").write_text(
        revision("e41f7b20c9d3", "7c1e9d0b4a52", message="add users.email")
    )
    git(repo, "add", ".")
    passing = run()
    assert passing.returncode == 0, passing.stdout + passing.stderr
