"""The drift child: runs the project's env.py and migrations as ``alembic`` runs them, inside the
guard, and reports facts to the parent (``session``) as JSON lines.

It is a process of its own so that the guard is in place before any project code is imported,
so that nothing the project prints reaches the parent's standard output (file descriptor 1 is
pointed at standard error; the channel is a private copy of the original), and so that nothing
the project leaves behind (atexit handlers, threads, open pools) outlives the run: it ends with
``os._exit``.

As ``alembic`` does: the working directory is the one that holds the configuration file (the
Flask-Migrate layout: its parent), ``config_file_name`` and the ini section are the real ones so
that ``fileConfig`` works, ``prepend_sys_path`` is honoured by Alembic itself, and the working
directory is importable (``PYTHONPATH=.`` is not needed). A Flask-Migrate env.py (one that uses
``current_app``) runs inside the application context of the app that ``flask`` itself would find
(``FLASK_APP``, ``.flaskenv``/``.env``, ``app.py``/``wsgi.py``).
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from typing import IO, Any

from alembic_lint.drift.guard import Guard, GuardError
from alembic_lint.drift.redirect import SENTINEL_URL, MissingDriver, Redirector, Request

_RUNNING = re.compile(r"(upgrade|downgrade) (.*?) -> (\S+?),")

# target-metadata mode: a script location holding only this env.py, pointed at the project's
# version locations, so that upgrades and the comparison still go through public Alembic APIs.
OWN_ENV = """
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


class Refused(Exception):
    """The parent could not provide a database (a usage problem: exit 2)."""


class Channel:
    """JSON lines to the parent on a private descriptor; replies on standard input."""

    def __init__(self, out: IO[str], replies: IO[str]) -> None:
        self.out, self.replies = out, replies

    def send(self, message: dict[str, Any]) -> None:
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def ask(self, request: Request) -> str:
        self.send({"want": {"dialect": request.dialect, "name": request.name}})
        reply = json.loads(self.replies.readline() or "{}")
        if "url" not in reply:
            raise Refused(reply.get("error", "the parent gave no database"))
        return str(reply["url"])


class Steps:
    """Follows Alembic's "Running upgrade a -> b" log calls, whatever the logging configuration:
    the module's logger object is wrapped, not a handler added."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.current: str | None = None
        self.count = 0

    def install(self) -> None:
        import alembic.runtime.migration as migration

        steps, real = self, migration.log

        class Log:
            def info(self, msg: Any, *args: Any, **kwargs: Any) -> None:
                text = str(msg) % args if args else str(msg)
                match = _RUNNING.search(text) if text.startswith("Running ") else None
                if match is not None:
                    steps.current = match.group(3)
                    steps.count += 1
                    steps.channel.send({"step": [match.group(1), steps.current]})
                real.info(msg, *args, **kwargs)

            def __getattr__(self, name: str) -> Any:
                return getattr(real, name)

        migration.log = Log()  # type: ignore[assignment]


class Files:
    """The project files the run opened or imported: the result cache's key covers them."""

    def __init__(self, roots: tuple[str, ...], exclude: tuple[str, ...]) -> None:
        self.roots, self.exclude = roots, exclude
        self.opened: set[str] = set()

    def audit(self, event: str, args: tuple[Any, ...]) -> None:  # pragma: no cover (see guard)
        if event == "open" and isinstance(args[0], str):
            mode = args[1] if len(args) > 1 else "r"
            if isinstance(mode, str) and ("w" in mode or "a" in mode or "+" in mode):
                return
            self.opened.add(args[0])

    def project_files(self) -> list[str]:
        found = set()
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if isinstance(path, str):
                found.add(path)
        found |= self.opened
        kept = set()
        for path in found:
            real = os.path.realpath(os.path.abspath(path))
            inside = real.startswith(self.roots) and not real.startswith(self.exclude)
            if inside and os.path.isfile(real):
                kept.add(real)
        return sorted(kept)


def _failure(stage: str, exc: BaseException, guard: Guard, steps: Steps) -> dict[str, Any]:
    path, line = None, 1
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith("<"):
            continue
        real = os.path.realpath(frame.filename)
        if real.startswith(guard.roots) and not real.startswith(guard.exclude):
            path, line = real, frame.lineno or 1
            break
    orig = getattr(exc, "orig", None)
    shown = orig if isinstance(orig, BaseException) else exc
    text = str(shown).strip()
    return {
        "stage": stage,
        "revision": steps.current,
        "type": type(shown).__name__,
        "message": text.splitlines()[0] if text else "",
        "module": getattr(exc, "name", None) if isinstance(exc, ImportError) else None,
        "missing_driver": isinstance(exc, MissingDriver),
        "path": path,
        "line": line,
        "step": steps.count,
        "traceback": "".join(traceback.format_exception(exc)),
    }


