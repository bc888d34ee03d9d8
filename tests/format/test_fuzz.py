"""Fuzzing the reader: Go's FuzzReader corpus, mutated real traces and generated traces.

For every input, `read` either returns a Trace or raises TraceError (nothing else, no
hang), and what it returns holds together (`check`): events start with a Sync, times
strictly increase, every event prints, the error's offset lies in the file, and
`read_salvaged` agrees with it. Samples of the inputs are compared with
`go tool trace -d=parsed` (same accept/reject decision, same events before the error)
and with cmd/trace's salvage report.

Inputs:
- Go's own corpus (`$GOROOT/src/internal/trace/testdata/fuzz/FuzzReader`);
- a fast deterministic loop of mutations of small real traces (committed traces,
  three-generation traces, Go's test traces): bit flips, byte changes, cuts,
  insertions, deletions, duplicated, dropped and swapped batches, batch header fields
  set to extremes, two traces spliced;
- hypothesis: the same mutations, and traces generated batch by batch from a small
  grammar of plausible events (`random_trace`), in every format version.

CI size: 10,000 loop inputs + 2 x 300 hypothesis examples + the corpus. Set
TRACETUI_FUZZ_EXAMPLES=N for a longer run: N loop inputs and N examples per
hypothesis test (N // 50 of them compared with Go).
"""
from __future__ import annotations

import os
import random
import signal
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import goref
from tests.format import tracebuild as B
from tests.format.v1text import canonical
from tests.gofuzzcorpus import fuzz_reader_corpus
from tests.goref_salvage import go_salvage, prefetch
from tracetui.format import TraceError, read
from tracetui.format import spec as S
from tracetui.format.jsonl import event_json
from tracetui.format.raw import load_test_case
from tracetui.format.salvage import read_salvaged
from tracetui.format.wire import raw_specs

