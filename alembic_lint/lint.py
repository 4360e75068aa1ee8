"""The library API and the only place the stages are wired: discover -> parse -> graph -> rules."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from alembic_lint import headfile, rules
from alembic_lint.cache import ParseCache, stat_key
from alembic_lint.config import Settings
from alembic_lint.diagnostics import Diagnostic, UsageError
from alembic_lint.discover import Project, is_revision_file_name, list_revision_files
from alembic_lint.graph import RevisionGraph, build_graph
from alembic_lint.rules.naming import revises_matches
from alembic_lint.script import ParseResult, RevisionScript, ScriptError, parse_script

if TYPE_CHECKING:
    from alembic_lint import gitrepo

# Files per forked parser: below this a child costs more than it saves.
PER_WORKER = 150


class LintResult(NamedTuple):
    diagnostics: list[Diagnostic]
    files: int
    graph: RevisionGraph
    errors: tuple[str, ...] = ()
    """Internal errors of rules that crashed; the findings of the other rules are still here."""


StrPath = str | os.PathLike[str]


def display_path(path: str, cwd: str) -> str:
    """Relative to the current directory with ``/`` separators, as the output contract says."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # pragma: no cover - another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


MAX_FILE_BYTES = 10 << 20
"""Revision files larger than this (10 MiB) are AL005: no migration is that big, and a link to
``/dev/zero`` or a multi-gigabyte dump must not be read into memory."""


def read_file(path: str) -> bytes:
    """The whole file, with raw ``os`` calls: a buffered file object costs more than a small read.

    Only regular files of at most ``MAX_FILE_BYTES`` are read; anything else (a FIFO, a device,
    a link to one) is an OSError. The open never blocks (``O_NONBLOCK``: a FIFO with no writer
    would otherwise hang the run), and at most one byte past the cap is read, whatever the size
    the file claims.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        import errno
        import stat

        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device"
            raise OSError(f"not a regular file ({kind})")
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES and (chunk := os.read(fd, 1 << 16)):
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise OSError(f"larger than {MAX_FILE_BYTES >> 20} MiB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_and_parse(path: str, shown: str, *, effects: bool = False) -> ParseResult:
    """One file, never an exception: one bad file must not cancel the findings of the rest."""
    try:
        data = read_file(path)
    except OSError as exc:
        return ScriptError(shown, "AL005", 1, 1, exc.strerror or str(exc))
    try:
        return parse_script(data, shown, effects=effects)
    except Exception as exc:  # a bug of ours; report it on the file, keep the run going
        why = f"internal error of the parser ({type(exc).__name__}: {exc}); please report it"
        return ScriptError(shown, "AL001", 1, 1, why)


def _parse_chunk(chunk: Sequence[tuple[str, str]], effects: bool) -> list[ParseResult]:
    return [read_and_parse(path, shown, effects=effects) for path, shown in chunk]


def parse_all(
    items: Sequence[tuple[str, str]], *, jobs: int, effects: bool = False
) -> list[ParseResult]:
    """Parse in order. Parsing is CPU-bound, so a long list is split with forked children, and
    the parent parses its own share meanwhile; a child that fails is redone here."""
    workers = min(jobs, len(items) // PER_WORKER)
    if workers <= 1 or not hasattr(os, "fork"):
        return _parse_chunk(items, effects)
    import pickle

    size = -(-len(items) // workers)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    children: list[tuple[int, int]] = []
    for chunk in chunks[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            os.close(read_end)
            status = 1
            try:
                payload = pickle.dumps(_parse_chunk(chunk, effects), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    results = _parse_chunk(chunks[0], effects)
    for (pid, read_end), chunk in zip(children, chunks[1:], strict=True):
        with os.fdopen(read_end, "rb") as src:
            payload = src.read()
        _, status = os.waitpid(pid, 0)
        try:
            part: list[ParseResult] = pickle.loads(payload) if status == 0 else []
        except Exception:
            part = []
        results.extend(part if len(part) == len(chunk) else _parse_chunk(chunk, effects))
    return results


def _parse_cached(
    items: Sequence[tuple[str, str]], *, jobs: int, effects: bool, cache: ParseCache
) -> list[ParseResult]:
    keys = [stat_key(path) for path, _ in items]
    results = [cache.get(shown, key) for (_, shown), key in zip(items, keys, strict=True)]
    misses = [i for i, result in enumerate(results) if result is None]
    fresh = parse_all([items[i] for i in misses], jobs=jobs, effects=effects)
    for i, result in zip(misses, fresh, strict=True):
        results[i] = result
        cache.put(items[i][1], keys[i], result)
    cache.prune({shown for _, shown in items})
    cache.save()
    return [r for r in results if r is not None]


def _in_scope(
    scripts: Sequence[RevisionScript],
    graph: RevisionGraph,
    *,
    files: Sequence[StrPath] | None,
    cwd: str,
    start_after: str | None,
) -> list[RevisionScript]:
    chosen = list(scripts)
    if files is not None:
        wanted_files: set[str] = set()
        wanted_dirs: list[str] = []
        for f in files:
            full = os.path.normpath(os.path.join(cwd, f))
            shown = display_path(full, cwd)
            if os.path.isdir(full):
                wanted_dirs.append("" if shown == "." else shown.rstrip("/") + "/")
            elif os.path.exists(full):
                wanted_files.add(shown)
            else:
                raise UsageError(f"no such file: {f}")
        chosen = [
            s
            for s in chosen
            if s.path in wanted_files or any(s.path.startswith(d) for d in wanted_dirs)
        ]
    if start_after is not None:
        if start_after not in graph.revisions:
            raise UsageError(f"start-after: unknown revision `{start_after}`")
        legacy = graph.ancestors(start_after)
        chosen = [s for s in chosen if s.revision not in legacy]
    return chosen


class History(NamedTuple):
    """A project's revision files, read and parsed: what every command starts from."""

    items: list[tuple[str, str]]
    """(file system path, shown path) of every file in the version locations, in load order."""
    names: dict[str, str]
    """Shown path -> name inside its version location, without ``.py`` (for file_template)."""
    parsed: list[ParseResult]
    scripts: list[RevisionScript]
    graph: RevisionGraph


