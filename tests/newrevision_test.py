"""new-revision: alembic's post-write hook, with the real `alembic revision` in projects made by
the real `alembic init`, and its parts (finding the environment, the deferred rename) alone."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from importlib.metadata import version
from pathlib import Path

import pytest

from alembic_lint.cli import main
from alembic_lint.config import Settings
from alembic_lint.diagnostics import UsageError
from alembic_lint.discover import Locator, Project
from alembic_lint.newrevision import (
    find_environment,
    holds,
    new_revision,
    rename_later,
    wait_for_exit,
)
from tests.builders import revision
from tests.gitutil import git

ALEMBIC = str(Path(sys.executable).parent / "alembic")
ALEMBIC_VERSION = tuple(int(p) for p in version("alembic").split(".")[:2])

INI_HOOK = """[post_write_hooks]
hooks = alembic_lint
alembic_lint.type = console_scripts
alembic_lint.entrypoint = alembic-lint
alembic_lint.options = new-revision REVISION_SCRIPT_FILENAME
"""
TOML_HOOK = """
[[tool.alembic.post_write_hooks]]
name = "alembic_lint"
type = "console_scripts"
entrypoint = "alembic-lint"
options = "new-revision REVISION_SCRIPT_FILENAME"
"""
TOML_INLINE_HOOK = (
    'post_write_hooks = [{name = "alembic_lint", type = "console_scripts", '
    'entrypoint = "alembic-lint", options = "new-revision REVISION_SCRIPT_FILENAME"}]\n'
)


def alembic(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ALEMBIC, *args], cwd=root, capture_output=True, text=True, check=False)


def stand_in() -> subprocess.Popen[bytes]:
    """A process that lives until its stdin is closed, standing in for alembic."""
    return subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )


def eventually(predicate, timeout: float = 10.0) -> bool:
    """Whether ``predicate`` holds within ``timeout`` seconds, polling every 10 ms."""
    return any(_pause() or predicate() for _ in range(int(timeout / 0.01)))


def _pause() -> bool:
    time.sleep(0.01)
    return False


@pytest.fixture(scope="session")
def initialized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`alembic init migrations` once; each test copies it."""
    root = tmp_path_factory.mktemp("init") / "app"
    root.mkdir()
    done = alembic(root, "init", "migrations")
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def project(initialized: Path, tmp_path: Path) -> Path:
    """A git work tree (so that AL501, untracked, would refuse if it were checked) whose
    alembic.ini runs the hook."""
    root = tmp_path / "app"
    shutil.copytree(initialized, root)
    ini = root / "alembic.ini"
    text = ini.read_text()
    assert "[post_write_hooks]\n" in text
    ini.write_text(text.replace("[post_write_hooks]\n", INI_HOOK, 1))
    git(root, "init", "-q")
    return root


def versions(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "migrations" / "versions").glob("*.py"))


