# distutils: language = c++
# cython: language_level=3
"""The compiled reader of pre-1.22 traces (the "v1" format of Go 1.11 to 1.21).

It follows Go's internal/trace/internal/tracev1 (parser.go, order.go) and the
converter internal/trace/tracev1.go: batches are found per P, merged into one
consistent stream by goroutine sequence numbers, re-timed, validated, then every
event is converted to the event types of the current format and written into the
same numpy columns and tables as the v2 decoder (`_core`), so that everything
downstream reads an old trace like a new one. The whole trace is one generation.
No Python object is made per event.
"""
from cython.operator cimport dereference as deref
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, realloc
from libc.string cimport memset
from libcpp cimport bool as cbool
from libcpp.unordered_map cimport unordered_map
from libcpp.unordered_set cimport unordered_set
from libcpp.vector cimport vector
from libcpp.utility cimport pair

import numpy as np
cimport numpy as cnp

cnp.import_array()

from tracetui.format._core import ARG2_TYPES, ARG_TYPES

include "_evtypes.pxi"
include "_buffers.pxi"
include "_sort.pxi"

# v1 event types (tracev1.EventType)
DEF V_None = 0
DEF V_Batch = 1
DEF V_Frequency = 2
DEF V_Stack = 3
DEF V_Gomaxprocs = 4
DEF V_ProcStart = 5
DEF V_ProcStop = 6
DEF V_GCStart = 7
DEF V_GCDone = 8
DEF V_STWStart = 9
DEF V_STWDone = 10
DEF V_GCSweepStart = 11
DEF V_GCSweepDone = 12
DEF V_GoCreate = 13
DEF V_GoStart = 14
DEF V_GoEnd = 15
DEF V_GoStop = 16
DEF V_GoSched = 17
DEF V_GoPreempt = 18
DEF V_GoSleep = 19
DEF V_GoBlock = 20
DEF V_GoUnblock = 21
DEF V_GoBlockSend = 22
DEF V_GoBlockRecv = 23
DEF V_GoBlockSelect = 24
DEF V_GoBlockSync = 25
DEF V_GoBlockCond = 26
DEF V_GoBlockNet = 27
DEF V_GoSysCall = 28
DEF V_GoSysExit = 29
DEF V_GoSysBlock = 30
DEF V_GoWaiting = 31
DEF V_GoInSyscall = 32
DEF V_HeapAlloc = 33
DEF V_HeapGoal = 34
DEF V_TimerGoroutine = 35
DEF V_FutileWakeup = 36
DEF V_String = 37
DEF V_GoStartLocal = 38
DEF V_GoUnblockLocal = 39
DEF V_GoSysExitLocal = 40
DEF V_GoStartLabel = 41
DEF V_GoBlockGC = 42
DEF V_GCMarkAssistStart = 43
DEF V_GCMarkAssistDone = 44
DEF V_UserTaskCreate = 45
DEF V_UserTaskEnd = 46
DEF V_UserRegion = 47
DEF V_UserLog = 48
DEF V_CPUSample = 49
DEF V_Count = 50

# fake Ps (tracev1.FakeP + iota)
DEF TimerP = 1000001
DEF NetpollP = 1000002
DEF SyscallP = 1000003
DEF GCP = 1000004
DEF ProfileP = 1000005

# (typed C globals: a DEF this large is a Python int, and comparing with one is a Python call)
cdef uint64_t U64MAX = 0xFFFFFFFFFFFFFFFF
cdef uint64_t UNORDERED = 0xFFFFFFFFFFFFFFFF
cdef uint64_t GARBAGE = 0xFFFFFFFFFFFFFFFE
cdef uint64_t NOSEQ = 0xFFFFFFFFFFFFFFFF
cdef uint64_t SEQINC = 0xFFFFFFFFFFFFFFFE
DEF G_DEAD = 0
DEF G_RUNNABLE = 1
DEF G_RUNNING = 2
DEF G_WAITING = 3

# (name, minVersion, has stack, number of args) per v1 type: EventDescriptions.
_DESC = {
    0: ("None", 5, 0, 0), 1: ("Batch", 5, 0, 2), 2: ("Frequency", 5, 0, 1), 3: ("Stack", 5, 0, 2),
    4: ("Gomaxprocs", 5, 1, 1), 5: ("ProcStart", 5, 0, 1), 6: ("ProcStop", 5, 0, 0), 7: ("GCStart", 5, 1, 1),
    8: ("GCDone", 5, 0, 0), 9: ("GCSTWStart", 5, 0, 1), 10: ("GCSTWDone", 5, 0, 0),
    11: ("GCSweepStart", 5, 1, 0), 12: ("GCSweepDone", 5, 0, 2), 13: ("GoCreate", 5, 1, 2),
    14: ("GoStart", 5, 0, 2), 15: ("GoEnd", 5, 0, 0), 16: ("GoStop", 5, 1, 0), 17: ("GoSched", 5, 1, 0),
    18: ("GoPreempt", 5, 1, 0), 19: ("GoSleep", 5, 1, 0), 20: ("GoBlock", 5, 1, 0), 21: ("GoUnblock", 5, 1, 2),
    22: ("GoBlockSend", 5, 1, 0), 23: ("GoBlockRecv", 5, 1, 0), 24: ("GoBlockSelect", 5, 1, 0),
    25: ("GoBlockSync", 5, 1, 0), 26: ("GoBlockCond", 5, 1, 0), 27: ("GoBlockNet", 5, 1, 0),
    28: ("GoSysCall", 5, 1, 0), 29: ("GoSysExit", 5, 0, 3), 30: ("GoSysBlock", 5, 0, 0),
    31: ("GoWaiting", 5, 0, 1), 32: ("GoInSyscall", 5, 0, 1), 33: ("HeapAlloc", 5, 0, 1),
    34: ("HeapGoal", 5, 0, 1), 35: ("TimerGoroutine", 5, 0, 1), 36: ("FutileWakeup", 5, 0, 0),
    37: ("String", 7, 0, 0), 38: ("GoStartLocal", 7, 0, 1), 39: ("GoUnblockLocal", 7, 1, 1),
    40: ("GoSysExitLocal", 7, 0, 2), 41: ("GoStartLabel", 8, 0, 3), 42: ("GoBlockGC", 8, 1, 0),
    43: ("GCMarkAssistStart", 9, 1, 0), 44: ("GCMarkAssistDone", 9, 0, 0), 45: ("UserTaskCreate", 11, 1, 3),
    46: ("UserTaskEnd", 11, 1, 1), 47: ("UserRegion", 11, 1, 3), 48: ("UserLog", 11, 1, 2),
    49: ("CPUSample", 19, 1, 3),
}
cdef list NAMES = [""] * 256
cdef int[256] MIN_VERSION
cdef bint[256] HAS_STACK
cdef int[256] NARG          # argNum() for every type but Stack
for _t in range(256):
    MIN_VERSION[_t] = 1000
    HAS_STACK[_t] = False
    NARG[_t] = 0
for _t, (_n, _v, _s, _a) in _DESC.items():
    NAMES[_t] = _n
    MIN_VERSION[_t] = _v
    HAS_STACK[_t] = _s
    NARG[_t] = _a + _s + (0 if _t in (V_Batch, V_Frequency, V_TimerGoroutine) else 1)

cdef bint[256] HAS_ARG
cdef bint[256] HAS_ARG2
for _t in range(256):
    HAS_ARG[_t] = _t in ARG_TYPES
    HAS_ARG2[_t] = _t in ARG2_TYPES

