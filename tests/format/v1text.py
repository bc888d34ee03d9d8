"""Comparing event text of v1 traces with Go's, which orders some events arbitrarily.

Go's v1 path merges per-P batches in map order (events with equal timestamps come
out in either order) and emits the goroutines that existed before the first
Gomaxprocs in map order, then makes every timestamp strictly larger than the
previous one. `canonical(text)` makes each run of events whose printed times are
consecutive nanoseconds order-free (a sorted multiset plus the list of times) and
leaves everything else as it is.
"""
from __future__ import annotations

import re

_TIME = re.compile(rb" Time=(-?\d+)")


def records(text: bytes) -> list[bytes]:
    """One entry per event: its first line and the stack lines after it."""
    out: list[bytes] = []
    for line in text.splitlines(keepends=True):
        if line.startswith(b"M=") or not out:
            out.append(line)
        else:
            out[-1] += line
    return out


def canonical(text: bytes) -> list:
    """The event text with each run of consecutive-nanosecond events made order-free."""
    groups: list = []
    last = None
    for rec in records(text):
        m = _TIME.search(rec)
        t = int(m.group(1)) if m else None
        body = _TIME.sub(b" Time=", rec, count=1)
        if groups and t is not None and last is not None and t == last + 1:
            groups[-1][0].append(t)
            groups[-1][1].append(body)
        else:
            groups.append(([t], [body]))
        last = t
    return [(times, sorted(bodies)) for times, bodies in groups]
