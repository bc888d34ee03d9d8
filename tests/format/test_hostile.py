"""Hostile input: sizes, counts and ids in a trace file must not make the reader
allocate much more than the file or loop without consuming input.

Each case below is a trace built to push one field to its limit: batch sizes up to
2^64-1, string lengths, stack depths, ids near 2^64, frequencies of 0 and 2^64-1,
generation numbers, timestamps, and many tiny batches, generations, strings, stacks,
nested regions and tasks. `tests/format/memprobe.py` reads each in a forked child of a
fresh interpreter with a time limit and measures the growth of its peak resident set
size: it must stay under 50 MB + 20x the input (a read that would not end is stopped at
20 s and fails; how long each read takes is checked in benchmarks/test_hostile.py).
Then the outcome is compared with `go tool trace -d=parsed` on the same bytes (same accept/reject decision, same events
before the error) wherever Go neither crashes nor runs out of time.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest

from tests import goref
from tests.format import tracebuild as B
from tests.format.memprobe import probe
from tests.goref_salvage import prefetch
from tracetui.format import TraceError, read
from tracetui.format import spec as S

U64 = (1 << 64) - 1
BIG = U64 - 1
LIMIT = lambda size: 50_000_000 + 20 * size
E = B.simple_events()


def one_gen(v: int, batches: list[bytes], **kw) -> bytes:
    kw.setdefault("strings", B.STRINGS)
    return B.trace(v, B.generation(v, 1, batches, **kw))


def with_batch_body(v: int, body: bytes, gen: int = 1, m: int = B.NO_M) -> bytes:
    """A generation whose stacks/strings batch is replaced by hand-made bytes."""
    return B.trace(v, B.sync_batches(v, gen, strings=B.STRINGS) + B.batch_header(gen, m, 50, len(body)) + body
                   + B.batch(v, gen, 1, 100, E) + (B.EOG if v >= S.GO126 else b""))


def repeat_batches(v: int, text: str, n: int, m_of=lambda i: 1, first: str = "") -> bytes:
    """One generation with n batches of the same events (M chosen per batch)."""
    body = B.body(v, text)
    parts = [B.batch(v, 1, m_of(0), 100, first)] if first else []
    parts += [B.batch_header(1, m_of(i), 100 + i, len(body)) + body for i in range(n)]
    return one_gen(v, parts)


def many_generations(v: int, n: int) -> bytes:
    bodies = [B.body(v, "Sync\nFrequency freq=1000000000\nClockSnapshot dt=1 mono=1 sec=1 nsec=0\n"
                     if v >= S.GO125 else "Frequency freq=1000000000\n"),
              B.body(v, "Stacks\n"), B.body(v, "Strings\n")]
    ev = B.body(v, "ProcStatus dt=1 p=0 pstatus=2\n")
    out = [B.header(v)]
    for gen in range(1, n + 1):
        for b in bodies:
            out.append(B.batch_header(gen, B.NO_M, gen * 10, len(b)) + b)
        out.append(B.batch_header(gen, 1, gen * 10 + 1, len(ev)) + ev)
        if v >= S.GO126:
            out.append(B.EOG)
    return b"".join(out)


def nested(v: int, depth: int) -> bytes:
    evs = [B.ev("ProcStatus", 1, 0, 1), B.ev("GoStatus", 1, 1, 1, 2)]
    evs += [B.ev("UserTaskBegin", 1, i + 1, i, 1, 0) for i in range(depth)]
    evs += [B.ev("UserRegionBegin", 1, 1, 2, 0)] * depth + [B.ev("UserRegionEnd", 1, 1, 2, 0)] * depth
    batches = []
    for k in range(0, len(evs), 4000):
        body = b"".join(evs[k:k + 4000])
        batches.append(B.batch_header(1, 1, 100 + k, len(body)) + body)
    return one_gen(v, batches)


def many_strings(v: int, n: int, duplicate: bool = False) -> bytes:
    ids = list(range(1, n + 1))
    if duplicate:
        ids[-1] = 1
    batches = []
    for k in range(0, n, 3000):
        body = bytes([S.EvStrings]) + b"".join(B.ev("String", i, data=b"s%07d" % i) for i in ids[k:k + 3000])
        batches.append(B.batch_header(1, B.NO_M, 60, len(body)) + body)
    return B.trace(v, B.sync_batches(v, 1) + b"".join(batches) + B.batch(v, 1, 1, 100, E)
                   + (B.EOG if v >= S.GO126 else b""))


def deep_stacks(v: int, nstacks: int, depth: int = 128) -> bytes:
    strings = {1: "main.f", 2: "main.go"}
    batches = []
    per = 60
    u = B.uvarint
    for k in range(0, nstacks, per):
        body = bytearray([S.EvStacks])
        for i in range(k, min(k + per, nstacks)):
            body += bytes([S.EvStack]) + u(i + 1) + u(depth)
            body += b"".join(u((i * depth + j) * 16 + 4096) + b"\x01\x02" + u(j) for j in range(depth))
        batches.append(B.batch_header(1, B.NO_M, 55, len(body)) + bytes(body))
    lines = "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=1 gstatus=2\n" + "".join(
        f"GoCreate dt=1 new_g={i + 10} new_stack={i + 1} stack={i + 1}\n" for i in range(0, nstacks, 7))
    return B.trace(v, B.sync_batches(v, 1, strings=strings) + b"".join(batches)
                   + B.batch(v, 1, 1, 100, lines) + (B.EOG if v >= S.GO126 else b""))


def cpu_samples(v: int, nbatches: int) -> bytes:
    sample = B.body(v, "CPUSample time=150 m=1 p=0 g=1 stack=0\n")
    per = (S.MAX_BATCH_SIZE - 1) // len(sample)
    body = bytes([S.EvCPUSamples]) + sample * per
    return B.trace(v, B.sync_batches(v, 1, strings=B.STRINGS)
                   + b"".join(B.batch_header(1, B.NO_M, 60, len(body)) + body for _ in range(nbatches))
                   + B.batch(v, 1, 1, 100, E) + (B.EOG if v >= S.GO126 else b""))


def experimental(v: int, nbatches: int) -> bytes:
    data = bytes(range(256)) * 255
    hdr = bytes([S.EvExperimentalBatch, 1]) + B.uvarint(1) + B.uvarint(1) + B.uvarint(100) + B.uvarint(len(data))
    return B.trace(v, B.sync_batches(v, 1, strings=B.STRINGS) + (hdr + data) * nbatches
                   + B.batch(v, 1, 1, 100, E) + (B.EOG if v >= S.GO126 else b""))


def ordering_worst_case(v: int, n: int) -> bytes:
    """n threads that each start and stop proc 0, in the reverse of their timestamp order
    (p_seq forces it): every event is found by trying every thread, as Go's reader does
    (quadratic in n: 4000 threads take 0.2 s, 16000 take 3.3 s and 5.1 s in Go)."""
    parts = [B.batch(v, 1, 1, 10, "ProcStatus dt=1 p=0 pstatus=2\n")]
    for k in range(1, n + 1):
        body = B.ev("ProcStart", 1, 0, k) + B.ev("ProcStop", 1)
        parts.append(B.batch_header(1, k + 1, 100 + (n - k) * 3, len(body)) + body)
    return one_gen(v, parts)


def _cases() -> dict[str, bytes]:
    c: dict[str, bytes] = {}
    for v in (S.GO122, S.GO126):
        h = B.header(v)
        # Batch framing: sizes and uvarints at and past their limits.
        c[f"v{v}-batch-size-2^64-1"] = h + B.batch_header(1, 1, 1, U64) + b"\0" * 32
        c[f"v{v}-batch-size-2^64-1-padded"] = h + B.batch_header(1, 1, 1, U64, pad=True) + b"\0" * 32
        c[f"v{v}-batch-size-max+1"] = h + B.batch_header(1, 1, 1, S.MAX_BATCH_SIZE + 1) + b"\0" * 32
        c[f"v{v}-batch-size-max-short"] = h + B.batch_header(1, 1, 1, S.MAX_BATCH_SIZE) + b"\0" * 32
        c[f"v{v}-batch-gen-overlong"] = h + bytes([S.EvEventBatch]) + b"\xff" * 10 + b"\x01"
        c[f"v{v}-batch-size-overlong"] = h + bytes([S.EvEventBatch, 1, 1, 1]) + b"\x80" * 10 + b"\x00"
        c[f"v{v}-exp-batch-size-2^64-1"] = h + bytes([S.EvExperimentalBatch, 1, 1, 1, 1]) + B.uvarint(U64)
        # Strings and stacks: lengths and depths.
        for n in (U64, 1 << 32, S.MAX_STRING_SIZE + 1):
            body = bytes([S.EvStrings, S.EvString]) + B.uvarint(1) + B.uvarint(n) + b"x" * min(n, 2000)
            c[f"v{v}-string-len-{n}"] = with_batch_body(v, body)
        body = bytes([S.EvStrings, S.EvString]) + B.uvarint(5) + B.uvarint(S.MAX_STRING_SIZE) + b"y" * S.MAX_STRING_SIZE
        c[f"v{v}-string-len-max"] = with_batch_body(v, body)
        for n in (U64, 1 << 31, S.MAX_FRAMES_PER_STACK + 1):
            body = bytes([S.EvStacks, S.EvStack]) + B.uvarint(1) + B.uvarint(n) + b"\x01\x01\x02\x03" * 200
            c[f"v{v}-stack-depth-{n}"] = with_batch_body(v, body)
        body = (bytes([S.EvStacks, S.EvStack]) + B.uvarint(1) + B.uvarint(S.MAX_FRAMES_PER_STACK)
                + b"\x01\x01\x02\x03" * 3)
        c[f"v{v}-stack-depth-max-short"] = with_batch_body(v, body)
        c[f"v{v}-deep-stacks"] = deep_stacks(v, 1500)
        # Ids near 2^64 (2^64-1 is Go's "none": see test_known_discrepancies.test_max_ids).
        c[f"v{v}-ids-near-2^64"] = one_gen(v, [B.batch(v, 1, BIG, 100, B.simple_events(
            g=BIG, p=BIG - 1, m=BIG, new_g=BIG - 2, task=BIG - 3))])
        c[f"v{v}-thread-id-2^64-1"] = one_gen(v, [B.batch(v, 1, U64, 100, E)])
        c[f"v{v}-task-id-2^64-1"] = one_gen(v, [B.batch(v, 1, 1, 100, B.simple_events(task=U64))])
        # Frequencies, timestamps, generation numbers.
        for f in (0, 1, U64):
            c[f"v{v}-freq-{f}"] = one_gen(v, [B.batch(v, 1, 1, 100, E)], freq=f)
        c[f"v{v}-time-2^64-1"] = one_gen(v, [B.batch(v, 1, 1, U64, E)])
        c[f"v{v}-dt-2^64-1"] = one_gen(v, [B.batch(v, 1, 1, 100, E.replace("dt=1", f"dt={U64}", 3))])
        c[f"v{v}-gen-2^64-1"] = B.trace(v, B.generation(v, U64, [B.batch(v, U64, 1, 100, E)], strings=B.STRINGS))
        c[f"v{v}-gen-2^64-1-then-0"] = c[f"v{v}-gen-2^64-1"] + B.generation(v, 0, [], strings=B.STRINGS)
        c[f"v{v}-gen-1-then-5"] = one_gen(v, [B.batch(v, 1, 1, 100, E)]) + B.generation(v, 5, [], strings=B.STRINGS)
        c[f"v{v}-gen-0"] = B.trace(v, B.generation(v, 0, [], strings=B.STRINGS))
        # Many small things.
        c[f"v{v}-many-generations"] = many_generations(v, 3000)
        c[f"v{v}-many-empty-batches-distinct-threads"] = repeat_batches(v, "", 100_000, m_of=lambda i: i + 10)
        c[f"v{v}-many-tiny-batches-one-thread"] = repeat_batches(
            v, "HeapAlloc dt=1 heapalloc_value=5\n", 100_000, first="ProcStatus dt=1 p=0 pstatus=1\n")
        c[f"v{v}-many-strings"] = many_strings(v, 30_000)
        c[f"v{v}-duplicate-string"] = many_strings(v, 6_000, duplicate=True)
        c[f"v{v}-nested-tasks-and-regions"] = nested(v, 10_000)
        c[f"v{v}-cpu-samples"] = cpu_samples(v, 30)
        c[f"v{v}-ordering-worst-case"] = ordering_worst_case(v, 3000)
    c["v26-experimental-batches"] = experimental(S.GO126, 60)
    return c


@functools.cache
def cases() -> dict[str, bytes]:
    return _cases()


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> dict[str, dict]:
    d = tmp_path_factory.mktemp("hostile")
    paths = []
    for name, data in cases().items():
        p = d / f"{name}.trace"
        p.write_bytes(data)
        paths.append(p)
    results = {r["path"]: r for r in probe(paths, timeout=20)}
    out = {}
    for p in paths:
        r = results[str(p)]
        r["size"] = p.stat().st_size
        r["text"] = (p.parent / (p.name + ".out")).read_bytes() if r["outcome"] in ("ok", "error") else None
        out[p.stem] = r
    return out


NAMES = list(cases())


@pytest.mark.parametrize("name", NAMES)
def test_bounded_memory_and_time(name, probed):
    r = probed[name]
    assert r["outcome"] in ("ok", "error"), r
    assert r["peak_bytes"] <= LIMIT(r["size"]), (
        f"{name}: peak grew {r['peak_bytes'] / 1e6:.1f} MB on {r['size'] / 1e6:.2f} MB of input")


# Inputs whose cost per byte is the highest we know of, at two sizes: the growth must
# be linear. Measured slopes (peak bytes per input byte): empty batches on distinct
# threads ~43, stacks of 128 distinct frames ~35 (every frame interned), CPU samples ~19,
# one-event batches ~11.
SCALING = {
    "deep-stacks": lambda k: deep_stacks(S.GO126, 750 * k),
    "empty-batches-distinct-threads": lambda k: repeat_batches(S.GO126, "", 50_000 * k, m_of=lambda i: i + 10),
    "cpu-samples": lambda k: cpu_samples(S.GO126, 15 * k),
    "tiny-batches-one-thread": lambda k: repeat_batches(S.GO126, "HeapAlloc dt=1 heapalloc_value=5\n", 50_000 * k,
                                                        first="ProcStatus dt=1 p=0 pstatus=1\n"),
}


@pytest.mark.slow
def test_growth_is_linear(tmp_path):
    paths = []
    for name, build in SCALING.items():
        for k in (1, 3):
            p = tmp_path / f"{name}-{k}.trace"
            p.write_bytes(build(k))
            paths.append(p)
    r = {Path(x["path"]).stem: x for x in probe(paths, timeout=20)}
    for name in SCALING:
        small, big = r[f"{name}-1"], r[f"{name}-3"]
        assert small["outcome"] == big["outcome"] == "ok", (small, big)
        d_in = (tmp_path / f"{name}-3.trace").stat().st_size - (tmp_path / f"{name}-1.trace").stat().st_size
        slope = (big["peak_bytes"] - small["peak_bytes"]) / d_in
        assert slope < 64, f"{name}: {slope:.1f} bytes of memory per input byte"


@pytest.fixture(scope="module")
def go_results():
    goref.require_go()
    prefetch(cases().values(), modes=("parsed",))


@pytest.mark.parametrize("name", NAMES)
def test_same_decision_and_events_as_go(name, probed, go_results):
    data = cases()[name]
    out, err, rc = goref.go_tool_trace_bytes(data, "parsed")
    if rc not in (0, 1):
        goref.skip_go(f"Go's parser crashed on this input (exit {rc}): {err.decode(errors='replace')[:200]}")
    r = probed[name]
    assert (r["outcome"] == "ok") == (rc == 0), (r["message"], err)
    assert r["text"] == out


def test_expectations():
    """What the limits do, in our words (a few cases, read in process)."""
    c = cases()
    for name, msg in [("v22-batch-size-2^64-1", "invalid batch size 18446744073709551615, maximum is 65536"),
                      ("v26-string-len-18446744073709551615", "invalid string size"),
                      ("v26-stack-depth-18446744073709551615", "invalid stack size"),
                      ("v22-gen-1-then-5", "generations out of order"),
                      ("v26-gen-0", "invalid generation number 0")]:
        with pytest.raises(TraceError, match=msg):
            read(c[name])
    t = read(c["v26-ids-near-2^64"])
    assert BIG in t.goroutine_ids.astype("uint64").tolist() and BIG in t.thread_ids.astype("uint64").tolist()
    assert len(read(c["v26-many-generations"]).generations) == 3000
    assert len(read(c["v22-many-tiny-batches-one-thread"])) > 100_000
