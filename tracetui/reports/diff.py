"""What changed between two runs: `diff_rows(base, new)` compares two `Facts`
(tracetui.reports.facts; each one trace or several pooled) section by section.

Each row: section, name, metric, base, new, ratio (new / base; None when base is 0
and new is not), p_value (None where no test applies), test, n_base/n_new (the
sample sizes the test saw) and changed. A change is **real** when the row's test
says p < alpha (default 0.01) **and** the ratio differs from 1 by more than
min_change (default 10%). Metrics ending in `_ns` are integer nanoseconds.

Sections, metrics and their tests (tracetui.reports.significance):

- region NAME, task NAME (complete tasks): count (rate test over the traces'
  durations), p50_ns (Mann–Whitney U on the instance durations), p90_ns and p99_ns
  (quantile test), max_ns (no test: one extreme value), and for regions
  block_<reason>_ns: mean blocked time per region for that reason (Mann–Whitney U on
  every region's time, zero included);
- goroutine NAME (goroutines by start function): count (rate test), and means per
  goroutine of exec_ns, sched_wait_ns, syscall_ns, block_<reason>_ns (Mann–Whitney U
  on the per-goroutine times);
- gc: cycles per_s (rate test), `stw:KIND` count (rate test), total_ns (rate test on
  the pause durations), max_ns (no test); assist share (time in mark assists over
  duration x GOMAXPROCS; rate test); mmu mmu@1ms, mmu@10ms, mmu@100ms (no test: a
  minimum over windows);
- sched runnable->running: waits of a runnable goroutine until it ran: count,
  p50_ns (Mann–Whitney U), p99_ns (quantile test), max_ns;
- cpu FUNCTION (only when both sides have CPU samples; functions with at least 1%
  of either side's samples): flat_share and cum_share (two-proportion z-test).

Rows sort changed first, then by the size of the change (|log ratio|), then p-value.
Region, task and sched rows carry `base_worst`/`new_worst`: the longest instance of the
region or task type, or the longest wait (trace, goroutine, start_ns, duration_ns),
where the TUI opens a trace.
"""
from __future__ import annotations

import math

import numpy as np

from tracetui.reports.significance import mann_whitney, proportion_test, quantile_test, rate_test

MMU_WINDOWS = {1_000_000: "mmu@1ms", 10_000_000: "mmu@10ms", 100_000_000: "mmu@100ms"}
CPU_MIN_SHARE = 0.01


def ratio_of(base, new) -> float | None:
    if base == 0:
        return 1.0 if new == 0 else None
    return float(new) / float(base)


def is_big(ratio: float | None, min_change: float) -> bool:
    return ratio is None or abs(ratio - 1) > min_change


class _Rows:
    def __init__(self, min_change: float, alpha: float):
        self.rows: list[dict] = []
        self.min_change, self.alpha = min_change, alpha

    def add(self, section, name, metric, base, new, p, test, nb, nn, **extra):
        ratio = ratio_of(base, new)
        changed = p is not None and p < self.alpha and is_big(ratio, self.min_change)
        self.rows.append(dict(section=section, name=name, metric=metric, base=base, new=new, ratio=ratio,
                              p_value=p, test=test if p is not None else "none", n_base=nb, n_new=nn,
                              changed=changed, **extra))


def _exposure(f) -> float:
    return float(sum(f.duration_ns))


def _groups(f, table: str, column: str = "name"):
    """name -> row indices of a table (grouped on the string indices: no string sort)."""
    codes = f[table][column]
    idx = np.argsort(codes, kind="stable")
    s = codes[idx]
    out = {}
    if len(s):
        cuts = np.flatnonzero(s[1:] != s[:-1]) + 1
        for part in np.split(idx, cuts):
            out[f.strings[int(codes[part[0]])]] = part
    return out


def _worst(f, table, rows, dur):
    if len(rows) == 0:
        return None
    i = rows[int(np.argmax(dur[rows]))]
    t = f[table]
    return {"trace": f.paths[int(t["trace"][i])], "goroutine": int(t["goroutine"][i]) if "goroutine" in t else None,
            "start_ns": int(t["start"][i]), "duration_ns": int(dur[i])}


