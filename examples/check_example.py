"""This repository's own pre-commit hook: alembic-lint, run from the checkout, must find exactly
the defects planted in ``examples/shop`` (README's first command shows them), nothing more.

The example is broken on purpose, so the hook cannot simply lint it and pass; it asserts the
findings instead. It needs only ``python3``: the static check imports neither alembic nor
SQLAlchemy, so the checkout's ``alembic_lint`` runs without installing anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = [
    ("AL101", "alembic/versions/4b4255a742b1_create_orders_table.py"),
    ("AL202", "alembic/versions/4b4255a742b1_create_orders_table.py"),
    ("AL301", "alembic/versions/4b4255a742b1_create_orders_table.py"),
    ("AL101", "alembic/versions/7b530901dae9_add_email_to_users.py"),
]


def main() -> int:
    done = subprocess.run(
        # whether the example is committed yet (AL501) is not what it demonstrates
        [sys.executable, "-m", "alembic_lint", "check", "--format=json", "--ignore=AL501"],
        cwd=os.path.join(HERE, "shop"),
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (os.path.dirname(HERE), os.environ.get("PYTHONPATH")) if p
            ),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        found = sorted((d["code"], d["path"]) for d in json.loads(done.stdout))
    except ValueError:
        found = []
    if done.returncode != 1 or found != sorted(EXPECTED):
        print(f"examples/shop: expected exit 1 with {sorted(EXPECTED)}", file=sys.stderr)
        print(f"got exit {done.returncode}: {done.stdout}{done.stderr}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
