"""Turn sandbox state into the JSON shapes Discord documents (see shared/fixtures/discord)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sandbox.discord.models import (
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Interaction,
    Invite,
    Member,
    Message,
    Role,
    ScheduledEvent,
    User,
)
from sandbox.discord.snowflake import iso

if TYPE_CHECKING:
    from sandbox.discord.state import State

LARGE_THRESHOLD = 250
# GUILD_CREATE's extra fields, absent from the guild object REST and GUILD_UPDATE send.
GATEWAY_ONLY = (
    "joined_at",
    "large",
    "unavailable",
    "member_count",
    "voice_states",
    "members",
    "channels",
    "threads",
    "presences",
    "stage_instances",
    "guild_scheduled_events",
    "soundboard_sounds",
)


def user(u: User) -> dict[str, Any]:
    """A user object as bots see it (no email/verified)."""
    data: dict[str, Any] = {
        "id": str(u.id),
        "username": u.username,
        "global_name": u.global_name,
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }
    if u.bot:
        data["bot"] = True
    return data


def role(r: Role) -> dict[str, Any]:
    """A role object."""
    data: dict[str, Any] = {
        "id": str(r.id),
        "name": r.name,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def member(m: Member, *, with_user: bool = True) -> dict[str, Any]:
    """A guild member object; `with_user=False` gives the partial member MESSAGE_CREATE carries."""
    data: dict[str, Any] = {
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in m.role_ids],
        "joined_at": iso(m.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": m.flags,
        "pending": m.pending,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user(m.user)
    return data


def forum_tag_list(channel: Channel) -> list[dict[str, Any]]:
    """The `available_tags` of a forum channel."""
    return [
        {
            "id": str(t.id),
            "name": t.name,
            "moderated": t.moderated,
            "emoji_id": None,
            "emoji_name": t.emoji_name,
        }
        for t in channel.available_tags
    ]


def channel(c: Channel, state: State) -> dict[str, Any]:
    """A channel object (text, voice, forum, thread or DM)."""
    last = c.messages[-1].id if c.messages else None
    data: dict[str, Any] = {
        "id": str(c.id),
        "type": int(c.type),
        "last_message_id": str(last) if last else None,
        "flags": 0,
    }
    if c.type == ChannelType.DM:
        recipient = state.users[c.recipient_id or 0]
        data["recipients"] = [user(recipient)]
        return data
    data.update(
        guild_id=str(c.guild_id),
        name=c.name,
        parent_id=str(c.parent_id) if c.parent_id else None,
        rate_limit_per_user=0,
        nsfw=False,
        position=c.position,
        permission_overwrites=[],
    )
    if c.type == ChannelType.PUBLIC_THREAD:
        data.update(
            owner_id=str(c.owner_id),
            message_count=len(c.messages),
            total_message_sent=len(c.messages),
            member_count=1,
            applied_tags=[str(t) for t in c.applied_tags],
            thread_metadata={
                "archived": c.archived,
                "auto_archive_duration": c.auto_archive_duration,
                "archive_timestamp": iso(c.created_at),
                "locked": c.locked,
                "create_timestamp": iso(c.created_at),
            },
        )
        del data["permission_overwrites"], data["position"]
    elif c.type in (ChannelType.VOICE, ChannelType.STAGE_VOICE):
        data.update(bitrate=64000, user_limit=0, rtc_region=None)
    else:
        data.update(topic=c.topic, default_auto_archive_duration=1440)
        if c.type == ChannelType.FORUM:
            data.update(
                available_tags=forum_tag_list(c),
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
            )
    return data


def attachment(a: Attachment, state: State) -> dict[str, Any]:
    """An attachment object whose url serves the stored bytes."""
    url = f"{state.base_url}/attachments/{a.id}/{a.filename}"
    data: dict[str, Any] = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": url,
        "proxy_url": url,
        "content_type": a.content_type,
    }
    if a.description is not None:
        data["description"] = a.description
    return data


def message(
    m: Message, state: State, *, nested: bool = False, with_nonce: bool = False
) -> dict[str, Any]:
    """A message object; `nested` stops at one level of referenced_message. The nonce shows
    only where Discord sends it: the create answer and MESSAGE_CREATE (not in history)."""
    data: dict[str, Any] = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "author": user(m.author),
        "content": m.content,
        "timestamp": iso(m.created_at),
        "edited_timestamp": iso(m.edited_at) if m.edited_at else None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [user(u) for u in state.mentioned_users(m.content)],
        "mention_roles": [str(r) for r in state.mentioned_role_ids(m.content)],
        "attachments": [attachment(a, state) for a in m.attachments],
        "embeds": m.embeds,
        "components": m.components,
        "pinned": False,
        "type": m.type,
        "flags": m.flags,
    }
    if m.reactions:
        data["reactions"] = [
            {
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": state.bot_user.id in users,
                "me_burst": False,
                "emoji": {"id": None, "name": emoji},
                "burst_colors": [],
            }
            for emoji, users in m.reactions.items()
        ]
    if with_nonce and m.nonce is not None:
        data["nonce"] = m.nonce
    if m.webhook_id is not None:
        data["webhook_id"] = str(m.webhook_id)
        data["application_id"] = str(m.webhook_id)
    if m.reference_id is not None:
        data["message_reference"] = {
            "type": 0,
            "message_id": str(m.reference_id),
            "channel_id": str(m.channel_id),
        }
        if m.guild_id is not None:
            data["message_reference"]["guild_id"] = str(m.guild_id)
        if not nested:
            ref = state.messages.get(m.reference_id)
            data["referenced_message"] = message(ref, state, nested=True) if ref else None
    if m.interaction_id is not None and m.interaction_id in state.interactions:
        data["interaction_metadata"] = interaction_metadata(
            state.interactions[m.interaction_id], state
        )
    if m.thread_id is not None and m.thread_id in state.channels:
        data["thread"] = channel(state.channels[m.thread_id], state)
    return data


def interaction_metadata(i: Interaction, state: State) -> dict[str, Any]:
    """The `interaction_metadata` a response message carries."""
    data: dict[str, Any] = {
        "id": str(i.id),
        "type": i.type,
        "user": user(i.user),
        "authorizing_integration_owners": {"0": str(i.guild_id)} if i.guild_id else {},
    }
    if i.type == 2:
        data["name"] = i.data.get("name")
        data["command_type"] = i.data.get("type", 1)
    if i.message_id is not None:
        data["interacted_message_id"] = str(i.message_id)
    if i.original_id is not None:
        data["original_response_message_id"] = str(i.original_id)
    trigger = state.interactions.get(i.trigger_id) if i.trigger_id is not None else None
    if trigger is not None:
        data["triggering_interaction_metadata"] = interaction_metadata(trigger, state)
    return data


def message_create(m: Message, state: State) -> dict[str, Any]:
    """MESSAGE_CREATE / MESSAGE_UPDATE data: the message plus guild_id and the author's member."""
    data = message(m, state)
    if m.guild_id is not None:
        data["guild_id"] = str(m.guild_id)
        author = state.guilds[m.guild_id].members.get(m.author.id)
        if author is not None and m.webhook_id is None:
            data["member"] = member(author, with_user=False)
    data["channel_type"] = int(state.channels[m.channel_id].type)
    return data


