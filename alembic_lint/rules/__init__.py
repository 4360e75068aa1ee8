"""The rule registry: one explicit record per code, selection, and noqa filtering.

A record says everything the engine needs to know about a rule, so that adding one means a
function in ``rules/<family>.py``, its record, its tests and a README row, and nothing else:

- **scope**, by the record's type, each with its own typed check: ``FileRule`` (every file in
  the history, parsed or not; AL0xx), ``GraphRule`` (once, with the whole graph; AL1xx, AL5xx),
  ``RevisionRule`` (each revision in scope), and ``DriftRule`` (documentation only: ``alembic-lint
  drift`` produces those findings);
- **needs**: the facts it reads beyond the graph and the settings (``git``, ``head_file``,
  ``numbering``, ``dialect``). The engine computes a fact only when a selected rule needs it, as
  a pure function, once per run;
- **dialects**: the databases it applies to (None: every one); elsewhere it does not run;
- **unapplied** (revision rules): it concerns only revisions that have not run in production:
  with a base ref those new since it, else those after ``start-after``;
- **docs**: the check's docstring (a drift rule's ``text``), which ``alembic-lint rule CODE``
  shows and SARIF carries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import Any, ClassVar, Literal, NamedTuple, TypeVar

from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic, UsageError
from alembic_lint.dialect import Dialect
from alembic_lint.discover import Project
from alembic_lint.graph import RevisionGraph
from alembic_lint.numbering import Numbering
from alembic_lint.script import RevisionScript, ScriptError

SourceFile = RevisionScript | ScriptError
Need = Literal["git", "head_file", "numbering", "dialect"]


class GitFacts(NamedTuple):
    """What git knows about the history (AL5xx), gathered by ``gitfacts``.

    The fork point is where this branch left the base ref (``git merge-base``); ``merged`` is
    this history united with the base ref's, as merging would leave it.
    """

    untracked: frozenset[str]
    base: str | None = None
    modified: tuple[tuple[str, str | None], ...] = ()
    """Display path, and the revision id the file had at the fork point."""
    removed: tuple[tuple[str, str], ...] = ()
    """Display path and revision id of revision files deleted since the fork point."""
    merged: RevisionGraph | None = None
    new: frozenset[str] = frozenset()
    """Revision ids that the base ref does not have."""
    ignored: frozenset[str] = frozenset()
    """Display paths of the untracked files that git ignores (``git add`` needs ``-f``)."""
    new_since: str | None = None
    """The ref ``new`` is worked out against: the base ref, or the guessed default branch."""


class HeadFile(NamedTuple):
    path: str
    """As shown in findings."""
    text: str | None
    """None when the file does not exist."""


class Context(NamedTuple):
    """What every check may read. ``names`` maps a script path to its name inside its version
    location. The optional facts are None unless a selected rule declares that it needs them."""

    graph: RevisionGraph
    settings: Settings
    project: Project
    names: Mapping[str, str]
    known_codes: frozenset[str]
    git: GitFacts | None = None
    """None outside a git work tree too: the AL5xx rules are then quiet."""
    head_file: HeadFile | None = None
    numbering: Numbering | None = None
    dialect: Dialect | None = None
    locations: Mapping[str, str] = {}
    """Shown path -> absolute path of each revision file (``contract-version-locations``)."""


FileCheck = Callable[[SourceFile, Context], Iterator[Diagnostic]]
GraphCheck = Callable[[Context], Iterator[Diagnostic]]
RevisionCheck = Callable[[RevisionScript, Context], Iterator[Diagnostic]]


_R = TypeVar("_R", bound="Rule")


class Rule:
    """What every record has. Plain classes with slots, not dataclasses: ``dataclasses`` imports
    ``inspect`` and with it ``ast``, which a run served from the cache never needs."""

    __slots__ = ("code", "default", "dialects", "name", "needs")
    scope: ClassVar[str] = "none"

    def __init__(
        self,
        code: str,
        name: str,
        default: bool,
        *,
        needs: frozenset[Need] = frozenset(),
        dialects: frozenset[str] | None = None,
    ) -> None:
        self.code = code
        self.name = name
        self.default = default
        self.needs = needs
        self.dialects = dialects
        """postgresql, mysql, mariadb, sqlite; None: every dialect."""

    def _replace(self: _R, **changes: Any) -> _R:
        """A copy with some fields changed, as ``NamedTuple._replace`` makes one."""
        copy = object.__new__(type(self))
        for cls in type(self).__mro__:
            for field in getattr(cls, "__slots__", ()):
                setattr(copy, field, changes.pop(field, getattr(self, field)))
        if changes:
            raise TypeError(f"no such fields: {', '.join(changes)}")
        return copy

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.name!r})"

    @property
    def doc(self) -> str:
        import inspect

        return inspect.cleandoc(self._text())

    def _text(self) -> str:  # pragma: no cover - every record type defines it
        raise NotImplementedError

    @property
    def summary(self) -> str:
        """The first sentence of "What it does"."""
        section = self.doc.split("## What it does", 1)[-1].strip().split("\n\n", 1)[0]
        text = " ".join(section.split())
        for end in range(len(text) - 1):
            ellipsis = text[end - 1 : end] == "."  # `ALTER TABLE ... DROP`: not an end
            if (
                text[end] == "."
                and not ellipsis
                and text[end + 1] == " "
                and text[end + 2 : end + 3].isupper()
            ):
                return text[:end]
        return text.rstrip(".")

    def applies_to(self, dialect: Dialect | None) -> bool:
        return self.dialects is None or dialect is None or dialect.name in self.dialects


class _Checked(Rule):
    """A record with a check function, whose docstring is the rule's documentation."""

    __slots__ = ("check",)

    def __init__(
        self,
        code: str,
        name: str,
        default: bool,
        check: Callable[..., Iterator[Diagnostic]],
        *,
        needs: frozenset[Need] = frozenset(),
        dialects: frozenset[str] | None = None,
    ) -> None:
        super().__init__(code, name, default, needs=needs, dialects=dialects)
        self.check = check

    def _text(self) -> str:
        return self.check.__doc__ or ""


