"""The tasks report against Go's summarizer (traceoracle) on every committed trace."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.cli import main
from tracetui.format import spec as S
from tracetui.reports.tasks import task_groups, task_rows, task_tree


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_task_counts_equal_go(oracle, path):
    go = oracle(path)["tasks"] or []
    count, complete, logs = Counter(), Counter(), Counter()
    for t in go:
        count[t["name"]] += 1
        complete[t["name"]] += t["complete"]
        logs[t["name"]] += t["logs"]
    ours = task_groups(model_of(path))
    assert {r["name"]: (r["count"], r["complete"], r["logs"]) for r in ours} == \
        {n: (count[n], complete[n], logs[n]) for n in count}
    rows = {r["id"]: r for r in task_rows(model_of(path))}
    assert {i: (r["name"], r["parent"], r["complete"], r["logs"], r["regions"], r["goroutines"])
            for i, r in rows.items()} == \
        {t["id"]: (t["name"], t["parent"], t["complete"], t["logs"], t["regions"], t["goroutines"]) for t in go}


@pytest.mark.parametrize("path", [p for p in TRACES if p.name == "annotations.trace"], ids=trace_id)
def test_durations_from_task_events(path):
    """Complete tasks' durations, computed independently from the TaskBegin/TaskEnd events."""
    model = model_of(path)
    tr = model.trace
    begin, end = {}, {}
    for typ, store in ((S.EvUserTaskBegin, begin), (S.EvUserTaskEnd, end)):
        rows = np.flatnonzero(tr.type == typ)
        for r, tid in zip(rows.tolist(), tr.arg_of(rows).tolist()):
            store[tid] = (int(tr.time[r]), tr.strings[tr.aux[r]] if typ == S.EvUserTaskBegin else None)
    by_name = {}
    for tid, (t, name) in begin.items():
        if tid in end:
            by_name.setdefault(name, []).append(end[tid][0] - t)
    groups = {r["name"]: r for r in task_groups(model)}
    for name, d in by_name.items():
        d = np.array(d)
        g = groups[name]
        assert (g["complete"], g["total_ns"], g["max_ns"], g["min_ns"]) == (len(d), d.sum(), d.max(), d.min())
        assert g["p90_ns"] == int(np.percentile(d, 90, method="inverted_cdf"))


def test_tree_puts_children_under_parents():
    path = next(p for p in TRACES if p.name == "annotations.trace")
    tree = task_tree(model_of(path))
    assert sorted(r["id"] for r in tree) == sorted(r["id"] for r in task_rows(model_of(path)))
    seen_depth = {}
    for r in tree:
        if r["parent"] != 0 and r["parent"] in seen_depth:
            assert r["depth"] == seen_depth[r["parent"]] + 1
        else:
            assert r["depth"] == 0
        seen_depth[r["id"]] = r["depth"]
    assert max(seen_depth.values()) >= 2


def test_instances_carry_logs(capsys):
    import json

    path = next(p for p in TRACES if p.name == "annotations.trace")
    assert main(["tasks", str(path), "--instances", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    tr = model_of(path).trace
    assert sum(len(r["log_list"]) for r in rows) == int((tr.type == S.EvUserLog).sum())
    assert all(len(r["log_list"]) == r["logs"] for r in rows)
