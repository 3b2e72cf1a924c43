"""Polling with a deadline (never a fixed sleep)."""

# ruff: noqa: ASYNC109  # test-facing helpers take a plain `timeout` on purpose

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

POLL_INTERVAL = 0.005


async def poll(
    predicate: Callable[[], T | Awaitable[T | None] | None],
    timeout: float,
    interval: float = POLL_INTERVAL,
) -> T:
    """Call `predicate` until it returns something truthy (returned) or `timeout` passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if loop.time() >= deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
