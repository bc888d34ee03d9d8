"""`tracetui pprof`: the pprof-like profiles of `go tool trace -pprof=KIND`."""
from __future__ import annotations

import argparse
import sys

from tracetui.commands.common import TRACE_HELP, load_model, output_file


def default_output(trace_arg: str, kind: str) -> str:
    """`<trace>.<kind>.pb.gz` next to the trace; in the working directory for stdin or a URL."""
    from tracetui.source import is_url

    if trace_arg == "-" or is_url(trace_arg):
        return f"trace.{kind}.pb.gz"
    return f"{trace_arg}.{kind}.pb.gz"


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

    examples:
      tracetui pprof trace.out --kind sync && go tool pprof -top trace.out.sync.pb.gz
      tracetui pprof trace.out --kind sched -o - | go tool pprof -http=:8080 /dev/stdin
      tracetui pprof 'http://localhost:6060/debug/pprof/trace?seconds=5' --kind net -o net.pb.gz
    """

    name = "pprof"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        from tracetui.reports.pprof import KINDS

        p.add_argument("trace", help=TRACE_HELP)
        p.add_argument("--kind", choices=KINDS, default="sync", help="which profile (default: sync)")
        p.add_argument("-o", "--output", metavar="FILE", help="output file ('-' for stdout; default TRACE.KIND.pb.gz)")

    def run(self, args) -> int:
        from tracetui.reports.pprof import pprof_profile

        # A truncated trace is salvaged, as go tool trace -pprof does.
        data = pprof_profile(load_model(args.trace), args.kind)
        out = args.output or default_output(args.trace, args.kind)
        with output_file(out) as f:
            f.write(data)
        if out != "-":
            print(f"tracetui: wrote the {args.kind} profile to {out}", file=sys.stderr)
        return 0
