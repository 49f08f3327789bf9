"""The fake platforms as a child process: prints their URLs, then answers ``dump``/``requests``/``reset`` on stdin.

Run by :class:`tests.loadgen.stack.FakesProcess`; one JSON line out per command in.
"""

from __future__ import annotations

import json
import sys
from http.server import ThreadingHTTPServer

from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wechat import FakeWeChat
from tests.loadgen.stack import deliveries_of


def main() -> int:
    """Serve until stdin closes."""
    ThreadingHTTPServer.request_queue_size = 1024  # a deeper accept backlog for load (read at bind time)
    wechat, twilio, telegram = FakeWeChat(), FakeTwilio(), FakeTelegram()
    for fake in (wechat, twilio, telegram):
        fake.start()
    print(json.dumps({"wechat": wechat.base_url, "twilio": twilio.base_url, "telegram": telegram.base_url}),
          flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "dump":
            print(json.dumps(deliveries_of(wechat, twilio, telegram)), flush=True)
        elif command == "requests":  # every HTTP request each fake received, by path: {"telegram /x": n}
            counts: dict[str, int] = {}
            for name, fake in (("wechat", wechat), ("sms", twilio), ("telegram", telegram)):
                for request in list(fake.requests):
                    key = f"{name} {request.path.rsplit('/', 1)[-1]}"
                    counts[key] = counts.get(key, 0) + 1
            print(json.dumps(counts), flush=True)
        elif command == "reset":
            for fake in (wechat, twilio, telegram):
                fake.reset()
            print("{}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
