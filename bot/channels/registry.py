"""Build the enabled channels from the settings object, so the web layer can look them up by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend.notify import render
from bot.channels.base import Channel
from bot.channels.sms import SmsChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.wechat import WeChatChannel

STATUS_CALLBACK_PATH = "/hooks/sms/status"


def _sms_overrides(settings: Any) -> dict[str, Any]:
    public_url = getattr(settings, "public_url", "")
    found: dict[str, Any] = {"help_reply": f"{render('sms_help', 'zh')}\n{render('sms_help', 'en')}"}
    if public_url:
        found["status_callback"] = f"{str(public_url).rstrip('/')}{STATUS_CALLBACK_PATH}"
    return found


def _wechat_overrides(settings: Any, token_store: Any = None) -> dict[str, Any]:
    return {"token_store": token_store} if token_store is not None else {}


# channel name -> (settings attribute, channel class, extra constructor arguments from the whole settings)
CHANNEL_FACTORIES: dict[str, tuple[str, Any, Callable[..., dict[str, Any]]]] = {
    WeChatChannel.name: ("wechat", WeChatChannel, _wechat_overrides),
    SmsChannel.name: ("twilio", SmsChannel, _sms_overrides),
    TelegramChannel.name: ("telegram", TelegramChannel, lambda settings: {}),
}


def build_channels(settings: Any, *, token_store: Any = None) -> dict[str, Channel]:
    """Create every enabled channel.

    Args:
        settings: A ``Settings``-like object with ``wechat``, ``twilio`` and ``telegram`` sections, each
            with an ``enabled`` flag (duck-typed; ``bot.settings`` is not imported here).
        token_store: Where access tokens are shared between processes (``backend.tokens.DbTokenStore``).

    Returns:
        ``{channel name: channel}`` for the enabled sections only.
    """
    channels: dict[str, Channel] = {}
    for name, (attribute, channel_cls, extra) in CHANNEL_FACTORIES.items():
        section = getattr(settings, attribute, None)
        if section is not None and section.enabled:
            wants_store = extra is _wechat_overrides
            kwargs = extra(settings, token_store) if wants_store else extra(settings)
            channels[name] = channel_cls.from_settings(section, **kwargs)
    return channels