class FileRule(_Checked):
    __slots__ = ()
    scope = "file"
    check: FileCheck


class GraphRule(_Checked):
    __slots__ = ()
    scope = "graph"
    check: GraphCheck


class RevisionRule(_Checked):
    __slots__ = ("unapplied",)
    scope = "revision"
    check: RevisionCheck

    def __init__(
        self,
        code: str,
        name: str,
        default: bool,
        check: RevisionCheck,
        *,
        needs: frozenset[Need] = frozenset(),
        dialects: frozenset[str] | None = None,
        unapplied: bool = False,
    ) -> None:
        super().__init__(code, name, default, check, needs=needs, dialects=dialects)
        self.unapplied = unapplied
        """It concerns only the revisions that have not run in production (AL4xx)."""


class DriftRule(Rule):
    __slots__ = ("text",)
    scope = "drift"

    def __init__(self, code: str, name: str, default: bool, text: str) -> None:
        super().__init__(code, name, default)
        self.text = text

    def _text(self) -> str:
        return self.text


AnyRule = FileRule | GraphRule | RevisionRule | DriftRule


def diag(
    script: RevisionScript | ScriptError,
    line: int,
    col: int,
    code: str,
    message: str,
    hint: str | None = None,
) -> Diagnostic:
    revision = script.revision if isinstance(script, RevisionScript) else None
    return Diagnostic(script.path, line, col, code, message, hint, revision)


def _all_rules() -> tuple[AnyRule, ...]:
    from alembic_lint.rules import bodies, drift, git, graph, naming, source, unsafe

    return tuple(
        sorted(
            source.RULES
            + graph.RULES
            + bodies.RULES
            + naming.RULES
            + unsafe.RULES
            + git.RULES
            + drift.RULES,
            key=lambda r: r.code,
        )
    )


ALL_RULES: tuple[AnyRule, ...] = _all_rules()
BY_CODE: Mapping[str, AnyRule] = {rule.code: rule for rule in ALL_RULES}
BY_NAME: Mapping[str, AnyRule] = {rule.name: rule for rule in ALL_RULES}
# A renamed or split rule keeps its old code or name here, pointing at the new code.
REDIRECTS: Mapping[str, str] = {}


_PREFIX = re.compile(r"AL\d{0,3}")


def resolve(selector: str, *, where: str) -> frozenset[str]:
    """A selector as ruff reads one -> the codes it means.

    Accepted: ``ALL``, a rule name, or ``AL`` followed by up to three digits that begin at
    least one code (``AL``, ``AL2``, ``AL20``, ``AL201``). Anything else, such as ``A``,
    ``AL2x`` or ``AL999``, is a UsageError naming it: a typo must not switch rules off.
    """
    token = selector.strip()
    upper = token.upper()
    if upper == "ALL":
        return frozenset(BY_CODE)
    if token in BY_NAME:
        return frozenset({BY_NAME[token].code})
    if upper in REDIRECTS or token in REDIRECTS:
        return frozenset({REDIRECTS.get(upper) or REDIRECTS[token]})
    found: frozenset[str] = frozenset()
    if _PREFIX.fullmatch(upper):
        found = frozenset(code for code in BY_CODE if code.startswith(upper))
    if not found:
        raise UsageError(f"{where}: unknown rule code or name `{selector}`")
    return found


