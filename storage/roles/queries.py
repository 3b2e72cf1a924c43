"""Queries on the role outbox and the registry of roles the bot manages."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, exists, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.outbox import pending
from storage.roles.models import ManagedRole, RoleAction, RoleChange


async def queue_role_change(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    role_id: int,
    action: str,
    *,
    reason: str,
    at: datetime,
) -> RoleChange:
    """Queue a role add/remove; an older unfinished change of the same role is superseded."""
    await session.exec(
        update(RoleChange)
        .where(
            col(RoleChange.guild_id) == guild_id,
            col(RoleChange.user_id) == user_id,
            col(RoleChange.role_id) == role_id,
            col(RoleChange.status).in_(("pending", "waiting_member")),
        )
        .values(status="superseded")
    )
    change = RoleChange(
        guild_id=guild_id,
        user_id=user_id,
        role_id=role_id,
        action=RoleAction(action),
        reason=reason,
        next_attempt_at=at,
        created_at=at,
    )
    session.add(change)
    await session.flush()
    return change


async def pending_role_changes(
    session: AsyncSession, *, limit: int, exclude: Collection[int] = ()
) -> list[RoleChange]:
    """Role changes waiting to be applied, oldest first, skipping the `exclude` ids."""
    return await pending(session, RoleChange, limit, exclude)


async def role_change(session: AsyncSession, change_id: int) -> RoleChange | None:
    """One outbox row."""
    return await session.get(RoleChange, change_id)


async def claimable(session: AsyncSession, change_id: int) -> tuple[RoleChange | None, bool]:
    """One outbox row, and whether the bot manages its role for the member: one query."""
    managed = (
        exists()
        .where(
            col(ManagedRole.guild_id) == col(RoleChange.guild_id),
            col(ManagedRole.user_id) == col(RoleChange.user_id),
            col(ManagedRole.role_id) == col(RoleChange.role_id),
        )
        .label("managed")
    )
    result = await session.exec(select(RoleChange, managed).where(col(RoleChange.id) == change_id))
    found = result.first()
    return (None, False) if found is None else (found[0], bool(found[1]))


async def applied(session: AsyncSession, change_id: int, at: datetime) -> None:
    """The change is applied on Discord: done (one statement; nothing when it is gone)."""
    await session.exec(
        update(RoleChange)
        .where(col(RoleChange.id) == change_id)
        .values(status="done", applied_at=at)
    )


async def permission_reported_since(
    session: AsyncSession, guild_id: int, role_id: int, since: datetime
) -> bool:
    """True when a change of this role in this guild was reported as lacking permission
    at or after `since`."""
    result = await session.exec(
        select(RoleChange.id)
        .where(
            col(RoleChange.guild_id) == guild_id,
            col(RoleChange.role_id) == role_id,
            col(RoleChange.reported_at) >= since,
        )
        .limit(1)
    )
    return result.first() is not None


async def wake_waiting_changes(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """The member is here: their waiting changes become pending; how many."""
    result = await session.exec(
        update(RoleChange)
        .where(
            col(RoleChange.guild_id) == guild_id,
            col(RoleChange.user_id) == user_id,
            col(RoleChange.status) == "waiting_member",
        )
        .values(status="pending")
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def has_waiting_changes(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """True when a change waits for this member to be in the guild."""
    result = await session.exec(
        select(RoleChange.id)
        .where(
            col(RoleChange.guild_id) == guild_id,
            col(RoleChange.user_id) == user_id,
            col(RoleChange.status) == "waiting_member",
        )
        .limit(1)
    )
    return result.first() is not None


async def members_with_waiting_changes(session: AsyncSession) -> list[tuple[int, int]]:
    """(guild_id, user_id) of every member with a change waiting for them to join."""
    result = await session.exec(
        select(RoleChange.guild_id, RoleChange.user_id)
        .where(RoleChange.status == "waiting_member")
        .distinct()
        .order_by(col(RoleChange.guild_id), col(RoleChange.user_id))
    )
    return [(guild_id, user_id) for guild_id, user_id in result.all()]


async def unfinished_role_changes(
    session: AsyncSession, guild_id: int, user_id: int | None = None
) -> list[RoleChange]:
    """Pending or waiting changes of the guild (or one member)."""
    query = select(RoleChange).where(
        RoleChange.guild_id == guild_id,
        col(RoleChange.status).in_(("pending", "waiting_member")),
    )
    if user_id is not None:
        query = query.where(RoleChange.user_id == user_id)
    return list((await session.exec(query.order_by(col(RoleChange.id)))).all())


# ---------------------------------------------------------------- managed roles


async def is_managed(session: AsyncSession, guild_id: int, user_id: int, role_id: int) -> bool:
    """True when the bot gave this member this role."""
    result = await session.exec(
        select(ManagedRole.id).where(
            ManagedRole.guild_id == guild_id,
            ManagedRole.user_id == user_id,
            ManagedRole.role_id == role_id,
        )
    )
    return result.first() is not None


async def mark_managed(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    role_id: int,
    at: datetime,
    *,
    fresh: bool = False,
) -> None:
    """Remember that the bot gave this member this role (`fresh`: the caller just saw that
    it was not marked, in this transaction)."""
    if fresh or not await is_managed(session, guild_id, user_id, role_id):
        session.add(ManagedRole(guild_id=guild_id, user_id=user_id, role_id=role_id, since=at))
        await session.flush()


async def unmark_managed(session: AsyncSession, guild_id: int, user_id: int, role_id: int) -> None:
    """Forget that the bot manages this member's role."""
    await session.exec(
        delete(ManagedRole).where(
            col(ManagedRole.guild_id) == guild_id,
            col(ManagedRole.user_id) == user_id,
            col(ManagedRole.role_id) == role_id,
        )
    )


async def managed_roles(session: AsyncSession, guild_id: int) -> list[ManagedRole]:
    """Every role the bot manages in the guild."""
    result = await session.exec(select(ManagedRole).where(ManagedRole.guild_id == guild_id))
    return list(result.all())


# ---------------------------------------------------------------- notices and audit
