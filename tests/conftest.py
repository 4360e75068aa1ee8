from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep the parse cache of every test out of the user's cache directory."""
    monkeypatch.setenv("ALEMBIC_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("ALEMBIC_CONFIG", raising=False)


# The drift implementation needs alembic 1.16 (Config(toml_file=...)) and SQLAlchemy 2.0
# (sqlalchemy.make_url, the postgresql+psycopg dialect) until the rewrite of issue 7 lands; in
# .ci/run's oldest-versions environment its tests are marked, visibly, instead of hidden.
DRIFT_TESTS = ("drift_test.py", "drift_cache_test.py")


def pytest_collection_modifyitems(config, items):
    from tests.driftfixtures import too_old

    reason = too_old({"alembic": "1.16", "sqlalchemy": "2.0"})
    if reason:  # pragma: no cover - only in the oldest-versions environment of .ci/run
        mark = pytest.mark.xfail(strict=False, reason=f"awaits drift rewrite: drift {reason}")
        for item in items:
            if item.path.name in DRIFT_TESTS:
                item.add_marker(mark)
