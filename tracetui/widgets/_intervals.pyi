"""Type stubs for the timeline's compiled passes (tracetui/widgets/_intervals.pyx)."""

import numpy as np
import numpy.typing as npt

_I64 = npt.NDArray[np.int64]

def by_category(start: _I64, end: _I64, cat: npt.NDArray[np.uint8], clamp: bool) -> list[tuple[int, _I64, _I64]]: ...
def span_columns(time: _I64, begin_row: npt.NDArray[np.int32], end_flags: npt.NDArray[np.uint8],
                 x_span: npt.NDArray[np.int32], x_row: npt.NDArray[np.int32], lo: int, hi: int,
                 spans: npt.NDArray[np.int32] | None, cat: npt.NDArray[np.uint8], bounds: _I64,
                 ncat: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], npt.NDArray[np.uint8]]: ...
def nesting_depths(goroutine: _I64, begin: _I64, end: _I64, pre: _I64, begins: _I64, ends: _I64,
                   ngoroutines: int) -> _I64: ...
