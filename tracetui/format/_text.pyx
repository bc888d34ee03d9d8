# distutils: language = c++
# cython: language_level=3
"""The compiled pass behind `tracetui events`: rows of a `Trace` to Go's -d=parsed
text or to JSONL, a chunk of rows at a time, into one bytes object per chunk.

What each event type prints is decided once per trace, in Python, by
tracetui/format/dump.py, which fills a `Layout`: per type a mode and its fixed
pieces, per string its Go-quoted and JSON forms, per frame its two forms. This
pass only copies those pieces and prints integers. A row it cannot print from the
tables (Sync and experimental events, or an index out of range, where the `Event`
view decides what happens) is handed to the layout's `fallback(row, json)`, which
returns that row's line from the `Event` view itself, so the output is the view's.
"""
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t
from libcpp.string cimport string
from libcpp.vector cimport vector

# Modes (per event type); dump.py uses the same numbers.
DEF M_PLAIN = 0
DEF M_METRIC = 1
DEF M_LABEL = 2
DEF M_RANGE = 3
DEF M_TASK = 4
DEF M_REGION = 5
DEF M_LOG = 6
DEF M_TRANS = 7
DEF M_FALLBACK = 8

# Range scopes.
DEF R_STW = 0
DEF R_GC = 1
DEF R_SWEEP = 2
DEF R_ASSIST = 3

# Transition ids and special from/to rules.
DEF ID_AUX_G = 0
DEF ID_AUX_P = 1
DEF ID_OWN_G = 2
DEF ID_OWN_P = 3
DEF FT_FIXED = 0
DEF FT_PROC_STEAL = 1
DEF FT_PROC_STATUS = 2
DEF FT_GO_STATUS = 3
DEF STK_NONE = 0
DEF STK_ARG = 1
DEF STK_OWN = 2


cdef inline void put_u64(string& out, uint64_t v) noexcept:
    cdef char buf[24]
    cdef int i = 24
    if v == 0:
        out.push_back(b'0')
        return
    while v:
        i -= 1
        buf[i] = <char>(48 + v % 10)
        v //= 10
    out.append(&buf[i], 24 - i)


cdef inline void put_i64(string& out, int64_t v) noexcept:
    if v < 0:
        out.push_back(b'-')
        put_u64(out, <uint64_t>0 - <uint64_t>v)
    else:
        put_u64(out, <uint64_t>v)


