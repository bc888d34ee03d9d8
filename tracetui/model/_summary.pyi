"""Type stubs for the compiled summarizer pass (tracetui/model/_summary.pyx)."""
from typing import Any

import numpy as np
import numpy.typing as npt

class Summarizer:
    """Go's summarizer (internal/trace summary.go) as one compiled pass."""

    range_names: list[str]
    def run(self, trace: Any, forever: int, strings: list[str]) -> dict[str, Any]: ...

def csr(owner: npt.NDArray[np.integer[Any]], items: npt.NDArray[Any], n: int) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[Any]]: ...
def runs_at(col: Any, rows: npt.ArrayLike) -> npt.NDArray[np.int32]: ...
def rows_of_types(trace: Any, types: Any) -> npt.NDArray[np.int64]: ...
def payloads_at(trace: Any, rows: npt.ArrayLike, second: bool = False) -> npt.NDArray[np.int64]: ...
