"""`tracetui waits`: the longest single blocking spans, where they blocked and who woke them."""
from __future__ import annotations

import argparse

from tracetui.commands.common import UsageError, add_report_options, load_model, name_filter


class WaitsCommand:
    """The longest waits: single blocking spans, longest first, with who unblocked them.

    One row per wait (a goroutine blocked on a channel, a mutex, select, the
    network, a sleep, ...): goroutine, start function, reason, start, duration,
    the frame where it blocked, and the goroutine that unblocked it with the frame
    where that one was (none for a timer, the network poller or a wait still open
    at the trace's end). The runtime's own goroutines are left out unless --all.
    --format json carries both full stacks.

    examples:
      tracetui waits trace.out --top 20
      tracetui waits trace.out --reason 'chan receive' --name '^main\\.worker'
      tracetui waits trace.out --region handleRequest --format json | jq '.[0].unblocker_stack'
    """

    name = "waits"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        add_report_options(p)
        p.add_argument("--top", type=int, default=20, metavar="N", help="the N longest (default 20)")
        p.add_argument("--reason", metavar="REASON",
                       help="only this block reason (Go's words, 'chan receive', or 'chan_receive')")
        p.add_argument("--name", metavar="REGEX", help="only goroutines whose start function matches REGEX")
        p.add_argument("--region", metavar="NAME", help="only waits overlapping a region of this type on their goroutine")
        p.add_argument("--all", action="store_true", help="the runtime's own goroutines too (left out by default)")

    def run(self, args) -> int:
        from tracetui.reports.output import Column, Table, emit
        from tracetui.reports.waits import wait_rows

        name_filter(args.name)
        if len(getattr(args, "traces", [args.trace])) > 1:
            raise UsageError("waits reads one trace (several were given)")
        model = load_model(args.trace, args.strict, args.save)
        rows = wait_rows(model, max(args.top, 0), args.reason, args.name, args.region, args.all)
        for r in rows:
            r["woken_by"] = f"G{r['unblocker']} {r['unblocker_name']}" if r["unblocker"] is not None else \
                ("(still waiting)" if r["open"] else "(no goroutine)")
        cols = [Column("goroutine", "goroutine", "int"), Column("name", "start function", drop=3),
                Column("reason", "reason"), Column("start_ns", "start", "ns", 2), Column("end_ns", "end", "json"),
                Column("duration_ns", "duration", "ns"), Column("open", "open", "json"),
                Column("top_frame", "blocked at", drop=4), Column("woken_by", "unblocked by", in_json=False),
                Column("unblocker", "unblocker", "json"), Column("unblocker_name", "unblocker_name", "json"),
                Column("unblocker_frame", "unblocker at", drop=5), Column("stack", "stack", "json"),
                Column("unblocker_stack", "unblocker_stack", "json")]
        emit(Table("waits", cols, rows, empty="no blocking spans match"), args.format)
        return 0
