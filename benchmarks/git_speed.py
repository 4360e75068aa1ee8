"""What the git-aware checks (AL501-AL504) add to a pre-commit run on a 300-revision repository.

Run it with the interpreter of the environment that has alembic-lint installed::

    python benchmarks/git_speed.py [--runs K] [--json out.json] [--keep]

It builds a git repository (a generated history on ``main``, one new revision on ``feature``,
``main`` one commit ahead), times ``alembic-lint check`` on the new file without the git rules,
with AL501 and with ``--base main``, and prints a markdown report. It exits 0 unless the benchmark
itself cannot run; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import check_speed
import generate
from check_speed import BenchmarkError, Spawner, Variant, run_checked

REVISIONS = 300
DEFAULT_RUNS = 15
# Target from the issue: git checks add at most 50 ms to a pre-commit run at 300 revisions.
BUDGET_SECONDS = 0.050

NEW_TABLE = "feature_flags"
_OBJECT_ID = re.compile(r"\b[0-9a-f]{40}\b")
# Environment variables that would point git at some other repository (set inside git hooks).
GIT_REDIRECTS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_TRACE",
)


@dataclass(frozen=True)
class Fixture:
    root: Path
    new_file: str
    """The new revision's path relative to the root, as pre-commit passes it."""
    new_rev: str
    head: str
    """The head the new revision builds on (the head of ``main``)."""
    merges: int


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_env(cache_dir: Path) -> dict[str, str]:
    """For git and the linter alike: no user or system git config, bytecode allowed."""
    env = check_speed.base_env(bytecode=True)
    for name in GIT_REDIRECTS:
        env.pop(name, None)
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Bench Author",
        GIT_AUTHOR_EMAIL="author@example.com",
        GIT_COMMITTER_NAME="Bench Committer",
        GIT_COMMITTER_EMAIL="committer@example.com",
        ALEMBIC_LINT_CACHE_DIR=str(cache_dir),
    )
    return env


