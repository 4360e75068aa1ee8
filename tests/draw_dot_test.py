from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from alembic_lint.draw import dot
from alembic_lint.draw.chart import Outside, build_chart
from tests.builders import history, revision
from tests.drawing import (
    NO_DOCSTRING,
    SAMPLE_IDS,
    generated_sources,
    linted_chart,
    sample_graph,
    sample_sources,
)

DOT = shutil.which("dot")
needs_graphviz = pytest.mark.skipif(
    DOT is None,
    reason="Graphviz is not installed (Debian: apt-get install graphviz; .ci/run installs it)",
)
NODE = re.compile(
    r'^ +([ro]\d+(?:_\d+)?) \[label="((?:[^"\\]|\\.)*)", fillcolor="#[0-9a-f]{6}", color="#[0-9a-f]{6}"(, style="[a-z,]+")?(, penwidth=2)?\];$'
)
EDGE = re.compile(
    r'^ +(r\d+_\d+) -> (r\d+_\d+)( \[style=dashed, label="depends on", fontsize=8\])?;$'
)


def parse(text):
    lines = text.splitlines()
    assert lines[:2] == ["digraph revisions {", "  rankdir=BT;"]
    assert lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[2:-1]:
        if m := NODE.match(line):
            nodes[m.group(1)] = m.group(2)
        elif m := EDGE.match(line):
            edges.append((m.group(1), bool(m.group(3)), m.group(2)))
        else:
            assert re.match(
                r"^  (node|edge) \[.*\];$|^  subgraph cluster_\d+ \{$|^    label=\".*\";$|^  \}$",
                line,
            ), line
    assert all(s in nodes and t in nodes for s, _, t in edges)
    return nodes, edges


def test_the_sample_is_a_digraph_of_its_chart(tmp_path):
    _, chart = linted_chart(sample_sources(), tmp_path)
    nodes, edges = parse(dot.render([(None, chart)]))
    assert len(nodes) == 8
    assert sorted(dashed for _, dashed, _ in edges) == [False] * 8 + [True]
    labels = set(nodes.values())
    assert f"{SAMPLE_IDS[13]} (head)\\nvXXX\\nAL101 AL301" in labels
    assert f"… 8 revisions …\\n{SAMPLE_IDS[1]} … {SAMPLE_IDS[8]}" in labels
    assert f"{SAMPLE_IDS[11]}\\nfix index\\nbranch: hotfix" in labels


def test_labels_are_escaped_for_dot():
    graph = history(
        {"versions/a.py": revision("a1", "gone", message='a "b" \\\\N \\\\l ' + "x" * 50)}
    )[1]
    nodes, _ = parse(dot.render([(None, build_chart(graph))]))
    assert nodes["r0_0"] == 'a1 (head)\\na \\"b\\" \\\\N \\\\l ' + "x" * 35 + "…"
    assert nodes["r0_1"] == "gone\\nmissing: no such revision"


def test_an_empty_message_leaves_out_its_line():
    graph = history({"versions/a.py": NO_DOCSTRING.format(down=None)})[1]
    assert parse(dot.render([(None, build_chart(graph))]))[0] == {"r0_0": "a1 (head, base)"}


def test_environments_are_clusters_and_outside_findings_a_box():
    chart = build_chart(sample_graph())._replace(outside=(Outside("versions/bad.py", "AL001"),))
    text = dot.render([("backend/alembic.ini", chart), ("billing", chart)])
    nodes, edges = parse(text)
    assert len(nodes) == 18 and len(edges) == 18
    assert text.count("subgraph cluster_") == 2
    assert '    label="backend/alembic.ini";' in text
    assert nodes["o1"] == "not in the graph:\\nAL001 versions/bad.py"


def _svg(text):
    assert DOT is not None
    done = subprocess.run([DOT, "-Tsvg"], input=text, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout


@needs_graphviz
def test_graphviz_lays_out_the_sample_and_a_thousand_revisions(tmp_path):
    _, chart = linted_chart(sample_sources(), tmp_path / "small")
    svg = _svg(dot.render([(None, chart)]))
    assert svg.count('<g id="node') == 8
    assert svg.count('<g id="edge') == 9
    assert "vXXX" in svg and "AL101 AL301" in svg
    svg = _svg(dot.render([("backend", chart), ("billing", chart)]))
    assert svg.count('<g id="node') == 16
    assert svg.count('<g id="clust') == 2
    big = build_chart(history(generated_sources(1000))[1])
    svg = _svg(dot.render([(None, big)]))
    assert svg.count('<g id="node') == len(big.nodes)
    assert svg.count('<g id="edge') == len(big.edges)
