"""Import: every format gives the same data, re-import changes nothing, every broken rule is reported
with file, row and reason and nothing is written."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from core import importer, loader, schema
from core.db import append_frame, make_engine
from core.schema import audit_log, clients, jobs, outbox
from tests.factory import business_frames

TODAY = dt.date(2026, 11, 27)
BASE_URL = "https://portal.example"

# table -> the column that names its rows in the files; foreign ids are compared by the ref they point to
_REF_OF = {"client_id": "clients", "site_id": "sites", "asset_id": "assets", "job_id": "jobs",
           "form_id": "workflow_forms", "quote_id": "quotes", "invoice_id": "invoices"}
_TABLES = ("clients", "sites", "assets", "jobs", "asset_services", "workflow_forms", "workflow_answers",
           "quotes", "quote_lines", "invoices", "invoice_lines")


def content(engine) -> dict[str, list[tuple]]:
    """Every business row with ids replaced by refs (ids depend on insert order, refs do not)."""
    with engine.connect() as conn:
        refs = {t: dict(conn.execute(sa.text(f"SELECT id, ref FROM {t}")).all()) for t in set(_REF_OF.values())}
        out = {}
        for table in _TABLES:
            rows = []
            for row in conn.execute(sa.text(f"SELECT * FROM {table}")).mappings():
                values = {k: refs[_REF_OF[k]].get(v) if k in _REF_OF else v for k, v in row.items()
                          if k != "id" and not (k == "created_at" and table == "clients")}
                rows.append(tuple(sorted((k, str(v)) for k, v in values.items())))
            out[table] = sorted(rows)
    return out


def outbox_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar()


def write_xlsx(path: Path, frame: pd.DataFrame) -> None:
    """Write text cells as text (openpyxl would store '=…' as a formula without a value)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if pd.isna(v) else v for v in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    book.save(path)


def write_folder(folder: Path, frames: dict[str, pd.DataFrame], fmt: str = "csv") -> Path:
    """Write SPEC §8 frames as files of one format: csv (,), csv-semicolon-bom, xlsx, parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind, frame in frames.items():
        if fmt == "csv":
            frame.to_csv(folder / f"{kind}.csv", index=False)
        elif fmt == "csv-semicolon-bom":
            frame.to_csv(folder / f"{kind}.csv", index=False, sep=";", encoding="utf-8-sig")
        elif fmt == "xlsx":
            write_xlsx(folder / f"{kind}.xlsx", frame)
        elif fmt == "parquet":
            frame.to_parquet(folder / f"{kind}.parquet", index=False)
        else:
            raise ValueError(fmt)
    return folder


def run_import(engine, path: Path, *, apply: bool = True) -> importer.Report:
    return importer.run(engine, importer.sources_from_path(path), apply=apply, base_url=BASE_URL)


@pytest.fixture
def reference(tmp_path):
    """The factory's business data imported from comma CSV into its own database."""
    eng = make_engine(f"duckdb:///{tmp_path / 'reference.duckdb'}")
    schema.init(eng)
    report = run_import(eng, write_folder(tmp_path / "ref", business_frames(TODAY)))
    assert report.ok, report.problems
    yield eng
    eng.dispose()


@pytest.mark.parametrize("fmt", ["csv", "csv-semicolon-bom", "xlsx", "parquet"])
def test_each_file_format_imports_the_same_database_content(engine, reference, tmp_path, fmt):
    folder = write_folder(tmp_path / fmt, business_frames(TODAY), fmt)

    report = run_import(engine, folder)

    assert report.ok, report.problems
    assert content(engine) == content(reference)
    assert {k.kind: k.inserted for k in report.kinds} == {k: len(f) for k, f in business_frames(TODAY).items()}


