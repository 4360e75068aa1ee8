from __future__ import annotations

import pytest

from alembic_lint.cli import main
from alembic_lint.config import Settings
from tests.builders import check, revision

REV = "7ab1e5000001"
PG = Settings(dialect="postgresql")
MY = Settings(dialect="mysql")
SQLITE = Settings(dialect="sqlite")


def lint(code, upgrade, settings=PG, *, downgrade="pass", labels="None"):
    sources = {
        "versions/a.py": revision("aaa111", None, upgrade="pass", downgrade="pass"),
        "versions/x.py": revision(
            REV, "aaa111", upgrade=upgrade, downgrade=downgrade, labels=labels
        ),
    }
    return [d for d in check(code, sources, settings=settings) if d.path == "versions/x.py"]


def case(code, upgrade, settings=PG, *, n=1, downgrade="pass", labels="None", id):
    return pytest.param(code, upgrade, settings, downgrade, labels, n, id=f"{code}-{id}")


def sql(text):
    return f"op.execute({text!r})"


CREATE = 'op.create_table("staging", sa.Column("id", sa.Integer))'

FIRES = [
    # AL410
    case("AL410", 'op.drop_table("legacy")', id="drop-table"),
    case("AL410", 'op.drop_table("legacy", schema="app")', MY, id="mysql"),
    case("AL410", 'op.drop_table("legacy")', SQLITE, id="sqlite"),
    case("AL410", sql("DROP TABLE legacy"), id="sql"),
    case("AL410", sql("DROP TABLE IF EXISTS a, b CASCADE"), n=2, id="sql-two-tables"),
    case("AL410", sql("DROP TABLE `legacy`"), MY, id="sql-mysql"),
    case("AL410", f'op.drop_table("staging")\n{CREATE}', id="before-create-table"),
    case("AL410", 'op.drop_table("legacy")', labels="('expand',)", id="expand-label"),
    case("AL410", "op.drop_table(NAME)", id="unknown-name"),
    case(
        "AL410",
        "pass",
        PG._replace(lint_downgrade=True),
        downgrade='op.drop_table("x")',
        id="downgrade-with-lint-downgrade",
    ),
    # AL413
    case("AL413", 'op.rename_table("customer", "customers")', id="rename-table"),
    case("AL413", 'op.rename_table("customer", "customers")', MY, id="mysql"),
    case("AL413", 'op.rename_table("customer", "customers")', SQLITE, id="sqlite"),
    case("AL413", sql("ALTER TABLE customer RENAME TO customers"), id="sql"),
    case(
        "AL413",
        sql("RENAME TABLE customer TO customers, orders TO purchases"),
        MY,
        n=2,
        id="mysql-rename-table-pairs",
    ),
    case("AL413", sql("ALTER TABLE `customer` RENAME TO customers"), MY, id="sql-mysql"),
    case(
        "AL413",
        'op.rename_table("customer", "customers")\n'
        'op.execute("CREATE VIEW client AS SELECT * FROM customers")',
        id="view-of-another-name",
    ),
    case(
        "AL413",
        'op.rename_table("customer", "customers")\n'
        'op.create_entity(PGFunction(signature="customer()", definition="..."))',
        id="entity-not-a-view",
    ),
    case(
        "AL413",
        'op.rename_table("customer", "customers")\nop.create_view(make_view())',
        id="unknown-view",
    ),
    case("AL413", f'op.rename_table("staging", "stage")\n{CREATE}', id="before-create-table"),
    case("AL413", "op.rename_table(OLD, NEW)", id="unknown-names"),
    case(
        "AL410",
        'if op.get_bind().dialect.name != "sqlite":\n    op.drop_table("legacy")',
        id="not-sqlite-branch",
    ),
]

