"""The rows of the timeline and what each draws: the fixed lanes at the top (GC mark
phases, STW pauses, heap, runnable goroutines), then one lane per P (which goroutine
ran; GC workers drawn apart), optionally one per thread (M), and one lane per
goroutine with its regions under it.

`Rows(model)` owns the goroutine order (sorted and filtered) and the flat list of
scrolling rows as numpy arrays (`kind`, `ident`, `depth`), so a trace with 100,000
goroutines costs three arrays, not 100,000 objects. `cells(row, bounds)` gives a
row's characters and colours for the screen columns between `bounds`; the
`Intervals` behind each lane (its index: per-category cumulative sums) are built on
first use and kept (every P lane at once, and every thread lane at once, as they are
shown together). A lane of more than LAZY_SPANS spans is drawn straight from its
spans in view until its index is built (`prepare`, off the UI thread). Logs and CPU
samples are markers drawn over their goroutine's lane.
"""
from __future__ import annotations

import bisect
import re
import threading

import numpy as np

from tracetui.format import spec as S
from tracetui.model.lanes import SYSCALL, WAITING
from tracetui.widgets import palette as P
from tracetui.widgets._intervals import nesting_depths, span_columns
from tracetui.widgets.cells import Intervals, column_cells, column_max, lane_cells, spark_cells

# Fixed lanes (drawn above the scrolling rows) and the kinds of scrolling rows.
GC, STW, HEAP, RUNNABLE_GS = "GC", "STW", "heap", "runnable Gs"
FIXED = (GC, STW, HEAP, RUNNABLE_GS)
GOROUTINE, REGION, PROC, THREAD = 0, 1, 2, 3
SORTS = ("id", "start", "exec", "blocked")
NCAT_G = P.WAIT_OTHER + 1
LAZY_SPANS = 100_000  # lanes with more spans are drawn from their spans until indexed off the UI thread (ready, prepare)
CACHE_SPANS = 25_000_000  # spans of lane intervals kept at most (41 bytes each: about 1 GB)
LOG_MARK, SAMPLE_MARK = "◆", "·"


def is_runtime(name: str) -> bool:
    """A goroutine the runtime started (Go's IsSystemGoroutine: "runtime." but not runtime.main)."""
    return name == "" or (name != "runtime.main" and name.startswith("runtime."))


def region_depths(regions: dict, keep: np.ndarray) -> np.ndarray:
    """Nesting depth of each kept region within its goroutine (regions nest like a stack):
    per goroutine, first the regions begun before the trace (row -1), the outer
    (later-ending) one first, then begins and ends in row order; a region never ended
    stays open. One compiled walk, with the begins and the ends each sorted by row."""
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        return np.zeros(0, np.int64)
    g = regions["goroutine"][idx].astype(np.int64)
    b = regions["start_row"][idx].astype(np.int64)
    e = regions["end_row"][idx].astype(np.int64)
    pre = np.flatnonzero(b < 0)
    pre = pre[np.lexsort((-np.where(e[pre] >= 0, e[pre], np.iinfo(np.int64).max), g[pre]))]
    begins = np.flatnonzero(b >= 0)
    if not (b[begins][1:] > b[begins][:-1]).all():  # the summarizer lists regions as they begin
        begins = begins[np.argsort(b[begins], kind="stable")]
    ends = np.flatnonzero(e >= 0)
    ends = ends[np.argsort(e[ends], kind="stable")]
    return nesting_depths(g, b, e, pre, begins, ends, int(g.max()) + 1)


