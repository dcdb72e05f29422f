"""Errors that core raises and pages turn into messages."""


class PortalError(Exception):
    """Base class for refusals a page shows to the user as a message."""


class RightMissing(PortalError):
    """The logged-in account lacks the right a function needs (fail closed)."""

    def __init__(self, right: str):
        super().__init__(f"Your login does not have the right '{right}'.")
        self.right = right


class NotFound(PortalError):
    """The record does not exist for this scope (also used for other clients' records)."""


class ValidationError(PortalError):
    """Bad input: maps each offending field label to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.errors.items()))
