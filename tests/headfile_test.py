from __future__ import annotations

from alembic_lint import headfile
from tests.builders import history, revision


def test_render_lists_heads_with_their_labels_sorted():
    _, graph = history(
        {
            "versions/r.py": revision("root00", None),
            "versions/e.py": revision("exp001", "root00", labels="('expand',)"),
            "versions/c.py": revision("con001", "root00", labels="('contract',)"),
        }
    )
    assert headfile.render(graph) == "con001 contract\nexp001 expand\n"
    assert headfile.named_heads(headfile.render(graph)) == ({"con001", "exp001"}, False)


def test_named_heads_ignores_comments_and_sees_conflicts():
    assert headfile.named_heads("# heads\n\n  abc  \n") == ({"abc"}, False)
    assert headfile.named_heads("<<<<<<< HEAD\nabc\n=======\ndef\n>>>>>>> x\n") == (
        {"abc", "def"},
        True,
    )
