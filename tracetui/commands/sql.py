"""`tracetui sql QUERY TRACE...`: SQL (DuckDB, in-process) over the Parquet tables of traces."""
from __future__ import annotations

import argparse
import os


def _kind(name: str, values) -> str:
    v = next((x for x in values if x is not None), None)
    if isinstance(v, bool) or v is None:
        return "text"
    if isinstance(v, int):
        return "ns" if name.endswith("_ns") else "int"
    if isinstance(v, float):
        return "float"
    return "text"


def _json_value(v):
    import datetime
    import decimal

    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, (datetime.date, datetime.datetime, datetime.timedelta)):
        return str(v)
    return v


def query(sql: str, tables_dir: str):
    """(column names, rows) of `sql` with a view per table of the export in tables_dir."""
    import duckdb

    from tracetui.exports.parquet import TABLES

    con = duckdb.connect()
    for t in TABLES:
        folder = os.path.join(tables_dir, t)
        if os.path.isdir(folder) and any(n.endswith(".parquet") for n in os.listdir(folder)):
            pattern = os.path.join(folder, "*.parquet").replace("'", "''")
            con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{pattern}')")
    cur = con.execute(sql)
    names = [d[0] for d in cur.description] if cur.description else []
    rows = [[_json_value(v) for v in r] for r in cur.fetchall()] if names else []
    return names, rows


class SqlCommand:
    """Run SQL over traces: DuckDB in-process over their Parquet tables.

    The tables are those of `tracetui export --format parquet` (goroutines,
    goroutine_block, states, regions, tasks, logs, gc_cycles, gc_pauses,
    metrics, cpu_samples, stacks, frames; schemas in the README), every row
    keyed by `trace` (the file's name). The traces are read in parallel into a
    temporary export; --tables DIR queries an existing export instead.
    Columns ending in _ns print as durations in tables. Needs DuckDB and
    pyarrow: pip install 'tracetui[sql]'.

    examples:
      tracetui sql "SELECT name, count(*) n, max(duration_ns) max_ns FROM regions GROUP BY name ORDER BY max_ns DESC" trace.out
      tracetui sql "SELECT reason, sum(duration_ns) ns FROM states WHERE state = 'waiting' GROUP BY reason" fleet/
      tracetui sql "SELECT trace, count(*) FROM gc_cycles GROUP BY trace" --tables exported/ --format csv
    """

    name = "sql"

    def prepare_parser(self, p: argparse.ArgumentParser) -> None:
        from tracetui.commands.common import TRACE_HELP
        from tracetui.reports.output import add_format_option

        p.add_argument("query", help="a DuckDB SQL query over the tables")
        p.add_argument("trace", nargs="*", help=TRACE_HELP + "; several, a directory or a glob")
        p.add_argument("--tables", metavar="DIR", help="query this export (tracetui export --format parquet -o DIR)")
        add_format_option(p)
        p.add_argument("--strict", action="store_true", help="exit 1 on a broken or truncated trace")

    def run(self, args) -> int:
        import tempfile

        from tracetui.commands.common import UsageError
        from tracetui.reports.output import Column, Table, emit

        try:
            import duckdb
            import pyarrow  # noqa: F401
        except ImportError:
            raise UsageError("sql needs DuckDB and pyarrow: pip install 'tracetui[sql]'") from None
        if bool(args.trace) == bool(args.tables):
            raise UsageError("sql: give traces or --tables DIR (one of them)")
        with tempfile.TemporaryDirectory(prefix="tracetui-sql-") as tmp:
            if args.tables:
                if not os.path.isdir(args.tables):
                    raise UsageError(f"--tables {args.tables}: not a directory")
                where = args.tables
            else:
                from tracetui.commands.multi import expand, export_parquet

                export_parquet(expand(args.trace), tmp, args.strict)
                where = tmp
            try:
                names, rows = query(args.query, where)
            except duckdb.Error as e:
                raise UsageError(f"sql: {str(e).splitlines()[0]}") from None
        dict_rows = [dict(zip(names, r)) for r in rows]
        cols = [Column(n, n, _kind(n, [r[i] for r in rows])) for i, n in enumerate(names)]
        emit(Table("sql", cols, dict_rows, empty="(no rows)"), args.format)
        return 0
