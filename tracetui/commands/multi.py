"""Many traces as one: the fan-out every report command, `diff` and `check --baseline` share.

- `TracesAction`: the TRACE... positional of the report commands: `args.traces` holds
  every argument, `args.trace` the first (what the single-trace code paths read);
- `expand(args)`: files, directories (every *.trace, *.out, *.trace.gz, *.out.gz in it,
  not recursive, sorted) and globs (expanded here too, for a quoted pattern) as a
  list of paths; '-' and capture URLs pass through;
- `load_facts(paths)`: one `Facts` (tracetui.reports.facts) per file, each built from
  the file's model in a worker process (one per core; the model never leaves its
  worker, only the compact facts do); a single file is read in this process.

A file that cannot be read stops the command with its name and the reason (exit 1);
salvage warnings of truncated files are printed by the workers as for one trace.
"""
from __future__ import annotations

import argparse
import glob
import os
import sys

from tracetui.format import TraceError

TRACE_SUFFIXES = (".trace", ".out", ".trace.gz", ".out.gz")


class TracesAction(argparse.Action):
    """nargs='+': args.traces is the list, args.trace its first element."""

    def __call__(self, parser, namespace, values, option_string=None):
        namespace.traces = list(values)
        namespace.trace = values[0]


def expand(args: list[str]) -> list[str]:
    from tracetui.commands.common import UsageError
    from tracetui.source import is_url

    out = []
    for a in args:
        if a == "-" or is_url(a) or os.path.isfile(a):
            out.append(a)
        elif os.path.isdir(a):
            found = sorted(os.path.join(a, n) for n in os.listdir(a)
                           if n.endswith(TRACE_SUFFIXES) and os.path.isfile(os.path.join(a, n)))
            if not found:
                raise TraceError(f"{a}: no traces in this directory (files ending in {', '.join(TRACE_SUFFIXES)})")
            out += found
        elif glob.has_magic(a):
            found = sorted(p for p in glob.glob(a) if os.path.isfile(p))
            if not found:
                raise TraceError(f"{a}: no file matches this pattern")
            out += found
        else:
            out.append(a)   # the loader says what is wrong with it
    if out.count("-") > 1:
        raise UsageError("'-' (stdin) can be given once")
    return out


def is_many(args) -> bool:
    """Whether a report command must take the multi-trace path: several traces (after
    expanding directories and globs) or --by trace."""
    from tracetui.source import is_url

    traces = getattr(args, "traces", [args.trace])
    return getattr(args, "by", None) == "trace" or len(traces) > 1 or any(
        os.path.isdir(t) or (glob.has_magic(t) and not os.path.exists(t) and not is_url(t)) for t in traces)


def _facts_worker(path: str, strict: bool, windows: tuple[int, ...], with_stats: bool = False):
    """In a worker: the facts of one file, or the error message (exceptions do not all pickle)."""
    from tracetui.commands.common import load_model
    from tracetui.reports.facts import facts_of
    from tracetui.reports.gc import MMU_WINDOWS_NS

    try:
        return facts_of(load_model(path, strict), path, (*MMU_WINDOWS_NS, *windows), with_stats), None
    except TraceError as e:
        return None, str(e)
    except OSError as e:
        return None, e.strerror or str(e)


def _export_worker(path: str, name: str, out_dir: str, strict: bool):
    """In a worker: one trace's Parquet tables, or the error message."""
    from tracetui.commands.common import load_model
    from tracetui.exports.parquet import write_parquet

    try:
        return write_parquet(load_model(path, strict), name, out_dir), None
    except TraceError as e:
        return None, str(e)
    except OSError as e:
        return None, e.strerror or str(e)


def export_names(paths: list[str]) -> list[str]:
    """The part name of each trace in an export directory: its file name, made unique."""
    names, seen = [], {}
    for p in paths:
        base = "stdin" if p == "-" else os.path.basename(p.rstrip("/").split("?")[0]) or "trace"
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}.{seen[base]}")
    return names


def export_parquet(paths: list[str], out_dir: str, strict: bool = False) -> dict[str, int]:
    """Every trace's tables into OUT/<table>/<name>.parquet, files in parallel; rows per table."""
    names = export_names(paths)
    results = _map(_export_worker, paths, names, [out_dir] * len(paths), [strict] * len(paths))
    total: dict[str, int] = {}
    for path, (rows, err) in zip(paths, results):
        if err is not None:
            raise TraceError(f"{path}: {err}")
        for k, v in rows.items():
            total[k] = total.get(k, 0) + v
    return total


def _map(fn, *columns):
    """fn over the rows of `columns`, in worker processes when there are several."""
    n = len(columns[0])
    if n <= 1 or workers(n) == 1:
        return [fn(*row) for row in zip(*columns)]
    from concurrent.futures import ProcessPoolExecutor

    sys.stdout.flush()
    sys.stderr.flush()
    with ProcessPoolExecutor(workers(n), mp_context=_context()) as pool:
        return list(pool.map(fn, *columns))


def _context():
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def workers(n: int) -> int:
    return max(1, min(n, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def load_facts(paths: list[str], strict: bool = False, windows=(), with_stats: bool = False) -> list:
    """The Facts of each path, in order; TraceError naming the first file that failed."""
    windows = tuple(int(w) for w in windows)
    n = len(paths)
    results = _map(_facts_worker, paths, [strict] * n, [windows] * n, [with_stats] * n)
    for path, (_, err) in zip(paths, results):
        if err is not None:
            raise TraceError(f"{path}: {err}")
    return [f for f, _ in results]


def pooled(args, windows=(), with_stats: bool = False):
    """The traces of a report command's arguments, read and pooled into one Facts."""
    from tracetui.reports.facts import pool

    return pool(load_facts(expand(args.traces), args.strict, windows, with_stats))


def run_check(args, budgets) -> int:
    """`check` over several traces pooled, or against a --baseline."""
    from tracetui.reports.baseline import budget_rows, budgets_table, measure_facts, mmu_windows
    from tracetui.reports.facts import pool
    from tracetui.reports.output import emit

    windows = mmu_windows(budgets)
    new_paths = expand(args.traces)
    base_paths = expand([args.baseline]) if args.baseline else []
    facts = load_facts(base_paths + new_paths, args.strict, windows)
    baseline = measure_facts(pool(facts[:len(base_paths)]), budgets) if base_paths else None
    news = facts[len(base_paths):] if args.by == "trace" else [pool(facts[len(base_paths):])]
    rows = []
    for new in news:   # --by trace: each budget on each file
        part = budget_rows(budgets, measure_facts(new, budgets), baseline)
        rows += [r | {"trace": new.paths[0]} for r in part] if args.by == "trace" else part
    table, broke = budgets_table(rows)
    if args.by == "trace":
        from tracetui.reports.output import Column

        table.columns.insert(1, Column("trace", "trace"))
    emit(table, args.format)
    return 1 if broke else 0


def add_by_trace(p) -> None:
    """--by trace for a report command that has no other grouping option."""
    p.add_argument("--by", choices=("name", "trace"), default="name",
                   help="trace: one row per group and trace file (several traces are pooled otherwise)")


def dispatch(name: str, args) -> int | None:
    """The multi-trace run of a report command when its arguments need one, else None."""
    if not is_many(args):
        return None
    from tracetui.commands.pooled import run

    return run(name, args)
