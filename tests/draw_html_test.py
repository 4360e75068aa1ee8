from __future__ import annotations

import html as htmllib
import re
import struct
import zlib

import pytest

from alembic_lint.draw import html
from alembic_lint.draw.chart import PALETTE, Outside, build_chart
from tests.builders import history, revision
from tests.drawing import (
    NO_DOCSTRING,
    SAMPLE_IDS,
    Picture,
    chromium,
    generated_sources,
    linted_chart,
    needs_chromium,
    sample_graph,
    sample_sources,
)

NODE = re.compile(r'<g class="node (\w+)[^"]*" id="(n\d+_\d+)" ([^>]*)>')
PATH = re.compile(
    r'<path class="(edge(?: dep| back)?)" data-s="(n\d+_\d+)" data-t="(n\d+_\d+)" d="([^"]+)"'
)


def nodes_of(page):
    found = {}
    for style, key, attrs in NODE.findall(page):
        data = {k: htmllib.unescape(v) for k, v in re.findall(r'data-([a-z]+)="([^"]*)"', attrs)}
        found[key] = (style, data)
    return found


def test_one_box_per_node_with_its_facts(tmp_path):
    _, chart = linted_chart(sample_sources(), tmp_path)
    page = html.render([(None, chart)], title="Revision history of shop")
    found = nodes_of(page)
    assert len(found) == len(chart.nodes) == 8
    assert sum(int(data["count"]) for _, data in found.values()) == 15
    by_id = {data["id"]: (style, data) for style, data in found.values()}
    style, head = by_id[SAMPLE_IDS[13]]
    assert style == "finding"
    assert head["codes"] == "AL101 AL301" and head["roles"] == "head" and head["msg"] == "vXXX"
    assert head["path"].endswith(f"versions/{SAMPLE_IDS[13]}_x.py")
    style, fold = by_id[SAMPLE_IDS[1]]
    assert style == "fold" and fold["members"] == " ".join(SAMPLE_IDS[1:9])
    assert by_id[SAMPLE_IDS[11]][1]["labels"] == "hotfix"
    edges = PATH.findall(page)
    assert sorted(kind for kind, *_ in edges) == ["edge"] * 8 + ["edge dep"]
    assert {(s, t) for _, s, t, _ in edges} <= {(a, b) for a in found for b in found}
    assert "<title>Revision history of shop</title>" in page
    assert "15 revisions, 2 heads, 8 of them folded into 1 boxes" in page


def test_the_page_is_self_contained():
    page = html.render([(None, build_chart(sample_graph()))], title="t")
    assert not re.search(r"\b(src|href)=", page)
    assert re.findall(r"url\(([^)]*)\)", page) == ["#arrow"] * 9
    assert re.findall(r"https?://[^\s\"]+", page) == ["http://www.w3.org/2000/svg"]
    assert "@import" not in page and "fetch(" not in page and "XMLHttpRequest" not in page


def test_text_from_revision_files_is_escaped():
    evil = "<script>alert(1)</script> \"q\" & 's'"
    graph = history({"versions/a.py": revision("a1", None, message=evil, labels="('<x>',)")})[1]
    chart = build_chart(graph)._replace(outside=(Outside("versions/<b>.py", "AL001"),))
    page = html.render([("<env>", chart)], title="<t>")
    assert "<script>alert" not in page and "<x>" not in page and "<b>" not in page
    assert page.count("<script>") == 1
    [(_, data)] = nodes_of(page).values()
    assert data["msg"] == evil and data["labels"] == "<x>"
    assert "<h2>&lt;env&gt;</h2>" in page and "<title>&lt;t&gt;</title>" in page
    assert "<li>AL001 versions/&lt;b&gt;.py</li>" in page


