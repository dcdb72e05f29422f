"""Navigation: the pages registered for each account follow its role and rights exactly."""
import pytest

from core import navigation
from core.rights import RIGHTS
from core.scope import MemberScope, StaffScope


def member(rights) -> MemberScope:
    return MemberScope(account_id=1, email="m@x.example", name="M", client_id=1, client_name="X",
                       rights=frozenset(rights))


def titles(scope) -> list[str]:
    return [p.title for p in navigation.pages_for(scope)]


def test_member_without_rights_gets_home_and_account_only():
    assert titles(member(())) == ["Home", "Account"]


@pytest.mark.parametrize("right, title", [
    ("asset_services", "Assets"), ("completed_jobs", "Completed jobs"), ("invoices", "Invoices"),
    ("work_requests", "Work requests"), ("documents", "Documents"), ("job_status", "Job status"),
])
def test_each_single_right_adds_exactly_its_page(right, title):
    assert titles(member((right,))) == ["Home", title, "Account"]


def test_member_with_all_rights_gets_every_member_page():
    assert titles(member(RIGHTS)) == ["Home", "Assets", "Completed jobs", "Invoices", "Work requests",
                                      "Documents", "Job status", "Account"]


def test_staff_gets_staff_pages_and_no_member_pages():
    pages = navigation.pages_for(StaffScope(account_id=1, email="s@x.example", name="S"))
    assert "Clients" in [p.title for p in pages]
    assert not {p.path for p in pages} & {p.path for p in navigation.MEMBER_PAGES if p.right}


def test_no_scope_gets_no_pages():
    assert navigation.pages_for(None) == []


def test_page_files_exist_and_differ_from_their_url_paths():
    # AppTest runs a page file directly when its stem equals its url path, skipping app.py.
    from core.settings import PROJECT_ROOT

    for spec in (*navigation.MEMBER_PAGES, *navigation.STAFF_PAGES):
        path = PROJECT_ROOT / spec.path
        assert path.is_file(), spec.path
        assert path.stem != spec.url_path.replace("-", "_"), spec.path
