from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alembic_lint import rules
from alembic_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("rule", rules.ALL_RULES, ids=lambda r: r.code)
def test_every_rule_is_in_the_readme_table(rule):
    default = "on" if rule.default else "opt-in"
    row = re.search(
        rf"^\| {rule.code} \| {rule.name} \| ([^|]+) \| `alembic-lint rule {rule.code}` \|$",
        README,
        re.M,
    )
    assert row is not None, rule.code
    assert row.group(1).startswith(default)


def test_every_hook_id_is_in_the_readme():
    ids = re.findall(r"^- id: (\S+)$", (ROOT / ".pre-commit-hooks.yaml").read_text(), re.M)
    assert ids
    for hook_id in ids:
        assert f"| `{hook_id}` |" in README


def test_ci_runs_the_readme_test_command():
    command = re.search(
        r"^python3 -m venv \.venv && \. \.venv/bin/activate && python3 -m pip install -e '\.\[test\]' && (.+)$",
        README,
        re.M,
    )
    assert command is not None
    assert command.group(1) in (ROOT / ".ci" / "run").read_text()


def test_the_first_command_lints_the_example_and_finds_the_planted_defects(tmp_path, monkeypatch):
    first = re.search(r"^(python3 -m venv .*examples/shop && alembic-lint check\))$", README, re.M)
    assert first is not None
    shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")
    monkeypatch.chdir(tmp_path / "shop")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["check", "--format", "json"]) == 1
    codes = sorted(d["code"] for d in json.loads(out.getvalue()))
    assert codes == ["AL101", "AL101", "AL202", "AL301"]
    assert "reports AL301 (`vXXX`), AL101 twice (the two heads) and AL202" in README


def test_the_repositorys_own_hook_passes_only_on_the_planted_defects(tmp_path):
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    assert "entry: python3 examples/check_example.py" in config
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = [sys.executable, str(tmp_path / "examples" / "check_example.py")]
    assert subprocess.run(script, env=env, capture_output=True, check=False).returncode == 0
    revision = tmp_path / "examples" / "shop" / "alembic" / "versions"
    path = revision / "4b4255a742b1_create_orders_table.py"
    path.write_text(path.read_text().replace('"""vXXX', '"""create orders table'))
    done = subprocess.run(script, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "examples/shop: expected exit 1 with" in done.stderr


def test_no_unpublished_install_or_missing_tag_is_advertised():
    assert "pip install alembic-lint" not in README
    assert "rev: v" not in README
    assert not re.search(r"(^|[ `])python -m", README, re.M)
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert (ROOT / "CHANGELOG.md").is_file()
