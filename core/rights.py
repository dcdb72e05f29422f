"""The six access rights and three notification choices of a portal member (SPEC §3)."""
from __future__ import annotations

# key -> label on screen. The key is the column suffix in `accounts` (right_<key>, notify_<key>).
RIGHTS: dict[str, str] = {
    "asset_services": "View asset services",
    "completed_jobs": "View completed jobs",
    "invoices": "View invoices",
    "work_requests": "Create work requests",
    "documents": "View documents",
    "job_status": "View job status",
}

NOTIFICATIONS: dict[str, str] = {
    "quotes": "Quotes",
    "invoices": "Invoices",
    "jobs": "Jobs",
}

RIGHT_COLUMNS = {key: f"right_{key}" for key in RIGHTS}
NOTIFY_COLUMNS = {key: f"notify_{key}" for key in NOTIFICATIONS}


def rights_from_row(row) -> frozenset[str]:
    """The set of right keys switched on in an `accounts` row (mapping-like)."""
    return frozenset(key for key, col in RIGHT_COLUMNS.items() if row[col])


def notifications_from_row(row) -> frozenset[str]:
    """The set of notification keys switched on in an `accounts` row."""
    return frozenset(key for key, col in NOTIFY_COLUMNS.items() if row[col])
