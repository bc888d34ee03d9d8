"""Type stubs for the compiled decoder core (tracetui/format/_core.pyx and its .pxi)."""
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

DENSE_NAMES: tuple[str, ...]
"""The dense columns, in the order of the decoder's buffers."""
ARG_TYPES: list[int]
"""Event types that carry the sparse `arg` payload."""
ARG2_TYPES: list[int]
"""Event types that carry the sparse `arg2` payload."""

class Decoder:
    """Reads one trace's batches into columns (Go's ordering state machine)."""

    version: int
    count: int
    generations: list[dict[str, Any]]
    exp_args: list[tuple[int, int, int]]
    error: tuple[str, int, int] | None
    valid_bytes: int
    def __init__(self, buf: Any, version: int, start: int, progress: Callable[..., Any] | None = None,
                 release_pages: bool = False) -> None: ...
    def run(self) -> None: ...
    def finish(self) -> dict[str, Any]: ...

def go_sort_order(keys: npt.ArrayLike) -> npt.NDArray[np.int32]: ...