def scheduled_event(event: ScheduledEvent, state: State) -> dict[str, Any]:
    """A guild scheduled event object."""
    return {
        "id": str(event.id),
        "guild_id": str(event.guild_id),
        "name": event.name,
        "description": event.description,
        "channel_id": str(event.channel_id) if event.channel_id else None,
        "creator_id": str(event.creator_id),
        "creator": user(state.users[event.creator_id]),
        "image": None,
        "scheduled_start_time": iso(event.start),
        "scheduled_end_time": iso(event.end) if event.end else None,
        "status": event.status,
        "entity_type": event.entity_type,
        "entity_id": None,
        "recurrence_rule": None,
        "privacy_level": 2,
        "guild_scheduled_event_exceptions": [],
        "entity_metadata": {"location": event.location} if event.location else None,
        "user_count": len(event.interested),
    }


def voice_state(guild: Guild, user_id: int, channel_id: int | None) -> dict[str, Any]:
    """A voice state object (VOICE_STATE_UPDATE, and GUILD_CREATE without guild_id)."""
    data: dict[str, Any] = {
        "guild_id": str(guild.id),
        "channel_id": str(channel_id) if channel_id else None,
        "user_id": str(user_id),
        "session_id": f"voice-{user_id}",
        "deaf": False,
        "mute": False,
        "self_deaf": False,
        "self_mute": False,
        "self_video": False,
        "self_stream": False,
        "suppress": False,
        "request_to_speak_timestamp": None,
    }
    if user_id in guild.members:
        data["member"] = member(guild.members[user_id])
    return data


