"""Ids shaped like Stripe's (`cus_...`, `sub_1...`, `cs_test_a1...`), reproducible when seeded."""

from __future__ import annotations

import random
import string

_ALPHABET = string.ascii_letters + string.digits

# prefix -> (fixed lead, random length), matching the fixtures' id formats.
_SHAPES: dict[str, tuple[str, int]] = {
    "cs_test": ("a1", 56),
    "cus": ("", 14),
    "si": ("", 14),
    "prod": ("", 14),
    "req": ("", 14),
    "ch": ("3", 23),
    "pi": ("3", 23),
    "re": ("3", 23),
    "txn": ("3", 23),
}
_DEFAULT_SHAPE = ("1", 23)


class IdFactory:
    """Makes fresh object ids; the same seed gives the same ids."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)

    def random(self, length: int) -> str:
        """Random letters and digits."""
        return "".join(self._rng.choice(_ALPHABET) for _ in range(length))

    def new(self, prefix: str) -> str:
        """A new id with Stripe's prefix and length for that kind of object."""
        lead, length = _SHAPES.get(prefix, _DEFAULT_SHAPE)
        return f"{prefix}_{lead}{self.random(length)}"

    def invoice_prefix(self) -> str:
        """A customer's invoice-number prefix, like `7FE1103`."""
        return "".join(self._rng.choice("0123456789ABCDEF") for _ in range(8))