def load(
    project: Project,
    *,
    cwd: str,
    jobs: int = 1,
    cache_dir: StrPath | None = None,
    effects: bool = False,
) -> History:
    """List, read and parse the history, and build its graph (a file that does not parse still
    contributes the identifiers recovered from it).

    A version location that cannot be listed is a UsageError, as it is for Alembic: a mistyped
    location must not pass as an empty history.
    """
    for location in project.version_locations:
        try:
            os.listdir(location)
        except OSError as exc:  # missing, not a directory, a symlink loop, no permission
            shown = display_path(location, cwd)
            raise UsageError(
                f"version location `{shown}` cannot be read: {exc.strerror or exc}"
            ) from None
    listed = list_revision_files(project)
    shown_dirs: dict[str, str] = {}
    items: list[tuple[str, str]] = []
    names: dict[str, str] = {}
    for f in listed:
        parent = shown_dirs.get(f.directory)
        if parent is None:
            parent = shown_dirs[f.directory] = display_path(f.directory, cwd)
        shown = f.name if parent == "." else f"{parent}/{f.name}"
        items.append((f.path, shown))
        names[shown] = f.subdir + f.name[:-3]
    if cache_dir is None:
        parsed = parse_all(items, jobs=jobs, effects=effects)
    else:
        parsed = _parse_cached(
            items,
            jobs=jobs,
            effects=effects,
            cache=ParseCache(cache_dir, scope=f"{cwd}\0{effects}\0{project.version_locations}"),
        )
    scripts = [r for r in parsed if isinstance(r, RevisionScript)]
    in_graph: list[RevisionScript] = []
    for r in parsed:
        usable = r if isinstance(r, RevisionScript) else r.recovered
        if usable is not None:
            in_graph.append(usable)
    return History(items, names, parsed, scripts, build_graph(in_graph))


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
    effects = "AL205" in enabled
    history = load(project, cwd=cwd, jobs=jobs, cache_dir=cache_dir, effects=effects)
    items, names, parsed, scripts, graph = history
    git_facts = None
    if enabled & GIT_CODES:
        git_facts = _git_facts(project, settings, history, cwd=cwd, effects=effects)
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
        git=git_facts,
        head_file=head_file,
    )
    in_scope = _in_scope(
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
        in_scope=in_scope,
        errors=errors,
    )
    kept = rules.suppressed(found, scripts={s.path: s for s in scripts}, settings=settings)
    return LintResult(sorted(set(kept), key=_order), len(items), graph, tuple(errors))


GIT_CODES = frozenset({"AL501", "AL502", "AL503", "AL504"})


def _read_text(path: str, settings: Settings) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"head-file `{settings.head_file}`: {exc}") from None


