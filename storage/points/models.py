"""Points tables: the append-only ledger and what is kept beside it for speed.

The ledger is the truth: every entry names its rule and its cause (an answer, a question,
a week of drop opens, a moderator's interaction), and nothing in it is ever edited.
`points_balances` holds each member's sum per period (all time, ISO week, month),
updated with every entry and rebuildable from the ledger.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.columns import json_column, row_id, snowflake, utc_time


class PointsEntry(SQLModel, table=True):
    """One movement of points: an award, its reversal, a re-score correction or an adjustment.

    Entries of one (user, rule, cause) are numbered by `seq`: a replayed event finds its
    cause already held and adds nothing; the unique key stops a racing duplicate.
    """

    __tablename__ = "points_ledger"
    __table_args__ = (
        UniqueConstraint("guild_id", "user_id", "rule", "cause", "seq"),
        Index("ix_points_ledger_member_day", "guild_id", "user_id", "day"),
    )

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    rule: str  # answer_accepted, answer_posted, question_solved, onboarded, drop_streak, adjust
    cause: str  # answer:<message id>, question:<id>, member:<id>, week:<YYYY-Www>, interaction:<id>
    seq: int = 0
    kind: str  # award | reverse | rescore | adjust
    delta: int
    day: date = Field(sa_type=Date)  # the fact's local day: caps and periods count by it
    ref: int = snowflake(default=0)  # the answer message of an answer_posted award
    actor_id: int = snowflake(default=0)  # who made an adjustment or a re-score; 0 = the bot
    note: str = ""
    at: datetime = utc_time()


class PointsBalance(SQLModel, table=True):
    """A member's points in one period: `all`, `w2026-48` (ISO week) or `m2026-11`."""

    __tablename__ = "points_balances"
    __table_args__ = (Index("ix_points_balances_board", "guild_id", "period", "points"),)

    guild_id: int = snowflake(primary_key=True)
    period: str = Field(primary_key=True)
    user_id: int = snowflake(primary_key=True)
    points: int = 0


class PointsSettings(SQLModel, table=True):
    """A guild's rules (weights, caps) and levels as they apply now."""

    __tablename__ = "points_settings"

    guild_id: int = snowflake(primary_key=True)
    rules: dict[str, Any] = json_column(default_factory=dict)
    levels: list[dict[str, Any]] = json_column(default_factory=list)
    updated_at: datetime = utc_time()


class PointsMember(SQLModel, table=True):
    """A member's board preference and the level whose role they were given."""

    __tablename__ = "points_members"

    guild_id: int = snowflake(primary_key=True)
    user_id: int = snowflake(primary_key=True)
    hidden: bool = False
    level: int = 0


class PointsQuestion(SQLModel, table=True):
    """Who asked a question (from Q&A's events), so self-answers earn nothing."""

    __tablename__ = "points_questions"

    guild_id: int = snowflake(primary_key=True)
    question_id: int = snowflake(primary_key=True)
    asker_id: int = snowflake()


class PointsOpenDay(SQLModel, table=True):
    """A local day on which a member opened content (for the weekly drop streak)."""

    __tablename__ = "points_open_days"

    guild_id: int = snowflake(primary_key=True)
    user_id: int = snowflake(primary_key=True)
    day: date = Field(primary_key=True, sa_type=Date)


class PointsRescore(SQLModel, table=True):
    """A re-score a moderator previewed: the rules it would apply, and whether it did."""

    __tablename__ = "points_rescores"

    id: int | None = row_id()
    guild_id: int = snowflake()
    actor_id: int = snowflake()
    rules: dict[str, Any] = json_column(default_factory=dict)
    status: str = "preview"  # preview | applied | stale
    created_at: datetime = utc_time()
    applied_at: datetime | None = utc_time(nullable=True)
