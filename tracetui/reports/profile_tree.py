"""A profile as function stacks, aggregated the way `go tool pprof` reads it: the flat/cum
table of `-top` and the call tree a flame graph draws. The one home of this arithmetic:
`tracetui pprof --top`, `--format folded` and the TUI's profile screen all read it.

A `Stacks` is a profile at pprof's default granularity (functions): one row per distinct
stack of function names (string indices into `names`, innermost first) with its values
(`values[:, j]` for sample type j, pprof's default being the last). Build one with
`function_stacks(trace, records, sample_types)` from records of tracetui.reports.pprof.

- `top(stacks, j)`: per function, flat (the value of stacks where it is the leaf) and cum (of
  stacks it appears in, once per stack even when recursive), in pprof's order (flat
  descending, then name, then cum descending).
- `tree(stacks)`: the call tree from the roots (outermost frames) down: per node its parent,
  function, depth, and cum/flat per sample type; children of a node are contiguous and
  ordered by name; `leaf[i]` is the node of stack i.
- `folded(stacks, j)`: collapsed stacks ("outer;...;inner value") for flamegraph.pl / speedscope.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_STACK = 128  # Go's pprofMaxStack: profiles keep a stack's innermost 128 frames


@dataclass
class Stacks:
    names: list[str]                       # function names (the trace's string table)
    stacks: list[tuple[int, ...]]          # per row: function name indices, innermost first
    values: np.ndarray                     # (rows, sample types) int64
    sample_types: list[tuple[str, str]]    # (type, unit), e.g. ("delay", "nanoseconds")
    trace_stack: np.ndarray                # per row: the trace stack index it came from

    def total(self, j: int = -1) -> int:
        return int(self.values[:, j].sum()) if len(self.values) else 0

    def rows_of(self, trace, stack) -> np.ndarray:
        """The row of each trace stack index (-1: a stack of functions not in the profile)."""
        index = {funcs: i for i, funcs in enumerate(self.stacks)}
        uniq, inv = _unique(np.asarray(stack, np.int64))
        rows = np.array([index.get(_funcs(trace, s), -1) for s in uniq.tolist()], np.int64)
        return rows[inv] if len(uniq) else np.zeros(0, np.int64)


def _unique(stack: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(stack, return_inverse=True) for trace stack indices (small non-negative
    integers: a table of them, not a sort of millions of items)."""
    if not len(stack) or stack.min() < 0 or stack.max() >= max(4 * len(stack), 1 << 20):
        uniq, inv = np.unique(stack, return_inverse=True)
        return uniq, inv.ravel()
    present = np.zeros(int(stack.max()) + 1, bool)
    present[stack] = True
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present), rank[stack]


def _funcs(trace, stack: int) -> tuple[int, ...]:
    return tuple(trace.frame_func[trace.stack_frame_ids(stack)[:MAX_STACK]].tolist())


def function_stacks(trace, stack: np.ndarray, values: np.ndarray, sample_types) -> Stacks:
    """Stacks of function names for trace stack indices `stack` with `values` (rows, types);
    rows whose function stacks are equal are merged."""
    stack = np.asarray(stack, np.int64)
    values = np.asarray(values, np.int64).reshape(len(stack), len(sample_types))
    uniq, inv = _unique(stack)
    rows: dict[tuple[int, ...], int] = {}
    row_of = np.array([rows.setdefault(_funcs(trace, s), len(rows)) for s in uniq.tolist()],
                      np.int64)[inv] if len(uniq) else np.zeros(0, np.int64)
    merged = np.zeros((len(rows), len(sample_types)), np.int64)
    np.add.at(merged, row_of, values)
    first = np.full(len(rows), -1, np.int64)
    first[row_of[::-1]] = stack[::-1]
    return Stacks(trace.strings, list(rows), merged, list(sample_types), first)


