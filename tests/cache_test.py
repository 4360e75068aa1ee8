from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from alembic_lint import astread
from alembic_lint import cache as cache_module
from alembic_lint.cache import (
    ParseCache,
    decode_result,
    default_dir,
    encode_result,
    parser_digest,
    prune_directory,
    stat_key,
)
from alembic_lint.script import ScriptError
from tests.builders import revision

KEY = (1, 2, 3, 4, 5)


def test_default_dir_order():
    assert default_dir({"ALEMBIC_LINT_CACHE_DIR": "/x", "XDG_CACHE_HOME": "/y"}) == "/x"
    assert default_dir({"XDG_CACHE_HOME": "/y"}) == os.path.join("/y", "alembic-lint")
    home = os.path.expanduser("~")
    assert default_dir({}) == os.path.join(home, ".cache", "alembic-lint")


def test_relative_variables_are_ignored_as_the_xdg_spec_says():
    home = os.path.join(os.path.expanduser("~"), ".cache", "alembic-lint")
    assert default_dir({"ALEMBIC_LINT_CACHE_DIR": "rel", "XDG_CACHE_HOME": "/y"}) == os.path.join(
        "/y", "alembic-lint"
    )
    assert default_dir({"XDG_CACHE_HOME": ".cache"}) == home
    assert default_dir({"ALEMBIC_LINT_CACHE_DIR": "", "XDG_CACHE_HOME": ""}) == home


def test_a_relative_directory_is_never_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache = ParseCache("relative", scope="s")
    cache.put("a.py", KEY, ScriptError("a.py", "AL001", 1, 1, "boom"))
    cache.save()
    assert list(tmp_path.iterdir()) == []


def test_stat_key_of_a_missing_file_is_none(tmp_path):
    assert stat_key(str(tmp_path / "gone.py")) is None
    (tmp_path / "f.py").write_text("x")
    assert stat_key(str(tmp_path / "f.py")) is not None


def test_same_size_edit_with_the_mtime_restored_is_seen(tmp_path):
    """`cp -p`, `touch -d` and `rsync --inplace` restore the mtime; ctime cannot be restored."""
    path = tmp_path / "f.py"
    path.write_text("revision = 'aaaaaaaaaaaa'\n")
    before = os.stat(path)
    key = stat_key(str(path))
    path.write_text("revision = 'bbbbbbbbbbbb'\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_mtime_ns, after.st_size, after.st_ino) == (
        before.st_mtime_ns,
        before.st_size,
        before.st_ino,
    )
    assert stat_key(str(path)) != key


def test_entries_round_trip_and_need_a_key(tmp_path):
    result = ScriptError("a.py", "AL001", 1, 1, "boom")
    cache = ParseCache(tmp_path, scope="s")
    cache.put("a.py", None, result)
    assert not cache.dirty
    cache.put("a.py", KEY, result)
    cache.save()
    assert cache.file.endswith(".json")
    again = ParseCache(tmp_path, scope="s")
    assert again.get("a.py", KEY) == result
    assert again.get("a.py", (1, 2, 3, 4, 6)) is None
    assert again.get("a.py", None) is None
    assert again.get("b.py", KEY) is None
    assert ParseCache(tmp_path, scope="other").get("a.py", KEY) is None


SOURCES = [
    revision("7c1e9d0b4a52", None),
    revision("7c1e9d0b4a52", ("aaa", "bbb"), labels="('x',)")
    + "x = 1  # alembic-lint: noqa: AL107, AL305\n# alembic-lint: noqa\n# alembic-lint: bad\n",
    "revision = compute()\ndown_revision = f()\n",
    "revision = 'abc'\ndef upgrade(:\n",
    "def upgrade():\n    op.create_table('t')\n    op.drop_column('t', 'c')\n",
]


@pytest.mark.parametrize("source", SOURCES)
def test_every_kind_of_result_survives_json(source):
    result = astread.read(source.encode(), "versions/x.py")
    encoded = json.loads(json.dumps(encode_result(result), default=cache_module._plain))
    assert decode_result(encoded) == result


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        ["script"],
        ["pickle", []],
        ["error", ["a.py", "AL001", "1", 1, "m", None]],
        ["error", [1, "AL001", 1, 1, "m", None]],
        ["error", ["a.py", "AL001", True, 1, "m", None]],
        ["error", ["a.py", "AL001", 1, 1, "m"]],
        ["error", {"path": "a.py"}],
        ["error", ["a.py", "AL001", 1, 1, "m", ["not", "a", "script"]]],
    ],
)
def test_wrong_shapes_are_rejected(value):
    with pytest.raises(ValueError, match="not a cached parse result"):
        decode_result(value)


