"""/audit: the moderators' view of who did what."""

from __future__ import annotations

from bot.client import AnyLyceumBot
from bot.services.audit import AuditService
from cogs.audit.commands import Audit


async def setup(bot: AnyLyceumBot) -> None:
    """Load the cog."""
    await bot.add_cog(Audit(bot.services.get(AuditService)))
