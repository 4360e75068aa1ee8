from __future__ import annotations

import pytest

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.draw.chart import DEFAULT_FOLD, Edge, Node, Outside, build_chart
from alembic_lint.graph import build_graph
from tests.builders import history, parse, revision
from tests.drawing import SAMPLE_IDS as R
from tests.drawing import generated_sources, linted_chart, sample_graph, sample_sources


def _by_id(chart):
    return {node.revision: i for i, node in enumerate(chart.nodes)}


def test_the_sample_history_shows_every_feature(tmp_path):
    graph, chart = linted_chart(sample_sources(), tmp_path)
    kinds = sorted(
        ((n.kind, n.revision, n.roles, n.labels, n.codes, n.size) for n in chart.nodes),
        key=lambda k: R.index(k[1]),
    )
    assert kinds == [
        ("revision", R[0], ("base",), (), (), 1),
        ("fold", R[1], (), (), (), 8),
        ("revision", R[9], ("branch",), (), (), 1),
        ("revision", R[10], (), (), (), 1),
        ("revision", R[11], (), ("hotfix",), (), 1),
        ("revision", R[12], ("merge", "branch"), (), (), 1),
        ("revision", R[13], ("head",), (), ("AL101", "AL301"), 1),
        ("revision", R[14], ("head",), (), ("AL101",), 1),
    ]
    fold = chart.nodes[1]
    assert fold.members == tuple(R[1:9])
    assert fold.last == R[8]
    at = _by_id(chart)
    assert set(chart.edges) == {
        Edge(at[R[0]], at[R[1]]),
        Edge(at[R[1]], at[R[9]]),
        Edge(at[R[9]], at[R[10]]),
        Edge(at[R[9]], at[R[11]]),
        Edge(at[R[10]], at[R[12]]),
        Edge(at[R[11]], at[R[12]]),
        Edge(at[R[12]], at[R[13]]),
        Edge(at[R[12]], at[R[14]]),
        Edge(at[R[10]], at[R[13]], dashed=True),
    }
    assert len(chart.edges) == 9
    assert (chart.revisions, chart.heads, chart.folded) == (15, 2, 8)
    styles = {n.revision: n.style for n in chart.nodes}
    assert styles == {
        R[0]: "base",
        R[1]: "fold",
        R[9]: "joint",
        R[10]: "revision",
        R[11]: "revision",
        R[12]: "joint",
        R[13]: "finding",
        R[14]: "finding",
    }
    assert chart.nodes[at[R[12]]].role_text() == "merge, branch"
    assert [n.revision for n in chart.nodes][:3] == [R[0], R[1], R[9]]  # parents first
    assert graph.heads == (R[13], R[14])


@pytest.mark.parametrize(
    ("fold", "boxes"),
    [
        pytest.param(0, 15, id="0 never folds"),
        pytest.param(8, 15, id="a run of 8 is not more than 8"),
        pytest.param(7, 8, id="a run of 8 is more than 7"),
        pytest.param(DEFAULT_FOLD, 8, id="default"),
        pytest.param(1, 8, id="1"),
    ],
)
def test_a_run_folds_only_when_longer_than_the_limit(fold, boxes):
    chart = build_chart(sample_graph(), fold=fold)
    assert len(chart.nodes) == boxes
    assert sum(n.size for n in chart.nodes) == 15


def test_a_finding_a_label_or_a_dependency_splits_a_run():
    graph = sample_graph()
    script = graph.revisions[R[5]]
    found = [Diagnostic(script.path, 1, 1, "AL204", "empty", revision=R[5])]
    chart = build_chart(graph, found, fold=2)
    folds = [n.members for n in chart.nodes if n.kind == "fold"]
    assert folds == [tuple(R[1:5]), tuple(R[6:9])]
    assert chart.nodes[_by_id(chart)[R[5]]].codes == ("AL204",)

    sources = sample_sources()
    sources[f"versions/{R[4]}_step.py"] = revision(R[4], R[3], labels="('feature',)")
    sources[f"versions/{R[14]}_y.py"] = revision(R[14], R[12], depends_on=repr(R[6]))
    chart = build_chart(history(sources)[1], fold=1)
    folds = [n.members for n in chart.nodes if n.kind == "fold"]
    assert folds == [tuple(R[1:4]), (R[7], R[8])]  # R5 alone is not more than 1
    assert chart.nodes[_by_id(chart)[R[4]]].labels == ("feature",)