def test_wrong_leaf_types_are_rejected():
    source = revision("7c1e9d0b4a52", None) + "x = 1  # alembic-lint: noqa: AL107\n"
    result = encode_result(astread.read(source.encode(), "x.py"))
    good = json.loads(json.dumps(result, default=cache_module._plain))
    assert decode_result(good)
    copies = [json.loads(json.dumps(good)) for _ in range(9)]
    bad_path, bad_flag, bad_kind, bad_labels, *more = copies
    bad_path[1][0] = 7
    bad_labels[1][7] = ["ok", 1]  # branch_labels
    more[0][1][12] = "pass"  # upgrade: not a record
    more[1][1][12][0] = "21"  # upgrade's line
    more[2][1][10] = "Revision ID: x"  # doc_revision_id: not a pair
    more[3][1][10][1] = None  # its line
    more[4][1][12][3] = [["create", "table", "t", "t", 1], ["alter", "table", "t", "t", 1]]
    bad_flag[1][16][0][3] = "yes"  # Noqa.file_level
    bad_kind[1][12][2] = "bogus"  # Function.kind
    for bad in (bad_path, bad_flag, bad_kind, bad_labels, *more[:5]):
        with pytest.raises(ValueError, match="not a cached parse result"):
            decode_result(bad)


def _write_entries(cache, entries, *, fmt=cache_module.FORMAT):
    with open(cache.file, "w") as fh:
        json.dump({"format": fmt, "entries": entries}, fh)


def test_a_wrong_type_entry_is_parsed_again_not_an_error(tmp_path):
    good = ScriptError("a.py", "AL001", 1, 1, "boom")
    cache = ParseCache(tmp_path, scope="s")
    _write_entries(
        cache,
        {
            "a.py": [list(KEY), encode_result(good)],
            "b.py": [list(KEY), ["script", [1, 2, 3]]],
            "c.py": [["1", 2, 3, 4, 5], encode_result(good)],
            "d.py": "garbage",
        },
    )
    loaded = ParseCache(tmp_path, scope="s")
    assert loaded.get("a.py", KEY) == good
    assert [loaded.get(p, KEY) for p in ("b.py", "c.py", "d.py")] == [None, None, None]
    assert loaded.dirty
    loaded.save()
    with open(cache.file) as fh:
        assert set(json.load(fh)["entries"]) == {"a.py"}


@pytest.mark.parametrize(
    "content",
    [
        b"\x80\x04not json",
        b'{"format": 1, "entries": {}}',
        b'{"format": 2, "entries": []}',
        b"[1, 2]",
        b"[" * 100_000,
    ],
)
def test_a_foreign_or_old_cache_file_is_a_cold_start(tmp_path, content):
    cache = ParseCache(tmp_path, scope="s")
    with open(cache.file, "wb") as fh:
        fh.write(content)
    assert ParseCache(tmp_path, scope="s").raw == {}


