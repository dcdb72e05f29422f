"""Portal settings and branding (SPEC §2 Portal settings)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.schema import portal_settings


@dataclass(frozen=True)
class Branding:
    portal_name: str
    primary_color: str
    login_intro: str
    support_contact: str
    currency: str
    setup_completed: bool
    logo: bytes | None
    logo_mime: str | None
    wallpaper: bytes | None
    wallpaper_mime: str | None


def branding(conn: Connection) -> Branding:
    """The portal's name, colour, logo and texts as staff set them up."""
    row = conn.execute(sa.select(portal_settings).where(portal_settings.c.id == 1)).mappings().first()
    if row is None:
        return Branding("Client Portal", "#1f6feb", "", "", "EUR", False, None, None, None, None)
    return Branding(
        portal_name=row["portal_name"], primary_color=row["primary_color"], login_intro=row["login_intro"],
        support_contact=row["support_contact"], currency=row["currency"],
        setup_completed=bool(row["setup_completed"]), logo=row["logo"], logo_mime=row["logo_mime"],
        wallpaper=row["wallpaper"], wallpaper_mime=row["wallpaper_mime"],
    )
