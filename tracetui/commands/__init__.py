"""The `tracetui` commands, one module each; COMMANDS is the order `--help` lists them."""
from __future__ import annotations

from tracetui.commands.events import EventsCommand
from tracetui.commands.export import ExportCommand
from tracetui.commands.pprof import PprofCommand
from tracetui.commands.stats import StatsCommand

COMMANDS = [StatsCommand(), EventsCommand(), PprofCommand(), ExportCommand()]
