"""`tracetui pprof --top`, `--kind cpu` and `--format folded` against Go.

- `--top` (JSON) holds the numbers `go tool pprof -top -nodefraction=0 -unit=ns` prints for
  the profile we write (flat, cum, row order, by function), for every kind on every
  committed trace, and the other sample type's (-sample_index=0) on the go1.27 traces;
- `--kind cpu`: per stack (program counters), the samples of our CPU profile as
  `go tool pprof -raw` reads it equal the StackSample events of `go tool trace -d=parsed`;
- `--format folded`: per stack, the values of `go tool pprof -raw`, outermost first.
Go's outputs are cached on disk (tests/reports/test_pprof.py `_go`, tests/goref.py)."""
from __future__ import annotations

import collections
import json
import re
import tempfile

import pytest

from tests import goref
from tests.reports.test_pprof import _go, model_of, raw_samples
from tracetui.cli import main
from tracetui.reports.pprof import PROFILE_KINDS, pprof_profile

TRACES = goref.committed_traces()
_ROW = re.compile(r"^\s*(-?\d+)(?:ns)?\s+\S+%\s+\S+%\s+(-?\d+)(?:ns)?\s+\S+%\s+(.*?)(?: \((?:partial-)?inline\))?$")


def go_top(profile: bytes, *flags: str) -> list[tuple[str, int, int]]:
    """(function, flat, cum) rows of `go tool pprof -top`, in its order."""
    with tempfile.NamedTemporaryFile(suffix=".pb.gz") as f:
        f.write(profile)
        f.flush()
        text = _go("tool", "pprof", "-top", "-nodefraction=0", "-unit=ns", *flags, f.name, key=profile).decode()
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.split() == ["flat", "flat%", "sum%", "cum", "cum%"])
    rows = []
    for line in lines[head + 1:]:
        m = _ROW.match(line)
        assert m, line
        rows.append((m[3], int(m[1]), int(m[2])))
    return rows


def our_top(trace, kind: str, capsys) -> list[dict]:
    assert main(["pprof", str(trace), "--kind", kind, "--top", "0", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("kind", PROFILE_KINDS)
@pytest.mark.parametrize("trace", TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_top_equals_go_tool_pprof(trace, kind, capsys):
    profile = pprof_profile(model_of(trace), kind)
    ours = our_top(trace, kind, capsys)
    assert [(r["function"], r["flat_ns"], r["cum_ns"]) for r in ours] == go_top(profile)
    if trace.parent.name == "go1.27":
        counts = {f: (flat, cum) for f, flat, cum in go_top(profile, "-sample_index=0")}
        assert {r["function"]: (r["flat_count"], r["cum_count"]) for r in ours} == counts


def test_top_is_not_vacuous(capsys):
    """Every kind has rows on some go1.27 trace (the comparison above compares something)."""
    for kind in PROFILE_KINDS:
        assert any(len(our_top(t, kind, capsys)) > 3 for t in TRACES if t.parent.name == "go1.27"), kind


def parsed_cpu_samples(trace) -> collections.Counter:
    """{stack as program counters, innermost first: StackSample events} from go tool trace -d=parsed."""
    out, _, rc = goref.go_tool_trace(trace, "parsed")
    assert rc == 0
    counts, stack, in_sample = collections.Counter(), [], False
    for line in out.decode(errors="replace").splitlines() + [""]:
        if not line.startswith("\t") and line != "Stack=":
            if in_sample:
                counts[tuple(stack)] += 1
            in_sample = " StackSample " in line
            stack = []
        elif in_sample and " @ 0x" in line:
            stack.append(int(line.rsplit(" @ ", 1)[1], 16))
    return counts


@pytest.mark.parametrize("trace", TRACES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_cpu_profile_samples_equal_go_parsed(trace):
    want = parsed_cpu_samples(trace)
    got = collections.Counter()
    for (stack, count, ns), n in raw_samples(pprof_profile(model_of(trace), "cpu")).items():
        got[tuple(addr for addr, _ in stack)] += count * n
        assert ns == count * 10_000_000
    assert got == want
    if trace.stem == "cpuprofile":   # the go1.21 run of the program has 11 samples, the others 40-50
        assert sum(want.values()) > 10


def test_folded_matches_raw_profile(tmp_path):
    trace = next(t for t in TRACES if t.parent.name == "go1.27" and t.name == "cpuprofile.trace")
    out = tmp_path / "cpu.folded"
    assert main(["pprof", str(trace), "--kind", "cpu", "--format", "folded", "-o", str(out)]) == 0
    want = collections.Counter()
    for (stack, _, ns), n in raw_samples(pprof_profile(model_of(trace), "cpu")).items():
        want[";".join(loc.split(" ")[0] for _, loc in reversed(stack))] += ns * n
    got = collections.Counter()
    for line in out.read_text().splitlines():
        text, _, value = line.rpartition(" ")
        got[text] += int(value)
    assert got == want and len(got) > 5


def test_top_text_and_usage(capsys):
    trace = next(t for t in TRACES if t.parent.name == "go1.27" and t.name == "contention.trace")
    assert main(["pprof", str(trace), "--kind", "sync", "--top", "3", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sync profile, delay: ") and "showing 3 of" in out
    assert len(out.strip().splitlines()) == 2 + 3
    assert main(["pprof", str(trace), "--top", "--format", "folded"]) == 2
    assert main(["pprof", str(trace), "--top", "-1"]) == 2
