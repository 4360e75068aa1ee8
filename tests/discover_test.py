from __future__ import annotations

import os
from pathlib import Path

import pytest

from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Locator, discover, find_project, list_revision_files
from tests.gitutil import commit, git


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def find(root, **kwargs):
    return find_project(Locator(**kwargs), cwd=root, environ={})


def test_alembic_ini_with_here(tmp_path):
    make(
        tmp_path,
        {"alembic.ini": "[alembic]\nscript_location = %(here)s/db\n", "db/versions/a.py": ""},
    )
    project = find(tmp_path)
    assert project.script_location == str(tmp_path / "db")
    assert project.version_locations == (str(tmp_path / "db" / "versions"),)
    assert project.file_template == "%(rev)s_%(slug)s"
    assert not project.recursive


def test_named_section_and_explicit_config(tmp_path):
    make(
        tmp_path,
        {
            "conf/multi.ini": "[alembic]\nscript_location = nope\n[tenant]\nscript_location = tenant\n",
            "tenant/versions/a.py": "",
        },
    )
    project = find(tmp_path, config_files=["conf/multi.ini"], name="tenant")
    assert project.script_location == str(tmp_path / "tenant")
    with pytest.raises(UsageError, match=r"no \[other\] section"):
        find(tmp_path, config_files=["conf/multi.ini"], name="other")


def test_version_locations_separators_recursive_and_template(tmp_path):
    ini = (
        "[alembic]\nscript_location = db\npath_separator = os\n"
        f"version_locations = %(here)s/v1{os.pathsep}%(here)s/v2\n"
        "recursive_version_locations = true\nfile_template = %%(year)d_%%(rev)s\n"
    )
    make(tmp_path, {"alembic.ini": ini, "db/env.py": ""})
    project = find(tmp_path)
    assert project.version_locations == (str(tmp_path / "v1"), str(tmp_path / "v2"))
    assert project.recursive
    assert project.file_template == "%(year)d_%(rev)s"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("version_locations = a b, c", ["a", "b", "c"]),
        ("version_path_separator = ;\nversion_locations = a;b", ["a", "b"]),
        ("path_separator = newline\nversion_locations =\n    a\n    b", ["a", "b"]),
    ],
)
def test_legacy_and_other_separators(tmp_path, line, expected):
    make(tmp_path, {"alembic.ini": f"[alembic]\nscript_location = db\n{line}\n", "db/env.py": ""})
    assert find(tmp_path).version_locations == tuple(str(tmp_path / e) for e in expected)


def test_bad_separator(tmp_path):
    make(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = db\npath_separator = pipe\nversion_locations = a|b\n",
            "db/env.py": "",
        },
    )
    with pytest.raises(UsageError, match="`pipe` is not a valid path_separator"):
        find(tmp_path)


def test_tool_alembic_in_pyproject(tmp_path):
    make(
        tmp_path,
        {
            "pyproject.toml": '[tool.alembic]\nscript_location = "%(here)s/migrations"\nversion_locations = ["%(here)s/migrations/versions", "%(here)s/extra"]\nrecursive_version_locations = true\n',
            "migrations/env.py": "",
        },
    )
    project = find(tmp_path)
    assert project.script_location == str(tmp_path / "migrations")
    assert project.version_locations == (
        str(tmp_path / "migrations" / "versions"),
        str(tmp_path / "extra"),
    )
    assert project.recursive


def test_ini_wins_over_pyproject(tmp_path):
    make(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = a\n",
            "pyproject.toml": '[tool.alembic]\nscript_location = "b"\nfile_template = "%%(rev)s"\n',
            "a/env.py": "",
        },
    )
    project = find(tmp_path)
    assert project.script_location == str(tmp_path / "a")
    assert project.file_template == "%(rev)s"


def test_flask_migrate_layout(tmp_path):
    make(
        tmp_path,
        {
            "migrations/alembic.ini": "[alembic]\n# script_location is set by Flask-Migrate\n",
            "migrations/env.py": "",
        },
    )
    project = find(tmp_path)
    assert project.script_location == str(tmp_path / "migrations")


