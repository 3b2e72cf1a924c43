"""Reading what the bot stored, for end-to-end assertions."""

from __future__ import annotations

from sqlmodel import col, select

from sandbox.community import Community
from storage.activity.models import Member
from storage.interactions import Interaction


async def logged(world: Community, **where: object) -> list[Interaction]:
    """Interactions written so far (after flushing the log) matching `where`."""
    await world.interaction_log.flush()
    statement = select(Interaction)
    for column, value in where.items():
        statement = statement.where(getattr(Interaction, column) == value)
    async with world.db.read() as session:
        return list((await session.exec(statement.order_by(col(Interaction.id)))).all())


async def member_row(world: Community, user_id: int) -> Member | None:
    """The `members` row of a user in the community's guild."""
    async with world.db.read() as session:
        result = await session.exec(
            select(Member).where(Member.guild_id == world.guild.id, Member.user_id == user_id)
        )
        return result.first()


async def eventually_logged(world: Community, count: int = 1, **where: object) -> list[Interaction]:
    """Wait (with a deadline) until at least `count` matching interactions are stored."""
    rows: list[Interaction] = []

    async def enough() -> bool:
        rows[:] = await logged(world, **where)
        return len(rows) >= count

    await world.discord.wait_for(enough)
    return rows