cdef class Layout:
    """Per-trace tables for the pass (filled by dump.py; see the module docstring)."""

    cdef int mode[256]
    cdef int sub[256]          # range scope, or transition id source
    cdef int flag[256]         # range: 1 = RangeEnd, 2 = with the sweep attributes, 4 = scope from aux
    cdef int ft[256]           # transition from/to rule
    cdef int reason[256]       # transition: 1 = reason is the string at aux
    cdef int stk[256]          # transition stack source
    cdef bint has_arg[256]
    cdef bint has_arg2[256]
    cdef bint always_stack[256]
    cdef vector[string] head   # text: " Kind Time=" ; json: ',"kind":"K","type":"T","thread":'
    cdef vector[string] fixed  # metric: name piece; range: name piece; transition: resource and id label
    cdef vector[string] fixed2  # transition: the fixed from/to piece
    cdef vector[string] quoted  # per string: Go-quoted (text) or JSON string (json)
    cdef vector[string] stw    # per string: the quoted name of "stop-the-world (s)"
    cdef vector[string] frame  # per frame: its text lines or its JSON object
    cdef vector[string] go_state   # "Runnable" ... (text) or '"Runnable"' (json)
    cdef vector[string] proc_state
    cdef int go_status_state[8]
    cdef int proc_status_state[8]
    cdef const int64_t[:] stack_offsets
    cdef const int32_t[:] stack_frames
    cdef const int64_t[:] goroutine_ids
    cdef const int64_t[:] proc_ids
    cdef const int64_t[:] thread_ids
    cdef bint json
    cdef object fallback

    def __init__(self, bint json, list arg_types, list arg2_types, dict types, list quoted, list stw, list frames, list go_states,
                 list proc_states, dict go_status_state, dict proc_status_state,
                 stack_offsets, stack_frames, goroutine_ids, proc_ids, thread_ids, fallback):
        cdef int t
        self.json = json
        self.fallback = fallback
        self.head.resize(256)
        self.fixed.resize(256)
        self.fixed2.resize(256)
        for t in range(256):
            self.mode[t] = M_FALLBACK
            self.sub[t] = self.flag[t] = self.ft[t] = self.reason[t] = self.stk[t] = 0
            self.has_arg[t] = self.has_arg2[t] = self.always_stack[t] = False
        for t, d in types.items():
            self.mode[t] = d["mode"]
            self.sub[t] = d.get("sub", 0)
            self.flag[t] = d.get("flag", 0)
            self.ft[t] = d.get("ft", 0)
            self.reason[t] = d.get("reason", 0)
            self.stk[t] = d.get("stk", 0)
            self.always_stack[t] = d.get("always_stack", False)
            self.head[t] = d["head"]
            self.fixed[t] = d.get("fixed", b"")
            self.fixed2[t] = d.get("fixed2", b"")
        for t in arg_types:
            self.has_arg[t] = True
        for t in arg2_types:
            self.has_arg2[t] = True
        for s in quoted:
            self.quoted.push_back(s)
        for s in stw:
            self.stw.push_back(s)
        for s in frames:
            self.frame.push_back(s)
        for s in go_states:
            self.go_state.push_back(s)
        for s in proc_states:
            self.proc_state.push_back(s)
        for t in range(8):
            self.go_status_state[t] = go_status_state.get(t, 0)
            self.proc_status_state[t] = proc_status_state.get(t, 0)
        self.stack_offsets = stack_offsets
        self.stack_frames = stack_frames
        self.goroutine_ids = goroutine_ids
        self.proc_ids = proc_ids
        self.thread_ids = thread_ids

    cdef inline bint ident(self, const int64_t[:] ids, int64_t idx, int64_t* out) noexcept:
        if idx < 0:
            out[0] = -1
            return True
        if idx >= ids.shape[0]:
            return False
        out[0] = ids[idx]
        return True

    cdef inline bint put_stack(self, string& out, uint64_t s) noexcept:
        """The stack's frames (text: one pair of lines each; json: a list); False if out of range."""
        cdef int64_t k, f
        if s + 1 >= <uint64_t>self.stack_offsets.shape[0]:
            return False
        if self.json:
            out.push_back(b'[')
        for k in range(self.stack_offsets[s], self.stack_offsets[s + 1]):
            f = self.stack_frames[k]
            if f < 0 or f >= <int64_t>self.frame.size():
                return False
            if self.json and k > self.stack_offsets[s]:
                out.push_back(b',')
            out.append(self.frame[f])
        if self.json:
            out.push_back(b']')
        return True

    cdef inline bint put_string(self, string& out, uint64_t idx) noexcept:
        if idx >= self.quoted.size():
            return False
        out.append(self.quoted[idx])
        return True

    cdef bint put_row(self, string& out, uint8_t t, int64_t time, int64_t th, int64_t pr, int64_t gr,
                      uint64_t stack, int32_t aux, uint64_t arg,
                      uint64_t arg2) noexcept:
        """Append one row's line; False (with `out` possibly partly written) if the tables cannot."""
        cdef bint js = self.json
        cdef int mode = self.mode[t]
        cdef int64_t rid
        cdef uint64_t stk = 0
        cdef bint with_stk = False
        cdef uint64_t status
        if mode == M_FALLBACK:
            return False
        if js:
            out.append(b'{"time":')
            put_i64(out, time)
            out.append(self.head[t])
            put_i64(out, th)
            out.append(b',"proc":')
            put_i64(out, pr)
            out.append(b',"goroutine":')
            put_i64(out, gr)
        else:
            out.append(b'M=')
            put_i64(out, th)
            out.append(b' P=')
            put_i64(out, pr)
            out.append(b' G=')
            put_i64(out, gr)
            out.append(self.head[t])
            put_i64(out, time)
        if mode == M_METRIC:
            out.append(self.fixed[t])
            put_u64(out, arg)
            if not js:
                out.append(b')}')
        elif mode == M_LABEL:
            out.append(b',"label":' if js else b' Label=')
            if not self.put_string(out, <uint64_t><int64_t>aux):
                return False
            if not js:
                out.append(b' Resource=Goroutine(')
                put_i64(out, gr)
                out.push_back(b')')
        elif mode == M_RANGE:
            out.append(b',"name":' if js else b' Name=')
            if self.sub[t] == R_STW:
                if aux < 0 or <size_t>aux >= self.stw.size():
                    return False
                out.append(self.stw[aux])
            else:
                out.append(self.fixed[t])
            out.append(b',"scope":"' if js else b' Scope=')
            if self.sub[t] == R_STW:
                out.append(b'Goroutine(')
                put_i64(out, gr)
                out.push_back(b')')
            elif self.sub[t] == R_GC:
                out.append(b'None')
            elif self.sub[t] == R_SWEEP:
                rid = pr
                if self.flag[t] & 4 and not self.ident(self.proc_ids, aux, &rid):
                    return False
                out.append(b'Proc(')
                put_i64(out, rid)
                out.push_back(b')')
            else:
                rid = gr
                if self.flag[t] & 4 and not self.ident(self.goroutine_ids, aux, &rid):
                    return False
                out.append(b'Goroutine(')
                put_i64(out, rid)
                out.push_back(b')')
            if js:
                out.push_back(b'"')
                if self.flag[t] & 2:
                    out.append(b',"bytes_swept":')
                    put_u64(out, arg)
                    out.append(b',"bytes_reclaimed":')
                    put_u64(out, arg2)
            elif self.flag[t] & 1:
                out.append(b' Attributes=[')
                if self.flag[t] & 2:
                    out.append(b'"bytes swept"=Value{Uint64(')
                    put_u64(out, arg)
                    out.append(b')} "bytes reclaimed"=Value{Uint64(')
                    put_u64(out, arg2)
                    out.append(b')}')
                out.push_back(b']')
        elif mode == M_TASK:
            out.append(b',"task":' if js else b' ID=')
            put_u64(out, arg)
            out.append(b',"parent":' if js else b' Parent=')
            put_u64(out, arg2)
            out.append(b',"task_type":' if js else b' Type=')
            if not self.put_string(out, <uint64_t><int64_t>aux):
                return False
        elif mode == M_REGION:
            out.append(b',"task":' if js else b' Task=')
            put_u64(out, arg)
            out.append(b',"region_type":' if js else b' Type=')
            if not self.put_string(out, <uint64_t><int64_t>aux):
                return False
        elif mode == M_LOG:
            out.append(b',"task":' if js else b' Task=')
            put_u64(out, arg)
            out.append(b',"category":' if js else b' Category=')
            if not self.put_string(out, <uint64_t><int64_t>aux):
                return False
            out.append(b',"message":' if js else b' Message=')
            if not self.put_string(out, arg2):
                return False
        elif mode == M_TRANS:
            if self.sub[t] == ID_AUX_G:
                if not self.ident(self.goroutine_ids, aux, &rid):
                    return False
            elif self.sub[t] == ID_AUX_P:
                if not self.ident(self.proc_ids, aux, &rid):
                    return False
            elif self.sub[t] == ID_OWN_G:
                rid = gr
            else:
                rid = pr
            out.append(self.fixed[t])  # ',"resource":"Goroutine","id":' or ' GoID='
            put_i64(out, rid)
            if self.ft[t] == FT_FIXED:
                out.append(self.fixed2[t])  # ',"from":"X","to":"Y"' or ' X->Y'
            elif self.ft[t] == FT_PROC_STEAL:
                # Idle if the P was stolen from ProcSyscallAbandoned, else Running; to Idle.
                self.put_from_to(out, self.proc_state, 3 if arg == 4 else 2, 3)
            elif self.ft[t] == FT_PROC_STATUS:
                if arg >= self.proc_state.size():
                    return False
                self.put_from_to(out, self.proc_state, <int>arg, self.proc_status_state[arg2] if arg2 < 8 else 0)
            else:
                if (arg >> 32) >= self.go_state.size():
                    return False
                status = arg & 0xFFFFFFFF
                self.put_from_to(out, self.go_state, <int>(arg >> 32), self.go_status_state[status] if status < 8 else 0)
            out.append(b',"reason":' if js else b' Reason=')
            if self.reason[t]:
                if not self.put_string(out, <uint64_t><int64_t>aux):
                    return False
            else:
                out.append(b'""')
            if self.stk[t] == STK_ARG:
                stk, with_stk = arg, (arg != 0 if js else True)
            elif self.stk[t] == STK_OWN:
                stk, with_stk = stack, stack != 0
            if with_stk:
                out.append(b',"transition_stack":' if js else b'\nTransitionStack=\n')
                if not self.put_stack(out, stk):
                    return False
        if stack != 0 or (self.always_stack[t] and not js):
            out.append(b',"stack":' if js else b'\nStack=\n')
            if not self.put_stack(out, stack):
                return False
        out.append(b'}\n' if js else b'\n')
        return True

    cdef inline void put_from_to(self, string& out, vector[string]& names, int frm, int to) noexcept:
        if self.json:
            out.append(b',"from":')
            out.append(names[frm])
            out.append(b',"to":')
            out.append(names[to])
        else:
            out.push_back(b' ')
            out.append(names[frm])
            out.append(b'->')
            out.append(names[to])



