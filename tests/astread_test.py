from __future__ import annotations

import pytest

from alembic_lint import astread
from alembic_lint.script import Noqa, RevisionScript, ScriptError
from tests.builders import parse, revision


def test_reads_identifiers_message_and_bodies():
    script = parse(revision("7c1e9d0b4a52", "a81b2c3d4e5f", message="v042 add users.email"))
    assert script.revision == "7c1e9d0b4a52"
    assert script.down_revisions == ("a81b2c3d4e5f",)
    assert script.depends_on == ()
    assert script.branch_labels == ()
    assert script.message == "v042 add users.email"
    assert script.doc_revision_id == ("7c1e9d0b4a52", 3)
    assert script.doc_revises == ("a81b2c3d4e5f", 4)
    assert script.revision_line == 14
    assert script.upgrade is not None and script.upgrade.kind == "ops"
    assert script.downgrade is not None and script.downgrade.kind == "ops"
    assert not script.is_merge_point


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("revision = 'a'\ndown_revision = None\n", (), id="none"),
        pytest.param("revision = 'a'\ndown_revision = ('b', 'c')\n", ("b", "c"), id="tuple"),
        pytest.param("revision = 'a'\ndown_revision = ['b']\n", ("b",), id="list"),
        pytest.param("revision: str = 'a'\ndown_revision: str | None = 'b'\n", ("b",), id="typed"),
        pytest.param(
            "revision = 'a'\ndown_revision = 'x'\ndown_revision = 'b'\n", ("b",), id="last-wins"
        ),
        pytest.param("revision, down_revision = 'a', 'b'\n", ("b",), id="tuple-unpacking"),
        pytest.param("revision = 'a'\n", (), id="absent"),
    ],
)
def test_down_revision_forms(source, expected):
    assert parse(source).down_revisions == expected


def test_non_literal_values_are_recorded_not_guessed():
    script = parse("revision = make()\ndown_revision = PREV\ndepends_on = (X,)\n")
    assert script.revision is None
    assert script.down_revisions is None
    assert script.depends_on is None
    assert [(n.name, n.line) for n in script.non_literals] == [
        ("revision", 1),
        ("down_revision", 2),
        ("depends_on", 3),
    ]


def test_non_literal_branch_labels_use_source_text():
    script = parse("revision = 'a'\ndown_revision = None\nbranch_labels = (cli.EXPAND_BRANCH,)\n")
    assert script.branch_labels == ("cli.EXPAND_BRANCH",)
    assert script.non_literals == ()
    assert parse("revision = 'a'\nbranch_labels = LABEL\n").branch_labels == ("LABEL",)
    assert parse("revision = 'a'\nbranch_labels = 'expand'\n").branch_labels == ("expand",)


def test_message_is_first_paragraph_like_alembic_script_doc():
    script = parse('"""\n  add users\n  and orders\n\nRevision ID: a\n"""\nrevision = "a"\n')
    assert script.message == "add users\n  and orders"
    assert parse("revision = 'a'\n").message == ""


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        pytest.param("pass", "empty", id="pass"),
        pytest.param("...", "empty", id="ellipsis"),
        pytest.param('"""Nothing."""\n# a comment\nreturn', "empty", id="doc-comment-return"),
        pytest.param("return None", "empty", id="return-none"),
        pytest.param('raise NotImplementedError("irreversible")', "raises", id="raises"),
        pytest.param('"""Irreversible."""\nraise RuntimeError()', "raises", id="doc-then-raise"),
        pytest.param("op.drop_table('t')", "ops", id="ops"),
        pytest.param("if False:\n    pass", "ops", id="if"),
    ],
)
def test_body_kinds(body, kind):
    script = parse(revision("7c1e9d0b4a52", None, downgrade=body))
    assert script.downgrade is not None
    assert script.downgrade.kind == kind


def test_missing_functions_are_none():
    script = parse("revision = 'a'\ndown_revision = None\n")
    assert script.upgrade is None and script.downgrade is None


