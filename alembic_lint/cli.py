"""Command line: argv -> Settings -> lint -> a reporter -> stdout. The only module that prints."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

from alembic_lint import __version__
from alembic_lint.diagnostics import UsageError

if TYPE_CHECKING:
    from alembic_lint.config import Settings
    from alembic_lint.discover import Discovery, Environment, Locator, Project
    from alembic_lint.fixing import Change
    from alembic_lint.formats import Section


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, as every other error (argparse prints the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"alembic-lint: error: {message} (see `{self.prog} --help`)\n")


def _one_line(message: object) -> str:
    """Multi-line messages (configparser's, for one) folded into the one line on stderr."""
    return "; ".join(part.strip() for part in str(message).splitlines() if part.strip())


class _Formatter(argparse.HelpFormatter):
    """argparse's own formatter imports shutil just to size the terminal on every add_argument."""

    def __init__(self, prog: str) -> None:
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns - 2
        except (OSError, ValueError):
            width = 98
        super().__init__(prog, width=max(width, 40))


def _add_locator(parser: argparse.ArgumentParser) -> None:
    where = parser.add_argument_group("finding the history (as alembic does)")
    where.add_argument(
        "-c",
        "--config",
        action="append",
        default=[],
        metavar="FILE",
        help="alembic ini file and/or pyproject.toml; may be given twice",
    )
    where.add_argument(
        "-n", "--name", help="ini section name (default: alembic, or every section found)"
    )
    where.add_argument(
        "--script-location", metavar="DIR", help="script location; needs no config file"
    )
    where.add_argument(
        "--version-location",
        action="append",
        default=[],
        metavar="DIR",
        help="version location (repeatable); overrides the config",
    )
    where.add_argument(
        "--recursive-version-locations",
        action="store_true",
        help="search version locations recursively",
    )
    where.add_argument(
        "--settings",
        metavar="PATH",
        help="take [tool.alembic-lint] from this pyproject.toml (or a toml file holding the table "
        "itself) instead of the pyproject.toml nearest each environment",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")


FORMATS = ("text", "json", "github", "sarif", "junit")
"""``report.FORMATS``, spelled out: importing the reporters only to build the parser would cost
every run (tests/cli_test.py checks that the two agree)."""


def _add_output(parser: argparse.ArgumentParser) -> None:
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=FORMATS, default="text")
    output.add_argument(
        "--statistics",
        action="store_true",
        help="count the findings of each rule instead of listing them (text and json)",
    )
    output.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even with findings (errors still exit 2)",
    )
    output.add_argument(
        "-q",
        "--quiet",
        action="count",
        default=0,
        help="findings only, no summary line; -qq: print nothing, only the exit status tells",
    )
    output.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour text output: auto (default) on a terminal, unless NO_COLOR is set or "
        "FORCE_COLOR forces it",
    )


def _add_selection(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    rules_group = parser.add_argument_group("rule selection (overrides [tool.alembic-lint])")
    rules_group.add_argument(
        "--select", type=_csv, metavar="CODES", help="comma-separated codes or prefixes to enable"
    )
    rules_group.add_argument(
        "--extend-select",
        type=_csv,
        metavar="CODES",
        help="codes to enable on top of the selection",
    )
    rules_group.add_argument("--ignore", type=_csv, metavar="CODES", help="codes to disable")
    return rules_group


def _check_args(check: argparse.ArgumentParser) -> None:
    check.add_argument("files", nargs="*", help="report per-revision findings for these files only")
    _add_locator(check)
    rules_group = _add_selection(check)
    rules_group.add_argument(
        "--base",
        metavar="REF",
        help="git ref to compare with (AL502-AL504), e.g. origin/main",
    )
    rules_group.add_argument(
        "--start-after",
        metavar="REVISION",
        help="per-revision rules skip this revision and its ancestors",
    )
    _add_output(check)
    check.add_argument(
        "--show-settings",
        action="store_true",
        help="print the settings each environment is checked with (dialect included), and exit",
    )
    check.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="parser processes for large histories (default: CPU count)",
    )
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file again instead of reusing the parse cache",
    )
    check.add_argument(
        "--hook",
        action="store_true",
        help="pre-commit mode: no FILES means graph and git rules only, not every revision",
    )


