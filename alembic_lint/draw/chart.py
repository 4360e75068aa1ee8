"""RevisionGraph + findings -> Chart: what a drawing shows, with long linear runs folded.

Every format draws the same Chart, so heads, merges, folds and findings look alike in Mermaid,
dot and html. Edges point from the older revision to the newer one (the upgrade direction);
``depends_on`` edges are dashed and point from the revision depended on to its dependent.

Folding rule: a revision is *plain* when it has exactly one parent and one child, no branch
label of its own, no finding, no ``depends_on`` of its own, no dependent and no missing
parent. A maximal run of consecutive plain revisions longer than
``fold`` (default 4) is drawn as one node, "… 37 revisions …", with its first and last ids.
Heads, bases, merge points, branch points, labelled and flagged revisions are never folded, so
everything worth seeing stays on the picture; ``fold=0`` draws every revision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, NamedTuple

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.graph import RevisionGraph

DEFAULT_FOLD = 4

Kind = Literal["revision", "fold", "missing"]
Role = Literal["head", "base", "merge", "branch"]
ROLE_ORDER: tuple[Role, ...] = ("head", "base", "merge", "branch")
ROLE_NAMES: Mapping[Role, str] = {
    "head": "head",
    "base": "base",
    "merge": "merge",
    "branch": "branch",
}
"""How a box names its roles: ``merge`` for a merge point, ``branch`` for a branch point."""


Style = Literal["finding", "head", "base", "joint", "revision", "fold", "missing"]


class Look(NamedTuple):
    fill: str
    stroke: str
    dashed: bool = False


PALETTE: Mapping[Style, Look] = {
    "finding": Look("#fde2e1", "#c53030"),
    "head": Look("#dcf5e3", "#2f855a"),
    "base": Look("#dde9fb", "#3b6fb6"),
    "joint": Look("#fbf1d0", "#b7791f"),
    "revision": Look("#ffffff", "#8a8f98"),
    "fold": Look("#eef0f3", "#8a8f98", dashed=True),
    "missing": Look("#ffffff", "#c53030", dashed=True),
}
"""One look per node, the first that applies: a finding outweighs being a head, a head being a
base, a base being a merge or branch point ("joint")."""

LEGEND: Mapping[Style, str] = {
    "finding": "has findings",
    "head": "head",
    "base": "base",
    "joint": "merge or branch point",
    "revision": "revision",
    "fold": "folded run",
    "missing": "missing revision",
}


class Node(NamedTuple):
    """One box. ``revision`` is the id (a fold's first id, a missing node's missing id)."""

    kind: Kind
    revision: str
    message: str = ""
    path: str = ""
    roles: tuple[Role, ...] = ()
    labels: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    """The revisions a fold stands for, oldest first; a revision node holds its own id."""

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def last(self) -> str:
        return self.members[-1] if self.members else self.revision

    @property
    def style(self) -> Style:
        if self.kind != "revision":
            return self.kind
        if self.codes:
            return "finding"
        if "head" in self.roles:
            return "head"
        if "base" in self.roles:
            return "base"
        return "joint" if self.roles else "revision"

    def role_text(self) -> str:
        """``head, merge``; empty for a plain revision."""
        return ", ".join(ROLE_NAMES[role] for role in self.roles)


class Edge(NamedTuple):
    """From ``source`` (older) to ``target`` (newer), as indexes into ``Chart.nodes``."""

    source: int
    target: int
    dashed: bool = False


class Outside(NamedTuple):
    """A finding on a file that is in no revision of the graph (it does not parse, say)."""

    path: str
    code: str


class Chart(NamedTuple):
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    revisions: int
    heads: int
    outside: tuple[Outside, ...] = ()

    @property
    def folded(self) -> int:
        """Revisions hidden inside folds."""
        return sum(node.size for node in self.nodes if node.kind == "fold")


def one_line(text: str) -> str:
    """Messages span lines, and files may hold control characters: one printable line."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _codes_by_revision(
    graph: RevisionGraph, diagnostics: Iterable[Diagnostic]
) -> tuple[dict[str, set[str]], list[Outside]]:
    by_path = {script.path: rev for rev, script in graph.revisions.items()}
    for rev, scripts in graph.duplicates.items():
        for script in scripts:
            by_path.setdefault(script.path, rev)
    codes: dict[str, set[str]] = {}
    outside: list[Outside] = []
    for d in diagnostics:
        owner = d.revision if d.revision in graph.revisions else by_path.get(d.path)
        if owner is None:
            outside.append(Outside(d.path, d.code))
        else:
            codes.setdefault(owner, set()).add(d.code)
    return codes, sorted(set(outside))


