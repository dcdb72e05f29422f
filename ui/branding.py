"""The portal's branding on every page: logo, name, primary colour, login-page texts."""
from __future__ import annotations

import base64
import re

import streamlit as st

from core.portal import Branding

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def apply(brand: Branding) -> None:
    """Logo in the sidebar/top corner and the primary colour on headings and buttons."""
    if brand.logo:
        st.logo(brand.logo, size="large")
    color = brand.primary_color if _COLOR.match(brand.primary_color or "") else "#1f6feb"
    # Only a validated colour value goes into this style block; no user text ever does.
    st.html(f"<style>h1, h2 {{ color: {color}; }}</style>")


def login_header(brand: Branding, *, demo: bool, demo_logins: list[tuple[str, str]] | None = None) -> None:
    """Name, wallpaper and intro text above the login form (and the demo notice in demo mode)."""
    if brand.wallpaper:
        encoded = base64.b64encode(brand.wallpaper).decode()
        mime = brand.wallpaper_mime or "image/png"
        st.html(
            f'<div style="height:140px;border-radius:8px;background:url(data:{mime};base64,{encoded}) '
            f'center/cover"></div>'
        )
    if brand.logo:
        st.image(brand.logo, width=96)
    st.title(brand.portal_name)
    if brand.login_intro:
        st.text(brand.login_intro)
    if demo:
        st.warning("**Demo data.** This portal runs on generated demo data. Demo logins "
                   "(password for all: `%s`):" % (demo_logins[0][1] if demo_logins else ""))
        st.table({"Email": [e for e, _ in demo_logins or []]})


def footer(brand: Branding) -> None:
    """Support contact at the bottom of the sidebar."""
    if brand.support_contact:
        st.sidebar.caption(f"Support: {brand.support_contact}")