def _config(job: dict[str, Any], scratch: str) -> Any:
    import inspect

    from alembic.config import Config

    kwargs: dict[str, Any] = {"ini_section": job["ini_section"]}
    toml = os.path.join(job["cwd"], "pyproject.toml")
    supports_toml = "toml_file" in inspect.signature(Config.__init__).parameters
    config_file = job["config_file"]
    if config_file is not None and os.path.basename(config_file) == "pyproject.toml":
        toml, config_file = config_file, None
    if supports_toml and os.path.isfile(toml):
        kwargs["toml_file"] = toml
    cfg = Config(file_=config_file, **kwargs)
    if job["target_metadata"] is not None:
        own = os.path.join(scratch, "own_env")
        os.makedirs(own, exist_ok=True)
        with open(os.path.join(own, "env.py"), "w", encoding="utf-8") as fh:
            fh.write(OWN_ENV)
        cfg.set_main_option("alembic_lint.target_metadata", _escape(job["target_metadata"]))
        cfg.set_main_option("script_location", _escape(own))
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_path_separator", "os")  # what Alembic < 1.16 reads
        cfg.set_main_option("version_locations", _escape(os.pathsep.join(job["versions"])))
    elif not cfg.get_main_option("script_location"):
        cfg.set_main_option("script_location", _escape(job["script_location"]))
    if not cfg.get_main_option("sqlalchemy.url"):
        cfg.set_main_option("sqlalchemy.url", SENTINEL_URL)
    return cfg


def working_directory(raw: str, job: dict[str, Any]) -> str:
    """Where ``alembic`` would be run: beside the configuration file, unless the file's relative
    ``script_location`` only resolves from a directory above it (mlflow's ini names
    ``mlflow/store/db_migrations`` from the root of its source tree)."""
    here = str(job["cwd"])
    if not raw or os.path.isabs(raw) or ":" in raw or "%(" in raw:
        return here
    target = os.path.realpath(str(job["script_location"]))
    relative = os.path.normpath(raw)
    if os.path.realpath(os.path.join(here, relative)) == target:
        return here
    if target.endswith(os.sep + relative):
        return target[: -len(relative) - 1]
    return here


def _escape(value: str) -> str:
    return value.replace("%", "%%")


def _flask_context(job: dict[str, Any]) -> Any:
    """The app context ``flask db`` would push, for an env.py that uses ``current_app``."""
    env = os.path.join(job["script_location"], "env.py")
    try:
        with open(env, encoding="utf-8", errors="replace") as fh:
            if "current_app" not in fh.read():
                return None
    except OSError:
        return None
    from flask.cli import ScriptInfo, load_dotenv

    load_dotenv()
    app = ScriptInfo().load_app()
    context = app.app_context()
    context.push()
    return context


class _Attributes(dict):  # type: ignore[type-arg]
    """``Config.attributes`` that hands out a connection to the disposable database the first
    time env.py asks for ``"connection"`` (dagster's and pytest-alembic's pattern: the program
    that embeds env.py hands it one), and never otherwise."""

    url: str = SENTINEL_URL

    def _connect(self, key: object) -> None:
        if key == "connection" and not dict.__contains__(self, key):
            import sqlalchemy as sa

            engine = sa.create_engine(self.url)
            self[key] = engine.connect()

    def get(self, key: object, default: object = None) -> object:
        self._connect(key)
        return dict.get(self, key, default)

    def __getitem__(self, key: object) -> object:
        self._connect(key)
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self._connect(key)
        return dict.__contains__(self, key)


def _shared_connection(cfg: Any, job: dict[str, Any]) -> None:
    if job["target_metadata"] is None:
        attributes = _Attributes(cfg.attributes)
        attributes.url = cfg.get_main_option("sqlalchemy.url")
        cfg.__dict__["attributes"] = attributes  # Config.attributes is a memoized dict


def _settle(cfg: Any) -> None:
    """Commit what a shared connection did, so that the next command (and the cache) sees it."""
    connection = dict.get(cfg.attributes, "connection")
    if connection is not None and connection.in_transaction():
        connection.commit()


def differences(cfg: Any) -> list[Any]:
    """Autogenerate's comparison of the upgraded database with the models, as ``alembic check``
    makes it (also on Alembic versions whose exception carries no ``diffs``)."""
    from alembic import autogenerate
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(cfg)
    args = {
        "message": None,
        "autogenerate": True,
        "sql": False,
        "head": "head",
        "splice": False,
        "branch_label": None,
        "version_path": None,
        "rev_id": None,
        "depends_on": None,
    }
    context = autogenerate.RevisionContext(cfg, script, args)

    def compare(rev: Any, migration_context: Any) -> list[Any]:
        context.run_autogenerate(rev, migration_context)
        return []

    with EnvironmentContext(
        cfg,
        script,
        fn=compare,
        as_sql=False,
        template_args=context.template_args,
        revision_context=context,
    ):
        script.run_env()
    if not context.generated_revisions:  # the env's own hook dropped the empty revision
        return []
    found: list[Any] = []
    for ops in context.generated_revisions[-1].upgrade_ops_list:
        found.extend(ops.as_diffs())
    return found


