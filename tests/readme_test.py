from __future__ import annotations

import re
from pathlib import Path

import pytest

from alembic_lint import rules

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
        r"^python3 -m venv \.venv && \. \.venv/bin/activate && python -m pip install -e '\.\[test\]' && (.+)$",
        README,
        re.M,
    )
    assert command is not None
    assert command.group(1) in (ROOT / ".ci" / "run").read_text()