class Rows:
    def __init__(self, model):
        self.model = model
        tr = self.trace = model.trace
        self.t_first = int(tr.time[0]) if len(tr) else 0
        self.t_last = int(tr.time[-1]) if len(tr) else 1
        ng = len(tr.goroutine_ids)
        self.ngoroutines = ng
        summ = model.summary
        names = summ.goroutines["name"]
        self.names = [tr.strings[int(n)] for n in names] if len(names) == ng else [""] * ng
        self.ids = tr.goroutine_ids
        counts = np.diff(model.lanes.offsets)
        self.active = np.flatnonzero(counts > 0)
        self._by_reason = np.full(max(len(tr.strings), 1), P.UNCLASSIFIED, np.uint8)  # see _reason_categories
        self._lane_cache: dict = {}  # lane key (a tuple) or fixed-lane name -> intervals
        self._big_cats: dict[int, np.ndarray] = {}  # span categories of big lanes not built yet
        self._resource_cats: dict[int, np.ndarray] = {}  # PROC/THREAD -> category of each of their spans
        self._assists_on: dict[int, Intervals] = {}  # P -> the GC mark assists done there
        self._cached_spans = 0
        self._task_owner = None  # (goroutine that began each task, sorted; the task order): tasks_begun_by
        self._stack_functions = None  # (stack ids, their functions joined): see search.with_function
        # The UI thread and the timeline's background indexer both build and keep lanes:
        # every change of the caches above (and the walk that empties them) holds this lock.
        self._lock = threading.RLock()
        self._regions()
        self._stats()
        self._markers()
        from tracetui.format.stats import wall_clock_start
        self.wall_start = wall_clock_start(tr)  # RFC 3339 of the first event, None before Go 1.25
        self.is_runtime = np.array([is_runtime(n) for n in self.names], bool)
        self.sort_key = "id"
        self.show_threads = False
        self.pattern: re.Pattern | None = None
        self.visible_only: np.ndarray | None = None
        self.hide_runtime = False
        self.pinned: frozenset[int] = frozenset()
        self.rebuild()

    # -- goroutine order and rows --------------------------------------------------
    def _regions(self) -> None:
        r = self.model.summary.regions
        tr = self.trace
        # Regions with a RegionBegin or RegionEnd event; not the unnamed region a goroutine
        # inherits from its creator (Go's summary keeps it, the trace has no event for it).
        is_region = np.zeros(256, bool)
        is_region[[S.EvUserRegionBegin, S.EvUserRegionEnd]] = True
        b, e = r["start_row"], r["end_row"]
        keep = ((b >= 0) & is_region[tr.type[np.maximum(b, 0)]]) | ((e >= 0) & is_region[tr.type[np.maximum(e, 0)]])
        keep &= r["goroutine"] >= 0
        self.region_idx = np.flatnonzero(keep)
        depth = region_depths(r, keep)
        g = r["goroutine"][self.region_idx].astype(np.int64)
        self.region_depth = depth
        self.region_rows = np.zeros(self.ngoroutines, np.int64)
        if len(g):
            np.maximum.at(self.region_rows, g, depth + 1)
        # regions sorted by (goroutine, depth, start): the regions of one row are a slice
        self._rkey = g * 1024 + np.minimum(depth, 1023)
        order = np.lexsort((r["start"][self.region_idx], self._rkey))
        self.region_idx, self._rkey = self.region_idx[order], self._rkey[order]

    def _stats(self) -> None:
        g = self.model.summary.goroutines
        ng = self.ngoroutines
        self.exec = g["exec"] if len(g["exec"]) == ng else np.zeros(ng, np.int64)
        self.start = g["start"] if len(g["start"]) == ng else np.zeros(ng, np.int64)
        self.blocked = np.zeros(ng, np.int64)
        block = self.model.summary.goroutine_block
        if len(block):
            arr = np.asarray(block, np.int64)
            np.add.at(self.blocked, arr[:, 0], arr[:, 2])

    def _markers(self) -> None:
        """Logs and CPU samples by goroutine: their rows sorted by goroutine, then time."""
        tr = self.trace
        rows = tr.rows_where([S.EvUserLog, S.EvCPUSample])
        rows = rows[tr.g[rows] >= 0]
        order = np.argsort(tr.g[rows], kind="stable")
        self._mark_rows = rows[order]
        self._mark_g = tr.g[rows][order]

    def markers(self, g: int, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(columns with a log, columns with a CPU sample) of goroutine g."""
        lo, hi = np.searchsorted(self._mark_g, [g, g + 1])
        r = self._mark_rows[lo:hi]
        t = self.trace.time[r]
        inside = (t >= bounds[0]) & (t < bounds[-1])
        cols = np.searchsorted(bounds, t[inside], side="right") - 1
        is_log = self.trace.type[r[inside]] == S.EvUserLog
        return np.unique(cols[is_log]), np.unique(cols[~is_log])

    def label_of(self, g: int) -> str:
        return f"G{int(self.ids[g])} {self.names[g]}".rstrip()

    LANE_SETTINGS = ("sort_key", "pattern", "visible_only", "show_threads", "hide_runtime", "pinned")

    def configure(self, **changes) -> None:
        """Change which lanes show and in what order (LANE_SETTINGS: `pattern` as text or a
        compiled regex, re.error on a bad one), then rebuild. A new filter (pattern,
        visible_only, hide_runtime) drops the pinned lanes unless `pinned` is given too."""
        unknown = set(changes) - set(self.LANE_SETTINGS)
        if unknown:
            raise TypeError(f"not a lane setting: {sorted(unknown)}")
        if isinstance(changes.get("pattern"), str):
            changes["pattern"] = re.compile(changes["pattern"], re.I) if changes["pattern"] else None
        if changes.get("sort_key", "id") not in SORTS:
            raise ValueError(f"sort by one of {SORTS}")
        if "pinned" not in changes and {"pattern", "visible_only", "hide_runtime"} & set(changes):
            changes["pinned"] = frozenset()
        for k, v in changes.items():
            setattr(self, k, v)
        self.rebuild()

    def rebuild(self) -> None:
        """Recompute the goroutine order and the row arrays from sort, filter and visibility."""
        gs = self.active
        if self.pattern is not None:
            pat = self.pattern
            gs = np.array([g for g in gs.tolist() if pat.search(self.label_of(g))], np.int64)
        if self.visible_only is not None:
            gs = gs[np.isin(gs, self.visible_only)]
        if self.hide_runtime:
            gs = gs[~self.is_runtime[gs]]
        if self.pinned:
            gs = np.union1d(gs, np.intersect1d(self.active, np.fromiter(self.pinned, np.int64)))
        if self.sort_key != "id":
            key = {"start": self.start, "exec": -self.exec, "blocked": -self.blocked}[self.sort_key]
            gs = gs[np.argsort(key[gs], kind="stable")]
        else:
            gs = gs[np.argsort(self.ids[gs], kind="stable")]
        self.order = gs
        per = 1 + self.region_rows[gs]
        n = int(per.sum())
        kind = np.full(n, REGION, np.uint8)
        ident = np.repeat(gs, per)
        starts = (np.cumsum(per) - per).astype(np.int64)
        kind[starts] = GOROUTINE
        depth = np.arange(n) - np.repeat(starts, per) - 1
        # the resource lanes first: every P, then every thread when they are shown
        res_kind = [np.full(len(self.model.procs), PROC, np.uint8)]
        res_ident = [np.argsort(self.trace.proc_ids[:len(self.model.procs)], kind="stable")]
        if self.show_threads:
            res_kind.append(np.full(len(self.model.threads), THREAD, np.uint8))
            res_ident.append(np.argsort(self.trace.thread_ids[:len(self.model.threads)], kind="stable"))
        nres = sum(len(k) for k in res_kind)
        self.kind = np.concatenate([*res_kind, kind])
        self.ident = np.concatenate([*res_ident, ident]).astype(np.int64)
        self.depth = np.concatenate([np.full(nres, -1), depth]).astype(np.int64)
        self.nresources = nres
        self._row_of = dict(zip(gs.tolist(), (starts + nres).tolist()))

    def __len__(self) -> int:
        return len(self.kind)

    def row_of(self, g: int) -> int | None:
        """The row of goroutine g's lane (None if filtered out)."""
        return self._row_of.get(g)

    def row_of_lane(self, kind: int, ident: int) -> int | None:
        """The row of a goroutine (GOROUTINE), P (PROC) or thread (THREAD) lane."""
        if kind == GOROUTINE:
            return self.row_of(ident)
        hit = np.flatnonzero((self.kind[:self.nresources] == kind) & (self.ident[:self.nresources] == ident))
        return int(hit[0]) if len(hit) else None

    def set_filter(self, text: str) -> None:
        """Filter lanes by a regex over 'G<id> <function>' (re.error on a bad pattern)."""
        self.configure(pattern=text)

    def tasks_begun_by(self, g: int) -> np.ndarray:
        """The tasks (summary.tasks indices) whose TaskBegin goroutine g made, ascending."""
        if self._task_owner is None:
            b = self.model.summary.tasks["start_row"]
            owner = np.where(b >= 0, self.trace.g[np.maximum(b, 0)], -1) if len(b) else np.zeros(0, np.int64)
            order = np.argsort(owner, kind="stable")
            self._task_owner = (owner[order], order)
        owner, order = self._task_owner
        lo, hi = np.searchsorted(owner, [g, g + 1])
        return order[lo:hi]

    def active_in(self, t0: int, t1: int) -> np.ndarray:
        """Goroutines that are not waiting at some point of [t0, t1)."""
        L = self.model.lanes
        tr = self.trace
        ok = L.state != WAITING
        start = tr.time[L.begin_row]
        end_row = L.end_row
        end = np.where(end_row >= 0, tr.time[np.maximum(end_row, 0)], self.t_last)
        hit = ok & (start < t1) & (end > t0)
        owner = np.repeat(np.arange(len(L)), np.diff(L.offsets))
        return np.unique(owner[hit])

    # -- labels and cells ----------------------------------------------------------
    def label(self, row: int) -> str:
        i, kind = int(self.ident[row]), self.kind[row]
        if kind == GOROUTINE:
            return self.label_of(i)
        if kind == PROC:
            return f"P{int(self.trace.proc_ids[i])}"
        if kind == THREAD:
            return f"M{int(self.trace.thread_ids[i])}"
        return "  " + "·" * int(self.depth[row]) + "└ regions"

    def _keep(self, key, lane: tuple):
        """Cache a lane's intervals; past CACHE_SPANS spans in all, forget the lanes kept so far
        (scrolling through every goroutine of a big trace must not keep them all)."""
        n = len(lane[0])
        with self._lock:
            got = self._lane_cache.get(key)
            if got is not None:  # the other thread built it meanwhile: keep one (counted once)
                return got
            if self._cached_spans + n > CACHE_SPANS:
                for k in [k for k in self._lane_cache if isinstance(k, tuple)]:
                    self._lane_cache.pop(k, None)
                self._cached_spans = 0
            self._cached_spans += n
            self._lane_cache[key] = lane
        return lane

    def goroutine_intervals(self, g: int) -> tuple[Intervals, Intervals]:
        """(state spans, GC assists) of goroutine g.

        Read straight from the lanes' CSR columns (one gather per column, no second
        pass for the reasons): a runtime goroutine can have ten million spans."""
        key = ("g", g)
        iv = self._lane_cache.get(key)
        if iv is None:
            L, tr = self.model.lanes, self.trace
            lo, hi = L.offsets[g], L.offsets[g + 1]
            start = tr.time[L.begin_row[lo:hi]]
            # a span ends where the next begins (no second gather), the last one at the last
            # event (still open), except where end_exceptions says otherwise (row -1: open)
            end = np.empty_like(start)
            end[:-1] = start[1:]
            end[-1:] = tr.time[-1]
            xs, xr = L.end_exceptions
            x0, x1 = np.searchsorted(xs, [lo, hi])
            end[xs[x0:x1] - lo] = tr.time[xr[x0:x1]]
            with self._lock:
                cat = self._big_cats.pop(g, None)
            cat = self._span_categories(g) if cat is None else cat
            iv = self._keep(key, (Intervals(start, end, cat, NCAT_G, ordered=True), self._assists(g)))
        return iv

    def goroutine_columns(self, g: int, bounds: np.ndarray):
        """(time per category per column, category at each column's first and last instant,
        GC assists) of goroutine g. A lane of more than LAZY_SPANS spans whose intervals are
        not built yet (the timeline has the background thread build them) is read straight
        from its spans in view, so its first frame needs no per-span arrays."""
        if self.ready((GOROUTINE, g, -1)):
            spans, assists = self.goroutine_intervals(g)
            return *spans.columns(bounds), assists
        cat = self._big_cats.get(g)
        if cat is None:
            cat = self._span_categories(g)
            with self._lock:
                self._big_cats[g] = cat
        L = self.model.lanes
        times, left, right = self._span_columns(L.offsets[g], L.offsets[g + 1], None, cat, bounds, NCAT_G)
        return times, left, right, self._assists(g)

    def _span_columns(self, lo: int, hi: int, spans, cat: np.ndarray, bounds: np.ndarray, ncat: int):
        L = self.model.lanes
        xs, xr = L.end_exceptions
        return span_columns(self.trace.time, L.begin_row, L.end_flags, xs, xr, lo, hi, spans, cat, bounds, ncat)

    def _span_categories(self, g: int) -> np.ndarray:
        """The colour category of each span of goroutine g (state, or block reason family)."""
        L, tr = self.model.lanes, self.trace
        lo, hi = L.offsets[g], L.offsets[g + 1]
        b, state = L.begin_row[lo:hi], L.state[lo:hi]
        waiting = np.flatnonzero(state == WAITING)
        wb = b[waiting]
        return P.span_categories(state, waiting, self._reason_categories(
            np.where(tr.type[wb] == S.EvGoBlock, tr.aux[wb], 0)))

    def _assists(self, g: int) -> Intervals:
        a = self.model.gc.assists
        mine = a["goroutine"] == g
        return Intervals(a["start"][mine], a["end"][mine], np.full(int(mine.sum()), P.ASSIST), NCAT_G)

    def _reason_categories(self, reasons: np.ndarray) -> np.ndarray:
        """The colour category of each block reason (string index), classifying the strings
        not seen before (a few: the runtime's block reasons)."""
        new = np.unique(reasons[self._by_reason[reasons] == P.UNCLASSIFIED])
        self._by_reason[new] = P.reason_categories(self.trace.strings, new)
        return self._by_reason[reasons]

    def region_intervals(self, g: int, depth: int) -> tuple[Intervals, np.ndarray]:
        """(intervals, region indices) of goroutine g's regions at a nesting depth."""
        key = ("r", g, depth)
        got = self._lane_cache.get(key)
        if got is None:
            k = g * 1024 + depth
            lo, hi = np.searchsorted(self._rkey, [k, k + 1])
            idx = self.region_idx[lo:hi]
            r = self.model.summary.regions
            cat = P.REGION0 + r["name"][idx] % len(P.REGION_COLORS)
            got = self._keep(key, (Intervals(r["start"][idx], r["end"][idx], cat, P.REGION0 + 6), idx))
        return got

    def resources(self, kind: int):
        """The model's P lanes (PROC) or thread lanes (THREAD)."""
        return self.model.procs if kind == PROC else self.model.threads

    def resource_intervals(self, kind: int, i: int) -> tuple[Intervals, np.ndarray]:
        """(intervals, the goroutine span of each) of P or thread i: on a P, GC workers (a
        "GC ..." label) apart from other goroutines; on a thread, running apart from
        syscalls. `model.lanes.goroutine_of(spans)` names their goroutines."""
        got = self._lane_cache.get((kind, i))
        if got is None:
            with self._lock:  # built once for every lane of the kind, by whichever thread asks first
                got = self._lane_cache.get((kind, i)) or self._resource_lanes(kind)[i]
        return got

    def _resource_lanes(self, kind: int) -> list[tuple[Intervals, np.ndarray]]:
        """Build every P (or thread) lane at once: they are on screen together, and one
        gather per column over all their spans costs less than a search per lane."""
        lanes = self.resources(kind)
        L, tr = self.model.lanes, self.trace
        idx = lanes.span_index
        start = tr.time[L.begin_row[idx]]
        end = tr.time[L.end_rows(idx)]  # a span still open (-1) ends at the last event: time[-1]
        cat = self._resource_categories(kind)
        off = lanes.offsets
        return [self._keep((kind, j), (Intervals(start[a:b], end[a:b], cat[a:b], NCAT_G + P.GC_MARK), idx[a:b]))
                for j, (a, b) in enumerate(zip(off[:-1], off[1:]))]

    def _resource_categories(self, kind: int) -> np.ndarray:
        """The colour category of every span of every P (or thread) lane, in span_index order."""
        cat = self._resource_cats.get(kind)
        if cat is None:
            lanes = self.resources(kind)
            cat = np.full(len(lanes.span_index), P.RUN, np.uint8)
            if kind == PROC:
                cat[self._gc_workers(lanes.gc_label)] = P.GC_MARK
            else:
                cat[self.model.lanes.state[lanes.span_index] == SYSCALL] = P.SYSCALL_C
            self._resource_cats[kind] = cat
        return cat

    def resource_columns(self, kind: int, i: int, bounds: np.ndarray):
        """(time per category per column, category at each column's first and last instant)
        of P or thread i: from its intervals once built, else read straight from its spans
        in view (the first frame of a big trace does not wait for every P's intervals)."""
        if self.ready((kind, i, -1)):
            return self.resource_intervals(kind, i)[0].columns(bounds)
        lanes = self.resources(kind)
        a, b = lanes.offsets[i], lanes.offsets[i + 1]
        return self._span_columns(0, 0, lanes.span_index[a:b], self._resource_categories(kind)[a:b], bounds,
                                  NCAT_G + P.GC_MARK)

    def resource_spans_in(self, kind: int, i: int, t0: int, t1: int, limit: int | None = None) -> np.ndarray | None:
        """The spans on P or thread i that overlap [t0, t1), in time order, as positions in
        the lanes' `span_index` (a binary search over the lane's start times: no per-span
        arrays); None if more than `limit` spans start in the window."""
        lanes = self.resources(kind)
        L, time = self.model.lanes, self.trace.time
        a, b = int(lanes.offsets[i]), int(lanes.offsets[i + 1])
        spans, begin = lanes.span_index, L.begin_row
        start_of = lambda j: time[begin[spans[j]]]  # noqa: E731
        lo = max(bisect.bisect_right(range(a, b), t0, key=start_of) - 1, 0)
        hi = bisect.bisect_left(range(a, b), t1, key=start_of)
        if limit is not None and hi - lo > limit:
            return None
        pos = np.arange(a + lo, a + hi)
        return pos[L.ends(spans[pos]) > t0]

    def _proc_assists(self, p: int) -> Intervals:
        """The GC mark assists done on P p, drawn over its lane like a goroutine's."""
        got = self._assists_on.get(p)
        if got is None:
            start, end = self.model.procs.assists(p)
            got = self._assists_on[p] = Intervals(start, end, np.full(len(start), P.ASSIST), NCAT_G + P.GC_MARK,
                                                  ordered=True)
        return got

    def _gc_workers(self, label: np.ndarray) -> np.ndarray:
        """Per P span, from its GoLabel string index: is it a GC worker's ("GC (dedicated)", ...)."""
        strings = self.trace.strings
        is_gc = np.zeros(max(len(strings), 1), bool)
        is_gc[[k for k in np.unique(label[label != 0]).tolist() if strings[k].startswith("GC")]] = True
        return is_gc[label]

    def fixed_intervals(self, name: str) -> Intervals:
        iv = self._lane_cache.get(name)
        if iv is None:
            gc = self.model.gc
            if name == GC:
                c = gc.cycles
                iv = Intervals(c["start"], c["end"], np.full(len(c["start"]), P.GC_MARK), P.STW_OTHER + 1)
            else:
                s = gc.stw
                cats = np.array([P.stw_category(self.trace.strings[int(k)]) for k in s["kind"]], np.uint8)
                iv = Intervals(s["start"], s["end"], cats, P.STW_OTHER + 1)
            with self._lock:
                self._lane_cache[name] = iv
        return iv

    def fixed_cells(self, name: str, bounds: np.ndarray):
        """A fixed lane's cells; columns wholly outside the trace are blank."""
        chars, fg, bg = self._fixed_cells(name, bounds)
        outside = (bounds[1:] <= self.t_first) | (bounds[:-1] > self.t_last)
        chars[outside], fg[outside], bg[outside] = 32, P.GAP, P.GAP
        return chars, fg, bg

    def _fixed_cells(self, name: str, bounds: np.ndarray):
        if name == RUNNABLE_GS:
            counts = self.model.counts
            peak = counts.peaks(int(bounds[0]), int(bounds[-1]), len(bounds) - 1)["runnable"]
            return spark_cells(peak, float(counts.max()["runnable"]), P.RUNNABLE_C)
        if name == HEAP:
            t, v = self.model.gc.heap_alloc
            gt, gv = self.model.gc.heap_goal
            alloc = column_max(t, v, bounds)
            high = None
            if len(gt):
                goal = column_max(gt, gv, bounds)
                high = (goal > 0) & (alloc >= goal * 0.95)
            return spark_cells(alloc, float(v.max()) if len(v) else 0.0, P.HEAP, P.HEAP_HIGH, high)
        return lane_cells(self.fixed_intervals(name), bounds)

    def lane_key(self, row: int) -> tuple[int, int, int]:
        """(kind, ident, depth): what a row draws, independent of its position."""
        return int(self.kind[row]), int(self.ident[row]), int(self.depth[row])

    def ready(self, key: tuple[int, int, int]) -> bool:
        """Is this lane's index built, or small enough to build while drawing? If not, it is
        drawn from its spans in view and `prepare` should build it off the UI thread (a
        lane of millions of spans takes a few tenths of a second)."""
        kind, i, _depth = key
        if kind == GOROUTINE:
            return ("g", i) in self._lane_cache or self.model.lanes.count(i) <= LAZY_SPANS
        if kind in (PROC, THREAD):
            # built all at once
            return (kind, i) in self._lane_cache or len(self.resources(kind).span_index) <= LAZY_SPANS
        return True

    def prepare(self, key: tuple[int, int, int]) -> None:
        """Build a lane's intervals (safe off the UI thread: it only adds to a cache)."""
        kind, i, _depth = key
        if kind == GOROUTINE:
            self.goroutine_intervals(i)
        elif kind in (PROC, THREAD):
            self.resource_intervals(kind, i)

    def cells(self, row: int, bounds: np.ndarray):
        g = int(self.ident[row])
        if self.kind[row] == GOROUTINE:
            times, left, right, assists = self.goroutine_columns(g, bounds)
            chars, fg, bg = column_cells(times, left, right, bounds, assists, P.RUN)
            logs, samples = self.markers(g, bounds)
            for cols, mark in ((samples, SAMPLE_MARK), (logs, LOG_MARK)):
                chars[cols] = ord(mark)
                fg[cols] = P.TEXT
            return chars, fg, bg
        if self.kind[row] in (PROC, THREAD):
            kind = int(self.kind[row])
            chars, fg, bg = column_cells(*self.resource_columns(kind, g, bounds), bounds,
                                         self._proc_assists(g) if kind == PROC else None, P.RUN)
            t0, t1 = int(bounds[0]), int(bounds[-1])
            pos = self.resource_spans_in(kind, g, t0, t1, limit=2 * len(chars))
            if pos is not None:
                L = self.model.lanes
                spans = self.resources(kind).span_index[pos]
                names = [f"G{i}" for i in self.ids[L.goroutine_of(spans)].tolist()]
                self._write_names(self.trace.time[L.begin_row[spans]], L.ends(spans), self._resource_categories(kind)[pos],
                                  names, bounds, chars, fg, bg, whole=True)
            return chars, fg, bg
        iv, idx = self.region_intervals(g, int(self.depth[row]))
        chars, fg, bg = lane_cells(iv, bounds)
        vis = iv.visible(int(bounds[0]), int(bounds[-1]))
        if len(vis) <= 2 * len(chars):
            names = self.model.summary.regions["name"][idx[vis]]
            self._write_names(iv.start[vis], iv.end[vis], iv.cat[vis], [self.trace.strings[n] for n in names.tolist()],
                              bounds, chars, fg, bg)
        return chars, fg, bg

    def _write_names(self, start, end, cat, names: list[str], bounds, chars, fg, bg, whole: bool = False) -> None:
        """Write names[k] inside interval k (start[k], end[k], drawn in colour cat[k]) where it
        has room (whole cells only; `whole`: only names that fit entirely, for ids that a
        cut would change)."""
        t0, t1 = int(bounds[0]), int(bounds[-1])
        per = (t1 - t0) / (len(bounds) - 1)
        for k, text in enumerate(names):
            a = max(int(np.ceil((start[k] - t0) / per)), 0)
            b = min(int((end[k] - t0) // per), len(chars))
            if not text or b - a < (len(text) + 1 if whole else 3):
                continue
            text = text[: b - a]
            chars[a:a + len(text)] = [ord(c) for c in text]
            fg[a:a + len(text)] = P.TEXT
            bg[a:a + len(text)] = cat[k]
