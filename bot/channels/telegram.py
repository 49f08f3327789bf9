"""Telegram bot: JSON webhooks in (secret-token header), Bot API calls out.

python-telegram-bot is used as transport only (``Bot`` + ``Update.de_json``), never its handlers or
``ConversationHandler``: dialogs are channel-agnostic.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import json
import warnings
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, ClassVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from backend.notify import ChannelTraits
from bot.channels.base import (
    Attachment,
    BadPayload,
    DeliveryResult,
    InboundMessage,
    OutboundMessage,
    QuickReply,
    SignatureError,
    UnsupportedEvent,
    WebRequest,
    WebResponse,
)
from bot.channels.common import secret_value, split_text, with_numbered_choices
from bot.channels.privacy import redact_secrets_in_logs

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# my_chat_member tells us when a user blocks (kicked) or unblocks (member) the bot.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
BUTTONS_PER_ROW = 3
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
# Checked in order (BadRequest and TimedOut subclass NetworkError): exception type -> retryable.
ERROR_OUTCOMES: tuple[tuple[type[TelegramError], bool], ...] = (
    (TimedOut, True),
    (BadRequest, False),
    (Forbidden, False),
    (InvalidToken, False),
    (NetworkError, True),
    (TelegramError, False),
)


def _retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int form is deprecated
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _error_result(exc: TelegramError) -> DeliveryResult:
    if isinstance(exc, RetryAfter):
        return DeliveryResult(
            ok=False,
            status="failed",
            retryable=True,
            retry_after=_retry_after_seconds(exc),
            error=f"flood control: {exc}",
        )
    retryable = next(flag for kind, flag in ERROR_OUTCOMES if isinstance(exc, kind))
    error = f"{type(exc).__name__}: {exc}"
    # 403 "bot was blocked by the user" / "user is deactivated" / "bot can't initiate conversation"
    unreachable = "blocked" if isinstance(exc, Forbidden) else None
    return DeliveryResult(ok=False, status="failed", retryable=retryable, error=error, unreachable=unreachable)


class TelegramChannel:
    """The Telegram bot channel."""

    name: ClassVar[str] = "telegram"
    settings_section: ClassVar[str] = "telegram"
    routes: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = (("/telegram", ("POST",)),)
    traits: ClassVar[ChannelTraits] = ChannelTraits(buttons=True, max_text=TEXT_LIMIT)
    SUPPORTED_EVENTS: ClassVar[tuple[str, ...]] = ("text", "image", "voice", "video", "file", "location", "contact",
                                                   "button", "state", "unsupported")

    def __init__(
        self,
        bot_token: str,
        secret_token: str,
        *,
        api_base: str = "https://api.telegram.org",
        timeout_s: float = 10.0,
        contact_button_label: str = "分享手机号 Share phone number",
        allow_groups: bool = False,
    ) -> None:
        """Create the channel (no network I/O; the bot is initialised on first send).

        Args:
            bot_token: The BotFather token.
            secret_token: The webhook secret expected in ``X-Telegram-Bot-Api-Secret-Token``.
            api_base: Base URL of the Bot API (``https://api.telegram.org`` or a fake).
            timeout_s: Connect/read/write timeout of every Bot API call.
            contact_button_label: Label of the request-contact keyboard button.
            allow_groups: Also answer group chats (off: in groups privacy mode hides most messages and
                one chat id is many people, so only private chats are taken).
        """
        if not secret_token:
            raise ValueError("a webhook secret token is required")
        self._secret = secret_token.encode()
        self._contact_label = contact_button_label
        self._allow_groups = allow_groups
        request = HTTPXRequest(connect_timeout=timeout_s, read_timeout=timeout_s, write_timeout=timeout_s)
        self._bot = Bot(bot_token, base_url=f"{api_base.rstrip('/')}/bot", request=request)
        self._init_lock = asyncio.Lock()
        self._initialized = False
        self._token = bot_token
        redact_secrets_in_logs(bot_token, secret_token)

    @classmethod
    def from_settings(cls, section: Any, **overrides: Any) -> TelegramChannel:
        """Build from a ``TelegramSettings``-like object (duck-typed; secrets may be ``SecretStr``)."""
        kwargs: dict[str, Any] = {"api_base": section.api_base,
                                  "allow_groups": bool(getattr(section, "allow_groups", False))}
        kwargs.update(overrides)
        return cls(secret_value(section.bot_token), secret_value(section.secret_token), **kwargs)

    # ----------------------------------------------------------------------------------- inbound
    def verify(self, request: WebRequest) -> None:
        """Compare the secret-token header in constant time.

        Raises:
            SignatureError: Header missing or wrong.
        """
        given = (request.header(SECRET_HEADER) or "").encode()
        if not hmac.compare_digest(given, self._secret):
            raise SignatureError("missing or wrong X-Telegram-Bot-Api-Secret-Token")

    def parse_inbound(self, request: WebRequest) -> list[InboundMessage]:
        """Parse one update: message text/photo/location/contact or a callback query.

        Raises:
            BadPayload: Not JSON, or not a valid Update.
            UnsupportedEvent: Any other update or message type.
        """
        try:
            data = json.loads(request.body)
            update = Update.de_json(data, self._bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:  # nesting bombs too
            raise BadPayload(f"not a Telegram update: {type(exc).__name__}") from exc
        if update is None:
            raise BadPayload("not a Telegram update")
        for attribute, handler in UPDATE_HANDLERS.items():
            part = getattr(update, attribute, None)
            if part is not None:
                chat = getattr(part, "chat", None)
                if chat is not None and chat.type != "private" and not self._allow_groups:
                    raise UnsupportedEvent(f"Telegram {chat.type} chat (only private chats are answered)")
                return [handler(update, part, data)]
        raise UnsupportedEvent(f"Telegram update {update.update_id} of an unhandled type")

    def ack(self, request: WebRequest) -> WebResponse:
        """Answer 200 with an empty body (replies go out through the Bot API)."""
        return WebResponse(body="", media_type="text/plain")

    # ---------------------------------------------------------------------------------- outbound
    async def _ready(self) -> Bot:
        if not self._initialized:
            async with self._init_lock:
                if not self._initialized:
                    await self._bot.initialize()  # calls getMe
                    self._initialized = True
        return self._bot

    def _failure(self, exc: TelegramError) -> DeliveryResult:
        result = _error_result(exc)
        # PTB puts the bot token in InvalidToken messages: never let it reach logs or the outbox.
        return dataclasses.replace(result, error=(result.error or "").replace(self._token, "<bot-token>"))

    def _markup(self, message: OutboundMessage) -> tuple[str, Markup]:
        if message.request_contact:
            button = KeyboardButton(self._contact_label, request_contact=True)
            markup = ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True)
            return with_numbered_choices(message.text, message.quick_replies), markup
        if message.quick_replies:
            return message.text, InlineKeyboardMarkup(_rows(message.quick_replies))
        return message.text, None

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        """Send text (``sendMessage``) or a photo with caption (``sendPhoto``).

        Quick replies become an inline keyboard (``callback_data`` = payload); ``request_contact``
        adds a one-time reply keyboard with a contact-share button. Never raises for platform errors.
        """
        text, markup = self._markup(message)
        chat = message.external_user_id
        try:
            bot = await self._ready()
            if message.image_url:
                caption = text if len(text) <= CAPTION_LIMIT else None  # captions stop at 1,024 characters
                sent = await bot.send_photo(chat, message.image_url, caption=caption or None,
                                            reply_markup=markup if caption is not None else None)
                if caption is not None or not text:
                    return DeliveryResult(ok=True, provider_message_id=str(sent.message_id))
            parts = split_text(text, TEXT_LIMIT)  # texts stop at 4,096 characters
            for index, part in enumerate(parts):  # the buttons go with the last part
                sent = await bot.send_message(chat, part, reply_markup=markup if index == len(parts) - 1 else None)
        except TelegramError as exc:
            return self._failure(exc)
        return DeliveryResult(ok=True, provider_message_id=str(sent.message_id))

    async def answer_callback(self, callback_query_id: str, text: str | None = None) -> DeliveryResult:
        """Acknowledge a button press (stops the client's spinner); optional."""
        try:
            await (await self._ready()).answer_callback_query(callback_query_id, text=text)
        except TelegramError as exc:
            return self._failure(exc)
        return DeliveryResult(ok=True)

    async def after_accept(self, messages: Sequence[InboundMessage]) -> None:
        """Answer the button presses just accepted, so the owner's or engineer's spinner stops."""
        for message in messages:
            query_id = (message.raw.get("callback_query") or {}).get("id") if message.kind == "button" else None
            if query_id:
                await self.answer_callback(str(query_id))

    async def set_webhook(
        self, url: str, *, allowed_updates: Sequence[str] = ALLOWED_UPDATES
    ) -> DeliveryResult:
        """Register ``url`` as the webhook, with our secret token."""
        try:
            await (await self._ready()).set_webhook(
                url, secret_token=self._secret.decode(), allowed_updates=list(allowed_updates)
            )
        except TelegramError as exc:
            return self._failure(exc)
        return DeliveryResult(ok=True)

    async def close(self) -> None:
        """Release the HTTP client (call on shutdown)."""
        await self._bot.shutdown()  # a no-op when never initialised
        self._initialized = False


def _rows(choices: Sequence[QuickReply]) -> list[list[InlineKeyboardButton]]:
    buttons = [InlineKeyboardButton(choice.label, callback_data=choice.payload) for choice in choices]
    return [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]


def _message_base(
    update: Update, message: Message, data: dict[str, Any], kind: str, **extra: Any
) -> InboundMessage:
    sender = message.from_user
    return InboundMessage(
        channel=TelegramChannel.name,
        external_user_id=str(message.chat.id),
        provider_message_id=str(update.update_id),
        kind=kind,
        received_at=message.date,
        display_name=sender.full_name if sender else None,
        raw=data,
        **extra,
    )


def _text(update: Update, message: Message, data: dict[str, Any]) -> InboundMessage:
    return _message_base(update, message, data, "text", text=message.text or "")


def _photo(update: Update, message: Message, data: dict[str, Any]) -> InboundMessage:
    largest = max(message.photo, key=lambda size: size.width * size.height)
    image = Attachment(kind="image", media_id=largest.file_id)
    return _message_base(update, message, data, "image", text=message.caption or "", attachments=(image,))


def _file(kind: str, attribute: str) -> Callable[[Update, Message, dict[str, Any]], InboundMessage]:
    """Voice, audio, video, video notes and documents: the file id (downloadable with ``getFile``)."""

    def parse(update: Update, message: Message, data: dict[str, Any]) -> InboundMessage:
        media = getattr(message, attribute)
        item = Attachment(kind=kind, media_id=media.file_id, content_type=getattr(media, "mime_type", None),
                          label=getattr(media, "file_name", None))
        return _message_base(update, message, data, kind, text=message.caption or "", attachments=(item,))

    return parse


def _unknown(update: Update, message: Message, data: dict[str, Any]) -> InboundMessage:
    """Stickers, polls, dice...: stored and answered politely, never dropped."""
    what = next((key for key in data.get("message", data.get("edited_message", {}))
                 if key not in ("message_id", "from", "chat", "date", "edit_date")), "other")
    return _message_base(update, message, data, "unsupported", event=str(what)[:32])


def _location(update: Update, message: Message, data: dict[str, Any]) -> InboundMessage:
    where = message.location
    assert where is not None  # chosen by the dispatch table because the message has one
    place = Attachment(kind="location", latitude=where.latitude, longitude=where.longitude)
    return _message_base(update, message, data, "location", attachments=(place,))


def _contact(update: Update, message: Message, data: dict[str, Any]) -> InboundMessage:
    contact = message.contact
    assert contact is not None  # chosen by the dispatch table because the message has one
    own = bool(message.from_user and contact.user_id == message.from_user.id)
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    card = Attachment(kind="contact", phone=contact.phone_number, label=name or None, own_contact=own)
    return _message_base(update, message, data, "contact", attachments=(card,))


MESSAGE_HANDLERS: dict[str, Callable[[Update, Message, dict[str, Any]], InboundMessage]] = {
    "text": _text,
    "photo": _photo,
    "location": _location,
    "contact": _contact,
    "voice": _file("voice", "voice"),
    "audio": _file("voice", "audio"),
    "video": _file("video", "video"),
    "video_note": _file("video", "video_note"),
    "document": _file("file", "document"),
}


def _message(update: Update, message: Message, data: dict[str, Any]) -> InboundMessage:
    if getattr(message, "chat", None) is None:  # Telegram always sends the chat
        raise BadPayload("message without a chat")
    for attribute, handler in MESSAGE_HANDLERS.items():
        if getattr(message, attribute):
            return handler(update, message, data)
    return _unknown(update, message, data)


def _member(update: Update, member: Any, data: dict[str, Any]) -> InboundMessage:
    """``my_chat_member``: ``kicked`` = the user blocked the bot (unreachable), ``member`` = back again."""
    if getattr(member, "chat", None) is None:
        raise BadPayload("my_chat_member without a chat")
    status = getattr(member.new_chat_member, "status", "")
    return InboundMessage(channel=TelegramChannel.name, external_user_id=str(member.chat.id),
                          provider_message_id=str(update.update_id), kind="state",
                          event="blocked" if status in ("kicked", "left") else "unblocked",
                          received_at=member.date, raw=data)


def _callback(update: Update, query: CallbackQuery, data: dict[str, Any]) -> InboundMessage:
    message_chat = getattr(query.message, "chat", None) if query.message else None
    sender = query.from_user
    chat = message_chat.id if message_chat is not None else (sender.id if sender is not None else None)
    if chat is None:  # Telegram always sends both; a body without them is not a real update
        raise BadPayload("callback query without a chat or a sender")
    return InboundMessage(
        channel=TelegramChannel.name,
        external_user_id=str(chat),
        provider_message_id=str(update.update_id),
        kind="button",
        event=query.data or "",
        display_name=sender.full_name if sender is not None else None,
        raw=data,
    )


UPDATE_HANDLERS: dict[str, Callable[[Update, Any, dict[str, Any]], InboundMessage]] = {
    "message": _message,
    "edited_message": _message,  # the corrected words are a new turn
    "callback_query": _callback,
    "my_chat_member": _member,
}
