"""Signed webhook traffic: a realistic mix of owner messages on WeChat, Twilio SMS and Telegram.

:func:`run_load` sends an open-loop schedule (message *i* leaves at ``start + i / rate`` whether or not
earlier answers came back) and records, per message, when it left and when Anju answered.
:func:`analyse` joins that with what the fake platforms received and what the database holds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.fakes.twilio import twilio_signed_form
from tests.fakes.wechat import wechat_signed_post
from tests.loadgen import stack

# (kind, weight, texts). Owners of a real estate write mostly repairs, then enquiries and complaints;
# a few per cent are emergencies (which also page the on-call engineers).
MIX: list[tuple[str, float, list[str]]] = [
    ("repair", 0.45, [
        "卫生间漏水了，麻烦派人来修一下", "厨房水龙头坏了，一直滴水", "卧室墙面开裂了，裂缝越来越大",
        "客厅的空调不制冷", "阳台门关不上，合页好像坏了", "入户门锁打不开了", "地砖空鼓，踩上去有响声",
        "The bathroom ceiling is leaking", "马桶堵了，冲不下去", "窗户密封条脱落，下雨渗水",
    ]),
    ("enquiry", 0.25, [
        "物业费怎么交？", "保修期是多久？", "请问维修进度怎么样了", "交房时间是什么时候", "门禁卡丢了怎么补办",
        "How long is the warranty on windows?", "停车位还有吗", "装修需要办什么手续",
    ]),
    ("complaint", 0.22, [
        "投诉：维修师傅三天都没来", "楼上装修太吵了，我要投诉", "你们的服务太差了，打电话没人接",
        "I want to complain, nobody came to fix the leak", "小区垃圾好几天没人清理，要投诉",
    ]),
    ("emergency", 0.08, [
        "家里有很重的煤气味", "电梯困人了，快来人", "配电箱冒烟了", "水管爆了，家里全是水",
    ]),
]


def pick_text(rng: random.Random) -> tuple[str, str]:
    """One (kind, text) drawn from :data:`MIX`."""
    roll, acc = rng.random(), 0.0
    for kind, weight, texts in MIX:
        acc += weight
        if roll < acc:
            return kind, rng.choice(texts)
    return MIX[0][0], rng.choice(MIX[0][2])


_ids = itertools.count(int(time.time() * 1000) % 10**9 * 1000)


@dataclass
class Planned:
    """One webhook to send."""

    index: int
    channel: str
    user: str
    kind: str
    text: str
    provider_id: str
    url: str
    params: dict[str, str]
    body: bytes
    headers: dict[str, str]
    sent_at: float = 0.0
    answered_at: float = 0.0
    status: int = 0
    error: str = ""


def build(index: int, channel: str, user: str, kind: str, text: str, base_url: str) -> Planned:
    """A correctly signed webhook for ``user`` on ``channel`` saying ``text`` (signed at send time for WeChat)."""
    pid = str(next(_ids))
    if channel == "wechat":
        xml = ("<xml><ToUserName><![CDATA[gh_fake]]></ToUserName>"
               f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
               f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
               f"<MsgId>{pid}</MsgId></xml>")
        query, body = wechat_signed_post(stack.WECHAT_TOKEN, stack.WECHAT_AES_KEY, stack.WECHAT_APP_ID, xml,
                                         openid=user)
        return Planned(index, channel, user, kind, text, pid, f"{base_url}/hooks/wechat", query, body,
                       {"Content-Type": "text/xml"})
    if channel == "sms":
        sid = f"SM{int(pid):032d}"
        form = {"ToCountry": "CN", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received",
                "Body": text, "To": stack.TWILIO_NUMBER, "NumSegments": "1", "MessageSid": sid,
                "AccountSid": stack.TWILIO_SID, "From": user, "ApiVersion": "2010-04-01"}
        url = f"{base_url}/hooks/sms"
        headers = twilio_signed_form(stack.TWILIO_TOKEN, url, form)
        return Planned(index, channel, user, kind, text, sid, url, {}, urlencode(form).encode(), headers)
    chat = int(user)
    update = {"update_id": int(pid) % 2**31, "message": {
        "message_id": index + 1, "date": int(time.time()), "text": text,
        "chat": {"id": chat, "type": "private", "first_name": "业主"},
        "from": {"id": chat, "is_bot": False, "first_name": "业主", "language_code": "zh-hans"}}}
    return Planned(index, channel, user, kind, text, str(update["update_id"]), f"{base_url}/hooks/telegram", {},
                   json.dumps(update, ensure_ascii=False).encode(),
                   {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": stack.TELEGRAM_SECRET})


def plan(population: stack.Population, count: int, base_url: str, seed: int = 7,
         users: list[tuple[str, str]] | None = None) -> list[Planned]:
    """``count`` webhooks cycling through the owners (so each owner's messages are far apart)."""
    rng = random.Random(seed)
    pool = list(users or population.users)
    rng.shuffle(pool)
    out = []
    for i in range(count):
        channel, user = pool[i % len(pool)]
        kind, text = pick_text(rng)
        out.append(build(i, channel, user, kind, text, base_url))
    return out


async def _send(session: aiohttp.ClientSession, item: Planned, limit_s: float) -> None:
    if item.channel == "wechat":  # signature timestamps are part of the replay check: sign now
        xml = item.body.decode()
        item.params, item.body = wechat_signed_post(stack.WECHAT_TOKEN, stack.WECHAT_AES_KEY, stack.WECHAT_APP_ID,
                                                    xml, openid=item.user)
    item.sent_at = time.time()
    try:
        async with session.post(item.url, params=item.params or None, data=item.body, headers=item.headers,
                                timeout=aiohttp.ClientTimeout(total=limit_s)) as resp:
            await resp.read()
            item.status = resp.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        item.error = f"{type(exc).__name__}: {exc}"
    item.answered_at = time.time()


async def _run(items: list[Planned], rate: float, connections: int, limit_s: float) -> float:
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.05
        tasks = []
        lag = 0.0
        for item in items:
            due = start + item.index / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                lag = max(lag, -delay)
            tasks.append(asyncio.create_task(_send(session, item, limit_s)))
        await asyncio.gather(*tasks)
    return lag


def run_load(items: list[Planned], rate: float, connections: int = 64, timeout: float = 30.0) -> float:
    """Send ``items`` at ``rate`` per second (open loop). Returns the generator's worst lag behind schedule (s)."""
    return asyncio.run(_run(items, rate, connections, timeout))


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nearest rank), NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


