"""Which revisions the per-revision checks look at: those after ``start-after``, narrowed to the
files given on the command line.

Every command asks here, so ``check``, ``fix`` and ``drift`` agree on what ``start-after``
means, and an unknown ``start-after`` revision is the same usage error everywhere: silently
treating a mistyped id as "nothing is legacy" would check, rewrite or round-trip the revisions
the setting exists to protect.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from alembic_lint.diagnostics import UsageError
from alembic_lint.graph import RevisionGraph
from alembic_lint.history import StrPath, display_path
from alembic_lint.script import RevisionScript


def legacy(graph: RevisionGraph, start_after: str | None) -> set[str]:
    """The revisions that ``start-after`` puts out of scope: it and its ancestors (none without it).

    An id the history does not have is a UsageError.
    """
    if start_after is None:
        return set()
    if start_after not in graph.revisions:
        raise UsageError(f"start-after: unknown revision `{start_after}`")
    return graph.ancestors(start_after)


def given_files(
    scripts: Sequence[RevisionScript], files: Sequence[StrPath], *, cwd: str
) -> list[RevisionScript]:
    """The scripts in the files and directories given on the command line.

    A path that does not exist is a UsageError: a mistyped name must not pass as "no findings".
    """
    wanted_files: set[str] = set()
    wanted_dirs: list[str] = []
    for f in files:
        full = os.path.normpath(os.path.join(cwd, f))
        shown = display_path(full, cwd)
        if os.path.isdir(full):
            wanted_dirs.append("" if shown == "." else shown.rstrip("/") + "/")
        elif os.path.exists(full):
            wanted_files.add(shown)
        else:
            raise UsageError(f"no such file: {f}")
    return [
        s
        for s in scripts
        if s.path in wanted_files or any(s.path.startswith(d) for d in wanted_dirs)
    ]


def in_scope(
    scripts: Sequence[RevisionScript],
    graph: RevisionGraph,
    *,
    files: Sequence[StrPath] | None,
    cwd: str,
    start_after: str | None,
) -> list[RevisionScript]:
    """``scripts`` narrowed to ``files`` (when given), without the ``start-after`` legacy."""
    chosen = list(scripts) if files is None else given_files(scripts, files, cwd=cwd)
    skip = legacy(graph, start_after)
    return [s for s in chosen if s.revision not in skip]