def test_several_environments_are_sections_with_their_own_ids():
    chart = build_chart(sample_graph())
    page = html.render([("backend/alembic.ini", chart), ("billing/alembic.ini", chart)], title="t")
    assert page.count("<section>") == 2 and page.count("<svg xmlns") == 2
    keys = list(nodes_of(page))
    assert len(keys) == len(set(keys)) == 16
    assert {key.split("_")[0] for key in keys} == {"n0", "n1"}


@pytest.mark.parametrize(
    ("sources", "kinds"),
    [
        pytest.param(
            {
                "versions/a.py": revision("a1", None),
                "versions/b.py": revision("b2", "a1"),
                "versions/c.py": revision("c3", "a1", depends_on="'b2'"),
                "versions/d.py": revision("d4", "b2", depends_on="'c3'"),
                "versions/e.py": revision("e5", "b2", depends_on="'a1'"),
            },
            ["edge", "edge", "edge", "edge", "edge dep", "edge dep", "edge dep"],
            id="dashed edges right, left and in one column",
        ),
        pytest.param(
            {"versions/a.py": revision("a1", "b2"), "versions/b.py": revision("b2", "a1")},
            ["edge", "edge back"],
            id="a cycle's closing edge",
        ),
    ],
)
def test_edges_that_do_not_climb_leave_from_the_sides(sources, kinds):
    page = html.render([(None, build_chart(history(sources)[1]))], title="t")
    edges = PATH.findall(page)
    assert sorted(kind for kind, *_ in edges) == kinds
    for kind, _, _, d in edges:
        assert d.startswith("M")
        assert ("C" in d) and (kind == "edge" or d.count("C") == 1)


def test_an_empty_message_leaves_out_its_line():
    graph = history({"versions/a.py": NO_DOCSTRING.format(down=None)})[1]
    page = html.render([(None, build_chart(graph))], title="t")
    assert re.findall(r"<text[^>]*>([^<]*)</text>", page) == ["a1", "head, base"]


def test_long_text_is_cut_to_its_box():
    graph = history(
        {"versions/a.py": revision("a" * 40, None, message="m" * 80, labels=f"('{'l' * 60}',)")}
    )[1]
    page = html.render([(None, build_chart(graph))], title="t")
    texts = re.findall(r"<t(?:ext|span)[^>]*>([^<]+)</t", page)
    cut = {t[0]: len(t) for t in texts if t.endswith("…")}
    assert set(cut) == {"a", "m", "⎇"}
    assert all(n * html.SANS_PX < html.NODE_W - 16 for n in cut.values())


# --- in a real browser -----------------------------------------------------------------

BOXES = """<script>
document.querySelectorAll('g.node').forEach(function (n) {
  var r = n.querySelector('rect').getBoundingClientRect();
  n.setAttribute('data-box', [r.left, r.top, r.width, r.height].map(Math.round).join(','));
});
var find = document.getElementById('find');
find.value = '%(folded)s';
find.dispatchEvent(new Event('input'));
document.body.setAttribute('data-found', Array.from(document.querySelectorAll('g.hit'))
  .map(function (n) { return n.dataset.id; }).join(' '));
document.querySelector('g[data-id="%(clicked)s"]').dispatchEvent(new MouseEvent('click'));
document.body.setAttribute('data-dimmed', Array.from(document.querySelectorAll('g.node.dim'))
  .map(function (n) { return n.dataset.id; }).sort().join(' '));
document.body.setAttribute('data-details', document.getElementById('details').textContent);
</script>"""
WINDOW = "--window-size=900,760"


