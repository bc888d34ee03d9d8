"""Small binary traces built batch by batch, for the hostile-input and fuzz tests.

Events are written in Go's raw text format (`tracetui.format.raw`, the syntax of
$GOROOT/src/internal/trace/testdata/tests/*.test) without the header line; batch sizes
are computed. Header fields can also be written as raw bytes, for values no honest
writer produces (overlong uvarints, sizes past the maximum).

- `header(version)`, `uvarint(v, width=0)`, `ev(name, *args, data=None)`: one event's bytes
- `body(version, text) -> bytes`: the encoded events of a batch
- `batch(version, gen, m, time, text, size=None, pad=False) -> bytes`: one EventBatch
- `sync_batches(version, gen, time, freq=..., strings=..., stacks=...) -> bytes`: the
  structural batches every generation needs (frequency or Sync+Frequency+ClockSnapshot,
  stacks, strings)
- `generation(version, gen, event_batches, **sync_args) -> bytes`: all of one generation,
  with the EndOfGeneration marker in the 1.26 format
- `trace(version, *generations) -> bytes`; `simple_trace(version, ...)`: a valid trace
  with goroutines, a task and a log, to start from.
- `invalid_first_event(data) -> bytes`: a trace broken before its first Sync
"""
from __future__ import annotations

from tracetui.format import spec as S
from tracetui.format.raw import read_text
from tracetui.format.wire import encode_header, encode_trace
from tracetui.format.wire import uvarint as _uvarint

NO_M = S.U64_MAX
EOG = bytes([S.EvEndOfGeneration])


def header(version: int) -> bytes:
    return encode_header(version)


def uvarint(v: int, width: int = 0) -> bytes:
    if v < 0x80 and not width:
        return _SMALL[v]
    if width:
        return _uvarint(v, width)
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


_SMALL = [bytes([i]) for i in range(0x80)]


def ev(type_name: str, *args: int, data: bytes | None = None) -> bytes:
    """One event, encoded directly (fast; no checks): type byte, uvarint args, data."""
    out = bytes([S.NAMES[type_name]]) + b"".join(uvarint(a) for a in args)
    if data is not None:
        out += uvarint(len(data)) + data
    return out


def body(version: int, text: str) -> bytes:
    """The encoded events of `text` (one event per line, Go's raw text syntax)."""
    _, events = read_text(f"Trace Go1.{version}\n{text}")
    return encode_trace(version, events)[len(header(version)):]


def batch_header(gen: int, m: int, time: int, size: int, pad: bool = False) -> bytes:
    return bytes([S.EvEventBatch]) + uvarint(gen) + uvarint(m) + uvarint(time) + uvarint(size, 10 if pad else 0)


def batch(version: int, gen: int, m: int, time: int, text: str, size: int | None = None, pad: bool = False) -> bytes:
    data = body(version, text)
    return batch_header(gen, m, time, len(data) if size is None else size, pad) + data


def sync_batches(version: int, gen: int, time: int = 10, freq: int = 1_000_000_000,
                 strings: dict[int, str] | None = None, stacks: str = "") -> bytes:
    if version >= S.GO125:
        mono, sec = gen * 100 % 2**64, (1_700_000_000 + gen) % 2**64
        sync = f"Sync\nFrequency freq={freq}\nClockSnapshot dt=1 mono={mono} sec={sec} nsec=0\n"
    else:
        sync = f"Frequency freq={freq}\n"
    strs = "".join(f'String id={i}\n\tdata="{s}"\n' for i, s in (strings or {}).items())
    return (batch(version, gen, NO_M, time, sync) + batch(version, gen, NO_M, time + 1, "Stacks\n" + stacks)
            + batch(version, gen, NO_M, time + 2, "Strings\n" + strs))


def generation(version: int, gen: int, event_batches: list[bytes], **sync_args) -> bytes:
    out = sync_batches(version, gen, **sync_args) + b"".join(event_batches)
    return out + (EOG if version >= S.GO126 else b"")


def trace(version: int, *generations: bytes) -> bytes:
    return header(version) + b"".join(generations)


def simple_events(g: int = 1, p: int = 0, m: int = 1, new_g: int = 2, task: int = 1) -> str:
    """A proc running a goroutine that creates another, begins a task, logs, and ends."""
    return (f"ProcStatus dt=1 p={p} pstatus=1\n"
            f"GoStatus dt=1 g={g} m={m} gstatus=2\n"
            f"GoCreate dt=1 new_g={new_g} new_stack=0 stack=0\n"
            f"UserTaskBegin dt=1 task={task} parent_task=0 name_string=1 stack=0\n"
            f"UserLog dt=1 task={task} key_string=2 value_string=3 stack=0\n"
            f"GoStop dt=1 reason_string=0 stack=0\n"
            f"GoStart dt=1 g={new_g} g_seq=1\n"
            f"GoDestroy dt=1\n"
            f"ProcStop dt=1\n")


STRINGS = {1: "task", 2: "key", 3: "value"}


def simple_trace(version: int, gens: int = 1, *, g: int = 1, p: int = 0, m: int = 1, new_g: int = 2,
                 task: int = 1, freq: int = 1_000_000_000) -> bytes:
    """A valid trace (Go reads it without error) of `gens` generations."""
    out = []
    for gen in range(1, gens + 1):
        t = gen * 1000
        if gen == 1:
            evs = simple_events(g, p, m, new_g, task)
        else:  # later generations: the goroutine is still there, and the proc idle
            evs = f"ProcStatus dt=1 p={p} pstatus=2\nGoStatus dt=1 g={g} m={NO_M} gstatus=1\n"
        out.append(generation(version, gen, [batch(version, gen, m, t + 20, evs)], time=t, freq=freq,
                              strings=STRINGS))
    return trace(version, *out)


def invalid_first_event(data: bytes) -> bytes:
    """`data` (a Go 1.26+ trace) with the first event of its first event batch given an
    invalid type (0xFE): the generation reads, but no Sync is returned before the error,
    so there is nothing to salvage."""
    from tracetui.format.wire import iter_batches

    out = bytearray(data)
    first = next(b for b in iter_batches(data)
                 if not b.end_of_generation and not b.exp and b.data and S.SPECS[b.data[0]].timed)
    out[data.find(first.data, first.offset)] = 0xFE
    return bytes(out)
