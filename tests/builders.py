"""Building revision sources and in-memory histories for tests."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from alembic_lint import astread, rules
from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic
from alembic_lint.dialect import resolve as resolve_dialect
from alembic_lint.discover import Project
from alembic_lint.graph import RevisionGraph, build_graph
from alembic_lint.numbering import numbering
from alembic_lint.script import RevisionScript

UPGRADE = 'op.add_column("users", sa.Column("email", sa.String()))'
DOWNGRADE = 'op.drop_column("users", "email")'


def revision(
    rev: str,
    down: str | tuple[str, ...] | None = None,
    *,
    message: str = "add users.email",
    labels: str = "None",
    depends_on: str = "None",
    upgrade: str = UPGRADE,
    downgrade: str | None = DOWNGRADE,
) -> str:
    """A revision file shaped like alembic's generic script.py.mako output."""
    revises = ", ".join(down) if isinstance(down, tuple) else (down or "")
    text = f'''"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: 2024-05-01 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = {rev!r}
down_revision: Union[str, None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = {labels}
depends_on: Union[str, Sequence[str], None] = {depends_on}


def upgrade() -> None:
{textwrap.indent(upgrade, "    ")}
'''
    if downgrade is not None:
        text += f"\n\ndef downgrade() -> None:\n{textwrap.indent(downgrade, '    ')}\n"
    return text


def parse(source: str, path: str = "versions/x.py") -> RevisionScript:
    result = astread.read(source.encode(), path)
    assert isinstance(result, RevisionScript), result
    return result


def history(sources: Mapping[str, str]) -> tuple[list[RevisionScript], RevisionGraph]:
    scripts = [parse(src, path) for path, src in sources.items()]
    return scripts, build_graph(scripts)


DEFAULT_SETTINGS = Settings()

PROJECT = Project(
    config_file=None,
    script_location=".",
    version_locations=("versions",),
    recursive=False,
    file_template="%(rev)s_%(slug)s",
)


def check(
    code: str,
    sources: Mapping[str, str],
    *,
    settings: Settings = DEFAULT_SETTINGS,
    project: Project = PROJECT,
) -> list[Diagnostic]:
    """Run one rule over an in-memory history, every revision in scope."""
    parsed = [astread.read(src.encode(), path) for path, src in sources.items()]
    scripts = [p for p in parsed if isinstance(p, RevisionScript)]
    graph = build_graph(scripts)
    ctx = rules.Context(
        graph=graph,
        settings=settings,
        project=project,
        names={path: path.split("/", 1)[-1][:-3] for path in sources},
        known_codes=frozenset(rules.BY_CODE),
        numbering=numbering(graph, settings.version_pattern),
        dialect=resolve_dialect(settings, project, scripts),
    )
    found = rules.run(
        [rules.BY_CODE[code]],
        ctx,
        files=parsed,
        in_scope=[s for s in scripts if s.revision is not None],
    )
    return sorted(found, key=lambda d: (d.path, d.line, d.code, d.message))


def project_at(root: Path) -> Project:
    """A project whose one version location is ``root/versions``."""
    return Project(None, str(root), (str(root / "versions"),), False, "%(rev)s_%(slug)s")


def write_chain(versions: Path, n: int) -> None:
    """``n`` revisions in a line, ``0000beef0000`` first."""
    versions.mkdir(parents=True, exist_ok=True)
    prev = None
    for i in range(n):
        rev = f"{i:04d}beef{i:04d}"
        (versions / f"{rev}_step.py").write_text(revision(rev, prev, message=f"step {i}"))
        prev = rev
