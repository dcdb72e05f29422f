"""Portal settings and branding (SPEC §2 Portal settings)."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import sqlalchemy as sa
from PIL import Image
from sqlalchemy.engine import Connection

from core import audit
from core.db import utcnow
from core.errors import ValidationError
from core.schema import accounts, portal_settings
from core.scope import require_staff
from core.validation import required


@dataclass(frozen=True)
class Branding:
    """What staff set up: name, colour, logo and texts shown on every page and PDF."""

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


LOGO_MAX_BYTES = 1024 * 1024
WALLPAPER_MAX_BYTES = 4 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # refuses decompression bombs before anything decodes them
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
NAME_MAX = 120
SUPPORT_MAX = 300
INTRO_MAX = 2000
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def image_mime(data: bytes, *, label: str, max_bytes: int) -> str:
    """The MIME type of an uploaded PNG/JPEG after Pillow verified it; ValidationError naming `label`."""
    if len(data) > max_bytes:
        raise ValidationError({label: f"is {len(data) / 1024 / 1024:.1f} MB; at most "
                                      f"{max_bytes / 1024 / 1024:.0f} MB is allowed"})
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            width, height = img.size
            if fmt not in IMAGE_TYPES:
                raise ValidationError({label: "must be a PNG or JPEG image"})
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError({label: f"is {width}×{height} pixels, too large"})
            img.verify()
    except ValidationError:
        raise
    except Exception:  # Pillow raises many kinds for broken or disguised files
        raise ValidationError({label: "is not a readable PNG or JPEG image"}) from None
    return IMAGE_TYPES[fmt]


def staff_accounts(scope, conn: Connection) -> list[dict]:
    """Staff: the active staff accounts and whether each receives work-request e-mails."""
    require_staff(scope)
    rows = conn.execute(
        sa.select(accounts.c.id, accounts.c.first_name, accounts.c.last_name, accounts.c.email,
                  accounts.c.receives_work_requests)
        .where(accounts.c.role == "staff", accounts.c.active).order_by(accounts.c.last_name, accounts.c.first_name)
    ).mappings()
    return [{"id": r["id"], "label": f"{r['first_name']} {r['last_name']} <{r['email']}>",
             "receives_work_requests": r["receives_work_requests"]} for r in rows]


def save_setup(scope, conn: Connection, *, portal_name: str, primary_color: str, login_intro: str,
               support_contact: str, work_request_staff: list[int], logo: bytes | None = None,
               wallpaper: bytes | None = None, remove_logo: bool = False, remove_wallpaper: bool = False) -> None:
    """Staff: save the portal setup and mark it completed (one transaction, one audit entry).

    A logo is required once (upload one, or keep the one there); the wallpaper is optional.
    """
    require_staff(scope)
    errors: dict[str, str] = {}
    if problem := required(portal_name, NAME_MAX):
        errors["Portal name"] = problem
    if not _COLOR.match(primary_color or ""):
        errors["Primary colour"] = "must be a colour like #0b6e4f"
    if len(login_intro) > INTRO_MAX:
        errors["Login intro"] = f"is {len(login_intro) - INTRO_MAX} characters too long (at most {INTRO_MAX})"
    if problem := required(support_contact, SUPPORT_MAX):
        errors["Support contact"] = problem
    values: dict = {}
    try:
        if logo is not None:
            values.update(logo=logo, logo_mime=image_mime(logo, label="Logo", max_bytes=LOGO_MAX_BYTES))
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        if wallpaper is not None:
            values.update(wallpaper=wallpaper,
                          wallpaper_mime=image_mime(wallpaper, label="Wallpaper", max_bytes=WALLPAPER_MAX_BYTES))
    except ValidationError as exc:
        errors.update(exc.errors)
    current = branding(conn)
    if logo is None and (remove_logo or current.logo is None) and "Logo" not in errors:
        errors["Logo"] = "is required: upload a PNG or JPEG"
    staff_ids = {s["id"] for s in staff_accounts(scope, conn)}
    if not set(work_request_staff) <= staff_ids:
        errors["Work request e-mails to"] = "names an account that is not active staff"
    if errors:
        raise ValidationError(errors)
    if remove_wallpaper and wallpaper is None:
        values.update(wallpaper=None, wallpaper_mime=None)
    now = utcnow()
    conn.execute(portal_settings.update().where(portal_settings.c.id == 1).values(
        portal_name=portal_name.strip(), primary_color=primary_color.lower(), login_intro=login_intro.strip(),
        support_contact=support_contact.strip(), setup_completed=True, updated_at=now,
        updated_by=scope.account_id, **values,
    ))
    conn.execute(accounts.update().where(accounts.c.role == "staff").values(
        receives_work_requests=accounts.c.id.in_(sorted(set(work_request_staff)) or [-1])))
    audit.record_for(conn, scope, "portal_setup_saved", details={
        "portal_name": portal_name.strip(), "logo": "new" if logo is not None else "kept",
        "wallpaper": "new" if wallpaper is not None else ("removed" if remove_wallpaper else "kept"),
        "work_request_staff": sorted(set(work_request_staff)),
    })
