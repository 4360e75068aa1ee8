from __future__ import annotations

import json as _json

import pytest

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.report import (
    FORMATS,
    RuleDoc,
    Run,
    Section,
    github,
    json,
    render,
    statistics_json,
    statistics_text,
    text,
    use_color,
)

D = Diagnostic("v/a.py", 3, 1, "AL301", "message `x`, 100%", "fix: it", "abc")
RULES = {
    "AL101": RuleDoc("multiple-heads", "Reports two heads", "## What it does\nReports.", True),
    "AL107": RuleDoc("placeholder-revision-id", "Reports ids", "## What it does\nIds.", True),
    "AL202": RuleDoc("empty-downgrade", "Reports empty", "## What it does\nEmpty.", True),
    "AL301": RuleDoc("placeholder-message", "Reports vXXX", "## What it does\nvXXX.", True),
}
RUN = Run(rules=RULES, root="/repo", cwd="/repo")


def one(*found: Diagnostic, checked: int = 1, environment: str | None = None) -> list[Section]:
    return [Section(environment, found, checked)]


def test_text_plain_and_color():
    assert text(one(D), RUN) == (
        "v/a.py:3:1: AL301 message `x`, 100%\n"
        "    hint: fix: it\n"
        "Found 1 finding in 1 file (1 file checked).\n"
    )
    colored = text(one(D, checked=2), RUN._replace(color=True))
    assert "\033[1m\033[31mAL301\033[0m" in colored
    assert "\033[36mhint:\033[0m" in colored
    assert text(one(checked=2), RUN) == "All checks passed (2 files checked).\n"
    assert text(one(checked=0), RUN) == "No revision files found: nothing was checked.\n"


def test_text_names_each_environment_and_quiet_keeps_only_findings():
    sections = [
        Section("backend/alembic.ini", [D], 2),
        Section("tenants/alembic.ini [core]", [], 1),
    ]
    assert text(sections, RUN) == (
        "[backend/alembic.ini]\n"
        "v/a.py:3:1: AL301 message `x`, 100%\n"
        "    hint: fix: it\n"
        "Found 1 finding in 1 file (2 files checked).\n"
        "[tenants/alembic.ini [core]]\n"
        "All checks passed (1 file checked).\n"
    )
    quiet = RUN._replace(summary=False)
    assert text(sections, quiet) == (
        "[backend/alembic.ini]\nv/a.py:3:1: AL301 message `x`, 100%\n    hint: fix: it\n"
    )
    assert text(one(checked=3), quiet) == ""


def test_json_keys_and_environments():
    [item] = _json.loads(json(one(D), RUN))
    assert item == {
        "code": "AL301",
        "name": "placeholder-message",
        "path": "v/a.py",
        "line": 3,
        "column": 1,
        "message": "message `x`, 100%",
        "hint": "fix: it",
        "revision": "abc",
    }
    assert json(one(checked=0), RUN) == "[]\n"
    sections = [Section("a.ini", [D], 1), Section("b.ini", [D._replace(path="w/b.py")], 1)]
    merged = _json.loads(json(sections, RUN))
    assert [(i["environment"], i["path"]) for i in merged] == [
        ("a.ini", "v/a.py"),
        ("b.ini", "w/b.py"),
    ]


def test_github_escapes():
    d = D._replace(path="v/a,b:c.py", message="two\nlines")
    assert github(one(d), RUN) == (
        "::error file=v/a%2Cb%3Ac.py,line=3,col=1,title=AL301::two%0Alines%0Ahint: fix: it\n"
    )
    assert github(one(D, environment="x.ini"), RUN).startswith(
        "::error file=v/a.py,line=3,col=1,title=AL301 (x.ini)::"
    )


