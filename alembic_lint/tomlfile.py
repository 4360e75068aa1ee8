"""Reading pyproject.toml once per run, on every supported Python."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic_lint.diagnostics import UsageError


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; a syntax error is a UsageError naming the file. Callers must not mutate it."""
    try:
        st = path.stat()
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}") from None
    return _load(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    return data
