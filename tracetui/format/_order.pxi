# Included by _core.pyx: the ordering state machine (Go's order.go). One handler
# per wire event type decides whether the event may advance now (1), must wait for
# another M (0), or proves the trace invalid (raises). Advancing events are emitted
# straight into the columns, in the order Go's ordering queue would hand them out.

cdef struct RangeEntry:
    uint8_t typ
    uint64_t desc

cdef struct RegionEntry:
    uint64_t task
    int32_t name

cdef struct TaskState:
    int32_t name
    uint64_t parent

cdef struct Ctx:
    int32_t m
    int32_t p
    int32_t g

# constraint values for validate_ctx
DEF MUST_NOT = 0
DEF MAY = 1
DEF MUST = 2

# gcState
DEF GC_UNDETERMINED = 0
DEF GC_NOT_RUNNING = 1
DEF GC_RUNNING = 2

# public states
DEF GoUndetermined = 0
DEF GoNotExist = 1
DEF ProcUndetermined = 0
DEF ProcNotExist = 1
DEF ProcRunning = 2
DEF ProcIdle = 3

# wire statuses
DEF GS_RUNNABLE = 1
DEF GS_RUNNING = 2
DEF GS_SYSCALL = 3
DEF GS_WAITING = 4
DEF PS_RUNNING = 1
DEF PS_IDLE = 2
DEF PS_SYSCALL = 3
DEF PS_ABANDONED = 4

cdef uint8_t[5] GO_STATUS_TO_STATE = [0, 2, 3, 5, 4]
cdef uint8_t[5] PROC_STATUS_TO_STATE = [0, 2, 3, 2, 3]
cdef list _GO_STATUS_NAMES = ["Bad", "Runnable", "Running", "Syscall", "Waiting"]
cdef list _PROC_STATUS_NAMES = ["Bad", "Running", "Idle", "Syscall", "SyscallAbandoned"]


cdef str status_name(list names, uint64_t s):
    return names[s] if s < 5 else "Bad"


cdef int validate_ctx(Ctx c, int rm, int rp, int rg) except -1:
    if rm == MUST and c.m == -1:
        raise _Fail("expected a thread but didn't have one")
    elif rm == MUST_NOT and c.m != -1:
        raise _Fail("expected no thread but had one")
    if rp == MUST and c.p == -1:
        raise _Fail("expected a proc but didn't have one")
    elif rp == MUST_NOT and c.p != -1:
        raise _Fail("expected no proc but had one")
    if rg == MUST and c.g == -1:
        raise _Fail("expected a goroutine but didn't have one")
    elif rg == MUST_NOT and c.g != -1:
        raise _Fail("expected no goroutine but had one")
    return 0


cdef inline int user_go_reqs(Ctx c) except -1:
    if c.m != -1 and c.p != -1 and c.g != -1:
        return 0
    return validate_ctx(c, MUST, MUST, MUST)


cdef inline bint succeeds(uint64_t agen, uint64_t aseq, uint64_t bgen, uint64_t bseq) noexcept nogil:
    return agen == bgen and aseq == bseq + 1


cdef inline uint8_t range_start(uint8_t typ) noexcept nogil:
    """makeRangeType: an End or Active event names its range by the Begin type."""
    if typ == EvSTWEnd:
        return EvSTWBegin
    if typ == EvGCActive or typ == EvGCEnd:
        return EvGCBegin
    if typ == EvGCSweepActive or typ == EvGCSweepEnd:
        return EvGCSweepBegin
    if typ == EvGCMarkAssistActive or typ == EvGCMarkAssistEnd:
        return EvGCMarkAssistBegin
    if typ == EvGoSyscallEnd or typ == EvGoSyscallEndBlocked:
        return EvGoSyscallBegin
    if typ == EvUserRegionEnd:
        return EvUserRegionBegin
    return typ


cdef bint has_range(vector[RangeEntry]& v, uint8_t typ, uint64_t desc) noexcept:
    for r in v:
        if r.typ == typ and r.desc == desc:
            return True
    return False


cdef int begin_range(vector[RangeEntry]& v, uint8_t typ, uint64_t desc) except -1:
    if has_range(v, typ, desc):
        raise _Fail(f"discovered event already in-flight for when starting event {SPEC_NAMES[typ]}")
    cdef RangeEntry e
    e.typ = typ
    e.desc = desc
    v.push_back(e)
    return 0


cdef int active_range(vector[RangeEntry]& v, uint8_t typ, bint initial) except -1:
    cdef RangeEntry e
    if initial:
        if has_range(v, typ, 0):
            raise _Fail(f"found named active range already in first gen: {SPEC_NAMES[typ]}")
        e.typ = typ
        e.desc = 0
        v.push_back(e)
    elif not has_range(v, typ, 0):
        raise _Fail(f"resource is missing active range: {SPEC_NAMES[typ]}")
    return 0


cdef uint64_t end_range(vector[RangeEntry]& v, uint8_t end_typ) except? 0xFFFFFFFFFFFFFFFF:
    cdef uint8_t st = range_start(end_typ)
    cdef size_t i, n = v.size()
    for i in range(n):
        if v[i].typ == st:
            desc = v[i].desc
            v[i] = v[n - 1]
            v.pop_back()
            return desc
    raise _Fail(f"tried to end event {SPEC_NAMES[st]}, but not in-flight")
