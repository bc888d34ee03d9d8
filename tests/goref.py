"""The Go toolchain as the reference for tests: finding `go`, running
`go tool trace -d=MODE` (cached), Go's trace test data, and traces to test on.

API:
- `find_go() -> str | None`: the go binary (PATH, else the tracetui-go 1.27.3 venv).
- `go_version() -> str | None`: e.g. "go1.27.3".
- `go_testdata_dir() -> Path | None`: $GOROOT/src/internal/trace/testdata.
- `go_tool_trace(path, mode) -> (stdout, stderr, returncode)`: `go tool trace -d=MODE PATH`
  run with TZ=UTC, cached under ~/.cache/tracetui/golden/ by Go version, mode and the
  file's sha256. `go_tool_trace_bytes(data, mode)` does the same for bytes in memory.
- `committed_traces() -> list[Path]`: traces/go1.*/*.trace in the repository.
- `sample_trace() -> Path | None`: a small trace made by a tiny runtime/trace program
  (built once per Go version, cached under ~/.cache/tracetui/sample/).
- `require_go()`: the go binary, or `skip_go` with a clear reason when go is missing.
- `skip_go(reason)`: pytest.skip, or pytest.fail when TRACETUI_REQUIRE_GO=1: every
  skip for a missing Go (or a Go helper that cannot be built or run) goes through it.
- `go_program(dir) -> Path`: a Go program of ours importing internal/trace
  (tests/gohelpers/*, benchmarks/gohelpers/*), built on demand into the cache.
- `traceoracle()`: path -> Go's summarizer's JSON (tests/gohelpers/traceoracle).
- `mark_go_tests(items)`: marks `go` the tests using those programs' fixtures.

Raises GoUnavailable when go is needed but missing.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NoReturn

GO_REFERENCE_VERSION = "1.27.3"
REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("TRACETUI_TEST_CACHE", Path.home() / ".cache" / "tracetui"))
GOLDEN = CACHE / "golden"


class GoUnavailable(RuntimeError):
    """No Go toolchain was found."""


@functools.cache
def find_go() -> str | None:
    go = shutil.which("go")
    if go:
        return go
    venv_go = Path.home() / ".cache" / "tracetui-go" / GO_REFERENCE_VERSION / "venv" / "bin" / "go"
    return str(venv_go) if os.access(venv_go, os.X_OK) else None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(TZ="UTC", GOTOOLCHAIN="local", GOFLAGS="")
    return env


def _go() -> str:
    go = find_go()
    if go is None:
        raise GoUnavailable("go is not installed (not on PATH, no ~/.cache/tracetui-go venv)")
    return go


@functools.cache
def _go_env(var: str) -> str | None:
    go = find_go()
    if go is None:
        return None
    r = subprocess.run([go, "env", var], capture_output=True, text=True, env=_env(), cwd=tempfile.gettempdir())
    return (r.stdout.strip() or None) if r.returncode == 0 else None


def go_version() -> str | None:
    return _go_env("GOVERSION")


def go_testdata_dir() -> Path | None:
    root = _go_env("GOROOT")
    if not root:
        return None
    d = Path(root) / "src" / "internal" / "trace" / "testdata"
    return d if d.is_dir() else None


REQUIRE_GO = os.environ.get("TRACETUI_REQUIRE_GO") == "1"


def skip_go(reason: str) -> NoReturn:
    """Skip the running test because Go (or something built or run with it) is not
    available; with TRACETUI_REQUIRE_GO=1 (CI) fail it instead, so a run can never pass
    with the conformance tests silently skipped. Every Go-related skip goes through here."""
    import pytest
    if REQUIRE_GO:
        pytest.fail(f"TRACETUI_REQUIRE_GO=1, but: {reason}", pytrace=False)
    pytest.skip(reason)


def require_go() -> str:
    """The go binary, or skip_go."""
    go = find_go()
    if go is None:
        skip_go("Go toolchain not found (needs `go` on PATH or ~/.cache/tracetui-go/"
                f"{GO_REFERENCE_VERSION}/venv/bin/go); cannot compare with Go")
    return go


def _cache_dir(digest: str, mode: str) -> Path:
    return GOLDEN / (go_version() or "unknown") / f"{digest}.{mode.replace('/', '_')}"


def _cached(digest: str, mode: str) -> tuple[bytes, bytes, int] | None:
    d = _cache_dir(digest, mode)
    try:
        rc = int((d / "rc").read_text())
        return (d / "stdout").read_bytes(), (d / "stderr").read_bytes(), rc
    except (OSError, ValueError):
        return None


def _run(path: Path, digest: str, mode: str) -> tuple[bytes, bytes, int]:
    r = subprocess.run([_go(), "tool", "trace", f"-d={mode}", str(path)], capture_output=True,
                       env=_env(), cwd=tempfile.gettempdir(), timeout=900)
    d = _cache_dir(digest, mode)
    d.mkdir(parents=True, exist_ok=True)
    for name, content in (("stdout", r.stdout), ("stderr", r.stderr), ("rc", str(r.returncode).encode())):
        tmp = d / f".{name}.{os.getpid()}"
        tmp.write_bytes(content)
        os.replace(tmp, d / name)  # rc last: its presence marks a complete entry
    return r.stdout, r.stderr, r.returncode


def go_tool_trace(path: str | os.PathLike, mode: str) -> tuple[bytes, bytes, int]:
    """`go tool trace -d=MODE PATH` (TZ=UTC): (stdout, stderr, returncode), cached by content."""
    path = Path(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return _cached(digest, mode) or _run(path, digest, mode)


def go_tool_trace_bytes(data: bytes, mode: str) -> tuple[bytes, bytes, int]:
    """go_tool_trace for a trace held in memory."""
    digest = hashlib.sha256(data).hexdigest()
    hit = _cached(digest, mode)
    if hit is not None:
        return hit
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "in.trace"
        p.write_bytes(data)
        return _run(p, digest, mode)


def committed_traces() -> list[Path]:
    return sorted(REPO.glob("traces/go1.*/*.trace"))


def committed_v2_traces() -> list[Path]:
    """The committed traces in the format of Go 1.22+ (for tests of that wire format)."""
    return [p for p in committed_traces() if int(p.parent.name.removeprefix("go1.")) >= 22]


_SAMPLE_PROGRAM = r'''package main

import (
	"context"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

var sink [][]byte

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx, task := trace.NewTask(context.Background(), "main")
	trace.Log(ctx, "bytes", "nul \x00 bad \xff utf8 \u00fc \u2028 tab \t quote \" end")
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			wctx, sub := trace.NewTask(ctx, "worker")
			defer sub.End()
			trace.WithRegion(wctx, "alloc", func() {
				for j := 0; j < 1000; j++ {
					sink = append(sink, make([]byte, 1024))
					if len(sink) > 200 {
						sink = nil
					}
				}
			})
			select {
			case ch <- i:
			case <-time.After(time.Millisecond):
			}
			trace.Logf(wctx, "done", "worker %d", i)
		}(i)
	}
	go func() {
		for range ch {
		}
	}()
	runtime.GC()
	wg.Wait()
	task.End()
	trace.Stop()
	f.Close()
}
'''


def sample_trace() -> Path | None:
    """A small trace written by the installed Go (tasks, regions, logs, GC, goroutines)."""
    go = find_go()
    if go is None:
        return None
    out = CACHE / "sample" / f"{go_version() or 'go'}.trace"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "main.go").write_text(_SAMPLE_PROGRAM)
        Path(tmp, "go.mod").write_text("module sample\n\ngo 1.22\n")
        subprocess.run([go, "build", "-o", "sample", "."], cwd=tmp, env=_env(), check=True,
                       capture_output=True, timeout=900)
        partial = out.with_suffix(f".{os.getpid()}.tmp")
        subprocess.run([str(Path(tmp, "sample")), str(partial)], env=_env(), check=True, timeout=300)
        os.replace(partial, out)
    return out


GOHELPERS = REPO / "tests" / "gohelpers"


def go_program(source_dir: Path) -> Path:
    """The executable built from the Go package in source_dir (its *.go files), which may
    import Go's internal packages (internal/trace): it is compiled as the package
    cmd/tracetui-NAME of the test toolchain's GOROOT through `go build -overlay`, so
    nothing is written into GOROOT. Cached under ~/.cache/tracetui/gohelpers/ by Go
    version and the sources' sha256; skip_go when Go is missing or the build fails."""
    go = require_go()
    sources = sorted(source_dir.glob("*.go"))
    digest = hashlib.sha256(b"".join(p.name.encode() + b"\0" + p.read_bytes() for p in sources)).hexdigest()[:16]
    exe = CACHE / "gohelpers" / f"{source_dir.name}-{go_version()}-{digest}" / source_dir.name
    if exe.exists():
        return exe
    root = _go_env("GOROOT")
    if not root:
        skip_go("`go env GOROOT` gave nothing: cannot build Go programs that import internal/trace")
    pkg = Path(root) / "src" / "cmd" / f"tracetui-{source_dir.name}"
    exe.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        overlay = Path(tmp) / "overlay.json"
        overlay.write_text(json.dumps({"Replace": {str(pkg / p.name): str(p) for p in sources}}))
        partial = exe.with_name(f".{exe.name}.{os.getpid()}")
        r = subprocess.run([go, "build", "-overlay", str(overlay), "-o", str(partial), f"./{pkg.name}"],
                           cwd=pkg.parent, capture_output=True, text=True, env=_env(), timeout=900)
    if r.returncode != 0:
        skip_go(f"could not build {source_dir.relative_to(REPO)} with {go_version()}: {r.stderr[-500:]}")
    os.replace(partial, exe)
    return exe


GO_PROGRAM_FIXTURES = {"oracle", "gommu", "go_reference"}  # each builds one of our Go programs


def mark_go_tests(items) -> None:
    """pytest_collection_modifyitems of tests/ and benchmarks/: the `go` marker on every
    test that uses a fixture in GO_PROGRAM_FIXTURES (select them with -m go)."""
    import pytest
    for item in items:
        if GO_PROGRAM_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("go"):
            item.add_marker(pytest.mark.go)


def traceoracle():
    """A function path -> what Go's summarizer makes of that trace (the JSON of
    tests/gohelpers/traceoracle, cached in memory by the file's content)."""
    exe = go_program(GOHELPERS / "traceoracle")

    @functools.cache
    def run_digest(digest, path):
        return json.loads(subprocess.check_output([str(exe), str(path)]))

    def run(path):
        return run_digest(hashlib.sha256(Path(path).read_bytes()).hexdigest(), str(path))

    return run
