"""Import of the business data from files (SPEC §8): read, check every rule, then apply.

Files are CSV (UTF-8, BOM tolerated, comma or semicolon), XLSX or Parquet, one per kind, named
after the kind (`clients.csv`, `sites.xlsx`, …), given as a folder, one file, a ZIP or uploads.
Each file is read in batches by pandas/pyarrow readers, checked value by value with vectorised
pandas operations, and appended to a staging table; the rules between rows and files (duplicate
refs, unknown refs, sites of another client, a record moving to another client) are then checked
in SQL over the staging tables. Only when no rule is broken are the rows written, through
`core.loader`, in the same single transaction that queues the notifications: an import with
errors writes nothing.
"""
from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from core import audit, loader, notifications
from core import schema as schema_core
from core.db import append_frame, create_text_table
from core.scope import StaffScope, require_staff

FORMATS = {".csv": "CSV", ".xlsx": "XLSX", ".parquet": "Parquet"}
BATCH_ROWS = 100_000
MAX_PROBLEMS = 1_000
FIRST_DATA_ROW = 2  # row 1 is the header, as a spreadsheet numbers it

Progress = Callable[[str, float], None]

# Per-column value rules (the column names mean the same in every file that has them).
DATE_COLUMNS = {"installed_on", "due_on", "completed_on", "issued_on", "valid_until", "paid_on"}
TIMESTAMP_COLUMNS = {"scheduled_for", "completed_at", "created_at"}
# column -> largest magnitude that fits its NUMERIC type
NUMBER_COLUMNS = {"quantity": 10**9, "unit_price": 10**12, "amount_paid": 10**12, "vat_rate": 1000}
INTEGER_COLUMNS = {"line_no", "position"}
STATUSES = {("jobs", "status"): schema_core.JOB_STATUSES, ("quotes", "status"): schema_core.QUOTE_STATUSES}
REF_LENGTH = 64

REQUIRED: dict[str, tuple[str, ...]] = {
    "clients": ("client_ref", "name"),
    "sites": ("site_ref", "client_ref", "name"),
    "assets": ("asset_ref", "client_ref", "site_ref", "name"),
    "asset_services": ("service_ref", "asset_ref", "service_type", "due_on"),
    "jobs": ("job_ref", "client_ref", "site_ref", "title", "status"),
    "workflow_forms": ("form_ref", "job_ref", "name"),
    "workflow_answers": ("form_ref", "position", "question"),
    "quotes": ("quote_ref", "client_ref", "title", "status"),
    "quote_lines": ("quote_ref", "line_no", "description", "quantity", "unit_price", "vat_rate"),
    "invoices": ("invoice_ref", "client_ref", "issued_on", "due_on"),
    "invoice_lines": ("invoice_ref", "line_no", "description", "quantity", "unit_price", "vat_rate"),
}

# The columns that identify a row within its file (a duplicate of them is an error).
KEYS: dict[str, tuple[str, ...]] = {
    k.name: k.columns[:1] for k in loader.KINDS
} | {"quote_lines": ("quote_ref", "line_no"), "invoice_lines": ("invoice_ref", "line_no"),
     "workflow_answers": ("form_ref", "position")}

# (kind, column, kind the column refers to): the ref must be in the database or in this import.
REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("sites", "client_ref", "clients"),
    ("assets", "client_ref", "clients"), ("assets", "site_ref", "sites"),
    ("asset_services", "asset_ref", "assets"), ("asset_services", "job_ref", "jobs"),
    ("jobs", "client_ref", "clients"), ("jobs", "site_ref", "sites"),
    ("workflow_forms", "job_ref", "jobs"),
    ("workflow_answers", "form_ref", "workflow_forms"),
    ("quotes", "client_ref", "clients"), ("quotes", "job_ref", "jobs"),
    ("quote_lines", "quote_ref", "quotes"),
    ("invoices", "client_ref", "clients"), ("invoices", "job_ref", "jobs"),
    ("invoice_lines", "invoice_ref", "invoices"),
)

