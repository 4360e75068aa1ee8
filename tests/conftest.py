from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep the parse cache of every test out of the user's cache directory."""
    monkeypatch.setenv("ALEMBIC_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("ALEMBIC_CONFIG", raising=False)
