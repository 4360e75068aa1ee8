"""Zero-config discovery in a real monorepo layout: several environments, each with its own
settings, found from the repository root or any directory of it (cli + discover + config).

Not a module's mirror: it exercises the command line end to end on one shared layout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alembic_lint.cli import main
from tests.builders import revision
from tests.gitutil import commit, git
from tests.real_histories_test import _extract, _wheel

BASE = "7c1e9d0b4a52"
NEXT = "5d2e8a41c07f"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def monorepo(root: Path, *, with_git: bool = True) -> Path:
    """Five environments of every kind, and config files that are not environments."""
    write(
        root,
        {
            # the repository's own settings: every environment without nearer ones uses them
            "pyproject.toml": '[tool.alembic-lint]\nignore = ["AL202"]\n',
            ".gitignore": "scratch/\n",
            # an ordinary alembic.ini with its own, nearer settings
            "backend/alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n",
            "backend/pyproject.toml": '[tool.alembic-lint]\nignore = ["AL301"]\n',
            "backend/migrations/env.py": "",
            f"backend/migrations/versions/{BASE}_init.py": revision(BASE, None, message="init"),
            f"backend/migrations/versions/{NEXT}_more.py": revision(
                NEXT, BASE, message="vXXX", downgrade="pass"
            ),
            # a multi-environment ini: no [alembic], two sections with their own location
            "tenants/alembic.ini": (
                "[core]\nscript_location = core\n[tenant]\nscript_location = tenant\n"
                "[loggers]\nkeys = root\n"
            ),
            f"tenants/core/versions/{BASE}_init.py": revision(BASE, None, message="init"),
            f"tenants/core/versions/{NEXT}_x.py": revision(NEXT, BASE, downgrade="pass"),
            f"tenants/tenant/versions/{BASE}_init.py": revision(BASE, None, message="wip"),
            # Flask-Migrate: script_location is set in code, env.py beside the ini
            "web/migrations/alembic.ini": "[alembic]\n# template used to generate files\n",
            "web/migrations/env.py": "",
            f"web/migrations/versions/{BASE}_init.py": revision(BASE, None, message="init"),
            # [tool.alembic] and a package:dir location in a src/ layout
            "svc/pyproject.toml": (
                '[tool.alembic]\nscript_location = "svcpkg:migrations"\n'
                '[tool.alembic-lint]\nselect = ["AL1"]\n'
            ),
            "svc/src/svcpkg/__init__.py": "raise SystemExit('never imported')\n",
            f"svc/src/svcpkg/migrations/versions/{BASE}_init.py": revision(
                BASE, None, message="wip"
            ),
            # not environments
            "docs/alembic.ini": "[loggers]\nkeys = root\n",
            "node_modules/pkg/alembic.ini": "[alembic]\nscript_location = nowhere\n",
            ".venv/lib/site-packages/pkg/alembic.ini": "[alembic]\nscript_location = nowhere\n",
            "scratch/alembic.ini": "[alembic]\nscript_location = nowhere\n",
        },
    )
    if with_git:
        git(root, "init", "-q", "-b", "main")
        commit(root, "monorepo")
    else:
        (root / "scratch" / "alembic.ini").unlink()
    return root


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = monorepo(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


LABELS = [
    "backend/alembic.ini",
    "svc/pyproject.toml",
    "tenants/alembic.ini [core]",
    "tenants/alembic.ini [tenant]",
    "web/migrations/alembic.ini",
]


def test_environments_lists_what_the_root_finds(repo, capsys):
    assert main(["environments"]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if not line.startswith(" ")] == [
        *LABELS,
        "docs/alembic.ini: not an environment (no section with a `script_location`)",
    ]
    assert (
        "tenants/alembic.ini [tenant]\n"
        "    script location: tenants/tenant\n"
        "    version locations: tenants/tenant/versions\n"
        "    settings: pyproject.toml\n"
    ) in out
    assert "    settings: backend/pyproject.toml\n" in out
    assert "    version locations: svc/src/svcpkg/migrations/versions\n" in out
    assert "scratch" not in out and "node_modules" not in out and "site-packages" not in out


def test_check_from_the_root_lints_each_environment_with_its_own_settings(repo, capsys):
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    headers = [line[1:-1] for line in out.splitlines() if line.startswith("[")]
    assert headers == LABELS
    blocks = dict(zip(headers, out.split("\n[")[0:], strict=True))
    # backend: its own settings ignore AL301, not AL202 (the nearest file wins, as in ruff)
    assert "AL202" in blocks["backend/alembic.ini"] and "AL301" not in blocks["backend/alembic.ini"]
    # tenants: the root settings ignore AL202
    assert "All checks passed (2 files checked)." in blocks["tenants/alembic.ini [core]"]
    assert "AL301 revision message `wip`" in blocks["tenants/alembic.ini [tenant]"]
    # svc selects AL1 only, so its `wip` is not reported
    assert "All checks passed (1 file checked)." in blocks["svc/pyproject.toml"]
    assert out.startswith(
        "[backend/alembic.ini]\nbackend/migrations/versions/5d2e8a41c07f_more.py:"
    )


def test_json_and_github_name_the_environment(repo, capsys):
    assert main(["check", "--format", "json"]) == 1
    items = json.loads(capsys.readouterr().out)
    assert [(i["environment"], i["code"]) for i in items] == [
        ("backend/alembic.ini", "AL202"),
        ("tenants/alembic.ini [tenant]", "AL301"),
    ]
    assert main(["check", "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "::error file=backend/migrations/versions/5d2e8a41c07f_more.py,line=24,col=1,"
        "title=AL202 (backend/alembic.ini)::"
    )
    assert "title=AL301 (tenants/alembic.ini [tenant])::" in lines[1]


def test_settings_flag_overrides_every_environment(repo, capsys):
    assert main(["check", "--settings", "backend/pyproject.toml", "--format", "json"]) == 1
    codes = [(i["environment"], i["code"]) for i in json.loads(capsys.readouterr().out)]
    # backend's file ignores AL301 everywhere now, and svc's own `select` no longer applies
    assert codes == [("backend/alembic.ini", "AL202"), ("tenants/alembic.ini [core]", "AL202")]
    Path("only.toml").write_text('select = ["AL101"]\n')
    assert main(["check", "--settings", "only.toml"]) == 0
    assert main(["check", "--settings", "missing.toml"]) == 2
    assert "settings file" in capsys.readouterr().err


def test_from_a_subdirectory(repo, monkeypatch, capsys):
    # inside an environment: that one, with its settings, output as for a single environment
    monkeypatch.chdir(repo / "backend" / "migrations" / "versions")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("5d2e8a41c07f_more.py:24:1: AL202")
    assert "[" not in out.splitlines()[0]
    # above two environments: those two
    monkeypatch.chdir(repo / "tenants")
    assert main(["environments"]) == 0
    assert "alembic.ini [core]\n" in capsys.readouterr().out
    # in no environment's directory: every environment of the repository
    monkeypatch.chdir(repo / "docs")
    assert main(["check", "--format", "json"]) == 1
    assert len({i["environment"] for i in json.loads(capsys.readouterr().out)}) == 2


def test_one_environment_commands_ask_to_choose(repo, monkeypatch, capsys):
    assert main(["fix", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "5 Alembic environments here (backend/alembic.ini, svc/pyproject.toml," in err
    assert main(["fix", "--dry-run", "-c", "backend/alembic.ini"]) == 0
    capsys.readouterr()
    assert main(["check", "-c", "backend/alembic.ini"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("backend/migrations/versions/5d2e8a41c07f_more.py:24:1: AL202")
    # relative locations are relative to the current directory, as alembic -c reads them
    assert main(["check", "-c", "tenants/alembic.ini", "-n", "tenant"]) == 2
    assert "script location `tenant` does not exist" in capsys.readouterr().err
    monkeypatch.chdir(repo / "tenants")
    assert main(["check", "-n", "tenant"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("tenant/versions/7c1e9d0b4a52_init.py:1:1: AL301")


def test_pre_commit_file_names_go_to_the_environment_that_owns_them(repo, capsys):
    tenant = f"tenants/tenant/versions/{BASE}_init.py"
    assert main(["check", "--hook", "--format", "json", tenant, "README.md"]) == 2
    assert "no such file: README.md" in capsys.readouterr().err
    assert main(["check", "--hook", "--format", "json", tenant]) == 1
    items = json.loads(capsys.readouterr().out)
    assert [(i["environment"], i["code"]) for i in items] == [
        ("tenants/alembic.ini [tenant]", "AL301")
    ]
    # no files in hook mode: graph and git rules only
    assert main(["check", "--hook"]) == 0


def test_without_git_a_pruned_walk(tmp_path, monkeypatch, capsys):
    root = monorepo(tmp_path / "plain", with_git=False)
    monkeypatch.chdir(root)
    assert main(["environments"]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if not line.startswith(" ")][:5] == LABELS


def test_broken_environments_are_named_and_the_rest_still_linted(repo, capsys):
    write(
        repo,
        {
            "broken/alembic.ini": "[alembic]\nscript_location = missing\n",
            "garbled/alembic.ini": "not an ini\n",
            "badtoml/pyproject.toml": "[tool.alembic\n",
        },
    )
    assert main(["check", "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert len({i["environment"] for i in json.loads(captured.out)}) == 2
    errors = captured.err.splitlines()
    assert len(errors) == 3
    assert all(line.startswith("alembic-lint: error: ") for line in errors)
    assert (
        "alembic-lint: error: broken/alembic.ini: script location `missing` does not exist"
        in errors
    )
    assert main(["environments"]) == 2


def test_nothing_found_says_where_it_looked(tmp_path, monkeypatch, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "alembic.ini").write_text("[loggers]\nkeys = root\n")
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path / "docs")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "alembic-lint: error: no Alembic environment (alembic.ini, [tool.alembic] or "
        f"migrations/alembic.ini) in {tmp_path} or below; pass -c/--config or --script-location\n"
    )


def test_a_single_broken_environment_is_the_error(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"svc/alembic.ini": "[alembic]\nscript_location = missing\n"})
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    assert main(["fix"]) == 2
    assert capsys.readouterr().err == (
        "alembic-lint: error: svc/alembic.ini: script location `missing` does not exist\n"
    )


@pytest.mark.network
def test_real_wheels_unpacked_as_one_repository(tmp_path, monkeypatch, capsys):
    """mlflow ships two environments (one naming its location from the repository root),
    superset one: all three are found from the root with no flags."""
    _extract(
        _wheel("mlflow==3.18.0"), ("mlflow/store/db_migrations/", "mlflow/server/auth/"), tmp_path
    )
    _extract(_wheel("apache-superset==6.1.0"), ("superset/migrations/",), tmp_path)
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    labels = [
        "mlflow/server/auth/db/migrations/alembic.ini",
        "mlflow/store/db_migrations/alembic.ini",
        "superset/migrations/alembic.ini",
    ]
    assert main(["environments"]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if not line.startswith(" ")] == labels
    assert main(["check", "--select", "AL101,AL103"]) == 0
    out = capsys.readouterr().out
    assert [line[1:-1] for line in out.splitlines() if line.startswith("[")] == labels
    for label in labels:
        versions = tmp_path / label.rsplit("/", 1)[0] / "versions"
        count = len([p for p in versions.glob("*.py") if p.name != "__init__.py"])
        assert f"[{label}]\nAll checks passed ({count} files checked).\n" in out


def test_an_environment_with_bad_settings_is_named_and_the_rest_still_linted(repo, capsys):
    (repo / "backend" / "pyproject.toml").write_text('[tool.alembic-lint]\nselct = ["AL1"]\n')
    assert main(["check", "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "alembic-lint: error: backend/alembic.ini: [tool.alembic-lint]: unknown key `selct`; "
        "did you mean `select`?\n"
    )
    assert {i["environment"] for i in json.loads(captured.out)} == {"tenants/alembic.ini [tenant]"}
    # with one environment, the error is the whole answer, as before
    assert main(["check", "-c", "backend/alembic.ini"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err.count("unknown key `selct`")) == ("", 1)
