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
from libcpp.string cimport string
from libcpp.vector cimport vector
from libcpp.utility cimport pair

import numpy as np
cimport numpy as cnp

cnp.import_array()

from tracetui.format._core import ARG2_TYPES, ARG_TYPES

include "_evtypes.pxi"
include "_buffers.pxi"
include "_sort.pxi"
include "_v1_types.pxi"
include "_v1_decoder.pxi"
include "_v1_order.pxi"
include "_v1_convert.pxi"
