from __future__ import annotations

import pytest

from alembic_lint.operations import (
    Call,
    Column,
    Condition,
    Lit,
    Operation,
    Ref,
    Seq,
    Unknown,
    is_false,
    is_true,
    literal,
    tail,
)


def column(*args, **kwargs):
    return Column("c", Ref("sa.Integer"), args, tuple(kwargs.items()), 1, 1)


NOT_NULL = [
    pytest.param({}, (), False, id="default-nullable"),
    pytest.param({"nullable": Lit(False)}, (), True, id="nullable-false"),
    pytest.param({"nullable": Lit(True)}, (), False, id="nullable-true"),
    pytest.param({"nullable": Lit(None)}, (), True, id="nullable-none-renders-not-null"),
    pytest.param({"nullable": Lit(0)}, (), True, id="nullable-falsy"),
    pytest.param({"nullable": Ref("flag")}, (), None, id="nullable-unknown"),
    pytest.param({"primary_key": Lit(True)}, (), True, id="primary-key"),
    pytest.param({"primary_key": Lit(1)}, (), True, id="primary-key-truthy"),
    pytest.param({"primary_key": Lit(False)}, (), False, id="not-primary-key"),
    pytest.param({"primary_key": Unknown("pk")}, (), None, id="primary-key-unknown"),
    pytest.param({"primary_key": Lit(True), "nullable": Lit(True)}, (), False, id="nullable-wins"),
    pytest.param({}, (Call("sa.Identity", (), ()),), True, id="identity"),
    pytest.param(
        {"nullable": Lit(True)}, (Call("sa.Identity", (), ()),), False, id="nullable-identity"
    ),
    pytest.param({}, (Call("sa.ForeignKey", (Lit("t.id"),), ()),), False, id="foreign-key"),
]


@pytest.mark.parametrize(("kwargs", "args", "expected"), NOT_NULL)
def test_column_not_null(kwargs, args, expected):
    assert column(*args, **kwargs).not_null is expected


def test_column_kw_and_calls():
    fk = Call("sa.ForeignKey", (Lit("users.id"),), ())
    computed = Call("Computed", (Lit("a + b"),), ())
    c = column(fk, computed, Ref("sa.ForeignKey"), Unknown("x"), server_default=Lit("0"))
    assert c.kw("server_default") == Lit("0") and c.kw("nullable") is None
    assert c.calls("ForeignKey") == (fk,)
    assert c.calls("Computed") == (computed,)
    assert c.calls("Identity") == ()


def operation(*conditions, **kwargs):
    return Operation(
        call="execute",
        via="op",
        table=None,
        schema=None,
        name=None,
        columns=(),
        kwargs=tuple(kwargs.items()),
        args=(),
        sql=(),
        segment=0,
        segment_kind="transaction",
        conditions=conditions,
        batch=False,
        target=None,
        consumed=None,
        line=1,
        col=1,
    )


def test_operation_kw():
    op = operation(sqltext=Lit("SELECT 1"), **{"**": Ref("opts")})
    assert op.kw("sqltext") == Lit("SELECT 1") and op.kw("**") == Ref("opts")
    assert op.kw("execution_options") is None


def _if(offline):
    return Condition("if", "x", offline, 1)


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        pytest.param((), None, id="no-conditions"),
        pytest.param((_if(None),), None, id="plain-if"),
        pytest.param((_if(True),), True, id="offline"),
        pytest.param((_if(False), _if(None)), False, id="online-then-plain"),
        pytest.param((_if(True), _if(False)), False, id="innermost-decides"),
    ],
)
def test_operation_offline(conditions, expected):
    assert operation(*conditions).offline is expected


def test_call_kw():
    call = Call("sa.String", (Lit(10),), (("collation", Lit("C")),))
    assert call.kw("collation") == Lit("C") and call.kw("length") is None


def test_tags_tell_expressions_apart():
    assert len({Lit("x"), Ref("x"), Unknown("x"), Seq((Lit("x"),)), Call("x", (), ())}) == 5
    assert [e[-1] for e in (Lit(1), Ref("a"), Call("f", (), ()), Seq(()), Unknown("?"))] == list(
        "lrcsu"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("sa.types.String", "String"), ("String", "String"), ("", ""), ("a.", "")],
)
def test_tail(name, expected):
    assert tail(name) == expected


@pytest.mark.parametrize(
    ("expr", "value", "true", "false"),
    [
        (Lit(True), True, True, False),
        (Lit(False), False, False, True),
        (Lit(1), 1, False, False),
        (Lit(0), 0, False, False),
        (Lit("x"), "x", False, False),
        (Lit(None), None, False, False),
        (Ref("True"), None, False, False),
        (Unknown("flag"), None, False, False),
        (Call("bool", (Lit(True),), ()), None, False, False),
        (None, None, False, False),
    ],
)
def test_literal_helpers(expr, value, true, false):
    assert literal(expr) == value and type(literal(expr)) is type(value)
    assert is_true(expr) is true
    assert is_false(expr) is false
