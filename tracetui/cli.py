"""The `tracetui` command line: `tracetui TRACE` and its sibling commands.

The commands live in `tracetui.commands`, one module each. With no command,
`tracetui TRACE` (and `--demo`) opens the TUI when stdout is a terminal and keys can
come from one (stdin, or /dev/tty when stdin brings the trace: `... | tracetui -`), and
runs `stats` otherwise. `main(argv)` turns a TraceError (or a missing file) into one
line on stderr and exit code 1, a usage error into exit code 2. Never a traceback.
"""
from __future__ import annotations

import argparse
import sys

from tracetui import __version__
from tracetui.commands import COMMANDS
from tracetui.commands.common import DEMO_TRACE, UsageError, quiet_broken_pipe
from tracetui.commands.tui import interactive
from tracetui.format import TraceError

__all__ = ["DEMO_TRACE", "main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tracetui",
        description="Go execution traces (Go 1.11+) in the terminal.",
        epilog="Run `tracetui COMMAND --help` for a command's options. `tracetui TRACE` opens the timeline "
               "(`tui`) in a terminal and prints `stats` when output goes to a pipe or file; "
               "`tracetui --demo` does the same with the trace shipped in the package.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--demo", action="store_true", help="open the demo trace shipped in the package")
    p.add_argument("--version", action="version", version=f"tracetui {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in COMMANDS:
        doc = cmd.__doc__ or ""
        sp = sub.add_parser(cmd.name, help=doc.splitlines()[0], description=doc,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        cmd.prepare_parser(sp)
        sp.set_defaults(handler=cmd)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = {c.name for c in COMMANDS}
    # `tracetui TRACE` (no command; TRACE may be '-') and `tracetui --demo`: the timeline
    # in a terminal, else stats.
    default = "tui" if interactive() else "stats"
    if argv and argv[0] not in names and (argv[0] == "-" or not argv[0].startswith("-")):
        argv = [default, *argv]
    elif argv[:1] == ["--demo"]:
        argv = [default, str(DEMO_TRACE), *argv[1:]]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse printed the usage error or help
        return int(e.code or 0)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return args.handler.run(args)
    except TraceError as e:
        print(f"tracetui: {e}", file=sys.stderr)
        return 1
    except UsageError as e:
        print(f"tracetui: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        quiet_broken_pipe()
        return 0
    except OSError as e:
        print(f"tracetui: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
