"""Go's parsed event stream (`go tool trace -d=parsed`) as a list of small records,
one per event in Go's order (the same order as tracetui's rows): the header fields
of its first line and the function names of its `Stack=` block."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests import goref

_FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


@dataclass
class GoEvent:
    line: str
    fields: dict[str, str]
    stack: list[str] = field(default_factory=list)  # functions of the event's own Stack=, innermost first

    @property
    def kind(self) -> str:
        return self.line.split()[3]


def go_events(path) -> list[GoEvent]:
    goref.require_go()
    out, err, rc = goref.go_tool_trace(path, "parsed")
    assert rc == 0, err
    events: list[GoEvent] = []
    block = None
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("M="):
            events.append(GoEvent(line, dict(_FIELD.findall(line))))
            block = None
        elif line == "Stack=":
            block = events[-1].stack
        elif line == "TransitionStack=":
            block = None
        elif block is not None and line.startswith("\t") and not line.startswith("\t\t"):
            block.append(line.strip().rsplit(" @ ", 1)[0])
    return events
