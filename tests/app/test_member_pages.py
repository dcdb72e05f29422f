"""AppTest of the member pages: own client's rows only, unreachable without the right, empty states."""
import re

import pytest

from tests.app.helpers import app_as, registered_pages

PAGES = {
    # page file: (right, url path, title, column holding a ref). The factory's refs name their
    # client: J-A5, SV-A1, I1-A belong to client A, J-B5 to client B.
    "pages/member_assets.py": ("asset_services", "assets", "Assets", "Ref"),
    "pages/member_completed_jobs.py": ("completed_jobs", "completed-jobs", "Completed jobs", "Ref"),
    "pages/member_invoices.py": ("invoices", "invoices", "Invoices", "Invoice"),
    "pages/member_job_status.py": ("job_status", "job-status", "Job status", "Ref"),
}


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _refs(at, column):
    return [ref for frame in at.dataframe for ref in frame.value.get(column, [])]


@pytest.mark.parametrize("page", PAGES)
def test_member_of_a_with_the_right_sees_only_client_as_rows(portal_env, world, page):
    _right, _url, title, column = PAGES[page]
    at = app_as("all@a.example", page)
    _ok(at)
    assert at.title[0].value == title
    refs = _refs(at, column)
    assert refs and all(re.search(r"-A(\d|$)", ref) for ref in refs), refs
    shown = "\n".join(frame.value.to_string() for frame in at.dataframe)
    assert "NaN" not in shown and "None" not in shown and "NaT" not in shown


@pytest.mark.parametrize("page", PAGES)
def test_member_without_the_right_cannot_reach_the_page(portal_env, world, page):
    _right, url, title, _column = PAGES[page]
    at = app_as("none@a.example")
    assert url not in registered_pages(at)
    try:
        at.switch_page(page).run()
    except Exception:  # noqa: BLE001 - AppTest refuses a page st.navigation did not register
        return
    assert not any(t.value == title for t in at.title)
    assert not at.dataframe


@pytest.mark.parametrize("page", PAGES)
def test_member_of_the_empty_client_sees_an_empty_state_not_an_error(portal_env, world, page):
    at = app_as("all@c.example", page)
    _ok(at)
    assert at.info, "expected an empty-state message"
    assert not at.dataframe


def test_job_status_filter_shows_only_that_status_for_client_a(portal_env, world):
    at = app_as("all@a.example", "pages/member_job_status.py")
    at.selectbox(key="js_status").set_value("completed").run()
    _ok(at)
    frame = at.dataframe[0].value
    assert list(frame["Ref"]) == ["J-A7", "J-A6", "J-A5"]
    assert set(frame["Status"]) == {"Completed"}
    assert any(b.proto.label == "Export CSV" for b in at.get("download_button"))


def test_job_status_offers_documents_only_for_completed_jobs(portal_env, world):
    at = app_as("all@a.example", "pages/member_job_status.py")
    at.selectbox(key="js_status").set_value("in_progress").run()
    _ok(at)
    assert not any(s.key == "js_doc_job" for s in at.selectbox)
    at.selectbox(key="js_status").set_value("completed").run()
    assert at.selectbox(key="js_doc_job").options == ["J-A7", "J-A6", "J-A5"]


def test_completed_job_lists_its_documents_with_download_all(portal_env, world):
    at = app_as("all@a.example", "pages/member_completed_jobs.py")
    picker = at.selectbox(key="cj_doc_job")
    picker.select(next(option for option in picker.options if option.startswith("J-A5"))).run()
    _ok(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Download all") == 1 and labels.count("PDF") == 4


def test_invoices_show_totals_per_status_and_filter_overdue(portal_env, world):
    at = app_as("all@a.example", "pages/member_invoices.py")
    assert [m.label for m in at.metric] == ["Due", "Overdue", "Paid"]
    assert [m.value for m in at.metric] == ["€242.00", "€192.00", "€121.00"]
    at.selectbox(key="inv_status").set_value("overdue").run()
    _ok(at)
    frame = at.dataframe[0].value
    assert sorted(frame["Invoice"]) == ["I3-A", "I5-A"] and set(frame["Status"]) == {"Overdue"}
    assert any(b.proto.label == "View PDF" for b in at.get("download_button"))


def test_home_shows_figures_only_for_the_members_sections(portal_env, world):
    every = app_as("all@a.example")
    _ok(every)
    labels = [m.label for m in every.metric]
    assert "Open jobs" in labels and "Invoices overdue" in labels and "Asset services due in 30 days" in labels
    only_invoices = app_as("invoices@a.example")
    assert [m.label for m in only_invoices.metric] == ["Invoices overdue", "Overdue amount", "Invoices due"]
    nothing = app_as("none@a.example")
    _ok(nothing)
    assert not nothing.metric and nothing.info
