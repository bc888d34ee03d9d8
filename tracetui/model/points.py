"""Point events as tables of rows, logs and CPU samples: what `trace.Log` wrote and where the
CPU profiler caught each goroutine and P.

- `logs(trace)`: row, time, goroutine (dense index, -1 none), task id, category
  and message (string indices), stack, in time order.
- `cpu_samples(trace)`: row, time, goroutine, proc, thread, stack, in time order;
  `by_goroutine(samples, g)` / `by_proc(samples, p)` select one lane's samples.

Tasks and regions, with Go's summarizer numbers, are in `summary.py`.
"""
from __future__ import annotations

import numpy as np

from tracetui.format import spec as S


def logs(trace) -> dict[str, np.ndarray]:
    rows = trace.rows_where([S.EvUserLog])
    return dict(row=rows, time=trace.time[rows], goroutine=trace.g[rows], task=trace.arg_of(rows).astype(np.uint64),
                category=trace.aux[rows], message=trace.arg2_of(rows).astype(np.int64), stack=trace.stack[rows])


def cpu_samples(trace) -> dict[str, np.ndarray]:
    rows = trace.rows_where([S.EvCPUSample])
    return dict(row=rows, time=trace.time[rows], goroutine=trace.g[rows], proc=trace.p[rows], thread=trace.m[rows],
                stack=trace.stack[rows])


def by_goroutine(samples: dict[str, np.ndarray], g: int) -> dict[str, np.ndarray]:
    sel = samples["goroutine"] == g
    return {k: v[sel] for k, v in samples.items()}


def by_proc(samples: dict[str, np.ndarray], p: int) -> dict[str, np.ndarray]:
    sel = samples["proc"] == p
    return {k: v[sel] for k, v in samples.items()}
