"""`/privacy info|export|delete` and the deletion's confirm button."""

from __future__ import annotations

from bot.client import AnyLyceumBot
from bot.services.privacy import PrivacyService
from cogs.privacy.commands import PrivacyCommands
from cogs.privacy.components import ConfirmDelete


async def setup(bot: AnyLyceumBot) -> None:
    """Load the cog and the persistent confirm button."""
    bot.add_dynamic_items(ConfirmDelete)
    await bot.add_cog(PrivacyCommands(bot.services.get(PrivacyService)))


async def teardown(bot: AnyLyceumBot) -> None:
    """Forget the confirm button."""
    bot.remove_dynamic_items(ConfirmDelete)
