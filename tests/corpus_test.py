from __future__ import annotations

import io
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests import corpus

POSTGRESQL_PRECISION = 0.95
POSTGRESQL_RECALL = 0.90
MYSQL_PRECISION = 0.90
MYSQL_RECALL = 0.80
THRESHOLDS = {
    "postgresql": (POSTGRESQL_PRECISION, POSTGRESQL_RECALL),
    "mysql": (MYSQL_PRECISION, MYSQL_RECALL),
}
POSTGRESQL_RULES = sorted(corpus.CODES - corpus.MYSQL_ONLY)

DIRS = sorted(p for p in corpus.CORPUS.iterdir() if p.is_dir())
CASES = [case for directory in DIRS for case in corpus.load_cases(directory)]
BY_ID = {f"{case.path.parent.name}/{case.id}": case for case in CASES}


def alembic_config(project: Path) -> Config:
    return Config(str(project / "alembic.ini"), output_buffer=io.StringIO())


@pytest.mark.parametrize("key", sorted(BY_ID))
def test_alembic_accepts_the_history(key, tmp_path):
    case = BY_ID[key]
    project = corpus.build_project(case, tmp_path)
    script = ScriptDirectory.from_config(alembic_config(project))
    assert script.get_heads() == [case.revisions[-1].id]
    walked = list(reversed(list(script.walk_revisions())))
    assert [s.revision for s in walked] == [r.id for r in case.revisions]
    assert [s.down_revision for s in walked] == [None] + [r.id for r in case.revisions[:-1]]
    for loaded, revision in zip(walked, case.revisions, strict=True):
        assert loaded.doc == revision.message
        # Script.branch_labels spreads a label along its linear chain; compare what is declared
        assert loaded.module.branch_labels == (revision.branch_labels or None)


def _render(config: Config, direction: str, span: str) -> Exception | None:
    try:
        getattr(command, direction)(config, span, sql=True)
    except Exception as exc:
        return exc
    return None


@pytest.mark.parametrize("key", sorted(BY_ID))
def test_offline_rendering_agrees_with_al406(key, tmp_path):
    """Alembic itself as the oracle of AL406: `upgrade --sql` and `downgrade --sql` of a new
    revision fail exactly when the revision expects AL406, and everything else renders (so the
    operations' arguments are ones Alembic accepts)."""
    case = BY_ID[key]
    config = alembic_config(corpus.build_project(case, tmp_path))
    down = "base"
    for revision in case.revisions:
        if revision.new:
            failures = [
                _render(
                    config, "upgrade", revision.id if down == "base" else f"{down}:{revision.id}"
                ),
                _render(config, "downgrade", f"{revision.id}:{down}"),
            ]
            failed = [f for f in failures if f is not None]
            assert bool(failed) == ("AL406" in revision.expect), (revision.id, failed)
        down = revision.id


def test_postgresql_corpus_shape():
    cases = corpus.load_cases(corpus.CORPUS / "postgresql")
    assert len(cases) >= 80
    assert 2 * sum(case.quiet for case in cases) >= len(cases)
    expected = set().union(*(r.expect for case in cases for r in case.revisions))
    assert sorted(expected) == POSTGRESQL_RULES
    assert all(case.dialect == "postgresql" for case in cases)
    # the traps that need more than a label: old revisions, versions, the opt-in rules left off
    assert any(not r.new for case in cases for r in case.revisions)
    assert {11, 12} <= {case.postgresql_version for case in cases}
    assert any(case.quiet and not case.settings for case in cases)


def _shapes() -> list[str]:
    """One case per shape of history: extra imports or not, branch labels or not, one or more
    revisions (module-level code is not part of alembic's template)."""
    firsts: dict[tuple[bool, bool, bool], str] = {}
    for key, case in sorted(BY_ID.items()):
        if not any(r.module for r in case.revisions):
            shape = (
                any(r.imports for r in case.revisions),
                any(r.branch_labels for r in case.revisions),
                len(case.revisions) > 1,
            )
            firsts.setdefault(shape, key)
    return sorted(firsts.values())


SHAPES = _shapes()
GENERIC = Path(command.__file__).parent / "templates" / "generic" / "script.py.mako"


