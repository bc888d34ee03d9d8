"""`Event`: a view of one row of a `Trace`, with Go's `Event.String()` form.

For tests and debugging: the load path never builds these, and `tracetui events`
prints from the columns (tracetui.format.dump), byte for byte what this view prints.

What the per-type payload columns hold (see `_core.pyx`):

`arg` and `arg2` are sparse: only events of the types with an entry below have
one (`Trace.arg_rows`/`arg2_rows` name their rows; `Trace.arg_of(rows)` looks them up).

| type | aux | arg | arg2 |
|---|---|---|---|
| Sync | generation index (-1: none) | N | |
| ProcsChange, HeapAlloc, HeapGoal | | value | |
| ProcStart, ProcStop | proc | | |
| ProcSteal | proc | old wire status | thread stolen from (raw id) |
| ProcStatus | proc | old public ProcState | wire status |
| GoCreate, GoCreateBlocked | new goroutine | new goroutine's stack | |
| GoCreateSyscall, GoStart, GoUnblock, GoSwitch* | goroutine | | |
| GoStatus, GoStatusStack | goroutine | old GoState << 32 , wire status | thread (raw id) |
| GoStop, GoBlock | reason string | | |
| STWBegin, STWEnd | kind string | | |
| GCActive, GCBegin, GCEnd | | GC seq | |
| GCSweepActive | proc | | |
| GCSweepEnd | | bytes swept | bytes reclaimed |
| GCMarkAssistActive | goroutine | | |
| GoLabel | label string | | |
| UserTaskBegin, UserTaskEnd | type string | task id | parent task id |
| UserRegionBegin, UserRegionEnd | type string | task id | |
| UserLog | category string | task id | message string |
| experimental | | row of Trace.experimental_args | |
"""
from __future__ import annotations

import datetime as _dt
import time as _time

from tracetui.format import spec as S
from tracetui.format.goquote import go_quote

_U64 = (1 << 64) - 1
_METRIC_NAMES = {S.EvProcsChange: "/sched/gomaxprocs:threads", S.EvHeapAlloc: "/memory/classes/heap/objects:bytes",
                 S.EvHeapGoal: "/gc/heap/goal:bytes"}
_GO_TO = {  # type -> (resource is the event's goroutine?, from, to)
    S.EvGoDestroy: ("Running", "NotExist"), S.EvGoDestroySyscall: ("Syscall", "NotExist"),
    S.EvGoStop: ("Running", "Runnable"), S.EvGoBlock: ("Running", "Waiting"),
    S.EvGoSyscallBegin: ("Running", "Syscall"), S.EvGoSyscallEnd: ("Syscall", "Running"),
    S.EvGoSyscallEndBlocked: ("Syscall", "Runnable"),
}
_GO_TARGET = {
    S.EvGoCreate: ("NotExist", "Runnable"), S.EvGoCreateBlocked: ("NotExist", "Waiting"),
    S.EvGoCreateSyscall: ("NotExist", "Syscall"), S.EvGoStart: ("Runnable", "Running"),
    S.EvGoUnblock: ("Waiting", "Runnable"), S.EvGoSwitch: ("Waiting", "Runnable"),
    S.EvGoSwitchDestroy: ("Waiting", "Runnable"),
}
_RANGE_GC = (S.EvGCBegin, S.EvGCActive, S.EvGCEnd)
_RANGE_SWEEP = (S.EvGCSweepBegin, S.EvGCSweepActive, S.EvGCSweepEnd)
_RANGE_ASSIST = (S.EvGCMarkAssistBegin, S.EvGCMarkAssistActive, S.EvGCMarkAssistEnd)


def wall_time(sec: int, nsec: int) -> str:
    """time.Unix(sec, nsec).Format(time.RFC3339Nano) in the local zone (TZ)."""
    sec += nsec // 1_000_000_000
    nsec %= 1_000_000_000
    if sec >= (1 << 63):
        sec -= 1 << 64
    local = _time.localtime(sec) if -(1 << 40) < sec < (1 << 40) else None
    off = local.tm_gmtoff if local else 0
    d = _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=sec + off)
    frac = f".{nsec:09d}".rstrip("0") if nsec else ""
    zone = "Z" if off == 0 else f"{'+' if off > 0 else '-'}{abs(off) // 3600:02d}:{abs(off) % 3600 // 60:02d}"
    return d.strftime("%Y-%m-%dT%H:%M:%S") + frac + zone