# (kind, column naming a site/job, kind of that record): it must belong to the row's client.
SAME_CLIENT: tuple[tuple[str, str, str], ...] = (
    ("assets", "site_ref", "sites"), ("jobs", "site_ref", "sites"),
    ("quotes", "job_ref", "jobs"), ("invoices", "job_ref", "jobs"),
)

# Kinds whose rows carry their client directly (an existing ref may not move to another client).
CLIENT_OWNED = ("sites", "assets", "jobs", "quotes", "invoices")


@dataclass(frozen=True)
class Source:
    """One file to import: the name shown in the report and how to open its bytes."""

    name: str
    opener: Callable[[], BinaryIO]

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    @property
    def kind(self) -> str | None:
        stem = Path(self.name).stem.strip().lower()
        return stem if stem in loader.KINDS_BY_NAME else None


@dataclass(frozen=True)
class Problem:
    """A broken rule: which file, which row (as numbered in the file, header = 1), why."""

    file: str
    row: int | None
    column: str | None
    reason: str


@dataclass(frozen=True)
class KindResult:
    """What the import did (or would stage) for one kind."""

    kind: str
    file: str
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass
class Report:
    """The outcome of checking (and maybe applying) one import."""

    problems: list[Problem] = field(default_factory=list)
    truncated: bool = False  # more problems than MAX_PROBLEMS were found
    kinds: list[KindResult] = field(default_factory=list)
    applied: bool = False
    notifications: int = 0  # e-mails queued

    @property
    def ok(self) -> bool:
        return not self.problems

    def problems_frame(self) -> pd.DataFrame:
        """The problems as a table: File, Row, Column, Reason."""
        return pd.DataFrame(
            [(p.file, p.row, p.column or "", p.reason) for p in self.problems],
            columns=["File", "Row", "Column", "Reason"],
        ).astype({"Row": "Int64"})

    def files_frame(self) -> pd.DataFrame:
        """The files found: kind, file, rows."""
        return pd.DataFrame([(k.kind, k.file, k.rows) for k in self.kinds], columns=["Kind", "File", "Rows"])

    def summary_frame(self) -> pd.DataFrame:
        """Rows per kind: inserted / updated / unchanged (and lines removed)."""
        return pd.DataFrame(
            [(k.kind, k.file, k.rows, k.inserted, k.updated, k.unchanged, k.removed) for k in self.kinds],
            columns=["Kind", "File", "Rows", "Inserted", "Updated", "Unchanged", "Lines removed"],
        )


class _Problems:
    """Collects problems up to MAX_PROBLEMS and remembers whether more were found."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.truncated = False

    @property
    def room(self) -> int:
        return MAX_PROBLEMS - len(self.items)

    def add(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        if self.room > 0:
            self.items.append(Problem(file, row, column, reason))
        else:
            self.truncated = True

    def add_where(self, file: str, column: str, rows: pd.Series, values: pd.Series, mask: pd.Series,
                  reason: Callable[[object], str]) -> None:
        """Report the rows where `mask` holds; only as many become objects as the report can list."""
        count = int(mask.sum())
        if not count:
            return
        take = min(count, max(self.room, 0) + 1)  # one more than fits marks the report truncated
        for row, value in zip(rows[mask].head(take), values[mask].head(take)):
            self.add(file, int(row), column, reason(value))


# ---------------------------------------------------------------- sources


def _is_data_file(name: str) -> bool:
    base = Path(name).name
    return (Path(name).suffix.lower() in FORMATS and not base.startswith((".", "~$"))
            and "__MACOSX" not in Path(name).parts)


def _zip_sources(opener: Callable[[], BinaryIO], zip_name: str) -> list[Source]:
    with opener() as fh, zipfile.ZipFile(fh) as zf:
        members = [i.filename for i in zf.infolist() if not i.is_dir() and _is_data_file(i.filename)]

    def member_opener(member: str) -> Callable[[], BinaryIO]:
        def open_member() -> BinaryIO:
            with opener() as fh, zipfile.ZipFile(fh) as zf:
                return io.BytesIO(zf.read(member))
        return open_member

    return [Source(f"{zip_name}/{m}", member_opener(m)) for m in sorted(members)]


def sources_from_path(path: Path | str) -> list[Source]:
    """The files of a folder (data files only), a ZIP's data files, or one file."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and _is_data_file(p.name))
        return [Source(p.name, lambda p=p: p.open("rb")) for p in files]
    if path.suffix.lower() == ".zip":
        return _zip_sources(lambda: path.open("rb"), path.name)
    return [Source(path.name, lambda: path.open("rb"))]


