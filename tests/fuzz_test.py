"""Property-based tests over the parser and the command line (hypothesis, bounded and derandomized).

Properties: the parser returns a result for any bytes and never raises; a result survives the
parse cache's JSON unchanged; and on any generated project every command exits 0, 1 or 2, with no
traceback or internal error, and no file is changed by a command that must not write.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from alembic_lint import astread
from alembic_lint.cache import _plain, decode_result, encode_result
from alembic_lint.cli import main
from alembic_lint.script import RevisionScript, ScriptError
from tests.builders import revision

BOUNDED = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces that real and hostile revision files are made of.
FRAGMENTS = [
    b"revision = 'ab12cd34ef56'\n",
    b'down_revision = ("a", "b")\n',
    b"down_revision = None\n",
    b"depends_on = 'x'\n",
    b"branch_labels = ('lbl',)\n",
    b"# -*- coding: latin-1 -*-\n",
    b"# caf\xe9\n",
    b"\xef\xbb\xbf",
    b"\r",
    b"\r\n",
    b"\x0c",
    b"\x00",
    b"\x1b[2J",
    b"# alembic-lint: noqa: AL107\n",
    b"# alembic-lint: noqa AL1\n",
    b'"""v' + b"9" * 4400 + b' msg\n\nRevision ID: x\nRevises: (none)\n"""\n',
    b"def upgrade():\n    op.create_table('t')\n",
    b"def downgrade():\n    pass\n",
    b"    with op.batch_alter_table('t') as b:\n        b.drop_column('c')\n",
    b"x = " + b"(" * 300 + b")" * 300 + b"\n",
    b"x = " + b"[" * 120 + b"]" * 120 + b"\n",
    b"def upgrade(:\n",
    b"\t  \n",
]

revision_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(b"".join),
    st.tuples(
        st.sampled_from([revision("ab12cd34ef56", None), revision("5d2e8a41c07f", "ab12cd34ef56")]),
        st.integers(0, 2000),
        st.sampled_from(FRAGMENTS),
    ).map(lambda t: t[0].encode()[: t[1]] + t[2] + t[0].encode()[t[1] :]),
)


@BOUNDED
@given(data=revision_bytes)
def test_the_parser_never_raises_and_its_results_survive_the_cache(data):
    result = astread.read(data, "versions/x.py")
    assert isinstance(result, RevisionScript | ScriptError)
    if isinstance(result, ScriptError):
        assert result.code in {"AL001", "AL005"}
    encoded = json.loads(json.dumps(encode_result(result), default=_plain))
    assert decode_result(encoded) == result


revision_ids = st.one_of(
    st.sampled_from(["ab12cd34ef56", "5d2e8a41c07f", "a1b2c3d4e5f6", "f8a9b0c1d2e3"]),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=14),
)
messages = st.one_of(
    st.sampled_from(["v001 init", "vXXX", "wip", "", "v" + "9" * 4400]),
    st.text(max_size=40),
)


@st.composite
def projects(draw):
    """File name -> bytes of the version directory, and a pyproject table."""
    files: dict[str, bytes] = {}
    ids: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        rev = draw(revision_ids)
        down = draw(st.one_of(st.none(), st.sampled_from(ids) if ids else st.none(), revision_ids))
        body = revision(rev, down, message=draw(messages).replace('"""', ""))
        plain = rev.isprintable() and rev.isascii() and "/" not in rev and not rev.startswith(".")
        own = [f"{rev}_step.py"] if plain else []  # a name the file system takes
        name = draw(st.sampled_from([*own, "ab12cd34ef56_x.py", f"f{len(files)}_step.py"]))
        files[name] = body.encode()
        ids.append(rev)
    for _ in range(draw(st.integers(0, 2))):
        files[f"{draw(st.integers(0, 99)):04d}_raw.py"] = draw(revision_bytes)
    pyproject = draw(
        st.one_of(
            st.just(""),
            st.sampled_from(
                [
                    '[tool.alembic-lint]\nselect = ["ALL"]\n',
                    '[tool.alembic-lint]\nignore = ["AL20"]\n',
                    '[tool.alembic-lint]\nignore = ["A"]\n',
                    '[tool.alembic-lint]\nversion-pattern = "^(\\\\w+)"\n',
                    '[tool.alembic-lint]\nversion-pattern = "("\n',
                    "[tool.alembic-lint]\nstart-after = 'ab12cd34ef56'\n",
                    "[tool.alembic-lint]\nhead-file = 'migrations/HEAD'\n",
                    "[tool.alembic-lint\n",
                ]
            ),
            st.lists(st.text(max_size=6), max_size=3).map(
                lambda codes: f"[tool.alembic-lint]\nselect = {json.dumps(codes)}\n"
            ),
        )
    )
    return files, pyproject


COMMANDS = [
    ["check", "--no-cache"],
    ["check", "--select", "ALL", "--format", "json"],
    ["check", "--format", "github", "--ignore", "AL3"],
    ["fix", "--dry-run"],
    ["rebase", "--dry-run", "--base", "main"],
    ["rules", "--select", "AL1"],
    ["graph"],
    ["graph", "--format", "html", "--fold", "1"],
    ["graph", "--format", "dot", "--fold", "0"],
]


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@BOUNDED
@given(project=projects(), argv=st.sampled_from(COMMANDS))
@example(project=({}, ""), argv=["check", "--jobs", "x"])  # argparse's exit
@example(project=({"0001_x.py": b"revision = 'a'\n"}, "[tool.alembic-lint]\n"), argv=["check"])
def test_the_cli_exits_0_1_or_2_without_traceback_and_changes_nothing(project, argv):
    files, pyproject = project
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "app"
        versions = root / "migrations" / "versions"
        versions.mkdir(parents=True)
        (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
        (root / "migrations" / "env.py").write_text("raise SystemExit('env.py must never run')\n")
        if pyproject:
            (root / "pyproject.toml").write_text(pyproject)
        for name, data in files.items():
            (versions / name).write_bytes(data)
        before = _snapshot(root)
        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        cache = os.environ.get("ALEMBIC_LINT_CACHE_DIR")
        os.environ["ALEMBIC_LINT_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.chdir(root)
        try:
            code: object
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main([*argv])
                except SystemExit as exc:  # argparse
                    code = exc.code
        finally:
            os.chdir(cwd)
            os.environ.pop("ALEMBIC_LINT_CACHE_DIR")
            os.environ.update({"ALEMBIC_LINT_CACHE_DIR": cache} if cache is not None else {})
        assert code in (0, 1, 2), (code, err.getvalue())
        assert "Traceback" not in out.getvalue() + err.getvalue()
        assert "internal error" not in err.getvalue(), err.getvalue()
        assert _snapshot(root) == before
