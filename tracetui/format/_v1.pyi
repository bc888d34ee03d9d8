"""Type stubs for the compiled reader of pre-1.22 traces (tracetui/format/_v1.pyx and its .pxi)."""
from typing import Any

import numpy as np
import numpy.typing as npt

ARG_TYPES: list[int]
"""Event types that carry the sparse `arg` payload (the v2 decoder's list)."""
ARG2_TYPES: list[int]
"""Event types that carry the sparse `arg2` payload."""
BUILTINS: tuple[str, ...]
"""The strings Go's converter adds: block reasons, then STW kinds."""

class V1Error(Exception):
    """An invalid v1 trace: args are (message, byte offset or None)."""

class V1Decoder:
    """Parses, orders, validates and converts one v1 trace into columns."""

    version: int
    count: int
    strings: list[str]
    error: tuple[str, int | None] | None
    def __init__(self, buf: Any, version: int, start: int) -> None: ...
    def run(self) -> None: ...
    def finish(self) -> dict[str, Any]: ...

def go_sort_order(keys: npt.ArrayLike) -> npt.NDArray[np.int32]: ...