def sources_from_uploads(files: Iterable[tuple[str, bytes]]) -> list[Source]:
    """Sources from uploaded (name, bytes) pairs; a ZIP contributes its data files."""
    sources: list[Source] = []
    for name, data in files:
        if Path(name).suffix.lower() == ".zip":
            sources += _zip_sources(lambda data=data: io.BytesIO(data), Path(name).name)
        else:
            sources.append(Source(Path(name).name, lambda data=data: io.BytesIO(data)))
    return sources


# ---------------------------------------------------------------- reading


def _csv_delimiter(fh: BinaryIO) -> str:
    header = fh.readline(1 << 16).decode("utf-8-sig", errors="replace")
    fh.seek(0)
    return ";" if header.count(";") > header.count(",") else ","


def _as_text(table: pa.Table) -> pd.DataFrame:
    # Typed Parquet columns (dates, numbers) become their text form; nulls stay null.
    columns = {name: pc.cast(table.column(name), pa.string()) if not pa.types.is_string(table.column(name).type)
               else table.column(name) for name in table.column_names}
    return pa.table(columns).to_pandas(types_mapper=lambda t: pd.StringDtype() if t == pa.string() else None)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _numbered(frame: pd.DataFrame, numbers: list[int]) -> pd.DataFrame:
    frame.attrs["file_rows"] = numbers
    return frame


def _xlsx_batches(data: BinaryIO, batch_rows: int) -> Iterator[pd.DataFrame]:
    # openpyxl's read-only mode streams the sheet; date cells become ISO text. Empty rows are
    # skipped, and attrs["file_rows"] keeps the sheet's own row numbers for the report.
    book = openpyxl.load_workbook(data, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h) if h is not None else "" for h in next(rows, ())]
        batch: list[list[str | None]] = []
        numbers: list[int] = []
        for number, values in enumerate(rows, start=FIRST_DATA_ROW):
            cells = [_cell_text(v) for v in values[:len(header)]]
            if any(c is not None and c.strip() for c in cells):
                batch.append(cells + [None] * (len(header) - len(cells)))
                numbers.append(number)
            if len(batch) == batch_rows:
                yield _numbered(pd.DataFrame(batch, columns=header, dtype="string"), numbers)
                batch, numbers = [], []
        if batch or not numbers:
            yield _numbered(pd.DataFrame(batch, columns=header, dtype="string"), numbers)
    finally:
        book.close()