class Event:
    """Row `i` of `trace`, with Go's accessors' meaning."""

    __slots__ = ("trace", "i")

    def __init__(self, trace, i: int):
        self.trace = trace
        self.i = i

    # -- basic fields ----------------------------------------------------
    @property
    def type(self) -> int:
        return int(self.trace.type[self.i])

    @property
    def kind(self) -> str:
        return S.EVENT_KINDS[S.TYPE_TO_KIND.get(self.type, 0)]

    @property
    def time(self) -> int:
        return int(self.trace.time[self.i])

    def _id(self, ids, idx) -> int:
        return int(ids[idx]) if idx >= 0 else -1

    @property
    def thread(self) -> int:
        return self._id(self.trace.thread_ids, int(self.trace.m[self.i]))

    @property
    def proc(self) -> int:
        return self._id(self.trace.proc_ids, int(self.trace.p[self.i]))

    @property
    def goroutine(self) -> int:
        return self._id(self.trace.goroutine_ids, int(self.trace.g[self.i]))

    @property
    def aux(self) -> int:
        return int(self.trace.aux[self.i])

    @property
    def arg(self) -> int:
        return int(self.trace.arg_of(self.i)) & _U64

    @property
    def arg2(self) -> int:
        return int(self.trace.arg2_of(self.i)) & _U64

    def string(self, idx: int) -> str:
        return self.trace.strings[idx]

    @property
    def stack(self) -> int:
        """Stack index of the event's own stack (Go's Event.Stack), 0 = none."""
        return int(self.trace.stack[self.i])

    # -- Go's detail accessors ---------------------------------------------
    def metric(self) -> tuple[str, int]:
        return _METRIC_NAMES[self.type], self.arg

    def range(self) -> tuple[str, str]:
        """(Name, Scope) as Go's Range() prints them."""
        t = self.type
        if t in (S.EvSTWBegin, S.EvSTWEnd):
            return f"stop-the-world ({self.string(self.aux)})", f"Goroutine({self.goroutine})"
        if t in _RANGE_GC:
            return "GC concurrent mark phase", "None"
        if t in _RANGE_SWEEP:
            p = self._id(self.trace.proc_ids, self.aux) if t == S.EvGCSweepActive else self.proc
            return "GC incremental sweep", f"Proc({p})"
        g = self._id(self.trace.goroutine_ids, self.aux) if t == S.EvGCMarkAssistActive else self.goroutine
        return "GC mark assist", f"Goroutine({g})"

    def state_transition(self) -> tuple[str, int, str, str, str, int | None]:
        """(resource kind, id, from, to, reason, transition stack or None)."""
        t, tr = self.type, self.trace
        gid = lambda idx: self._id(tr.goroutine_ids, idx)  # noqa: E731
        pid = lambda idx: self._id(tr.proc_ids, idx)  # noqa: E731
        if t == S.EvProcStart:
            return "Proc", pid(self.aux), "Idle", "Running", "", None
        if t == S.EvProcStop:
            return "Proc", self.proc, "Running", "Idle", "", None
        if t == S.EvProcSteal:
            before = "Idle" if self.arg == S.ProcSyscallAbandonedStatus else "Running"
            return "Proc", pid(self.aux), before, "Idle", "", None
        if t == S.EvProcStatus:
            return ("Proc", pid(self.aux), S.PROC_STATES[self.arg],
                    S.PROC_STATES[S.PROC_STATUS_TO_STATE.get(self.arg2, 0)], "", None)
        if t in _GO_TARGET:
            frm, to = _GO_TARGET[t]
            stk = self.arg if t in (S.EvGoCreate, S.EvGoCreateBlocked) else None
            return "Goroutine", gid(self.aux), frm, to, "", stk
        if t in _GO_TO:
            frm, to = _GO_TO[t]
            reason = self.string(self.aux) if t in (S.EvGoStop, S.EvGoBlock) else ""
            stk = self.stack if t in (S.EvGoStop, S.EvGoBlock, S.EvGoSyscallBegin) and self.stack else None
            return "Goroutine", self.goroutine, frm, to, reason, stk
        if t in (S.EvGoStatus, S.EvGoStatusStack):
            old, status = self.arg >> 32, self.arg & 0xFFFFFFFF
            return ("Goroutine", gid(self.aux), S.GO_STATES[old], S.GO_STATES[S.GO_STATUS_TO_STATE.get(status, 0)],
                    "", self.stack or None)
        raise ValueError(f"not a state transition: {S.SPECS[t].name}")

    # -- Go's String() ---------------------------------------------------------
    def _q(self, idx: int) -> str:
        cache = self.trace._cache.setdefault("quoted", {})
        q = cache.get(idx)
        if q is None:
            q = cache[idx] = go_quote(self.trace.strings[idx].encode("utf-8", "surrogateescape"))
        return q

    def _stack_text(self, stack: int) -> str:
        cache = self.trace._cache.setdefault("stack_text", {})
        s = cache.get(stack)
        if s is None:
            s = cache[stack] = "".join(f"\t{fn} @ {pc:#x}\n\t\t{file}:{line}\n"
                                       for fn, file, line, pc in self.trace.frames(stack))
        return s

    def __str__(self) -> str:
        t = self.type
        kind = self.kind
        out = [f"M={self.thread} P={self.proc} G={self.goroutine} {kind} Time={self.time}"]
        if kind == "Metric":
            name, v = self.metric()
            out.append(f' Name="{name}" Value=Value{{Uint64({v})}}')
        elif kind == "Label":
            out.append(f" Label={self._q(self.aux)} Resource=Goroutine({self.goroutine})")
        elif kind.startswith("Range"):
            name, scope = self.range()
            out.append(f" Name={go_quote(name.encode('utf-8', 'surrogateescape'))} Scope={scope}")
            if kind == "RangeEnd":
                attrs = ""
                if t == S.EvGCSweepEnd:
                    attrs = f'"bytes swept"=Value{{Uint64({self.arg})}} "bytes reclaimed"=Value{{Uint64({self.arg2})}}'
                out.append(f" Attributes=[{attrs}]")
        elif kind in ("TaskBegin", "TaskEnd"):
            out.append(f" ID={self.arg} Parent={self.arg2} Type={self._q(self.aux)}")
        elif kind in ("RegionBegin", "RegionEnd"):
            out.append(f" Task={self.arg} Type={self._q(self.aux)}")
        elif kind == "Log":
            out.append(f" Task={self.arg} Category={self._q(self.aux)} Message={self._q(self.arg2)}")
        elif kind == "StateTransition":
            res, rid, frm, to, reason, stk = self.state_transition()
            label = "GoID" if res == "Goroutine" else "ProcID"
            out.append(f" {label}={rid} {frm}->{to} Reason={self._q_text(reason)}")
            if stk is not None:
                out.append("\nTransitionStack=\n" + self._stack_text(stk))
        elif kind == "Experimental":
            spec = S.SPECS[t]
            vals = self.trace.experimental_args[self.arg]
            args = ", ".join(f"{name}=Value{{Uint64({vals[k]})}}" for k, name in enumerate(spec.args[1:]))
            out.append(f" Name={spec.name} Args=[{args}]")
        elif kind == "Sync":
            out.append(f" N={self.arg}")
            if self.aux >= 0:
                g = self.trace.generations[self.aux]
                if g["has_snapshot"]:
                    out.append(f" Trace={g['snap_trace']} Mono={g['snap_mono']} "
                               f"Wall={wall_time(g['snap_sec'], g['snap_nsec'])}")
        if self.stack or t == S.EvCPUSample:
            out.append("\nStack=\n" + self._stack_text(self.stack))
        return "".join(out)

    def _q_text(self, s: str) -> str:
        return go_quote(s.encode("utf-8", "surrogateescape")) if s else '""'

    def __repr__(self) -> str:
        return f"<Event {self.i}: {str(self).splitlines()[0]}>"
