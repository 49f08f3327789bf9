"""``anju webhooks show|register``: the exact URLs each platform must call, and Telegram's registration."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import Settings


def webhook_urls(settings: Settings) -> dict[str, str]:
    """Platform -> the URL to give it (built from ``ANJU_PUBLIC_URL``)."""
    base = settings.public_url.rstrip("/")
    return {
        "wechat": f"{base}/hooks/wechat",
        "sms": f"{base}/hooks/sms",
        "sms_status": f"{base}/hooks/sms/status",
        "telegram": f"{base}/hooks/telegram",
        "voice": f"{base}/hooks/voice/ (set per call by Anju; nothing to configure)",
    }


def cmd_show(settings: Settings, args: argparse.Namespace) -> int:
    """Print where each platform must send its webhooks."""
    urls = webhook_urls(settings)
    print(f"WeChat 公众号 → 开发 → 基本配置 → 服务器地址(URL): {urls['wechat']}  (Token = ANJU_WECHAT__TOKEN, "
          "EncodingAESKey = ANJU_WECHAT__ENCODING_AES_KEY, 消息加解密方式: 安全模式)")
    print(f"Twilio phone number → Messaging → 'A message comes in' (HTTP POST): {urls['sms']}")
    print(f"Twilio delivery receipts (set by Anju on each SMS): {urls['sms_status']}")
    print(f"Telegram setWebhook (run `anju webhooks register`): {urls['telegram']}")
    if not settings.public_url.startswith("https://"):
        print("warning: ANJU_PUBLIC_URL is not https:// — WeChat, Twilio and Telegram need HTTPS in production")
    return 0


def cmd_register(settings: Settings, args: argparse.Namespace) -> int:
    """Register the Telegram webhook with its secret token (WeChat and Twilio are set in their consoles)."""
    from bot.channels.telegram import TelegramChannel

    if not settings.telegram.enabled:
        print("telegram is not configured (ANJU_TELEGRAM__BOT_TOKEN and ANJU_TELEGRAM__SECRET_TOKEN)")
        return 2
    url = webhook_urls(settings)["telegram"]

    async def run() -> bool:
        channel = TelegramChannel.from_settings(settings.telegram)
        try:
            result = await channel.set_webhook(url)
        finally:
            await channel.close()
        if not result.ok:
            print(f"telegram refused the webhook: {result.error}")
        return result.ok

    ok = asyncio.run(run())
    if ok:
        print(f"telegram webhook set to {url} (with the secret token)")
    return 0 if ok else 1


def add_webhook_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``anju webhooks show|register``."""
    from bot.settings import get_settings

    hooks = sub.add_parser("webhooks", help="platform webhook URLs and Telegram registration")
    hsub = hooks.add_subparsers(dest="webhooks_command", required=True)
    hsub.add_parser("show", help="the exact URL each platform must be given").set_defaults(
        func=lambda a: cmd_show(get_settings(), a))
    hsub.add_parser("register", help="call Telegram setWebhook with the secret token").set_defaults(
        func=lambda a: cmd_register(get_settings(), a))


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """SQLite: an online, consistent copy (the sqlite3 backup API) while Anju runs. PostgreSQL: use pg_dump."""
    import sqlite3
    from pathlib import Path

    from backend.migrate import describe, sqlite_path

    source = sqlite_path(settings.database_url)
    if source is None:
        print(f"{describe(settings.database_url)} is not a SQLite file: use "
              "`pg_dump --format=custom --file=anju-$(date +%F).dump \"$DATABASE\"` (see docs/deploy.md)")
        return 2
    if not source.exists():
        print(f"no database at {source}")
        return 1
    target = Path(args.target)
    if target.exists():
        print(f"{target} exists; refusing to overwrite it")
        return 2
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=1024)
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    print(f"backed up {source} -> {target} ({target.stat().st_size} bytes, integrity {ok})")
    return 0 if ok == "ok" else 1
