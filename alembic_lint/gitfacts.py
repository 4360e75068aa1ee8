"""What git says about the history (the AL5xx facts), and the history at other commits.

This is the only module between the rules and ``gitrepo``: the rules get plain ``GitFacts``
and never run git. ``gitrepo`` (subprocess) is imported only when a git rule runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from alembic_lint import rules
from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Project, is_revision_file_name
from alembic_lint.graph import build_graph
from alembic_lint.history import History, display_path
from alembic_lint.script import RevisionScript

if TYPE_CHECKING:
    from alembic_lint import gitrepo


class GitView:
    """The history's version locations as git sees them, at the work tree and at other commits."""

    def __init__(
        self, tree: gitrepo.Worktree, project: Project, history: History, cwd: str
    ) -> None:
        self.tree = tree
        self.project = project
        self.cwd = cwd
        self.dirs = [os.path.realpath(loc) for loc in project.version_locations]
        real_dirs: dict[str, str] = {}
        self.real = {}
        for fs, shown in history.items:
            directory, name = os.path.split(fs)
            if directory not in real_dirs:
                real_dirs[directory] = os.path.realpath(directory)
            self.real[shown] = os.path.join(real_dirs[directory], name)
        self.ours = {self.real[s.path]: s for s in history.scripts if s.revision is not None}

    def wanted(self, path: str) -> bool:
        directory, name = os.path.split(path)
        inside = any(directory == d or directory.startswith(d + os.sep) for d in self.dirs)
        listed = self.project.recursive or directory in self.dirs
        return inside and listed and is_revision_file_name(name)

    def parse_blobs(self, paths: Mapping[str, str]) -> dict[str, RevisionScript]:
        if not paths:
            return {}  # the common case, and the parser is not even imported for it
        from alembic_lint import astread, gitrepo

        contents = gitrepo.read_blobs(self.tree, paths.values())
        found = {}
        for path, blob in paths.items():
            shown = display_path(path, self.cwd)
            result = astread.read(contents.get(blob, b""), shown)
            if isinstance(result, RevisionScript) and result.revision is not None:
                found[path] = result
        return found

    def scripts_at(self, commit: str) -> list[RevisionScript]:
        """The revisions at ``commit``: ours where the file is unchanged, parsed blobs elsewhere."""
        from alembic_lint import gitrepo

        at = {
            p: b
            for p, b in gitrepo.files_at(self.tree, commit, self.dirs).items()
            if self.wanted(p)
        }
        differs = gitrepo.changed_since(self.tree, commit, self.dirs)
        same = [self.ours[p] for p in at if p in self.ours and p not in differs]
        other = self.parse_blobs(
            {p: b for p, b in at.items() if p not in self.ours or p in differs}
        )
        return [*same, *other.values()]


def git_facts(
    project: Project,
    settings: Settings,
    history: History,
    *,
    cwd: str,
    guess: bool = False,
) -> rules.GitFacts | None:
    """What git says about the history: untracked files, and with a base ref the revisions
    changed or removed since the fork point and the history as a merge would leave it.

    With ``guess`` and no base ref, the revisions that the repository's default branch
    (``gitrepo.guess_base``) does not have are still worked out (``new``, ``new_since``): what
    the unsafe-operation rules report on. The base-ref rules (AL502-AL504) stay off."""
    from alembic_lint import gitrepo  # subprocess: only when a git rule runs

    tree = gitrepo.worktree(cwd)
    if tree is None:
        if settings.base is not None:
            raise UsageError(
                f"base ref `{settings.base}` given, but `{cwd}` is not in a git work tree"
            )
        return None
    view = GitView(tree, project, history, cwd)
    indexed = gitrepo.indexed(tree, view.dirs)
    untracked = frozenset(shown for shown, path in view.real.items() if path not in indexed)
    hidden = frozenset[str]()
    if untracked:
        ignored = gitrepo.ignored(tree, view.dirs)
        hidden = frozenset(s for s in untracked if view.real[s] in ignored)
    if settings.base is None:
        guessed = gitrepo.guess_base(tree) if guess else None
        if guessed is None:
            return rules.GitFacts(untracked, ignored=hidden)
        base_ids = {s.revision for s in view.scripts_at(gitrepo.resolve(tree, guessed))}
        new = frozenset(
            s.revision
            for s in view.ours.values()
            if s.revision is not None and s.revision not in base_ids
        )
        return rules.GitFacts(untracked, ignored=hidden, new=new, new_since=guessed)

    base_commit = gitrepo.resolve(tree, settings.base)
    fork = gitrepo.merge_base(tree, base_commit)
    since_fork = {
        p: s for p, s in gitrepo.changed_since(tree, fork, view.dirs).items() if view.wanted(p)
    }
    at_fork = gitrepo.files_at(tree, fork, view.dirs)
    old = view.parse_blobs(
        {p: at_fork[p] for p, s in since_fork.items() if s in "MDT" and p in at_fork},
    )
    shown_of = {path: shown for shown, path in view.real.items()}
    modified = tuple(
        (shown_of[p], old[p].revision)
        for p, s in sorted(since_fork.items())
        if s in "MT" and p in old and p in shown_of
    )
    removed = tuple(
        (display_path(p, cwd), old[p].revision or "")
        for p, s in sorted(since_fork.items())
        if s == "D" and p in old
    )
    base_scripts = view.scripts_at(base_commit)
    base_ids = {s.revision for s in base_scripts}
    our_ids = {s.revision for s in view.ours.values()}
    merged = build_graph(
        [*view.ours.values(), *(s for s in base_scripts if s.revision not in our_ids)]
    )
    return rules.GitFacts(
        untracked,
        base=settings.base,
        modified=modified,
        removed=removed,
        merged=merged,
        new=frozenset(rev for rev in our_ids if rev not in base_ids and rev is not None),
        ignored=hidden,
        new_since=settings.base,
    )
