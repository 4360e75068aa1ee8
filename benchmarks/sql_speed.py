"""Which SQL parser for the ``op.execute`` SQL: speed, import cost and fidelity, measured.

Run it with the interpreter of the environment that has alembic-lint installed::

    python benchmarks/sql_speed.py [--rounds R] [--imports K] [--json out.json]

Three figures for pglast (PostgreSQL's own parser) and sqlglot (its MySQL and PostgreSQL
dialects), and for ``alembic_lint.sql.parse_sql``, which uses pglast first and sqlglot's MySQL
dialect for what PostgreSQL rejects:

- statements per second on three sets: every ``op.execute`` string of a generated 300-revision
  history (generate.py), the hand-labelled PostgreSQL statements below, and the hand-labelled
  MySQL ones. "parse" columns time the parser alone; ``parse_sql`` includes splitting, bind
  parameters and extraction;
- the import cost: a fresh interpreter imports the parser and parses ``SELECT 1`` (K runs, median);
- fidelity: how many labelled statements each gets right, that is one statement whose labelled
  fields (kind, table, flags, and each action's kind, column, name, target, constraint, flags...)
  are all as labelled. The extraction is alembic_lint.sql's, so the comparison is between what
  each parser's tree lets it find.

It prints a markdown report (and JSON with ``--json``) and exits 0: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import generate

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from alembic_lint import sql  # noqa: E402

Fields = dict[str, Any]
Label = tuple[str, str, Fields, list[Fields]]


def pg(text: str, statement: Fields, *actions: Fields) -> Label:
    return ("postgresql", text, statement, list(actions))


def my(text: str, statement: Fields, *actions: Fields) -> Label:
    return ("mysql", text, statement, list(actions))


def alter(table: str, **more: Any) -> Fields:
    return {"kind": "alter_table", "table": table, **more}


def act(kind: str, **more: Any) -> Fields:
    return {"kind": kind, **more}


# Hand-labelled: what a migration reviewer reads in each statement.
LABELLED: list[Label] = [
    pg(
        "ALTER TABLE t RENAME CONSTRAINT a TO b",
        alter("t"),
        act("rename_constraint", name="a", target="b"),
    ),
    pg(
        "ALTER INDEX ix_a RENAME TO ix_b",
        {"kind": "other", "name": "ix_a"},
        act("rename_index", target="ix_b"),
    ),
    pg(
        "ALTER TABLE users RENAME TO accounts",
        alter("users"),
        act("rename_table", target="accounts"),
    ),
    pg(
        "ALTER TABLE users RENAME COLUMN mail TO email",
        alter("users"),
        act("rename_column", column="mail", target="email"),
    ),
    pg(
        "ALTER TABLE users RENAME mail TO email",
        alter("users"),
        act("rename_column", column="mail", target="email"),
    ),
    pg(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_email ON users (lower(email))",
        {
            "kind": "create_index",
            "table": "users",
            "name": "ix_email",
            "flags": ("concurrently", "if_not_exists", "unique"),
        },
    ),
    pg(
        "CREATE INDEX ix_orders_user ON orders (user_id)",
        {"kind": "create_index", "table": "orders", "flags": ()},
    ),
    pg(
        "DROP INDEX CONCURRENTLY IF EXISTS ix_old",
        {"kind": "drop_index", "name": "ix_old", "flags": ("concurrently", "if_exists")},
    ),
    pg(
        "REINDEX INDEX CONCURRENTLY ix_email",
        {"kind": "reindex", "name": "ix_email", "flags": ("concurrently",)},
    ),
    pg(
        "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY",
        alter("events", flags=("concurrently",)),
        act("detach_partition", name="events_2020", flags=("concurrently",)),
    ),
    pg(
        "ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users(id) NOT VALID",
        alter("orders"),
        act(
            "add_constraint",
            constraint="foreign_key",
            name="fk_user",
            references="users",
            flags=("not_valid",),
        ),
    ),
    pg(
        "ALTER TABLE orders VALIDATE CONSTRAINT fk_user",
        alter("orders"),
        act("validate_constraint", name="fk_user"),
    ),
    pg(
        "ALTER TABLE users ADD CONSTRAINT uq_email UNIQUE USING INDEX ix_email",
        alter("users"),
        act("add_constraint", constraint="unique", name="uq_email", flags=("using_index",)),
    ),
    pg(
        "ALTER TABLE users ADD CONSTRAINT ck_email CHECK (email IS NOT NULL) NOT VALID",
        alter("users"),
        act(
            "add_constraint",
            constraint="check",
            column="email",
            expression="email IS NOT NULL",
            flags=("not_valid",),
        ),
    ),
    pg(
        "ALTER TABLE users ADD CONSTRAINT ck_age CHECK (age >= 0)",
        alter("users"),
        act("add_constraint", constraint="check", name="ck_age", flags=()),
    ),
    pg(
        "ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()",
        alter("users"),
        act("add_column", column="token", not_null=True, functions=("gen_random_uuid",)),
    ),
    pg(
        "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()",
        alter("users"),
        act("add_column", column="created_at", not_null=True, functions=("now",)),
    ),
    pg(
        "ALTER TABLE users ADD COLUMN score int NOT NULL DEFAULT 0",
        alter("users"),
        act("add_column", column="score", not_null=True, default="0", functions=()),
    ),
    pg(
        "ALTER TABLE orders ADD COLUMN total_x2 numeric GENERATED ALWAYS AS (total * 2) STORED",
        alter("orders"),
        act("add_column", column="total_x2", flags=("generated_stored",)),
    ),
    pg(
        "ALTER TABLE orders ADD COLUMN id2 bigserial",
        alter("orders"),
        act("add_column", column="id2", flags=("serial",)),
    ),
    pg(
        "ALTER TABLE orders ADD COLUMN n bigint GENERATED BY DEFAULT AS IDENTITY",
        alter("orders"),
        act("add_column", column="n", flags=("identity",)),
    ),
    pg(
        "ALTER TABLE orders ADD COLUMN user_id int REFERENCES users(id)",
        alter("orders"),
        act("add_column", column="user_id", references="users", flags=("references",)),
    ),
    pg(
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS nick text",
        alter("users"),
        act("add_column", column="nick", not_null=False, flags=("if_not_exists",)),
    ),
    pg(
        "ALTER TABLE orders ALTER COLUMN total TYPE bigint USING total::bigint",
        alter("orders"),
        act("alter_column_type", column="total", flags=("using",)),
    ),
    pg(
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
        alter("users"),
        act("set_not_null", column="email"),
    ),
    pg(
        "ALTER TABLE users ALTER COLUMN email DROP NOT NULL",
        alter("users"),
        act("drop_not_null", column="email"),
    ),
    pg(
        "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'new'",
        alter("users"),
        act("set_default", column="status", default="'new'"),
    ),
    pg(
        "ALTER TABLE users ALTER COLUMN status DROP DEFAULT",
        alter("users"),
        act("drop_default", column="status"),
    ),
    pg(
        "ALTER TABLE users DROP COLUMN IF EXISTS legacy",
        alter("users"),
        act("drop_column", column="legacy", flags=("if_exists",)),
    ),
    pg(
        "ALTER TABLE users DROP CONSTRAINT ck_age",
        alter("users"),
        act("drop_constraint", name="ck_age"),
    ),
    pg(
        "ALTER TABLE users ADD COLUMN a int, ALTER COLUMN b SET NOT NULL, DROP COLUMN c",
        alter("users"),
        act("add_column", column="a"),
        act("set_not_null", column="b"),
        act("drop_column", column="c"),
    ),
    pg(
        "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'sad'",
        {"kind": "alter_type", "name": "mood"},
        act("add_value", name="happy", flags=("if_not_exists",)),
    ),
    pg(
        "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'",
        {"kind": "alter_type", "name": "mood"},
        act("rename_value", name="ok", target="fine"),
    ),
    pg(
        "CREATE TYPE mood AS ENUM ('sad', 'ok')",
        {"kind": "create_type", "name": "mood", "values": ("sad", "ok")},
    ),
    pg("DROP TYPE IF EXISTS mood", {"kind": "drop_type", "name": "mood", "flags": ("if_exists",)}),
    pg(
        "CREATE OR REPLACE VIEW users AS SELECT * FROM accounts",
        {"kind": "create_view", "name": "users", "tables": ("accounts",)},
    ),
    pg(
        "DROP TABLE IF EXISTS legacy_events",
        {"kind": "drop_table", "table": "legacy_events", "flags": ("if_exists",)},
    ),
    pg(
        "UPDATE orders SET status = 'new' WHERE status IS NULL",
        {"kind": "update", "table": "orders", "tables": ("orders",)},
    ),
    pg(
        "UPDATE orders o SET user_id = u.id FROM users u WHERE o.email = u.email",
        {"kind": "update", "table": "orders", "tables": ("orders", "users")},
    ),
    pg("DELETE FROM sessions WHERE expires < now()", {"kind": "delete", "table": "sessions"}),
    pg(
        "INSERT INTO accounts (id, name) SELECT id, name FROM users",
        {
            "kind": "insert",
            "table": "accounts",
            "flags": ("select_source",),
            "tables": ("accounts", "users"),
        },
    ),
    pg(
        "INSERT INTO plans (name) VALUES ('free'), ('pro')",
        {"kind": "insert", "table": "plans", "flags": ()},
    ),
    pg("SET lock_timeout = '5s'", {"kind": "set", "name": "lock_timeout", "values": ("5s",)}),
    pg(
        "SET LOCAL statement_timeout TO 0",
        {"kind": "set", "name": "statement_timeout", "flags": ("local",)},
    ),
    pg("COMMIT", {"kind": "commit"}),
    pg("BEGIN", {"kind": "begin"}),
    my(
        "ALTER TABLE users MODIFY email VARCHAR(255) NOT NULL",
        alter("users"),
        act("modify_column", column="email", type="varchar(255)", not_null=True),
    ),
    my(
        "ALTER TABLE users MODIFY status ENUM('new','paid','sent') NOT NULL DEFAULT 'new'",
        alter("users"),
        act("modify_column", column="status", not_null=True, default="'new'"),
    ),
    my(
        "ALTER TABLE users CHANGE mail email VARCHAR(255)",
        alter("users"),
        act("change_column", column="mail", target="email"),
    ),
    my(
        "ALTER TABLE `users` CHANGE `mail` `email` TEXT",
        alter("users"),
        act("change_column", column="mail", target="email"),
    ),
    my(
        "SET SESSION lock_wait_timeout = 5",
        {"kind": "set", "name": "lock_wait_timeout", "values": ("5",)},
    ),
    my(
        "SET @@session.lock_wait_timeout = 5",
        {"kind": "set", "name": "lock_wait_timeout", "values": ("5",)},
    ),
    my(
        "ALTER TABLE users ADD COLUMN score INT NOT NULL DEFAULT 0, ALGORITHM=INSTANT",
        alter("users"),
        act("add_column", column="score", not_null=True, default="0"),
    ),
    my(
        "ALTER TABLE users ALGORITHM=INPLACE, LOCK=NONE, ADD COLUMN seen DATETIME NULL",
        alter("users"),
        act("add_column", column="seen", not_null=False),
    ),
    my(
        "ALTER TABLE `orders` ADD COLUMN `id2` BIGINT NOT NULL AUTO_INCREMENT UNIQUE",
        alter("orders"),
        act("add_column", column="id2", not_null=True, flags=("identity", "unique")),
    ),
    my(
        "ALTER TABLE users ADD INDEX ix_email (email)",
        alter("users"),
        act("other", name="ix_email"),
    ),
    my("ALTER TABLE users DROP INDEX ix_email", alter("users"), act("other", name="ix_email")),
    my(
        "ALTER TABLE orders DROP FOREIGN KEY fk_user",
        alter("orders"),
        act("drop_constraint", name="fk_user"),
    ),
    my(
        "ALTER TABLE `orders` ADD CONSTRAINT `fk_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`)",
        alter("orders"),
        act("add_constraint", constraint="foreign_key", name="fk_user", references="users"),
    ),
    my(
        "ALTER TABLE `users` ADD CHECK (age >= 0)",
        alter("users"),
        act("add_constraint", constraint="check"),
    ),
    my(
        "ALTER TABLE users RENAME COLUMN mail TO email",
        alter("users"),
        act("rename_column", column="mail", target="email"),
    ),
    my(
        "ALTER TABLE users RENAME INDEX ix_a TO ix_b",
        alter("users"),
        act("rename_index", name="ix_a", target="ix_b"),
    ),
    my("RENAME TABLE users TO accounts", alter("users"), act("rename_table", target="accounts")),
    my(
        "CREATE INDEX ix_email ON users (email) ALGORITHM=INPLACE LOCK=NONE",
        {"kind": "create_index", "table": "users"},
    ),
    my(
        "DROP INDEX `ix_email` ON `users`",
        {"kind": "drop_index", "name": "ix_email", "table": "users"},
    ),
    my(
        "UPDATE `orders` SET `status` = 'new' WHERE `status` IS NULL",
        {"kind": "update", "table": "orders"},
    ),
    my(
        "INSERT INTO `accounts` (`id`) SELECT `id` FROM `users`",
        {
            "kind": "insert",
            "table": "accounts",
            "flags": ("select_source",),
            "tables": ("accounts", "users"),
        },
    ),
]

PARSERS: dict[str, Callable[[str], Sequence[sql.Statement]]] = {
    "pglast": lambda text: sql._pglast(text, 0),
    "sqlglot mysql": lambda text: sql._sqlglot(text, 0, "mysql"),
    "sqlglot postgres": lambda text: sql._sqlglot(text, 0, "postgres"),
    "parse_sql": sql.parse_sql,
}

IMPORTS = {
    "pglast": "import pglast.parser, json; json.loads(pglast.parser.parse_sql_json('SELECT 1'))",
    "sqlglot (mysql)": "import sqlglot; sqlglot.parse('SELECT 1', read='mysql')",
    "sqlglot (postgres)": "import sqlglot; sqlglot.parse('SELECT 1', read='postgres')",
}
IMPORT_PROBE = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"


def is_right(found: Sequence[sql.Statement], statement: Fields, actions: list[Fields]) -> bool:
    if len(found) != 1 or found[0].kind == "unparsed":
        return False
    (got,) = found
    if any(getattr(got, key) != value for key, value in statement.items()):
        return False
    if len(got.actions) != len(actions):
        return False
    return all(
        getattr(action, key) == value
        for action, wanted in zip(got.actions, actions, strict=True)
        for key, value in wanted.items()
    )


def fidelity() -> dict[str, dict[str, list[str]]]:
    """For each parser and dialect of the labelled set, the statements it gets wrong."""
    misses: dict[str, dict[str, list[str]]] = {
        name: {"postgresql": [], "mysql": []} for name in PARSERS
    }
    for dialect, text, statement, actions in LABELLED:
        for name, parse in PARSERS.items():
            try:
                found = parse(text)
            except Exception:  # rejected: a miss
                found = []
            if not is_right(found, statement, actions):
                misses[name][dialect].append(text)
    return misses


def generated_sql() -> list[str]:
    """Every op.execute string of a generated 300-revision history, upgrade and downgrade."""
    found = []
    for revision in generate.build_history(300):
        for node in ast.walk(ast.parse(generate.render(revision))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "execute"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append(node.args[0].value)
    return found


def raw_parsers() -> dict[str, Callable[[str], object]]:
    import pglast.parser
    import sqlglot

    def glot(dialect: str) -> Callable[[str], object]:
        def parse(text: str) -> object:
            return sqlglot.parse(text, read=dialect)

        return parse

    return {
        "pglast parse": lambda text: json.loads(pglast.parser.parse_sql_json(text)),
        "sqlglot mysql parse": glot("mysql"),
        "sqlglot postgres parse": glot("postgres"),
        "parse_sql": sql.parse_sql,
    }


def throughput(parse: Callable[[str], object], texts: list[str], rounds: int) -> float:
    """Statements per second, median over rounds; a rejected statement costs its attempt."""
    import logging

    logging.getLogger("sqlglot").disabled = True  # the fallback warnings, not what is timed
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            with contextlib.suppress(Exception):  # a rejected statement is still timed
                parse(text)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def import_cost(runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(runs):
        for name, code in IMPORTS.items():
            out = subprocess.run(
                [sys.executable, "-c", IMPORT_PROBE.format(code=code)],
                capture_output=True,
                text=True,
                check=True,
            )
            samples[name].append(float(out.stdout))
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over each set")
    parser.add_argument("--imports", type=int, default=7, help="fresh interpreters per import")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    sets = {
        "generated op.execute": generated_sql(),
        "labelled PostgreSQL": [
            text for dialect, text, _, _ in LABELLED if dialect == "postgresql"
        ],
        "labelled MySQL": [text for dialect, text, _, _ in LABELLED if dialect == "mysql"],
    }
    print(f"# SQL parsers\n\nPython {platform.python_version()}, {platform.platform()}\n")

    parsers = raw_parsers()
    rates = {
        set_name: {name: throughput(parse, texts, args.rounds) for name, parse in parsers.items()}
        for set_name, texts in sets.items()
    }
    print("## Statements per second (median of", args.rounds, "passes)\n")
    print("| set | statements | " + " | ".join(parsers) + " |")
    print("|---|---:|" + "---:|" * len(parsers))
    for set_name, texts in sets.items():
        cells = " | ".join(f"{rates[set_name][name]:,.0f}" for name in parsers)
        print(f"| {set_name} | {len(texts)} | {cells} |")

    imports = import_cost(args.imports)
    print(f"\n## Import and first parse, fresh interpreter (median of {args.imports})\n")
    print("| parser | ms |\n|---|---:|")
    for name, seconds in imports.items():
        print(f"| {name} | {seconds * 1000:.0f} |")

    misses = fidelity()
    totals = {d: sum(1 for label in LABELLED if label[0] == d) for d in ("postgresql", "mysql")}
    print("\n## Hand-labelled statements read right\n")
    print(f"| parser | PostgreSQL (of {totals['postgresql']}) | MySQL (of {totals['mysql']}) |")
    print("|---|---:|---:|")
    for name, wrong in misses.items():
        print(
            f"| {name} | {totals['postgresql'] - len(wrong['postgresql'])} "
            f"| {totals['mysql'] - len(wrong['mysql'])} |"
        )
    for name, wrong in misses.items():
        for dialect, texts in wrong.items():
            if texts:
                print(f"\n{name}, {dialect}, wrong or rejected:\n")
                print("\n".join(f"- `{text}`" for text in texts))

    if args.json:
        args.json.write_text(
            json.dumps(
                {"rates": rates, "imports": imports, "misses": misses, "totals": totals}, indent=2
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