def test_package_location_is_found_without_importing(tmp_path):
    make(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = boompkg.db:migrations\n",
            "boompkg/__init__.py": "raise SystemExit('imported!')\n",
            "boompkg/db/__init__.py": "raise SystemExit('imported!')\n",
            "boompkg/db/migrations/env.py": "",
        },
    )
    assert find(tmp_path).script_location == str(tmp_path / "boompkg" / "db" / "migrations")
    with pytest.raises(UsageError, match="cannot find package `nopkg`"):
        find(tmp_path, script_location="nopkg:migrations")


def test_flags_need_no_config(tmp_path):
    make(tmp_path, {"m/versions/a.py": "", "other/b.py": ""})
    project = find(tmp_path, script_location="m", version_locations=["other"], recursive=True)
    assert project.script_location == str(tmp_path / "m")
    assert project.version_locations == (str(tmp_path / "other"),)
    assert project.recursive


@pytest.mark.parametrize(
    ("files", "kwargs", "error"),
    [
        ({}, {}, "no alembic.ini, \\[tool.alembic\\] or migrations/alembic.ini"),
        ({"alembic.ini": "[alembic]\n"}, {}, "no `script_location`"),
        (
            {"alembic.ini": "[alembic]\nscript_location = gone\n"},
            {},
            "script location `gone` does not exist",
        ),
        ({}, {"config_files": ["missing.ini"]}, "config file `missing.ini` not found"),
        ({"a.ini": "", "b.ini": ""}, {"config_files": ["a.ini", "b.ini"]}, "only one ini file"),
        ({"alembic.ini": "not an ini"}, {}, "alembic.ini"),
        (
            {
                "pyproject.toml": "[tool.alembic]\nrecursive_version_locations = 'yes'\nscript_location = '.'\n"
            },
            {},
            "must be true or false",
        ),
    ],
)
def test_config_errors(tmp_path, files, kwargs, error):
    make(tmp_path, files)
    with pytest.raises(UsageError, match=error):
        find(tmp_path, **kwargs)


def test_alembic_config_environment_variable(tmp_path):
    make(
        tmp_path,
        {"deploy/prod.ini": "[alembic]\nscript_location = %(here)s/m\n", "deploy/m/env.py": ""},
    )
    project = find_project(
        Locator(), cwd=tmp_path, environ={"ALEMBIC_CONFIG": str(tmp_path / "deploy/prod.ini")}
    )
    assert project.script_location == str(tmp_path / "deploy" / "m")


def test_listing_follows_alembic_rules(tmp_path):
    make(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = m\nrecursive_version_locations = true\n",
            "m/versions/b.py": "",
            "m/versions/a.py": "",
            "m/versions/__init__.py": "",
            "m/versions/.#lock.py": "",
            "m/versions/notes.txt": "",
            "m/versions/sub/c.py": "",
            "m/versions/__pycache__/d.py": "",
        },
    )
    (tmp_path / "m/versions/dir.py").mkdir()
    (tmp_path / "m/versions/loop.py").symlink_to(tmp_path / "m/versions/loop.py")
    (tmp_path / "m/versions/z.py").symlink_to(tmp_path / "m/versions/a.py")
    listed = list_revision_files(find(tmp_path))
    assert [f.subdir + f.name for f in listed] == ["a.py", "b.py", "loop.py", "sub/c.py"]
    assert listed[3].path == str(tmp_path / "m" / "versions" / "sub" / "c.py")


def test_missing_versions_directory_is_an_empty_history(tmp_path):
    make(tmp_path, {"alembic.ini": "[alembic]\nscript_location = m\n", "m/env.py": ""})
    assert list_revision_files(find(tmp_path)) == []