def test_typed_parquet_columns_import_like_text(engine, reference, tmp_path):
    frames = business_frames(TODAY)
    typed = {k: f.copy() for k, f in frames.items()}
    typed["invoices"]["due_on"] = pd.to_datetime(typed["invoices"]["due_on"]).dt.date
    typed["invoice_lines"]["unit_price"] = typed["invoice_lines"]["unit_price"].astype(float)
    typed["jobs"]["scheduled_for"] = pd.to_datetime(typed["jobs"]["scheduled_for"])
    report = run_import(engine, write_folder(tmp_path / "typed", typed, "parquet"))
    assert report.ok, report.problems
    assert content(engine) == content(reference)


def test_a_zip_of_the_files_imports_like_the_folder(engine, reference, tmp_path):
    folder = write_folder(tmp_path / "zipped", business_frames(TODAY))
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, f"export/{path.name}")
    report = run_import(engine, archive)
    assert report.ok, report.problems
    assert content(engine) == content(reference)


def test_uploaded_files_import_like_the_folder(engine, reference, tmp_path):
    folder = write_folder(tmp_path / "up", business_frames(TODAY))
    sources = importer.sources_from_uploads([(p.name, p.read_bytes()) for p in sorted(folder.iterdir())])
    report = importer.run(engine, sources, apply=True, base_url=BASE_URL)
    assert report.ok, report.problems
    assert content(engine) == content(reference)


def test_reimport_of_the_same_files_changes_nothing_and_queues_nothing(world, tmp_path):
    folder = write_folder(tmp_path / "same", business_frames(world.today))
    before = content(world.engine)

    report = run_import(world.engine, folder)

    assert report.ok and report.applied
    assert content(world.engine) == before
    assert all(k.inserted == 0 and k.updated == 0 and k.unchanged == k.rows for k in report.kinds)
    assert report.notifications == 0 and outbox_count(world.engine) == 0


def test_reimport_counts_updated_rows_and_only_those(world, tmp_path):
    frames = business_frames(world.today)
    frames["clients"].loc[frames["clients"]["client_ref"] == "C-B", "phone"] = "+31 6 1234 5678"
    report = run_import(world.engine, write_folder(tmp_path / "changed", {"clients": frames["clients"]}))
    assert [(k.kind, k.inserted, k.updated, k.unchanged) for k in report.kinds] == [("clients", 0, 1, 2)]
    with world.engine.connect() as conn:
        assert conn.execute(sa.select(clients.c.phone).where(clients.c.ref == "C-B")).scalar() == "+31 6 1234 5678"


def test_sample_import_folder_imports_cleanly_into_an_empty_database(engine):
    sample = Path(__file__).resolve().parents[2] / "data" / "sample-import"
    report = run_import(engine, sample)
    assert report.ok, report.problems
    assert {k.kind for k in report.kinds} == set(loader.KINDS_BY_NAME)
    assert all(k.inserted == k.rows > 0 for k in report.kinds)


def test_check_only_writes_nothing(engine, tmp_path):
    report = run_import(engine, write_folder(tmp_path / "c", business_frames(TODAY)), apply=False)
    assert report.ok and not report.applied
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(clients)).scalar() == 0


def test_import_is_recorded_in_the_audit_log(engine, tmp_path):
    run_import(engine, write_folder(tmp_path / "a", business_frames(TODAY)))
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action))]
    assert actions == ["data_imported"]


# ------------------------------------------------------------------ rule violations

def _set(kind, index, column, value):
    def change(frames):
        frames[kind].loc[index, column] = value
    return change


def _drop_column(kind, column):
    def change(frames):
        frames[kind] = frames[kind].drop(columns=[column])
    return change


def _duplicate_row(kind, index):
    def change(frames):
        frames[kind] = pd.concat([frames[kind], frames[kind].iloc[[index]]], ignore_index=True)
    return change


def _jobs_of_a_to_b(frames):
    # J-A1 exists for client A; the file now says it belongs to client B (at B's site)
    row = frames["jobs"].index[frames["jobs"]["job_ref"] == "J-A1"][0]
    frames["jobs"].loc[row, ["client_ref", "site_ref"]] = ["C-B", "S-B1"]