@dataclass
class Report:
    """The figures of one run."""

    sent: int
    accepted: int
    refused: dict[str, int]
    offered_rate: float
    accepted_rate: float
    answer_p50_ms: float
    answer_p99_ms: float
    answer_max_ms: float
    reply_p50_ms: float
    reply_p99_ms: float
    replied: int
    processed_rate: float
    drain_s: float
    generator_lag_s: float
    lost: int
    duplicates_stored: int
    outbox: dict[str, int]
    inbound: dict[str, int]
    sent_rows: int
    delivered: int
    doubled_recipients: int
    missing_recipients: int
    notes: list[str] = field(default_factory=list)

    def ok(self) -> bool:
        """Nothing lost, nothing answered twice, every accepted message processed."""
        return (self.lost == 0 and self.doubled_recipients == 0 and self.missing_recipients == 0
                and self.inbound.get("pending", 0) == 0 and self.inbound.get("failed", 0) == 0)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return dict(self.__dict__)


def analyse(items: list[Planned], deliveries: list[tuple[str, str, float]], counts: stack.DbCounts,
            drained_at: float, lag: float) -> Report:
    """Join sent webhooks, fake-platform receipts and database rows into a :class:`Report`.

    *Lost*: a webhook answered 200 whose event is not stored. *Answered twice*: a recipient that received
    more messages than the outbox holds as sent for it. Reply latency: from a message leaving to the first
    message its sender received after that and before the same sender's next message.
    """
    ok_items = [i for i in items if i.status == 200]
    refused = Counter(str(i.status or i.error.split(":")[0]) for i in items if i.status != 200)
    first = min(i.sent_at for i in items)
    last_answer = max(i.answered_at for i in items)
    last_send = max(i.sent_at for i in items)
    answers = [(i.answered_at - i.sent_at) * 1000 for i in ok_items]
    lost = sum((i.channel, i.provider_id) not in counts.accepted_ids for i in ok_items)

    by_recipient: dict[tuple[str, str], list[float]] = {}
    for channel, recipient, at in deliveries:
        by_recipient.setdefault((channel, recipient), []).append(at)
    for times in by_recipient.values():
        times.sort()
    received = Counter({k: len(v) for k, v in by_recipient.items()})
    expected = Counter(counts.sent_per_recipient)
    doubled = sum(1 for k in received if received[k] > expected.get(k, 0))
    missing = sum(1 for k in expected if expected[k] > received.get(k, 0))

    per_user: dict[tuple[str, str], list[Planned]] = {}
    for item in sorted(ok_items, key=lambda x: x.sent_at):
        per_user.setdefault((item.channel, item.user), []).append(item)
    reply_ms: list[float] = []
    for key, sends in per_user.items():
        times = by_recipient.get(key, [])
        for n, item in enumerate(sends):
            until = sends[n + 1].sent_at if n + 1 < len(sends) else float("inf")
            hit = next((t for t in times if item.sent_at <= t < until), None)
            if hit is not None:
                reply_ms.append((hit - item.sent_at) * 1000)
    processed = counts.inbound.get("done", 0)
    return Report(
        sent=len(items), accepted=len(ok_items), refused=dict(refused),
        offered_rate=len(items) / max(last_send - first, 1e-9),
        accepted_rate=len(ok_items) / max(last_answer - first, 1e-9),
        answer_p50_ms=pct(answers, 0.5), answer_p99_ms=pct(answers, 0.99),
        answer_max_ms=max(answers, default=float("nan")),
        reply_p50_ms=pct(reply_ms, 0.5), reply_p99_ms=pct(reply_ms, 0.99), replied=len(reply_ms),
        processed_rate=processed / max(drained_at - first, 1e-9), drain_s=max(0.0, drained_at - last_answer),
        generator_lag_s=lag, lost=lost, duplicates_stored=0,
        outbox=dict(counts.outbox), inbound=dict(counts.inbound), sent_rows=sum(expected.values()),
        delivered=sum(received.values()), doubled_recipients=doubled, missing_recipients=missing,
    )


def summary(report: Report) -> str:
    """One human line."""
    return (f"sent {report.sent} at {report.offered_rate:.0f}/s, accepted {report.accepted} "
            f"({report.accepted_rate:.0f}/s), answer p50 {report.answer_p50_ms:.1f} ms p99 "
            f"{report.answer_p99_ms:.1f} ms; reply p50 {report.reply_p50_ms:.0f} ms p99 {report.reply_p99_ms:.0f} ms "
            f"({report.replied} matched); processed {report.processed_rate:.0f}/s, drain {report.drain_s:.1f} s; "
            f"lost {report.lost}, doubled {report.doubled_recipients}, missing {report.missing_recipients}; "
            f"refused {report.refused}")
