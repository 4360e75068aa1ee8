from __future__ import annotations

import pytest

from alembic_lint.diagnostics import UsageError
from alembic_lint.tomlfile import read_toml


def test_files_without_alembic_are_not_parsed(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("this is [ not toml\n")
    assert read_toml(str(path)) == {}
    path.write_text("[tool.alembic]\nscript_location = 'm'\n")
    assert read_toml(str(path)) == {"tool": {"alembic": {"script_location": "m"}}}


def test_unreadable_paths_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match=r"gone\.toml"):
        read_toml(str(tmp_path / "gone.toml"))
    with pytest.raises(UsageError, match="a-directory"):
        read_toml(str(tmp_path.joinpath("a-directory").mkdir() or tmp_path / "a-directory"))
    (tmp_path / "latin.toml").write_bytes(b"# alembic \xff\n")
    with pytest.raises(UsageError, match=r"latin\.toml"):
        read_toml(str(tmp_path / "latin.toml"))


@pytest.mark.parametrize(
    "data",
    [
        "[tool.alembic-lint]\nignore = ['AL305']\n".encode("utf-16"),
        "[tool.alembic-lint]\nignore = ['AL305']\n".encode("utf-16-be"),
        "[tool.alembic-lint]\n".encode("utf-32"),
    ],
)
def test_utf16_is_an_error_not_silently_ignored(tmp_path, data):
    path = tmp_path / "pyproject.toml"
    path.write_bytes(data)
    with pytest.raises(UsageError, match=r"not UTF-8 \(it looks like UTF-16\)"):
        read_toml(str(path))
