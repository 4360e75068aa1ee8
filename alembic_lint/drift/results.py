"""Drift results kept between runs, under a key that cannot go stale.

A result is reused only when nothing it depends on has changed: this tool's version, Python's,
Alembic's and SQLAlchemy's; the database choice (``--db``/``--url``) and ``target-metadata``;
env.py and every revision file; every project file that env.py, the models and the migrations
opened or imported during the run that produced it (recorded by the child, and hashed again on
every lookup); and the environment variables that name databases or settings (``*URL*``,
``*DATABASE*``, ``*DB*``, ``POSTGRES*``, ``PG*``, ``MYSQL*``, ``SQLALCHEMY*``, ``FLASK_*``), which
env.py commonly reads. Only complete runs are kept (clean, or AL901 findings); a failure never is.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping
from typing import Any

from alembic_lint.diagnostics import Diagnostic

_ENV_NAMES = re.compile(
    r"URL|DATABASE|(^|_)DB($|_)|^POSTGRES|^PG|^MYSQL|^MARIADB|^SQLALCHEMY|^FLASK_"
)
KEEP = 8


def digest_file(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return ""


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


def base_key(parts: Iterable[str], environ: Mapping[str, str]) -> str:
    from alembic_lint import __version__

    blob = json.dumps(
        {
            "tool": __version__,
            "python": sys.version,
            "alembic": _version("alembic"),
            "sqlalchemy": _version("SQLAlchemy"),
            "parts": list(parts),
            "environ": sorted((k, v) for k, v in environ.items() if _ENV_NAMES.search(k)),
        }
    )
    return hashlib.sha256(blob.encode()).hexdigest()


class Results:
    """One JSON file per project in the drift cache directory."""

    def __init__(self, directory: str, project_key: str) -> None:
        self.directory = directory
        self.path = os.path.join(directory, f"result-{project_key}.json")

    def load(self, base: str) -> list[Diagnostic] | None:
        try:
            with open(self.path, encoding="utf-8") as fh:
                data = json.load(fh)
            if data["base"] != base:
                return None
            for path, digest in data["files"].items():
                if digest_file(path) != digest:
                    return None
            # drift findings carry no fix: the first seven fields
            return [Diagnostic(*item[:7]) for item in data["diagnostics"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, base: str, files: Iterable[str], diagnostics: list[Diagnostic]) -> None:
        data: dict[str, Any] = {
            "base": base,
            "files": {path: digest_file(path) for path in files},
            "diagnostics": [list(d) for d in diagnostics],
        }
        try:
            os.makedirs(self.directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".result-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
            os.replace(tmp, self.path)
            self._prune()
        except OSError:  # a read-only cache must not fail the run
            pass

    def evict(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    def _prune(self) -> None:
        entries = sorted(
            (os.path.getmtime(path), path)
            for path in (os.path.join(self.directory, n) for n in os.listdir(self.directory))
            if os.path.basename(path).startswith("result-")
        )
        for _, old in entries[:-KEEP]:
            os.unlink(old)
