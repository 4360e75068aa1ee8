"""dialect.resolve: settings, then alembic.ini's URL, then the history, then the assumption."""

from __future__ import annotations

import pytest

from alembic_lint.config import Settings
from alembic_lint.dialect import assumption_notice, from_url, resolve
from tests.builders import PROJECT, history, revision

PG_BODY = 'op.create_index("ix", "t", ["c"], postgresql_concurrently=True)'
MY_BODY = 'op.add_column("t", sa.Column("c", mysql.TINYINT(display_width=1)))'


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("postgresql+psycopg://u@h/db", "postgresql"),
        ("postgres://u@h/db", "postgresql"),
        ("mysql+pymysql://root@h/db", "mysql"),
        ("mariadb+mariadbconnector://h/db", "mariadb"),
        ("sqlite:///app.db", "sqlite"),
        ("driver://user:pass@localhost/dbname", None),  # alembic init's placeholder
        ("%(DB_URL)s", None),
        ("", None),
        (None, None),
    ],
)
def test_from_url(url, name):
    assert from_url(url) == name


def scripts(*bodies):
    sources = {}
    down = None
    for i, body in enumerate(bodies):
        rev = f"ab{i:04d}cdef01"
        text = revision(rev, down, upgrade=body)
        if "mysql." in body:
            text = text.replace(
                "import sqlalchemy as sa",
                "import sqlalchemy as sa\nfrom sqlalchemy.dialects import mysql",
            )
        sources[f"versions/{rev}.py"] = text
        down = rev
    return history(sources)[0]


def test_the_setting_wins():
    found = resolve(Settings(dialect="mysql"), PROJECT._replace(url="postgresql://h/d"), [])
    assert (found.name, found.is_mysql, found.assumed) == ("mysql", True, False)
    assert found.source == "`dialect` in the settings"


def test_then_the_url():
    found = resolve(Settings(), PROJECT._replace(url="sqlite:///x.db"), scripts(PG_BODY))
    assert found.name == "sqlite" and "sqlalchemy.url" in found.source


def test_then_the_history_by_majority():
    found = resolve(Settings(postgresql_version=12), PROJECT, scripts(PG_BODY, PG_BODY, MY_BODY))
    assert (found.name, found.postgresql_version) == ("postgresql", 12)
    assert found.source == "the history (2 revision files name postgresql)"
    assert resolve(Settings(), PROJECT, scripts(MY_BODY)).is_mysql


def test_a_tie_or_nothing_is_an_assumption():
    for found in (
        resolve(Settings(), PROJECT, scripts(PG_BODY, MY_BODY)),
        resolve(Settings(), PROJECT, scripts("pass")),
    ):
        assert found.name == "postgresql" and found.assumed and found.is_postgresql
        assert "dialect" in assumption_notice(found)