@needs_chromium
def test_chromium_draws_every_box_in_its_colour_where_the_layout_put_it(tmp_path):
    _, chart = linted_chart(sample_sources(), tmp_path / "project")
    page = tmp_path / "graph.html"
    page.write_text(html.render([(None, chart)], title="t"), encoding="utf-8")
    probe = tmp_path / "probe.html"
    script = BOXES % {"folded": SAMPLE_IDS[5][:7], "clicked": SAMPLE_IDS[13]}
    probe.write_text(page.read_text().replace("</body>", script + "</body>"), encoding="utf-8")

    dom = chromium(probe, tmp_path, WINDOW, "--dump-dom")
    assert '<span id="status">15 revisions in 8 boxes</span>' in dom
    boxes = {}
    for style, _, attrs in NODE.findall(dom):
        data = dict(re.findall(r'data-([a-z]+)="([^"]*)"', attrs))
        boxes[data["id"]] = (style, tuple(int(v) for v in data["box"].split(",")))
    assert len(boxes) == 8
    opening = re.search(r"<body ([^>]*)>", dom)
    assert opening is not None
    body = opening.group(1)
    assert f'data-found="{SAMPLE_IDS[1]}"' in body  # the fold that holds the searched id
    assert f'data-dimmed="{SAMPLE_IDS[14]}"' in body  # the other head: not on this lineage
    assert f'data-details="{SAMPLE_IDS[13]}  (head)\nvXXX' in body

    shot = tmp_path / "graph.png"
    chromium(page, tmp_path, WINDOW, f"--screenshot={shot}")
    picture = Picture(shot)
    assert (picture.width, picture.height) == (900, 760)
    assert len(picture.colours()) > 20  # not blank
    for rev, (style, (x, y, w, h)) in boxes.items():
        assert (w, h) == (html.NODE_W, html.NODE_H), rev
        assert y + h <= picture.height, "the sample must fit the window"
        assert picture.pixel(x + 4, y + h // 2) == PALETTE[style].fill, (rev, style)
    # the line from the base up to the fold
    _, (bx, by, bw, _) = boxes[SAMPLE_IDS[0]]
    _, (_, fy, _, fh) = boxes[SAMPLE_IDS[1]]
    column = {picture.pixel(bx + bw // 2, y) for y in range(fy + fh + 10, by - 2)}
    assert column - {"#ffffff"}, "no edge drawn between the base and the fold"
    assert picture.pixel(bx + bw + 20, (fy + fh + by) // 2) == "#ffffff"


@needs_chromium
def test_chromium_runs_the_page_of_a_thousand_revisions(tmp_path):
    _, chart = linted_chart(generated_sources(1000), tmp_path / "project")
    page = tmp_path / "graph.html"
    page.write_text(html.render([(None, chart)], title="t"), encoding="utf-8")
    dom = chromium(page, tmp_path, WINDOW, "--dump-dom")
    assert f'<span id="status">1000 revisions in {len(chart.nodes)} boxes</span>' in dom
    assert len(NODE.findall(dom)) == len(chart.nodes)


def _predict(kind, a, b, c):
    if kind == 1:
        return a
    if kind == 2:
        return b
    if kind == 3:
        return (a + b) // 2
    if kind == 4:
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        return a if pa <= pb and pa <= pc else b if pb <= pc else c
    return 0


def test_the_png_reader_undoes_every_filter(tmp_path):
    """The picture checks above are only as good as the PNG reader: a PNG written here with
    each of the five row filters reads back pixel for pixel."""
    width, height = 7, 10
    rows = [
        bytes((x * 37 + y * 11 + ch * 5) % 256 for x in range(width) for ch in range(3))
        for y in range(height)
    ]
    raw = b""
    prev = bytes(width * 3)
    for y, row in enumerate(rows):
        kind = y % 5
        out = bytes(
            (
                row[i]
                - _predict(kind, row[i - 3] if i >= 3 else 0, prev[i], prev[i - 3] if i >= 3 else 0)
            )
            & 255
            for i in range(len(row))
        )
        raw += bytes([kind]) + out
        prev = row

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = tmp_path / "p.png"
    png.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    picture = Picture(png)
    assert (picture.width, picture.height, picture.channels) == (width, height, 3)
    for y in range(height):
        for x in range(width):
            r, g, b = rows[y][x * 3 : x * 3 + 3]
            assert picture.pixel(x, y) == f"#{r:02x}{g:02x}{b:02x}"
