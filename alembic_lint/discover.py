"""Alembic's configuration -> where the revision files are, read the way ``alembic`` reads it.

Mirrors ``alembic.config.Config`` and ``ScriptDirectory.from_config`` (alembic >= 1.16, including
``[tool.alembic]``), but never imports alembic, never runs env.py and never imports the
project's packages: a ``package:dir`` location is resolved with import-system path finders only
(with the config directory's ``src/`` as a last resort, where an installed package would be).

Zero-config discovery (``discover``), decided as follows:

- ``-c``, ``-n``, ``--script-location`` or ``ALEMBIC_CONFIG`` choose exactly one environment,
  resolved as ``alembic`` would in the current directory (``find_project``).
- Else, when the current directory holds a configuration (``alembic.ini``, ``[tool.alembic]`` in
  ``pyproject.toml``, or Flask-Migrate's ``migrations/alembic.ini``), it is linted as ``alembic``
  would read it there, plus any other section of that ini carrying its own ``script_location``.
  No tree is searched: this is the common case, and it costs nothing.
- Else the repository is searched: the git work tree containing the current directory (files
  git tracks or does not ignore, listed with ``git ls-files``, which never writes the index),
  or the current directory itself outside git (a walk that skips virtual environments,
  ``node_modules`` and the like). Every ``alembic.ini`` section with a ``script_location``, every
  Flask-Migrate ``migrations/alembic.ini`` and every ``[tool.alembic]`` is an environment, each
  resolved from its own directory, as ``alembic`` run there would; where a relative location
  does not exist from there, from the nearest directory above it (up to the root) where it does
  (mlflow's ``mlflow/store/db_migrations/alembic.ini`` names ``mlflow/store/db_migrations``, from
  the repository root). Of those, the ones whose
  directory is at or below the current directory are linted; if none is, the nearest one whose
  directory contains the current directory; if none does either, all of them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from importlib.machinery import PathFinder
from typing import TYPE_CHECKING, Any, NamedTuple

from alembic_lint.diagnostics import UsageError
from alembic_lint.tomlfile import read_toml

if TYPE_CHECKING:
    import configparser

DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"
_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
_LEGACY_SPLIT = re.compile(r", *|(?: +)")
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")


class Project(NamedTuple):
    """Where a project's revisions live, and how alembic names their files.

    Paths are absolute strings: pathlib costs a noticeable share of a warm pre-commit run.
    """

    config_file: str | None
    script_location: str
    version_locations: tuple[str, ...]
    recursive: bool
    file_template: str
    ini_section: str = "alembic"
    url: str | None = None
    """``sqlalchemy.url`` of the ini section, uninterpolated: its scheme names the dialect."""


class Locator(NamedTuple):
    """The command-line view of alembic's options; flags win over config files."""

    config_files: Sequence[str] = ()
    name: str = "alembic"
    script_location: str | None = None
    version_locations: Sequence[str] = ()
    recursive: bool = False


class _Options:
    """``Config.get_alembic_option`` semantics: the ini section first, then ``[tool.alembic]``."""

    def __init__(
        self,
        ini: configparser.ConfigParser | None,
        section: str,
        toml: Mapping[str, Any],
        toml_here: str,
    ) -> None:
        self.ini = ini
        self.section = section
        self.toml = toml
        self.toml_args = {"here": toml_here}

    def ini_get(self, name: str) -> str | None:
        if self.ini is None or not self.ini.has_option(self.section, name):
            return None
        import configparser

        try:
            return self.ini.get(self.section, name)
        except configparser.Error as exc:
            raise UsageError(f"alembic config: cannot read `{name}`: {exc}") from None

    def toml_get(self, name: str) -> Any:
        value = self.toml.get(name)
        try:
            if isinstance(value, str):
                return value % self.toml_args
            if isinstance(value, list):
                return [v % self.toml_args if isinstance(v, str) else v for v in value]
        except (KeyError, ValueError, TypeError) as exc:
            raise UsageError(f"[tool.alembic]: cannot interpolate `{name}`: {exc}") from None
        return value

    def get(self, name: str) -> Any:
        value = self.ini_get(name)
        return value if value is not None else self.toml_get(name)

    def boolean(self, name: str) -> bool:
        value = self.ini_get(name)
        if value is not None:
            return value == "true"
        found = self.toml.get(name, False)
        if not isinstance(found, bool):
            raise UsageError(f"[tool.alembic]: `{name}` must be true or false")
        return found

    def paths(self, name: str, *separators: str) -> list[str] | None:
        """A list option (``version_locations``, ``prepend_sys_path``) as alembic splits it: on the
        first configured separator in the ini, else the legacy space/comma split; a list in TOML."""
        raw = self.ini_get(name)
        if raw:
            sep_name = next((found for s in separators if (found := self.ini_get(s))), None)
            if sep_name is None:
                return [p for p in _LEGACY_SPLIT.split(raw) if p]
            if sep_name not in _SEPARATORS:
                raise UsageError(
                    f"alembic config: `{sep_name}` is not a valid path_separator; "
                    "expected 'space', 'newline', 'os', ':' or ';'"
                )
            return [p.strip() for p in raw.split(_SEPARATORS[sep_name]) if p.strip()]
        found = self.toml_get(name)
        if found is not None and not (
            isinstance(found, list) and all(isinstance(v, str) for v in found)
        ):
            raise UsageError(f"[tool.alembic]: `{name}` must be a list of strings")
        return found


