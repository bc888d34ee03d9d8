"""The command palette's jumps: to a time (`12ms`, `+1.5s`), a goroutine (`g123`, or
its function's name), a P (`p3`) or a region type (its name; each pick goes to the next one).

`parse_time("1.5ms") -> 1500000` (ns) is shared with tests. The provider only calls
the app's `jump_time`, `jump_goroutine` and `jump_region_type`.
"""
from __future__ import annotations

import re
from functools import partial

import numpy as np
from textual.command import DiscoveryHit, Hit, Hits, Provider

from tracetui.units import parse_duration


def parse_time(text: str) -> int | None:
    """A time from the trace start, in the one duration syntax (tracetui.units.parse_duration:
    a number and a unit; a bare number is no time); None if it is not one."""
    try:
        t = parse_duration(text)
    except ValueError:
        return None
    return t if t >= 0 else None


EXACT = 1e6  # the score of a hit the query names exactly (g12, p3, a time): above any fuzzy match's


class JumpProvider(Provider):
    """Jump to a time, a goroutine, a P or a region type."""

    async def search(self, query: str) -> Hits:
        for score, text, jump, help_ in jump_hits(self.app, query.strip(), self.matcher):
            yield Hit(score, text, jump, help=help_)

    async def discover(self) -> Hits:
        app = self.app
        if getattr(app, "rows", None) is not None:
            for name in app.region_types()[:10]:
                yield DiscoveryHit(f"region {name}", lambda n=name: app.jump_region_type(n), help="next region")


def jump_hits(app, q: str, matcher_of) -> list:
    """(score, text, callback, help) of each jump the query `q` names: an exact time,
    goroutine (`g12`, `G12 main`) or P (`p3`) first (score EXACT), then region types and
    goroutines whose label fuzzy-matches. Each callback is bound to its own target."""
    rows = getattr(app, "rows", None)
    if rows is None:
        return []
    out = []
    t = parse_time(q)
    if t is not None:
        out.append((EXACT, f"Go to time {q}", partial(app.jump_time, t), "move the cursor there"))
    m = re.match(r"^[gG](\d+)(?:\s+(.*))?$", q)
    if m:
        hit = np.flatnonzero(rows.ids == int(m.group(1)))
        rest = (m.group(2) or "").strip()
        if len(hit) and (not rest or rest.lower() in rows.names[int(hit[0])].lower()):
            g = int(hit[0])
            out.append((EXACT, f"Go to {rows.label_of(g)}", partial(app.jump_goroutine, g), "select its lane"))
    m = re.match(r"^[pP](\d+)$", q)
    if m:
        hit = np.flatnonzero(rows.trace.proc_ids == int(m.group(1)))
        if len(hit):
            out.append((EXACT, f"Go to P{m.group(1)}", partial(app.jump_proc, int(hit[0])), "select its lane"))
    if len(q) < 2:
        return out
    matcher = matcher_of(q)
    for name in app.region_types():
        score = matcher.match(name)
        if score > 0:
            out.append((score, matcher.highlight(f"region {name}"), partial(app.jump_region_type, name),
                        "the next region of this type"))
    seen = set()
    for g in rows.order[:20000].tolist():
        name = rows.names[g]
        if name in seen or not name:
            continue
        seen.add(name)
        score = matcher.match(name)
        if score > 0:
            out.append((score * 0.9, matcher.highlight(f"goroutine {name}"), partial(app.jump_goroutine, g),
                        f"first: {rows.label_of(g)}"))
    return out
