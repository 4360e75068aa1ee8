from __future__ import annotations

import json
import os
import sqlite3

from alembic_lint.drift import DriftOptions
from alembic_lint.drift.cache import KEEP, Chain, SqliteCache, chain
from tests.drift_test import ADD_PHONE, project, run, write_revision

__all__ = ["project"]


def test_chain_digests_file_contents(tmp_path):
    env = tmp_path / "env.py"
    env.write_text("x = 1\n")
    rev = tmp_path / "a.py"
    rev.write_text("revision = 'a'\n")
    first = chain(str(env), {"a": str(rev)})
    assert first == chain(str(env), {"a": str(rev)})
    assert chain(str(env), {"a": str(rev)}, extra="models:md").env != first.env
    rev.write_text("revision = 'a'  # edited\n")
    assert chain(str(env), {"a": str(rev)}).revisions != first.revisions
    assert chain(str(tmp_path / "gone.py"), {}).env == ""


def test_restore_picks_the_largest_usable_entry(tmp_path):
    cache = SqliteCache(str(tmp_path / "cache"))
    small = Chain("env", {"a": "1"})
    large = Chain("env", {"a": "1", "b": "2"})
    other_env = Chain("other", {"a": "1", "b": "2", "c": "3"})
    for stored, content in ((small, b"small"), (large, b"large"), (other_env, b"other")):
        source = tmp_path / f"{content.decode()}.sqlite"
        source.write_bytes(content)
        cache.save(stored, str(source))
    target = tmp_path / "target.sqlite"
    assert cache.restore(Chain("env", {"a": "1", "b": "2", "c": "9"}), str(target)) == {"a", "b"}
    assert target.read_bytes() == b"large"
    assert cache.restore(Chain("env", {"a": "1", "b": "changed"}), str(target)) == {"a"}
    assert cache.restore(Chain("env", {"z": "1"}), str(target)) == frozenset()


def test_old_entries_and_junk_are_dropped_or_ignored(tmp_path):
    cache = SqliteCache(str(tmp_path / "cache"))
    source = tmp_path / "db.sqlite"
    source.write_bytes(b"db")
    for i in range(KEEP + 2):
        cache.save(Chain("env", {"a": str(i)}), str(source))
        os.utime(
            os.path.join(cache.directory, Chain("env", {"a": str(i)}).digest + ".json"), (i, i)
        )
    cache.save(Chain("env", {"a": "last"}), str(source))
    assert len([n for n in os.listdir(cache.directory) if n.endswith(".json")]) == KEEP
    (tmp_path / "cache" / "broken.json").write_text("{not json")
    (tmp_path / "cache" / "orphan.json").write_text(json.dumps({"env": "env", "revisions": {}}))
    (tmp_path / "cache" / "notes.txt").write_text("")
    assert cache.restore(Chain("env", {"a": "last"}), str(tmp_path / "t.sqlite")) == {"a"}
    assert (
        SqliteCache(str(tmp_path / "nowhere")).restore(Chain("env", {}), str(tmp_path / "t"))
        == frozenset()
    )
    blocked = tmp_path / "file"
    blocked.write_text("")
    SqliteCache(str(blocked / "sub")).save(Chain("env", {}), str(source))  # no error


def test_reruns_skip_what_is_cached(project, tmp_path):
    options = DriftOptions(cache_dir=str(tmp_path / "drift-cache"))
    steps: list[str] = []
    cold = run(project, options, progress=steps.append)
    assert steps == ["upgrade 1 of 1: 7c1e9d0b4a52"]
    steps.clear()
    warm = run(project, options, progress=steps.append)
    assert warm == cold and [d.code for d in warm] == ["AL901", "AL901"]
    assert steps == []  # nothing to upgrade
    write_revision(project, "5d2e8a41c07f", "7c1e9d0b4a52", ADD_PHONE)
    assert run(project, options, progress=steps.append) == []
    assert steps == ["upgrade 1 of 1: 5d2e8a41c07f"]  # only the new revision
    steps.clear()
    first = project / "migrations" / "versions" / "7c1e9d0b4a52_step.py"
    first.write_text(first.read_text() + "# edited\n")
    run(project, options, progress=steps.append)
    assert steps == ["upgrade 1 of 2: 7c1e9d0b4a52", "upgrade 2 of 2: 5d2e8a41c07f"]


def _templates(url: str) -> dict[str, str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname LIKE 'alembic\\_lint\\_cache\\_%'"
            )
        ).all()
    engine.dispose()
    return dict(rows)


def _drop_templates(url: str, names) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        for name in names:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
    engine.dispose()