# Strings the converter adds (tracev1.go's sForever ... sSTWResetDebugLog).
BUILTINS = ("forever", "preempted", "runtime.Gosched", "sleep", "chan send", "chan receive", "network", "sync",
            "sync.(*Cond).Wait", "select", "", "GC mark assist wait for work",
            "", "GC mark termination", "GC sweep termination", "write heap dump", "goroutine profile",
            "goroutine profile cleanup", "all goroutine stack trace", "read mem stats", "AllThreadsSyscall",
            "GOMAXPROCS", "start trace", "stop trace", "CountPagesInUse (test)", "ReadMetricsSlow (test)",
            "ReadMemStatsSlow (test)", "PageCachePagesLeaked (test)", "ResetDebugLog (test)")
DEF S_FOREVER = 0
DEF S_PREEMPTED = 1
DEF S_GOSCHED = 2
DEF S_SLEEP = 3
DEF S_CHANSEND = 4
DEF S_CHANRECV = 5
DEF S_NETWORK = 6
DEF S_SYNC = 7
DEF S_SYNCCOND = 8
DEF S_SELECT = 9
DEF S_EMPTY = 10
DEF S_MARKASSIST = 11
DEF S_STW_UNKNOWN = 12
DEF NUM_STW_REASONS = 17


class V1Error(Exception):
    """An invalid v1 trace: (message, byte offset or None)."""


cdef struct V1Ev:
    int64_t ts
    uint64_t g
    uint64_t args[4]
    uint32_t stk
    int32_t p
    uint8_t typ


cdef struct BatchOff:
    Py_ssize_t offset


cdef struct GState:
    uint64_t seq
    int status


cdef struct GDesc:
    int state
    uint8_t ev_typ      # type of gdesc.ev (0: nil)
    bint has_create
    uint64_t create_stack
    bint mark_assist


cdef struct PDesc:
    bint running
    uint64_t g
    bint sweep


cdef struct Ctx:
    int32_t m
    int32_t p
    int32_t g


cdef struct TaskInfo:
    int32_t name
    uint64_t parent


cdef inline int uvarint(const uint8_t* p, Py_ssize_t n, uint64_t* out) noexcept nogil:
    """encoding/binary.Uvarint: bytes read, 0 if short, -k on overflow."""
    cdef uint64_t x = 0
    cdef unsigned s = 0
    cdef Py_ssize_t i
    cdef uint8_t b
    for i in range(n):
        if i == 10:
            return -11
        b = p[i]
        if b < 0x80:
            if i == 9 and b > 1:
                return -(i + 1)
            out[0] = x | (<uint64_t>b << s)
            return i + 1
        x |= (<uint64_t>(b & 0x7F)) << s
        s += 7
    return 0