@pytest.mark.parametrize(
    ("files", "kwargs", "error"),
    [
        pytest.param(
            {"alembic.ini": "[alembic]\nscript_location = %(nowhere)s/m\n"},
            {},
            "cannot read `script_location`",
            id="ini-interpolation",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.alembic]\nscript_location = "%(nowhere)s"\n'},
            {},
            "cannot interpolate `script_location`",
            id="toml-interpolation",
        ),
        pytest.param(
            {
                "pyproject.toml": '[tool.alembic]\nscript_location = "m"\nversion_locations = "v"\n',
                "m/env.py": "",
            },
            {},
            "`version_locations` must be a list of strings",
            id="toml-versions-not-a-list",
        ),
        pytest.param(
            {"pyproject.toml": "[tool]\nalembic = 3\n"},
            {"script_location": "m"},
            r"\[tool.alembic\] must be a table",
            id="toml-not-a-table",
        ),
        pytest.param(
            {"pyproject.toml": "[tool.alembic]\nscript_location = 5\n"},
            {},
            "`script_location` must be a string",
            id="toml-location-type",
        ),
        pytest.param(
            {
                "pyproject.toml": '[tool.alembic]\nscript_location = "m"\nfile_template = 5\n',
                "m/env.py": "",
            },
            {},
            "`file_template` must be a string",
            id="toml-template-type",
        ),
        pytest.param(
            {"pyproject.toml": "", "sub/pyproject.toml": ""},
            {"config_files": ["pyproject.toml", "sub/pyproject.toml"]},
            "pyproject.toml given more than once",
            id="two-pyprojects",
        ),
    ],
)
def test_more_config_errors(tmp_path, files, kwargs, error):
    make(tmp_path, files)
    with pytest.raises(UsageError, match=error):
        find(tmp_path, **kwargs)


def test_missing_section_is_fine_with_an_explicit_location(tmp_path):
    make(tmp_path, {"alembic.ini": "[other]\nx = 1\n", "m/env.py": ""})
    assert find(tmp_path, script_location="m").script_location == str(tmp_path / "m")


def test_alembic_config_may_name_a_pyproject(tmp_path):
    make(
        tmp_path,
        {
            "cfg/pyproject.toml": '[tool.alembic]\nscript_location = "%(here)s/m"\n',
            "cfg/m/env.py": "",
        },
    )
    environ = {"ALEMBIC_CONFIG": str(tmp_path / "cfg" / "pyproject.toml")}
    project = find_project(Locator(), cwd=tmp_path, environ=environ)
    assert project.script_location == str(tmp_path / "cfg" / "m")
    assert project.config_file == str(tmp_path / "cfg" / "pyproject.toml")


def environments(cwd, **kwargs):
    explicit = kwargs.pop("explicit", False)
    return discover(Locator(**kwargs), cwd=str(cwd), environ={}, explicit=explicit)


def test_tool_alembic_here_needs_no_search(tmp_path):
    make(tmp_path, {"pyproject.toml": '[tool.alembic]\nscript_location = "db"\n', "db/env.py": ""})
    found = environments(tmp_path)
    assert [e.label for e in found.environments] == ["pyproject.toml"]
    make(tmp_path, {"pyproject.toml": '[tool.alembic]\nfile_template = "x"\n'})
    with pytest.raises(UsageError, match="no `script_location`"):
        environments(tmp_path)


def test_a_script_location_flag_names_the_environment(tmp_path):
    make(tmp_path, {"db/env.py": ""})
    found = environments(tmp_path, script_location="db", explicit=True)
    assert [(e.label, e.home) for e in found.environments] == [("db", str(tmp_path))]


def test_an_ini_and_a_tool_alembic_in_one_directory_are_one_environment(tmp_path):
    make(
        tmp_path,
        {
            "svc/alembic.ini": "[alembic]\nscript_location = db\n",
            "svc/pyproject.toml": '[tool.alembic]\nscript_location = "db"\n',
            "svc/db/env.py": "",
        },
    )
    found = environments(tmp_path)
    assert [e.label for e in found.environments] == ["svc/alembic.ini"]


def test_git_listing_skips_deleted_files_and_falls_back_to_a_walk(tmp_path):
    make(
        tmp_path,
        {
            "a/alembic.ini": "[alembic]\nscript_location = db\n",
            "a/db/env.py": "",
            "gone/alembic.ini": "[alembic]\nscript_location = db\n",
        },
    )
    git(tmp_path, "init", "-q")
    commit(tmp_path, "two")
    (tmp_path / "gone" / "alembic.ini").unlink()  # tracked, deleted, not staged
    found = environments(tmp_path)
    assert ([e.label for e in found.environments], found.errors) == (["a/alembic.ini"], [])
    # a .git that git rejects: the tree is walked instead
    (tmp_path / "sub").mkdir()
    make(
        tmp_path / "sub",
        {".git": "gitdir: /nowhere\n", "b/alembic.ini": "[x]\nscript_location = db\n"},
    )
    make(tmp_path / "sub", {"b/db/env.py": ""})
    found = environments(tmp_path / "sub")
    assert [e.label for e in found.environments] == ["b/alembic.ini [x]"]


