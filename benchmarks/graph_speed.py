"""How long ``alembic-lint graph`` takes to draw a generated 5,000-revision history.

The target (issue 11): drawing 5,000 revisions takes under a second. "Drawing" is what the
command adds to a lint: building the chart (folding included) and rendering one format; the
lint itself is check's, measured by check_speed.py. Usage::

    python benchmarks/graph_speed.py [--revisions 5000] [--runs 5] [--keep]

Prints a markdown table: the median and minimum of ``--runs`` in-process runs for each format,
with the default folding and with none (``--fold 0``, every revision a box: the worst case),
then the whole command (a process, warm parse cache) for each format. Exit 0 whatever the
numbers are; 1 only when the benchmark cannot run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import generate

from alembic_lint import draw
from alembic_lint.config import Settings
from alembic_lint.discover import Project
from alembic_lint.lint import lint

TARGET_S = 1.0


def _times(run: Callable[[], object], runs: int) -> list[float]:
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        found.append(time.perf_counter() - start)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--revisions", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="alembic-lint-graph-"))
    try:
        made = generate.write_project(root, args.revisions)
        project = Project(
            config_file=str(made.ini),
            script_location=str(root / "migrations"),
            version_locations=(str(made.versions),),
            recursive=False,
            file_template="%(rev)s_%(slug)s",
        )
        result = lint(project, Settings(), cwd=root)
        if len(result.graph.revisions) != made.revisions:
            print(f"the linter read {len(result.graph.revisions)} revisions", file=sys.stderr)
            return 1
        print(f"{made.revisions} revisions, {made.merges} merges; {args.runs} runs each\n")
        print("| format | fold | boxes | median s | min s | target |")
        print("|---|---|---:|---:|---:|---|")
        for fold in (draw.DEFAULT_FOLD, 0):
            boxes = len(draw.build_chart(result.graph, result.diagnostics, fold=fold).nodes)
            for fmt in draw.FORMATS:

                def run(fmt: str = fmt, fold: int = fold) -> object:
                    chart = draw.build_chart(result.graph, result.diagnostics, fold=fold)
                    return draw.render(fmt, [(None, chart)], title="benchmark")

                found = _times(run, args.runs)
                median = statistics.median(found)
                verdict = "PASS" if median < TARGET_S else "MISS"
                print(f"| {fmt} | {fold} | {boxes} | {median:.3f} | {min(found):.3f} | {verdict} |")

        exe = Path(sys.executable).with_name("alembic-lint")
        if not exe.exists():
            print(f"\n(no {exe}: the whole-command rows are left out)")
            return 0
        env = {**os.environ, "ALEMBIC_LINT_CACHE_DIR": str(root / "cache")}
        command = [str(exe), "graph", "-o", str(root / "out")]
        subprocess.run(command, cwd=root, env=env, check=True)  # fill the parse cache
        print("\n| whole command, warm cache | median s | min s |")
        print("|---|---:|---:|")
        for fmt in draw.FORMATS:

            def process(fmt: str = fmt) -> object:
                return subprocess.run([*command, "--format", fmt], cwd=root, env=env, check=True)

            found = _times(process, args.runs)
            print(
                f"| `alembic-lint graph --format {fmt}` | {statistics.median(found):.3f} | "
                f"{min(found):.3f} |"
            )
        return 0
    finally:
        if args.keep:
            print(f"\nkept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
