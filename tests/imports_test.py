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
