"""Salvage of broken traces, the way `go tool trace` does it.

Owns `read_salvaged(source) -> (Trace, SalvageReport | None)`, `salvage(error, source)`
(the same from a failed read's TraceError, without decoding again) and the report.
When `read` raises a TraceError that carries a partial trace, cmd/trace
(`parseTrace` in $GOROOT/src/cmd/trace/main.go) keeps going with what it could read:

- it keeps the events up to and including the last Sync event the parser returned
  (events of a generation that failed half way are dropped), and gives up with
  "failed to parse any useful part of the trace" when there is no such Sync;
- it logs "Lost X% of the latest trace data due to error (A of B)", with
  lost = file size - valid, where *valid is how many bytes its reader had pulled
  from the file when that last Sync was returned*.

That last number is not tracetui's `Trace.valid_bytes` (the end of the last
generation whose events were all read), and it is a peculiar quantity:

- Go returns a generation's Sync after reading the whole generation (before 1.26:
  also the first batch of the next one), before ordering its events. So if the
  events of generation k are broken, its bytes still count as valid.
- When reading a generation fails, Go returns one more Sync before the error, with
  everything read so far counted as valid. A trace truncated inside its last
  generation has been read to its end by then: Go reports "Lost 0.00% ... (0 B of
  ...)" for every truncated trace, however much of the generation is missing.
- Go reads through a `bufio.Reader` (4 KiB), so its count includes read-ahead: up
  to 4096 bytes past the point the parser had reached.

The report carries both: `lost_bytes`/`lost_percent` are cmd/trace's figures,
reproduced exactly (read-ahead included, by replaying Go's batch reads through a
model of `bufio.Reader`), and `incomplete_bytes` is `size - Trace.valid_bytes`, the
bytes after the last generation that was read completely, which says how much of
the file the salvaged events do not cover.
"""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass

import numpy as np

from tracetui.format import spec as S
from tracetui.format.errors import TraceError
from tracetui.format.reader import Trace, read

__all__ = ["SalvageReport", "read_salvaged", "salvage", "go_valid_bytes", "byte_count"]

_BUFIO_SIZE = 4096  # bufio.defaultBufSize
# Errors raised when a generation is finished (checks after its last batch was read).
_FINISH_ERRORS = re.compile(r"no frequency event found|no clock snapshot event found|"
                            r"found invalid (func|file) string ID")


def byte_count(b: int) -> str:
    """cmd/trace's byteCount.String(): 512 B, 12.3 KiB, 4.0 MiB."""
    for suffix, shift in (("B", 0), ("KiB", 10), ("MiB", 20), ("GiB", 30)):
        if b < 1 << (shift + 10) or suffix == "GiB":
            return f"{b} B" if shift == 0 else f"{b / (1 << shift):.1f} {suffix}"
    raise AssertionError


def _percent(p: float) -> str:
    """12%, 0.4%, or <0.1% (never "0%" for something lost, never "100%" for something kept)."""
    if p == 0 or p == 100:
        return f"{p:.0f}%"
    if p < 0.1:
        return "<0.1%"
    if p > 99.9:
        return ">99.9%"
    return f"{p:.0f}%" if 10 <= p <= 99.5 else f"{p:.1f}%"


@dataclass(frozen=True)
class SalvageReport:
    """What was lost to the error in a trace that could be read in part."""

    message: str            # the error, in Go's words (its first line)
    offset: int | None      # byte offset where it was found
    generation: int | None  # the generation being read
    size: int               # file size in bytes
    valid_bytes: int        # bytes cmd/trace counts as valid (see the module docstring)
    events: int             # events kept: up to and including the last Sync
    dropped_events: int     # events the parser returned after that Sync (cmd/trace drops them)
    complete_bytes: int     # Trace.valid_bytes: end of the last completely read generation

    @property
    def lost_bytes(self) -> int:
        return self.size - self.valid_bytes

    @property
    def lost_percent(self) -> float:
        """lost / size * 100, as cmd/trace computes it."""
        return self.lost_bytes / self.size * 100 if self.size else 0.0

    @property
    def incomplete_bytes(self) -> int:
        """Bytes after the last generation that was read completely."""
        return self.size - self.complete_bytes

    @property
    def error(self) -> str:
        """The error with its position, as TraceError prints it."""
        return str(TraceError(self.message, self.offset, self.generation))

    def go_log(self) -> list[str]:
        """The two lines `go tool trace` logs for this trace (without the timestamps)."""
        return [f"Encountered error, but able to proceed. Error: {self.message}",
                f"Lost {self.lost_percent:.2f}% of the latest trace data due to error "
                f"({byte_count(self.lost_bytes)} of {byte_count(self.size)})"]

    @property
    def unusable_percent(self) -> float:
        """The share of the file the salvaged events do not cover (incomplete_bytes / size * 100)."""
        return self.incomplete_bytes / self.size * 100 if self.size else 0.0

    def warning(self) -> str:
        """One line for people: the share of the file that could not be used, what else was
        dropped, Go's own "Lost N%" figure (which counts only what its reader had pulled when
        the last Sync came, so it says 0% for any trace cut inside its last generation), the error."""
        notes = [f"{byte_count(self.incomplete_bytes)} of {byte_count(self.size)} past the last complete generation"]
        if self.dropped_events:
            notes.append(f"{self.dropped_events} events of the broken generation dropped")
        notes.append(f"go tool trace: Lost {self.lost_percent:.2f}%")
        return (f"{_percent(self.unusable_percent)} of the file could not be used ({'; '.join(notes)}) "
                f"due to error: {self.error}")

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d.update(lost_bytes=self.lost_bytes, lost_percent=round(self.lost_percent, 4),
                 incomplete_bytes=self.incomplete_bytes, unusable_percent=round(self.unusable_percent, 4))
        return d


