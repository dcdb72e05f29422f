"""CSV exports that are safe to open in Excel (SPEC §5).

UTF-8 with a byte-order mark (so Excel reads "€" and "ł" right), a header row, ISO dates, and
text cells that a spreadsheet would run as a formula neutralised with a leading single quote
(OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from decimal import Decimal

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that starts like a formula gets a leading quote; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(value) -> str:
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV bytes: UTF-8 with BOM, header row, ISO dates, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
