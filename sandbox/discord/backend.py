"""The pieces REST handlers and the driver share."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.discord.calls import CallLog
from sandbox.discord.faults import Faults
from sandbox.discord.gateway import Gateway
from sandbox.discord.interactions import Interactions
from sandbox.discord.messages import Messages
from sandbox.discord.ratelimits import RateLimits
from sandbox.discord.state import State


@dataclass
class Backend:
    """State plus the services acting on it, the gateway, the call log, faults and limits."""

    state: State
    messages: Messages
    interactions: Interactions
    gateway: Gateway
    calls: CallLog
    faults: Faults
    rate_limits: RateLimits