class _GitView:
    """The history's version locations as git sees them, at the work tree and at other commits."""

    def __init__(
        self, tree: gitrepo.Worktree, project: Project, history: History, cwd: str
    ) -> None:
        self.tree = tree
        self.project = project
        self.cwd = cwd
        self.dirs = [os.path.realpath(loc) for loc in project.version_locations]
        real_dirs: dict[str, str] = {}
        self.real = {}
        for fs, shown in history.items:
            directory, name = os.path.split(fs)
            if directory not in real_dirs:
                real_dirs[directory] = os.path.realpath(directory)
            self.real[shown] = os.path.join(real_dirs[directory], name)
        self.ours = {self.real[s.path]: s for s in history.scripts if s.revision is not None}

    def wanted(self, path: str) -> bool:
        directory, name = os.path.split(path)
        inside = any(directory == d or directory.startswith(d + os.sep) for d in self.dirs)
        listed = self.project.recursive or directory in self.dirs
        return inside and listed and is_revision_file_name(name)

    def parse_blobs(
        self, paths: Mapping[str, str], *, effects: bool = False
    ) -> dict[str, RevisionScript]:
        from alembic_lint import gitrepo

        contents = gitrepo.read_blobs(self.tree, paths.values())
        found = {}
        for path, blob in paths.items():
            shown = display_path(path, self.cwd)
            result = parse_script(contents.get(blob, b""), shown, effects=effects)
            if isinstance(result, RevisionScript) and result.revision is not None:
                found[path] = result
        return found

    def scripts_at(self, commit: str, *, effects: bool = False) -> list[RevisionScript]:
        """The revisions at ``commit``: ours where the file is unchanged, parsed blobs elsewhere."""
        from alembic_lint import gitrepo

        at = {
            p: b
            for p, b in gitrepo.files_at(self.tree, commit, self.dirs).items()
            if self.wanted(p)
        }
        differs = gitrepo.changed_since(self.tree, commit, self.dirs)
        same = [self.ours[p] for p in at if p in self.ours and p not in differs]
        other = self.parse_blobs(
            {p: b for p, b in at.items() if p not in self.ours or p in differs}, effects=effects
        )
        return [*same, *other.values()]


def _git_facts(
    project: Project,
    settings: Settings,
    history: History,
    *,
    cwd: str,
    effects: bool,
) -> rules.GitFacts | None:
    """What git says about the history: untracked files, and with a base ref the revisions
    changed or removed since the fork point and the history as a merge would leave it."""
    from alembic_lint import gitrepo  # subprocess: only when a git rule runs

    tree = gitrepo.worktree(cwd)
    if tree is None:
        if settings.base is not None:
            raise UsageError(
                f"base ref `{settings.base}` given, but `{cwd}` is not in a git work tree"
            )
        return None
    view = _GitView(tree, project, history, cwd)
    indexed = gitrepo.indexed(tree, view.dirs)
    untracked = frozenset(shown for shown, path in view.real.items() if path not in indexed)
    hidden = frozenset[str]()
    if untracked:
        ignored = gitrepo.ignored(tree, view.dirs)
        hidden = frozenset(s for s in untracked if view.real[s] in ignored)
    if settings.base is None:
        return rules.GitFacts(untracked, ignored=hidden)

    base_commit = gitrepo.resolve(tree, settings.base)
    fork = gitrepo.merge_base(tree, base_commit)
    since_fork = {
        p: s for p, s in gitrepo.changed_since(tree, fork, view.dirs).items() if view.wanted(p)
    }
    at_fork = gitrepo.files_at(tree, fork, view.dirs)
    old = view.parse_blobs(
        {p: at_fork[p] for p, s in since_fork.items() if s in "MDT" and p in at_fork},
        effects=effects,
    )
    shown_of = {path: shown for shown, path in view.real.items()}
    modified = tuple(
        (shown_of[p], old[p].revision)
        for p, s in sorted(since_fork.items())
        if s in "MT" and p in old and p in shown_of
    )
    removed = tuple(
        (display_path(p, cwd), old[p].revision or "")
        for p, s in sorted(since_fork.items())
        if s == "D" and p in old
    )
    base_scripts = view.scripts_at(base_commit, effects=effects)
    base_ids = {s.revision for s in base_scripts}
    our_ids = {s.revision for s in view.ours.values()}
    merged = build_graph(
        [*view.ours.values(), *(s for s in base_scripts if s.revision not in our_ids)]
    )
    return rules.GitFacts(
        untracked,
        base=settings.base,
        modified=modified,
        removed=removed,
        merged=merged,
        new=frozenset(rev for rev in our_ids if rev not in base_ids and rev is not None),
        ignored=hidden,
    )


