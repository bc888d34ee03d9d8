"""Reports, the same care (issue 12): --sort duration|start on --instances, p95 and p999,
ids without thousands separators, start times that tell instances apart, check's units,
CSV numbers and booleans, unknown names and patterns that match nothing."""
from __future__ import annotations

import csv
import io
import json
import math
import re
from fractions import Fraction
from pathlib import Path

import pytest

from tests.reports.conftest import TRACES, model_of, trace_id
from tracetui.cli import main
from tracetui.reports.output import Column, Table, to_csv, to_text
from tracetui.reports.regions import region_instances
from tracetui.units import UNITS_HELP, parse_duration

REPO = Path(__file__).parent.parent.parent
ANNOTATIONS = REPO / "traces" / "go1.27" / "annotations.trace"
WITH_REGIONS = [p for p in TRACES if p.name in ("annotations.trace", "mixed.trace")]


def run_json(capsys, *argv):
    assert main([*argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def run_text(capsys, *argv):
    assert main([*argv, "--format", "text"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["regions", "tasks"])
def test_instances_sort_by_duration_and_start(command, capsys):
    unsorted = run_json(capsys, command, str(ANNOTATIONS), "--instances")
    by_duration = run_json(capsys, command, str(ANNOTATIONS), "--instances", "--sort", "duration")
    by_start = run_json(capsys, command, str(ANNOTATIONS), "--instances", "--sort", "start")
    key = json.dumps
    assert sorted(map(key, by_duration)) == sorted(map(key, unsorted)) == sorted(map(key, by_start))
    d = [r["duration_ns"] for r in by_duration]
    s = [r["start_ns"] for r in by_start]
    assert d == sorted(d, reverse=True) and s == sorted(s) and len(set(s)) > 1


def nearest_rank(values, q: Fraction) -> int:
    """The definition: the ceil(q * n)-th smallest."""
    v = sorted(values)
    return v[max(math.ceil(q * len(v)), 1) - 1]


@pytest.mark.parametrize("path", WITH_REGIONS, ids=trace_id)
def test_p95_and_p999_are_nearest_rank(path, capsys):
    rows = run_json(capsys, "regions", str(path))
    model = model_of(path)
    inst = region_instances(model)
    names = [model.trace.strings[n] for n in inst["name"].tolist()]
    for r in rows:
        d = [int(x) for x, n in zip(inst["duration"].tolist(), names) if n == r["name"]]
        assert r["p95_ns"] == nearest_rank(d, Fraction(95, 100))
        assert r["p999_ns"] == nearest_rank(d, Fraction(999, 1000))
        assert r["p90_ns"] <= r["p95_ns"] <= r["p99_ns"] <= r["p999_ns"] <= r["max_ns"]


def test_p999_of_a_thousand_and_one_durations():
    from tracetui.reports.durations import percentile

    d = list(range(1, 1002))           # ceil(0.999 * 1001) = 1000: the 1000th smallest
    assert percentile(d, 99.9) == 1000 == nearest_rank(d, Fraction(999, 1000))
    assert percentile(list(range(1, 1001)), 99.9) == 999


def test_ids_have_no_thousands_separators():
    t = Table("t", [Column("id", "goroutine", "id"), Column("count", "count", "int")],
                    [{"id": 1234567, "count": 1234567}])
    line = to_text([t]).splitlines()[1].split()
    assert line == ["1234567", "1,234,567"]   # counts keep them


@pytest.mark.parametrize("argv, fields", [
    (["goroutines", "--instances"], ["id"]),
    (["tasks", "--instances"], ["id", "parent"]),
    (["regions", "--instances"], ["goroutine", "task"]),
])
def test_ids_print_as_in_json(argv, fields, capsys):
    rows = run_json(capsys, argv[0], str(ANNOTATIONS), *argv[1:])
    text = run_text(capsys, argv[0], str(ANNOTATIONS), *argv[1:])
    lines = text.splitlines()[1:1 + len(rows)]
    for r, line in zip(rows, lines):
        words = line.split()
        for f in fields:
            assert str(r[f]) in words


def test_start_times_tell_instances_apart(capsys):
    """Instances with different start_ns print different starts, each within the column's
    resolution of start_ns."""
    rows = run_json(capsys, "regions", str(ANNOTATIONS), "--instances", "--sort", "start")
    text = run_text(capsys, "regions", str(ANNOTATIONS), "--instances", "--sort", "start")
    header, *lines = text.splitlines()
    col = header.split().index("start")
    shown = [line.split()[col] for line in lines[:len(rows)]]
    starts = [r["start_ns"] for r in rows]
    gap = min(b - a for a, b in zip(sorted(set(starts)), sorted(set(starts))[1:]))
    resolution = min(10 ** int(math.log10(gap)), 1000)
    for s, text_s in zip(starts, shown):
        assert abs(parse_duration(text_s) - s) <= resolution / 2 + 1
    assert len(set(shown)) == len(set(starts))


def test_check_json_and_csv_carry_units_and_numbers(capsys):
    argv = ["check", str(ANNOTATIONS), "--max", "region:db.query:p99=5ms", "--max", "task:*:count=1000",
            "--max", "gc:heap:max=1GiB", "--max", "gc:stw:max=1h", "--min", "gc:mmu@10ms=1%"]
    assert main([*argv, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["unit"], r["limit"]) for r in rows] == [
        ("ns", 5_000_000), ("count", 1000), ("bytes", 1 << 30), ("ns", 3_600_000_000_000), ("fraction", 0.01)]
    assert main([*argv, "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    for r, c in zip(rows, table):
        assert c["unit"] == r["unit"] and float(c["limit"]) == r["limit"] and float(c["measured"]) == r["measured"]
        assert c["held"] == "true" and c["checked"] == "true"


def test_units_in_the_error_and_the_help_are_the_same(capsys):
    assert main(["check", str(ANNOTATIONS), "--max", "region:db.query:p99=5"]) == 2
    err = capsys.readouterr().err
    assert UNITS_HELP in err and err.count("\n") == 1
    assert main(["check", "--help"]) == 0
    assert UNITS_HELP in capsys.readouterr().out


def test_unknown_region_type_exits_2_listing_the_known_names(capsys):
    known = [r["name"] for r in run_json(capsys, "regions", str(ANNOTATIONS))]
    assert main(["check", str(ANNOTATIONS), "--max", "region:db.qurey:p99=5ms"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert "no region type 'db.qurey' in this trace; it has: " + ", ".join(sorted(known)) in err
    assert main(["check", str(ANNOTATIONS), "--max", "task:nosuchtask:max=1s"]) == 2
    assert "no task type 'nosuchtask'" in capsys.readouterr().err


def test_a_pattern_that_matches_nothing_has_nothing_to_check(capsys):
    assert main(["check", str(ANNOTATIONS), "--max", "region:http.*:p99=5ms"]) == 0
    out = capsys.readouterr().out
    assert "nothing to check" in out and "BROKE" not in out
    # its count is 0: a --max count holds, a --min count breaks
    assert main(["check", str(ANNOTATIONS), "--max", "region:retry*:count=0"]) == 0
    assert "measured 0" in capsys.readouterr().out
    assert main(["check", str(ANNOTATIONS), "--min", "region:retry*:count=1"]) == 1
    capsys.readouterr()
    # a pattern that matches: the same numbers as the names it matches
    rows = run_json(capsys, "check", str(ANNOTATIONS), "--max", "region:db.*:count=1000",
                    "--max", "region:db.query:count=1000", "--max", "region:db.scan:count=1000")
    assert rows[0]["measured"] == rows[1]["measured"] + rows[2]["measured"]


@pytest.mark.parametrize("argv, field", [(["regions", "--instances"], "incomplete"),
                                         (["tasks", "--instances"], "complete")])
def test_csv_booleans_are_true_false(argv, field, capsys):
    assert main([argv[0], str(ANNOTATIONS), *argv[1:], "--format", "csv"]) == 0
    values = {r[field] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert values == {"true", "false"}
    assert to_csv([Table("t", [Column("b", "b")], [{"b": True}, {"b": False}])]) == "b\ntrue\nfalse\n"
    assert re.search(r"\byes\b", run_text(capsys, argv[0], str(ANNOTATIONS), *argv[1:]))
