"""Reading a pre-1.22 trace (Go 1.11 to 1.21, the "v1" format) into a `Trace`.

The compiled `_v1` pass parses, orders, validates and converts the trace as Go's
internal/trace does (tracev1 parser + tracev1.go converter) and hands back the same
columns and tables as the v2 decoder; this module only wraps them. Go reads a v1
trace as one generation and rejects an invalid one as a whole, so an error carries
no partial trace, except one the converter meets half way: Go hands out the events
before it, and so does `TraceError.partial`.
"""
from __future__ import annotations

from tracetui.format._v1 import V1Decoder, V1Error
from tracetui.format.errors import TraceError
from tracetui.format.runs import RunColumn


def read_v1(data, size: int, version: int, start: int, trace_cls, progress=None):
    """Decode a v1 trace whose header ends at `start`; raise TraceError if Go would reject it.
    `progress` (as for `read`) is called once, when the trace is read."""
    dec = V1Decoder(data, version, start)
    failed = None
    try:
        dec.run()
    except V1Error as e:
        failed = e.args
    if failed is not None:
        del dec  # it holds a view of the caller's mapping
        raise TraceError(failed[0], offset=failed[1])
    out = dec.finish()
    error = dec.error
    del dec
    cols = out["columns"]
    n = len(cols["time"])
    cols.update({name: RunColumn(starts, values, n) for name, (starts, values) in out["runs"].items()})
    pc, func, file, line = out["frames"]
    gen = {"gen": 1, "freq": out["freq"], "min_ts": int(cols["time"][0]) if n else 0, "has_snapshot": False,
           "snap_trace": 0, "snap_mono": 0, "snap_sec": 0, "snap_nsec": 0, "offset": start, "end": size,
           "experimental_batches": 0, "cpu_samples": out["cpu_samples"]}
    trace = trace_cls(
        version=version, size=size, **cols, strings=out["strings"],
        frame_pc=pc, frame_func=func, frame_file=file, frame_line=line,
        stack_offsets=out["stack_offsets"], stack_frames=out["stack_frames"],
        goroutine_ids=out["goroutine_ids"], proc_ids=out["proc_ids"], thread_ids=out["thread_ids"],
        generations=[gen], experimental_args=[], valid_bytes=size if error is None else start,
    )
    if progress is not None:
        progress(size, size, 1)
    if error is not None:
        trace.error = TraceError(error[0], offset=error[1])
        trace.error.partial = trace
        raise trace.error
    return trace