def _read_ini(path: str) -> configparser.ConfigParser:
    import configparser

    parser = configparser.ConfigParser({"here": _posix(os.path.dirname(path))})
    try:
        with open(path, encoding="utf-8") as fh:
            parser.read_file(fh)
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise UsageError(f"{path}: {exc}") from None
    return parser


def _source_tree(start: str) -> list[str]:
    """Where a package of the checkout would be once installed, which a checkout need not be:
    ``start`` and each directory above it up to the repository root, and their ``src/``
    (``src/dispatch/alembic.ini`` naming ``dispatch:database/revisions``)."""
    found = []
    directory = os.path.abspath(start)
    while True:
        found += [directory, os.path.join(directory, "src")]
        parent = os.path.dirname(directory)
        if parent == directory or os.path.exists(os.path.join(directory, ".git")):
            return found
        directory = parent


def resolve_resource(
    location: str, search_path: Sequence[str], *, source_tree_of: str | None = None
) -> str:
    """``alembic.util.coerce_resource_to_filename`` without importing the package; where
    ``search_path`` does not have it, the source tree around ``source_tree_of`` is searched."""
    if os.path.isabs(location) or ":" not in location:
        return location
    if source_tree_of is not None:
        try:
            return resolve_resource(location, search_path)
        except UsageError:
            return resolve_resource(location, _source_tree(source_tree_of))
    package, *parts = location.split(":")
    paths = list(search_path)
    for piece in package.split("."):
        # each piece by its own name within its parent's directories: a dotted name would make
        # the finder look the parent up in sys.modules (a KeyError for namespace packages)
        spec = PathFinder.find_spec(piece, paths)
        if spec is None or spec.submodule_search_locations is None:
            raise UsageError(f"cannot find package `{package}` for location `{location}`")
        paths = list(spec.submodule_search_locations)
    candidates = [os.path.join(p, *parts) for p in paths]
    # a namespace package has several portions: the one that holds the location
    return next((c for c in candidates if os.path.exists(c)), candidates[0])