def test_a_planted_pickle_is_never_loaded(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    cache = ParseCache(tmp_path, scope="s")
    with open(cache.file, "wb") as fh:
        pickle.dump({"a.py": Evil()}, fh)
    assert ParseCache(tmp_path, scope="s").get("a.py", KEY) is None
    assert not marker.exists()


def test_a_fifo_at_the_cache_path_does_not_hang(tmp_path):
    cache = ParseCache(tmp_path, scope="s")
    os.mkfifo(cache.file)
    done = threading.Event()

    def load():
        ParseCache(tmp_path, scope="s")
        done.set()

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(10)
    if not done.is_set():  # pragma: no cover - only when the bug is back
        with open(cache.file, "wb"):  # unblock the thread
            pass
    assert done.is_set()


def test_a_directory_or_symlink_at_the_cache_path_is_ignored(tmp_path):
    cache = ParseCache(tmp_path, scope="s")
    os.mkdir(cache.file)
    assert ParseCache(tmp_path, scope="s").raw == {}
    os.rmdir(cache.file)
    os.symlink("/dev/zero", cache.file)
    assert ParseCache(tmp_path, scope="s").raw == {}


def test_a_file_where_the_directory_should_be(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("")
    cache = ParseCache(blocker, scope="s")
    cache.put("a.py", KEY, ScriptError("a.py", "AL001", 1, 1, "boom"))
    cache.save()
    assert blocker.read_text() == ""


def test_the_key_follows_the_parsers_own_code(tmp_path, monkeypatch):
    first = ParseCache(tmp_path, scope="s").file
    monkeypatch.setattr(cache_module, "parser_digest", lambda: "changed")
    assert ParseCache(tmp_path, scope="s").file != first


def test_parser_digest_reads_the_source(tmp_path):
    """A copy of the package whose astread.py differs has another digest."""
    package = tmp_path / "alembic_lint"
    shutil.copytree(os.path.dirname(cache_module.__file__), package)
    probe = "import alembic_lint.cache as c; print(c.parser_digest())"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    def digest():
        return subprocess.run(
            [sys.executable, "-c", probe],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    same = digest()
    assert same == parser_digest()
    with open(package / "astread.py", "a") as fh:
        fh.write("\n# changed\n")
    assert digest() != same


def test_prune_keeps_the_newest_and_drops_old_formats(tmp_path):
    for i in range(6):
        path = tmp_path / f"check-{i:016x}.json"
        path.write_text("{}")
        os.utime(path, ns=(i * 10**9, i * 10**9))
    (tmp_path / "check-0123456789abcdef.pickle").write_bytes(b"")
    (tmp_path / "check-dir.json").mkdir()
    (tmp_path / "unrelated.json").write_text("")
    (tmp_path / "check-notes.txt").write_text("")
    keep = str(tmp_path / f"check-{0:016x}.json")
    prune_directory(str(tmp_path), keep=keep, limit=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"check-{0:016x}.json",
        f"check-{3:016x}.json",
        f"check-{4:016x}.json",
        f"check-{5:016x}.json",
        "check-dir.json",
        "check-notes.txt",
        "unrelated.json",
    ]


def test_saving_prunes_the_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "MAX_FILES", 2)
    for scope in "abcd":
        cache = ParseCache(tmp_path, scope=scope)
        cache.put("a.py", KEY, ScriptError("a.py", "AL001", 1, 1, "boom"))
        cache.save()
    assert len(list(tmp_path.iterdir())) == 2
    assert os.path.exists(cache.file)


def test_prune_drops_entries_of_files_gone_from_the_history(tmp_path):
    error = ScriptError("a.py", "AL001", 1, 1, "boom")
    cache = ParseCache(tmp_path, scope="s")
    cache.put("a.py", KEY, error)
    cache.put("b.py", KEY, error)
    cache.save()
    loaded = ParseCache(tmp_path, scope="s")
    loaded.prune({"a.py"})
    loaded.save()
    again = ParseCache(tmp_path, scope="s")
    assert (again.get("a.py", KEY), again.get("b.py", KEY)) == (error, None)


def test_a_save_keeps_the_stored_form_of_entries_only_read(tmp_path):
    """A warm run with one changed file writes that entry anew, and the others as they were
    stored: read and decoded, they are not encoded again, and still decode the same."""
    kept = ScriptError("a.py", "AL001", 1, 1, "kept")
    changed = ScriptError("b.py", "AL001", 1, 1, "old")
    cache = ParseCache(tmp_path, scope="s")
    cache.put("a.py", KEY, kept)
    cache.put("b.py", KEY, changed)
    cache.save()
    stored = json.loads(Path(cache.file).read_bytes())["entries"]["a.py"]
    warm = ParseCache(tmp_path, scope="s")
    assert warm.get("a.py", KEY) == kept
    assert warm.get("b.py", (9, 9, 9, 9, 9)) is None
    new = ScriptError("b.py", "AL001", 1, 1, "new")
    warm.put("b.py", (9, 9, 9, 9, 9), new)
    warm.save()
    entries = json.loads(Path(warm.file).read_bytes())["entries"]
    assert entries["a.py"] == stored
    again = ParseCache(tmp_path, scope="s")
    assert (again.get("a.py", KEY), again.get("b.py", (9, 9, 9, 9, 9))) == (kept, new)
