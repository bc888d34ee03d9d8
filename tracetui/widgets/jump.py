"""The command palette's jumps: to a time (`12ms`, `+1.5s`), a goroutine (`g123`, or
its function's name), a P (`p3`) or a region type (its name; each pick goes to the next one).

`parse_time("1.5ms") -> 1500000` (ns) is shared with tests. The provider only calls
the app's `jump_time`, `jump_goroutine` and `jump_region_type`.
"""
from __future__ import annotations

import re

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


class JumpProvider(Provider):
    """Jump to a time, a goroutine, a P or a region type."""

    async def search(self, query: str) -> Hits:
        app = self.app
        rows = getattr(app, "rows", None)
        if rows is None:
            return
        q = query.strip()
        t = parse_time(q)
        if t is not None:
            yield Hit(1.0, f"Go to time {q}", lambda: app.jump_time(t), help="move the cursor there")
        m = re.match(r"^[gG](\d+)$", q)
        if m:
            gid = int(m.group(1))
            hit = np.flatnonzero(rows.ids == gid)
            if len(hit):
                g = int(hit[0])
                yield Hit(1.0, f"Go to {rows.label_of(g)}", lambda: app.jump_goroutine(g), help="select its lane")
        m = re.match(r"^[pP](\d+)$", q)
        if m:
            hit = np.flatnonzero(rows.trace.proc_ids == int(m.group(1)))
            if len(hit):
                p = int(hit[0])
                yield Hit(1.0, f"Go to P{m.group(1)}", lambda: app.jump_proc(p), help="select its lane")
        if len(q) < 2:
            return
        matcher = self.matcher(q)
        for name in app.region_types():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(f"region {name}"), lambda n=name: app.jump_region_type(n),
                          help="the next region of this type")
        seen = set()
        for g in rows.order[:20000].tolist():
            name = rows.names[g]
            if name in seen or not name:
                continue
            seen.add(name)
            score = matcher.match(name)
            if score > 0:
                yield Hit(score * 0.9, matcher.highlight(f"goroutine {name}"),
                          lambda g=g: app.jump_goroutine(g), help=f"first: {rows.label_of(g)}")

    async def discover(self) -> Hits:
        app = self.app
        if getattr(app, "rows", None) is not None:
            for name in app.region_types()[:10]:
                yield DiscoveryHit(f"region {name}", lambda n=name: app.jump_region_type(n), help="next region")