def make(root: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`alembic revision ARGS`, and the path it says it generated."""
    done = alembic(root, "revision", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    found = re.search(r"Generating (\S+\.py) \.\.\.", done.stdout)
    assert found is not None, done.stdout
    return done, Path(found.group(1))


def hook_output(done: subprocess.CompletedProcess[str]) -> list[str]:
    """What the hook printed on stdout: alembic's own lines taken out."""
    return [
        line
        for line in done.stdout.splitlines()
        if not re.match(r"\s*(Generating .* done|Running post write hook .*|done)$", line)
    ]


def numbered(root: Path) -> tuple[Path, Path]:
    first = make(root, "-m", "v001 create users")[1]
    second = make(root, "-m", "v002 add name")[1]
    return first, second


def test_the_readme_documents_the_hook_entries_these_tests_use():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert f"```ini\n{INI_HOOK}```" in readme
    assert f"```toml{TOML_HOOK}```" in readme


# --- the real `alembic revision` ------------------------------------------------------------


def test_a_placeholder_becomes_the_next_number_in_the_message_and_the_file_name(project):
    numbered(project)
    done, written = make(project, "-m", "vXXX add email")
    assert written.name.endswith("_vxxx_add_email.py")
    renamed = written.with_name(written.name.replace("_vxxx_", "_v003_"))
    shown = f"migrations/versions/{written.name}"
    assert hook_output(done) == [f"{shown}: message `vXXX` now `v003`; renamed to {renamed.name}"]
    assert done.stderr == ""
    # the rename waits for alembic, which reads the file back after its hooks, to exit
    assert eventually(lambda: renamed.exists() and not written.exists())
    assert renamed.read_text().startswith('"""v003 add email\n')
    history = alembic(project, "history")
    assert history.returncode == 0 and "(head), v003 add email" in history.stdout


def test_a_clean_revision_passes_silently(project):
    done, written = make(project, "-m", "create users")
    assert hook_output(done) == [] and done.stderr == ""
    assert "Running post write hook 'alembic_lint'" in done.stdout
    assert versions(project) == [written.name]


def test_a_placeholder_is_refused_where_messages_are_not_numbered(project):
    make(project, "-m", "create users")
    done, written = make(project, "-m", "wip")
    shown = f"migrations/versions/{written.name}"
    assert hook_output(done) == [
        f"{shown}:1:1: AL301 revision message `wip` is a placeholder",
        '    hint: say what the revision does, e.g. `alembic revision -m "add users.email"`',
    ]
    # alembic never looks at a hook's exit status: `alembic revision` succeeds (make asserts
    # exit 0), the findings are what the user sees, and the file stays for them to fix
    assert done.stderr.startswith(f"alembic-lint: {shown}: refused, 1 finding; the file is kept")
    assert written.read_text().startswith('"""wip\n')


def test_a_second_head_is_refused_and_left_as_alembic_wrote_it(project):
    first, _ = numbered(project)
    base = first.name.split("_")[0]
    done, written = make(project, "-m", "vXXX add phone", "--head", base, "--splice")
    found = hook_output(done)
    assert any(": AL101 multiple heads (unlabeled): " in line for line in found), found
    assert written.name in found[0]
    # renumbering it would only add a second v002: the revision is left untouched
    time.sleep(0.2)
    assert written.exists() and written.read_text().startswith('"""vXXX add phone\n')
    assert len(versions(project)) == 3


@pytest.mark.skipif(ALEMBIC_VERSION < (1, 16), reason="[tool.alembic] needs alembic >= 1.16")
@pytest.mark.parametrize("form", ["array-of-tables", "inline"])
def test_the_hook_runs_from_tool_alembic_in_pyproject(tmp_path, form):
    root = tmp_path / "app"
    root.mkdir()
    assert alembic(root, "init", "-t", "pyproject", "migrations").returncode == 0
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    if form == "inline":
        text = text.replace("[tool.alembic]\n", "[tool.alembic]\n" + TOML_INLINE_HOOK, 1)
    else:
        text += TOML_HOOK
    pyproject.write_text(text)
    numbered(root)
    done, written = make(root, "-m", "vXXX add email")
    renamed = written.with_name(written.name.replace("_vxxx_", "_v003_"))
    assert hook_output(done) == [
        f"migrations/versions/{written.name}: message `vXXX` now `v003`; renamed to {renamed.name}"
    ]
    assert eventually(renamed.exists)
    assert renamed.read_text().startswith('"""v003 add email\n')


# --- the command, in this process -----------------------------------------------------------


def plain(root: Path, chain) -> Path:
    """An alembic.ini project with these (rev, down, message, name) revisions."""
    directory = root / "migrations" / "versions"
    directory.mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    for rev, down, message, name in chain:
        (directory / name).write_text(revision(rev, down, message=message))
    return directory


CHAIN = [
    ("3f9c2a71be04", None, "v001 create users", "3f9c2a71be04_v001_create_users.py"),
    ("8d41e6c0a9f3", "3f9c2a71be04", "v002 add email", "8d41e6c0a9f3_v002_add_email.py"),
]


def test_the_command_renames_at_once_with_rename_now(tmp_path, monkeypatch, capsys):
    directory = plain(
        tmp_path,
        [
            *CHAIN,
            ("c07b5e92d1a6", "8d41e6c0a9f3", "vXXX add phone", "c07b5e92d1a6_vxxx_add_phone.py"),
        ],
    )
    monkeypatch.chdir(tmp_path)
    new = "migrations/versions/c07b5e92d1a6_vxxx_add_phone.py"
    assert main(["new-revision", "--rename-now", new]) == 0
    assert capsys.readouterr().out == (
        f"{new}: message `vXXX` now `v003`; renamed to c07b5e92d1a6_v003_add_phone.py\n"
    )
    assert (directory / "c07b5e92d1a6_v003_add_phone.py").read_text().startswith('"""v003')
    assert not (directory / "c07b5e92d1a6_vxxx_add_phone.py").exists()


def test_the_command_refuses_with_the_findings_and_exit_1(tmp_path, monkeypatch, capsys):
    plain(
        tmp_path,
        [*CHAIN, ("c07b5e92d1a6", "3f9c2a71be04", "v003 add phone", "c07b5e92d1a6_v003.py")],
    )
    monkeypatch.chdir(tmp_path)
    new = "migrations/versions/c07b5e92d1a6_v003.py"
    before = (tmp_path / new).read_bytes()
    assert main(["new-revision", "--color", "never", new]) == 1
    out, err = capsys.readouterr()
    assert [line.split(" ", 2)[:2] for line in out.splitlines() if not line.startswith(" ")] == [
        [f"{new}:1:1:", "AL303"],
        [f"{new}:14:1:", "AL101"],
    ]
    assert err == (
        f"alembic-lint: {new}: refused, 2 findings; the file is kept: fix it, or delete it and "
        "run `alembic revision` again\n"
    )
    assert (tmp_path / new).read_bytes() == before  # the AL303 renumbering was undone


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.py"], "alembic-lint: error: no such file: missing.py\n"),
        (
            ["elsewhere/x_step.py"],
            "alembic-lint: error: elsewhere/x_step.py is not in the version locations of any "
            "Alembic environment configured here or above it; pass -c/--config\n",
        ),
    ],
)
def test_the_command_fails_in_one_line_with_exit_2(tmp_path, monkeypatch, capsys, args, message):
    plain(tmp_path, CHAIN)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x_step.py").write_text(revision("aa11bb22cc33", "8d41e6c0a9f3"))
    monkeypatch.chdir(tmp_path)
    assert main(["new-revision", *args]) == 2
    assert capsys.readouterr() == ("", message)


