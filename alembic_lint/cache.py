"""A per-project cache of parse results, kept in the user's cache directory, never in the project.

Parsing is almost all of a check's time, and a pre-commit run sees the same files again and
again. An entry is reused only while the file's size, mtime and inode are unchanged.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from collections.abc import Mapping

from alembic_lint import __version__
from alembic_lint.script import ParseResult

StatKey = tuple[int, int, int]


def default_dir(environ: Mapping[str, str]) -> str:
    """``$ALEMBIC_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/alembic-lint``, else ``~/.cache/alembic-lint``."""
    explicit = environ.get("ALEMBIC_LINT_CACHE_DIR")
    if explicit:
        return explicit
    xdg = environ.get("XDG_CACHE_HOME")
    return os.path.join(xdg or os.path.join(os.path.expanduser("~"), ".cache"), "alembic-lint")


def stat_key(path: str) -> StatKey | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class ParseCache:
    """Loaded once, consulted per file, written back atomically only when something changed."""

    def __init__(self, directory: str | os.PathLike[str], *, scope: str) -> None:
        key = f"{__version__}\0{sys.version}\0{scope}".encode()
        self.directory = os.fspath(directory)
        self.file = os.path.join(
            self.directory, f"check-{zlib.crc32(key):08x}{zlib.adler32(key):08x}.pickle"
        )
        self.entries: dict[str, tuple[StatKey, ParseResult]] = {}
        self.dirty = False
        try:
            with open(self.file, "rb") as fh:
                loaded = pickle.load(fh)
            if isinstance(loaded, dict):
                self.entries = loaded
        except Exception:  # a missing, truncated or foreign cache is just a cold start
            self.entries = {}

    def get(self, path: str, key: StatKey | None) -> ParseResult | None:
        found = self.entries.get(path)
        if found is None or key is None or found[0] != key:
            return None
        return found[1]

    def put(self, path: str, key: StatKey | None, result: ParseResult) -> None:
        if key is not None:
            self.entries[path] = (key, result)
            self.dirty = True

    def prune(self, keep: set[str]) -> None:
        for path in set(self.entries) - keep:
            del self.entries[path]
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        import tempfile  # imports shutil and random: only pay for it when writing

        try:
            os.makedirs(self.directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".check-")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(self.entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:  # a read-only home must not fail the lint
            pass