def top(stacks: Stacks, j: int = -1) -> list[dict]:
    """pprof -top's rows: function, flat, cum (for sample type j), in pprof's order."""
    flat: dict[int, int] = {}
    cum: dict[int, int] = {}
    col = stacks.values[:, j].tolist() if len(stacks.values) else []
    for funcs, v in zip(stacks.stacks, col):
        if not v:
            continue
        if funcs:
            flat[funcs[0]] = flat.get(funcs[0], 0) + v
        for f in set(funcs):
            cum[f] = cum.get(f, 0) + v
    names = stacks.names
    rows = [dict(function=names[f], flat=flat.get(f, 0), cum=c) for f, c in cum.items()]
    rows.sort(key=lambda r: (-abs(r["flat"]), r["function"].encode("utf-8", "surrogateescape"), -abs(r["cum"])))
    return rows


@dataclass
class Tree:
    """A call tree; node 0 is the root (all samples, function -1)."""
    names: list[str]
    parent: np.ndarray      # int64, -1 for the root
    func: np.ndarray        # int64 name index, -1 for the root
    depth: np.ndarray       # int64, 0 for the root
    cum: np.ndarray         # (nodes, sample types) int64: this node and below
    flat: np.ndarray        # (nodes, sample types) int64: stacks ending here
    first_child: np.ndarray  # int64: children of node n are first_child[n]:first_child[n] + n_children[n]
    n_children: np.ndarray
    leaf: np.ndarray         # per stack row: its node

    def label(self, node: int) -> str:
        return "root" if node == 0 else self.names[int(self.func[node])]

    def children(self, node: int) -> range:
        a = int(self.first_child[node])
        return range(a, a + int(self.n_children[node]))

    def path(self, node: int) -> list[int]:
        """The nodes from the root's child down to `node`."""
        out = []
        while node > 0:
            out.append(node)
            node = int(self.parent[node])
        return out[::-1]


def tree(stacks: Stacks) -> Tree:
    """The call tree of `stacks`, nodes in breadth-first order with siblings sorted by name."""
    k = len(stacks.sample_types)
    key: dict[tuple[int, int], int] = {}   # (parent, func) -> provisional id
    parent, func = [-1], [-1]
    leaf = []
    for funcs in stacks.stacks:
        node = 0
        for f in reversed(funcs):
            nxt = key.get((node, f))
            if nxt is None:
                nxt = key[(node, f)] = len(parent)
                parent.append(node)
                func.append(f)
            node = nxt
        leaf.append(node)
    parent_a, func_a = np.array(parent, np.int64), np.array(func, np.int64)
    n = len(parent)
    depth = np.zeros(n, np.int64)
    for i in range(1, n):  # parents come before children
        depth[i] = depth[parent[i]] + 1
    names = stacks.names
    # Breadth-first, siblings by name: sort by (depth, parent's new position, name).
    name_rank = {f: r for r, f in enumerate(sorted(set(func[1:]), key=lambda f: names[f]))}
    rank = np.array([-1] + [name_rank[f] for f in func[1:]], np.int64)
    new_of = np.zeros(n, np.int64)
    order = [0]
    for d in range(1, int(depth.max(initial=0)) + 1):
        at = np.flatnonzero(depth == d)
        at = at[np.lexsort((rank[at], new_of[parent_a[at]]))]
        new_of[at] = np.arange(len(order), len(order) + len(at))
        order.extend(at.tolist())
    order_a = np.array(order, np.int64)
    parent_n = np.where(parent_a[order_a] >= 0, new_of[np.maximum(parent_a[order_a], 0)], -1)
    leaf_n = new_of[np.array(leaf, np.int64)] if leaf else np.zeros(0, np.int64)
    flat = np.zeros((n, k), np.int64)
    np.add.at(flat, leaf_n, stacks.values)
    cum = flat.copy()
    for i in range(n - 1, 0, -1):  # children after parents: accumulate upwards
        cum[parent_n[i]] += cum[i]
    n_children = np.bincount(parent_n[1:], minlength=n).astype(np.int64)
    first_child = np.zeros(n, np.int64)
    if n > 1:
        kids = parent_n[1:]
        starts = np.flatnonzero(np.r_[True, kids[1:] != kids[:-1]])
        first_child[kids[starts]] = starts + 1
    return Tree(names, parent_n, func_a[order_a], depth[order_a], cum, flat, first_child, n_children, leaf_n)


