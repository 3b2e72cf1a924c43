"""Odd values in history exports: the file is refused by name and position, the others import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, func, select

from bot.services.importer import DceImporter
from bot.services.importer.parsing import Batch, Finished, parse
from bot.services.importer.reader import ExportFormatError
from storage.database import Database
from storage.interactions import Interaction
from tests.services.stats.community import stats_service
from tests.services.stats.test_dce_import import NOW

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dce"
GENERAL, THREAD = FIXTURES / "general.json", FIXTURES / "thread.json"
HUGE = "9" * 25  # beyond 64 bits
DEEP = 100_000
Export = dict[str, Any]


def at_message(index: int, *path: str, value: Any) -> Callable[[Export], None]:
    """Set one field of one message (path into the message object)."""

    def change(export: Export) -> None:
        target = export["messages"][index]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def in_header(section: str, value: Any) -> Callable[[Export], None]:
    def change(export: Export) -> None:
        export[section]["id"] = value

    return change


CHANGES = [
    pytest.param(at_message(2, "id", value="²³"), "#3", id="message-id-superscript-digits"),
    pytest.param(at_message(2, "author", "id", value="²³"), "#3", id="author-id-superscript"),
    pytest.param(at_message(2, "author", "id", value=HUGE), "#3", id="author-id-beyond-64-bits"),
    pytest.param(at_message(2, "author", "id", value=2**64), "#3", id="author-id-int-2^64"),
    pytest.param(at_message(2, "id", value=HUGE), "#3", id="message-id-beyond-64-bits"),
    pytest.param(
        at_message(1, "reactions", value=[{"emoji": {"name": "x"}, "users": [{"id": "²"}]}]),
        "#2",
        id="reactor-id-superscript",
    ),
    pytest.param(
        at_message(1, "reactions", value=[{"emoji": {"name": "x"}, "users": [{"id": HUGE}]}]),
        "#2",
        id="reactor-id-beyond-64-bits",
    ),
    pytest.param(
        at_message(1, "reactions", value=[{"emoji": {"name": "\ud800"}, "users": [{"id": "5"}]}]),
        "#2",
        id="emoji-lone-surrogate",
    ),
    pytest.param(
        at_message(2, "timestamp", value="0001-01-01T00:00:00+01:00"), "#3", id="year-1-plus-1h"
    ),
    pytest.param(
        at_message(2, "timestamp", value="9999-12-31T23:30:00-01:00"), "#3", id="year-9999-minus-1h"
    ),
    pytest.param(at_message(2, "timestamp", value="0001-01-01T00:00:00Z"), "#3", id="year-1-utc"),
    pytest.param(
        at_message(2, "timestamp", value="9999-12-31T23:59:59+14:00"), "#3", id="year-9999-east"
    ),
    pytest.param(in_header("channel", "²³"), "channel", id="channel-id-superscript"),
    pytest.param(in_header("channel", HUGE), "channel", id="channel-id-beyond-64-bits"),
    pytest.param(in_header("guild", "¹"), "guild", id="guild-id-superscript"),
]


async def count(db: Database) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count(col(Interaction.id))))).one()


async def assert_only_the_good_file_imported(
    db: Database, bad: Path, expected: str, *, in_child: bool = False
) -> None:
    stats = stats_service(db, NOW)
    importer = DceImporter(db, stats)
    if in_child:
        importer.child_process_bytes = 0  # parsed in a second process
    bad_result, good = await importer.import_files(1, [bad, THREAD])

    assert bad_result.error is not None and f"{bad}:" in bad_result.error
    assert expected in bad_result.error
    assert (good.error, good.added) == (None, 2)
    assert await count(db) == 2  # nothing of the bad file
    assert (await stats.weekly_report(1, "2026-W41")).wau == 2  # rollups refreshed


@pytest.mark.parametrize(("change", "expected"), CHANGES)
async def test_odd_value_refuses_the_file_by_position_and_the_others_import(
    db: Database, tmp_path: Path, change: Callable[[Export], None], expected: str
) -> None:
    export = json.loads(GENERAL.read_text(encoding="utf-8"))
    change(export)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(export, indent=2), encoding="utf-8")

    await assert_only_the_good_file_imported(db, bad, expected)


@pytest.mark.parametrize(
    ("where", "in_child"), [("message", False), ("header", False), ("message", True)]
)
async def test_nesting_100000_deep_refuses_the_file_and_the_others_import(
    db: Database, tmp_path: Path, where: str, in_child: bool
) -> None:
    text = GENERAL.read_text(encoding="utf-8")
    deep = "[" * DEEP + "]" * DEEP
    if where == "message":
        text = text.replace('"content": "Hello everyone!"', f'"content": {deep}')
    else:
        text = text.replace('"dateRange": {', f'"dateRange": {{"deep": {deep},')
    bad = tmp_path / "deep.json"
    bad.write_text(text, encoding="utf-8")

    await assert_only_the_good_file_imported(db, bad, "nested", in_child=in_child)


# ---------------------------------------------------------------- fuzz

ODD = st.sampled_from(
    ["²³", "¹", "٣", HUGE, "-1", "0", "", " 1", "1 ", "1e3", "0x10", "\ud800", "\x00", "\uff11"]
)
texts = st.text(max_size=8) | ODD
stamps = st.sampled_from(
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00", "0001-01-01T00:00:00Z",
     "2026-10-05T09:00:00", "2026-13-01T00:00:00Z", "1969-12-31T23:59:59Z",
     "2026-10-05T09:00:00+24:00", "2026-10-05T09:00:00.1234567+01:00"]
) | st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat())  # fmt: skip
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
FIELDS = {
    ("id",): texts | st.integers(),
    ("type",): st.sampled_from(["Default", "Reply", "GuildMemberJoin", "ThreadCreated"]) | values,
    ("timestamp",): stamps | values,
    ("author",): values,
    ("author", "id"): texts | st.integers(),
    ("author", "isBot"): values,
    ("reactions",): values,
    ("reference",): values,
    ("reference", "channelId"): texts | st.integers(),
    ("content",): values,
}


@st.composite
def odd_exports(draw: st.DrawFn) -> Export:
    export: Export = json.loads(GENERAL.read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        message = export["messages"][draw(st.integers(0, len(export["messages"]) - 1))]
        path = draw(st.sampled_from(sorted(FIELDS)))
        target = message
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[path[-1]] = draw(FIELDS[path])
    if draw(st.booleans()):
        export[draw(st.sampled_from(["guild", "channel"]))] = {"id": draw(texts | st.integers())}
    return export


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(export=odd_exports())
def test_parser_yields_storable_rows_or_an_export_format_error(
    tmp_path: Path, export: Export
) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    try:
        items = list(parse(str(path), 1))
    except ExportFormatError as error:
        assert error.path == str(path)
        return
    assert isinstance(items[-1], Finished)
    rows = [row for item in items if isinstance(item, Batch) for row in item.rows]
    conversion = items[-1].conversion
    rows += conversion.rows if conversion else []
    for guild_id, user_id, _kind, channel_id, ref, moment, _meta, key in rows:
        for number in (guild_id, user_id, channel_id or 1):
            assert 0 <= number < 2**63
        assert 2015 <= moment.year < 2100 and moment.utcoffset() is not None
        for text in (ref or "", key):
            text.encode("utf-8")  # storable: no lone surrogates
            assert "\x00" not in text
