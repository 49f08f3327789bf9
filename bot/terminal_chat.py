"""``anju chat``: the demo owner talks to the bot in the terminal, through the same pipeline as webhooks."""

from __future__ import annotations

import asyncio
import sys
import uuid

from backend.db import transaction
from backend.migrate import upgrade
from bot.app import warm_up
from bot.channels.terminal import TerminalChannel
from bot.envelope import to_payload
from bot.services import build_services
from bot.settings import Settings
from bot.worker import Worker

BANNER = "安居 Anju — 输入消息与机器人对话，Ctrl-D 退出 / type a message, Ctrl-D to quit"


def run_chat(settings: Settings, *, user_id: str = "demo") -> int:
    """Read lines from stdin, store them as inbound events, process, print the bot's replies."""
    from backend import inbound

    upgrade(settings.database_url)
    terminal = TerminalChannel(sys.stdout, user_id=user_id)
    svc = build_services(settings)
    svc.channels = {**svc.channels, "terminal": terminal}
    print("loading the language model...", file=sys.stderr)
    warm_up(svc)
    worker = Worker(svc, sweeps_enabled=False)
    print(BANNER)

    async def turn(line: str) -> None:
        msg = terminal.message_from_line(line)
        if msg is None:
            return
        with transaction(svc.sessions) as session:
            inbound.store(session, channel=msg.channel, provider_message_id=f"terminal-{uuid.uuid4().hex}",
                          external_user_id=msg.external_user_id, payload=to_payload(msg), now=svc.clock())
        await asyncio.to_thread(worker.process_pending)
        while await worker.deliver_due():
            pass

    for line in sys.stdin:
        asyncio.run(turn(line))
    return 0
