"""The channels Anju knows: one line per channel, and building the enabled ones from the settings.

A channel declares itself on its class (see ``docs`` and the README's "Adding a channel"):

- ``name`` and ``settings_section`` (the ``Settings`` attribute holding its credentials, with ``enabled``);
- ``routes``: its webhook paths under ``/hooks`` and their methods (served by ``bot.webhooks`` for any
  registered channel, no per-channel route code);
- ``traits``: a ``backend.notify.ChannelTraits`` routing reads as plain data (reply window, proves the
  phone, buttons, length limit);
- optional abilities as ``runtime_checkable`` Protocols in ``bot.channels.base`` (URL verification,
  replay nonces, status callbacks, voice calls, after-accept work, close);
- ``from_settings(section, **wiring)`` and, when it needs more than its section, ``wiring(settings,
  shared)`` returning extra constructor arguments.
"""

from __future__ import annotations

from typing import Any

from bot.channels.base import Channel
from bot.channels.sms import SmsChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.wechat import WeChatChannel

STATUS_CALLBACK_PATH = SmsChannel.STATUS_CALLBACK_PATH

CHANNELS: list[type[Any]] = [
    WeChatChannel,
    SmsChannel,
    TelegramChannel,
]


def register(channel_cls: type[Any]) -> type[Any]:
    """Add a channel class to the registry (usable as a class decorator); registering twice is a no-op."""
    if channel_cls not in CHANNELS:
        CHANNELS.append(channel_cls)
    return channel_cls


def unregister(channel_cls: type[Any]) -> None:
    """Remove a channel class (tests that registered an extra channel)."""
    if channel_cls in CHANNELS:
        CHANNELS.remove(channel_cls)


def build_channels(settings: Any, *, token_store: Any = None, sections: dict[str, Any] | None = None
                   ) -> dict[str, Channel]:
    """Create every enabled channel.

    Args:
        settings: A ``Settings``-like object with one section per channel, each with an ``enabled`` flag
            (duck-typed; ``bot.settings`` is not imported here).
        token_store: Where access tokens are shared between processes (``backend.tokens.DbTokenStore``).
        sections: Extra sections by ``settings_section`` name (a channel whose settings live elsewhere).

    Returns:
        ``{channel name: channel}`` for the enabled sections only.
    """
    shared = {"token_store": token_store}
    channels: dict[str, Channel] = {}
    for channel_cls in CHANNELS:
        section = (sections or {}).get(channel_cls.settings_section) or getattr(settings, channel_cls.settings_section,
                                                                                 None)
        if section is None or not section.enabled:
            continue
        wiring = getattr(channel_cls, "wiring", None)
        extra = wiring(settings, shared) if callable(wiring) else {}
        channels[channel_cls.name] = channel_cls.from_settings(section, **extra)
    return channels


def traits_of(channels: dict[str, Any]) -> dict[str, Any]:
    """``{name: ChannelTraits}`` of built channels, handed to ``backend.notify.Policy``."""
    return {name: type(channel).traits for name, channel in channels.items() if hasattr(type(channel), "traits")}
