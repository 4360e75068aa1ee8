"""alembic_lint.sql: statements and actions, splitting, bind parameters, and never raising."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pglast.parser import parse_sql_json

from alembic_lint import sql
from alembic_lint.sql import Action, Statement, _sqlglot, parse_sql

A = Action
PG = {"parser": "postgresql"}
MY = {"parser": "mysql"}


def table(name, *, parser=PG, **fields):
    return {"kind": "alter_table", "table": name, **parser, **fields}


# statement -> (fields of the one Statement, its actions)
STATEMENTS = [
    # --- renames: the traps
    pytest.param(
        "ALTER TABLE t RENAME CONSTRAINT a TO b",
        table("t"),
        [A("rename_constraint", name="a", target="b")],
        id="rename-constraint-is-not-a-column",
    ),
    pytest.param(
        "ALTER INDEX i RENAME TO j",
        {"kind": "other", "table": None, "name": "i", "tables": ()},
        [A("rename_index", name="i", target="j")],
        id="alter-index-rename",
    ),
    pytest.param(
        "ALTER INDEX s.i RENAME TO j",
        {"kind": "other", "schema": "s", "name": "i"},
        [A("rename_index", name="i", target="j")],
        id="alter-index-rename-qualified",
    ),
    pytest.param(
        "ALTER TABLE t RENAME TO u",
        table("t", tables=("t",)),
        [A("rename_table", target="u")],
        id="rename-table",
    ),
    pytest.param(
        "ALTER TABLE IF EXISTS t RENAME TO u",
        table("t", flags=("if_exists",)),
        [A("rename_table", target="u")],
        id="rename-table-if-exists",
    ),
    pytest.param(
        "ALTER TABLE t RENAME COLUMN a TO b",
        table("t"),
        [A("rename_column", column="a", target="b")],
        id="rename-column",
    ),
    pytest.param(
        "ALTER TABLE t RENAME a TO b",
        table("t"),
        [A("rename_column", column="a", target="b")],
        id="rename-column-without-keyword",
    ),
    pytest.param(
        'ALTER TABLE "Users" RENAME "Email" TO email',
        table("Users"),
        [A("rename_column", column="Email", target="email")],
        id="quoted-identifiers-kept",
    ),
    pytest.param(
        "ALTER VIEW v RENAME COLUMN a TO b",
        {"kind": "other", "table": None},
        [],
        id="view-column-rename-is-other",
    ),
    pytest.param(
        "ALTER SEQUENCE s RENAME TO t",
        {"kind": "other"},
        [],
        id="sequence-rename-is-other",
    ),
    # --- indexes
    pytest.param(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON s.t (a, lower(b)) WHERE c",
        {
            "kind": "create_index",
            "table": "t",
            "schema": "s",
            "name": "ix",
            "flags": ("concurrently", "if_not_exists", "unique"),
            "tables": ("t",),
        },
        [],
        id="create-unique-index-concurrently-if-not-exists",
    ),
    pytest.param(
        "CREATE INDEX ON t (a)",
        {"kind": "create_index", "table": "t", "name": None, "flags": ()},
        [],
        id="create-index-unnamed",
    ),
    pytest.param(
        "DROP INDEX CONCURRENTLY ix",
        {"kind": "drop_index", "name": "ix", "values": ("ix",), "flags": ("concurrently",)},
        [],
        id="drop-index-concurrently",
    ),
    pytest.param(
        "DROP INDEX IF EXISTS s.a, b",
        {"kind": "drop_index", "name": "a", "schema": "s", "values": ("a", "b")},
        [],
        id="drop-index-several",
    ),
    pytest.param(
        "REINDEX INDEX CONCURRENTLY ix",
        {"kind": "reindex", "name": "ix", "table": None, "flags": ("concurrently",)},
        [],
        id="reindex-index-concurrently",
    ),
    pytest.param(
        "REINDEX (CONCURRENTLY) TABLE s.t",
        {
            "kind": "reindex",
            "table": "t",
            "schema": "s",
            "flags": ("concurrently",),
            "tables": ("t",),
        },
        [],
        id="reindex-table-option-list",
    ),
    pytest.param(
        "REINDEX (CONCURRENTLY false) INDEX ix",
        {"kind": "reindex", "name": "ix", "flags": ()},
        [],
        id="reindex-concurrently-false",
    ),
    pytest.param(
        "REINDEX (CONCURRENTLY 0, VERBOSE) INDEX ix",
        {"kind": "reindex", "flags": ()},
        [],
        id="reindex-concurrently-zero",
    ),
    pytest.param(
        "REINDEX (VERBOSE) INDEX ix",
        {"kind": "reindex", "flags": ()},
        [],
        id="reindex-verbose",
    ),
    pytest.param(
        "REINDEX SCHEMA CONCURRENTLY app",
        {"kind": "reindex", "name": "app", "flags": ("concurrently",)},
        [],
        id="reindex-schema",
    ),
    pytest.param(
        "ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
        table("p", flags=("concurrently",)),
        [A("detach_partition", name="c", flags=("concurrently",))],
        id="detach-partition-concurrently",
    ),
    pytest.param(
        "ALTER TABLE p DETACH PARTITION c",
        table("p", flags=()),
        [A("detach_partition", name="c")],
        id="detach-partition",
    ),
    # --- constraints
    pytest.param(
        "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u(id) NOT VALID",
        table("t", tables=("t", "u")),
        [
            A(
                "add_constraint",
                column="a",
                name="fk",
                constraint="foreign_key",
                references="u",
                flags=("not_valid",),
            )
        ],
        id="foreign-key-not-valid",
    ),
    pytest.param(
        "ALTER TABLE t ADD FOREIGN KEY (a, b) REFERENCES s.u",
        table("t", tables=("t", "u")),
        [A("add_constraint", constraint="foreign_key", references="u")],
        id="foreign-key-two-columns",
    ),
    pytest.param(
        "ALTER TABLE t VALIDATE CONSTRAINT fk",
        table("t"),
        [A("validate_constraint", name="fk")],
        id="validate-constraint",
    ),
    pytest.param(
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX ix",
        table("t"),
        [A("add_constraint", name="u", constraint="unique", flags=("using_index",))],
        id="unique-using-index",
    ),
    pytest.param(
        "ALTER TABLE t ADD PRIMARY KEY USING INDEX ix",
        table("t"),
        [A("add_constraint", constraint="primary_key", flags=("using_index",))],
        id="primary-key-using-index",
    ),
    pytest.param(
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)",
        table("t"),
        [A("add_constraint", column="a", name="u", constraint="unique")],
        id="unique",
    ),
    pytest.param(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (x IS NOT NULL) NOT VALID",
        table("t"),
        [
            A(
                "add_constraint",
                column="x",
                name="c",
                constraint="check",
                expression="x IS NOT NULL",
                flags=("not_valid",),
            )
        ],
        id="check-is-not-null-not-valid",
    ),
    pytest.param(
        "ALTER TABLE t ADD CHECK (price > 0 AND f(price, 2) < 10)",
        table("t"),
        [
            A(
                "add_constraint",
                constraint="check",
                expression="price > 0 AND f(price, 2) < 10",
                functions=("f",),
            )
        ],
        id="check-with-function",
    ),
    pytest.param(
        "ALTER TABLE t ADD CHECK (x IS NULL)",
        table("t"),
        [A("add_constraint", constraint="check", expression="x IS NULL")],
        id="check-is-null-names-no-column",
    ),
    pytest.param(
        "ALTER TABLE t ADD CHECK ((a + b) IS NOT NULL)",
        table("t"),
        [A("add_constraint", constraint="check", expression="(a + b) IS NOT NULL")],
        id="check-expression-not-null-names-no-column",
    ),
    pytest.param(
        "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (r WITH &&)",
        table("t"),
        [A("add_constraint", name="ex", constraint="exclude")],
        id="exclude",
    ),
    pytest.param(
        "ALTER TABLE t ADD CONSTRAINT n NOT NULL a, ADD NOT NULL b NOT VALID",
        table("t"),
        [
            A("set_not_null", column="a", name="n"),
            A("set_not_null", column="b", flags=("not_valid",)),
        ],
        id="not-null-constraint-is-set-not-null",
    ),
    pytest.param(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED, "
        "ADD FOREIGN KEY (b) REFERENCES u NOT ENFORCED, ADD UNIQUE (c)",
        table("t", tables=("t", "u")),
        [
            A(
                "add_constraint",
                name="c",
                constraint="check",
                expression="a > 0",
                flags=("not_enforced",),
            ),
            A(
                "add_constraint",
                column="b",
                constraint="foreign_key",
                references="u",
                flags=("not_enforced",),
            ),
            A("add_constraint", column="c", constraint="unique"),
        ],
        id="not-enforced-is-not-not-valid",
    ),
    pytest.param(
        "ALTER TABLE t ADD CONSTRAINT n CHECK (a > 0) NO INHERIT, ADD CONSTRAINT n2 PRIMARY KEY (a, b) INCLUDE (c)",
        table("t"),
        [
            A("add_constraint", name="n", constraint="check", expression="a > 0"),
            A("add_constraint", name="n2", constraint="primary_key"),
        ],
        id="constraint-options",
    ),
    pytest.param(
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS c CASCADE",
        table("t"),
        [A("drop_constraint", name="c", flags=("if_exists",))],
        id="drop-constraint",
    ),
    # --- columns
    pytest.param(
        "ALTER TABLE t ADD COLUMN c uuid NOT NULL DEFAULT gen_random_uuid()",
        table("t"),
        [
            A(
                "add_column",
                column="c",
                type="uuid",
                default="gen_random_uuid()",
                functions=("gen_random_uuid",),
                not_null=True,
            )
        ],
        id="add-column-volatile-default",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED",
        table("t"),
        [A("add_column", column="c", type="int4", flags=("generated_stored",))],
        id="add-column-generated-stored",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (abs(a)) VIRTUAL",
        table("t"),
        [A("add_column", column="c", type="int4", functions=("abs",))],
        id="add-column-generated-virtual",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN id serial, ADD id2 bigserial, ADD id3 smallserial",
        table("t"),
        [
            A("add_column", column="id", type="serial", flags=("serial",)),
            A("add_column", column="id2", type="bigserial", flags=("serial",)),
            A("add_column", column="id3", type="smallserial", flags=("serial",)),
        ],
        id="add-column-serial",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN id bigint GENERATED BY DEFAULT AS IDENTITY",
        table("t"),
        [A("add_column", column="id", type="int8", flags=("identity",))],
        id="add-column-identity",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS c text DEFAULT 'x' COLLATE \"C\" NOT NULL",
        table("t"),
        [
            A(
                "add_column",
                column="c",
                type="text",
                default="'x'",
                not_null=True,
                flags=("if_not_exists",),
            )
        ],
        id="add-column-default-before-collate",
    ),
    pytest.param(
        "ALTER TABLE t ADD c text COLLATE \"C\" DEFAULT 'x'",
        table("t"),
        [A("add_column", column="c", type="text", default="'x'")],
        id="add-column-default-after-collate",
    ),
    pytest.param(
        "ALTER TABLE t ADD c timestamptz DEFAULT now() NOT NULL, ADD d date DEFAULT CURRENT_DATE",
        table("t"),
        [
            A(
                "add_column",
                column="c",
                type="timestamptz",
                default="now()",
                functions=("now",),
                not_null=True,
            ),
            A(
                "add_column",
                column="d",
                type="date",
                default="CURRENT_DATE",
                functions=("current_date",),
            ),
        ],
        id="add-column-stable-defaults",
    ),
    pytest.param(
        "ALTER TABLE t ADD c timestamp(3) DEFAULT CURRENT_TIMESTAMP(3)",
        table("t"),
        [
            A(
                "add_column",
                column="c",
                type="timestamp(3)",
                default="CURRENT_TIMESTAMP(3)",
                functions=("current_timestamp",),
            )
        ],
        id="add-column-current-timestamp-precision",
    ),
    pytest.param(
        "ALTER TABLE t ADD c jsonb DEFAULT '{}'::jsonb NOT NULL",
        table("t"),
        [A("add_column", column="c", type="jsonb", default="'{}'::jsonb", not_null=True)],
        id="add-column-cast-default-as-written",
    ),
    pytest.param(
        "ALTER TABLE t ADD c int DEFAULT (1 + f(2, 3)), ADD d int",
        table("t"),
        [
            A("add_column", column="c", type="int4", default="(1 + f(2, 3))", functions=("f",)),
            A("add_column", column="d", type="int4"),
        ],
        id="add-column-default-ends-at-comma",
    ),
    pytest.param(
        "ALTER TABLE t ADD c bigint DEFAULT nextval('s'::regclass) /* why */ NOT NULL",
        table("t"),
        [
            A(
                "add_column",
                column="c",
                type="int8",
                default="nextval('s'::regclass)",
                functions=("nextval",),
                not_null=True,
            )
        ],
        id="add-column-nextval-comment-skipped",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN u int UNIQUE REFERENCES users (id) ON DELETE CASCADE",
        table("t", tables=("t", "users")),
        [
            A(
                "add_column",
                column="u",
                constraint="unique",
                type="int4",
                references="users",
                flags=("references", "unique"),
            )
        ],
        id="add-column-inline-unique-and-references",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN id int PRIMARY KEY",
        table("t"),
        [
            A(
                "add_column",
                column="id",
                constraint="primary_key",
                type="int4",
                flags=("primary_key",),
            )
        ],
        id="add-column-primary-key",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN n int CONSTRAINT pos CHECK (n > 0) CHECK (n < 9) NULL",
        table("t"),
        [
            A(
                "add_column",
                column="n",
                name="pos",
                constraint="check",
                type="int4",
                expression="n > 0",
            )
        ],
        id="add-column-inline-check-first-wins",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN index int",
        table("t"),
        [A("add_column", column="index", type="int4")],
        id="column-named-index-with-column-keyword",
    ),
    pytest.param(
        'ALTER TABLE t ADD "key" text',
        table("t"),
        [A("add_column", column="key", type="text")],
        id="column-named-key-quoted",
    ),
    pytest.param(
        "ALTER TABLE t DROP COLUMN IF EXISTS c, DROP d",
        table("t"),
        [A("drop_column", column="c", flags=("if_exists",)), A("drop_column", column="d")],
        id="drop-columns",
    ),
    pytest.param(
        "ALTER TABLE t ALTER COLUMN c TYPE bigint USING c::bigint",
        table("t"),
        [A("alter_column_type", column="c", type="int8", flags=("using",))],
        id="alter-type-using",
    ),
    pytest.param(
        "ALTER TABLE t ALTER c SET DATA TYPE character varying(20)",
        table("t"),
        [A("alter_column_type", column="c", type="varchar(20)")],
        id="alter-type-varchar",
    ),
    pytest.param(
        "ALTER TABLE t ALTER COLUMN c SET NOT NULL, ALTER d DROP NOT NULL",
        table("t"),
        [A("set_not_null", column="c"), A("drop_not_null", column="d")],
        id="set-and-drop-not-null",
    ),
    pytest.param(
        "ALTER TABLE t ALTER c SET DEFAULT (1), ALTER d SET DEFAULT now() AT TIME ZONE 'utc', ALTER e DROP DEFAULT",
        table("t"),
        [
            A("set_default", column="c", default="(1)"),
            A(
                "set_default",
                column="d",
                default="now() AT TIME ZONE 'utc'",
                functions=("now", "timezone"),
            ),
            A("drop_default", column="e"),
        ],
        id="set-and-drop-default",
    ),
    pytest.param(
        "ALTER TABLE t ALTER c SET DEFAULT :v",
        table("t"),
        [A("set_default", column="c", default=":v")],
        id="set-default-bind-as-written",
    ),
    pytest.param(
        "ALTER TABLE ONLY t SET (fillfactor = 70), OWNER TO bob",
        table("t"),
        [A("other"), A("other")],
        id="other-subcommands",
    ),
    pytest.param(
        "ALTER TABLE t ALTER c SET STATISTICS 100, CLUSTER ON ix",
        table("t"),
        [A("other"), A("other")],
        id="other-subcommands-name-nothing",
    ),
    # --- types as PostgreSQL names them
    pytest.param(
        "ALTER TABLE t ADD a integer, ADD b character varying(255), ADD c timestamp(3) with time zone, "
        "ADD d double precision, ADD e decimal(10, 2), ADD f char, ADD g int[], ADD h text[3][], "
        'ADD i public."MyType", ADD j geometry(Point, 4326), ADD k numeric(1 + 1), '
        "ADD l interval day to second(3), ADD m enum('a','b'), ADD n bit varying(5), ADD o numeric(NULL)",
        table("t"),
        [
            A("add_column", column="a", type="int4"),
            A("add_column", column="b", type="varchar(255)"),
            A("add_column", column="c", type="timestamptz(3)"),
            A("add_column", column="d", type="float8"),
            A("add_column", column="e", type="numeric(10, 2)"),
            A("add_column", column="f", type="bpchar(1)"),
            A("add_column", column="g", type="int4[]"),
            A("add_column", column="h", type="text[3][]"),
            A("add_column", column="i", type="public.MyType"),
            A("add_column", column="j", type="geometry(point, 4326)"),
            A("add_column", column="k", type="numeric"),
            A("add_column", column="l", type="interval"),
            A("add_column", column="m", type="enum('a', 'b')"),
            A("add_column", column="n", type="varbit(5)"),
            A("add_column", column="o", type="numeric(null)"),
        ],
        id="type-names",
    ),
    pytest.param(
        "ALTER TABLE t ADD a numeric(1.5)",
        table("t"),
        [A("add_column", column="a", type="numeric(1.5)")],
        id="type-modifier-as-written",
    ),
    # --- types
    pytest.param(
        "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'sad'",
        {"kind": "alter_type", "name": "mood", "table": None},
        [A("add_value", name="happy", flags=("if_not_exists",))],
        id="enum-add-value",
    ),
    pytest.param(
        "ALTER TYPE s.mood ADD VALUE 'ok'",
        {"kind": "alter_type", "name": "mood", "schema": "s"},
        [A("add_value", name="ok")],
        id="enum-add-value-plain",
    ),
    pytest.param(
        "ALTER TYPE mood RENAME VALUE 'a' TO 'b'",
        {"kind": "alter_type", "name": "mood"},
        [A("rename_value", name="a", target="b")],
        id="enum-rename-value",
    ),
    pytest.param(
        "ALTER TYPE addr ADD ATTRIBUTE zip text",
        {"kind": "alter_type", "name": "addr", "table": None, "tables": ()},
        [A("add_column", column="zip", type="text")],
        id="composite-add-attribute",
    ),
    pytest.param(
        "ALTER TYPE mood RENAME TO feeling",
        {"kind": "other"},
        [],
        id="type-rename-is-other",
    ),
    pytest.param(
        "CREATE TYPE mood AS ENUM ('a', 'b')",
        {"kind": "create_type", "name": "mood", "values": ("a", "b")},
        [],
        id="create-enum",
    ),
    pytest.param(
        "CREATE TYPE s.empty AS ENUM ()",
        {"kind": "create_type", "name": "empty", "schema": "s", "values": ()},
        [],
        id="create-empty-enum",
    ),
    pytest.param(
        "CREATE TYPE s.pair AS (a int, b text)",
        {"kind": "create_type", "name": "pair", "schema": "s"},
        [],
        id="create-composite-type",
    ),
    pytest.param(
        "CREATE TYPE span AS RANGE (subtype = int4)",
        {"kind": "create_type", "name": "span"},
        [],
        id="create-range-type",
    ),
    pytest.param(
        "DROP TYPE IF EXISTS mood, s.other",
        {"kind": "drop_type", "name": "mood", "values": ("mood", "other"), "flags": ("if_exists",)},
        [],
        id="drop-type",
    ),
    # --- tables and views
    pytest.param(
        "CREATE TABLE IF NOT EXISTS s.t (id serial PRIMARY KEY, b text REFERENCES u DEFAULT 'x', "
        "CONSTRAINT c CHECK (b <> ''), UNIQUE (b), LIKE other)",
        {
            "kind": "create_table",
            "table": "t",
            "schema": "s",
            "flags": ("if_not_exists",),
            "tables": ("t", "u"),
        },
        [
            A(
                "add_column",
                column="id",
                constraint="primary_key",
                type="serial",
                flags=("primary_key", "serial"),
            ),
            A(
                "add_column",
                column="b",
                constraint="foreign_key",
                type="text",
                default="'x'",
                references="u",
                flags=("references",),
            ),
            A("add_constraint", name="c", constraint="check", expression="b <> ''"),
            A("add_constraint", column="b", constraint="unique"),
        ],
        id="create-table",
    ),
    pytest.param(
        "CREATE TABLE c () INHERITS (p)",
        {"kind": "create_table", "table": "c", "tables": ("c", "p")},
        [],
        id="create-table-inherits",
    ),
    pytest.param(
        "CREATE TABLE t2 AS SELECT * FROM t JOIN u USING (id)",
        {"kind": "create_table", "table": "t2", "tables": ("t2", "t", "u")},
        [],
        id="create-table-as",
    ),
    pytest.param(
        "CREATE MATERIALIZED VIEW mv AS SELECT 1",
        {"kind": "other"},
        [],
        id="materialized-view-is-other",
    ),
    pytest.param(
        "CREATE OR REPLACE VIEW old_name AS SELECT * FROM new_name",
        {"kind": "create_view", "name": "old_name", "table": None, "tables": ("new_name",)},
        [],
        id="create-or-replace-view",
    ),
    pytest.param(
        "DROP TABLE IF EXISTS a, s.b CASCADE",
        {
            "kind": "drop_table",
            "table": "a",
            "values": ("a", "b"),
            "tables": ("a", "b"),
            "flags": ("if_exists",),
        },
        [],
        id="drop-table",
    ),
    pytest.param("DROP VIEW v", {"kind": "other"}, [], id="drop-view-is-other"),
    # --- data
    pytest.param(
        "UPDATE s.t SET a = u.b FROM u WHERE t.id = u.id AND EXISTS (SELECT 1 FROM w)",
        {"kind": "update", "table": "t", "schema": "s", "tables": ("t", "u", "w"), "flags": ()},
        [],
        id="update-from",
    ),
    pytest.param(
        "DELETE FROM t USING u WHERE t.a = u.a",
        {"kind": "delete", "table": "t", "tables": ("t", "u")},
        [],
        id="delete-using",
    ),
    pytest.param(
        "INSERT INTO t SELECT a FROM u",
        {"kind": "insert", "table": "t", "flags": ("select_source",), "tables": ("t", "u")},
        [],
        id="insert-select",
    ),
    pytest.param(
        "WITH x AS (SELECT * FROM v) INSERT INTO t (a) SELECT a FROM x JOIN u ON true",
        {"kind": "insert", "table": "t", "flags": ("select_source",), "tables": ("t", "v", "u")},
        [],
        id="insert-select-cte-name-left-out",
    ),
    pytest.param(
        "INSERT INTO t VALUES (1), (2)",
        {"kind": "insert", "table": "t", "flags": (), "tables": ("t",)},
        [],
        id="insert-values",
    ),
    pytest.param(
        "INSERT INTO t DEFAULT VALUES",
        {"kind": "insert", "table": "t", "flags": ()},
        [],
        id="insert-default-values",
    ),
    pytest.param(
        "SELECT setval('s', (SELECT max(id) FROM t))",
        {"kind": "select", "table": None, "tables": ("t",)},
        [],
        id="select",
    ),
    # --- settings and transactions
    pytest.param(
        "SET lock_timeout = '5s'",
        {"kind": "set", "name": "lock_timeout", "values": ("5s",), "flags": ()},
        [],
        id="set-lock-timeout",
    ),
    pytest.param(
        "SET LOCAL statement_timeout TO 0",
        {"kind": "set", "name": "statement_timeout", "values": ("0",), "flags": ("local",)},
        [],
        id="set-local",
    ),
    pytest.param(
        "SET SESSION lock_wait_timeout = 5",
        {"kind": "set", "name": "lock_wait_timeout", "values": ("5",), **PG},
        [],
        id="set-session-is-also-postgresql",
    ),
    pytest.param(
        'SET search_path TO a, "B"',
        {"kind": "set", "name": "search_path", "values": ("a", "B")},
        [],
        id="set-list",
    ),
    pytest.param(
        "SET x = 1.5",
        {"kind": "set", "values": ("1.5",)},
        [],
        id="set-float",
    ),
    pytest.param(
        "SET x = on",
        {"kind": "set", "values": ("on",)},
        [],
        id="set-on",
    ),
    pytest.param(
        "SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE",
        {"kind": "set", "name": "timezone", "values": ("TypeCast",)},
        [],
        id="set-non-constant",
    ),
    pytest.param(
        "SET statement_timeout TO DEFAULT",
        {"kind": "set", "name": "statement_timeout", "values": ()},
        [],
        id="set-default",
    ),
    pytest.param("RESET lock_timeout", {"kind": "other"}, [], id="reset-is-other"),
    pytest.param("COMMIT", {"kind": "commit"}, [], id="commit"),
    pytest.param("END", {"kind": "commit"}, [], id="end"),
    pytest.param("BEGIN", {"kind": "begin"}, [], id="begin"),
    pytest.param("START TRANSACTION", {"kind": "begin"}, [], id="start-transaction"),
    pytest.param("ROLLBACK", {"kind": "other"}, [], id="rollback"),
    pytest.param("DO $$ BEGIN PERFORM 1; END $$", {"kind": "other", **PG}, [], id="do-block"),
    # --- MySQL, through sqlglot
    pytest.param(
        "ALTER TABLE t MODIFY c VARCHAR(255) NOT NULL",
        table("t", parser=MY),
        [A("modify_column", column="c", type="varchar(255)", not_null=True)],
        id="mysql-modify",
    ),
    pytest.param(
        "ALTER TABLE t MODIFY status ENUM('a','b') NULL DEFAULT 'a'",
        table("t", parser=MY),
        [A("modify_column", column="status", type="enum('a', 'b')", default="'a'")],
        id="mysql-modify-enum",
    ),
    pytest.param(
        "ALTER TABLE t CHANGE a b INT",
        table("t", parser=MY),
        [A("change_column", column="a", target="b", type="int")],
        id="mysql-change",
    ),
    pytest.param(
        "ALTER TABLE `db`.`T` CHANGE `a` `B` INT",
        table("T", parser=MY, schema="db"),
        [A("change_column", column="a", target="B", type="int")],
        id="mysql-backticks",
    ),
    pytest.param(
        "ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0, ALGORITHM=INSTANT",
        table("t", parser=MY),
        [A("add_column", column="c", type="int", default="0", not_null=True)],
        id="mysql-algorithm-instant",
    ),
    pytest.param(
        "ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE, ADD COLUMN d DATETIME DEFAULT CURRENT_TIMESTAMP",
        table("t", parser=MY),
        [
            A(
                "add_column",
                column="d",
                type="datetime",
                default="CURRENT_TIMESTAMP()",
                functions=("current_timestamp",),
            )
        ],
        id="mysql-algorithm-lock-first",
    ),
    pytest.param(
        "ALTER TABLE `t` ADD COLUMN IF NOT EXISTS id INT AUTO_INCREMENT PRIMARY KEY, "
        "ADD COLUMN u INT UNIQUE REFERENCES x(id), ADD COLUMN n INT NULL CHECK (n > 0), "
        "ADD COLUMN g INT AS (abs(a)) STORED, ADD COLUMN v INT AS (a * 2) VIRTUAL, ADD COLUMN s SERIAL, "
        "ADD COLUMN c CHAR(36) DEFAULT (UUID())",
        table("t", parser=MY, tables=("t", "x")),
        [
            A(
                "add_column",
                column="id",
                constraint="primary_key",
                type="int",
                flags=("identity", "if_not_exists", "primary_key"),
            ),
            A(
                "add_column",
                column="u",
                constraint="unique",
                type="int",
                references="x",
                flags=("references", "unique"),
            ),
            A("add_column", column="n", constraint="check", type="int", expression="n > 0"),
            A(
                "add_column",
                column="g",
                type="int",
                functions=("abs",),
                flags=("generated_stored",),
            ),
            A("add_column", column="v", type="int"),
            A("add_column", column="s", type="serial", flags=("serial",)),
            A("add_column", column="c", type="char(36)", default="(UUID())", functions=("uuid",)),
        ],
        id="mysql-add-columns",
    ),
    pytest.param(
        "ALTER TABLE `t` ADD INDEX ix (a), ADD UNIQUE INDEX ux (b), ADD UNIQUE (c), "
        "ADD CONSTRAINT uq UNIQUE (a), ADD PRIMARY KEY (a, b), ADD FOREIGN KEY (b) REFERENCES `s`.`U`(id), "
        "ADD CONSTRAINT nn CHECK (x IS NOT NULL), ADD CONSTRAINT pos CHECK (x > 0), "
        "ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES v (id)",
        table("t", parser=MY, tables=("t", "U", "v")),
        [
            A("other", name="ix"),
            A("add_constraint", column="b", name="ux", constraint="unique"),
            A("add_constraint", column="c", constraint="unique"),
            A("add_constraint", column="a", name="uq", constraint="unique"),
            A("add_constraint", constraint="primary_key"),
            A("add_constraint", column="b", constraint="foreign_key", references="U"),
            A(
                "add_constraint",
                column="x",
                name="nn",
                constraint="check",
                expression="NOT x IS NULL",
            ),
            A("add_constraint", name="pos", constraint="check", expression="x > 0"),
            A("add_constraint", column="c", name="fk", constraint="foreign_key", references="v"),
        ],
        id="mysql-add-constraints",
    ),
    pytest.param(
        "ALTER TABLE t ADD INDEX ix (a), ADD KEY k (b)",
        table("t", parser=MY),
        [A("other", name="ix"), A("other", name="k")],
        id="mysql-add-index-is-not-a-column-named-index",
    ),
    pytest.param(
        "ALTER TABLE `t` DROP PRIMARY KEY, DROP CHECK c, DROP CONSTRAINT d, DROP FOREIGN KEY fk, "
        "DROP INDEX ix, DROP COLUMN c, RENAME COLUMN a TO b, RENAME INDEX i TO j, RENAME TO u",
        table("t", parser=MY),
        [
            A("other"),
            A("drop_constraint", name="c"),
            A("drop_constraint", name="d"),
            A("drop_constraint", name="fk"),
            A("other", name="ix"),
            A("drop_column", column="c"),
            A("rename_column", column="a", target="b"),
            A("rename_index", name="i", target="j"),
            A("rename_table", target="u"),
        ],
        id="mysql-drops-and-renames",
    ),
    pytest.param(
        "ALTER TABLE `t` ALTER COLUMN c DROP DEFAULT, ALTER COLUMN d SET DEFAULT 'x', "
        "ALTER COLUMN e SET DEFAULT (rand()), ALTER COLUMN f SET DATA TYPE INT, ALTER COLUMN g SET VISIBLE",
        table("t", parser=MY),
        [
            A("drop_default", column="c"),
            A("set_default", column="d", default="'x'"),
            A("set_default", column="e", default="(RAND())", functions=("rand",)),
            A("alter_column_type", column="f", type="int"),
            A("other", column="g"),
        ],
        id="mysql-alter-column",
    ),
    pytest.param(
        "ALTER TABLE `t` ALTER COLUMN c SET NOT NULL, ALTER COLUMN d DROP NOT NULL, "
        "DROP COLUMN e, ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u NOT VALID",
        table("t", parser=MY, tables=("t", "u")),
        [
            A("set_not_null", column="c"),
            A("drop_not_null", column="d"),
            A("drop_column", column="e"),
            A(
                "add_constraint",
                column="a",
                name="fk",
                constraint="foreign_key",
                references="u",
                flags=("not_valid",),
            ),
        ],
        id="mysql-grammar-with-postgresql-clauses",
    ),
    pytest.param(
        "ALTER TABLE `t` ADD COLUMN u INT REFERENCES x, ADD COLUMN c CHAR(1) DEFAULT (CAST(0 AS CHAR))",
        table("t", parser=MY, tables=("t", "x")),
        [
            A(
                "add_column",
                column="u",
                constraint="foreign_key",
                type="int",
                references="x",
                flags=("references",),
            ),
            A("add_column", column="c", type="char(1)", default="(CAST(0 AS CHAR))"),
        ],
        id="mysql-reference-without-columns-and-cast-is-no-function",
    ),
    pytest.param(
        "ALTER TABLE `t` ENGINE=InnoDB",
        table("t", parser=MY),
        [],
        id="mysql-table-options-only",
    ),
    pytest.param(
        "ALTER TABLE `t` ADD COLUMN c INT FIRST",
        table("t", parser=MY),
        [A("add_column", column="c", type="int")],
        id="mysql-first",
    ),
    pytest.param(
        "RENAME TABLE `db`.a TO b, c TO `D`",
        table("a", parser=MY, schema="db", tables=("a", "c")),
        [A("rename_table", target="b"), A("rename_table", target="D")],
        id="mysql-rename-table",
    ),
    pytest.param("RENAME TABLE a", {"kind": "unparsed"}, [], id="mysql-rename-table-no-target"),
    pytest.param("RENAME USER a TO b", {"kind": "unparsed"}, [], id="mysql-rename-user"),
    pytest.param(
        "CREATE UNIQUE INDEX `ux` ON `db`.`t` (a)",
        {
            "kind": "create_index",
            "table": "t",
            "schema": "db",
            "name": "ux",
            "flags": ("unique",),
            **MY,
        },
        [],
        id="mysql-create-index",
    ),
    pytest.param(
        "DROP INDEX `ix` ON `t`",
        {"kind": "drop_index", "name": "ix", "table": "t", "tables": ("t",), **MY},
        [],
        id="mysql-drop-index",
    ),
    pytest.param(
        "DROP TABLE IF EXISTS `a`, `db`.`b`",
        {"kind": "drop_table", "table": "a", "values": ("a", "b"), "flags": ("if_exists",), **MY},
        [],
        id="mysql-drop-table",
    ),
    pytest.param("DROP VIEW `v`", {"kind": "other", **MY}, [], id="mysql-drop-view"),
    pytest.param(
        "CREATE TABLE `t` (id INT NOT NULL AUTO_INCREMENT, u INT REFERENCES x(id), PRIMARY KEY (id), KEY k (u))",
        {"kind": "create_table", "table": "t", "tables": ("t", "x"), **MY},
        [
            A("add_column", column="id", type="int", not_null=True, flags=("identity",)),
            A(
                "add_column",
                column="u",
                constraint="foreign_key",
                type="int",
                references="x",
                flags=("references",),
            ),
            A("add_constraint", column="id", constraint="primary_key"),
            A("other", name="k"),
        ],
        id="mysql-create-table",
    ),
    pytest.param(
        "CREATE TABLE IF NOT EXISTS `t2` AS SELECT * FROM `t`",
        {
            "kind": "create_table",
            "table": "t2",
            "flags": ("if_not_exists",),
            "tables": ("t2", "t"),
            **MY,
        },
        [],
        id="mysql-create-table-as",
    ),
    pytest.param(
        "CREATE VIEW `v` AS SELECT a FROM `t` JOIN `u` ON 1",
        {"kind": "create_view", "name": "v", "tables": ("t", "u"), **MY},
        [],
        id="mysql-create-view",
    ),
    pytest.param("CREATE DATABASE `d`", {"kind": "other", **MY}, [], id="mysql-create-other"),
    pytest.param(
        "UPDATE `t` JOIN u ON 1 SET a = :x",
        {"kind": "update", "table": "t", "tables": ("t", "u"), **MY},
        [],
        id="mysql-update-join",
    ),
    pytest.param(
        "INSERT INTO `t` (a) VALUES (%s)",
        {"kind": "insert", "table": "t", "flags": (), **MY},
        [],
        id="mysql-insert-values",
    ),
    pytest.param(
        "INSERT INTO `t` SELECT * FROM `u` UNION SELECT * FROM `w`",
        {
            "kind": "insert",
            "table": "t",
            "flags": ("select_source",),
            "tables": ("t", "u", "w"),
            **MY,
        },
        [],
        id="mysql-insert-select",
    ),
    pytest.param(
        "DELETE FROM `t` WHERE b = %(b)s",
        {"kind": "delete", "table": "t", **MY},
        [],
        id="mysql-delete",
    ),
    pytest.param(
        "WITH x AS (SELECT 1) SELECT * FROM x JOIN `db`.`x` ON 1",
        {"kind": "select", "table": None, "tables": ("x",), **MY},
        [],
        id="mysql-select-cte",
    ),
    pytest.param(
        "SET @@session.lock_wait_timeout = 5",
        {"kind": "set", "name": "lock_wait_timeout", "values": ("5",), "flags": (), **MY},
        [],
        id="mysql-set-session-variable",
    ),
    pytest.param(
        "SET @@GLOBAL.lock_wait_timeout = 5",
        {"kind": "set", "flags": ("global",), **MY},
        [],
        id="mysql-set-global-variable",
    ),
    pytest.param(
        "SET GLOBAL `lock_wait_timeout` = 5",
        {"kind": "set", "name": "lock_wait_timeout", "flags": ("global",), **MY},
        [],
        id="mysql-set-global",
    ),
    pytest.param(
        "SET `sql_mode` = CONCAT(@@sql_mode, ',X')",
        {"kind": "set", "name": "sql_mode", "values": ("CONCAT(@@sql_mode, ',X')",), **MY},
        [],
        id="mysql-set-expression",
    ),
    pytest.param("SET @x = 1", {"kind": "other", **MY}, [], id="mysql-user-variable"),
    pytest.param(
        "SET PERSIST `max_connections` = 100",
        {"kind": "set", "name": "max_connections", "flags": ("global",), **MY},
        [],
        id="mysql-set-persist",
    ),
    pytest.param("SET NAMES `utf8`", {"kind": "other", **MY}, [], id="mysql-set-names"),
    pytest.param("USE `db`", {"kind": "other", **MY}, [], id="mysql-use"),
    pytest.param("COMMIT NO RELEASE", {"kind": "unparsed"}, [], id="mysql-commit-release"),
    pytest.param(
        "OPTIMIZE TABLE t", {"kind": "unparsed", "parser": "none"}, [], id="mysql-command-unparsed"
    ),
    pytest.param(
        "bogus stuff", {"kind": "unparsed", "parser": "none", "table": None}, [], id="bogus"
    ),
]


@pytest.mark.parametrize(("sql", "fields", "actions"), STATEMENTS)
def test_statement(sql, fields, actions):
    (statement,) = parse_sql(sql)
    assert {name: getattr(statement, name) for name in fields} == fields
    assert statement.actions == tuple(actions)
    assert statement.text == sql
    assert statement.offset == 0


@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ("BEGIN", "mysql", "begin"),
        ("COMMIT", "mysql", "commit"),
        ("ROLLBACK", "mysql", "other"),
        ("ALTER INDEX i RENAME TO j", "postgres", "other"),
    ],
)
def test_sqlglot_alone(sql, dialect, kind):
    """What PostgreSQL's grammar already reads never reaches sqlglot in parse_sql; the benchmark
    compares the parsers on it."""
    assert _sqlglot(sql, 7, dialect) == [Statement(kind, sql, 7, parser=dialect)]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        pytest.param("", [], id="empty"),
        pytest.param(" ;; -- only a comment\n /* and another */ ;", [], id="nothing"),
        pytest.param(
            "SELECT 1; SELECT 2",
            [("select", "SELECT 1", 0), ("select", "SELECT 2", 10)],
            id="two",
        ),
        pytest.param(
            "  SELECT 1 -- trailing; comment\n ; /* lead; */ -- x\n SELECT 2 /* trail */ ;",
            [("select", "SELECT 1", 2), ("select", "SELECT 2", 53)],
            id="comments-are-not-statements",
        ),
        pytest.param(
            "SELECT 'it''s; here'; SELECT \"a;b\" FROM t",
            [("select", "SELECT 'it''s; here'", 0), ("select", 'SELECT "a;b" FROM t', 22)],
            id="quotes",
        ),
        pytest.param(
            "DO $$ BEGIN; END $$; DO $f$ x; $$ y $f$ LANGUAGE sql; SELECT $1",
            [
                ("other", "DO $$ BEGIN; END $$", 0),
                ("other", "DO $f$ x; $$ y $f$ LANGUAGE sql", 21),
                ("select", "SELECT $1", 54),
            ],
            id="dollar-quotes",
        ),
        pytest.param(
            "SELECT 1 /* a; /* nested; */ still; */ ; SELECT 2",
            [("select", "SELECT 1", 0), ("select", "SELECT 2", 41)],
            id="nested-block-comment",
        ),
        pytest.param(
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3",
            [
                (
                    "other",
                    "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END",
                    0,
                ),
                ("select", "SELECT 3", 83),
            ],
            id="begin-atomic-split-by-postgresql",
        ),
        pytest.param(
            "SELECT 'é'; SELECT 'ü' ; UPDATE t SET a = 'ö'",
            [
                ("select", "SELECT 'é'", 0),
                ("select", "SELECT 'ü'", 12),
                ("update", "UPDATE t SET a = 'ö'", 25),
            ],
            id="non-ascii-offsets-are-characters",
        ),
        pytest.param(
            "SELECT 1; bogus; ALTER TABLE `t` DROP COLUMN c; SELECT 'é' ; UPDATE t SET a = 1",
            [
                ("select", "SELECT 1", 0),
                ("unparsed", "bogus", 10),
                ("alter_table", "ALTER TABLE `t` DROP COLUMN c", 17),
                ("select", "SELECT 'é'", 48),
                ("update", "UPDATE t SET a = 1", 61),
            ],
            id="a-failure-keeps-its-neighbours",
        ),
        pytest.param(
            "SELECT 'it\\'s; here' FROM `t`; SELECT 2",
            [("select", "SELECT 'it\\'s; here' FROM `t`", 0), ("select", "SELECT 2", 31)],
            id="mysql-backslash-escape-in-fallback",
        ),
        pytest.param(
            'SELECT `a;b`, "c\\";d" FROM t; SELECT 2',
            [("select", 'SELECT `a;b`, "c\\";d" FROM t', 0), ("select", "SELECT 2", 30)],
            id="mysql-backticks-and-double-quotes-in-fallback",
        ),
        pytest.param(
            "SELECT 1 /* a /* b */ ; `x`",
            [("select", "SELECT 1", 0), ("unparsed", "`x`", 24)],
            id="mysql-block-comments-do-not-nest",
        ),
        pytest.param(
            "SELECT 'a\\'; SELECT `b`",
            [("unparsed", "SELECT 'a\\'; SELECT `b`", 0)],
            id="backslash-read-as-escape-in-fallback",
        ),
        pytest.param(
            "SELECT 1; SELECT 'unterminated",
            [("select", "SELECT 1", 0), ("unparsed", "SELECT 'unterminated", 10)],
            id="unterminated-string",
        ),
        pytest.param(
            "SELECT 1; SELECT $x$ never closed",
            [("select", "SELECT 1", 0), ("unparsed", "SELECT $x$ never closed", 10)],
            id="unterminated-dollar-quote",
        ),
        pytest.param(
            "SELECT 1; SELECT 2 /* never closed; SELECT 3",
            [("select", "SELECT 1", 0), ("select", "SELECT 2", 10)],
            id="unterminated-comment-runs-to-the-end",
        ),
        pytest.param(
            "SELECT 1\x00; DROP TABLE x",
            [("select", "SELECT 1\x00", 0), ("drop_table", "DROP TABLE x", 11)],
            id="nul-hides-nothing-after-it",
        ),
        pytest.param(
            "SELECT a$b$c FROM t; SELECT 2",
            [("select", "SELECT a$b$c FROM t", 0), ("select", "SELECT 2", 21)],
            id="dollar-inside-identifier",
        ),
    ],
)
def test_splitting(sql, expected):
    assert [(s.kind, s.text, s.offset) for s in parse_sql(sql)] == expected


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        pytest.param("UPDATE t SET a = :a WHERE b = :b_2", "update", id="named"),
        pytest.param("UPDATE t SET a = :a::int", "update", id="named-then-cast"),
        pytest.param("SELECT a::text, b::int[] FROM t", "select", id="casts-untouched"),
        pytest.param("UPDATE t SET a = %(a)s, b = %s", "update", id="pyformat"),
        pytest.param("SELECT '10:30', /* :y */ ':x', '%s'", "select", id="in-quotes-and-comments"),
        pytest.param("SELECT :naïve", "select", id="non-ascii-name"),
        pytest.param("SELECT a[\\:2] FROM t", "select", id="escaped-colon"),
        pytest.param("SELECT 5 % 3", "select", id="modulo"),
        pytest.param("UPDATE `t` SET a = :a, b = %(b)s, c = %s", "update", id="mysql"),
        pytest.param("DELETE FROM t WHERE id IN :ids", "delete", id="expanding"),
        pytest.param("DELETE FROM `t` WHERE id IN :ids", "delete", id="expanding-mysql"),
        pytest.param("SELECT :a + %s + :bc", "select", id="short-binds"),
    ],
)
def test_bind_parameters(sql, kind):
    (statement,) = parse_sql(sql)
    assert (statement.kind, statement.text) == (kind, sql)


def test_bind_placeholder_does_not_move_offsets():
    found = parse_sql(
        "UPDATE t SET a = :long_name_here; ALTER TABLE t ADD c int DEFAULT %(x)s, "
        "ADD d int DEFAULT :d, ADD e int DEFAULT 1 + :long_e, ADD f int DEFAULT :f_long + 1"
    )
    assert [(s.kind, s.offset) for s in found] == [("update", 0), ("alter_table", 34)]
    assert [a.default for a in found[1].actions] == ["%(x)s", ":d", "1 + :long_e", ":f_long + 1"]


def test_mysql_set_of_several_variables_gives_one_statement_each():
    sql_text = "SET SESSION `a` = 1, GLOBAL b = 2, c = 3, @@session.d = 4, @u = 5, NAMES utf8"
    found = parse_sql(sql_text)
    assert [(s.kind, s.name, s.values, s.flags) for s in found] == [
        ("set", "a", ("1",), ()),
        ("set", "b", ("2",), ("global",)),
        ("set", "c", ("3",), ("global",)),
        ("set", "d", ("4",), ()),
        ("other", None, (), ()),
        ("other", None, (), ()),
    ]
    assert {(s.text, s.offset, s.parser) for s in found} == {(sql_text, 0, "mysql")}


def test_records_are_plain_json():
    (statement,) = parse_sql("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0, DROP d")
    decoded = json.loads(json.dumps(statement))
    assert decoded[8][0][0] == "add_column"
    assert _rebuild(decoded) == statement


def _rebuild(decoded):
    """A Statement from its JSON form: lists back to tuples."""

    def plain(value):
        return tuple(value) if isinstance(value, list) else value

    fields = [plain(value) for value in decoded]
    fields[8] = tuple(Action(*map(plain, action)) for action in decoded[8])
    return Statement(*fields)


# Statements PostgreSQL accepts, of every kind a migration might hold: each must be read by
# pglast (a failure of the extraction would silently send it to sqlglot).
POSTGRESQL_CORPUS = [
    "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY",
    "ALTER TABLE t ALTER COLUMN c SET STORAGE EXTERNAL, ALTER COLUMN c SET COMPRESSION lz4",
    "ALTER TABLE t CLUSTER ON ix, SET WITHOUT CLUSTER, SET LOGGED, SET UNLOGGED",
    "ALTER TABLE t INHERIT p, NO INHERIT q, OF mytype, NOT OF",
    "ALTER TABLE p ATTACH PARTITION c FOR VALUES FROM (1) TO (10)",
    "ALTER TABLE p ATTACH PARTITION d DEFAULT",
    "ALTER TABLE p DETACH PARTITION c FINALIZE",
    "ALTER TABLE t REPLICA IDENTITY FULL, ENABLE TRIGGER ALL, DISABLE RULE r, FORCE ROW LEVEL SECURITY",
    "ALTER TABLE t SET SCHEMA other",
    "ALTER TABLE t ALTER CONSTRAINT fk DEFERRABLE INITIALLY DEFERRED",
    "ALTER TABLE t ADD COLUMN c int DEFAULT (SELECT 1), ADD COLUMN d int[] DEFAULT ARRAY[1, 2], ADD e text DEFAULT CASE WHEN true THEN 'a' ELSE 'b' END",
    "ALTER TABLE t ADD COLUMN r record DEFAULT ROW(1, 2), ADD s text DEFAULT 'a' || 'b' COLLATE \"C\"",
    "ALTER TABLE t ADD COLUMN j jsonb DEFAULT '{\"a\": [1, 2]}'::jsonb NOT NULL CHECK (j ? 'a')",
    "ALTER TABLE t ADD COLUMN k int DEFAULT -1, ADD l numeric DEFAULT 1.5e3, ADD m boolean DEFAULT false, ADD n text DEFAULT NULL",
    "ALTER TABLE t ADD COLUMN o timestamptz DEFAULT now() - interval '1 day', ADD p date DEFAULT current_date + 1",
    "ALTER TABLE t ADD COLUMN q int CONSTRAINT q_pos CHECK (q > 0) NOT NULL DEFAULT 1 UNIQUE DEFERRABLE",
    "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (a, b) INCLUDE (c) WITH (fillfactor = 70)",
    "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES u (x, y) MATCH FULL ON DELETE SET NULL (a) ON UPDATE CASCADE DEFERRABLE",
    "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (c WITH &&) WHERE (d IS NULL)",
    "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0 AND (b IS NULL OR b < f(a, ARRAY[1,2]))) NO INHERIT",
    'ALTER TABLE t ALTER COLUMN c TYPE varchar(10) COLLATE "C" USING substr(c, 1, 10)',
    "ALTER TABLE t ALTER COLUMN c SET DEFAULT nextval('t_c_seq'::regclass)",
    "ALTER TABLE t ALTER COLUMN c SET DEFAULT (now() AT TIME ZONE 'utc')::date",
    "ALTER TABLE t ALTER COLUMN c DROP EXPRESSION IF EXISTS",
    "ALTER TABLE t ALTER COLUMN c SET (n_distinct = 100), ALTER COLUMN c RESET (n_distinct)",
    "ALTER TABLE ONLY t ALTER COLUMN c SET NOT NULL",
    "ALTER TABLE t DROP COLUMN c CASCADE, DROP CONSTRAINT k RESTRICT",
    "ALTER TABLE IF EXISTS t DROP COLUMN IF EXISTS c",
    "ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b",
    "ALTER INDEX ix SET TABLESPACE ts",
    "ALTER INDEX IF EXISTS ix RENAME TO iy",
    "ALTER INDEX ix ATTACH PARTITION iy",
    "ALTER SEQUENCE s RESTART WITH 100",
    "ALTER VIEW v RENAME TO w",
    "ALTER MATERIALIZED VIEW mv RENAME COLUMN a TO b",
    "ALTER FOREIGN TABLE ft ADD COLUMN c int",
    "ALTER TYPE t ADD ATTRIBUTE a int, DROP ATTRIBUTE b, ALTER ATTRIBUTE c TYPE text",
    "ALTER TYPE t RENAME ATTRIBUTE a TO b",
    "ALTER TYPE t OWNER TO bob",
    "ALTER TYPE t SET SCHEMA s",
    "ALTER TYPE mood ADD VALUE 'x' BEFORE 'y'",
    "ALTER DOMAIN d ADD CONSTRAINT c CHECK (VALUE > 0) NOT VALID",
    "ALTER DOMAIN d VALIDATE CONSTRAINT c",
    "CREATE DOMAIN d AS int CHECK (VALUE > 0)",
    "CREATE TABLE c PARTITION OF p FOR VALUES IN (1, 2)",
    "CREATE TABLE t (LIKE u INCLUDING ALL, c int GENERATED ALWAYS AS (a + 1) STORED, d int GENERATED BY DEFAULT AS IDENTITY (START WITH 10))",
    "CREATE TABLE t (a int, b text, PRIMARY KEY (a), FOREIGN KEY (b) REFERENCES u (b), EXCLUDE USING gist (a WITH =), CHECK (a > 0) NOT VALID)",
    "CREATE TEMP TABLE t (a int) ON COMMIT DROP",
    'CREATE UNLOGGED TABLE IF NOT EXISTS t (a int DEFAULT 1 COLLATE "C", b int COLLATE "C" DEFAULT 2)',
    "CREATE TABLE t (a serial4, b serial8, c smallserial, d serial2)",
    "CREATE TABLE t OF mytype (a WITH OPTIONS NOT NULL)",
    "CREATE TABLE t AS SELECT 1 WITH NO DATA",
    "CREATE UNIQUE INDEX ix ON t USING btree (a DESC NULLS LAST, (lower(b)) text_pattern_ops) INCLUDE (c) WITH (fillfactor = 90) WHERE d",
    "CREATE INDEX CONCURRENTLY ix ON ONLY t (a)",
    "CREATE INDEX ON s.t USING gin (to_tsvector('english', body))",
    "DROP INDEX ix CASCADE",
    "DROP TABLE t, u, v RESTRICT",
    "DROP TYPE t CASCADE",
    "DROP SCHEMA s CASCADE",
    "DROP EXTENSION IF EXISTS pgcrypto",
    "DROP SEQUENCE s",
    "DROP MATERIALIZED VIEW mv",
    "DROP FUNCTION f(int)",
    'CREATE EXTENSION IF NOT EXISTS "uuid-ossp"',
    "CREATE SCHEMA IF NOT EXISTS s",
    "CREATE SEQUENCE s START 1",
    "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "CREATE OR REPLACE FUNCTION g(a int) RETURNS int AS 'select $1' LANGUAGE sql IMMUTABLE",
    "CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()",
    "CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (NEW.a); INSERT INTO v VALUES (NEW.a))",
    "CREATE VIEW v (a, b) AS SELECT 1, 2 WITH CHECK OPTION",
    "CREATE RECURSIVE VIEW v (n) AS SELECT 1 UNION ALL SELECT n + 1 FROM v WHERE n < 10",
    "CREATE MATERIALIZED VIEW mv AS SELECT * FROM t WITH DATA",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
    "COMMENT ON COLUMN t.c IS 'hello'",
    "GRANT SELECT ON t TO bob",
    "REVOKE ALL ON t FROM PUBLIC",
    "TRUNCATE t RESTART IDENTITY CASCADE",
    "VACUUM ANALYZE t",
    "ANALYZE t",
    "LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
    "CLUSTER t USING ix",
    "REINDEX DATABASE db",
    "REINDEX SYSTEM db",
    "REINDEX (VERBOSE, CONCURRENTLY on, TABLESPACE ts) TABLE t",
    'SET search_path = public, "$user"',
    "SET SESSION AUTHORIZATION bob",
    "SET ROLE admin",
    "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
    "SET CONSTRAINTS ALL DEFERRED",
    "SET LOCAL lock_timeout = 5000",
    "SET statement_timeout = '1min'",
    "SET x.y = 'z'",
    "RESET ALL",
    "SHOW lock_timeout",
    "SELECT set_config('lock_timeout', '5s', true)",
    "SELECT pg_advisory_lock(1)",
    "SAVEPOINT s",
    "RELEASE SAVEPOINT s",
    "ROLLBACK TO SAVEPOINT s",
    "PREPARE TRANSACTION 'x'",
    "COMMIT PREPARED 'x'",
    "COMMIT AND CHAIN",
    "BEGIN ISOLATION LEVEL READ COMMITTED",
    "START TRANSACTION READ ONLY",
    "ABORT",
    "END TRANSACTION",
    "UPDATE t SET (a, b) = (SELECT x, y FROM u WHERE u.id = t.id) WHERE EXISTS (SELECT 1 FROM w WHERE w.t = t.id) RETURNING *",
    "UPDATE ONLY s.t AS x SET a = DEFAULT WHERE CURRENT OF cur",
    "WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved",
    "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
    "INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = EXCLUDED.a + 1",
    "INSERT INTO t SELECT * FROM u UNION SELECT * FROM v",
    "INSERT INTO t (SELECT 1)",
    "INSERT INTO t OVERRIDING SYSTEM VALUE VALUES (1)",
    "DELETE FROM ONLY t WHERE a IN (SELECT a FROM u LIMIT 10)",
    "MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN UPDATE SET a = u.a WHEN NOT MATCHED THEN INSERT VALUES (u.id, u.a)",
    "SELECT * FROM t, LATERAL (SELECT * FROM u WHERE u.t = t.id) x JOIN v USING (id) WHERE t.a = ANY(ARRAY(SELECT 1))",
    "SELECT 1 FROM generate_series(1, 10) g",
    "DO LANGUAGE plpgsql $body$ BEGIN EXECUTE 'ALTER TABLE t ADD c int'; END $body$",
    "COPY t (a) FROM STDIN",
    "EXPLAIN SELECT 1",
    "NOTIFY chan, 'x'",
    "LISTEN chan",
    "DISCARD ALL",
    "CHECKPOINT",
    "CALL p(1)",
    "IMPORT FOREIGN SCHEMA s FROM SERVER srv INTO t",
    "SECURITY LABEL ON TABLE t IS 'x'",
    "CREATE POLICY p ON t USING (true)",
    "CREATE STATISTICS s ON a, b FROM t",
    'CREATE TYPE t AS (a int, b text COLLATE "C")',
    "CREATE TYPE t",
    "CREATE TYPE t (INPUT = f, OUTPUT = g)",
    "CREATE TYPE r AS RANGE (SUBTYPE = float8, SUBTYPE_DIFF = float8mi)",
    "CREATE TYPE e AS ENUM ()",
    "ALTER TABLE t ADD COLUMN c text DEFAULT $1, ADD d int DEFAULT $2::int",
    'ALTER TABLE "T" ADD COLUMN "C" "MyType"[] DEFAULT \'{}\' NOT NULL',
    'ALTER TABLE t ADD COLUMN c public.citext, ADD d pg_catalog.int4, ADD e "char", ADD f bit(3), ADD g time(3) with time zone, ADD h interval(6), ADD i interval year, ADD j setof int',
    "ALTER TABLE t ADD COLUMN c int NOT NULL NO INHERIT",
    "ALTER TABLE t ADD CONSTRAINT nn NOT NULL c",
    "ALTER TABLE t ADD CONSTRAINT c CHECK (x IS NOT NULL) NOT ENFORCED",
    "ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (a)",
    "ALTER TABLE t ADD PRIMARY KEY (id), ADD UNIQUE (a, b), ADD FOREIGN KEY (c) REFERENCES d",
    "ALTER TABLE t ADD FOREIGN KEY (a, PERIOD b) REFERENCES u (x, PERIOD y)",
    "ALTER TABLE t ADD COLUMN c int REFERENCES u ON DELETE CASCADE, ADD COLUMN d int REFERENCES s.v (id) NOT DEFERRABLE",
    "ALTER TABLE t ADD c int DEFAULT 1, ADD d int DEFAULT 2 NOT NULL, ADD e int DEFAULT 3 CHECK (e > 0)",
]


@pytest.mark.parametrize("text", POSTGRESQL_CORPUS)
def test_every_statement_postgresql_accepts_is_read_by_pglast(text):
    (statement,) = parse_sql(text)
    assert statement.parser == "postgresql"
    assert statement.text == text


FUZZ = settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

FRAGMENTS = [
    "ALTER TABLE t ",
    "ADD COLUMN c int ",
    "ADD ",
    "DEFAULT ",
    "now()",
    "NOT NULL ",
    "CHECK (",
    ")",
    "(",
    ",",
    ";",
    "'",
    '"',
    "`",
    "$$",
    "$a$",
    "--",
    "/*",
    "*/",
    "\n",
    ":x",
    "::",
    "%s",
    "%(y)s",
    "\\",
    "MODIFY c ",
    "CHANGE a b ",
    "INT ",
    "VARCHAR(5) ",
    "RENAME ",
    "TO ",
    "CONSTRAINT k ",
    "FOREIGN KEY (a) ",
    "REFERENCES u ",
    "NOT VALID ",
    "INDEX ",
    "KEY ",
    "CONCURRENTLY ",
    "CREATE ",
    "UNIQUE ",
    "ON t (a) ",
    "DROP ",
    "TABLE ",
    "TYPE ",
    "AS ENUM ('a') ",
    "SET ",
    "lock_timeout = 1 ",
    "UPDATE t ",
    "SELECT ",
    "FROM ",
    "INSERT INTO t ",
    "VALUES (1) ",
    "GENERATED ALWAYS AS (1) STORED ",
    "é",
    "\x00",
    "\ud800",
    "ALGORITHM=INSTANT",
    "RENAME TABLE a TO b",
    "AUTO_INCREMENT ",
    'COLLATE "C" ',
    "USING INDEX i ",
]


def _never_raises(text):
    found = parse_sql(text)
    assert isinstance(found, tuple)
    for statement in found:
        assert text[statement.offset : statement.offset + len(statement.text)] == statement.text
        assert json.loads(json.dumps(statement)) is not None
        assert all(isinstance(flag, str) for flag in statement.flags)
        assert list(statement.flags) == sorted(statement.flags)
    _extraction_never_hides_a_parse(text)


def _extraction_never_hides_a_parse(text):
    """What PostgreSQL's grammar accepts, the extraction reads: its catch-all must not hide a bug."""
    spans, binds = sql._scan(text, mysql=False)
    masked = sql._mask(text, binds, "$1")
    try:
        accepted = bool(spans) and "\x00" not in text and bool(parse_sql_json(masked))
    except Exception:  # rejected by PostgreSQL: nothing to compare
        return
    if accepted:
        try:
            sql._pglast(text, 0)
        except ValueError as error:  # the one deliberate refusal: MySQL's ADD INDEX
            assert "ADD INDEX" in str(error)


@FUZZ
@given(st.text(max_size=200))
@example("\ud800")
@example("SELECT '\ud800'")
@example("ALTER TABLE t ADD c int DEFAULT " + "(" * 2000 + "1" + ")" * 2000)
@example("SELECT " + "-" * 3000 + "1")
def test_arbitrary_text_never_raises(text):
    _never_raises(text)


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
@example("ALTER TABLE t ADD INDEX ix (a)")  # PostgreSQL's grammar accepts it; we refuse it
def test_sql_like_text_never_raises(text):
    _never_raises(text)


@pytest.mark.parametrize(
    ("text", "kind", "tables", "flags"),
    [
        ("DELETE FROM queue", "delete", ("queue",), ("all_rows",)),
        ("DELETE FROM queue WHERE done", "delete", ("queue",), ()),
        ("UPDATE t SET a = 1", "update", ("t",), ("all_rows",)),
        ("TRUNCATE runs, logs", "truncate", ("runs", "logs"), ()),
        ("TRUNCATE TABLE ONLY c", "truncate", ("c",), ()),
    ],
)
def test_whole_table_dml_and_truncate(text, kind, tables, flags):
    [statement] = parse_sql(text)
    assert (statement.kind, statement.tables, statement.flags) == (kind, tables, flags)
