"""The labelled corpus of the AL4xx rules: case files -> Alembic projects -> precision and recall.

One case per ``tests/corpus/<dialect>/<case-id>.toml``; the file name (kebab-case) is the case id.
The format is the one every corpus writer shares:

- top level: ``description`` (one line, required), ``dialect`` (``postgresql``, ``mysql`` or
  ``mariadb``, required), ``postgresql-version`` (an integer, PostgreSQL only) or
  ``mysql-version`` (a string such as ``"8.0"``, MySQL and MariaDB only), ``source`` (where the
  idiom comes from), ``[settings]`` (more ``[tool.alembic-lint]`` keys), ``[[revisions]]``;
- a revision: ``upgrade`` (a function body, required), ``downgrade`` (default ``pass``),
  ``imports``, ``branch_labels``, ``new`` (default true; false = it already ran in production,
  before ``start-after``) and ``expect`` (the AL4xx codes that must fire on it; required on a
  new revision, absent or empty on an old one).

Three optional keys go beyond that shared format, for what it cannot express: ``env-py`` (the
whole env.py, for a case whose env.py matters, e.g. one that sets ``lock_timeout``), and per
revision ``message`` (the revision message, default the case id in words) and ``module``
(module-level code after the revision identifiers: helper functions, constants, models).

Loading is strict: an unknown key, a wrong type, a code outside AL401-AL422, a code of the other
dialect family, an opt-in code that the settings do not select, a body that is not Python or an
old revision after a new one is a ``CorpusError`` naming the file. ``build_project`` writes a
real Alembic project the way ``alembic init`` and ``alembic revision`` would (generic template);
``score`` lints every case with an injected ``run`` and counts, per rule, each (revision, code)
pair once: listed and fired is a true positive, listed and silent a false negative, fired and
not listed a false positive. Codes outside AL4xx are ignored; an AL4xx finding that belongs to
no revision of the case (env.py, alembic.ini) is a false positive.

``python -m tests.corpus [postgresql|mysql]`` prints the table of precision and recall by rule.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import os
import re
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from alembic_lint.config import KEYS as CONFIG_KEYS
from alembic_lint.diagnostics import UsageError
from alembic_lint.tomlfile import read_toml

CORPUS = Path(__file__).parent / "corpus"
DIALECTS = ("postgresql", "mysql", "mariadb")
CODES = frozenset(f"AL{n}" for n in range(401, 423))
OPT_IN = frozenset({"AL421", "AL422"})
POSTGRESQL_ONLY = frozenset(
    {"AL401", "AL405", "AL408", "AL409", "AL415", "AL416", "AL418", "AL419", "AL421"}
)
MYSQL_ONLY = frozenset({"AL420"})
CASE_KEYS = frozenset(
    {
        "description",
        "dialect",
        "postgresql-version",
        "mysql-version",
        "source",
        "settings",
        "revisions",
        "env-py",
    }
)
REVISION_KEYS = frozenset(
    {"new", "message", "branch_labels", "imports", "module", "upgrade", "downgrade", "expect"}
)
HARNESS_KEYS = frozenset({"dialect", "postgresql-version", "mysql-version", "start-after"})
"""Settings the harness writes from the case itself; ``[settings]`` may not set them."""
SETTINGS_KEYS = (
    (
        frozenset(CONFIG_KEYS)
        | {"contract-branch-labels", "contract-version-locations", "volatile-functions"}
        | {"lint-downgrade"}
    )
    - HARNESS_KEYS
    - {"base", "head-file", "target-metadata"}
)
URLS = {
    "postgresql": "postgresql+psycopg2://app@localhost/app",
    "mysql": "mysql+pymysql://app@localhost/app",
    "mariadb": "mariadb+pymysql://app@localhost/app",
}
_CASE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FIRST_DATE = datetime.datetime(2024, 3, 4, 9, 15, 27, 480913)


class CorpusError(Exception):
    """A case file that does not follow the format; the message names the file."""


class Revision(NamedTuple):
    id: str
    new: bool
    message: str
    branch_labels: tuple[str, ...]
    imports: str
    module: str
    upgrade: str
    downgrade: str
    expect: frozenset[str]


class Case(NamedTuple):
    id: str
    path: Path
    description: str
    dialect: str
    postgresql_version: int | None
    mysql_version: str | None
    source: str | None
    settings: Mapping[str, Any]
    revisions: tuple[Revision, ...]
    env_py: str | None

    @property
    def start_after(self) -> str | None:
        """The last revision that already ran in production, if any."""
        old = [r.id for r in self.revisions if not r.new]
        return old[-1] if old else None

    @property
    def quiet(self) -> bool:
        """A must-stay-quiet case: no revision may fire."""
        return not any(r.expect for r in self.revisions)


def revision_id(case_id: str, index: int) -> str:
    """Stable ids, so that a report names the same revision from run to run."""
    return hashlib.sha256(f"{case_id}/{index}".encode()).hexdigest()[:12]


def load_cases(dialect_dir: str | os.PathLike[str]) -> list[Case]:
    """Every ``*.toml`` case in the directory, sorted by id, each checked strictly."""
    directory = Path(dialect_dir)
    if not directory.is_dir():
        raise CorpusError(f"{directory}: no such corpus directory")
    return [load_case(path) for path in sorted(directory.glob("*.toml"))]


def load_case(path: Path) -> Case:
    try:
        data = read_toml(str(path), always=True)
    except UsageError as exc:
        raise CorpusError(str(exc)) from None
    return _Reader(path).case(data)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str) -> CorpusError:
        return CorpusError(f"{self.path}: {message}")

    def keys(self, table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            raise self.fail(f"{where}unknown key `{unknown[0]}`")

    def get(self, table: Mapping[str, Any], key: str, kind: type, where: str = "") -> Any:
        value = table[key]
        # bool is an int in Python, but `postgresql-version = true` is a mistake
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"{where}`{key}` must be {kind.__name__}, not {value!r}")
        return value

    def text(self, table: Mapping[str, Any], key: str, where: str = "") -> str | None:
        return self.get(table, key, str, where) if key in table else None

    def strings(self, table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        if key not in table:
            return ()
        values = self.get(table, key, list, where)
        if not all(isinstance(v, str) for v in values):
            raise self.fail(f"{where}`{key}` must be a list of strings")
        return tuple(values)

    def case(self, data: Mapping[str, Any]) -> Case:
        case_id = self.path.stem
        if not _CASE_ID.fullmatch(case_id):
            raise self.fail("the file name (the case id) must be kebab-case")
        self.keys(data, CASE_KEYS, "")
        for key in ("description", "dialect", "revisions"):
            if key not in data:
                raise self.fail(f"missing `{key}`")
        description = self.get(data, "description", str)
        if not description.strip() or "\n" in description:
            raise self.fail("`description` must be one non-empty line")
        dialect = self.get(data, "dialect", str)
        if dialect not in DIALECTS:
            raise self.fail(f"`dialect` must be one of {', '.join(DIALECTS)}, not {dialect!r}")
        pg_version = (
            self.get(data, "postgresql-version", int) if "postgresql-version" in data else None
        )
        mysql_version = self.text(data, "mysql-version")
        if pg_version is not None and dialect != "postgresql":
            raise self.fail("`postgresql-version` is for the postgresql dialect only")
        if mysql_version is not None and dialect == "postgresql":
            raise self.fail("`mysql-version` is for the mysql and mariadb dialects only")
        settings = self.get(data, "settings", dict) if "settings" in data else {}
        self.keys(settings, SETTINGS_KEYS, "[settings]: ")
        for key in ("select", "extend-select"):
            self.strings(settings, key, "[settings]: ")
        raw_revisions = self.get(data, "revisions", list)
        if not raw_revisions:
            raise self.fail("`revisions` is empty")
        revisions = tuple(
            self.revision(case_id, i, raw, len(raw_revisions))
            for i, raw in enumerate(raw_revisions)
        )
        flags = [r.new for r in revisions]
        if True not in flags:
            raise self.fail("every revision is old (`new = false`): nothing to lint")
        if False in flags[flags.index(True) :]:
            raise self.fail("an old revision (`new = false`) comes after a new one")
        self.codes(revisions, dialect, settings)
        return Case(
            id=case_id,
            path=self.path,
            description=description,
            dialect=dialect,
            postgresql_version=pg_version,
            mysql_version=mysql_version,
            source=self.text(data, "source"),
            settings=settings,
            revisions=revisions,
            env_py=self.python(data, "env-py", ""),
        )

    def revision(self, case_id: str, index: int, raw: Any, count: int) -> Revision:
        where = f"revision {index + 1}: "
        if not isinstance(raw, dict):
            raise self.fail(f"{where}must be a table ([[revisions]])")
        self.keys(raw, REVISION_KEYS, where)
        new = self.get(raw, "new", bool, where) if "new" in raw else True
        upgrade = self.python(raw, "upgrade", where)
        if upgrade is None:
            raise self.fail(f"{where}missing `upgrade`")
        if new and "expect" not in raw:
            raise self.fail(f"{where}missing `expect` (use [] for a must-stay-quiet revision)")
        expect = self.strings(raw, "expect", where)
        if not new and expect:
            raise self.fail(f"{where}an old revision (`new = false`) expects nothing")
        for code in expect:
            if code not in CODES:
                raise self.fail(f"{where}`{code}` is not a code of AL401-AL422")
        words = case_id.replace("-", " ")
        return Revision(
            id=revision_id(case_id, index),
            new=new,
            message=self.text(raw, "message", where)
            or (words if count == 1 else f"{words} step {index + 1}"),
            branch_labels=self.strings(raw, "branch_labels", where),
            imports=self.python(raw, "imports", where) or "",
            module=self.python(raw, "module", where) or "",
            upgrade=upgrade,
            downgrade=self.python(raw, "downgrade", where) or "pass",
            expect=frozenset(expect),
        )

    def python(self, table: Mapping[str, Any], key: str, where: str) -> str | None:
        source = self.text(table, key, where)
        if source is None:
            return None
        source = source.strip("\n")
        try:
            ast.parse(source)
        except SyntaxError as exc:
            raise self.fail(
                f"{where}`{key}` is not Python: {exc.msg} (line {exc.lineno})"
            ) from None
        return source

    def codes(
        self, revisions: Sequence[Revision], dialect: str, settings: Mapping[str, Any]
    ) -> None:
        expected = set().union(*(r.expect for r in revisions))
        wrong = POSTGRESQL_ONLY if dialect != "postgresql" else MYSQL_ONLY
        for code in sorted(expected & wrong):
            raise self.fail(f"`{code}` does not apply to the {dialect} dialect")
        selected = {*settings.get("select", []), *settings.get("extend-select", [])}
        for code in sorted((expected & OPT_IN) - selected):
            raise self.fail(f"`{code}` is opt-in: set `[settings] extend-select = [{code!r}]`")


def slug(message: str) -> str:
    """The file name part alembic derives from a message (``truncate_slug_length`` 40)."""
    words = "_".join(re.findall(r"\w+", message)).lower()
    if len(words) > 40:
        words = words[:40].rsplit("_", 1)[0] + "_"
    return words


def revision_source(revision: Revision, down: str | None, created: datetime.datetime) -> str:
    """A revision file as ``alembic revision`` writes it from the generic ``script.py.mako``."""
    module = f"\n\n{revision.module}\n" if revision.module else ""
    return (
        f'"""{revision.message}\n\n'
        f"Revision ID: {revision.id}\n"
        f"Revises: {down or ''}\n"
        f"Create Date: {created}\n\n"
        '"""\n'
        "from typing import Sequence, Union\n\n"
        "from alembic import op\n"
        "import sqlalchemy as sa\n"
        f"{revision.imports}\n\n"
        "# revision identifiers, used by Alembic.\n"
        f"revision: str = {revision.id!r}\n"
        f"down_revision: Union[str, Sequence[str], None] = {down!r}\n"
        f"branch_labels: Union[str, Sequence[str], None] = {_labels(revision.branch_labels)}\n"
        "depends_on: Union[str, Sequence[str], None] = None\n"
        f"{module}\n\n"
        "def upgrade() -> None:\n"
        '    """Upgrade schema."""\n'
        f"{textwrap.indent(revision.upgrade, '    ')}\n\n\n"
        "def downgrade() -> None:\n"
        '    """Downgrade schema."""\n'
        f"{textwrap.indent(revision.downgrade, '    ')}\n"
    )


