"""CSV downloads that are safe to open in Excel (SPEC §5).

UTF-8 with a byte-order mark (so Excel picks the encoding), and text cells that a spreadsheet
would read as a formula (OWASP CSV injection: = + - @, tab, carriage return) get a leading
apostrophe. Numbers stay numbers: a negative amount is not text and is left alone.
"""
from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that would start a formula, made inert; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV bytes (UTF-8 with BOM, header row, no index), formula cells neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_datetime64_any_dtype(safe[column])):
            safe[column] = safe[column].map(neutralise)
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
