"""The library API and the only place the check's stages are wired: the history (``history``),
what git says about it (``gitfacts``), which revisions are in scope (``scope``), the rules and
their suppressions (``rules``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

from alembic_lint import rules
from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic, UsageError
from alembic_lint.dialect import assumption_notice
from alembic_lint.dialect import resolve as resolve_dialect
from alembic_lint.discover import Project
from alembic_lint.gitfacts import git_facts
from alembic_lint.graph import RevisionGraph
from alembic_lint.history import StrPath, display_path, load
from alembic_lint.numbering import numbering
from alembic_lint.scope import in_scope


class LintResult(NamedTuple):
    diagnostics: list[Diagnostic]
    files: int
    graph: RevisionGraph
    errors: tuple[str, ...] = ()
    """Internal errors of rules that crashed; the findings of the other rules are still here."""
    notes: tuple[str, ...] = ()
    """What the run assumed and the user should know, such as the dialect; shown on stderr."""


def lint(
    project: Project,
    settings: Settings,
    *,
    cwd: StrPath,
    files: Sequence[StrPath] | None = None,
    jobs: int = 1,
    cache_dir: StrPath | None = None,
) -> LintResult:
    """Lint a whole history. With ``files``, per-revision rules report only on those files.

    The facts a selected rule needs (``rules.Rule.needs``) are computed here, once; no other
    fact is: a run without git rules never starts git.

    With ``cache_dir``, parse results of unchanged files are reused from the previous run.
    """
    cwd = os.fspath(cwd)
    enabled = rules.enabled_codes(settings)
    selected = [rule for rule in rules.ALL_RULES if rule.code in enabled]
    history = load(project, cwd=cwd, jobs=jobs, cache_dir=cache_dir)
    items, names, parsed, scripts, graph = history
    needs = rules.needed(selected)
    unapplied_rules = any(isinstance(r, rules.RevisionRule) and r.unapplied for r in selected)
    facts = None
    if "git" in needs or unapplied_rules:
        facts = git_facts(project, settings, history, cwd=cwd, guess=unapplied_rules)
    head_file = None
    if "head_file" in needs and settings.head_file is not None:
        head_path = os.path.join(cwd, settings.head_file)
        head_file = rules.HeadFile(display_path(head_path, cwd), _read_text(head_path, settings))
    chosen_dialect = resolve_dialect(settings, project, scripts) if "dialect" in needs else None
    ctx = rules.Context(
        graph=graph,
        settings=settings,
        project=project,
        names=names,
        known_codes=frozenset(rules.BY_CODE) | frozenset(rules.REDIRECTS),
        git=facts,
        head_file=head_file,
        numbering=numbering(graph, settings.version_pattern) if "numbering" in needs else None,
        dialect=chosen_dialect,
        locations={shown: os.path.abspath(path) for path, shown in items},
    )
    chosen = in_scope(
        [s for s in scripts if s.revision is not None],
        graph,
        files=files,
        cwd=cwd,
        start_after=settings.start_after,
    )
    not_run = chosen
    if facts is not None and facts.new_since is not None:
        not_run = [s for s in chosen if s.revision in facts.new]
    errors: list[str] = []
    found = rules.run(
        selected, ctx, files=parsed, in_scope=chosen, unapplied=not_run, errors=errors
    )
    kept = rules.suppressed(found, scripts={s.path: s for s in scripts}, settings=settings)
    notes: tuple[str, ...] = ()
    dialect_rules = {r.code for r in selected if r.dialects is not None}
    if (
        chosen_dialect is not None
        and chosen_dialect.assumed
        and any(d.code in dialect_rules for d in kept)
    ):
        notes = (assumption_notice(chosen_dialect),)  # only when it changed what is reported
    return LintResult(sorted(set(kept), key=_order), len(items), graph, tuple(errors), notes)


def _read_text(path: str, settings: Settings) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"head-file `{settings.head_file}`: {exc}") from None


def _order(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.path, d.line, d.col, d.code, d.message)
