"""Assets and their services as a member sees them (*View asset services*).

Assets by site, upcoming services (overdue first, then by due date) and completed services,
whose records download as PDF. The client filter is in every query.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import db
from core.errors import NotFound, RightMissing
from core.filters import date_between, text_search
from core.jobs import DOCUMENT_RIGHTS, require_document_access
from core.paging import DEFAULT_PAGE_SIZE, Page, fetch, order_by
from core.rights import RIGHTS
from core.schema import asset_services, assets, clients, jobs, sites
from core.scope import MemberScope, require_member

_ASSET_SORTS = {
    "name": assets.c.name, "ref": assets.c.ref, "site": sites.c.name, "category": assets.c.category,
    "installed": assets.c.installed_on,
}
ASSET_SORT_CHOICES = tuple(_ASSET_SORTS)


def _own_site(scope: MemberScope, site_id_column) -> sa.ColumnElement:
    # Join condition for a row's site that also holds the member's client: a site of another
    # client (bad data) never lends its name or address to this member's rows.
    return sa.and_(sites.c.id == site_id_column, sites.c.client_id == scope.client_id)


# Pages whose filters offer the client's sites.
SITE_FILTER_RIGHTS = frozenset({"asset_services", "completed_jobs", "job_status"})


def site_options(scope: MemberScope, conn: Connection) -> dict[int, str]:
    """The member's own client's active sites (id -> name) for filters, by name."""
    if not isinstance(scope, MemberScope) or not scope.rights & SITE_FILTER_RIGHTS:
        raise RightMissing(RIGHTS["asset_services"])
    rows = conn.execute(
        sa.select(sites.c.id, sites.c.name)
        .where(sites.c.client_id == scope.client_id, sites.c.active.is_(True))
        .order_by(sites.c.name, sites.c.id)
    ).all()
    return {r.id: r.name for r in rows}


def category_options(scope: MemberScope, conn: Connection) -> list[str]:
    """The asset categories the client's assets use, for the filter."""
    require_member(scope, "asset_services")
    return [r[0] for r in conn.execute(
        sa.select(assets.c.category).distinct()
        .where(assets.c.client_id == scope.client_id, assets.c.category.is_not(None))
        .order_by(assets.c.category)
    )]


