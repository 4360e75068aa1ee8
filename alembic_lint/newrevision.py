"""``alembic-lint new-revision FILE``: the check that alembic's post-write hook runs on the file
``alembic revision`` has just written.

Decisions:

- **The environment** is the one whose version locations hold the file, found as ``check``
  finds environments from the current directory (alembic runs its hooks in its own), else
  from a configuration above the file. A file in none of them is a usage error (exit 2).
- **What is fixed** is what ``fix`` would fix on that file and nowhere else (``fixing.fix``
  narrowed to it): in a project that numbers its messages, ``vXXX`` (AL301), or a number
  that does not follow its parent's (AL303), becomes the next number in the docstring and in
  the file name. A revision that is refused keeps none of it: it is left as alembic wrote it.
- **What is refused** is any finding left on the file from the families that judge what
  ``alembic revision`` decided: the file itself (AL0xx), its place in the graph (AL1xx: a
  second head, a second base, a dangling parent) and its message and name (AL3xx). Not the
  bodies (AL2xx, AL4xx): they are still alembic's template, which the user has yet to fill
  (AL204 would refuse every revision made without ``--autogenerate``); not git (AL5xx): a file
  just written is untracked (AL501) by definition. ``check`` judges those at commit time.
- **The rename waits for alembic.** Right after its hooks, alembic reads the revision back
  from the name it gave it (``Script._from_path`` in ``generate_revision``), so a hook that
  renamed it would make ``alembic revision`` fail with "Can't find Python file". The message
  is fixed at once; the rename is left to a detached child, which does it as soon as the
  process that ran the hook (alembic) has exited.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic, UsageError
from alembic_lint.discover import (
    Environment,
    Locator,
    Project,
    discover,
    has_config_here,
    is_revision_file_name,
    is_within,
)
from alembic_lint.fixing import Change, fix, write_atomic
from alembic_lint.history import display_path
from alembic_lint.lint import lint

NOT_AT_CREATION = ("AL2", "AL4", "AL5")
"""The families that do not judge a revision as ``alembic revision`` writes it (see above)."""


class Outcome(NamedTuple):
    changes: list[Change]
    """What was fixed; a rename in it is done later when ``wait_for`` was given."""
    diagnostics: list[Diagnostic]
    """The findings that remain on the new file: the revision is refused."""
    checked: int
    """How many revision files the history has."""


def holds(project: Project, path: str) -> bool:
    """Whether alembic would load ``path`` as a revision of ``project``."""
    if not is_revision_file_name(os.path.basename(path)):
        return False
    directory = os.path.realpath(os.path.dirname(path))
    for location in project.version_locations:
        where = os.path.realpath(location)
        if directory == where or (project.recursive and is_within(directory, where)):
            return True
    return False


def find_environment(
    path: str, *, locator: Locator, cwd: str, environ: Mapping[str, str], explicit: bool
) -> tuple[str, Environment]:
    """The environment that ``path`` (absolute) belongs to, and the repository root (where
    settings files are searched up to); else a UsageError in one line.

    Found as ``check`` finds environments from the current directory, when it has a
    configuration or one is named (``explicit``, ``ALEMBIC_CONFIG``); else from each directory
    above the file that has one (``alembic -c elsewhere/alembic.ini revision``). A directory
    without a configuration is never searched as ``check`` would search it: walking a whole
    tree is no price for a hook to pay.
    """
    starts = [cwd] if explicit or environ.get("ALEMBIC_CONFIG") or _configured(cwd) else []
    if not explicit:
        directory = os.path.dirname(path)
        while True:
            if _configured(directory) and directory not in starts:
                starts.append(directory)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    error: UsageError | None = None
    for start in starts:
        try:
            here = environ if start == cwd else {}
            found = discover(locator, cwd=start, environ=here, explicit=explicit)
        except UsageError as exc:
            error = error or exc
            continue
        matches = [e for e in found.environments if holds(e.project, path)]
        if len(matches) > 1:
            labels = ", ".join(e.label for e in matches)
            raise UsageError(
                f"{display_path(path, cwd)} is a revision of {len(matches)} Alembic "
                f"environments ({labels}); choose one with -c/--config or -n/--name"
            )
        if matches:
            return found.root, matches[0]
    if error is not None:
        raise error
    raise UsageError(
        f"{display_path(path, cwd)} is not in the version locations of any Alembic environment "
        "configured here or above it; pass -c/--config"
    )


def _configured(directory: str) -> bool:
    try:
        return has_config_here(directory)
    except UsageError:  # a pyproject.toml that does not parse; as alembic, look elsewhere
        return False


def at_creation(settings: Settings) -> Settings:
    """The settings, without the families that do not judge a new revision."""
    return settings._replace(ignore=(*settings.ignore, *NOT_AT_CREATION))


def new_revision(
    project: Project,
    settings: Settings,
    path: str,
    *,
    cwd: str,
    wait_for: int | None,
    cache_dir: str | None = None,
) -> Outcome:
    """Fix, then check, the revision at ``path`` (absolute).

    A revision that is refused is left as alembic wrote it: the fixes are undone when findings
    remain, since renumbering a second head, say, only adds a repeated number to the problem.
    An accepted one is renamed, if its fix renames it: with ``wait_for`` (a process id,
    alembic's) by a detached child once that process has exited, else at once.
    """
    settings = at_creation(settings)
    changes = fix(project, settings, cwd=cwd, files=[path], rename=False, cache_dir=cache_dir)
    remaining, checked = _findings(project, settings, path, cwd=cwd, cache_dir=cache_dir)
    if remaining and changes:
        for change in changes:
            write_atomic(path, change.before)
        remaining, checked = _findings(project, settings, path, cwd=cwd, cache_dir=cache_dir)
        return Outcome([], remaining, checked)
    for change in changes:  # none of them, when findings remain
        if change.renamed is not None:
            new_path = os.path.join(os.path.dirname(path), change.renamed)
            if wait_for is None:
                os.rename(path, new_path)
            else:
                rename_later(path, new_path, after=wait_for)
    return Outcome(changes, remaining, checked)


def _findings(
    project: Project, settings: Settings, path: str, *, cwd: str, cache_dir: str | None
) -> tuple[list[Diagnostic], int]:
    result = lint(project, settings, cwd=cwd, files=[path], cache_dir=cache_dir)
    if result.errors:  # pragma: no cover - a crashing rule crashes in fix's run, before this
        raise UsageError(f"internal error: {result.errors[0]}")
    shown = display_path(path, cwd)
    return [d for d in result.diagnostics if d.path == shown], result.files


def wait_for_exit(pid: int, *, poll: float = 0.02, use_pidfd: bool = True) -> None:
    """Return once process ``pid``, which need not be a child, has exited: at once through a
    pidfd where Linux has one, else by asking every ``poll`` seconds whether it exists."""
    import select
    import time

    if use_pidfd and hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            return
        except OSError:  # pragma: no cover - a kernel older than 5.3
            pass
        else:
            try:
                select.select([fd], [], [])
            finally:
                os.close(fd)
            return
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:  # pragma: no cover - not as root, who may signal anyone
            pass  # it exists, and belongs to someone else
        time.sleep(poll)


def rename_later(path: str, new_path: str, *, after: int) -> None:
    """Rename ``path`` to ``new_path`` from a detached child once process ``after`` has exited.

    The child leaves the session and closes every file descriptor it inherited (the terminal,
    a pipe the output goes to), so that nothing waits for it; it renames only if the file is still there and the new
    name still free.
    """
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        raise UsageError(
            f"cannot rename {path} after alembic has exited on this system; rename it to "
            f"{os.path.basename(new_path)} yourself"
        )
    if os.fork() == 0:  # pragma: no cover - the child, whose coverage is not collected
        _rename_in_child(path, new_path, after)


def _max_fd() -> int:  # pragma: no cover - called in the child
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 16)
    except (OSError, ValueError):
        return 1 << 10


def _rename_in_child(path: str, new_path: str, after: int) -> None:  # pragma: no cover - ditto
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        # whatever else the hook held open (the write end of a pipe someone reads to its end)
        # must not wait with the child
        os.closerange(3, _max_fd())
        wait_for_exit(after)
        if os.path.exists(path) and not os.path.lexists(new_path):
            os.rename(path, new_path)
    finally:
        os._exit(0)
