"""A per-project cache of parse results, kept in the user's cache directory, never in the project.

Parsing is almost all of a check's time, and a pre-commit run sees the same files again and
again. Decisions, each against a way a cache goes wrong:

- **It cannot lie.** An entry is reused only while the file's mtime, ctime, size, inode and
  device are unchanged: ``cp -p``, ``touch -d`` or ``rsync --inplace`` can restore the mtime of
  a same-size edit, but the kernel sets ctime on every change and nothing can set it back. The
  cache file is keyed on a digest of the parser's own source (``script.py``, ``astread.py``,
  ``history.py``, whose reading of a file decides AL005, and this module), not only the version,
  so a changed parser never serves old answers.
- **It cannot run code.** The format is JSON, never pickle: CI caches restored from another
  branch and shared cache directories are files anyone may have written. Every entry is
  validated on load; one that does not have the expected shape is ignored (parsed again),
  never an error.
- **It is found safely.** ``$ALEMBIC_LINT_CACHE_DIR`` and ``$XDG_CACHE_HOME`` are used only when
  absolute (the XDG spec says to ignore relative ones, which would put the cache inside the
  project). The cache file is opened non-blocking and without following a symlink, and read only
  when it is a regular file of sane size: a FIFO or device there is a cold start, not a hang.
- **It stays small.** At most ``MAX_FILES`` project caches are kept per directory; saving one
  deletes the oldest beyond that, and the pickles of older versions.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from alembic_lint import __version__
from alembic_lint.modelcodec import Deferred, encode_operations
from alembic_lint.script import (
    Function,
    NonLiteral,
    Noqa,
    ParseResult,
    RevisionScript,
    ScriptError,
)

StatKey = tuple[int, int, int, int, int]
"""mtime_ns, ctime_ns, size, inode, device."""

FORMAT = 2
MAX_FILES = 32
MAX_BYTES = 256 << 20
_PREFIX = "check-"


def default_dir(environ: Mapping[str, str]) -> str:
    """``$ALEMBIC_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/alembic-lint``, else
    ``~/.cache/alembic-lint``; relative values of the variables are ignored."""
    explicit = environ.get("ALEMBIC_LINT_CACHE_DIR")
    if explicit and os.path.isabs(explicit):
        return explicit
    xdg = environ.get("XDG_CACHE_HOME")
    if not (xdg and os.path.isabs(xdg)):
        xdg = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "alembic-lint")


def stat_key(path: str) -> StatKey | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev)


def parser_digest() -> str:
    """What the cached data depends on: the parser's source, the version and the interpreter."""
    here = os.path.dirname(os.path.abspath(__file__))
    crc = adler = 1
    for name in (
        "script.py",
        "astread.py",
        "history.py",
        "cache.py",
        "operations.py",
        "opread.py",
        "modelcodec.py",
        "sql.py",
    ):
        try:
            with open(os.path.join(here, name), "rb") as fh:
                data = fh.read()
        except OSError:  # pragma: no cover - a zip import: the version has to do
            data = name.encode()
        crc = zlib.crc32(data, crc)
        adler = zlib.adler32(data, adler)
    return f"{crc:08x}{adler:08x}"


# -- decoding, with validation ------------------------------------------------------------------


class _Bad(Exception):
    pass


Decoder = Callable[[Any], Any]


def _str(value: Any) -> str:
    if type(value) is not str:
        raise _Bad
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise _Bad
    return value


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise _Bad
    return value


def _list(value: Any, length: int | None = None) -> list[Any]:
    if type(value) is not list or (length is not None and len(value) != length):
        raise _Bad
    return value


def _optional(decode: Decoder) -> Decoder:
    return lambda value: None if value is None else decode(value)


def _tuple_of(decode: Decoder) -> Decoder:
    def decode_all(value: Any) -> tuple[Any, ...]:
        if value == []:  # the common case: no effects, no noqa comments
            return ()
        return tuple([decode(item) for item in _list(value)])

    return decode_all


