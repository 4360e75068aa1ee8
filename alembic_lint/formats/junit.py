"""Findings -> JUnit XML, the test report GitLab (``artifacts:reports:junit``) and Jenkins
(``junit``) read.

Decisions:

- ``<testsuites>`` holds one ``<testsuite>`` per environment, named by its label (or
  ``alembic-lint`` where only one was linted).
- One failing ``<testcase>`` per finding: ``classname`` is the file (``environment/file`` where
  there are several environments), ``name`` the code, rule name and location, ``file`` and
  ``line`` point at it, and ``<failure>`` carries the message (attribute) and the text line with
  its hint (body).
- A suite without findings has one passing test case, so that the CI shows a green run rather
  than no tests; with no revision file at all, that test case is skipped.
- The document is ASCII (other characters as character references), so it is right whatever
  encoding the output goes through; characters that XML 1.0 cannot carry at all (control
  characters, lone surrogates from undecodable file names) are shown as Python escapes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from alembic_lint.diagnostics import Diagnostic
from alembic_lint.formats import Run, Section

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(value: str) -> str:
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode(), value)


def _failure_text(d: Diagnostic, environment: str | None) -> str:
    lines = [f"{d.path}:{d.line}:{d.col}: {d.code} {d.message}"]
    if d.hint:
        lines.append(f"hint: {d.hint}")
    if d.revision is not None:
        lines.append(f"revision: {d.revision}")
    if environment is not None:
        lines.append(f"environment: {environment}")
    return "\n".join(lines)


def _counts(tests: int, failures: int, skipped: int) -> dict[str, str]:
    return {
        "tests": str(tests),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(skipped),
    }


def _suite(parent: ET.Element, section: Section, run: Run) -> tuple[int, int, int]:
    """The environment's test suite; returns its tests, failures and skipped tests."""
    label = section.environment
    found = section.diagnostics
    skipped = int(not found and not section.checked)
    tests = len(found) or 1
    suite = ET.SubElement(parent, "testsuite", name=_xml(label or "alembic-lint"))
    suite.attrib |= _counts(tests, len(found), skipped)
    for d in found:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_xml(d.path if label is None else f"{label}/{d.path}"),
            name=_xml(f"{d.code} {run.rules[d.code].name} (line {d.line}, column {d.col})"),
            file=_xml(d.path),
            line=str(d.line),
        )
        failure = ET.SubElement(case, "failure", message=_xml(d.message), type=d.code)
        failure.text = _xml(_failure_text(d, label))
    if not found:
        case = ET.SubElement(
            suite, "testcase", classname=_xml(label or "alembic-lint"), name="no findings"
        )
        if skipped:
            ET.SubElement(case, "skipped", message="no revision files found")
    return tests, len(found), skipped


def junit(sections: Sequence[Section], run: Run) -> str:
    """One JUnit XML document for every environment's findings."""
    everything = ET.Element("testsuites", name="alembic-lint")
    totals = [_suite(everything, section, run) for section in sections]
    everything.attrib |= _counts(*(sum(suite[i] for suite in totals) for i in range(3)))
    ET.indent(everything)
    document: bytes = ET.tostring(everything, encoding="us-ascii", xml_declaration=True)
    return document.decode() + "\n"