def read_batches(source: Source, batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The file's rows as text DataFrames of at most `batch_rows` rows (empty cells are NA).

    A frame may carry attrs["file_rows"], the rows' numbers in the file, where they are not simply
    consecutive (XLSX skips empty rows).
    """
    batch_rows = batch_rows or BATCH_ROWS
    suffix = source.suffix
    if suffix == ".csv":
        with source.opener() as fh:
            if not fh.seekable():
                fh = io.BytesIO(fh.read())
            sep = _csv_delimiter(fh)
            reader = pd.read_csv(fh, sep=sep, dtype="string", encoding="utf-8-sig", keep_default_na=False,
                                 na_values=[""], chunksize=batch_rows, skip_blank_lines=True)
            with reader:
                yield from reader
    elif suffix == ".xlsx":
        with source.opener() as fh:
            yield from _xlsx_batches(io.BytesIO(fh.read()), batch_rows)
    elif suffix == ".parquet":
        with source.opener() as fh:
            parquet = pq.ParquetFile(fh if fh.seekable() else io.BytesIO(fh.read()))
            empty = True
            for batch in parquet.iter_batches(batch_size=batch_rows):
                empty = False
                yield _as_text(pa.Table.from_batches([batch]))
            if empty:
                yield _as_text(parquet.schema_arrow.empty_table())
    else:
        raise ValueError(f"not a CSV, XLSX or Parquet file: {source.name}")


# ---------------------------------------------------------------- value checks (vectorised)

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_INTEGER = r"\d+"


def _max_length(kind: str, column: str) -> int | None:
    if column.endswith("_ref"):
        return REF_LENGTH
    col = schema_core.metadata.tables[kind].c.get(column)
    return getattr(col.type, "length", None) if col is not None else None


def _shown(value: object, limit: int = 40) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _parse_datetimes(values: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
    return parsed.dt.tz_localize(None)


def _check_values(kind: str, frame: pd.DataFrame, present: set[str], file: str,
                  problems: _Problems) -> pd.DataFrame:
    """Check one batch's values, report problems, and return it in canonical text form."""
    rows = frame["_row"]
    for col in loader.KINDS_BY_NAME[kind].columns:
        if col not in present:
            continue
        values = frame[col]
        filled = values.notna()

        def report(mask: pd.Series, reason: Callable[[object], str], col: str = col, values: pd.Series = values):
            problems.add_where(file, col, rows, values, mask, reason)

        if col in REQUIRED[kind]:
            report(~filled, lambda v: "is required (empty)")
        limit = _max_length(kind, col)
        if limit:
            report(filled & (values.str.len() > limit), lambda v, limit=limit: f"is longer than {limit} characters")
        if col in DATE_COLUMNS or col in TIMESTAMP_COLUMNS:
            parsed = _parse_datetimes(values)
            is_date = col in DATE_COLUMNS
            bad = filled & (parsed.isna() | (is_date & (parsed != parsed.dt.normalize())))
            expected = "an ISO date (YYYY-MM-DD)" if is_date else "an ISO date and time (YYYY-MM-DD HH:MM)"
            report(bad, lambda v, expected=expected: f"'{_shown(v)}' is not {expected}")
            frame[col] = parsed.dt.strftime("%Y-%m-%d" if is_date else "%Y-%m-%d %H:%M:%S").where(~bad)
        elif col in NUMBER_COLUMNS:
            bad = filled & ~values.str.fullmatch(_NUMBER).fillna(False).astype(bool)
            number = pd.to_numeric(values.where(~bad), errors="coerce")
            too_big = filled & ~bad & (number.abs() >= NUMBER_COLUMNS[col])
            report(bad, lambda v: f"'{_shown(v)}' is not a number with a decimal point")
            report(too_big, lambda v: f"'{_shown(v)}' is too large")
            frame[col] = values.where(~(bad | too_big))
        elif col in INTEGER_COLUMNS:
            bad = filled & ~values.str.fullmatch(_INTEGER).fillna(False).astype(bool)
            bad |= filled & (values.str.len() > 9)
            report(bad, lambda v: f"'{_shown(v)}' is not a whole number")
            frame[col] = pd.to_numeric(values.where(~bad), errors="coerce").astype("Int64").astype("string")
        elif (kind, col) in STATUSES:
            allowed = STATUSES[(kind, col)]
            lowered = values.str.lower()
            bad = filled & ~lowered.isin(allowed)
            report(bad, lambda v, allowed=allowed:
                   f"unknown status '{_shown(v)}' (expected one of: {', '.join(allowed)})")
            frame[col] = lowered.where(~bad)
    return frame


def _canonical(batch: pd.DataFrame, columns: tuple[str, ...]) -> tuple[pd.DataFrame, set[str]]:
    """Normalise header names, keep the kind's columns (missing ones empty), trim text."""
    batch = batch.rename(columns=lambda c: str(c).strip().lower())
    present = {c for c in columns if c in batch.columns}
    out = pd.DataFrame(index=batch.index)
    for col in columns:
        if col in present:
            text = batch[col].astype("string").str.strip()
            out[col] = text.mask(text == "")
        else:
            out[col] = pd.Series(pd.NA, index=batch.index, dtype="string")
    return out, present


# ---------------------------------------------------------------- staging and rule checks


def _stage_file(conn: Connection, source: Source, kind: str, problems: _Problems,
                progress: Callable[[int], None]) -> int:
    """Read, check and stage one file; returns its row count."""
    columns = loader.KINDS_BY_NAME[kind].columns
    staged = 0
    present: set[str] | None = None
    try:
        for batch in read_batches(source):
            frame, batch_present = _canonical(batch, columns)
            if present is None:
                present = batch_present
                for col in columns:
                    if col not in present:
                        problems.add(source.name, 1, col, "missing column")
            frame = frame.reset_index(drop=True)
            if "file_rows" in batch.attrs:
                numbers = batch.attrs["file_rows"]
            else:
                numbers = pd.RangeIndex(staged + FIRST_DATA_ROW, staged + FIRST_DATA_ROW + len(frame))
            frame.insert(0, "_row", numbers)
            frame = _check_values(kind, frame, present, source.name, problems)
            append_frame(conn, f"stage_{kind}", frame)
            staged += len(frame)
            progress(staged)
    except UnicodeDecodeError:
        problems.add(source.name, None, None, "cannot be read: not UTF-8 text")
    except (ValueError, pd.errors.ParserError, pa.ArrowException, zipfile.BadZipFile, OSError) as exc:
        problems.add(source.name, None, None,
                     f"cannot be read as {FORMATS.get(source.suffix, 'data')}: {_shown(exc, 200)}")
    return staged


def _owner_sql(kind: str) -> str:
    """(ref, client_ref) of every record of `kind` as it will be after this import."""
    ref = loader.KINDS_BY_NAME[kind].columns[0]
    if kind in ("sites", "assets", "jobs"):
        return (f"SELECT {ref} AS ref, client_ref FROM stage_{kind} "
                f"UNION ALL SELECT t.ref, c.ref FROM {kind} t JOIN clients c ON c.id = t.client_id "
                f"WHERE NOT EXISTS (SELECT 1 FROM stage_{kind} x WHERE x.{ref} = t.ref)")
    raise ValueError(kind)


def _query(conn: Connection, sql: str, problems: _Problems) -> list:
    return conn.execute(sa.text(f"{sql} ORDER BY 1 LIMIT {max(problems.room, 0) + 1}")).all()


def _check_rules(conn: Connection, files: dict[str, str], problems: _Problems) -> None:
    """The rules between rows and files, checked in SQL over the staging tables."""
    for kind, file in files.items():
        key = KEYS[kind]
        match = " AND ".join(f"s.{c} = d.{c}" for c in key)
        for row, first, *values in _query(conn, f"""
                SELECT s._row, d.first_row, {', '.join(f's.{c}' for c in key)}
                FROM stage_{kind} s JOIN (
                    SELECT {', '.join(key)}, MIN(_row) AS first_row FROM stage_{kind}
                    GROUP BY {', '.join(key)} HAVING COUNT(*) > 1) d ON {match}
                WHERE s._row > d.first_row""", problems):
            shown = " / ".join(str(v) for v in values)
            problems.add(file, row, key[0], f"duplicate {' / '.join(key)} '{_shown(shown)}' (first on row {first})")

    for kind, col, target in REFERENCES:
        if kind not in files:
            continue
        target_ref = loader.KINDS_BY_NAME[target].columns[0]
        for row, value in _query(conn, f"""
                SELECT s._row, s.{col} FROM stage_{kind} s
                WHERE s.{col} IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.ref = s.{col})
                  AND NOT EXISTS (SELECT 1 FROM stage_{target} x WHERE x.{target_ref} = s.{col})""", problems):
            problems.add(files[kind], row, col, f"unknown {col} '{_shown(value)}'")

    for kind, col, target in SAME_CLIENT:
        if kind not in files:
            continue
        for row, value, owner in _query(conn, f"""
                SELECT DISTINCT s._row, s.{col}, o.client_ref FROM stage_{kind} s
                JOIN ({_owner_sql(target)}) o ON o.ref = s.{col}
                WHERE o.client_ref <> s.client_ref""", problems):
            problems.add(files[kind], row, col, f"{col} '{_shown(value)}' belongs to another client ({owner})")
    if "asset_services" in files:
        for row, value, owner in _query(conn, f"""
                SELECT DISTINCT s._row, s.job_ref, jo.client_ref FROM stage_asset_services s
                JOIN ({_owner_sql('assets')}) ao ON ao.ref = s.asset_ref
                JOIN ({_owner_sql('jobs')}) jo ON jo.ref = s.job_ref
                WHERE jo.client_ref <> ao.client_ref""", problems):
            problems.add(files["asset_services"], row, "job_ref",
                         f"job_ref '{_shown(value)}' belongs to another client ({owner}) than the asset")

    for kind in CLIENT_OWNED:
        if kind not in files:
            continue
        ref = loader.KINDS_BY_NAME[kind].columns[0]
        for row, value, current in _query(conn, f"""
                SELECT s._row, s.{ref}, c.ref FROM stage_{kind} s
                JOIN {kind} t ON t.ref = s.{ref} JOIN clients c ON c.id = t.client_id
                WHERE c.ref <> s.client_ref""", problems):
            problems.add(files[kind], row, "client_ref",
                         f"{ref} '{_shown(value)}' belongs to client {current}; moving it to another client is refused")
    for kind, parent, parent_col in (("asset_services", "assets", "asset_ref"), ("workflow_forms", "jobs", "job_ref")):
        if kind not in files:
            continue
        ref = loader.KINDS_BY_NAME[kind].columns[0]
        for row, value, current in _query(conn, f"""
                SELECT DISTINCT s._row, s.{ref}, c.ref FROM stage_{kind} s
                JOIN {kind} t ON t.ref = s.{ref} JOIN clients c ON c.id = t.client_id
                JOIN ({_owner_sql(parent)}) o ON o.ref = s.{parent_col}
                WHERE o.client_ref <> c.ref""", problems):
            problems.add(files[kind], row, parent_col,
                         f"{ref} '{_shown(value)}' belongs to client {current}; moving it to another client is refused")


def _stage_all(conn: Connection, sources: list[Source], problems: _Problems,
               progress: Progress) -> tuple[dict[str, str], dict[str, int]]:
    """Stage every file (all kinds get a staging table, empty when absent); returns kind -> file."""
    for kind in loader.KINDS:
        create_text_table(conn, f"stage_{kind.name}", list(kind.columns))
    first: dict[str, Source] = {}  # kind -> the file that provides it
    for source in sources:
        if source.suffix not in FORMATS:
            problems.add(source.name, None, None, "not a CSV, XLSX or Parquet file")
        elif source.kind is None:
            problems.add(source.name, None, None, "unknown file name: expected one of "
                                                  + ", ".join(k.name for k in loader.KINDS))
        elif source.kind in first:
            problems.add(source.name, None, None,
                         f"a second file for {source.kind} (first: {first[source.kind].name})")
        else:
            first[source.kind] = source
    todo = [first[k.name] for k in loader.KINDS if k.name in first]  # parents before children
    files = {source.kind: source.name for source in todo}
    rows: dict[str, int] = {}
    share = 0.5 / max(len(todo), 1)
    for n, source in enumerate(todo):
        def step(count: int, n=n, source=source) -> None:
            progress(f"Reading {source.name}: {count:,} rows", min(0.5, share * n + share * 0.9))

        progress(f"Reading {source.name}", share * n)
        rows[source.kind] = _stage_file(conn, source, source.kind, problems, step)
    if not files and not problems.items:
        problems.add("", None, None, "no import files found (expected "
                     + ", ".join(f"{k.name}.csv" for k in loader.KINDS[:3]) + ", …)")
    return files, rows


def _drop_staging(conn: Connection) -> None:
    for kind in loader.KINDS:
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "stage_{kind.name}"'))
    notifications.drop_staged_events(conn)


# ---------------------------------------------------------------- the import


def run(engine: Engine, sources: list[Source], *, apply: bool, base_url: str,
        actor: StaffScope | None = None, progress: Progress | None = None) -> Report:
    """Check every rule over all files; with `apply` and no problems, write it all in one transaction.

    Returns the report: problems (file, row, column, reason), per-kind counts, e-mails queued.
    """
    progress = progress or (lambda text, fraction: None)
    problems = _Problems()
    report = Report()
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            files, rows = _stage_all(conn, sources, problems, progress)
            progress("Checking references", 0.5)
            _check_rules(conn, files, problems)
            report.problems = sorted(problems.items, key=lambda p: (p.file, p.row or 0))
            report.truncated = problems.truncated
            if problems.items or not apply:
                report.kinds = [KindResult(k, files[k], rows.get(k, 0)) for k in files]
                tx.rollback()
                progress("Checked", 1.0)
                return report
            notifications.stage_events(conn)
            todo = [k for k in loader.KINDS if k.name in files]
            for n, kind in enumerate(todo):
                progress(f"Writing {kind.name}", 0.55 + 0.4 * n / len(todo))
                written = loader.write_staged(conn, kind, rows[kind.name])
                report.kinds.append(KindResult(kind.name, files[kind.name], written.staged, written.inserted,
                                               written.updated, written.unchanged, written.removed))
            progress("Queueing notifications", 0.95)
            import_id = uuid.uuid4().hex
            report.notifications = notifications.queue_for_import(conn, import_id, base_url=base_url)
            details = {k.kind: {"inserted": k.inserted, "updated": k.updated, "unchanged": k.unchanged}
                       for k in report.kinds}
            details["notifications"] = report.notifications
            target = _shown(", ".join(files.values()), 300)
            if actor is not None:
                audit.record_for(conn, actor, "data_imported", target=target, details=details)
            else:
                audit.record(conn, "data_imported", actor_email="command line", target=target, details=details)
            _drop_staging(conn)
            tx.commit()
        except BaseException:
            if tx.is_active:
                tx.rollback()
            raise
    report.applied = True
    progress("Done", 1.0)
    return report


def check(scope: StaffScope, engine: Engine, sources: list[Source], *,
          progress: Progress | None = None) -> Report:
    """Staff: the validation report of these files; nothing is written."""
    require_staff(scope)
    return run(engine, sources, apply=False, base_url="", actor=scope, progress=progress)


def apply(scope: StaffScope, engine: Engine, sources: list[Source], *, base_url: str,
          progress: Progress | None = None) -> Report:
    """Staff: check and, when every rule holds, import these files (one transaction)."""
    require_staff(scope)
    return run(engine, sources, apply=True, base_url=base_url, actor=scope, progress=progress)


def format_report(report: Report) -> str:
    """The report as plain text (command line)."""
    lines: list[str] = []
    if report.problems:
        lines.append(f"{len(report.problems)}{'+' if report.truncated else ''} problem(s); nothing was imported:")
        for p in report.problems:
            where = p.file + (f", row {p.row}" if p.row is not None else "") + (f", {p.column}" if p.column else "")
            lines.append(f"  {where}: {p.reason}")
        if report.truncated:
            lines.append(f"  … only the first {MAX_PROBLEMS:,} problems are listed")
        return "\n".join(lines)
    lines.append(f"{'kind':>18} {'rows':>10} {'inserted':>10} {'updated':>10} {'unchanged':>10}")
    for k in report.kinds:
        lines.append(f"{k.kind:>18} {k.rows:>10,} {k.inserted:>10,} {k.updated:>10,} {k.unchanged:>10,}"
                     + (f"  ({k.removed:,} lines removed)" if k.removed else ""))
    if report.applied:
        lines.append(f"{report.notifications:,} notification e-mail(s) queued")
    else:
        lines.append("checked: no problems (nothing written)")
    return "\n".join(lines)