def test_the_command_reads_the_settings_of_the_environment(tmp_path, monkeypatch, capsys):
    plain(tmp_path, [*CHAIN, ("c07b5e92d1a6", "8d41e6c0a9f3", "wip", "c07b5e92d1a6_wip.py")])
    (tmp_path / "pyproject.toml").write_text('[tool.alembic-lint]\nignore = ["AL301"]\n')
    monkeypatch.chdir(tmp_path / "migrations")
    assert main(["new-revision", "versions/c07b5e92d1a6_wip.py"]) == 0
    assert capsys.readouterr() == ("", "")


# --- the parts ------------------------------------------------------------------------------


def test_new_revision_does_not_judge_the_body_nor_git(tmp_path):
    """An empty upgrade (AL204) is what `alembic revision` writes; an untracked file (AL501)
    is what it has just made."""
    directory = plain(tmp_path, CHAIN)
    git(tmp_path, "init", "-q")
    path = directory / "c07b5e92d1a6_v003_add_phone.py"
    path.write_text(
        revision("c07b5e92d1a6", "8d41e6c0a9f3", message="v003 add phone", upgrade="pass")
    )
    project = Project(
        None, str(tmp_path / "migrations"), (str(directory),), False, "%(rev)s_%(slug)s"
    )
    outcome = new_revision(project, Settings(), str(path), cwd=str(tmp_path), wait_for=None)
    assert outcome == ([], [], 3)


def test_new_revision_renames_later_when_told_whom_to_wait_for(tmp_path):
    directory = plain(
        tmp_path,
        [*CHAIN, ("c07b5e92d1a6", "8d41e6c0a9f3", "vXXX add phone", "c07b5e92d1a6_vxxx.py")],
    )
    project = Project(
        None, str(tmp_path / "migrations"), (str(directory),), False, "%(rev)s_%(slug)s"
    )
    alembic_stand_in = stand_in()
    path = directory / "c07b5e92d1a6_vxxx.py"
    outcome = new_revision(
        project, Settings(), str(path), cwd=str(tmp_path), wait_for=alembic_stand_in.pid
    )
    assert [c.renamed for c in outcome.changes] == ["c07b5e92d1a6_v003.py"]
    assert path.read_text().startswith('"""v003 add phone')  # the message at once
    time.sleep(0.2)
    assert path.exists()  # the name once the stand-in has exited
    alembic_stand_in.communicate(b"")
    assert eventually(lambda: (directory / "c07b5e92d1a6_v003.py").exists() and not path.exists())


def test_new_revision_fixes_a_message_whose_file_name_has_no_placeholder(tmp_path):
    directory = plain(
        tmp_path,
        [*CHAIN, ("c07b5e92d1a6", "8d41e6c0a9f3", "vXXX add phone", "c07b5e92d1a6_phone.py")],
    )
    project = Project(
        None, str(tmp_path / "migrations"), (str(directory),), False, "%(rev)s_%(slug)s"
    )
    path = directory / "c07b5e92d1a6_phone.py"
    outcome = new_revision(project, Settings(), str(path), cwd=str(tmp_path), wait_for=1)
    assert [(c.summary, c.renamed) for c in outcome.changes] == [
        ("message `vXXX` now `v003`", None)
    ]
    assert path.read_text().startswith('"""v003 add phone')