def _order(graph: RevisionGraph) -> list[str]:
    """Parents before children, ties in load order; revisions on a cycle come last."""
    waiting = {rev: len(parents) for rev, parents in graph.parents.items()}
    ready = [rev for rev, n in waiting.items() if n == 0]
    ready.reverse()
    order: list[str] = []
    while ready:
        rev = ready.pop()
        order.append(rev)
        for child in reversed(graph.children[rev]):
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    if len(order) < len(graph.revisions):
        placed = set(order)
        order.extend(rev for rev in graph.revisions if rev not in placed)
    return order


def build_chart(
    graph: RevisionGraph, diagnostics: Sequence[Diagnostic] = (), *, fold: int = DEFAULT_FOLD
) -> Chart:
    """The chart of ``graph``, its revisions marked with the codes of ``diagnostics``."""
    codes, outside = _codes_by_revision(graph, diagnostics)
    missing: dict[str, list[tuple[str, bool]]] = {}
    for dangling_refs, dashed in ((graph.dangling_down, False), (graph.dangling_depends, True)):
        for script, ref in dangling_refs:
            missing.setdefault(ref, []).append((script.revision or "", dashed))
    dangling = {script.revision for script, _ in graph.dangling_down}

    def plain(rev: str) -> bool:
        script = graph.revisions[rev]
        return (
            len(graph.parents[rev]) == 1
            and len(graph.children[rev]) == 1
            and not script.branch_labels
            and not script.depends_on
            and not graph.dependents[rev]
            and rev not in codes
            and rev not in dangling
        )

    order = _order(graph)
    node_of: dict[str, int] = {}
    nodes: list[Node] = []
    heads = set(graph.heads)
    bases = set(graph.bases)
    for rev in order:
        if rev in node_of:
            continue
        if fold > 0 and plain(rev) and not plain(graph.parents[rev][0]):
            run = [rev]
            # the run cannot come back to `rev`: its parent, the only way in, is not plain
            while plain(graph.children[run[-1]][0]):
                run.append(graph.children[run[-1]][0])
            if len(run) > fold:
                index = len(nodes)
                nodes.append(Node("fold", rev, members=tuple(run)))
                for member in run:
                    node_of[member] = index
                continue
        script = graph.revisions[rev]
        roles: list[Role] = []
        if rev in heads:
            roles.append("head")
        if rev in bases:
            roles.append("base")
        if len(graph.parents[rev]) > 1:
            roles.append("merge")
        if len(graph.children[rev]) > 1:
            roles.append("branch")
        node_of[rev] = len(nodes)
        nodes.append(
            Node(
                "revision",
                rev,
                message=one_line(script.message),
                path=script.path,
                roles=tuple(roles),
                labels=tuple(one_line(label) for label in dict.fromkeys(script.branch_labels)),
                codes=tuple(sorted(codes.get(rev, ()))),
                members=(rev,),
            )
        )
    edges: list[Edge] = []
    for rev in order:
        target = node_of[rev]
        for parent in graph.parents[rev]:
            source = node_of[parent]
            if source != target:
                edges.append(Edge(source, target))
        for dependent in graph.dependents[rev]:
            edges.append(Edge(target, node_of[dependent], dashed=True))
    for ref, referrers in missing.items():
        index = len(nodes)
        nodes.append(Node("missing", ref, message="not found"))
        edges.extend(Edge(index, node_of[rev], dashed=dashed) for rev, dashed in referrers)
    edges = list(dict.fromkeys(edges))
    return Chart(
        nodes=tuple(nodes),
        edges=tuple(edges),
        revisions=len(graph.revisions),
        heads=len(graph.heads),
        outside=tuple(outside),
    )
