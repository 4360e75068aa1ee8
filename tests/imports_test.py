from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.gitutil import ENV, new_project

PROBE = textwrap.dedent(
    """
    import sys
    from alembic_lint.cli import main
    main(["check", "--format", "json", "--base", "main"])
    main(["rules"])
    for fmt in ("mermaid", "dot", "html"):
        main(["graph", "--format", fmt, "-o", "graph." + fmt])
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("alembic", "sqlalchemy", "git"))
    print("HEAVY", heavy)
    """
)


def test_static_path_imports_neither_sqlalchemy_alembic_nor_gitpython(tmp_path):
    """The check, git checks included, and the graph run without alembic's runtime, SQLAlchemy
    or GitPython."""
    repo = new_project(tmp_path / "repo")
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=repo, env=ENV, capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr
    assert '"code"' not in proc.stdout  # the history is clean, so the probe saw the git checks pass
    assert (repo / "graph.html").read_text().startswith("<!DOCTYPE html>")


WARM = textwrap.dedent(
    """
    import sys
    from alembic_lint.cli import main
    code = main(["check"])
    parser = sorted(m for m in sys.modules if m in ("ast", "alembic_lint.astread"))
    print("EXIT", code, "PARSER", parser)
    """
)


def test_a_run_served_from_the_cache_never_imports_the_parser(tmp_path):
    """Importing ``ast`` costs milliseconds that a warm pre-commit run does not have to pay."""
    repo = new_project(tmp_path / "repo")
    # (without coverage's subprocess hook, which imports ast itself)
    env = {k: v for k, v in ENV.items() if not k.startswith(("COVERAGE_", "COV_CORE_"))}
    env["ALEMBIC_LINT_CACHE_DIR"] = str(tmp_path / "cache")

    def probe() -> str:
        return subprocess.run(
            [sys.executable, "-c", WARM], cwd=repo, env=env, capture_output=True, text=True
        ).stdout.splitlines()[-1]

    assert probe() == "EXIT 0 PARSER ['alembic_lint.astread', 'ast']"  # cold: parsed
    assert probe() == "EXIT 0 PARSER []"
