"""`tracetui check`: the budget grammar (malformed budgets are usage errors that say
what is wrong) and budgets measured with the reports' own numbers."""
from __future__ import annotations

import json

import pytest

from tests.reports.conftest import TRACES, model_of
from tracetui.cli import main
from tracetui.reports.check import BudgetError, measure, parse_budget, parse_bytes, parse_duration
from tracetui.reports.gc import mmu_rows, stw_by_kind
from tracetui.reports.goroutines import goroutine_groups
from tracetui.reports.regions import region_groups
from tracetui.reports.tasks import task_groups

ANNOTATIONS = next(p for p in TRACES if p.name == "annotations.trace" and p.parent.name == "go1.27")
GC = next(p for p in TRACES if p.name == "gc.trace" and p.parent.name == "go1.27")


@pytest.mark.parametrize("text, ns", [("5ms", 5_000_000), ("1.5s", 1_500_000_000), ("250us", 250_000),
                                      ("250µs", 250_000), ("7ns", 7), ("2m", 120_000_000_000), (".5ms", 500_000)])
def test_durations(text, ns):
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text", ["5", "ms", "5 hours", "5mss"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_negative_budget_is_an_error():
    with pytest.raises(BudgetError, match="negative"):
        parse_budget("region:x:max=-1ms", "max")


def test_bytes():
    assert [parse_bytes(t) for t in ("512MiB", "1GB", "10KiB", "300")] == [512 << 20, 10**9, 10 << 10, 300]


@pytest.mark.parametrize("budget, words", [
    ("region:compute:p99", "expected SUBJECT:STAT=VALUE"),
    ("region:compute:p97=5ms", "unknown statistic 'p97' for region"),
    ("region:p99=5ms", "expected region:NAME:STAT=VALUE"),
    ("regoin:compute:p99=5ms", "unknown subject 'regoin'"),
    ("region:compute:p99=5", "is not a duration"),
    ("region:compute:count=1.5", "is not a count"),
    ("gc:stw:max=fast", "is not a duration"),
    ("gc:pause:max=1ms", "unknown gc subject 'pause'"),
    ("gc:mmu@10ms=150%", "not between 0 and 1"),
    ("gc:mmu@soon=0.5", "is not a duration"),
    ("gc:heap:max=lots", "is not a size"),
    ("goroutine:main.main:p99=1ms", "unknown statistic 'p99' for goroutine"),
])
def test_malformed_budget_is_a_usage_error(budget, words, capsys):
    with pytest.raises(BudgetError, match=words):
        parse_budget(budget, "max")
    assert main(["check", str(ANNOTATIONS), "--max", budget]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words.split("'")[0] in err and budget in err


def test_names_may_hold_colons():
    b = parse_budget("region:http:GET /x:p99=5ms", "max")
    assert (b.subject, b.name, b.stat, b.limit) == ("region", "http:GET /x", "p99", 5_000_000)


def test_measured_values_are_the_reports():
    model = model_of(ANNOTATIONS)
    regions = {r["name"]: r for r in region_groups(model)}
    tasks = {r["name"]: r for r in task_groups(model)}
    groups = {r["name"]: r for r in goroutine_groups(model)}
    budgets = [parse_budget(t, "max") for t in (
        "region:db.query:p99=1s", "region:db.query:count=1", "region:*:max=1s", "task:handleRequest:p90=1s",
        "task:handleRequest:count=1", "goroutine:main.main:exec=1s", "goroutine:*:count=1", "gc:stw:max=1s",
        "gc:cycles:count=0", "region:absent:count=0", "region:absent:max=1s", "gc:mmu@10ms=1")]
    got = measure(model, budgets)
    assert got == [regions["db.query"]["p99_ns"], regions["db.query"]["count"],
                   max(r["max_ns"] for r in regions.values()), tasks["handleRequest"]["p90_ns"],
                   tasks["handleRequest"]["count"], groups["main.main"]["exec_ns"], sum(r["count"] for r in groups.values()),
                   next(r for r in stw_by_kind(model) if r["kind"] == "(all)")["max_ns"],
                   len(model.gc.cycles["start"]), 0, None, mmu_rows(model, [10_000_000])[0]["mmu"]]


def test_exit_codes_and_messages(capsys):
    p99 = {r["name"]: r for r in region_groups(model_of(ANNOTATIONS))}["db.query"]["p99_ns"]
    above, below = f"{p99 + 1}ns", f"{p99 - 1}ns"
    assert main(["check", str(ANNOTATIONS), "--max", f"region:db.query:p99={above}",
                 "--min", "gc:mmu@10ms=1%"]) == 0
    out = capsys.readouterr().out
    assert "all 2 budgets held" in out
    assert main(["check", str(ANNOTATIONS), "--max", f"region:db.query:p99={below}",
                 "--max", f"region:db.query:p99={above}", "--min", "task:*:p50=1s"]) == 1
    out = capsys.readouterr().out
    assert f"2 of 3 budgets broke: region:db.query:p99={below}, task:*:p50=1s" in out
    assert main(["check", str(ANNOTATIONS), "--max", f"region:db.query:p99={below}", "--format", "json"]) == 1
    (row,) = json.loads(capsys.readouterr().out)
    assert row == {"budget": f"region:db.query:p99={below}", "bound": "max", "unit": "ns", "limit": p99 - 1,
                   "measured": p99, "held": False, "checked": True}


def test_no_budgets_is_a_usage_error(capsys):
    assert main(["check", str(GC)]) == 2
    assert "no budgets" in capsys.readouterr().err
