"""tracetui.reports: the tables behind the report commands (regions, tasks,
goroutines, gc, check, pprof, export), computed from the model with numpy and
rendered as a terminal table, plain text, JSON or CSV."""
