"""Typed settings: ``ANJU_`` environment variables (``__`` nesting) over ``config/anju.toml`` defaults.

Nothing here reads the environment at import time; call :func:`get_settings`.
"""

from __future__ import annotations

import base64
import binascii
import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, SecretStr, field_validator, model_validator
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
    """Service-rule timers and windows (docs/domain.md §3-4)."""

    repeat_window_days: int = 90
    engineer_contact_hours: int = 24
    page_ack_minutes: int = 5
    survey_delay_hours: int = 24
    handoff_pickup_minutes: int = 5
    close_of_business: str = "18:00"
    # ISO date -> true (working day) / false (day off); overrides the statutory calendar.
    calendar_overrides: dict[str, bool] = {}
    # S1: staffed hours of the centre (outside them, non-emergencies go to the property monitoring centre)
    office_open: str = "08:30"
    office_close: str = "18:00"
    # S15: a complaint counts as resolved on time within this many working days
    complaint_resolution_workdays: int = 5
    # S25: owner tier -> first-contact deadline in hours (when sooner than the normal one)
    tier_contact_hours: dict[str, float] = {"vip": 4.0}


class OutboxSettings(BaseModel):
    """Delivery retries and per-channel rate limits (messages per second)."""

    max_attempts: int = 6
    base_backoff_s: float = 2.0
    batch_size: int = 50
    rate_limits: dict[str, float] = {"wechat": 50.0, "sms": 10.0, "telegram": 30.0}
    quiet_start: str = "21:00"
    quiet_end: str = "08:00"
    lease_s: float = 60.0  # a claimed row is due again after this if its worker died mid-send
    page_lease_s: float = 15.0  # the same for emergency pages (priority 0): short, a page must not wait


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
    hotline: str = "400-000-0000"  # told to an owner when an emergency page reached nobody
    log_format: str = "text"  # text | json
    metrics_token: SecretStr | None = None  # bearer token for /metrics (falls back to ANJU_API_TOKEN)
    heartbeat_s: float = 5.0  # how often each process writes its heartbeat row
    ready_max_heartbeat_age_s: float = 30.0  # /readyz: a worker silent longer than this is gone
    ready_max_inbound_age_s: float = 60.0  # /readyz: oldest unprocessed inbound event
    ready_max_outbox_age_s: float = 120.0  # /readyz: oldest due, unsent outbox row
    coverage_days: int = 14  # rota coverage check horizon

    @field_validator("env")
    @classmethod
    def _known_env(cls, value: str) -> str:
        """Only ``dev`` and ``prod``: ``production`` or ``PROD`` must not run silently as dev."""
        if value not in ("dev", "prod"):
            raise ValueError(f"ANJU_ENV must be dev or prod, not {value[:20]!r}")
        return value

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        """``text`` or ``json``."""
        if value not in ("text", "json"):
            raise ValueError(f"ANJU_LOG_FORMAT must be text or json, not {value[:20]!r}")
        return value

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


def channel_problems(settings: Settings) -> list[str]:
    """Inconsistent channel settings, one line each (no secret value in any line); empty when all is well.

    Checked at the start of ``serve``/``worker`` and by ``anju doctor``: a half-configured channel
    otherwise fails only at the first message (webhooks 404, every SMS or push refused).
    """
    out: list[str] = []
    tg, tw, wx = settings.telegram, settings.twilio, settings.wechat
    if bool(_secret(tg.bot_token)) != bool(_secret(tg.secret_token)):
        have, missing = ("BOT_TOKEN", "SECRET_TOKEN") if _secret(tg.bot_token) else ("SECRET_TOKEN", "BOT_TOKEN")
        out.append(f"telegram: ANJU_TELEGRAM__{have} is set but ANJU_TELEGRAM__{missing} is not "
                   "(Telegram webhooks would be refused)")
    if tg.secret_token and _secret(tg.secret_token):
        sec = _secret(tg.secret_token)
        if not (1 <= len(sec) <= 256 and all(c.isalnum() or c in "_-" for c in sec)):
            out.append("telegram: ANJU_TELEGRAM__SECRET_TOKEN must be 1-256 characters of A-Z a-z 0-9 _ -")
    if bool(tw.account_sid) != bool(_secret(tw.auth_token)):
        out.append("twilio: ANJU_TWILIO__ACCOUNT_SID and ANJU_TWILIO__AUTH_TOKEN must be set together")
    if tw.enabled and not tw.from_number:
        out.append("twilio: ANJU_TWILIO__FROM_NUMBER is not set (every SMS would be refused)")
    if bool(_secret(wx.token)) != bool(wx.app_id):
        out.append("wechat: ANJU_WECHAT__TOKEN and ANJU_WECHAT__APP_ID must be set together")
    if wx.enabled and not _secret(wx.app_secret):
        out.append("wechat: ANJU_WECHAT__APP_SECRET is not set (replies could not be sent)")
    aes = _secret(wx.encoding_aes_key)
    if aes:
        try:
            key = base64.b64decode(aes + "=", validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(aes) != 43 or len(key) != 32:  # WeChat's keys are 43 random base64 characters (non-canonical)
            out.append("wechat: ANJU_WECHAT__ENCODING_AES_KEY does not decode to a 32-byte key "
                       "(expected the 43 characters shown in the WeChat admin console)")
    if settings.env == "prod" and (tg.enabled or tw.enabled or wx.enabled):
        if not settings.public_url.startswith("https://"):
            out.append("public_url: ANJU_PUBLIC_URL must start with https:// when ANJU_ENV=prod "
                       "(platforms call it, and Twilio signs the exact URL)")
    return out


def settings_errors(exc: Exception) -> list[str]:
    """A settings validation error as short lines, without the offending (possibly secret) input."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        lines = []
        for err in errors():
            msg = str(err.get("msg", "invalid"))
            msg = msg.removeprefix("Value error, ")
            loc = ".".join(str(p) for p in err.get("loc", ()))
            lines.append(f"{loc}: {msg}" if loc and not msg.startswith("ANJU_") else msg)
        return lines
    return [str(exc).splitlines()[0]]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    return Settings()