def _labels(labels: tuple[str, ...]) -> str:
    return repr(labels) if labels else "None"


ENV_PY = """\
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
target_metadata = None


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # a JSON string is a TOML basic string for everything json.dumps escapes
        import json

        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    assert isinstance(value, dict), value
    return "{" + ", ".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def tool_settings(case: Case) -> dict[str, Any]:
    """The ``[tool.alembic-lint]`` table of the case's project."""
    table: dict[str, Any] = {"dialect": case.dialect}
    if case.postgresql_version is not None:
        table["postgresql-version"] = case.postgresql_version
    if case.mysql_version is not None:
        table["mysql-version"] = case.mysql_version
    if case.start_after is not None:
        table["start-after"] = case.start_after
    table.update(case.settings)
    return table


def build_project(case: Case, tmp_path: str | os.PathLike[str]) -> Path:
    """``tmp_path/<case id>``: alembic.ini, pyproject.toml, migrations/ with env.py, the template
    and one file per revision, each revising the one before."""
    root = Path(tmp_path) / case.id
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(
        "[alembic]\n"
        "script_location = %(here)s/migrations\n"
        "prepend_sys_path = .\n"
        "path_separator = os\n"
        f"sqlalchemy.url = {URLS[case.dialect]}\n"
    )
    settings = "".join(f"{k} = {toml_value(v)}\n" for k, v in tool_settings(case).items())
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "{case.id}"\nversion = "0"\n\n[tool.alembic-lint]\n{settings}'
    )
    (root / "migrations" / "env.py").write_text((case.env_py or ENV_PY) + "\n")
    down = None
    for index, revision in enumerate(case.revisions):
        created = _FIRST_DATE + datetime.timedelta(days=9 * index, minutes=37 * index)
        name = f"{revision.id}_{slug(revision.message)}.py"
        (versions / name).write_text(revision_source(revision, down, created))
        down = revision.id
    return root


