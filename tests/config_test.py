from __future__ import annotations

import pytest

from alembic_lint.config import (
    Settings,
    find_settings_file,
    load_settings,
    load_settings_file,
    normalize_message,
    parse_table,
    with_overrides,
)
from alembic_lint.diagnostics import UsageError


def test_defaults_when_no_file_or_table(tmp_path):
    assert load_settings(tmp_path / "pyproject.toml") == Settings()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_settings(tmp_path / "pyproject.toml") == Settings()


def test_full_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        """
[tool.alembic-lint]
select = ["AL1", "AL2"]
ignore = ["AL107"]
extend-select = ["AL205"]
per-file-ignores = { "legacy/*" = ["AL201"] }
message-pattern = '^v\\d+ '
placeholder-messages = ["Changes!"]
extend-placeholder-messages = ["stuff"]
version-pattern = '^rev(\\d+)'
start-after = "abc123"
"""
    )
    settings = load_settings(tmp_path / "pyproject.toml")
    assert settings.select == ("AL1", "AL2")
    assert settings.ignore == ("AL107",)
    assert settings.extend_select == ("AL205",)
    assert settings.per_file_ignores == (("legacy/*", ("AL201",)),)
    assert settings.message_pattern is not None and settings.message_pattern.pattern == r"^v\d+ "
    assert settings.placeholder_messages == {"changes", "stuff"}
    assert settings.version_pattern.pattern == r"^rev(\d+)"
    assert settings.start_after == "abc123"


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ({"selct": ["AL1"]}, "unknown key `selct`; did you mean `select`?"),
        ({"zzz": 1}, "unknown key `zzz`"),
        ({"select": [1]}, "`select` must be a list of strings"),
        ({"message-pattern": "("}, "`message-pattern` is not a valid regex"),
        ({"message-pattern": 3}, "`message-pattern` must be a string"),
        ({"version-pattern": "v\\d+"}, "`version-pattern` needs a capture group"),
        ({"per-file-ignores": ["x"]}, "`per-file-ignores` must be a table"),
        ({"start-after": ""}, "`start-after` must be a revision id"),
        ({"dialect": "oracle"}, "`dialect` must be one of postgresql, mysql, mariadb, sqlite"),
        ({"dialect": 5}, "`dialect` must be one of"),
        ({"postgresql-version": "fourteen"}, "`postgresql-version` must be a version such as 14"),
        ({"postgresql-version": 8}, "`postgresql-version` must be a version"),
        ({"postgresql-version": True}, "`postgresql-version` must be a version"),
        ({"mysql-version": "eight"}, "`mysql-version` must be a version such as"),
        ({"mysql-version": [8]}, "`mysql-version` must be a version"),
        ({"lint-downgrade": "yes"}, "`lint-downgrade` must be true or false"),
        ({"contract-branch-labels": [1]}, "`contract-branch-labels` must be a list of strings"),
        ({"volatile-functions": {}}, "`volatile-functions` must be a list of strings"),
        ({"dialekt": "mysql"}, "unknown key `dialekt`; did you mean `dialect`?"),
    ],
)
def test_bad_config_names_the_culprit(table, error):
    with pytest.raises(UsageError, match=error.replace("(", "\\(").replace("?", "\\?")):
        parse_table(table)


def test_broken_toml_is_a_usage_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.alembic-lint\n")
    with pytest.raises(UsageError, match=r"pyproject\.toml"):
        load_settings(tmp_path / "pyproject.toml")
    (tmp_path / "pyproject.toml").write_text("[tool]\nalembic-lint = 3\n")
    with pytest.raises(UsageError, match="must be a table"):
        load_settings(tmp_path / "pyproject.toml")


def test_overrides_replace_config_values():
    base = Settings(select=("AL1",), ignore=("AL107",))
    assert with_overrides(base) == base
    changed = with_overrides(
        base, select=["AL2"], ignore=[], extend_select=["AL205"], start_after="x"
    )
    assert (changed.select, changed.ignore, changed.extend_select, changed.start_after) == (
        ("AL2",),
        (),
        ("AL205",),
        "x",
    )


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("  WIP. ", "wip"), ("Empty   Message", "empty message"), ("...", "..."), ("todo!", "todo")],
)
def test_normalize_message(raw, normal):
    assert normalize_message(raw) == normal


