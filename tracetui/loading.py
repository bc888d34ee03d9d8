"""Loading a trace: the one path from a source to a model, shared by the CLI commands
and the TUI.

`load_trace(source)` reads (with progress), and on a broken trace salvages what
`go tool trace` would keep, starting from the failed read's partial result (the trace
is decoded once). `load_model(source)` does that and builds the model. Both return
the salvage report (None for a sound trace) and raise `TraceError` when

- the input is no trace at all, or nothing of it can be salvaged;
- `strict` is set and the trace is broken;
- the salvaged part holds no events but the generations' Sync markers: then there is
  nothing to show (`nothing_usable`), and an empty timeline or report would only hide
  the error.

`source` is what `tracetui.format.read` takes (a path or bytes; see `tracetui.source`
for turning a command-line TRACE into one). `progress(done, total, generations)` is
the reader's callback; `stage(text)` hears what happens next ("salvaging", "building
the model").
"""
from __future__ import annotations

import numpy as np

from tracetui.format import spec as S
from tracetui.format.errors import TraceError

__all__ = ["load_model", "load_trace", "nothing_usable"]


def load_trace(source, *, strict: bool = False, progress=None, stage=None):
    """(trace, salvage report or None); see the module docstring."""
    from tracetui.format import read
    from tracetui.format.salvage import salvage

    try:
        return read(source, progress=progress), None
    except TraceError as e:
        if strict or e.partial is None:
            raise
        err = e
    if stage:
        stage("the trace is broken: salvaging what can be read…")
    trace, report = salvage(err, source)
    if nothing_usable(trace):
        raise TraceError(f"nothing usable: no generation is complete before the error: {report.error}")
    return trace, report


def load_model(source, *, strict: bool = False, progress=None, stage=None, lazy: bool = False):
    """(model, salvage report or None) of a trace; see the module docstring. `lazy`: the
    model's parts are built when first read (reports); the TUI builds them all at once."""
    from tracetui.model import build

    trace, report = load_trace(source, strict=strict, progress=progress, stage=stage)
    if stage:
        stage(f"building the model of {len(trace):,} events…")
    return build(trace, lazy=lazy), report


def nothing_usable(trace) -> bool:
    """The trace holds no event but Sync markers (a trace cut inside its first generation)."""
    return not bool(np.any(trace.type != S.EvSyncPublic))