cdef class V1Decoder:
    cdef object _owner
    cdef const uint8_t* buf
    cdef Py_ssize_t n
    cdef Py_ssize_t off
    cdef public int version
    # raw event state
    cdef uint8_t r_typ
    cdef vector[uint64_t] r_args
    cdef Py_ssize_t r_sarg_off
    cdef Py_ssize_t r_sarg_len
    cdef int32_t r_pid
    cdef Py_ssize_t r_batch_off
    # parser state
    cdef unordered_map[uint64_t, int32_t] str_index      # v1 string id -> our string index
    cdef public list strings
    cdef dict string_index
    cdef dict inline_index                                # inline (UserLog message) -> our index
    cdef vector[int32_t] procs_order
    cdef unordered_map[int32_t, vector[BatchOff]] batch_offsets
    cdef unordered_map[int32_t, size_t] batch_next
    cdef unordered_map[uint32_t, vector[uint64_t]] stacks
    cdef unordered_map[uint64_t, uint64_t] pc_fn
    cdef unordered_map[uint64_t, uint64_t] pc_file
    cdef unordered_map[uint64_t, uint64_t] pc_line
    cdef vector[uint64_t] pc_order
    cdef int64_t ticks_per_sec
    cdef vector[V1Ev] cpu
    cdef unordered_set[uint64_t] timer_goids
    cdef int64_t last_ts
    cdef uint64_t last_g
    cdef unordered_map[int32_t, uint64_t] last_gs
    cdef int32_t last_p
    cdef vector[V1Ev] events
    # columns
    cdef int64_t* c_time
    cdef uint8_t* c_type
    cdef int32_t* c_g
    cdef int32_t* c_stack
    cdef int32_t* c_aux
    cdef Py_ssize_t cap
    cdef public Py_ssize_t count
    cdef Runs m_runs
    cdef Runs p_runs
    cdef Sparse arg
    cdef Sparse arg2
    cdef int64_t out_last
    cdef unordered_map[uint64_t, int32_t] g_index
    cdef unordered_map[uint64_t, int32_t] p_index
    cdef unordered_map[uint64_t, int32_t] m_index
    cdef vector[int64_t] g_ids
    cdef vector[int64_t] p_ids
    cdef vector[int64_t] m_ids
    cdef unordered_map[uint32_t, int32_t] stack_index
    cdef vector[int64_t] stack_offsets
    cdef vector[int32_t] stack_frames
    cdef vector[uint64_t] frame_pc
    cdef vector[int32_t] frame_func
    cdef vector[int32_t] frame_file
    cdef vector[uint64_t] frame_line
    cdef int32_t[29] builtin
    cdef public int64_t first_ts
    cdef vector[int32_t] inline_ids
    cdef public object error     # a conversion error after some events: (message, offset)

    def __cinit__(self, buf, int version, Py_ssize_t start):
        cdef const uint8_t[::1] view = buf
        self._owner = buf
        self.n = view.shape[0]
        self.buf = &view[0] if self.n > 0 else NULL
        self.off = start
        self.version = version
        self.strings = [""]
        self.string_index = {"": 0}
        self.inline_index = {}
        self.ticks_per_sec = 0
        self.last_p = 0
        self.cap = 0
        self.count = 0
        self.first_ts = 0
        self.error = None

    def __dealloc__(self):
        free(self.c_time)
        free(self.c_type)
        free(self.c_g)
        free(self.c_stack)
        free(self.c_aux)
        free(self.arg.vals)
        free(self.arg2.vals)
        runs_free(&self.m_runs)
        runs_free(&self.p_runs)

    cdef int32_t intern(self, str s):
        idx = self.string_index.get(s)
        if idx is None:
            idx = len(self.strings)
            self.string_index[s] = idx
            self.strings.append(s)
        return idx

    # ---- raw events (readRawEvent) --------------------------------------
    cdef uint64_t read_val(self, int err) except? 0xFFFFFFFFFFFFFFFF:
        """A uvarint; on a bad one, V1Error with Go's wording (err: 0, or the event type
        whose argument it is, plus 1)."""
        cdef uint64_t v = 0
        cdef int nb = uvarint(self.buf + self.off, self.n - self.off, &v) if self.off < self.n else 0
        if nb <= 0:
            if err:
                raise V1Error(f"failed to read event {err - 1} argument: malformatted base-128 varint", self.off)
            raise V1Error("malformatted base-128 varint", self.off)
        self.off += nb
        return v

    cdef int read_raw(self, bint skip) except -1:
        """One raw event into r_*; returns 1 at EOF. `skip`: the indexing pass
        (skipArgs|skipStrings)."""
        cdef Py_ssize_t at = self.off
        if self.off >= self.n:
            return 1
        cdef uint8_t b = self.buf[self.off]
        self.off += 1
        cdef uint8_t typ = b & 0x3F
        cdef int narg = (b >> 6) + 1
        cdef uint64_t v, ln, id, pid
        cdef const uint8_t* p
        cdef Py_ssize_t end
        cdef int nb
        if typ == V_None or typ >= V_Count or MIN_VERSION[typ] > self.version:
            raise V1Error(f"unknown event type {typ}", at)
        self.r_args.clear()
        self.r_typ = typ
        if typ == V_String:
            id = self.read_val(0)
            if not skip and id == 0:
                raise V1Error("string has invalid id 0", at)
            if not skip and self.str_index.count(id) and self.strings[self.str_index[id]] != "":
                raise V1Error(f"string has duplicate id {id}", at)
            ln = self.read_val(0)
            if not skip and ln == 0:
                raise V1Error("string has invalid length 0", at)
            if not skip and ln > 1000000:
                raise V1Error(f"string has too large length {ln}", at)
            if ln > <uint64_t>(self.n - self.off):
                raise V1Error("failed to read trace: " + ("EOF" if skip else "unexpected EOF"), at)
            if not skip:
                s = (<const char*>(self.buf + self.off))[:ln].decode("utf-8", "surrogateescape")
                self.str_index[id] = self.intern(s)
            self.off += ln
            self.r_typ = V_None
            return 0
        if typ == V_Batch:
            if narg != 2:
                raise V1Error(f"EvBatch has wrong number of arguments: got {narg}, want 2", at)
            pid = self.read_val(0)
            if pid != U64MAX and pid > 0x7FFFFFFF:
                raise V1Error(f"processor ID {pid} is larger than maximum of {U64MAX}", at)
            self.r_pid = -1 if pid == U64MAX else <int32_t>pid
            self.r_batch_off = at
            v = self.read_val(0)
            self.r_args.push_back(pid)
            self.r_args.push_back(v)
            return 0
        cdef int i
        if narg <= 3:
            for i in range(narg):
                v = self.read_val(typ + 1)
                if not skip:
                    self.r_args.push_back(v)
            return 0
        v = self.read_val(typ + 1)
        if v > 2048:
            raise V1Error(f"failed to read event {typ} argument: length-prefixed argument too big: {v} bytes, "
                          f"limit is 2048", at)
        if not skip or typ == V_CPUSample:
            if self.off >= self.n or <uint64_t>(self.n - self.off) < v:
                raise V1Error("failed to read trace: unexpected EOF", at)
            p = self.buf + self.off
            end = self.off + <Py_ssize_t>v
            while self.off < end:
                nb = uvarint(self.buf + self.off, end - self.off, &ln)
                if nb <= 0:
                    raise V1Error("malformatted base-128 varint", self.off)
                self.off += nb
                self.r_args.push_back(ln)
        else:
            if <uint64_t>(self.n - self.off) < v:
                raise V1Error("failed to read trace: EOF", at)
            self.off += v
        if typ == V_UserLog:
            ln = self.read_val(0)
            if skip:
                if <uint64_t>(self.n - self.off) < ln:
                    return 1  # Go's indexing pass takes this for the end of the trace
                self.off += ln
            else:
                if ln > 1000000:
                    raise V1Error(f"string is too large (len={ln})", at)
                if ln > 0 and (self.off >= self.n or <uint64_t>(self.n - self.off) < ln):
                    raise V1Error("failed to read trace: unexpected EOF", at)
                self.r_sarg_off = self.off
                self.r_sarg_len = ln
                self.off += ln
        return 0

    # ---- pass 1: batches and CPU samples ---------------------------------
    cdef int collect(self) except -1:
        cdef int32_t cur_p = 0
        cdef BatchOff bo
        cdef V1Ev e
        cdef Py_ssize_t at
        cdef size_t nraw = 0
        while True:
            at = self.off
            if self.read_raw(True):
                break
            if self.r_typ == V_None:
                continue
            nraw += 1
            if self.r_typ == V_Batch:
                if not self.batch_offsets.count(self.r_pid):
                    self.procs_order.push_back(self.r_pid)
                bo.offset = self.r_batch_off
                self.batch_offsets[self.r_pid].push_back(bo)
                cur_p = self.r_pid
            if not self.batch_offsets.count(cur_p) or self.batch_offsets[cur_p].size() == 0:
                raise V1Error(f"read event {self.r_typ} with current P of {cur_p}, but P has no batches yet", at)
            if self.r_typ == V_CPUSample:
                if self.r_args.size() != 5:
                    raise V1Error(f"CPU sample has wrong number of arguments: want 5, got {self.r_args.size()}", at)
                e.typ = V_CPUSample
                e.ts = <int64_t>self.r_args[1]
                e.p = <int32_t>self.r_args[2]
                e.g = self.r_args[3]
                e.stk = <uint32_t>self.r_args[4]
                memset(&e.args[0], 0, sizeof(e.args))
                e.args[1] = self.r_args[2]
                e.args[2] = self.r_args[3]
                self.cpu.push_back(e)
        self.events.reserve(nraw)  # an upper bound: batches, stacks and tables are no events
        return 0

    # ---- pass 2: batch contents (loadBatch, parseEvent) -----------------------
    cdef int load_batch(self, int32_t pid, vector[V1Ev]* out) except -1:
        """Append the events of pid's next batch to out; 1 if it has none left."""
        cdef size_t k = self.batch_next[pid]
        cdef vector[BatchOff]* offs = &self.batch_offsets[pid]
        if k >= offs.size():
            return 1
        self.batch_next[pid] = k + 1
        self.off = deref(offs)[k].offset
        cdef bint got_header = False
        cdef V1Ev ev
        cdef Py_ssize_t at
        while True:
            at = self.off
            if self.read_raw(False):
                break
            if self.r_typ == V_None or self.r_typ == V_CPUSample:
                continue
            if self.r_typ == V_Batch:
                if got_header:
                    break
                got_header = True
            if self.parse_event(&ev, at):
                out.push_back(ev)
        return 0

    cdef bint parse_event(self, V1Ev* ev, Py_ssize_t at) except -1:
        cdef uint8_t typ = self.r_typ
        cdef size_t narg = self.r_args.size() if typ == V_Stack else <size_t>NARG[typ]
        cdef size_t i
        cdef uint64_t size, pc, id
        if self.r_args.size() != narg:
            raise V1Error(f"{NAMES[typ]} has wrong number of arguments: want {narg}, got {self.r_args.size()}", at)
        if typ == V_Batch:
            self.last_gs[self.last_p] = self.last_g
            if self.r_args[0] != U64MAX and self.r_args[0] > 0x7FFFFFFF:
                raise V1Error(f"processor ID {self.r_args[0]} is larger than maximum of 2147483647", at)
            self.last_p = -1 if self.r_args[0] == U64MAX else <int32_t>self.r_args[0]
            self.last_g = self.last_gs[self.last_p]
            self.last_ts = <int64_t>self.r_args[1]
            return False
        if typ == V_Frequency:
            self.ticks_per_sec = <int64_t>self.r_args[0]
            if self.ticks_per_sec <= 0:
                raise V1Error("time stamps out of order", at)
            return False
        if typ == V_TimerGoroutine:
            self.timer_goids.insert(self.r_args[0])
            return False
        if typ == V_Stack:
            if self.r_args.size() < 2:
                raise V1Error(f"EvStack has wrong number of arguments: want at least 2, got {self.r_args.size()}", at)
            size = self.r_args[1]
            if size > 1000:
                raise V1Error(f"EvStack has bad number of frames: {size}", at)
            if self.r_args.size() != 2 + 4 * size:
                raise V1Error(f"EvStack has wrong number of arguments: want {2 + 4 * size}, got {self.r_args.size()}", at)
            id = <uint32_t>self.r_args[0]
            if id != 0 and size > 0:
                self.stacks[<uint32_t>id].clear()
                for i in range(size):
                    pc = self.r_args[2 + i * 4]
                    self.stacks[<uint32_t>id].push_back(pc)
                    if not self.pc_fn.count(pc):
                        self.pc_fn[pc] = self.r_args[3 + i * 4]
                        self.pc_file[pc] = self.r_args[4 + i * 4]
                        self.pc_line[pc] = self.r_args[5 + i * 4]
                        self.pc_order.push_back(pc)
            return False
        ev.typ = typ
        ev.p = self.last_p
        ev.g = self.last_g
        ev.stk = 0
        memset(&ev.args[0], 0, 32)
        ev.ts = self.last_ts + <int64_t>self.r_args[0]
        self.last_ts = ev.ts
        for i in range(1, narg):
            if i == narg - 1 and HAS_STACK[typ]:
                ev.stk = <uint32_t>self.r_args[i]
            else:
                ev.args[i - 1] = self.r_args[i]
        if typ == V_GoStart or typ == V_GoStartLocal or typ == V_GoStartLabel:
            self.last_g = ev.args[0]
            ev.g = self.last_g
        elif (typ == V_GoEnd or typ == V_GoStop or typ == V_GoSched or typ == V_GoPreempt or typ == V_GoSleep
              or typ == V_GoBlock or typ == V_GoBlockSend or typ == V_GoBlockRecv or typ == V_GoBlockSelect
              or typ == V_GoBlockSync or typ == V_GoBlockCond or typ == V_GoBlockNet or typ == V_GoSysBlock
              or typ == V_GoBlockGC):
            self.last_g = 0
        elif typ == V_GoSysExit or typ == V_GoWaiting or typ == V_GoInSyscall:
            ev.g = ev.args[0]
        elif typ == V_UserLog:
            s = (<const char*>(self.buf + self.r_sarg_off))[:self.r_sarg_len].decode("utf-8", "surrogateescape")
            ev.args[3] = self.inline_index.setdefault(s, len(self.inline_index))
        return True

    # ---- merging (parseEventBatches, order.go) ---------------------------------
    cdef int merge(self) except -1:
        cdef vector[V1Ev] sorted_cpu
        cdef vector[int64_t] keys
        sort_cpu_samples(self.cpu)
        cdef size_t nprocs = self.procs_order.size() + 1
        cdef vector[vector[V1Ev]] bufs
        cdef vector[size_t] pos
        cdef vector[int32_t] pids
        bufs.resize(nprocs)
        pos.resize(nprocs)
        cdef size_t i
        for i in range(nprocs - 1):
            pids.push_back(self.procs_order[i])
        pids.push_back(ProfileP)
        bufs[nprocs - 1] = self.cpu
        cdef vector[int] avail
        cdef vector[cbool] done
        done.resize(nprocs)
        for i in range(nprocs):
            avail.push_back(<int>i)
        cdef vector[int] frontier       # heap of proc indices; their event is bufs[k][pos[k]-1]
        cdef vector[V1Ev] fev           # the frontier events, parallel to frontier
        cdef unordered_map[uint64_t, GState] gs
        cdef int k, ii
        cdef V1Ev* ev
        cdef V1Ev f
        cdef uint64_t g
        cdef GState init, nxt, curr
        cdef int rc
        curr.seq = 0
        curr.status = 0
        while True:
            ii = 0
            while ii < <int>avail.size():
                k = avail[ii]
                while pos[k] >= bufs[k].size():
                    if pids[k] == ProfileP:
                        rc = 1
                    else:
                        bufs[k].clear()
                        pos[k] = 0
                        rc = self.load_batch(pids[k], &bufs[k])
                    if rc == 1:
                        done[k] = True
                        avail[ii] = avail[avail.size() - 1]
                        avail.pop_back()
                        break
                else:
                    ev = &bufs[k][pos[k]]
                    state_transition(ev, &g, &init, &nxt)
                    if not transition_ready(g, gs[g] if g != UNORDERED else curr, init):
                        ii += 1
                        continue
                    pos[k] += 1
                    avail[ii] = avail[avail.size() - 1]
                    avail.pop_back()
                    frontier.push_back(k)
                    fev.push_back(ev[0])
                    heap_up(frontier, fev, <int>frontier.size() - 1)
                    continue
                # the proc was exhausted: look at index ii again
            if frontier.size() == 0:
                for i in range(nprocs):
                    if not done[i]:
                        raise V1Error("no consistent ordering of events possible", None)
                break
            k = frontier[0]
            f = fev[0]
            heap_pop(frontier, fev)
            state_transition(&f, &g, &init, &nxt)
            if f.typ == V_GoStartLocal:
                f.typ = V_GoStart
            elif f.typ == V_GoUnblockLocal:
                f.typ = V_GoUnblock
            elif f.typ == V_GoSysExitLocal:
                f.typ = V_GoSysExit
            self.events.push_back(f)
            if g != UNORDERED:
                curr = gs[g]
                if not transition_ready(g, curr, init):
                    raise V1Error("encountered impossible goroutine state transition", None)
                if nxt.seq == NOSEQ:
                    nxt.seq = curr.seq
                elif nxt.seq == SEQINC:
                    nxt.seq = curr.seq + 1
                gs[g] = nxt
            avail.push_back(k)
        cdef size_t n = self.events.size()
        for i in range(1, n):
            if self.events[i].ts < self.events[i - 1].ts:
                raise V1Error("time stamps out of order", None)
        cdef unordered_map[uint64_t, int64_t] last_block
        cdef int64_t ts, block
        cdef vector[size_t] moved
        for i in range(n):
            ev = &self.events[i]
            if ev.typ == V_GoSysBlock or ev.typ == V_GoInSyscall:
                last_block[ev.g] = ev.ts
            elif ev.typ == V_GoSysExit:
                ts = <int64_t>ev.args[2]
                if ts == 0:
                    continue
                block = last_block[ev.g]
                if block == 0:
                    raise V1Error("stray syscall exit", None)
                if ts < block:
                    raise V1Error("time stamps out of order", None)
                ev.ts = ts
                moved.push_back(i)
        resort(self.events, moved)
        return 0

    # ---- timing and validation (parse, postProcessTrace) ---------------------
    cdef int retime(self) except -1:
        if self.ticks_per_sec == 0:
            raise V1Error("no EvFrequency event", None)
        cdef size_t i, n = self.events.size()
        if n == 0:
            return 0
        cdef int64_t min_ts = self.events[0].ts
        cdef double freq = 1e9 / <double>self.ticks_per_sec
        cdef V1Ev* ev
        for i in range(n):
            ev = &self.events[i]
            ev.ts = <int64_t>(<double>(ev.ts - min_ts) * freq)
            if ev.typ == V_GoUnblock and self.timer_goids.count(ev.g):
                ev.p = TimerP
            if ev.typ == V_GoSysExit:
                ev.p = SyscallP
        return 0

    cdef int validate(self) except -1:
        cdef unordered_map[uint64_t, GDesc] gs
        cdef unordered_map[int32_t, PDesc] ps
        cdef unordered_set[uint64_t] tasks
        cdef unordered_map[uint64_t, vector[pair[uint64_t, uint64_t]]] regions
        cdef GDesc zero_g
        zero_g.state = G_RUNNING
        zero_g.ev_typ = 0
        zero_g.has_create = False
        zero_g.mark_assist = False
        gs[0] = zero_g
        cdef bint in_gc = False, in_stw = False
        cdef size_t i, n = self.events.size()
        cdef V1Ev* ev
        cdef GDesc* g
        cdef GDesc* g1
        cdef PDesc* p
        cdef uint8_t t
        cdef uint64_t mode
        cdef pair[uint64_t, uint64_t] top
        for i in range(n):
            ev = &self.events[i]
            t = ev.typ
            if t == V_ProcStart:
                p = &ps[ev.p]
                if p.running:
                    raise V1Error(f"p {ev.p} is running before start (time {ev.ts})", None)
                p.running = True
            elif t == V_ProcStop:
                p = &ps[ev.p]
                if not p.running:
                    raise V1Error(f"p {ev.p} is not running before stop (time {ev.ts})", None)
                if p.g != 0:
                    raise V1Error(f"p {ev.p} is running a goroutine {p.g} during stop (time {ev.ts})", None)
                p.running = False
            elif t == V_GCStart:
                if in_gc:
                    raise V1Error(f"previous GC is not ended before a new one (time {ev.ts})", None)
                in_gc = True
                ev.p = GCP
            elif t == V_GCDone:
                if not in_gc:
                    raise V1Error(f"bogus GC end (time {ev.ts})", None)
                in_gc = False
            elif t == V_STWStart:
                if in_stw:
                    raise V1Error(f"previous STW is not ended before a new one (time {ev.ts})", None)
                in_stw = True
            elif t == V_STWDone:
                if not in_stw:
                    raise V1Error(f"bogus STW end (time {ev.ts})", None)
                in_stw = False
            elif t == V_GCSweepStart:
                p = &ps[ev.p]
                if p.sweep:
                    raise V1Error(f"previous sweeping is not ended before a new one (time {ev.ts})", None)
                p.sweep = True
            elif t == V_GCMarkAssistStart:
                g = &gs[ev.g]
                if g.mark_assist:
                    raise V1Error(f"previous mark assist is not ended before a new one (time {ev.ts})", None)
                g.mark_assist = True
            elif t == V_GCMarkAssistDone:
                gs[ev.g].mark_assist = False
            elif t == V_GCSweepDone:
                p = &ps[ev.p]
                if not p.sweep:
                    raise V1Error(f"bogus sweeping end (time {ev.ts})", None)
                p.sweep = False
            elif t == V_GoWaiting or t == V_GoInSyscall:
                g = &gs[ev.g]
                if g.state != G_RUNNABLE:
                    raise V1Error(f"g {ev.g} is not runnable before {NAMES[t].replace('Go', 'EvGo', 1)} (time {ev.ts})", None)
                g.state = G_WAITING
                g.ev_typ = t
            elif t == V_GoCreate:
                check_running(ps[ev.p], gs[ev.g], ev, True)
                if gs.count(ev.args[0]):
                    raise V1Error(f"g {ev.args[0]} already exists (time {ev.ts})", None)
                g = &gs[ev.args[0]]
                g.state = G_RUNNABLE
                g.ev_typ = t
                g.has_create = True
                g.create_stack = ev.args[1]
                g.mark_assist = False
            elif t == V_GoStart or t == V_GoStartLabel:
                g = &gs[ev.g]
                p = &ps[ev.p]
                if g.state != G_RUNNABLE:
                    raise V1Error(f"g {ev.g} is not runnable before start (time {ev.ts})", None)
                if p.g != 0:
                    raise V1Error(f"p {ev.p} is already running g {p.g} while start g {ev.g} (time {ev.ts})", None)
                g.state = G_RUNNING
                p.g = ev.g
                if g.has_create:
                    ev.stk = <uint32_t>g.create_stack
                    g.has_create = False
                g.ev_typ = 0
            elif t == V_GoEnd or t == V_GoStop:
                g = &gs[ev.g]
                p = &ps[ev.p]
                check_running(p[0], g[0], ev, False)
                g.state = G_DEAD
                p.g = 0
                if t == V_GoEnd:
                    regions.erase(ev.g)
            elif t == V_GoSched or t == V_GoPreempt:
                g = &gs[ev.g]
                p = &ps[ev.p]
                check_running(p[0], g[0], ev, False)
                g.state = G_RUNNABLE
                p.g = 0
                g.ev_typ = t
            elif t == V_GoUnblock:
                g = &gs[ev.g]
                p = &ps[ev.p]
                if g.state != G_RUNNING:
                    raise V1Error(f"g {ev.g} is not running while unpark (time {ev.ts})", None)
                if ev.p != TimerP and p.g != ev.g:
                    raise V1Error(f"p {ev.p} is not running g {ev.g} while unpark (time {ev.ts})", None)
                g1 = &gs[ev.args[0]]
                if g1.state != G_WAITING:
                    raise V1Error(f"g {ev.args[0]} is not waiting before unpark (time {ev.ts})", None)
                if g1.ev_typ == V_GoBlockNet:
                    ev.p = NetpollP
                g1.state = G_RUNNABLE
                g1.ev_typ = t
            elif t == V_GoSysCall:
                g = &gs[ev.g]
                check_running(ps[ev.p], g[0], ev, False)
                g.ev_typ = t
            elif t == V_GoSysBlock:
                g = &gs[ev.g]
                p = &ps[ev.p]
                check_running(p[0], g[0], ev, False)
                g.state = G_WAITING
                p.g = 0
            elif t == V_GoSysExit:
                g = &gs[ev.g]
                if g.state != G_WAITING:
                    raise V1Error(f"g {ev.g} is not waiting during syscall exit (time {ev.ts})", None)
                g.state = G_RUNNABLE
                g.ev_typ = t
            elif (t == V_GoSleep or t == V_GoBlock or t == V_GoBlockSend or t == V_GoBlockRecv
                  or t == V_GoBlockSelect or t == V_GoBlockSync or t == V_GoBlockCond or t == V_GoBlockNet
                  or t == V_GoBlockGC):
                g = &gs[ev.g]
                p = &ps[ev.p]
                check_running(p[0], g[0], ev, False)
                g.state = G_WAITING
                g.ev_typ = t
                p.g = 0
            elif t == V_UserTaskCreate:
                if tasks.count(ev.args[0]):
                    raise V1Error(f"task id conflicts (id:{ev.args[0]})", None)
                tasks.insert(ev.args[0])
            elif t == V_UserTaskEnd:
                tasks.erase(ev.args[0])
            elif t == V_UserRegion:
                mode = ev.args[1]
                if mode == 0:
                    regions[ev.g].push_back(pair[uint64_t, uint64_t](ev.args[0], ev.args[2]))
                elif mode == 1:
                    if regions.count(ev.g) and regions[ev.g].size() > 0:
                        top = regions[ev.g].back()
                        if top.first != ev.args[0] or top.second != ev.args[2]:
                            raise V1Error(f"misuse of region in goroutine {ev.g}: span end when the inner-most "
                                          f"active span start event is different", None)
                        regions[ev.g].pop_back()
                        if regions[ev.g].size() == 0:
                            regions.erase(ev.g)
                else:
                    raise V1Error("invalid user region mode", None)
            if ev.stk != 0:
                it = self.stacks.find(ev.stk)
                if it == self.stacks.end() or deref(it).second.size() == 0:
                    ev.stk = 0
        return 0

    # ---- tables ------------------------------------------------------------
    cdef int build_tables(self) except -1:
        """Builtin strings, frames and stacks, in our trace-wide tables."""
        cdef int k
        for k in range(29):
            self.builtin[k] = self.intern(BUILTINS[k])
        cdef dict frame_index = {}
        cdef vector[uint32_t] ids
        for kv in self.stacks:
            ids.push_back(kv.first)
        sort_u32(ids)
        self.stack_offsets.push_back(0)
        self.stack_offsets.push_back(0)   # stack 0: none
        cdef uint64_t pc
        cdef int32_t fi
        cdef object key
        for sid in ids:
            for pc in self.stacks[sid]:
                key = (pc, self.pc_fn[pc], self.pc_file[pc], self.pc_line[pc])
                fi = frame_index.get(key, -1)
                if fi < 0:
                    fi = <int32_t>self.frame_pc.size()
                    frame_index[key] = fi
                    self.frame_pc.push_back(pc)
                    self.frame_func.push_back(self.sid(self.pc_fn[pc]))
                    self.frame_file.push_back(self.sid(self.pc_file[pc]))
                    self.frame_line.push_back(self.pc_line[pc])
                self.stack_frames.push_back(fi)
            self.stack_index[sid] = <int32_t>(self.stack_offsets.size() - 1)
            self.stack_offsets.push_back(self.stack_frames.size())
        return 0

    cdef inline int32_t sid(self, uint64_t id):
        """Our string index of a v1 string id (0, the empty string, if unknown)."""
        it = self.str_index.find(id)
        return deref(it).second if it != self.str_index.end() else 0

    cdef inline int32_t stk(self, uint64_t id):
        if id == 0:
            return 0
        it = self.stack_index.find(<uint32_t>id)
        return deref(it).second if it != self.stack_index.end() else 0

    cdef int32_t gidx(self, uint64_t raw) except -2:
        if raw == U64MAX:
            return -1
        it = self.g_index.find(raw)
        if it != self.g_index.end():
            return deref(it).second
        cdef int32_t i = <int32_t>self.g_ids.size()
        self.g_index[raw] = i
        self.g_ids.push_back(<int64_t>raw)
        return i

    cdef int32_t pidx(self, int64_t raw) except -2:
        if raw == -1:
            return -1
        it = self.p_index.find(<uint64_t>raw)
        if it != self.p_index.end():
            return deref(it).second
        cdef int32_t i = <int32_t>self.p_ids.size()
        self.p_index[<uint64_t>raw] = i
        self.p_ids.push_back(raw)
        return i

    cdef int32_t midx(self, uint64_t raw) except -2:
        if raw == U64MAX:
            return -1
        it = self.m_index.find(raw)
        if it != self.m_index.end():
            return deref(it).second
        cdef int32_t i = <int32_t>self.m_ids.size()
        self.m_index[raw] = i
        self.m_ids.push_back(<int64_t>raw)
        return i

    # ---- columns -----------------------------------------------------------------
    cdef int grow(self) except -1:
        cdef Py_ssize_t cap = self.cap * 2 + 4096
        resize(<void**>&self.c_time, cap, 8)
        resize(<void**>&self.c_type, cap, 1)
        resize(<void**>&self.c_g, cap, 4)
        resize(<void**>&self.c_stack, cap, 4)
        resize(<void**>&self.c_aux, cap, 4)
        self.cap = cap
        return 0

    cdef int emit(self, uint8_t typ, int64_t t, Ctx c, int32_t stack, int32_t aux, int64_t a1, int64_t a2,
                  bint clamp) except -1:
        cdef Py_ssize_t i = self.count
        if i == self.cap:
            self.grow()
        if clamp:
            if t <= self.out_last:
                t = self.out_last + 1
            self.out_last = t
        self.c_time[i] = t
        self.c_type[i] = typ
        runs_push(&self.m_runs, i, c.m)
        runs_push(&self.p_runs, i, c.p)
        self.c_g[i] = c.g
        self.c_stack[i] = stack
        self.c_aux[i] = aux
        if HAS_ARG[typ]:
            sparse_push(&self.arg, a1)
        if HAS_ARG2[typ]:
            sparse_push(&self.arg2, a2)
        self.count = i + 1
        return 0

    # ---- conversion (tracev1.go) -------------------------------------------------
    cdef int convert(self) except -1:
        cdef size_t i, n = self.events.size()
        cdef vector[cbool] blocked
        blocked.resize(n)
        cdef unordered_map[uint64_t, uint8_t] next_typ
        cdef Py_ssize_t j
        for j in range(<Py_ssize_t>n - 1, -1, -1):
            if self.events[j].typ == V_GoSysCall:
                it = next_typ.find(self.events[j].g)
                blocked[j] = it != next_typ.end() and deref(it).second == V_GoSysBlock
            next_typ[self.events[j].g] = self.events[j].typ
        cdef Ctx none
        none.m = -1
        none.p = -1
        none.g = -1
        self.out_last = -1
        if n:
            self.emit(EvSyncPublic, self.events[0].ts - 1, none, 0, 0, 1, 0, False)
        cdef bint pre_init = True
        cdef unordered_set[uint64_t] created_pre
        cdef unordered_set[int32_t] seen_procs
        cdef unordered_map[int32_t, uint64_t] proc_ms
        cdef unordered_map[uint64_t, TaskInfo] tasks
        cdef int32_t last_stw = 0
        cdef V1Ev* ev
        cdef Ctx c, sc
        cdef uint8_t t, mt
        cdef int32_t aux, stack
        cdef int64_t a1, a2
        cdef TaskInfo ti
        cdef vector[uint64_t] gids
        cdef uint64_t reason
        for i in range(n):
            ev = &self.events[i]
            t = ev.typ
            # the context of the event (the end of convertEvent)
            c.m = -1
            if ev.p != -1 and t != V_CPUSample:
                it_m = proc_ms.find(ev.p)
                if it_m != proc_ms.end():
                    c.m = self.midx(deref(it_m).second)
            if t == V_ProcStart:
                c.m = self.midx(ev.args[0])
            c.p = self.pidx(ev.p)
            c.g = self.gidx(ev.g) if ev.g != 0 else -1
            stack = self.stk(ev.stk)
            aux = 0
            a1 = 0
            a2 = 0
            if t == V_Gomaxprocs:
                if pre_init:
                    pre_init = False
                    gids.clear()
                    for gid in created_pre:
                        gids.push_back(gid)
                    sort_u64(gids)
                    for gid in gids:
                        self.emit(EvGoStatus, ev.ts, none, 0, self.gidx(gid), 1, -1, True)
                    created_pre.clear()
                    continue
                self.emit(EvProcsChange, ev.ts, c, stack, 0, <int64_t>ev.args[0], 0, True)
            elif t == V_ProcStart:
                proc_ms[ev.p] = ev.args[0]
                if seen_procs.count(ev.p):
                    self.emit(EvProcStart, ev.ts, c, 0, c.p, 0, 0, True)
                else:
                    seen_procs.insert(ev.p)
                    self.emit(EvProcStatus, ev.ts, c, 0, c.p, 0, 1, True)
            elif t == V_ProcStop:
                proc_ms.erase(ev.p)
                if seen_procs.count(ev.p):
                    self.emit(EvProcStop, ev.ts, c, 0, c.p, 0, 0, True)
                else:
                    seen_procs.insert(ev.p)
                    self.emit(EvProcStatus, ev.ts, c, 0, c.p, 0, 2, True)
            elif t == V_GCStart:
                self.emit(EvGCBegin, ev.ts, c, stack, 0, <int64_t>ev.args[0], 0, True)
            elif t == V_GCDone:
                self.emit(EvGCEnd, ev.ts, c, 0, 0, <int64_t>ev.args[0], 0, True)
            elif t == V_STWStart:
                last_stw = self.builtin[S_STW_UNKNOWN + stw_reason(self.version, ev.args[0])]
                self.emit(EvSTWBegin, ev.ts, c, 0, last_stw, 0, 0, True)
            elif t == V_STWDone:
                self.emit(EvSTWEnd, ev.ts, c, 0, last_stw, 0, 0, True)
            elif t == V_GCSweepStart:
                self.emit(EvGCSweepBegin, ev.ts, c, stack, 0, 0, 0, True)
            elif t == V_GCSweepDone:
                self.emit(EvGCSweepEnd, ev.ts, c, 0, 0, <int64_t>ev.args[0], <int64_t>ev.args[1], True)
            elif t == V_GoCreate:
                if pre_init:
                    created_pre.insert(ev.args[0])
                    continue
                self.emit(EvGoCreate, ev.ts, c, stack, self.gidx(ev.args[0]), self.stk(ev.args[1]), 0, True)
            elif t == V_GoStart:
                if pre_init:
                    created_pre.erase(ev.args[0])
                    self.emit(EvGoStatus, ev.ts, c, 0, self.gidx(ev.args[0]), 2, -1, True)
                else:
                    self.emit(EvGoStart, ev.ts, c, 0, self.gidx(ev.args[0]), 0, 0, True)
            elif t == V_GoStartLabel:
                sc.m = self.midx(proc_ms[ev.p]) if proc_ms.count(ev.p) else self.midx(0)
                sc.p = c.p
                sc.g = self.gidx(ev.g)
                self.emit(EvGoStart, ev.ts, sc, 0, self.gidx(ev.args[0]), 0, 0, True)
                self.emit(EvGoLabel, ev.ts, sc, 0, self.sid(ev.args[2]), 0, 0, True)
            elif t == V_GoEnd:
                self.emit(EvGoDestroy, ev.ts, c, 0, 0, 0, 0, True)
            elif t == V_GoUnblock:
                self.emit(EvGoUnblock, ev.ts, c, stack, self.gidx(ev.args[0]), 0, 0, True)
            elif t == V_GoSysCall:
                if blocked[i]:
                    self.emit(EvGoSyscallBegin, ev.ts, c, stack, 0, 0, 0, True)
                else:
                    sc.m = self.midx(proc_ms[ev.p]) if proc_ms.count(ev.p) else self.midx(0)
                    sc.p = c.p
                    sc.g = self.gidx(ev.g)
                    self.emit(EvGoSyscallBegin, ev.ts, sc, stack, 0, 0, 0, True)
                    self.emit(EvGoSyscallEnd, ev.ts + 1, sc, 0, 0, 0, 0, True)
            elif t == V_GoSysExit:
                self.emit(EvGoSyscallEndBlocked, ev.ts, c, 0, 0, 0, 0, True)
            elif t == V_GoSysBlock:
                continue
            elif t == V_GoWaiting or t == V_GoInSyscall:
                created_pre.erase(ev.args[0])
                self.emit(EvGoStatus, ev.ts, c, 0, self.gidx(ev.args[0]), 4 if t == V_GoWaiting else 3, -1, True)
            elif t == V_HeapAlloc:
                self.emit(EvHeapAlloc, ev.ts, c, 0, 0, <int64_t>ev.args[0], 0, True)
            elif t == V_HeapGoal:
                self.emit(EvHeapGoal, ev.ts, c, 0, 0, <int64_t>ev.args[0], 0, True)
            elif t == V_GCMarkAssistStart:
                self.emit(EvGCMarkAssistBegin, ev.ts, c, stack, 0, 0, 0, True)
            elif t == V_GCMarkAssistDone:
                self.emit(EvGCMarkAssistEnd, ev.ts, c, 0, 0, 0, 0, True)
            elif t == V_UserTaskCreate:
                ti.name = self.sid(ev.args[2])
                ti.parent = ev.args[1]
                tasks[ev.args[0]] = ti
                self.emit(EvUserTaskBegin, ev.ts, c, stack, ti.name, <int64_t>ev.args[0],
                          <int64_t>(ev.args[1] if ev.args[1] != 0 else U64MAX), True)
            elif t == V_UserTaskEnd:
                it_t = tasks.find(ev.args[0])
                if it_t != tasks.end():
                    ti = deref(it_t).second
                    tasks.erase(it_t)
                else:
                    ti.name = 0
                    ti.parent = U64MAX
                self.emit(EvUserTaskEnd, ev.ts, c, stack, ti.name, <int64_t>ev.args[0], <int64_t>ti.parent, True)
            elif t == V_UserRegion:
                mt = EvUserRegionBegin if ev.args[1] == 0 else EvUserRegionEnd
                self.emit(mt, ev.ts, c, stack, self.sid(ev.args[2]), <int64_t>ev.args[0], 0, True)
            elif t == V_UserLog:
                self.emit(EvUserLog, ev.ts, c, stack, self.sid(ev.args[1]), <int64_t>ev.args[0],
                          self.inline_ids[ev.args[3]], True)
            elif t == V_CPUSample:
                self.emit(EvCPUSample, ev.ts, c, stack, 0, 0, 0, True)
            else:
                reason = block_reason(t)
                if reason == U64MAX:
                    # Go hands out the events before this one, then the error.
                    self.error = (f"unexpected event type {t}", None)
                    return 0
                self.emit(EvGoStop if t == V_GoSched or t == V_GoPreempt else EvGoBlock, ev.ts, c, stack,
                          self.builtin[reason], 0, 0, True)
        self.emit(EvSyncPublic, self.out_last + 1, none, 0, -1, 2 if n else 1, 0, False)
        return 0

    def run(self):
        """Parse, order, validate and convert; raise V1Error on an invalid trace
        (or set .error if the conversion fails part way, as Go's Reader does)."""
        self.collect()
        self.merge()
        self.retime()
        self.validate()
        self.build_tables()
        for s in self.inline_index:   # insertion order: the inline string ids
            self.inline_ids.push_back(self.intern(s))
        self.convert()

    cdef object take(self, void** slot, Py_ssize_t n, int itemsize, int typenum):
        cdef cnp.npy_intp nn = n
        cdef void* p = realloc(slot[0], max(1, n) * itemsize)
        if p == NULL:
            raise MemoryError()
        slot[0] = NULL
        owner = _Owned.__new__(_Owned)
        (<_Owned>owner).ptr = p
        arr = cnp.PyArray_SimpleNewFromData(1, &nn, typenum, p)
        cnp.set_array_base(arr, owner)
        return arr

    def finish(self):
        """The columns and tables, in the form `_core.Decoder.finish` gives them."""
        cdef Py_ssize_t n = self.count
        stack = self.take(<void**>&self.c_stack, n, 4, cnp.NPY_INT32)
        if self.stack_offsets.size() <= 32767:
            stack = stack.astype(np.int16)
        cols = dict(
            time=self.take(<void**>&self.c_time, n, 8, cnp.NPY_INT64),
            type=self.take(<void**>&self.c_type, n, 1, cnp.NPY_UINT8),
            g=self.take(<void**>&self.c_g, n, 4, cnp.NPY_INT32),
            stack=stack,
            aux=self.take(<void**>&self.c_aux, n, 4, cnp.NPY_INT32),
            arg=self.take(<void**>&self.arg.vals, self.arg.n, 8, cnp.NPY_INT64),
            arg2=self.take(<void**>&self.arg2.vals, self.arg2.n, 8, cnp.NPY_INT64),
        )
        runs = dict(m=(self.take(<void**>&self.m_runs.starts, self.m_runs.n, 8, cnp.NPY_INT64),
                       self.take(<void**>&self.m_runs.values, self.m_runs.n, 4, cnp.NPY_INT32)),
                    p=(self.take(<void**>&self.p_runs.starts, self.p_runs.n, 8, cnp.NPY_INT64),
                       self.take(<void**>&self.p_runs.values, self.p_runs.n, 4, cnp.NPY_INT32)))
        self.cap = 0
        frames = (np.array(self.frame_pc, dtype=np.uint64), np.array(self.frame_func, dtype=np.int32),
                  np.array(self.frame_file, dtype=np.int32), np.array(self.frame_line, dtype=np.uint64))
        return dict(
            columns=cols, runs=runs, strings=self.strings, frames=frames,
            stack_offsets=np.array(self.stack_offsets, dtype=np.int64),
            stack_frames=np.array(self.stack_frames, dtype=np.int32),
            goroutine_ids=np.array(self.g_ids, dtype=np.int64),
            proc_ids=np.array(self.p_ids, dtype=np.int64),
            thread_ids=np.array(self.m_ids, dtype=np.int64),
            freq=self.ticks_per_sec, cpu_samples=self.cpu.size(),
        )


