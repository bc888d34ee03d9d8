"""The wire vocabulary of Go execution traces (Go 1.22+): event types, their
arguments, status codes and limits.

This module is the single place where format constants live. The compiled core
(`_core.pyx`), the construct description (`wire.py`), the raw text format
(`raw.py`) and the `Event` view all read their tables from here. It mirrors
`internal/trace/tracev2` in the Go toolchain.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Trace format versions: header "go 1.%d trace\x00\x00\x00".
GO122, GO123, GO125, GO126 = 22, 23, 25, 26
SUPPORTED_VERSIONS = (GO122, GO123, GO125, GO126)
OLD_VERSIONS = (11, 19, 21)  # the pre-1.22 ("v1") format, converted by tracetui/format/v1.py
HEADER_LEN = 16

# Limits (tracev2).
MAX_BATCH_SIZE = 64 << 10
MAX_FRAMES_PER_STACK = 128
MAX_STRING_SIZE = 1 << 10
MAX_TIMED_EVENT_ARGS = 5

NO_THREAD = -1
NO_PROC = -1
NO_GOROUTINE = -1
NO_TASK = (1 << 64) - 1
BACKGROUND_TASK = 0
U64_MAX = (1 << 64) - 1


@dataclass(frozen=True)
class EventSpec:
    """One wire event type, as tracev2.EventSpec describes it."""

    name: str
    args: tuple[str, ...] = ()
    string_ids: tuple[int, ...] = ()  # indices into args (args[0] is dt for timed events)
    stack_ids: tuple[int, ...] = ()
    start_ev: int = 0
    timed: bool = False
    has_data: bool = False
    is_stack: bool = False
    experiment: int = 0
    since: int = GO122  # first trace version that has it
    extra: tuple = field(default=(), compare=False)


EvNone = 0
EvEventBatch, EvStacks, EvStack, EvStrings, EvString, EvCPUSamples, EvCPUSample, EvFrequency = range(1, 9)
(EvProcsChange, EvProcStart, EvProcStop, EvProcSteal, EvProcStatus) = range(9, 14)
(EvGoCreate, EvGoCreateSyscall, EvGoStart, EvGoDestroy, EvGoDestroySyscall, EvGoStop, EvGoBlock,
 EvGoUnblock, EvGoSyscallBegin, EvGoSyscallEnd, EvGoSyscallEndBlocked, EvGoStatus) = range(14, 26)
(EvSTWBegin, EvSTWEnd, EvGCActive, EvGCBegin, EvGCEnd, EvGCSweepActive, EvGCSweepBegin, EvGCSweepEnd,
 EvGCMarkAssistActive, EvGCMarkAssistBegin, EvGCMarkAssistEnd, EvHeapAlloc, EvHeapGoal) = range(26, 39)
(EvGoLabel, EvUserTaskBegin, EvUserTaskEnd, EvUserRegionBegin, EvUserRegionEnd, EvUserLog) = range(39, 45)
(EvGoSwitch, EvGoSwitchDestroy, EvGoCreateBlocked, EvGoStatusStack, EvExperimentalBatch) = range(45, 50)
EvSync, EvClockSnapshot = 50, 51
EvEndOfGeneration = 52
(EvSpan, EvSpanAlloc, EvSpanFree, EvHeapObject, EvHeapObjectAlloc, EvHeapObjectFree,
 EvGoroutineStack, EvGoroutineStackAlloc, EvGoroutineStackFree) = range(128, 137)
MAX_EXPERIMENTAL_EVENT = 137
# Not a wire type: the public Sync event the reader synthesizes (Go's evSync).
EvSyncPublic = 255

EXPERIMENTS = {0: "None", 1: "AllocFree"}

_T = dict(timed=True)
SPECS: dict[int, EventSpec] = {
    EvEventBatch: EventSpec("EventBatch", ("gen", "m", "time", "size")),
    EvStacks: EventSpec("Stacks"),
    EvStack: EventSpec("Stack", ("id", "nframes"), is_stack=True),
    EvStrings: EventSpec("Strings"),
    EvString: EventSpec("String", ("id",), has_data=True),
    EvCPUSamples: EventSpec("CPUSamples"),
    EvCPUSample: EventSpec("CPUSample", ("time", "m", "p", "g", "stack"), stack_ids=(4,)),
    EvFrequency: EventSpec("Frequency", ("freq",)),
    EvProcsChange: EventSpec("ProcsChange", ("dt", "procs_value", "stack"), stack_ids=(2,), **_T),
    EvProcStart: EventSpec("ProcStart", ("dt", "p", "p_seq"), **_T),
    EvProcStop: EventSpec("ProcStop", ("dt",), **_T),
    EvProcSteal: EventSpec("ProcSteal", ("dt", "p", "p_seq", "m"), **_T),
    EvProcStatus: EventSpec("ProcStatus", ("dt", "p", "pstatus"), **_T),
    EvGoCreate: EventSpec("GoCreate", ("dt", "new_g", "new_stack", "stack"), stack_ids=(3, 2), **_T),
    EvGoCreateSyscall: EventSpec("GoCreateSyscall", ("dt", "new_g"), **_T),
    EvGoStart: EventSpec("GoStart", ("dt", "g", "g_seq"), **_T),
    EvGoDestroy: EventSpec("GoDestroy", ("dt",), **_T),
    EvGoDestroySyscall: EventSpec("GoDestroySyscall", ("dt",), **_T),
    EvGoStop: EventSpec("GoStop", ("dt", "reason_string", "stack"), string_ids=(1,), stack_ids=(2,), **_T),
    EvGoBlock: EventSpec("GoBlock", ("dt", "reason_string", "stack"), string_ids=(1,), stack_ids=(2,), **_T),
    EvGoUnblock: EventSpec("GoUnblock", ("dt", "g", "g_seq", "stack"), stack_ids=(3,), **_T),
    EvGoSyscallBegin: EventSpec("GoSyscallBegin", ("dt", "p_seq", "stack"), stack_ids=(2,), **_T),
    EvGoSyscallEnd: EventSpec("GoSyscallEnd", ("dt",), start_ev=EvGoSyscallBegin, **_T),
    EvGoSyscallEndBlocked: EventSpec("GoSyscallEndBlocked", ("dt",), start_ev=EvGoSyscallBegin, **_T),
    EvGoStatus: EventSpec("GoStatus", ("dt", "g", "m", "gstatus"), **_T),
    EvSTWBegin: EventSpec("STWBegin", ("dt", "kind_string", "stack"), string_ids=(1,), stack_ids=(2,), **_T),
    EvSTWEnd: EventSpec("STWEnd", ("dt",), start_ev=EvSTWBegin, **_T),
    EvGCActive: EventSpec("GCActive", ("dt", "gc_seq"), start_ev=EvGCBegin, **_T),
    EvGCBegin: EventSpec("GCBegin", ("dt", "gc_seq", "stack"), stack_ids=(2,), **_T),
    EvGCEnd: EventSpec("GCEnd", ("dt", "gc_seq"), start_ev=EvGCBegin, **_T),
    EvGCSweepActive: EventSpec("GCSweepActive", ("dt", "p"), start_ev=EvGCSweepBegin, **_T),
    EvGCSweepBegin: EventSpec("GCSweepBegin", ("dt", "stack"), stack_ids=(1,), **_T),
    EvGCSweepEnd: EventSpec("GCSweepEnd", ("dt", "swept_value", "reclaimed_value"), start_ev=EvGCSweepBegin, **_T),
    EvGCMarkAssistActive: EventSpec("GCMarkAssistActive", ("dt", "g"), start_ev=EvGCMarkAssistBegin, **_T),
    EvGCMarkAssistBegin: EventSpec("GCMarkAssistBegin", ("dt", "stack"), stack_ids=(1,), **_T),
    EvGCMarkAssistEnd: EventSpec("GCMarkAssistEnd", ("dt",), start_ev=EvGCMarkAssistBegin, **_T),
    EvHeapAlloc: EventSpec("HeapAlloc", ("dt", "heapalloc_value"), **_T),
    EvHeapGoal: EventSpec("HeapGoal", ("dt", "heapgoal_value"), **_T),
    EvGoLabel: EventSpec("GoLabel", ("dt", "label_string"), string_ids=(1,), **_T),
    EvUserTaskBegin: EventSpec("UserTaskBegin", ("dt", "task", "parent_task", "name_string", "stack"),
                               string_ids=(3,), stack_ids=(4,), **_T),
    EvUserTaskEnd: EventSpec("UserTaskEnd", ("dt", "task", "stack"), stack_ids=(2,), **_T),
    EvUserRegionBegin: EventSpec("UserRegionBegin", ("dt", "task", "name_string", "stack"),
                                 string_ids=(2,), stack_ids=(3,), **_T),
    EvUserRegionEnd: EventSpec("UserRegionEnd", ("dt", "task", "name_string", "stack"),
                               string_ids=(2,), stack_ids=(3,), start_ev=EvUserRegionBegin, **_T),
    EvUserLog: EventSpec("UserLog", ("dt", "task", "key_string", "value_string", "stack"),
                         string_ids=(2, 3), stack_ids=(4,), **_T),
    EvGoSwitch: EventSpec("GoSwitch", ("dt", "g", "g_seq"), since=GO123, **_T),
    EvGoSwitchDestroy: EventSpec("GoSwitchDestroy", ("dt", "g", "g_seq"), since=GO123, **_T),
    EvGoCreateBlocked: EventSpec("GoCreateBlocked", ("dt", "new_g", "new_stack", "stack"),
                                 stack_ids=(3, 2), since=GO123, **_T),
    EvGoStatusStack: EventSpec("GoStatusStack", ("dt", "g", "m", "gstatus", "stack"),
                               stack_ids=(4,), since=GO123, **_T),
    EvExperimentalBatch: EventSpec("ExperimentalBatch", ("exp", "gen", "m", "time"), has_data=True, since=GO123),
    EvSync: EventSpec("Sync", since=GO125),
    EvClockSnapshot: EventSpec("ClockSnapshot", ("dt", "mono", "sec", "nsec"), since=GO125, **_T),
    EvEndOfGeneration: EventSpec("EndOfGeneration", since=GO126),
    EvSpan: EventSpec("Span", ("dt", "id", "npages_value", "kindclass"), experiment=1, since=GO123, **_T),
    EvSpanAlloc: EventSpec("SpanAlloc", ("dt", "id", "npages_value", "kindclass"), experiment=1, since=GO123, **_T),
    EvSpanFree: EventSpec("SpanFree", ("dt", "id"), experiment=1, since=GO123, **_T),
    EvHeapObject: EventSpec("HeapObject", ("dt", "id", "type"), experiment=1, since=GO123, **_T),
    EvHeapObjectAlloc: EventSpec("HeapObjectAlloc", ("dt", "id", "type"), experiment=1, since=GO123, **_T),
    EvHeapObjectFree: EventSpec("HeapObjectFree", ("dt", "id"), experiment=1, since=GO123, **_T),
    EvGoroutineStack: EventSpec("GoroutineStack", ("dt", "id", "order"), experiment=1, since=GO123, **_T),
    EvGoroutineStackAlloc: EventSpec("GoroutineStackAlloc", ("dt", "id", "order"), experiment=1, since=GO123, **_T),
    EvGoroutineStackFree: EventSpec("GoroutineStackFree", ("dt", "id"), experiment=1, since=GO123, **_T),
}
NAMES = {s.name: t for t, s in SPECS.items()}

# The last wire type each version defines below the experimental range
# (version.go: Go122 ends at UserLog, Go123 at ExperimentalBatch, Go125 at ClockSnapshot).
VERSION_LAST_TYPE = {GO122: EvUserLog, GO123: EvExperimentalBatch, GO125: EvClockSnapshot, GO126: EvEndOfGeneration}


def version_specs(version: int) -> dict[int, EventSpec]:
    """The event types a trace of `version` may name (Go's version.Specs())."""
    last = VERSION_LAST_TYPE[version] if version < GO126 else MAX_EXPERIMENTAL_EVENT - 1
    return {t: s for t, s in SPECS.items() if t <= last}


# Wire status codes (tracev2.GoStatus / ProcStatus).
GO_STATUS_NAMES = {1: "Runnable", 2: "Running", 3: "Syscall", 4: "Waiting"}
PROC_STATUS_NAMES = {1: "Running", 2: "Idle", 3: "Syscall", 4: "SyscallAbandoned"}
GoRunnableStatus, GoRunningStatus, GoSyscallStatus, GoWaitingStatus = 1, 2, 3, 4
ProcRunningStatus, ProcIdleStatus, ProcSyscallStatus, ProcSyscallAbandonedStatus = 1, 2, 3, 4

# Public states (internal/trace GoState / ProcState), as Go prints them.
GO_STATES = ("Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall")
PROC_STATES = ("Undetermined", "NotExist", "Running", "Idle")
# wire status -> public state index
GO_STATUS_TO_STATE = {1: 2, 2: 3, 3: 5, 4: 4}
PROC_STATUS_TO_STATE = {1: 2, 2: 3, 3: 2, 4: 3}

# Public event kinds (internal/trace EventKind).
EVENT_KINDS = ("Bad", "Sync", "Metric", "Label", "StackSample", "RangeBegin", "RangeActive", "RangeEnd",
               "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd", "Log", "StateTransition", "Experimental")
(KindBad, KindSync, KindMetric, KindLabel, KindStackSample, KindRangeBegin, KindRangeActive, KindRangeEnd,
 KindTaskBegin, KindTaskEnd, KindRegionBegin, KindRegionEnd, KindLog, KindStateTransition,
 KindExperimental) = range(15)

TYPE_TO_KIND: dict[int, int] = {
    EvCPUSample: KindStackSample,
    EvProcsChange: KindMetric, EvHeapAlloc: KindMetric, EvHeapGoal: KindMetric,
    EvGoLabel: KindLabel,
    EvSTWBegin: KindRangeBegin, EvGCBegin: KindRangeBegin, EvGCSweepBegin: KindRangeBegin,
    EvGCMarkAssistBegin: KindRangeBegin,
    EvGCActive: KindRangeActive, EvGCSweepActive: KindRangeActive, EvGCMarkAssistActive: KindRangeActive,
    EvSTWEnd: KindRangeEnd, EvGCEnd: KindRangeEnd, EvGCSweepEnd: KindRangeEnd, EvGCMarkAssistEnd: KindRangeEnd,
    EvUserTaskBegin: KindTaskBegin, EvUserTaskEnd: KindTaskEnd,
    EvUserRegionBegin: KindRegionBegin, EvUserRegionEnd: KindRegionEnd,
    EvUserLog: KindLog,
    EvSyncPublic: KindSync,
}
for _t in (EvProcStart, EvProcStop, EvProcSteal, EvProcStatus, EvGoCreate, EvGoCreateSyscall, EvGoStart,
           EvGoDestroy, EvGoDestroySyscall, EvGoStop, EvGoBlock, EvGoUnblock, EvGoSyscallBegin, EvGoSyscallEnd,
           EvGoSyscallEndBlocked, EvGoStatus, EvGoSwitch, EvGoSwitchDestroy, EvGoCreateBlocked, EvGoStatusStack):
    TYPE_TO_KIND[_t] = KindStateTransition
for _t in range(EvSpan, MAX_EXPERIMENTAL_EVENT):
    TYPE_TO_KIND[_t] = KindExperimental
del _t
