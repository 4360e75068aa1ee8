"""The library API and the only place the stages are wired: discover -> parse -> graph -> rules."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

from alembic_lint import rules
from alembic_lint.cache import ParseCache, stat_key
from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic, UsageError
from alembic_lint.discover import Project, list_revision_files
from alembic_lint.graph import RevisionGraph, build_graph
from alembic_lint.script import ParseResult, RevisionScript, ScriptError, parse_script

# Files per forked parser: below this a child costs more than it saves.
PER_WORKER = 150


class LintResult(NamedTuple):
    diagnostics: list[Diagnostic]
    files: int
    graph: RevisionGraph


StrPath = str | os.PathLike[str]


def display_path(path: str, cwd: str) -> str:
    """Relative to the current directory with ``/`` separators, as the output contract says."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # pragma: no cover - another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


def read_file(path: str) -> bytes:
    """The whole file, with raw ``os`` calls: a buffered file object costs more than a small read."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_and_parse(path: str, shown: str, *, effects: bool = False) -> ParseResult:
    try:
        data = read_file(path)
    except OSError as exc:
        return ScriptError(shown, "AL005", 1, 1, exc.strerror or str(exc))
    return parse_script(data, shown, effects=effects)


def _parse_chunk(chunk: Sequence[tuple[str, str]], effects: bool) -> list[ParseResult]:
    return [read_and_parse(path, shown, effects=effects) for path, shown in chunk]


def parse_all(
    items: Sequence[tuple[str, str]], *, jobs: int, effects: bool = False
) -> list[ParseResult]:
    """Parse in order. Parsing is CPU-bound, so a long list is split with forked children, and
    the parent parses its own share meanwhile; a child that fails is redone here."""
    workers = min(jobs, len(items) // PER_WORKER)
    if workers <= 1 or not hasattr(os, "fork"):
        return _parse_chunk(items, effects)
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
                payload = pickle.dumps(_parse_chunk(chunk, effects), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    results = _parse_chunk(chunks[0], effects)
    for (pid, read_end), chunk in zip(children, chunks[1:], strict=True):
        with os.fdopen(read_end, "rb") as src:
            payload = src.read()
        _, status = os.waitpid(pid, 0)
        try:
            part: list[ParseResult] = pickle.loads(payload) if status == 0 else []
        except Exception:
            part = []
        results.extend(part if len(part) == len(chunk) else _parse_chunk(chunk, effects))
    return results


def _parse_cached(
    items: Sequence[tuple[str, str]], *, jobs: int, effects: bool, cache: ParseCache
) -> list[ParseResult]:
    keys = [stat_key(path) for path, _ in items]
    results = [cache.get(shown, key) for (_, shown), key in zip(items, keys, strict=True)]
    misses = [i for i, result in enumerate(results) if result is None]
    fresh = parse_all([items[i] for i in misses], jobs=jobs, effects=effects)
    for i, result in zip(misses, fresh, strict=True):
        results[i] = result
        cache.put(items[i][1], keys[i], result)
    cache.prune({shown for _, shown in items})
    cache.save()
    return [r for r in results if r is not None]


def _in_scope(
    scripts: Sequence[RevisionScript],
    graph: RevisionGraph,
    *,
    files: Sequence[StrPath] | None,
    cwd: str,
    start_after: str | None,
) -> list[RevisionScript]:
    chosen = list(scripts)
    if files is not None:
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
        chosen = [
            s
            for s in chosen
            if s.path in wanted_files or any(s.path.startswith(d) for d in wanted_dirs)
        ]
    if start_after is not None:
        if start_after not in graph.revisions:
            raise UsageError(f"start-after: unknown revision `{start_after}`")
        legacy = graph.ancestors(start_after)
        chosen = [s for s in chosen if s.revision not in legacy]
    return chosen


def lint(
    project: Project,
    settings: Settings,
    *,
    cwd: StrPath,
    files: Sequence[StrPath] | None = None,
    jobs: int = 1,
    cache_dir: StrPath | None = None,
) -> LintResult:
    """Lint a whole history. With ``files``, per-revision rules report only on those files.

    With ``cache_dir``, parse results of unchanged files are reused from the previous run.
    """
    cwd = os.fspath(cwd)
    enabled = rules.enabled_codes(settings)
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
    effects = "AL205" in enabled
    if cache_dir is None:
        parsed = parse_all(items, jobs=jobs, effects=effects)
    else:
        parsed = _parse_cached(
            items,
            jobs=jobs,
            effects=effects,
            cache=ParseCache(cache_dir, scope=f"{cwd}\0{effects}\0{project.version_locations}"),
        )
    scripts = [r for r in parsed if isinstance(r, RevisionScript)]
    in_graph: list[RevisionScript] = []
    for r in parsed:
        usable = r if isinstance(r, RevisionScript) else r.recovered
        if usable is not None:
            in_graph.append(usable)
    graph = build_graph(in_graph)
    ctx = rules.Context(
        graph=graph,
        settings=settings,
        project=project,
        names=names,
        known_codes=frozenset(rules.BY_CODE) | frozenset(rules.REDIRECTS),
        memo={},
    )
    in_scope = _in_scope(
        [s for s in scripts if s.revision is not None],
        graph,
        files=files,
        cwd=cwd,
        start_after=settings.start_after,
    )
    found = rules.run(
        (rule for rule in rules.ALL_RULES if rule.code in enabled),
        ctx,
        files=parsed,
        in_scope=in_scope,
    )
    kept = rules.suppressed(found, scripts={s.path: s for s in scripts}, settings=settings)
    return LintResult(sorted(set(kept), key=_order), len(listed), graph)


def _order(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.path, d.line, d.col, d.code, d.message)
