"""The parser: one revision file's bytes -> RevisionScript, read from the ``ast``, never run.

The records live in ``script``, which imports nothing of this module: whoever parses imports
this module inside the function that parses, so that a run served from the cache never
imports ``ast``.
"""

from __future__ import annotations

import ast
import io
import re

from alembic_lint import opread
from alembic_lint.opread import ModuleContext
from alembic_lint.script import (
    AUTOGENERATE_MARKER,
    BodyKind,
    Function,
    NonLiteral,
    Noqa,
    ParseResult,
    RevisionScript,
    ScriptError,
)

_MARKER_BYTES = AUTOGENERATE_MARKER.encode()
_LEGACY_REV = r"([a-f0-9]+)\.py$"
_DIRECTIVE = r"(?i)#\s*alembic-lint\s*:(?P<body>.*)$"
_NOQA_BODY = r"(?i)\s*noqa\s*(?::\s*(?P<codes>[A-Za-z]+\d+(?:\s*,?\s*[A-Za-z]+\d+)*)\s*,?)?\s*$"
_MENTIONS_TOOL = rb"(?i)alembic-lint"
_CODE = r"[A-Za-z]+\d+"
_DOC_REVISION_ID = r"(?m)^[ \t]*Revision ID:[ \t]*(.*?)[ \t]*$"
_DOC_REVISES = r"(?m)^[ \t]*Revises:[ \t]*(.*?)[ \t]*$"


class _NotLiteral(Exception):
    pass


