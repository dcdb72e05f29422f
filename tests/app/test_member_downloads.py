"""Lazy downloads re-read the account when clicked: a right removed since the page was drawn is refused."""
import pytest

from core import jobs
from core.errors import RightMissing
from core.schema import accounts
from ui.member import build_for_account


def _csv(scope, conn):
    return jobs.job_status_csv(scope, conn)


def test_download_built_with_the_current_right_contains_own_clients_jobs(world):
    data = build_for_account(world.engine, "all@a.example", None, _csv)
    assert b"J-A5" in data and b"J-B" not in data


def test_download_is_refused_once_the_right_was_removed_after_the_page_was_drawn(world):
    with world.engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.email == "all@a.example").values(right_job_status=False))
    with pytest.raises(RightMissing):
        build_for_account(world.engine, "all@a.example", None, _csv)


def test_download_is_refused_for_a_deactivated_member(world):
    with world.engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.email == "all@b.example").values(active=False))
    with pytest.raises(RightMissing):
        build_for_account(world.engine, "all@b.example", None, _csv)
