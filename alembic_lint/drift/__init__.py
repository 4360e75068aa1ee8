"""``alembic-lint drift``: migrate a disposable database from base to heads through the project's
env.py, then let Alembic's autogenerate compare it with the models (AL901-AL905).

The flow, parent side: the history (``history.load``) -> a result-cache lookup (``results``) -> the
child (``session`` starts ``child``, which runs env.py inside the ``guard`` with every engine
``redirect``-ed) -> disposable databases on request (``target`` picks the kind, ``databases``
makes them, ``accounts`` narrows what they can reach) -> the child's facts -> ``explain`` ->
diagnostics. SQLAlchemy and Alembic's runtime are imported only in the child (and by
``databases`` for servers), never by the static check.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from typing import Any, NamedTuple

from alembic_lint import rules, scope
from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic, UsageError
from alembic_lint.discover import Project
from alembic_lint.drift import accounts, databases, explain, target
from alembic_lint.drift.cache import Chain, chain
from alembic_lint.drift.results import Results, base_key, digest_file
from alembic_lint.drift.session import Outcome, Refusal, run_child
from alembic_lint.graph import RevisionGraph
from alembic_lint.history import History, display_path, load

Progress = Callable[[str], None]


class DriftOptions(NamedTuple):
    db: str = "auto"
    """``auto`` (the kind the project uses), ``sqlite`` or ``postgres`` (embedded PostgreSQL);
    ignored with ``url``."""
    url: str | None = None
    """A server on which temporary databases are created and dropped."""
    roundtrip: bool = False
    cache_dir: str | None = None
    """Where migrated databases and results are kept between runs; None: no cache."""
    debug: bool = False
    """Show the child's standard error and tracebacks (through ``note``)."""


class DriftResult(NamedTuple):
    diagnostics: list[Diagnostic]
    revisions: int


def drift(
    project: Project,
    settings: Settings,
    options: DriftOptions,
    *,
    cwd: str,
    progress: Progress | None = None,
    note: Progress = lambda text: None,
) -> DriftResult:
    """Upgrade a disposable database to the heads and compare it with the models."""
    history = load(project, cwd=cwd)
    enabled = rules.enabled_codes(settings)
    with databases.signals_as_interrupt():  # SIGTERM and SIGHUP clean up like Ctrl-C
        found = _drift(history, project, settings, options, cwd=cwd, progress=progress, note=note)
    kept = rules.suppressed(
        [d for d in found if d.code in enabled],
        scripts={s.path: s for s in history.scripts},
        settings=settings,
    )
    return DriftResult(kept, len(history.graph.revisions))


def run_directory(project: Project, cwd: str) -> str:
    """Where ``alembic`` is run for this project: beside its configuration file (for the
    Flask-Migrate layout, whose alembic.ini sits inside the script location, one level up)."""
    if project.config_file is None:
        return cwd
    here = os.path.dirname(os.path.abspath(project.config_file))
    if os.path.realpath(here) == os.path.realpath(project.script_location):
        return os.path.dirname(here)
    return here


def _where(history: History, project: Project, cwd: str) -> explain.Where:
    files = {shown: fs for fs, shown in history.items}
    revisions = {}
    for rev, script in history.graph.revisions.items():
        up = script.upgrade.line if script.upgrade is not None else 1
        down = script.downgrade.line if script.downgrade is not None else 1
        revisions[rev] = (script.path, files[script.path], up, down)
    env = display_path(os.path.join(project.script_location, "env.py"), cwd)
    return explain.Where(cwd, env, revisions)


def _plan(graph: RevisionGraph, settings: Settings) -> list[list[Any]]:
    """Revisions parents first, each marked whether its round trip is tested."""
    skip = scope.legacy(graph, settings.start_after)
    pending = {rev: len(parents) for rev, parents in graph.parents.items()}
    ready = sorted(rev for rev, n in pending.items() if n == 0)
    plan: list[list[Any]] = []
    while ready:
        rev = ready.pop(0)
        plan.append([rev, rev not in skip and len(graph.parents[rev]) <= 1])
        for child in sorted(graph.children[rev]):
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    return plan


def _project_key(project: Project, settings: Settings) -> str:
    key = f"{project.script_location}\0{project.version_locations}\0{settings.target_metadata}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _chain(history: History, project: Project, settings: Settings) -> Chain:
    files = {shown: fs for fs, shown in history.items}
    by_revision = {rev: files[s.path] for rev, s in history.graph.revisions.items()}
    env = os.path.join(project.script_location, "env.py")
    return chain(env, by_revision, extra=settings.target_metadata or "")


class _Databases:
    """Serves the child's requests: one pool per kind, the first database asked for is the main
    one (restored from and saved to the cache)."""

    def __init__(
        self,
        stack: contextlib.ExitStack,
        options: DriftOptions,
        note: Progress,
        cache: databases.CacheSpec | None,
    ) -> None:
        self.stack, self.options, self.note, self.cache = stack, options, note, cache
        self.pools: dict[target.Kind, databases.Pool] = {}
        self.main: databases.Borrowed | None = None
        self.main_pool: databases.Pool | None = None
        self.dialects: list[str] = []

    def serve(self, want: dict[str, Any]) -> str:
        try:
            kind = target.choose(self.options.db, self.options.url, want.get("dialect"))
        except target.NoDatabase as exc:
            raise Refusal(str(exc)) from None
        pool = self.pools.get(kind)
        if pool is None:
            try:
                pool = self.stack.enter_context(
                    databases.pool(kind.kind, url=kind.url, note=self.note, cache=self.cache)
                )
            except UsageError as exc:
                raise Refusal(str(exc)) from None
            self.pools[kind] = pool
        label = "" if self.main is None else (want.get("name") or "default")
        borrowed = pool.get(label)
        if self.main is None:
            self.main, self.main_pool = borrowed, pool
        self.dialects.append(pool.dialect)
        if kind.kind == "sqlite" or _same_database(borrowed.url, kind.url):
            return borrowed.url  # (a borrowed empty database of the user's stays as it was)
        return accounts.narrow(borrowed.url, stack=self.stack, note=self.note)