def _order(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.path, d.line, d.col, d.code, d.message)


class Change(NamedTuple):
    """A file that a command rewrites (or would, with --dry-run)."""

    path: str
    before: bytes
    after: bytes
    summary: str


def _read_bytes(path: str) -> bytes:
    try:
        return read_file(path)
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None


def write_atomic(path: str, data: bytes) -> None:
    """Atomically, keeping the file's mode: an interrupted write must not lose a migration."""
    import tempfile

    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".alembic-lint-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _apply(changes: list[Change], files: Mapping[str, str], *, dry_run: bool) -> list[Change]:
    if not dry_run:
        for change in changes:
            write_atomic(files[change.path], change.after)
    return changes


def _head_file_change(
    settings: Settings, graph: RevisionGraph, *, cwd: str, files: dict[str, str]
) -> list[Change]:
    if settings.head_file is None:
        return []
    path = os.path.join(cwd, settings.head_file)
    shown = display_path(path, cwd)
    before = _read_bytes(path)
    after = headfile.render(graph).encode()
    if before == after:
        return []
    files[shown] = path
    heads = ", ".join(graph.heads) or "no heads"
    return [Change(shown, before, after, f"head file now names {heads}")]


def rebase(
    project: Project,
    settings: Settings,
    *,
    cwd: StrPath,
    revision: str | None = None,
    onto: str | None = None,
    dry_run: bool = False,
) -> list[Change]:
    """Re-point this branch's first new revision onto the other head (see ``rebase.plan``), and
    rewrite the head file. ``settings.base`` names the base branch, else it is guessed."""
    from alembic_lint import gitrepo, rewrite
    from alembic_lint import rebase as rebasing

    cwd = os.fspath(cwd)
    history = load(project, cwd=cwd)
    tree = gitrepo.worktree(cwd)
    base = settings.base
    on_base = None
    if tree is not None:
        base = base or gitrepo.default_base(tree)
        if base is not None:
            view = _GitView(tree, project, history, cwd)
            ids = {s.revision for s in view.scripts_at(gitrepo.resolve(tree, base))}
            on_base = ids.__contains__
    found = rebasing.plan(history.graph, revision=revision, onto=onto, on_base=on_base, base=base)
    script = history.graph.revisions[found.revision]
    files = {shown: fs for fs, shown in history.items}
    before = _read_bytes(files[script.path])
    after = rewrite.set_down_revision(before, (found.onto,), path=script.path)
    moved = script._replace(down_revisions=(found.onto,))
    graph = build_graph([moved if s is script else s for s in history.graph.revisions.values()])
    old = ", ".join(found.old) or "None"
    changes = [
        Change(
            script.path,
            before,
            after,
            f"`{found.revision}` now revises `{found.onto}` (was `{old}`)",
        )
    ]
    changes += _head_file_change(settings, graph, cwd=cwd, files=files)
    return _apply(changes, files, dry_run=dry_run)


def fix(
    project: Project, settings: Settings, *, cwd: StrPath, dry_run: bool = False
) -> list[Change]:
    """Rewrite what is mechanical: docstring ``Revision ID:``/``Revises:`` lines that disagree
    with the variables (AL304), and the head file (AL505). Revisions up to ``start-after`` are
    left alone."""
    from alembic_lint import rewrite

    cwd = os.fspath(cwd)
    history = load(project, cwd=cwd)
    files = {shown: fs for fs, shown in history.items}
    start = settings.start_after
    legacy = (
        history.graph.ancestors(start)
        if start is not None and start in history.graph.revisions
        else set()
    )
    changes = []
    for script in history.scripts:
        if script.revision is None or script.revision in legacy:
            continue
        before = after = _read_bytes(files[script.path])
        what = []
        if script.doc_revision_id is not None and script.doc_revision_id[0] != script.revision:
            after = rewrite.set_doc_line(after, "Revision ID", script.revision, path=script.path)
            what.append(f"Revision ID: {script.revision}")
        down = script.down_revisions
        revises = script.doc_revises
        if revises is not None and down is not None and not revises_matches(revises[0], down):
            after = rewrite.set_doc_line(after, "Revises", ", ".join(down), path=script.path)
            what.append(f"Revises: {', '.join(down)}")
        if after != before:
            changes.append(Change(script.path, before, after, "docstring " + "; ".join(what)))
    changes += _head_file_change(settings, history.graph, cwd=cwd, files=files)
    return _apply(changes, files, dry_run=dry_run)
