"""Type stubs for the exports' compiled protobuf record writer (tracetui/exports/_protowire.pyx)."""

import numpy as np
import numpy.typing as npt

def write_records(program: npt.NDArray[np.int64], cols: npt.NDArray[np.uint64], present: npt.NDArray[np.uint8],
                  pool: npt.NDArray[np.uint8], row_off: npt.NDArray[np.int64], row_len: npt.NDArray[np.int64],
                  out: npt.NDArray[np.uint8]) -> int: ...