def guild(g: Guild, state: State) -> dict[str, Any]:
    """GUILD_CREATE data: the guild object plus the gateway-only extra fields."""
    channels = [c for c in g.channels.values() if not c.is_thread]
    threads = [c for c in g.channels.values() if c.is_thread and not c.archived]
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "description": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "features": guild_features(g),
        "emojis": [],
        "stickers": [],
        "owner_id": str(g.owner_id),
        "application_id": None,
        "region": "deprecated",  # what Discord sends since voice regions moved to channels
        "afk_channel_id": None,
        "afk_timeout": 300,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 0,
        "default_message_notifications": 0,
        "mfa_level": 0,
        "explicit_content_filter": 0,
        "max_presences": None,
        "max_members": 500000,
        "vanity_url_code": g.vanity_code,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "nsfw": False,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "home_header": None,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "incidents_data": None,
        "roles": [role(r) for r in g.roles.values()],
        "joined_at": iso(g.joined_at),
        "large": len(g.members) > LARGE_THRESHOLD,
        "unavailable": False,
        "member_count": len(g.members),
        "voice_states": [
            {k: v for k, v in voice_state(g, uid, cid).items() if k != "guild_id"}
            for uid, cid in g.voice.items()
        ],
        "members": [member(m) for m in g.members.values()],
        "channels": [channel(c, state) for c in channels],
        "threads": [channel(c, state) for c in threads],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def guild_object(g: Guild, state: State) -> dict[str, Any]:
    """The guild object (GET /guilds/{id}, GUILD_UPDATE): no gateway-only fields."""
    return {k: v for k, v in guild(g, state).items() if k not in GATEWAY_ONLY}


def guild_features(g: Guild) -> list[str]:
    """The guild's feature flags (only those the sandbox models)."""
    return ["VANITY_URL"] if g.vanity_code else []


def _expires_at(i: Invite) -> str | None:
    return iso(i.created_at + timedelta(seconds=i.max_age)) if i.max_age else None


def invite(i: Invite, state: State) -> dict[str, Any]:
    """An invite with its metadata (uses...), as GET /guilds/{id}/invites lists it."""
    g = state.guilds[i.guild_id]
    c = state.channels[i.channel_id]
    data: dict[str, Any] = {
        "type": 0,
        "code": i.code,
        "expires_at": _expires_at(i),
        "guild": {
            "id": str(g.id),
            "name": g.name,
            "splash": None,
            "banner": None,
            "description": None,
            "icon": None,
            "features": guild_features(g),
            "verification_level": 0,
            "vanity_url_code": g.vanity_code,
            "nsfw_level": 0,
            "nsfw": False,
            "premium_subscription_count": 0,
        },
        "guild_id": str(g.id),
        "channel": {"id": str(c.id), "type": int(c.type), "name": c.name},
        "uses": i.uses,
        "max_uses": i.max_uses,
        "max_age": i.max_age,
        "temporary": i.temporary,
        "created_at": iso(i.created_at),
        "flags": 0,
    }
    if i.inviter_id is not None:
        data["inviter"] = user(state.users[i.inviter_id])
    return data


def invite_create(i: Invite, state: State) -> dict[str, Any]:
    """INVITE_CREATE data (developers/events/gateway-events#invite-create)."""
    data: dict[str, Any] = {
        "channel_id": str(i.channel_id),
        "code": i.code,
        "created_at": iso(i.created_at),
        "guild_id": str(i.guild_id),
        "max_age": i.max_age,
        "max_uses": i.max_uses,
        "temporary": i.temporary,
        "uses": 0,
        "expires_at": _expires_at(i),
    }
    if i.inviter_id is not None:
        data["inviter"] = user(state.users[i.inviter_id])
    return data


def invite_delete(i: Invite) -> dict[str, Any]:
    """INVITE_DELETE data."""
    return {"channel_id": str(i.channel_id), "guild_id": str(i.guild_id), "code": i.code}