def folded(stacks: Stacks, j: int = -1) -> list[str]:
    """Collapsed stacks, outermost first, one line per distinct stack with a non-zero value."""
    names = stacks.names
    lines = {}
    col = stacks.values[:, j].tolist() if len(stacks.values) else []
    for funcs, v in zip(stacks.stacks, col):
        if v:
            text = ";".join(names[f].replace(";", ":") for f in reversed(funcs)) or "<no stack>"
            lines[text] = lines.get(text, 0) + v
    return [f"{text} {v}" for text, v in sorted(lines.items())]


def top_table(stacks: Stacks, n: int = 0, j: int = -1, title: str = ""):
    """The -top table (tracetui.reports.output.Table) of the first `n` functions (0: all): flat,
    flat%, sum%, cum, cum% of sample type j, as pprof prints them, and the other type's flat/cum."""
    from tracetui.reports.output import Column, Table

    rows = top(stacks, j)
    total = stacks.total(j)
    j = j % len(stacks.sample_types)
    other = 1 - j if len(stacks.sample_types) == 2 else None
    by_func: dict[str, list[int]] = {}
    if other is not None:
        alt = top(stacks, other)
        by_func = {r["function"]: [r["flat"], r["cum"]] for r in alt}
    shown = rows[:n] if n else rows
    ns = stacks.sample_types[j][1] == "nanoseconds"
    unit = "_ns" if ns else ""
    out, running = [], 0
    for r in shown:
        running += r["flat"]
        row = {f"flat{unit}": r["flat"], "flat_pct": r["flat"] / total if total else 0.0,
               "sum_pct": running / total if total else 0.0, f"cum{unit}": r["cum"],
               "cum_pct": r["cum"] / total if total else 0.0, "function": r["function"]}
        if other is not None:
            row["flat_count"], row["cum_count"] = by_func.get(r["function"], [0, 0])
        out.append(row)
    kind = "ns" if ns else "int"
    name = stacks.sample_types[j][0]
    cols = [Column(f"flat{unit}", "flat", kind), Column("flat_pct", "flat%", "pct"), Column("sum_pct", "sum%", "pct", 2),
            Column(f"cum{unit}", "cum", kind), Column("cum_pct", "cum%", "pct")]
    if other is not None:
        alt_name = stacks.sample_types[other][0]
        cols += [Column("flat_count", f"flat {alt_name}", "int", 4), Column("cum_count", f"cum {alt_name}", "int", 3)]
    cols.append(Column("function", "function"))
    shown_total = sum(r["flat"] for r in shown)
    def fmt(v):
        return (_human(v, ns))
    head = (f"{title}, " if title else "") + (
        f"{name}: {fmt(total)} total; showing {len(shown)} of {len(rows)} functions, "
        f"{fmt(shown_total)} ({100 * shown_total / total if total else 0:.2f}%) flat")
    return Table("top", cols, out, title=head, empty=f"(no samples: {name} total is 0)")


def _human(v: int, ns: bool) -> str:
    from tracetui.reports.output import human_ns

    return human_ns(v) if ns else f"{v:,}"


def starts(t: Tree, j: int = -1) -> np.ndarray:
    """Where each node begins in value units of sample type j, as a flame graph lays them out:
    the root at 0, children left to right (by name) inside their parent."""
    c = t.cum[:, j]
    out = np.zeros(len(c), np.int64)
    for node in range(len(c)):  # parents come before children, siblings are contiguous
        a, k = int(t.first_child[node]), int(t.n_children[node])
        if k:
            out[a:a + k] = out[node] + np.cumsum(c[a:a + k]) - c[a:a + k]
    return out


def subtree(t: Tree, node: int) -> np.ndarray:
    """A mask of `node` and every node below it."""
    mask = np.zeros(len(t.parent), bool)
    mask[node] = True
    for i in range(node + 1, len(t.parent)):  # breadth-first: a parent comes before its children
        mask[i] = mask[t.parent[i]]
    return mask
