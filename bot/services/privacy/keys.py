"""The privacy key: pseudonyms and subjects as keyed hashes of (guild, user).

HMAC-SHA256 under the secret from PRIVACY_SECRET. A pseudonym is a negative 63-bit
integer, so it fits every id column and can never be a real Discord id (snowflakes are
positive); a subject is the hex digest that keys requests and opt-outs. Without the secret
nobody can tell whose they are; with it, the bot recognises an opted-out member again.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.settings import Secret


class PrivacyKey:
    """Keyed hashes of members; the key never shows itself."""

    __slots__ = ("_key",)

    def __init__(self, secret: Secret) -> None:
        if not secret:
            raise ValueError("the privacy secret is empty")
        self._key = secret.reveal().encode("utf-8")

    def _digest(self, purpose: str, guild_id: int, user_id: int) -> bytes:
        message = f"lyceum:{purpose}:{guild_id}:{user_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def pseudonym(self, guild_id: int, user_id: int) -> int:
        """The negative id that stands for the member in rows kept after a deletion."""
        value = int.from_bytes(self._digest("pseudonym", guild_id, user_id)[:8], "big") >> 1
        return -(value or 1)

    def subject(self, guild_id: int, user_id: int) -> str:
        """The hex key of the member's requests and opt-out."""
        return self._digest("subject", guild_id, user_id).hex()

    def __repr__(self) -> str:
        return "PrivacyKey('**********')"

    __str__ = __repr__