LONG = int(os.environ.get("TRACETUI_FUZZ_EXAMPLES", "0"))
LOOP_INPUTS = LONG or 10_000
HYPOTHESIS_EXAMPLES = LONG or 300
GO_SAMPLE = max(40, LOOP_INPUTS // 50) if LONG else 40
U64 = (1 << 64) - 1
MULTIGEN = Path(__file__).parent / "data" / "multigen"


# --- the invariants -------------------------------------------------------------------------

class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    def on_alarm(signum, frame):
        raise Hang(f"no result after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _check_trace(trace, data: bytes, deep: bool) -> None:
    n = len(trace)
    assert trace.size == len(data) and 0 <= trace.valid_bytes <= len(data)
    if n == 0:
        return
    assert trace.type[0] == S.EvSyncPublic
    assert (np.diff(trace.time) > 0).all(), "event times must strictly increase (Go's reader makes them)"
    rows = range(n) if deep else sorted({0, 1, n // 2, n - 2, n - 1} & set(range(n)))
    for i in rows:
        assert str(trace[i])
        event_json(trace, i)


def check(data: bytes, deep: bool = False) -> str:
    """Read `data` and check everything that must hold; "ok" or "error"."""
    with time_limit(10):
        try:
            trace = read(data)
        except TraceError as e:
            assert isinstance(e.message, str) and e.message and str(e)
            assert e.offset is None or 0 <= e.offset <= len(data), (e.offset, len(data))
            if e.partial is not None:
                _check_trace(e.partial, data, deep)
            outcome, partial = "error", e.partial
        else:
            # (a 1.26 trace of no generations is one Sync, as Go reads it)
            assert len(trace) >= 1 and trace.type[-1] == S.EvSyncPublic
            _check_trace(trace, data, deep)
            outcome, partial = "ok", None
        try:
            salvaged, report = read_salvaged(data)
        except TraceError:
            assert outcome == "error" and (partial is None or not (partial.type == S.EvSyncPublic).any())
        else:
            assert (report is None) == (outcome == "ok")
            if report is not None:
                assert 0 <= report.lost_bytes <= len(data) and report.events == len(salvaged) <= len(partial)
                assert report.events + report.dropped_events == len(partial)
    return outcome


def go_view(data: bytes) -> tuple[bytes, int]:
    out, _, rc = goref.go_tool_trace_bytes(data, "parsed")
    return out, rc


def ours_view(data: bytes) -> tuple[bytes, int]:
    try:
        trace, rc = read(data), 0
    except TraceError as e:
        trace, rc = e.partial, 1
    text = "".join(f"{ev}\n" for ev in trace) if trace is not None else ""
    return text.encode("utf-8", "surrogateescape"), rc


def old_format(data: bytes) -> bool:
    return any(data.startswith(f"go 1.{v} trace".encode()) for v in S.OLD_VERSIONS)


def known_discrepancy(data: bytes) -> str | None:
    """The known decoder discrepancy with Go this input runs into, if any (reproducer:
    tests/format/test_known_discrepancies.py)."""
    try:
        read(data)
    except TraceError as e:
        if e.message.startswith(("unsupported goroutine ID -1", "unsupported proc ID -1")):
            return "max-ids"
    return None


def compare_with_go(data: bytes) -> str:
    """"same", "go-crashed", "old-format", or the name of the known discrepancy hit;
    AssertionError on any other difference from go tool trace -d=parsed."""
    go_out, go_rc = go_view(data)
    if go_rc not in (0, 1):
        return "go-crashed"  # no reference (check() already ran)
    ours, rc = ours_view(data)
    if old_format(data):
        # Go orders some equal-time v1 events by map iteration: compared up to that order
        assert rc == go_rc, data.hex()
        assert ours == go_out or canonical(ours) == canonical(go_out), data.hex()
        return "old-format"
    if (rc, ours) != (go_rc, go_out):
        known = known_discrepancy(data)
        if known:
            return known
    assert rc == go_rc, data.hex()
    assert ours == go_out, data.hex()
    return "same"


# --- Go's corpus ----------------------------------------------------------------------------

CORPUS = fuzz_reader_corpus()


@pytest.mark.parametrize("name,data", CORPUS, ids=[n for n, _ in CORPUS])
def test_go_fuzz_corpus(name, data):
    check(data, deep=True)
    if goref.find_go():
        compare_with_go(data)


def test_go_fuzz_corpus_is_there():
    goref.require_go()
    assert len(CORPUS) >= 10 and all(d for _, d in CORPUS)


# --- seeds and mutations --------------------------------------------------------------------

@cache
def seeds() -> tuple[bytes, ...]:
    out = [p.read_bytes() for p in goref.committed_traces() if p.stat().st_size < 25_000]
    out += [p.read_bytes() for p in sorted(MULTIGEN.glob("*.trace"))]
    out += [B.simple_trace(v, gens) for v in S.SUPPORTED_VERSIONS for gens in (1, 3)]
    td = goref.go_testdata_dir()
    if td is not None:
        out += [load_test_case(p).trace_bytes for p in sorted((td / "tests").glob("*.test"))]
    return tuple(out)


def batch_spans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each batch, as far as the framing reads."""
    from tracetui.format.salvage import _GoReader, _read_batch

    r = _GoReader(data, S.HEADER_LEN)
    spans = []
    while True:
        rd = _read_batch(r)
        if rd.kind not in ("batch", "eog"):
            return spans
        spans.append((rd.hdr, rd.end))


EXTREMES = (0, 1, 0x7F, 0x80, 1 << 31, 1 << 32, (1 << 63) - 1, 1 << 63, U64 - 1, U64)
OPS = ("flip", "byte", "cut", "insert", "delete", "dup-batch", "drop-batch", "swap-batches", "header-field",
       "splice", "uvarint")


def mutate(data: bytes, op: str, a: int, b: int, other: bytes = b"") -> bytes:
    """One mutation of `data`; a and b are arbitrary non-negative ints that pick where and what."""
    n = len(data)
    body = max(1, n - S.HEADER_LEN)
    pos = S.HEADER_LEN + a % body
    d = bytearray(data)
    if op == "flip":
        d[min(pos, n - 1)] ^= 1 << (b % 8)
    elif op == "byte":
        d[min(pos, n - 1)] = b % 256
    elif op == "cut":
        del d[pos:]
    elif op == "insert":
        d[pos:pos] = bytes((b >> (8 * i)) % 256 for i in range(1 + b % 6))
    elif op == "delete":
        del d[pos:pos + 1 + b % 16]
    elif op == "uvarint":
        d[pos:pos + 1 + b % 3] = B.uvarint(EXTREMES[b % len(EXTREMES)])
    elif op == "splice":
        cut_other = S.HEADER_LEN + b % max(1, len(other) - S.HEADER_LEN)
        d[pos:] = other[cut_other:]
    else:
        spans = batch_spans(data)
        if not spans:
            return bytes(d)
        i, j = a % len(spans), b % len(spans)
        (s0, e0), (s1, e1) = spans[i], spans[j]
        if op == "dup-batch":
            d[e1:e1] = data[s0:e0]
        elif op == "drop-batch":
            del d[s0:e0]
        elif op == "swap-batches":
            if s0 > s1:
                (s0, e0), (s1, e1) = (s1, e1), (s0, e0)
            if e0 <= s1:
                d = bytearray(data[:s0] + data[s1:e1] + data[e0:s1] + data[s0:e0] + data[e1:])
        elif op == "header-field" and data[s0] in (S.EvEventBatch, S.EvExperimentalBatch):
            # Replace the gen, M or time uvarint of the batch header with an extreme value.
            p = s0 + 1 + (data[s0] == S.EvExperimentalBatch)
            for _ in range(b % 3):
                while p < n and data[p] & 0x80:
                    p += 1
                p += 1
            q = p
            while q < n and data[q] & 0x80:
                q += 1
            d[p:q + 1] = B.uvarint(EXTREMES[a % len(EXTREMES)])
    return bytes(d)


def loop_inputs(count: int, seed: int = 0):
    """The deterministic mutation stream: 1 to 3 mutations of a seed per input."""
    rnd = random.Random(seed)
    pool = seeds()
    for _ in range(count):
        data = rnd.choice(pool)
        for _ in range(rnd.choice((1, 1, 1, 2, 3))):
            data = mutate(data, rnd.choice(OPS), rnd.getrandbits(32), rnd.getrandbits(32), rnd.choice(pool))
        yield data


@pytest.mark.slow
def test_mutation_loop():
    """LOOP_INPUTS mutated traces through `check`; both outcomes must occur plenty."""
    outcomes = {"ok": 0, "error": 0}
    for data in loop_inputs(LOOP_INPUTS):
        outcomes[check(data)] += 1
    assert outcomes["ok"] > LOOP_INPUTS // 50 and outcomes["error"] > LOOP_INPUTS // 4, outcomes


def _go_sample() -> list[bytes]:
    step = max(1, LOOP_INPUTS // GO_SAMPLE)
    muts = [d for i, d in enumerate(loop_inputs(LOOP_INPUTS)) if i % step == 0][:GO_SAMPLE]
    rnd = random.Random(1)
    gens = [random_trace(rnd) for _ in range(GO_SAMPLE)]
    return muts + gens


def test_sample_matches_go(capsys):
    """Every 250th loop input, and as many generated traces, against go tool trace -d=parsed."""
    goref.require_go()
    sample = _go_sample()
    prefetch(sample, modes=("parsed",))
    results = [compare_with_go(data) for data in sample]
    accepted = sum(go_view(data)[1] == 0 for data in sample)
    assert accepted >= len(sample) // 20, f"only {accepted} of {len(sample)} sampled inputs are valid traces"
    with capsys.disabled():
        counts = {r: results.count(r) for r in sorted(set(results))}
        print(f"\n{len(sample)} inputs compared with Go ({accepted} valid): {counts}")


def test_salvage_sample_matches_go():
    """cmd/trace's Lost line on the broken inputs of a smaller sample."""
    goref.require_go()
    sample = [d for d in _go_sample()[::3] if not old_format(d) and not known_discrepancy(d)]
    prefetch(sample, modes=("salvage",))
    for data in sample:
        go = go_salvage(data)
        try:
            _, report = read_salvaged(data)
        except TraceError:
            assert go.failed is not None or go_view(data)[1] not in (0, 1), data.hex()
            continue
        if report is None:
            assert go.error is None and go.failed is None, data.hex()
        else:
            assert report.go_log()[1] == go.lost_line, data.hex()


# --- structure-aware generation -------------------------------------------------------------

def _thread_events(rnd: random.Random, st: dict, m: int, first: bool, nstr: int, nstacks: int) -> list[bytes]:
    """Events of one thread for one generation, from a small model of a Go program: the
    thread's proc runs a goroutine that creates goroutines, switches between them, opens
    tasks and regions and logs. `st` carries the thread's state across generations."""
    evs = []

    def e(name: str, *args: int) -> None:
        evs.append(B.ev(name, rnd.choice((0, 1, 1, 3, 40)), *args))

    def stack() -> int:
        return rnd.randint(0, nstacks)

    def string() -> int:
        return rnd.randint(1, nstr) if nstr else 0

    p = st["p"]
    e("ProcStatus", p, 1)
    if first:
        st["running"], st["next_g"] = m * 1000 + 1, m * 1000 + 2
    for g in st["seq"]:
        st["seq"][g] = 0
    if st["running"] is not None:
        st["seq"][st["running"]] = 0
        e("GoStatus", st["running"], m, 2)
    for g in st["runnable"]:
        e("GoStatus", g, B.NO_M, 1)
    for _ in range(rnd.randint(1, 16)):
        g = st["running"]
        if g is None:
            break
        op = rnd.choice(("create", "switch", "switch", "task", "task-end", "region", "region-end", "log", "heap",
                         "label", "destroy"))
        if op == "create":
            new = st["next_g"]
            st["next_g"] += 1
            e("GoCreate", new, stack(), stack())
            st["runnable"].append(new)
            st["seq"][new] = 0
        elif op == "switch" and st["runnable"]:
            e("GoStop", string(), stack())
            st["runnable"].append(g)
            nxt = st["runnable"].pop(rnd.randrange(len(st["runnable"])))
            st["seq"][nxt] = st["seq"].get(nxt, 0) + 1
            e("GoStart", nxt, st["seq"][nxt])
            st["running"] = nxt
        elif op == "task":
            st["next_task"] += 1
            st["tasks"].append(st["next_task"])
            e("UserTaskBegin", st["next_task"], rnd.choice([0] + st["tasks"][:-1]), string(), stack())
        elif op == "task-end" and st["tasks"]:
            e("UserTaskEnd", st["tasks"].pop(rnd.randrange(len(st["tasks"]))), stack())
        elif op == "region":
            name = string()
            st["regions"].setdefault(g, []).append(name)
            e("UserRegionBegin", rnd.choice([0] + st["tasks"]), name, stack())
        elif op == "region-end" and st["regions"].get(g):
            e("UserRegionEnd", 0, st["regions"][g].pop(), stack())
        elif op == "log":
            e("UserLog", rnd.choice([0] + st["tasks"]), string(), string(), stack())
        elif op == "heap":
            e("HeapAlloc", rnd.randint(0, 1 << 30))
        elif op == "label":
            e("GoLabel", string())
        elif op == "destroy" and rnd.random() < 0.3:
            e("GoDestroy")
            st["running"] = None
    return evs


def random_trace(rnd: random.Random, version: int | None = None) -> bytes:
    """A trace generated batch by batch: the structural batches and, per thread, events
    from `_thread_events`; then, now and then, a glitch: a random event with random
    arguments, an extreme argument, a swapped pair of events, a missing piece or a
    shuffled batch order. About a third of them are valid traces."""
    v = version or rnd.choice(S.SUPPORTED_VERSIONS)
    specs = raw_specs(v)
    timed = [t for t, s in enumerate(specs) if s.timed]
    gen = rnd.choice((1, 1, 1, 2, U64 - 2))
    threads = rnd.sample((1, 2, 3, 4), rnd.randint(1, 3))
    state = {m: dict(p=i, running=None, runnable=[], seq={}, next_g=0, tasks=[], next_task=m * 100, regions={})
             for i, m in enumerate(threads)}
    glitchy = rnd.random() < 0.5
    out = [B.header(v)]
    for gi in range(rnd.choice((1, 1, 1, 2, 3))):
        g = (gen + gi) % (1 << 64) or 1
        t0 = 1000 * (gi + 1)
        nstr = rnd.randint(0, 5)
        strings = {i: rnd.choice(("main.main", "main.go", "task", "", "x" * 40)) for i in range(1, nstr + 1)}
        nstacks = rnd.randint(0, 3)
        stacks = bytearray([S.EvStacks])
        for sid in range(1, nstacks + 1):
            nf = rnd.randint(1, 3)
            stacks += B.ev("Stack", sid, nf) + b"".join(
                B.uvarint(rnd.choice((0x401000, 0x402000, 0x403000))) + B.uvarint(rnd.randint(0, nstr))
                + B.uvarint(rnd.randint(0, nstr)) + B.uvarint(rnd.randint(1, 99)) for _ in range(nf))
        freq = rnd.choice((1_000_000_000, 1_000_000_000, 15_625_000, 1))
        sync = (B.ev("Sync") if v >= S.GO125 else b"") + B.ev("Frequency", freq)
        if v >= S.GO125:
            sync += B.ev("ClockSnapshot", 1, 100 * (gi + 1), 1_700_000_000 + gi, 0)
        strs = bytes([S.EvStrings]) + b"".join(B.ev("String", i, data=s.encode()) for i, s in strings.items())
        batches = [(B.NO_M, t0, sync), (B.NO_M, t0 + 1, bytes(stacks)), (B.NO_M, t0 + 2, strs)]
        for m in threads:
            evs = _thread_events(rnd, state[m], m, gi == 0, nstr, nstacks)
            if glitchy and rnd.random() < 0.5 and evs:
                i = rnd.randrange(len(evs))
                kind = rnd.randrange(3)
                if kind == 0:
                    t = rnd.choice(timed)
                    evs[i] = B.ev(specs[t].name, *(rnd.choice((0, 1, 2, 3, 4, 1000)) for _ in specs[t].args))
                elif kind == 1 and len(evs) > 1:
                    j = rnd.randrange(len(evs))
                    evs[i], evs[j] = evs[j], evs[i]
                else:
                    evs[i] = evs[i][:1] + B.uvarint(rnd.choice(EXTREMES)) + evs[i][2:]
            cut = rnd.randint(0, len(evs))
            for k, part in enumerate((evs[:cut], evs[cut:])):
                if part:
                    batches.append((m, t0 + 10 + 500 * k, b"".join(part)))
        if rnd.random() < 0.1:
            samples = b"".join(B.ev("CPUSample", t0 + rnd.randint(0, 100), rnd.choice(threads), rnd.randint(0, 2),
                                    rnd.randint(1, 4), rnd.randint(0, nstacks)) for _ in range(rnd.randint(1, 4)))
            batches.append((B.NO_M, t0 + 3, bytes([S.EvCPUSamples]) + samples))
        if glitchy and rnd.random() < 0.2:
            batches.pop(rnd.randrange(len(batches)))
        if glitchy and rnd.random() < 0.2:
            rnd.shuffle(batches)
        for m, t, body in batches:
            out.append(B.batch_header(g, m, t, len(body)) + body)
        if v >= S.GO126 and not (glitchy and rnd.random() < 0.05):
            out.append(B.EOG)
    return b"".join(out)


def test_generated_traces_are_sometimes_valid():
    rnd = random.Random(7)
    outcomes = [check(random_trace(rnd)) for _ in range(300)]
    assert outcomes.count("ok") >= 60, outcomes.count("ok")


HSETTINGS = dict(max_examples=HYPOTHESIS_EXAMPLES, deadline=None, database=None, derandomize=not LONG,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(**HSETTINGS)
@given(st.randoms(use_true_random=False), st.sampled_from(S.SUPPORTED_VERSIONS))
def test_hypothesis_generated(rnd, version):
    check(random_trace(rnd, version), deep=True)


@settings(**HSETTINGS)
@given(st.integers(0, 10 ** 6),
       st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 2 ** 32), st.integers(0, 2 ** 32)),
                min_size=1, max_size=4))
def test_hypothesis_mutations(seed_index, ops):
    pool = seeds()
    data = pool[seed_index % len(pool)]
    for i, (op, a, b) in enumerate(ops):
        data = mutate(data, op, a, b, pool[(seed_index + i + 1) % len(pool)])
    check(data)


@pytest.mark.parametrize("version", S.SUPPORTED_VERSIONS)
def test_header_only(version):
    """Found by the long run: a header and nothing else (Go: one Sync; before 1.26 then
    "no frequency event found")."""
    data = B.header(version)
    assert check(data, deep=True) == ("ok" if version >= S.GO126 else "error")
    if goref.find_go():
        assert compare_with_go(data) == "same"
