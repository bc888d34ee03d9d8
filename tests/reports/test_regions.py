"""The regions report against Go's summarizer (traceoracle) on every committed trace,
and its percentiles against numpy."""
from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import goref
from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.reports.durations import group_stats, log_histogram, percentile, sort_rows
from tracetui.reports.regions import GROUPINGS, region_groups, region_rows


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_region_groups_equal_go(oracle, path):
    by_name = defaultdict(list)
    for r in oracle(path)["regions"] or []:
        by_name[r["name"]].append(r["end"] - r["start"])
    ours = {r["name"]: r for r in region_groups(model_of(path))}
    assert set(ours) == set(by_name)
    for name, durs in by_name.items():
        d = np.array(durs)
        row = ours[name]
        assert (row["count"], row["total_ns"], row["min_ns"], row["max_ns"]) == (len(d), d.sum(), d.min(), d.max())
        assert row["p99_ns"] == int(np.percentile(d, 99, method="inverted_cdf"))


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_instances_equal_go(oracle, path):
    go = sorted((r["name"], r["goroutine"], r["task"], r["end"] - r["start"], not (r["has_start"] and r["has_end"]))
                for r in oracle(path)["regions"] or [])
    ours = sorted((r["name"], r["goroutine"], r["task"], r["duration_ns"], r["incomplete"])
                  for r in region_rows(model_of(path)))
    assert ours == go


@pytest.mark.parametrize("by", GROUPINGS)
def test_groupings_partition_the_regions(oracle, by):
    path = next(p for p in TRACES if p.name == "annotations.trace")
    go = defaultdict(int)
    for r in oracle(path)["regions"]:
        go[r["name"]] += r["end"] - r["start"]
    ours = defaultdict(int)
    for r in region_groups(model_of(path), by=by):
        ours[r["name"]] += r["total_ns"]
    assert ours == go


def test_breakdown_shares_add_up():
    """running + runnable + blocked + syscall never exceed the region time (Go's
    non-overlapping stats) and cover it for regions of a finished goroutine."""
    path = next(p for p in TRACES if p.name == "annotations.trace")
    for r in region_rows(model_of(path)):
        parts = r["running_ns"] + r["runnable_ns"] + r["blocked_ns"] + r["syscall_ns"]
        assert parts <= r["duration_ns"]


def test_name_filter_and_sort():
    path = next(p for p in TRACES if p.name == "annotations.trace")
    model = model_of(path)
    rows = region_groups(model, name=r"^db\.")
    assert rows and all(r["name"].startswith("db.") for r in rows)
    top = sort_rows(region_groups(model), "max", 3)
    everything = region_groups(model)
    assert [r["max_ns"] for r in top] == sorted((r["max_ns"] for r in everything), reverse=True)[:3]
    assert [r["name"] for r in sort_rows(everything, "name")] == sorted(r["name"] for r in everything)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 10**12)), min_size=1, max_size=60))
def test_group_stats_equal_numpy(pairs):
    groups = np.array([g for g, _ in pairs])
    durs = np.array([d for _, d in pairs], np.int64)
    out = group_stats(groups, durs, 5)
    for g in range(5):
        d = durs[groups == g]
        if len(d) == 0:
            assert out["count"][g] == 0 and out["max"][g] == 0
            continue
        assert out["count"][g] == len(d) and out["total"][g] == d.sum()
        assert out["min"][g] == d.min() and out["max"][g] == d.max() and out["mean"][g] == d.sum() // len(d)
        for name, q in (("p50", 50), ("p90", 90), ("p99", 99)):
            want = int(np.percentile(d, q, method="inverted_cdf"))
            assert out[name][g] == want == percentile(d, q)


@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=50))
def test_log_histogram_counts_every_duration(durs):
    h = log_histogram(durs)
    assert sum(b["count"] for b in h) == len(durs)
    for b in h:
        inside = [d for d in durs if b["lo_ns"] <= max(d, 1) < b["hi_ns"]]
        assert len(inside) == b["count"]


USERREGIONS_ROW = re.compile(r'<td><pre>&#34;(.*?)&#34;<br>(.*?) @ 0x([0-9a-f]+)<br>(.*?)</pre></td>\s*'
                             r'<td><a href="[^"]*">(\d+)</a></td>')


def go_userregions(path) -> list[tuple]:
    """(name, frame, pc, count) rows of the /userregions page `go tool trace -http` serves."""
    go = goref.require_go()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([go, "tool", "trace", f"-http=127.0.0.1:{port}", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "BROWSER": "true"})
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/userregions", timeout=10) as r:
                    page = r.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    goref.skip_go("go tool trace -http did not serve /userregions")
                time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return [(html.unescape(n), html.unescape(f"{fn} {loc}".strip()), int(pc, 16), int(c))
            for n, fn, pc, loc, c in USERREGIONS_ROW.findall(page)]


@pytest.mark.parametrize("path", [p for p in TRACES if p.name == "annotations.trace"][::2], ids=trace_id)
def test_by_frame_equals_go_userregions_page(path):
    go = go_userregions(path)
    assert go, "no rows parsed from Go's /userregions page"
    ours = [(r["name"], r["frame"] if r["pc"] else "", r["pc"], r["count"])
            for r in region_groups(model_of(path), by="frame")]
    assert sorted(ours) == sorted((n, f if pc else "", pc, c) for n, f, pc, c in go)
