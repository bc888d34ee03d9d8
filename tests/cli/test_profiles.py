"""Real runtime/pprof profiles are recognised: tests/cli/goprofiles (a Go program of ours,
built and run with the test extras' Go, its output cached) writes CPU, heap, allocs,
goroutine, block, mutex and threadcreate profiles as any Go program writes them; every
command says "a pprof profile of <sample types>" and points at go tool pprof."""
from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests import goref
from tracetui.cli import main
from tracetui.source import profile_sample_types

PROGRAM = Path(__file__).parent / "goprofiles" / "main.go"
KINDS = {  # what runtime/pprof names each profile's sample types
    "cpu": ["samples/count", "cpu/nanoseconds"],
    "heap": ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"],
    "allocs": ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"],
    "goroutine": ["goroutine/count"],
    "block": ["contentions/count", "delay/nanoseconds"],
    "mutex": ["contentions/count", "delay/nanoseconds"],
    "threadcreate": ["threadcreate/count"],
}


@pytest.fixture(scope="module")
def profiles() -> Path:
    """The directory of the profiles the Go program wrote (built and run once per Go version)."""
    go = goref.require_go()
    src = PROGRAM.read_bytes()
    out = goref.CACHE / "goprofiles" / f"{goref.go_version()}-{hashlib.sha256(src).hexdigest()[:16]}"
    if not (out / "threadcreate.pprof").exists():
        tmp = out.with_name(out.name + f".{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "GOFLAGS": "", "GO111MODULE": "off"}
        exe = tmp / "goprofiles"
        r = subprocess.run([go, "build", "-o", str(exe), str(PROGRAM)], capture_output=True, text=True,
                           cwd=PROGRAM.parent, env=env, timeout=600)
        assert r.returncode == 0, r.stderr[-2000:]
        r = subprocess.run([str(exe), str(tmp)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
        exe.unlink()
        os.replace(tmp, out)
    return out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_real_profiles_are_recognised(profiles, kind, capsys):
    path = profiles / f"{kind}.pprof"
    data = gzip.decompress(path.read_bytes())
    assert data[:1] != b"\x0a"   # what the old check expected: runtime/pprof never writes field 1 first
    assert profile_sample_types(data) == KINDS[kind]
    for argv in (["stats"], ["regions"], ["events"], []):
        assert main([*argv, str(path)]) == 1
        err = capsys.readouterr().err
        assert err == (f"tracetui: {path}: this looks like a pprof profile of {', '.join(KINDS[kind])} "
                       f"(gzip-compressed protobuf), not an execution trace: read it with `go tool pprof {path}`\n")


def test_a_gzipped_trace_or_text_is_no_profile():
    trace = (Path(__file__).parent.parent / "format" / "data" / "multigen" / "go1.27.trace").read_bytes()
    assert profile_sample_types(trace) is None
    assert profile_sample_types(b"just some text") is None
    assert profile_sample_types(b"") is None
