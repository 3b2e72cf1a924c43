"""End-to-end fixtures: the real bot against the Discord and Stripe stand-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.community import Community, running_community


@pytest.fixture
async def community(tmp_path: Path, database_url: str) -> AsyncIterator[Community]:
    """A fresh community with the real bot connected and ready (on PostgreSQL when
    DATABASE_URL is set, as in CI)."""
    async with running_community(tmp_path, database_url=database_url) as world:
        yield world
