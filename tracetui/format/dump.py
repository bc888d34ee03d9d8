"""A whole `Trace` as Go's -d=parsed text or as JSONL, in chunks of bytes.

`text_chunks(trace)` yields exactly `"".join(f"{ev}\\n" for ev in trace)` (the `Event`
view's `str()`, which is Go's `Event.String()`), encoded as Go writes it (trace strings
raw, surrogateescape); `jsonl_chunks(trace)` yields the lines `json.dumps(event_json(trace,
i))` of tracetui.format.jsonl. Both run the compiled pass in `_text.pyx` over the
columns, a chunk of rows at a time; this module fills its tables from the rules the
`Event` view follows (tracetui.format.event), once per trace. Rows the tables do not
cover (Sync, experimental events, indices out of range) come from the view itself.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np

from tracetui.format import spec as S
from tracetui.format._core import ARG2_TYPES, ARG_TYPES
from tracetui.format._text import Layout, format_rows
from tracetui.format.event import _GO_TARGET, _GO_TO, _METRIC_NAMES, _RANGE_ASSIST, _RANGE_GC, _RANGE_SWEEP, Event
from tracetui.format.goquote import go_quote
from tracetui.format.jsonl import event_json

CHUNK_ROWS = 1 << 15  # rows whose columns are sliced at a time
CHUNK_BYTES = 1 << 20  # bytes of output per chunk, about

# Modes and their parameters: the numbers _text.pyx uses.
M_PLAIN, M_METRIC, M_LABEL, M_RANGE, M_TASK, M_REGION, M_LOG, M_TRANS = range(8)
R_STW, R_GC, R_SWEEP, R_ASSIST = range(4)
ID_AUX_G, ID_AUX_P, ID_OWN_G, ID_OWN_P = range(4)
FT_FIXED, FT_PROC_STEAL, FT_PROC_STATUS, FT_GO_STATUS = range(4)
STK_NONE, STK_ARG, STK_OWN = range(3)

_RANGE_NAMES = {R_GC: "GC concurrent mark phase", R_SWEEP: "GC incremental sweep", R_ASSIST: "GC mark assist"}
_PROC_FIXED = {S.EvProcStart: (ID_AUX_P, "Idle", "Running"), S.EvProcStop: (ID_OWN_P, "Running", "Idle")}


def _enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _q(s: str) -> bytes:
    return _enc(go_quote(_enc(s)))


def _j(s) -> bytes:
    return json.dumps(s).encode("ascii")


def _types(js: bool) -> dict[int, dict]:
    """Per event type the pass prints from tables: its mode and fixed pieces."""
    out = {}
    for t, k in S.TYPE_TO_KIND.items():
        kind = S.EVENT_KINDS[k]
        if kind in ("Sync", "Experimental"):
            continue
        name = S.SPECS[t].name
        d = dict(mode=M_PLAIN,
                 head=_enc(f',"kind":"{kind}","type":{json.dumps(name)},"thread":' if js else f" {kind} Time="))
        if kind == "StackSample":
            d["always_stack"] = True
        elif kind == "Metric":
            m = _METRIC_NAMES[t]
            d.update(mode=M_METRIC, fixed=_enc(f',"name":"{m}","value":' if js else f' Name="{m}" Value=Value{{Uint64('))
        elif kind == "Label":
            d["mode"] = M_LABEL
        elif kind.startswith("Range"):
            sub = (R_GC if t in _RANGE_GC else R_SWEEP if t in _RANGE_SWEEP else R_ASSIST if t in _RANGE_ASSIST
                   else R_STW)
            flag = (1 if kind == "RangeEnd" else 0) | (2 if t == S.EvGCSweepEnd else 0) | (
                4 if t in (S.EvGCSweepActive, S.EvGCMarkAssistActive) else 0)
            name = _RANGE_NAMES.get(sub, "")
            d.update(mode=M_RANGE, sub=sub, flag=flag, fixed=_j(name) if js else _q(name))
        elif kind in ("TaskBegin", "TaskEnd"):
            d["mode"] = M_TASK
        elif kind in ("RegionBegin", "RegionEnd"):
            d["mode"] = M_REGION
        elif kind == "Log":
            d["mode"] = M_LOG
        elif kind == "StateTransition":
            d.update(_transition(t, js))
        out[t] = d
    return out


def _transition(t: int, js: bool) -> dict:
    """How a state transition's resource, states, reason and stack are found (Event.state_transition)."""
    d = dict(mode=M_TRANS, ft=FT_FIXED, reason=0, stk=STK_NONE)
    frm = to = None
    if t in _PROC_FIXED:
        d["sub"], frm, to = _PROC_FIXED[t]
    elif t in (S.EvProcSteal, S.EvProcStatus):
        d.update(sub=ID_AUX_P, ft=FT_PROC_STEAL if t == S.EvProcSteal else FT_PROC_STATUS)
    elif t in _GO_TARGET:
        frm, to = _GO_TARGET[t]
        d.update(sub=ID_AUX_G, stk=STK_ARG if t in (S.EvGoCreate, S.EvGoCreateBlocked) else STK_NONE)
    elif t in _GO_TO:
        frm, to = _GO_TO[t]
        d.update(sub=ID_OWN_G, reason=int(t in (S.EvGoStop, S.EvGoBlock)),
                 stk=STK_OWN if t in (S.EvGoStop, S.EvGoBlock, S.EvGoSyscallBegin) else STK_NONE)
    elif t in (S.EvGoStatus, S.EvGoStatusStack):
        d.update(sub=ID_AUX_G, ft=FT_GO_STATUS, stk=STK_OWN)
    else:
        raise ValueError(f"no rule for the state transition {S.SPECS[t].name}")
    goroutine = d["sub"] in (ID_AUX_G, ID_OWN_G)
    if js:
        d["fixed"] = _enc(f',"resource":"{"Goroutine" if goroutine else "Proc"}","id":')
        d["fixed2"] = _enc(f',"from":"{frm}","to":"{to}"') if frm else b""
    else:
        d["fixed"] = _enc(" GoID=" if goroutine else " ProcID=")
        d["fixed2"] = _enc(f" {frm}->{to}") if frm else b""
    return d


