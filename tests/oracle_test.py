"""Alembic as the oracle: our static revision graph must be the one alembic itself builds.

For every fixture scenario whose history alembic can load, load it with alembic's own
``Config`` and ``ScriptDirectory`` (which imports every revision module) and compare heads,
bases, each revision's ``down_revision`` and ``depends_on``, and its declared and effective
branch labels with what ``alembic_lint.lint`` computes without importing anything.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import to_tuple

from alembic_lint.config import load_settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Locator, find_project
from alembic_lint.graph import RevisionGraph
from alembic_lint.lint import lint

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Scenarios alembic cannot load, or must not be asked to: name each with the reason.
NOT_LOADABLE = {
    "syntax_error": "alembic cannot import a revision file with a syntax error",
    "dangling": "alembic raises KeyError on a depends_on naming an unknown branch label",
    "bad_config": "alembic-lint refuses its own misspelt configuration (exit 2) before any graph",
    "duplicate_id": "alembic warns and keeps the last file; test_duplicate_id_keeps_the_file_alembic_keeps",
    "cycle": "alembic raises CycleDetected",
    "no_exec": "loading runs the module body, which this scenario exists to prove we never do",
    "not_a_revision": "alembic stops with 'Could not determine revision id from filename'",
}
# Scenarios whose `branch_labels` are expressions: alembic sees their values, we see their source
# text (RULES.md, AL002), so labels are compared through the text -> value mapping.
NON_LITERAL_LABELS = {
    "openstack_labels": "branch_labels = (cli.EXPAND_BRANCH,) as OpenStack writes them",
}
# The package_location scenario's package raises on import unless this is set: alembic must
# import it to resolve `mypkg:migrations`; fixtures_test proves that alembic-lint does not.
ALLOW_IMPORT = "ALEMBIC_LINT_FIXTURE_ALLOW_IMPORT"

# Scenarios alembic loads but where alembic-lint is known to disagree (see expected.txt).
# strict: once fixed, the test passes and this entry must go.
KNOWN_DISCREPANCIES: dict[str, str] = {}

LOADABLE = [
    pytest.param(
        name,
        marks=[pytest.mark.xfail(reason=KNOWN_DISCREPANCIES[name], raises=UsageError, strict=True)]
        if name in KNOWN_DISCREPANCIES
        else [],
        id=name,
    )
    for name in sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
    if name not in NOT_LOADABLE and name != "drift"
]


def test_exclusions_name_real_scenarios():
    names = {p.name for p in FIXTURES.iterdir() if p.is_dir()} - {"drift"}
    assert set(NOT_LOADABLE) <= names
    assert set(NON_LITERAL_LABELS) <= names
    assert set(KNOWN_DISCREPANCIES) <= names - set(NOT_LOADABLE)
    assert len(LOADABLE) >= 15


def alembic_config(scenario: str) -> Config:
    """The config alembic (or the framework around it) would use in the scenario directory."""
    if scenario == "flask_migrate":
        # Flask-Migrate's ini has no script_location; it sets it in code to its directory.
        cfg = Config("migrations/alembic.ini")
        cfg.set_main_option("script_location", "migrations")
        return cfg
    toml = "pyproject.toml" if Path("pyproject.toml").is_file() else None
    return Config("alembic.ini", toml_file=toml)


def our_graph(cwd: Path) -> RevisionGraph:
    project = find_project(Locator(), cwd=cwd, environ={})
    return lint(project, load_settings(cwd / "pyproject.toml"), cwd=cwd).graph


@pytest.fixture
def scenario_dir(request, tmp_path, monkeypatch) -> Iterator[Path]:
    """A copy of the scenario as the current directory; alembic's side effects are undone."""
    work = tmp_path / request.param
    shutil.copytree(FIXTURES / request.param, work)
    monkeypatch.chdir(work)
    monkeypatch.setenv(ALLOW_IMPORT, "1")
    # from_config prepends prepend_sys_path (".") to sys.path; a finder cached for "." would
    # still see the previous scenario's directory.
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "path_importer_cache", {})
    modules = set(sys.modules)
    yield work
    ours = [
        name
        for name in set(sys.modules) - modules
        if (getattr(sys.modules[name], "__file__", None) or "").startswith(str(tmp_path))
    ]
    for name in ours:
        del sys.modules[name]


@pytest.mark.parametrize("scenario_dir", LOADABLE, indirect=True)
def test_graph_matches_alembic(scenario_dir: Path):
    scenario = scenario_dir.name
    ours = our_graph(scenario_dir)
    script = ScriptDirectory.from_config(alembic_config(scenario))

    assert set(ours.heads) == set(script.get_heads())
    assert set(ours.bases) == set(script.get_bases())

    theirs = {s.revision: s for s in script.walk_revisions(base="base", head="heads")}
    assert set(ours.revisions) == set(theirs)

    label_values: dict[str, str] = {}
    for rev, s in theirs.items():
        mine = ours.revisions[rev]
        assert (scenario_dir / mine.path).resolve() == Path(s.path).resolve()
        assert mine.down_revisions == to_tuple(s.down_revision, default=())
        assert mine.depends_on == to_tuple(s.dependencies, default=())
        declared = to_tuple(s.module.branch_labels, default=())
        if scenario in NON_LITERAL_LABELS:
            assert len(mine.branch_labels) == len(declared)
            label_values.update(zip(mine.branch_labels, declared, strict=True))
        else:
            assert mine.branch_labels == declared

    for rev, s in theirs.items():
        effective = {label_values.get(label, label) for label in ours.labels[rev]}
        assert effective == set(s.branch_labels), rev


@pytest.mark.parametrize("scenario_dir", ["duplicate_id"], indirect=True)
def test_duplicate_id_keeps_the_file_alembic_keeps(scenario_dir: Path):
    ours = our_graph(scenario_dir)
    with pytest.warns(UserWarning, match="is present more than once"):
        script = ScriptDirectory.from_config(alembic_config(scenario_dir.name))
        (rev,) = ours.duplicates
        theirs = script.get_revision(rev)
    assert theirs is not None
    assert (scenario_dir / ours.revisions[rev].path).resolve() == Path(theirs.path).resolve()
    assert len(ours.duplicates[rev]) == 2
    assert set(ours.heads) == set(script.get_heads())
    assert set(ours.bases) == set(script.get_bases())


@pytest.mark.parametrize("scenario_dir", ["openstack_labels"], indirect=True)
def test_non_literal_labels_are_kept_as_source_text(scenario_dir: Path):
    ours = our_graph(scenario_dir)
    labels = {label for script in ours.revisions.values() for label in script.branch_labels}
    assert labels == {"cli.EXPAND_BRANCH", "cli.CONTRACT_BRANCH"}
    assert len(ours.heads) == 2
