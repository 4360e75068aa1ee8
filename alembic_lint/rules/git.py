"""AL5xx: git-aware checks. Quiet outside a git work tree; AL502-AL504 need a base ref."""

from __future__ import annotations

from collections.abc import Iterator

from alembic_lint import headfile
from alembic_lint.diagnostics import Diagnostic, Edit
from alembic_lint.rules import Context, GraphRule, diag
from alembic_lint.script import RevisionScript


def untracked_revision(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a revision file that git neither tracks nor has staged.

    ## Why is this bad?
    The history works on your machine, but the commit leaves the file out. Everyone else, and
    production, gets a `down_revision` that points at nothing, or a change that never runs. It is
    worst when a committed revision already names the forgotten one as its parent.

    ## Example
    ```text
    $ git status --short
    ?? migrations/versions/7c1e9d0b4a52_add_users_email.py
    ```

    ## Use instead
    ```text
    $ git add migrations/versions/7c1e9d0b4a52_add_users_email.py
    ```
    (`git add -f` when `.gitignore` hides the file; the hint says so.)
    """
    facts = ctx.git
    if facts is None:
        return
    graph = ctx.graph
    for rev, script in graph.revisions.items():
        if script.path not in facts.untracked:
            continue
        needed_by = [
            child
            for child in graph.children[rev]
            if graph.revisions[child].path not in facts.untracked
        ]
        extra = (
            "; tracked revision " + ", ".join(f"`{c}`" for c in needed_by) + " depends on it"
            if needed_by
            else ""
        )
        hidden = script.path in facts.ignored
        if hidden:
            extra += "; .gitignore hides it"
        yield diag(
            script,
            script.revision_line,
            1,
            "AL501",
            f"revision file is not tracked by git, so a commit leaves it out{extra}",
            f"git add -f {script.path}" if hidden else f"git add {script.path}",
        )


def _script_at(ctx: Context, path: str) -> RevisionScript | None:
    return next((s for s in ctx.graph.revisions.values() if s.path == path), None)


def modified_revision(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    With a base ref (`--base origin/main`, or `base` in the configuration), reports a revision
    that already existed where this branch left the base ref and was changed since.

    ## Why is this bad?
    A revision on the main branch has been, or will be, applied to databases. Alembic never runs
    it again, so an edit changes nothing there while new databases get the edited version: the
    schemas drift apart without any error.

    ## Example
    ```diff
     def upgrade() -> None:
    -    op.add_column("users", sa.Column("email", sa.String(100)))
    +    op.add_column("users", sa.Column("email", sa.String(255)))
    ```

    ## Use instead
    Revert the edit and add a new revision that makes the change
    (`op.alter_column("users", "email", type_=sa.String(255))`).

    ## Options
    - `base`: the git ref the branch is compared with, e.g. `origin/main`.
    """
    facts = ctx.git
    if facts is None or facts.base is None:
        return
    for path, old_revision in facts.modified:
        script = _script_at(ctx, path)
        if script is None or old_revision is None or script.revision != old_revision:
            continue  # a changed id is AL503's finding
        yield diag(
            script,
            script.revision_line,
            1,
            "AL502",
            f"revision `{old_revision}` is on `{facts.base}` and was modified; applied migrations must not change",
            "revert the edit and make the change in a new revision",
        )


def removed_revision(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    With a base ref, reports a revision that existed where this branch left the base ref and was
    deleted since, or whose `revision` id was changed.

    ## Why is this bad?
    Databases that applied it still carry its id in `alembic_version`; without the file, Alembic
    stops with "Can't locate revision". A changed id has the same effect, and every child that
    named the old id is left dangling.

    ## Example
    ```text
    $ git diff --stat origin/main -- migrations/versions
     migrations/versions/3f9a1c2b7d4e_add_orders.py | 40 ----
    ```

    ## Use instead
    Restore the file. To undo a change that is already applied, add a new revision that reverses
    it.

    ## Options
    - `base`: the git ref the branch is compared with, e.g. `origin/main`.
    """
    facts = ctx.git
    if facts is None or facts.base is None:
        return
    for path, old_revision in facts.removed:
        yield Diagnostic(
            path,
            1,
            1,
            "AL503",
            f"revision `{old_revision}` is on `{facts.base}` and was deleted",
            "restore the file; reverse an applied change in a new revision",
            old_revision,
        )
    for path, changed in facts.modified:
        script = _script_at(ctx, path)
        if script is not None and changed is not None and script.revision != changed:
            yield diag(
                script,
                script.revision_line,
                1,
                "AL503",
                f"revision id changed from `{changed}` (on `{facts.base}`) to `{script.revision}`",
                f"put back `revision = {changed!r}`",
            )


def stale_base(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    With a base ref, reports a revision of this branch that would become a second head once the
    branch is merged: the base ref gained a revision on the same parent in the meantime.

    ## Why is this bad?
    Both branches pass CI on their own; the second merge leaves two heads on main and the next
    `alembic upgrade head` fails at deploy time. Checking the heads of the branch alone cannot
    see this, because the other revision is not on the branch yet.

    ## Example
    ```text
    origin/main:  a1 <- b2 (merged yesterday)
    this branch:  a1 <- c3
    ```

    ## Use instead
    Merge or rebase onto the base branch, then re-point the new revision:
    `alembic-lint rebase` (which sets `down_revision = "b2"` in c3).

    ## Options
    - `base`: the git ref the branch is compared with, e.g. `origin/main`.
    """
    facts = ctx.git
    if facts is None or facts.merged is None:
        return
    merged = facts.merged
    for group in merged.competing(merged.heads):
        ours = [rev for rev in group if rev in facts.new]
        # a base head already in this history is AL101's finding, not a future one
        theirs = [rev for rev in group if rev not in facts.new and rev not in ctx.graph.revisions]
        if not ours or not theirs:
            continue
        named = ", ".join(f"`{rev}`" for rev in theirs)
        for rev in ours:
            script = merged.revisions[rev]
            yield diag(
                script,
                script.revision_line,
                1,
                "AL504",
                f"merging into `{facts.base}` makes `{rev}` a second head beside {named}",
                "merge the base branch, then run `alembic-lint rebase` to re-point this revision",
            )


def head_file_outdated(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    When `head-file` is configured, reports a head file that does not name exactly the current
    heads, or that still holds merge-conflict markers.

    ## Why is this bad?
    The head file exists so that two branches that each add a revision both change the same
    line, and git refuses the second merge with a conflict instead of letting two heads reach
    production. An outdated file loses that protection.

    ## Example
    ```text
    # migrations/HEAD
    3f9a1c2b7d4e
    ```
    while the head is `7c1e9d0b4a52`.

    ## Use instead
    ```text
    # migrations/HEAD
    7c1e9d0b4a52
    ```
    `alembic-lint fix` writes it; `alembic-lint rebase` keeps it current.

    ## Options
    - `head-file`: the file's path, e.g. `migrations/HEAD`; one head a line, with its branch
      labels.
    """
    found = ctx.head_file
    if found is None:
        return
    hint = "run `alembic-lint fix` to rewrite it"
    fix = (Edit(found.path, "write", "", headfile.render(ctx.graph)),)
    if found.text is None:
        yield Diagnostic(found.path, 1, 1, "AL505", "head file is missing", hint, fix=fix)
        return
    named, conflicted = headfile.named_heads(found.text)
    if conflicted:
        yield Diagnostic(
            found.path,
            1,
            1,
            "AL505",
            "head file has merge-conflict markers: two branches each added a revision",
            "run `alembic-lint rebase` to re-point one revision onto the other",
        )
        return
    current = set(ctx.graph.heads)
    if named != current:
        wanted = ", ".join(f"`{h}`" for h in sorted(current)) or "nothing"
        listed = ", ".join(f"`{h}`" for h in sorted(named)) or "nothing"
        yield Diagnostic(
            found.path,
            1,
            1,
            "AL505",
            f"head file names {listed}, but the heads are {wanted}",
            hint,
            fix=fix,
        )


RULES = (
    GraphRule("AL501", "untracked-revision", True, untracked_revision, needs=frozenset({"git"})),
    GraphRule("AL502", "modified-revision", True, modified_revision, needs=frozenset({"git"})),
    GraphRule("AL503", "removed-revision", True, removed_revision, needs=frozenset({"git"})),
    GraphRule("AL504", "stale-base", True, stale_base, needs=frozenset({"git"})),
    GraphRule(
        "AL505", "head-file-outdated", True, head_file_outdated, needs=frozenset({"head_file"})
    ),
)
