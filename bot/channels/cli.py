"""``anju telegram set-webhook``: register the webhook with its secret and the updates Anju handles."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import Any

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def secret_problem(secret: str) -> str | None:
    """Why Telegram would refuse this webhook secret (it allows 1-256 of ``A-Za-z0-9_-``), or None."""
    if SECRET_TOKEN.fullmatch(secret):
        return None
    bad = sorted({ch for ch in secret if not re.fullmatch(r"[A-Za-z0-9_-]", ch)})
    return f"the secret must be 1-256 characters of A-Za-z0-9_- (it has {''.join(bad) or 'no characters'})"


def cmd_telegram_set_webhook(args: argparse.Namespace) -> int:
    """Validate the secret, then ``setWebhook`` with ``allowed_updates`` (incl. ``my_chat_member``)."""
    from bot.channels.common import secret_value
    from bot.channels.telegram import ALLOWED_UPDATES, TelegramChannel
    from bot.settings import get_settings

    settings = get_settings()
    if not settings.telegram.enabled:
        sys.stdout.write("Telegram is not configured (ANJU_TELEGRAM__BOT_TOKEN / ANJU_TELEGRAM__SECRET_TOKEN)" + "\n")
        return 2
    problem = secret_problem(secret_value(settings.telegram.secret_token))
    if problem:
        sys.stdout.write(f"ANJU_TELEGRAM__SECRET_TOKEN: {problem}; a base64 secret with +/= fails silently" + "\n")
        return 2
    url = args.url or f"{settings.public_url.rstrip('/')}/hooks/telegram"
    channel = TelegramChannel.from_settings(settings.telegram)

    async def run() -> Any:
        try:
            return await channel.set_webhook(url, allowed_updates=ALLOWED_UPDATES)
        finally:
            await channel.close()

    result = asyncio.run(run())
    outcome = "set" if result.ok else result.error
    sys.stdout.write(f"webhook {url}: {outcome} (updates: {', '.join(ALLOWED_UPDATES)})\n")
    return 0 if result.ok else 1


def add_channel_commands(sub: Any) -> None:
    """Add ``telegram set-webhook`` to the ``anju`` parser."""
    telegram = sub.add_parser("telegram", help="Telegram bot setup").add_subparsers(dest="telegram_command",
                                                                                   required=True)
    hook = telegram.add_parser("set-webhook", help="register the webhook (secret checked, allowed_updates set)")
    hook.add_argument("--url", help="public webhook URL (default: ANJU_PUBLIC_URL + /hooks/telegram)")
    hook.set_defaults(func=cmd_telegram_set_webhook)
