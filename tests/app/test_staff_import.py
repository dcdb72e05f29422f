"""Staff *Data import* page: check files first (report, nothing written), then import with a summary."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import sqlalchemy as sa

from core.schema import clients, jobs
from tests.app.helpers import app_as, registered_pages
from tests.factory import STAFF

PAGE = "pages/staff_import.py"
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample-import"


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _sample_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(SAMPLE.glob("*.csv")):
            zf.write(path, path.name)
    return buf.getvalue()


def test_staff_check_shows_file_row_and_reason_and_writes_nothing(portal_env, world):
    bad = "job_ref,client_ref,site_ref,title,description,status,technician,scheduled_for,completed_at,created_at\n" \
          "J-NEW,C-A,S-A1,New job,,done,,,,\n"
    at = app_as(STAFF, page=PAGE)
    at.file_uploader[0].set_value([("jobs.csv", bad.encode(), "text/csv")])
    at.run()
    _button(at, "Check files").click()
    at.run()

    assert not at.exception
    problems = at.dataframe[0].value
    assert list(problems.iloc[0][["File", "Row", "Column"]]) == ["jobs.csv", 2, "status"]
    assert "unknown status 'done'" in problems.iloc[0]["Reason"]
    assert any("nothing was imported" in e.value for e in at.error)
    with world.engine.connect() as conn:
        assert conn.execute(sa.select(jobs.c.id).where(jobs.c.ref == "J-NEW")).first() is None


def test_staff_imports_a_zip_and_sees_inserted_updated_unchanged_per_kind(portal_env, world):
    at = app_as(STAFF, page=PAGE)
    at.file_uploader[0].set_value([("export.zip", _sample_zip(), "application/zip")])
    at.run()
    _button(at, "Import").click()
    at.run()

    assert not at.exception
    summary = at.dataframe[0].value.set_index("Kind")
    assert summary.loc["clients", "Inserted"] == 2
    assert {"Inserted", "Updated", "Unchanged"} <= set(summary.columns)
    assert any("Imported" in s.value for s in at.success)
    with world.engine.connect() as conn:
        assert conn.execute(sa.select(clients.c.id).where(clients.c.ref == "CL-100")).first() is not None


def test_data_import_page_is_registered_for_staff_only(portal_env, world):
    assert "Data import" in registered_pages(app_as(STAFF))
    assert "Data import" not in registered_pages(app_as("all@a.example"))
