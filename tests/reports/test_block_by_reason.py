"""Blocked time by reason in the regions and tasks reports equals Go's summarizer's
per-region BlockTimeByReason on every committed trace. Go's side is
tests/reports/goregionblock/main.go, built inside $GOROOT/src/cmd (to import
internal/trace) and cached under ~/.cache/tracetui/goregionblock."""
from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from tests import goref
from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.reports.goroutines import reason_key
from tracetui.reports.regions import region_groups, region_rows
from tracetui.reports.tasks import task_groups, task_rows

SOURCE = Path(__file__).resolve().parent / "goregionblock" / "main.go"


@pytest.fixture(scope="module")
def goregionblock():
    """path -> Go's per-region block time by reason (tests/reports/goregionblock, built by goref)."""
    exe = goref.go_program(SOURCE.parent)
    return lambda path: json.loads(subprocess.check_output([str(exe), str(path)]))


def _blocks(d: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in d.items() if v))


def _go_blocks(r: dict) -> dict:
    out = defaultdict(int)
    for reason, ns in r["block_ns"].items():
        out[reason_key(reason)] += ns
    return out


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_region_blocking_by_reason_equals_go(goregionblock, path):
    go = goregionblock(path)
    m = model_of(path)
    t0 = int(m.trace.time[0]) if len(m.trace) else 0
    theirs = sorted((r["name"], r["goroutine"], r["task"], r["start"] - t0, r["end"] - r["start"],
                     _blocks(_go_blocks(r))) for r in go)
    rows = region_rows(m)
    ours = sorted((r["name"], r["goroutine"], r["task"], r["start_ns"], r["duration_ns"],
                   _blocks({k: v for k, v in r.items() if k.startswith("block_")})) for r in rows)
    assert ours == theirs
    assert all(r["blocked_ns"] == sum(v for k, v in r.items() if k.startswith("block_")) for r in rows)
    # per type: the sums
    by_name = defaultdict(lambda: defaultdict(int))
    for r in go:
        for k, v in _go_blocks(r).items():
            by_name[r["name"]][k] += v
    for row in region_groups(m):
        assert _blocks({k: v for k, v in row.items() if k.startswith("block_")}) == _blocks(by_name[row["name"]])


def _outermost_sums(go_regions) -> dict:
    """Per task id: block by reason summed over its regions that no other region of
    the same task on the same goroutine contains (a plain loop over Go's regions)."""
    by = defaultdict(list)
    for r in go_regions:
        by[(r["task"], r["goroutine"])].append(r)
    out = defaultdict(lambda: defaultdict(int))
    for (task, _), regions in by.items():
        regions.sort(key=lambda r: (r["start"], -r["end"]))
        reach = None
        for r in regions:
            if reach is not None and r["start"] < reach:
                reach = max(reach, r["end"])
                continue
            reach = r["end"] if reach is None else max(reach, r["end"])
            for k, v in _go_blocks(r).items():
                out[task][k] += v
    return out


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_task_blocking_by_reason_equals_go_regions(goregionblock, path):
    go = _outermost_sums(goregionblock(path))
    m = model_of(path)
    rows = task_rows(m, with_logs=False)
    for row in rows:
        assert _blocks({k: v for k, v in row.items() if k.startswith("block_")}) == _blocks(go.get(row["id"], {})), row
    complete = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if row["complete"]:
            for k, v in row.items():
                if k.startswith("block_"):
                    complete[row["name"]][k] += v
    for g in task_groups(m):
        assert _blocks({k: v for k, v in g.items() if k.startswith("block_")}) == _blocks(complete[g["name"]])


def test_some_trace_has_nested_regions_and_blocking():
    """The comparisons above are not vacuous: nested regions of one task, and blocking
    of several reasons inside regions, occur in the committed traces."""
    path = next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "annotations.trace")
    rows = region_rows(model_of(path))
    reasons = {k for r in rows for k, v in r.items() if k.startswith("block_") and v}
    assert len(reasons) >= 2
    tasks = task_rows(model_of(path), with_logs=False)
    assert any(t["regions"] >= 2 and any(v for k, v in t.items() if k.startswith("block_")) for t in tasks)