QUIET = [
    # AL410
    case("AL410", 'op.drop_table("legacy")', labels="('contract',)", id="contract"),
    case(
        "AL410",
        'op.drop_table("legacy")',
        PG._replace(contract_branch_labels=("shrink",)),
        labels="('shrink',)",
        id="contract-label-setting",
    ),
    case("AL410", f'{CREATE}\nop.drop_table("staging")', id="new-table"),
    case(
        "AL410",
        f't = {CREATE}\nop.bulk_insert(t, [{{"id": 1}}])\nop.drop_table("staging")',
        id="new-table-assigned",
    ),
    case("AL410", sql("CREATE TEMP TABLE tmp AS SELECT 1; DROP TABLE tmp"), id="new-table-sql"),
    case("AL410", sql("CREATE TABLE tmp (a int)") + '\nop.drop_table("tmp")', id="sql-then-op"),
    case("AL410", sql("DROP VIEW v; DROP INDEX ix; DROP TYPE t"), id="not-a-table"),
    case("AL410", 'op.drop_index("ix_legacy", table_name="legacy")', id="drop-index"),
    case("AL410", "pass", downgrade='op.drop_table("legacy")', id="downgrade"),
    # AL413
    case(
        "AL413",
        'op.rename_table("customer", "customers")\n'
        'op.execute("CREATE VIEW customer AS SELECT * FROM customers")',
        id="compatibility-view",
    ),
    case(
        "AL413",
        sql(
            "ALTER TABLE customer RENAME TO customers; "
            "CREATE OR REPLACE VIEW customer AS SELECT * FROM customers"
        ),
        id="sql-compatibility-view",
    ),
    case(
        "AL413",
        'op.execute("CREATE VIEW customer AS SELECT 1")\nop.rename_table("customer", "customers")',
        id="view-created-first",
    ),
    case(
        "AL413",
        'op.rename_table("customer", "customers")\n'
        'op.create_view("customer", "SELECT * FROM customers")',
        id="create-view-op",
    ),
    case(
        "AL413",
        'op.rename_table("customer", "customers")\n'
        'op.create_view(ReplaceableObject("customer", "SELECT * FROM customers"))',
        id="replaceable-object",
    ),
    case(
        "AL413",
        'op.rename_table("customer", "customers")\n'
        'op.create_entity(PGView(schema="public", signature="customer", definition="..."))',
        id="alembic-utils-view",
    ),
    case(
        "AL413",
        sql("RENAME TABLE customer TO customers")
        + "\n"
        + sql("CREATE VIEW customer AS SELECT * FROM customers"),
        MY,
        id="mysql-view",
    ),
    case("AL413", f'{CREATE}\nop.rename_table("staging", "stage")', id="new-table"),
    case(
        "AL413", sql("CREATE TABLE tmp (a int); ALTER TABLE tmp RENAME TO tmp2"), id="new-table-sql"
    ),
    case(
        "AL413",
        sql("ALTER TABLE t RENAME COLUMN a TO b; ALTER INDEX i RENAME TO j"),
        id="not-a-table",
    ),
    case("AL413", "pass", downgrade='op.rename_table("a", "b")', id="downgrade"),
    case(
        "AL410",
        'if op.get_bind().dialect.name == "sqlite":\n    op.drop_table("legacy")',
        id="sqlite-branch",
    ),
    case(
        "AL413",
        'if context.get_context().dialect.name == "mysql":\n    op.rename_table("a", "b")',
        id="mysql-branch",
    ),
]

ARGS = ("code", "upgrade", "settings", "downgrade", "labels", "n")


@pytest.mark.parametrize(ARGS, FIRES)
def test_fires(code, upgrade, settings, downgrade, labels, n):
    found = lint(code, upgrade, settings, downgrade=downgrade, labels=labels)
    assert [d.code for d in found] == [code] * n, found
    assert all(d.hint for d in found)


@pytest.mark.parametrize(ARGS, QUIET)
def test_quiet(code, upgrade, settings, downgrade, labels, n):
    assert lint(code, upgrade, settings, downgrade=downgrade, labels=labels) == []


