# Included by the model's compiled passes: the goroutine state transition an
# event stands for, as Go's Event.StateTransition() reports it, read from the
# event columns (see tracetui/format/event.py for what aux and arg hold).

# Public goroutine states (internal/trace GoState).
DEF GoUndetermined = 0
DEF GoNotExist = 1
DEF GoRunnable = 2
DEF GoRunning = 3
DEF GoWaiting = 4
DEF GoSyscall = 5

cdef uint8_t[5] GO_STATUS_TO_STATE = [0, 2, 3, 5, 4]


cdef struct Transition:
    int32_t id        # goroutine index (-1: none)
    uint8_t old
    uint8_t new
    int32_t reason    # string index ("" = 0)
    int32_t tstack    # transition stack index, -1 for none


cdef inline void go_transition_of(uint8_t typ, int32_t ctx_g, int32_t aux, int32_t stack, int64_t a,
                                  Transition* tr) noexcept:
    """Fill `tr` for an event of a goroutine-transition type; `a` is its `arg` payload."""
    tr.reason = 0
    tr.tstack = -1
    if typ == EvGoCreate or typ == EvGoCreateBlocked:
        tr.id, tr.old, tr.new, tr.tstack = aux, GoNotExist, (GoWaiting if typ == EvGoCreateBlocked else GoRunnable), <int32_t>a
    elif typ == EvGoCreateSyscall:
        tr.id, tr.old, tr.new = aux, GoNotExist, GoSyscall
    elif typ == EvGoStart:
        tr.id, tr.old, tr.new = aux, GoRunnable, GoRunning
    elif typ == EvGoDestroy:
        tr.id, tr.old, tr.new = ctx_g, GoRunning, GoNotExist
    elif typ == EvGoDestroySyscall:
        tr.id, tr.old, tr.new = ctx_g, GoSyscall, GoNotExist
    elif typ == EvGoStop or typ == EvGoBlock:
        tr.id, tr.old, tr.new, tr.reason = ctx_g, GoRunning, (GoRunnable if typ == EvGoStop else GoWaiting), aux
        tr.tstack = stack
    elif typ == EvGoUnblock or typ == EvGoSwitch or typ == EvGoSwitchDestroy:
        tr.id, tr.old, tr.new = aux, GoWaiting, GoRunnable
    elif typ == EvGoSyscallBegin:
        tr.id, tr.old, tr.new, tr.tstack = ctx_g, GoRunning, GoSyscall, stack
    elif typ == EvGoSyscallEnd:
        tr.id, tr.old, tr.new = ctx_g, GoSyscall, GoRunning
    elif typ == EvGoSyscallEndBlocked:
        tr.id, tr.old, tr.new = ctx_g, GoSyscall, GoRunnable
    else:  # GoStatus, GoStatusStack
        tr.id, tr.old = aux, <uint8_t>(<uint64_t>a >> 32)
        tr.new = GO_STATUS_TO_STATE[(<uint64_t>a & 0xFFFFFFFF) % 5]
        tr.tstack = stack if stack != 0 else -1
