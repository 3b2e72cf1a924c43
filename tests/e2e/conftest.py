"""End-to-end fixtures: the real bot against the Discord and Stripe stand-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.harness import Community, running_community


@pytest.fixture
async def community(tmp_path: Path) -> AsyncIterator[Community]:
    """A fresh community with the real bot connected and ready."""
    async with running_community(tmp_path) as world:
        yield world