def test_messages_and_hints():
    (found,) = lint("AL410", 'op.drop_table("legacy")')
    assert (found.line, found.col) == (21, 5)
    assert found.message == (
        "drops table `legacy`: the code still deployed uses it and fails until the new code is out"
    )
    assert found.hint == (
        "stop using the table in the code and deploy; drop it in a revision on the `contract` "
        "branch"
    )
    first, second = lint("AL410", sql("DROP TABLE a, b"))
    assert (first.message.split(":")[0], second.message.split(":")[0]) == (
        "drops table `a`",
        "drops table `b`",
    )
    (found,) = lint("AL410", "op.drop_table(NAME)")
    assert found.message.startswith("drops table `?`: ")
    (found,) = lint("AL413", 'op.rename_table("customer", "customers")')
    assert found.message == (
        "renames table `customer` to `customers`: the code still deployed uses it and fails until "
        "the new code is out"
    )
    assert "create a view with the old name" in found.hint
    (found,) = lint("AL413", "op.rename_table(OLD, NEW)")
    assert found.message.startswith("renames a table (its name is not a literal): ")


def test_a_contract_label_is_inherited_along_the_branch():
    sources = {
        "versions/a.py": revision("aaa111", None, labels="('contract',)", upgrade="pass"),
        "versions/b.py": revision("bbb222", "aaa111", upgrade='op.drop_table("legacy")'),
        "versions/c.py": revision("ccc333", None, upgrade='op.drop_table("old")'),
    }
    assert [d.path for d in check("AL410", sources, settings=PG)] == ["versions/c.py"]


def test_drops_through_the_cli_with_a_contract_location(tmp_path, monkeypatch, capsys):
    """A revision under a `contract-version-locations` directory may drop; the same drop in the
    expand location is reported, and so is a rename anywhere."""
    (tmp_path / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n"
        "version_locations = %(here)s/migrations/expand %(here)s/migrations/contract\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.alembic-lint]\ndialect = "postgresql"\n'
        'contract-version-locations = ["migrations/contract"]\n'
    )
    expand = tmp_path / "migrations" / "expand"
    contract = tmp_path / "migrations" / "contract"
    expand.mkdir(parents=True)
    contract.mkdir()
    (expand / "a1_start.py").write_text(
        revision("a1a1a1a1a1a1", None, message="create tables", upgrade="pass")
    )
    (expand / "b2_expand.py").write_text(
        revision(
            "b2b2b2b2b2b2",
            "a1a1a1a1a1a1",
            message="expand",
            upgrade='op.drop_table("old")\nop.rename_table("customer", "customers")',
        )
    )
    (contract / "c3_contract.py").write_text(
        revision(
            "c3c3c3c3c3c3", "b2b2b2b2b2b2", message="contract", upgrade='op.drop_table("gone")'
        )
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "AL410,AL413"]) == 1
    out = capsys.readouterr().out
    found = [line.split(": ", 1)[:2] for line in out.splitlines() if ": AL41" in line]
    assert [(where, rest.split()[0]) for where, rest in found] == [
        ("migrations/expand/b2_expand.py:21:5", "AL410"),
        ("migrations/expand/b2_expand.py:22:5", "AL413"),
    ]
    assert (
        "hint: stop using the table in the code and deploy; drop it in a revision on the `contract` branch"
        in out
    )


def test_a_contract_label_written_as_an_expression_counts_openstack_style():
    from tests.builders import check, revision

    drop = 'op.drop_table("users")'
    for labels, found in (("(cli.CONTRACT_BRANCH,)", 0), ("(cli.EXPAND_BRANCH,)", 1)):
        sources = {
            "versions/a.py": revision("3f9c2a71be04", None, upgrade="pass"),
            "versions/b.py": revision("8d41e6c0a9f3", "3f9c2a71be04", labels=labels, upgrade=drop),
        }
        assert len(check("AL410", sources)) == found, labels
