"""`tracetui pprof`: the pprof-like profiles of `go tool trace -pprof=KIND` and the trace's
CPU samples, as profile.proto, a -top table or folded stacks."""
from __future__ import annotations

import argparse
import sys

from tracetui.commands.common import (
    UsageError,
    add_trace_argument,
    default_output,
    load_model,
    output_file,
    write_lines,
)


class PprofCommand:
    """Write a pprof profile of where goroutines waited or ran, or print its top table.

    The trace's CPU samples and the four profiles `go tool trace -pprof=KIND`
    computes, with the same numbers, as gzip-compressed profile.proto for
    `go tool pprof`:

      cpu      the CPU profiler's samples in the trace (needs pprof.StartCPUProfile
               while tracing; 100 Hz assumed: each sample counts 10ms)
      sync     blocked on channels, mutexes, select, sync.Cond, WaitGroup
      net      blocked on the network
      syscall  in system calls
      sched    runnable but waiting for a proc (scheduler latency)

    Each sample is a stack with contentions (count) and delay (nanoseconds),
    or for cpu samples (count) and cpu (nanoseconds).
    Without -o the profile goes to TRACE.KIND.pb.gz; `-o -` writes it to stdout.

    --top [N] prints the N functions with the most flat time (all with 0;
    default 30) instead, as `go tool pprof -top` does (flat, flat%, sum%, cum,
    cum%, by function), with no Go toolchain needed: a table on a terminal,
    text when piped, or --format json/csv. --format folded prints collapsed
    stacks ("outer;inner NANOSECONDS") for flamegraph.pl and speedscope.

    --goroutine NAME counts only goroutines started at function NAME;
    --region NAME only the time inside user regions NAME (the outermost ones),
    as the profile links of `go tool trace`'s web UI filter them.

    examples:
      tracetui pprof trace.out --kind sync --top
      tracetui pprof trace.out --kind cpu --top 10 --format json
      tracetui pprof trace.out --kind cpu --format folded | flamegraph.pl > cpu.svg
      tracetui pprof trace.out --kind sync && go tool pprof -top trace.out.sync.pb.gz
      tracetui pprof trace.out --kind sched -o sched.pb.gz && go tool pprof -http=:8080 sched.pb.gz
      tracetui pprof trace.out.gz --kind syscall -o - > syscall.pb.gz
      tracetui pprof trace.out --kind sync --region handleRequest -o handle.pb.gz
      tracetui pprof 'http://localhost:6060/debug/pprof/trace?seconds=5' --kind net -o net.pb.gz
    """

    name = "pprof"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        from tracetui.reports.output import FORMATS
        from tracetui.reports.pprof import PROFILE_KINDS

        add_trace_argument(p)
        p.add_argument("--kind", choices=PROFILE_KINDS, default="sync", help="which profile (default: sync)")
        p.add_argument("--top", nargs="?", type=int, const=30, metavar="N",
                       help="print the top N functions by flat value (default 30; 0: all) instead of a profile")
        p.add_argument("--format", choices=("proto", "folded", *FORMATS), default=None,
                       help="proto (profile.proto, the default), folded (collapsed stacks), or for the "
                            "--top table: table (rich, on a terminal), text (when piped), json, csv")
        only = p.add_mutually_exclusive_group()
        only.add_argument("--goroutine", metavar="NAME", help="only goroutines whose start function is NAME")
        only.add_argument("--region", metavar="NAME", help="only time inside user regions named NAME")
        p.add_argument("-o", "--output", metavar="FILE", help="output file ('-' for stdout; default TRACE.KIND.pb.gz)")

    def run(self, args) -> int:
        from tracetui.reports.output import FORMATS, emit
        from tracetui.reports.pprof import pprof_profile, stacks_of
        from tracetui.reports.profile_tree import folded, top_table

        table = args.top is not None or args.format in FORMATS
        if table and args.format in ("proto", "folded"):
            raise UsageError(f"--top prints a table: --format {args.format} does not apply (table, text, json, csv)")
        if args.top is not None and args.top < 0:
            raise UsageError("--top N must not be negative")
        model = load_model(args.trace, save=args.save)  # a truncated trace is salvaged, as go tool trace -pprof does
        for what, name in (("goroutine", args.goroutine), ("region", args.region)):
            if name is not None and name not in model.trace.strings:
                print(f"tracetui: no {what} named {name!r} in the trace", file=sys.stderr)
                return 1
        scope = dict(goroutine=args.goroutine, region=args.region)
        if table or args.format == "folded":
            stacks = stacks_of(model, args.kind, **scope)
            if args.format == "folded":
                lines = [line + "\n" for line in folded(stacks)]
                if args.output in (None, "-"):
                    write_lines(lines)
                else:
                    with output_file(args.output) as f:
                        f.write("".join(lines).encode("utf-8", "surrogateescape"))
                return 0
            emit(top_table(stacks, args.top or 0, title=f"{args.kind} profile"), args.format)
            return 0
        data = pprof_profile(model, args.kind, goroutine=args.goroutine, region=args.region)
        out = args.output or default_output(args.trace, f"{args.kind}.pb.gz")
        with output_file(out) as f:
            f.write(data)
        if out != "-":
            print(f"tracetui: wrote the {args.kind} profile to {out}", file=sys.stderr)
        return 0
