"""`tracetui tui` (and `tracetui TRACE`, `tracetui --demo` in a terminal): the timeline."""
from __future__ import annotations

import argparse
import os
import sys

from tracetui.commands.common import UsageError, add_trace_argument


def _isatty(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # closed
        return False


def _terminal() -> int | None:
    """A descriptor of the controlling terminal (/dev/tty), or None without one."""
    try:
        return os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None


def interactive() -> bool:
    """The screen goes to a terminal and keys can come from one: stdin, or the controlling
    terminal when stdin brings the trace (`ssh prod cat trace.out | tracetui -`)."""
    if not _isatty(sys.stdout):
        return False
    if _isatty(sys.stdin):
        return True
    fd = _terminal()
    if fd is None:
        return False
    os.close(fd)
    return True


def keys_from_terminal() -> None:
    """Make the controlling terminal standard input (fd 0) once the trace has been read
    from a pipe: Textual's Linux driver reads keys from sys.__stdin__'s descriptor."""
    if _isatty(sys.__stdin__):
        return
    fd = _terminal()
    if fd is None:
        raise UsageError("the TUI needs a terminal to read keys from, and /dev/tty cannot be opened")
    os.dup2(fd, 0)
    os.close(fd)


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
    is not a terminal (a pipe, a CI log). With TRACE '-' the trace is read from
    stdin and the keys from the terminal (/dev/tty), so a trace can come over SSH.

    examples:
      tracetui trace.out
      tracetui tui trace.out
      ssh prod cat /tmp/trace.out | tracetui -
      ssh prod curl -s 'localhost:6060/debug/pprof/trace?seconds=5' | tracetui - --save prod.trace
      tracetui --demo
    """

    name = "tui"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        add_trace_argument(p)

    def run(self, args) -> int:
        if not interactive():
            raise UsageError("the TUI needs a terminal; for a text summary use `tracetui stats TRACE`")
        from tracetui.source import display_name, trace_source

        src = trace_source(args.trace, args.save)  # stdin, a gzip file or a capture URL gives bytes
        keys_from_terminal()
        if isinstance(src, str):
            return self._open(src, getattr(args, "title", None))
        import tempfile

        with tempfile.NamedTemporaryFile(prefix="tracetui-", suffix=".trace") as tmp:
            tmp.write(src)
            tmp.flush()
            return self._open(tmp.name, getattr(args, "title", None) or display_name(args.trace))

    def _open(self, path: str, title: str | None) -> int:
        check_trace_file(path)
        from tracetui.app import TraceApp

        app = TraceApp(path, title=title)
        app.run()
        return app.return_code or 0
