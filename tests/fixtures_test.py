"""End-to-end runs of ``alembic-lint check`` on the real Alembic projects in ``fixtures/``.

Each ``fixtures/<scenario>/`` is a small project made with the alembic CLI (see
``fixtures/README.md``). ``args.txt`` holds the arguments after ``check``, one per line;
``expected.txt`` holds the exact stdout, then ``exit: N``. To regenerate the expected files
after a deliberate change in output, run::

    ALEMBIC_LINT_UPDATE_EXPECTED=1 pytest tests/fixtures_test.py

and read the diff before committing it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alembic_lint.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# fixtures/drift/ holds the drift projects (tests/drift_fixtures_test.py), not a scenario.
SCENARIOS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "drift")
UPDATE = os.environ.get("ALEMBIC_LINT_UPDATE_EXPECTED") == "1"
TEXT_LINE = re.compile(
    r"^(?P<path>\S+?):(?P<line>\d+):(?P<col>\d+): (?P<code>AL\d{3}) (?P<msg>.*)$"
)
# Set only by the oracle test, which lets alembic import the package_location scenario's package.
ALLOW_IMPORT = "ALEMBIC_LINT_FIXTURE_ALLOW_IMPORT"


def scenario_args(directory: Path) -> list[str]:
    args_file = directory / "args.txt"
    if not args_file.is_file():
        return []
    return [line.strip() for line in args_file.read_text().splitlines() if line.strip()]


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def project(request, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the scenario named by the test parameter, as the current directory."""
    name: str = request.param
    work = tmp_path / name
    shutil.copytree(FIXTURES / name, work)
    monkeypatch.chdir(work)
    monkeypatch.delenv(ALLOW_IMPORT, raising=False)
    return work


def run_check(args: list[str], capsys) -> tuple[str, int]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    # a note says what the run assumed; each is one line, and only with a finding it explains
    notes = [
        line for line in err.splitlines(keepends=True) if line.startswith("alembic-lint: note: ")
    ]
    assert not notes or code == 1
    err = "".join(line for line in err.splitlines(keepends=True) if line not in notes)
    # stderr is only for usage, configuration and internal errors (exit 2): one line each
    if code == 2:
        assert err.startswith("alembic-lint: ") and err.count("\n") == 1
    else:
        assert err == ""
    return out, code


def test_every_scenario_has_an_expected_file():
    assert SCENARIOS, f"no scenarios in {FIXTURES}"
    missing = [s for s in SCENARIOS if not (FIXTURES / s / "expected.txt").is_file()]
    assert UPDATE or not missing, f"run with ALEMBIC_LINT_UPDATE_EXPECTED=1 to create {missing}"


@pytest.mark.parametrize("project", SCENARIOS, indirect=True)
def test_scenario(project: Path, capsys):
    before = tree_hashes(project)
    modules_before = set(sys.modules)
    args = scenario_args(project)

    out, code = run_check(args, capsys)
    actual = f"{out}exit: {code}\n"
    expected_file = FIXTURES / project.name / "expected.txt"
    if UPDATE:  # pragma: no cover - maintenance mode, ALEMBIC_LINT_UPDATE_EXPECTED=1
        expected_file.write_text(actual)
    else:
        assert actual == expected_file.read_text()

    # A second run reads the parse cache (kept outside the project) and must agree.
    again, again_code = run_check(args, capsys)
    assert (again, again_code) == (out, code)

    # The check never writes into the project and never runs or imports its code.
    assert tree_hashes(project) == before
    assert not (project / "PWNED").exists()
    imported = [
        name
        for name in set(sys.modules) - modules_before
        if (getattr(sys.modules[name], "__file__", None) or "").startswith(str(project))
    ]
    assert imported == []


@pytest.mark.parametrize("project", ["no_exec"], indirect=True)
def test_no_exec_fixture_would_write_the_canary(project: Path, capsys):
    """The canary is real: running the revision module, as alembic does, writes ``PWNED``."""
    _, code = run_check([], capsys)
    assert code == 0
    assert not (project / "PWNED").exists()
    (script,) = [
        p for p in (project / "alembic" / "versions").glob("*.py") if "PWNED" in p.read_text()
    ]
    subprocess.run([sys.executable, str(script)], cwd=project, check=True)
    assert (project / "PWNED").read_text() == "revision module was executed\n"


@pytest.mark.parametrize("project", ["package_location"], indirect=True)
def test_package_location_is_resolved_without_importing(project: Path, capsys):
    assert "mypkg" not in sys.modules
    out, code = run_check([], capsys)
    assert code == 0
    assert "2 files checked" in out
    assert "mypkg" not in sys.modules
    # and importing it really would have failed
    proc = subprocess.run(
        [sys.executable, "-c", "import mypkg"],
        cwd=project,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != ALLOW_IMPORT},
    )
    assert proc.returncode == 1
    assert "must never import project code" in proc.stderr


def _text_findings(out: str) -> list[tuple[str, int, int, str, str]]:
    found = []
    for line in out.splitlines():
        match = TEXT_LINE.match(line)
        if match:
            found.append(
                (
                    match["path"],
                    int(match["line"]),
                    int(match["col"]),
                    match["code"],
                    match["msg"],
                )
            )
    return found


@pytest.mark.parametrize("project", ["dangling"], indirect=True)
def test_json_format(project: Path, capsys):
    text, text_code = run_check([], capsys)
    out, code = run_check(["--format", "json"], capsys)
    assert code == text_code == 1
    items = json.loads(out)
    assert isinstance(items, list) and items
    for item in items:
        assert {"code", "name", "path", "line", "column", "message", "revision"} <= set(item)
        assert re.fullmatch(r"AL\d{3}", item["code"])
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", item["name"])
        assert not Path(item["path"]).is_absolute() and "\\" not in item["path"]
        assert (project / item["path"]).is_file()
        assert isinstance(item["line"], int) and isinstance(item["column"], int)
        # every finding of this scenario is about a revision, so each names its id
        assert item["revision"] and item["revision"] in (project / item["path"]).read_text()
    assert [
        (i["path"], i["line"], i["column"], i["code"], i["message"]) for i in items
    ] == _text_findings(text)


@pytest.mark.parametrize("project", ["dangling"], indirect=True)
def test_github_format(project: Path, capsys):
    text, _ = run_check([], capsys)
    out, code = run_check(["--format", "github"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines and all(line.startswith("::error file=") for line in lines)
    expected = [
        f"::error file={path},line={line},col={col},title={code}::"
        for path, line, col, code, _ in _text_findings(text)
    ]
    assert [line[: line.index("::", 2) + 2] for line in lines] == expected


@pytest.mark.parametrize("project", ["clean_linear"], indirect=True)
def test_machine_formats_of_a_clean_project(project: Path, capsys):
    assert run_check(["--format", "json"], capsys) == ("[]\n", 0)
    assert run_check(["--format", "github"], capsys) == ("", 0)