cdef void sort_cpu_samples(vector[V1Ev]& cpu) noexcept:
    """slices.SortFunc by time, with Go's own pdqsort (equal times keep Go's order)."""
    cdef size_t i, n = cpu.size()
    cdef vector[int] perm
    cdef vector[int64_t] keys
    cdef vector[V1Ev] out
    for i in range(n):
        perm.push_back(<int>i)
        keys.push_back(cpu[i].ts)
    go_sort(perm.data(), keys.data(), n)
    for i in range(n):
        out.push_back(cpu[perm[i]])
    cpu.swap(out)


cdef int check_running(PDesc p, GDesc g, V1Ev* ev, bint allow_g0) except -1:
    if g.state != G_RUNNING:
        name = NAMES[ev.typ]
        raise V1Error(f"g {ev.g} is not running while {name} (time {ev.ts})", None)
    if p.g != ev.g:
        raise V1Error(f"p {ev.p} is not running g {ev.g} while {NAMES[ev.typ]} (time {ev.ts})", None)
    if not allow_g0 and ev.g == 0:
        raise V1Error(f"g 0 did {NAMES[ev.typ]} (time {ev.ts})", None)
    return 0


cdef uint64_t block_reason(uint8_t t) noexcept:
    if t == V_GoStop:
        return S_FOREVER
    if t == V_GoSched:
        return S_GOSCHED
    if t == V_GoPreempt:
        return S_PREEMPTED
    if t == V_GoSleep:
        return S_SLEEP
    if t == V_GoBlock:
        return S_EMPTY
    if t == V_GoBlockSend:
        return S_CHANSEND
    if t == V_GoBlockRecv:
        return S_CHANRECV
    if t == V_GoBlockSelect:
        return S_SELECT
    if t == V_GoBlockSync:
        return S_SYNC
    if t == V_GoBlockCond:
        return S_SYNCCOND
    if t == V_GoBlockNet:
        return S_NETWORK
    if t == V_GoBlockGC:
        return S_MARKASSIST
    return U64MAX


