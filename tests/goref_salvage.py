"""What `go tool trace` (the web viewer mode, cmd/trace's parseTraceInteractive) says
about a broken trace: the reference for tracetui's salvage report.

`go tool trace -http=127.0.0.1:0 TRACE` is started with BROWSER=true (no browser opens);
its log lines are read until it would split the trace for the viewer, then it is killed.

API:
- `go_salvage(data) -> GoSalvage`: cached like `goref.go_tool_trace_bytes` (by Go version
  and content), so a test suite calls Go once per distinct input.
  `GoSalvage.error` is the "Encountered error" text (None for a valid trace),
  `lost_line` the "Lost X% ..." sentence as Go logs it (None when nothing was lost to an
  error), `failed` the fatal message when Go could not salvage anything (exit 1).
"""
from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests import goref

MODE = "http-salvage"
_LOG = re.compile(rb"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d (.*)$")


@dataclass(frozen=True)
class GoSalvage:
    error: str | None
    lost_line: str | None
    failed: str | None


def _parse(stderr: bytes, rc: int) -> GoSalvage:
    error = lost = None
    plain = []
    for raw in stderr.splitlines():
        m = _LOG.match(raw)
        if not m:
            plain.append(raw.decode("utf-8", "replace"))
            continue
        msg = m.group(1).decode("utf-8", "replace")
        if msg.startswith("Encountered error, but able to proceed. Error: "):
            error = msg.split("Error: ", 1)[1]
        elif msg.startswith("Lost "):
            lost = msg
    failed = None
    if rc not in (0, -signal.SIGKILL, -signal.SIGTERM) and lost is None:
        failed = "\n".join(plain).strip() or f"exit {rc}"
    return GoSalvage(error, lost, failed)


def _run(path: Path, timeout: float = 120) -> tuple[bytes, int]:
    env = goref._env()
    env["BROWSER"] = "true"
    env.pop("DISPLAY", None)
    p = subprocess.Popen([goref._go(), "tool", "trace", "-http=127.0.0.1:0", str(path)],
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env,
                         cwd=tempfile.gettempdir(), start_new_session=True)
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        assert p.stderr is not None
        while time.monotonic() < deadline:
            line = p.stderr.readline()
            if not line:
                break
            out += line
            if b"Splitting trace for viewer" in line:
                break
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    return bytes(out), p.returncode


def go_salvage(data: bytes) -> GoSalvage:
    """cmd/trace's verdict on `data` (see the module docstring)."""
    digest = hashlib.sha256(data).hexdigest()
    hit = goref._cached(digest, MODE)
    if hit is None:
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "in.trace"
            p.write_bytes(data)
            err, rc = _run(p)
        d = goref._cache_dir(digest, MODE)
        d.mkdir(parents=True, exist_ok=True)
        for name, content in (("stdout", b""), ("stderr", err), ("rc", str(rc).encode())):
            tmpf = d / f".{name}.{os.getpid()}"
            tmpf.write_bytes(content)
            os.replace(tmpf, d / name)
        hit = (b"", err, rc)
    return _parse(hit[1], hit[2])


def prefetch(datas, modes=("salvage", "parsed"), workers: int = 2) -> None:
    """Run Go on every input not cached yet, `workers` at a time."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = []
    for d in dict.fromkeys(bytes(x) for x in datas):
        digest = hashlib.sha256(d).hexdigest()
        for mode in modes:
            key = MODE if mode == "salvage" else mode
            if goref._cached(digest, key) is None:
                jobs.append((d, mode))
    if not jobs:
        return
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(lambda j: go_salvage(j[0]) if j[1] == "salvage" else goref.go_tool_trace_bytes(*j), jobs))
