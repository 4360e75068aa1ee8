"""Whole-process speed and memory of ``alembic-lint check`` against Alembic loading the same history.

Run it with the interpreter of the environment that has alembic-lint installed::

    python benchmarks/check_speed.py [--sizes 300,5000] [--runs K] [--json out.json]

It prints a markdown report and always exits 0 unless the benchmark itself cannot run (a generated
history that is not clean, a command that fails); see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import generate
import spawner

DEFAULT_SIZES = (300, 5000)
REPO = Path(__file__).resolve().parent.parent

# Targets (from the project's goals): at 5000 revisions, at most a quarter of Alembic's time
# and no more memory; at 300 revisions, the whole linter process within 60 ms.
LARGE, LARGE_TIME_RATIO = 5000, 0.25
SMALL, SMALL_SECONDS = 300, 0.060

ALEMBIC_SNIPPET = (
    "from alembic.config import Config; from alembic.script import ScriptDirectory; "
    "print(ScriptDirectory.from_config(Config({ini!r})).get_heads())"
)
ALEMBIC_VERIFY = (
    "import json; from alembic.config import Config; from alembic.script import ScriptDirectory; "
    "s = ScriptDirectory.from_config(Config({ini!r})); "
    "print(json.dumps([s.get_heads(), sum(1 for _ in s.walk_revisions())]))"
)


class BenchmarkError(Exception):
    """The benchmark cannot produce a meaningful number; exits non-zero."""


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    """User + system time of the process and the workers it waited for."""
    maxrss_kib: int
    """Largest resident set of the process or any child it waited for (not their sum)."""


@dataclass
class Variant:
    key: str
    label: str
    argv: list[str]
    env: Callable[[], dict[str, str]]
    """Called before every run, untimed: a cold run gets a fresh cache directory here."""
    cleanup: Callable[[], None] = lambda: None
    cwd: Path | None = None
    """Where it runs; default: the generated project's directory."""
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def best(self) -> float:
        return min(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def peak_mib(self) -> float:
        return max(s.maxrss_kib for s in self.samples) / 1024


@dataclass(frozen=True)
class Target:
    text: str
    value: float
    limit: float

    @property
    def passed(self) -> bool:
        return self.value <= self.limit


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def base_env(*, bytecode: bool) -> dict[str, str]:
    env = dict(os.environ)
    # A cache prefix would let "no .pyc" runs find bytecode elsewhere.
    env.pop("PYTHONPYCACHEPREFIX", None)
    env.pop("ALEMBIC_LINT_CACHE_DIR", None)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class Spawner:
    """Starts timed commands through ``spawner.py`` so their peak RSS is their own."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", str(Path(__file__).with_name("spawner.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def run(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> Sample:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(spawner.encode(list(argv), dict(env), str(cwd)))
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline().split()
        if len(reply) != 5:
            raise BenchmarkError(f"the spawner died (exit {self.proc.wait()})")
        wall, code, utime, stime, maxrss = reply
        if int(code) not in allowed(argv):
            raise BenchmarkError(f"exit {int(code)} from a timed run of {' '.join(argv)}")
        return Sample(float(wall), float(utime) + float(stime), int(maxrss))

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


def allowed(argv: Sequence[str]) -> tuple[int, ...]:
    """Exit statuses that mean the command did its work: the linter may report findings (the
    generated histories build indexes without CONCURRENTLY, which AL401 reports, as it would in
    many real projects); everything else must exit 0."""
    linting = Path(argv[0]).name == "alembic-lint" and "--ignore" not in argv
    return (0, 1) if linting else (0,)


def run_checked(argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in allowed(argv):
        raise BenchmarkError(
            f"`{' '.join(argv)}` exited {done.returncode}\n--- stdout\n{done.stdout}"
            f"--- stderr\n{done.stderr}"
        )
    return done.stdout


def find_linter() -> Path:
    linter = Path(sys.executable).parent / "alembic-lint"
    if not linter.exists():
        raise BenchmarkError(
            f"no {linter}: run this script with the python of the environment "
            "where alembic-lint is installed"
        )
    return linter


def precompile() -> None:
    """Bytecode for the linter (and alembic/SQLAlchemy, used by B) so no run pays to compile it."""
    for name in ("alembic_lint", "alembic", "sqlalchemy"):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise BenchmarkError(f"package {name} is not importable from {sys.executable}")
        for location in spec.submodule_search_locations:
            if not compileall.compile_dir(location, quiet=1):
                _progress(f"warning: some files under {location} did not compile")


def no_pycache(versions: Path) -> None:
    for cache in versions.rglob("__pycache__"):
        shutil.rmtree(cache)


def verify(project: generate.GeneratedProject, linter: Path, scratch: Path) -> None:
    """The history must be clean for the linter, but for the unsafe-operation rules (AL4xx),
    and load in Alembic as generated."""
    env = base_env(bytecode=True)
    env["ALEMBIC_LINT_CACHE_DIR"] = tempfile.mkdtemp(dir=scratch, prefix="verify-")
    try:
        run_checked(
            [str(linter), "check", "-c", str(project.ini), "--ignore", "AL4"], env, project.root
        )
    except BenchmarkError as exc:
        raise BenchmarkError(
            f"the generated history is not clean for alembic-lint:\n{exc}"
        ) from exc
    no_pycache(project.versions)
    out = run_checked(
        [sys.executable, "-c", ALEMBIC_VERIFY.format(ini=str(project.ini))],
        base_env(bytecode=False),
        project.root,
    )
    heads, count = json.loads(out)
    if heads != [project.head] or count != project.revisions:
        raise BenchmarkError(
            f"alembic sees heads {heads} and {count} revisions; "
            f"generated head {project.head} and {project.revisions} revisions"
        )


def make_variants(project: generate.GeneratedProject, linter: Path, scratch: Path) -> list[Variant]:
    lint_argv = [str(linter), "check", "-c", str(project.ini)]
    cold_dirs: list[str] = []

    def cold_env() -> dict[str, str]:
        env = base_env(bytecode=True)
        cold_dirs.append(tempfile.mkdtemp(dir=scratch, prefix="cold-"))
        env["ALEMBIC_LINT_CACHE_DIR"] = cold_dirs[-1]
        return env

    def cold_cleanup() -> None:
        while cold_dirs:
            shutil.rmtree(cold_dirs.pop(), ignore_errors=True)

    warm_dir = tempfile.mkdtemp(dir=scratch, prefix="warm-")
    warm = base_env(bytecode=True)
    warm["ALEMBIC_LINT_CACHE_DIR"] = warm_dir
    run_checked(lint_argv, warm, project.root)  # prime the cache, untimed

    def alembic_env() -> dict[str, str]:
        no_pycache(project.versions)
        return base_env(bytecode=False)

    zero_config = [str(linter), "check"]
    run_checked(zero_config, warm, project.root)
    mono = monorepo(project, scratch)
    run_checked(zero_config, warm, mono)  # prime, untimed; must also pass

    return [
        Variant("A", "alembic-lint check, cold cache", lint_argv, cold_env, cold_cleanup),
        Variant("A2", "alembic-lint check, warm cache", lint_argv, lambda: dict(warm)),
        Variant(
            "A3", "alembic-lint check with no flags, warm cache", zero_config, lambda: dict(warm)
        ),
        Variant(
            "M",
            f"alembic-lint check with no flags from a git repository's root: "
            f"{MONO_ENVIRONMENTS} environments of {project.revisions // MONO_ENVIRONMENTS} "
            "revisions, warm cache",
            zero_config,
            lambda: dict(warm),
            cwd=mono,
        ),
        Variant(
            "B",
            "alembic ScriptDirectory.get_heads(), no .pyc",
            [sys.executable, "-c", ALEMBIC_SNIPPET.format(ini=str(project.ini))],
            alembic_env,
        ),
        Variant(
            "P",
            "python -c pass (start-up floor, for reference)",
            [sys.executable, "-c", "pass"],
            lambda: base_env(bytecode=True),
        ),
    ]


MONO_ENVIRONMENTS = 3
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def monorepo(project: generate.GeneratedProject, scratch: Path) -> Path:
    """A committed git repository with no config at its root and three environments below it
    (``svc0/alembic.ini``...), each a generated history of a third of the size."""
    root = scratch / "monorepo"
    size = max(project.revisions // MONO_ENVIRONMENTS, 1)
    for i in range(MONO_ENVIRONMENTS):
        generate.write_project(root / f"svc{i}", size, i + 1)
    (root / "README.md").write_text("three services\n", encoding="utf-8")
    env = {**base_env(bytecode=True), **GIT_IDENTITY}
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "services"]):
        run_checked(["git", *argv], env, root)
    return root


def measure(variants: Sequence[Variant], runs: int, cwd: Path, size: int) -> None:
    launcher = Spawner()
    try:
        for i in range(runs):
            _progress(f"  {size} revisions: round {i + 1}/{runs}")
            for variant in variants:
                env = variant.env()
                variant.samples.append(launcher.run(variant.argv, env, variant.cwd or cwd))
                variant.cleanup()
    finally:
        launcher.close()


def targets(size: int, by_key: Mapping[str, Variant]) -> list[Target]:
    b = by_key["B"]
    found: list[Target] = []
    for key in ("A", "A2", "A3"):
        v = by_key[key]
        if size == LARGE:
            found.append(
                Target(
                    f"{size}: {key} median time / B median time",
                    v.median / b.median,
                    LARGE_TIME_RATIO,
                )
            )
            found.append(
                Target(f"{size}: {key} peak RSS / B peak RSS", v.peak_mib / b.peak_mib, 1.0)
            )
        if size == SMALL:
            found.append(
                Target(f"{size}: {key} median wall time, seconds", v.median, SMALL_SECONDS)
            )
    return found


def table(variants: Sequence[Variant]) -> list[str]:
    b = next(v for v in variants if v.key == "B")
    lines = [
        "| | command | median s | min s | CPU s | peak RSS MiB | time / B | RSS / B |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for v in variants:
        lines.append(
            f"| {v.key} | {v.label} | {v.median:.3f} | {v.best:.3f} | {v.cpu:.3f} "
            f"| {v.peak_mib:.1f} | {v.median / b.median:.3f} | {v.peak_mib / b.peak_mib:.2f} |"
        )
    return lines


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return out.stdout.strip()


def parse_sizes(value: str) -> list[int]:
    try:
        sizes = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of numbers: {value}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="alembic-lint vs alembic: time and memory.")
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="revision counts, e.g. 300,5000",
    )
    parser.add_argument(
        "--runs", type=int, help="timed runs per command (default: 7 up to 1000 revisions, else 5)"
    )
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    args = parser.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")

    try:
        linter = find_linter()
        _progress("precompiling alembic_lint, alembic and sqlalchemy")
        precompile()
        work = Path(tempfile.mkdtemp(prefix="alembic-lint-bench-"))
        try:
            results = [_one_size(n, args.runs, args.seed, linter, work) for n in args.sizes]
        finally:
            if args.keep:
                _progress(f"kept the generated projects in {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    except BenchmarkError as exc:
        print(f"check_speed: {exc}", file=sys.stderr)
        return 1

    meta = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": _commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "alembic-lint": _version("alembic-lint"),
        "alembic": _version("alembic"),
        "sqlalchemy": _version("SQLAlchemy"),
        "seed": args.seed,
    }
    print(
        f"# alembic-lint {meta['alembic-lint']} ({meta['commit']}) vs alembic {meta['alembic']}, "
        f"Python {meta['python']}, {meta['cpus']} CPUs, {meta['platform']}\n"
    )
    for result in results:
        print("\n".join(result["report"]) + "\n")
    if args.json is not None:
        payload = {
            "meta": meta,
            "sizes": [{k: v for k, v in r.items() if k != "report"} for r in results],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        _progress(f"wrote {args.json}")
    return 0


def _one_size(n: int, runs: int | None, seed: int, linter: Path, work: Path) -> dict[str, Any]:
    runs = runs if runs is not None else (7 if n <= 1000 else 5)
    root = work / f"n{n}"
    scratch = work / f"n{n}-cache"
    scratch.mkdir()
    _progress(f"{n} revisions: generating into {root}")
    project = generate.write_project(root, n, seed)
    _progress(f"{n} revisions: verifying with alembic-lint and alembic")
    verify(project, linter, scratch)
    variants = make_variants(project, linter, scratch)
    measure(variants, runs, project.root, n)
    by_key = {v.key: v for v in variants}
    found = targets(n, by_key)
    report = [
        f"## {n} revisions ({project.merges} merges, one head), {runs} interleaved runs each",
        "",
        *table(variants),
        "",
    ]
    if found:
        report.append("Targets:")
        report.extend(
            f"- {'PASS' if t.passed else 'MISS'} {t.text}: {t.value:.3f} (limit {t.limit:g})"
            for t in found
        )
    else:
        report.append(f"(no targets at this size; they are set for {SMALL} and {LARGE})")
    return {
        "revisions": n,
        "merges": project.merges,
        "runs": runs,
        "variants": {
            v.key: {
                "label": v.label,
                "argv": v.argv,
                "wall_s": [s.wall for s in v.samples],
                "cpu_s": [s.cpu for s in v.samples],
                "maxrss_kib": [s.maxrss_kib for s in v.samples],
                "median_s": v.median,
                "min_s": v.best,
                "median_cpu_s": v.cpu,
                "peak_rss_mib": v.peak_mib,
            }
            for v in variants
        },
        "ratios": {
            "A/B time": by_key["A"].median / by_key["B"].median,
            "A2/B time": by_key["A2"].median / by_key["B"].median,
            "A/B rss": by_key["A"].peak_mib / by_key["B"].peak_mib,
            "A2/B rss": by_key["A2"].peak_mib / by_key["B"].peak_mib,
            "M/A2 time": by_key["M"].median / by_key["A2"].median,
        },
        "targets": [
            {"target": t.text, "value": t.value, "limit": t.limit, "passed": t.passed}
            for t in found
        ],
        "report": report,
    }


if __name__ == "__main__":
    raise SystemExit(main())
