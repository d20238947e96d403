#!/usr/bin/env python3
"""The four questions of `siyu bench analytics`, answered by DuckDB on the exported data.

Reads DIR/events.csv (person_id, seq, ts, name, channel, revenue) and DIR/siyu_answers.json
(Siyu's answers and the query parameters), times each query (best of 3, the load excluded),
compares DuckDB's answers with Siyu's and writes DIR/duckdb_results.json.

The SQL encodes the engines' documented semantics (Funnel.swift, Retention.swift, RFM.swift,
PersonRule.swift); days and weeks are cut in Asia/Shanghai (UTC+8, no daylight saving): local
day = (ts + 28,800,000) // 86,400,000, Monday-based week = (day + 3) // 7 (timestamps are positive).
"""

import json
import os
import resource
import sys
import time

import duckdb

DAY = 86_400_000
WEEK = "((ts + 28800000) // 86400000 + 3) // 7"


def queries(p):
    frm, to, now, window = p["from"], p["to"], p["now"], p["window"]
    # Ordered funnel: n1/n2/n3 = position of the person's next step-1/2/3 event at or after each
    # event (running MIN in reverse order); an attempt starts at a Product Viewed in the range, each
    # step is the next step event after the previous step's, and counts within the window from
    # the start; a person reaches the most steps of any attempt.
    funnel = f"""
        WITH ev AS (
            SELECT person_id AS pid, ts, name, channel,
                   ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY ts, seq) AS rn
            FROM events
        ),
        nx AS (
            SELECT pid, rn, ts, name,
                   MIN(CASE WHEN name = 'Product Added' THEN rn END) OVER w AS n1,
                   MIN(CASE WHEN name = 'Checkout Started' THEN rn END) OVER w AS n2,
                   MIN(CASE WHEN name = 'Order Completed' THEN rn END) OVER w AS n3
            FROM ev WINDOW w AS (PARTITION BY pid ORDER BY rn DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        ),
        attempts AS (
            SELECT a.pid, a.ts AS t0, b.ts AS t1, c.ts AS t2, d.ts AS t3
            FROM nx a
            LEFT JOIN nx b ON b.pid = a.pid AND b.rn = a.n1
            LEFT JOIN nx c ON c.pid = a.pid AND c.rn = b.n2
            LEFT JOIN nx d ON d.pid = a.pid AND d.rn = c.n3
            WHERE a.name = 'Product Viewed' AND a.ts >= {frm} AND a.ts < {to}
        ),
        reached AS (
            SELECT pid, MAX(CASE WHEN t1 IS NULL OR t1 > t0 + {window} THEN 0
                                 WHEN t2 IS NULL OR t2 > t0 + {window} THEN 1
                                 WHEN t3 IS NULL OR t3 > t0 + {window} THEN 2
                                 ELSE 3 END) AS steps
            FROM attempts GROUP BY pid
        ),
        firsts AS (SELECT pid, channel FROM ev WHERE rn = 1)
        SELECT f.channel, COUNT(*) AS s0, COUNT(*) FILTER (WHERE steps >= 1) AS s1,
               COUNT(*) FILTER (WHERE steps >= 2) AS s2, COUNT(*) FILTER (WHERE steps >= 3) AS s3
        FROM reached r JOIN firsts f ON f.pid = r.pid GROUP BY f.channel
    """
    # First-time weekly retention: cohort = week of the first event; returned in week N = an
    # order in week N.
    retention = f"""
        WITH ev AS (SELECT person_id AS pid, name, {WEEK} AS week FROM events),
        cohorts AS (SELECT pid, MIN(week) AS cohort FROM ev GROUP BY pid),
        bounds AS (SELECT (({frm} + 28800000) // 86400000 + 3) // 7 AS first, (({to} - 1 + 28800000) // 86400000 + 3) // 7 AS last)
        SELECT c.cohort, 0 AS off, COUNT(*) AS n FROM cohorts c, bounds b WHERE c.cohort BETWEEN b.first AND b.last GROUP BY c.cohort
        UNION ALL
        SELECT c.cohort, e.week - c.cohort AS off, COUNT(DISTINCT e.pid) AS n
        FROM cohorts c JOIN ev e ON e.pid = c.pid, bounds b
        WHERE c.cohort BETWEEN b.first AND b.last AND e.name = 'Order Completed' AND e.week - c.cohort BETWEEN 1 AND 12
        GROUP BY c.cohort, e.week - c.cohort
    """
    # RFM: recency in whole days at the end of the range, rank-based quintiles
    # 1 + 5 * (RANK - 1) // n, 8 classes against the means (exactly: value * n vs the sum).
    rfm = f"""
        WITH o AS (
            SELECT person_id AS pid, COUNT(*) AS f, SUM(revenue) AS m, MAX(ts) AS last
            FROM events WHERE name = 'Order Completed' AND ts >= {frm} AND ts < {to} GROUP BY person_id
        ),
        r AS (SELECT pid, GREATEST(0, ({to} - last) // 86400000) AS rec, f, m FROM o),
        n AS (SELECT COUNT(*) AS n, SUM(rec) AS sr, SUM(f) AS sf, SUM(m) AS sm FROM r),
        scored AS (
            SELECT pid, rec, f, m,
                   1 + 5 * (RANK() OVER (ORDER BY rec DESC) - 1) // n AS rs,
                   1 + 5 * (RANK() OVER (ORDER BY f) - 1) // n AS fs,
                   1 + 5 * (RANK() OVER (ORDER BY m) - 1) // n AS ms,
                   CAST(rec * n < sr AS INTEGER) AS rh, CAST(f * n > sf AS INTEGER) AS fh, CAST(m * n > sm AS INTEGER) AS mh
            FROM r, n
        )
        SELECT pid, rec, f, m, rs, fs, ms,
               CASE rh * 4 + fh * 2 + mh
                   WHEN 7 THEN 'importantValue' WHEN 5 THEN 'importantDevelopment' WHEN 3 THEN 'importantRetention'
                   WHEN 1 THEN 'importantWinBack' WHEN 6 THEN 'generalValue' WHEN 4 THEN 'generalDevelopment'
                   WHEN 2 THEN 'generalRetention' ELSE 'generalWinBack' END AS class
        FROM scored
    """
    # Segment: >= 2 orders in the 30 x 24 hours before now, first-touch channel douyin or
    # xiaohongshu, last seen at most 14 whole days ago.
    segment = f"""
        WITH firsts AS (
            SELECT person_id AS pid, channel FROM events
            QUALIFY ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY ts, seq) = 1
        ),
        agg AS (
            SELECT person_id AS pid,
                   COUNT(*) FILTER (WHERE name = 'Order Completed' AND ts >= {now - 30 * DAY} AND ts <= {now}) AS orders,
                   MAX(ts) AS last
            FROM events GROUP BY person_id
        )
        SELECT a.pid FROM agg a JOIN firsts f ON f.pid = a.pid
        WHERE a.orders >= 2 AND f.channel IN ('douyin', 'xiaohongshu') AND ({now} - a.last) // 86400000 <= 14
    """
    return {"funnel": funnel, "retention": retention, "rfm": rfm, "segment": segment}


