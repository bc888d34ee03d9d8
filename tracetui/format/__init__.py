"""tracetui.format: Go execution trace bytes to ordered event columns.

    from tracetui.format import read
    trace = read("trace.out")      # a Trace: numpy columns + string/stack tables
    print(trace[0])                # Go's Event.String() form
"""
from tracetui.format.errors import TraceError
from tracetui.format.reader import Trace, read, read_header

__all__ = ["Trace", "TraceError", "read", "read_header"]
