"""Findings -> SARIF 2.1.0, the format GitHub code scanning (``upload-sarif``) reads.

Decisions:

- One run for the whole invocation, every environment's findings in it; a finding of one of
  several environments names it in its message and in ``properties.environment``.
- ``tool.driver.rules`` lists the rules that have results (as ruff does), sorted by code, each
  with its name, its summary as ``shortDescription``, its "What it does" section as
  ``fullDescription`` and its whole documentation (markdown, ``alembic-lint rule CODE``) as
  ``help``, which GitHub shows beside an alert; opt-in rules say ``enabled: false`` in their default
  configuration. Every result is ``level: error``: the exit status treats every finding alike.
- ``artifactLocation.uri`` is relative to the repository root (the current directory outside
  git), percent-encoded with ``/`` separators, against ``uriBaseId`` ``%SRCROOT%``, which
  ``originalUriBaseIds`` maps to the root's absolute ``file:`` URI. A file outside the root is
  given by its absolute ``file:`` URI.
- Columns are as the text output counts them; ``columnKind`` says code points (they are equal
  to UTF-16 units and bytes on the ASCII lines that findings point at).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from alembic_lint import __version__
from alembic_lint.diagnostics import Diagnostic
from alembic_lint.formats import RuleDoc, Run, Section

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/alembic-lint/alembic-lint"
ROOT_ID = "%SRCROOT%"


def _what_it_does(doc: str) -> str:
    """The "What it does" section of a rule's documentation, as one paragraph."""
    section = doc.partition("## What it does")[2].partition("\n## ")[0]
    return " ".join(section.split()) or " ".join(doc.split())


def _rule(code: str, rule: RuleDoc) -> dict[str, object]:
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _what_it_does(rule.doc)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": "error", "enabled": rule.default},
    }


def _directory_uri(path: str) -> str:
    uri = Path(path).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _artifact(d: Diagnostic, run: Run) -> dict[str, str]:
    path = os.path.normpath(os.path.join(run.cwd, d.path))
    root = run.root.rstrip(os.sep) + os.sep
    if not path.startswith(root):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path[len(root) :].replace(os.sep, "/")), "uriBaseId": ROOT_ID}


def _location(d: Diagnostic, run: Run) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": _artifact(d, run)}
    if d.line >= 1:  # a line SARIF cannot express is left out, never invented
        physical["region"] = {"startLine": d.line, "startColumn": max(d.col, 1)}
    return {"physicalLocation": physical}


def _result(d: Diagnostic, environment: str | None, index: int, run: Run) -> dict[str, object]:
    text = d.message
    if d.hint:
        text += f"\nhint: {d.hint}"
    properties: dict[str, str] = {}
    if environment is not None:
        text += f"\nenvironment: {environment}"
        properties["environment"] = environment
    if d.revision is not None:
        properties["revision"] = d.revision
    result: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": "error",
        "message": {"text": text},
        "locations": [_location(d, run)],
    }
    if properties:
        result["properties"] = properties
    return result


def sarif(sections: Sequence[Section], run: Run) -> str:
    """A SARIF log with one run holding every environment's findings."""
    codes = sorted({d.code for section in sections for d in section.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    driver = {
        "name": "alembic-lint",
        "version": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(code, run.rules[code]) for code in codes],
    }
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {ROOT_ID: {"uri": _directory_uri(run.root)}},
                "columnKind": "unicodeCodePoints",
                "results": [
                    _result(d, section.environment, index[d.code], run)
                    for section in sections
                    for d in section.diagnostics
                ],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
