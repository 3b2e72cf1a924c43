"""Polling with a deadline (never a fixed sleep)."""

# ruff: noqa: ASYNC109  # test-facing helpers take a plain `timeout` on purpose

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar, overload

T = TypeVar("T")

POLL_INTERVAL = 0.005


@overload
async def poll(
    predicate: Callable[[], Awaitable[T | None]], timeout: float, interval: float = ...
) -> T: ...
@overload
async def poll(predicate: Callable[[], T | None], timeout: float, interval: float = ...) -> T: ...
async def poll(
    predicate: Callable[[], T | Awaitable[T | None] | None],
    timeout: float,
    interval: float = POLL_INTERVAL,
) -> T:
    """Call `predicate` until it returns something truthy (returned) or `timeout` passes."""
    return await poll_predicate(predicate, timeout, interval)


async def poll_predicate(
    predicate: Callable[[], T | Awaitable[T | None] | None],
    timeout: float,
    interval: float = POLL_INTERVAL,
) -> T:
    """poll() for a predicate already typed as sync-or-async (what wrappers forward)."""
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
