"""Speed of the TUI timeline.

- test_redraw_committed: redrawing every line of a 160x48 timeline after a pan or a
  zoom (Timeline.render_line over all rows), on the largest committed trace; quick,
  always on; `marked`: with a critical path (`w`) underlined on every goroutine lane,
  the worst case (every span of every lane a path segment).
- test_redraw_big: the same on the ~100 MB trace; target under 30 ms per redraw.
- test_startup_big: from process start to the first drawn timeline (headless, 160x48),
  against decode + model in a fresh process; target at most 1.5x. Both are measured
  as wall time and as the process's CPU time (user + system) at that moment; the
  target is checked on CPU time, because on a shared machine the wall times of two
  runs a minute apart differ by 2x. "Drawn" is when Textual has composed the first
  frame with the timeline's lanes (a lane of more than LAZY_SPANS spans is drawn
  straight from its spans in view; a background thread then indexes it for fast
  redraws). Also reported: when the process goes idle (that background work done).

The big tests need --big or TRACETUI_BIG=1.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SIZE = (160, 48)
SETTLE = 2.0  # seconds between the processes of test_startup_big (see _child)


def _with_timeline(path, body):
    """Open the app headless at 160x48 on `path`, wait for the timeline, run body(timeline)."""
    from tracetui.app import TraceApp

    async def main():
        app = TraceApp(path)
        async with app.run_test(size=SIZE) as pilot:
            while not app.loaded.is_set():
                await asyncio.sleep(0.02)
            await pilot.pause()
            return body(app.timeline)

    return asyncio.run(main())


def _redraws(tl):
    """A benchmark target: alternate pan right, pan left, zoom in, zoom out, each a full redraw."""
    moves = [lambda: tl.action_pan(1), lambda: tl.action_pan(-1), lambda: tl.action_zoom(0.5),
             lambda: tl.action_zoom(2)]
    state = {"i": 0}
    height = tl.scrollable_content_region.height

    def redraw():
        moves[state["i"] % len(moves)]()
        state["i"] += 1
        for y in range(height):
            tl.render_line(y)

    return redraw


def _mark_every_span(tl):
    """Show a 'critical path' made of every span of every goroutine lane."""
    lanes = tl.rows.model.lanes
    tl.show_path([(g, s, e) for g in tl.rows.order.tolist()
                  for s, e in zip(lanes.spans(g)["start"].tolist(), lanes.spans(g)["end"].tolist())])


@pytest.mark.parametrize("marked", [False, True], ids=["plain", "marked"])
@pytest.mark.parametrize("path", ["go1.27/gc", "go1.27/iter"], indirect=True)
def test_redraw_committed(benchmark, path, marked):
    def body(tl):
        if marked:
            _mark_every_span(tl)
        tl.action_zoom(0.25)
        benchmark(_redraws(tl))
        return tl.scrollable_content_region.height

    lines = _with_timeline(path, body)
    benchmark.extra_info.update(lines=lines)


def test_redraw_big(benchmark, big_trace):
    def body(tl):
        tl.action_zoom(0.25)
        benchmark.pedantic(_redraws(tl), rounds=40, iterations=1, warmup_rounds=4)

    _with_timeline(big_trace, body)
    median = benchmark.stats.stats.median
    benchmark.extra_info.update(median_ms=round(median * 1000, 2))
    assert median < 0.030, f"a full 160x48 redraw takes {median * 1000:.1f} ms (target < 30 ms)"


_CHILD_TUI = """
import asyncio, os, resource, sys
from tracetui.app import TraceApp
from tracetui.widgets.timeline import HEADER, Timeline

def report(tag):
    # straight to fd 1: Textual captures print() while the app runs
    r = resource.getrusage(resource.RUSAGE_SELF)
    os.write(1, f"{tag} {r.ru_utime + r.ru_stime}\\n".encode())

painted = []
render_line = Timeline.render_line

def traced(self, y):
    if y >= HEADER:  # a lane row of the timeline, which exists once the model is loaded
        painted.append(True)
    return render_line(self, y)

Timeline.render_line = traced

async def main():
    app = TraceApp(sys.argv[1])
    async with app.run_test(size=(160, 48)) as pilot:
        # Textual composes a frame in one callback: when this loop wakes up after the
        # first lane row was rendered, the whole first frame is drawn.
        while not painted:
            await asyncio.sleep(0.001)
        report("drawn")
        assert app.timeline.render_line(HEADER).text.strip()
        await pilot.pause()  # until the process is idle: the lanes' background indexing is done
        report("idle")
asyncio.run(main())
"""

_CHILD_LOAD = """
import resource, sys
from tracetui.format import read
from tracetui.model import build
build(read(sys.argv[1]))
r = resource.getrusage(resource.RUSAGE_SELF)
print("done", r.ru_utime + r.ru_stime, flush=True)
"""


def _child(code: str, path) -> dict[str, tuple[float, float]]:
    """{line tag: (wall seconds since the process was spawned, its CPU seconds then)} of a
    fresh Python process running `code` on `path`, which prints 'tag cpu' lines.

    Each waits SETTLE seconds first: a process started just after another has freed a
    few GB pays for that memory again (up to +1 s of CPU here, measured), whichever
    of the two kinds it is."""
    time.sleep(SETTLE)
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(path)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=REPO,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    out = {}
    for line in p.stdout:
        tag, cpu = line.split()
        out[tag] = (time.perf_counter() - t0, float(cpu))
    err = p.stderr.read()
    assert p.wait() == 0, err[-2000:]
    return out


def test_startup_big(benchmark, big_trace):
    runs = []

    def startup():
        runs.append((_child(_CHILD_LOAD, big_trace)["done"], _child(_CHILD_TUI, big_trace)))

    benchmark.pedantic(startup, rounds=3, iterations=1)
    load_wall, load_cpu = min(r[0][0] for r in runs), min(r[0][1] for r in runs)
    drawn_wall, drawn_cpu = min(r[1]["drawn"][0] for r in runs), min(r[1]["drawn"][1] for r in runs)
    idle_wall, idle_cpu = min(r[1]["idle"][0] for r in runs), min(r[1]["idle"][1] for r in runs)
    benchmark.extra_info.update(
        decode_model_wall_s=round(load_wall, 2), decode_model_cpu_s=round(load_cpu, 2),
        first_draw_wall_s=round(drawn_wall, 2), first_draw_cpu_s=round(drawn_cpu, 2),
        idle_wall_s=round(idle_wall, 2), idle_cpu_s=round(idle_cpu, 2))
    print(f"\ndecode+model: wall {load_wall:.2f} s, CPU {load_cpu:.2f} s; first drawn timeline: wall "
          f"{drawn_wall:.2f} s ({drawn_wall / load_wall:.2f}x), CPU {drawn_cpu:.2f} s ({drawn_cpu / load_cpu:.2f}x); "
          f"idle (background indexing done): wall {idle_wall:.2f} s, CPU {idle_cpu:.2f} s")
    assert drawn_cpu / load_cpu <= 1.5, f"first drawn timeline costs {drawn_cpu / load_cpu:.2f}x decode+model (CPU)"
