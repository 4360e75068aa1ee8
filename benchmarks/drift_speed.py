"""Whole-process time of ``alembic-lint drift`` on a generated 200-revision project, cold and warm,
against running ``alembic upgrade heads`` then ``alembic check`` by hand on a fresh SQLite file.

Run it with the interpreter of the environment that has alembic-lint installed::

    python benchmarks/drift_speed.py [--runs K] [--json out.json] [--keep]

It generates the project (SQLite-flavoured migrations, the ``generic`` env.py and a ``models.py``
that matches what the migrations build), checks that drift finds nothing, times the variants
interleaved and prints a markdown report. It exits 0 unless the benchmark itself cannot run; see
benchmarks/README.md.
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
import shlex
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import check_speed
import generate
from check_speed import BenchmarkError, Target, Variant, run_checked

REVISIONS = 200
DEFAULT_RUNS = 5
# Targets from the issue: a warm run with no new revisions at most 0.15 of a cold run; a cold run
# at most 1.1 times `alembic upgrade heads` then `alembic check` by hand on a fresh SQLite file.
WARM_RATIO = 0.15
COLD_RATIO = 1.1

BY_HAND_DB = "by_hand.sqlite"
UPGRADED_DB = "upgraded.sqlite"
NEW_TABLE = "feature_flags"

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
# SQLite has no ALTER COLUMN: alter_column goes through batch mode, as render_as_batch writes it.
_ALTER = re.compile(r"^    op\.alter_column\(('[^']*'), ", re.MULTILINE)
_IN_BATCH = (
    r"    with op.batch_alter_table(\1, schema=None) as batch_op:\n        batch_op.alter_column("
)

ENV_IMPORT = "from models import metadata\n\ntarget_metadata = metadata"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sqlite_flavour(text: str) -> str:
    for old, new in SQLITE_FLAVOUR:
        text = text.replace(old, new)
    return _ALTER.sub(_IN_BATCH, text)


def _ini(template: str, url_file: str) -> str:
    """``alembic init``'s alembic.ini with the project's script location and a SQLite URL."""
    text = re.sub(
        r"^script_location = .*$",
        "script_location = %(here)s/migrations",
        template,
        count=1,
        flags=re.MULTILINE,
    )
    return re.sub(
        r"^sqlalchemy\.url = .*$",
        f"sqlalchemy.url = sqlite:///%(here)s/{url_file}",
        text,
        count=1,
        flags=re.MULTILINE,
    )


def build_project(root: Path, n: int, seed: int) -> generate.GeneratedProject:
    """``alembic init`` (generic template), then generate.py's history in SQLite's flavour, and an
    env.py whose ``target_metadata`` is ``models.metadata`` (an empty one until ``write_models``)."""
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
        path.write_text(sqlite_flavour(path.read_text(encoding="utf-8")), encoding="utf-8")
    project.ini.write_text(_ini(template, BY_HAND_DB), encoding="utf-8")
    (root / "check.ini").write_text(_ini(template, UPGRADED_DB), encoding="utf-8")
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


def check_install() -> None:
    """The installed alembic-lint must have its drift package (a regular install only has the
    packages pyproject.toml lists)."""
    if importlib.util.find_spec("alembic_lint.drift") is None:
        raise BenchmarkError(
            f"the alembic-lint installed for {sys.executable} has no alembic_lint.drift: "
            "is it listed in [tool.setuptools] packages in pyproject.toml?"
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
def _model_types() -> dict[str, str]:
    types = {name: sqlite_flavour(col.model) for name, col in generate.COLUMNS.items()}
    types["id"] = generate.INTEGER.model
    return types


def _type_source(column: Any, types: Mapping[str, str]) -> str:
    name = str(column.name)
    if name in types:
        return types[name]
    if name.endswith("_id"):
        return generate.INTEGER.model
    return f"sa.{column.type!r}"


def models_source(metadata: Any) -> str:
    """``models.py`` declaring ``metadata``'s tables as sa.Table(...) source."""
    import sqlalchemy as sa

    types = _model_types()
    lines = [
        '"""The models: what the migrations build (written by benchmarks/drift_speed.py)."""',
        "",
        "import sqlalchemy as sa",
        "",
        "metadata = sa.MetaData()",
    ]
    for name in sorted(metadata.tables):
        table = metadata.tables[name]
        lines += ["", "", "sa.Table(", f"    {name!r},", "    metadata,"]
        for col in table.columns:
            lines.append(
                f"    sa.Column({col.name!r}, {_type_source(col, types)}, nullable={col.nullable}),"
            )
        for fk in sorted(table.foreign_key_constraints, key=lambda c: list(c.column_keys)):
            targets = [f"{e.column.table.name}.{e.column.name}" for e in fk.elements]
            lines.append(f"    sa.ForeignKeyConstraint({list(fk.column_keys)!r}, {targets!r}),")
        pk = [c.name for c in table.primary_key.columns]
        lines.append(f"    sa.PrimaryKeyConstraint({', '.join(repr(c) for c in pk)}),")
        for constraint in sorted(table.constraints, key=lambda c: str(c.name)):
            if isinstance(constraint, sa.UniqueConstraint):
                cols = ", ".join(repr(c.name) for c in constraint.columns)
                lines.append(f"    sa.UniqueConstraint({cols}, name={constraint.name!r}),")
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            cols = ", ".join(repr(c.name) for c in index.columns)
            lines.append(f"    sa.Index({index.name!r}, {cols}, unique={bool(index.unique)}),")
        lines.append(")")
    return "\n".join(lines) + "\n"


