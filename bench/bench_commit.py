"""The database's floor for a durable step: one INSERT and its COMMIT, 1,000 times, on the
configured PostgreSQL (DATABASE_URL), printed as p50 / p90 / p99 ms. What a step's own
transaction cannot go below on this machine, whatever the code around it does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_commit.py
"""

import os
import sys
import time

import psycopg


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TEMPORARY TABLE bench_commit (id serial PRIMARY KEY, v int)")
        conn.commit()
        times = []
        for i in range(1000):
            started = time.perf_counter()
            conn.execute("INSERT INTO bench_commit (v) VALUES (%s)", (i,))
            conn.commit()
            times.append((time.perf_counter() - started) * 1000)
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ("synchronous_commit", "fsync", "wal_sync_method")
        }
    times.sort()
    shown = ", ".join(f"{k} = {v}" for k, v in settings.items())
    p50, p90, p99 = times[500], times[900], times[990]
    print(
        f"INSERT + COMMIT, 1000 times: p50 {p50:.2f} ms, p90 {p90:.2f} ms, p99 {p99:.2f} ms"
        f" ({shown})"
    )


if __name__ == "__main__":
    main()
