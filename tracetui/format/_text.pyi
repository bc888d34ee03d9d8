"""Type stubs for the compiled event formatter (tracetui/format/_text.pyx): Go's text form
and JSON Lines of the decoded columns, a chunk of rows at a time (tables from dump.py)."""

import numpy as np
import numpy.typing as npt

class Layout:
    def __init__(self, *args: object) -> None: ...

def format_rows(L: Layout, typ: npt.NDArray[np.uint8], time: npt.NDArray[np.int64], m: npt.NDArray[np.int32],
                p: npt.NDArray[np.int32], g: npt.NDArray[np.int32], stack: npt.NDArray[np.int32],
                aux: npt.NDArray[np.int32], arg: npt.NDArray[np.int64], arg2: npt.NDArray[np.int64], i: int,
                arg_at: int, arg2_at: int, row0: int, max_bytes: int) -> tuple[bytes, int, int, int]: ...
