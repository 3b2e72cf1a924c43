"""A believable past for the demo: DiscordChatExporter exports and a payment timeline.

Deterministic (seeded), so the demo prints the same story every time it runs on
the same day.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
OFFSETS = (UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)))
LINES = (
    "Has anyone tried the new asyncio TaskGroup for this?",
    "Sharing my notes from the talk, feedback welcome",
    "Which ORM do you use with Postgres these days?",
    "Thanks, that fixed it!",
    "Good morning everyone",
    "Is there a recording of Thursday's session?",
    "I wrote a small benchmark, numbers below",
    "Pair programming tonight, anyone in?",
)


@dataclass
class HistoryMember:
    """Someone in the past community: when they came, how keen they were."""

    user_id: int
    name: str
    joined_at: datetime
    keenness: float  # chance of being active in their first week
    founder: bool = False  # joined before the export starts: no join message


@dataclass(frozen=True)
class Payment:
    """A member buying a tier at a moment of the past, maybe cancelling later."""

    user_id: int
    name: str
    tier: str
    paid_at: datetime
    cancel_at: datetime | None


@dataclass
class History:
    """The generated past: export files, members and payments."""

    files: list[Path]
    members: list[HistoryMember]
    payments: list[Payment]
    messages: int
    start: datetime
    end: datetime
    bot_messages: int = 0
    joins: int = field(default=0)


def snowflake_at(moment: datetime, sequence: int) -> int:
    """A Discord id whose timestamp part is `moment`."""
    ms = int(moment.timestamp() * 1000)
    return ((ms - DISCORD_EPOCH_MS) << 22) | (sequence & 0x3FFFFF)


class _Exporter:
    """Builds the messages of one channel in DiscordChatExporter's layout."""

    def __init__(self, guild_id: int, channel_id: int, name: str, rng: random.Random) -> None:
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.name = name
        self.rng = rng
        self.messages: list[dict[str, Any]] = []
        self._sequence = 0

    def _author(self, user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
        return {
            "id": str(user_id),
            "name": name,
            "discriminator": "0000",
            "nickname": name.title(),
            "color": None,
            "isBot": bot,
            "roles": [],
            "avatarUrl": "https://cdn.discordapp.com/embed/avatars/0.png",
        }

    def add(
        self,
        at: datetime,
        user_id: int,
        name: str,
        kind: str = "Default",
        *,
        bot: bool = False,
        content: str = "",
        reply_to: dict[str, Any] | None = None,
        reactors: list[tuple[int, str]] | None = None,
    ) -> dict[str, Any]:
        self._sequence += 1
        local = at.astimezone(self.rng.choice(OFFSETS))
        message: dict[str, Any] = {
            "id": str(snowflake_at(at, self._sequence)),
            "type": kind,
            "timestamp": local.isoformat(timespec="milliseconds"),
            "timestampEdited": None,
            "callEndedTimestamp": None,
            "isPinned": False,
            "content": content,
            "author": self._author(user_id, name, bot=bot),
            "attachments": [],
            "embeds": [],
            "stickers": [],
            "reactions": [],
            "mentions": [],
            "inlineEmojis": [],
        }
        if reply_to is not None:
            message["reference"] = {
                "messageId": reply_to["id"],
                "channelId": str(self.channel_id),
                "guildId": str(self.guild_id),
            }
        if reactors:
            message["reactions"] = [
                {
                    "emoji": {"id": "", "name": "👍", "code": "thumbsup", "isAnimated": False,
                              "imageUrl": "https://twemoji.example/1f44d.svg"},
                    "count": len(reactors),
                    "users": [self._author(uid, uname) for uid, uname in reactors],
                }
            ]  # fmt: skip
        self.messages.append(message)
        return message

    def write(self, path: Path, exported_at: datetime) -> None:
        self.messages.sort(key=lambda m: int(m["id"]))
        document = {
            "guild": {"id": str(self.guild_id), "name": "Lyceum", "iconUrl": None},
            "channel": {
                "id": str(self.channel_id),
                "type": "GuildTextChat",
                "categoryId": None,
                "category": "Community",
                "name": self.name,
                "topic": None,
            },
            "dateRange": {"after": None, "before": None},
            "exportedAt": exported_at.isoformat(),
            "messages": self.messages,
            "messageCount": len(self.messages),
        }
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def _members(rng: random.Random, start: datetime, weeks: int) -> list[HistoryMember]:
    members = []
    next_id = 700_000_000_000_000_000
    for i in range(24):
        joined = start - timedelta(days=rng.randint(20, 90))
        keenness = rng.uniform(0.55, 0.95)
        members.append(
            HistoryMember(next_id + i, f"founder{i + 1}", joined, keenness, founder=True)
        )
    for week in range(weeks):
        for j in range(rng.randint(7, 15)):
            joined = start + timedelta(weeks=week, hours=rng.uniform(0, 7 * 24 - 1))
            members.append(
                HistoryMember(next_id + 1000 + week * 100 + j, f"member{week + 1}_{j + 1}",
                              joined, rng.uniform(0.35, 0.9))
            )  # fmt: skip
    return members


def _daily_chance(member: HistoryMember, day: datetime) -> float:
    """How likely the member is to show up on `day`: keen at first, fading week by week."""
    weeks_in = max(0, (day - member.joined_at).days // 7)
    return member.keenness * 0.72**weeks_in / 2.5


def generate_history(
    folder: Path, guild_id: int, now: datetime, *, weeks: int = 8, seed: int = 7
) -> History:
    """Write exports of #general and #help for `weeks` full weeks before `now`'s week."""
    rng = random.Random(seed)
    this_monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = this_monday - timedelta(weeks=weeks)
    end = now - timedelta(minutes=30)
    folder.mkdir(parents=True, exist_ok=True)
    general = _Exporter(guild_id, 9_000_001, "general", rng)
    help_channel = _Exporter(guild_id, 9_000_002, "help", rng)
    members = _members(rng, start, weeks)
    joins = 0
    for member in members:
        if not member.founder:
            general.add(member.joined_at, member.user_id, member.name, "GuildMemberJoin")
            joins += 1
    recent: dict[str, list[dict[str, Any]]] = {"general": [], "help": []}
    for day in range((end - start).days + 1):
        day_start = start + timedelta(days=day)
        for member in members:
            if day_start < member.joined_at.replace(hour=0, minute=0, second=0, microsecond=0):
                continue
            if rng.random() >= _daily_chance(member, day_start):
                continue
            for _ in range(rng.randint(1, 4)):
                at = day_start + timedelta(hours=rng.uniform(7, 23))
                if at > end or at < member.joined_at:
                    continue
                channel = general if rng.random() < 0.7 else help_channel
                earlier = recent[channel.name]
                replying = rng.random() < 0.3 and bool(earlier)
                reactors = [
                    (m.user_id, m.name)
                    for m in rng.sample(members, 3)
                    if m.joined_at < at and rng.random() < _daily_chance(m, day_start)
                ]
                message = channel.add(
                    at,
                    member.user_id,
                    member.name,
                    "Reply" if replying else "Default",
                    content=rng.choice(LINES),
                    reply_to=rng.choice(earlier) if replying else None,
                    reactors=[r for r in reactors if r[0] != member.user_id] or None,
                )
                recent[channel.name] = [message, *earlier][:20]
        if day % 3 == 0:
            general.add(day_start + timedelta(hours=12), 800_000_000_000_000_001, "carl-bot",
                        bot=True, content="Reminder: weekly office hours today")  # fmt: skip
    files = [folder / "general.json", folder / "help.json"]
    general.write(files[0], end)
    help_channel.write(files[1], end)
    bot_messages = sum(1 for m in general.messages if m["author"]["isBot"])
    return History(
        files=files,
        members=members,
        payments=_payments(rng, members, start, end),
        messages=len(general.messages) + len(help_channel.messages),
        start=start,
        end=end,
        bot_messages=bot_messages,
        joins=joins,
    )


def _payments(
    rng: random.Random, members: list[HistoryMember], start: datetime, end: datetime
) -> list[Payment]:
    payments = []
    for member in members:
        if rng.random() >= 0.2:
            continue
        earliest = max(member.joined_at, start) + timedelta(days=rng.uniform(0.5, 12))
        if earliest >= end - timedelta(days=1):
            continue
        tier = "lifetime" if rng.random() < 0.2 else "pro"
        cancel_at = None
        if tier == "pro" and rng.random() < 0.3:
            candidate = earliest + timedelta(days=rng.uniform(10, 40))
            cancel_at = candidate if candidate < end - timedelta(hours=2) else None
        payments.append(Payment(member.user_id, member.name, tier, earliest, cancel_at))
    return sorted(payments, key=lambda p: p.paid_at)