@pytest.mark.parametrize(
    ("data", "line"),
    [
        pytest.param(b"def upgrade(:\n", 1, id="syntax"),
        pytest.param(b"revision = 'a'\n\x00\x01\x02", 2, id="nul-bytes"),
        pytest.param(b"revision = '\xff\xfe'\n", 1, id="not-utf8"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", 1, id="binary"),
    ],
)
def test_unparseable_input_is_a_script_error(data, line):
    result = astread.read(data, "versions/bad.py")
    assert isinstance(result, ScriptError)
    assert result.code == "AL001"
    assert result.path == "versions/bad.py"
    assert result.line >= 1


def test_empty_file_is_not_a_revision_but_parses():
    result = astread.read(b"", "versions/empty.py")
    assert isinstance(result, RevisionScript)
    assert result.revision is None


def test_encodings_bom_and_crlf():
    latin = b'# -*- coding: latin-1 -*-\n"""caf\xe9 table"""\nrevision = \'a\'\n'
    latin_script = astread.read(latin, "x.py")
    assert isinstance(latin_script, RevisionScript)
    assert latin_script.message == "café table"
    bom = b'\xef\xbb\xbf"""msg"""\r\nrevision = \'a\'\r\ndown_revision = None\r\n'
    script = astread.read(bom, "x.py")
    assert isinstance(script, RevisionScript)
    assert (script.message, script.revision, script.revision_line) == ("msg", "a", 2)


def test_legacy_hex_file_name_is_the_revision():
    assert parse("down_revision = None\n", "versions/3f9a1c.py").revision == "3f9a1c"
    assert parse("down_revision = None\n", "versions/helpers.py").revision is None


def test_autogenerate_marker_line():
    script = parse(
        revision(
            "7c1e9d0b4a52",
            None,
            upgrade="# ### commands auto generated by Alembic - please adjust! ###\npass",
        )
    )
    assert script.autogenerate_marker_line == 21


@pytest.mark.parametrize(
    ("comment", "codes", "file_level"),
    [
        pytest.param("x = 1  # alembic-lint: noqa", None, False, id="bare"),
        pytest.param("x = 1  # alembic-lint: noqa: AL201", {"AL201"}, False, id="one"),
        pytest.param(
            "x = 1  # alembic-lint:noqa:AL201,AL202", {"AL201", "AL202"}, False, id="tight"
        ),
        pytest.param(
            "x = 1  # Alembic-Lint: NOQA: al201 al202", {"AL201", "AL202"}, False, id="case"
        ),
        pytest.param("# alembic-lint: noqa: AL305", {"AL305"}, True, id="own-line-is-file-level"),
    ],
)
def test_noqa_directives(comment, codes, file_level):
    script = parse(f"revision = 'a'\n{comment}\n")
    col = comment.index("#") + 1
    assert script.noqa == (Noqa(2, col, frozenset(codes) if codes else None, file_level),)
    assert script.bad_noqa == ()


@pytest.mark.parametrize(
    "comment",
    [
        pytest.param("# alembic-lint: noqa AL201", id="missing-colon"),
        pytest.param("# alembic-lint: ignore: AL201", id="wrong-word"),
        pytest.param("# alembic-lint: noqa: ", id="empty-codes"),
    ],
)
def test_malformed_noqa_is_kept_for_reporting(comment):
    script = parse(f"revision = 'a'\n{comment}\n")
    assert script.noqa == ()
    assert [line for line, _, _ in script.bad_noqa] == [2]


def test_noqa_inside_a_string_is_not_a_comment():
    assert parse('revision = "a"\nx = "# alembic-lint: noqa"\n').noqa == ()


def test_identifiers_are_recovered_from_a_file_that_does_not_parse():
    source = revision(
        "7c1e9d0b4a52", ("aaa111", "bbb222"), labels="('core',)", depends_on="'ccc333'"
    )
    broken = source.replace("def upgrade() -> None:", "def upgrade() -> None")
    result = astread.read(broken.encode(), "versions/x.py")
    assert isinstance(result, ScriptError) and result.recovered is not None
    recovered = result.recovered
    assert (recovered.revision, recovered.down_revisions, recovered.depends_on) == (
        "7c1e9d0b4a52",
        ("aaa111", "bbb222"),
        ("ccc333",),
    )
    assert (recovered.revision_line, recovered.down_revision_line) == (14, 15)
    assert recovered.branch_labels == ("core",)


def test_nothing_is_recovered_without_a_literal_revision():
    result = astread.read(b"revision = make()\ndef f(:\n", "x.py")
    assert isinstance(result, ScriptError) and result.recovered is None
    result = astread.read(b"revision = 'a\n", "x.py")
    assert isinstance(result, ScriptError) and result.recovered is None


def test_odd_literals():
    script = parse(
        "revision = 'a'\ndown_revision = 5\nbranch_labels = 5\nx.y, depends_on = 1, 'b'\n"
        "obj.attr = 2\n"
    )
    assert script.down_revisions is None
    assert [n.name for n in script.non_literals] == ["down_revision"]
    assert script.branch_labels == ("5",)
    assert script.depends_on == ("b",)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        pytest.param(b"revision = 'a'\r# alembic-lint: noqa: AL107\rx = 1\r", 2, id="lone-cr"),
        pytest.param(b"revision = 'a'\r\n\r\n# alembic-lint: noqa: AL107\r\n", 3, id="crlf"),
        pytest.param(b"revision = 'a'\n\x0c\n\x0c# alembic-lint: noqa: AL107\n", 3, id="form-feed"),
        pytest.param(
            b"# -*- coding: latin-1 -*-\nrevision = 'a'  # caf\xe9\n# alembic-lint: noqa: AL107\n",
            3,
            id="latin-1",
        ),
        pytest.param(b"\xef\xbb\xbfrevision = 'a'\n# alembic-lint: noqa: AL107\n", 2, id="bom"),
        pytest.param(
            b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n"
            b"x = '\x93q\x94'\n# alembic-lint: noqa: AL107\n",
            4,
            id="cookie-on-line-2",
        ),
    ],
)
def test_noqa_is_read_as_cpython_reads_the_file(data, line):
    script = astread.read(data, "x.py")
    assert isinstance(script, RevisionScript)
    assert [(n.line, n.codes, n.file_level) for n in script.noqa] == [
        (line, frozenset({"AL107"}), True)
    ]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            b"revision = 'a'\nx = " + b"(" * 500_000 + b")" * 500_000 + b"\n", id="parens"
        ),
        pytest.param(b"revision = 'a'\nx = " + b"-" * 200_000 + b"1\n", id="unary"),
        pytest.param(b"revision = 'a'\nx = " + b"[" * 150 + b"]" * 150 + b"\n", id="lists"),
        pytest.param(
            b"revision = 'a'\ndef upgrade():\n    op.f(" + b"x + " * 50_000 + b"1)\n",
            id="long-sum",
        ),
        pytest.param(
            b"revision = 'a'\nbranch_labels = (" + b"1 + " * 50_000 + b"1,)\n",
            id="unparse",
        ),
        pytest.param(b"revision = 'a'\n\xff(" + b"(" * 100_000 + b"\n", id="recover"),
    ],
)
def test_python_limits_are_al001_or_parsed_never_an_exception(data):
    result = astread.read(data, "x.py")
    if isinstance(result, ScriptError):
        assert result.code == "AL001"
        assert result.message


def test_too_deep_is_al001():
    result = astread.read(b"x = " + b"(" * 500_000 + b")" * 500_000 + b"\n", "x.py")
    assert isinstance(result, ScriptError)
    assert (result.code, result.message) in {
        ("AL001", "too deeply nested for Python's parser"),
        ("AL001", "too many nested parentheses"),
    }
