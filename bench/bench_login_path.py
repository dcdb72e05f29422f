"""Benchmark (not a test): the work app.py does on every run, on the "large contractor" data set.

    python bench/bench_login_path.py [DB_PATH]

Loads `demo --scale large` into DB_PATH (default /tmp/portal-large.duckdb) when it is empty, then
times the per-run queries: the login form's credentials, the scope of the largest client's
member, and a staff client search. Prints milliseconds per call.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import accounts, clients, demo, schema  # noqa: E402
from core import scope as scope_core  # noqa: E402
from core.db import make_engine  # noqa: E402


def timed(label: str, fn, repeat: int = 20) -> None:
    fn()
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    print(f"{label:<40} {(time.perf_counter() - started) / repeat * 1000:8.1f} ms")


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/portal-large.duckdb"
    engine = make_engine(f"duckdb:///{path}")
    schema.init(engine)
    if demo.is_empty(engine):
        started = time.perf_counter()
        demo.load(engine, "large")
        print(f"loaded demo --scale large in {time.perf_counter() - started:.1f} s")
    with engine.connect() as conn:
        staff = scope_core.load(conn, "staff@demo.example")
        timed("credentials for the login form (all)", lambda: accounts.credentials(conn))
        timed("credentials of one account", lambda: accounts.credentials(conn, only_email="all.rights@client-a.example"))
        timed("scope of the largest client's member", lambda: scope_core.load(conn, "all.rights@client-a.example"))
        timed("staff client search, page 1", lambda: clients.list_clients(staff, conn, search="b"))


if __name__ == "__main__":
    main()
