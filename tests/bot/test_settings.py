from pathlib import Path

import pytest

from bot.features import guild_sections
from bot.settings import Secret, SettingsError, load_settings, parse_settings

ENV = {
    "DISCORD_TOKEN": "bot-token-xyz",
    "STRIPE_API_KEY": "sk_test_abc",
    "STRIPE_WEBHOOK_SECRET": "whsec_def",
}
GOOD = """
[discord]
application_id = 42
api_base = "http://127.0.0.1:9000"

[database]
url = "sqlite+aiosqlite:///x.db"

[web]
port = 0

[[guilds]]
id = 1001
timezone = "Europe/Berlin"
owners_channel_id = 5
report_weekday = "fri"
report_hour = 17

[[guilds.tiers]]
key = "pro"
name = "Pro"
kind = "subscription"
stripe_price_id = "price_pro"
role_id = 77
"""
EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def problems_of(text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        parse_settings(text, env if env is not None else ENV)
    return raised.value.problems


def test_good_config_loads_every_section() -> None:
    settings = parse_settings(GOOD, ENV)
    guild = settings.guild(1001)
    assert guild is not None and guild.timezone == "Europe/Berlin"
    assert guild.tiers[0].role_id == 77
    assert settings.discord.application_id == 42
    assert settings.problems_for_run() == []


def test_secrets_come_from_the_environment() -> None:
    settings = parse_settings(GOOD, ENV)
    assert settings.discord.token.reveal() == "bot-token-xyz"
    assert settings.stripe.webhook_secret.reveal() == "whsec_def"


def test_secrets_never_show_in_reprs() -> None:
    settings = parse_settings(GOOD, ENV)
    shown = repr(settings) + str(settings) + settings.summary()
    for secret in ENV.values():
        assert secret not in shown
    assert repr(Secret("hunter2")) == "Secret('**********')"


def test_database_url_from_environment_wins() -> None:
    env = {**ENV, "DATABASE_URL": "postgresql+asyncpg://u:p@db/lyceum"}
    assert parse_settings(GOOD, env).database.url == "postgresql+asyncpg://u:p@db/lyceum"


def test_invalid_toml_names_the_source_and_line() -> None:
    [problem] = problems_of("[discord\napplication_id = 1")
    assert "not valid TOML" in problem and "line 1" in problem


def test_wrong_type_names_key_and_types() -> None:
    assert problems_of('[discord]\napplication_id = "abc"') == [
        "discord.application_id: must be int, got str 'abc'"
    ]


def test_unknown_key_is_reported_as_a_likely_typo() -> None:
    assert problems_of("[web]\nprot = 80") == ["web.prot: unknown key (typo?)"]


def test_every_problem_is_reported_at_once() -> None:
    text = (
        GOOD.replace('timezone = "Europe/Berlin"', 'timezone = "Mars/Olympus"')
        .replace("report_hour = 17", "report_hour = 24")
        .replace('report_weekday = "fri"', 'report_weekday = "friday"')
    )
    problems = problems_of(text)
    assert len(problems) == 3
    assert any(p.startswith("guilds[0].timezone: unknown time zone") for p in problems)
    assert "guilds[0].report_hour: must be between 0 and 23, got 24" in problems
    assert any(p.startswith("guilds[0].report_weekday: must be one of mon") for p in problems)


def test_unsupported_database_is_refused() -> None:
    [problem] = problems_of('[database]\nurl = "mysql://localhost/x"')
    assert problem.startswith("database.url: must start with sqlite+aiosqlite://")


def test_token_in_the_file_is_refused() -> None:
    [problem] = problems_of('[discord]\ntoken = "abc"')
    assert "set DISCORD_TOKEN" in problem


def test_bad_tiers_are_each_explained() -> None:
    text = (
        GOOD
        + '\n[[guilds.tiers]]\nkey = "pro"\nname = "Again"\nkind = "lifetime"\n'
        + 'stripe_price_id = "prod_1"\n'
    )
    problems = problems_of(text)
    assert "guilds[0].tiers[1].key: 'pro' is used by two tiers" in problems
    assert any(
        p.startswith("guilds[0].tiers[1].kind: must be one of subscription, one_time")
        for p in problems
    )
    assert any(
        p.startswith("guilds[0].tiers[1].stripe_price_id: must be a Stripe price id")
        for p in problems
    )


def test_duplicate_guild_ids_are_refused() -> None:
    text = "[[guilds]]\nid = 5\n[[guilds]]\nid = 5\n"
    assert problems_of(text) == ["guilds[1].id: 5 is configured twice"]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no such file"):
        load_settings(tmp_path / "nope.toml", ENV)


def test_run_needs_the_token_but_other_commands_do_not() -> None:
    settings = parse_settings(GOOD, {})
    assert settings.discord.token.reveal() == ""
    assert (
        "DISCORD_TOKEN: not set (the bot token from the Developer Portal)"
        in settings.problems_for_run()
    )


def test_example_config_is_valid_but_not_ready_to_run() -> None:
    settings = load_settings(EXAMPLE, {}, sections=guild_sections())
    problems = settings.problems_for_run()
    assert "guilds[0].id: not set (0); use the server's id" in problems
    assert "guilds[0].tiers[0].stripe_price_id: still the placeholder" in problems


def test_stripe_key_in_the_file_is_refused() -> None:
    [problem] = problems_of('[stripe]\napi_key = "sk_live_x"')
    assert problem == "stripe.api_key: secrets do not belong in the file; set STRIPE_API_KEY"


def test_interaction_log_shutdown_deadline_is_configurable_and_checked() -> None:
    settings = parse_settings(GOOD + "\n[interaction_log]\nclose_timeout_s = 2\n", ENV)
    assert settings.interaction_log.close_timeout_s == 2.0
    [problem] = problems_of(GOOD + "\n[interaction_log]\nclose_timeout_s = -1\n")
    assert problem.startswith("interaction_log.close_timeout_s:")


def test_database_password_never_shows_in_reprs() -> None:
    env = {**ENV, "DATABASE_URL": "postgresql+asyncpg://u:hunter2@db/lyceum"}
    settings = parse_settings(GOOD, env)
    shown = repr(settings) + str(settings) + repr(settings.database) + str(settings.database)
    assert "hunter2" not in shown
    assert settings.database.url == "postgresql+asyncpg://u:hunter2@db/lyceum"


def test_summary_names_the_database_without_its_password() -> None:
    env = {**ENV, "DATABASE_URL": "postgresql+asyncpg://u:hunter2@db/lyceum"}
    summary = parse_settings(GOOD, env).summary()
    assert "database postgresql+asyncpg://u:***@db/lyceum" in summary
