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


def cmd_rota_import(settings: Settings, args: argparse.Namespace) -> int:
    """``anju rota import FILE``: add the shifts of a CSV (all or nothing); warns about unreachable people."""
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from backend.db import make_engine, session_factory, transaction
    from backend.rota import import_rota_csv
    from bot.staff_cli import _enabled

    text = Path(args.file).read_text(encoding="utf-8-sig")
    engine = make_engine(settings.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            from datetime import UTC, datetime

            report = import_rota_csv(session, text, tz=ZoneInfo(settings.timezone), now=datetime.now(UTC),
                                     enabled=_enabled(settings), actor="cli")
            if report.errors:
                session.rollback()
    finally:
        engine.dispose()
    for line in report.errors:
        print(f"error: {line}")
    for line in report.warnings:
        print(f"warning: {line}")
    if report.errors:
        print("nothing was imported")
        return 2
    print(f"added {report.created} shift(s)")
    return 3 if report.warnings else 0


def cmd_rota_coverage(settings: Settings, args: argparse.Namespace) -> int:
    """``anju rota coverage``: the gaps of the next days; exit 1 when there is one."""
    from datetime import UTC, datetime, timedelta

    from backend.db import make_engine, session_factory
    from backend.staff_contacts import coverage_gaps
    from bot.staff_cli import _enabled

    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as session:
            now = datetime.now(UTC)
            gaps = coverage_gaps(session, start=now, end=now + timedelta(days=args.days), enabled=_enabled(settings))
    finally:
        engine.dispose()
    tz = __import__("zoneinfo").ZoneInfo(settings.timezone)
    for gap in gaps:
        print(f"layer {gap.layer}: {gap.starts_at.astimezone(tz):%Y-%m-%d %H:%M} → "
              f"{gap.ends_at.astimezone(tz):%Y-%m-%d %H:%M} ({gap.reason})")
    print(f"{len(gaps)} gap(s) in the next {args.days} days" if gaps else
          f"every hour of the next {args.days} days has a reachable person on each layer")
    return 1 if gaps else 0


def add_rota_commands(sub: argparse._SubParsersAction, guard: object) -> None:
    """Register ``anju rota import FILE`` and ``anju rota coverage [--days N]``."""
    from bot.settings import get_settings

    rota = sub.add_parser("rota", help="on-call rota: CSV import (weekly repeats), coverage check")
    rsub = rota.add_subparsers(dest="rota_command", required=True)
    imp = rsub.add_parser("import", help="add shifts from a CSV: layer,username,starts_at,ends_at[,repeat_weeks]")
    imp.add_argument("file")
    imp.set_defaults(func=lambda a: (guard(), cmd_rota_import(get_settings(), a))[1])  # type: ignore[operator]
    cov = rsub.add_parser("coverage", help="gaps where a layer has nobody reachable; exit 1 on a gap")
    cov.add_argument("--days", type=int, default=14)
    cov.set_defaults(func=lambda a: (guard(), cmd_rota_coverage(get_settings(), a))[1])  # type: ignore[operator]
