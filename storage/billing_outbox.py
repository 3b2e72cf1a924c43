"""Queries on the billing outboxes: role changes, the roles the bot manages, notices, audit."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry, BillingNotice, ManagedRole, RoleChange

# ---------------------------------------------------------------- role outbox


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
        action=action,
        reason=reason,
        next_attempt_at=at,
        created_at=at,
    )
    session.add(change)
    await session.flush()
    return change


Row = TypeVar("Row", RoleChange, BillingNotice)


def _not_in(column: Any, ids: Collection[int]) -> Any:
    """`column NOT IN ids`, the ids written into the SQL (no limit on how many)."""
    return col(column).not_in(bindparam("skip", sorted(ids), expanding=True, literal_execute=True))


async def _pending(
    session: AsyncSession, model: type[Row], limit: int, exclude: Collection[int]
) -> list[Row]:
    query = select(model).where(col(model.status) == "pending")
    if exclude:
        query = query.where(_not_in(model.id, exclude))
    result = await session.exec(query.order_by(col(model.id)).limit(limit))
    return list(result.all())


async def pending_role_changes(
    session: AsyncSession, *, limit: int, exclude: Collection[int] = ()
) -> list[RoleChange]:
    """Role changes waiting to be applied, oldest first, skipping the `exclude` ids."""
    return await _pending(session, RoleChange, limit, exclude)


async def role_change(session: AsyncSession, change_id: int) -> RoleChange | None:
    """One outbox row."""
    return await session.get(RoleChange, change_id)


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
    session: AsyncSession, guild_id: int, user_id: int, role_id: int, at: datetime
) -> None:
    """Remember that the bot gave this member this role."""
    if not await is_managed(session, guild_id, user_id, role_id):
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


async def queue_notice(
    session: AsyncSession,
    guild_id: int,
    target: str,
    text: str,
    *,
    at: datetime,
    user_id: int | None = None,
) -> BillingNotice:
    """Queue a DM to a member (`dm`) or a post to the moderators' log (`mod_log`)."""
    notice = BillingNotice(
        guild_id=guild_id, user_id=user_id, target=target, text=text, created_at=at
    )
    session.add(notice)
    await session.flush()
    return notice


async def pending_notices(
    session: AsyncSession, *, limit: int, exclude: Collection[int] = ()
) -> list[BillingNotice]:
    """Notices not sent yet, oldest first, skipping the `exclude` ids."""
    return await _pending(session, BillingNotice, limit, exclude)


async def notice(session: AsyncSession, notice_id: int) -> BillingNotice | None:
    """One notice."""
    return await session.get(BillingNotice, notice_id)


async def add_audit(
    session: AsyncSession,
    guild_id: int,
    actor_id: int,
    action: str,
    at: datetime,
    *,
    target_user_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record who did what to whom."""
    entry = AuditEntry(
        guild_id=guild_id,
        actor_id=actor_id,
        action=action,
        target_user_id=target_user_id,
        details=details,
        created_at=at,
    )
    session.add(entry)
    return entry


async def audit_entries(session: AsyncSession, guild_id: int) -> list[AuditEntry]:
    """The guild's audit trail, oldest first."""
    result = await session.exec(
        select(AuditEntry).where(AuditEntry.guild_id == guild_id).order_by(col(AuditEntry.id))
    )
    return list(result.all())
