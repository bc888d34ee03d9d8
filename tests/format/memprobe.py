"""Peak memory and time of `tracetui.format.read` on given inputs, each read in its own
forked child of a fresh interpreter (so pytest's own memory does not count).

    python -m tests.format.memprobe TIMEOUT_SECONDS IN1 [IN2 ...]

For each input file, a child loads the bytes, notes its resident set size, reads the
trace with an alarm set, and reports the growth of its peak resident set size
(VmHWM, which the kernel starts at the parent's RSS on fork) over that baseline.
Then, outside the measurement, it writes the Go `-d=parsed` text of the events
(of the partial trace on an error) to IN.out. One JSON line per input on stdout:
{"path", "outcome": "ok" | "error" | "timeout" | "crash", "message", "events",
 "peak_bytes", "seconds"}.

`probe(paths, timeout)` runs this and returns the parsed lines.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _child(path: str, timeout: float, wfd: int) -> None:
    from tracetui.format import TraceError, read

    data = Path(path).read_bytes()
    base = _status("VmRSS")
    signal.setitimer(signal.ITIMER_REAL, timeout)
    t0 = time.perf_counter()
    trace, outcome, message = None, "ok", ""
    try:
        trace = read(data)
    except TraceError as e:
        trace, outcome, message = e.partial, "error", str(e)
    seconds = time.perf_counter() - t0
    signal.setitimer(signal.ITIMER_REAL, 0)
    peak = _status("VmHWM") - base
    result = {"path": path, "outcome": outcome, "message": message, "events": len(trace) if trace is not None else 0,
              "peak_bytes": peak, "seconds": seconds}
    with open(path + ".out", "wb") as out:
        if trace is not None:
            for ev in trace:
                out.write(f"{ev}\n".encode("utf-8", "surrogateescape"))
    os.write(wfd, (json.dumps(result) + "\n").encode())


def main(argv: list[str]) -> None:
    timeout = float(argv[0])
    import numpy  # noqa: F401

    import tracetui.format  # noqa: F401  (load the compiled core before forking)

    for path in argv[1:]:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                _child(path, timeout, w)
            finally:
                os._exit(0)
        os.close(w)
        chunks = []
        while chunk := os.read(r, 65536):
            chunks.append(chunk)
        os.close(r)
        _, status = os.waitpid(pid, 0)
        line = b"".join(chunks).decode()
        if not line:
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            outcome = "timeout" if sig == signal.SIGALRM else "crash"
            line = json.dumps({"path": path, "outcome": outcome, "message": f"status {status}", "events": 0,
                               "peak_bytes": 0, "seconds": timeout}) + "\n"
        sys.stdout.write(line)
        sys.stdout.flush()


def probe(paths: list[str | os.PathLike], timeout: float = 20) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "tests.format.memprobe", str(timeout), *map(str, paths)],
                       capture_output=True, text=True, cwd=REPO, env=env,
                       timeout=60 + timeout * len(paths))
    if r.returncode != 0:
        raise RuntimeError(f"memprobe failed ({r.returncode}): {r.stderr[-2000:]}")
    return [json.loads(line) for line in r.stdout.splitlines()]


if __name__ == "__main__":
    main(sys.argv[1:])
