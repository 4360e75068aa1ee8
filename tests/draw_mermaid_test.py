from __future__ import annotations

import re

import pytest

from alembic_lint.draw import mermaid
from alembic_lint.draw.chart import Outside, build_chart
from tests.builders import history, revision
from tests.drawing import (
    NO_DOCSTRING,
    SAMPLE_IDS,
    generated_sources,
    linted_chart,
    needs_mermaid,
    render_mermaid,
    result_of,
    sample_graph,
    sample_sources,
)

NODE = re.compile(r'^ +(r\d+_\d+|o\d+)\["([^"]*)"\]$')
EDGE = re.compile(r"^ +(r\d+_\d+)( --> | -\. depends on \.-> )(r\d+_\d+)$")
CLASS = re.compile(r"^  class ([\w,]+) (\w+)$")
LINE = re.compile(
    r"^(flowchart BT|  classDef \w+ [^ ]+( \d+)?|  %% .*|  subgraph s\d+\[\"[^\"]*\"\]"
    r"|    direction BT|  end)$"
)


def parse(text):
    """Every line must be one of the statements we write; returns nodes, edges and classes."""
    nodes, edges, classes = {}, [], {}
    for line in text.splitlines():
        if m := NODE.match(line):
            assert m.group(1) not in nodes
            nodes[m.group(1)] = m.group(2)
        elif m := EDGE.match(line):
            edges.append((m.group(1), "dashed" if "depends" in m.group(2) else "solid", m.group(3)))
        elif m := CLASS.match(line):
            for node in m.group(1).split(","):
                assert node not in classes
                classes[node] = m.group(2)
        else:
            assert LINE.match(line), line
    for source, _, target in edges:
        assert source in nodes and target in nodes
    assert set(classes) == set(nodes)
    return nodes, edges, classes


def test_the_sample_is_a_flowchart_of_its_chart(tmp_path):
    _, chart = linted_chart(sample_sources(), tmp_path)
    text = mermaid.render([(None, chart)])
    assert text.startswith("flowchart BT\n")
    assert "subgraph" not in text
    nodes, edges, classes = parse(text)
    assert len(nodes) == len(chart.nodes) == 8
    assert sorted(kind for _, kind, _ in edges) == ["dashed"] + ["solid"] * 8
    labels = {chart.nodes[int(key.split("_")[1])].revision: label for key, label in nodes.items()}
    assert labels[SAMPLE_IDS[1]] == f"… 8 revisions …<br/>{SAMPLE_IDS[1]} … {SAMPLE_IDS[8]}"
    assert labels[SAMPLE_IDS[13]] == f"{SAMPLE_IDS[13]} (head)<br/>vXXX<br/>AL101 AL301"
    assert labels[SAMPLE_IDS[11]] == f"{SAMPLE_IDS[11]}<br/>fix index<br/>branch: hotfix"
    assert labels[SAMPLE_IDS[12]] == f"{SAMPLE_IDS[12]} (merge, branch)<br/>merge heads"
    assert sorted(classes.values()) == sorted(n.style for n in chart.nodes)
    assert "%% history: 15 revisions, 2 heads" in text
    assert mermaid.warnings(text, [(None, chart)]) == []


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        pytest.param('say "hi"', "say #quot;hi#quot;", id="quote"),
        pytest.param("<script>x</script>", "#lt;script#gt;x#lt;/script#gt;", id="tag"),
        pytest.param("#1 & `code`", "#35;1 #amp; #96;code#96;", id="entity-like"),
        pytest.param(
            "end --> x %% y; [a] {b} (c) |d|", "end --#gt; x %% y; [a] {b} (c) |d|", id="syntax"
        ),
        pytest.param("a" * 60, "a" * 39 + "…", id="long"),
    ],
)
def test_labels_cannot_break_out_of_their_string(message, shown):
    graph = history({"versions/a.py": revision("a1", None, message=message)})[1]
    [(_, label)] = parse(mermaid.render([(None, build_chart(graph))]))[0].items()
    assert label == f"a1 (head, base)<br/>{shown}"


def test_each_environment_is_a_subgraph_with_its_own_ids():
    chart = build_chart(sample_graph())
    text = mermaid.render([("backend/alembic.ini", chart), ('odd "name"', chart)])
    nodes, edges, _ = parse(text)
    assert len(nodes) == 16 and len(edges) == 18
    assert '  subgraph s0["backend/alembic.ini"]' in text
    assert '  subgraph s1["odd #quot;name#quot;"]' in text
    assert text.count("    direction BT") == 2
    assert {key.split("_")[0] for key in nodes} == {"r0", "r1"}


def test_findings_outside_the_graph_get_a_box():
    chart = build_chart(sample_graph())._replace(
        outside=tuple(Outside(f"versions/bad{i}.py", "AL001") for i in range(7))
    )
    nodes, _, classes = parse(mermaid.render([(None, chart)]))
    assert nodes["o0"].startswith("not in the graph: AL001 versions/bad0.py, ")
    assert nodes["o0"].endswith("AL001 versions/bad4.py and 2 more")
    assert classes["o0"] == "finding"


def test_warnings_name_the_limits_github_would_hit():
    chart = build_chart(history(generated_sources(1000))[1], fold=0)
    text = mermaid.render([(None, chart)])
    found = mermaid.warnings(text, [(None, chart)])
    assert len(found) == 2
    assert found[0].endswith("characters, over Mermaid's 50,000")
    assert re.fullmatch(r"1,0\d\d edges, over Mermaid's 500", found[1])


@needs_mermaid
def test_mermaid_itself_renders_the_sample_with_the_text_unchanged(tmp_path):
    sources = sample_sources()
    odd = 'vXXX "q" <b>#1</b> & `t` end --> %% ;'
    sources[f"versions/{SAMPLE_IDS[13]}_x.py"] = revision(
        SAMPLE_IDS[13], SAMPLE_IDS[12], message=odd, depends_on=repr(SAMPLE_IDS[10])
    )
    _, chart = linted_chart(sources, tmp_path / "project")
    two = [("backend/alembic.ini", chart), ("billing/alembic.ini", chart)]
    for sections, boxes in (([(None, chart)], 8), (two, 16)):
        dom = render_mermaid(mermaid.render(sections), tmp_path)
        assert result_of(dom) == f"ok {boxes}"
        assert 'vXXX "q" &lt;b&gt;#1&lt;/b&gt; &amp; `t` end --&gt; %% ;<br>AL101 AL301' in dom
        assert "<b>#1</b>" not in dom


@needs_mermaid
def test_mermaid_renders_a_thousand_revisions_within_its_default_limits(tmp_path):
    _, chart = linted_chart(generated_sources(1000), tmp_path / "project")
    text = mermaid.render([(None, chart)])
    assert mermaid.warnings(text, [(None, chart)]) == []
    assert result_of(render_mermaid(text, tmp_path)) == f"ok {len(chart.nodes)}"


@needs_mermaid
def test_the_mermaid_check_does_fail_on_a_broken_diagram(tmp_path):
    assert result_of(render_mermaid('flowchart BT\n  a["x" --> ]]\n', tmp_path)).startswith(
        "error: "
    )


def test_a_missing_parent_and_an_empty_message():
    graph = history({"versions/a.py": NO_DOCSTRING.format(down="'gone#1'")})[1]
    nodes, edges, classes = parse(mermaid.render([(None, build_chart(graph))]))
    assert nodes == {"r0_0": "a1 (head)", "r0_1": "gone#35;1<br/>missing: no such revision"}
    assert edges == [("r0_1", "solid", "r0_0")]
    assert classes == {"r0_0": "head", "r0_1": "missing"}
