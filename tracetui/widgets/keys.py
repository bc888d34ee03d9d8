"""The one table of the timeline's commands: each row gives a command's keys, its action,
its description, whether the footer shows it and its command-palette title. The
bindings (`bindings(scope)`), the footer, the help (`help_rows`) and the palette
(`palette_entries`) are all made from it, so they cannot drift apart. A new command is
one row here and an `action_…` method on the app (scope "app") or the timeline
("timeline"). The analysis screens' keys are their own bindings; the help lists those
of the screen it is opened on (`help_rows(screen)`).
"""
from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Command:
    keys: str                  # Textual key names, comma separated; the first one is the main key
    action: str                # an action of its scope's widget
    description: str           # help and footer text
    display: str | None = None  # how the help and footer write the keys
    footer: bool = False
    palette: str | None = None  # the palette's title (None: not in the palette)
    scope: str = "timeline"     # "timeline" (the Timeline widget) or "app"
    help: str | None = None     # the help's longer text (default: the description)


C = Command
COMMANDS: list[Command] = [
    # the timeline widget: view, cursor, lanes
    C("left,h", "pan(-1)", "pan", "←/h", True, help="pan left"),
    C("right,l", "pan(1)", "pan right", "→/l"),
    C("shift+left,H", "move_cursor(-1)", "cursor one column left", "shift+←/H"),
    C("shift+right,L", "move_cursor(1)", "cursor one column right", "shift+→/L"),
    C("n", "next_span(1)", "cursor to the next span of the lane", "n", palette="Next span on the lane"),
    C("N", "next_span(-1)", "cursor to the previous span of the lane", "N", palette="Previous span on the lane"),
    C("right_curly_bracket", "next_region(1)", "next region of the same type", "}",
      palette="Next region of the same type", scope="app"),
    C("left_curly_bracket", "next_region(-1)", "previous region of the same type", "{",
      palette="Previous region of the same type", scope="app"),
    C("plus,i,equals_sign", "zoom(0.5)", "zoom in", "+/i", True, "Zoom in"),
    C("minus,o", "zoom(2)", "zoom out", "-/o", True, "Zoom out"),
    C("z", "zoom_mark", "zoom to mark→cursor", "z", palette="Zoom to the mark→cursor range"),
    C("0", "fit", "fit", "0", True, "Fit the whole trace", help="fit the whole trace"),
    C("down,j", "select(1)", "next lane", "↓/j"),
    C("up,k", "select(-1)", "previous lane", "↑/k"),
    C("pagedown", "select_page(1)", "page down", "pgdn"),
    C("pageup", "select_page(-1)", "page up", "pgup"),
    C("home", "select_to(0)", "first lane", "home"),
    C("end", "select_to(-1)", "last lane", "end"),
    C("m", "set_mark", "mark", "m", True, "Set the mark", help="set (or clear) the mark"),
    C("x", "highlight", "highlight one state (cycles the legend)", "x", palette="Highlight a goroutine state"),
    C("left_square_bracket", "back", "back (jump history)", "[", palette="Back"),
    C("right_square_bracket", "forward", "forward (jump history)", "]", palette="Forward"),
    # the app: panel, lanes, links, screens
    C("enter", "details", "details", "enter", True, "Details of the span at the cursor", scope="app",
      help="details of the span at the cursor (the panel then follows the cursor)"),
    C("W", "widen", "widen (or narrow) the details panel", "W", palette="Widen the details panel", scope="app"),
    C("w", "why", "why: the critical path of mark→cursor, the region or the span at the cursor", "w",
      palette="Why: the critical path", scope="app"),
    C("u", "follow('u')", "details link: the unblocker", "u", scope="app"),
    C("p", "follow('p')", "details link: the proc", "p", scope="app"),
    C("g", "follow('g')", "details link: the goroutine's lane", "g", scope="app"),
    C("r", "follow('r')", "details link: the region", "r", scope="app"),
    C("t", "follow('t')", "details link: the task", "t", scope="app"),
    C("slash", "filter", "filter", "/", True, "Filter goroutines", scope="app",
      help="filter lanes: regex over id and function"),
    C("f", "find_function", "lanes with a function in their stacks", "f", palette="Find lanes by stack function",
      scope="app"),
    C("s", "sort", "sort lanes: id, start, exec, blocked", "s", palette="Sort goroutines", scope="app"),
    C("a", "toggle_idle", "hide goroutines idle in the view", "a", palette="Hide idle goroutines", scope="app"),
    C("R", "toggle_runtime", "hide runtime goroutines", "R", palette="Hide runtime goroutines", scope="app"),
    C("T", "toggle_threads", "show thread (M) lanes", "T", palette="Show or hide the thread lanes", scope="app"),
    C("escape", "close", "close the box or panel; back to the screen a jump came from", "esc", scope="app"),
    C("question_mark", "help", "help", "?", True, "Keys and legend", scope="app",
      help="the keys of this screen, and the legend"),
    C("q", "quit", "quit", "q", True, scope="app"),
]


def bindings(scope: str) -> list[Binding]:
    return [Binding(c.keys, c.action, c.description, show=c.footer, key_display=c.display,
                    tooltip=c.help or c.description) for c in COMMANDS if c.scope == scope]


def palette_entries() -> list[Command]:
    return [c for c in COMMANDS if c.palette]


def help_rows(screen) -> list[tuple[str, str]]:
    """(keys, description) of every binding active on `screen` (its focused widget, the
    screen, the app), the table's commands with their own display; one row per action."""
    shown: dict[tuple[int, str], tuple[list[str], str]] = {}
    for key, active in screen.active_bindings.items():
        b = active.binding
        if b.action in ("app.command_palette", "command_palette") or key == "ctrl+c":
            continue
        slot = shown.setdefault((id(active.node), b.action), ([], b.tooltip or b.description or b.action))
        name = b.key_display or _key_name(key)
        if name not in slot[0]:
            slot[0].append(name)
    return [("/".join(keys), desc) for keys, desc in shown.values()]


_NAMES = {"left": "←", "right": "→", "up": "↑", "down": "↓", "shift+left": "shift+←", "shift+right": "shift+→",
          "question_mark": "?", "slash": "/", "escape": "esc", "left_square_bracket": "[",
          "right_square_bracket": "]", "plus": "+", "minus": "-", "equals_sign": "="}


def _key_name(key: str) -> str:
    return _NAMES.get(key, key.replace("_", " "))
