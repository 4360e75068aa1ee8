"""Chart -> a Mermaid ``flowchart``, as GitHub renders it in markdown and pull-request comments.

Mermaid parses labels itself, so nothing from a revision file reaches the text unescaped: node
ids are generated (``r0_12``), never revision ids, and every label is a quoted string in which
``#``, ``"``, ``<``, ``>``, ``&`` and the backtick are entity codes (``#35;``, ``#quot;``...),
the only markup being the ``<br/>`` between lines. Mermaid's default limits are 50,000
characters and 500 edges; ``warnings`` says when a drawing is over them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic_lint.draw.chart import PALETTE, Chart, Node, one_line

MAX_TEXT = 50_000
MAX_EDGES = 500
MESSAGE_CHARS = 40

_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
}
_TABLE = str.maketrans(_ENTITIES)


def escape(text: str) -> str:
    return text.translate(_TABLE)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label(node: Node) -> str:
    """The lines of a node's box, escaped and joined with ``<br/>``."""
    if node.kind == "fold":
        lines = [
            f"… {node.size} revisions …",
            f"{_short(node.revision, 24)} … {_short(node.last, 24)}",
        ]
    elif node.kind == "missing":
        lines = [_short(node.revision, 40), "missing: no such revision"]
    else:
        first = _short(node.revision, 32)
        if node.roles:
            first += f" ({node.role_text()})"
        lines = [first]
        if node.message:
            lines.append(_short(node.message, MESSAGE_CHARS))
        extra = [f"branch: {_short(name, 24)}" for name in node.labels]
        extra.extend(node.codes)
        if extra:
            lines.append(" ".join(extra))
    return "<br/>".join(escape(line) for line in lines)


def render(sections: Sequence[tuple[str | None, Chart]]) -> str:
    """The whole flowchart: one subgraph per environment where there are several."""
    out = ["flowchart BT"]
    for style, look in PALETTE.items():
        dash = ",stroke-dasharray:5 3" if look.dashed else ""
        width = ",stroke-width:2px" if style in ("finding", "head") else ""
        out.append(
            f"  classDef {style} fill:{look.fill},stroke:{look.stroke},color:#1a202c{width}{dash}"
        )
    for number, (title, chart) in enumerate(sections):
        indent = "  "
        total = f"{chart.revisions} revisions, {chart.heads} head{'s' if chart.heads != 1 else ''}"
        out.append(f"  %% {one_line(title or 'history')}: {total}")
        if title is not None:
            out.append(f'  subgraph s{number}["{escape(one_line(title))}"]')
            out.append("    direction BT")  # a subgraph is laid out top-down unless told
            indent = "    "
        styles: dict[str, list[str]] = {}
        for index, node in enumerate(chart.nodes):
            node_id = f"r{number}_{index}"
            out.append(f'{indent}{node_id}["{label(node)}"]')
            styles.setdefault(node.style, []).append(node_id)
        if chart.outside:
            shown = ", ".join(f"{o.code} {o.path}" for o in chart.outside[:5])
            more = f" and {len(chart.outside) - 5} more" if len(chart.outside) > 5 else ""
            out.append(f'{indent}o{number}["{escape("not in the graph: " + shown + more)}"]')
            styles.setdefault("finding", []).append(f"o{number}")
        for edge in chart.edges:
            arrow = " -. depends on .-> " if edge.dashed else " --> "
            out.append(f"{indent}r{number}_{edge.source}{arrow}r{number}_{edge.target}")
        if title is not None:
            out.append("  end")
        for style in PALETTE:
            if style in styles:
                out.append(f"  class {','.join(styles[style])} {style}")
    return "\n".join(out) + "\n"


def warnings(text: str, sections: Sequence[tuple[str | None, Chart]]) -> list[str]:
    """What would keep GitHub from rendering ``text``."""
    found = []
    if len(text) > MAX_TEXT:
        found.append(f"{len(text):,} characters, over Mermaid's {MAX_TEXT:,}")
    edges = sum(len(chart.edges) for _, chart in sections)
    if edges > MAX_EDGES:
        found.append(f"{edges:,} edges, over Mermaid's {MAX_EDGES:,}")
    return found
