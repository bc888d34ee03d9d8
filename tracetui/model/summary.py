"""Goroutine, region and task tables with Go's summarizer numbers.

`summarize(trace)` runs the compiled summarizer pass (`_summary.pyx`, Go's
internal/trace summary.go) and returns a `Summary` of numpy tables:

- `goroutines`: one row per goroutine Go's summarizer knows (dense goroutine index
  `g`), with its name (start function), creation/start/end and exec stats;
- `regions`: every user region, including ones whose begin or end is outside the
  trace (rows -1; Go's interval then starts at the trace's first event or ends at
  its last, as `start`/`end` do), and the unnamed region a goroutine inherits
  when it is created inside one; `in_summary` marks the ones Go's summary lists
  per goroutine; `outer` is the innermost region of the same task open on the
  goroutine when the region began (-1: none); rows are int32;
- `tasks`: every task id seen, with parent index, begin/end rows (int32), logs,
  regions and goroutines.

Durations are int64 nanoseconds; names are indices into `trace.strings`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tracetui.format.reader import release_free_memory
from tracetui.model._summary import Summarizer

STAT_COLUMNS = ("exec", "sched_wait", "syscall", "syscall_block", "total")


@dataclass(eq=False)
class Summary:
    goroutines: dict[str, np.ndarray]      # indexed by dense goroutine index; `live` marks summarized ones
    goroutine_block: np.ndarray    # int64[n, 3]: rows of (g, reason string, ns)
    goroutine_ranges: np.ndarray   # int64[n, 3]: rows of (g, range name index, ns)
    range_names: list[str]
    regions: dict[str, np.ndarray]
    region_block: np.ndarray       # int64[n, 3]: rows of (region, reason string, ns)
    tasks: dict[str, object]
    _cache: dict = field(default_factory=dict, repr=False)

    def block_by_reason(self, g: int) -> dict[int, int]:
        """Block time by reason (string index -> ns) of goroutine g."""
        by = self._cache.get("block")
        if by is None:
            by = self._cache["block"] = {}
            for gi, reason, ns in self.goroutine_block.tolist():
                by.setdefault(gi, {})[reason] = ns
        return by.get(g, {})

    def range_time(self, g: int) -> dict[str, int]:
        """Time in each special range (GC mark assist, STW, ...) of goroutine g."""
        by = self._cache.get("ranges")
        if by is None:
            by = self._cache["ranges"] = {}
            for gi, name, ns in self.goroutine_ranges.tolist():
                by.setdefault(gi, {})[self.range_names[name]] = ns
        return by.get(g, {})

    def region_block_by_reason(self, region: int) -> dict[int, int]:
        by = self._cache.get("rblock")
        if by is None:
            by = self._cache["rblock"] = {}
            for ri, reason, ns in self.region_block.tolist():
                by.setdefault(ri, {})[reason] = ns
        return by.get(region, {})


def summarize(trace) -> Summary:
    forever = trace.strings.index("forever") if "forever" in trace.strings else -1
    out = Summarizer().run(trace, forever, trace.strings)
    release_free_memory(len(trace))  # the summarizer's state, before the lanes are built
    regions = out["regions"]
    regions["in_summary"] = regions.pop("done")
    return Summary(
        goroutines=out["goroutines"], goroutine_block=out["block"], goroutine_ranges=out["ranges"],
        range_names=out["range_names"], regions=regions, region_block=out["region_block"], tasks=out["tasks"],
    )