cdef int stw_reason(int version, uint64_t kind) noexcept:
    """Trace.STWReason."""
    if version < 21:
        return <int>kind + 1 if kind == 0 or kind == 1 else 0
    return <int>kind if kind < NUM_STW_REASONS else 0


cdef inline void _st(GState* init, GState* nxt, uint64_t s0, int st0, uint64_t s1, int st1) noexcept:
    init.seq = s0
    init.status = st0
    nxt.seq = s1
    nxt.status = st1


cdef void state_transition(V1Ev* ev, uint64_t* g, GState* init, GState* nxt) noexcept:
    """order.go's stateTransition."""
    cdef uint8_t t = ev.typ
    g[0] = UNORDERED
    if t == V_GoCreate:
        g[0] = ev.args[0]
        _st(init, nxt, 0, G_DEAD, 1, G_RUNNABLE)
    elif t == V_GoWaiting or t == V_GoInSyscall:
        g[0] = ev.g
        _st(init, nxt, 1, G_RUNNABLE, 2, G_WAITING)
    elif t == V_GoStart or t == V_GoStartLabel:
        g[0] = ev.g
        _st(init, nxt, ev.args[1], G_RUNNABLE, ev.args[1] + 1, G_RUNNING)
    elif t == V_GoStartLocal:
        g[0] = ev.g
        _st(init, nxt, NOSEQ, G_RUNNABLE, SEQINC, G_RUNNING)
    elif (t == V_GoBlock or t == V_GoBlockSend or t == V_GoBlockRecv or t == V_GoBlockSelect or t == V_GoBlockSync
          or t == V_GoBlockCond or t == V_GoBlockNet or t == V_GoSleep or t == V_GoSysBlock or t == V_GoBlockGC):
        g[0] = ev.g
        _st(init, nxt, NOSEQ, G_RUNNING, NOSEQ, G_WAITING)
    elif t == V_GoSched or t == V_GoPreempt:
        g[0] = ev.g
        _st(init, nxt, NOSEQ, G_RUNNING, NOSEQ, G_RUNNABLE)
    elif t == V_GoUnblock or t == V_GoSysExit:
        g[0] = ev.args[0]
        _st(init, nxt, ev.args[1], G_WAITING, ev.args[1] + 1, G_RUNNABLE)
    elif t == V_GoUnblockLocal or t == V_GoSysExitLocal:
        g[0] = ev.args[0]
        _st(init, nxt, NOSEQ, G_WAITING, SEQINC, G_RUNNABLE)
    elif t == V_GCStart:
        g[0] = GARBAGE
        _st(init, nxt, ev.args[0], G_DEAD, ev.args[0] + 1, G_DEAD)


