"""Which pages an account gets: built from its role and rights, once per run.

A page a member has no right to is not in this list, so `st.navigation` never registers it and
its URL leads nowhere. (The core functions behind each page check the right again.)
"""
from __future__ import annotations

from dataclasses import dataclass

from core.scope import MemberScope, Scope, StaffScope


@dataclass(frozen=True)
class PageSpec:
    """One page the navigation may register, and the member right that registers it."""

    path: str  # file under the project root
    title: str
    icon: str
    url_path: str
    right: str | None = None  # the member right that registers this page
    section: str | None = None


MEMBER_PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/member_home.py", "Home", ":material/home:", "home"),
    PageSpec("pages/member_assets.py", "Assets", ":material/precision_manufacturing:", "assets", "asset_services"),
    PageSpec("pages/member_completed_jobs.py", "Completed jobs", ":material/task_alt:", "completed-jobs", "completed_jobs"),
    PageSpec("pages/member_invoices.py", "Invoices", ":material/receipt_long:", "invoices", "invoices"),
    PageSpec("pages/member_work_requests.py", "Work requests", ":material/build:", "work-requests", "work_requests"),
    PageSpec("pages/member_documents.py", "Documents", ":material/description:", "documents", "documents"),
    PageSpec("pages/member_job_status.py", "Job status", ":material/list_alt:", "job-status", "job_status"),
    PageSpec("pages/common_account.py", "Account", ":material/person:", "account"),
)

STAFF_PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/staff_clients.py", "Clients", ":material/groups:", "clients", section="Clients"),
    # Titles differ from the member pages "Documents" and "Work requests" (tests tell pages by title).
    PageSpec("pages/staff_documents.py", "Client documents", ":material/description:", "client-documents",
             section="Clients"),
    PageSpec("pages/staff_work_requests.py", "Work request inbox", ":material/inbox:", "work-request-inbox",
             section="Work"),
    PageSpec("pages/staff_portal_setup.py", "Portal setup", ":material/tune:", "portal-setup", section="Portal"),
    PageSpec("pages/staff_outbox.py", "Outbox", ":material/outgoing_mail:", "outbox", section="Portal"),
    PageSpec("pages/staff_audit_log.py", "Audit log", ":material/history:", "audit-log", section="Portal"),
    PageSpec("pages/staff_import.py", "Data import", ":material/upload_file:", "data-import", section="Data"),
    PageSpec("pages/common_account.py", "Account", ":material/person:", "account", section="You"),
)


def pages_for(scope: Scope) -> list[PageSpec]:
    """The pages to register for this account, in menu order."""
    if isinstance(scope, StaffScope):
        return list(STAFF_PAGES)
    if isinstance(scope, MemberScope):
        return [p for p in MEMBER_PAGES if p.right is None or p.right in scope.rights]
    return []
