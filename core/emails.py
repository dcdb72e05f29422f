"""The texts of the portal's e-mails: a plain-text and an HTML part in the portal's branding.

Every value that came from a person (names, portal name, support contact) is escaped in the
HTML part; the colour is used only after it matched #rrggbb.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from core.portal import Branding

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Mail:
    """One e-mail's subject with its plain-text and HTML bodies."""

    subject: str
    text: str
    html: str


def _compose(brand: Branding, subject: str, greeting: str, paragraphs: list[str], *, link: str | None = None,
             link_label: str = "", after: list[str] | None = None) -> Mail:
    after = after or []
    support = f"Questions? Contact {brand.support_contact}." if brand.support_contact else ""
    text_parts = [greeting, *paragraphs]
    if link:
        text_parts.append(f"{link_label}:\n{link}")
    text_parts += after
    text_parts.append(f"{support}\n\n{brand.portal_name}".strip())
    color = brand.primary_color if _COLOR.match(brand.primary_color or "") else "#1f6feb"
    esc = html.escape
    body = [f"<p>{esc(greeting)}</p>", *(f"<p>{esc(p)}</p>" for p in paragraphs)]
    if link:
        body.append(
            f'<p><a href="{esc(link, quote=True)}" style="display:inline-block;padding:10px 18px;'
            f'background:{color};color:#ffffff;text-decoration:none;border-radius:4px">{esc(link_label)}</a></p>'
            f'<p style="font-size:12px;color:#555">If the button does not work, copy this address into your '
            f'browser:<br>{esc(link)}</p>'
        )
    body += [f"<p>{esc(p)}</p>" for p in after]
    if support:
        body.append(f'<p style="font-size:12px;color:#555">{esc(support)}</p>')
    page = (
        '<!DOCTYPE html><html><body style="margin:0;font-family:Arial,Helvetica,sans-serif;color:#222">'
        f'<div style="background:{color};color:#ffffff;padding:16px 24px;font-size:20px;font-weight:bold">'
        f'{esc(brand.portal_name)}</div><div style="padding:16px 24px">{"".join(body)}</div></body></html>'
    )
    return Mail(subject=subject, text="\n\n".join(text_parts) + "\n", html=page)


def invitation(brand: Branding, *, first_name: str, login_email: str, link: str, hours: int) -> Mail:
    """The invitation a new portal member receives: login name and a single-use set-password link."""
    return _compose(
        brand, f"Your login for {brand.portal_name}", f"Hello {first_name},",
        [f"An account has been created for you on {brand.portal_name}.",
         f"Your login name is your e-mail address: {login_email}",
         f"Choose your password with the link below. The link works once and expires in {hours} hours."],
        link=link, link_label="Set your password",
    )


def password_reset(brand: Branding, *, first_name: str, login_email: str, link: str, hours: int) -> Mail:
    """A link to choose a new password (staff-sent reset or Forgot password)."""
    return _compose(
        brand, f"Set a new password for {brand.portal_name}", f"Hello {first_name},",
        [f"Someone asked to set a new password for the login {login_email}.",
         f"Choose a new password with the link below. The link works once and expires in {hours} hours."],
        link=link, link_label="Set a new password",
        after=["If you did not ask for this, you can ignore this e-mail: your password stays as it is."],
    )
