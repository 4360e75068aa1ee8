"""A minimal process that starts the timed commands and reports their time and rusage.

On Linux a child's ``ru_maxrss`` starts at the resident size of the process that forked it
(exec keeps the old address space's high-water mark), so commands forked by the benchmark
itself, which holds a whole generated history in memory, would all report at least its size.
This launcher imports only ``os``, ``sys`` and ``time`` (about 8.5 MiB resident) and so stays
below any Python process it starts (about 10.5 MiB for ``python -c pass``).
``check_speed.py`` runs it with ``python -I -S``.

Protocol on stdin: an 8-byte little-endian length, then ``cwd NUL argc NUL argv... NUL env...``
(``KEY=value`` items). Reply on stdout, one line: ``wall exitcode utime stime maxrss_kib``.
"""

from __future__ import annotations

import os
import sys
import time


def run(payload: bytes, devnull: int) -> str:
    cwd, argc, *rest = payload.split(b"\0")
    argv, items = rest[: int(argc)], rest[int(argc) :]
    env = dict(item.split(b"=", 1) for item in items)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    return f"{wall!r} {code} {usage.ru_utime!r} {usage.ru_stime!r} {usage.ru_maxrss}\n"


def serve() -> None:
    # No typing import for annotations: it alone adds ~1.7 MiB, lifting this floor to python's.
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    devnull = os.open(os.devnull, os.O_RDWR)
    while True:
        head = requests.read(8)
        if len(head) < 8:
            return
        payload = requests.read(int.from_bytes(head, "little"))
        replies.write(run(payload, devnull).encode())
        replies.flush()


def encode(argv: list[str], env: dict[str, str], cwd: str) -> bytes:
    """The request for one command (used by check_speed.py)."""
    fields = [cwd, str(len(argv)), *argv, *(f"{k}={v}" for k, v in env.items())]
    payload = b"\0".join(os.fsencode(f) for f in fields)
    return len(payload).to_bytes(8, "little") + payload


if __name__ == "__main__":
    serve()
