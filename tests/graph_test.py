from __future__ import annotations

import random

import pytest
from alembic.script.revision import Revision, RevisionMap

from alembic_lint.graph import build_graph
from tests.builders import history, parse, revision


def _scripts(spec):
    """spec: (rev, down, labels, depends_on) tuples -> parsed scripts."""
    return [
        parse(
            revision(
                rev,
                down,
                labels=repr(labels) if labels else "None",
                depends_on=repr(deps) if deps else "None",
            ),
            f"versions/{rev}_x.py",
        )
        for rev, down, labels, deps in spec
    ]


def _oracle(spec):
    return RevisionMap(
        lambda: [
            Revision(rev, down, dependencies=deps or None, branch_labels=labels or None)
            for rev, down, labels, deps in spec
        ]
    )


def _random_history(seed):
    """A valid random DAG with branches, merges, extra bases, labels and depends_on."""
    rng = random.Random(seed)
    spec: list[tuple[str, str | tuple[str, ...] | None, tuple[str, ...], tuple[str, ...]]] = []
    ids: list[str] = []
    for i in range(rng.randint(1, 25)):
        rev = f"r{seed}x{i}"
        roll = rng.random()
        down: str | tuple[str, ...] | None
        if not ids or roll < 0.1:
            down = None
        elif roll < 0.25 and len(ids) >= 2:
            down = tuple(rng.sample(ids, 2))
        else:
            down = rng.choice(ids)
        labels = (f"lab{i}",) if rng.random() < 0.15 else ()
        deps = (rng.choice(ids),) if ids and rng.random() < 0.1 else ()
        if deps and down is not None and deps[0] in ((down,) if isinstance(down, str) else down):
            deps = ()
        spec.append((rev, down, labels, deps))
        ids.append(rev)
    return spec


@pytest.mark.parametrize("seed", range(150))
def test_heads_and_bases_match_alembic_revision_map(seed):
    spec = _random_history(seed)
    graph = build_graph(_scripts(spec))
    oracle = _oracle(spec)
    assert set(graph.heads) == set(oracle.heads)
    assert set(graph.bases) == set(oracle.bases)
    for rev, *_ in spec:
        theirs = oracle.get_revision(rev)
        assert set(graph.children[rev]) == set(theirs.nextrev), rev
        assert graph.labels[rev] == frozenset(theirs.branch_labels), rev


def test_linear_history():
    _, graph = history(
        {
            "versions/a.py": revision("aaa111", None),
            "versions/b.py": revision("bbb222", "aaa111"),
            "versions/c.py": revision("ccc333", "bbb222"),
        }
    )
    assert graph.heads == ("ccc333",)
    assert graph.bases == ("aaa111",)
    assert graph.parents["ccc333"] == ("bbb222",)
    assert graph.children["aaa111"] == ("bbb222",)
    assert graph.ancestors("ccc333") == {"aaa111", "bbb222", "ccc333"}
    assert graph.cycles == ()


def test_depends_on_does_not_remove_a_head():
    _, graph = history(
        {
            "versions/a.py": revision("aaa111", None, labels="('one',)"),
            "versions/b.py": revision("bbb222", None, labels="('two',)", depends_on="'aaa111'"),
        }
    )
    assert set(graph.heads) == {"aaa111", "bbb222"}
    assert graph.dependents["aaa111"] == ("bbb222",)


def test_depends_on_a_branch_label_resolves():
    _, graph = history(
        {
            "versions/a.py": revision("aaa111", None, labels="('one',)"),
            "versions/b.py": revision("bbb222", None, labels="('two',)", depends_on="'one'"),
        }
    )
    assert graph.dangling_depends == ()
    assert graph.dependents["aaa111"] == ("bbb222",)


def test_problems_are_data_not_exceptions():
    scripts, graph = history(
        {
            "versions/a.py": revision("aaa111", "bbb222"),
            "versions/b.py": revision("bbb222", "aaa111"),
            "versions/c.py": revision("ccc333", "missing"),
            "versions/d.py": revision("ddd444", None, depends_on="'nolabel'"),
            "versions/e1.py": revision("eee555", "ddd444", labels="('x',)"),
            "versions/e2.py": revision("eee555", "ddd444", labels="('x',)"),
            "versions/f.py": revision("fff666", "fff666"),
        }
    )
    assert graph.cycles == (("aaa111", "bbb222"), ("fff666",))
    assert [(s.revision, m) for s, m in graph.dangling_down] == [("ccc333", "missing")]
    assert [(s.revision, m) for s, m in graph.dangling_depends] == [("ddd444", "nolabel")]
    assert [s.path for s in graph.duplicates["eee555"]] == ["versions/e1.py", "versions/e2.py"]
    assert graph.revisions["eee555"].path == "versions/e2.py"  # alembic: the last loaded wins
    assert graph.label_owners["x"] == (scripts[5],)


def test_nearest_common_ancestors():
    _, graph = history(
        {
            "versions/a.py": revision("aaa111", None),
            "versions/b.py": revision("bbb222", "aaa111"),
            "versions/c.py": revision("ccc333", "bbb222"),
            "versions/d.py": revision("ddd444", "bbb222"),
            "versions/e.py": revision("eee555", None),
        }
    )
    assert graph.nearest_common_ancestors(["ccc333", "ddd444"]) == ["bbb222"]
    assert graph.nearest_common_ancestors(["ccc333", "eee555"]) == []


def test_labels_flow_to_descendants_and_up_to_the_branch_point():
    _, graph = history(
        {
            "versions/root.py": revision("root00", None),
            "versions/e1.py": revision("exp001", "root00", labels="('expand',)"),
            "versions/e2.py": revision("exp002", "exp001"),
            "versions/c1.py": revision("con001", "root00", labels="('contract',)"),
        }
    )
    assert graph.labels["exp002"] == {"expand"}
    assert graph.labels["con001"] == {"contract"}
    assert graph.labels["root00"] == frozenset()  # a branch point stops the upward flow


def test_repeated_parents_and_dependencies_on_parents_count_once():
    _, graph = history(
        {
            "versions/a.py": revision("aaa111", None),
            "versions/b.py": revision("bbb222", ("aaa111", "aaa111"), depends_on="'aaa111'"),
            "versions/c.py": revision("ccc333", "aaa111"),
            "versions/d.py": revision("ddd444", ("bbb222", "ccc333")),
        }
    )
    assert graph.parents["bbb222"] == ("aaa111",)
    assert graph.dependents["aaa111"] == ()
    assert graph.ancestors("ddd444") == {"aaa111", "bbb222", "ccc333", "ddd444"}