def list_assets(scope: MemberScope, conn: Connection, *, site_id: int | None = None, category: str | None = None,
                search: str = "", sort: str = "site", descending: bool = False, page: int = 1,
                page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of the client's assets with their site and next open service due date."""
    require_member(scope, "asset_services")
    next_due = (
        sa.select(asset_services.c.asset_id, sa.func.min(asset_services.c.due_on).label("next_due_on"))
        .where(asset_services.c.client_id == scope.client_id, asset_services.c.completed_on.is_(None))
        .group_by(asset_services.c.asset_id).subquery()
    )
    query = (
        sa.select(assets.c.id, assets.c.ref, assets.c.name, sites.c.name.label("site"), assets.c.category,
                  assets.c.make, assets.c.model, assets.c.serial_number, assets.c.installed_on,
                  next_due.c.next_due_on)
        .select_from(assets.join(sites, sites.c.id == assets.c.site_id)
                     .outerjoin(next_due, next_due.c.asset_id == assets.c.id))
        .where(assets.c.client_id == scope.client_id, sites.c.client_id == scope.client_id,
               sa.true() if site_id is None else assets.c.site_id == int(site_id),
               sa.true() if not category else assets.c.category == category,
               text_search([assets.c.name, assets.c.ref, assets.c.serial_number, assets.c.make, assets.c.model],
                           search))
        .order_by(order_by(_ASSET_SORTS, sort, "site", descending), assets.c.name, assets.c.id)
    )
    return fetch(conn, query, page=page, page_size=page_size)


def _services_base(scope: MemberScope) -> sa.Select:
    return (
        sa.select(asset_services.c.id, asset_services.c.ref, assets.c.name.label("asset"),
                  assets.c.ref.label("asset_ref"), sites.c.name.label("site"), asset_services.c.service_type,
                  asset_services.c.due_on)
        .select_from(asset_services.join(assets, assets.c.id == asset_services.c.asset_id)
                     .join(sites, _own_site(scope, assets.c.site_id)))
        .where(asset_services.c.client_id == scope.client_id, assets.c.client_id == scope.client_id)
    )


def upcoming_services(scope: MemberScope, conn: Connection, *, days: int = 30, site_id: int | None = None,
                      search: str = "", page: int = 1, page_size: int = DEFAULT_PAGE_SIZE,
                      today: dt.date | None = None) -> Page:
    """Open services due within `days` days: overdue ones first, then by due date."""
    require_member(scope, "asset_services")
    today = today or db.today()
    overdue = asset_services.c.due_on < today
    query = (
        _services_base(scope)
        .add_columns(sa.case((overdue, "overdue"), else_="due").label("state"))
        .where(asset_services.c.completed_on.is_(None),
               asset_services.c.due_on <= today + dt.timedelta(days=max(0, int(days))),
               sa.true() if site_id is None else assets.c.site_id == int(site_id),
               text_search([assets.c.name, assets.c.ref, asset_services.c.ref, asset_services.c.service_type],
                           search))
        .order_by(sa.case((overdue, 0), else_=1), asset_services.c.due_on, asset_services.c.id)
    )
    return fetch(conn, query, page=page, page_size=page_size)


def completed_services(scope: MemberScope, conn: Connection, *, site_id: int | None = None,
                       date_from: dt.date | None = None, date_to: dt.date | None = None, search: str = "",
                       page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """Completed services (the asset service records), newest first; date range on completion."""
    require_member(scope, "asset_services")
    query = (
        _services_base(scope)
        .add_columns(asset_services.c.completed_on, asset_services.c.result, jobs.c.ref.label("job_ref"))
        .outerjoin(jobs, sa.and_(jobs.c.id == asset_services.c.job_id, jobs.c.client_id == scope.client_id))
        .where(asset_services.c.completed_on.is_not(None),
               sa.true() if site_id is None else assets.c.site_id == int(site_id),
               date_between(asset_services.c.completed_on, date_from, date_to),
               text_search([assets.c.name, assets.c.ref, asset_services.c.ref, asset_services.c.service_type],
                           search))
        .order_by(asset_services.c.completed_on.desc(), asset_services.c.id.desc())
    )
    return fetch(conn, query, page=page, page_size=page_size)


def due_count(scope: MemberScope, conn: Connection, *, days: int = 30, today: dt.date | None = None) -> dict[str, int]:
    """Open services of the client: how many are overdue and how many fall due within `days`."""
    require_member(scope, "asset_services")
    today = today or db.today()
    row = conn.execute(
        sa.select(
            sa.func.count().filter(asset_services.c.due_on < today).label("overdue"),
            sa.func.count().filter(asset_services.c.due_on >= today).label("due"),
        ).where(asset_services.c.client_id == scope.client_id, asset_services.c.completed_on.is_(None),
                asset_services.c.due_on <= today + dt.timedelta(days=days))
    ).one()
    return {"overdue": int(row.overdue or 0), "due": int(row.due or 0)}


def service_record(scope: MemberScope, conn: Connection, service_id: int) -> dict:
    """One completed service of the client with its asset, site and job, for its PDF record.

    Open to *View asset services*, or through its completed job to *View completed jobs* /
    *View job status*. Another client's service is NotFound.
    """
    if not isinstance(scope, MemberScope) or not scope.rights & {"asset_services", *DOCUMENT_RIGHTS}:
        raise RightMissing(RIGHTS["asset_services"])
    row = conn.execute(
        sa.select(asset_services, assets.c.name.label("asset"), assets.c.ref.label("asset_ref"),
                  assets.c.make, assets.c.model, assets.c.serial_number, sites.c.name.label("site"),
                  sites.c.address.label("site_address"), jobs.c.ref.label("job_ref"),
                  clients.c.name.label("client_name"))
        .select_from(asset_services.join(assets, assets.c.id == asset_services.c.asset_id)
                     .outerjoin(sites, _own_site(scope, assets.c.site_id))
                     .join(clients, clients.c.id == asset_services.c.client_id)
                     .outerjoin(jobs, sa.and_(jobs.c.id == asset_services.c.job_id,
                                              jobs.c.client_id == scope.client_id)))
        .where(asset_services.c.id == int(service_id), asset_services.c.client_id == scope.client_id,
               assets.c.client_id == scope.client_id)
    ).mappings().first()
    if row is None:
        raise NotFound("No such asset service record.")
    require_document_access(scope, conn, row["job_id"], own_right="asset_services")
    if row["completed_on"] is None:
        raise NotFound("This service has not been completed yet, so it has no record.")
    return dict(row)
