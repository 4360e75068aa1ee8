"""Reading pyproject.toml once per run, on every supported Python."""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Any

from alembic_lint.diagnostics import UsageError


def read_toml(path: str, *, always: bool = False) -> dict[str, Any]:
    """The parsed file; a syntax error is a UsageError naming the file. Callers must not mutate it.

    Only the ``tool.alembic`` and ``tool.alembic-lint`` tables are ever read, so a file that never
    says "alembic" is not parsed at all: importing tomllib is a sizeable share of a warm run.
    ``always`` parses it anyway (a settings file named with ``--settings`` is all settings).
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}") from None
    return _load(path, st.st_mtime_ns, st.st_size, always)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int, always: bool) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        # UTF-16 or UTF-32: "alembic" would not be found below, and the file silently ignored.
        raise UsageError(f"{path}: not UTF-8 (it looks like UTF-16); TOML files must be UTF-8")
    if b"alembic" not in raw and not always:
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    return data