def _frame_pieces(trace, js: bool) -> list[bytes]:
    s = trace.strings
    pieces = []
    for pc, fn, file, line in zip(trace.frame_pc.tolist(), trace.frame_func.tolist(), trace.frame_file.tolist(),
                                  trace.frame_line.tolist()):
        if js:
            pieces.append(_enc(json.dumps(dict(func=s[fn], file=s[file], line=line, pc=pc), separators=(",", ":"))))
        else:
            pieces.append(_enc(f"\t{s[fn]} @ {pc:#x}\n\t\t{s[file]}:{line}\n"))
    return pieces


def layout(trace, js: bool) -> Layout:
    """The tables of the compiled pass for `trace`, for the text (js=False) or JSONL form."""
    if js:
        def fallback(i: int) -> bytes:
            return _enc(json.dumps(event_json(trace, i), separators=(",", ":")) + "\n")
    else:
        def fallback(i: int) -> bytes:
            return _enc(f"{Event(trace, i)}\n")
    quote = _j if js else _q
    state = (lambda n: _j(n)) if js else _enc
    return Layout(
        js, ARG_TYPES, ARG2_TYPES, _types(js), [quote(s) for s in trace.strings],
        [quote(f"stop-the-world ({s})") for s in trace.strings],
        _frame_pieces(trace, js), [state(n) for n in S.GO_STATES], [state(n) for n in S.PROC_STATES],
        S.GO_STATUS_TO_STATE, S.PROC_STATUS_TO_STATE,
        np.ascontiguousarray(trace.stack_offsets, np.int64), np.ascontiguousarray(trace.stack_frames, np.int32),
        np.ascontiguousarray(trace.goroutine_ids, np.int64), np.ascontiguousarray(trace.proc_ids, np.int64),
        np.ascontiguousarray(trace.thread_ids, np.int64), fallback)


def _chunks(trace, js: bool, rows: int) -> Iterator[bytes]:
    lay = layout(trace, js)
    arg, arg2 = np.ascontiguousarray(trace.arg, np.int64), np.ascontiguousarray(trace.arg2, np.int64)
    at = at2 = 0
    for lo in range(0, len(trace), rows):
        hi = min(lo + rows, len(trace))
        cols = (trace.type[lo:hi], trace.time[lo:hi], np.asarray(trace.m[lo:hi], np.int32),
                np.asarray(trace.p[lo:hi], np.int32), trace.g[lo:hi], trace.stack[lo:hi].astype(np.int32),
                trace.aux[lo:hi])
        i = 0
        while i < hi - lo:
            data, i, at, at2 = format_rows(lay, *cols, arg, arg2, i, at, at2, lo, CHUNK_BYTES)
            yield data
            del data


def text_chunks(trace, rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """Go's -d=parsed text of every event (the `Event` view's str(), one per line), as bytes."""
    return _chunks(trace, False, rows)


def jsonl_chunks(trace, rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The `--format jsonl` lines of every event (tracetui.format.jsonl.event_json), as bytes."""
    return _chunks(trace, True, rows)
