"""CPU per platform send, per channel: Anju's channel clients against the fake platforms (in a child process).

Builds the channels exactly as ``anju worker`` does (``bot.channels.registry.build_channels`` from the same
``ANJU_*`` settings the load benchmarks use), warms each up, then sends ``--sends`` text messages per channel,
16 at a time, and divides this process's CPU time (``time.process_time``: all threads, the fakes excluded) by
the sends. Also reports whether ``sniffio`` is importable, since httpcore (under python-telegram-bot's httpx
client) imports it on every request and a missing module is searched for along ``sys.path`` each time.

    .venv/bin/python -m benchmarks.send_cpu --sends 500 --repeat 5
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.channels.base import OutboundMessage
from tests.loadgen import stack

RECIPIENTS = {"wechat": "oLoad00000001", "sms": "+8613900000001", "telegram": "700000001"}


async def _send_all(channel: object, name: str, count: int, concurrency: int = 16) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            result = await channel.send(OutboundMessage(name, RECIPIENTS[name], f"您的报修已受理 #{i}"))  # type: ignore[attr-defined]
            if not result.ok:
                raise RuntimeError(f"{name} send failed: {result.error}")

    await asyncio.gather(*(one(i) for i in range(count)))


def measure(sends: int, repeat: int) -> dict[str, list[float]]:
    """Milliseconds of CPU per send, by channel, one value per repetition."""
    from bot.channels.registry import build_channels
    from bot.settings import Settings

    fakes = stack.FakesProcess()
    out: dict[str, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = stack.anju_env(f"sqlite:///{tmp}/unused.db", Path(tmp), 8000, fakes.urls)
            os.environ.update({k: v for k, v in env.items() if k.startswith("ANJU_")})
            channels = build_channels(Settings(_env_file=None))

            async def run() -> None:
                for name in ("wechat", "sms", "telegram"):
                    channel = channels[name]
                    await _send_all(channel, name, 20)  # tokens, connections, lazy imports
                    for _ in range(repeat):
                        t0 = time.process_time()
                        await _send_all(channel, name, sends)
                        out.setdefault(name, []).append((time.process_time() - t0) * 1000 / sends)
                for channel in channels.values():
                    close = getattr(channel, "close", None)
                    if close:
                        await close()

            asyncio.run(run())
    finally:
        fakes.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the median CPU per send for each channel."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    sniffio = importlib.util.find_spec("sniffio") is not None
    results = measure(args.sends, args.repeat)
    load = os.getloadavg()[0]
    for name, values in results.items():
        print(f"{name}: {statistics.median(values):.2f} ms CPU per send (median of {len(values)} x {args.sends}; "  # noqa: T201
              f"all {', '.join(f'{v:.2f}' for v in values)}); sniffio installed: {sniffio}; load {load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