def read_salvaged(source) -> tuple[Trace, SalvageReport | None]:
    """Read a trace; if it is broken but readable in part, return what cmd/trace keeps.

    Returns (trace, None) for a valid trace and (partial trace, report) for a broken one.
    Raises the TraceError when nothing can be salvaged: the file is not a trace (no
    partial), or not even one generation's Sync event could be read (cmd/trace's
    "failed to parse any useful part of the trace").
    """
    if not isinstance(source, (bytes, bytearray, memoryview)) and hasattr(source, "read"):
        source = source.read()  # we may need the bytes again for go_valid_bytes
    try:
        return read(source), None
    except TraceError as err:
        return salvage(err, source)


def salvage(err: TraceError, source) -> tuple[Trace, SalvageReport]:
    """What cmd/trace keeps of the trace `read(source)` failed on with `err`, from the
    error's partial result (no second decode; a file is read again only as bytes, to
    count what Go's reader had pulled). Raises `err` when nothing can be salvaged."""
    partial = err.partial
    if partial is None:
        raise err
    syncs = np.flatnonzero(partial.type == S.EvSyncPublic)
    if len(syncs) == 0:
        raise err
    last = int(syncs[-1])
    data = source if isinstance(source, (bytes, bytearray, memoryview)) else _read_bytes(source)
    report = SalvageReport(
        message=err.message.splitlines()[0] if err.message else "invalid trace",
        offset=err.offset, generation=err.generation, size=partial.size,
        valid_bytes=go_valid_bytes(data, partial, err, last),
        events=last + 1, dropped_events=len(partial) - last - 1,
        complete_bytes=partial.valid_bytes,
    )
    return _head(partial, last + 1), report


def _read_bytes(source) -> bytes:
    with open(os.fspath(source), "rb") as f:
        return f.read()


# --- which events cmd/trace keeps ---------------------------------------------------------

_PER_EVENT = ("time", "type", "m", "p", "g", "stack", "aux")  # one value per event (m and p as runs)


def _head(trace: Trace, n: int) -> Trace:
    """The first n events of a trace (the tables are shared and may name more ids)."""
    if n == len(trace):
        return trace
    fields = {f.name: getattr(trace, f.name) for f in dataclasses.fields(trace) if f.name != "_cache"}
    for name in _PER_EVENT:
        fields[name] = fields[name][:n]
    for name in ("arg", "arg2"):  # sparse payloads: entries of rows >= n go
        rows = getattr(trace, name + "_rows", None)
        if rows is not None:
            fields[name] = fields[name][: int(np.searchsorted(rows, n))]
        elif len(fields[name]) == len(trace):
            fields[name] = fields[name][:n]
    kept_gens = trace.aux[:n][trace.type[:n] == S.EvSyncPublic]
    fields["generations"] = trace.generations[: int(kept_gens.max()) + 1 if len(kept_gens) else 0]
    return Trace(**fields)


# --- how many bytes cmd/trace counts as valid ---------------------------------------------

class _EOF(Exception):
    pass


