"""The streaming export reader yields what `json.loads` would, chunk size notwithstanding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.importer.reader import ExportFormatError, ExportReader

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
messages = st.lists(st.dictionaries(st.text(max_size=8), values, max_size=5), max_size=12)
header = st.dictionaries(st.sampled_from(["guild", "channel", "exportedAt"]), values, max_size=3)
CASES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def write(tmp_path: Path, export: dict[str, Any], indent: int | None, ascii_only: bool) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, indent=indent, ensure_ascii=ascii_only), encoding="utf-8")
    return path


@CASES
@given(
    head=header,
    items=messages,
    tail=st.integers(0, 10**12),
    indent=st.sampled_from([None, 0, 2, 4]),
    ascii_only=st.booleans(),
    chunk=st.integers(1, 300),
)
def test_reader_yields_the_messages_whatever_the_chunk_size(
    tmp_path: Path,
    head: dict[str, Any],
    items: list[dict[str, Any]],
    tail: int,
    indent: int | None,
    ascii_only: bool,
    chunk: int,
) -> None:
    export = {**head, "messages": items, "messageCount": tail}
    reader = ExportReader(write(tmp_path, export, indent, ascii_only), chunk_bytes=chunk)

    assert list(reader.messages()) == items
    assert reader.header.fields == {**head, "messages": True, "messageCount": tail}


@CASES
@given(items=st.lists(st.fixed_dictionaries({"id": st.text(max_size=6)}), min_size=1, max_size=20),
       broken=st.data(), chunk=st.integers(1, 200))  # fmt: skip
def test_a_break_is_reported_on_its_line_whatever_the_chunk_size(
    tmp_path: Path, items: list[dict[str, Any]], broken: st.DataObject, chunk: int
) -> None:
    index = broken.draw(st.integers(0, len(items) - 1))
    text = json.dumps({"guild": {"name": "g"}, "messages": items}, indent=2)
    lines = text.splitlines()
    target = [i for i, line in enumerate(lines) if line.strip().startswith('"id"')][index]
    lines[target] = lines[target] + " ]["  # garbage after the value
    path = tmp_path / "broken.json"
    path.write_text("\n".join(lines), encoding="utf-8")

    with pytest.raises(ExportFormatError) as caught:
        list(ExportReader(path, chunk_bytes=chunk).messages())

    assert caught.value.line == target + 1
    assert caught.value.message_index == index


def test_an_export_without_messages_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, {"guild": {"id": "1"}}, 2, True)

    with pytest.raises(ExportFormatError, match="no `messages` array"):
        list(ExportReader(path).messages())


def test_text_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"messages": [{"content": "caf\u00e9"}]}'.encode("latin-1"))

    with pytest.raises(ExportFormatError, match="not UTF-8"):
        list(ExportReader(path).messages())
