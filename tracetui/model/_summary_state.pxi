# Included by _summary.pyx: the summarizer's per-goroutine, per-task and per-region
# state (Go's goroutineSummary and friends, keyed by interned string index), the
# snapshot of a goroutine's stats at a time, and the small flat maps they use.

cdef struct KV:
    int32_t key
    int64_t val


cdef inline void kv_add(vector[KV]& v, int32_t key, int64_t d) noexcept:
    cdef size_t i
    for i in range(v.size()):
        if v[i].key == key:
            v[i].val += d
            return
    cdef KV e
    e.key = key
    e.val = d
    v.push_back(e)


cdef struct Stats:
    int64_t exec_
    int64_t sched
    int64_t syscall
    int64_t sysblock
    int64_t total
    vector[KV] block      # reason string -> ns (a few entries: a flat map copies cheaply)
    vector[KV] ranges     # range name id -> ns


# A region open on a goroutine: its index and the goroutine's block times when it began.
cdef struct Active:
    int32_t ri
    vector[KV] block


cdef struct GState:
    bint live
    bint pending       # Go's goroutineSummary != nil (not finalized by Finalize yet)
    int32_t name
    uint64_t pc
    bint named
    int64_t creation
    int64_t start
    int64_t end
    Stats st
    int64_t last_start
    int64_t last_runnable
    int64_t last_block
    int32_t last_block_reason
    int64_t last_syscall
    int64_t last_syscall_block
    vector[KV] last_range         # range name id -> when it began (0: not in it)
    vector[Active] active


cdef struct Task:
    uint64_t id
    int32_t name
    int32_t parent      # task index or -1
    int32_t start_row
    int32_t end_row
    int32_t nlogs
    int32_t last_g      # the goroutine last listed for it (most repeats are in a row)


# The region table, written in place into its numpy arrays (a million regions must
# not cost a C++ object each). Stats hold the goroutine's at the region's begin
# until it ends, then the difference.
cdef struct RegionColumns:
    int32_t* g
    uint64_t* task
    int32_t* name
    int32_t* start_row
    int32_t* end_row
    int64_t* start      # ns; a begin outside the trace: the first event's time
    int64_t* end        # ns; an end outside the trace: the last event's time
    int64_t* exec_
    int64_t* sched
    int64_t* syscall
    int64_t* sysblock
    int64_t* total
    uint8_t* done
    int32_t* outer      # the innermost region of the same task open on the goroutine at its begin, or -1


cdef void reset_g(GState* g) noexcept:
    """A new goroutine summary (Go replaces the map entry)."""
    g.live = g.pending = True
    g.name = 0
    g.pc = 0
    g.named = False
    g.creation = g.start = g.end = 0
    g.st.exec_ = g.st.sched = g.st.syscall = g.st.sysblock = g.st.total = 0
    g.st.block.clear()
    g.st.ranges.clear()
    g.last_start = g.last_runnable = g.last_block = 0
    g.last_block_reason = 0
    g.last_syscall = g.last_syscall_block = 0
    g.last_range.clear()


cdef inline Stats snapshot(GState* g, int64_t t):
    """Go's snapshotStat: the stats so far, with pending state counted up to t."""
    cdef Stats r = g.st
    if not g.pending:
        return r
    if g.st.total == 0:
        r.total = t - g.creation
    if g.last_start != 0:
        r.exec_ += t - g.last_start
    if g.last_runnable != 0:
        r.sched += t - g.last_runnable
    if g.last_block != 0:
        kv_add(r.block, g.last_block_reason, t - g.last_block)
    if g.last_syscall != 0:
        r.syscall += t - g.last_syscall
    if g.last_syscall_block != 0:
        r.sched += t - g.last_syscall_block
    for kv in g.last_range:
        kv_add(r.ranges, kv.key, t - kv.val)
    return r


cdef inline int64_t kv_get(vector[KV]& v, int32_t key) noexcept:
    cdef size_t i
    for i in range(v.size()):
        if v[i].key == key:
            return v[i].val
    return 0


cdef inline size_t kv_find(vector[KV]& v, int32_t key) noexcept:
    """Index of key in v, or v.size()."""
    cdef size_t i
    for i in range(v.size()):
        if v[i].key == key:
            return i
    return v.size()