def test_package_locations_of_an_uninstalled_src_layout(tmp_path):
    """Netflix/dispatch: src/dispatch/alembic.ini names `dispatch:database/revisions/core`."""
    make(
        tmp_path,
        {
            ".git/HEAD": "",
            "src/dispatch/__init__.py": "raise SystemExit('never imported')\n",
            "src/dispatch/alembic.ini": (
                "[core]\nscript_location = dispatch:database/revisions/core\n"
                "version_locations = dispatch:database/revisions/core/versions\n"
            ),
            "src/dispatch/database/revisions/core/env.py": "",
        },
    )
    found = discover(Locator(), cwd=str(tmp_path), environ={}, explicit=False)
    [env] = found.environments
    core = tmp_path / "src" / "dispatch" / "database" / "revisions" / "core"
    assert env.label == "src/dispatch/alembic.ini [core]"
    assert env.project.version_locations == (str(core / "versions"),)
    with pytest.raises(UsageError, match="cannot find package `nowhere`"):
        find(tmp_path, script_location="nowhere:x")


def test_a_location_relative_to_the_repository_root(tmp_path):
    """mlflow: mlflow/store/db_migrations/alembic.ini says `script_location =
    mlflow/store/db_migrations`, relative to where mlflow runs alembic: the root."""
    make(
        tmp_path,
        {
            ".git/HEAD": "",
            "mlflow/store/db/alembic.ini": "[alembic]\nscript_location = mlflow/store/db\n",
            "mlflow/store/db/versions/a.py": "",
            "other/alembic.ini": "[alembic]\nscript_location = nowhere\n",
        },
    )
    found = discover(Locator(), cwd=str(tmp_path), environ={}, explicit=False)
    [env] = found.environments
    assert env.project.script_location == str(tmp_path / "mlflow" / "store" / "db")
    assert env.home == str(tmp_path / "mlflow" / "store" / "db")
    assert found.errors == [("other/alembic.ini", "script location `nowhere` does not exist")]


def test_package_locations_in_namespace_packages(tmp_path):
    """lablup/backend.ai: `ai.backend.manager.models:alembic`, where `ai` and `ai.backend` are
    namespace packages spread over several directories."""
    make(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = ai.backend.manager.models:alembic\n"
            "prepend_sys_path = src other\n",
            "other/ai/backend/common/__init__.py": "",
            "src/ai/backend/manager/__init__.py": "",
            "src/ai/backend/manager/models/__init__.py": "",
            "src/ai/backend/manager/models/alembic/env.py": "",
            "other/ai/backend/manager/models/alembic/env.py": "",
        },
    )
    project = find(tmp_path)
    assert project.script_location == str(tmp_path / "src/ai/backend/manager/models/alembic")
    make(tmp_path, {"other/ai/backend/shared/env.py": ""})
    assert find(tmp_path, script_location="ai.backend:shared").script_location == str(
        tmp_path / "other/ai/backend/shared"
    )
    with pytest.raises(UsageError, match=r"script location `ai\.backend:nothing` does not exist"):
        find(tmp_path, script_location="ai.backend:nothing")


def test_a_logging_ini_beside_tool_alembic_is_not_reported_as_skipped(tmp_path):
    make(
        tmp_path,
        {
            "svc/alembic.ini": "[loggers]\nkeys = root\n",
            "svc/pyproject.toml": '[tool.alembic]\nscript_location = "%(here)s/db"\n',
            "svc/db/env.py": "",
            "broken/alembic.ini": "[loggers]\nkeys = root\n",
            "broken/pyproject.toml": "[tool.alembic\n",
        },
    )
    found = discover(Locator(), cwd=str(tmp_path), environ={}, explicit=False)
    assert [e.project.script_location for e in found.environments] == [str(tmp_path / "svc/db")]
    assert found.skipped == [("broken/alembic.ini", "no section with a `script_location`")]
    assert [where for where, _ in found.errors] == ["broken/pyproject.toml"]
