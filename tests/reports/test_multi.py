"""Many traces as one: `regions` (and tasks, goroutines, gc, stats, check) over several
files equals the single-trace reports' instances pooled by hand; --by trace equals each
file's own report; directories and globs; a bad file is named."""
from __future__ import annotations

import json
import math
import shutil

import pytest

from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.cli import main
from tracetui.reports import pooled as P
from tracetui.reports.facts import facts_of, pool
from tracetui.reports.goroutines import goroutine_groups
from tracetui.reports.regions import region_groups
from tracetui.reports.tasks import task_groups

ANNOTATIONS = sorted(p for p in TRACES if p.name == "annotations.trace")
AB = sorted(p for p in TRACES if p.name.startswith("ab-"))


def _json(capsys, *argv):
    code = main([*map(str, argv), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def _rank(d, q):
    return d[max(math.ceil(q / 100 * len(d)), 1) - 1]


def test_regions_over_files_equal_the_instances_pooled_by_hand(capsys):
    files = ANNOTATIONS + AB
    by_name: dict[str, list] = {}
    for f in files:
        for r in _json(capsys, "regions", f, "--instances"):
            by_name.setdefault(r["name"], []).append(r)
    want = {}
    for name, rs in by_name.items():
        d = sorted(r["duration_ns"] for r in rs)
        want[name] = {"count": len(d), "incomplete": sum(r["incomplete"] for r in rs), "total_ns": sum(d),
                      "min_ns": d[0], "max_ns": d[-1], "mean_ns": sum(d) // len(d),
                      **{f"p{q}_ns": _rank(d, q) for q in (50, 90, 99)},
                      "blocked_share": sum(r["blocked_ns"] for r in rs) / max(sum(d), 1)}
    got = {r["name"]: r for r in _json(capsys, "regions", *files)}
    assert set(got) == set(want)
    for name, w in want.items():
        for k, v in w.items():
            assert got[name][k] == pytest.approx(v), (name, k)


def test_by_trace_is_each_files_report(capsys):
    rows = _json(capsys, "regions", *AB, "--by", "trace")
    for f in AB:
        mine = {r["name"]: r for r in rows if r["trace"] == str(f)}
        alone = {r["name"]: r for r in _json(capsys, "regions", f)}
        # a block reason that occurs only in another file is a 0 column here, absent alone
        assert {n: {k: v for k, v in r.items() if k != "trace" and (v != 0 or k in alone.get(n, {}))}
                for n, r in mine.items()} == alone


def test_tasks_goroutines_gc_stats_add_up(capsys):
    files = ANNOTATIONS
    tasks = {r["name"]: r for r in _json(capsys, "tasks", *files)}
    gor = {r["name"]: r for r in _json(capsys, "goroutines", *files)}
    want_tasks: dict = {}
    want_gor: dict = {}
    for f in files:
        for r in _json(capsys, "tasks", f):
            w = want_tasks.setdefault(r["name"], {"count": 0, "complete": 0, "logs": 0, "total_ns": 0})
            for k in w:
                w[k] += r[k]
        for r in _json(capsys, "goroutines", f):
            w = want_gor.setdefault(r["name"], {"count": 0, "exec_ns": 0, "block_ns": 0, "sched_wait_ns": 0})
            for k in w:
                w[k] += r[k]
    assert {n: {k: r[k] for k in want_tasks[n]} for n, r in tasks.items()} == want_tasks
    assert {n: {k: r[k] for k in want_gor[n]} for n, r in gor.items()} == want_gor
    gc = _json(capsys, "gc", *files)
    singles = [_json(capsys, "gc", f) for f in files]
    assert gc["summary"]["cycles"] == sum(s["summary"]["cycles"] for s in singles)
    assert [m["mmu"] for m in gc["mmu"]] == [min(s["mmu"][i]["mmu"] for s in singles) for i in range(len(gc["mmu"]))]
    stats = _json(capsys, "stats", *files)
    assert stats["events"] == sum(_json(capsys, "stats", f)["events"] for f in files)


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_pooled_reports_of_one_trace_are_the_reports(path):
    m = model_of(path)
    f = pool([facts_of(m, str(path))])
    key = lambda r: (r["name"],)
    assert sorted(P.region_groups(f), key=key) == sorted(region_groups(m), key=key)
    assert P.task_groups(f) == task_groups(m)
    assert sorted(P.goroutine_groups(f), key=key) == sorted(goroutine_groups(m), key=key)


def test_directories_globs_and_a_bad_file(tmp_path, capsys):
    for p in AB:
        shutil.copy(p, tmp_path / p.name)
    (tmp_path / "notes.txt").write_text("not a trace")
    by_dir = _json(capsys, "regions", tmp_path)
    assert by_dir == _json(capsys, "regions", *sorted(tmp_path.glob("*.trace")))
    assert by_dir == _json(capsys, "regions", str(tmp_path / "ab-*.trace"))
    (tmp_path / "broken.trace").write_bytes(b"go 1.27 trace\x00\x00\x00\x01garbage")
    code = main(["regions", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1 and "broken.trace" in err and err.count("\n") == 1
    code = main(["regions", str(tmp_path / "none-*.trace")])
    assert code == 1 and "no file matches" in capsys.readouterr().err
    code = main(["regions", *map(str, AB[:2]), "--by", "frame"])
    assert code == 2 and "one trace at a time" in capsys.readouterr().err


def test_check_over_traces_pools_them(capsys):
    rows = _json(capsys, "check", *AB, "--max", "region:query:count=1000")
    assert rows[0]["measured"] == sum(r["count"] for f in AB for r in _json(capsys, "regions", f)
                                      if r["name"] == "query")


def test_check_by_trace_checks_each_file(capsys):
    code = main(["check", *map(str, AB), "--by", "trace", "--max", "region:query:count=200", "--format", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert [r["measured"] for r in rows] == [sum(r["count"] for r in _json(capsys, "regions", f)
                                                 if r["name"] == "query") for f in AB]
    assert code == (0 if all(r["held"] for r in rows) else 1)