def _durations(out, section, name, fb, fn, table, rb, rn, dur_b, dur_n, count=None, quantiles=(50, 90, 99)):
    xb, xn = dur_b[rb], dur_n[rn]
    cb, cn = count if count is not None else (len(xb), len(xn))
    worst = dict(base_worst=_worst(fb, table, rb, dur_b), new_worst=_worst(fn, table, rn, dur_n))
    out.add(section, name, "count", cb, cn, rate_test(np.ones(cb), _exposure(fb), np.ones(cn), _exposure(fn)),
            "rate", cb, cn, **worst)
    sb, sn = np.sort(xb), np.sort(xn)
    for q in quantiles:
        metric = f"p{q}_ns"
        vb = int(_rank(sb, q)) if len(sb) else 0
        vn = int(_rank(sn, q)) if len(sn) else 0
        p = mann_whitney(sb, sn, presorted=True) if q == 50 else quantile_test(xb, xn, q)
        out.add(section, name, metric, vb, vn, p, "mann-whitney" if q == 50 else "quantile", len(xb), len(xn), **worst)
    out.add(section, name, "max_ns", int(sb[-1]) if len(sb) else 0, int(sn[-1]) if len(sn) else 0, None, "none",
            len(xb), len(xn), **worst)


def _rank(s, q):
    return s[max(math.ceil(q / 100 * len(s)), 1) - 1]


def _per_reason(f, block_table: str, n: int) -> dict[str, np.ndarray]:
    """reason -> per-instance blocked time (ns) of the parent table."""
    b = f[block_table]
    out = {}
    for r, rows in _groups(f, block_table, "reason").items():
        col = np.zeros(n, np.int64)
        np.add.at(col, b["inst"][rows], b["ns"][rows])
        out[r] = col
    return out


def _reason_metric(reason: str) -> str:
    from tracetui.reports.goroutines import reason_key

    return reason_key(reason)


def _means(out, section, name, metric, vb, vn, **extra):
    mb = int(vb.mean()) if len(vb) else 0
    mn = int(vn.mean()) if len(vn) else 0
    out.add(section, name, metric, mb, mn, mann_whitney(vb, vn), "mann-whitney", len(vb), len(vn), **extra)


def _regions(out, fb, fn):
    gb, gn = _groups(fb, "regions"), _groups(fn, "regions")
    db, dn = fb["regions"]["duration"], fn["regions"]["duration"]
    rb = _per_reason(fb, "region_block", len(db))
    rn = _per_reason(fn, "region_block", len(dn))
    empty = np.zeros(0, np.int64)
    for name in sorted(set(gb) | set(gn)):
        ib, inn = gb.get(name, empty), gn.get(name, empty)
        _durations(out, "region", name, fb, fn, "regions", ib, inn, db, dn)
        worst = dict(base_worst=_worst(fb, "regions", ib, db), new_worst=_worst(fn, "regions", inn, dn))
        for reason in sorted(set(rb) | set(rn)):
            vb = rb[reason][ib] if reason in rb else np.zeros(len(ib), np.int64)
            vn = rn[reason][inn] if reason in rn else np.zeros(len(inn), np.int64)
            if vb.any() or vn.any():
                _means(out, "region", name, _reason_metric(reason), vb, vn, **worst)


def _tasks(out, fb, fn):
    tb, tn = fb["tasks"], fn["tasks"]
    gb, gn = _groups(fb, "tasks"), _groups(fn, "tasks")
    empty = np.zeros(0, np.int64)
    for name in sorted(set(gb) | set(gn)):
        ib, inn = gb.get(name, empty), gn.get(name, empty)
        cb, cn = ib[tb["complete"][ib]], inn[tn["complete"][inn]]
        _durations(out, "task", name, fb, fn, "tasks", cb, cn, tb["duration"], tn["duration"], (len(ib), len(inn)))


def _goroutines(out, fb, fn):
    Gb, Gn = fb["goroutines"], fn["goroutines"]
    gb, gn = _groups(fb, "goroutines"), _groups(fn, "goroutines")
    rb = _per_reason(fb, "goroutine_block", len(Gb["name"]))
    rn = _per_reason(fn, "goroutine_block", len(Gn["name"]))
    empty = np.zeros(0, np.int64)
    for name in sorted(set(gb) | set(gn)):
        ib, inn = gb.get(name, empty), gn.get(name, empty)
        out.add("goroutine", name, "count", len(ib), len(inn),
                rate_test(np.ones(len(ib)), _exposure(fb), np.ones(len(inn)), _exposure(fn)), "rate", len(ib), len(inn))
        for t in ("exec", "sched_wait", "syscall"):
            _means(out, "goroutine", name, f"{t}_ns", Gb[t][ib], Gn[t][inn])
        for reason in sorted(set(rb) | set(rn)):
            vb = rb[reason][ib] if reason in rb else np.zeros(len(ib), np.int64)
            vn = rn[reason][inn] if reason in rn else np.zeros(len(inn), np.int64)
            if vb.any() or vn.any():
                _means(out, "goroutine", name, _reason_metric(reason), vb, vn)


