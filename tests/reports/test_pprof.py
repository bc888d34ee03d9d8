"""`tracetui pprof` against `go tool trace -pprof=KIND`: both profiles are read by
`go tool pprof -raw` and must hold the same samples (stack of function, file:line
and address; contentions; delay in ns), hence the same totals and per-function
flat values, on every committed trace and for every kind (an empty profile must
be empty in both)."""
from __future__ import annotations

import collections
import functools
import gzip
import hashlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests import goref
from tracetui.cli import main
from tracetui.format import read
from tracetui.model import build
from tracetui.reports.pprof import KINDS, pprof_profile

TRACES = goref.committed_traces()
_SAMPLE = re.compile(r"^\s+(\d+)\s+(\d+):((?: \d+)*)\s*$")
_LOCATION = re.compile(r"^\s+(\d+): (0x[0-9a-f]+) M=\d+ (.*) s=\d+$")


CACHE = goref.GOLDEN / "pprof"


def _go(*args: str, key: bytes) -> bytes:
    """The output of a go command, cached on disk by Go version, command and `key` (input content)."""
    go = goref.require_go()
    digest = hashlib.sha256(repr(args[:-1]).encode() + key).hexdigest()
    cached = CACHE / (goref.go_version() or "go") / digest
    if cached.exists():
        return cached.read_bytes()
    r = subprocess.run([go, *args], capture_output=True, timeout=300, cwd=tempfile.gettempdir())
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}")
    tmp.write_bytes(r.stdout)
    os.replace(tmp, cached)
    return r.stdout


@functools.lru_cache(maxsize=None)
def go_profile(trace: Path, kind: str) -> bytes:
    return _go("tool", "trace", f"-pprof={kind}", str(trace), key=trace.read_bytes())


def raw_samples(profile: bytes) -> collections.Counter:
    """go tool pprof -raw: {(stack as ((address, 'func file:line:col'), ...), count, ns): n}."""
    with tempfile.NamedTemporaryFile(suffix=".pb.gz") as f:
        f.write(profile)
        f.flush()
        text = _go("tool", "pprof", "-raw", f.name, key=profile).decode()
    samples, locations = [], {}
    for line in text.splitlines():
        if m := _SAMPLE.match(line):
            samples.append((int(m[1]), int(m[2]), m[3].split()))
        elif m := _LOCATION.match(line):
            locations[m[1]] = (int(m[2], 16), m[3])
    return collections.Counter((tuple(locations[i] for i in ids), count, ns) for count, ns, ids in samples)


def totals_and_flat(samples: collections.Counter) -> tuple[tuple[int, int], dict[str, int]]:
    count = sum(c * n for (_, c, _), n in samples.items())
    delay = sum(d * n for (_, _, d), n in samples.items())
    flat = collections.Counter()
    for (stack, _, d), n in samples.items():
        flat[stack[0][1].split(" ")[0] if stack else "<no stack>"] += d * n
    return (count, delay), dict(flat)


@functools.lru_cache(maxsize=None)
def model_of(trace: Path):
    return build(read(trace))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("trace", TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_profile_equals_go(trace, kind):
    go = raw_samples(go_profile(trace, kind))
    ours = raw_samples(pprof_profile(model_of(trace), kind))
    assert totals_and_flat(ours) == totals_and_flat(go)
    assert ours == go


def test_some_profiles_are_not_empty():
    """The comparison above is not vacuous: the committed traces have samples of every kind."""
    goref.require_go()
    for kind in KINDS:
        assert any(raw_samples(go_profile(t, kind)) for t in TRACES if t.parent.name == "go1.27"), kind


def test_cli_writes_file_and_stdout(tmp_path, capsysbinary):
    trace = next(t for t in TRACES if t.name == "contention.trace")
    copy = tmp_path / "c.trace"
    copy.write_bytes(trace.read_bytes())
    assert main(["pprof", str(copy), "--kind", "sync"]) == 0
    out = tmp_path / "c.trace.sync.pb.gz"
    assert f"wrote the sync profile to {out}" in capsysbinary.readouterr().err.decode()
    data = out.read_bytes()
    assert gzip.decompress(data)[:1] == b"\x0a"  # field 1, sample_type
    assert data == pprof_profile(model_of(trace), "sync")
    assert main(["pprof", str(copy), "--kind", "sync", "-o", "-"]) == 0
    assert capsysbinary.readouterr().out == data


@pytest.mark.parametrize("argv", [["pprof", "TRACE", "--kind", "cpu"], ["pprof", "TRACE", "--bogus"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main([a.replace("TRACE", str(TRACES[0])) for a in argv]) == 2
    assert "usage" in capsys.readouterr().err