def _commit(root: Path, env: Mapping[str, str], message: str, when: dt.datetime) -> None:
    stamp = when.isoformat()
    dated = {**env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    run_checked(["git", "add", "-A"], dated, root)
    run_checked(["git", "commit", "-q", "--no-verify", "-m", message], dated, root)


def new_revision(seed: int, head: str) -> generate.Revision:
    """One more main-line revision on ``head``, numbered and dated after it."""
    history = generate.build_history(REVISIONS, seed)
    tip = next(r for r in history if r.rev == head)
    numbers = [int(m.group(1)) for r in history if (m := re.match(r"v(\d+) ", r.message))]
    rng = random.Random(seed + 1)
    taken = {r.rev for r in history}
    rev = f"{rng.getrandbits(48):012x}"
    while rev in taken:
        rev = f"{rng.getrandbits(48):012x}"
    change = generate.Change(
        f"create table {NEW_TABLE}",
        [
            f"    op.create_table({NEW_TABLE!r},",
            "    sa.Column('id', sa.Integer(), nullable=False),",
            "    sa.Column('name', sa.String(length=100), nullable=False),",
            "    sa.Column('is_active', sa.Boolean(), nullable=False),",
            "    sa.PrimaryKeyConstraint('id')",
            "    )",
            f"    op.create_index(op.f('ix_{NEW_TABLE}_name'), {NEW_TABLE!r}, ['name'], "
            "unique=True)",
        ],
        [
            f"    op.drop_index(op.f('ix_{NEW_TABLE}_name'), table_name={NEW_TABLE!r})",
            f"    op.drop_table({NEW_TABLE!r})",
        ],
    )
    width = max(4, len(str(REVISIONS)))
    message = f"v{max(numbers) + 1:0{width}d} create table {NEW_TABLE}"
    return generate.Revision(rev, head, message, tip.created + dt.timedelta(hours=3), (change,))


def build_repo(root: Path, seed: int, env: Mapping[str, str]) -> Fixture:
    """``main``: the generated history, then an unrelated commit; ``feature`` (checked out):
    forked before that commit, adds one revision on the history's head."""
    project = generate.write_project(root, REVISIONS, seed)
    readme = root / "README.md"
    readme.write_text("# Service\n\nMigrations live in migrations/versions.\n", encoding="utf-8")
    when = dt.datetime(2024, 6, 11, 9, 0, tzinfo=dt.timezone.utc)
    run_checked(["git", "init", "-q", "-b", "main"], env, root)
    _commit(root, env, f"{REVISIONS} revisions", when)
    run_checked(["git", "branch", "feature"], env, root)
    with readme.open("a", encoding="utf-8") as fh:
        fh.write("\nRun `alembic upgrade head` after pulling.\n")
    _commit(root, env, "README: upgrade after pulling", when + dt.timedelta(hours=1))
    run_checked(["git", "checkout", "-q", "feature"], env, root)
    revision = new_revision(seed, project.head)
    path = project.versions / revision.filename
    path.write_text(generate.render(revision), encoding="utf-8")
    _commit(root, env, revision.message, when + dt.timedelta(hours=2))
    # Files written in the same second as the index are "racily clean": every git diff would
    # read them again. A real work tree is older than its index, so age the files and refresh.
    old = dt.datetime.now().timestamp() - 86400
    for file in root.rglob("*"):
        if ".git" not in file.relative_to(root).parts:
            os.utime(file, (old, old))
    run_checked(["git", "update-index", "-q", "--refresh"], env, root)
    status = run_checked(["git", "status", "--porcelain"], env, root)
    if status:
        raise BenchmarkError(f"the work tree is not clean after setup:\n{status}")
    return Fixture(
        root, path.relative_to(root).as_posix(), revision.rev, project.head, project.merges
    )


def git_commands(fixture: Fixture, argv: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """The git commands one run of ``argv`` starts, from git's own trace."""
    trace = fixture.root.parent / "git-trace.txt"
    trace.unlink(missing_ok=True)
    run_checked(argv, {**env, "GIT_TRACE": str(trace)}, fixture.root)
    marker = "trace: built-in: git "
    lines = trace.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.split(marker, 1)[1] for line in lines if marker in line]


def make_variants(fixture: Fixture, linter: Path, env: Mapping[str, str]) -> list[Variant]:
    check = [str(linter), "check"]
    variants = [
        Variant(
            "A",
            "`check --ignore AL5 FILE` (no git)",
            [*check, "--ignore", "AL5", fixture.new_file],
            lambda: dict(env),
        ),
        Variant("B", "`check FILE` (AL501)", [*check, fixture.new_file], lambda: dict(env)),
        Variant(
            "C",
            "`check --base main FILE` (AL501-AL504)",
            [*check, "--base", "main", fixture.new_file],
            lambda: dict(env),
        ),
    ]
    for v in variants:
        # Primes the parse cache, untimed; a finding (exit 1) stops the benchmark with the output.
        try:
            run_checked(v.argv, env, fixture.root)
        except BenchmarkError as exc:
            raise BenchmarkError(f"variant {v.key} is not clean on the fixture:\n{exc}") from exc
    return variants


def git_variants(commands: Sequence[str], env: Mapping[str, str]) -> list[Variant]:
    git = shutil.which("git", path=env.get("PATH"))
    if git is None:
        raise BenchmarkError("no git on PATH")
    return [
        Variant(
            f"G{i}",
            f"`git {_OBJECT_ID.sub(lambda m: m[0][:10], command)}`",
            [git, *shlex.split(command)],
            lambda: dict(env),
        )
        for i, command in enumerate(commands, 1)
    ]


def measure(variants: Sequence[Variant], runs: int, cwd: Path) -> None:
    launcher = Spawner()
    try:
        for i in range(runs):
            _progress(f"  round {i + 1}/{runs}")
            for variant in variants:
                variant.samples.append(launcher.run(variant.argv, variant.env(), cwd))
    finally:
        launcher.close()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(
    fixture: Fixture, runs: int, lint: Sequence[Variant], git: Sequence[Variant]
) -> dict[str, Any]:
    a = lint[0]
    lines = [
        f"## {REVISIONS} revisions ({fixture.merges} merges) + 1 on `feature`, "
        f"{runs} interleaved runs each",
        "",
        "| | command | median ms | min ms | CPU ms | median - A ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for v in lint:
        lines.append(
            f"| {v.key} | {v.label} | {_ms(v.median)} | {_ms(v.best)} | {_ms(v.cpu)} "
            f"| {_ms(v.median - a.median)} |"
        )
    deltas = {f"{v.key}-A": v.median - a.median for v in lint[1:]}
    lines += ["", f"Targets (at most {_ms(BUDGET_SECONDS)} ms added, medians):"]
    lines += [
        f"- {'PASS' if d <= BUDGET_SECONDS else 'MISS'} {k.replace('-', ' - ')}: {_ms(d)} ms"
        for k, d in deltas.items()
    ]
    if git:
        lines += [
            "",
            "The git commands C runs (from `GIT_TRACE`), each timed alone as a whole process:",
            "",
            "| | command | median ms | min ms |",
            "|---|---|---:|---:|",
        ]
        lines += [f"| {v.key} | {v.label} | {_ms(v.median)} | {_ms(v.best)} |" for v in git]
        total = sum(v.median for v in git)
        lines += ["", f"Sum of their medians: {_ms(total)} ms (C - A: {_ms(deltas['C-A'])} ms)."]
    return {
        "revisions": REVISIONS,
        "merges": fixture.merges,
        "runs": runs,
        "new_file": fixture.new_file,
        "variants": {
            v.key: {
                "label": v.label,
                "argv": v.argv,
                "wall_s": [s.wall for s in v.samples],
                "cpu_s": [s.cpu for s in v.samples],
                "median_s": v.median,
                "min_s": v.best,
                "median_cpu_s": v.cpu,
            }
            for v in [*lint, *git]
        },
        "deltas_s": deltas,
        "targets": [
            {
                "target": f"{k} median, seconds",
                "value": d,
                "limit": BUDGET_SECONDS,
                "passed": d <= BUDGET_SECONDS,
            }
            for k, d in deltas.items()
        ],
        "git_sum_median_s": sum(v.median for v in git),
        "report": lines,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="What the git checks add to alembic-lint check.")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per command")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    work = Path(tempfile.mkdtemp(prefix="alembic-lint-git-bench-"))
    try:
        linter = check_speed.find_linter()
        _progress("precompiling alembic_lint, alembic and sqlalchemy")
        check_speed.precompile()
        env = make_env(work / "cache")
        _progress(f"building the repository in {work / 'repo'}")
        fixture = build_repo(work / "repo", args.seed, env)
        lint = make_variants(fixture, linter, env)
        git = git_variants(git_commands(fixture, lint[-1].argv, env), env)
        _progress(f"timing {len(lint)} linter runs and {len(git)} git commands per round")
        measure([*lint, *git], args.runs, fixture.root)
        result = report(fixture, args.runs, lint, git)
    except BenchmarkError as exc:
        print(f"git_speed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            _progress(f"kept the repository in {work / 'repo'}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    meta = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": check_speed._commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "alembic-lint": check_speed._version("alembic-lint"),
        "git": run_checked(["git", "--version"], os.environ, Path.cwd()).strip(),
        "seed": args.seed,
    }
    print(
        f"# alembic-lint {meta['alembic-lint']} ({meta['commit']}), {meta['git']}, "
        f"Python {meta['python']}, {meta['cpus']} CPUs, {meta['platform']}\n"
    )
    print("\n".join(result["report"]))
    if args.json is not None:
        payload = {"meta": meta, **{k: v for k, v in result.items() if k != "report"}}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        _progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