VIOLATIONS = [
    # id, change, file, row, column, words in the reason
    ("missing column", _drop_column("sites", "name"), "sites.csv", 1, "name", "missing column"),
    ("empty required value", _set("clients", 1, "name", ""), "clients.csv", 3, "name", "required"),
    ("duplicate ref in a file", _duplicate_row("jobs", 2), "jobs.csv", 18, "job_ref", "duplicate"),
    ("duplicate line number", _duplicate_row("invoice_lines", 0), "invoice_lines.csv", 12, "invoice_ref", "duplicate"),
    ("unknown client_ref", _set("sites", 0, "client_ref", "C-NOPE"), "sites.csv", 2, "client_ref", "unknown client_ref"),
    ("unknown site_ref", _set("jobs", 3, "site_ref", "S-NOPE"), "jobs.csv", 5, "site_ref", "unknown site_ref"),
    ("unknown asset_ref", _set("asset_services", 0, "asset_ref", "A-NOPE"), "asset_services.csv", 2, "asset_ref",
     "unknown asset_ref"),
    ("unknown job_ref", _set("quotes", 2, "job_ref", "J-NOPE"), "quotes.csv", 4, "job_ref", "unknown job_ref"),
    ("unknown quote_ref", _set("quote_lines", 1, "quote_ref", "Q-NOPE"), "quote_lines.csv", 3, "quote_ref",
     "unknown quote_ref"),
    ("unknown invoice_ref", _set("invoice_lines", 1, "invoice_ref", "I-NOPE"), "invoice_lines.csv", 3,
     "invoice_ref", "unknown invoice_ref"),
    ("unknown form_ref", _set("workflow_answers", 0, "form_ref", "F-NOPE"), "workflow_answers.csv", 2, "form_ref",
     "unknown form_ref"),
    ("site of another client", _set("jobs", 0, "site_ref", "S-B1"), "jobs.csv", 2, "site_ref", "another client"),
    ("job of another client on an invoice", _set("invoices", 0, "job_ref", "J-B5"), "invoices.csv", 2, "job_ref",
     "another client"),
    ("bad job status", _set("jobs", 1, "status", "done"), "jobs.csv", 3, "status", "unknown status 'done'"),
    ("bad quote status", _set("quotes", 0, "status", "sent"), "quotes.csv", 2, "status", "unknown status 'sent'"),
    ("bad date", _set("invoices", 2, "due_on", "27-11-2026"), "invoices.csv", 4, "due_on", "not an ISO date"),
    ("impossible date", _set("assets", 0, "installed_on", "2026-02-30"), "assets.csv", 2, "installed_on",
     "not an ISO date"),
    ("bad timestamp", _set("jobs", 0, "scheduled_for", "tomorrow 9am"), "jobs.csv", 2, "scheduled_for",
     "not an ISO date and time"),
    ("decimal comma", _set("quote_lines", 0, "unit_price", "50,00"), "quote_lines.csv", 2, "unit_price",
     "decimal point"),
    ("bad line number", _set("invoice_lines", 0, "line_no", "one"), "invoice_lines.csv", 2, "line_no",
     "whole number"),
    ("ref too long", _set("clients", 0, "client_ref", "C" * 65), "clients.csv", 2, "client_ref", "longer than 64"),
    ("existing ref moved to another client", _jobs_of_a_to_b, "jobs.csv", 2, "client_ref",
     "moving it to another client is refused"),
]


@pytest.mark.parametrize("change, file, row, column, reason", [v[1:] for v in VIOLATIONS],
                         ids=[v[0] for v in VIOLATIONS])
