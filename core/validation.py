"""Small validators shared by forms; each returns a problem text or None."""
from __future__ import annotations

import re

# Deliberately plain: one @, a dot in the domain, no spaces or header-breaking characters.
_EMAIL = re.compile(r"^[^@\s<>,;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def email_problem(email: str) -> str | None:
    """Why `email` is not a usable login e-mail address, or None."""
    value = email.strip()
    if not value:
        return "is required"
    if len(value) > 254:
        return "is longer than 254 characters"
    if not _EMAIL.match(value):
        return f"'{value}' is not a valid e-mail address"
    return None


def required(value: str, max_chars: int) -> str | None:
    """Problem with a required text field of at most `max_chars` characters, or None."""
    if not value.strip():
        return "is required"
    if len(value) > max_chars:
        return f"is {len(value) - max_chars} characters too long (at most {max_chars})"
    return None
