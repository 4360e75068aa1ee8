"""The drift result cache: reused only while everything it read is unchanged."""

from __future__ import annotations

import os

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.drift.results import KEEP, Results, base_key, digest_file

FOUND = [Diagnostic("migrations/env.py", 1, 1, "AL901", "table x differs", "hint")]


def test_a_result_is_reused_until_a_file_it_read_changes(tmp_path):
    models = tmp_path / "models.py"
    models.write_text("A = 1\n")
    results = Results(str(tmp_path / "cache"), "p1")
    base = base_key(["auto", "chain"], {})
    assert results.load(base) is None
    results.save(base, [str(models)], FOUND)
    assert results.load(base) == FOUND
    assert results.load(base_key(["sqlite", "chain"], {})) is None
    models.write_text("A = 2\n")
    assert results.load(base) is None
    results.evict()
    results.evict()
    assert not os.path.exists(results.path)


def test_the_environment_that_names_databases_is_part_of_the_key():
    assert base_key([], {"DATABASE_URL": "a"}) != base_key([], {"DATABASE_URL": "b"})
    assert base_key([], {"POSTGRES_SERVER": "a"}) != base_key([], {"POSTGRES_SERVER": "b"})
    assert base_key([], {"HOME": "a"}) == base_key([], {"HOME": "b"})


def test_damaged_entries_and_unwritable_directories(tmp_path):
    results = Results(str(tmp_path), "p1")
    for text in ("not json", "[]", '{"base": "b", "files": {}, "diagnostics": [[1]]}'):
        with open(results.path, "w") as fh:
            fh.write(text)
        assert results.load("b") is None
    blocked = tmp_path / "file"
    blocked.write_text("")
    Results(str(blocked / "cache"), "p").save("b", [], FOUND)  # no error
    assert digest_file(str(tmp_path / "missing")) == ""


def test_old_entries_are_pruned(tmp_path):
    for n in range(KEEP + 3):
        path = tmp_path / f"result-p{n}.json"
        Results(str(tmp_path), f"p{n}").save("b", [], FOUND)
        os.utime(path, (n, n))
    Results(str(tmp_path), "last").save("b", [], FOUND)
    assert len([n for n in os.listdir(tmp_path) if n.startswith("result-")]) == KEEP
    assert (tmp_path / "result-last.json").exists()
