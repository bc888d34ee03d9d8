"""`export --format parquet` and `sql`: DuckDB queries over the Parquet tables equal the
`regions`, `goroutines` and `tasks` reports on every committed trace (the queries the
README shows); the tables keep every span, region and stack; the CLI's errors."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tests.reports.conftest import TRACES, model_of, trace_id

pytest.importorskip("pyarrow", reason="the parquet extra (pyarrow) is not installed")
pytest.importorskip("duckdb", reason="the sql extra (duckdb) is not installed")

from tracetui.cli import main
from tracetui.commands.sql import query
from tracetui.exports.parquet import TABLES, write_parquet
from tracetui.reports.goroutines import goroutine_groups
from tracetui.reports.regions import region_groups
from tracetui.reports.tasks import task_groups


def _pct(col: str, q: int, where: str = "") -> str:
    """Nearest-rank percentile q of col within each group (k, n: rank and group size)."""
    return f"max({col}) FILTER (WHERE {where}k = greatest((n * {q} + 99) // 100, 1)) AS p{q}_ns"


REGIONS_SQL = f"""
WITH r AS (SELECT name, duration_ns, incomplete, running_ns, runnable_ns, blocked_ns, syscall_ns,
                  row_number() OVER (PARTITION BY name ORDER BY duration_ns) AS k,
                  count(*) OVER (PARTITION BY name) AS n
           FROM regions)
SELECT name, count(*) AS count, sum(incomplete::INT) AS incomplete, sum(duration_ns) AS total_ns,
       min(duration_ns) AS min_ns, sum(duration_ns) // count(*) AS mean_ns,
       {_pct('duration_ns', 50)}, {_pct('duration_ns', 90)}, {_pct('duration_ns', 99)},
       max(duration_ns) AS max_ns,
       sum(blocked_ns) / greatest(sum(duration_ns), 1) AS blocked_share
FROM r GROUP BY name ORDER BY max_ns DESC, name
"""

GOROUTINES_SQL = """
SELECT name, count(*) AS count, sum(exec_ns) AS exec_ns, sum(sched_wait_ns) AS sched_wait_ns,
       sum(syscall_ns) AS syscall_ns, sum(syscall_block_ns) AS syscall_block_ns, sum(block_ns) AS block_ns,
       sum(assist_ns) AS assist_ns, sum(total_ns) AS total_ns
FROM goroutines GROUP BY name ORDER BY exec_ns DESC, name
"""

TASKS_SQL = """
WITH t AS (SELECT name, duration_ns, complete, logs,
                  row_number() OVER (PARTITION BY name, complete ORDER BY duration_ns) AS k,
                  count(*) OVER (PARTITION BY name, complete) AS n
           FROM tasks)
SELECT name, count(*) AS count, sum(complete::INT) AS complete,
       coalesce(sum(duration_ns) FILTER (WHERE complete), 0) AS total_ns,
       coalesce(min(duration_ns) FILTER (WHERE complete), 0) AS min_ns,
       coalesce(sum(duration_ns) FILTER (WHERE complete) // count(*) FILTER (WHERE complete), 0) AS mean_ns,
       coalesce(max(duration_ns) FILTER (WHERE complete AND k = greatest((n * 99 + 99) // 100, 1)), 0) AS p99_ns,
       coalesce(max(duration_ns) FILTER (WHERE complete), 0) AS max_ns,
       sum(logs) AS logs
FROM t GROUP BY name ORDER BY name
"""


def _export(path, tmp_path):
    out = tmp_path / "tables"
    rows = write_parquet(model_of(path), path.name, str(out))
    return out, rows


def _by_name(names, rows):
    return {r[0]: dict(zip(names, r)) for r in rows}


@pytest.mark.parametrize("path", TRACES, ids=trace_id)
def test_sql_over_parquet_equals_the_reports(path, tmp_path):
    out, counts = _export(path, tmp_path)
    m = model_of(path)
    names, rows = query(REGIONS_SQL, str(out))
    got = _by_name(names, rows)
    want = {g["name"]: g for g in region_groups(m)}
    assert set(got) == set(want)
    for n, w in want.items():
        for k in names:
            assert got[n][k] == pytest.approx(w[k]), (n, k)
    names, rows = query(GOROUTINES_SQL, str(out))
    got = _by_name(names, rows)
    assert got == {g["name"]: {k: g[k] for k in names} for g in goroutine_groups(m)}
    names, rows = query(TASKS_SQL, str(out))
    got = _by_name(names, rows)
    assert got == {t["name"]: {k: t[k] for k in names} for t in task_groups(m)}
    # every span, region and stack frame is there
    assert counts["states"] == len(m.lanes.begin_row)
    assert counts["stacks"] == len(m.trace.stack_frames)
    (n,), = query("SELECT count(*) FROM states WHERE end_ns < start_ns", str(out))[1]
    assert n == 0


def test_state_spans_carry_reason_stack_and_unblocker(tmp_path):
    path = next(p for p in TRACES if p.parent.name == "go1.27" and p.name == "contention.trace")
    out, _ = _export(path, tmp_path)
    m = model_of(path)
    names, rows = query("SELECT goroutine, state, reason, stack, unblocker FROM states ORDER BY goroutine, start_ns",
                        str(out))
    gids = m.trace.goroutine_ids
    g = int(np.argmax(np.diff(m.lanes.offsets)))          # the goroutine with most spans
    mine = [r for r in rows if r[0] == int(gids[g])]
    reasons = m.lanes.reasons(g)
    ub = m.lanes.unblockers(g)
    begin_stacks, _ = m.lanes.stacks(g)
    assert [r[2] or "" for r in mine] == [m.trace.strings[x] if x else "" for x in reasons.tolist()]
    assert [r[3] for r in mine] == begin_stacks.tolist()
    assert [r[4] for r in mine] == [int(gids[u]) if u >= 0 else None for u in ub.tolist()]
    assert any(r[4] is not None for r in mine) and any(r[2] == "sync" for r in rows)


def test_export_and_sql_cli(tmp_path, capsys):
    files = sorted(p for p in TRACES if p.parent.name == "go1.27" and p.name.startswith("ab-"))
    out = tmp_path / "export"
    assert main(["export", "--format", "parquet", "-o", str(out), *map(str, files)]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLES)
    assert main(["sql", "SELECT trace, count(*) AS n FROM regions GROUP BY trace ORDER BY trace",
                 "--tables", str(out), "--format", "json"]) == 0
    via_tables = json.loads(capsys.readouterr().out)
    assert main(["sql", "SELECT trace, count(*) AS n FROM regions GROUP BY trace ORDER BY trace",
                 *map(str, files), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == via_tables == [{"trace": f.name, "n": 600} for f in files]
    assert main(["sql", "SELECT nope FROM regions", str(files[0])]) == 2
    assert "Binder Error" in capsys.readouterr().err
    assert main(["export", "--format", "parquet", str(files[0])]) == 2
    assert "needs -o DIR" in capsys.readouterr().err
