"""Per-member command budgets: a member spamming commands is slowed, others stay served.

Checked once for every slash and context-menu command, before its cog runs (the command
tree's `interaction_check`); over budget, the member gets the private "slow down" reply
from the error handler. Autocomplete and components are not counted.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

# Buckets of members not seen for this long are dropped, so memory stays bounded.
_IDLE_BUCKETS_AFTER = 1_000


class MemberCooldowns:
    """`rate` commands per `per` seconds for each member of each guild (rate 0: no limit)."""

    def __init__(self, rate: int, per: float) -> None:
        self._rate = rate
        self._per = per
        self._buckets: dict[tuple[int, int], app_commands.Cooldown] = {}

    def spend(self, guild_id: int, user_id: int) -> app_commands.Cooldown | None:
        """Count one command; the exhausted bucket when the member must wait, else None."""
        if self._rate <= 0:
            return None
        if len(self._buckets) > _IDLE_BUCKETS_AFTER:
            self._forget_idle()
        bucket = self._buckets.setdefault(
            (guild_id, user_id), app_commands.Cooldown(self._rate, self._per)
        )
        return bucket if bucket.update_rate_limit() else None

    def _forget_idle(self) -> None:
        full = [key for key, bucket in self._buckets.items() if bucket.get_tokens() >= self._rate]
        for key in full:
            del self._buckets[key]


class LyceumTree(app_commands.CommandTree[Any]):
    """The command tree, with every member's command budget checked first."""

    cooldowns: MemberCooldowns = MemberCooldowns(0, 1.0)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Refuse (privately, through the error handler) a member over their budget."""
        if interaction.type is not discord.InteractionType.application_command:
            return True
        bucket = self.cooldowns.spend(interaction.guild_id or 0, interaction.user.id)
        if bucket is not None:
            raise app_commands.CommandOnCooldown(bucket, bucket.get_retry_after())
        return True