Finding = tuple[str, str]
"""(where, code): ``where`` is a revision id or the path of a revision file."""
Run = Callable[[Path], Sequence[Finding]]


class Triple(NamedTuple):
    case: str
    revision: str
    code: str


class RuleScore(NamedTuple):
    code: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        """None when the rule never fired: there is nothing to be precise about."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """None when no case expects the rule."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


class Report(NamedTuple):
    rules: tuple[RuleScore, ...]
    """Every code that is expected or fired, sorted."""
    false_positives: tuple[Triple, ...]
    false_negatives: tuple[Triple, ...]
    cases: int
    revisions: int

    @property
    def total(self) -> RuleScore:
        """Summed over the rules (micro-averaged precision and recall)."""
        return RuleScore(
            "total",
            sum(r.tp for r in self.rules),
            sum(r.fp for r in self.rules),
            sum(r.fn for r in self.rules),
        )

    @property
    def wrong(self) -> tuple[Triple, ...]:
        return tuple(sorted(self.false_positives + self.false_negatives))


def _owner(case: Case, where: str) -> str:
    """The revision a finding belongs to: given by id, or by a file named after it."""
    ids = [r.id for r in case.revisions]
    if where in ids:
        return where
    name = where.replace("\\", "/").rsplit("/", 1)[-1]
    return next((i for i in ids if name.startswith(f"{i}_")), where)


