"""CSV exports open safely in Excel: BOM, formula cells neutralised, numbers untouched."""
import csv
import io

import pandas as pd

from core.csvexport import to_csv_bytes


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