def _strs(value: Any) -> tuple[str, ...]:
    if type(value) is not list or not all(type(item) is str for item in value):
        raise _Bad
    return tuple(value)


def _record(cls: Callable[..., Any], *fields: Decoder) -> Decoder:
    size = len(fields)

    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != size:
            raise _Bad
        return cls(*[field(item) for field, item in zip(fields, value)])  # noqa: B905

    return decode


def _pairs(*items: Any) -> tuple[Any, ...]:
    return items


_BODY_KINDS = frozenset({"empty", "raises", "ops"})


def _function(value: Any) -> Function | None:
    if value is None:
        return None
    if type(value) is not list or len(value) != 4:
        raise _Bad
    line, col, kind, operations = value
    if type(line) is not int or type(col) is not int or kind not in _BODY_KINDS:
        raise _Bad
    if type(operations) is not str:
        raise _Bad
    return Function(line, col, kind, Deferred(operations) if operations else ())


def _doc_line(value: Any) -> tuple[str, int] | None:
    if value is None:
        return None
    if type(value) is not list or len(value) != 2:
        raise _Bad
    text, line = value
    if type(text) is not str or type(line) is not int:
        raise _Bad
    return (text, line)


_noqa = _record(Noqa, _int, _int, _optional(lambda v: frozenset(_strs(v))), _bool)
_optional_strs = _optional(_strs)
_non_literals = _tuple_of(_record(NonLiteral, _str, _int, _int, _str))
_noqas = _tuple_of(_noqa)
_bad_noqas = _tuple_of(_record(_pairs, _int, _int, _str))


def _script(value: Any) -> RevisionScript:
    """Written out field by field: a warm run decodes one of these per revision file."""
    if type(value) is not list or len(value) != len(RevisionScript._fields):
        raise _Bad
    (path, rev, rev_line, down, down_line, depends, depends_line, labels, message, doc_line,
     doc_id, doc_revises, upgrade, downgrade, marker, non_literals, noqa, bad_noqa,
     hints) = value  # fmt: skip
    if not (
        type(path) is str
        and (rev is None or type(rev) is str)
        and type(rev_line) is int
        and type(down_line) is int
        and type(depends_line) is int
        and type(message) is str
        and type(doc_line) is int
        and (marker is None or type(marker) is int)
    ):
        raise _Bad
    return RevisionScript(
        path,
        rev,
        rev_line,
        _optional_strs(down),
        down_line,
        _optional_strs(depends),
        depends_line,
        _strs(labels),
        message,
        doc_line,
        _doc_line(doc_id),
        _doc_line(doc_revises),
        _function(upgrade),
        _function(downgrade),
        marker,
        _non_literals(non_literals),
        _noqas(noqa),
        _bad_noqas(bad_noqa),
        _strs(hints),
    )


_error = _record(ScriptError, _str, _str, _int, _int, _str, _optional(_script))


def decode_result(value: Any) -> ParseResult:
    """A JSON value written by ``encode_result`` -> the result; ValueError for anything else."""
    try:
        kind, body = _list(value, 2)
        if kind == "script":
            result: ParseResult = _script(body)
        elif kind == "error":
            result = _error(body)
        else:
            raise _Bad
    except (_Bad, TypeError):
        raise ValueError("not a cached parse result") from None
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    raise TypeError(type(value).__name__)  # pragma: no cover - every field type is listed


def _encode_function(function: Function | None) -> list[Any] | None:
    if function is None:
        return None
    ops = function.operations
    return [function.line, function.col, function.kind, encode_operations(ops) if ops else ""]


def encode_result(result: ParseResult) -> list[Any]:
    if isinstance(result, ScriptError):
        return ["error", result]
    encoded = result._replace(
        upgrade=_encode_function(result.upgrade),  # type: ignore[arg-type]
        downgrade=_encode_function(result.downgrade),  # type: ignore[arg-type]
    )
    return ["script", encoded]


def _stat_key(value: Any) -> StatKey:
    items = _list(value, 5)
    return (_int(items[0]), _int(items[1]), _int(items[2]), _int(items[3]), _int(items[4]))


