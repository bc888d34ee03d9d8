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


@functools.cache
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


@functools.cache
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


@pytest.mark.parametrize("argv", [["pprof", "TRACE", "--kind", "bogus"], ["pprof", "TRACE", "--bogus"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main([a.replace("TRACE", str(TRACES[0])) for a in argv]) == 2
    assert "usage" in capsys.readouterr().err


# Filtered profiles: `go tool trace`'s web UI serves them (/block?name=G, /regionblock?type=R, raw=1).

WEB_KINDS = {"net": "io", "sync": "block", "syscall": "syscall", "sched": "sched"}
FILTERED = [p for p in TRACES if p.parent.name in ("go1.22", "go1.27") and p.stem in ("annotations", "mixed",
                                                                                    "contention", "net")]


def _fields(buf: bytes):
    """A protobuf message's (field, value) pairs: ints for varints, bytes for length-delimited."""
    i, out = 0, []
    while i < len(buf):
        key, i = _varint(buf, i)
        if key & 7 == 0:
            v, i = _varint(buf, i)
        elif key & 7 == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        else:
            raise ValueError(f"wire type {key & 7}")
        out.append((key >> 3, v))
    return out


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return n, i


def decoded_samples(profile: bytes) -> collections.Counter:
    """{(stack of (address, function, file, line), count, ns): n}, read with a small protobuf decoder."""
    fields = _fields(gzip.decompress(profile))
    strings = [v.decode("utf-8", "surrogateescape") for f, v in fields if f == 6]
    funcs = {}
    for f, v in fields:
        if f == 5:
            d = dict(_fields(v))
            funcs[d.get(1, 0)] = (strings[d.get(2, 0)], strings[d.get(4, 0)])
    locs = {}
    for f, v in fields:
        if f == 4:
            d = _fields(v)
            line = dict(_fields(dict(d)[4]))
            locs[dict(d).get(1, 0)] = (dict(d).get(3, 0), *funcs[line.get(1, 0)], line.get(2, 0))
    out = collections.Counter()
    for f, v in fields:
        if f == 2:
            ids, values = [], []
            for sf, sv in _fields(v):  # repeated fields, packed or not
                packed, at = [sv] if isinstance(sv, int) else [], 0
                while not isinstance(sv, int) and at < len(sv):
                    x, at = _varint(sv, at)
                    packed.append(x)
                (ids if sf == 1 else values if sf == 2 else []).extend(packed)
            out[tuple(locs[i] for i in ids), *values] += 1
    return out


def go_web_profiles(trace: Path, queries: list[str]) -> dict[str, bytes]:
    """Go's web UI's raw profiles for `queries` (paths like "/block?name=main.f"), cached on disk."""
    import urllib.parse
    import urllib.request

    go = goref.require_go()
    digest = hashlib.sha256(trace.read_bytes()).hexdigest()
    cache = CACHE / (goref.go_version() or "go") / f"web-{digest}"
    key = lambda q: hashlib.sha256(q.encode()).hexdigest()
    missing = [q for q in queries if not (cache / key(q)).exists()]
    if missing:
        env = {**os.environ, "BROWSER": "true", "TZ": "UTC"}
        proc = subprocess.Popen([go, "tool", "trace", "-http=127.0.0.1:0", str(trace)], stderr=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, env=env, text=True, cwd=tempfile.gettempdir())
        try:
            for line in proc.stderr:
                if "listening on " in line:
                    base = line.rsplit("listening on ", 1)[1].strip()
                    break
            else:
                pytest.fail("go tool trace -http did not start")
            cache.mkdir(parents=True, exist_ok=True)
            for q in missing:
                path, _, name = q.partition("=")
                url = f"{base}{path}={urllib.parse.quote(name)}&raw=1"
                with urllib.request.urlopen(url, timeout=120) as r:
                    (cache / key(q)).write_bytes(r.read())
        finally:
            proc.kill()
            proc.wait()
    return {q: (cache / key(q)).read_bytes() for q in queries}


@pytest.mark.parametrize("trace", FILTERED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_filtered_profiles_equal_go_web_ui(trace):
    """--goroutine NAME and --region NAME against Go's web UI, for every goroutine name and
    region name in the trace and every kind; at least some of them are not empty."""
    model = model_of(trace)
    G, R, strings = model.summary.goroutines, model.summary.regions, model.trace.strings
    gnames = sorted({strings[i] for i in G["name"][G["live"]]} - {""})
    rnames = sorted({strings[i] for i in R["name"][R["in_summary"]]})
    queries = {}
    for kind, web in WEB_KINDS.items():
        for name in gnames:
            queries[f"/{web}?name={name}"] = dict(kind=kind, goroutine=name)
        for name in rnames:
            queries[f"/region{web}?type={name}"] = dict(kind=kind, region=name)
    go = go_web_profiles(trace, list(queries))
    nonempty = 0
    for q, kw in queries.items():
        want = decoded_samples(go[q])
        assert decoded_samples(pprof_profile(model, **kw)) == want, q
        nonempty += bool(want)
    assert nonempty >= 5


def test_decoder_agrees_with_go_tool_pprof():
    """The decoder the filtered test uses reads profiles as `go tool pprof -raw` does."""
    trace = next(t for t in TRACES if t.parent.name == "go1.27" and t.name == "contention.trace")
    for kind in ("sync", "sched"):
        go = go_profile(trace, kind)
        by_decoder = collections.Counter({(tuple(a for a, *_ in stack), c, d): n
                                          for (stack, c, d), n in decoded_samples(go).items()})
        by_pprof = collections.Counter({(tuple(a for a, _ in stack), c, d): n
                                        for (stack, c, d), n in raw_samples(go).items()})
        assert by_decoder == by_pprof and by_pprof


def test_cli_filters(tmp_path, capsys):
    trace = next(t for t in TRACES if t.parent.name == "go1.27" and t.name == "annotations.trace")
    out = tmp_path / "p.pb.gz"
    assert main(["pprof", str(trace), "--kind", "sched", "--region", "db.query", "-o", str(out)]) == 0
    assert out.read_bytes() == pprof_profile(model_of(trace), "sched", region="db.query")
    assert main(["pprof", str(trace), "--goroutine", "main.nope", "-o", str(out)]) == 1
    assert "no goroutine named 'main.nope'" in capsys.readouterr().err
    assert main(["pprof", str(trace), "--goroutine", "a", "--region", "b"]) == 2
