"""Values on screen are formatted for people: no NaN, None or raw decimals."""
import datetime as dt
from decimal import Decimal

import pandas as pd

from core import formatting


def test_money_dates_and_labels_read_naturally():
    assert formatting.money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert formatting.date(dt.date(2026, 11, 27)) == "27 Nov 2026"
    assert formatting.datetime(dt.datetime(2026, 11, 27, 14, 30)) == "27 Nov 2026, 14:30"
    assert formatting.label("in_progress") == "In progress"


def test_missing_values_show_as_empty_text():
    frame = pd.DataFrame({"a": [None, 1.5], "d": [pd.NaT, pd.Timestamp("2026-01-02")], "m": [None, Decimal("2")]})
    shown = formatting.table(frame, {"a": "A", "d": "D", "m": "M"}, date_cols=["d"], money_cols=["m"])
    assert shown.to_dict("list") == {"A": ["", "1.5"], "D": ["", "2 Jan 2026"], "M": ["", "€2.00"]}
    text = shown.to_string()
    assert "NaN" not in text and "None" not in text and "NaT" not in text
