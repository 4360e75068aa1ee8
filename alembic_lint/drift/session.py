"""The parent's side of the drift child: start it, answer its requests for databases, follow its
steps, and collect the facts it reports.

The child's standard output is the channel (the child points its own file descriptor 1 at
standard error before running anything); its standard error, where env.py's logging goes, is
kept in a file and shown only with ``--debug``, so json and github output stay clean.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any, NamedTuple

Serve = Callable[[dict[str, Any]], str]
"""A request ({"dialect", "name"}) -> the URL of a disposable database (raises to refuse)."""
Step = Callable[[str, str], None]


class Outcome(NamedTuple):
    facts: dict[str, Any] | None
    """What the child reported; None when it ended without reporting."""
    exit_code: int | None
    stderr: str


class Refusal(Exception):
    """A request the parent could not serve (its message goes to the child, then to the user)."""


def run_child(
    job: dict[str, Any],
    serve: Serve,
    *,
    step: Step,
    progress: Callable[[str], None],
) -> Outcome:
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "alembic_lint.drift.child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        facts: dict[str, Any] | None = None
        forked: list[list[Any]] = []
        refused: Refusal | None = None
        try:
            proc.stdin.write(json.dumps(job) + "\n")
            proc.stdin.flush()
            for line in proc.stdout:
                message = json.loads(line)
                if "want" in message:
                    try:
                        reply = {"url": serve(message["want"])}
                    except Refusal as exc:
                        refused = exc
                        reply = {"error": str(exc)}
                    proc.stdin.write(json.dumps(reply) + "\n")
                    proc.stdin.flush()
                elif "step" in message:
                    step(*message["step"])
                elif "progress" in message:
                    progress(message["progress"])
                elif "violation" in message:
                    forked.append(message["violation"])  # from a process env.py forked
                else:
                    facts = message["done"]
            code = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdin.close()
            proc.stdout.close()
        if refused is not None:
            raise refused
        if facts is not None and forked:
            facts["violations"] = [*facts.get("violations", []), *forked]
        err.seek(0)
        return Outcome(facts, code, err.read())
