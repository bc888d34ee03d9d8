"""`tracetui diff` and `check --baseline`: the comparison's numbers are the reports'
numbers (every committed trace against the same scenario from the previous Go), a
trace against itself changes nothing, budgets measured on the facts equal `check`'s,
and the CLI's exit codes (0 held, 1 broke, 2 malformed)."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.cli import main
from tracetui.reports.baseline import measure_facts, parse_fail_on
from tracetui.reports.check import measure, parse_budget
from tracetui.reports.diff import diff_rows
from tracetui.reports.facts import facts_of, pool
from tracetui.reports.gc import mmu_rows, stw_by_kind
from tracetui.reports.goroutines import goroutine_groups
from tracetui.reports.regions import region_groups
from tracetui.reports.tasks import task_groups

_FACTS: dict = {}


def facts(path):
    if path not in _FACTS:
        _FACTS[path] = facts_of(model_of(path), str(path))
    return _FACTS[path]


def _pairs():
    by = {(p.parent.name, p.name): p for p in TRACES}
    out = []
    for (ver, name), p in sorted(by.items()):
        prev = f"go1.{int(ver.split('.')[1]) - 1}"
        if (prev, name) in by:
            out.append((by[(prev, name)], p))
    return out


PAIRS = _pairs()
GO127 = [p for p in TRACES if p.parent.name == "go1.27"]


def _row(rows, section, name, metric):
    found = [r for r in rows if (r["section"], r["name"], r["metric"]) == (section, name, metric)]
    assert len(found) == 1, (section, name, metric)
    return found[0]


@pytest.mark.parametrize("base, new", PAIRS, ids=[trace_id(n) for _, n in PAIRS])
def test_rows_are_the_reports_numbers(base, new):
    rows = diff_rows(facts(base), facts(new))
    for side, path in (("base", base), ("new", new)):
        m = model_of(path)
        for g in region_groups(m):
            for stat in ("p50", "p90", "p99", "max"):
                assert _row(rows, "region", g["name"], f"{stat}_ns")[side] == g[f"{stat}_ns"]
            assert _row(rows, "region", g["name"], "count")[side] == g["count"]
        for t in task_groups(m):
            assert _row(rows, "task", t["name"], "count")[side] == t["count"]
            if t["complete"]:
                assert _row(rows, "task", t["name"], "p99_ns")[side] == t["p99_ns"]
        for g in goroutine_groups(m):
            assert _row(rows, "goroutine", g["name"], "count")[side] == g["count"]
            assert _row(rows, "goroutine", g["name"], "exec_ns")[side] == int(g["exec_ns"] / g["count"])
        for k in stw_by_kind(m):
            if k["kind"] != "(all)":
                r = _row(rows, "gc", f"stw:{k['kind']}", "total_ns")
                assert (r[side], _row(rows, "gc", f"stw:{k['kind']}", "max_ns")[side]) == (k["total_ns"], k["max_ns"])
        d = int(m.trace.time[-1] - m.trace.time[0])
        assert _row(rows, "gc", "cycles", "per_s")[side] == pytest.approx(len(m.gc.cycles["start"]) / d * 1e9)
        for mm in mmu_rows(m, [1_000_000, 10_000_000, 100_000_000]):
            assert _row(rows, "gc", "mmu", f"mmu@{mm['window_ns'] // 1_000_000}ms")[side] == mm["mmu"]
    for r in rows:
        assert r["changed"] == (r["p_value"] is not None and r["p_value"] < 0.01
                                and (r["ratio"] is None or abs(r["ratio"] - 1) > 0.1))
    order = [(not r["changed"]) for r in rows]
    assert order == sorted(order)


def test_runnable_waits_are_the_lanes_runnable_spans():
    from tracetui.model.lanes import RUNNABLE, RUNNING

    m = model_of(next(p for p in GO127 if p.name == "mixed.trace"))
    f = facts(next(p for p in GO127 if p.name == "mixed.trace"))
    want = []
    names = m.summary.goroutines["name"]
    for g in range(len(m.lanes)):
        if g < len(names) and m.trace.strings[names[g]].startswith("runtime."):
            continue
        sp = m.lanes.spans(g)
        for i in range(len(sp["state"]) - 1):
            if sp["state"][i] == RUNNABLE and sp["state"][i + 1] == RUNNING and sp["end_row"][i] >= 0:
                want.append(int(sp["end"][i] - sp["start"][i]))
    assert sorted(f["sched"]["duration"].tolist()) == sorted(want)
    assert len(want) > 100


@pytest.mark.parametrize("path", GO127, ids=trace_id)
def test_a_trace_against_itself_changes_nothing(path):
    rows = diff_rows(facts(path), facts(path))
    assert rows and not any(r["changed"] for r in rows)
    assert all(r["base"] == r["new"] for r in rows)
    assert all(r["p_value"] is None or r["p_value"] > 0.5 for r in rows)


BUDGETS = ["region:*:p99", "region:*:count", "region:*:total", "task:*:p50", "task:*:count",
           "goroutine:*:exec", "goroutine:*:count", "gc:stw:max", "gc:stw:count", "gc:assist:total",
           "gc:cycles:count", "gc:heap:max", "gc:heap:end"]


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_budgets_on_facts_equal_check(path):
    m = model_of(path)
    names = {"region": [g["name"] for g in region_groups(m)][:3], "task": [t["name"] for t in task_groups(m)][:3],
             "goroutine": [g["name"] for g in goroutine_groups(m)][:3]}
    texts = [b + ("=1" if b.endswith("count") else "=1B" if ":heap:" in b else "=1ms") for b in BUDGETS]
    texts += [f"{s}:{n}:p90=1ms" if s != "goroutine" else f"{s}:{n}:sched_wait=1ms"
              for s, ns in names.items() for n in ns if n and ":" not in n]
    texts.append("gc:mmu@10ms=0.5")
    budgets = [parse_budget(t, "max") for t in texts]
    assert measure_facts(facts(path), budgets) == measure(m, budgets)


def test_pool_then_split_gives_the_facts_back():
    a, b = facts(GO127[0]), facts(GO127[1])
    both = pool([a, b])
    for f, back in zip((a, b), both.split()):
        for t, cols in f.tables.items():
            for k in cols:
                if k in ("name", "reason", "key", "kind", "func"):
                    assert list(f.names(t, k)) == list(back.names(t, k))
                else:
                    assert np.array_equal(cols[k], back.tables[t][k]), (t, k)


def _cli(capsys, *argv):
    code = main([*map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


MIXED26, MIXED27 = (next(p for p in TRACES if p.parent.name == v and p.name == "mixed.trace") for v in ("go1.26", "go1.27"))


def test_fail_on_exit_codes(capsys):
    base = measure_facts(facts(MIXED26), [parse_budget("region:*:p99=1ms", "max")])[0]
    new = measure_facts(facts(MIXED27), [parse_budget("region:*:p99=1ms", "max")])[0]
    loose = f"+{int(100 * (new / base - 1)) + 2}%"
    tight = f"+{int(100 * (new / base - 1)) - 2}%" if new > base else "-50%"
    code, out, _ = _cli(capsys, "diff", MIXED26, MIXED27, "--fail-on", f"region:*:p99<={loose}", "--format", "json")
    assert code == 0 and json.loads(out)["budgets"][0]["held"]
    code, out, _ = _cli(capsys, "diff", MIXED26, MIXED27, "--fail-on", f"region:*:p99<={tight}", "--format", "text")
    assert code == 1 and "budgets broke: region:*:p99<=" in out
    code, _, err = _cli(capsys, "diff", MIXED26, MIXED27, "--fail-on", "region:*:p99<10%")
    assert code == 2 and "--fail-on 'region:*:p99<10%'" in err
    code, _, err = _cli(capsys, "diff", MIXED26, MIXED27, "--fail-on", "region:*:p42<=+10%")
    assert code == 2 and "unknown statistic 'p42'" in err


def test_check_baseline(capsys):
    code, out, _ = _cli(capsys, "check", MIXED27, "--baseline", MIXED27, "--max", "region:*:p99=+0%",
                        "--min", "gc:mmu@10ms=-0%", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["measured"] for r in rows] == [r["baseline"] for r in rows]
    code, out, _ = _cli(capsys, "check", MIXED27, "--baseline", MIXED27, "--max", "region:*:count=-1%")
    assert code == 1 and "BROKE" in out
    code, _, err = _cli(capsys, "check", MIXED27, "--max", "region:*:p99=+10%")
    assert code == 2 and "needs --baseline" in err
    assert parse_fail_on("gc:mmu@10ms>=-5%").relative == -0.05


def test_diff_outputs(capsys):
    code, out, _ = _cli(capsys, "diff", MIXED26, MIXED27, "--all", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {"section", "name", "metric", "base", "new", "ratio", "p_value", "changed"} <= set(rows[0])
    code, out, _ = _cli(capsys, "diff", MIXED26, MIXED27, "--format", "json")
    shown = json.loads(out)
    assert all(r["changed"] for r in shown)
    code, out, _ = _cli(capsys, "diff", MIXED27, MIXED27, "--format", "text")
    assert "no real change" in out and "0 of " in out
