from __future__ import annotations

import re

import pytest

from alembic_lint import rules
from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic, UsageError
from tests.builders import parse, revision

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


def test_codes_are_unique_sorted_and_well_formed():
    codes = [rule.code for rule in rules.ALL_RULES]
    assert codes == sorted(set(codes))
    assert all(re.fullmatch(r"AL\d{3}", code) for code in codes)
    names = [rule.name for rule in rules.ALL_RULES]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", name) for name in names)


@pytest.mark.parametrize("rule", rules.ALL_RULES, ids=lambda r: r.code)
def test_every_rule_has_four_section_docs(rule):
    positions = [rule.doc.find(section) for section in SECTIONS]
    assert -1 not in positions, rule.code
    assert positions == sorted(positions)
    assert rule.summary


def test_defaults_match_the_catalog():
    opt_in = {rule.code for rule in rules.ALL_RULES if not rule.default}
    assert opt_in == {"AL109", "AL203", "AL205", "AL206", "AL302", "AL421", "AL422"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("AL101", {"AL101"}),
        ("al10", {f"AL10{i}" for i in range(1, 10)}),
        ("multiple-heads", {"AL101"}),
        ("AL2", {"AL201", "AL202", "AL203", "AL204", "AL205", "AL206"}),
    ],
)
def test_resolve(selector, expected):
    assert rules.resolve(selector, where="select") == expected


@pytest.mark.parametrize(
    "selector", ["AL999", "AL7", "multiple_heads", "", "A", "AL2x", "L1", "AL1011", "multiple-head"]
)
def test_resolve_rejects_unknown(selector):
    with pytest.raises(UsageError, match="select: unknown rule code or name"):
        rules.resolve(selector, where="select")


def test_enabled_codes():
    default = rules.enabled_codes(Settings())
    assert "AL101" in default and "AL205" not in default
    chosen = rules.enabled_codes(
        Settings(select=("AL1",), extend_select=("AL205",), ignore=("AL107",))
    )
    assert chosen == {f"AL10{i}" for i in range(1, 10)} - {"AL107"} | {"AL110", "AL205"}
    with_pattern = rules.enabled_codes(Settings(message_pattern=re.compile("x")))
    assert "AL302" in with_pattern
    with pytest.raises(UsageError, match="no `message-pattern`"):
        rules.enabled_codes(Settings(extend_select=("AL302",)))
    with pytest.raises(UsageError, match=r"per-file-ignores `x\.py`"):
        rules.enabled_codes(Settings(per_file_ignores=(("x.py", ("AL1O1",)),)))


def test_suppressed_by_noqa_and_per_file_ignores():
    src = (
        revision("7c1e9d0b4a52", None)
        + "# alembic-lint: noqa: AL305\nx = 1  # alembic-lint: noqa\n"
    )
    script = parse(src, "versions/x.py")
    diags = [
        Diagnostic("versions/x.py", 1, 1, "AL301", "m"),
        Diagnostic("versions/x.py", 5, 1, "AL305", "m"),
        Diagnostic("versions/x.py", 27, 1, "AL201", "m"),
        Diagnostic("versions/x.py", 27, 1, "AL004", "m"),
        Diagnostic("legacy/y.py", 1, 1, "AL202", "m"),
        Diagnostic("legacy/y.py", 1, 1, "AL301", "m"),
    ]
    kept = rules.suppressed(
        diags,
        scripts={"versions/x.py": script},
        settings=Settings(per_file_ignores=(("legacy/*", ("AL2",)),)),
    )
    assert [(d.path, d.code) for d in kept] == [
        ("versions/x.py", "AL301"),
        ("versions/x.py", "AL004"),
        ("legacy/y.py", "AL301"),
    ]


def test_all_and_redirects(monkeypatch):
    assert rules.resolve("all", where="select") == set(rules.BY_CODE)
    monkeypatch.setattr(rules, "REDIRECTS", {"AL150": "AL101", "old-name": "AL102"})
    assert rules.resolve("AL150", where="select") == {"AL101"}
    assert rules.resolve("old-name", where="select") == {"AL102"}


@pytest.mark.parametrize(
    "rule", [r for r in rules.ALL_RULES if r.scope == "drift"], ids=lambda r: r.code
)
def test_drift_rules_only_document(rule):
    """AL9xx records hold codes and docs, and no check: alembic_lint.drift produces them."""
    assert isinstance(rule, rules.DriftRule) and not hasattr(rule, "check")
    assert rule.doc.startswith("## What it does") and "## Use instead" in rule.doc


def test_prefixes_of_every_length():
    assert rules.resolve("AL", where="select") == set(rules.BY_CODE)
    assert rules.resolve("AL20", where="ignore") == {f"AL20{i}" for i in range(1, 7)}
    assert rules.resolve(" al201 ", where="ignore") == {"AL201"}


def test_select_all_leaves_out_al302_without_a_pattern():
    everything = rules.enabled_codes(Settings(select=("ALL",)))
    assert "AL302" not in everything and "AL205" in everything
    assert "AL302" not in rules.enabled_codes(Settings(select=("AL3",)))
    assert "AL302" in rules.enabled_codes(
        Settings(select=("ALL",), message_pattern=re.compile("x"))
    )
    with pytest.raises(UsageError, match="no `message-pattern`"):
        rules.enabled_codes(Settings(select=("message-pattern",)))


def test_records_replace_fields_and_refuse_unknown_ones():
    rule = rules.BY_CODE["AL201"]
    assert isinstance(rule, rules.RevisionRule)
    changed = rule._replace(default=False, unapplied=True)
    assert (changed.code, changed.default, changed.unapplied, changed.check) == (
        "AL201",
        False,
        True,
        rule.check,
    )
    assert rule.default and repr(rule) == "RevisionRule('AL201', 'missing-downgrade')"
    with pytest.raises(TypeError, match="no such fields: checks"):
        rule._replace(checks=None)
