"""``--format junit`` from the real command line, read back with ``xml.etree`` as GitLab and
Jenkins read it."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from alembic_lint import rules
from alembic_lint.cli import main
from alembic_lint.diagnostics import Diagnostic
from alembic_lint.formats import RuleDoc, Run, Section
from alembic_lint.formats.junit import junit

ROOT = Path(__file__).resolve().parent.parent.parent


def run_junit(capsys, *args: str) -> tuple[int, ET.Element]:
    status = main([*args, "--format", "junit"])
    out = capsys.readouterr().out
    assert out.startswith("<?xml version='1.0' encoding='us-ascii'?>\n")
    return status, ET.fromstring(out)


def cases(suite: ET.Element) -> list[tuple[str, str, str | None]]:
    return [
        (case.attrib["classname"], case.attrib["name"], case.findtext("failure"))
        for case in suite.iter("testcase")
    ]


def counts(element: ET.Element) -> tuple[str, ...]:
    return tuple(element.attrib[key] for key in ("tests", "failures", "errors", "skipped"))


def test_one_failing_test_case_per_finding(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")
    monkeypatch.chdir(tmp_path / "shop")
    status, document = run_junit(capsys, "check")
    assert status == 1
    assert document.tag == "testsuites" and counts(document) == ("4", "4", "0", "0")
    [suite] = document
    assert suite.attrib["name"] == "alembic-lint" and counts(suite) == ("4", "4", "0", "0")
    orders = "alembic/versions/4b4255a742b1_create_orders_table.py"
    email = "alembic/versions/7b530901dae9_add_email_to_users.py"
    assert [(c, n) for c, n, _ in cases(suite)] == [
        (orders, "AL301 placeholder-message (line 1, column 1)"),
        (orders, "AL101 multiple-heads (line 15, column 1)"),
        (orders, "AL202 empty-downgrade (line 31, column 1)"),
        (email, "AL101 multiple-heads (line 15, column 1)"),
    ]
    first = suite.find("testcase")
    assert first is not None
    assert (first.attrib["file"], first.attrib["line"]) == (orders, "1")
    failure = first.find("failure")
    assert failure is not None
    assert failure.attrib == {
        "message": "revision message has an unfilled placeholder `vXXX`",
        "type": "AL301",
    }
    assert failure.text == (
        f"{orders}:1:1: AL301 revision message has an unfilled placeholder `vXXX`\n"
        "hint: write what the revision does, e.g. `v042 add users.email`\n"
        "revision: 4b4255a742b1"
    )


def test_a_clean_run_is_one_passing_test_case(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "fixtures" / "clean_linear", tmp_path / "clean")
    monkeypatch.chdir(tmp_path / "clean")
    status, document = run_junit(capsys, "check")
    assert status == 0
    [suite] = document
    [case] = suite
    assert case.attrib == {"classname": "alembic-lint", "name": "no findings"}
    assert list(case) == []  # passed: no failure, no skipped
    assert counts(document) == counts(suite) == ("1", "0", "0", "0")


def test_no_revision_file_is_a_skipped_test_case(tmp_path, monkeypatch, capsys):
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    status, document = run_junit(capsys, "check")
    assert status == 0
    skipped = document.find("testsuite/testcase/skipped")
    assert skipped is not None and skipped.attrib == {"message": "no revision files found"}
    assert counts(document) == ("1", "0", "0", "1")


def test_a_suite_per_environment(tmp_path, monkeypatch, capsys):
    from tests.monorepo_test import LABELS, monorepo

    monkeypatch.chdir(monorepo(tmp_path / "repo"))
    status, document = run_junit(capsys, "check")
    assert status == 1
    suites = {suite.attrib["name"]: suite for suite in document}
    assert sorted(suites) == LABELS
    tenant = cases(suites["tenants/alembic.ini [tenant]"])
    assert [(c, n) for c, n, _ in tenant] == [
        (
            "tenants/alembic.ini [tenant]/tenants/tenant/versions/7c1e9d0b4a52_init.py",
            "AL301 placeholder-message (line 1, column 1)",
        )
    ]
    assert tenant[0][2] is not None
    assert tenant[0][2].endswith("\nenvironment: tenants/alembic.ini [tenant]")
    assert cases(suites["web/migrations/alembic.ini"]) == [
        ("web/migrations/alembic.ini", "no findings", None)
    ]
    total = sum(int(suite.attrib["tests"]) for suite in document)
    failed = sum(int(suite.attrib["failures"]) for suite in document)
    assert counts(document) == (str(total), str(failed), "0", "0") and failed > 1


def test_characters_xml_cannot_carry_are_escaped():
    evil = Diagnostic("v/\x1b\udcff ü.py", 1, 1, "AL107", "id `\x00\x1b[2J` & <b>", "a\x0cb", "ab")
    doc = RuleDoc("placeholder-revision-id", "", "", True)
    out = junit([Section(None, [evil], 1)], Run(rules={"AL107": doc}, root="/", cwd="/"))
    assert out.isascii()
    case = ET.fromstring(out).find("testsuite/testcase")
    assert case is not None
    assert case.attrib["classname"] == "v/\\x1b\\udcff ü.py"
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "id `\\x00\\x1b[2J` & <b>"
    assert failure.text is not None and "hint: a\\x0cb" in failure.text


def test_every_rule_name_is_known_to_the_format():
    """A finding of any rule can be written (the name comes from the registry)."""
    described = {c: RuleDoc(r.name, r.summary, r.doc, r.default) for c, r in rules.BY_CODE.items()}
    found = [Diagnostic("v/a.py", 1, 1, code, "m") for code in described]
    document = ET.fromstring(junit([Section(None, found, 1)], Run(described, "/", "/")))
    assert counts(document) == (str(len(found)), str(len(found)), "0", "0")
