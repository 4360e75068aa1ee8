"""Make the README's `alembic-lint graph` picture: docs/graph.png and the Mermaid block.

A real-looking history: benchmarks/generate.py's numbered main line with a hotfix branch and its
merge, then expand/contract branches (labelled, the contract side depending on the expand side),
and two mistakes: a second ``expand`` head called ``vXXX`` (AL101, AL301) and a revision with an
empty downgrade (AL202). Needs Chromium (Debian: ``apt-get install chromium``). Usage::

    python docs/graph_example.py            # writes docs/graph.png, prints the Mermaid text
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402

TEMPLATE = '''"""{message}

Revision ID: {rev}
Revises: {down}
Create Date: 2024-03-0{day} 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = {rev!r}
down_revision = {down!r}
branch_labels = {labels}
depends_on = {depends}


def upgrade() -> None:
    {upgrade}


def downgrade() -> None:
    {downgrade}
'''


def extra(rev: str, down: str, message: str, column: str, **kw: object) -> tuple[str, str]:
    text = TEMPLATE.format(
        rev=rev,
        down=down,
        message=message,
        day=len(message) % 9 + 1,
        labels=kw.get("labels"),
        depends=kw.get("depends"),
        upgrade=f"op.add_column('users', sa.Column({column!r}, sa.String(length=255)))",
        downgrade=kw.get("downgrade", f"op.drop_column('users', {column!r})"),
    )
    return f"{rev}_{message.split(':')[-1].strip().replace(' ', '_').replace('.', '_')}.py", text


def build(root: Path) -> None:
    history = generate.build_history(40, seed=7)
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(generate.ALEMBIC_INI)
    # the picture is about the history's shape and its mistakes: the generated bodies build
    # indexes without CONCURRENTLY, which the unsafe-operation rules would mark everywhere
    (root / "pyproject.toml").write_text('[tool.alembic-lint]\nignore = ["AL4"]\n')
    for i, revision in enumerate(history):
        text = generate.render(revision)
        if i == 30:  # a downgrade that forgets its work
            text = text.split("def downgrade() -> None:")[0] + (
                'def downgrade() -> None:\n    """Downgrade schema."""\n    pass\n'
            )
        (versions / revision.filename).write_text(text)
    head = history[-1].rev
    files = [
        extra(
            "b7e4c1d9a2f3",
            head,
            "expand: add users.email_normalized",
            "email_normalized",
            labels="('expand',)",
        ),
        extra(
            "4d2a9e7b1c08",
            "b7e4c1d9a2f3",
            "expand: add users.email_verified_at",
            "email_verified_at",
        ),
        extra("e91f3a6c5d27", "4d2a9e7b1c08", "expand: add users.login_count", "login_count"),
        extra("5c8b2f0e9a14", "4d2a9e7b1c08", "vXXX", "nickname"),
        extra(
            "a3f6d8e2b590",
            head,
            "contract: drop users.email_legacy",
            "email_legacy_tmp",
            labels="('contract',)",
            depends="'b7e4c1d9a2f3'",
        ),
        extra(
            "0f9c7b3e6d41", "a3f6d8e2b590", "contract: drop users.name_legacy", "name_legacy_tmp"
        ),
    ]
    for name, text in files:
        (versions / name).write_text(text)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "shop"
        build(root)
        exe = Path(sys.executable).with_name("alembic-lint")
        subprocess.run([exe, "graph", "--format", "html", "-o", "graph.html"], cwd=root, check=True)
        shot = ROOT / "docs" / "graph.png"
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp}/profile",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--screenshot={shot}",
                "--window-size=820,1240",
                (root / "graph.html").as_uri(),
            ],
            check=True,
            capture_output=True,
        )
        done = subprocess.run([exe, "graph"], cwd=root, check=True, capture_output=True, text=True)
        sys.stdout.write(done.stdout)
        check = subprocess.run([exe, "check"], cwd=root, capture_output=True, text=True)
        sys.stderr.write(check.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
