"""The shipped hooks, run by the real pre-commit program on real commits and merges.

The hook repository is a snapshot of this work tree committed into a scratch repository, so the
test runs what is on disk (committed or not). pre-commit builds the hook's environment with pip,
which needs the package index: these tests are marked ``network``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alembic_lint.cli import main
from tests.builders import revision
from tests.gitutil import ENV, add_revision, commit, git, new_project

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable))
BASE = "7c1e9d0b4a52"


def test_hook_manifest_is_valid():
    assert PRE_COMMIT is not None
    done = subprocess.run(
        [PRE_COMMIT, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """This work tree's package, committed into a scratch repository: (path, commit)."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, snapshot / name)
    shutil.copytree(
        ROOT / "alembic_lint",
        snapshot / "alembic_lint",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    git(snapshot, "init", "-q", "-b", "main")
    commit(snapshot, "snapshot")
    return snapshot, git(snapshot, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def env(tmp_path_factory) -> dict[str, str]:
    return {**ENV, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home"))}


def install(repo: Path, hook_repo: tuple[Path, str], env: dict[str, str]) -> None:
    path, rev = hook_repo
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {path}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: alembic-lint\n"
        "        stages: [pre-commit, pre-merge-commit]\n"
    )
    assert PRE_COMMIT is not None
    for argv in (
        ["install", "--hook-type", "pre-commit", "--hook-type", "pre-merge-commit"],
        ["install-hooks"],
    ):
        done = subprocess.run(
            [PRE_COMMIT, *argv], cwd=repo, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "pre-commit")


def hooked(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A git command that runs the installed hooks; git sends their output to stderr, merged here."""
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def app(tmp_path, hook_repo, env) -> Path:
    repo = new_project(tmp_path / "app", pyproject="[tool.alembic-lint]\n")
    install(repo, hook_repo, env)
    return repo


@pytest.mark.network
def test_commits_with_problems_are_refused_until_fixed(app, env):
    versions = app / "migrations" / "versions"
    path = add_revision(app, "5d2e8a41c07f", BASE)
    path.write_text(revision("5d2e8a41c07f", BASE, downgrade="pass"))
    git(app, "add", ".")
    refused = hooked(app, env, "commit", "-m", "empty downgrade")
    assert refused.returncode == 1, refused.stdout
    assert "AL202 `downgrade()` is empty but `upgrade()` is not" in refused.stdout
    path.write_text(revision("5d2e8a41c07f", BASE, message="vXXX"))
    git(app, "add", ".")
    refused = hooked(app, env, "commit", "-m", "unfilled message")
    assert "AL301 revision message has an unfilled placeholder `vXXX`" in refused.stdout
    path.write_text(revision("5d2e8a41c07f", BASE, message="v002 add users.email"))
    git(app, "add", ".")
    accepted = hooked(app, env, "commit", "-m", "good revision")
    assert accepted.returncode == 0, accepted.stdout

    (versions / "e41f7b20c9d3_step.py").write_text(
        revision("e41f7b20c9d3", BASE, message="add orders")
    )
    git(app, "add", ".")
    refused = hooked(app, env, "commit", "-m", "second head")
    assert refused.returncode == 1
    assert (
        "AL101 multiple heads (unlabeled): `e41f7b20c9d3` competes with `5d2e8a41c07f`"
        in refused.stdout
    )
    (versions / "e41f7b20c9d3_step.py").write_text(
        revision("e41f7b20c9d3", "5d2e8a41c07f", message="add orders")
    )
    git(app, "add", ".")
    assert hooked(app, env, "commit", "-m", "on the head").returncode == 0


def branch_with(repo: Path, branch: str, rev: str, *, fix: bool = False) -> None:
    git(repo, "checkout", "-q", "-b", branch, "main")
    add_revision(repo, rev, BASE, f"add {branch}")
    if fix:
        assert main(["fix"]) == 0
    commit(repo, f"{branch} revision")
    git(repo, "checkout", "-q", "main")


@pytest.mark.network
def test_two_branches_are_caught_at_the_second_merge(app, env, monkeypatch, capsys):
    monkeypatch.chdir(app)
    branch_with(app, "feature-a", "5d2e8a41c07f")
    branch_with(app, "feature-b", "e41f7b20c9d3")
    first = hooked(app, env, "merge", "--no-ff", "--no-edit", "feature-a")
    assert first.returncode == 0, first.stdout

    git(app, "checkout", "-q", "feature-b")
    capsys.readouterr()
    assert main(["check", "--base", "main"]) == 1
    assert (
        "AL504 merging into `main` makes `e41f7b20c9d3` a second head beside `5d2e8a41c07f`"
        in capsys.readouterr().out
    )
    git(app, "checkout", "-q", "main")

    second = hooked(app, env, "merge", "--no-ff", "--no-edit", "feature-b")
    assert second.returncode != 0
    assert "AL101 multiple heads" in second.stdout
    assert main(["rebase"]) == 0
    assert "`e41f7b20c9d3` now revises `5d2e8a41c07f`" in capsys.readouterr().out
    git(app, "add", ".")
    done = hooked(app, env, "commit", "--no-edit")
    assert done.returncode == 0, done.stdout
    assert main(["check"]) == 0


@pytest.mark.network
def test_a_head_file_makes_the_second_merge_conflict(app, env, monkeypatch, capsys):
    monkeypatch.chdir(app)
    (app / "pyproject.toml").write_text('[tool.alembic-lint]\nhead-file = "migrations/HEAD"\n')
    assert main(["fix"]) == 0
    commit(app, "head file")
    branch_with(app, "feature-a", "5d2e8a41c07f", fix=True)
    branch_with(app, "feature-b", "e41f7b20c9d3", fix=True)
    assert hooked(app, env, "merge", "--no-ff", "--no-edit", "feature-a").returncode == 0
    conflict = hooked(app, env, "merge", "--no-ff", "--no-edit", "feature-b")
    assert conflict.returncode == 1
    assert "CONFLICT (content): Merge conflict in migrations/HEAD" in conflict.stdout
    capsys.readouterr()
    assert main(["check"]) == 1
    assert "AL505 head file has merge-conflict markers" in capsys.readouterr().out
    assert main(["rebase"]) == 0
    assert (app / "migrations" / "HEAD").read_text() == "e41f7b20c9d3\n"
    git(app, "add", ".")
    done = hooked(app, env, "commit", "--no-edit")
    assert done.returncode == 0, done.stdout


@pytest.mark.network
def test_deleting_or_renaming_away_a_parent_revision_is_refused(app, env):
    versions = app / "migrations" / "versions"
    add_revision(app, "5d2e8a41c07f", BASE, "v002 add users.email")
    git(app, "add", ".")
    assert hooked(app, env, "commit", "-m", "second revision").returncode == 0
    git(app, "rm", "-q", f"migrations/versions/{BASE}_step.py")
    refused = hooked(app, env, "commit", "-m", "drop the base")
    assert refused.returncode == 1, refused.stdout
    assert "AL103 `down_revision` names unknown revision `7c1e9d0b4a52`" in refused.stdout
    git(app, "reset", "-q", "--hard")
    (app / "attic").mkdir()
    git(app, "mv", f"migrations/versions/{BASE}_step.py", "attic/")
    refused = hooked(app, env, "commit", "-m", "move the base away")
    assert refused.returncode == 1, refused.stdout
    assert "AL103" in refused.stdout
    git(app, "reset", "-q", "--hard")
    assert (versions / f"{BASE}_step.py").is_file()


@pytest.mark.network
def test_an_unrelated_commit_passes_despite_an_old_per_file_finding(app, env):
    add_revision(app, "5d2e8a41c07f", BASE, "vXXX")
    commit(app, "an old placeholder, committed before the hook")  # --no-verify
    (app / "README.md").write_text("# app\n")
    git(app, "add", "README.md")
    done = hooked(app, env, "commit", "-m", "readme")
    assert done.returncode == 0, done.stdout
    assert "alembic-lint" in done.stdout and "Passed" in done.stdout
    # the old finding is still there for whoever touches that file
    path = app / "migrations" / "versions" / "5d2e8a41c07f_step.py"
    path.write_text(path.read_text() + "\n")
    git(app, "add", ".")
    refused = hooked(app, env, "commit", "-m", "touch it")
    assert refused.returncode == 1
    assert "AL301 revision message has an unfilled placeholder `vXXX`" in refused.stdout


@pytest.mark.network
def test_a_monorepo_needs_no_args(tmp_path, hook_repo, env):
    """pre-commit runs the hook from the root; the environments live in subdirectories."""
    repo = tmp_path / "mono"
    for service in ("billing", "users"):
        new_project(repo / service)
        shutil.rmtree(repo / service / ".git")
    (repo / "billing" / "pyproject.toml").write_text('[tool.alembic-lint]\nignore = ["AL301"]\n')
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "two services")
    install(repo, hook_repo, env)
    for service in ("billing", "users"):
        add_revision(repo / service, "5d2e8a41c07f", BASE, "vXXX")
    git(repo, "add", ".")
    refused = hooked(repo, env, "commit", "-m", "placeholders")
    assert refused.returncode == 1, refused.stdout
    assert "[users/alembic.ini]" in refused.stdout
    assert (
        "users/migrations/versions/5d2e8a41c07f_step.py:1:1: AL301 revision message has an "
        "unfilled placeholder `vXXX`" in refused.stdout
    )
    assert "billing/migrations/versions/5d2e8a41c07f_step.py:1:1: AL301" not in refused.stdout
    add_revision(repo / "users", "5d2e8a41c07f", BASE, "v002 add users.email")
    git(repo, "add", ".")
    done = hooked(repo, env, "commit", "-m", "messages")
    assert done.returncode == 0, done.stdout
