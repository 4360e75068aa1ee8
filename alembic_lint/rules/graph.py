"""AL1xx: the revision graph. Always computed over the whole history."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.rules import Context, GraphRule, RevisionRule, diag
from alembic_lint.script import RevisionScript


def _label_text(labels: frozenset[str]) -> str:
    return "unlabeled" if not labels else "labeled " + ", ".join(f"`{x}`" for x in sorted(labels))


def _where(ctx: Context, rev: str) -> str:
    return f"`{rev}` ({ctx.graph.revisions[rev].path})"


def multiple_heads(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports two or more heads that share the same effective set of branch labels (two unlabeled
    heads, for example). One head per branch label is fine: histories with `expand`/`contract`
    labels, or independent labeled bases, have one head per label by design.

    ## Why is this bad?
    Two heads on one branch come from two branches of work that each added a revision on the
    same parent and were merged without anyone noticing. `alembic heads` still exits 0, but
    `alembic upgrade head` fails with "Multiple head revisions are present", usually at deploy
    time.

    ## Example
    ```text
    a1 <- b2 (feature/users)
    a1 <- c3 (feature/orders)
    ```

    ## Use instead
    Re-point the newer revision onto the other head (`alembic-lint rebase`), or join them with
    `alembic merge -m "merge b2 and c3" heads`.
    """
    graph = ctx.graph
    for group in graph.competing(graph.heads):
        ancestors = graph.nearest_common_ancestors(group)
        common = (
            "common ancestor " + ", ".join(f"`{a}`" for a in ancestors)
            if ancestors
            else "no common ancestor"
        )
        for rev in group:
            others = ", ".join(_where(ctx, o) for o in group if o != rev)
            script = graph.revisions[rev]
            yield diag(
                script,
                script.revision_line,
                1,
                "AL101",
                f"multiple heads ({_label_text(graph.labels[rev])}): `{rev}` competes with {others}; {common}",
                "re-point one onto the other with `alembic-lint rebase`, or run `alembic merge heads`",
            )