def find_project(
    locator: Locator, *, cwd: str | os.PathLike[str], environ: Mapping[str, str]
) -> Project:
    """Work out the script and version locations as ``alembic`` would in ``cwd``."""
    cwd = os.fspath(cwd)
    ini_path, toml_path = _config_paths(locator, cwd=cwd, environ=environ)
    ini = _read_ini(ini_path) if ini_path is not None else None
    section = locator.name
    if ini is not None and not ini.has_section(section):
        if locator.script_location is None:
            raise UsageError(f"{ini_path}: no [{section}] section")
        ini = None
    toml_data = read_toml(toml_path) if os.path.isfile(toml_path) else {}
    tool = toml_data.get("tool", {})
    toml_alembic = tool.get("alembic", {}) if isinstance(tool, dict) else {}
    if not isinstance(toml_alembic, dict):
        raise UsageError(f"{toml_path}: [tool.alembic] must be a table")
    toml_here = _posix(os.path.dirname(toml_path))
    options = _Options(ini, section, toml_alembic, toml_here)

    search_path = [cwd]
    if ini_path is not None:
        search_path.append(os.path.dirname(ini_path))
    search_path.extend(
        _absolute(p, cwd) for p in options.paths("prepend_sys_path", "path_separator") or ()
    )
    search_path.extend(p for p in sys.path if p)
    tree = os.path.dirname(ini_path) if ini_path is not None else cwd

    raw_location: Any = locator.script_location or options.get("script_location")
    ini_dir = os.path.dirname(ini_path) if ini_path is not None else None
    if raw_location is None and ini_dir and os.path.isfile(os.path.join(ini_dir, "env.py")):
        raw_location = ini_dir  # Flask-Migrate sets it in code
    if raw_location is None:
        where = ini_path or toml_path or cwd
        raise UsageError(f"{where}: no `script_location` in the alembic configuration")
    if not isinstance(raw_location, str):
        raise UsageError("[tool.alembic]: `script_location` must be a string")
    script_location = _absolute(
        resolve_resource(raw_location, search_path, source_tree_of=tree), cwd
    )
    if not os.path.isdir(script_location):
        raise UsageError(f"script location `{raw_location}` does not exist")

    raw_versions = list(locator.version_locations) or options.paths(
        "version_locations", "path_separator", "version_path_separator"
    )
    if raw_versions:
        versions = tuple(
            _absolute(resolve_resource(loc, search_path, source_tree_of=tree), cwd)
            for loc in raw_versions
        )
    else:
        versions = (os.path.join(script_location, "versions"),)
    template = options.get("file_template") or DEFAULT_FILE_TEMPLATE
    if not isinstance(template, str):
        raise UsageError("[tool.alembic]: `file_template` must be a string")
    return Project(
        config_file=ini_path or (toml_path if toml_alembic else None),
        script_location=script_location,
        version_locations=versions,
        recursive=locator.recursive or options.boolean("recursive_version_locations"),
        file_template=template,
        ini_section=section,
        url=ini.get(section, "sqlalchemy.url", raw=True, fallback=None) if ini else None,
    )


def _absolute(path: str, cwd: str) -> str:
    return os.path.normpath(os.path.join(cwd, path))


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def _config_paths(
    locator: Locator, *, cwd: str, environ: Mapping[str, str]
) -> tuple[str | None, str]:
    """``CommandLine._inis_from_config``: which ini and which pyproject.toml are in play."""
    ini: str | None = None
    toml: str | None = None
    for name in locator.config_files:
        if os.path.basename(name) == "pyproject.toml":
            if toml is not None:
                raise UsageError("pyproject.toml given more than once")
            toml = name
        else:
            if ini is not None:
                raise UsageError("only one ini file may be given")
            ini = name
    for given in (ini, toml):
        if given is not None and not os.path.isfile(_absolute(given, cwd)):
            raise UsageError(f"config file `{given}` not found")
    env = environ.get("ALEMBIC_CONFIG")
    if toml is None and env and os.path.basename(env) == "pyproject.toml":
        toml = env
    elif ini is None and env and os.path.basename(env) != "pyproject.toml":
        ini = env
    toml_path = _absolute(toml or "pyproject.toml", cwd)
    if ini is not None:
        return _absolute(ini, cwd), toml_path
    default_ini = os.path.join(cwd, "alembic.ini")
    if os.path.isfile(default_ini):
        return default_ini, toml_path
    if locator.script_location is None and not _has_tool_alembic(toml_path):
        flask = os.path.join(cwd, "migrations", "alembic.ini")
        if os.path.isfile(flask):
            return flask, toml_path
        raise UsageError(
            f"no alembic.ini, [tool.alembic] or migrations/alembic.ini in {cwd}; "
            "pass -c/--config or --script-location"
        )
    return None, toml_path


def _has_tool_alembic(toml_path: str) -> bool:
    if not os.path.isfile(toml_path):
        return False
    tool = read_toml(toml_path).get("tool", {})
    return isinstance(tool, dict) and "alembic" in tool


def is_revision_file_name(name: str) -> bool:
    """Whether alembic would load a file of this name as a revision (``_only_source_rev_file``)."""
    return _REVISION_FILE.match(name) is not None


class RevisionFile(NamedTuple):
    """A listed file: its directory, its name, and the subdirectory (``""`` or ``"a/b/"``) of
    its version location that holds it."""

    directory: str
    name: str
    subdir: str

    @property
    def path(self) -> str:
        return os.path.join(self.directory, self.name)