@pytest.mark.skipif(
    '"""Upgrade schema."""' not in GENERIC.read_text(), reason="an older template layout"
)
@pytest.mark.parametrize("key", SHAPES)
def test_revision_files_are_what_alembic_revision_writes(key, tmp_path):
    case = BY_ID[key]
    project = corpus.build_project(case, tmp_path / "ours")
    shutil.copy(GENERIC, project / "migrations" / "script.py.mako")
    config = alembic_config(project)
    script = ScriptDirectory.from_config(config)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    config.set_main_option("version_locations", str(theirs))
    down = None
    for revision in case.revisions:
        [path] = (project / "migrations" / "versions").glob(f"{revision.id}_*.py")
        script = ScriptDirectory.from_config(config)
        written = script.generate_revision(
            revision.id,
            revision.message,
            head=down or "base",
            branch_labels=revision.branch_labels or None,
            upgrades=textwrap.indent(revision.upgrade, "    ")[4:],
            downgrades=textwrap.indent(revision.downgrade, "    ")[4:],
            imports=revision.imports or None,
        )
        assert written is not None
        assert Path(written.path).name == path.name
        date = re.compile(r"^Create Date: .*$", re.MULTILINE)
        assert date.sub("", Path(written.path).read_text()) == date.sub("", path.read_text())
        down = revision.id


def assert_meets_thresholds(report: corpus.Report, dialect: str) -> None:
    """Micro-averaged over the rules; the failure message is the whole table."""
    precision, recall = THRESHOLDS[dialect]
    summary = corpus.format_report(report, title=dialect)
    assert (report.total.precision or 0) >= precision, summary
    assert (report.total.recall or 0) >= recall, summary


def perfect(cases):
    """A `run` that reports exactly the labels, half by revision id, half by file path."""
    by_project = {case.id: case for case in cases}

    def run(project):
        case = by_project[project.name]
        found: list[corpus.Finding] = []
        for i, revision in enumerate(case.revisions):
            [path] = (project / "migrations" / "versions").glob(f"{revision.id}_*.py")
            where = revision.id if i % 2 == 0 else str(path.relative_to(project))
            found.extend((where, code) for code in sorted(revision.expect))
        return [*found, ("alembic.ini", "AL101")]

    return run


def test_score_counts_per_rule():
    cases = corpus.load_cases(corpus.CORPUS / "postgresql")
    report = corpus.score(cases, perfect(cases))
    assert report.cases == len(cases) and report.revisions == sum(len(c.revisions) for c in cases)
    assert report.wrong == ()
    assert report.total.precision == 1.0 and report.total.recall == 1.0
    assert report.total.tp == sum(len(r.expect) for c in cases for r in c.revisions)
    assert all(row.fp == row.fn == 0 for row in report.rules)
    assert_meets_thresholds(report, "postgresql")
    with pytest.raises(AssertionError, match="false negatives"):
        assert_meets_thresholds(corpus.score(cases, lambda project: []), "postgresql")


def test_score_counts_wrong_findings(tmp_path):
    [case] = [corpus.load_case(_write(tmp_path, "two-steps", TWO_STEPS))]
    old, new = case.revisions

    def run(project):
        return [
            (new.id, "AL403"),  # missed AL401, fired AL403
            (new.id, "AL403"),  # counted once per revision
            (old.id, "AL401"),  # an old revision is never reported
            ("migrations/env.py", "AL422"),  # belongs to no revision
            ("migrations/env.py", "AL901"),  # not an AL4xx code: ignored
        ]

    report = corpus.score([case], run)
    assert report.false_negatives == (corpus.Triple("two-steps", new.id, "AL401"),)
    assert report.false_positives == tuple(
        sorted(
            [
                corpus.Triple("two-steps", old.id, "AL401"),
                corpus.Triple("two-steps", new.id, "AL403"),
                corpus.Triple("two-steps", "migrations/env.py", "AL422"),
            ]
        )
    )
    by_code = {row.code: row for row in report.rules}
    assert by_code["AL401"] == corpus.RuleScore("AL401", 0, 1, 1)
    assert by_code["AL401"].precision == 0.0 and by_code["AL401"].recall == 0.0
    assert by_code["AL403"].precision == 0.0 and by_code["AL403"].recall is None
    assert "AL901" not in by_code
    assert len(report.wrong) == 4
    text = corpus.format_report(report, title="t")
    assert "AL403      0    1    0       0.00       -" in text
    assert f"  two-steps {new.id} AL401" in text.split("false negatives (1):")[1]