class _GoReader:
    """Go's bufio.Reader over an os.File, counting what it pulls from the file
    (cmd/trace's countingReader sits between the two). Models only what readBatch
    does: ReadByte, and Read(p) with len(p) = the rest of the batch (io.CopyN into a
    bytes.Buffer grown to the batch size)."""

    def __init__(self, data, logical: int):
        self.data = data
        self.n = len(data)
        self.pos = logical                      # where the parser is
        self.pulled = min(_BUFIO_SIZE, self.n)  # fmt.Fscanf read the header through one fill

    def read_byte(self) -> int:
        if self.pos == self.pulled:  # buffer empty: fill reads a whole buffer
            k = min(_BUFIO_SIZE, self.n - self.pulled)
            if k == 0:
                raise _EOF
            self.pulled += k
        b = self.data[self.pos]
        self.pos += 1
        return b

    def read(self, want: int) -> int:
        if self.pos == self.pulled:
            if want >= _BUFIO_SIZE:  # large read into an empty buffer: straight from the file
                k = min(want, self.n - self.pulled)
                self.pulled += k
                self.pos += k
                return k
            k = min(_BUFIO_SIZE, self.n - self.pulled)
            if k == 0:
                return 0
            self.pulled += k
        k = min(want, self.pulled - self.pos)
        self.pos += k
        return k

    def uvarint(self) -> int:
        """binary.ReadUvarint; _EOF on a read error or overflow (the bytes are consumed)."""
        x = s = 0
        for i in range(10):
            b = self.read_byte()
            if b < 0x80:
                if i == 9 and b > 1:
                    raise _EOF
                return x | b << s
            x |= (b & 0x7F) << s
            s += 7
        raise _EOF


@dataclass
class _Read:
    """One readBatch call: where it started and ended, and what it found."""

    hdr: int
    end: int
    pulled: int  # bytes pulled from the file when it returned
    kind: str    # "batch", "eog", "eof" or "error"
    gen: int = 0


def _read_batch(r: _GoReader) -> _Read:
    """internal/trace's readBatch, framing only."""
    hdr = r.pos
    kind, gen = "error", 0
    try:
        t = r.read_byte()
    except _EOF:
        return _Read(hdr, r.pos, r.pulled, "eof")
    try:
        if t == S.EvEndOfGeneration:
            kind = "eog"
        elif t in (S.EvEventBatch, S.EvExperimentalBatch):
            if t == S.EvExperimentalBatch:
                r.read_byte()
            gen = r.uvarint()
            for _ in range(2):
                r.uvarint()
            size = r.uvarint()
            if size <= S.MAX_BATCH_SIZE:
                left = size
                while left > 0:
                    k = r.read(left)
                    if k == 0:
                        break
                    left -= k
                if left == 0:
                    kind = "batch"
    except _EOF:
        pass
    return _Read(hdr, r.pos, r.pulled, kind, gen)


def go_valid_bytes(data, partial: Trace, err: TraceError, last_sync: int) -> int:
    """Bytes cmd/trace's reader had pulled from the file when it returned the last Sync.

    A Sync with a generation (aux >= 0) is returned once that generation is read:
    through its EndOfGeneration (1.26+) or the batch after it (before 1.26: the first
    batch of the next generation, a failed read, or EOF). A Sync without one (aux -1)
    is returned when reading a generation failed: after the read that failed, the batch
    that could not be processed (it holds the error offset), or the batch that ended
    the generation when its final checks failed.
    """
    if partial.version in S.OLD_VERSIONS:
        return len(data)  # Go reads a pre-1.22 trace whole before it returns any event
    version = partial.version
    start = S.HEADER_LEN
    reader = _GoReader(data, start)
    a = int(partial.aux[last_sync])
    if a >= 0:
        g = partial.generations[a]
        target = g["end"] - 1 if version >= S.GO126 else g["end"]
        while True:
            rd = _read_batch(reader)
            if rd.hdr >= target or rd.kind in ("eof", "error"):
                return rd.pulled
    gen_start = partial.generations[-1]["end"] if partial.generations else start
    off = err.offset
    finish = bool(_FINISH_ERRORS.match(err.message or ""))
    eofish = "EOF" in (err.message or "") or "overflows" in (err.message or "")
    gen = 0
    while True:
        rd = _read_batch(reader)
        if rd.hdr < gen_start:
            continue
        if rd.kind in ("eof", "error"):
            return rd.pulled
        if rd.kind == "eog" and version >= S.GO126:
            return rd.pulled  # the generation's final checks failed
        if version < S.GO126 and gen and rd.gen == gen + 1 and rd.hdr > gen_start:
            return rd.pulled  # the first batch of the next generation: the checks failed
        if not finish and off is not None and (rd.hdr <= off < rd.end or (off == rd.end and eofish)):
            return rd.pulled
        if gen == 0 and rd.kind == "batch":
            gen = rd.gen