def test_a_single_string_is_a_one_item_list():
    assert parse_table({"select": "AL1"}).select == ("AL1",)


def test_the_nearest_pyproject_with_the_table_wins_up_to_the_root(tmp_path):
    (tmp_path / "svc" / "app").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("[tool.alembic-lint]\n")
    (tmp_path / "svc" / "pyproject.toml").write_text("[project]\nname = 'svc-alembic'\n")
    assert find_settings_file(str(tmp_path / "svc" / "app"), str(tmp_path)) == str(
        tmp_path / "pyproject.toml"
    )
    (tmp_path / "svc" / "pyproject.toml").write_text("[tool.alembic-lint]\nignore = []\n")
    assert find_settings_file(str(tmp_path / "svc" / "app"), str(tmp_path)) == str(
        tmp_path / "svc" / "pyproject.toml"
    )
    # the search stops at the repository root
    assert find_settings_file(str(tmp_path / "svc" / "app"), str(tmp_path / "svc" / "app")) is None


def test_paths_in_a_settings_file_are_relative_to_its_directory(tmp_path):
    (tmp_path / "backend").mkdir()
    settings_file = tmp_path / "backend" / "lint.toml"
    settings_file.write_text(
        'head-file = "migrations/HEAD"\n'
        'per-file-ignores = { "migrations/versions/old_*.py" = ["AL3"], "/abs/*.py" = ["AL2"] }\n'
    )
    settings = load_settings_file(str(settings_file), cwd=str(tmp_path))
    assert settings.head_file == str(tmp_path / "backend" / "migrations" / "HEAD")
    assert settings.per_file_ignores == (
        ("backend/migrations/versions/old_*.py", ("AL3",)),
        ("/abs/*.py", ("AL2",)),
    )
    # from inside the environment, the globs are relative to there
    inside = load_settings_file(str(settings_file), cwd=str(tmp_path / "backend" / "migrations"))
    assert inside.per_file_ignores[0] == ("versions/old_*.py", ("AL3",))
    # in its own directory nothing is rewritten
    here = load_settings_file(str(settings_file), cwd=str(tmp_path / "backend"))
    assert here.head_file == "migrations/HEAD"


def test_the_unsafe_operation_options():
    settings = parse_table(
        {
            "dialect": "MariaDB",
            "postgresql-version": "16.2",
            "mysql-version": "10.11",
            "contract-branch-labels": ["contract", "post"],
            "contract-version-locations": ["migrations/contract"],
            "volatile-functions": ["my_uuid"],
            "lint-downgrade": True,
        }
    )
    assert settings.dialect == "mariadb"
    assert (settings.postgresql_version, settings.mysql_version) == (16, (10, 11))
    assert settings.contract_branch_labels == ("contract", "post")
    assert {"my_uuid", "gen_random_uuid"} <= settings.volatile_functions
    assert settings.lint_downgrade
    assert parse_table({"postgresql-version": 12, "mysql-version": 8}).mysql_version == (8, 0)
    defaults = parse_table({})
    assert (defaults.dialect, defaults.postgresql_version, defaults.mysql_version) == (
        None,
        14,
        (8, 0),
    )


def test_contract_locations_are_absolute_from_the_settings_file(tmp_path):
    (tmp_path / "backend").mkdir()
    settings_file = tmp_path / "backend" / "pyproject.toml"
    settings_file.write_text(
        '[tool.alembic-lint]\ncontract-version-locations = ["migrations/contract"]\n'
    )
    for cwd in (tmp_path, tmp_path / "backend"):
        settings = load_settings_file(str(settings_file), cwd=str(cwd))
        assert settings.contract_version_locations == (
            str(tmp_path / "backend" / "migrations" / "contract"),
        )
