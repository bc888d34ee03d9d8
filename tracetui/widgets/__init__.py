"""The TUI's widgets. The timeline's parts, for a newcomer:

- `timeline.py`: the Timeline widget (view t0/t1, cursor, mark, selected row, history;
  `set_lanes` is the one way to change which lanes show) and its drawing.
- `rows.py`: `Rows`, which lanes exist, their order and filter (`configure`), and each
  lane's intervals and cells (caches shared with the background indexer, under a lock).
- `cells.py`, `_intervals.pyx`: a lane's intervals to screen cells.
- `timescale.py`: the axis ticks and the duration/time formatters.
- `palette.py`: categories and colours; `keys.py`: the one command table.
- `details.py` (what the panel says) and `panel.py` (the panel widget), `status.py`
  (the status line), `targets.py` (where region and task jumps land), `search.py`
  (next span, stack functions), `jump.py` (the command palette's jumps).
"""