def list_revision_files(project: Project) -> list[RevisionFile]:
    """Candidate revision files in alembic's load order (``Script._list_py_dir``), each once.

    Like alembic, directories named ``x.py`` are not files, and a file reached twice through
    overlapping locations or links is listed once.
    """
    found: list[RevisionFile] = []
    seen: set[str] = set()
    for location in project.version_locations:
        if os.path.isdir(location):
            _walk(location, "", project.recursive, found, seen)
    return found


def _walk(
    directory: str, subdir: str, recursive: bool, found: list[RevisionFile], seen: set[str]
) -> None:
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:  # pragma: no cover - a directory that vanished or cannot be listed
        return
    real_dir = os.path.realpath(directory)
    subdirs: list[str] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if recursive and entry.name != "__pycache__" and not entry.is_symlink():
                subdirs.append(entry.name)
            continue
        if not _REVISION_FILE.match(entry.name):
            continue
        key = (
            os.path.realpath(entry.path)
            if entry.is_symlink()
            else os.path.join(real_dir, entry.name)
        )
        if key in seen:
            continue
        seen.add(key)
        found.append(RevisionFile(directory, entry.name, subdir))
    for sub in subdirs:
        _walk(os.path.join(directory, sub), f"{subdir}{sub}/", recursive, found, seen)


# Directories no Alembic environment of the project lives in, and which can be huge.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "site-packages",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
    }
)
CONFIG_NAMES = ("alembic.ini", "pyproject.toml")


class Environment(NamedTuple):
    """One Alembic environment of a repository, as discovery found it."""

    label: str
    """How output names it: its config file relative to the current directory, with the ini
    section when it is not ``alembic``."""
    project: Project
    home: str
    """The directory ``alembic`` runs in for it (its config file's); settings are searched
    upward from here."""


class Discovery(NamedTuple):
    root: str
    """Where the search started: the git work tree's root, else the current directory."""
    environments: list[Environment]
    skipped: list[tuple[str, str]]
    """(config file, why): files with a config name that define no environment."""
    errors: list[tuple[str, str]]
    """(config file, message): environments that are configured but cannot be resolved."""


def repository_root(cwd: str) -> str | None:
    """The nearest directory at or above ``cwd`` holding ``.git``, without running git."""
    directory = os.path.abspath(cwd)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def is_within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def has_config_here(cwd: str) -> bool:
    """Whether ``alembic`` run in ``cwd`` would find a configuration without ``-c``."""
    return (
        os.path.isfile(os.path.join(cwd, "alembic.ini"))
        or _has_tool_alembic(os.path.join(cwd, "pyproject.toml"))
        or os.path.isfile(os.path.join(cwd, "migrations", "alembic.ini"))
    )


def discover(
    locator: Locator, *, cwd: str, environ: Mapping[str, str], explicit: bool
) -> Discovery:
    """The environments to lint from ``cwd`` (see the module docstring for the decisions)."""
    cwd = os.path.abspath(cwd)
    root = repository_root(cwd) or cwd
    if explicit or environ.get("ALEMBIC_CONFIG"):
        project = find_project(locator, cwd=cwd, environ=environ)
        # settings are looked for from the config file, wherever the command is run
        home = os.path.dirname(project.config_file) if project.config_file else cwd
        return Discovery(root, [_environment(project, home, cwd)], [], [])
    if has_config_here(cwd):
        try:
            project = find_project(locator, cwd=cwd, environ=environ)
        except UsageError:
            # an ini of named environments only ([core], [tenant]) has no [alembic] to default
            # to; one of logging sections only is no environment: then search the repository
            found = Discovery(root, [], [], [])
            ini = os.path.join(cwd, "alembic.ini")
            if os.path.isfile(ini):
                _add_ini(found, ini, cwd)
            if found.environments:
                return found
            if found.errors or not found.skipped:
                raise
        else:
            found = Discovery(root, [_environment(project, cwd, cwd)], [], [])
            if project.config_file is not None and project.config_file.endswith(".ini"):
                _add_ini(found, project.config_file, cwd, others_only=project.ini_section)
            return found
    found = Discovery(root, [], [], [])
    for path in _config_files(root):
        if os.path.basename(path) == "pyproject.toml":
            _add_toml(found, path, cwd)
        else:
            _add_ini(found, path, cwd)
    envs = found.environments
    chosen = [e for e in envs if is_within(e.home, cwd)]
    if not chosen:
        around = [e for e in envs if is_within(cwd, e.home)]
        nearest = max((len(e.home) for e in around), default=0)
        chosen = [e for e in around if len(e.home) == nearest]
    envs[:] = chosen or envs
    return found


