"""``alembic-lint graph``: the revision history as a picture.

``chart`` decides what is drawn (and folds long linear runs); ``mermaid``, ``dot`` and ``html``
each write one format, ``layout`` places the boxes for html. Renderers return strings; only
``cli`` prints or writes files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from alembic_lint.draw import dot, html, mermaid
from alembic_lint.draw.chart import DEFAULT_FOLD, Chart, build_chart

FORMATS = ("mermaid", "dot", "html")

__all__ = ["DEFAULT_FOLD", "FORMATS", "Chart", "Drawing", "build_chart", "render"]


class Drawing(NamedTuple):
    text: str
    warnings: list[str]
    """Why the drawing may not show where it is meant to (GitHub's Mermaid limits)."""


def render(fmt: str, sections: Sequence[tuple[str | None, Chart]], *, title: str) -> Drawing:
    """``sections``: (environment label, or None when there is one environment, chart)."""
    if fmt == "dot":
        return Drawing(dot.render(sections), [])
    if fmt == "html":
        return Drawing(html.render(sections, title=title), [])
    text = mermaid.render(sections)
    return Drawing(text, mermaid.warnings(text, sections))
