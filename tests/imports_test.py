from __future__ import annotations

import subprocess
import sys
import textwrap


def test_static_path_imports_neither_sqlalchemy_nor_alembic(tmp_path):
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = m\n")
    (tmp_path / "m" / "versions").mkdir(parents=True)
    (tmp_path / "m" / "versions" / "aaa111_x.py").write_text(
        "revision = 'aaa111'\ndown_revision = None\n"
    )
    code = textwrap.dedent(
        """
        import sys
        from alembic_lint.cli import main
        main(["check", "--format", "json"])
        main(["rules"])
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("alembic", "sqlalchemy", "git"))
        print("HEAVY", heavy)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in proc.stdout, proc.stdout