def _environment(project: Project, home: str, cwd: str) -> Environment:
    if project.config_file is not None:
        shown = _shown(project.config_file, cwd)
    else:
        shown = _shown(project.script_location, cwd)
    if project.ini_section != "alembic":
        shown = f"{shown} [{project.ini_section}]"
    return Environment(shown, project, home)


def _shown(path: str, cwd: str) -> str:
    return os.path.relpath(path, cwd).replace(os.sep, "/")


def _add(found: Discovery, locator: Locator, home: str, cwd: str, where: str) -> None:
    first: UsageError | None = None
    for run_in in _upward(home, found.root):
        try:
            project = find_project(locator, cwd=run_in, environ={})
            break
        except UsageError as exc:
            first = first or exc
    else:
        found.errors.append((where, str(first)))
        return
    key = (project.script_location, project.version_locations)
    if all(
        (e.project.script_location, e.project.version_locations) != key for e in found.environments
    ):
        found.environments.append(_environment(project, home, cwd))


def _upward(home: str, root: str) -> list[str]:
    """``home``, then each directory above it up to ``root``: where alembic may be run from."""
    found = [home]
    while is_within(found[-1], root) and found[-1] != root:
        found.append(os.path.dirname(found[-1]))
    return found


def _add_ini(found: Discovery, path: str, cwd: str, *, others_only: str | None = None) -> None:
    home = os.path.dirname(path)
    shown = _shown(path, cwd)
    try:
        ini = _read_ini(path)
    except UsageError as exc:
        found.errors.append((shown, str(exc)))
        return
    sections = [s for s in ini.sections() if ini.has_option(s, "script_location")]
    if (
        "alembic" not in sections
        and ini.has_section("alembic")
        and os.path.isfile(os.path.join(home, "env.py"))
    ):
        sections.insert(0, "alembic")  # Flask-Migrate sets script_location in code
    if others_only is not None:
        sections = [s for s in sections if s != others_only]
    elif not sections and not _quiet_has_tool_alembic(os.path.join(home, "pyproject.toml")):
        # beside a [tool.alembic], the ini holds only logging: alembic reads both as one
        found.skipped.append((shown, "no section with a `script_location`"))
    for section in sections:
        where = shown if section == "alembic" else f"{shown} [{section}]"
        _add(found, Locator(config_files=[path], name=section), home, cwd, where)


def _quiet_has_tool_alembic(path: str) -> bool:
    try:
        return _has_tool_alembic(path)
    except UsageError:  # reported where the pyproject.toml itself is read
        return False


def _add_toml(found: Discovery, path: str, cwd: str) -> None:
    try:
        has = _has_tool_alembic(path)
    except UsageError as exc:
        found.errors.append((_shown(path, cwd), str(exc)))
        return
    if has:
        home = os.path.dirname(path)
        _add(found, Locator(config_files=[path]), home, cwd, _shown(path, cwd))


def _config_files(root: str) -> list[str]:
    """Every ``alembic.ini`` and ``pyproject.toml`` of the tree, sorted, outside skipped dirs."""
    listed = _git_listed(root) if os.path.exists(os.path.join(root, ".git")) else None
    if listed is None:
        listed = []
        for directory, dirs, files in os.walk(root):
            dirs[:] = sorted(
                d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")
            )
            rel = os.path.relpath(directory, root)
            listed.extend(
                os.path.normpath(os.path.join(rel, name)) for name in files if name in CONFIG_NAMES
            )
    found = []
    for rel in sorted(set(listed)):
        parts = rel.split("/") if "/" in rel else rel.split(os.sep)
        if any(p in SKIPPED_DIRS for p in parts[:-1]):
            continue
        path = os.path.join(root, rel)
        if os.path.isfile(path):
            found.append(path)
    return found


def _git_listed(root: str) -> list[str] | None:
    """Tracked and not-ignored files named like a config; None where git cannot list them.

    ``ls-files`` only reads the index (porcelain commands would refresh it, writing into .git).
    """
    import subprocess

    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--"]
            + [f":(glob)**/{name}" for name in CONFIG_NAMES],
            cwd=root,
            capture_output=True,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            check=False,
        )
    except OSError:  # pragma: no cover - git is not installed
        return None
    if done.returncode != 0:
        return None
    return [p for p in os.fsdecode(done.stdout).split("\0") if p]
