"""Typed settings: ``ANJU_`` environment variables (``__`` nesting) over ``config/anju.toml`` defaults.

Nothing here reads the environment at import time; call :func:`get_settings`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PLACEHOLDERS = frozenset({"changethis", "secret", "change-me", "changeme"})
CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value else ""


class WeChatSettings(BaseModel):
    """WeChat official account (公众号) credentials; on when token and app id are set."""

    app_id: str = ""
    app_secret: SecretStr | None = None
    token: SecretStr | None = None
    encoding_aes_key: SecretStr | None = None
    api_base: str = "https://api.weixin.qq.com"
    template_ids: dict[str, str] = {}
    max_timestamp_skew_s: int = 300
    accept_plaintext: bool = False  # with an AES key set, still accept plain pushes (console mode switch only)
    previous_encoding_aes_key: SecretStr | None = None  # the key being rotated out, still accepted

    @property
    def enabled(self) -> bool:
        """True when the account's token and app id are configured."""
        return bool(_secret(self.token) and self.app_id)


class TwilioSettings(BaseModel):
    """Twilio SMS and voice; on when the account sid and auth token are set."""

    account_sid: str = ""
    auth_token: SecretStr | None = None
    from_number: str = ""
    api_base: str = "https://api.twilio.com"

    @property
    def enabled(self) -> bool:
        """True when the account sid and auth token are configured."""
        return bool(self.account_sid and _secret(self.auth_token))


class TelegramSettings(BaseModel):
    """Telegram bot; on when the bot token and webhook secret are set."""

    bot_token: SecretStr | None = None
    secret_token: SecretStr | None = None
    api_base: str = "https://api.telegram.org"
    allow_groups: bool = False  # answer group chats too (off: private chats only)

    @property
    def enabled(self) -> bool:
        """True when the bot token and webhook secret are configured."""
        return bool(_secret(self.bot_token) and _secret(self.secret_token))


class SlaSettings(BaseModel):
    """Service-rule timers and windows (DOMAIN.md §3-4)."""

    repeat_window_days: int = 90
    engineer_contact_hours: int = 24
    page_ack_minutes: int = 5
    survey_delay_hours: int = 24
    handoff_pickup_minutes: int = 5
    close_of_business: str = "18:00"
    # ISO date -> true (working day) / false (day off); overrides the statutory calendar.
    calendar_overrides: dict[str, bool] = {}


class OutboxSettings(BaseModel):
    """Delivery retries and per-channel rate limits (messages per second)."""

    max_attempts: int = 6
    base_backoff_s: float = 2.0
    batch_size: int = 50
    rate_limits: dict[str, float] = {"wechat": 50.0, "sms": 10.0, "telegram": 30.0}
    quiet_start: str = "21:00"
    quiet_end: str = "08:00"


class NluSettings(BaseModel):
    """NLU engine choice and the Rasa server it may call."""

    engine: str = "builtin"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: SecretStr | None = None
    rasa_timeout_s: float = 2.0
    low_confidence: float = 0.45


class Settings(BaseSettings):
    """All of Anju's settings in one typed object."""

    model_config = SettingsConfigDict(
        env_prefix="ANJU_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    env: str = "dev"
    database_url: str = "sqlite:///anju.db"
    data_dir: Path = Path("data")
    timezone: str = "Asia/Shanghai"
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    api_token: SecretStr | None = None
    session_secret: SecretStr | None = None
    default_language: str = "zh"
    log_level: str = "INFO"
    max_body_bytes: int = 256 * 1024
    wechat: WeChatSettings = WeChatSettings()
    twilio: TwilioSettings = TwilioSettings()
    telegram: TelegramSettings = TelegramSettings()
    sla: SlaSettings = SlaSettings()
    outbox: OutboxSettings = OutboxSettings()
    nlu: NluSettings = NluSettings()

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_prod(self) -> Settings:
        """Outside dev, refuse to run with missing or placeholder secrets."""
        if self.env != "prod":
            return self
        for name in ("api_token", "session_secret"):
            value = _secret(getattr(self, name))
            if len(value) < 16 or value in PLACEHOLDERS:
                raise ValueError(
                    f"ANJU_{name.upper()} must be set to a real secret (16+ characters) when ANJU_ENV=prod"
                )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order: explicit arguments, environment, ``.env``, then ``config/anju.toml``."""
        toml_path = Path(os.environ.get("ANJU_CONFIG_FILE", CONFIG_DIR / "anju.toml"))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        return init_settings, env_settings, dotenv_settings, toml


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    return Settings()
