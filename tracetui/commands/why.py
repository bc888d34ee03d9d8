"""`tracetui why`: why an interval took as long as it did, along its critical path."""
from __future__ import annotations

import argparse

from tracetui.commands.common import UsageError, add_report_options, load_model


def _time(text: str) -> int:
    """A time from the trace's first event: a number and a unit (12.5ms, 1500000ns)."""
    from tracetui.reports.check import parse_duration

    try:
        return parse_duration(text.strip())
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _instance(text: str) -> tuple[int, int]:
    g, sep, at = text.partition("@")
    if not sep or not g.strip().lstrip("gG").isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: expected GOROUTINE@START, e.g. 42@12.5ms")
    return int(g.strip().lstrip("gG")), _time(at)


def _percent(text: str) -> float:
    from tracetui.reports.check import parse_fraction

    try:
        v = parse_fraction(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be more than 0%")
    return v


class WhyCommand:
    """Why an interval took so long: its critical path, every nanosecond attributed.

    Picks an interval (the slowest region of a type, a task, or a stretch of one
    goroutine) and walks backwards from its end. Running time stays on the
    goroutine; scheduler wait (runnable) names the goroutines that held the Ps; a
    wait ended by another goroutine follows that goroutine back to when the wait
    began (recursively); a wait on a timer, the network or the GC stays as that
    reason; syscalls, GC mark assists and stop-the-world are their own states.
    The steps tile the interval exactly. Then a summary by goroutine, state and
    reason. --slowest P% sums the attribution over the slowest P% of a region type.

    Times are from the trace's first event, with a unit (12.5ms, 1500ns). --format json
    prints {target, path, summary, edges} (see the README); --format folded prints
    collapsed stacks (goroutine;state;frames... ns) for flame-graph tools.

    examples:
      tracetui why trace.out --region handleRequest              # the slowest one
      tracetui why trace.out --region handleRequest --rank 2
      tracetui why trace.out --region handleRequest --instance 42@1.25s
      tracetui why trace.out --region handleRequest --slowest 1%  # where the tail goes
      tracetui why trace.out --task 17
      tracetui why trace.out --goroutine 42 --from 1.2s --to 1.3s
      tracetui why trace.out --region db.query --format folded | flamegraph.pl > why.svg
    """

    name = "why"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        add_report_options(p)
        for action in p._actions:   # one more format than the other reports: collapsed stacks
            if action.dest == "format":
                action.choices = (*action.choices, "folded")
                action.help += "; folded (collapsed stacks for flame graphs)"
        what = p.add_mutually_exclusive_group(required=True)
        what.add_argument("--region", metavar="NAME", help="a region type (exact name): its slowest instance")
        what.add_argument("--task", metavar="ID|NAME", help="a task by id, or the slowest complete task of a type")
        what.add_argument("--goroutine", type=int, metavar="G", help="goroutine G (with --from/--to; default: its life)")
        p.add_argument("--rank", type=int, default=1, metavar="N", help="with --region: the N-th slowest (default 1)")
        p.add_argument("--instance", type=_instance, metavar="G@START",
                       help="with --region: the one on goroutine G that starts nearest START")
        p.add_argument("--slowest", type=_percent, metavar="P%",
                       help="with --region: sum the attribution over the slowest P%% of its instances")
        p.add_argument("--from", dest="t_from", type=_time, metavar="T", help="with --goroutine: start time")
        p.add_argument("--to", dest="t_to", type=_time, metavar="T", help="with --goroutine: end time")
        p.add_argument("--top", type=int, metavar="N", help="only the N longest steps (kept in time order)")

    def run(self, args) -> int:
        from tracetui.reports.why import TargetError

        if args.region is None and (args.rank != 1 or args.instance or args.slowest):
            raise UsageError("--rank, --instance and --slowest go with --region")
        if args.goroutine is None and (args.t_from is not None or args.t_to is not None):
            raise UsageError("--from and --to go with --goroutine")
        if args.slowest and (args.instance or args.rank != 1):
            raise UsageError("--slowest sums over many instances: no --rank or --instance with it")
        if len(getattr(args, "traces", [args.trace])) > 1:
            raise UsageError("why reads one trace (several were given)")
        model = load_model(args.trace, args.strict, args.save)
        try:
            if args.slowest:
                return self._aggregate(model, args)
            return self._one(model, args)
        except TargetError as e:
            raise UsageError(str(e)) from None

    def _one(self, model, args) -> int:
        from tracetui.commands.common import write_lines
        from tracetui.reports import why as W

        if args.region is not None:
            target = W.region_target(model, args.region, args.rank, args.instance)
        elif args.task is not None:
            target = W.task_target(model, args.task)
        else:
            target = W.goroutine_target(model, args.goroutine, args.t_from, args.t_to)
        report = W.why(model, target)
        if args.top is not None:
            keep = sorted(sorted(range(len(report["path"])), key=lambda i: -report["path"][i]["duration_ns"])[:args.top])
            report["path"] = [report["path"][i] for i in keep]
        if args.format == "folded":
            write_lines(line + "\n" for line in W.folded(report))
            return 0
        self._emit(report, args.format)
        return 0

    @staticmethod
    def _emit(report, fmt) -> None:
        from tracetui.reports.output import Column, Table, emit, human_ns
        from tracetui.reports.why import detail

        t = report["target"]
        target = Table("target", [Column("kind", "kind"), Column("name", "name"), Column("goroutine", "goroutine", "int"),
                                  Column("start_ns", "start", "ns"), Column("end_ns", "end", "ns"),
                                  Column("duration_ns", "duration", "ns")], [t], record=True,
                       title=f"why {t['kind']} {t['name']} took {human_ns(t['duration_ns'])}")
        steps = [s | {"who": "  " * s["depth"] + f"G{s['goroutine']}", "detail": detail(s)} for s in report["path"]]
        path = Table("path", [
            Column("who", "goroutine", in_json=False), Column("goroutine", "goroutine", "json"),
            Column("name", "name", drop=3), Column("state", "state"), Column("reason", "reason", "json"),
            Column("detail", "reason", in_json=False), Column("start_ns", "start", "ns", 2),
            Column("end_ns", "end", "json"), Column("duration_ns", "duration", "ns"), Column("share", "share", "pct"),
            Column("top_frame", "top frame", drop=4), Column("depth", "depth", "json"), Column("stack", "stack", "json"),
            Column("held_by", "held_by", "json"), Column("stw_ns", "stw_ns", "json"), Column("gc_ns", "gc_ns", "json"),
        ], steps, title="critical path (latest last; indented: reached through a goroutine it waited for)")
        summary = Table("summary", [
            Column("goroutine", "goroutine", "int"), Column("name", "name"), Column("state", "state"),
            Column("reason", "reason"), Column("duration_ns", "duration", "ns"), Column("share", "share", "pct"),
        ], report["summary"], title="summary by goroutine, state and reason")
        edges = Table("edges", [Column(k, k, "json") for k in ("kind", "waiter", "unblocker", "time_ns", "row")],
                      report["edges"])
        emit([target, path, summary, edges] if fmt == "json" else [target, path, summary], fmt)

    @staticmethod
    def _aggregate(model, args) -> int:
        from tracetui.reports.output import Column, Table, emit, human_ns
        from tracetui.reports.why import aggregate

        if args.format == "folded":
            raise UsageError("--format folded shows one path: not with --slowest")
        rep = aggregate(model, args.region, args.slowest)
        t = rep["target"]
        target = Table("target", [Column("kind", "kind"), Column("name", "name"), Column("count", "regions", "int"),
                                  Column("instances", "slowest", "int"), Column("fraction", "fraction", "pct"),
                                  Column("duration_ns", "their time", "ns"), Column("min_ns", "min", "ns"),
                                  Column("max_ns", "max", "ns")], [t], record=True,
                       title=f"why the slowest {t['instances']} of {t['count']} {t['name']} regions took "
                             f"{human_ns(t['duration_ns'])}")
        rows = rep["summary"][:args.top] if args.top is not None else rep["summary"]
        summary = Table("summary", [
            Column("name", "goroutine"), Column("role", "role"), Column("state", "state"), Column("reason", "reason"),
            Column("duration_ns", "duration", "ns"), Column("share", "share", "pct"),
            Column("instances", "in regions", "int"),
        ], rows, title="summary by goroutine (start function), role (self: the region's goroutine), state and reason")
        emit([target, summary], args.format)
        return 0
