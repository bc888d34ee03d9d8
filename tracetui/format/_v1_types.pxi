# Included by _v1.pyx: the v1 vocabulary (tracev1.EventType and EventDescriptions),
# fake Ps, ordering sentinels, the converter's builtin strings, the structs.

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


cdef extern from *:
    """
    #include <algorithm>
    #include <vector>
    #include <cstdint>
    template <typename T> static void v1_stable_sort_by_ts(std::vector<T>& v) {
        std::stable_sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.ts < b.ts; });
    }
    // sort.Stable by time, when only the events at `moved` (ascending) changed their
    // time: the others are still in order. Stable-sort the moved ones, close the gaps
    // they leave, then merge both from the back, in place, by (time, original
    // position), which is what a stable sort of all of them yields.
    template <typename T> static void v1_resort(std::vector<T>& v, const std::vector<size_t>& moved) {
        size_t m = moved.size(), n = v.size();
        if (m == 0) return;
        std::vector<size_t> order(moved);
        std::stable_sort(order.begin(), order.end(), [&v](size_t x, size_t y) { return v[x].ts < v[y].ts; });
        std::vector<T> b;
        b.reserve(m);
        for (size_t x : order) b.push_back(v[x]);
        size_t w = 0, t = 0;
        for (size_t i = 0; i < n; i++) {
            if (t < m && moved[t] == i) { t++; continue; }
            v[w++] = v[i];
        }
        long i = (long)(n - m) - 1, j = (long)m - 1, k = (long)n - 1;
        size_t c = m;  // moved events before the original position of v[i]
        while (j >= 0) {
            if (i >= 0) {
                while (c > 0 && moved[c - 1] >= (size_t)i + c) c--;
                size_t oi = (size_t)i + c;
                if (v[i].ts > b[j].ts || (v[i].ts == b[j].ts && oi > order[j])) { v[k--] = v[i--]; continue; }
            }
            v[k--] = b[j--];
        }
    }
    static void v1_sort_u64(std::vector<uint64_t>& v) { std::sort(v.begin(), v.end()); }
    static void v1_sort_u32(std::vector<uint32_t>& v) { std::sort(v.begin(), v.end()); }
    """
    void resort "v1_resort"(vector[V1Ev]& v, vector[size_t]& moved) except +
    void sort_u64 "v1_sort_u64"(vector[uint64_t]& v) noexcept
    void sort_u32 "v1_sort_u32"(vector[uint32_t]& v) noexcept
