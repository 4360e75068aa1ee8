from __future__ import annotations

import os
import pickle

from alembic_lint.cache import ParseCache, default_dir, stat_key
from alembic_lint.script import ScriptError


def test_default_dir_order():
    assert default_dir({"ALEMBIC_LINT_CACHE_DIR": "/x", "XDG_CACHE_HOME": "/y"}) == "/x"
    assert default_dir({"XDG_CACHE_HOME": "/y"}) == os.path.join("/y", "alembic-lint")
    home = os.path.expanduser("~")
    assert default_dir({}) == os.path.join(home, ".cache", "alembic-lint")


def test_stat_key_of_a_missing_file_is_none(tmp_path):
    assert stat_key(str(tmp_path / "gone.py")) is None
    (tmp_path / "f.py").write_text("x")
    assert stat_key(str(tmp_path / "f.py")) is not None


def test_entries_round_trip_and_need_a_key(tmp_path):
    result = ScriptError("a.py", "AL001", 1, 1, "boom")
    cache = ParseCache(tmp_path, scope="s")
    cache.put("a.py", None, result)
    assert not cache.dirty
    cache.put("a.py", (1, 2, 3), result)
    cache.save()
    again = ParseCache(tmp_path, scope="s")
    assert again.get("a.py", (1, 2, 3)) == result
    assert again.get("a.py", (1, 2, 4)) is None
    assert again.get("a.py", None) is None
    assert ParseCache(tmp_path, scope="other").get("a.py", (1, 2, 3)) is None


def test_a_foreign_cache_file_is_ignored(tmp_path):
    cache = ParseCache(tmp_path, scope="s")
    with open(cache.file, "wb") as fh:
        pickle.dump(["not", "a", "dict"], fh)
    assert ParseCache(tmp_path, scope="s").entries == {}