def test_main_prints_the_table(capsys):
    cases = corpus.load_cases(corpus.CORPUS / "postgresql")
    assert corpus.main(["postgresql"], run=perfect(cases)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"tests/corpus/postgresql: {len(cases)} cases,")
    assert re.search(r"^total +\d+ +0 +0 +1\.00 +1\.00$", out, re.MULTILINE)
    with pytest.raises(SystemExit):
        corpus.main(["sqlite"])


def test_lint_project_runs_the_real_linter(tmp_path):
    case = corpus.load_case(_write(tmp_path, "two-steps", TWO_STEPS))
    project = corpus.build_project(case, tmp_path / "built")
    # today's settings loader may not know the AL4xx keys yet: lint with AL202 only
    (project / "pyproject.toml").write_text('[tool.alembic-lint]\nselect = ["AL202"]\n')
    assert corpus.lint_project(project) == [(r.id, "AL202") for r in case.revisions]


@pytest.mark.parametrize("dialect", [d.name for d in DIRS])
def test_precision_and_recall(dialect):
    assert_meets_thresholds(
        corpus.score(corpus.load_cases(corpus.CORPUS / dialect), corpus.lint_project), dialect
    )


TWO_STEPS = """
description = "an old unsafe revision, then a new one"
dialect = "postgresql"

[[revisions]]
new = false
upgrade = 'op.create_index("ix_users_email", "users", ["email"])'

[[revisions]]
upgrade = 'op.create_index("ix_users_name", "users", ["name"])'
expect = ["AL401"]
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(text))
    return path


GOOD_REVISION = '\n[[revisions]]\nupgrade = "pass"\nexpect = []\n'


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        pytest.param("Bad_Name", 'description = "d"', "must be kebab-case", id="file-name"),
        pytest.param("c", "description = ", "Invalid", id="toml-syntax"),
        pytest.param("c", 'descripton = "d"', "unknown key `descripton`", id="unknown-key"),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"',
            "missing `revisions`",
            id="no-revisions",
        ),
        pytest.param(
            "c",
            'description = 1\ndialect = "postgresql"\nrevisions = []',
            "`description` must be str",
            id="description-type",
        ),
        pytest.param(
            "c",
            'description = "a\\nb"\ndialect = "postgresql"\nrevisions = []',
            "one non-empty line",
            id="description-lines",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "oracle"\nrevisions = []',
            "`dialect` must be one of",
            id="dialect",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\npostgresql-version = true\nrevisions = []',
            "`postgresql-version` must be int",
            id="version-bool",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "mysql"\npostgresql-version = 14\nrevisions = []',
            "for the postgresql dialect only",
            id="pg-version-on-mysql",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\nmysql-version = "8.0"\nrevisions = []',
            "for the mysql and mariadb dialects only",
            id="mysql-version-on-pg",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\nrevisions = []\n[settings]\nstart-after = "x"',
            "[settings]: unknown key `start-after`",
            id="harness-setting",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\nrevisions = []\n[settings]\nextend-select = [1]',
            "`extend-select` must be a list of strings",
            id="select-type",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\nrevisions = []',
            "`revisions` is empty",
            id="empty-revisions",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\nrevisions = [1]',
            "revision 1: must be a table",
            id="revision-type",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nupgrade = "pass"\nexpect = []\nnotes = "x"',
            "revision 1: unknown key `notes`",
            id="revision-key",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nexpect = []',
            "revision 1: missing `upgrade`",
            id="missing-upgrade",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nupgrade = "pass"',
            "missing `expect`",
            id="missing-expect",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nupgrade = "op.drop_table(("\nexpect = []',
            "`upgrade` is not Python",
            id="not-python",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nupgrade = "pass"\nexpect = ["AL101"]',
            "`AL101` is not a code of AL401-AL422",
            id="bad-code",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nupgrade = "pass"\nexpect = "AL401"',
            "`expect` must be list",
            id="expect-type",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nupgrade = "pass"\nexpect = [401]',
            "`expect` must be a list of strings",
            id="expect-items",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nnew = false\nupgrade = "pass"\nexpect = ["AL401"]'
            + GOOD_REVISION,
            "an old revision (`new = false`) expects nothing",
            id="old-expects",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nnew = false\nupgrade = "pass"',
            "every revision is old",
            id="all-old",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"'
            + GOOD_REVISION
            + '[[revisions]]\nnew = false\nupgrade = "pass"',
            "comes after a new one",
            id="old-after-new",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nupgrade = "pass"\nexpect = ["AL420"]',
            "`AL420` does not apply to the postgresql dialect",
            id="mysql-code-on-pg",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "mariadb"\n[[revisions]]\nupgrade = "pass"\nexpect = ["AL401"]',
            "`AL401` does not apply to the mariadb dialect",
            id="pg-code-on-mariadb",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\n[[revisions]]\nupgrade = "pass"\nexpect = ["AL421"]',
            "`AL421` is opt-in",
            id="opt-in",
        ),
        pytest.param(
            "c",
            'description = "d"\ndialect = "postgresql"\nenv-py = "import ("' + GOOD_REVISION,
            "`env-py` is not Python",
            id="env-py",
        ),
    ],
)
def test_load_rejects_bad_cases(tmp_path, name, text, error):
    path = _write(tmp_path, name, text)
    with pytest.raises(corpus.CorpusError) as info:
        corpus.load_cases(tmp_path)
    assert str(info.value).startswith(str(path)), info.value
    assert error in str(info.value)


def test_load_reads_every_key(tmp_path):
    _write(
        tmp_path,
        "every-key",
        """
        description = "every key"
        dialect = "mysql"
        mysql-version = "5.7"
        source = "made up"
        env-py = "import os"

        [settings]
        extend-select = ["AL422"]
        contract-branch-labels = ["cleanup"]
        per-file-ignores = { "migrations/*" = ["AL403"] }
        lint-downgrade = true

        [[revisions]]
        new = false
        upgrade = "pass"

        [[revisions]]
        message = "drop the legacy flags, a message longer than forty characters"
        branch_labels = ["cleanup"]
        imports = "from sqlalchemy.dialects import mysql"
        module = "TABLE = 'users'"
        upgrade = "op.drop_column(TABLE, 'flags')"
        downgrade = "op.add_column(TABLE, sa.Column('flags', mysql.SET('a')))"
        expect = ["AL422"]
        """,
    )
    [case] = corpus.load_cases(tmp_path)
    old, new = case.revisions
    assert (case.id, case.dialect, case.mysql_version, case.postgresql_version) == (
        "every-key",
        "mysql",
        "5.7",
        None,
    )
    assert case.start_after == old.id and not case.quiet
    assert (old.message, old.downgrade, old.expect) == ("every key step 1", "pass", frozenset())
    assert new.branch_labels == ("cleanup",) and new.module == "TABLE = 'users'"
    project = corpus.build_project(case, tmp_path / "built")
    assert (project / "migrations" / "env.py").read_text() == "import os\n"
    assert (
        (project / "pyproject.toml")
        .read_text()
        .endswith(
            "[tool.alembic-lint]\n"
            'dialect = "mysql"\n'
            'mysql-version = "5.7"\n'
            f'start-after = "{old.id}"\n'
            'extend-select = ["AL422"]\n'
            'contract-branch-labels = ["cleanup"]\n'
            'per-file-ignores = {"migrations/*" = ["AL403"]}\n'
            "lint-downgrade = true\n"
        )
    )
    [second] = (project / "migrations" / "versions").glob(f"{new.id}_*.py")
    assert second.name == f"{new.id}_drop_the_legacy_flags_a_message_longer_.py"
    assert "mysql+pymysql://" in (project / "alembic.ini").read_text()


def test_missing_directory(tmp_path):
    with pytest.raises(corpus.CorpusError, match="no such corpus directory"):
        corpus.load_cases(tmp_path / "oracle")


def test_toml_value():
    assert corpus.toml_value({"a": [1, False, 'q"']}) == '{"a" = [1, false, "q\\""]}'
