"""No command prints or logs a secret, whatever style the database URL is written in."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.cli import logging_to_stderr, main
from bot.settings import DatabaseSettings
from bot.settings.secrets import database_secrets, redact_database_url

ENV_SECRETS = {
    "DISCORD_TOKEN": "MTA.discord-token-S3cret",
    "STRIPE_API_KEY": "sk_test_stripe-key-S3cret",
    "STRIPE_WEBHOOK_SECRET": "whsec_webhook-S3cret",
    "PRIVACY_SECRET": "privacy-key-S3cret",
}
# Port 9 on localhost refuses at once: commands that get as far as connecting fail fast.
URLS = {
    "sqlalchemy-password": (
        "postgresql+asyncpg://lyc:Pw-plain-S3cret@127.0.0.1:9/lyc",
        ["Pw-plain-S3cret"],
    ),
    "percent-encoded-password": (
        "postgresql+asyncpg://lyc:Pw%40enc%2FS3cret@127.0.0.1:9/lyc",
        ["Pw@enc/S3cret", "Pw%40enc%2FS3cret"],
    ),
    "libpq-key-value": (
        "host=127.0.0.1 port=9 user=lyc password=Pw-libpq-S3cret dbname=lyc",
        ["Pw-libpq-S3cret"],
    ),
    "libpq-quoted": ("host=db user=lyc password='Pw libpq S3cret' dbname=lyc", ["Pw libpq S3cret"]),
    "postgres-uri-query-password": (
        "postgres://lyc@127.0.0.1:9/lyc?password=Pw-query-S3cret",
        ["Pw-query-S3cret"],
    ),
    "asyncpg-uri-query-password": (
        "postgresql+asyncpg://lyc@127.0.0.1:9/lyc?sslmode=disable&password=Pw-aquery-S3cret",
        ["Pw-aquery-S3cret"],
    ),
    "unreadable-port": (
        "postgresql+asyncpg://lyc:Pw-port-S3cret@127.0.0.1:notaport/lyc",
        ["Pw-port-S3cret"],
    ),
}
CONFIG = """
[discord]
application_id = 42

[[guilds]]
id = 1
owners_channel_id = 5
"""
EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "dce" / "thread.json"


def commands(config: Path) -> dict[str, list[str]]:
    common = ["--config", str(config)]
    return {
        "check-config": ["check-config", str(config)],
        "migrate": ["migrate", *common],
        "stats": ["stats", *common, "--guild", "1"],
        "import": ["import", "dce", *common, "--guild", "1", str(EXPORT)],
        "entitlements": ["entitlements", *common, "--guild", "1"],
        "webhooks": ["webhooks", *common],
        "run": ["run", *common],
    }


@pytest.mark.parametrize("style", URLS)
@pytest.mark.parametrize("command", list(commands(Path())))
def test_no_command_prints_or_logs_a_secret(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    style: str,
    command: str,
) -> None:
    url, passwords = URLS[style]
    for name, value in {**ENV_SECRETS, "DATABASE_URL": url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    caplog.set_level(logging.DEBUG)

    code = main(["--log-level", "DEBUG", *commands(config)[command]])

    captured = capsys.readouterr()
    everything = captured.out + captured.err + caplog.text
    for secret in [*ENV_SECRETS.values(), *passwords, url]:
        assert secret not in everything
    if command != "check-config":
        assert code != 0  # none of these databases can be reached
    if style.startswith("libpq") and command == "check-config":
        assert "libpq" in captured.out


@pytest.mark.parametrize("style", URLS)
def test_a_url_in_the_config_file_is_never_echoed_either(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    style: str,
) -> None:
    url, passwords = URLS[style]
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG + f"\n[database]\nurl = '''{url}'''\n", encoding="utf-8")

    main(["check-config", str(config)])

    output = "".join(capsys.readouterr())
    assert not [secret for secret in [*passwords, url] if secret in output]


# ---------------------------------------------------------------- fuzz

passwords = st.text(
    st.characters(codec="utf-8", exclude_characters="\n\r\x00"), min_size=6, max_size=20
)


@settings(max_examples=50, deadline=None)
@given(
    password=passwords,
    style=st.sampled_from(["userinfo", "query", "libpq"]),
    port=st.sampled_from(["5432", "9", "notaport", ""]),
)
def test_the_displayed_url_never_holds_the_password(password: str, style: str, port: str) -> None:
    encoded = quote(password, safe="")
    assume(style != "libpq" or not {"'", "\\"} & set(password))
    host = f"db:{port}" if port else "db"
    url = {
        "userinfo": f"postgresql+asyncpg://lyc:{encoded}@{host}/lyc",
        "query": f"postgresql+asyncpg://lyc@{host}/lyc?password={encoded}",
        "libpq": f"host=db user=lyc password='{password}' dbname=lyc",
    }[style]
    assert {password, encoded} <= database_secrets(url) | ({encoded} if style == "libpq" else set())
    shown = redact_database_url(url)
    assume(password not in url.replace(password, "").replace(encoded, ""))  # "lyc", "db"...
    assert password not in shown and encoded not in shown
    assert password not in repr(DatabaseSettings(url=url))


def test_a_secret_that_reaches_a_log_line_or_traceback_is_shown_as_stars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A library that echoes what it was given (a key in an error, a URL in a traceback).
    for name, value in ENV_SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", URLS["percent-encoded-password"][0])
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    main(["check-config", str(config)])  # the secrets it has seen are remembered
    capsys.readouterr()

    echo = logging.getLogger("some.library")
    with logging_to_stderr("DEBUG"):  # what `main` logs through
        echo.warning("calling with key %s", ENV_SECRETS["STRIPE_API_KEY"])
        try:
            raise ValueError(f"bad password {URLS['percent-encoded-password'][1][0]}")
        except ValueError:
            echo.exception("login with %s refused", ENV_SECRETS["DISCORD_TOKEN"])

    err = capsys.readouterr().err
    assert "calling with key ***" in err and "login with *** refused" in err
    assert "ValueError: bad password ***" in err
    for secret in [*ENV_SECRETS.values(), *URLS["percent-encoded-password"][1]]:
        assert secret not in err
