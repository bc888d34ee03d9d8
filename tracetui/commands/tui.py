"""`tracetui tui` (and `tracetui TRACE`, `tracetui --demo` in a terminal): the timeline."""
from __future__ import annotations

import argparse
import sys

from tracetui.commands.common import UsageError


def interactive() -> bool:
    """Both ends are a terminal: keys come in, the screen goes out."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def check_trace_file(path: str) -> None:
    """Fail early, with the reader's one-line message, on a file that is no trace at all."""
    from tracetui.format import read_header
    from tracetui.format.reader import file_error

    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as e:
        raise file_error(path, e) from None
    read_header(head)


class TuiCommand:
    """Open the trace in the terminal timeline.

    Lanes for GC, stop-the-world pauses and the heap, then one lane per goroutine
    coloured by state, with its regions under it. Press ? in the app for the keys.
    A broken trace opens with what could be salvaged and a warning banner.
    `tracetui TRACE` does the same in a terminal, and prints `stats` when its output
    is not a terminal (a pipe, a CI log).

    examples:
      tracetui trace.out
      tracetui tui trace.out
      tracetui --demo
    """

    name = "tui"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        p.add_argument("trace", help="trace file (may be gzip-compressed) or a live capture URL "
                                     "http://HOST:PORT/debug/pprof/trace?seconds=N")

    def run(self, args) -> int:
        if args.trace == "-":
            raise UsageError("the TUI reads keys from the terminal, so not the trace from stdin: "
                             "give a file (or use `tracetui stats -`)")
        if not interactive():
            raise UsageError("the TUI needs a terminal; for a text summary use `tracetui stats TRACE`")
        from tracetui.source import trace_source

        src = trace_source(args.trace)  # a gzip file or a capture URL gives bytes
        if isinstance(src, str):
            return self._open(src, getattr(args, "title", None))
        import tempfile

        with tempfile.NamedTemporaryFile(prefix="tracetui-", suffix=".trace") as tmp:
            tmp.write(src)
            tmp.flush()
            return self._open(tmp.name, getattr(args, "title", None) or args.trace)

    def _open(self, path: str, title: str | None) -> int:
        check_trace_file(path)
        from tracetui.app import TraceApp

        app = TraceApp(path, title=title)
        app.run()
        return app.return_code or 0
