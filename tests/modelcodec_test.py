from __future__ import annotations

import copy
import json
import operator
import re
from typing import Any

import pytest

from alembic_lint.astread import read
from alembic_lint.cache import ParseCache
from alembic_lint.cli import main
from alembic_lint.modelcodec import (
    Deferred,
    Malformed,
    decode_expr,
    decode_operations,
    encode_operations,
)
from alembic_lint.operations import (
    Call,
    Column,
    Condition,
    Lit,
    Operation,
    Ref,
    Seq,
    Unknown,
)
from alembic_lint.script import RevisionScript
from alembic_lint.sql import Action, Statement
from tests.builders import revision

ACTION = Action(
    "add_column",
    column="c",
    name="n",
    target="t2",
    constraint="fk",
    type="int4",
    default="0",
    functions=("now",),
    references="users(id)",
    expression="c > 0",
    not_null=True,
    flags=("if_not_exists",),
)
STATEMENT = Statement(
    "alter_table",
    "ALTER TABLE s.t ADD c int",
    4,
    table="t",
    schema="s",
    name="x",
    values=("a", "b"),
    flags=("concurrently",),
    actions=(ACTION, Action("drop_column")),
    parser="mysql",
    tables=("t", "users"),
)
COLUMN = Column(
    "c",
    Call("sa.String", (Lit(10),), (("collation", Lit("C")),)),
    (Call("sa.ForeignKey", (Lit("users.id"),), ()),),
    (("nullable", Lit(False)), ("server_default", Unknown("f()"))),
    3,
    9,
)
FULL = Operation(
    call="add_column",
    via="batch_op",
    table="t",
    schema="s",
    name="c",
    columns=(COLUMN, Column(None, None, (), (), 4, 1)),
    kwargs=(
        ("table_name", Lit("t")),
        ("x", Seq((Lit(1), Lit(-1.5), Lit(True), Lit(None), Lit(""), Ref("sa.Integer"), Seq(())))),
        ("**", Unknown("opts")),
    ),
    args=(Unknown("*rest"), Call("f", (), ())),
    sql=(STATEMENT, Statement("commit", "COMMIT", 0)),
    segment=2,
    segment_kind="after_commit",
    conditions=(Condition("if", "x", True, 2), Condition("call", "helper", None, 1)),
    batch=True,
    target="result",
    consumed="fetchall",
    line=3,
    col=5,
)
PLAIN = Operation(
    "drop_table",
    "op",
    None,
    None,
    None,
    (),
    (),
    (),
    (),
    0,
    "transaction",
    (),
    False,
    None,
    None,
    1,
    1,
)


DAMAGED = "the parse cache holds a damaged entry for this file; run again with --no-cache"


def upgrade_of(result):
    assert isinstance(result, RevisionScript) and result.upgrade is not None, result
    return result.upgrade.operations


def roundtrip(ops):
    return decode_operations(json.loads(encode_operations(ops)))


@pytest.mark.parametrize(
    "ops",
    [
        pytest.param((), id="empty"),
        pytest.param((PLAIN,), id="plain"),
        pytest.param((FULL, PLAIN), id="everything"),
        *(
            pytest.param((PLAIN._replace(via=via),), id=f"via-{via}")
            for via in ("op", "batch_op", "bind", "session", "inspector")
        ),
        *(
            pytest.param((PLAIN._replace(segment_kind=kind),), id=f"segment-{kind}")
            for kind in ("transaction", "autocommit", "after_commit")
        ),
        *(
            pytest.param(
                (PLAIN._replace(conditions=(Condition(kind, "t", mode, 7),)),), id=f"{kind}-{mode}"
            )
            for kind in ("if", "else", "loop", "try", "with", "call")
            for mode in (True, False, None)
        ),
    ],
)
def test_round_trip(ops):
    assert roundtrip(ops) == ops
    assert type(roundtrip(ops)) is tuple
    assert Deferred(encode_operations(ops)) == ops


def test_values_keep_their_types():
    ops = (
        PLAIN._replace(
            kwargs=(("a", Lit(1)), ("b", Lit(1.0)), ("c", Lit(True)), ("d", Lit(10**30)))
        ),
    )
    values = [v.value for _, v in roundtrip(ops)[0].kwargs]
    assert values == [1, 1.0, True, 10**30]
    assert [type(v) for v in values] == [int, float, bool, int]


