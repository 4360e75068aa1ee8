from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alembic_lint import __version__
from alembic_lint.cli import main
from tests.builders import revision


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text("raise SystemExit('env.py must never run')\n")
    (versions / "7c1e9d0b4a52_init.py").write_text(
        revision("7c1e9d0b4a52", None, message="create users")
    )
    (versions / "5d2e8a41c07f_email.py").write_text(revision("5d2e8a41c07f", "7c1e9d0b4a52"))
    monkeypatch.chdir(tmp_path)
    return versions


def test_clean_project(project, capsys):
    assert main([]) == 0
    assert capsys.readouterr().out == "All checks passed (2 files checked).\n"
    assert main(["check"]) == 0


def test_findings_text(project, capsys):
    (project / "e41f7b20c9d3_more.py").write_text(
        revision("e41f7b20c9d3", "7c1e9d0b4a52", message="vXXX", downgrade="pass")
    )
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert out == (
        "migrations/versions/5d2e8a41c07f_email.py:14:1: AL101 multiple heads (unlabeled): `5d2e8a41c07f` competes with `e41f7b20c9d3` (migrations/versions/e41f7b20c9d3_more.py); common ancestor `7c1e9d0b4a52`\n"
        "    hint: re-point one onto the other with `alembic-lint rebase`, or run `alembic merge heads`\n"
        "migrations/versions/e41f7b20c9d3_more.py:1:1: AL301 revision message has an unfilled placeholder `vXXX`\n"
        "    hint: write what the revision does, e.g. `v042 add users.email`\n"
        "migrations/versions/e41f7b20c9d3_more.py:14:1: AL101 multiple heads (unlabeled): `e41f7b20c9d3` competes with `5d2e8a41c07f` (migrations/versions/5d2e8a41c07f_email.py); common ancestor `7c1e9d0b4a52`\n"
        "    hint: re-point one onto the other with `alembic-lint rebase`, or run `alembic merge heads`\n"
        "migrations/versions/e41f7b20c9d3_more.py:24:1: AL202 `downgrade()` is empty but `upgrade()` is not\n"
        "    hint: reverse the upgrade, or raise to declare the revision irreversible\n"
        "Found 4 findings in 2 files (3 files checked).\n"
    )


def test_files_limit_per_revision_findings_but_not_graph_findings(project, capsys):
    (project / "e41f7b20c9d3_more.py").write_text(
        revision("e41f7b20c9d3", "7c1e9d0b4a52", message="vXXX")
    )
    assert main(["check", "migrations/versions/5d2e8a41c07f_email.py", "README.md"]) == 2
    assert "no such file: README.md" in capsys.readouterr().err
    assert main(["check", "migrations/versions/5d2e8a41c07f_email.py", "alembic.ini"]) == 1
    codes = [line.split()[1] for line in capsys.readouterr().out.splitlines() if ": AL" in line]
    assert codes == ["AL101", "AL101"]
    assert main(["check", "migrations/versions/"]) == 1
    assert "AL301" in capsys.readouterr().out


def test_json_and_github_formats(project, capsys):
    (project / "e41f7b20c9d3_more.py").write_text(
        revision("e41f7b20c9d3", "5d2e8a41c07f", message="wip")
    )
    assert main(["--format", "json"]) == 1
    [item] = json.loads(capsys.readouterr().out)
    assert item == {
        "code": "AL301",
        "name": "placeholder-message",
        "path": "migrations/versions/e41f7b20c9d3_more.py",
        "line": 1,
        "column": 1,
        "message": "revision message `wip` is a placeholder",
        "hint": 'say what the revision does, e.g. `alembic revision -m "add users.email"`',
        "revision": "e41f7b20c9d3",
    }
    assert main(["--format", "github"]) == 1
    assert capsys.readouterr().out == (
        "::error file=migrations/versions/e41f7b20c9d3_more.py,line=1,col=1,title=AL301::"
        "revision message `wip` is a placeholder%0Ahint: say what the revision does, "
        'e.g. `alembic revision -m "add users.email"`\n'
    )
    assert main(["--format", "json", "--ignore", "AL301"]) == 0
    assert capsys.readouterr().out == "[]\n"