def reflect(database: Path) -> Any:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{database}", poolclass=sa.pool.NullPool)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine, only=lambda name, _: name != "alembic_version")
    finally:
        engine.dispose()
    return metadata


def write_models(root: Path, alembic: Path, env: Mapping[str, str]) -> int:
    """Upgrade a scratch database by hand (the models still empty), write what it holds as
    ``models.py``; the number of tables."""
    _progress("upgrading a scratch SQLite database to write models.py from it")
    scratch = "models.sqlite"
    ini = root / "models.ini"
    ini.write_text(
        _ini((root / "alembic.ini").read_text(encoding="utf-8"), scratch), encoding="utf-8"
    )
    _checked(
        "the generated migrations do not upgrade on SQLite",
        [str(alembic), "-c", ini.name, "upgrade", "heads"],
        env,
        root,
    )
    metadata = reflect(root / scratch)
    (root / "models.py").write_text(models_source(metadata), encoding="utf-8")
    (root / scratch).unlink()
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


class FreshCaches:
    """A new cache directory for every run (empty, or a copy of ``template``), removed after."""

    def __init__(self, work: Path, template: Path | None = None) -> None:
        self.work = work
        self.template = template
        self.made: list[str] = []

    def env(self) -> dict[str, str]:
        directory = tempfile.mkdtemp(dir=self.work, prefix="cache-")
        self.made.append(directory)
        if self.template is not None:
            shutil.copytree(self.template, directory, dirs_exist_ok=True)
        return linter_env(directory)

    def cleanup(self) -> None:
        while self.made:
            shutil.rmtree(self.made.pop(), ignore_errors=True)


def make_variants(
    project: generate.GeneratedProject, linter: Path, alembic: Path, work: Path, *, plus_one: bool
) -> list[tuple[Variant, Path]]:
    """The variants, each with the directory it runs in; the untimed priming runs on the way."""
    root = project.root
    drift = [str(linter), "drift"]
    base = check_speed.base_env(bytecode=True)

    _progress("checking that `alembic-lint drift --no-cache` finds nothing")
    out = _checked(
        "drift reports the generated project (it must be clean)",
        [*drift, "--no-cache"],
        linter_env(work / "unused-cache"),
        root,
    )
    if out.strip():
        _progress(out.strip())
    _progress("checking the by-hand commands (`alembic check` must pass)")
    by_hand = shell(
        ["rm", "-f", BY_HAND_DB], [str(alembic), "upgrade", "heads"], [str(alembic), "check"]
    )
    _checked("upgrade and check by hand failed", by_hand, base, root)
    _checked(
        "alembic upgrade failed",
        [str(alembic), "-c", "check.ini", "upgrade", "heads"],
        base,
        root,
    )

    cold = FreshCaches(work)
    warm = linter_env(work / "warm-cache")
    _progress("priming the warm cache (one untimed run)")
    _checked("the priming run of drift failed", drift, warm, root)
    variants = [
        (Variant("COLD", "`alembic-lint drift`, empty cache", drift, cold.env, cold.cleanup), root),
        (
            Variant(
                "WARM",
                "`alembic-lint drift`, warm cache, no new revision",
                drift,
                lambda: dict(warm),
            ),
            root,
        ),
    ]
    if plus_one:
        variants.append(plus_one_variant(project, drift, work))
    variants += [
        (
            Variant(
                "HAND",
                f"`rm -f {BY_HAND_DB} && alembic upgrade heads && alembic check`",
                by_hand,
                lambda: dict(base),
            ),
            root,
        ),
        (
            Variant(
                "CHECK",
                "`alembic check` alone, on an upgraded database (reference)",
                [str(alembic), "-c", "check.ini", "check"],
                lambda: dict(base),
            ),
            root,
        ),
    ]
    return variants


