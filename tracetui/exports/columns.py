"""What the exports draw, as numpy columns from the model: span times, goroutines per state
over time, unblock edges, wait reasons."""
from __future__ import annotations

import numpy as np

from tracetui.format import spec as S
from tracetui.model._lanes import state_count_series
from tracetui.model.lanes import RUNNABLE, RUNNING, STATE_NAMES, SYSCALL, WAITING


def goroutine_counts(model) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """How many goroutines are in each state after each time at which one changes.

    Rows are in time order, so per state: +1 at each span's begin row, -1 at its end
    row, a running sum over rows (compiled: tracetui.model._lanes.state_count_series),
    kept at the last row of each changing time."""
    lanes, trace = model.lanes, model.trace
    n = len(trace)
    end_row = lanes.end_row
    ended = end_row >= 0
    changed = np.zeros(n, bool)
    changed[lanes.begin_row] = True
    changed[end_row[ended]] = True
    rows = np.flatnonzero(changed)
    times = trace.time[rows]
    keep = np.append(times[1:] != times[:-1], True) if len(rows) else np.zeros(0, bool)
    rows = rows[keep]
    counts = state_count_series(lanes.begin_row, end_row, lanes.state, rows, n)
    series = {STATE_NAMES[s]: counts[i] for i, s in enumerate((RUNNABLE, RUNNING, WAITING, SYSCALL))}
    return trace.time[rows], series


def span_times(model, spans) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (ns) of the given goroutine spans; an open span ends at the last event."""
    lanes, time = model.lanes, model.trace.time
    end_row = lanes.end_rows(spans)
    last = time[-1] if len(time) else 0
    return time[lanes.begin_row[spans]], np.where(end_row >= 0, time[np.maximum(end_row, 0)], last)


def wait_reason(trace, begin_rows) -> np.ndarray:
    """The wait reason (string index) of spans begun at these rows (0 unless a GoBlock)."""
    return np.where(trace.type[begin_rows] == S.EvGoBlock, trace.aux[begin_rows], 0).astype(np.int64)


def unblocked_by(model, spans: np.ndarray) -> np.ndarray:
    """Per goroutine span: the goroutine (dense index) whose GoUnblock ended the wait, or -1
    (not a wait, or ended otherwise, or by the goroutine itself)."""
    lanes, trace = model.lanes, model.trace
    er = lanes.end_rows(spans)
    ee = np.maximum(er, 0)
    by = np.where((er >= 0) & (lanes.state[spans] == WAITING) & (trace.type[ee] == S.EvGoUnblock), trace.g[ee], -1)
    return np.where(by == lanes.goroutine_of(spans), -1, by).astype(np.int64)
