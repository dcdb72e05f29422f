"""Database access: one SQLAlchemy engine per process, one connection per unit of work.

The same Core code runs on DuckDB (embedded default, via duckdb-engine) and PostgreSQL (psycopg).
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


def make_engine(url: str) -> Engine:
    """Create the engine for a database URL (creating the DuckDB file's folder if needed)."""
    if url.startswith("duckdb:///") and ":memory:" not in url:
        Path(url[len("duckdb:///"):]).parent.mkdir(parents=True, exist_ok=True)
        # duckdb-engine gives every pooled connection its own cursor on one shared database,
        # so threads never share a DuckDB connection.
        return sa.create_engine(url, pool_pre_ping=False)
    if url.startswith("postgresql"):
        return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    return sa.create_engine(url)


def is_duckdb(conn: Connection | Engine) -> bool:
    """True when the connection talks to DuckDB."""
    return conn.dialect.name == "duckdb"


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One unit of work: commit on success, roll back on any error."""
    with engine.begin() as conn:
        yield conn


def utcnow() -> dt.datetime:
    """Current time as naive UTC (all timestamps are stored that way)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    """Today's date (a function so that tests can pin it)."""
    return dt.date.today()


def read_frame(conn: Connection, stmt: sa.Executable, params: dict | None = None) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame with the statement's column names."""
    result = conn.execute(stmt, params or {})
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _duckdb_from_frame(conn: Connection, frame: pd.DataFrame, sql: str) -> None:
    # DuckDB scans the DataFrame in place under the name `_frame` for the one statement.
    raw = conn.connection.driver_connection
    raw.register("_frame", frame)
    try:
        raw.execute(sql)
    finally:
        raw.unregister("_frame")


def stage_frame(conn: Connection, name: str, frame: pd.DataFrame) -> None:
    """Copy a DataFrame into a temporary table `name` (replacing it) for set-based SQL.

    DuckDB reads the frame directly; PostgreSQL gets it through COPY. Either way the rows never
    become one Python object each.
    """
    if is_duckdb(conn):
        _duckdb_from_frame(conn, frame, f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM _frame')
        return
    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))
    cols = ", ".join(f'"{c}" {_pg_type(frame[c])}' for c in frame.columns)
    conn.execute(sa.text(f'CREATE TEMP TABLE "{name}" ({cols})'))
    append_frame(conn, name, frame)


def _pg_type(series: pd.Series) -> str:
    kind = series.dtype.kind
    if kind == "b":
        return "boolean"
    if kind in "iu":
        return "bigint"
    if kind == "f":
        return "double precision"
    if kind == "M":
        return "timestamp"
    sample = series.dropna()
    if not sample.empty:
        first = sample.iloc[0]
        if isinstance(first, dt.datetime):
            return "timestamp"
        if isinstance(first, dt.date):
            return "date"
        if isinstance(first, bool):
            return "boolean"
        if hasattr(first, "as_tuple"):
            return "numeric"
    return "text"


def create_text_table(conn: Connection, name: str, columns: list[str]) -> None:
    """Create (replacing) a temporary table `name` with an integer `_row` and text `columns`."""
    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))
    cols = ", ".join(f'"{c}" TEXT' for c in columns)
    conn.execute(sa.text(f'CREATE TEMP TABLE "{name}" ("_row" INTEGER, {cols})'))


def append_frame(conn: Connection, name: str, frame: pd.DataFrame) -> None:
    """Append a DataFrame's rows to the existing table `name` (columns matched by name).

    DuckDB scans the frame directly; PostgreSQL gets it as one CSV COPY, so a batch of rows is
    never turned into one Python object per row.
    """
    if frame.empty:
        return
    collist = ", ".join(f'"{c}"' for c in frame.columns)
    if is_duckdb(conn):
        _duckdb_from_frame(conn, frame, f'INSERT INTO "{name}" ({collist}) SELECT {collist} FROM _frame')
        return
    raw = conn.connection.driver_connection
    # Unquoted empty fields are NULL in CSV COPY; callers pass empty text as NULL.
    data = frame.to_csv(index=False, header=False, na_rep="", lineterminator="\n")
    with raw.cursor() as cur:
        with cur.copy(f'COPY "{name}" ({collist}) FROM STDIN WITH (FORMAT csv)') as copy:
            copy.write(data.encode("utf-8"))
