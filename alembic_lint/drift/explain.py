"""The child's facts -> AL9xx diagnostics that say what happened and what to do.

AL902 tells "this database cannot do it" from "this revision is broken":

- SQLite's limits (ALTER of constraints, ALTER COLUMN, functions it lacks): the project should be
  checked on its own kind of database (``--db postgres`` / ``--url``), or use batch mode;
- an extension the embedded PostgreSQL does not ship: name it, and ``--url``;
- a missing async driver: name the package to install;
- the first revision applied needs a table that does not exist: the history cannot build a
  database from empty (projects that make fresh databases with ``create_all()`` and
  ``alembic stamp``), said once, on that revision (a missing table later on is a broken
  revision);
- anything else: the revision is broken, with the database's own error.

AL905 points at the env.py or models line that failed, or that tried to reach another database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.drift.guard import HOW_TO_FIX

AUTOGENERATE_HINT = 'generate the missing migration: alembic revision --autogenerate -m "..."'
_EXTENSION = re.compile(
    r'extension "([^"]+)" is not available|could not open extension control file ".*/([^/"]+)\.control"'
    r'|extension "([^"]+)" does not exist'
)
_MISSING_TABLE = re.compile(
    r"no such table: (\S+)|relation \"([^\"]+)\" does not exist|Table '(?:[^'.]+\.)?([^']+)' doesn't exist"
    r"|Unknown table '(?:[^'.]+\.)?([^']+)'"
)
_SQLITE_LIMIT = re.compile(
    r"(?i)No support for ALTER of constraints in SQLite|near \"ALTER\"|syntax error|no such function"
    r"|Cannot add a (NOT NULL|UNIQUE|PRIMARY KEY) column|Cannot add a column with non-constant default"
)
_ASYNC_DRIVERS = {"asyncpg", "aiosqlite", "aiomysql", "asyncmy", "greenlet"}


class Where:
    """Paths as the report shows them, and which revision a file holds."""

    def __init__(
        self, cwd: str, env: str, revisions: Mapping[str, tuple[str, str, int, int]]
    ) -> None:
        self.cwd = cwd
        self.env = env
        self.revisions = revisions
        """revision id -> (shown path, real path, line of upgrade(), line of downgrade())."""
        self.by_file = {os.path.realpath(real): rev for rev, (_, real, _, _) in revisions.items()}

    def shown(self, path: str | None) -> str:
        if path is None:
            return self.env
        relative = os.path.relpath(path, self.cwd)
        if relative.startswith(".."):
            return path.replace(os.sep, "/")
        return relative.replace(os.sep, "/")


def violations(facts: Mapping[str, Any], where: Where) -> list[Diagnostic]:
    found = []
    for what, path, line in facts.get("violations", []):
        message = f"{what} was stopped: drift lets the project reach only its disposable database"
        found.append(Diagnostic(where.shown(path), line, 1, "AL905", message, HOW_TO_FIX))
    return found[:1] + [d for d in found[1:] if (d.path, d.line) != (found[0].path, found[0].line)]


def failure(failure: Mapping[str, Any], where: Where, dialect: str) -> Diagnostic:
    stage = failure["stage"]
    error = f"{failure['type']}: {failure['message']}" if failure["message"] else failure["type"]
    path = failure["path"]
    file_revision = where.by_file.get(os.path.realpath(path)) if path else None
    revision = failure["revision"] or (file_revision if stage != "check" else None)
    if failure.get("missing_driver") or failure.get("module") in _ASYNC_DRIVERS:
        return Diagnostic(
            where.shown(path),
            failure["line"],
            1,
            "AL905",
            f"env.py cannot be run: {failure['message']}",
            f"install the driver ({failure.get('module') or 'see above'}) in this environment",
        )
    if stage in ("upgrade", "env") and revision is not None and revision in where.revisions:
        return _upgrade_failed(revision, failure, error, where, dialect)
    hint = (
        "env.py must run with only the URL drift gives it (through `sqlalchemy.url` or any "
        "engine it creates) and hand `target_metadata` to context.configure(); or set "
        "`target-metadata` in [tool.alembic-lint]"
    )
    if failure["type"] in ("KeyError", "ValidationError") or "environ" in failure["message"]:
        hint = (
            "set the settings env.py needs (a URL of the right kind is enough: drift points every "
            "engine at its own disposable database); " + hint
        )
    where_failed = "the comparison" if stage == "check" else "env.py"
    return Diagnostic(
        where.shown(path),
        failure["line"],
        1,
        "AL905",
        f"{where_failed} cannot be run: {error}",
        hint,
    )


def _upgrade_failed(
    revision: str, failure: Mapping[str, Any], error: str, where: Where, dialect: str
) -> Diagnostic:
    shown, _, line, _ = where.revisions[revision]
    text = failure["message"]
    extension = _EXTENSION.search(text)
    table = _MISSING_TABLE.search(text)
    if extension is not None:
        name = next(group for group in extension.groups() if group)
        message = (
            f"upgrade to `{revision}` needs the PostgreSQL extension `{name}`, which this "
            f"database does not have: {error}"
        )
        hint = "pass --url with a PostgreSQL server that has the extension installed"
    elif table is not None and failure.get("step") == 1:
        name = next(group for group in table.groups() if group)
        message = (
            f"the migrations cannot build a database from empty: upgrade to `{revision}` needs "
            f"table `{name}`, which no earlier revision creates ({error})"
        )
        hint = (
            "if fresh databases are made with metadata.create_all() and `alembic stamp head`, "
            "add a baseline revision that creates that schema; or ignore AL902 for this project"
        )
    elif dialect == "sqlite" and (
        _SQLITE_LIMIT.search(text) or failure["type"] == "NotImplementedError"
    ):
        message = (
            f"upgrade to `{revision}` failed because SQLite cannot do it (drift used a "
            f"disposable SQLite database): {error}"
        )
        hint = (
            "run drift on the project's own kind of database (--db postgres, or --url), or "
            "write the step with op.batch_alter_table() so that it works on SQLite too"
        )
    else:
        message = f"upgrade to `{revision}` failed on a fresh database: {error}"
        hint = "run `alembic upgrade heads` on an empty database to reproduce it"
    return Diagnostic(shown, line, 1, "AL902", message, hint, revision)


def roundtrip(found: Mapping[str, Any], where: Where) -> Diagnostic:
    rev = found["revision"]
    shown, _, _, line = where.revisions[rev]
    if found["code"] == "AL903":
        message = f"downgrade of `{rev}` failed: {found['error']}"
        return Diagnostic(
            shown,
            line,
            1,
            "AL903",
            message,
            "fix downgrade(), or raise to declare it irreversible",
            rev,
        )
    parts = [f"leaves {', '.join(found['left'])}"] if found["left"] else []
    parts += [f"removes {', '.join(found['lost'])}"] if found["lost"] else []
    message = f"downgrade of `{rev}` {'; '.join(parts)}"
    return Diagnostic(
        shown, line, 1, "AL904", message, "make downgrade() undo exactly what upgrade() does", rev
    )


def drifted(facts: Mapping[str, Any], where: Where) -> list[Diagnostic]:
    return [
        Diagnostic(where.env, 1, 1, "AL901", sentence, AUTOGENERATE_HINT)
        for sentence in facts.get("diffs", [])
    ]
