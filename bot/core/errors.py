"""Domain errors: problems a user can fix, shown to them privately and politely."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error whose message is meant for the person who caused it."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class NotAllowed(DomainError):
    """The member may not do this (missing role or permission)."""


class InvalidInput(DomainError):
    """An option or field does not make sense; the message says how to fix it."""


class NotFound(DomainError):
    """The thing the member named does not exist."""