def multiple_bases(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports two or more bases (revisions whose `down_revision` is `None`) that share the same
    effective set of branch labels.

    ## Why is this bad?
    A second root is almost always an accident: a revision generated against an empty or wrong
    versions directory, or a `down_revision` reset by hand. Alembic will try to create the
    schema twice. Deliberate independent bases carry their own branch labels
    (`alembic revision --head=base --branch-label=audit`).

    ## Example
    ```python
    revision = "c3d4e5f6a7b8"
    down_revision = None  # but "a1b2c3d4e5f6" is already the base
    ```

    ## Use instead
    ```python
    revision = "c3d4e5f6a7b8"
    down_revision = "e5f6a7b8c9d0"  # the current head
    ```
    """
    graph = ctx.graph
    for group in graph.competing(graph.bases):
        for rev in group:
            others = ", ".join(_where(ctx, o) for o in group if o != rev)
            script = graph.revisions[rev]
            yield diag(
                script,
                script.down_revision_line,
                1,
                "AL102",
                f"multiple bases ({_label_text(graph.labels[rev])}): `{rev}` and {others} all have `down_revision = None`",
                "point `down_revision` at the revision this one follows, or give an independent branch its own `branch_labels`",
            )


def _close_id(value: str, known: Sequence[str]) -> str | None:
    stem = value[:-3] if value.endswith(".py") else value
    stem = stem.rsplit("/", 1)[-1]
    for candidate in (stem, stem.split("_", 1)[0]):
        if candidate in known:
            return candidate
        prefixed = [rev for rev in known if rev.startswith(candidate)] if candidate else []
        if len(prefixed) == 1:
            return prefixed[0]
    return None


def dangling_down_revision(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a `down_revision` that names no revision in the version locations.

    ## Why is this bad?
    Alembic fails with `KeyError` or "Revision ... is not present" when it builds the history,
    so no command works. Usual causes: the parent file was not committed, the parent was renamed
    or deleted, or a file name or id prefix was pasted instead of the full id.

    ## Example
    ```python
    down_revision = "a81b2c3d"  # a prefix of "a81b2c3d4e5f"
    ```

    ## Use instead
    ```python
    down_revision = "a81b2c3d4e5f"
    ```
    """
    known = list(ctx.graph.revisions)
    for script, missing in ctx.graph.dangling_down:
        close = _close_id(missing, known)
        hint = (
            f"did you mean `{close}`?"
            if close
            else "commit the parent revision, or point at an existing one"
        )
        yield diag(
            script,
            script.down_revision_line,
            1,
            "AL103",
            f"`down_revision` names unknown revision `{missing}`",
            hint,
        )


def dangling_depends_on(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a `depends_on` entry that names neither a known revision nor a branch label.

    ## Why is this bad?
    Alembic cannot resolve the dependency and fails while building the history.

    ## Example
    ```python
    depends_on = ("audit_branch",)  # the label is "audit"
    ```

    ## Use instead
    ```python
    depends_on = ("audit",)
    ```
    """
    known = list(ctx.graph.revisions)
    for script, missing in ctx.graph.dangling_depends:
        close = _close_id(missing, known)
        hint = f"did you mean `{close}`?" if close else None
        yield diag(
            script,
            script.depends_on_line,
            1,
            "AL104",
            f"`depends_on` names unknown revision or branch label `{missing}`",
            hint,
        )


def duplicate_revision_id(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports two or more files that declare the same `revision` id.

    ## Why is this bad?
    Alembic only warns "Revision ... is present more than once" and the file it loads last wins
    silently; the other migration never runs. This happens when a revision file is copied to
    start a new one.

    ## Example
    ```python
    # versions/1f2e3d4c5b6a_add_users.py and versions/1f2e3d4c5b6a_add_orders.py
    revision = "1f2e3d4c5b6a"
    ```

    ## Use instead
    Give the copy a fresh id (`python -c "import uuid; print(uuid.uuid4().hex[-12:])"`), and
    update its file name and docstring.
    """
    for rev, scripts in ctx.graph.duplicates.items():
        for script in scripts:
            others = ", ".join(s.path for s in scripts if s is not script)
            winner = " (alembic uses this one)" if script is scripts[-1] else ""
            yield diag(
                script,
                script.revision_line,
                1,
                "AL105",
                f"revision id `{rev}` is also declared in {others}{winner}",
                "give each revision a unique id",
            )


def revision_cycle(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports revisions that come back to themselves by following `down_revision`.

    ## Why is this bad?
    Alembic raises `CycleDetected` (or `LoopDetected` for a revision that names itself) and no
    command works until the cycle is broken.

    ## Example
    ```python
    # a.py
    revision, down_revision = "aaa111", "bbb222"
    # b.py
    revision, down_revision = "bbb222", "aaa111"
    ```

    ## Use instead
    ```python
    # b.py
    revision, down_revision = "bbb222", None
    ```
    """
    graph = ctx.graph
    for cycle in graph.cycles:
        members = " -> ".join(f"`{rev}`" for rev in _cycle_path(ctx, cycle))
        for rev in cycle:
            script = graph.revisions[rev]
            yield diag(
                script,
                script.down_revision_line,
                1,
                "AL106",
                f"revision cycle: {members} (following `down_revision`)",
                "break the cycle by pointing one `down_revision` outside it",
            )


def _cycle_path(ctx: Context, component: tuple[str, ...]) -> list[str]:
    """One loop through a strongly connected component, in ``down_revision`` order, closed."""
    members = set(component)
    path = [component[0]]
    while True:
        step = min(p for p in ctx.graph.parents[path[-1]] if p in members)
        if step in path:
            loop = path[path.index(step) :]
            return [*loop, step]
        path.append(step)


_HEX = "0123456789abcdef"
_KNOWN_PLACEHOLDERS = frozenset(
    {"deadbeef", "deadbeefcafe", "cafebabe", "feedface", "badc0ffee0dd", "c0ffee", "1337"}
)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Hand-typed runs wrap around within the digits (`7890123`) or within hex letters (`efabc`),
# as in `f8a9b0c1d2e3`, as well as through all sixteen hex digits.
_RUNS = tuple(
    run * 2 for base in (_HEX, _LETTERS, _HEX[:10], _HEX[10:]) for run in (base, base[::-1])
)
_RUNS_OF_4 = frozenset(run[i : i + 4] for run in _RUNS for i in range(len(run) - 3))


def _sequential(text: str) -> bool:
    return len(text) >= 4 and any(text in run for run in _RUNS)


def is_placeholder_id(rev: str) -> bool:
    """A hand-typed id: one repeated character, a run such as `123456789abc`, two runs
    (`abcdef123456`), two interleaved runs (`a1b2c3d4e5f6`), a short repeated pattern
    (`abcabcabcabc`) or a well-known word."""
    text = rev.lower()
    if text in _KNOWN_PLACEHOLDERS:
        return True
    if len(text) < 6 or not (
        text[:4] in _RUNS_OF_4
        or text[0:8:2] in _RUNS_OF_4
        or any(text[:period] == text[period : 2 * period] for period in (1, 2, 3, 4))
    ):
        return False  # every shape below starts like one of these; random ids rarely do
    if not re.fullmatch(r"[0-9a-z]+", text):
        return False
    if any(
        text == text[:period] * (len(text) // period)
        for period in (1, 2, 3, 4)
        if len(text) % period == 0
    ):
        return True
    if _sequential(text):
        return True
    if any(_sequential(text[:cut]) and _sequential(text[cut:]) for cut in range(4, len(text) - 3)):
        return True
    return _sequential(text[0::2]) and _sequential(text[1::2])


def placeholder_revision_id(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a revision id that was typed by hand as a placeholder: `000000000000`,
    `a1b2c3d4e5f6`, `123456789abc`, `abcdef123456`, `deadbeefcafe` and the like. Runs count
    ascending or descending, and may wrap around within the digits or the letters, as
    `f8a9b0c1d2e3` (`fabcde` interleaved with `890123`) does.

    ## Why is this bad?
    Alembic's ids are random so that revisions made on different branches, or copied between
    projects, never collide. Hand-typed ids collide: two developers (or two example snippets)
    pick the same `a1b2c3d4e5f6`, and AL105 follows.

    ## Example
    ```python
    revision = "a1b2c3d4e5f6"
    ```

    ## Use instead
    ```python
    revision = "7c1e9d0b4a52"  # from `alembic revision`, or uuid.uuid4().hex[-12:]
    ```
    """
    for rev, script in ctx.graph.revisions.items():
        if is_placeholder_id(rev):
            yield diag(
                script,
                script.revision_line,
                1,
                "AL107",
                f"revision id `{rev}` looks hand-typed; ids must be random to avoid collisions",
                "generate the id with `alembic revision` or `uuid.uuid4().hex[-12:]`",
            )


def duplicate_branch_label(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a branch label declared by more than one revision.

    ## Why is this bad?
    Alembic raises "Branch name ... already used by revision ..." and stops. A label names one
    branch, and only the revision that starts the branch declares it; its descendants inherit it.

    ## Example
    ```python
    # the first revision of the branch
    branch_labels = ("audit",)
    # a later revision on the same branch
    branch_labels = ("audit",)
    ```

    ## Use instead
    ```python
    # a later revision on the same branch
    branch_labels = None
    ```
    """
    for label, owners in ctx.graph.label_owners.items():
        if len(owners) < 2:
            continue
        for script in owners:
            others = ", ".join(f"`{s.revision}`" for s in owners if s is not script)
            yield diag(
                script,
                script.revision_line,
                1,
                "AL108",
                f"branch label `{label}` is also declared by {others}",
                "declare a label only on the first revision of its branch",
            )


def merge_with_operations(script: RevisionScript, ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a merge revision (one with several `down_revision`s) whose `upgrade()` or
    `downgrade()` does something. Opt-in.

    ## Why is this bad?
    A merge revision exists to join heads. Schema changes hidden in it run after both branches,
    are easy to miss in review, and are lost if the merge is later redone with `alembic merge`
    or replaced by a rebase.

    ## Example
    ```python
    down_revision = ("b2c3d4e5f6a7", "c3d4e5f6a7b8")

    def upgrade() -> None:
        op.add_column("users", sa.Column("email", sa.String()))
    ```

    ## Use instead
    Keep the merge empty (`pass`) and put the change in a revision of its own on top of it.
    """
    if not script.is_merge_point:
        return
    for name, func in (("upgrade", script.upgrade), ("downgrade", script.downgrade)):
        if func is not None and func.kind != "empty":
            yield diag(
                script,
                func.line,
                func.col,
                "AL109",
                f"merge revision has a non-empty `{name}()`",
                "move the operations into a separate revision after the merge",
            )


_ILLEGAL_ID_CHARS = frozenset("@-+:")  # alembic.script.revision._revision_illegal_chars


def invalid_revision_id(ctx: Context) -> Iterator[Diagnostic]:
    """
    ## What it does
    Reports a revision id that contains a character Alembic refuses in one: `@`, `-`, `+` or
    `:`.

    ## Why is this bad?
    These characters are Alembic's revision syntax (`branch@head`, `ae10+2`, `-1`,
    `base:head`). Alembic raises "Character(s) '-' not allowed in revision identifier" while
    loading the history, so every `alembic` command fails, not only the ones that name this
    revision.

    ## Example
    ```python
    revision = "add-users-2024"
    ```

    ## Use instead
    ```python
    revision = "7c1e9d0b4a52"  # from `alembic revision`; or `add_users_2024`
    ```
    """
    for rev, script in ctx.graph.revisions.items():
        illegal = sorted(_ILLEGAL_ID_CHARS.intersection(rev))
        if illegal:
            shown = ", ".join(f"`{c}`" for c in illegal)
            yield diag(
                script,
                script.revision_line,
                1,
                "AL110",
                f"revision id `{rev}` contains {shown}, which Alembic does not allow in an id",
                "use letters, digits and `_` only, e.g. an id from `alembic revision`",
            )


RULES = (
    GraphRule("AL101", "multiple-heads", True, multiple_heads),
    GraphRule("AL102", "multiple-bases", True, multiple_bases),
    GraphRule("AL103", "dangling-down-revision", True, dangling_down_revision),
    GraphRule("AL104", "dangling-depends-on", True, dangling_depends_on),
    GraphRule("AL105", "duplicate-revision-id", True, duplicate_revision_id),
    GraphRule("AL106", "revision-cycle", True, revision_cycle),
    GraphRule("AL107", "placeholder-revision-id", True, placeholder_revision_id),
    GraphRule("AL108", "duplicate-branch-label", True, duplicate_branch_label),
    RevisionRule("AL109", "merge-with-operations", False, merge_with_operations),
    GraphRule("AL110", "invalid-revision-id", True, invalid_revision_id),
)
