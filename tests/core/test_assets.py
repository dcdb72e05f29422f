"""Assets: by site with filters, upcoming services overdue first, service records and who may open them."""
import datetime as dt

import pytest
import sqlalchemy as sa

from core import assets
from core.errors import NotFound, RightMissing
from core.schema import asset_services, sites
from tests.factory import add_member


def _id(conn, table, ref):
    return conn.execute(sa.select(table.c.id).where(table.c.ref == ref)).scalar_one()


def test_assets_are_client_as_only_with_next_due_date(world):
    with world.engine.connect() as conn:
        rows = assets.list_assets(world.scope("all@a.example"), conn, sort="ref").rows
    assert list(rows["ref"]) == ["A-A1", "A-A2", "A-A3"]
    assert rows.set_index("ref").at["A-A1", "next_due_on"] == world.today - dt.timedelta(days=5)


def test_assets_filter_by_site_category_and_text(world):
    scope = world.scope("all@a.example")
    with world.engine.connect() as conn:
        site2 = _id(conn, sites, "S-A2")
        assert set(assets.list_assets(scope, conn, site_id=site2).rows["ref"]) == {"A-A1", "A-A3"}
        assert assets.list_assets(scope, conn, category="HVAC").total == 0
        assert list(assets.list_assets(scope, conn, search="sn-a3").rows["ref"]) == ["A-A3"]
        assert assets.category_options(scope, conn) == ["Boilers"]


def test_site_options_are_only_the_members_own_clients_sites(world):
    with world.engine.connect() as conn:
        options = assets.site_options(world.scope("all@a.example"), conn)
        empty = assets.site_options(world.scope("all@c.example"), conn)
    assert sorted(options.values()) == ["A site 1", "A site 2"]
    assert empty == {}


def test_upcoming_services_overdue_first_then_by_due_date_within_the_window(world):
    scope = world.scope("all@a.example")
    with world.engine.connect() as conn:
        month = assets.upcoming_services(scope, conn, days=30, today=world.today).rows
        long = assets.upcoming_services(scope, conn, days=365, today=world.today).rows
    assert list(zip(month["ref"], month["state"])) == [("SV-A2", "overdue"), ("SV-A3", "due")]
    assert list(long["ref"]) == ["SV-A2", "SV-A3", "SV-A4", "SV-A6"]


def test_completed_services_newest_first_with_job(world):
    with world.engine.connect() as conn:
        rows = assets.completed_services(world.scope("all@a.example"), conn).rows
    assert list(zip(rows["ref"], rows["job_ref"])) == [("SV-A1", "J-A5"), ("SV-A5", "J-A6")]


def test_member_without_asset_right_cannot_list_assets_or_services(world):
    with world.engine.connect() as conn:
        for fn in (assets.list_assets, assets.upcoming_services, assets.completed_services, assets.due_count,
                   assets.category_options):
            with pytest.raises(RightMissing):
                fn(world.scope("invoices@a.example"), conn)


def test_service_record_of_another_client_is_not_found(world):
    with world.engine.connect() as conn:
        with pytest.raises(NotFound):
            assets.service_record(world.scope("all@a.example"), conn, _id(conn, asset_services, "SV-B1"))


def test_open_service_has_no_record(world):
    with world.engine.connect() as conn:
        with pytest.raises(NotFound):
            assets.service_record(world.scope("all@a.example"), conn, _id(conn, asset_services, "SV-A2"))


@pytest.mark.parametrize("rights, allowed", [
    (("asset_services",), True), (("completed_jobs",), True), (("job_status",), True),
    (("invoices", "documents"), False),
])
def test_service_record_is_open_to_asset_right_or_through_its_completed_job(world, rights, allowed):
    with world.engine.begin() as conn:
        add_member(conn, "rec@a.example", world.client_ids["A"], rights)
    with world.engine.connect() as conn:
        sid = _id(conn, asset_services, "SV-A1")
        if allowed:
            assert assets.service_record(world.scope("rec@a.example"), conn, sid)["ref"] == "SV-A1"
        else:
            with pytest.raises(RightMissing):
                assets.service_record(world.scope("rec@a.example"), conn, sid)