SOURCE = """\
from alembic import op
import sqlalchemy as sa

TABLES = ("a", "b")


def helper(conn, name):
    conn.execute(sa.text(f"UPDATE {name} SET x = 1")).rowcount


def upgrade():
    t = op.create_table("t", sa.Column("id", sa.Integer, sa.Identity(), primary_key=True))
    op.bulk_insert(t, [{"id": 1}])
    with op.batch_alter_table("u", schema="s") as batch_op:
        batch_op.add_column(sa.Column("c", sa.String(20), nullable=False, server_default="x"))
    for name in TABLES:
        op.create_index(op.f(f"ix_{name}"), name, ["c"], postgresql_concurrently=True)
    if context.is_offline_mode():
        return
    conn = op.get_bind()
    helper(conn, "t")
    try:
        op.execute("COMMIT")
    except Exception:
        rows = conn.execute(sa.text("SELECT 1")).fetchall()
    with op.get_context().autocommit_block():
        op.execute(textwrap.dedent(unknown))
"""


def test_round_trip_of_a_parsed_body():
    ops = upgrade_of(read(SOURCE.encode(), "x.py"))
    assert len(ops) == 10
    assert roundtrip(ops) == ops
    assert Deferred(encode_operations(ops)) == ops


# -- Deferred ---------------------------------------------------------------------------------


def test_deferred_decodes_on_first_use_only():
    raw = encode_operations((FULL, PLAIN))
    deferred = Deferred(raw)
    assert deferred._ops is None
    assert encode_operations(deferred) is raw  # written back as read, without decoding
    assert bool(deferred) and deferred._ops is None
    assert len(deferred) == 2 and deferred._raw is None
    assert deferred[0] == FULL and deferred[-1] == PLAIN and deferred[1:] == (PLAIN,)
    assert list(deferred) == [FULL, PLAIN]
    assert encode_operations(deferred) == raw  # decoded: encoded again, the same
    assert repr(deferred) == f"Deferred({(FULL, PLAIN)!r})"


def test_deferred_equality_and_hash():
    raw = encode_operations((FULL,))
    assert Deferred(raw) == (FULL,)
    assert operator.eq((FULL,), Deferred(raw))  # the tuple defers to Deferred.__eq__
    assert Deferred(raw) == Deferred(raw)
    assert Deferred(raw) != (PLAIN,) and Deferred(raw) != Deferred(encode_operations(()))
    assert Deferred(raw) != [FULL]  # a list is not the model
    assert Deferred(raw) != "x"
    assert hash(Deferred(raw)) == hash((FULL,))
    by_model: dict[object, int] = {Deferred(raw): 1}
    assert by_model[(FULL,)] == 1


def test_an_empty_deferred_is_false():
    assert not Deferred("[]")
    deferred = Deferred(encode_operations((PLAIN,)))
    assert deferred and deferred._ops is None
    assert list(deferred) == [PLAIN] and deferred
    assert not Deferred("[]")._decoded()


# -- malformed input ----------------------------------------------------------------------------

BAD_EXPRS = [
    pytest.param([], id="empty"),
    pytest.param("x", id="not-a-list"),
    pytest.param(["x", "q"], id="unknown-tag"),
    pytest.param(["l"], id="lit-short"),
    pytest.param(["x", 1, "l"], id="lit-long"),
    pytest.param([[1], "l"], id="lit-of-a-list"),
    pytest.param([{"a": 1}, "l"], id="lit-of-a-dict"),
    pytest.param([1, "r"], id="ref-of-an-int"),
    pytest.param([None, "u"], id="unknown-of-none"),
    pytest.param(["x", "s"], id="seq-of-a-string"),
    pytest.param([[[]], "s"], id="seq-of-a-bad-item"),
    pytest.param([1, [], [], "c"], id="call-of-an-int"),
    pytest.param(["f", {}, [], "c"], id="call-args-not-a-list"),
    pytest.param(["f", [], [["k"]], "c"], id="call-kwarg-not-a-pair"),
    pytest.param(["f", [], [[1, ["x", "l"]]], "c"], id="call-kwarg-key-not-a-string"),
    pytest.param(["f", [], [], "c", 1], id="call-long"),
    pytest.param([[], []], id="unhashable-tag"),
]


@pytest.mark.parametrize("value", BAD_EXPRS)
def test_malformed_expressions(value):
    with pytest.raises(Malformed):
        decode_expr(value)
    encoded = json.loads(encode_operations((PLAIN,)))
    encoded[0][7] = [value]  # as a positional argument
    with pytest.raises(Malformed):
        decode_operations(encoded)


def _at(path, value):
    encoded = json.loads(encode_operations((FULL,)))
    target = encoded
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return encoded


def _without(path):
    encoded = json.loads(encode_operations((FULL,)))
    target = encoded
    for key in path:
        target = target[key]
    target.pop()
    return encoded