def test_selection_flags_and_start_after(project, capsys):
    (project / "e41f7b20c9d3_more.py").write_text(
        revision("e41f7b20c9d3", "5d2e8a41c07f", downgrade=None)
    )
    assert main(["--select", "AL1"]) == 0
    assert main(["--start-after", "e41f7b20c9d3"]) == 0
    assert main(["--start-after", "5d2e8a41c07f"]) == 1
    assert main(["--base", "origin/main"]) == 2  # not a git work tree: --base cannot work
    assert "not in a git work tree" in capsys.readouterr().err
    assert main(["--base", "origin/main", "--ignore", "AL4,AL5"]) == 1  # no git rule: no git needed
    assert main(["--start-after", "nope"]) == 2
    assert "start-after: unknown revision `nope`" in capsys.readouterr().err
    assert main(["--extend-select", "AL999"]) == 2


def test_pyproject_settings_are_read(project, capsys):
    Path("pyproject.toml").write_text('[tool.alembic-lint]\nignore = ["AL201"]\n')
    (project / "e41f7b20c9d3_more.py").write_text(
        revision("e41f7b20c9d3", "5d2e8a41c07f", downgrade=None)
    )
    assert main([]) == 0
    Path("pyproject.toml").write_text('[tool.alembic-lint]\nignroe = ["AL201"]\n')
    assert main([]) == 2
    assert (
        capsys.readouterr().err
        == "alembic-lint: error: [tool.alembic-lint]: unknown key `ignroe`; did you mean `ignore`?\n"
    )


def test_errors_are_one_line_without_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    with pytest.raises(Exception, match=r"no Alembic environment .* or below"):
        main(["--debug"])