def test_each_broken_rule_is_reported_with_file_row_and_reason_and_nothing_is_written(
        world, tmp_path, change, file, row, column, reason):
    frames = business_frames(world.today)
    frames["clients"] = pd.concat([frames["clients"], pd.DataFrame([{
        "client_ref": "C-NEW", "name": "New client", "email": None, "phone": None, "address": None}])],
        ignore_index=True)
    frames["jobs"].loc[frames["jobs"]["job_ref"] == "J-A2", "status"] = "completed"  # would notify all@a
    change(frames)
    before = content(world.engine)

    report = run_import(world.engine, write_folder(tmp_path / "bad", frames))

    assert not report.ok and not report.applied
    found = [(p.file, p.row, p.column) for p in report.problems if reason in p.reason]
    assert (file, row, column) in found, report.problems
    assert content(world.engine) == before
    assert outbox_count(world.engine) == 0
    with world.engine.connect() as conn:
        assert conn.execute(sa.select(clients.c.id).where(clients.c.ref == "C-NEW")).first() is None


def test_a_file_with_an_unknown_name_is_reported(engine, tmp_path):
    folder = write_folder(tmp_path / "n", {"clients": business_frames(TODAY)["clients"]})
    (folder / "customers.csv").write_text("client_ref,name\nX,Y\n")
    report = run_import(engine, folder)
    assert [(p.file, p.reason.split(":")[0]) for p in report.problems] == [("customers.csv", "unknown file name")]


def test_a_file_that_is_not_utf8_is_reported(engine, tmp_path):
    folder = tmp_path / "latin1"
    folder.mkdir()
    (folder / "clients.csv").write_bytes("client_ref,name\nC-1,Café\n".encode("latin-1"))
    report = run_import(engine, folder)
    assert [(p.file, "UTF-8" in p.reason) for p in report.problems] == [("clients.csv", True)]


def test_refs_may_point_to_rows_of_the_same_import_or_the_database(world, tmp_path):
    site = pd.DataFrame([{"site_ref": "S-A9", "client_ref": "C-A", "name": "New site", "address": None}])
    job = business_frames(world.today)["jobs"].iloc[[0]].assign(job_ref="J-A99", site_ref="S-A9")
    report = run_import(world.engine, write_folder(tmp_path / "refs", {"sites": site, "jobs": job}))
    assert report.ok, report.problems
    with world.engine.connect() as conn:
        assert conn.execute(sa.select(jobs.c.client_id).where(jobs.c.ref == "J-A99")).scalar() == world.client_ids["A"]


@pytest.mark.parametrize("fmt", ["csv-semicolon-bom", "xlsx", "parquet"])
def test_large_files_are_read_in_batches(monkeypatch, engine, reference, tmp_path, fmt):
    # A batch size of 3 makes every file several batches: rows and row numbers must still add up.
    monkeypatch.setattr(importer, "BATCH_ROWS", 3)
    appended = []
    monkeypatch.setattr(importer, "append_frame", lambda conn, name, frame: (
        appended.append(len(frame)), append_frame(conn, name, frame)))
    frames = business_frames(TODAY)
    original = frames["jobs"].loc[10, "status"]
    frames["jobs"].loc[10, "status"] = "finished"
    report = run_import(engine, write_folder(tmp_path / "bad", frames, fmt))
    assert [(p.file, p.row, p.column) for p in report.problems] == [(f"jobs.{fmt.split('-')[0]}", 12, "status")]

    frames["jobs"].loc[10, "status"] = original
    appended.clear()
    report = run_import(engine, write_folder(tmp_path / "good", frames, fmt))
    assert report.ok
    assert max(appended) == 3 and sum(appended) == sum(len(f) for f in frames.values())
    assert content(engine) == content(reference)


def test_problem_report_is_capped(monkeypatch, engine, tmp_path):
    monkeypatch.setattr(importer, "MAX_PROBLEMS", 5)
    frame = pd.DataFrame({"site_ref": [f"S{i}" for i in range(20)], "client_ref": "C-NOPE", "name": "x",
                          "address": None})
    report = run_import(engine, write_folder(tmp_path / "cap", {"sites": frame}))
    assert len(report.problems) == 5 and report.truncated