def _explicit(selector: str) -> bool:
    """Whether a selector names one rule (its code or name), rather than a group."""
    token = selector.strip()
    return token in BY_NAME or token.upper() in BY_CODE


def enabled_codes(settings: Settings) -> frozenset[str]:
    """Defaults (or ``select``) plus ``extend-select``, minus ``ignore``.

    ``message-pattern`` switches AL302 on: configuring a pattern that is never checked would be a
    silent no-op. Without one, AL302 named on its own is an error, while a group that merely
    contains it (``ALL``, ``AL3``) leaves it out, so that ``--select ALL`` works everywhere.
    """
    where = "select"
    explicit: set[str] = set()
    if settings.select is None:
        chosen = {rule.code for rule in ALL_RULES if rule.default}
        if settings.message_pattern is not None:
            chosen.add("AL302")
    else:
        chosen = set()
        for selector in settings.select:
            codes = resolve(selector, where=where)
            chosen |= codes
            explicit |= codes if _explicit(selector) else set()
    for selector in settings.extend_select:
        codes = resolve(selector, where="extend-select")
        chosen |= codes
        explicit |= codes if _explicit(selector) else set()
    for selector in settings.ignore:
        chosen -= resolve(selector, where="ignore")
    for glob, selectors in settings.per_file_ignores:
        for selector in selectors:
            resolve(selector, where=f"per-file-ignores `{glob}`")
    if "AL302" in chosen and settings.message_pattern is None:
        if "AL302" in explicit:
            raise UsageError(
                "AL302 (message-pattern) is selected but no `message-pattern` is configured"
            )
        chosen.discard("AL302")
    return frozenset(chosen)


def needed(selected: Iterable[AnyRule]) -> frozenset[Need]:
    """The facts that the selected rules read, so that the engine computes only those."""
    found: set[Need] = set()
    for rule in selected:
        found |= rule.needs
        if rule.dialects is not None:
            found.add("dialect")
    return frozenset(found)


def run(
    selected: Iterable[AnyRule],
    ctx: Context,
    *,
    files: Iterable[SourceFile],
    in_scope: Iterable[RevisionScript],
    unapplied: Iterable[RevisionScript] | None = None,
    errors: list[str] | None = None,
) -> list[Diagnostic]:
    """Every rule over its scope, where its dialect applies. ``unapplied`` are the revisions that
    have not run in production (default: ``in_scope``). With ``errors``, a rule that crashes on
    one item loses only that item's findings, and a line naming the rule and the file is added
    to ``errors``; without it the exception propagates (the tests of one rule want to see it).
    A UsageError (bad configuration found while checking) always propagates."""
    files = list(files)
    in_scope = list(in_scope)
    not_run = in_scope if unapplied is None else list(unapplied)
    found: list[Diagnostic] = []

    def call(rule: AnyRule, where: str, produce: Callable[[], Iterator[Diagnostic]]) -> None:
        try:
            found.extend(produce())
        except UsageError:
            raise
        except Exception as exc:
            if errors is None:
                raise
            errors.append(
                f"rule {rule.code} ({rule.name}) failed{where}: {type(exc).__name__}: {exc}"
            )

    for rule in selected:
        if not rule.applies_to(ctx.dialect):
            continue
        if isinstance(rule, FileRule):
            for item in files:
                call(rule, f" on {item.path}", partial(rule.check, item, ctx))
        elif isinstance(rule, GraphRule):
            call(rule, "", partial(rule.check, ctx))
        elif isinstance(rule, RevisionRule):
            for script in not_run if rule.unapplied else in_scope:
                call(rule, f" on {script.path}", partial(rule.check, script, ctx))
    return found


def suppressed(
    diagnostics: Iterable[Diagnostic],
    *,
    scripts: Mapping[str, RevisionScript],
    settings: Settings,
) -> list[Diagnostic]:
    """Drop findings silenced by a noqa comment or ``per-file-ignores``; AL004 is never silenced."""
    ignores = [
        (glob, frozenset().union(*(resolve(s, where="per-file-ignores") for s in selectors)))
        for glob, selectors in settings.per_file_ignores
    ]
    if ignores:
        import fnmatch
    kept: list[Diagnostic] = []
    for d in diagnostics:
        if d.code != "AL004":
            if any(d.code in codes and fnmatch.fnmatch(d.path, glob) for glob, codes in ignores):
                continue
            script = scripts.get(d.path)
            if script is not None and any(
                (n.file_level or n.line == d.line) and (n.codes is None or d.code in n.codes)
                for n in script.noqa
            ):
                continue
        kept.append(d)
    return kept