def _strings(node: ast.expr, *, allow_expressions: bool) -> tuple[str, ...]:
    """A str, None, or a tuple/list of str as alembic's ``util.to_tuple`` would see it."""
    if isinstance(node, ast.Constant):
        if node.value is None:
            return ()
        if isinstance(node.value, str):
            return (node.value,)
    elif isinstance(node, (ast.Tuple, ast.List)):
        out: list[str] = []
        for elt in node.elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                out.append(elt.value)
            elif allow_expressions:
                out.append(ast.unparse(elt))
            else:
                raise _NotLiteral
        return tuple(out)
    if allow_expressions:
        return (ast.unparse(node),)
    raise _NotLiteral


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level name -> last assigned value expression, as executing the module would leave it."""
    found: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = stmt.value
                elif (
                    isinstance(target, ast.Tuple)
                    and isinstance(stmt.value, ast.Tuple)
                    and len(target.elts) == len(stmt.value.elts)
                ):
                    for name, value in zip(target.elts, stmt.value.elts, strict=True):
                        if isinstance(name, ast.Name):
                            found[name.id] = value
        elif (
            isinstance(stmt, ast.AnnAssign)
            and stmt.value is not None
            and isinstance(stmt.target, ast.Name)
        ):
            found[stmt.target.id] = stmt.value
    return found


def _is_noop(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Expr):
        return isinstance(stmt.value, ast.Constant)
    if isinstance(stmt, ast.Return):
        return stmt.value is None or (
            isinstance(stmt.value, ast.Constant) and stmt.value.value is None
        )
    return False


def _classify(body: list[ast.stmt]) -> BodyKind:
    meaningful = [stmt for stmt in body if not _is_noop(stmt)]
    if not meaningful:
        return "empty"
    if all(isinstance(stmt, ast.Raise) for stmt in meaningful):
        return "raises"
    return "ops"


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef, context: ModuleContext) -> Function:
    return Function(
        node.lineno, node.col_offset + 1, _classify(node.body), opread.operations(node, context)
    )


def _noqa(data: bytes) -> tuple[tuple[Noqa, ...], tuple[tuple[int, int, str], ...]]:
    import tokenize  # slow to import; only files that mention alembic-lint need it

    good: list[Noqa] = []
    bad: list[tuple[int, int, str]] = []
    # CPython's tokenizer reads `\r\n` and a lone `\r` as `\n`; `tokenize` splits on `\n` only,
    # so a lone-CR file would be one long line with every directive on line 1.
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        comments = [
            t for t in tokenize.tokenize(io.BytesIO(lines).readline) if t.type == tokenize.COMMENT
        ]
    except (SyntaxError, tokenize.TokenError, UnicodeDecodeError, LookupError):  # pragma: no cover
        comments = []  # ast.parse accepted the file, so tokenize should too: never fail on it
    for tok in comments:
        match = re.search(_DIRECTIVE, tok.string)
        if match is None:
            continue
        line, col = tok.start
        col += match.start()
        body = re.fullmatch(_NOQA_BODY, match.group("body"))
        if body is None:
            bad.append((line, col + 1, match.group(0).strip()))
            continue
        codes = body.group("codes")
        code_set = frozenset(c.upper() for c in re.findall(_CODE, codes)) if codes else None
        own_line = not tok.line[: tok.start[1]].strip()
        good.append(Noqa(line, col + 1, code_set, own_line))
    return tuple(good), tuple(bad)


def _doc_line(doc: str, node: ast.expr, pattern: str) -> tuple[str, int] | None:
    match = re.search(pattern, doc)
    if match is None:
        return None
    return match.group(1), node.lineno + doc.count("\n", 0, match.start())


_TOP_LEVEL_VALUE = (
    rb"(?m)^(revision|down_revision|depends_on|branch_labels)[ \t]*(?::[^=\n]*)?=[ \t]*(.+?)[ \t]*$"
)


def _recover(data: bytes, path: str) -> RevisionScript | None:
    """Best-effort identifiers of an unparseable file: one-line literal assignments at column 0."""
    found: dict[str, tuple[tuple[str, ...], int]] = {}
    for match in re.finditer(_TOP_LEVEL_VALUE, data):
        try:
            expr = ast.parse(match.group(2), mode="eval").body
            value = _strings(expr, allow_expressions=False)
        except (SyntaxError, ValueError, RecursionError, MemoryError, _NotLiteral):
            continue
        found[match.group(1).decode()] = (value, data.count(b"\n", 0, match.start()) + 1)
    revision = found.get("revision", ((), 1))
    if len(revision[0]) != 1:
        return None
    down, down_line = found.get("down_revision", ((), 1))
    depends, depends_line = found.get("depends_on", ((), 1))
    return RevisionScript(
        path=path,
        revision=revision[0][0],
        revision_line=revision[1],
        down_revisions=down,
        down_revision_line=down_line,
        depends_on=depends,
        depends_on_line=depends_line,
        branch_labels=found.get("branch_labels", ((), 1))[0],
        message="",
        doc_line=1,
        doc_revision_id=None,
        doc_revises=None,
        upgrade=None,
        downgrade=None,
        autogenerate_marker_line=None,
        non_literals=(),
        noqa=(),
        bad_noqa=(),
    )


def read(data: bytes, path: str) -> ParseResult:
    """Parse one revision file's bytes. Never raises for bad input: returns a ScriptError instead.

    Python's own limits are AL001 too: nesting deeper than the parser (or our walk over the
    tree) can recurse, and input too large for memory.
    """
    try:
        return _read(data, path)
    except RecursionError:
        return ScriptError(path, "AL001", 1, 1, "too deeply nested for Python's parser")
    except MemoryError:  # pragma: no cover - needs an input larger than this machine's memory
        return ScriptError(path, "AL001", 1, 1, "too large for Python's parser")


def _read(data: bytes, path: str) -> ParseResult:
    try:
        tree = ast.parse(data, filename=path)
    except SyntaxError as exc:
        line, col = exc.lineno or 1, exc.offset or 1
        return ScriptError(path, "AL001", line, col, exc.msg, _recover(data, path))
    except ValueError as exc:  # pragma: no cover - NUL bytes before Python 3.11.4
        return ScriptError(path, "AL001", 1, 1, str(exc), _recover(data, path))
    values = _assignments(tree)
    non_literals: list[NonLiteral] = []

    def literal(name: str) -> tuple[str, ...] | None:
        node = values.get(name)
        if node is None:
            return ()
        try:
            return _strings(node, allow_expressions=False)
        except _NotLiteral:
            non_literals.append(
                NonLiteral(name, node.lineno, node.col_offset + 1, "is not a literal")
            )
            return None

    revision: str | None = None
    rev_node = values.get("revision")
    if rev_node is not None:
        if isinstance(rev_node, ast.Constant) and isinstance(rev_node.value, str):
            revision = rev_node.value
        else:
            non_literals.append(
                NonLiteral(
                    "revision", rev_node.lineno, rev_node.col_offset + 1, "is not a string literal"
                )
            )
    else:
        legacy = re.match(_LEGACY_REV, path.replace("\\", "/").rsplit("/", 1)[-1])
        if legacy is not None:
            revision = legacy.group(1)

    down_revisions = literal("down_revision")
    depends_on = literal("depends_on")
    labels_node = values.get("branch_labels")
    branch_labels = _strings(labels_node, allow_expressions=True) if labels_node is not None else ()

    doc = ""
    doc_line = 1
    doc_revision_id = doc_revises = None
    first = tree.body[0] if tree.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        raw = first.value.value
        doc = raw.strip()
        doc_line = first.value.lineno
        doc_revision_id = _doc_line(raw, first.value, _DOC_REVISION_ID)
        doc_revises = _doc_line(raw, first.value, _DOC_REVISES)
    message = doc.split("\n\n", 1)[0]

    functions: dict[str, Function] = {}
    context = opread.module_context(tree)
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in (
            "upgrade",
            "downgrade",
        ):
            functions[stmt.name] = _function(stmt, context)

    marker = data.find(_MARKER_BYTES)
    noqa: tuple[Noqa, ...] = ()
    bad_noqa: tuple[tuple[int, int, str], ...] = ()
    if re.search(_MENTIONS_TOOL, data):
        noqa, bad_noqa = _noqa(data)

    def line_of(name: str) -> int:
        node = values.get(name)
        return node.lineno if node is not None else 1

    return RevisionScript(
        path=path,
        revision=revision,
        revision_line=line_of("revision"),
        down_revisions=down_revisions,
        down_revision_line=line_of("down_revision"),
        depends_on_line=line_of("depends_on"),
        depends_on=depends_on,
        branch_labels=branch_labels,
        message=message,
        doc_line=doc_line,
        doc_revision_id=doc_revision_id,
        doc_revises=doc_revises,
        upgrade=functions.get("upgrade"),
        downgrade=functions.get("downgrade"),
        autogenerate_marker_line=data.count(b"\n", 0, marker) + 1 if marker >= 0 else None,
        non_literals=tuple(non_literals),
        noqa=noqa,
        bad_noqa=bad_noqa,
        dialect_hints=opread.dialect_hints(tree, functions.values()),
    )