def test_postgres_servers_keep_template_databases(project, tmp_path):
    from tests.drift_test import PG_URL, _server

    url = _server(PG_URL)
    before = set(_templates(url))
    options = DriftOptions(url=url, cache_dir=str(tmp_path / "drift-cache"))
    try:
        steps: list[str] = []
        assert [d.code for d in run(project, options, progress=steps.append)] == ["AL901", "AL901"]
        created = set(_templates(url)) - before
        assert len(created) == 1
        assert '"revisions": {"7c1e9d0b4a52"' in _templates(url)[next(iter(created))]
        steps.clear()
        assert [d.code for d in run(project, options, progress=steps.append)] == ["AL901", "AL901"]
        assert steps == []
        write_revision(project, "5d2e8a41c07f", "7c1e9d0b4a52", ADD_PHONE)
        assert run(project, options, progress=steps.append) == []
        assert steps == ["upgrade 1 of 1: 5d2e8a41c07f"]
    finally:
        _drop_templates(url, set(_templates(url)) - before)


def test_embedded_postgres_keeps_its_cluster_in_the_cache(project, tmp_path):
    options = DriftOptions(db="postgres", cache_dir=str(tmp_path / "drift-cache"))
    steps: list[str] = []
    assert [d.code for d in run(project, options, progress=steps.append)] == ["AL901", "AL901"]
    assert (tmp_path / "drift-cache" / "databases" / "embedded-postgres" / "PG_VERSION").is_file()
    steps.clear()
    models = project / "models.py"
    models.write_text(models.read_text() + "# the result no longer applies\n")
    # the result is computed again, on the template the first run kept in the cached cluster
    assert [d.code for d in run(project, options, progress=steps.append)] == ["AL901", "AL901"]
    assert steps == []


def test_mariadb_has_no_templates(project, tmp_path):
    from tests.drift_test import MARIADB_URL, _server

    options = DriftOptions(url=_server(MARIADB_URL), cache_dir=str(tmp_path / "drift-cache"))
    steps: list[str] = []
    run(project, options, progress=steps.append)
    run(project, options, progress=steps.append)  # the result cache: no upgrade at all
    assert steps == ["upgrade 1 of 1: 7c1e9d0b4a52"]
    models = project / "models.py"
    models.write_text(models.read_text() + "# the result no longer applies\n")
    run(project, options, progress=steps.append)  # no template: from scratch again
    assert steps == ["upgrade 1 of 1: 7c1e9d0b4a52"] * 2


def test_template_bookkeeping(tmp_path):
    import sqlalchemy as sa

    from alembic_lint.drift import databases
    from tests.drift_test import PG_URL, _server

    url = _server(PG_URL)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    before = set(_templates(url))
    key = f"test-{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE alembic_lint_cache_junk"))
            conn.execute(sa.text("COMMENT ON DATABASE alembic_lint_cache_junk IS 'not json'"))
            conn.execute(sa.text("CREATE DATABASE alembic_lint_cache_other"))
            label = json.dumps({"key": "another-project", "env": "e", "revisions": {}, "at": 1})
            conn.execute(sa.text(f"COMMENT ON DATABASE alembic_lint_cache_other IS '{label}'"))
            conn.execute(sa.text("CREATE DATABASE alembic_lint_bookkeeping_source"))
            for i in range(KEEP + 1):
                wanted = Chain("env", {"a": "1", "b": str(i)})
                databases._save_template(conn, "alembic_lint_bookkeeping_source", key, wanted)
            mine = databases._template_list(conn, key)
            assert len(mine) == KEEP  # the oldest went
            assert databases._best_template(conn, key, Chain("env", {"a": "1", "b": "9"})) == (
                None,
                frozenset(),
            )
            best = databases._best_template(conn, key, Chain("env", {"a": "1", "b": str(KEEP)}))
            assert best == (mine[-1][0], frozenset({"a", "b"}))
            assert databases._best_template(conn, key, Chain("other-env", {"a": "1"})) == (
                None,
                frozenset(),
            )
    finally:
        _drop_templates(url, (set(_templates(url)) - before) | {"alembic_lint_bookkeeping_source"})
        admin.dispose()


def test_a_damaged_cached_database_is_evicted(project, tmp_path):
    options = DriftOptions(cache_dir=str(tmp_path / "drift-cache"))
    assert [d.code for d in run(project, options)] == ["AL901", "AL901"]
    [cached] = (tmp_path / "drift-cache" / "databases").rglob("*.sqlite")
    with sqlite3.connect(cached) as conn:  # a cached copy that lost a table
        conn.execute("DROP TABLE users")
    models = project / "models.py"
    models.write_text(models.read_text() + "# the result no longer applies\n")
    steps: list[str] = []
    assert [d.code for d in run(project, options, progress=steps.append)] == ["AL901", "AL901"]
    assert steps == ["upgrade 1 of 1: 7c1e9d0b4a52"]  # from scratch: the damaged copy was evicted