OP, COL, STMT, ACT, COND = (0,), (0, 5, 0), (0, 8, 0), (0, 8, 0, 8, 0), (0, 11, 0)
BAD_OPERATIONS = [
    pytest.param({}, id="not-a-list"),
    pytest.param(None, id="none"),
    pytest.param([1], id="operation-not-a-list"),
    pytest.param(_without(OP), id="operation-short"),
    pytest.param(_at((0, 0), 1), id="call"),
    pytest.param(_at((0, 1), "db"), id="via"),
    pytest.param(_at((0, 1), ["op"]), id="via-unhashable"),
    pytest.param(_at((0, 2), 1), id="table"),
    pytest.param(_at((0, 3), ["s"]), id="schema"),
    pytest.param(_at((0, 4), 1.5), id="name"),
    pytest.param(_at((0, 5), {}), id="columns"),
    pytest.param(_at((0, 6), "x"), id="kwargs"),
    pytest.param(_at((0, 6, 0), ["table_name"]), id="kwarg-not-a-pair"),
    pytest.param(_at((0, 7), None), id="args"),
    pytest.param(_at((0, 8), "SELECT 1"), id="sql"),
    pytest.param(_at((0, 9), "2"), id="segment"),
    pytest.param(_at((0, 9), True), id="segment-bool"),
    pytest.param(_at((0, 10), "autocommitted"), id="segment-kind"),
    pytest.param(_at((0, 10), {}), id="segment-kind-unhashable"),
    pytest.param(_at((0, 11), {}), id="conditions"),
    pytest.param(_at((0, 12), 1), id="batch-int"),
    pytest.param(_at((0, 13), 1), id="target"),
    pytest.param(_at((0, 14), []), id="consumed"),
    pytest.param(_at((0, 15), None), id="line"),
    pytest.param(_at((0, 16), 1.0), id="col"),
    pytest.param(_without(COL), id="column-short"),
    pytest.param(_at(COL, "c"), id="column-not-a-list"),
    pytest.param(_at((*COL, 0), 1), id="column-name"),
    pytest.param(_at((*COL, 1), "sa.String"), id="column-type"),
    pytest.param(_at((*COL, 2), [1]), id="column-args"),
    pytest.param(_at((*COL, 3), [[1, ["x", "l"]]]), id="column-kwargs"),
    pytest.param(_at((*COL, 4), "3"), id="column-line"),
    pytest.param(_at((*COL, 5), False), id="column-col"),
    pytest.param(_without(STMT), id="statement-short"),
    pytest.param(_at(STMT, "ALTER"), id="statement-not-a-list"),
    pytest.param(_at((*STMT, 0), None), id="statement-kind"),
    pytest.param(_at((*STMT, 1), 1), id="statement-text"),
    pytest.param(_at((*STMT, 2), "4"), id="statement-offset"),
    pytest.param(_at((*STMT, 3), 1), id="statement-table"),
    pytest.param(_at((*STMT, 4), 1), id="statement-schema"),
    pytest.param(_at((*STMT, 5), 1), id="statement-name"),
    pytest.param(_at((*STMT, 6), "ab"), id="statement-values"),
    pytest.param(_at((*STMT, 7), [1]), id="statement-flags"),
    pytest.param(_at((*STMT, 8), {}), id="statement-actions"),
    pytest.param(_at((*STMT, 9), None), id="statement-parser"),
    pytest.param(_at((*STMT, 10), [None]), id="statement-tables"),
    pytest.param(_without(ACT), id="action-short"),
    pytest.param(_at(ACT, "add_column"), id="action-not-a-list"),
    *(
        pytest.param(_at((*ACT, i), 1), id=f"action-{field}")
        for i, field in enumerate(Action._fields)
        if field not in ("not_null",)
    ),
    pytest.param(_at((*ACT, 10), "yes"), id="action-not_null"),
    pytest.param(_at((*ACT, 10), 1), id="action-not_null-int"),
    pytest.param(_without(COND), id="condition-short"),
    pytest.param(_at(COND, "if"), id="condition-not-a-list"),
    pytest.param(_at((*COND, 0), "for"), id="condition-kind"),
    pytest.param(_at((*COND, 0), ["if"]), id="condition-kind-unhashable"),
    pytest.param(_at((*COND, 1), None), id="condition-test"),
    pytest.param(_at((*COND, 2), "no"), id="condition-offline"),
    pytest.param(_at((*COND, 2), 0), id="condition-offline-int"),
    pytest.param(_at((*COND, 3), "2"), id="condition-line"),
]


def test_the_mutations_start_from_a_valid_model():
    assert decode_operations(json.loads(encode_operations((FULL,)))) == (FULL,)
    assert ["not_null" in Action._fields, Action._fields.index("not_null")] == [True, 10]


@pytest.mark.parametrize("value", BAD_OPERATIONS)
def test_malformed_operations(value):
    with pytest.raises(Malformed):
        decode_operations(copy.deepcopy(value))
    with pytest.raises(
        ValueError,
        match=re.escape(DAMAGED) + "$",
    ):
        len(Deferred(json.dumps(value)))


