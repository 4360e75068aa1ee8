from __future__ import annotations

import pytest

from alembic_lint.diagnostics import UsageError
from alembic_lint.rewrite import replace_in_message, set_doc_line, set_down_revision
from tests.builders import revision


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            '"""m\n\nRevises: a\n"""\nrevision = "r"\ndown_revision = "a"\n',
            '"""m\n\nRevises: b\n"""\nrevision = "r"\ndown_revision = "b"\n',
            id="plain",
        ),
        pytest.param(
            '"""m\r\n\r\nRevises: a\r\n"""\r\nrevision = \'r\'\r\ndown_revision: Union[str, None] = \'a\'  # keep\r\n',
            '"""m\r\n\r\nRevises: b\r\n"""\r\nrevision = \'r\'\r\ndown_revision: Union[str, None] = \'b\'  # keep\r\n',
            id="crlf-typed-comment",
        ),
        pytest.param(
            '"""m\n\nRevises: a, c"""\nrevision = "r"\ndown_revision = (\n    "a",\n    "c",\n)\nx = 1\n',
            '"""m\n\nRevises: b"""\nrevision = "r"\ndown_revision = "b"\nx = 1\n',
            id="merge-to-one-closing-quotes",
        ),
        pytest.param(
            'revision = "r"\ndown_revision = None\n',
            'revision = "r"\ndown_revision = "b"\n',
            id="no-docstring",
        ),
        pytest.param(
            '"""m\n\nRevises: a\n"""\nrevision = "r"\ndown_revision = "x"\ndown_revision = "a"\n',
            '"""m\n\nRevises: b\n"""\nrevision = "r"\ndown_revision = "x"\ndown_revision = "b"\n',
            id="last-assignment",
        ),
    ],
)
def test_set_down_revision_keeps_everything_else(before, after):
    assert set_down_revision(before.encode(), ("b",), path="x.py") == after.encode()


def test_encodings_survive():
    bom = '\ufeff"""café\n\nRevises: a\n"""\nrevision = \'é\'\ndown_revision = \'a\'\n'.encode()
    assert set_down_revision(bom, ("b",), path="x.py") == bom.replace(b"'a'", b"'b'").replace(
        b"Revises: a", b"Revises: b"
    )
    latin = b'# -*- coding: latin-1 -*-\n"""caf\xe9\n\nRevises:\n"""\nx = "\xe9"; down_revision = None\n'
    assert set_down_revision(latin, ("b", "c"), path="x.py") == (
        b'# -*- coding: latin-1 -*-\n"""caf\xe9\n\nRevises: b, c\n"""\nx = "\xe9"; down_revision = ("b", "c")\n'
    )
    assert (
        set_down_revision(b'revision = "r"\ndown_revision = "a"\n', (), path="x.py")
        == b'revision = "r"\ndown_revision = None\n'
    )


def test_doc_lines():
    source = revision("7c1e9d0b4a52", "a81b2c3d4e5f").encode()
    fixed = set_doc_line(source, "Revision ID", "0b1c2d3e4f5a", path="x.py")
    assert fixed == source.replace(b"Revision ID: 7c1e9d0b4a52", b"Revision ID: 0b1c2d3e4f5a")
    assert set_doc_line(b'revision = "r"\n', "Revises", "a", path="x.py") == b'revision = "r"\n'
    no_line = b'"""just a message"""\nrevision = "r"\n'
    assert set_doc_line(no_line, "Revises", "a", path="x.py") == no_line


def test_refuses_what_it_cannot_rewrite():
    with pytest.raises(UsageError, match="does not parse"):
        set_down_revision(b"def f(:\n", ("b",), path="x.py")
    with pytest.raises(UsageError, match=r"no `down_revision = \.\.\.`"):
        set_down_revision(b'revision = "r"\n', ("b",), path="x.py")


@pytest.mark.parametrize(
    "data",
    [b"# -*- coding: klingon -*-\nx = 1\n", b'"""caf\xe9"""\n', b"\xef\xbb\xbf# coding: latin-1\n"],
)
def test_undecodable_files_are_usage_errors(data):
    with pytest.raises(UsageError, match=r"x\.py: cannot rewrite a file that cannot be decoded"):
        set_doc_line(data, "Revises", "a", path="x.py")


def test_a_cookie_after_a_lone_cr_is_found():
    data = b'# -*- coding: latin-1 -*-\r"""caf\xe9\r\rRevises: old\r"""\r'
    assert set_doc_line(data, "Revises", "new", path="x.py") == data.replace(b"old", b"new")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            '"""vXXX add\n\nRevision ID: x\n"""\n',
            '"""v042 add\n\nRevision ID: x\n"""\n',
            id="first-line",
        ),
        pytest.param('"""\nvXXX add\n"""\n', '"""\nv042 add\n"""\n', id="quotes-on-their-own-line"),
        pytest.param(
            '"""add x\nvXXX later\n"""\n', '"""add x\nvXXX later\n"""\n', id="only-the-message"
        ),
        pytest.param("x = 1\n", "x = 1\n", id="no-docstring"),
        pytest.param('\ufeff"""vXXX\r\n"""\r\n', '\ufeff"""v042\r\n"""\r\n', id="bom-and-crlf"),
    ],
)
def test_replace_in_message(source, expected):
    assert replace_in_message(source.encode(), "vXXX", "v042", path="x.py") == expected.encode()


def test_replace_in_message_of_a_docstring_with_no_text_changes_nothing():
    data = b'""" """\nx = 1\n'
    assert replace_in_message(data, "vXXX", "v042", path="x.py") == data
