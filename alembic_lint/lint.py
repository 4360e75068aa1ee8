"""The library API and the only place the stages are wired: discover -> parse -> graph -> rules."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from alembic_lint import rules
from alembic_lint.cache import ParseCache, stat_key
from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic, UsageError
from alembic_lint.discover import Project, list_revision_files
from alembic_lint.graph import RevisionGraph, build_graph
from alembic_lint.script import ParseResult, RevisionScript, ScriptError, parse_script

# Below this many files a worker process costs more than it saves.
PARALLEL_THRESHOLD = 1500


class LintResult(NamedTuple):
    diagnostics: list[Diagnostic]
    files: int
    graph: RevisionGraph


def display_path(path: Path, cwd: Path) -> str:
    """Relative to the current directory with ``/`` separators, as the output contract says."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # pragma: no cover - another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


def read_and_parse(path: str, shown: str, *, effects: bool = False) -> ParseResult:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return ScriptError(shown, "AL005", 1, 1, exc.strerror or str(exc))
    return parse_script(data, shown, effects=effects)


def _parse_chunk(chunk: Sequence[tuple[str, str]], effects: bool) -> list[ParseResult]:
    return [read_and_parse(path, shown, effects=effects) for path, shown in chunk]


def parse_all(
    items: Sequence[tuple[str, str]], *, jobs: int, effects: bool = False
) -> list[ParseResult]:
    """Parse in order; large histories are split across processes, since parsing is CPU-bound."""
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD or sys.platform != "linux":
        return _parse_chunk(items, effects)
    import multiprocessing

    size = -(-len(items) // jobs)
    chunks = [(items[i : i + size], effects) for i in range(0, len(items), size)]
    with multiprocessing.get_context("fork").Pool(len(chunks)) as pool:
        parts = pool.starmap(_parse_chunk, chunks)
    return [result for part in parts for result in part]


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
    files: Sequence[Path] | None,
    cwd: Path,
    start_after: str | None,
) -> list[RevisionScript]:
    chosen = list(scripts)
    if files is not None:
        wanted_files: set[str] = set()
        wanted_dirs: list[str] = []
        for f in files:
            shown = display_path(Path(os.path.normpath(cwd / f)), cwd)
            if f.is_dir():
                wanted_dirs.append("" if shown == "." else shown.rstrip("/") + "/")
            elif f.exists():
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
    cwd: Path,
    files: Sequence[Path] | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
) -> LintResult:
    """Lint a whole history. With ``files``, per-revision rules report only on those files.

    With ``cache_dir``, parse results of unchanged files are reused from the previous run.
    """
    enabled = rules.enabled_codes(settings)
    paths = list_revision_files(project)
    shown_dirs: dict[Path, str] = {}
    by_path: dict[str, Path] = {}
    for p in paths:
        parent = shown_dirs.get(p.parent)
        if parent is None:
            parent = shown_dirs[p.parent] = display_path(p.parent, cwd)
        by_path[p.name if parent == "." else f"{parent}/{p.name}"] = p
    effects = "AL205" in enabled
    items = [(str(p), shown) for shown, p in by_path.items()]
    if cache_dir is None:
        parsed = parse_all(items, jobs=jobs, effects=effects)
    else:
        parsed = _parse_cached(
            items,
            jobs=jobs,
            effects=effects,
            cache=ParseCache(cache_dir, scope=f"{cwd}\0{effects}"),
        )
    scripts = [r for r in parsed if isinstance(r, RevisionScript)]
    in_graph: list[RevisionScript] = []
    for r in parsed:
        usable = r if isinstance(r, RevisionScript) else r.recovered
        if usable is not None:
            in_graph.append(usable)
    graph = build_graph(in_graph)
    name_dirs: dict[Path, str] = {}
    names: dict[str, str] = {}
    for shown, path in by_path.items():
        prefix = name_dirs.get(path.parent)
        if prefix is None:
            prefix = name_dirs[path.parent] = _prefix_in_location(
                path.parent, project.version_locations
            )
        names[shown] = prefix + path.name[:-3]
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
    return LintResult(sorted(set(kept), key=_order), len(paths), graph)


def _order(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.path, d.line, d.col, d.code, d.message)


def _prefix_in_location(directory: Path, locations: Iterable[Path]) -> str:
    """``sub/dir/`` for a directory below a version location, ``""`` for the location itself."""
    for location in locations:
        try:
            rel = directory.relative_to(location)
        except ValueError:
            continue
        return "" if rel == Path() else rel.as_posix() + "/"
    return ""  # pragma: no cover - every listed file is under a location