def _same_database(url: str, given: str | None) -> bool:
    import sqlalchemy as sa

    return (
        given is not None and sa.engine.make_url(url).database == sa.engine.make_url(given).database
    )


def _run(
    history: History,
    project: Project,
    settings: Settings,
    options: DriftOptions,
    *,
    cwd: str,
    cache: databases.CacheSpec | None,
    progress: Progress | None,
    note: Progress,
) -> tuple[Outcome, _Databases, list[str]]:
    run_dir = run_directory(project, cwd)
    job = {
        "cwd": run_dir,
        "roots": sorted({run_dir, cwd, os.path.dirname(project.script_location)}),
        "config_file": project.config_file,
        "ini_section": project.ini_section,
        "script_location": project.script_location,
        "versions": list(project.version_locations),
        "target_metadata": settings.target_metadata,
        "roundtrip": options.roundtrip,
        "plan": _plan(history.graph, settings) if options.roundtrip else [],
    }
    total = len(history.graph.revisions)
    done: list[str] = []
    with contextlib.ExitStack() as stack:
        served = _Databases(stack, options, note, cache)

        def step(direction: str, revision: str) -> None:
            done.append(revision)
            if progress is not None:
                held = len(served.main.held) if served.main is not None else 0
                progress(f"{direction} {len(done)} of {max(total - held, len(done))}: {revision}")

        outcome = run_child(job, served.serve, step=step, progress=progress or (lambda t: None))
        complete = outcome.facts is not None and _complete(outcome.facts)
        if served.main is not None and complete and done:
            served.main.keep()  # the migrated state, for the next run
        elif served.main is not None and served.main.held and not complete:
            assert served.main_pool is not None
            served.main_pool.evict()  # the cached copy may be what failed
    return outcome, served, done


def _complete(facts: dict[str, Any]) -> bool:
    return not facts.get("failure") and not facts.get("violations") and not facts.get("refused")


def _drift(
    history: History,
    project: Project,
    settings: Settings,
    options: DriftOptions,
    *,
    cwd: str,
    progress: Progress | None,
    note: Progress,
) -> list[Diagnostic]:
    if options.db not in ("auto", "sqlite", "postgres"):
        raise UsageError(f"--db must be auto, sqlite or postgres, not `{options.db}`")
    env_py = os.path.join(project.script_location, "env.py")
    if not history.graph.revisions and not os.path.isfile(env_py):
        return []
    # (no revision found statically, but an env.py, still runs: env.py may choose its version
    # locations at run time, as prefect's does)
    where = _where(history, project, cwd)
    key = _project_key(project, settings)
    wanted = _chain(history, project, settings)
    use_cache = options.cache_dir is not None and not options.roundtrip
    results = Results(options.cache_dir, key) if use_cache and options.cache_dir else None
    base = base_key(
        [options.db, options.url or "", settings.target_metadata or "", wanted.digest, cwd],
        os.environ,
    )
    if results is not None:
        cached = results.load(base)
        if cached is not None:
            return cached
    cache = (
        databases.CacheSpec(os.path.join(options.cache_dir, "databases"), key, wanted)
        if use_cache and options.cache_dir
        else None
    )
    try:
        outcome, served, _ = _run(
            history, project, settings, options, cwd=cwd, cache=cache, progress=progress, note=note
        )
        facts = outcome.facts
        if not _complete(facts or {}) and served.main is not None and served.main.held:
            # the cached database may be what failed: once more from scratch
            outcome, served, _ = _run(
                history,
                project,
                settings,
                options,
                cwd=cwd,
                cache=None,
                progress=progress,
                note=note,
            )
            facts = outcome.facts
    except Refusal as exc:
        raise UsageError(str(exc)) from None
    if options.debug and outcome.stderr:
        note("env.py's output (--debug):\n" + outcome.stderr.rstrip())
    if facts is None:
        return [
            Diagnostic(
                where.env,
                1,
                1,
                "AL905",
                f"env.py ended the drift process before it finished (exit status {outcome.exit_code})",
                "run with --debug to see its output",
            )
        ]
    found = explain.violations(facts, where)
    if found:
        return found
    if facts.get("failure"):
        failure = facts["failure"]
        if options.debug:
            note(failure["traceback"].rstrip())
        dialect = served.dialects[0] if served.dialects else "sqlite"
        return [explain.failure(failure, where, dialect)]
    if facts.get("roundtrip"):
        return [explain.roundtrip(facts["roundtrip"], where)]
    found = explain.drifted(facts, where)
    if results is not None:
        files = [f for f in facts.get("files", []) if digest_file(f)]
        results.save(base, files, found)
    return found
