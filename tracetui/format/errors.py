"""The one error type for traces that cannot be read."""
from __future__ import annotations


class TraceError(Exception):
    """An invalid, truncated or unsupported trace.

    `offset` is the byte offset in the file where the problem was found (or None),
    `generation` the trace generation being read (or None), `message` Go's wording
    of what was wrong where Go has one. `partial` may hold what could be read before
    the error (a `Trace` with the complete generations), for salvage.
    """

    def __init__(self, message: str, offset: int | None = None, generation: int | None = None, partial=None):
        self.message = message
        self.offset = offset
        self.generation = generation
        self.partial = partial
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        if self.generation is not None:
            where.append(f"generation {self.generation}")
        first = self.message.splitlines()[0] if self.message else "invalid trace"
        return f"{first} ({', '.join(where)})" if where else first
