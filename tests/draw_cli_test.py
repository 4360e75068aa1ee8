"""``alembic-lint graph`` end to end: discovery, settings and lint as ``check``, then a drawing."""

from __future__ import annotations

import importlib.util
import os
import re

import pytest

from alembic_lint.cli import main
from tests.drawing import ROOT, SAMPLE_IDS, Picture, generated_sources, sample_sources, write
from tests.monorepo_test import monorepo


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(sample_sources(), tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_mermaid_on_stdout_by_default(project, capsys):
    assert main(["graph"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("flowchart BT\n") and err == ""
    assert f'["{SAMPLE_IDS[13]} (head)<br/>vXXX<br/>AL101 AL301"]' in out
    assert f"… 8 revisions …<br/>{SAMPLE_IDS[1]} … {SAMPLE_IDS[8]}" in out


@pytest.mark.parametrize(
    ("fmt", "start"), [("dot", "digraph revisions {\n"), ("html", "<!DOCTYPE html>\n")]
)
def test_output_goes_to_a_file_when_asked(project, capsys, fmt, start):
    assert main(["graph", "--format", fmt, "-o", "out/../graph.out"]) == 2
    assert "cannot write out/../graph.out: No such file or directory" in capsys.readouterr().err
    assert main(["graph", "--format", fmt, "-o", "graph.out"]) == 0
    assert capsys.readouterr() == ("", "")
    text = (project / "graph.out").read_text(encoding="utf-8")
    assert text.startswith(start)
    assert "AL101 AL301" in text
    assert os.stat(project / "graph.out").st_mode & 0o777 == 0o644
    assert [p.name for p in project.iterdir() if p.name.startswith(".alembic-lint-")] == []


def test_settings_and_fold_are_honoured(project, capsys):
    (project / "lint.toml").write_text('ignore = ["AL301"]\n')
    assert main(["graph", "--settings", "lint.toml", "--fold", "0"]) == 0
    out = capsys.readouterr().out
    assert f'["{SAMPLE_IDS[13]} (head)<br/>vXXX<br/>AL101"]' in out
    assert "revisions …" not in out
    assert len(re.findall(r"^  r0_\d+\[", out, re.M)) == 15


@pytest.mark.parametrize("value", ["-1", "x", "1.5"])
def test_a_bad_fold_is_a_usage_error(project, capsys, value):
    with pytest.raises(SystemExit) as exited:
        main(["graph", "--fold", value])
    assert exited.value.code == 2
    assert "argument --fold: expected a whole number" in capsys.readouterr().err


def test_a_history_too_big_for_github_is_drawn_with_a_warning(tmp_path, monkeypatch, capsys):
    write(generated_sources(1000), tmp_path)
    # without the unsafe-operation rules: a revision with a finding is never folded, and the
    # generated history builds indexes without CONCURRENTLY on most revisions
    (tmp_path / "pyproject.toml").write_text('[tool.alembic-lint]\nignore = ["AL4"]\n')
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "--fold", "0"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("flowchart BT\n")
    assert re.fullmatch(
        r"alembic-lint: warning: GitHub may not render this Mermaid text \([\d,]+ characters, "
        r"over Mermaid's 50,000; 1,0\d\d edges, over Mermaid's 500\); use a smaller --fold or "
        r"--format html\n",
        err,
    )
    assert main(["graph"]) == 0
    assert capsys.readouterr().err == ""


def test_each_environment_is_drawn_with_its_own_settings(tmp_path, monkeypatch, capsys):
    root = monorepo(tmp_path / "repo", with_git=False)
    monkeypatch.chdir(root)
    assert main(["graph"]) == 0
    out = capsys.readouterr().out
    titles = re.findall(r'^  subgraph s\d+\["([^"]*)"\]$', out, re.M)
    assert titles == [
        "backend/alembic.ini",
        "svc/pyproject.toml",
        "tenants/alembic.ini [core]",
        "tenants/alembic.ini [tenant]",
        "web/migrations/alembic.ini",
    ]
    backend = out.split('subgraph s1["')[0]
    assert "<br/>vXXX<br/>AL202" in backend  # backend's own settings ignore AL301
    tenant = out.split('subgraph s3["')[1].split('subgraph s4["')[0]
    assert "<br/>wip<br/>AL301" in tenant

    (root / "svc" / "pyproject.toml").write_text(
        (root / "svc" / "pyproject.toml").read_text() + "bogus = 1\n"
    )
    assert main(["graph", "--format", "html", "-o", "graph.html"]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r"alembic-lint: error: svc/pyproject.toml: .*bogus.*\n", err)
    page = (root / "graph.html").read_text()
    assert page.count("<section>") == 4
    assert "<title>Revision history of repo</title>" in page


def test_one_environment_that_cannot_be_read_is_an_error(project, capsys):
    (project / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/nowhere\n")
    assert main(["graph"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("alembic-lint: error: ") and err.count("\n") == 1


def test_a_crashing_rule_is_reported_after_the_drawing(project, monkeypatch, capsys):
    from alembic_lint import rules

    def crash(script, ctx):
        raise KeyError("boom")
        yield  # pragma: no cover - a generator, as every check is

    broken = tuple(
        rule._replace(check=crash) if rule.code == "AL301" else rule for rule in rules.ALL_RULES
    )
    monkeypatch.setattr(rules, "ALL_RULES", broken)
    assert main(["graph"]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("flowchart BT\n")
    assert "AL301" not in out
    assert err.count("alembic-lint: internal error: rule AL301 (placeholder-message) failed") == 15


def test_the_readme_shows_what_graph_draws_for_the_docs_example(tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location(
        "_graph_example", ROOT / "docs" / "graph_example.py"
    )
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    example.build(tmp_path / "shop")
    monkeypatch.chdir(tmp_path / "shop")
    assert main(["graph"]) == 0
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"^```mermaid\n(.*?)^```$", readme, re.S | re.M)
    assert block is not None
    assert block.group(1) == capsys.readouterr().out
    assert "AL101 AL301" in block.group(1) and "depends on" in block.group(1)
    picture = Picture(ROOT / "docs" / "graph.png")
    assert (picture.width, picture.height) == (820, 1240)
    assert (ROOT / "docs" / "graph.png").stat().st_size < 200_000
    assert "](docs/graph.png)" in readme
