"""Colours of the timeline: the categories a cell can show, their colours and the legend.

A goroutine span falls in one category: running, GC mark assist (running inside an
assist range), runnable, syscall, or waiting by reason family (sync, I/O, sleep, GC,
other). GC and STW lanes, regions and sparklines have their own categories. Colours
are truecolor hex; Textual maps them to the nearest of 256 colours on terminals that
have no truecolor, so every colour here was picked to stay distinct there too: every pair
of legend colours is at least 12 apart in CIEDE2000 ΔE, in truecolor and in 256 colours
(tests/tui/test_trust.py). "blocked: other" is brown, not a second grey beside sleep.
"""
from __future__ import annotations

import numpy as np
from rich.style import Style

from tracetui.model.lanes import RUNNABLE, RUNNING, SYSCALL

BACKGROUND = "#101418"
LABEL_BG = "#1c2128"
SELECTED_BG = "#30363d"
CURSOR = "#e6edf3"
MARK = "#d2a8ff"

# Category numbers (index into COLORS). GAP is "no span here".
(GAP, RUN, ASSIST, RUNNABLE_C, SYSCALL_C, WAIT_SYNC, WAIT_IO, WAIT_SLEEP, WAIT_GC, WAIT_OTHER,
 GC_MARK, STW_GC, STW_OTHER, HEAP, HEAP_HIGH, TEXT, DIM, DIMMED) = range(18)
REGION0 = 18  # REGION0 + i: the i-th region colour
UNCLASSIFIED = 255  # not a category: a block reason whose family is not looked up yet
REGION_COLORS = ("#1f6feb", "#8957e5", "#bf8700", "#1a7f37", "#cf222e", "#0969da")

COLORS = [
    BACKGROUND, "#3fb950", "#39c5cf", "#d29922", "#db61a2", "#f85149", "#58a6ff", "#6e7681", "#a371f7",
    "#a5836a", "#a371f7", "#f85149", "#ffa657", "#388bfd", "#f0883e", "#e6edf3", "#6e7681", "#2d333b", *REGION_COLORS,
]
NAMES = {RUN: "running", ASSIST: "GC assist", RUNNABLE_C: "runnable", SYSCALL_C: "syscall",
         WAIT_SYNC: "blocked: sync", WAIT_IO: "blocked: I/O", WAIT_SLEEP: "sleep", WAIT_GC: "blocked: GC",
         WAIT_OTHER: "blocked: other", GC_MARK: "GC mark", STW_GC: "STW (GC)", STW_OTHER: "STW (other)"}
LEGEND_ORDER = (RUN, ASSIST, RUNNABLE_C, SYSCALL_C, WAIT_SYNC, WAIT_IO, WAIT_SLEEP, WAIT_GC, WAIT_OTHER)

# Block reasons (the runtime's traceBlockReason strings) by family; the rest is "other".
_SYNC = {"select", "chan send", "chan receive", "sync", "sync.(*Cond).Wait", "synctest", "forever",
         "select (no cases)", "chan send (nil chan)", "chan receive (nil chan)"}
_IO = {"network"}
_SLEEP = {"sleep"}
_STATE_CATEGORY = {RUNNING: RUN, RUNNABLE: RUNNABLE_C, SYSCALL: SYSCALL_C}


def reason_family(reason: str) -> int:
    if reason in _SYNC:
        return WAIT_SYNC
    if reason in _IO:
        return WAIT_IO
    if reason in _SLEEP:
        return WAIT_SLEEP
    if reason.startswith("GC ") or "GC" in reason.split():
        return WAIT_GC
    return WAIT_OTHER


def reason_categories(strings: list[str], reasons: np.ndarray) -> np.ndarray:
    """Category of a waiting span with each of these block reasons (string indices)."""
    return np.array([reason_family(strings[i]) for i in reasons.tolist()], np.uint8)


def span_categories(state: np.ndarray, waiting: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Category of each goroutine span from its state; the spans at indices `waiting`
    by their block reason's (`categories[i]` for `waiting[i]`)."""
    table = np.full(8, WAIT_OTHER, np.uint8)
    for s, c in _STATE_CATEGORY.items():
        table[s] = c
    cat = table[state]
    cat[waiting] = categories
    return cat


def stw_category(kind: str) -> int:
    return STW_GC if kind.startswith("GC") else STW_OTHER


_styles: dict[tuple[int, int, bool, bool], Style] = {}


def style(fg: int, bg: int, bold: bool = False, underline: bool = False) -> Style:
    """The rich Style for foreground/background categories (cached: a handful exist);
    `underline`: a cell of the critical path shown (`w`)."""
    key = (fg, bg, bold, underline)
    s = _styles.get(key)
    if s is None:
        s = _styles[key] = Style(color=COLORS[fg], bgcolor=COLORS[bg], bold=bold, underline=underline)
    return s


def dim_except(keep: int, fg: np.ndarray, bg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Colours with every category but `keep` (and the gap and text) greyed out: one state highlighted."""
    other = lambda c: (c != keep) & (c != GAP) & (c != TEXT)  # noqa: E731
    return np.where(other(fg), DIMMED, fg).astype(np.uint8), np.where(other(bg), DIMMED, bg).astype(np.uint8)


def legend_items() -> list[tuple[str, str]]:
    """(colour, name) of each goroutine-state category, in legend order."""
    return [(COLORS[c], NAMES[c]) for c in LEGEND_ORDER]