def _nested(depth):
    expr: list[Any] = ["x", "l"]
    for _ in range(depth):
        expr = [[expr], "s"]
    return expr


def test_too_deep_is_malformed_not_a_recursion_error():
    encoded = json.loads(encode_operations((PLAIN,)))
    encoded[0][7] = [_nested(100_000)]
    with pytest.raises(Malformed):
        decode_operations(encoded)
    with pytest.raises(Malformed):
        decode_expr(_nested(100_000))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("[[", id="truncated"),
        pytest.param("not json", id="not-json"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="too-deep-for-json"),
    ],
)
def test_a_damaged_deferred_names_the_way_out(raw):
    deferred = Deferred(raw)
    with pytest.raises(ValueError, match=re.escape(DAMAGED) + "$") as info:
        list(deferred)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert encode_operations(deferred) == raw  # not decoded: written back as it was


# -- through the real parse cache ---------------------------------------------------------------


def test_a_cached_body_is_decoded_only_when_read(tmp_path):
    source = revision("aaaaaaaaaaaa", None).encode()
    key = (1, 2, 3, 4, 5)
    cache = ParseCache(tmp_path, scope="s")
    cache.put("a.py", key, read(source, "a.py"))
    cache.save()
    warm = ParseCache(tmp_path, scope="s")
    ops = upgrade_of(warm.get("a.py", key))
    assert isinstance(ops, Deferred) and ops._ops is None
    warm.put("b.py", key, read(source, "b.py"))
    warm.save()  # writes a.py back too
    assert ops._ops is None
    assert ParseCache(tmp_path, scope="s").get("a.py", key) == read(source, "a.py")


def _damage(cache_dir, path_suffix, damage):
    [cache_file] = cache_dir.glob("check-*.json")
    data = json.loads(cache_file.read_text())
    [entry] = [e for p, e in data["entries"].items() if p.endswith(path_suffix)]
    upgrade = entry[1][1][RevisionScript._fields.index("upgrade")]
    upgrade[3] = damage(upgrade[3])
    cache_file.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[:-2], id="truncated"),
        pytest.param(lambda raw: raw.replace('"op"', '"oops"'), id="wrong-value"),
        pytest.param(lambda raw: raw.replace('"op"', '["op"]'), id="unhashable-value"),
    ],
)
def test_a_damaged_cache_entry_is_one_line_naming_the_way_out(
    tmp_path, monkeypatch, capsys, damage
):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("ALEMBIC_LINT_CACHE_DIR", str(cache_dir))
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    up = 'op.create_table("audit", sa.Column("id", sa.Integer()))'
    down = 'op.drop_column("users", "x")'
    script = versions / "7c1e9d0b4a52_audit.py"
    script.write_text(revision("7c1e9d0b4a52", None, upgrade=up, downgrade=down))
    monkeypatch.chdir(tmp_path)
    finding = "7c1e9d0b4a52_audit.py:21:1: AL205 `upgrade()` creates table `audit`"
    assert main(["check", "--select", "AL205"]) == 1
    assert finding in capsys.readouterr().out
    _damage(cache_dir, "7c1e9d0b4a52_audit.py", damage)
    assert main(["check", "--select", "AL201"]) == 0  # no rule reads the model
    assert main(["check", "--select", "AL205"]) == 2
    out, err = capsys.readouterr()
    assert err == (
        "alembic-lint: internal error: rule AL205 (downgrade-mismatch) failed on "
        f"migrations/versions/7c1e9d0b4a52_audit.py: ValueError: {DAMAGED}\n"
    )
    assert "Traceback" not in out + err
    assert main(["check", "--select", "AL205", "--no-cache"]) == 1
    assert finding in capsys.readouterr().out
    # an edit of the file replaces the damaged entry
    script.write_text(revision("7c1e9d0b4a52", None, upgrade=up, downgrade=down + "\n"))
    assert main(["check", "--select", "AL205"]) == 1
    assert main(["check", "--select", "AL205"]) == 1


def test_saving_the_cache_keeps_a_damaged_body_as_it_was(tmp_path):
    source = revision("aaaaaaaaaaaa", None).encode()
    key = (1, 2, 3, 4, 5)
    cache = ParseCache(tmp_path, scope="s")
    cache.put("a.py", key, read(source, "a.py"))
    cache.save()
    _damage(tmp_path, "a.py", lambda raw: raw[:-2])
    warm = ParseCache(tmp_path, scope="s")
    assert warm.get("a.py", key) is not None  # the entry loads; the body is read lazily
    warm.put("b.py", key, read(source, "b.py"))
    warm.save()  # does not decode, so does not fail
    with pytest.raises(ValueError, match=re.escape(DAMAGED)):
        list(upgrade_of(ParseCache(tmp_path, scope="s").get("a.py", key)))