# -- the cache file -------------------------------------------------------------------------------


def _read_regular(path: str) -> bytes | None:
    """The file's bytes if it is a regular file of sane size; never blocks on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:  # pragma: no cover - an I/O error on a regular file that just opened
        return None
    finally:
        os.close(fd)


class ParseCache:
    """Loaded once, consulted per file, written back atomically only when something changed."""

    def __init__(self, directory: str | os.PathLike[str], *, scope: str) -> None:
        key = f"{__version__}\0{sys.version}\0{parser_digest()}\0{scope}".encode()
        self.directory = os.fspath(directory)
        self.enabled = os.path.isabs(self.directory)
        self.file = os.path.join(
            self.directory, f"{_PREFIX}{zlib.crc32(key):08x}{zlib.adler32(key):08x}.json"
        )
        self.raw: dict[str, Any] = {}
        self.entries: dict[str, tuple[StatKey, ParseResult]] = {}
        self.dirty = False
        data = _read_regular(self.file) if self.enabled else None
        if data is not None:
            import json

            try:
                loaded = json.loads(data)
            except (ValueError, RecursionError):  # truncated or foreign: a cold start
                loaded = None
            if (
                isinstance(loaded, dict)
                and loaded.get("format") == FORMAT
                and isinstance(loaded.get("entries"), dict)
            ):
                self.raw = loaded["entries"]

    def get(self, path: str, key: StatKey | None) -> ParseResult | None:
        if key is None:
            return None
        found = self.entries.get(path)
        if found is None:
            raw = self.raw.get(path)
            if raw is None:
                return None
            try:
                stored, encoded = _list(raw, 2)
                found = (_stat_key(stored), decode_result(encoded))
            except (_Bad, ValueError):
                del self.raw[path]
                self.dirty = True
                return None
            self.entries[path] = found
        return found[1] if found[0] == key else None

    def put(self, path: str, key: StatKey | None, result: ParseResult) -> None:
        if key is not None:
            self.entries[path] = (key, result)
            self.raw.pop(path, None)
            self.dirty = True

    def prune(self, keep: set[str]) -> None:
        for path in (set(self.entries) | set(self.raw)) - keep:
            self.entries.pop(path, None)
            self.raw.pop(path, None)
            self.dirty = True

    def save(self) -> None:
        if not self.dirty or not self.enabled:
            return
        import json
        import tempfile  # imports shutil and random: only pay for it when writing

        entries = dict(self.raw)
        for path, (key, result) in self.entries.items():
            if path not in entries:  # decoded entries keep their stored form: only new ones encode
                entries[path] = [list(key), encode_result(result)]
        payload = json.dumps(
            {"format": FORMAT, "entries": entries}, default=_plain, separators=(",", ":")
        ).encode()
        try:
            os.makedirs(self.directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".check-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, self.file)
        except OSError:  # a read-only home or a file where the directory should be
            return
        prune_directory(self.directory, keep=self.file, limit=MAX_FILES)


def prune_directory(directory: str, *, keep: str, limit: int = MAX_FILES) -> None:
    """Delete this module's cache files beyond the ``limit`` newest, and older formats'."""
    try:
        names = os.listdir(directory)
    except OSError:  # pragma: no cover - the directory was just written to
        return
    dated: list[tuple[int, str]] = []
    for name in names:
        if not name.startswith(_PREFIX):
            continue
        path = os.path.join(directory, name)
        try:
            st = os.lstat(path)
        except OSError:  # pragma: no cover - removed meanwhile
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if name.endswith(".pickle"):  # an older version's format, never read any more
            dated.append((-1, path))
        elif name.endswith(".json"):
            dated.append((st.st_mtime_ns, path))
    dated.sort(reverse=True)
    fresh = [d for d in dated if d[0] >= 0]
    for _, path in fresh[limit:] + [d for d in dated if d[0] < 0]:
        if path != keep:
            with contextlib.suppress(OSError):
                os.unlink(path)
