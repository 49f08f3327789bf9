"""Converting messages to and from the JSON stored in inbound events and outbox rows."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from backend.models import Outbox
from bot.channels.base import Attachment, InboundMessage, OutboundMessage, QuickReply


def to_payload(msg: InboundMessage) -> dict[str, Any]:
    """An inbound message as JSON (without the raw platform payload, which may hold personal data)."""
    data = asdict(msg)
    data.pop("raw", None)
    data["received_at"] = msg.received_at.isoformat() if msg.received_at else None
    return data


def from_payload(data: dict[str, Any]) -> InboundMessage:
    """Rebuild the inbound message stored by :func:`to_payload`."""
    data = dict(data)
    data["attachments"] = tuple(Attachment(**a) for a in data.get("attachments") or ())
    received = data.get("received_at")
    data["received_at"] = datetime.fromisoformat(received) if received else None
    return InboundMessage(**data)


def outbound(row: Outbox) -> OutboundMessage:
    """The message an outbox row asks the channel to send."""
    p = row.payload
    return OutboundMessage(
        channel=row.channel,
        external_user_id=row.recipient,
        text=p.get("text", ""),
        quick_replies=tuple(QuickReply(q["label"], q["payload"]) for q in p.get("quick_replies") or ()),
        request_contact=bool(p.get("request_contact")),
        image_url=p.get("image_url"),
        template_id=p.get("template_id"),
        template_data=p.get("template_data") or {},
        status_callback=p.get("status_callback"),
        client_msg_id=f"anju-{row.id}" if row.id else None,
    )
