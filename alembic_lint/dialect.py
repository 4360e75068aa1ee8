"""Which database the migrations run on, and which version: what the AL4xx rules judge against.

In order, the first that decides wins:

1. ``dialect`` in ``[tool.alembic-lint]``;
2. the scheme of ``sqlalchemy.url`` in alembic.ini (``postgresql+psycopg://`` -> postgresql);
   a placeholder such as alembic's own ``driver://user:pass@localhost/dbname`` or an
   interpolated ``%(DB_URL)s`` decides nothing;
3. the history itself: the dialects its files name (``postgresql_*`` / ``mysql_*`` arguments,
   ``sqlalchemy.dialects`` imports and types, SQL only MySQL's grammar reads). The dialect more
   files name wins; a tie decides nothing;
4. else PostgreSQL is assumed, the database most Alembic projects run on and the one with the
   most rules, and the run says once which dialect it assumed and how to set it.

``postgresql-version`` (default 14) and ``mysql-version`` (default 8.0) come from the settings
only: the URL and the history do not tell a version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from alembic_lint.config import Settings
from alembic_lint.discover import Project
from alembic_lint.script import RevisionScript

_SCHEMES = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "pgsql": "postgresql",
    "cockroachdb": "postgresql",
    "mysql": "mysql",
    "mariadb": "mariadb",
    "sqlite": "sqlite",
}


class Dialect(NamedTuple):
    name: str
    """postgresql, mysql, mariadb or sqlite."""
    postgresql_version: int
    mysql_version: tuple[int, int]
    source: str
    """Where the name came from, in words, for ``--show-settings`` and the assumption notice."""
    assumed: bool = False

    @property
    def is_postgresql(self) -> bool:
        return self.name == "postgresql"

    @property
    def is_mysql(self) -> bool:
        """MySQL or MariaDB: the rules of the MySQL column apply to both."""
        return self.name in ("mysql", "mariadb")


def from_url(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    scheme = url.split("://", 1)[0].split("+", 1)[0].strip().lower()
    return _SCHEMES.get(scheme)


def resolve(settings: Settings, project: Project, scripts: Iterable[RevisionScript]) -> Dialect:
    def made(name: str, source: str, *, assumed: bool = False) -> Dialect:
        return Dialect(
            name, settings.postgresql_version, settings.mysql_version, source, assumed=assumed
        )

    if settings.dialect is not None:
        return made(settings.dialect, "`dialect` in the settings")
    from_ini = from_url(project.url)
    if from_ini is not None:
        return made(from_ini, "`sqlalchemy.url` in the alembic configuration")
    votes = Counter(hint for script in scripts for hint in script.dialect_hints)
    if votes:
        ranked = votes.most_common(2)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            name = ranked[0][0]
            return made(name, f"the history ({ranked[0][1]} revision files name {name})")
    return made(
        "postgresql",
        "assumed: no `dialect` setting, no `sqlalchemy.url` that names one, none in the history",
        assumed=True,
    )


def assumption_notice(dialect: Dialect) -> str:
    return (
        "unsafe-operation rules (AL4xx): no dialect is configured and none could be read from "
        "alembic.ini or the history, so PostgreSQL is assumed; set "
        '`dialect = "postgresql"` (or mysql, mariadb, sqlite) in [tool.alembic-lint]'
    )