def test_internal_errors_exit_2(project, monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr("alembic_lint.history.build_graph", boom)
    assert main([]) == 2
    assert (
        capsys.readouterr().err
        == "alembic-lint: internal error: RuntimeError: kaput (run with --debug for the traceback)\n"
    )
    with pytest.raises(RuntimeError):
        main(["--debug"])


def test_rule_and_rules(capsys):
    assert main(["rule", "AL101"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# AL101 multiple-heads (on by default)\n\n## What it does\n")
    assert main(["rule", "downgrade-raises"]) == 0
    assert "(opt-in)" in capsys.readouterr().out
    assert main(["rule", "AL1"]) == 2
    assert main(["rule", "AL999"]) == 2
    capsys.readouterr()
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["AL001", "syntax-error", "on"]
    assert any(line.split()[:3] == ["AL203", "downgrade-raises", "opt-in"] for line in lines)


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"alembic-lint {__version__}\n"


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml"])
    assert exc.value.code == 2


def test_console_entry_point_and_color(project):
    (project / "e41f7b20c9d3_more.py").write_text(
        revision("e41f7b20c9d3", "5d2e8a41c07f", message="wip")
    )
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    proc = subprocess.run(
        [sys.executable, "-m", "alembic_lint"], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 1
    assert "\033[" not in proc.stdout  # not a terminal


def test_fix_with_an_unknown_start_after_exits_2(tmp_path, monkeypatch, capsys):
    from tests.gitutil import new_project

    repo = new_project(tmp_path / "repo", pyproject='[tool.alembic-lint]\nstart-after = "nope"\n')
    monkeypatch.chdir(repo)
    assert main(["fix", "--dry-run"]) == 2
    assert capsys.readouterr().err == "alembic-lint: error: start-after: unknown revision `nope`\n"


def test_rebase_and_fix_commands(tmp_path, monkeypatch, capsys):
    from tests.gitutil import add_revision, commit, git, new_project

    repo = new_project(
        tmp_path / "repo", pyproject='[tool.alembic-lint]\nhead-file = "migrations/HEAD"\n'
    )
    monkeypatch.chdir(repo)
    assert main(["fix", "--dry-run"]) == 0
    assert (
        capsys.readouterr().out
        == "--- a/migrations/HEAD\n+++ b/migrations/HEAD\n@@ -0,0 +1 @@\n+7c1e9d0b4a52\n"
    )
    assert main(["fix"]) == 0
    assert capsys.readouterr().out == "migrations/HEAD: head file now names 7c1e9d0b4a52\n"
    assert main(["fix"]) == 0
    assert capsys.readouterr().out == "Nothing to change.\n"
    commit(repo, "head file")
    git(repo, "checkout", "-q", "-b", "feature")
    add_revision(repo, "e41f7b20c9d3", "7c1e9d0b4a52")
    main(["fix"])
    commit(repo, "feature")
    git(repo, "checkout", "-q", "main")
    add_revision(repo, "5d2e8a41c07f", "7c1e9d0b4a52")
    main(["fix"])
    commit(repo, "main")
    git(repo, "merge", "-q", "--no-edit", "feature", check=False)
    capsys.readouterr()
    assert main(["check"]) == 1
    assert main(["rebase", "--dry-run"]) == 0
    assert "+down_revision: Union[str, None] = '5d2e8a41c07f'" in capsys.readouterr().out
    assert main(["rebase"]) == 0
    assert capsys.readouterr().out == (
        "migrations/versions/e41f7b20c9d3_step.py: `e41f7b20c9d3` now revises `5d2e8a41c07f` (was `7c1e9d0b4a52`)\n"
        "migrations/HEAD: head file now names e41f7b20c9d3\n"
    )
    git(repo, "add", ".")
    assert main(["check"]) == 0
    assert main(["rebase"]) == 2
    assert (
        capsys.readouterr().err
        == "alembic-lint: error: there is only one head per branch; nothing to rebase\n"
    )


def test_rules_select_shows_what_a_selector_chooses(capsys):
    assert main(["rules", "--select", "AL20,multiple-heads"]) == 0
    codes = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert codes == ["AL101", *(f"AL20{i}" for i in range(1, 7))]
    assert main(["rules", "--select", "A"]) == 2
    assert (
        capsys.readouterr().err == "alembic-lint: error: --select: unknown rule code or name `A`\n"
    )


@pytest.mark.parametrize("flag", ["--select", "--ignore", "--extend-select"])
def test_bad_selectors_on_the_command_line_are_named(project, capsys, flag):
    assert main(["check", flag, "AL2x"]) == 2
    assert "unknown rule code or name `AL2x`" in capsys.readouterr().err
    assert main(["check", "--select", "ALL", "--ignore", "AL422"]) == 0


def test_a_crashing_rule_keeps_the_other_findings_and_exits_2(project, monkeypatch, capsys):
    from alembic_lint import rules

    def crash(script, ctx):
        raise KeyError("boom")
        yield  # pragma: no cover - a generator, as every check is

    broken = tuple(
        rule._replace(check=crash) if rule.code == "AL305" else rule for rule in rules.ALL_RULES
    )
    monkeypatch.setattr(rules, "ALL_RULES", broken)
    (project / "e41f7b20c9d3_more.py").write_text(
        revision("e41f7b20c9d3", "5d2e8a41c07f", message="wip")
    )
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert "AL301 revision message `wip` is a placeholder" in out
    assert err.splitlines() == [
        "alembic-lint: internal error: rule AL305 (filename-mismatch) failed on "
        f"migrations/versions/{name}: KeyError: 'boom'"
        for name in ("5d2e8a41c07f_email.py", "7c1e9d0b4a52_init.py", "e41f7b20c9d3_more.py")
    ]


def test_a_parser_crash_is_reported_on_its_file(project, monkeypatch, capsys):
    from alembic_lint import astread

    real = astread.read

    def fragile(data, path, **kwargs):
        if path.endswith("5d2e8a41c07f_email.py"):
            raise IndexError("parser bug")
        return real(data, path, **kwargs)

    monkeypatch.setattr(astread, "read", fragile)
    assert main(["--no-cache"]) == 1
    out = capsys.readouterr().out
    assert (
        "migrations/versions/5d2e8a41c07f_email.py:1:1: AL001 cannot parse: internal error of the parser "
        "(IndexError: parser bug); please report it"
    ) in out


def test_odd_files_and_unreadable_locations_from_the_command_line(project, capsys):
    os.mkfifo(project / "ab12cd34ef56_fifo.py")
    assert main(["--no-cache"]) == 1
    out = capsys.readouterr().out
    assert "ab12cd34ef56_fifo.py:1:1: AL005 cannot read file: not a regular file (a FIFO)" in out
    assert main(["--version-location", "migrations/versoins"]) == 2
    assert capsys.readouterr().err == (
        "alembic-lint: error: version location `migrations/versoins` cannot be read: "
        "No such file or directory\n"
    )


def test_argparse_and_configparser_errors_are_one_line(project, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--jobs", "many"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "alembic-lint: error: argument -j/--jobs: invalid int value: 'many' "
        "(see `alembic-lint check --help`)\n"
    )
    Path("alembic.ini").write_text("[alembic]\nscript_location = migrations\n  stray\n[alembic]\n")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("alembic-lint: error: ")


# -- output flags and formats (check and drift) -------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SHOP_FINDINGS = [
    "alembic/versions/4b4255a742b1_create_orders_table.py:1:1: AL301",
    "alembic/versions/4b4255a742b1_create_orders_table.py:15:1: AL101",
    "alembic/versions/4b4255a742b1_create_orders_table.py:31:1: AL202",
    "alembic/versions/7b530901dae9_add_email_to_users.py:15:1: AL101",
]


@pytest.fixture
def shop(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")
    monkeypatch.chdir(tmp_path / "shop")
    return tmp_path / "shop"


def test_the_parser_offers_every_format():
    from alembic_lint import cli, report

    assert cli.FORMATS == report.FORMATS


def test_statistics_count_per_rule(shop, capsys):
    assert main(["check", "--statistics"]) == 1
    assert capsys.readouterr().out == (
        "2\tAL101\tmultiple-heads\n"
        "1\tAL202\tempty-downgrade\n"
        "1\tAL301\tplaceholder-message\n"
        "Found 4 findings in 2 files (3 files checked).\n"
    )
    assert main(["check", "--statistics", "--format", "json", "--exit-zero"]) == 0
    assert [(s["code"], s["count"]) for s in json.loads(capsys.readouterr().out)] == [
        ("AL101", 2),
        ("AL202", 1),
        ("AL301", 1),
    ]
    assert main(["check", "--statistics", "-q"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "1\tAL301\tplaceholder-message"


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit"])
def test_statistics_are_refused_in_the_document_formats(shop, capsys, fmt):
    assert main(["check", "--statistics", "--format", fmt]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        f"alembic-lint: error: --statistics works with --format text or json, not {fmt}\n",
    )


def test_exit_zero_keeps_the_findings_and_the_errors(shop, capsys):
    assert main(["check", "--exit-zero"]) == 0
    out = capsys.readouterr().out
    assert [" ".join(line.split()[:2]) for line in out.splitlines()[:-1:2]] == SHOP_FINDINGS
    assert main(["check", "--exit-zero", "--start-after", "nope"]) == 2
    assert main(["check", "--exit-zero", "--select", "AL0"]) == 0


def test_quiet_prints_findings_only_and_twice_nothing(shop, capsys):
    assert main(["check", "-q"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [" ".join(line.split()[:2]) for line in lines[::2]] == SHOP_FINDINGS
    assert len(lines) == 8  # a hint under each, no summary line
    assert main(["check", "--quiet", "--select", "AL0"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["check", "-qq"]) == 1
    assert main(["check", "-q", "-q", "--format", "json"]) == 1
    assert capsys.readouterr() == ("", "")
    assert main(["check", "-qq", "--start-after", "nope"]) == 2
    assert capsys.readouterr() == (
        "",
        "alembic-lint: error: start-after: unknown revision `nope`\n",
    )
    assert main(["check", "-q", "--format", "json"]) == 1
    assert len(json.loads(capsys.readouterr().out)) == 4  # machine formats have no summary


def colour_run(cwd, *args: str, **environ: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    proc = subprocess.run(
        [sys.executable, "-m", "alembic_lint", "check", *args],
        capture_output=True,
        text=True,
        env=env | environ,
        cwd=cwd,
    )
    assert proc.returncode == 1, proc.stderr
    return proc.stdout


@pytest.mark.parametrize(
    ("args", "environ", "coloured"),
    [
        pytest.param((), {}, False, id="auto-not-a-terminal"),
        pytest.param((), {"FORCE_COLOR": "1"}, True, id="FORCE_COLOR"),
        pytest.param((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, id="NO_COLOR-wins"),
        pytest.param(("--color", "always"), {"NO_COLOR": "1"}, True, id="always"),
        pytest.param(("--color", "never"), {"FORCE_COLOR": "1"}, False, id="never"),
        pytest.param(("--color", "always", "--format", "json"), {}, False, id="json"),
        pytest.param(("--color", "always", "--format", "sarif"), {}, False, id="sarif"),
        pytest.param(("--color", "always", "--format", "junit"), {}, False, id="junit"),
        pytest.param(("--color", "always", "--format", "github"), {}, False, id="github"),
        pytest.param(("--color", "always", "--statistics"), {}, True, id="statistics"),
        pytest.param(
            ("--color", "always", "--statistics", "--format", "json"), {}, False, id="stats-json"
        ),
    ],
)
def test_colour(shop, args, environ, coloured):
    out = colour_run(shop, *args, **environ)
    assert ("\033[" in out) is coloured
    assert "AL101" in out


def test_colour_choices_are_checked(shop, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--color", "sometimes"])
    assert exc.value.code == 2
    assert "argument --color: invalid choice: 'sometimes'" in capsys.readouterr().err


@pytest.fixture
def drift_project(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(ROOT / "fixtures" / "drift" / "generic", tmp_path / "generic")
    monkeypatch.chdir(tmp_path / "generic")
    return tmp_path / "generic"


def test_drift_speaks_the_same_formats_and_flags(drift_project, capsys):
    import xml.etree.ElementTree as ET

    assert main(["drift", "--format", "sarif"]) == 1
    [result] = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert result["ruleId"] == "AL901"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "alembic/env.py", "uriBaseId": "%SRCROOT%"}
    assert main(["drift", "--format", "junit"]) == 1
    failure = ET.fromstring(capsys.readouterr().out).find("testsuite/testcase/failure")
    assert failure is not None and failure.attrib["type"] == "AL901"
    assert main(["drift", "--statistics"]) == 1
    assert capsys.readouterr().out == (
        "1\tAL901\tmodel-drift\nFound 1 finding in 1 file (2 files checked).\n"
    )
    assert main(["drift", "--exit-zero", "-q"]) == 0
    assert capsys.readouterr().out.startswith('alembic/env.py:1:1: AL901 table "users"')
    assert main(["drift", "-qq"]) == 1
    assert capsys.readouterr() == ("", "")
    assert main(["drift", "--statistics", "--format", "junit"]) == 2
    assert capsys.readouterr().err == (
        "alembic-lint: error: --statistics works with --format text or json, not junit\n"
    )


def test_fix_diff_shows_the_rename_and_writes_nothing(tmp_path, monkeypatch, capsys):
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    chain = [
        ("3f9c2a71be04", None, "v001 create users", "3f9c2a71be04_v001_create_users.py"),
        ("c07b5e92d1a6", "3f9c2a71be04", "v002 add phone", "c07b5e92d1a6_v002_add_phone.py"),
        ("8d41e6c0a9f3", "c07b5e92d1a6", "vXXX add email", "8d41e6c0a9f3_vxxx_add_email.py"),
    ]
    for rev, down, message, name in chain:
        (versions / name).write_text(revision(rev, down, message=message))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "-q"]) == 1
    assert "`alembic-lint fix` numbers it `v003`, after its parent" in capsys.readouterr().out
    assert main(["fix", "--diff"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "rename migrations/versions/8d41e6c0a9f3_vxxx_add_email.py -> "
        "migrations/versions/8d41e6c0a9f3_v003_add_email.py\n"
        "--- a/migrations/versions/8d41e6c0a9f3_vxxx_add_email.py\n"
        "+++ b/migrations/versions/8d41e6c0a9f3_v003_add_email.py\n"
    )
    assert '-"""vXXX add email\n+"""v003 add email\n' in out
    assert (versions / "8d41e6c0a9f3_vxxx_add_email.py").exists()
    assert main(["fix", "--select", "AL304"]) == 0
    assert capsys.readouterr().out == "Nothing to change.\n"
    assert main(["fix"]) == 0
    assert main(["check"]) == 0


def test_show_settings_gives_every_setting_and_the_dialect_with_its_source(
    tmp_path, monkeypatch, capsys
):
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = migrations\nsqlalchemy.url = mysql+pymysql://root@h/db\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.alembic-lint]\nmysql-version = "5.7"\nlint-downgrade = true\nignore = ["AL2"]\n'
    )
    (versions / "3f9c2a71be04_x.py").write_text(revision("3f9c2a71be04"))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--show-settings"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:5] == [
        "environment: alembic.ini",
        "settings file: pyproject.toml",
        "dialect: mysql (`sqlalchemy.url` in the alembic configuration)",
        "postgresql-version: 14",
        "mysql-version: 5.7",
    ]
    assert "lint-downgrade: true" in out
    enabled = next(line for line in out if line.startswith("rules enabled"))
    assert "AL101" in enabled and "AL201" not in enabled
    (tmp_path / "pyproject.toml").write_text('[tool.alembic-lint]\ndialect = "db2"\n')
    assert main(["check", "--show-settings"]) == 2
    assert "`dialect` must be one of" in capsys.readouterr().err


def test_show_settings_reports_an_environment_that_cannot_be_read(tmp_path, monkeypatch, capsys):
    good = tmp_path / "good"
    (good / "migrations" / "versions").mkdir(parents=True)
    (good / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "alembic.ini").write_text("[alembic]\nscript_location = gone\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--show-settings"]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("environment: good/alembic.ini\n")
    assert "broken/alembic.ini" in err and "does not exist" in err
