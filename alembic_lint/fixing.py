"""The commands that rewrite files: ``fix`` and ``rebase``, and the atomic write they share.

``rebase.plan`` decides what a rebase moves, the rules attach the edits that fix their findings,
and ``rewrite`` edits the bytes; this module reads the files, applies the edits and writes them,
or with ``dry_run`` only returns them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from alembic_lint import headfile
from alembic_lint.config import Settings
from alembic_lint.diagnostics import Edit, UsageError
from alembic_lint.discover import Project
from alembic_lint.gitfacts import GitView
from alembic_lint.graph import RevisionGraph, build_graph
from alembic_lint.history import StrPath, display_path, load, read_file


class Change(NamedTuple):
    """A file that a command rewrites (or would, with --dry-run)."""

    path: str
    before: bytes
    after: bytes
    summary: str
    renamed: str | None = None
    """The new file name, in the same directory, when the change renames the file."""


def _read_bytes(path: str) -> bytes:
    try:
        return read_file(path)
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None


def write_atomic(path: str, data: bytes) -> None:
    """Atomically, keeping the file's mode: an interrupted write must not lose a migration."""
    import tempfile

    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".alembic-lint-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _apply(
    changes: list[Change], files: Mapping[str, str], *, dry_run: bool, rename: bool = True
) -> list[Change]:
    """Write every change, or none: renames are checked before anything is written, since a
    rename onto an existing file would lose it. With ``rename=False`` they are checked, and
    left to the caller."""
    for change in changes:
        if change.renamed is not None:
            target = os.path.join(os.path.dirname(files[change.path]), change.renamed)
            if os.path.lexists(target):
                raise UsageError(f"{change.path}: cannot rename to `{change.renamed}`: it exists")
    if not dry_run:
        for change in changes:
            path = files[change.path]
            if change.after != change.before:
                write_atomic(path, change.after)
            if change.renamed is not None and rename:
                os.rename(path, os.path.join(os.path.dirname(path), change.renamed))
    return changes


def _head_file_change(
    settings: Settings, graph: RevisionGraph, *, cwd: str, files: dict[str, str]
) -> list[Change]:
    if settings.head_file is None:
        return []
    path = os.path.join(cwd, settings.head_file)
    shown = display_path(path, cwd)
    before = _read_bytes(path)
    after = headfile.render(graph).encode()
    if before == after:
        return []
    files[shown] = path
    heads = ", ".join(graph.heads) or "no heads"
    return [Change(shown, before, after, f"head file now names {heads}")]


def rebase(
    project: Project,
    settings: Settings,
    *,
    cwd: StrPath,
    revision: str | None = None,
    onto: str | None = None,
    dry_run: bool = False,
) -> list[Change]:
    """Re-point this branch's first new revision onto the other head (see ``rebase.plan``), and
    rewrite the head file. ``settings.base`` names the base branch, else it is guessed."""
    from alembic_lint import gitrepo, rewrite
    from alembic_lint import rebase as rebasing

    cwd = os.fspath(cwd)
    history = load(project, cwd=cwd)
    tree = gitrepo.worktree(cwd)
    base = settings.base
    on_base = None
    if tree is not None:
        base = base or gitrepo.default_base(tree)
        if base is not None:
            view = GitView(tree, project, history, cwd)
            ids = {s.revision for s in view.scripts_at(gitrepo.resolve(tree, base))}
            on_base = ids.__contains__
    found = rebasing.plan(history.graph, revision=revision, onto=onto, on_base=on_base, base=base)
    script = history.graph.revisions[found.revision]
    files = {shown: fs for fs, shown in history.items}
    before = _read_bytes(files[script.path])
    after = rewrite.set_down_revision(before, (found.onto,), path=script.path)
    moved = script._replace(down_revisions=(found.onto,))
    graph = build_graph([moved if s is script else s for s in history.graph.revisions.values()])
    old = ", ".join(found.old) or "None"
    changes = [
        Change(
            script.path,
            before,
            after,
            f"`{found.revision}` now revises `{found.onto}` (was `{old}`)",
        )
    ]
    changes += _head_file_change(settings, graph, cwd=cwd, files=files)
    return _apply(changes, files, dry_run=dry_run)


def fix(
    project: Project,
    settings: Settings,
    *,
    cwd: StrPath,
    dry_run: bool = False,
    files: Sequence[StrPath] | None = None,
    rename: bool = True,
    cache_dir: StrPath | None = None,
) -> list[Change]:
    """Apply the edits that the selected findings carry (``Diagnostic.fix``): AL304's docstring
    lines, AL505's head file, AL301's ``vXXX`` and AL303's renumbering in a project that numbers
    its messages. The findings come from ``lint`` with the same settings, so ``select``,
    ``ignore``, noqa comments and ``start-after`` decide what is fixed, as they decide what
    ``check`` reports. Edits are applied in one pass: every fix is computed on the history as it
    is, and those of one file are applied to it in turn, then its rename.

    With ``files`` (revision files), only the findings on them are fixed, and only the edits
    to them are applied: ``new-revision`` fixes the one file ``alembic revision`` wrote and
    nothing else. With ``rename=False``, renames are checked and returned
    (``Change.renamed``) but not done: alembic reads its new file back from the name it gave
    it once its hooks have run, so ``new-revision`` renames it later. ``cache_dir`` is the
    parse cache, as for ``lint``.
    """
    from alembic_lint.lint import lint

    cwd = os.fspath(cwd)
    result = lint(project, settings, cwd=cwd, files=files, cache_dir=cache_dir)
    if result.errors:
        raise UsageError(f"internal error: {result.errors[0]}")
    history = load(project, cwd=cwd, cache_dir=cache_dir)
    paths = {shown: fs for fs, shown in history.items}
    if settings.head_file is not None:
        head_path = os.path.join(cwd, settings.head_file)
        paths[display_path(head_path, cwd)] = head_path
    wanted = None
    if files is not None:
        wanted = {display_path(os.path.normpath(os.path.join(cwd, f)), cwd) for f in files}
    edits: dict[str, list[tuple[str, Edit]]] = {}
    for d in result.diagnostics:
        for edit in d.fix:
            if wanted is not None and edit.path not in wanted:
                continue
            planned = edits.setdefault(edit.path, [])
            if all(e != edit for _, e in planned):
                planned.append((d.code, edit))
    changes = [_change(path, planned, paths) for path, planned in edits.items()]
    return _apply(changes, paths, dry_run=dry_run, rename=rename)


def _change(path: str, planned: list[tuple[str, Edit]], files: Mapping[str, str]) -> Change:
    from alembic_lint import rewrite

    before = after = _read_bytes(files[path])
    docstring: list[str] = []
    what: list[str] = []
    renamed = None
    for _, edit in planned:
        if edit.action == "doc_line":
            after = rewrite.set_doc_line(after, edit.old, edit.new, path=path)
            docstring.append(f"{edit.old}: {edit.new}")
        elif edit.action == "message":
            after = rewrite.replace_in_message(after, edit.old, edit.new, path=path)
            what.append(f"message `{edit.old}` now `{edit.new}`")
        elif edit.action == "write":
            after = edit.new.encode()
            heads = ", ".join(sorted(headfile.named_heads(edit.new)[0])) or "no heads"
            what.append(f"head file now names {heads}")
        else:
            renamed = edit.new
            what.append(f"renamed to {edit.new}")
    if docstring:
        what.insert(0, "docstring " + "; ".join(docstring))
    return Change(path, before, after, "; ".join(what), renamed)
