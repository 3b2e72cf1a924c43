"""The tables stats queries read, as SQLAlchemy Core tables (typed columns for Core SQL)."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel

from storage.schema import load_models

load_models()


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


interactions = _table("interactions")
members = _table("members")
content_items = _table("content_items")
questions = _table("questions")
reports = _table("reports")
stats_cursor = _table("stats_cursor")
guild_state = _table("stats_guild_state")
events = _table("stats_events")
member_days = _table("stats_member_days")
member_weeks = _table("stats_member_weeks")
guild_days = _table("stats_guild_days")
member_first = _table("stats_member_first")
member_spans = _table("stats_member_spans")
paid_spans = _table("stats_paid_spans")
retention = _table("stats_retention")
