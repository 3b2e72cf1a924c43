"""Discord's JSON error answers (developers/topics/opcodes-and-status-codes)."""

from __future__ import annotations

from typing import Any


class DiscordError(Exception):
    """An error Discord would answer with: HTTP status, JSON error code and message."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends for this error."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def unknown(kind: str) -> DiscordError:
    """404 for an unknown object, with Discord's code for that kind."""
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "User": 10013,
        "Webhook": 10015,
        "interaction": 10062,
    }
    return DiscordError(404, codes[kind], f"Unknown {kind}")


def missing_permissions() -> DiscordError:
    """403 when the bot lacks a permission or is below the role it touches."""
    return DiscordError(403, 50013, "Missing Permissions")


def cannot_dm() -> DiscordError:
    """403 when the recipient has DMs closed."""
    return DiscordError(403, 50007, "Cannot send messages to this user")


def invalid_form(field: str, message: str, code: str = "BASE_TYPE_BAD_VALUE") -> DiscordError:
    """400 Invalid Form Body pointing at one field (dotted path)."""
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field.split(".")):
        errors = {part: errors}
    return DiscordError(400, 50035, "Invalid Form Body", errors)
