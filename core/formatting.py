"""Money, dates and statuses written for people (Babel), never raw decimals, NaN or None.

One locale for the whole portal: the screens are in English, so amounts and dates follow en_GB
("€1,234.56", "27 Nov 2026"). CSV exports keep ISO dates and plain decimals instead.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable, Mapping

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

LOCALE = "en_GB"


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def money(amount, currency: str = "EUR") -> str:
    """An amount with its currency symbol, e.g. "€1,234.56"; empty for no amount."""
    if _missing(amount):
        return ""
    return format_currency(Decimal(str(amount)), currency, locale=LOCALE)


def number(value) -> str:
    """A plain number with grouping, e.g. "1,234"; empty for no value."""
    if _missing(value):
        return ""
    return format_decimal(value, locale=LOCALE)


def date(value) -> str:
    """A date as "27 Nov 2026"; empty for no date."""
    if _missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, "d MMM yyyy", locale=LOCALE)


def datetime(value) -> str:
    """A timestamp as "27 Nov 2026, 14:30"; empty for none."""
    if _missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if not isinstance(value, dt.datetime):
        return date(value)
    return format_datetime(value, "d MMM yyyy, HH:mm", locale=LOCALE)


def label(code) -> str:
    """A status code as words: "in_progress" -> "In progress"."""
    if _missing(code):
        return ""
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


def text(value) -> str:
    """Any value as text; empty for none."""
    return "" if _missing(value) else str(value)


def table(frame: pd.DataFrame, columns: Mapping[str, str], *, money_cols: Iterable[str] = (),
          date_cols: Iterable[str] = (), datetime_cols: Iterable[str] = (), label_cols: Iterable[str] = (),
          currency: str = "EUR") -> pd.DataFrame:
    """A display copy of `frame`: only `columns` (name -> heading), every cell formatted as text."""
    kinds = {**{c: "money" for c in money_cols}, **{c: "date" for c in date_cols},
             **{c: "datetime" for c in datetime_cols}, **{c: "label" for c in label_cols}}
    formatters = {
        "money": lambda v: money(v, currency), "date": date, "datetime": datetime, "label": label,
    }
    out = {}
    for name, heading in columns.items():
        fmt = formatters.get(kinds.get(name, ""), text)
        out[heading] = [fmt(v) for v in frame[name]] if name in frame else []
    return pd.DataFrame(out, columns=list(columns.values()))
