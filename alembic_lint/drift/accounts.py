"""What a disposable database on a server can reach, narrowed on the server's side.

The guard in the child sees connections, not SQL, and on a server one connection can name other
databases: on MySQL and MariaDB a schema is a database (``op.create_table(..., schema="prod")``,
``INSERT INTO prod.users``), and on PostgreSQL the ``dblink`` and ``postgres_fdw`` extensions open
connections of their own. So:

- MySQL/MariaDB: the child gets a temporary account that may use the disposable database and
  nothing else; the server itself refuses any other schema. The account is dropped afterwards.
  Where the given account may not create accounts, the database is used as it is, and a note
  says that schema-qualified names are not fenced.
- PostgreSQL: an event trigger in the disposable database refuses ``CREATE EXTENSION dblink`` and
  ``postgres_fdw``. Where the account may not create event triggers (not a superuser), a note says
  so.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable

Note = Callable[[str], None]

_REFUSE_REMOTE = """
CREATE FUNCTION alembic_lint_refuse_remote() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_event_trigger_ddl_commands() AS c
    JOIN pg_extension AS e ON e.oid = c.objid
    WHERE c.command_tag = 'CREATE EXTENSION' AND e.extname IN ('dblink', 'postgres_fdw')
  ) THEN
    RAISE EXCEPTION 'alembic-lint drift refuses dblink and postgres_fdw: they connect to other databases';
  END IF;
END $$;
CREATE EVENT TRIGGER alembic_lint_refuse_remote ON ddl_command_end
  WHEN TAG IN ('CREATE EXTENSION') EXECUTE FUNCTION alembic_lint_refuse_remote();
"""


def narrow(url: str, *, stack: contextlib.ExitStack, note: Note) -> str:
    """The URL the child gets for the disposable database ``url``."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("mysql", "mariadb"):
        return _mysql_account(parsed, stack=stack, note=note)
    if backend == "postgresql":
        _refuse_remote(parsed, note=note)
    return url


def _mysql_account(parsed: object, *, stack: contextlib.ExitStack, note: Note) -> str:
    import sqlalchemy as sa

    url: sa.URL = parsed  # type: ignore[assignment]
    user = f"alembic_lint_{secrets.token_hex(4)}"
    password = secrets.token_hex(16)
    database = url.database
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            for host in ("%", "localhost"):
                conn.execute(sa.text(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{password}'"))
                conn.execute(
                    sa.text(f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'{host}'")
                )
    except sa.exc.DBAPIError:
        admin.dispose()
        note(
            "cannot create a temporary account on the server: names qualified with another "
            "database (schema=...) are not fenced off"
        )
        return url.render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            for host in ("%", "localhost"):
                conn.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'{host}'"))
        admin.dispose()

    stack.callback(drop)
    return url.set(username=user, password=password).render_as_string(hide_password=False)


def _refuse_remote(parsed: object, *, note: Note) -> None:
    import sqlalchemy as sa

    url: sa.URL = parsed  # type: ignore[assignment]
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(_REFUSE_REMOTE))
    except sa.exc.DBAPIError:
        note("cannot create an event trigger there (not a superuser): dblink is not fenced off")
    finally:
        engine.dispose()
