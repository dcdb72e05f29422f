"""Staff: import the business data from files (SPEC §3 item 8, §8), check first, then apply."""
import streamlit as st

from core import importer
from ui import context

scope = context.staff_scope()
engine = context.engine()

st.title("Data import")
st.caption("One file per kind, named after it (clients.csv, sites.xlsx, jobs.parquet, …), or a ZIP of them. "
           "CSV in UTF-8 with , or ; — dates as 2026-11-27, amounts with a decimal point. "
           "An import with any problem writes nothing.")

uploads = st.file_uploader("Files or a ZIP", type=["csv", "xlsx", "parquet", "zip"], accept_multiple_files=True,
                           key="import_files")
if not uploads:
    st.info("Drop the exported files here to check them.")
    st.stop()

sources = importer.sources_from_uploads([(f.name, f.getvalue()) for f in uploads])
left, right = st.columns([1, 1])
check_clicked = left.button("Check files", key="import_check")
import_clicked = right.button("Import", type="primary", key="import_apply")
if not (check_clicked or import_clicked):
    st.stop()

bar = st.progress(0.0, text="Starting…")


def show_progress(text: str, fraction: float) -> None:
    bar.progress(min(max(fraction, 0.0), 1.0), text=text)


if import_clicked:
    report = importer.apply(scope, engine, sources, base_url=context.settings().base_url, progress=show_progress)
else:
    report = importer.check(scope, engine, sources, progress=show_progress)

if report.problems:
    more = " (only the first ones are listed)" if report.truncated else ""
    st.error(f"{len(report.problems)} problem(s) found{more}: nothing was imported.")
    st.dataframe(report.problems_frame(), hide_index=True, width="stretch")
elif report.applied:
    st.success(f"Imported. {report.notifications} notification e-mail(s) queued (see the Outbox page).")
    st.dataframe(report.summary_frame(), hide_index=True, width="stretch")
else:
    st.success("No problems found. Press Import to write these files.")
    st.dataframe(report.files_frame(), hide_index=True, width="stretch")
