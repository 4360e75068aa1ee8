"""Byte-preserving edits of a revision file: ``down_revision``, the docstring's id lines and
its message.

The file is decoded with its own encoding, only the characters of the edited value change, and it
is encoded back the same way: BOM, encoding cookie, line endings and layout are kept.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

from alembic_lint.diagnostics import UsageError

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


class _Source:
    def __init__(self, data: bytes, path: str) -> None:
        # The cookie is looked for in the first two lines as CPython counts them: a lone CR
        # ends a line too, where `detect_encoding`'s readline would see one long line.
        lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        try:
            self.encoding = tokenize.detect_encoding(io.BytesIO(lines).readline)[0]
            if self.encoding == "utf-8-sig":
                self.encoding = "utf-8"  # so that the BOM stays in the text as U+FEFF
            self.text = data.decode(self.encoding)
        except (SyntaxError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"{path}: cannot rewrite a file that cannot be decoded: {exc}"
            ) from None
        self.lines = [m.group(0) for m in _LINE.finditer(self.text)][:-1] or [""]

    def offset(self, lineno: int, col: int) -> int:
        """Character offset of an ast (line, UTF-8 byte column) position."""
        line = self.lines[lineno - 1]
        bom = 1 if lineno == 1 and line.startswith("\ufeff") else 0
        body = line[bom:]
        chars = len(body.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        return sum(len(x) for x in self.lines[: lineno - 1]) + bom + chars

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def _literal(ids: tuple[str, ...], quote: str) -> str:
    if not ids:
        return "None"
    items = [f"{quote}{i}{quote}" for i in ids]
    return items[0] if len(items) == 1 else f"({', '.join(items)})"


def _module(source: _Source, path: str) -> ast.Module:
    try:
        return ast.parse(source.text.lstrip("\ufeff"))
    except SyntaxError as exc:
        raise UsageError(f"{path}: cannot rewrite a file that does not parse: {exc.msg}") from None


def set_down_revision(data: bytes, ids: tuple[str, ...], *, path: str) -> bytes:
    """Point the (last) module-level ``down_revision`` at ``ids``, and the docstring's ``Revises:``."""
    source = _Source(data, path)
    tree = _module(source, path)
    value: ast.expr | None = None
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "down_revision" for t in stmt.targets)
        ) or (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "down_revision"
            and stmt.value is not None
        ):
            value = stmt.value
    if value is None or value.end_lineno is None or value.end_col_offset is None:
        raise UsageError(f"{path}: no `down_revision = ...` assignment to rewrite")
    start = source.offset(value.lineno, value.col_offset)
    end = source.offset(value.end_lineno, value.end_col_offset)
    original = source.text[start:end]
    quote = "'" if original.lstrip("([ ").startswith("'") else '"'
    text = source.text[:start] + _literal(ids, quote) + source.text[end:]
    rewritten = source.encode(text)
    return set_doc_line(rewritten, "Revises", ", ".join(ids), path=path)


def set_doc_line(data: bytes, label: str, value: str, *, path: str) -> bytes:
    """Rewrite the ``label:`` line of the module docstring (``Revision ID`` or ``Revises``), if it
    has one; the rest of the file is untouched."""
    source = _Source(data, path)
    tree = _module(source, path)
    first = tree.body[0] if tree.body else None
    if not (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
        and first.end_lineno is not None
    ):
        return data
    # the value runs to the end of the line, or to the closing quotes on the docstring's last line
    pattern = re.compile(rf"([ \t]*{re.escape(label)}:).*?((?:\"\"\"|\'\'\')?[ \t]*)")
    lines = list(source.lines)
    for index in range(first.lineno - 1, first.end_lineno):
        body = lines[index].rstrip("\r\n")
        match = pattern.fullmatch(body)
        if match is not None:
            ending = lines[index][len(body) :]
            lines[index] = f"{match.group(1)} {value}".rstrip() + match.group(2).strip() + ending
            return source.encode("".join(lines))
    return data


def replace_in_message(data: bytes, old: str, new: str, *, path: str) -> bytes:
    """Replace the first ``old`` in the message (the docstring's first line) by ``new``."""
    source = _Source(data, path)
    tree = _module(source, path)
    first = tree.body[0] if tree.body else None
    if not (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return data
    lines = list(source.lines)
    for index in range(first.lineno - 1, first.end_lineno or first.lineno):
        if not lines[index].strip(" \t\r\n\ufeff\"'rRuU"):
            continue  # the opening quotes on a line of their own
        at = lines[index].find(old)
        if at >= 0:
            lines[index] = lines[index][:at] + new + lines[index][at + len(old) :]
            return source.encode("".join(lines))
        break  # only the first line of text is the message
    return data