def _drift_args(drift: argparse.ArgumentParser) -> None:
    source = drift.add_mutually_exclusive_group()
    source.add_argument(
        "--db",
        choices=("auto", "sqlite", "postgres"),
        default="auto",
        help="disposable database: the kind the project uses (auto, the default), a temporary "
        "SQLite file, or embedded PostgreSQL",
    )
    source.add_argument(
        "--url", help="a server to create (and drop) a temporary database on, e.g. postgresql://..."
    )
    drift.add_argument(
        "--roundtrip",
        action="store_true",
        help="also upgrade, downgrade and upgrade each revision (AL903, AL904)",
    )
    drift.add_argument(
        "--start-after", metavar="REVISION", help="round trips skip this revision and its ancestors"
    )
    drift.add_argument(
        "--no-cache",
        action="store_true",
        help="migrate from scratch instead of reusing a cached database",
    )
    _add_output(drift)
    _add_locator(drift)


def _rebase_args(rebase: argparse.ArgumentParser) -> None:
    rebase.add_argument(
        "revision", nargs="?", help="the revision (or head) to move; default: worked out"
    )
    rebase.add_argument(
        "--onto", metavar="REVISION", help="the new parent; default: the other head"
    )
    rebase.add_argument(
        "--base", metavar="REF", help="the base branch (default: config, then origin/HEAD, main...)"
    )
    rebase.add_argument("--dry-run", action="store_true", help="show the change, write nothing")
    _add_locator(rebase)


def _fix_args(fix: argparse.ArgumentParser) -> None:
    fix.add_argument(
        "--diff",
        "--dry-run",
        dest="dry_run",
        action="store_true",
        help="show the changes as a diff, write nothing",
    )
    _add_locator(fix)
    _add_selection(fix)


def _fold(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}")
    return int(value)


def _graph_args(graph: argparse.ArgumentParser) -> None:
    from alembic_lint.draw import DEFAULT_FOLD, FORMATS

    graph.add_argument(
        "--format",
        choices=FORMATS,
        default="mermaid",
        help="mermaid (default; renders in GitHub markdown), dot (Graphviz) or html (one "
        "self-contained page)",
    )
    graph.add_argument(
        "-o", "--output", metavar="FILE", help="write the drawing to FILE instead of stdout"
    )
    graph.add_argument(
        "--fold",
        type=_fold,
        default=DEFAULT_FOLD,
        metavar="N",
        help="draw a run of more than N plain revisions as one box "
        f"(default {DEFAULT_FOLD}; 0: never fold)",
    )
    graph.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file again instead of reusing the cache",
    )
    _add_locator(graph)


def _new_revision_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the revision file `alembic revision` has just written")
    parser.add_argument(
        "--rename-now",
        action="store_true",
        help="rename the file at once; by default the rename waits until the process that ran "
        "this command (alembic, which reads the file back after its hooks) has exited",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the findings: auto (default) on a terminal, as for check",
    )
    parser.set_defaults(format="text", statistics=False, quiet=1)
    _add_locator(parser)


def _environments_args(parser: argparse.ArgumentParser) -> None:
    _add_locator(parser)


def _rule_args(rule: argparse.ArgumentParser) -> None:
    rule.add_argument("code", help="a code (AL101) or name (multiple-heads)")


def _rules_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--select",
        type=_csv,
        metavar="SELECTORS",
        help="list only what these selectors choose (codes, prefixes, names, ALL)",
    )


SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "check": ("lint the revision history (the default command)", _check_args),
    "drift": ("migrate a disposable database and compare it with the models (AL9xx)", _drift_args),
    "rebase": ("re-point this branch's new revision onto the other head", _rebase_args),
    "fix": ("apply the fixes of the findings (AL301, AL303, AL304, AL505)", _fix_args),
    "graph": ("draw the revision history (Mermaid, Graphviz dot or html)", _graph_args),
    "new-revision": (
        "fix and check the file `alembic revision` wrote (its post_write_hooks entry)",
        _new_revision_args,
    ),
    "environments": ("list the Alembic environments that check would lint", _environments_args),
    "rule": ("show the documentation of a rule", _rule_args),
    "rules": ("list all rules, or what --select chooses", _rules_args),
}


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, the other commands get no arguments (building them
    all is a measurable share of a pre-commit run)."""
    parser = _Parser(
        prog="alembic-lint",
        description="Lint Alembic migrations without running them.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"alembic-lint {__version__}")
    sub = parser.add_subparsers(dest="command")
    for name, (help_text, add_args) in SUBCOMMANDS.items():
        command = sub.add_parser(name, help=help_text, formatter_class=_Formatter)
        if only is None or only == name:
            add_args(command)
    return parser


def _locator(args: argparse.Namespace) -> Locator:
    from alembic_lint.discover import Locator

    return Locator(
        config_files=args.config,
        name=args.name or "alembic",
        script_location=args.script_location,
        version_locations=args.version_location,
        recursive=args.recursive_version_locations,
    )


def _discover(args: argparse.Namespace) -> tuple[str, Discovery]:
    from alembic_lint.discover import discover

    cwd = os.getcwd()
    explicit = bool(args.config or args.name is not None or args.script_location)
    found = discover(_locator(args), cwd=cwd, environ=os.environ, explicit=explicit)
    if not found.environments and not found.errors:
        raise UsageError(
            "no Alembic environment (alembic.ini, [tool.alembic] or migrations/alembic.ini) "
            f"in {found.root} or below; pass -c/--config or --script-location"
        )
    return cwd, found


def _settings_path(args: argparse.Namespace, env: Environment, root: str) -> str | None:
    from alembic_lint.config import find_settings_file

    if args.settings is not None:
        return os.path.abspath(str(args.settings))
    return find_settings_file(env.home, root)


def _settings(args: argparse.Namespace, env: Environment, root: str, cwd: str) -> Settings:
    from alembic_lint.config import Settings, load_settings_file, with_overrides

    path = _settings_path(args, env, root)
    return with_overrides(
        Settings() if path is None else load_settings_file(path, cwd=cwd),
        select=getattr(args, "select", None),
        ignore=getattr(args, "ignore", None),
        extend_select=getattr(args, "extend_select", None),
        start_after=getattr(args, "start_after", None),
        base=getattr(args, "base", None),
    )


def _error_line(where: str, message: str) -> str:
    message = " ".join(message.split())  # configparser's messages span lines
    said = message if where in message or message.startswith(os.sep) else f"{where}: {message}"
    return f"alembic-lint: error: {said}"


def _setup(args: argparse.Namespace) -> tuple[str, Settings, Project]:
    """For the commands that work on one environment (drift, rebase, fix)."""
    cwd, found = _discover(args)
    if not found.environments:
        where, message = found.errors[0]
        raise UsageError(_error_line(where, message).removeprefix("alembic-lint: error: "))
    if len(found.environments) > 1:
        labels = ", ".join(e.label for e in found.environments)
        raise UsageError(
            f"{len(found.environments)} Alembic environments here ({labels}); "
            "choose one with -c/--config, -n/--name or --script-location, or run in its directory"
        )
    [env] = found.environments
    return cwd, _settings(args, env, found.root, cwd), env.project


def _check(args: argparse.Namespace) -> int:
    from alembic_lint import report
    from alembic_lint.cache import default_dir
    from alembic_lint.lint import lint

    _check_output(args)
    cwd, found = _discover(args)
    if args.show_settings:
        return _show_settings(args, found, cwd)
    several = len(found.environments) > 1
    files = args.files if args.hook else args.files or None
    sections: list[report.Section] = []
    errors = list(found.errors)
    internal: list[str] = []
    notes: list[str] = []
    for env in found.environments:
        try:
            settings = _settings(args, env, found.root, cwd)
        except UsageError as exc:
            if not several:
                raise
            errors.append((env.label, str(exc)))  # the others are still linted
            continue
        result = lint(
            env.project,
            settings,
            cwd=cwd,
            files=files,
            jobs=args.jobs or os.cpu_count() or 1,
            cache_dir=None if args.no_cache else default_dir(os.environ),
        )
        sections.append(
            report.Section(env.label if several else None, result.diagnostics, result.files)
        )
        # a rule that crashed: the findings are incomplete, so say so and exit 2
        internal.extend(result.errors)
        notes.extend(n for n in result.notes if n not in notes)
    _emit(args, sections, root=found.root, cwd=cwd)
    for note in notes:
        print(f"alembic-lint: note: {note}", file=sys.stderr)
    for where, message in errors:
        print(_error_line(where, message), file=sys.stderr)
    for error in internal:
        print(f"alembic-lint: internal error: {error}", file=sys.stderr)
    return _status(args, sections, failed=bool(errors or internal))


def _show_settings(args: argparse.Namespace, found: Discovery, cwd: str) -> int:
    """What ``check`` would run with, per environment: the settings file, every setting as
    resolved (defaults included), the dialect and where it came from, and the rules enabled."""
    from alembic_lint import rules
    from alembic_lint.dialect import resolve
    from alembic_lint.history import display_path, load

    for env in found.environments:
        settings = _settings(args, env, found.root, cwd)
        path = _settings_path(args, env, found.root)
        scripts = load(env.project, cwd=cwd).scripts
        dialect = resolve(settings, env.project, scripts)
        enabled = sorted(rules.enabled_codes(settings))
        lines = [
            f"environment: {env.label}",
            f"settings file: {display_path(path, cwd) if path else '(none: the defaults)'}",
            f"dialect: {dialect.name} ({dialect.source})",
            f"postgresql-version: {settings.postgresql_version}",
            "mysql-version: {}.{}".format(*settings.mysql_version),
            f"contract-branch-labels: {', '.join(settings.contract_branch_labels) or '(none)'}",
            "contract-version-locations: "
            + (
                ", ".join(display_path(p, cwd) for p in settings.contract_version_locations)
                or "(none)"
            ),
            f"lint-downgrade: {str(settings.lint_downgrade).lower()}",
            f"start-after: {settings.start_after or '(none)'}",
            f"base: {settings.base or '(none)'}",
            f"head-file: {settings.head_file or '(none)'}",
            f"version-pattern: {settings.version_pattern.pattern}",
            f"message-pattern: {settings.message_pattern.pattern if settings.message_pattern else '(none)'}",
            f"rules enabled ({len(enabled)}): {', '.join(enabled)}",
        ]
        sys.stdout.write("\n".join(lines) + "\n\n")
    for where, message in found.errors:
        print(_error_line(where, message), file=sys.stderr)
    return 2 if found.errors else 0


def _graph(args: argparse.Namespace) -> int:
    """Lint each environment as check does, then draw its graph with the findings marked."""
    from alembic_lint import draw
    from alembic_lint.cache import default_dir
    from alembic_lint.fixing import write_atomic
    from alembic_lint.lint import lint

    cwd, found = _discover(args)
    several = len(found.environments) > 1
    sections: list[tuple[str | None, draw.Chart]] = []
    errors = list(found.errors)
    internal: list[str] = []
    for env in found.environments:
        try:
            result = lint(
                env.project,
                _settings(args, env, found.root, cwd),
                cwd=cwd,
                jobs=os.cpu_count() or 1,
                cache_dir=None if args.no_cache else default_dir(os.environ),
            )
        except UsageError as exc:
            if not several:
                raise
            errors.append((env.label, str(exc)))  # the others are still drawn
            continue
        chart = draw.build_chart(result.graph, result.diagnostics, fold=args.fold)
        sections.append((env.label if several else None, chart))
        internal.extend(result.errors)
    name = os.path.basename(found.root.rstrip(os.sep)) or found.root
    drawing = draw.render(args.format, sections, title=f"Revision history of {name}")
    if args.output is None:
        sys.stdout.write(drawing.text)
    else:
        try:
            write_atomic(os.path.join(cwd, args.output), drawing.text.encode())
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    if drawing.warnings:
        print(
            f"alembic-lint: warning: GitHub may not render this Mermaid text "
            f"({'; '.join(drawing.warnings)}); use a smaller --fold or --format html",
            file=sys.stderr,
        )
    for where, message in errors:
        print(_error_line(where, message), file=sys.stderr)
    for error in internal:
        print(f"alembic-lint: internal error: {error}", file=sys.stderr)
    return 2 if errors or internal else 0


def _environments(args: argparse.Namespace) -> int:
    from alembic_lint.history import display_path

    cwd, found = _discover(args)
    for env in found.environments:
        settings = _settings_path(args, env, found.root)
        sys.stdout.write(
            f"{env.label}\n"
            f"    script location: {display_path(env.project.script_location, cwd)}\n"
            "    version locations: "
            + ", ".join(display_path(v, cwd) for v in env.project.version_locations)
            + f"\n    settings: {'defaults' if settings is None else display_path(settings, cwd)}\n"
        )
    for where, why in found.skipped:
        sys.stdout.write(f"{where}: not an environment ({why})\n")
    for where, message in found.errors:
        print(_error_line(where, message), file=sys.stderr)
    return 2 if found.errors else 0


def _show(changes: Sequence[Change], *, dry_run: bool) -> int:
    """A line per rewritten file; with --dry-run, a unified diff of what would change."""
    import difflib

    for change in changes:
        if dry_run:
            renamed = change.path
            if change.renamed is not None:
                renamed = f"{change.path.rpartition('/')[0]}/{change.renamed}".lstrip("/")
                sys.stdout.write(f"rename {change.path} -> {renamed}\n")
            diff = difflib.unified_diff(
                change.before.decode(errors="replace").splitlines(keepends=True),
                change.after.decode(errors="replace").splitlines(keepends=True),
                fromfile=f"a/{change.path}",
                tofile=f"b/{renamed}",
            )
            sys.stdout.write("".join(diff))
        else:
            sys.stdout.write(f"{change.path}: {change.summary}\n")
    if not changes:
        sys.stdout.write("Nothing to change.\n")
    return 0


def _check_output(args: argparse.Namespace) -> None:
    """Output flags that do not go together: refused before any work is done."""
    if args.statistics and args.format not in ("text", "json"):
        raise UsageError(f"--statistics works with --format text or json, not {args.format}")


def _emit(args: argparse.Namespace, sections: Sequence[Section], *, root: str, cwd: str) -> None:
    """The report in the chosen format on stdout; nothing with ``-qq`` (stderr still has the
    errors, and drift's warnings)."""
    from alembic_lint import report, rules

    if args.quiet >= 2:
        return
    described = {}
    for code in report.codes(sections):
        rule = rules.BY_CODE[code]
        described[code] = report.RuleDoc(rule.name, rule.summary, rule.doc, rule.default)
    run = report.Run(
        rules=described,
        root=root,
        cwd=cwd,
        color=report.use_color(args.color, environ=os.environ, isatty=sys.stdout.isatty()),
        summary=not args.quiet,
    )
    sys.stdout.write(report.render(args.format, sections, run, statistics=args.statistics))


def _status(args: argparse.Namespace, sections: Sequence[Section], *, failed: bool) -> int:
    """2 when the answer is incomplete; 1 for findings, unless ``--exit-zero``; else 0."""
    if failed:
        return 2
    found = any(section.diagnostics for section in sections)
    return 1 if found and not args.exit_zero else 0


def _drift(args: argparse.Namespace) -> int:
    from alembic_lint.discover import repository_root
    from alembic_lint.drift import DriftOptions, drift
    from alembic_lint.formats import Section

    _check_output(args)
    cwd, settings, project = _setup(args)
    live = sys.stderr.isatty()

    def progress(text: str) -> None:
        sys.stderr.write(f"\r\033[K{text}")
        sys.stderr.flush()

    def note(text: str) -> None:
        print(f"alembic-lint: {text}", file=sys.stderr)

    from alembic_lint.cache import default_dir

    cache_dir = None if args.no_cache else os.path.join(default_dir(os.environ), "drift")
    options = DriftOptions(
        db=args.db, url=args.url, roundtrip=args.roundtrip, cache_dir=cache_dir, debug=args.debug
    )
    try:
        result = drift(
            project, settings, options, cwd=cwd, progress=progress if live else None, note=note
        )
    finally:
        if live:
            sys.stderr.write("\r\033[K")
    sections = [Section(None, result.diagnostics, result.revisions)]
    _emit(args, sections, root=repository_root(cwd) or cwd, cwd=cwd)
    return _status(args, sections, failed=False)


def _rebase(args: argparse.Namespace) -> int:
    from alembic_lint.fixing import rebase

    cwd, settings, project = _setup(args)
    changes = rebase(
        project, settings, cwd=cwd, revision=args.revision, onto=args.onto, dry_run=args.dry_run
    )
    return _show(changes, dry_run=args.dry_run)


def _fix(args: argparse.Namespace) -> int:
    from alembic_lint.fixing import fix

    cwd, settings, project = _setup(args)
    return _show(fix(project, settings, cwd=cwd, dry_run=args.dry_run), dry_run=args.dry_run)


def _new_revision(args: argparse.Namespace) -> int:
    """Fix the new revision, print what changed, then refuse it with its remaining findings
    (exit 1); see ``newrevision`` for what is fixed and what is refused."""
    from alembic_lint import newrevision
    from alembic_lint.cache import default_dir
    from alembic_lint.formats import Section

    cwd = os.getcwd()
    path = os.path.abspath(args.file)
    if not os.path.isfile(path):
        raise UsageError(f"no such file: {args.file}")
    explicit = bool(args.config or args.name is not None or args.script_location)
    root, env = newrevision.find_environment(
        path, locator=_locator(args), cwd=cwd, environ=os.environ, explicit=explicit
    )
    settings = _settings(args, env, root, cwd)
    outcome = newrevision.new_revision(
        env.project,
        settings,
        path,
        cwd=cwd,
        wait_for=None if args.rename_now else os.getppid(),
        cache_dir=default_dir(os.environ),
    )
    for change in outcome.changes:
        sys.stdout.write(f"{change.path}: {change.summary}\n")
    if not outcome.diagnostics:
        return 0
    _emit(args, [Section(None, outcome.diagnostics, outcome.checked)], root=root, cwd=cwd)
    sys.stdout.flush()
    n = len(outcome.diagnostics)
    print(
        f"alembic-lint: {outcome.diagnostics[0].path}: refused, {n} finding{'s' if n > 1 else ''}; "
        "the file is kept: fix it, or delete it and run `alembic revision` again",
        file=sys.stderr,
    )
    return 1


def _rule(code: str) -> int:
    from alembic_lint import rules

    found = rules.resolve(code, where="rule")
    if len(found) != 1:
        raise UsageError(f"`{code}` names {len(found)} rules; give one code")
    rule = rules.BY_CODE[next(iter(found))]
    default = "on by default" if rule.default else "opt-in"
    sys.stdout.write(f"# {rule.code} {rule.name} ({default})\n\n{rule.doc}\n")
    return 0


def _rules(select: Sequence[str] | None) -> int:
    from alembic_lint import rules

    chosen = None
    if select is not None:
        chosen = frozenset().union(*(rules.resolve(s, where="--select") for s in select))
    for rule in rules.ALL_RULES:
        if chosen is not None and rule.code not in chosen:
            continue
        default = "on" if rule.default else "opt-in"
        sys.stdout.write(f"{rule.code}  {rule.name:<26} {default:<7} {rule.summary}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "check")
    args = _parser(argv[0] if argv[0] in SUBCOMMANDS else None).parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        if args.command == "rule":
            return _rule(args.code)
        if args.command == "rules":
            return _rules(args.select)
        if args.command == "rebase":
            return _rebase(args)
        if args.command == "drift":
            return _drift(args)
        if args.command == "fix":
            return _fix(args)
        if args.command == "environments":
            return _environments(args)
        if args.command == "graph":
            return _graph(args)
        if args.command == "new-revision":
            return _new_revision(args)
        return _check(args)
    except UsageError as exc:
        if debug:
            raise
        print(f"alembic-lint: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        return 130
    except Exception as exc:
        if debug:
            raise
        print(
            f"alembic-lint: internal error: {type(exc).__name__}: {_one_line(exc)} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 2
