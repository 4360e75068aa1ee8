"""Which disposable URL an engine gets: the request, the driver, the arguments that are dropped."""

from __future__ import annotations

import pytest

from alembic_lint.drift.redirect import (
    SENTINEL_URL,
    MissingDriver,
    Request,
    adapt,
    clean_kwargs,
    describe_url,
    wants_async,
)


@pytest.mark.parametrize(
    ("url", "request_"),
    [
        (SENTINEL_URL, Request(None, "")),
        ("driver://user:pass@localhost/dbname", Request(None, "driver://user:pass@localhost/dbname")),
        ("not a url", Request(None, "not a url")),
        ("postgresql+asyncpg://u:p@db:5433/app", Request("postgresql", "postgresql://db:5433/app")),
        ("postgresql://u@db/app", Request("postgresql", "postgresql://db:/app")),
        ("mysql+pymysql://root@127.0.0.1/app", Request("mysql", "mysql://127.0.0.1:/app")),
        ("sqlite:///app.db", Request("sqlite", "sqlite://:/app.db")),
    ],
)
def test_describe_url(url, request_):
    assert describe_url(url) == request_


def test_async_is_told_by_the_driver_or_by_create_async_engine():
    assert wants_async("sqlite+aiosqlite:///x.db", {})
    assert wants_async("sqlite:///x.db", {"_is_async": True})
    assert not wants_async("sqlite:///x.db", {})
    assert not wants_async("driver://x", {})


def test_adapt_keeps_the_projects_driver_where_it_can():
    disposable = "postgresql+psycopg://postgres@/alembic_lint_x?host=/tmp/s"
    assert adapt(disposable, "postgresql+asyncpg://app@db/app", is_async=True).startswith(
        "postgresql+asyncpg://postgres@/alembic_lint_x"
    )
    assert adapt(disposable, "postgresql://app@db/app", is_async=False).startswith(
        "postgresql+psycopg://"
    )
    assert adapt(disposable, "mysql://x", is_async=False).startswith("postgresql+psycopg://")
    assert adapt(disposable, "driver://x", is_async=False).startswith("postgresql+psycopg://")
    assert adapt("sqlite:////tmp/d.sqlite", "sqlite:///app.db", is_async=True) == (
        "sqlite+aiosqlite:////tmp/d.sqlite"
    )
    assert adapt("sqlite:////tmp/d.sqlite", "postgresql://x/y", is_async=False) == (
        "sqlite+pysqlite:////tmp/d.sqlite"
    )


def test_adapt_names_the_missing_driver(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "aiomysql", None)
    monkeypatch.setitem(sys.modules, "asyncmy", None)
    with pytest.raises(MissingDriver, match=r"async mysql engine.*pip install aiomysql"):
        adapt("mysql+pymysql://u@h/d", "mysql+aiomysql://u@h/d", is_async=True)
    with pytest.raises(MissingDriver, match="pip install a driver"):
        adapt("oracle://u@h/d", "oracle://u@h/d", is_async=False)


def test_arguments_that_would_connect_elsewhere_are_dropped():
    kwargs = {
        "creator": object(),
        "pool": object(),
        "module": object(),
        "async_creator": object(),
        "echo": True,
        "connect_args": {"host": "prod", "dbname": "prod", "options": "-c search_path=app"},
    }
    assert clean_kwargs(kwargs) == {"echo": True, "connect_args": {"options": "-c search_path=app"}}
    assert clean_kwargs({"connect_args": None}) == {"connect_args": None}
