"""The commands that rewrite files: ``fix`` and ``rebase``, and the atomic write they share.

``rebase.plan`` decides what a rebase moves and ``rewrite`` edits the bytes; this module reads
the files, applies the edits and writes them, or with ``dry_run`` only returns them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from alembic_lint import headfile, scope
from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Project
from alembic_lint.gitfacts import GitView
from alembic_lint.graph import RevisionGraph, build_graph
from alembic_lint.history import StrPath, display_path, load, read_file
from alembic_lint.rules.naming import revises_matches


class Change(NamedTuple):
    """A file that a command rewrites (or would, with --dry-run)."""

    path: str
    before: bytes
    after: bytes
    summary: str


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


def _apply(changes: list[Change], files: Mapping[str, str], *, dry_run: bool) -> list[Change]:
    if not dry_run:
        for change in changes:
            write_atomic(files[change.path], change.after)
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
    project: Project, settings: Settings, *, cwd: StrPath, dry_run: bool = False
) -> list[Change]:
    """Rewrite what is mechanical: docstring ``Revision ID:``/``Revises:`` lines that disagree
    with the variables (AL304), and the head file (AL505). Revisions up to ``start-after`` are
    left alone; an unknown ``start-after`` is a UsageError, as it is for ``check``."""
    from alembic_lint import rewrite

    cwd = os.fspath(cwd)
    history = load(project, cwd=cwd)
    files = {shown: fs for fs, shown in history.items}
    legacy = scope.legacy(history.graph, settings.start_after)
    changes = []
    for script in history.scripts:
        if script.revision is None or script.revision in legacy:
            continue
        before = after = _read_bytes(files[script.path])
        what = []
        if script.doc_revision_id is not None and script.doc_revision_id[0] != script.revision:
            after = rewrite.set_doc_line(after, "Revision ID", script.revision, path=script.path)
            what.append(f"Revision ID: {script.revision}")
        down = script.down_revisions
        revises = script.doc_revises
        if revises is not None and down is not None and not revises_matches(revises[0], down):
            after = rewrite.set_doc_line(after, "Revises", ", ".join(down), path=script.path)
            what.append(f"Revises: {', '.join(down)}")
        if after != before:
            changes.append(Change(script.path, before, after, "docstring " + "; ".join(what)))
    changes += _head_file_change(settings, history.graph, cwd=cwd, files=files)
    return _apply(changes, files, dry_run=dry_run)