def snapshot(engine: Any) -> list[str]:
    """The schema as comparable facts: tables, columns (type, nullability), indexes, constraints."""
    import sqlalchemy as sa

    facts: set[str] = set()
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
                columns = ", ".join(str(c) for c in index["column_names"])
                facts.add(f"index {table}.{index['name']} ({columns})")
            for unique in inspector.get_unique_constraints(table):
                facts.add(f"unique constraint {table}.{unique['name']}")
            for fk in inspector.get_foreign_keys(table):
                facts.add(
                    f"foreign key {table}.{fk['name'] or ','.join(fk['constrained_columns'])}"
                )
    return sorted(facts)


def _schema(redirector: Redirector) -> set[str]:
    if not redirector.given:
        return set()
    url = next(iter(redirector.given.values()))
    engine = redirector.plain_engine(url)
    try:
        return set(snapshot(engine))
    finally:
        engine.dispose()


def _roundtrip(cfg: Any, plan: list[list[Any]], redirector: Redirector, channel: Channel) -> Any:
    """Upgrade to each planned revision, downgrade one step, compare, upgrade again."""
    from alembic import command

    for index, (rev, test) in enumerate(plan, 1):
        if not test:
            command.upgrade(cfg, rev)
            continue
        channel.send({"progress": f"round trip {index} of {len(plan)}: {rev}"})
        before = _schema(redirector)
        command.upgrade(cfg, rev)
        _settle(cfg)
        try:
            command.downgrade(cfg, f"{rev}@-1")
            _settle(cfg)
        except Exception as exc:
            return {"code": "AL903", "revision": rev, "error": _first_line(exc)}
        after = _schema(redirector)
        if after != before:
            return {
                "code": "AL904",
                "revision": rev,
                "left": sorted(after - before),
                "lost": sorted(before - after),
            }
        command.upgrade(cfg, rev)
    return None


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if isinstance(orig, BaseException) else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def run(job: dict[str, Any], channel: Channel, scratch: str) -> dict[str, Any]:
    """Everything the child does, from an installed guard to the facts it reports."""
    roots = tuple(job["roots"])
    guard = Guard(roots)
    guard.report = lambda violation: channel.send({"violation": list(violation)})
    files = Files(guard.roots, guard.exclude)
    sys.addaudithook(files.audit)
    guard.install()
    import sqlalchemy  # noqa: F401  (the engines are patched before any project import)

    redirector = Redirector(guard, channel.ask)
    redirector.install()
    guard.install_sqlalchemy()
    steps = Steps(channel)
    steps.install()
    result: dict[str, Any] = {"diffs": [], "failure": None, "roundtrip": None}
    stage = "env"
    try:
        from alembic import command

        from alembic_lint.drift.describe import describe

        cfg = _config(job, scratch)
        here = working_directory(cfg.get_main_option("script_location") or "", job)
        os.chdir(here)
        sys.path.insert(0, here)
        _flask_context(job)
        _shared_connection(cfg, job)
        if job["roundtrip"]:
            stage = "upgrade"
            result["roundtrip"] = _roundtrip(cfg, job["plan"], redirector, channel)
        if result["roundtrip"] is None:
            stage = "upgrade"
            command.upgrade(cfg, "heads")
            _settle(cfg)
            stage = "check"
            steps.current = None
            result["diffs"] = [describe(diff) for diff in differences(cfg)]
    except Refused as exc:
        result["refused"] = str(exc)
    except GuardError:
        pass  # recorded as a violation
    except BaseException as exc:  # the project's code may raise anything, SystemExit included
        if stage == "upgrade" and steps.current is None and not steps.count:
            stage = "env"
        result["failure"] = _failure(stage, exc, guard, steps)
    result["violations"] = [list(v) for v in guard.violations]
    result["files"] = files.project_files()
    result["engines"] = redirector.urls[:1]
    return result


def main() -> None:  # pragma: no cover - runs in the child process; tests drive it end to end
    channel_fd = os.dup(1)
    os.dup2(2, 1)
    channel = Channel(os.fdopen(channel_fd, "w", encoding="utf-8"), sys.stdin)
    job = json.loads(sys.stdin.readline())
    import tempfile

    code = 0
    with tempfile.TemporaryDirectory(prefix="alembic-lint-child-") as scratch:
        try:
            channel.send({"done": run(job, channel, scratch)})
        except BaseException:
            traceback.print_exc()
            code = 3
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
