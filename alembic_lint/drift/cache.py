"""Migrated SQLite databases kept between drift runs, keyed by the content of the revision chain.

A database migrated to a set of revisions stays valid while those files and env.py are unchanged,
whatever the models say. A rerun with no new revision reuses it whole and skips the upgrade; one
with new revisions on top copies it and applies only those (Alembic's version table says where it
stands). The cache lives in the user's cache directory, never in the project.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from typing import NamedTuple

KEEP = 3


class Chain(NamedTuple):
    """What a migrated database depends on: env.py and each revision's file content."""

    env: str
    revisions: Mapping[str, str]

    @property
    def digest(self) -> str:
        blob = json.dumps({"env": self.env, "revisions": dict(sorted(self.revisions.items()))})
        return hashlib.sha256(blob.encode()).hexdigest()[:24]


def chain(env_file: str, revision_files: Mapping[str, str], *, extra: str = "") -> Chain:
    """The chain of a history: ``revision_files`` maps a revision id to its file."""

    def digest(path: str) -> str:
        try:
            with open(path, "rb") as fh:
                return hashlib.sha256(fh.read()).hexdigest()
        except OSError:
            return ""

    return Chain(
        digest(env_file) + extra, {rev: digest(path) for rev, path in revision_files.items()}
    )


def _digest(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return ""


class SqliteCache:
    """A directory of ``<digest>.sqlite`` files, each with a ``<digest>.json`` manifest."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.restored: str | None = None
        """The entry (its ``.sqlite`` file) that ``restore`` last copied."""

    def _entries(self) -> list[tuple[Chain, str]]:
        """Usable entries; one whose database no longer has the content it was saved with (a
        damaged or hand-edited copy) is evicted, never used."""
        found = []
        try:
            names = os.listdir(self.directory)
        except OSError:
            return []
        for name in names:
            if not name.endswith(".json"):
                continue
            path = os.path.join(self.directory, name)
            try:
                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
                stored = Chain(
                    str(data["env"]), {str(k): str(v) for k, v in data["revisions"].items()}
                )
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue
            database = path[: -len(".json")] + ".sqlite"
            if not os.path.isfile(database):
                continue
            if data.get("sha256") != _digest(database):
                for stale in (path, database):
                    with contextlib.suppress(OSError):
                        os.unlink(stale)
                continue
            found.append((stored, database))
        return found

    def restore(self, wanted: Chain, target: str) -> frozenset[str]:
        """Copy the best cached database for ``wanted`` to ``target``; the revisions it holds.

        The best is the one with the most revisions, all of them unchanged in ``wanted``.
        """
        best: tuple[Chain, str] | None = None
        for stored, database in self._entries():
            usable = stored.env == wanted.env and all(
                wanted.revisions.get(rev) == digest for rev, digest in stored.revisions.items()
            )
            if usable and (best is None or len(stored.revisions) > len(best[0].revisions)):
                best = (stored, database)
        if best is None:
            return frozenset()
        shutil.copyfile(best[1], target)
        self.restored = best[1]
        return frozenset(best[0].revisions)

    def evict(self) -> None:
        """Delete the entry ``restore`` copied: it turned out damaged."""
        if self.restored is not None:
            for path in (self.restored, self.restored[: -len(".sqlite")] + ".json"):
                with contextlib.suppress(OSError):
                    os.unlink(path)
            self.restored = None

    def save(self, stored: Chain, database: str) -> None:
        """Keep a copy of ``database`` for ``stored``, and only the newest few entries."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            base = os.path.join(self.directory, stored.digest)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".drift-")
            os.close(fd)
            shutil.copyfile(database, tmp)
            os.replace(tmp, base + ".sqlite")
            with open(base + ".json", "w", encoding="utf-8") as fh:
                json.dump(
                    {
                        "env": stored.env,
                        "revisions": dict(stored.revisions),
                        "sha256": _digest(base + ".sqlite"),
                    },
                    fh,
                )
            entries = sorted(
                (os.path.getmtime(path), path)
                for path in (os.path.join(self.directory, n) for n in os.listdir(self.directory))
                if path.endswith(".json")
            )
            for _, old in entries[:-KEEP]:
                os.unlink(old)
                os.unlink(old[: -len(".json")] + ".sqlite")
        except OSError:  # a read-only cache directory must not fail the run
            pass
