"""facts: what the operations of a body establish, before each operation, and through history."""

from __future__ import annotations

from alembic_lint.facts import body_facts, history_not_null_checks, not_null_column
from tests.builders import history, parse, revision


def ops(body):
    script = parse(revision("3f9c2a71be04", None, upgrade=body))
    assert script.upgrade is not None
    return script.upgrade.operations


BODY = """\
op.create_index("ix_early", "audit", ["id"])
op.create_table("audit", sa.Column("id", sa.Integer(), primary_key=True))
op.create_index("ix_late", "audit", ["id"])
op.add_column("users", sa.Column("email", sa.String(), nullable=True))
op.create_check_constraint("ck_email", "users", "email IS NOT NULL", postgresql_not_valid=True)
op.create_foreign_key("fk_a", "users", "audit", ["audit_id"], ["id"])
with op.batch_alter_table("orders") as batch_op:
    batch_op.create_unique_constraint("uq_ref", ["ref"])
op.drop_table("legacy")
"""


def test_body_facts_are_about_what_came_before():
    facts = body_facts(ops(BODY))
    assert not facts.is_new_table("audit", 0)  # the index before the create_table
    assert facts.is_new_table("audit", 2) and not facts.is_new_table(None, 2)
    assert facts.is_new_column("users", "email", 4) and not facts.is_new_column("users", "email", 3)
    assert not facts.is_new_column(None, "email", 4)
    assert facts.dropped == {"legacy": 8}
    kinds = [(c.table, c.name, c.kind, c.not_valid) for c in facts.constraints]
    assert kinds == [
        ("users", "ck_email", "check", True),
        ("users", "fk_a", "foreign_key", False),
        ("orders", "uq_ref", "unique", False),
    ]
    assert [c.name for c in facts.pending_not_valid("users", 9)] == ["ck_email"]
    assert facts.pending_not_valid("users", 4) == ()
    assert facts.same_segment(0, 8)


def test_segments_split_at_the_autocommit_block():
    facts = body_facts(
        ops(
            'op.add_column("t", sa.Column("c", sa.Integer()))\n'
            "with op.get_context().autocommit_block():\n"
            '    op.create_index("ix", "t", ["c"], postgresql_concurrently=True)\n'
        )
    )
    assert not facts.same_segment(0, 1)


def test_not_null_column():
    assert not_null_column("email IS NOT NULL") == "email"
    assert not_null_column('("Email" is not null)') == "email"
    assert not_null_column("email <> ''") is None
    assert not_null_column(None) is None


def test_history_not_null_checks_follow_the_graph():
    add = 'op.create_check_constraint("ck_e", "users", "email IS NOT NULL", postgresql_not_valid=True)'
    valid = 'op.create_check_constraint("ck_p", "users", "phone IS NOT NULL")'
    scripts, graph = history(
        {
            "versions/a.py": revision("3f9c2a71be04", None, upgrade=add),
            "versions/b.py": revision("8d41e6c0a9f3", "3f9c2a71be04", upgrade=valid),
            "versions/c.py": revision(
                "c07b5e92d1a6", "8d41e6c0a9f3", upgrade='op.drop_constraint("ck_p", "users")'
            ),
            "versions/d.py": revision("e5a83f1c6b27", "c07b5e92d1a6", upgrade="pass"),
        }
    )
    by_rev = {s.revision: s for s in scripts}
    # NOT VALID and never validated: no help; a validated one helps until it is dropped
    assert history_not_null_checks(graph, by_rev["8d41e6c0a9f3"], "users") == frozenset()
    assert history_not_null_checks(graph, by_rev["c07b5e92d1a6"], "users") == {"phone"}
    assert history_not_null_checks(graph, by_rev["e5a83f1c6b27"], "users") == frozenset()
    assert history_not_null_checks(graph, by_rev["e5a83f1c6b27"], "orders") == frozenset()


def test_history_checks_validated_later_through_sql_across_a_merge():
    """NOT VALID in one revision, VALIDATE by SQL in another, on two branches merged."""
    add = 'op.create_check_constraint("ck_e", "users", "email IS NOT NULL", postgresql_not_valid=True)'
    scripts, graph = history(
        {
            "versions/a.py": revision("3f9c2a71be04", None, upgrade=add),
            "versions/b.py": revision(
                "8d41e6c0a9f3",
                "3f9c2a71be04",
                upgrade='op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_e")',
            ),
            "versions/c.py": revision(
                "c07b5e92d1a6",
                "3f9c2a71be04",
                upgrade='op.execute("ALTER TABLE users VALIDATE CONSTRAINT fk_other")',
            ),
            "versions/d.py": revision(
                "e5a83f1c6b27", ("8d41e6c0a9f3", "c07b5e92d1a6"), upgrade="pass"
            ),
            "versions/e.py": revision("a4d2c9e81f07", "e5a83f1c6b27", downgrade=None).replace(
                "def upgrade() -> None:", "def _unused() -> None:"
            ),
            "versions/f.py": revision("b9e7f3a25c18", "a4d2c9e81f07", upgrade="pass"),
        }
    )
    by_rev = {s.revision: s for s in scripts}
    assert history_not_null_checks(graph, by_rev["b9e7f3a25c18"], "users") == {"email"}
    assert history_not_null_checks(graph, by_rev["c07b5e92d1a6"], "users") == frozenset()
    nameless = by_rev["b9e7f3a25c18"]._replace(revision=None)
    assert history_not_null_checks(graph, nameless, "users") == frozenset()


def test_history_checks_survive_a_cycle():
    scripts, graph = history(
        {
            "versions/a.py": revision("3f9c2a71be04", "8d41e6c0a9f3", upgrade="pass"),
            "versions/b.py": revision("8d41e6c0a9f3", "3f9c2a71be04", upgrade="pass"),
        }
    )
    assert history_not_null_checks(graph, scripts[0], "users") == frozenset()