@pytest.mark.parametrize(
    ("location", "name", "recursive", "expected"),
    [
        ("versions", "versions/a1_x.py", False, True),
        ("versions", "versions/sub/a1_x.py", False, False),
        ("versions", "versions/sub/a1_x.py", True, True),
        ("versions", "other/a1_x.py", True, False),
        ("versions", "versions/__init__.py", False, False),
        ("versions", "versions/a1_x.txt", False, False),
    ],
)
def test_holds(tmp_path, location, name, recursive, expected):
    project = Project(None, str(tmp_path), (str(tmp_path / location),), recursive, "")
    assert holds(project, str(tmp_path / name)) is expected


def two_envs_ini(script_locations: tuple[str, str]) -> str:
    return "".join(
        f"[{name}]\nscript_location = {where}\nversion_locations = %(here)s/shared\n\n"
        for name, where in zip(("one", "two"), script_locations, strict=True)
    )


def find(path: Path, cwd: Path, **kwargs):
    root, env = find_environment(
        str(path),
        locator=kwargs.pop("locator", Locator()),
        cwd=str(cwd),
        environ=kwargs.pop("environ", {}),
        explicit=kwargs.pop("explicit", False),
    )
    return root, env.project.config_file


def test_find_environment_from_the_current_directory_or_above_the_file(tmp_path):
    directory = plain(tmp_path / "app", CHAIN)
    path = directory / CHAIN[0][3]
    ini = str(tmp_path / "app" / "alembic.ini")
    assert find(path, tmp_path / "app") == (str(tmp_path / "app"), ini)
    (tmp_path / "cwd").mkdir()
    assert find(path, tmp_path / "cwd") == (str(tmp_path / "app"), ini)
    git(tmp_path, "init", "-q")  # settings are then searched up to the repository root
    assert find(path, tmp_path / "cwd") == (str(tmp_path), ini)
    assert find(path, tmp_path / "cwd", environ={"ALEMBIC_CONFIG": ini})[1] == ini
    with pytest.raises(UsageError, match=r"no alembic\.ini"):
        find(path, tmp_path / "cwd", explicit=True)


def test_find_environment_looks_past_configurations_that_do_not_hold_the_file(tmp_path):
    directory = plain(tmp_path / "app", CHAIN)
    (tmp_path / "pyproject.toml").write_text("[tool.alembic\n")  # does not parse: skipped
    (tmp_path / "app" / "migrations" / "alembic.ini").write_text("[alembic]\nscript_location = x\n")
    other = plain(tmp_path / "other", CHAIN)
    found = find(directory / CHAIN[0][3], other.parent.parent)
    assert found[1] == str(tmp_path / "app" / "alembic.ini")


def test_find_environment_refuses_two_environments_and_broken_ones(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    path = tmp_path / "shared" / "a1_x.py"
    path.write_text(revision("a1b1c1d1e1f1"))
    (tmp_path / "alembic.ini").write_text(two_envs_ini(("a", "b")))
    with pytest.raises(
        UsageError,
        match=r"is a revision of 2 Alembic environments \(alembic.ini \[one\], alembic.ini \[two\]\)",
    ):
        find(path, tmp_path)
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = missing\n")
    with pytest.raises(UsageError, match="script location `missing` does not exist"):
        find(path, tmp_path)


def test_wait_for_exit_with_a_pidfd_and_by_polling():
    for use_pidfd in (True, False):
        child = stand_in()
        # the poll sees a zombie as alive: the stand-in is reaped by a thread, as a shell would
        timer = threading.Timer(0.2, child.communicate, args=(b"",))
        timer.start()
        started = time.monotonic()
        wait_for_exit(child.pid, use_pidfd=use_pidfd)
        assert time.monotonic() - started >= 0.15
        timer.join()
        started = time.monotonic()
        wait_for_exit(child.pid, use_pidfd=use_pidfd)  # gone: at once
        assert time.monotonic() - started < 0.15


def test_rename_later_keeps_a_name_that_has_been_taken(tmp_path):
    old, new = tmp_path / "a_vxxx.py", tmp_path / "a_v003.py"
    old.write_text("old")
    child = stand_in()
    rename_later(str(old), str(new), after=child.pid)
    new.write_text("someone else's")
    child.communicate(b"")
    time.sleep(0.3)
    assert old.read_text() == "old" and new.read_text() == "someone else's"
