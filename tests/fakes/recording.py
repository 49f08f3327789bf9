"""A channel that records what it is asked to send (for in-process dialog tests)."""

from __future__ import annotations

import itertools
from typing import ClassVar

from bot.channels.base import DeliveryResult, OutboundMessage

_ids = itertools.count(1)


class RecordingChannel:
    """Any channel name; ``sent`` keeps every outbound message."""

    name: ClassVar[str] = "recording"

    def __init__(self, name: str) -> None:
        """Record sends for channel ``name``."""
        self.channel_name = name
        self.sent: list[OutboundMessage] = []

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Record and report success."""
        self.sent.append(message)
        return DeliveryResult(ok=True, provider_message_id=f"{self.channel_name}-{next(_ids)}")

    def to(self, recipient: str) -> list[str]:
        """Texts sent to ``recipient``."""
        return [m.text for m in self.sent if m.external_user_id == recipient]
