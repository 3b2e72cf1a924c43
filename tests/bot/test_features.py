"""The FEATURES tuple: every feature well formed, and personal data never without hooks."""

from __future__ import annotations

import importlib

import pytest
from sqlmodel import SQLModel

from bot.features import FEATURES
from storage.schema import load_models

# Columns that identify a person.
PERSON_COLUMNS = frozenset(
    {"user_id", "actor_id", "target_user_id", "asker_id", "answerer_id", "created_by"}
)
# Tables made for features not built yet: each gets its hooks with its feature.
NOT_YET_BUILT = {
    "points_ledger": "points (issue 15)",
    "questions": "Q&A (issue 14)",
}


def _tables_with_person_columns() -> set[str]:
    load_models()
    return {
        name
        for name, table in SQLModel.metadata.tables.items()
        if PERSON_COLUMNS & {column.name for column in table.columns}
    }


def test_every_table_with_personal_data_has_a_feature_with_privacy_hooks() -> None:
    covered = {table for f in FEATURES if f.privacy for table in f.privacy.tables}
    missing = _tables_with_person_columns() - covered - set(NOT_YET_BUILT)
    assert not missing, f"tables with personal data but no export/forget hook: {sorted(missing)}"


def test_privacy_hooks_name_only_real_tables() -> None:
    load_models()
    named = {table for f in FEATURES if f.privacy for table in f.privacy.tables}
    assert named <= set(SQLModel.metadata.tables)


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
