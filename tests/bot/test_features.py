"""The FEATURES tuple: every feature well formed, and personal data never without hooks."""

from __future__ import annotations

import importlib
import re

import pytest
from sqlmodel import SQLModel

from bot.features import FEATURES
from storage.schema import load_models

# Columns that identify a person: user_id, actor_id, target_user_id, asker_id,
# first_answerer_id, created_by, author_id, inviter_id... (a new name of this shape is
# caught without editing this test).
PERSON_COLUMN = re.compile(
    r"^(user_id|.*_user_id|.*_member_id|member_id|actor_id|target_id|asker_id|.*answerer_id"
    r"|author_id|inviter_id|moderator_id|created_by|.*_by)$"
)


def _tables_with_person_columns() -> set[str]:
    load_models()
    return {
        name
        for name, table in SQLModel.metadata.tables.items()
        if any(PERSON_COLUMN.match(column.name) for column in table.columns)
    }


def test_every_table_with_personal_data_has_a_feature_with_privacy_hooks() -> None:
    covered = {table for f in FEATURES if f.privacy for table in f.privacy.tables}
    missing = _tables_with_person_columns() - covered
    assert not missing, f"tables with personal data but no export/forget hook: {sorted(missing)}"


def test_privacy_hooks_name_only_real_tables() -> None:
    load_models()
    named = {table for f in FEATURES if f.privacy for table in f.privacy.tables}
    assert named <= set(SQLModel.metadata.tables)


def test_what_a_deletion_keeps_is_named_by_real_tables_with_a_reason() -> None:
    load_models()
    kept = {table: why for f in FEATURES if f.privacy for table, why in f.privacy.kept.items()}
    assert set(kept) <= set(SQLModel.metadata.tables)
    assert all(len(why) > 20 for why in kept.values())


def test_feature_names_are_unique() -> None:
    names = [f.name for f in FEATURES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f.name)
def test_a_features_cli_module_declares_its_commands(feature: object) -> None:
    module_name = getattr(feature, "commands", None)
    if module_name is None:
        pytest.skip("no CLI commands")
    module = importlib.import_module(module_name)
    assert isinstance(module.COMMANDS, list) and module.COMMANDS