def format_rows(Layout L, const uint8_t[:] typ, const int64_t[:] time, const int32_t[:] m, const int32_t[:] p,
                const int32_t[:] g, const int32_t[:] stack, const int32_t[:] aux, const int64_t[:] arg,
                const int64_t[:] arg2, Py_ssize_t i, Py_ssize_t arg_at, Py_ssize_t arg2_at, Py_ssize_t row0,
                size_t max_bytes):
    """The lines of the chunk's rows from `i` on (row0 + i in the trace), as one bytes object
    of about `max_bytes` at most: it stops after the row that reaches `max_bytes`.

    `arg`/`arg2` are the whole sparse columns and `arg_at`/`arg2_at` the entries of row `i`;
    returns (bytes, next i, arg_at, arg2_at).
    """
    cdef string out
    cdef Py_ssize_t n = typ.shape[0], mark
    cdef uint8_t t
    cdef uint64_t a, a2
    cdef int64_t th, pr, gr
    out.reserve(max_bytes + (max_bytes >> 2))
    while i < n and out.size() < max_bytes:
        t = typ[i]
        a = a2 = 0
        if L.has_arg[t]:
            a = <uint64_t>arg[arg_at]
            arg_at += 1
        if L.has_arg2[t]:
            a2 = <uint64_t>arg2[arg2_at]
            arg2_at += 1
        mark = out.size()
        if not (L.ident(L.thread_ids, m[i], &th) and L.ident(L.proc_ids, p[i], &pr)
                and L.ident(L.goroutine_ids, g[i], &gr)
                and L.put_row(out, t, time[i], th, pr, gr, <uint64_t><int64_t>stack[i], aux[i], a, a2)):
            out.resize(mark)
            out.append(<string>L.fallback(row0 + i))
        i += 1
    return out, i, arg_at, arg2_at