def answers(con, name, p):
    """DuckDB's answer to one question, in the form of Siyu's answers file."""
    if name == "funnel":
        result = {}
        total = [0, 0, 0, 0]
        for row in con.execute("SELECT * FROM result_funnel").fetchall():
            result[row[0]] = list(row[1:])
            total = [a + b for a, b in zip(total, row[1:])]
        result["all"] = total
        return result
    if name == "retention":
        current = p["current_week"]
        table = {}
        for cohort, off, n in con.execute("SELECT * FROM result_retention").fetchall():
            table.setdefault(cohort, [0] * 13)[off] = n
        # Siyu lists every week of the range; weeks that have not begun at `now` have no number.
        return {
            str(cohort): [count if cohort + off <= current else None for off, count in enumerate(table.get(cohort, [0] * 13))]
            for cohort in range(p["first_week"], p["last_week"] + 1)
        }
    if name == "rfm":
        return [list(row) for row in con.execute("SELECT * FROM result_rfm ORDER BY pid").fetchall()]
    return [row[0] for row in con.execute("SELECT * FROM result_segment ORDER BY pid").fetchall()]


def describe_difference(name, siyu, duck):
    if isinstance(siyu, dict):
        keys = sorted(set(siyu) | set(duck))
        diffs = [f"{k}: siyu={siyu.get(k)} duckdb={duck.get(k)}" for k in keys if siyu.get(k) != duck.get(k)]
    else:
        diffs = [f"#{i}: siyu={a} duckdb={b}" for i, (a, b) in enumerate(zip(siyu, duck)) if a != b]
        if len(siyu) != len(duck):
            diffs.insert(0, f"sizes differ: siyu={len(siyu)} duckdb={len(duck)}")
    return diffs[:10]


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "siyu_answers.json")) as f:
        siyu = json.load(f)
    p = siyu["parameters"]
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(f"""
        CREATE TABLE events AS SELECT * FROM read_csv('{os.path.join(directory, "events.csv")}', header = true,
            columns = {{'person_id': 'BIGINT', 'seq': 'BIGINT', 'ts': 'BIGINT', 'name': 'VARCHAR', 'channel': 'VARCHAR', 'revenue': 'BIGINT'}})
    """)
    load = time.perf_counter() - started
    rows = con.execute("SELECT COUNT(*), COUNT(DISTINCT person_id) FROM events").fetchone()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(f"  DuckDB {duckdb.__version__}: loaded {rows[0]:,} events of {rows[1]:,} people in {load:.2f} s ({threads} threads)")
    results = {"load_seconds": load, "times": {}, "match": {}, "version": duckdb.__version__}
    for name, sql in queries(p).items():
        best = None
        for _ in range(3):
            t = time.perf_counter()
            # Materialised inside DuckDB, so that fetching into Python is not timed.
            con.execute(f"CREATE OR REPLACE TEMP TABLE result_{name} AS {sql}")
            elapsed = time.perf_counter() - t
            best = elapsed if best is None else min(best, elapsed)
        results["times"][name] = best
        duck = answers(con, name, p)
        same = duck == siyu[name]
        results["match"][name] = same
        if same:
            print(f"  {name}: {best:.3f} s, identical to Siyu")
        else:
            print(f"  MISMATCH in {name} between Siyu and DuckDB:")
            for line in describe_difference(name, siyu[name], duck):
                print(f"    {line}")
    results["max_rss_bytes"] = peak_rss_bytes()
    with open(os.path.join(directory, "duckdb_results.json"), "w") as f:
        json.dump(results, f)


def peak_rss_bytes():
    """This process's own peak resident set (VmHWM).

    Not getrusage: Linux carries the parent's peak over an exec into the child's ru_maxrss, so a
    script started by Siyu would report Siyu's peak as its own.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


if __name__ == "__main__":
    main()
