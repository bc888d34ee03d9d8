"""The `tracetui` commands, one module each; COMMANDS is the order `--help` lists them."""
from __future__ import annotations

from tracetui.commands.check import CheckCommand
from tracetui.commands.diff import DiffCommand
from tracetui.commands.events import EventsCommand
from tracetui.commands.export import ExportCommand
from tracetui.commands.gc import GCCommand
from tracetui.commands.goroutines import GoroutinesCommand
from tracetui.commands.pprof import PprofCommand
from tracetui.commands.regions import RegionsCommand
from tracetui.commands.sql import SqlCommand
from tracetui.commands.stats import StatsCommand
from tracetui.commands.tasks import TasksCommand
from tracetui.commands.tui import TuiCommand
from tracetui.commands.waits import WaitsCommand
from tracetui.commands.why import WhyCommand

COMMANDS = [TuiCommand(), StatsCommand(), EventsCommand(), RegionsCommand(), TasksCommand(), GoroutinesCommand(),
            GCCommand(), CheckCommand(), DiffCommand(), PprofCommand(), ExportCommand(), SqlCommand(),
            WhyCommand(), WaitsCommand()]
