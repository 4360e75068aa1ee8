"""list[Diagnostic] -> text, JSON or GitHub workflow commands. Reporters return strings; only cli prints."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from alembic_lint.diagnostics import Diagnostic

_BOLD, _RED, _CYAN, _RESET = "\033[1m", "\033[31m", "\033[36m", "\033[0m"


def printable(value: str) -> str:
    """Control characters (an ESC that would drive the terminal, a CR that would overwrite the
    line) shown as Python escapes: ids and messages come from files anyone may have written."""
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in value)


def text(
    diagnostics: Sequence[Diagnostic],
    *,
    names: Mapping[str, str],
    color: bool,
    checked: int,
    environment: str | None = None,
) -> str:
    """``path:line:col: CODE message`` lines, indented hints, and a summary line; with
    ``environment`` (several were linted), a ``[environment]`` header line first."""
    lines: list[str] = []
    if environment is not None:
        lines.append(f"{_BOLD}[{environment}]{_RESET}" if color else f"[{environment}]")
    for d in diagnostics:
        code = f"{_BOLD}{_RED}{d.code}{_RESET}" if color else d.code
        path = f"{_BOLD}{printable(d.path)}{_RESET}" if color else printable(d.path)
        lines.append(f"{path}:{d.line}:{d.col}: {code} {printable(d.message)}")
        if d.hint:
            hint = f"{_CYAN}hint:{_RESET}" if color else "hint:"
            lines.append(f"    {hint} {printable(d.hint)}")
    files = len({d.path for d in diagnostics})
    revisions = f"{checked} file{'s' if checked != 1 else ''}"
    if diagnostics:
        n = len(diagnostics)
        lines.append(
            f"Found {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''} ({revisions} checked)."
        )
    elif checked == 0:  # never "All checks passed" when nothing was checked
        lines.append("No revision files found: nothing was checked.")
    else:
        lines.append(f"All checks passed ({revisions} checked).")
    return "\n".join(lines) + "\n"


def json(
    diagnostics: Sequence[Diagnostic],
    *,
    names: Mapping[str, str],
    color: bool,
    checked: int,
    environment: str | None = None,
) -> str:
    """A JSON list of findings; with ``environment``, each carries an ``environment`` key."""
    import json as _json

    where = {} if environment is None else {"environment": environment}
    return (
        _json.dumps(
            [
                where
                | {
                    "code": d.code,
                    "name": names[d.code],
                    "path": d.path,
                    "line": d.line,
                    "column": d.col,
                    "message": d.message,
                    "hint": d.hint,
                    "revision": d.revision,
                }
                for d in diagnostics
            ],
            indent=2,
        )
        + "\n"
    )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(
    diagnostics: Sequence[Diagnostic],
    *,
    names: Mapping[str, str],
    color: bool,
    checked: int,
    environment: str | None = None,
) -> str:
    """GitHub Actions ``::error`` workflow commands, one per finding; with ``environment``, the
    title names it."""
    out = []
    where = "" if environment is None else f" ({environment})"
    for d in diagnostics:
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        title = _escape_property(d.code + where)
        props = f"file={_escape_property(d.path)},line={d.line},col={d.col},title={title}"
        out.append(f"::error {props}::{_escape_data(message)}")
    return "".join(line + "\n" for line in out)


Reporter = Callable[..., str]
REPORTERS: Mapping[str, Reporter] = {"text": text, "json": json, "github": github}

Section = tuple[str | None, Sequence[Diagnostic], int]
"""An environment's label (None where only one was linted), its findings, its files checked."""


def render(fmt: str, sections: Sequence[Section], *, names: Mapping[str, str], color: bool) -> str:
    """Several environments' reports as one output: text and github concatenated, JSON as one
    list."""
    reporter = REPORTERS[fmt]
    parts = [
        reporter(found, names=names, color=color, checked=checked, environment=label)
        for label, found, checked in sections
    ]
    if fmt != "json" or len(parts) == 1:
        return "".join(parts)
    import json as _json

    merged = [item for part in parts for item in _json.loads(part)]
    return _json.dumps(merged, indent=2) + "\n"