def plus_one_variant(
    project: generate.GeneratedProject, drift: list[str], work: Path
) -> tuple[Variant, Path]:
    """A copy of the project whose cache holds its revisions, then one new revision on top."""
    root = work / "plus-one"
    template = work / "plus-one-cache"
    shutil.copytree(project.root, root, ignore=shutil.ignore_patterns("*.sqlite", "__pycache__"))
    _progress("priming the cache of a copy for WARM+1 (one untimed run)")
    _checked("the priming run of drift on the copy failed", drift, linter_env(template), root)
    filename, source, model = new_revision(project)
    (root / "migrations" / "versions" / filename).write_text(source, encoding="utf-8")
    with (root / "models.py").open("a", encoding="utf-8") as fh:
        fh.write(model)
    caches = FreshCaches(work, template)
    _checked("drift with one new revision is not clean", drift, caches.env(), root)
    caches.cleanup()
    label = "`alembic-lint drift`, warm cache, one new revision"
    return Variant("WARM+1", label, drift, caches.env, caches.cleanup), root


def measure(variants: Sequence[tuple[Variant, Path]], runs: int) -> None:
    launcher = check_speed.Spawner()
    try:
        for i in range(runs):
            _progress(f"  round {i + 1}/{runs}")
            for variant, cwd in variants:
                env = variant.env()
                variant.samples.append(launcher.run(variant.argv, env, cwd))
                variant.cleanup()
    finally:
        launcher.close()


def targets(by_key: Mapping[str, Variant]) -> list[Target]:
    cold, warm, hand = by_key["COLD"], by_key["WARM"], by_key["HAND"]
    return [
        Target("WARM median / COLD median", warm.median / cold.median, WARM_RATIO),
        Target("COLD median / HAND median", cold.median / hand.median, COLD_RATIO),
    ]


def table(variants: Sequence[Variant]) -> list[str]:
    by_key = {v.key: v for v in variants}
    cold, hand = by_key["COLD"], by_key["HAND"]
    lines = [
        "| | command | median s | min s | CPU s | peak RSS MiB | / COLD | / HAND |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for v in variants:
        lines.append(
            f"| {v.key} | {v.label} | {v.median:.3f} | {v.best:.3f} | {v.cpu:.3f} "
            f"| {v.peak_mib:.1f} | {v.median / cold.median:.3f} | {v.median / hand.median:.3f} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="alembic-lint drift: cold, warm and by hand.")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per command")
    parser.add_argument("--revisions", type=int, default=REVISIONS, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--no-plus-one", action="store_true", help="skip the WARM+1 variant")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    work = Path(tempfile.mkdtemp(prefix="alembic-lint-drift-bench-"))
    try:
        linter = check_speed.find_linter()
        check_install()
        alembic = alembic_script()
        _progress("precompiling alembic_lint, alembic and sqlalchemy")
        check_speed.precompile()
        root = work / "project"
        _progress(f"generating {args.revisions} revisions into {root}")
        project = build_project(root, args.revisions, args.seed)
        tables = write_models(root, alembic, check_speed.base_env(bytecode=True))
        variants = make_variants(project, linter, alembic, work, plus_one=not args.no_plus_one)
        _progress(f"timing {len(variants)} commands, {args.runs} interleaved rounds")
        measure(variants, args.runs)
    except BenchmarkError as exc:
        print(f"drift_speed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            _progress(f"kept the generated project in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    timed = [v for v, _ in variants]
    by_key = {v.key: v for v in timed}
    found = targets(by_key)
    meta = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": check_speed._commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "alembic-lint": check_speed._version("alembic-lint"),
        "alembic": check_speed._version("alembic"),
        "sqlalchemy": check_speed._version("SQLAlchemy"),
        "sqlite": _sqlite_version(),
        "seed": args.seed,
    }
    report = [
        f"# alembic-lint {meta['alembic-lint']} ({meta['commit']}) drift, alembic "
        f"{meta['alembic']}, SQLAlchemy {meta['sqlalchemy']}, SQLite {meta['sqlite']}, "
        f"Python {meta['python']}, {meta['cpus']} CPUs, {meta['platform']}",
        "",
        f"## {project.revisions} revisions ({project.merges} merges, {tables} tables), "
        f"{args.runs} interleaved runs each",
        "",
        *table(timed),
        "",
        "Targets:",
        *(
            f"- {'PASS' if t.passed else 'MISS'} {t.text}: {t.value:.3f} (limit {t.limit:g})"
            for t in found
        ),
    ]
    print("\n".join(report))
    if args.json is not None:
        payload = {
            "meta": meta,
            "revisions": project.revisions,
            "merges": project.merges,
            "tables": tables,
            "runs": args.runs,
            "variants": {
                v.key: {
                    "label": v.label,
                    "argv": v.argv,
                    "wall_s": [s.wall for s in v.samples],
                    "cpu_s": [s.cpu for s in v.samples],
                    "maxrss_kib": [s.maxrss_kib for s in v.samples],
                    "median_s": v.median,
                    "min_s": v.best,
                    "median_cpu_s": v.cpu,
                    "peak_rss_mib": v.peak_mib,
                }
                for v in timed
            },
            "targets": [
                {"target": t.text, "value": t.value, "limit": t.limit, "passed": t.passed}
                for t in found
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        _progress(f"wrote {args.json}")
    return 0


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


if __name__ == "__main__":
    raise SystemExit(main())