cdef inline bint transition_ready(uint64_t g, GState curr, GState init) noexcept:
    return g == UNORDERED or ((init.seq == NOSEQ or init.seq == curr.seq) and init.status == curr.status)


cdef void heap_up(vector[int]& h, vector[V1Ev]& e, int j) noexcept:
    cdef int i
    while True:
        i = (j - 1) // 2
        if i == j or not (e[j].ts < e[i].ts):
            break
        h[i], h[j] = h[j], h[i]
        e[i], e[j] = e[j], e[i]
        j = i


cdef void heap_pop(vector[int]& h, vector[V1Ev]& e) noexcept:
    cdef int n = <int>h.size() - 1
    h[0], h[n] = h[n], h[0]
    e[0], e[n] = e[n], e[0]
    cdef int i = 0, j, j1, j2
    while True:
        j1 = 2 * i + 1
        if j1 >= n or j1 < 0:
            break
        j = j1
        j2 = j1 + 1
        if j2 < n and e[j2].ts < e[j1].ts:
            j = j2
        if not (e[j].ts < e[i].ts):
            break
        h[i], h[j] = h[j], h[i]
        e[i], e[j] = e[j], e[i]
        i = j
    h.pop_back()
    e.pop_back()


cdef extern from *:
    """
    #include <algorithm>
    #include <vector>
    #include <cstdint>
    template <typename T> static void v1_stable_sort_by_ts(std::vector<T>& v) {
        std::stable_sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.ts < b.ts; });
    }
    // sort.Stable by time, when only the events at `moved` (ascending) changed their
    // time: the others are still in order, so stable-sort the moved ones and merge
    // both by (time, original position), which is what a stable sort of all yields.
    template <typename T> static void v1_resort(std::vector<T>& v, const std::vector<size_t>& moved) {
        if (moved.empty()) return;
        std::vector<size_t> b(moved);
        std::stable_sort(b.begin(), b.end(), [&v](size_t x, size_t y) { return v[x].ts < v[y].ts; });
        std::vector<T> out;
        out.reserve(v.size());
        size_t m = 0, j = 0;
        for (size_t i = 0; i < v.size(); i++) {
            if (m < moved.size() && moved[m] == i) { m++; continue; }
            while (j < b.size() && (v[b[j]].ts < v[i].ts || (v[b[j]].ts == v[i].ts && b[j] < i))) out.push_back(v[b[j++]]);
            out.push_back(v[i]);
        }
        while (j < b.size()) out.push_back(v[b[j++]]);
        v.swap(out);
    }
    static void v1_sort_u64(std::vector<uint64_t>& v) { std::sort(v.begin(), v.end()); }
    static void v1_sort_u32(std::vector<uint32_t>& v) { std::sort(v.begin(), v.end()); }
    """
    void resort "v1_resort"(vector[V1Ev]& v, vector[size_t]& moved) except +
    void sort_u64 "v1_sort_u64"(vector[uint64_t]& v) noexcept
    void sort_u32 "v1_sort_u32"(vector[uint32_t]& v) noexcept
