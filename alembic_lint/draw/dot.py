"""Chart -> Graphviz dot (``dot -Tsvg graph.dot > graph.svg``).

Labels are double-quoted strings: ``\\`` and ``"`` are escaped, so that no text from a
revision file can close a string or become one of dot's ``\\N``/``\\l`` escapes; lines are
joined with ``\\n``. Node names are generated (``r0_12``), like Mermaid's.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic_lint.draw.chart import PALETTE, Chart, Node, one_line


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lines(node: Node) -> list[str]:
    if node.kind == "fold":
        return [f"… {node.size} revisions …", f"{node.revision} … {node.last}"]
    if node.kind == "missing":
        return [node.revision, "missing: no such revision"]
    first = node.revision + (f" ({node.role_text()})" if node.roles else "")
    lines = [first]
    if node.message:
        lines.append(node.message if len(node.message) <= 48 else node.message[:47] + "…")
    extra = [f"branch: {name}" for name in node.labels] + list(node.codes)
    if extra:
        lines.append(" ".join(extra))
    return lines


def _label(lines: list[str]) -> str:
    return quote("\n".join(lines)).replace("\n", "\\n")


def render(sections: Sequence[tuple[str | None, Chart]]) -> str:
    out = [
        "digraph revisions {",
        "  rankdir=BT;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [color="#6b7280", arrowsize=0.7];',
    ]
    for number, (title, chart) in enumerate(sections):
        indent = "  "
        if title is not None:
            out.append(f"  subgraph cluster_{number} {{")
            out.append(f"    label={quote(one_line(title))};")
            indent = "    "
        for index, node in enumerate(chart.nodes):
            look = PALETTE[node.style]
            style = "rounded,filled,dashed" if look.dashed else "rounded,filled"
            width = ", penwidth=2" if node.style in ("finding", "head") else ""
            out.append(
                f"{indent}r{number}_{index} [label={_label(_lines(node))}, "
                f'fillcolor="{look.fill}", color="{look.stroke}", style="{style}"{width}];'
            )
        if chart.outside:
            look = PALETTE["finding"]
            lines = ["not in the graph:"] + [f"{o.code} {o.path}" for o in chart.outside]
            out.append(
                f'{indent}o{number} [label={_label(lines)}, fillcolor="{look.fill}", '
                f'color="{look.stroke}"];'
            )
        for edge in chart.edges:
            extra = ' [style=dashed, label="depends on", fontsize=8]' if edge.dashed else ""
            out.append(f"{indent}r{number}_{edge.source} -> r{number}_{edge.target}{extra};")
        if title is not None:
            out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"
