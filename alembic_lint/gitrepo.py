"""The only module that talks to git. Everything it returns is plain data; errors are UsageErrors.

Only plumbing that never writes into ``.git`` is used (``ls-files``, ``diff-index``,
``ls-tree``, ``cat-file``, ``hash-object`` without ``-w``, ``rev-parse``, ``merge-base``):
porcelain ``git diff`` refreshes, and so rewrites, ``.git/index``.

The check path runs a handful of git plumbing commands directly: importing GitPython takes
longer (85-115 ms here) than the whole budget of the git checks on a pre-commit run (50 ms).
``rebase`` and ``fix``, which run by hand, use GitPython (imported lazily) for the repository.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from alembic_lint.diagnostics import UsageError

if TYPE_CHECKING:
    import subprocess


class GitError(UsageError):
    """A git command failed in a way the user must fix (a missing base ref, a shallow clone)."""


class Worktree(NamedTuple):
    """A git work tree: its top directory and git's view of the paths below some directories."""

    root: str


def _git(root: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    import subprocess  # a few ms to import: not paid outside git work trees

    return subprocess.run(
        ["git", "-C", root, *args],
        input=stdin,
        capture_output=True,
        check=False,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
    )


def _may_be_in_a_worktree(cwd: str) -> bool:
    """Whether ``cwd`` or a parent has a ``.git`` (or ``GIT_DIR`` is set): git's own discovery
    would find nothing otherwise, and this costs no process."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    directory = os.path.abspath(cwd)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent


def worktree(cwd: str) -> Worktree | None:
    """The work tree holding ``cwd``; None outside one, or without a git program."""
    if not _may_be_in_a_worktree(cwd):
        return None
    try:
        done = _git(cwd, "rev-parse", "--show-toplevel")
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return Worktree(os.path.realpath(os.fsdecode(done.stdout.strip())))


def _split_z(data: bytes) -> list[str]:
    return [os.fsdecode(item) for item in data.split(b"\0") if item]


def _relative(tree: Worktree, directories: Iterable[str]) -> list[str]:
    """Pathspecs for ``directories`` (absolute) relative to the work tree; outside ones dropped."""
    specs = []
    for directory in directories:
        rel = os.path.relpath(os.path.realpath(directory), tree.root)
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            specs.append(rel.replace(os.sep, "/"))
    return specs


def _listing(tree: Worktree, directories: Sequence[str], *args: str) -> list[str]:
    """``git <args> -- <directories>`` split on NULs; nothing when no directory is in the tree."""
    specs = _relative(tree, directories)
    if not specs:
        return []
    done = _git(tree.root, *args, "--", *specs)
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])} failed: {os.fsdecode(done.stderr).strip()}")
    return _split_z(done.stdout)


def indexed(tree: Worktree, directories: Sequence[str]) -> set[str]:
    """Absolute paths of the files in the index (tracked or staged) below ``directories``."""
    listed = _listing(tree, directories, "ls-files", "-z", "--full-name")
    return {os.path.join(tree.root, p) for p in listed}


def ignored(tree: Worktree, directories: Sequence[str]) -> set[str]:
    """Absolute paths of the untracked files below ``directories`` that git ignores
    (``.gitignore``, ``.git/info/exclude``, ``core.excludesFile``)."""
    listed = _listing(
        tree,
        directories,
        "ls-files",
        "-z",
        "--full-name",
        "--others",
        "--ignored",
        "--exclude-standard",
    )
    return {os.path.join(tree.root, p) for p in listed}


def resolve(tree: Worktree, ref: str) -> str:
    """The commit a ref names; a missing ref is an error that says how to fetch it."""
    done = _git(tree.root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if done.returncode == 0:
        return os.fsdecode(done.stdout.strip())
    shallow = _git(tree.root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
    remote, _, branch = ref.partition("/")
    fetch = (
        f"git fetch {remote} {branch}:refs/remotes/{remote}/{branch}"
        if branch
        else f"git fetch origin {ref}"
    )
    why = "this clone is shallow and does not have it" if shallow else "it does not exist here"
    raise GitError(f"base ref `{ref}` not found: {why}; fetch it with `{fetch}`")


def merge_base(tree: Worktree, base: str, ref: str = "HEAD") -> str:
    done = _git(tree.root, "merge-base", base, ref)
    if done.returncode != 0:
        raise GitError(
            f"no common ancestor of `{ref}` and the base ref: the clone is too shallow; "
            "fetch more history with `git fetch --deepen=200` (or `--unshallow`)"
        )
    return os.fsdecode(done.stdout.strip())


def files_at(tree: Worktree, commit: str, directories: Sequence[str]) -> dict[str, str]:
    """Absolute path -> blob id of the files below ``directories`` in ``commit``."""
    found = {}
    for entry in _listing(tree, directories, "ls-tree", commit, "-r", "-z", "--full-tree"):
        meta, _, path = entry.partition("\t")
        _mode, kind, blob = meta.split()
        if kind == "blob":  # pragma: no branch - submodules (kind "commit") are not revisions
            found[os.path.join(tree.root, path)] = blob
    return found


_NULL_OID = frozenset({"0" * 40, "0" * 64})


def changed_since(tree: Worktree, commit: str, directories: Sequence[str]) -> dict[str, str]:
    """Absolute path -> git status letter (A, M, D, T) of tracked files that differ between
    ``commit`` and the work tree.

    Porcelain ``git diff`` refreshes the index and writes ``.git/index``; a linter must not
    write into ``.git``. ``diff-index`` compares with the index's stat data as it is, so a file
    whose stat changed but whose content did not shows up with a null id on the work tree side:
    those are hashed (``hash-object``, which writes nothing) and dropped when unchanged.
    """
    items = _listing(tree, directories, "diff-index", "--raw", "-z", "--no-renames", commit)
    found: dict[str, tuple[str, str]] = {}
    for i in range(0, len(items), 2):
        _old_mode, _new_mode, old, new, status = items[i].lstrip(":").split()
        found[os.path.join(tree.root, items[i + 1])] = (status[0], old if new in _NULL_OID else "")
    unsure = [p for p, (status, old) in found.items() if status == "M" and old]
    if unsure:
        done = _git(
            tree.root,
            "hash-object",
            "--stdin-paths",
            stdin="".join(f"{p}\n" for p in unsure).encode(),
        )
        # A file git cannot hash gives no line, and stays "modified".
        for path, oid in zip(unsure, done.stdout.split(), strict=False):
            if oid.decode() == found[path][1]:
                del found[path]
    return {path: status for path, (status, _) in found.items()}


def read_blobs(tree: Worktree, blobs: Iterable[str]) -> dict[str, bytes]:
    """Blob id -> content, in one ``git cat-file --batch``."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    done = _git(tree.root, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in wanted).encode())
    if done.returncode != 0:
        raise GitError(f"git cat-file failed: {os.fsdecode(done.stderr).strip()}")
    out = done.stdout
    found: dict[str, bytes] = {}
    pos = 0
    for blob in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        found[blob] = out[pos : pos + size]
        pos += size + 1
    return found


_BASE_CANDIDATES = ("origin/main", "origin/master", "main", "master")


def guess_base(tree: Worktree) -> str | None:
    """``default_base`` with git plumbing (two processes, no GitPython): the branch revisions
    are merged into, or None when the repository has none of the usual names."""
    head = _git(tree.root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    target = os.fsdecode(head.stdout.strip()) if head.returncode == 0 else ""
    candidates = [target] if target else []
    candidates += _BASE_CANDIDATES
    refs = [
        f"refs/remotes/{c}" if c.startswith("origin/") else f"refs/heads/{c}" for c in candidates
    ]
    listed = _git(tree.root, "for-each-ref", "--format=%(refname)", *refs)
    present = set(os.fsdecode(listed.stdout).split())
    return next((c for c, ref in zip(candidates, refs, strict=True) if ref in present), None)


def default_base(tree: Worktree) -> str | None:
    """The branch that revisions are merged into: ``origin/HEAD``'s target, else the first of
    ``origin/main``, ``origin/master``, ``main``, ``master`` that exists. Used by ``rebase``."""
    import git  # GitPython: fine for a command run by hand, too slow to import on every commit

    repo = git.Repo(tree.root)
    try:
        target = repo.git.symbolic_ref("--quiet", "--short", "refs/remotes/origin/HEAD")
    except git.GitCommandError:
        target = ""
    candidates = [target] if target else []
    candidates += ["origin/main", "origin/master", "main", "master"]
    for name in candidates:
        try:
            repo.git.rev_parse("--verify", "--quiet", f"{name}^{{commit}}")
        except git.GitCommandError:
            continue
        return str(name)
    return None
