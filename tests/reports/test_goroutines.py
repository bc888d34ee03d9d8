"""The goroutines report against Go's summarizer (traceoracle) on every committed trace:
per start function, the sums of Go's per-goroutine numbers; per goroutine, Go's numbers."""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.cli import main
from tracetui.reports.goroutines import goroutine_groups, goroutine_rows, reason_key

FIELDS = ("exec_ns", "sched_wait_ns", "syscall_ns", "syscall_block_ns", "total_ns")


def go_flat(g: dict) -> dict:
    out = {k: g[k] for k in FIELDS}
    out["block_ns"] = sum(g["block_ns"].values())
    out["assist_ns"] = g["range_ns"].get("GC mark assist", 0)
    for reason, ns in g["block_ns"].items():
        out[reason_key(reason)] = out.get(reason_key(reason), 0) + ns
    return out


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_groups_equal_go(oracle, path):
    want = defaultdict(Counter)
    for g in oracle(path)["goroutines"]:
        want[g["name"]]["count"] += 1
        want[g["name"]].update(go_flat(g))
    ours = goroutine_groups(model_of(path))
    assert {r["name"] for r in ours} == set(want)
    for r in ours:
        assert {k: v for k, v in r.items() if k != "name" and v} == {k: v for k, v in want[r["name"]].items() if v}
    execs = [r["exec_ns"] for r in ours]
    assert execs == sorted(execs, reverse=True)  # Go's order: most execution time first


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_instances_equal_go(oracle, path):
    want = {g["id"]: {"name": g["name"], **go_flat(g)} for g in oracle(path)["goroutines"]}
    ours = {r["id"]: {k: v for k, v in r.items() if k != "id" and (v or k in FIELDS)} for r in goroutine_rows(model_of(path))}
    assert ours == {i: {k: v for k, v in g.items() if v or k in FIELDS} for i, g in want.items()}


def test_cli_sort_and_filter(capsys):
    import json

    path = next(p for p in TRACES if p.name == "contention.trace")
    assert main(["goroutines", str(path), "--format", "json", "--sort", "sched_wait", "--top", "3",
                 "--name", "main\\."]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and all(r["name"].startswith("main.") for r in rows)
    waits = [r["sched_wait_ns"] for r in rows]
    everything = sorted((r["sched_wait_ns"] for r in goroutine_groups(model_of(path))
                         if r["name"].startswith("main.")), reverse=True)
    assert waits == everything[:3]