def _gc(out, fb, fn):
    eb, en = _exposure(fb), _exposure(fn)
    cb, cn = len(fb["cycles"]["start"]), len(fn["cycles"]["start"])
    out.add("gc", "cycles", "per_s", cb / eb * 1e9 if eb else 0.0, cn / en * 1e9 if en else 0.0,
            rate_test(np.ones(cb), eb, np.ones(cn), en), "rate", cb, cn)
    kb, kn = _groups(fb, "stw", "kind"), _groups(fn, "stw", "kind")
    db, dn = fb["stw"]["duration"], fn["stw"]["duration"]
    empty = np.zeros(0, np.int64)
    for kind in sorted(set(kb) | set(kn)):
        xb, xn = db[kb.get(kind, empty)], dn[kn.get(kind, empty)]
        name = f"stw:{kind}"
        out.add("gc", name, "count", len(xb), len(xn), rate_test(np.ones(len(xb)), eb, np.ones(len(xn)), en),
                "rate", len(xb), len(xn))
        out.add("gc", name, "total_ns", int(xb.sum()), int(xn.sum()), rate_test(xb, eb, xn, en), "rate",
                len(xb), len(xn))
        out.add("gc", name, "max_ns", int(xb.max(initial=0)), int(xn.max(initial=0)), None, "none", len(xb), len(xn))
    pb = float(sum(d * p for d, p in zip(fb.duration_ns, fb.gomaxprocs)))
    pn = float(sum(d * p for d, p in zip(fn.duration_ns, fn.gomaxprocs)))
    ab, an = fb["assists"]["duration"], fn["assists"]["duration"]
    out.add("gc", "assist", "share", float(ab.sum() / pb) if pb else 0.0, float(an.sum() / pn) if pn else 0.0,
            rate_test(ab, pb, an, pn), "rate", len(ab), len(an))
    for w, metric in MMU_WINDOWS.items():
        vb = [m[w] for m in fb.mmu if w in m]
        vn = [m[w] for m in fn.mmu if w in m]
        if vb and vn:
            out.add("gc", "mmu", metric, min(vb), min(vn), None, "none", len(vb), len(vn))


def _sched(out, fb, fn):
    sb, sn = fb["sched"], fn["sched"]
    every_b, every_n = np.arange(len(sb["duration"])), np.arange(len(sn["duration"]))
    _durations(out, "sched", "runnable->running", fb, fn, "sched", every_b, every_n, sb["duration"], sn["duration"],
               quantiles=(50, 99))


def _cpu(out, fb, fn):
    nb, nn = sum(fb.cpu_samples), sum(fn.cpu_samples)
    if not nb or not nn:
        return
    sums = {}
    for f, side in ((fb, 0), (fn, 1)):
        names = f.names("cpu", "func")
        for k in ("flat", "cum"):
            for name, v in zip(names.tolist(), f["cpu"][k].tolist()):
                sums.setdefault(name, [[0, 0], [0, 0]])[0 if k == "flat" else 1][side] += v
    for name in sorted(sums):
        (fb_, fn_), (cb_, cn_) = sums[name]
        if max(cb_ / nb, cn_ / nn) < CPU_MIN_SHARE:
            continue
        out.add("cpu", name, "flat_share", fb_ / nb, fn_ / nn, proportion_test(fb_, nb, fn_, nn), "proportion", nb, nn)
        out.add("cpu", name, "cum_share", cb_ / nb, cn_ / nn, proportion_test(cb_, nb, cn_, nn), "proportion", nb, nn)


SECTIONS = ("region", "task", "goroutine", "gc", "sched", "cpu")


def diff_rows(base, new, min_change: float = 0.10, alpha: float = 0.01) -> list[dict]:
    """Every row of the comparison, sorted (see the module docstring)."""
    out = _Rows(min_change, alpha)
    _regions(out, base, new)
    _tasks(out, base, new)
    _goroutines(out, base, new)
    _gc(out, base, new)
    _sched(out, base, new)
    _cpu(out, base, new)

    def key(r):
        size = math.inf if r["ratio"] is None else abs(math.log(r["ratio"])) if r["ratio"] > 0 else math.inf
        return (not r["changed"], r["p_value"] is None, -size, r["p_value"] if r["p_value"] is not None else 1.0)

    return sorted(out.rows, key=key)
