# distutils: language = c++
# cython: language_level=3
"""The compiled core of tracetui/format: bytes in, typed columns out.

It frames batches into generations, reads their string, stack, CPU-sample and
sync tables, merges the per-M event streams with Go's min-heap and ordering state
machine (internal/trace reader.go, order.go) and writes every public event into
numpy columns. No Python object is made per event.

Columns (one row per public event, in Go's order):
  time   int64  nanoseconds, after Go's strictly-increasing clamp
  type   uint8  wire event type; 255 = Sync (synthesized events keep their type)
  m,p    int32  dense thread/proc index (-1 = none), stored as runs: (start row, value)
                pairs, one per change of value; see *_ids
  g      int32  dense goroutine index (-1 = none)
  stack  int16  trace-wide stack index (0 = no stack); int32 past 32767 stacks
  aux    int32  per type: target goroutine/proc index, or a string index
  arg    int64  per type: a 64-bit value (see event.py for the table)
  arg2   int64  per type: a second value
"""
from cython.operator cimport dereference as deref, preincrement as inc
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memset
from posix.mman cimport MADV_DONTNEED, madvise
from libcpp cimport bool as cbool
from libcpp.string cimport string
from libcpp.unordered_map cimport unordered_map
from libcpp.vector cimport vector
from libcpp.algorithm cimport sort
from cpython.exc cimport PyErr_CheckSignals

import numpy as np
cimport numpy as cnp

cnp.import_array()

from tracetui.format import spec as _spec

DEF NO_ID = 0xFFFFFFFFFFFFFFFF
DEF MAX_BATCH_SIZE = 65536
DEF MAX_FRAMES_PER_STACK = 128
DEF MAX_STRING_SIZE = 1024
DEF NUM_SPECS = 137

include "_evtypes.pxi"

# Per wire type: number of args after dt (-1: not a timed event), from spec.py.
cdef int[256] NARGS
cdef list SPEC_NAMES = [""] * 256
for _t in range(256):
    NARGS[_t] = -1
for _t, _s in _spec.SPECS.items():
    SPEC_NAMES[_t] = _s.name
    if _s.timed and _s.args:
        NARGS[_t] = len(_s.args) - 1

include "_sort.pxi"
include "_wire.pxi"
include "_tables.pxi"
include "_order.pxi"
include "_buffers.pxi"
include "_reader.pxi"
include "_generations.pxi"
include "_handlers.pxi"
include "_handlers_user_gc.pxi"
