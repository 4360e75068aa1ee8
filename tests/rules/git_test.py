from __future__ import annotations

from alembic_lint import rules
from alembic_lint.config import Settings
from alembic_lint.graph import build_graph
from alembic_lint.rules import GitFacts, HeadFile
from tests.builders import PROJECT, history, parse, revision

SOURCES = {
    "versions/a.py": revision("aaa111", None),
    "versions/b.py": revision("bbb222", "aaa111"),
}


def run(code, *, git=None, head_file=None, sources=SOURCES, graph=None):
    _, built = history(sources)
    ctx = rules.Context(
        graph=graph or built,
        settings=Settings(),
        project=PROJECT,
        names={},
        known_codes=frozenset(rules.BY_CODE),
        git=git,
        head_file=head_file,
    )
    rule = rules.BY_CODE[code]
    assert isinstance(rule, rules.GraphRule)
    return list(rule.check(ctx))


def test_git_rules_are_quiet_outside_git():
    for code in ("AL501", "AL502", "AL503", "AL504"):
        assert run(code) == []


def test_git_base_rules_are_quiet_without_a_base():
    facts = GitFacts(frozenset({"versions/b.py"}), modified=(("versions/b.py", "bbb222"),))
    for code in ("AL502", "AL503", "AL504"):
        assert run(code, git=facts) == []


def test_al501_fires_and_names_tracked_children():
    found = run("AL501", git=GitFacts(frozenset({"versions/a.py"})))
    assert [(d.path, d.revision) for d in found] == [("versions/a.py", "aaa111")]
    assert found[0].message.endswith("; tracked revision `bbb222` depends on it")
    assert found[0].hint == "git add versions/a.py"
    only_head = run("AL501", git=GitFacts(frozenset({"versions/b.py"})))
    assert only_head[0].message == "revision file is not tracked by git, so a commit leaves it out"
    assert run("AL501", git=GitFacts(frozenset())) == []


def test_al502_fires_on_an_edited_revision_only():
    facts = GitFacts(frozenset(), base="origin/main", modified=(("versions/a.py", "aaa111"),))
    found = run("AL502", git=facts)
    assert [(d.path, d.code) for d in found] == [("versions/a.py", "AL502")]
    assert "`aaa111` is on `origin/main` and was modified" in found[0].message
    renamed = GitFacts(frozenset(), base="origin/main", modified=(("versions/a.py", "old999"),))
    assert run("AL502", git=renamed) == []
    gone = GitFacts(frozenset(), base="origin/main", modified=(("versions/zzz.py", "aaa111"),))
    assert run("AL502", git=gone) == []


def test_al503_fires_on_deletion_and_on_a_changed_id():
    facts = GitFacts(
        frozenset(),
        base="origin/main",
        modified=(("versions/a.py", "old999"), ("versions/b.py", "bbb222")),
        removed=(("versions/c.py", "ccc333"),),
    )
    found = sorted(run("AL503", git=facts), key=lambda d: d.path)
    assert [(d.path, d.revision) for d in found] == [
        ("versions/a.py", "aaa111"),
        ("versions/c.py", "ccc333"),
    ]
    assert found[0].message == "revision id changed from `old999` (on `origin/main`) to `aaa111`"
    assert found[1].message == "revision `ccc333` is on `origin/main` and was deleted"
    assert run("AL503", git=GitFacts(frozenset(), base="origin/main")) == []


def test_al504_fires_for_our_head_beside_theirs():
    ours = parse(revision("ccc333", "aaa111"), "versions/c.py")
    theirs = parse(revision("bbb222", "aaa111"), "versions/b.py")
    base = parse(revision("aaa111", None), "versions/a.py")
    merged = build_graph([base, ours, theirs])
    facts = GitFacts(frozenset(), base="origin/main", merged=merged, new=frozenset({"ccc333"}))
    our_history = build_graph([base, ours])
    found = run("AL504", git=facts, graph=our_history)
    assert [(d.path, d.revision) for d in found] == [("versions/c.py", "ccc333")]
    assert (
        found[0].message
        == "merging into `origin/main` makes `ccc333` a second head beside `bbb222`"
    )
    rebased = build_graph([base, theirs, parse(revision("ccc333", "bbb222"), "versions/c.py")])
    assert run("AL504", git=facts._replace(merged=rebased), graph=our_history) == []
    both_ours = facts._replace(new=frozenset({"ccc333", "bbb222"}))
    assert run("AL504", git=both_ours, graph=our_history) == []
    already_merged = build_graph([base, ours, theirs])
    assert run("AL504", git=facts, graph=already_merged) == []  # AL101 says it


def test_al505():
    assert run("AL505") == []
    missing = run("AL505", head_file=HeadFile("migrations/HEAD", None))
    assert [(d.path, d.message) for d in missing] == [("migrations/HEAD", "head file is missing")]
    assert run("AL505", head_file=HeadFile("migrations/HEAD", "# heads\nbbb222\n")) == []
    stale = run("AL505", head_file=HeadFile("migrations/HEAD", "aaa111\n"))
    assert stale[0].message == "head file names `aaa111`, but the heads are `bbb222`"
    empty = run("AL505", head_file=HeadFile("migrations/HEAD", ""))
    assert empty[0].message == "head file names nothing, but the heads are `bbb222`"
    conflict = "<<<<<<< HEAD\nbbb222\n=======\nccc333\n>>>>>>> main\n"
    found = run("AL505", head_file=HeadFile("migrations/HEAD", conflict))
    assert "merge-conflict markers" in found[0].message
    assert "alembic-lint rebase" in (found[0].hint or "")