def score(cases: Sequence[Case], run: Run) -> Report:
    """Build every case's project in a temporary directory, lint it with ``run`` and compare."""
    counts: dict[str, list[int]] = {}
    fps: list[Triple] = []
    fns: list[Triple] = []
    with tempfile.TemporaryDirectory(prefix="alembic-lint-corpus-") as tmp:
        for case in cases:
            fired: dict[str, set[str]] = {}
            for where, code in run(build_project(case, tmp)):
                if code in CODES:
                    fired.setdefault(_owner(case, where), set()).add(code)
            for revision in case.revisions:
                got = fired.pop(revision.id, set())
                for code in revision.expect | got:
                    tp_fp_fn = counts.setdefault(code, [0, 0, 0])
                    if code in revision.expect and code in got:
                        tp_fp_fn[0] += 1
                    elif code in got:
                        tp_fp_fn[1] += 1
                        fps.append(Triple(case.id, revision.id, code))
                    else:
                        tp_fp_fn[2] += 1
                        fns.append(Triple(case.id, revision.id, code))
            for where, codes in sorted(fired.items()):
                for code in sorted(codes):
                    counts.setdefault(code, [0, 0, 0])[1] += 1
                    fps.append(Triple(case.id, where, code))
    return Report(
        rules=tuple(RuleScore(code, *counts[code]) for code in sorted(counts)),
        false_positives=tuple(sorted(fps)),
        false_negatives=tuple(sorted(fns)),
        cases=len(cases),
        revisions=sum(len(c.revisions) for c in cases),
    )


