"""CSV bytes: BOM, header, ISO dates, formula cells neutralised, non-ASCII intact."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pandas as pd
import pytest

from core.csvexport import neutralise, to_csv_bytes


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+31 20", "'+31 20"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"), ("", ""), (5, 5), (None, None),
])
def test_neutralise_prefixes_only_text_that_starts_like_a_formula(value, expected):
    assert neutralise(value) == expected


def test_csv_round_trips_through_the_csv_module():
    frame = pd.DataFrame({
        "Ref": ["J-1", "J-2"], "Title": ['=HYPERLINK("http://x")', "café Zoë, Łódź, ĲSSEL €"],
        "When": [dt.datetime(2026, 11, 27, 14, 30), None], "On": [dt.date(2026, 1, 2), None],
        "Amount": [Decimal("1234.50"), Decimal("-3.00")],
    })
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Ref", "Title", "When", "On", "Amount"]
    assert rows[1] == ["J-1", "'=HYPERLINK(\"http://x\")", "2026-11-27 14:30", "2026-01-02", "1234.50"]
    assert rows[2] == ["J-2", "café Zoë, Łódź, ĲSSEL €", "", "", "-3.00"]


def test_csv_has_bom_and_neutralises_formula_cells_but_not_numbers():
    frame = pd.DataFrame({
        "text": ["=HYPERLINK(\"http://x\")", "+31 20", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "plain", "Zoë € café"],
        "amount": [-1.5, 2, 3, 4, 5, 6, 7, 8],
    })
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["text", "amount"]
    texts = [r[0] for r in rows[1:]]
    assert texts[:6] == ["'=HYPERLINK(\"http://x\")", "'+31 20", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rCR"]
    assert texts[6:] == ["plain", "Zoë € café"]
    assert rows[1][1] == "-1.5"


def test_csv_of_an_empty_frame_is_just_the_header():
    data = to_csv_bytes(pd.DataFrame(columns=["a", "=b"]))
    assert data.decode("utf-8-sig").strip() == "a,'=b"
