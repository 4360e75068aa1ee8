from __future__ import annotations

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.report import github, json, text

D = Diagnostic("v/a.py", 3, 1, "AL301", "message `x`, 100%", "fix: it", "abc")
NAMES = {"AL301": "placeholder-message"}


def test_text_plain_and_color():
    plain = text([D], names=NAMES, color=False, checked=1)
    assert (
        plain
        == "v/a.py:3:1: AL301 message `x`, 100%\n    hint: fix: it\nFound 1 finding in 1 file (1 file checked).\n"
    )
    colored = text([D], names=NAMES, color=True, checked=2)
    assert "\033[1m\033[31mAL301\033[0m" in colored
    assert text([], names=NAMES, color=False, checked=2) == "All checks passed (2 files checked).\n"
    assert text([], names=NAMES, color=False, checked=0) == (
        "No revision files found: nothing was checked.\n"
    )


def test_json_keys():
    assert '"revision": "abc"' in json([D], names=NAMES, color=False, checked=1)
    assert json([], names=NAMES, color=False, checked=0) == "[]\n"


def test_github_escapes():
    d = D._replace(path="v/a,b:c.py", message="two\nlines")
    assert github([d], names=NAMES, color=False, checked=1) == (
        "::error file=v/a%2Cb%3Ac.py,line=3,col=1,title=AL301::two%0Alines%0Ahint: fix: it\n"
    )


def test_text_escapes_terminal_control_characters():
    evil = Diagnostic(
        "v/\x1b]0;x\x07.py", 1, 1, "AL107", "revision id `\x1b[2J\rab`", "hint\x1b[31m", "ab"
    )
    out = text([evil], names=NAMES, color=False, checked=1)
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert out.splitlines()[:2] == [
        "v/\\x1b]0;x\\x07.py:1:1: AL107 revision id `\\x1b[2J\\rab`",
        "    hint: hint\\x1b[31m",
    ]
    assert "café ü 中" in text(
        [D._replace(message="café ü 中")], names=NAMES, color=False, checked=1
    )
