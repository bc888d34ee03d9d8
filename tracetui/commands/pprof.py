"""`tracetui pprof`: the pprof-like profiles of `go tool trace -pprof=KIND`."""
from __future__ import annotations

import argparse
import sys

from tracetui.commands.common import add_trace_argument, default_output, load_model, output_file


class PprofCommand:
    """Write a pprof profile of where goroutines waited.

    The four profiles `go tool trace -pprof=KIND` computes, with the same
    numbers, as gzip-compressed profile.proto for `go tool pprof`:

      sync     blocked on channels, mutexes, select, sync.Cond, WaitGroup
      net      blocked on the network
      syscall  in system calls
      sched    runnable but waiting for a proc (scheduler latency)

    Each sample is a stack with contentions (count) and delay (nanoseconds).
    Without -o the profile goes to TRACE.KIND.pb.gz; `-o -` writes it to stdout.

    --goroutine NAME counts only goroutines started at function NAME;
    --region NAME only the time inside user regions NAME (the outermost ones),
    as the profile links of `go tool trace`'s web UI filter them.

    examples:
      tracetui pprof trace.out --kind sync && go tool pprof -top trace.out.sync.pb.gz
      tracetui pprof trace.out --kind sched -o sched.pb.gz && go tool pprof -http=:8080 sched.pb.gz
      tracetui pprof trace.out.gz --kind syscall -o - > syscall.pb.gz
      tracetui pprof trace.out --kind sync --region handleRequest -o handle.pb.gz
      tracetui pprof 'http://localhost:6060/debug/pprof/trace?seconds=5' --kind net -o net.pb.gz
    """

    name = "pprof"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        from tracetui.reports.pprof import KINDS

        add_trace_argument(p)
        p.add_argument("--kind", choices=KINDS, default="sync", help="which profile (default: sync)")
        only = p.add_mutually_exclusive_group()
        only.add_argument("--goroutine", metavar="NAME", help="only goroutines whose start function is NAME")
        only.add_argument("--region", metavar="NAME", help="only time inside user regions named NAME")
        p.add_argument("-o", "--output", metavar="FILE", help="output file ('-' for stdout; default TRACE.KIND.pb.gz)")

    def run(self, args) -> int:
        from tracetui.reports.pprof import pprof_profile

        model = load_model(args.trace, save=args.save)  # a truncated trace is salvaged, as go tool trace -pprof does
        for what, name in (("goroutine", args.goroutine), ("region", args.region)):
            if name is not None and name not in model.trace.strings:
                print(f"tracetui: no {what} named {name!r} in the trace", file=sys.stderr)
                return 1
        data = pprof_profile(model, args.kind, goroutine=args.goroutine, region=args.region)
        out = args.output or default_output(args.trace, f"{args.kind}.pb.gz")
        with output_file(out) as f:
            f.write(data)
        if out != "-":
            print(f"tracetui: wrote the {args.kind} profile to {out}", file=sys.stderr)
        return 0
