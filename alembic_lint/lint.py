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
from alembic_lint.discover import Project
from alembic_lint.gitfacts import git_facts
from alembic_lint.graph import RevisionGraph
from alembic_lint.history import StrPath, display_path, load
from alembic_lint.scope import in_scope

GIT_CODES = frozenset({"AL501", "AL502", "AL503", "AL504"})


class LintResult(NamedTuple):
    diagnostics: list[Diagnostic]
    files: int
    graph: RevisionGraph
    errors: tuple[str, ...] = ()
    """Internal errors of rules that crashed; the findings of the other rules are still here."""


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

    With ``cache_dir``, parse results of unchanged files are reused from the previous run.
    """
    cwd = os.fspath(cwd)
    enabled = rules.enabled_codes(settings)
    history = load(project, cwd=cwd, jobs=jobs, cache_dir=cache_dir)
    items, names, parsed, scripts, graph = history
    facts = None
    if enabled & GIT_CODES:
        facts = git_facts(project, settings, history, cwd=cwd)
    head_file = None
    if settings.head_file is not None:
        head_path = os.path.join(cwd, settings.head_file)
        head_file = rules.HeadFile(display_path(head_path, cwd), _read_text(head_path, settings))
    ctx = rules.Context(
        graph=graph,
        settings=settings,
        project=project,
        names=names,
        known_codes=frozenset(rules.BY_CODE) | frozenset(rules.REDIRECTS),
        memo={},
        git=facts,
        head_file=head_file,
    )
    chosen = in_scope(
        [s for s in scripts if s.revision is not None],
        graph,
        files=files,
        cwd=cwd,
        start_after=settings.start_after,
    )
    errors: list[str] = []
    found = rules.run(
        (rule for rule in rules.ALL_RULES if rule.code in enabled),
        ctx,
        files=parsed,
        in_scope=chosen,
        errors=errors,
    )
    kept = rules.suppressed(found, scripts={s.path: s for s in scripts}, settings=settings)
    return LintResult(sorted(set(kept), key=_order), len(items), graph, tuple(errors))


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