def test_text_escapes_terminal_control_characters():
    evil = Diagnostic(
        "v/\x1b]0;x\x07.py", 1, 1, "AL107", "revision id `\x1b[2J\rab`", "hint\x1b[31m", "ab"
    )
    out = text(one(evil), RUN)
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert out.splitlines()[:2] == [
        "v/\\x1b]0;x\\x07.py:1:1: AL107 revision id `\\x1b[2J\\rab`",
        "    hint: hint\\x1b[31m",
    ]
    assert "café ü 中" in text(one(D._replace(message="café ü 中")), RUN)


HEADS = [D._replace(code="AL101", line=14), D._replace(code="AL101", path="v/b.py", line=14)]
FOUND = one(D, *HEADS, D._replace(code="AL202", line=24), checked=5)


def test_statistics_count_per_code_most_first_then_by_code():
    assert statistics_text(FOUND, RUN) == (
        "2\tAL101\tmultiple-heads\n"
        "1\tAL202\tempty-downgrade\n"
        "1\tAL301\tplaceholder-message\n"
        "Found 4 findings in 2 files (5 files checked).\n"
    )
    assert _json.loads(statistics_json(FOUND, RUN)) == [
        {"code": "AL101", "name": "multiple-heads", "count": 2},
        {"code": "AL202", "name": "empty-downgrade", "count": 1},
        {"code": "AL301", "name": "placeholder-message", "count": 1},
    ]
    assert statistics_text(one(checked=2), RUN) == "All checks passed (2 files checked).\n"
    assert statistics_json(one(checked=2), RUN) == "[]\n"


def test_statistics_align_counts_and_name_environments():
    many = one(*[D] * 12, D._replace(code="AL202"), environment="a.ini")
    assert statistics_text(many, RUN._replace(summary=False)) == (
        "[a.ini]\n12\tAL301\tplaceholder-message\n 1\tAL202\tempty-downgrade\n"
    )
    assert _json.loads(statistics_json(many, RUN))[0] == {
        "environment": "a.ini",
        "code": "AL301",
        "name": "placeholder-message",
        "count": 12,
    }


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "text"])
def test_colour_never_reaches_the_machine_formats(fmt):
    out = render(fmt, FOUND, RUN._replace(color=True))
    assert "\033" not in out and "AL101" in out


def test_render_colours_text_and_counts_with_statistics():
    assert "\033[" in render("text", FOUND, RUN._replace(color=True))
    assert render("text", FOUND, RUN, statistics=True) == statistics_text(FOUND, RUN)
    assert render("json", FOUND, RUN, statistics=True) == statistics_json(FOUND, RUN)


@pytest.mark.parametrize(
    ("mode", "environ", "isatty", "expected"),
    [
        pytest.param("always", {"NO_COLOR": "1"}, False, True, id="always-beats-NO_COLOR"),
        pytest.param("never", {"FORCE_COLOR": "1"}, True, False, id="never-beats-FORCE_COLOR"),
        pytest.param("auto", {}, True, True, id="terminal"),
        pytest.param("auto", {}, False, False, id="pipe"),
        pytest.param("auto", {"NO_COLOR": "1"}, True, False, id="NO_COLOR"),
        pytest.param("auto", {"NO_COLOR": ""}, True, True, id="empty-NO_COLOR-counts-not"),
        pytest.param("auto", {"FORCE_COLOR": "1"}, False, True, id="FORCE_COLOR"),
        pytest.param("auto", {"FORCE_COLOR": "0"}, False, True, id="FORCE_COLOR-any-value"),
        pytest.param("auto", {"FORCE_COLOR": ""}, False, False, id="empty-FORCE_COLOR-counts-not"),
        pytest.param("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False, id="both"),
        pytest.param("auto", {"TERM": "dumb"}, True, False, id="dumb-terminal"),
        pytest.param("auto", {"TERM": "dumb", "FORCE_COLOR": "1"}, False, True, id="dumb-forced"),
    ],
)
def test_use_color(mode, environ, isatty, expected):
    assert use_color(mode, environ=environ, isatty=isatty) is expected
