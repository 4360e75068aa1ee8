"""The head file: the current heads, one a line, committed so that branches that each add a
revision change the same line and conflict in git at merge time instead of in production.

Format: ``<revision>`` or ``<revision> <label> ...`` (the head's effective branch labels), sorted,
with ``#`` comments and blank lines ignored.
"""

from __future__ import annotations

from alembic_lint.graph import RevisionGraph

CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


def render(graph: RevisionGraph) -> str:
    """The file's content for the graph's current heads."""
    lines = sorted(" ".join([head, *sorted(graph.labels[head])]) for head in graph.heads)
    return "".join(f"{line}\n" for line in lines)


def named_heads(text: str) -> tuple[set[str], bool]:
    """The revision ids the file names, and whether it holds merge-conflict markers."""
    heads: set[str] = set()
    conflicted = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(CONFLICT_MARKERS):
            conflicted = True
        elif line and not line.startswith("#"):
            heads.add(line.split()[0])
    return heads, conflicted
