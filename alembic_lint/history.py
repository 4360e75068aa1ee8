"""A project's revision files, read and parsed, and their graph: what every command starts from.

The parse is CPU-bound and almost all of a check's time, so a long history is parsed by forked
children (``parse_all``), and with a cache directory unchanged files are not parsed at all. The
parser (``astread``) is imported inside the function that parses, so that a run served from the
cache never imports ``ast``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

from alembic_lint.cache import ParseCache, stat_key
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Project, list_revision_files
from alembic_lint.graph import RevisionGraph, build_graph
from alembic_lint.script import ParseResult, RevisionScript, ScriptError

# Files per forked parser: below this a child costs more than it saves.
PER_WORKER = 150

StrPath = str | os.PathLike[str]


def display_path(path: str, cwd: str) -> str:
    """Relative to the current directory with ``/`` separators, as the output contract says."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # pragma: no cover - another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


MAX_FILE_BYTES = 10 << 20
"""Revision files larger than this (10 MiB) are AL005: no migration is that big, and a link to
``/dev/zero`` or a multi-gigabyte dump must not be read into memory."""


def read_file(path: str) -> bytes:
    """The whole file, with raw ``os`` calls: a buffered file object costs more than a small read.

    Only regular files of at most ``MAX_FILE_BYTES`` are read; anything else (a FIFO, a device,
    a link to one) is an OSError. The open never blocks (``O_NONBLOCK``: a FIFO with no writer
    would otherwise hang the run), and at most one byte past the cap is read, whatever the size
    the file claims.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        import errno
        import stat

        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device"
            raise OSError(f"not a regular file ({kind})")
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES and (chunk := os.read(fd, 1 << 16)):
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise OSError(f"larger than {MAX_FILE_BYTES >> 20} MiB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_and_parse(path: str, shown: str) -> ParseResult:
    """One file, never an exception: one bad file must not cancel the findings of the rest."""
    try:
        data = read_file(path)
    except OSError as exc:
        return ScriptError(shown, "AL005", 1, 1, exc.strerror or str(exc))
    from alembic_lint import astread

    try:
        return astread.read(data, shown)
    except Exception as exc:  # a bug of ours; report it on the file, keep the run going
        why = f"internal error of the parser ({type(exc).__name__}: {exc}); please report it"
        return ScriptError(shown, "AL001", 1, 1, why)


def _parse_chunk(chunk: Sequence[tuple[str, str]]) -> list[ParseResult]:
    return [read_and_parse(path, shown) for path, shown in chunk]


def parse_all(items: Sequence[tuple[str, str]], *, jobs: int) -> list[ParseResult]:
    """Parse in order. Parsing is CPU-bound, so a long list is split with forked children, and
    the parent parses its own share meanwhile; a child that fails is redone here."""
    workers = min(jobs, len(items) // PER_WORKER)
    if workers <= 1 or not hasattr(os, "fork"):
        return _parse_chunk(items)
    import pickle

    size = -(-len(items) // workers)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    children: list[tuple[int, int]] = []
    for chunk in chunks[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            os.close(read_end)
            status = 1
            try:
                payload = pickle.dumps(_parse_chunk(chunk), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    results = _parse_chunk(chunks[0])
    for (pid, read_end), chunk in zip(children, chunks[1:], strict=True):
        with os.fdopen(read_end, "rb") as src:
            payload = src.read()
        _, status = os.waitpid(pid, 0)
        try:
            part: list[ParseResult] = pickle.loads(payload) if status == 0 else []
        except Exception:
            part = []
        results.extend(part if len(part) == len(chunk) else _parse_chunk(chunk))
    return results


def _parse_cached(
    items: Sequence[tuple[str, str]], *, jobs: int, cache: ParseCache
) -> list[ParseResult]:
    keys = [stat_key(path) for path, _ in items]
    results = [cache.get(shown, key) for (_, shown), key in zip(items, keys, strict=True)]
    misses = [i for i, result in enumerate(results) if result is None]
    fresh = parse_all([items[i] for i in misses], jobs=jobs)
    for i, result in zip(misses, fresh, strict=True):
        results[i] = result
        cache.put(items[i][1], keys[i], result)
    cache.prune({shown for _, shown in items})
    cache.save()
    return [r for r in results if r is not None]


class History(NamedTuple):
    """A project's revision files, read and parsed: what every command starts from."""

    items: list[tuple[str, str]]
    """(file system path, shown path) of every file in the version locations, in load order."""
    names: dict[str, str]
    """Shown path -> name inside its version location, without ``.py`` (for file_template)."""
    parsed: list[ParseResult]
    scripts: list[RevisionScript]
    graph: RevisionGraph


def load(
    project: Project,
    *,
    cwd: str,
    jobs: int = 1,
    cache_dir: StrPath | None = None,
) -> History:
    """List, read and parse the history, and build its graph (a file that does not parse still
    contributes the identifiers recovered from it).

    A version location that cannot be listed is a UsageError, as it is for Alembic: a mistyped
    location must not pass as an empty history.
    """
    for location in project.version_locations:
        try:
            os.listdir(location)
        except OSError as exc:  # missing, not a directory, a symlink loop, no permission
            shown = display_path(location, cwd)
            raise UsageError(
                f"version location `{shown}` cannot be read: {exc.strerror or exc}"
            ) from None
    listed = list_revision_files(project)
    shown_dirs: dict[str, str] = {}
    items: list[tuple[str, str]] = []
    names: dict[str, str] = {}
    for f in listed:
        parent = shown_dirs.get(f.directory)
        if parent is None:
            parent = shown_dirs[f.directory] = display_path(f.directory, cwd)
        shown = f.name if parent == "." else f"{parent}/{f.name}"
        items.append((f.path, shown))
        names[shown] = f.subdir + f.name[:-3]
    if cache_dir is None:
        parsed = parse_all(items, jobs=jobs)
    else:
        parsed = _parse_cached(
            items,
            jobs=jobs,
            cache=ParseCache(cache_dir, scope=f"{cwd}\0{project.version_locations}"),
        )
    scripts = [r for r in parsed if isinstance(r, RevisionScript)]
    in_graph: list[RevisionScript] = []
    for r in parsed:
        usable = r if isinstance(r, RevisionScript) else r.recovered
        if usable is not None:
            in_graph.append(usable)
    return History(items, names, parsed, scripts, build_graph(in_graph))
