"""Every report command through main([...]) and the installed entry point: help with
examples, each output format, NO_COLOR, truncated traces (salvaged with a warning;
--strict fails), bad arguments."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reports.conftest import TRACES
from tracetui.cli import main
from tracetui.reports.output import Column, Table, print_rich, to_text

ANNOTATIONS = next(p for p in TRACES if p.name == "annotations.trace" and p.parent.name == "go1.27")
MULTIGEN = Path(__file__).parent.parent / "format" / "data" / "multigen"
REPORTS = [["regions"], ["regions", "--by", "frame", "--histogram"], ["regions", "--instances"],
           ["tasks"], ["tasks", "--instances"], ["tasks", "--tree"], ["goroutines"],
           ["goroutines", "--instances"], ["gc"], ["gc", "--cycles"], ["stats"]]
IDS = [" ".join(a) for a in REPORTS]


@pytest.mark.parametrize("name", ["regions", "tasks", "goroutines", "gc", "check", "stats"])
def test_help_has_examples(name, capsys):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"tracetui {name} trace.out" in out


@pytest.mark.parametrize("argv", REPORTS, ids=IDS)
def test_json_and_csv_carry_the_same_rows(argv, capsys):
    assert main([*argv, str(ANNOTATIONS), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert main([*argv, str(ANNOTATIONS), "--format", "csv"]) == 0
    text = capsys.readouterr().out
    if isinstance(data, dict) and argv[0] == "gc":  # several tables: CSV blocks headed "# name"
        blocks = [b for b in text.split("\n\n") if b.strip()]
        assert [b.splitlines()[0] for b in blocks] == [f"# {k}" for k in data]
        for block, (name, rows) in zip(blocks, data.items()):
            parsed = list(csv.DictReader(io.StringIO(block.split("\n", 1)[1])))
            assert len(parsed) == (1 if isinstance(rows, dict) else len(rows))
        return
    parsed = list(csv.DictReader(io.StringIO(text)))
    rows = [data] if isinstance(data, dict) else data
    assert len(parsed) == len(rows) > 0
    for p, r in zip(parsed, rows):
        for k, v in r.items():
            if k in p and isinstance(v, (int, str)) and not isinstance(v, bool):
                assert p[k] == str(v)
    ns_fields = {k for r in rows for k in r if k.endswith("_ns")}
    assert all(isinstance(r[k], int) for r in rows for k in ns_fields if k in r)


@pytest.mark.parametrize("argv", REPORTS, ids=IDS)
def test_text_when_piped(argv, capsys):
    assert main([*argv, str(ANNOTATIONS)]) == 0
    out = capsys.readouterr().out
    assert out.strip() and "\x1b[" not in out and "┃" not in out


def test_rich_table_fits_and_honours_no_color(monkeypatch):
    table = Table("t", [Column("name", "name"), *(Column(f"c{i}_ns", f"column {i}", "ns", drop=i) for i in range(12))],
                  [{"name": "a region", **{f"c{i}_ns": 10**i for i in range(12)}}])
    buf = io.StringIO()
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "60")
    print_rich([table], file=buf)
    out = buf.getvalue()
    assert max(len(line) for line in out.splitlines()) <= 60
    assert "columns left out to fit 60 columns" in out
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", out)  # no colour codes


def test_text_durations_are_human():
    t = Table("t", [Column("d_ns", "d", "ns"), Column("s", "share", "pct"), Column("b", "bytes", "bytes")],
              [{"d_ns": 1_234_567, "s": 0.5, "b": 3 << 20}, {"d_ns": 999, "s": 1.0, "b": 10}])
    lines = to_text([t]).splitlines()
    assert lines[1].split() == ["1.23ms", "50.0%", "3.0MiB"] and lines[2].split() == ["999ns", "100.0%", "10B"]



@pytest.mark.parametrize("argv", [*REPORTS, ["check", "--max", "gc:stw:count=1000"]],
                         ids=[*IDS, "check"])
def test_truncated_trace_is_salvaged(argv, truncated, capsys):
    assert main([*argv, str(truncated), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)
    assert err.startswith("tracetui: warning: ") and " of the file could not be used " in err
    assert err.count("\n") == 1
    assert main([*argv, str(truncated), "--strict"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv, words", [
    (["regions", "--sort", "p97"], "invalid choice"),
    (["regions", "--sort", "start"], "--sort start needs --instances"),
    (["tasks", "--sort", "duration"], "--sort duration needs --instances"),
    (["regions", "--name", "("], "not a regular expression"),
    (["gc", "--mmu", "10"], "is not a duration"),
    (["tasks", "--tree", "--instances"], "not allowed with"),
])
def test_usage_errors(argv, words, capsys):
    assert main([*argv[:1], str(ANNOTATIONS), *argv[1:]]) == 2
    assert words in capsys.readouterr().err


def test_missing_file(capsys):
    assert main(["regions", "/nonexistent.trace"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nonexistent" in err


def test_entry_point_regions_json():
    r = subprocess.run([sys.executable, "-m", "tracetui", "regions", str(ANNOTATIONS), "--sort", "max", "--top", "2",
                        "--format", "json"], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == 2 and rows[0]["max_ns"] >= rows[1]["max_ns"]


def test_entry_point_check_exit_code():
    r = subprocess.run([sys.executable, "-m", "tracetui", "check", str(ANNOTATIONS), "--max", "gc:stw:max=1ns"],
                       capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert r.returncode == 1 and "1 of 1 budgets broke: gc:stw:max=1ns" in r.stdout
