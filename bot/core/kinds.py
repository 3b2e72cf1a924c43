"""The interaction log's vocabulary: every kind of row, and the groups the metrics read."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What one interaction-log row records."""

    MESSAGE = "message"
    REPLY = "reply"
    REACTION = "reaction"
    COMMAND = "command"
    BUTTON = "button"
    MODAL = "modal"
    THREAD_CREATE = "thread_create"
    VOICE_JOIN = "voice_join"
    JOIN = "join"
    LEAVE = "leave"
    ONBOARDED = "onboarded"
    DROP_OPEN = "drop_open"
    QUESTION = "question"
    ANSWER = "answer"
    SOLVED = "solved"
    PAID_START = "paid_start"
    PAID_END = "paid_end"
    # Drops (ref = the content id): a like or comment on a drop post (the generic
    # reaction/reply row counts the activity), an upsell shown, live-session attendance.
    DROP_LIKE = "drop_like"
    DROP_COMMENT = "drop_comment"
    DROP_UPSELL = "drop_upsell"
    EVENT_ATTEND = "event_attend"


# Kinds that make a member "active" (docs/metrics.md, "active member").
ACTIVE = frozenset(
    {
        Kind.MESSAGE,
        Kind.REPLY,
        Kind.REACTION,
        Kind.COMMAND,
        Kind.BUTTON,
        Kind.MODAL,
        Kind.THREAD_CREATE,
        Kind.DROP_OPEN,
        Kind.QUESTION,
        Kind.ANSWER,
        Kind.VOICE_JOIN,
    }
)
# Kinds where a member talks to others (the stats' communication share).
COMMUNICATION = frozenset({Kind.MESSAGE, Kind.REPLY, Kind.ANSWER})
MEMBERSHIP = (Kind.JOIN, Kind.LEAVE)
PAID = (Kind.PAID_START, Kind.PAID_END)
# Kinds that say nothing of whether the member was there (a leave, or a payment made
# before joining); every other kind is evidence of presence.
ABSENT = frozenset({Kind.LEAVE, Kind.PAID_START, Kind.PAID_END})
# Kinds the weekly report reads from the raw log itself (not from the rollups): retention
# keeps these rows, so a purge changes no past week's numbers.
READ_RAW = (*MEMBERSHIP, *PAID, Kind.ONBOARDED, Kind.DROP_OPEN)
