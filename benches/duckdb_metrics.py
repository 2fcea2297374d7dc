"""The same call-record figures as `cscaudit metrics`, computed by DuckDB.

Usage: python3 benches/duckdb_metrics.py FILE THRESHOLD SHORT
Prints one JSON object: timings and the overall counts, so the bench can check
that both engines computed the same thing. Per-day and per-hour groups are
computed too (GROUPING SETS), as cscaudit does.
"""
import json
import sys
import time

import duckdb

path, t, short = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
started = time.perf_counter()
con = duckdb.connect()
cols = {
    "vru_line": "VARCHAR", "call_id": "BIGINT", "customer_id": "BIGINT", "priority": "INTEGER",
    "type": "VARCHAR", "date": "VARCHAR", "vru_entry": "VARCHAR", "vru_exit": "VARCHAR",
    "vru_time": "INTEGER", "q_start": "VARCHAR", "q_exit": "VARCHAR", "q_time": "INTEGER",
    "outcome": "VARCHAR", "ser_start": "VARCHAR", "ser_exit": "VARCHAR", "ser_time": "INTEGER",
    "server": "VARCHAR",
}
query = f"""
WITH c AS (
  SELECT date, CAST(split_part(vru_entry, ':', 1) AS INTEGER) AS hour,
         outcome, q_start <> '0:00:00' AS queued, q_time, ser_time, server <> 'NO_SERVER' AS served
  FROM read_csv(?, delim='\t', header=true, columns={cols!r})
)
SELECT date, hour,
  count(*) AS records,
  count(*) FILTER (outcome = 'PHANTOM') AS phantom,
  count(*) FILTER (outcome = 'AGENT') AS agent,
  count(*) FILTER (outcome = 'AGENT' AND queued) AS agent_queued,
  count(*) FILTER (outcome = 'AGENT' AND q_time <= {t}) AS agent_le_t,
  count(*) FILTER (outcome = 'HANG' AND queued) AS hang_queue,
  count(*) FILTER (outcome = 'HANG' AND queued AND q_time <= {short}) AS hang_queue_short,
  count(*) FILTER (outcome = 'HANG' AND queued AND q_time <= {t}) AS hang_queue_le_t,
  count(*) FILTER (outcome = 'HANG' AND NOT queued) AS hang_ivr,
  sum(q_time) FILTER (outcome = 'AGENT') AS wait_agent,
  sum(q_time) FILTER (outcome = 'AGENT' AND queued) AS wait_agent_queued,
  sum(q_time) FILTER (outcome = 'HANG' AND queued) AS wait_abandoned,
  avg(ser_time) FILTER (outcome = 'AGENT') AS talk_mean_answered,
  avg(ser_time) FILTER (outcome = 'AGENT' AND served) AS talk_mean_served,
  median(ser_time) FILTER (outcome = 'AGENT' AND served) AS talk_median,
  quantile_disc(ser_time, 0.9) FILTER (outcome = 'AGENT' AND served) AS talk_p90
FROM c
GROUP BY GROUPING SETS ((), (date), (hour))
"""
rows = con.execute(query, [path]).fetchall()
elapsed = time.perf_counter() - started
names = [d[0] for d in con.description]
overall = next(dict(zip(names, r)) for r in rows if r[0] is None and r[1] is None)
print(json.dumps({
    "duckdb": duckdb.__version__,
    "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
    "seconds": elapsed,
    "groups": len(rows),
    "overall": {k: (float(v) if isinstance(v, float) else v) for k, v in overall.items() if k not in ("date", "hour")},
}))
