"""AL0xx: the tool could not read something. These see every file of the history."""

from __future__ import annotations

from collections.abc import Iterator

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.rules import Context, FileRule, SourceFile, diag
from alembic_lint.script import RevisionScript, ScriptError


def syntax_error(item: SourceFile, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a file in a version location that Python cannot parse, with the parser's message.

    ## Why is this bad?
    Alembic imports every file in its version locations, so one syntax error stops every
    `alembic` command, including `alembic upgrade` at deploy time. The rest of the history is
    still linted, but the broken file is left out of the revision graph.

    ## Example
    ```python
    def upgrade() -> None
        op.add_column("users", sa.Column("email", sa.String()))
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.add_column("users", sa.Column("email", sa.String()))
    ```
    """
    if isinstance(item, ScriptError) and item.code == "AL001":
        yield diag(item, item.line, item.col, "AL001", f"cannot parse: {item.message}")


def non_literal_identifier(item: SourceFile, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a `revision`, `down_revision` or `depends_on` whose value is not a string literal
    (or a tuple or list of them, or `None`).

    ## Why is this bad?
    The revision graph can then only be known by running the file. alembic-lint never imports
    migrations, so the graph checks cannot see this revision's links; reviewers cannot either.
    A non-literal `branch_labels` is fine: its source text stands in for the label.

    ## Example
    ```python
    revision = make_id()
    down_revision = PREVIOUS
    ```

    ## Use instead
    ```python
    revision = "3f9a1c2b7d4e"
    down_revision = "a81b2c3d4e5f"
    ```
    """
    if isinstance(item, RevisionScript):
        for found in item.non_literals:
            yield diag(
                item,
                found.line,
                found.col,
                "AL002",
                f"`{found.name}` {found.reason}; the revision graph cannot be known without running code",
            )


def not_a_revision(item: SourceFile, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a `.py` file in a version location that assigns no `revision`. `__init__.py` is
    exempt, and so is alembic's legacy form where the file name is the hexadecimal id.

    ## Why is this bad?
    Alembic loads every `.py` file there as a revision and stops with "Could not determine
    revision id from filename" on one that is not. Helpers belong outside the versions directory.

    ## Example
    ```python
    # versions/helpers.py
    def add_audit_columns(table): ...
    ```

    ## Use instead
    Move the helper into your package (or next to `env.py`) and import it from the revisions.
    """
    if (
        isinstance(item, RevisionScript)
        and item.revision is None
        and not any(n.name == "revision" for n in item.non_literals)
    ):
        yield diag(
            item,
            1,
            1,
            "AL003",
            "file assigns no `revision`; alembic cannot load it as a revision",
            "move non-revision modules out of the version locations",
        )


def invalid_noqa(item: SourceFile, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports an `# alembic-lint:` comment that is not a valid directive, or a noqa comment that
    names an unknown code.

    ## Why is this bad?
    A typo in a suppression comment would otherwise suppress nothing, or the wrong thing,
    without anyone noticing. This finding cannot itself be suppressed.

    ## Example
    ```python
    def downgrade() -> None:  # alembic-lint: noqa AL202
        pass
    revision = "000000000000"  # alembic-lint: noqa: AL170
    ```

    ## Use instead
    ```python
    def downgrade() -> None:  # alembic-lint: noqa: AL202
        pass
    revision = "000000000000"  # alembic-lint: noqa: AL107
    ```
    A comment on a line of its own applies to the whole file.
    """
    if not isinstance(item, RevisionScript):
        return
    for line, col, text in item.bad_noqa:
        yield diag(
            item,
            line,
            col,
            "AL004",
            f"malformed directive `{text}`",
            "write `# alembic-lint: noqa` or `# alembic-lint: noqa: AL201, AL202`",
        )
    for noqa in item.noqa:
        for code in sorted((noqa.codes or frozenset()) - ctx.known_codes):
            yield diag(
                item,
                noqa.line,
                noqa.col,
                "AL004",
                f"unknown code `{code}` in noqa comment",
                "run `alembic-lint rules` for the list of codes",
            )


def unreadable_file(item: SourceFile, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a file in a version location that cannot be read: a broken symbolic link, a
    symbolic link loop, a permission problem, something that is not a regular file (a FIFO, a
    device, a link to `/dev/zero`), or a file larger than 10 MiB. Such files are never opened
    in a way that could block, nor read past the size cap.

    ## Why is this bad?
    Alembic would fail on it too, and the linter cannot check what it cannot read. The rest of
    the history is still linted.

    ## Example
    `versions/1a2b3c_add_users.py -> ../../elsewhere/missing.py` (a dangling symlink).

    ## Use instead
    Restore the file, or remove the link.
    """
    if isinstance(item, ScriptError) and item.code == "AL005":
        yield diag(item, 1, 1, "AL005", f"cannot read file: {item.message}")


RULES = (
    FileRule("AL001", "syntax-error", True, syntax_error),
    FileRule("AL002", "non-literal-identifier", True, non_literal_identifier),
    FileRule("AL003", "not-a-revision", True, not_a_revision),
    FileRule("AL004", "invalid-noqa", True, invalid_noqa),
    FileRule("AL005", "unreadable-file", True, unreadable_file),
)
