"""Histories to draw, and a headless Chromium to look at the drawings, for tests/draw_*_test.py."""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from alembic_lint.draw import build_chart
from alembic_lint.draw.chart import Chart
from alembic_lint.graph import RevisionGraph
from alembic_lint.lint import lint
from tests.builders import PROJECT, history, revision

ROOT = Path(__file__).resolve().parent.parent


NO_DOCSTRING = 'revision = "a1"\ndown_revision = {down}\n\n\ndef upgrade():\n    pass\n'
"""A revision without a docstring, so with an empty message."""

SAMPLE_IDS = [hashlib.sha1(str(i).encode()).hexdigest()[:12] for i in range(15)]


def sample_sources() -> dict[str, str]:
    """A history with every feature a drawing shows.

    ``r00`` is the base; ``r01``-``r08`` a run of plain revisions (folded at the default 4);
    ``r09`` a branch point with children ``r10`` and ``r11`` (labelled ``hotfix``), merged in
    ``r12``; then two heads: ``r13``, which depends on ``r10`` and is called ``vXXX``, and
    ``r14``.
    """
    rev = dict(enumerate(SAMPLE_IDS))
    sources = {f"versions/{rev[0]}_init.py": revision(rev[0], None, message="create users")}
    for i in range(1, 10):
        sources[f"versions/{rev[i]}_step.py"] = revision(
            rev[i], rev[i - 1], message=f"add column {i}"
        )
    sources[f"versions/{rev[10]}_main.py"] = revision(rev[10], rev[9], message="add orders")
    sources[f"versions/{rev[11]}_hotfix.py"] = revision(
        rev[11], rev[9], message="fix index", labels="('hotfix',)"
    )
    sources[f"versions/{rev[12]}_merge.py"] = revision(
        rev[12], (rev[10], rev[11]), message="merge heads", upgrade="pass", downgrade="pass"
    )
    sources[f"versions/{rev[13]}_x.py"] = revision(
        rev[13], rev[12], message="vXXX", depends_on=repr(rev[10])
    )
    sources[f"versions/{rev[14]}_y.py"] = revision(rev[14], rev[12], message="add invoices")
    return sources


def write(sources: dict[str, str], root: Path) -> Path:
    """The sources as a project with an alembic.ini in ``root``."""
    (root / "versions").mkdir(parents=True, exist_ok=True)
    (root / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s\nversion_locations = %(here)s/versions\n"
    )
    for path, text in sources.items():
        (root / path).write_text(text)
    return root


def linted_chart(sources: dict[str, str], root: Path, **kwargs) -> tuple[RevisionGraph, Chart]:
    """Lint the sources with the default settings, as ``graph`` does, and chart the result.

    Without the unsafe-operation rules: the generated histories build indexes without
    CONCURRENTLY on most revisions, and a revision with a finding is never folded."""
    from alembic_lint.config import Settings

    write(sources, root)
    project = PROJECT._replace(
        script_location=str(root), version_locations=(str(root / "versions"),)
    )
    result = lint(project, Settings(ignore=("AL4",)), cwd=root)
    return result.graph, build_chart(result.graph, result.diagnostics, **kwargs)


def sample_graph() -> RevisionGraph:
    return history(sample_sources())[1]


@functools.cache
def _generate():
    """benchmarks/generate.py, loaded by path (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_generate"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def generated_sources(n: int, seed: int = 20240611) -> dict[str, str]:
    """benchmarks/generate.py's realistic history of ``n`` revisions, as ``{path: source}``."""
    generate = _generate()
    return {
        f"versions/{rev.filename}": generate.render(rev) for rev in generate.build_history(n, seed)
    }


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--allow-file-access-from-files",
    "--virtual-time-budget=15000",
)


def chromium(page: Path, tmp_path: Path, *args: str) -> str:
    """Run headless Chromium on ``page`` with ``args`` (--dump-dom, --screenshot=...)."""
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Picture:
    """An 8-bit RGB or RGBA PNG, decoded (Chromium writes those, non-interlaced)."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        pos = 8
        idat = b""
        while pos < len(data):
            (length,) = struct.unpack(">I", data[pos : pos + 4])
            chunk = data[pos + 4 : pos + 8]
            body = data[pos + 8 : pos + 8 + length]
            if chunk == b"IHDR":
                self.width, self.height, depth, color, _, _, interlace = struct.unpack(
                    ">IIBBBBB", body
                )
                assert (depth, color, interlace) in ((8, 6, 0), (8, 2, 0)), (depth, color)
                self.channels = 4 if color == 6 else 3
            elif chunk == b"IDAT":
                idat += body
            pos += 12 + length
        raw = zlib.decompress(idat)
        stride = self.width * self.channels
        rows: list[bytearray] = []
        prev = bytearray(stride)
        at = 0
        bpp = self.channels
        for _ in range(self.height):
            kind, line = raw[at], bytearray(raw[at + 1 : at + 1 + stride])
            at += 1 + stride
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if kind == 1:
                    line[i] = (line[i] + a) & 255
                elif kind == 2:
                    line[i] = (line[i] + b) & 255
                elif kind == 3:
                    line[i] = (line[i] + (a + b) // 2) & 255
                elif kind == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                    line[i] = (line[i] + pred) & 255
            rows.append(line)
            prev = line
        self.rows = rows

    def pixel(self, x: int, y: int) -> str:
        """``#rrggbb`` at (x, y)."""
        at = x * self.channels
        r, g, b = self.rows[y][at : at + 3]
        return f"#{r:02x}{g:02x}{b:02x}"

    def colours(self) -> set[str]:
        return {self.pixel(x, y) for y in range(0, self.height, 4) for x in range(0, self.width, 4)}


MERMAID_JS = Path(
    os.environ.get("ALEMBIC_LINT_MERMAID_JS") or ROOT / ".cache" / "mermaid" / "mermaid.min.js"
)
needs_mermaid = pytest.mark.skipif(
    CHROMIUM is None or not MERMAID_JS.is_file(),
    reason=f"needs Chromium and Mermaid's own mermaid.min.js at {MERMAID_JS} (.ci/run fetches "
    "it with `npm pack mermaid@11.17.2`; or set ALEMBIC_LINT_MERMAID_JS)",
)


def render_mermaid(text: str, tmp_path: Path) -> str:
    """Mermaid's own renderer, in Chromium, on ``text``: the page's DOM afterwards, whose
    ``<pre id="result">`` says ``ok N`` (N boxes drawn) or ``error: ...``."""
    page = tmp_path / "mermaid.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        '<pre id="result">pending</pre>'
        f'<pre class="mermaid">{html.escape(text)}</pre>'
        f'<script src="{MERMAID_JS.as_uri()}"></script>'
        "<script>mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});"
        "var out = document.getElementById('result');"
        "mermaid.run().then(function () {"
        "  out.textContent = 'ok ' + document.querySelectorAll('.mermaid g.node').length;"
        "}, function (e) { out.textContent = 'error: ' + e; });</script></body></html>",
        encoding="utf-8",
    )
    return chromium(page, tmp_path, "--dump-dom")


def result_of(dom: str) -> str:
    found = re.search(r'<pre id="result">([^<]*)</pre>', dom)
    assert found is not None, dom[:2000]
    return html.unescape(found.group(1))
