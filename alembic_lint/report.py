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
    diagnostics: Sequence[Diagnostic], *, names: Mapping[str, str], color: bool, checked: int
) -> str:
    """``path:line:col: CODE message`` lines, indented hints, and a summary line."""
    lines: list[str] = []
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
    diagnostics: Sequence[Diagnostic], *, names: Mapping[str, str], color: bool, checked: int
) -> str:
    import json as _json

    return (
        _json.dumps(
            [
                {
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
    diagnostics: Sequence[Diagnostic], *, names: Mapping[str, str], color: bool, checked: int
) -> str:
    """GitHub Actions ``::error`` workflow commands, one per finding."""
    out = []
    for d in diagnostics:
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        props = f"file={_escape_property(d.path)},line={d.line},col={d.col},title={d.code}"
        out.append(f"::error {props}::{_escape_data(message)}")
    return "".join(line + "\n" for line in out)


Reporter = Callable[..., str]
REPORTERS: Mapping[str, Reporter] = {"text": text, "json": json, "github": github}
