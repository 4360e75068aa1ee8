"""Findings -> one output string: the text, JSON and GitHub formats, ``--statistics``, and the
choice of format and colour. SARIF and JUnit XML live in ``alembic_lint.formats``. Reporters
return strings; only cli prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from alembic_lint.formats import RuleDoc, Run, Section

__all__ = ["FORMATS", "RuleDoc", "Run", "Section", "codes", "render", "use_color"]

_BOLD, _RED, _CYAN, _RESET = "\033[1m", "\033[31m", "\033[36m", "\033[0m"


def printable(value: str) -> str:
    """Control characters (an ESC that would drive the terminal, a CR that would overwrite the
    line) shown as Python escapes: ids and messages come from files anyone may have written."""
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in value)


def use_color(mode: str, *, environ: Mapping[str, str], isatty: bool) -> bool:
    """``--color``: ``always`` and ``never`` decide; ``auto`` colours a terminal, unless
    ``NO_COLOR`` is set (no-color.org) or ``TERM`` is ``dumb``, and ``FORCE_COLOR`` colours
    anything (force-color.org). Either variable counts only when not empty; where both are set,
    ``NO_COLOR`` wins, as in CPython's own colouring."""
    if mode != "auto":
        return mode == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return isatty and environ.get("TERM") != "dumb"


def _paint(value: str, style: str, color: bool) -> str:
    return f"{style}{value}{_RESET}" if color else value


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _summary(section: Section) -> str:
    found, checked = section.diagnostics, section.checked
    if found:
        files = len({d.path for d in found})
        return (
            f"Found {_plural(len(found), 'finding')} in {_plural(files, 'file')} "
            f"({_plural(checked, 'file')} checked)."
        )
    if checked == 0:  # never "All checks passed" when nothing was checked
        return "No revision files found: nothing was checked."
    return f"All checks passed ({_plural(checked, 'file')} checked)."


def _lines(sections: Sequence[Section], run: Run, body: Callable[[Section], list[str]]) -> str:
    """Each environment's header line (where there are several), body and summary; ``-q``
    leaves out the summaries and the environments without findings."""
    lines: list[str] = []
    for section in sections:
        if not run.summary and not section.diagnostics:
            continue
        if section.environment is not None:
            lines.append(_paint(f"[{section.environment}]", _BOLD, run.color))
        lines.extend(body(section))
        if run.summary:
            lines.append(_summary(section))
    return "".join(line + "\n" for line in lines)


def text(sections: Sequence[Section], run: Run) -> str:
    """``path:line:col: CODE message`` lines with indented hints, and a summary line."""

    def body(section: Section) -> list[str]:
        lines = []
        for d in section.diagnostics:
            code = _paint(d.code, _BOLD + _RED, run.color)
            path = _paint(printable(d.path), _BOLD, run.color)
            lines.append(f"{path}:{d.line}:{d.col}: {code} {printable(d.message)}")
            if d.hint:
                lines.append(f"    {_paint('hint:', _CYAN, run.color)} {printable(d.hint)}")
        return lines

    return _lines(sections, run, body)


def _dumps(items: list[dict[str, object]]) -> str:
    import json as _json

    return _json.dumps(items, indent=2) + "\n"


def _where(section: Section) -> dict[str, object]:
    return {} if section.environment is None else {"environment": section.environment}


def json(sections: Sequence[Section], run: Run) -> str:
    """One JSON list of findings; where several environments were linted, each finding carries
    an ``environment`` key."""
    return _dumps(
        [
            _where(section)
            | {
                "code": d.code,
                "name": run.rules[d.code].name,
                "path": d.path,
                "line": d.line,
                "column": d.col,
                "message": d.message,
                "hint": d.hint,
                "revision": d.revision,
            }
            for section in sections
            for d in section.diagnostics
        ]
    )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(sections: Sequence[Section], run: Run) -> str:
    """GitHub Actions ``::error`` workflow commands, one per finding; where several
    environments were linted, the title names the finding's."""
    out = []
    for section in sections:
        where = "" if section.environment is None else f" ({section.environment})"
        for d in section.diagnostics:
            message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
            title = _escape_property(d.code + where)
            props = f"file={_escape_property(d.path)},line={d.line},col={d.col},title={title}"
            out.append(f"::error {props}::{_escape_data(message)}\n")
    return "".join(out)


def _counts(section: Section) -> list[tuple[str, int]]:
    """Codes by how often they were found, most first (then by code), as ruff counts."""
    counted = Counter(d.code for d in section.diagnostics)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def statistics_text(sections: Sequence[Section], run: Run) -> str:
    """``--statistics``: a ``count<TAB>CODE<TAB>name`` line per code, instead of the findings."""

    def body(section: Section) -> list[str]:
        counts = _counts(section)
        width = max((len(str(n)) for _, n in counts), default=1)
        return [
            f"{n:>{width}}\t{_paint(code, _BOLD + _RED, run.color)}\t{run.rules[code].name}"
            for code, n in counts
        ]

    return _lines(sections, run, body)


def statistics_json(sections: Sequence[Section], run: Run) -> str:
    """``--statistics --format json``: a list of ``code``, ``name`` and ``count`` objects."""
    return _dumps(
        [
            _where(section) | {"code": code, "name": run.rules[code].name, "count": n}
            for section in sections
            for code, n in _counts(section)
        ]
    )


def _sarif(sections: Sequence[Section], run: Run) -> str:
    from alembic_lint.formats.sarif import sarif

    return sarif(sections, run)


def _junit(sections: Sequence[Section], run: Run) -> str:
    from alembic_lint.formats.junit import junit

    return junit(sections, run)


Reporter = Callable[[Sequence[Section], Run], str]
REPORTERS: Mapping[str, Reporter] = {
    "text": text,
    "json": json,
    "github": github,
    "sarif": _sarif,
    "junit": _junit,
}
FORMATS = tuple(REPORTERS)
STATISTICS: Mapping[str, Reporter] = {"text": statistics_text, "json": statistics_json}
"""The formats ``--statistics`` speaks (as ruff, which refuses it with the others)."""


def render(fmt: str, sections: Sequence[Section], run: Run, *, statistics: bool = False) -> str:
    """Every environment's findings in one output: one JSON list, one SARIF run, one JUnit
    document; colour only in the text format."""
    reporters = STATISTICS if statistics else REPORTERS
    return reporters[fmt](sections, run._replace(color=run.color and fmt == "text"))


def codes(sections: Sequence[Section]) -> set[str]:
    """The codes the findings carry: the rules a ``Run`` must describe."""
    return {d.code for section in sections for d in section.diagnostics}
