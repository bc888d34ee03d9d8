"""`tracetui why` through main([...]): the JSON shape the README documents, each way
of picking the interval, folded stacks, the aggregate, and usage errors."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tests import goref
from tests.reports.conftest import model_of
from tracetui.cli import main

TRACE = next(p for p in goref.committed_traces() if p.parent.name == "go1.27" and p.name == "critical.trace")
MIXED = next(p for p in goref.committed_traces() if p.parent.name == "go1.27" and p.name == "mixed.trace")


def _json(capsys, *argv):
    assert main(["why", str(argv[0]), *argv[1:], "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_shape_and_tiling(capsys):
    out = _json(capsys, TRACE, "--region", "handler")
    assert set(out) == {"target", "path", "summary", "edges"}
    t = out["target"]
    assert {"kind", "name", "goroutine", "start_ns", "end_ns", "duration_ns"} <= set(t)
    assert (t["kind"], t["name"]) == ("region", "handler")
    step_keys = {"goroutine", "name", "state", "reason", "start_ns", "end_ns", "duration_ns", "stack"}
    assert all(step_keys <= set(s) for s in out["path"])
    assert all(set(f) == {"func", "file", "line"} for s in out["path"] for f in s["stack"])
    assert {s["state"] for s in out["path"]} <= {"running", "runnable", "waiting", "syscall", "assist", "stw"}
    assert sum(s["duration_ns"] for s in out["path"]) == t["duration_ns"] == t["end_ns"] - t["start_ns"]
    assert out["path"][0]["start_ns"] == t["start_ns"] and out["path"][-1]["end_ns"] == t["end_ns"]
    assert sum(s["duration_ns"] for s in out["summary"]) == t["duration_ns"]
    assert all({"goroutine", "name", "state", "reason", "duration_ns", "share"} <= set(s) for s in out["summary"])
    # the slowest handler region, as the regions report has it
    durs = [r["duration_ns"] for r in json.loads(_regions(capsys)) if r["name"] == "handler"]
    assert t["duration_ns"] == max(durs)


def _regions(capsys):
    assert main(["regions", str(TRACE), "--instances", "--format", "json"]) == 0
    return capsys.readouterr().out


def test_rank_and_instance_pick_that_region(capsys):
    rows = sorted((r for r in json.loads(_regions(capsys)) if r["name"] == "handler"), key=lambda r: -r["duration_ns"])
    second = _json(capsys, TRACE, "--region", "handler", "--rank", "2")["target"]
    assert second["duration_ns"] == rows[1]["duration_ns"]
    r = rows[2]
    third = _json(capsys, TRACE, "--region", "handler", "--instance", f"{r['goroutine']}@{r['start_ns']}ns")["target"]
    assert (third["goroutine"], third["start_ns"], third["duration_ns"]) == (r["goroutine"], r["start_ns"], r["duration_ns"])


def test_task_by_name_and_id(capsys):
    by_name = _json(capsys, TRACE, "--task", "request")
    assert main(["tasks", str(TRACE), "--instances", "--format", "json"]) == 0
    tasks = [t for t in json.loads(capsys.readouterr().out) if t["name"] == "request"]
    slowest = max(tasks, key=lambda t: t["duration_ns"])
    assert by_name["target"]["duration_ns"] == slowest["duration_ns"]
    by_id = _json(capsys, TRACE, "--task", str(slowest["id"]))
    assert by_id["target"] == by_name["target"]


def test_goroutine_interval(capsys):
    out = _json(capsys, MIXED, "--goroutine", "1", "--from", "1ms", "--to", "3000000ns")
    t = out["target"]
    assert t["goroutine"] == 1 and t["end_ns"] - t["start_ns"] == t["duration_ns"]
    assert t["end_ns"] <= 3_000_000 and t["start_ns"] >= 1_000_000
    assert sum(s["duration_ns"] for s in out["path"]) == t["duration_ns"]


def test_folded_sums_to_the_interval(capsys):
    target = _json(capsys, TRACE, "--region", "woken")["target"]
    assert main(["why", str(TRACE), "--region", "woken", "--format", "folded"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(int(line.rsplit(" ", 1)[1]) for line in lines) == target["duration_ns"]
    heaviest = max(lines, key=lambda line: int(line.rsplit(" ", 1)[1]))
    assert heaviest.split(";")[1] == "runnable"


def test_aggregate_over_the_slowest(capsys):
    out = _json(capsys, TRACE, "--region", "handler", "--slowest", "100%")
    t = out["target"]
    assert (t["count"], t["instances"]) == (3, 3)
    m = model_of(TRACE)
    R = m.summary.regions
    sel = [i for i in np.flatnonzero(R["in_summary"]) if m.trace.strings[int(R["name"][i])] == "handler"]
    assert t["duration_ns"] == int((R["end"][sel] - R["start"][sel]).sum())
    assert sum(r["duration_ns"] for r in out["summary"]) == t["duration_ns"]
    top = out["summary"][0]
    assert (top["state"], top["reason"], top["role"], top["instances"]) == ("waiting", "sleep", "other", 3)
    one = _json(capsys, TRACE, "--region", "handler", "--slowest", "1%")["target"]
    assert one["instances"] == 1


def test_text_output_reads(capsys):
    assert main(["why", str(TRACE), "--region", "handler", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "why region handler took" in out and "critical path" in out and "sleep" in out


@pytest.mark.parametrize("argv, message", [
    (["--region", "nope"], "no region named 'nope'"),
    (["--region", "handler", "--rank", "9"], "there are 3 regions"),
    (["--task", "nope"], "no task"),
    (["--goroutine", "999999"], "no goroutine 999999"),
    (["--task", "request", "--rank", "2"], "go with --region"),
    (["--region", "handler", "--from", "1ms"], "go with --goroutine"),
])
def test_usage_errors_are_one_line(capsys, argv, message):
    assert main(["why", str(TRACE), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_bad_option_values_are_usage_errors(capsys):
    for argv, message in ((["--instance", "12"], "expected GOROUTINE@START"), (["--slowest", "0%"], "more than 0%"),
                          (["--instance", "12@5"], "not a duration")):
        assert main(["why", str(TRACE), "--region", "handler", *argv]) == 2
        assert message in capsys.readouterr().err
