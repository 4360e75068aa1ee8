"""Chart -> one self-contained html page: the layout computed here, drawn as inline SVG.

Nothing is fetched: no script, font or style sheet comes from elsewhere, so the file opens from
a CI artifact or a mail attachment. A little inline script adds what a picture cannot: hovering
a box shows its details (full message, file, findings, the ids inside a fold), clicking it
highlights its ancestors and descendants, and the search box finds a revision by id prefix,
also inside a fold. Every box is a ``<g class="node">`` whose ``data-*`` attributes carry its
facts, so the page works (and can be read) without the script too.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from alembic_lint.draw.chart import LEGEND, PALETTE, Chart, Node, one_line
from alembic_lint.draw.layout import layout

NODE_W = 236
NODE_H = 54
PITCH_X = NODE_W + 40
PITCH_Y = NODE_H + 30
MARGIN = 16
BULGE = 30
"""How far a dashed edge between boxes of one column swings out to the right."""

# average advance of a character at the sizes used, in pixels, to cut text to its box
MONO_PX = 7.3
SANS_PX = 6.9
SMALL_PX = 5.9

CSS = """
body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
color:#1a202c;background:#fff}
header{position:sticky;top:0;z-index:2;background:#fffffff0;border-bottom:1px solid #e2e8f0;
padding:8px 16px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:15px;margin:0}
.legend{display:flex;gap:10px;flex-wrap:wrap;font-size:12px}
.legend span{display:inline-flex;align-items:center;gap:4px}
.legend i{display:inline-block;width:14px;height:10px;border:1.5px solid;border-radius:3px}
input{font:inherit;padding:2px 6px;width:16em}
section{padding:0 0 16px}
section h2{font-size:14px;margin:12px 16px 0}
p.summary,ul.outside{margin:4px 16px;font-size:12px;color:#4a5568}
svg{display:block}
.node{cursor:pointer}
.node rect{stroke-width:1.5}
.node.finding rect,.node.head rect{stroke-width:2.5}
.node text{font-size:12px;fill:#1a202c}
.node .id{font:bold 12px ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
.node .role{font-size:10px;fill:#4a5568}
.node .codes{font-size:11px;font-weight:bold;fill:#c53030}
.node .labels{font-size:11px;fill:#6b46c1}
.edge{fill:none;stroke:#6b7280;stroke-width:1.5}
.edge.dep{stroke:#805ad5;stroke-dasharray:5 4}
.dim{opacity:.18}
.node.hit rect{stroke:#d53f8c;stroke-width:4}
#details{position:fixed;right:12px;bottom:12px;max-width:420px;background:#fff;z-index:3;
border:1px solid #cbd5e0;border-radius:6px;padding:8px 10px;font-size:12px;
box-shadow:0 2px 8px #0002;display:none;white-space:pre-wrap;word-break:break-all}
"""

SCRIPT = """
(function(){
  var nodes=document.querySelectorAll('g.node'), edges=document.querySelectorAll('path.edge');
  var up={}, down={}, byKey={};
  nodes.forEach(function(n){byKey[n.id]=n; up[n.id]=[]; down[n.id]=[];});
  edges.forEach(function(e){var s=e.dataset.s, t=e.dataset.t;
    if(up[s]&&down[t]){up[s].push(t); down[t].push(s);}});
  var details=document.getElementById('details');
  function show(n){var d=n.dataset, text=d.id;
    if(d.count>1){text='\\u2026 '+d.count+' revisions \\u2026\\n'+d.members.split(' ').join('\\n');}
    else{if(d.roles)text+='  ('+d.roles+')'; if(d.msg)text+='\\n'+d.msg;
      if(d.path)text+='\\n'+d.path; if(d.labels)text+='\\nbranch labels: '+d.labels;
      if(d.codes)text+='\\nfindings: '+d.codes;}
    details.textContent=text; details.style.display='block';}
  function walk(start, next){var seen={}, stack=[start]; seen[start]=1;
    while(stack.length){var k=stack.pop(); next[k].forEach(function(m){
      if(!seen[m]){seen[m]=1; stack.push(m);}});}
    return seen;}
  function clear(){document.querySelectorAll('.dim,.hit').forEach(function(x){
    x.classList.remove('dim'); x.classList.remove('hit');});}
  function lineage(n){clear(); var a=walk(n.id, down), b=walk(n.id, up);
    nodes.forEach(function(m){if(!a[m.id]&&!b[m.id])m.classList.add('dim');});
    edges.forEach(function(e){var s=e.dataset.s, t=e.dataset.t;
      if(!((a[s]&&a[t])||(b[s]&&b[t])))e.classList.add('dim');});
    n.classList.add('hit');}
  nodes.forEach(function(n){
    n.addEventListener('mouseenter', function(){show(n);});
    n.addEventListener('click', function(ev){ev.stopPropagation(); lineage(n); show(n);});});
  document.addEventListener('click', function(){clear(); details.style.display='none';});
  var find=document.getElementById('find');
  find.addEventListener('input', function(){clear(); var q=find.value.trim();
    if(!q)return; var hit=null;
    nodes.forEach(function(n){if(!hit&&(' '+n.dataset.members).indexOf(' '+q)>=0)hit=n;});
    if(hit){hit.classList.add('hit'); hit.scrollIntoView({block:'center',inline:'center'});
      show(hit);}});
  var revisions=0; nodes.forEach(function(n){revisions+=Number(n.dataset.count);});
  document.getElementById('status').textContent=
    revisions+' revisions in '+nodes.length+' boxes';
})();
"""


def _fit(text: str, width: float, px: float) -> str:
    chars = max(int(width / px), 2)
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _node_svg(key: str, node: Node, x: int, y: int) -> str:
    look = PALETTE[node.style]
    dash = ' stroke-dasharray="5 3"' if look.dashed else ""
    data = {
        "id": node.revision,
        "count": str(node.size),
        "members": " ".join(node.members) or node.revision,
        "msg": node.message,
        "path": node.path,
        "roles": node.role_text(),
        "labels": " ".join(node.labels),
        "codes": " ".join(node.codes),
    }
    attrs = " ".join(f'data-{name}="{_attr(value)}"' for name, value in data.items() if value)
    inner = NODE_W - 16
    if node.kind == "fold":
        lines = [
            f'<text x="8" y="20" class="id">… {node.size} revisions …</text>',
            f'<text x="8" y="38" class="id">{_attr(_fit(node.revision, inner / 2 - 12, MONO_PX))}'
            f" … {_attr(_fit(node.last, inner / 2 - 12, MONO_PX))}</text>",
        ]
    else:
        role = "missing" if node.kind == "missing" else node.role_text()
        role_w = len(role) * SMALL_PX + 8 if role else 0
        lines = [
            f'<text x="8" y="17" class="id">{_attr(_fit(node.revision, inner - role_w, MONO_PX))}</text>'
        ]
        if role:
            lines.append(
                f'<text x="{NODE_W - 8}" y="16" class="role" text-anchor="end">{_attr(role)}</text>'
            )
        message = "not in the history" if node.kind == "missing" else node.message
        if message:
            lines.append(f'<text x="8" y="33">{_attr(_fit(message, inner, SANS_PX))}</text>')
        tags = []
        left: float = inner
        if node.labels:
            text = _fit("⎇ " + ", ".join(node.labels), inner * (0.5 if node.codes else 1), SANS_PX)
            tags.append(f'<tspan class="labels">{_attr(text)}</tspan>')
            left -= len(text) * SANS_PX + 8
        if node.codes:
            codes = _fit(" ".join(node.codes), left, SANS_PX)
            tags.append(
                f'<tspan class="codes" dx="{8 if node.labels else 0}">{_attr(codes)}</tspan>'
            )
        if tags:
            lines.append(f'<text x="8" y="48">{"".join(tags)}</text>')
    title = node.revision if node.kind != "fold" else f"{node.revision} … {node.last}"
    return (
        f'<g class="node {node.style}" id="{key}" {attrs} transform="translate({x},{y})">'
        f"<title>{_attr(title)}</title>"
        f'<rect width="{NODE_W}" height="{NODE_H}" rx="5" fill="{look.fill}" '
        f'stroke="{look.stroke}"{dash}/>{"".join(lines)}</g>'
    )


def _section(number: int, title: str | None, chart: Chart) -> str:
    placed = layout(len(chart.nodes), [(e.source, e.target, e.dashed) for e in chart.edges])
    top = placed.ranks - 1

    def left(column: int) -> int:
        return MARGIN + column * PITCH_X

    def upper(rank: int) -> int:
        return MARGIN + (top - rank) * PITCH_Y

    width = MARGIN * 2 + max(placed.columns, 1) * PITCH_X - PITCH_X + NODE_W + BULGE
    height = MARGIN * 2 + max(placed.ranks, 1) * PITCH_Y - PITCH_Y + NODE_H
    keys = [f"n{number}_{i}" for i in range(len(chart.nodes))]
    solid: list[str] = []
    dashed: list[str] = []
    for edge, bends in zip(chart.edges, placed.bends, strict=True):
        s, t = edge.source, edge.target
        sx, sy = left(placed.column[s]), upper(placed.rank[s])
        tx, ty = left(placed.column[t]), upper(placed.rank[t])
        ends = f'data-s="{keys[s]}" data-t="{keys[t]}"'
        if edge.dashed or placed.rank[t] <= placed.rank[s]:
            my, ty2 = sy + NODE_H // 2, ty + NODE_H // 2
            if tx > sx:
                x0, x1, c0, c1 = sx + NODE_W, tx, sx + NODE_W + BULGE, tx - BULGE
            elif tx < sx:
                x0, x1, c0, c1 = sx, tx + NODE_W, sx - BULGE, tx + NODE_W + BULGE
            else:
                x0 = x1 = sx + NODE_W
                c0 = c1 = sx + NODE_W + BULGE
            path = f"M{x0},{my} C{c0},{my} {c1},{ty2} {x1},{ty2}"
            css = "edge dep" if edge.dashed else "edge back"
            (dashed if edge.dashed else solid).append(
                f'<path class="{css}" {ends} d="{path}" marker-end="url(#arrow)"/>'
            )
            continue
        points = [(sx + NODE_W // 2, sy)]
        for column, rank in bends:
            x = left(column) + NODE_W // 2
            points += [(x, upper(rank) + NODE_H), (x, upper(rank))]
        points.append((tx + NODE_W // 2, ty + NODE_H))
        d = [f"M{points[0][0]},{points[0][1]}"]
        for i in range(1, len(points)):
            (x0, y0), (x1, y1) = points[i - 1], points[i]
            if i % 2:
                mid = (y0 + y1) // 2
                d.append(f"C{x0},{mid} {x1},{mid} {x1},{y1}")
            else:
                d.append(f"L{x1},{y1}")
        solid.append(f'<path class="edge" {ends} d="{" ".join(d)}" marker-end="url(#arrow)"/>')
    boxes = [
        _node_svg(keys[i], node, left(placed.column[i]), upper(placed.rank[i]))
        for i, node in enumerate(chart.nodes)
    ]
    heads = f"{chart.heads} head{'s' if chart.heads != 1 else ''}"
    folded = (
        f", {chart.folded} of them folded into {sum(n.kind == 'fold' for n in chart.nodes)} boxes"
        if chart.folded
        else ""
    )
    parts = ["<section>"]
    if title is not None:
        parts.append(f"<h2>{_attr(one_line(title))}</h2>")
    parts.append(f'<p class="summary">{chart.revisions} revisions, {heads}{folded}</p>')
    if chart.outside:
        items = "".join(f"<li>{_attr(o.code)} {_attr(o.path)}</li>" for o in chart.outside)
        parts.append(f'<ul class="outside">findings on files not in the graph:{items}</ul>')
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    )
    parts.extend(solid)
    parts.extend(boxes)
    parts.extend(dashed)
    parts.append("</svg></section>")
    return "\n".join(parts)


def render(sections: Sequence[tuple[str | None, Chart]], *, title: str = "Revision history") -> str:
    legend = "".join(
        f'<span><i style="background:{PALETTE[style].fill};border-color:{PALETTE[style].stroke};'
        f'border-style:{"dashed" if PALETTE[style].dashed else "solid"}"></i>{_attr(meaning)}</span>'
        for style, meaning in LEGEND.items()
    )
    body = "\n".join(_section(i, label, chart) for i, (label, chart) in enumerate(sections))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_attr(one_line(title))}</title>\n<style>{CSS}</style></head><body>\n"
        f"<header><h1>{_attr(one_line(title))}</h1>"
        f'<div class="legend">{legend}</div>'
        '<input id="find" type="search" placeholder="find a revision id" aria-label="find a revision id">'
        '<span id="status"></span></header>\n'
        '<svg width="0" height="0" style="position:absolute"><defs>'
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/>'
        "</marker></defs></svg>\n"
        f"{body}\n"
        '<div id="details"></div>\n'
        f"<script>{SCRIPT}</script>\n</body></html>\n"
    )
