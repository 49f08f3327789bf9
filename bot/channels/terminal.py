"""A console channel for ``anju chat``: the owner types lines, the bot's messages are written to a stream."""

from __future__ import annotations

import itertools
import sys
from datetime import UTC, datetime
from typing import Any, ClassVar, TextIO

from backend.notify import ChannelTraits
from bot.channels.base import (
    DeliveryResult,
    InboundMessage,
    OutboundMessage,
    WebRequest,
    WebResponse,
)
from bot.channels.common import with_numbered_choices

BOT_PROMPT = "安居> "


class TerminalChannel:
    """A local channel with no signatures: lines in, text out."""

    name: ClassVar[str] = "terminal"
    settings_section: ClassVar[str] = "terminal"
    routes: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()
    traits: ClassVar[ChannelTraits] = ChannelTraits(buttons=True)
    SUPPORTED_EVENTS: ClassVar[tuple[str, ...]] = ("text",)

    def __init__(
        self, stream: TextIO | None = None, *, user_id: str = "terminal-owner", prompt: str = BOT_PROMPT
    ) -> None:
        """Create the channel.

        Args:
            stream: Where bot messages are written (default: ``sys.stdout`` at send time).
            user_id: The ``external_user_id`` of the single local owner.
            prompt: Prefix of each bot message.
        """
        self._stream = stream
        self.user_id = user_id
        self.prompt = prompt
        self._inbound_ids = itertools.count(1)
        self._outbound_ids = itertools.count(1)
        self.sent: list[OutboundMessage] = []

    @classmethod
    def from_settings(cls, section: Any = None, **overrides: Any) -> TerminalChannel:
        """Build with defaults (there are no terminal settings); ``overrides`` go to the constructor."""
        return cls(**overrides)

    def message_from_line(self, line: str) -> InboundMessage | None:
        """Turn one typed line into an inbound text message.

        Args:
            line: The raw line (trailing newline allowed).

        Returns:
            The message, or ``None`` for a blank line.
        """
        text = line.strip()
        if not text:
            return None
        return InboundMessage(
            channel=self.name,
            external_user_id=self.user_id,
            provider_message_id=f"terminal-in-{next(self._inbound_ids)}",
            text=text,
            received_at=datetime.now(UTC),
        )

    def verify(self, request: WebRequest) -> None:
        """Nothing to verify: the terminal is local."""

    def parse_inbound(self, request: WebRequest) -> list[InboundMessage]:
        """Each non-blank line of the body is one owner message."""
        lines = request.body.decode("utf-8", "replace").splitlines()
        return [message for line in lines if (message := self.message_from_line(line))]

    def ack(self, request: WebRequest) -> WebResponse:
        """Nothing to acknowledge."""
        return WebResponse()

    def render(self, message: OutboundMessage) -> str:
        """The text shown for a bot message: numbered choices, image link and contact hint included."""
        text = with_numbered_choices(message.text, message.quick_replies)
        extras = {
            "image": f"[图片 image] {message.image_url}" if message.image_url else "",
            "contact": "[请输入手机号 please type your phone number]" if message.request_contact else "",
        }
        return "\n".join([text, *(extra for extra in extras.values() if extra)])

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Write the message to the stream."""
        stream = self._stream or sys.stdout
        stream.write(f"{self.prompt}{self.render(message)}\n")
        stream.flush()
        self.sent.append(message)
        return DeliveryResult(ok=True, provider_message_id=f"terminal-out-{next(self._outbound_ids)}")
