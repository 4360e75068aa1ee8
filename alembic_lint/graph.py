"""Parsed revision scripts -> the revision graph, with alembic's semantics and without its exceptions.

Alembic's ``RevisionMap`` raises on cycles and duplicate labels and warns on dangling parents;
here every such problem is recorded as data so that the rules can report all of them at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from alembic_lint.script import RevisionScript


class RevisionGraph(NamedTuple):
    """The whole history. ``revisions`` maps an id to the script alembic would use (the last loaded)."""

    revisions: Mapping[str, RevisionScript]
    parents: Mapping[str, tuple[str, ...]]
    children: Mapping[str, tuple[str, ...]]
    dependents: Mapping[str, tuple[str, ...]]
    heads: tuple[str, ...]
    bases: tuple[str, ...]
    labels: Mapping[str, frozenset[str]]
    label_owners: Mapping[str, tuple[RevisionScript, ...]]
    duplicates: Mapping[str, tuple[RevisionScript, ...]]
    dangling_down: tuple[tuple[RevisionScript, str], ...]
    dangling_depends: tuple[tuple[RevisionScript, str], ...]
    cycles: tuple[tuple[str, ...], ...]

    def ancestors(self, revision: str) -> set[str]:
        """``revision`` and every revision reachable through ``down_revision``."""
        seen = {revision}
        stack = [revision]
        while stack:
            for parent in self.parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    def competing(self, revisions: Iterable[str]) -> list[list[str]]:
        """Groups of two or more revisions with the same effective branch labels, each sorted."""
        by_labels: dict[frozenset[str], list[str]] = {}
        for rev in revisions:
            by_labels.setdefault(self.labels[rev], []).append(rev)
        return [sorted(group) for group in by_labels.values() if len(group) > 1]

    def nearest_common_ancestors(self, revisions: Iterable[str]) -> list[str]:
        common: set[str] | None = None
        for rev in revisions:
            found = self.ancestors(rev)
            common = found if common is None else common & found
        if not common:
            return []
        return sorted(c for c in common if not any(child in common for child in self.children[c]))


def _cycles(nodes: Iterable[str], parents: Mapping[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Strongly connected components of more than one node, or with a self-loop (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[tuple[str, ...]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(parents[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(parents[nxt])))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in parents[node]:
                    found.append(tuple(sorted(component)))
    return found


def build_graph(scripts: Iterable[RevisionScript]) -> RevisionGraph:
    """Build the graph from scripts in alembic's load order (that order decides duplicate winners)."""
    by_id: dict[str, list[RevisionScript]] = {}
    for script in scripts:
        if script.revision is not None:
            by_id.setdefault(script.revision, []).append(script)
    revisions = {rev: found[-1] for rev, found in by_id.items()}
    duplicates = {rev: tuple(found) for rev, found in by_id.items() if len(found) > 1}

    label_owners: dict[str, list[RevisionScript]] = {}
    for script in revisions.values():
        for label in dict.fromkeys(script.branch_labels):
            label_owners.setdefault(label, []).append(script)

    parents: dict[str, tuple[str, ...]] = {}
    children: dict[str, list[str]] = {rev: [] for rev in revisions}
    dependents: dict[str, list[str]] = {rev: [] for rev in revisions}
    dangling_down: list[tuple[RevisionScript, str]] = []
    dangling_depends: list[tuple[RevisionScript, str]] = []
    for rev, script in revisions.items():
        known: list[str] = []
        for down in script.down_revisions or ():
            if down in revisions:
                if down not in known:
                    known.append(down)
                    children[down].append(rev)
            else:
                dangling_down.append((script, down))
        parents[rev] = tuple(known)
        for dep in script.depends_on or ():
            if not dep:  # alembic skips falsy dependencies such as `depends_on = ""`
                continue
            target = dep if dep in revisions else None
            if target is None and dep in label_owners:
                target = label_owners[dep][0].revision
            if target is None:
                dangling_depends.append((script, dep))
            elif target not in known:
                dependents[target].append(rev)

    heads = tuple(rev for rev in revisions if not children[rev])
    bases = tuple(rev for rev, s in revisions.items() if s.down_revisions == ())
    labels = _effective_labels(revisions, parents, children, dependents)
    return RevisionGraph(
        revisions=revisions,
        parents=parents,
        children={rev: tuple(c) for rev, c in children.items()},
        dependents={rev: tuple(d) for rev, d in dependents.items()},
        heads=heads,
        bases=bases,
        labels=labels,
        label_owners={label: tuple(owners) for label, owners in label_owners.items()},
        duplicates=duplicates,
        dangling_down=tuple(dangling_down),
        dangling_depends=tuple(dangling_depends),
        cycles=tuple(_cycles(revisions, parents)),
    )


def _effective_labels(
    revisions: Mapping[str, RevisionScript],
    parents: Mapping[str, tuple[str, ...]],
    children: Mapping[str, list[str]],
    dependents: Mapping[str, list[str]],
) -> dict[str, frozenset[str]]:
    """Alembic's ``RevisionMap._add_branches``: a label flows to every descendant of its revision.

    Alembic then walks up from the last descendant it visited until a branch point or merge
    point, labelling as it goes. Where the descendants branch, that walk stops at or below the
    branch (whichever leaf is last depends on set order), so it reaches the revision's
    ancestors only when the descendants form a single chain; that is what is done here.
    """
    labels: dict[str, set[str]] = {rev: set() for rev in revisions}

    def stops(node: str) -> bool:
        return len(children[node]) + len(dependents[node]) > 1 or len(parents[node]) > 1

    for rev, script in revisions.items():
        if not script.branch_labels:
            continue
        own = set(script.branch_labels)
        seen = {rev}
        stack = [rev]
        end: str | None = rev
        while stack:
            node = stack.pop()
            labels[node] |= own
            if len(children[node]) > 1:
                end = None
            for child in children[node]:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
                    if end is not None:
                        end = child
        walked: set[str] = set()
        while end is not None and end not in walked and not stops(end):
            walked.add(end)
            labels[end] |= own
            end = parents[end][0] if parents[end] else None
    return {rev: frozenset(found) for rev, found in labels.items()}
