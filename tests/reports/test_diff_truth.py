"""Ground truth for `tracetui diff` (traces/programs/abtest.go): regions whose durations
come from a seeded distribution, run as the baseline with different seeds (A/A) and as
variants whose change is known by construction (A/B: +2 ms in `query`, true p50 ratio
12/10; a shared mutex in `render`; heavy allocation). The A/A pairs are made on demand
with Go 1.27.3 into a cache (traces/generate.py ab_trace); the variants are committed."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests import goref
from tracetui.commands.multi import load_facts
from tracetui.reports.diff import diff_rows

REPO = Path(__file__).resolve().parents[2]
GO127 = REPO / "traces" / "go1.27"
REGIONS = {"parse", "query", "render"}


def _generate():
    spec = importlib.util.spec_from_file_location("_tracetui_generate_ab", REPO / "traces" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _diff(base, new):
    fb, fn = load_facts([str(base), str(new)])
    return diff_rows(fb, fn)


def _changed(rows, section=None):
    return [r for r in rows if r["changed"] and (section is None or r["section"] == section)]


def test_a_a_pairs_report_no_region_changed():
    gen = _generate()
    try:
        pairs = [(gen.ab_trace("a", 100 + 2 * k), gen.ab_trace("a", 101 + 2 * k)) for k in range(10)]
    except (gen.ToolchainUnavailable, gen.GenerationError) as e:
        goref.skip_go(f"cannot make the A/A traces with Go {gen.AB_VERSION}: {e}")
    flagged = []
    for base, new in pairs:
        rows = _diff(base, new)
        assert {r["name"] for r in rows if r["section"] == "region"} == REGIONS
        flagged.append([(r["name"], r["metric"], r["ratio"]) for r in _changed(rows, "region")])
    assert sum(bool(f) for f in flagged) <= 1, flagged


def test_a_b_reports_the_slower_region_only():
    rows = _diff(GO127 / "ab-a.trace", GO127 / "ab-slow.trace")
    p50 = next(r for r in rows if (r["section"], r["name"], r["metric"]) == ("region", "query", "p50_ns"))
    assert p50["changed"] and p50["new"] > p50["base"]
    assert abs(p50["ratio"] / (12 / 10) - 1) < 0.10, p50["ratio"]
    assert {r["name"] for r in _changed(rows, "region")} == {"query"}


def test_mutex_contention_moves_block_time_to_sync():
    rows = _diff(GO127 / "ab-a.trace", GO127 / "ab-mutex.trace")
    sync = {(r["section"], r["name"]) for r in _changed(rows) if r["metric"] == "block_sync_ns" and r["new"] > r["base"]}
    assert ("region", "render") in sync and ("goroutine", "main.abWorker") in sync
    assert not _changed(rows, "gc")
    assert {r["name"] for r in _changed(rows, "region")} == {"render"}


def test_heavy_allocation_moves_the_gc_section():
    rows = _diff(GO127 / "ab-a.trace", GO127 / "ab-alloc.trace")
    cycles = next(r for r in rows if (r["section"], r["name"], r["metric"]) == ("gc", "cycles", "per_s"))
    assert cycles["changed"] and cycles["new"] > 5 * cycles["base"]
    assert not _changed(rows, "region")
