"""``alembic-lint drift``: migrate a disposable database from base to heads through the project's
env.py, then let Alembic's autogenerate compare it with the models (AL901-AL905).

The only part of alembic-lint that imports Alembic's runtime and SQLAlchemy, and only here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from alembic_lint import rules
from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic
from alembic_lint.discover import Project
from alembic_lint.drift import databases, guard
from alembic_lint.drift.cache import Chain, chain
from alembic_lint.drift.describe import describe
from alembic_lint.graph import RevisionGraph
from alembic_lint.lint import History, display_path, load

Progress = Callable[[str], None]
_RUNNING = re.compile(r"Running (upgrade|downgrade) (.*?) -> (\S+?),")
AUTOGENERATE_HINT = 'generate the missing migration: alembic revision --autogenerate -m "..."'

# target-metadata mode: a script location holding only this env.py, pointed at the project's
# version locations, so that upgrades and the comparison still go through public Alembic APIs.
_OWN_ENV = """
import importlib

import sqlalchemy as sa
from alembic import context

config = context.config
module, _, attr = config.get_main_option("alembic_lint.target_metadata").partition(":")
target = importlib.import_module(module)
for part in attr.split("."):
    target = getattr(target, part)
engine = sa.create_engine(config.get_main_option("sqlalchemy.url"), poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
"""


class DriftOptions(NamedTuple):
    db: str = "sqlite"
    """``sqlite`` (a temporary file) or ``postgres`` (embedded PostgreSQL); ignored with ``url``."""
    url: str | None = None
    """A server on which a temporary database is created and dropped."""
    roundtrip: bool = False
    cache_dir: str | None = None
    """Where migrated databases are kept between runs (``drift.cache``, PostgreSQL templates);
    None: always migrate from scratch."""


class DriftResult(NamedTuple):
    diagnostics: list[Diagnostic]
    revisions: int


class _Steps(logging.Handler):
    """Follows Alembic's "Running upgrade a -> b" log lines: progress, and the failing revision."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.total = total
        self.done = 0
        self.current: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        match = _RUNNING.search(record.getMessage())
        if match is None:
            return
        self.current = match.group(3)
        self.done += 1
        if self.progress is not None:
            self.progress(f"{match.group(1)} {self.done} of {self.total}: {self.current}")


@contextlib.contextmanager
def _following(progress: Progress | None, total: int) -> Iterator[_Steps]:
    steps = _Steps(progress, total)
    logger = logging.getLogger("alembic.runtime.migration")
    old_level = logger.level
    logger.addHandler(steps)
    logger.setLevel(logging.INFO)
    try:
        yield steps
    finally:
        logger.removeHandler(steps)
        logger.setLevel(old_level)


def _escape(value: str) -> str:
    return value.replace("%", "%%")


def _alembic_config(
    project: Project, settings: Settings, *, cwd: str, url: str, scratch: str
) -> Any:
    from alembic.config import Config

    ini: str | None = project.config_file
    toml = os.path.join(cwd, "pyproject.toml")
    if ini is not None and os.path.basename(ini) == "pyproject.toml":
        toml = ini
        ini = None
    cfg = Config(file_=ini, toml_file=toml, ini_section=project.ini_section)
    _ = cfg.file_config  # read the ini now, so that it is no longer needed below
    # without a file name, env.py skips fileConfig(), which would print Alembic's INFO lines
    cfg.config_file_name = None
    script_location = project.script_location
    if settings.target_metadata is not None:
        script_location = os.path.join(scratch, "own_env")
        os.makedirs(script_location, exist_ok=True)
        with open(os.path.join(script_location, "env.py"), "w", encoding="utf-8") as fh:
            fh.write(_OWN_ENV)
        cfg.set_main_option("alembic_lint.target_metadata", _escape(settings.target_metadata))
    cfg.set_main_option("script_location", _escape(script_location))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", _escape(os.pathsep.join(project.version_locations)))
    cfg.set_main_option("sqlalchemy.url", _escape(url))
    return cfg


def _env_path(project: Project, cwd: str) -> str:
    return display_path(os.path.join(project.script_location, "env.py"), cwd)


@contextlib.contextmanager
def _database(
    options: DriftOptions, note: Progress, *, key: str, wanted: Chain
) -> Iterator[databases.Borrowed]:
    cached = options.cache_dir is not None and not options.roundtrip
    cache = (
        databases.CacheSpec(options.cache_dir, key, wanted)
        if options.cache_dir and cached
        else None
    )
    kind = "server" if options.url is not None else options.db
    with databases.pool(kind, url=options.url, note=note, cache=cache) as found:
        yield found.get("")


def _upgrade_failed(history: History, revision: str | None, exc: BaseException) -> Diagnostic:
    script = history.graph.revisions.get(revision or "")
    path = script.path if script is not None else "?"
    line = script.upgrade.line if script is not None and script.upgrade is not None else 1
    return Diagnostic(
        path,
        line,
        1,
        "AL902",
        f"upgrade to `{revision}` failed on a fresh database: {databases.first_line(exc)}",
        "run `alembic upgrade heads` on an empty database to reproduce it",
        revision,
    )


def _env_error(project: Project, cwd: str, exc: BaseException) -> Diagnostic:
    if isinstance(exc, guard.GuardError):
        message, hint = str(exc), guard.HOW_TO_FIX
    else:
        message = f"env.py cannot be run: {type(exc).__name__}: {databases.first_line(exc)}"
        hint = (
            "env.py must run with only `sqlalchemy.url` and hand `target_metadata` to "
            "context.configure(); or set `target-metadata` in [tool.alembic-lint]"
        )
    return Diagnostic(_env_path(project, cwd), 1, 1, "AL905", message, hint)


def _order(graph: RevisionGraph) -> list[str]:
    """Revisions parents first (the order an upgrade applies them)."""
    pending = {rev: len(parents) for rev, parents in graph.parents.items()}
    ready = sorted(rev for rev, n in pending.items() if n == 0)
    order: list[str] = []
    while ready:
        rev = ready.pop(0)
        order.append(rev)
        for child in sorted(graph.children[rev]):
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    return order


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
    found = _drift(history, project, settings, options, cwd=cwd, progress=progress, note=note)
    kept = rules.suppressed(
        [d for d in found if d.code in enabled],
        scripts={s.path: s for s in history.scripts},
        settings=settings,
    )
    return DriftResult(kept, len(history.graph.revisions))


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
    from alembic import command
    from alembic.util.exc import AutogenerateDiffsDetected

    if not history.graph.revisions:
        return []
    found: list[Diagnostic] = []
    key = _project_key(project, settings)
    wanted = _chain(history, project, settings)
    with (
        _importable(cwd),
        tempfile.TemporaryDirectory(prefix="alembic-lint-drift-") as scratch,
        _database(options, note, key=key, wanted=wanted) as borrowed,
    ):
        url = borrowed.url
        cfg = _alembic_config(project, settings, cwd=cwd, url=url, scratch=scratch)
        pending = len(history.graph.revisions) - len(borrowed.held)
        with guard.only(url), _following(progress, pending) as steps:
            try:
                if options.roundtrip:
                    found = _roundtrip(cfg, history, settings, url, progress)
                    if found:  # the database no longer matches any revision
                        return found
                if pending:
                    command.upgrade(cfg, "heads")
            except Exception as exc:
                if steps.current is None:
                    return [*found, _env_error(project, cwd, exc)]
                return [*found, _upgrade_failed(history, steps.current, exc)]
        if pending:
            borrowed.keep()  # outside the guard: it connects to the server's own database
        with guard.only(url):
            try:
                command.check(cfg)
            except AutogenerateDiffsDetected as detected:
                env = _env_path(project, cwd)
                found += [
                    Diagnostic(env, 1, 1, "AL901", describe(diff), AUTOGENERATE_HINT)
                    for diff in detected.diffs
                ]
            except Exception as exc:
                found.append(_env_error(project, cwd, exc))
    return found


def _project_key(project: Project, settings: Settings) -> str:
    import zlib

    key = f"{project.script_location}\0{project.version_locations}\0{settings.target_metadata}"
    return f"{zlib.crc32(key.encode()):08x}"


def _chain(history: History, project: Project, settings: Settings) -> Chain:
    files = {shown: fs for fs, shown in history.items}
    by_revision = {rev: files[s.path] for rev, s in history.graph.revisions.items()}
    env = os.path.join(project.script_location, "env.py")
    return chain(env, by_revision, extra=settings.target_metadata or "")


@contextlib.contextmanager
def _importable(cwd: str) -> Iterator[None]:
    """env.py and the models import the project's packages, as they do when run from ``cwd``."""
    saved = list(sys.path)
    sys.path.insert(0, cwd)
    # a finder for "." (alembic's usual prepend_sys_path) remembers the directory it was made in
    for relative in ("", "."):
        sys.path_importer_cache.pop(relative, None)
    try:
        yield
    finally:
        sys.path[:] = saved


def snapshot(url: str) -> frozenset[str]:
    """The schema as comparable facts: tables, columns (type, nullability), indexes, constraints."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    facts: set[str] = set()
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            for table in inspector.get_table_names():
                if table == "alembic_version":
                    continue
                facts.add(f"table {table}")
                for col in inspector.get_columns(table):
                    null = "NULL" if col["nullable"] else "NOT NULL"
                    facts.add(f"column {table}.{col['name']} {col['type']} {null}")
                for index in inspector.get_indexes(table):
                    facts.add(
                        f"index {table}.{index['name']} ({', '.join(str(c) for c in index['column_names'])})"
                    )
                for unique in inspector.get_unique_constraints(table):
                    facts.add(f"unique constraint {table}.{unique['name']}")
                for fk in inspector.get_foreign_keys(table):
                    facts.add(
                        f"foreign key {table}.{fk['name'] or ','.join(fk['constrained_columns'])}"
                    )
    finally:
        engine.dispose()
    return frozenset(facts)


def _roundtrip(
    cfg: Any, history: History, settings: Settings, url: str, progress: Progress | None
) -> list[Diagnostic]:
    """From an empty database, for each revision after ``start-after``: upgrade to it, downgrade
    one step, compare the schema with the one before, and upgrade again. The first failing
    downgrade (AL903) or trace (AL904) ends the round trip, and the run: the database then no
    longer matches any revision."""
    from alembic import command

    graph = history.graph
    start = settings.start_after
    skip = graph.ancestors(start) if start is not None and start in graph.revisions else set()
    order = _order(graph)
    for index, rev in enumerate(order, 1):
        if rev in skip or len(graph.parents[rev]) > 1:
            command.upgrade(cfg, rev)
            continue
        if progress is not None:
            progress(f"round trip {index} of {len(order)}: {rev}")
        script = graph.revisions[rev]
        line = script.downgrade.line if script.downgrade is not None else 1
        before = snapshot(url)
        command.upgrade(cfg, rev)
        try:
            command.downgrade(cfg, f"{rev}@-1")
        except Exception as exc:
            message = f"downgrade of `{rev}` failed: {databases.first_line(exc)}"
            hint = "fix downgrade(), or raise to declare it irreversible"
            return [Diagnostic(script.path, line, 1, "AL903", message, hint, rev)]
        after = snapshot(url)
        if after != before:
            left = sorted(after - before)
            lost = sorted(before - after)
            parts = [f"leaves {', '.join(left)}"] if left else []
            parts += [f"removes {', '.join(lost)}"] if lost else []
            message = f"downgrade of `{rev}` {'; '.join(parts)}"
            hint = "make downgrade() undo exactly what upgrade() does"
            return [Diagnostic(script.path, line, 1, "AL904", message, hint, rev)]
        command.upgrade(cfg, rev)
    return []
