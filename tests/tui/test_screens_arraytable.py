"""ArrayTable: sorting (stable, both directions, by label text), filtering, the cursor
across sorts, keys and clicks, column formatting and dropping, against plain Python."""
from __future__ import annotations

import asyncio

import numpy as np
import pytest
from textual.app import App, ComposeResult

from tracetui.reports.output import human_ns
from tracetui.widgets.arraytable import ArrayTable, Col, sort_key

LABELS = ["zeta", "alpha", "mid", "beta"]


def make_data(n=200, seed=1):
    rng = np.random.default_rng(seed)
    return {"name": rng.integers(0, len(LABELS), n), "dur": rng.integers(0, 50, n) * 1000,
            "count": rng.integers(-5, 5, n)}


COLS = [Col("name", "name", labels=LABELS), Col("dur", "duration", "ns"), Col("count", "count", "int")]


class Host(App):
    def __init__(self, table: ArrayTable):
        super().__init__()
        self.table = table
        self.messages = []

    def compose(self) -> ComposeResult:
        yield self.table

    def on_array_table_selected(self, m):
        self.messages.append(("selected", m.index))


def run(table, size=(60, 12), keys=(), clicks=()):
    async def go():
        app = Host(table)
        async with app.run_test(size=size) as pilot:
            table.focus()
            await pilot.pause()
            for k in keys:
                await pilot.press(k)
            for offset in clicks:
                await pilot.click(ArrayTable, offset=offset)
            await pilot.pause()
            lines = [table.render_line(y).text for y in range(table.size.height)]
        return app, lines
    return asyncio.run(go())


def expected_order(values, descending):
    idx = list(range(len(values)))
    return sorted(idx, key=lambda i: (-values[i], i) if descending else (values[i], i))


@pytest.mark.parametrize("descending", [True, False])
def test_sort_is_stable_both_ways(descending):
    d = make_data()
    t = ArrayTable(COLS, d)
    t.sort_by("dur", descending)
    assert t.order.tolist() == expected_order(d["dur"].tolist(), descending)


def test_text_sorts_by_label():
    d = make_data()
    t = ArrayTable(COLS, d)
    t.sort_by("name", False)
    names = [LABELS[v] for v in d["name"][t.order].tolist()]
    assert names == sorted(names)
    # equal labels keep data order (stable)
    same = t.order[d["name"][t.order] == d["name"][t.order][0]]
    assert same.tolist() == sorted(same.tolist())
    k = sort_key(d["name"], COLS[0])
    assert [LABELS[v] for v in d["name"][np.argsort(k, kind="stable")].tolist()] == names


def test_filter_keeps_sort_and_cursor():
    d = make_data()
    t = ArrayTable(COLS, d, sort="dur")
    t.set_reactive(ArrayTable.cursor, 7)     # not mounted: no watchers
    keep = t.current
    mask = d["count"] >= 0
    mask[keep] = True
    t.set_filter(mask)
    assert t.order.tolist() == [i for i in expected_order(d["dur"].tolist(), True) if mask[i]]
    assert t.current == keep
    t.sort_by("count")                     # cursor stays on the same data row
    assert t.current == keep
    t.set_filter(None)
    assert len(t.order) == len(d["dur"])


def test_render_formats_and_keys_sort():
    d = make_data()
    t = ArrayTable(COLS, d)
    app, lines = run(t, keys=["s", "s", "home"])   # first sort column, then the next: duration
    assert t.sort_column == "dur" and t.descending
    header, first = lines[0], lines[1]
    assert "duration↓" in header
    i = t.order[0]
    assert first.split()[0] == LABELS[d["name"][i]]
    assert first.split()[1] == human_ns(d["dur"][i]) == human_ns(d["dur"].max())
    app, lines = run(ArrayTable(COLS, d, sort="dur"), keys=["r", "home"])
    assert lines[1].split()[1] == human_ns(d["dur"].min())


def test_click_header_sorts_and_row_selects():
    d = make_data()
    t = ArrayTable(COLS, d)
    # header: name takes the room left by the others; "count" is the last 6 cells of 60 (minus scrollbar)
    width = 59
    app, lines = run(t, clicks=[(width - 2, 0)])
    assert t.sort_column == "count" and t.descending
    t2 = ArrayTable(COLS, d, sort="dur")
    app, _ = run(t2, clicks=[(3, 3), (3, 3)])      # row 3 on screen = order position 2, twice: select
    assert t2.cursor == 2
    assert app.messages == [("selected", int(t2.order[2]))]


def test_keys_move_and_select():
    d = make_data()
    t = ArrayTable(COLS, d, sort="dur")
    app, _ = run(t, keys=["down", "down", "j", "k", "enter", "end", "enter"])
    assert app.messages == [("selected", int(t.order[2])), ("selected", int(t.order[-1]))]


def test_narrow_drops_droppable_columns():
    cols = [Col("name", "name", labels=LABELS), Col("dur", "duration", "ns"),
            Col("count", "count", "int", drop=1)]
    d = make_data()
    _, wide = run(ArrayTable(cols, d), size=(60, 5))
    _, narrow = run(ArrayTable(cols, d), size=(28, 5))
    assert "count" in wide[0] and "count" not in narrow[0] and "duration" in narrow[0]


def test_ids_print_as_digits_and_instants_tell_rows_apart():
    """Ids print without thousands separators (they get pasted into the palette), and the
    start times of instances 400 ns apart print differently (issue 12)."""
    origin = 5_000_000_000
    starts = origin + np.array([2_401_234_500, 2_401_234_900, 2_401_235_300, 12_000_000_000])
    data = {"goroutine": np.array([123456, 7, 1000, 99999]), "start": starts}
    table = ArrayTable([Col("goroutine", "goroutine", "id"), Col("start", "start", "time")], data, origin=origin,
                       sort="start", descending=False)
    _, lines = run(table, size=(60, 8))
    body = [ln.split() for ln in lines[1:5]]
    assert [b[0] for b in body] == ["123456", "7", "1000", "99999"]
    shown = [b[1] for b in body]
    assert len(set(shown)) == 4 and not any(s.endswith("…") for s in shown), shown
    assert shown[0].startswith("2.4012345") and shown[3].startswith("12.0000000")


def test_an_empty_time_column_lays_out():
    table = ArrayTable([Col("goroutine", "goroutine", "id"), Col("start", "start", "time")],
                       {"goroutine": np.zeros(0, np.int64), "start": np.zeros(0, np.int64)})
    _, lines = run(table, size=(40, 4))
    assert "goroutine" in lines[0] and "start" in lines[0]