def lint_project(project_dir: Path) -> list[Finding]:
    """The real ``run``: discover the project as ``alembic-lint check`` run there would, and
    lint it with its own settings. A rule that crashes fails the run."""
    from alembic_lint.config import find_settings_file, load_settings_file
    from alembic_lint.discover import Locator, discover
    from alembic_lint.lint import lint

    cwd = os.fspath(project_dir)
    found = discover(Locator(), cwd=cwd, environ={}, explicit=False)
    assert not found.errors and len(found.environments) == 1, found
    [env] = found.environments
    path = find_settings_file(env.home, found.root)
    assert path is not None, f"{cwd}: no [tool.alembic-lint]"
    result = lint(env.project, load_settings_file(path, cwd=cwd), cwd=cwd)
    assert not result.errors, "\n".join(result.errors)
    return [(d.revision or d.path, d.code) for d in result.diagnostics]


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_report(report: Report, *, title: str) -> str:
    """The per-rule table, the totals, then every wrong (case, revision, code)."""
    lines = [
        f"{title}: {report.cases} cases, {report.revisions} revisions",
        f"{'rule':<7} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>7}",
    ]
    for row in (*report.rules, report.total):
        lines.append(
            f"{row.code:<7} {row.tp:>4} {row.fp:>4} {row.fn:>4} "
            f"{_ratio(row.precision):>10} {_ratio(row.recall):>7}"
        )
    for heading, triples in (
        ("false positives", report.false_positives),
        ("false negatives", report.false_negatives),
    ):
        lines.append(f"{heading} ({len(triples)}):")
        lines.extend(f"  {t.case} {t.revision} {t.code}" for t in triples)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None, *, run: Run = lint_project) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.corpus", description="Precision and recall of AL4xx by rule."
    )
    parser.add_argument("dialect", nargs="?", default="postgresql", choices=("postgresql", "mysql"))
    args = parser.parse_args(argv)
    report = score(load_cases(CORPUS / args.dialect), run)
    print(format_report(report, title=f"tests/corpus/{args.dialect}"), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
