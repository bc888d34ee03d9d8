"""Recompute the `size=` of every EventBatch line in the given .test files, in place.

The hand-written traces here are Go test files (txtar: a comment, `expect`, `trace`
in Go's raw text format). A batch's size is the byte length of its encoded events,
which nobody should count by hand: edit the events, then run

    PYTHONPATH=. python tests/model/data/fix_sizes.py tests/model/data/*.test
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.format.tracebuild import body


def fix_sizes(text: str) -> str:
    head, trace = text.split("-- trace --\n", 1)
    lines = trace.splitlines()
    version = int(lines[0].split("Go1.")[1])
    out, i = [lines[0]], 1
    while i < len(lines):
        j = i + 1
        if lines[i].startswith("EventBatch"):
            while j < len(lines) and not lines[j].startswith("EventBatch"):
                j += 1
            size = len(body(version, "\n".join(lines[i + 1:j]) + "\n"))
            out.append(re.sub(r"size=\S+", f"size={size}", lines[i]))
            out.extend(lines[i + 1:j])
        else:
            out.append(lines[i])
        i = j
    return head + "-- trace --\n" + "\n".join(out) + "\n"


if __name__ == "__main__":
    for name in sys.argv[1:]:
        p = Path(name)
        p.write_text(fix_sizes(p.read_text()))