def test_findings_are_found_by_revision_or_by_file_and_the_rest_are_outside():
    sources = {
        "versions/a.py": revision("a1", None),
        "versions/b.py": revision("b2", "a1"),
        "versions/b_copy.py": revision("b2", "a1"),
    }
    graph = build_graph(parse(src, path) for path, src in sources.items())
    found = [
        Diagnostic("versions/b.py", 1, 1, "AL105", "duplicate"),  # the file the graph lost
        Diagnostic("versions/a.py", 1, 1, "AL201", "no downgrade"),
        Diagnostic("versions/broken.py", 3, 1, "AL001", "syntax"),
        Diagnostic("versions/broken.py", 3, 1, "AL001", "syntax"),
        Diagnostic("elsewhere.py", 1, 1, "AL505", "head file", revision="gone"),
    ]
    chart = build_chart(graph, found)
    assert {n.revision: n.codes for n in chart.nodes} == {"a1": ("AL201",), "b2": ("AL105",)}
    assert chart.outside == (
        Outside("elsewhere.py", "AL505"),
        Outside("versions/broken.py", "AL001"),
    )


def test_missing_revisions_are_drawn_once_with_their_edges():
    sources = {
        "versions/a.py": revision("a1", None),
        "versions/b.py": revision("b2", ("a1", "gone")),
        "versions/c.py": revision("c3", "b2", depends_on="'gone'"),
        "versions/d.py": revision("d4", "c3", depends_on="'nowhere'"),
    }
    chart = build_chart(history(sources)[1])
    at = _by_id(chart)
    assert [n.kind for n in chart.nodes].count("missing") == 2
    assert chart.nodes[at["gone"]] == Node("missing", "gone", message="not found")
    assert chart.nodes[at["gone"]].size == 0
    assert chart.nodes[at["gone"]].style == "missing"
    assert Edge(at["gone"], at["b2"]) in chart.edges
    assert Edge(at["gone"], at["c3"], dashed=True) in chart.edges
    assert Edge(at["nowhere"], at["d4"], dashed=True) in chart.edges


def test_a_dangling_parent_is_never_folded():
    sources = {"versions/a.py": revision("a1", None)}
    down = "a1"
    for i in range(2, 9):
        extra = (down, "gone") if i == 4 else down
        sources[f"versions/{i}.py"] = revision(f"r{i}", extra)
        down = f"r{i}"
    sources["versions/z.py"] = revision("z9", down)
    chart = build_chart(history(sources)[1], fold=1)
    assert [n.members for n in chart.nodes if n.kind == "fold"] == [
        ("r2", "r3"),
        ("r5", "r6", "r7", "r8"),
    ]


def test_messages_are_one_printable_line_and_odd_histories_still_chart():
    sources = {
        "versions/a.py": revision("a1", None, message="first line\n  second\tline\x1b[31m"),
        "versions/b.py": revision("b2", "c3"),  # b2 and c3 are a cycle: no base reaches them
        "versions/c.py": revision("c3", "b2"),
        "versions/d.py": revision("d4", "a1").replace(
            "down_revision: Union[str, None] = 'a1'", "down_revision = compute()"
        ),
    }
    chart = build_chart(history(sources)[1])
    assert chart.nodes[0].message == "first line second line [31m"
    assert {n.revision for n in chart.nodes} == {"a1", "b2", "c3", "d4"}
    assert chart.nodes[_by_id(chart)["d4"]].roles == ("head",)  # not a base: parents unknown
    at = _by_id(chart)
    assert {Edge(at["b2"], at["c3"]), Edge(at["c3"], at["b2"])} <= set(chart.edges)


def test_a_thousand_revision_history_folds_to_a_readable_size(tmp_path):
    graph, chart = linted_chart(generated_sources(1000), tmp_path)
    assert chart.revisions == 1000
    assert len(chart.nodes) < 150
    assert sum(n.size for n in chart.nodes) == 1000
    joints = {
        rev
        for rev in graph.revisions
        if len(graph.parents[rev]) > 1 or len(graph.children[rev]) > 1
    }
    drawn = {n.revision for n in chart.nodes if n.kind == "revision"}
    assert joints and joints <= drawn
    assert set(graph.heads) | set(graph.bases) <= drawn
    assert all(n.size > DEFAULT_FOLD for n in chart.nodes if n.kind == "fold")
