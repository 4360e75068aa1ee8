from __future__ import annotations

from alembic_lint.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