def test_semicolon_csv_with_bom_reads_the_first_header(tmp_path):
    path = tmp_path / "clients.csv"
    path.write_bytes("\ufeffclient_ref;name;email;phone;address\nC-1;Zoë;;;\n".encode("utf-8"))
    batch = next(importer.read_batches(importer.sources_from_path(path)[0]))
    assert list(batch.columns) == ["client_ref", "name", "email", "phone", "address"]
    assert batch.iloc[0]["name"] == "Zoë" and pd.isna(batch.iloc[0]["email"])


def test_uploaded_zip_contributes_its_data_files_only():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("clients.csv", "client_ref,name,email,phone,address\n")
        zf.writestr("README.md", "notes")
        zf.writestr("__MACOSX/._clients.csv", "junk")
    sources = importer.sources_from_uploads([("export.zip", buf.getvalue())])
    assert [s.name for s in sources] == ["export.zip/clients.csv"]


def test_two_files_of_one_kind_are_reported(engine, tmp_path):
    folder = write_folder(tmp_path / "two", {"clients": business_frames(TODAY)["clients"]})
    write_xlsx(folder / "clients.xlsx", business_frames(TODAY)["clients"])
    report = run_import(engine, folder)
    assert [p.file for p in report.problems] == ["clients.xlsx"]
    assert "a second file for clients" in report.problems[0].reason


def test_header_names_are_matched_case_insensitively_and_extra_columns_ignored(engine, tmp_path):
    folder = tmp_path / "hdr"
    folder.mkdir()
    (folder / "Clients.CSV").write_text("Client_Ref, NAME ,Email,Phone,Address,Notes\nC-1,Zoë,,,,ignored\n")
    report = run_import(engine, folder)
    assert report.ok, report.problems
    with engine.connect() as conn:
        assert conn.execute(sa.select(clients.c.name).where(clients.c.ref == "C-1")).scalar() == "Zoë"


def test_excel_date_cells_import_as_dates(engine, tmp_path):
    frames = business_frames(TODAY)
    folder = write_folder(tmp_path / "xl", {k: frames[k] for k in ("clients", "invoices")})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frames["invoices"].columns))
    sheet.append(["I-XL", "C-A", None, dt.date(2026, 11, 1), dt.datetime(2026, 12, 1), 0, None])
    book.save(folder / "invoices.xlsx")
    (folder / "invoices.csv").unlink()
    report = run_import(engine, folder)
    assert report.ok, report.problems
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT issued_on, due_on FROM invoices WHERE ref = 'I-XL'")).one()
    assert tuple(row) == (dt.date(2026, 11, 1), dt.date(2026, 12, 1))


def test_a_csv_row_with_too_many_fields_is_reported_as_unreadable(engine, tmp_path):
    folder = tmp_path / "ragged"
    folder.mkdir()
    (folder / "clients.csv").write_text("client_ref,name,email,phone,address\nC-1,A,,,\nC-2,B,,,,x,y\n")
    report = run_import(engine, folder)
    assert [(p.file, p.reason.startswith("cannot be read as CSV")) for p in report.problems] == [("clients.csv", True)]
    assert "line 3" in report.problems[0].reason


def test_xlsx_rows_are_numbered_as_in_the_sheet_even_after_empty_rows(engine, tmp_path):
    folder = tmp_path / "gaps"
    folder.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["client_ref", "name", "email", "phone", "address"])
    sheet.append(["C-1", "One", None, None, None])
    sheet.append([None, None, None, None, None])
    sheet.append(["C-2", None, None, None, None])
    book.save(folder / "clients.xlsx")
    report = run_import(engine, folder)
    assert [(p.file, p.row, p.column) for p in report.problems] == [("clients.xlsx", 4, "name")]
