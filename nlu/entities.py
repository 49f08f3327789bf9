"""Entity extraction: unit numbers, phone numbers, location in the home, appointment times.

Pure functions; appointment times resolve relative to a given ``now`` in Asia/Shanghai.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nlu.normalize import to_halfwidth, to_simplified

TZ = ZoneInfo("Asia/Shanghai")

# ---------------------------------------------------------------- units
_UNIT_ZH = re.compile(
    r"(?<!\d)(\d{1,3})\s*(?:号楼|栋|幢|座|#|号)\s*(?:(\d{1,2})\s*(?:单元|门|#))?\s*-?\s*(\d{3,4})\s*(?:室|号|房)?(?!\d)"
)
_UNIT_DASH = re.compile(r"(?<![\d-])(\d{1,3})-(\d{1,2})-(\d{3,4})(?![\d-])")
_UNIT_EN = re.compile(
    r"\b(?:block|blk|bldg|building|tower)\.?\s*#?(\d{1,3})[\s,]*(?:(?:entrance|unit|stair)\s*(\d{1,2})[\s,]+(?=(?:unit|rm|room|flat|apt)))?"
    r"(?:unit|rm|room|flat|apt|#)\.?\s*#?(\d{3,4})\b",
    re.IGNORECASE,
)


def extract_unit(text: str) -> dict[str, str | None] | None:
    """Find a building/entrance/room reference such as 3栋2单元1502, 5-1-802, 12#1203 or Block 3 Unit 1502.

    Args:
        text: Raw message (full-width digits are accepted).

    Returns:
        ``{"building", "entrance", "room", "raw"}`` (``entrance`` may be None) or None.
    """
    half = to_simplified(to_halfwidth(text))
    best = None
    for rx in (_UNIT_ZH, _UNIT_DASH, _UNIT_EN):
        m = rx.search(half)
        if m and (best is None or m.start() < best.start()):
            best = m
    if best is None:
        return None
    building, entrance, room = best.group(1), best.group(2), best.group(3)
    return {"building": building, "entrance": entrance, "room": room, "raw": text[best.start() : best.end()].strip()}


# ---------------------------------------------------------------- phones
_PHONE = re.compile(r"(?<![\d*])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d*])")


def extract_phones(text: str) -> list[str]:
    """Mainland mobile numbers (with spaces, dashes or +86) as 11-digit strings, in order, deduplicated."""
    out: list[str] = []
    for m in _PHONE.finditer(to_halfwidth(text)):
        number = "".join(m.groups())
        if number not in out:
            out.append(number)
    return out


# ---------------------------------------------------------------- locations
_LOCATIONS: list[tuple[str, str]] = [
    ("主卧卫生间", "bathroom"), ("卫生间", "bathroom"), ("厕所", "bathroom"), ("洗手间", "bathroom"),
    ("浴室", "bathroom"), ("淋浴", "bathroom"), ("厨房", "kitchen"), ("主卧", "master_bedroom"),
    ("次卧", "second_bedroom"),
    ("客卧", "second_bedroom"), ("儿童房", "second_bedroom"), ("卧室", "bedroom"), ("客厅", "living_room"),
    ("阳台", "balcony"), ("餐厅", "dining_room"), ("书房", "study"), ("入户门", "entrance"), ("门口", "entrance"),
    ("玄关", "entrance"), ("地下室", "garage"), ("车库", "garage"), ("地库", "garage"), ("楼道", "corridor"),
    ("走廊", "corridor"), ("楼梯间", "corridor"),
    ("master bedroom", "master_bedroom"), ("second bedroom", "second_bedroom"), ("spare room", "second_bedroom"),
    ("bathroom", "bathroom"), ("toilet", "bathroom"), ("loo", "bathroom"), ("shower", "bathroom"),
    ("kitchen", "kitchen"), ("living room", "living_room"), ("lounge", "living_room"), ("bedroom", "bedroom"),
    ("balcony", "balcony"), ("dining room", "dining_room"), ("study", "study"), ("front door", "entrance"),
    ("entrance", "entrance"), ("hallway", "corridor"), ("corridor", "corridor"), ("stairwell", "corridor"),
    ("basement", "garage"), ("garage", "garage"), ("car park", "garage"),
]
_LOC_RX = re.compile("|".join(rf"\b{re.escape(k)}\b" if k.isascii() else re.escape(k) for k, _ in _LOCATIONS))
_LOC_MAP = dict(_LOCATIONS)


def extract_location(text: str) -> str | None:
    """The first room or area named in the message as a canonical key (``bathroom``, ``kitchen``...)."""
    m = _LOC_RX.search(to_simplified(text).lower())
    return _LOC_MAP[m.group(0)] if m else None


# ---------------------------------------------------------------- appointments
_PARTS = {"morning": (9, 12), "noon": (12, 14), "afternoon": (14, 18), "evening": (18, 21), "day": (9, 18)}
_PART_WORDS = [("上午", "morning"), ("早上", "morning"), ("早晨", "morning"), ("中午", "noon"), ("下午", "afternoon"),
               ("傍晚", "evening"), ("晚上", "evening"), ("今晚", "evening"), ("明晚", "evening"),
               ("morning", "morning"), ("noon", "noon"), ("afternoon", "afternoon"), ("evening", "evening"),
               ("tonight", "evening"), ("night", "evening")]
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_EN_WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                             "sunday"])}
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十一": 11, "十二": 12}
_DAY_RX = re.compile(
    r"大后天|后天|明天|明日|今天|今日|今晚|明晚|(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天末])|"
    r"day after tomorrow|tomorrow|today|tonight|(next |this |on )?(monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)"
)
# "一点" is left out on purpose: it nearly always means "a little" (一点水都没有).
_HOUR_RX = re.compile(r"(\d{1,2}|十[一二]?|[两三四五六七八九])\s*(?:点|:00)(半)?\s*(以后|之后|后)?")
_EN_HOUR_RX = re.compile(r"\b(after|from|at|before)?\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b")


def _resolve_day(m: re.Match[str], today: date) -> date:
    word = m.group(0)
    fixed = {"今天": 0, "今日": 0, "今晚": 0, "today": 0, "tonight": 0, "明天": 1, "明日": 1, "明晚": 1, "tomorrow": 1,
             "后天": 2, "day after tomorrow": 2, "大后天": 3}
    if word in fixed:
        return today + timedelta(days=fixed[word])
    if m.group(2):
        target, prefix = _WEEKDAYS[m.group(2)], m.group(1) or ""
    else:
        target, prefix = _EN_WEEKDAYS[m.group(4)], (m.group(3) or "").strip()
    monday = today - timedelta(days=today.weekday())
    if prefix.startswith("下下"):
        return monday + timedelta(days=14 + target)
    if prefix.startswith("下") or prefix == "next":
        return monday + timedelta(days=7 + target)
    if prefix in ("这", "这个", "本", "this"):
        return monday + timedelta(days=target)
    return today + timedelta(days=(target - today.weekday()) % 7)


def _hour(token: str) -> int:
    return int(token) if token.isdigit() else _CN_NUM.get(token, 0)


def resolve_appointment(text: str, now: datetime) -> dict[str, str] | None:
    """Resolve a requested visit time to an ISO ``{"start", "end", "text"}`` window in Asia/Shanghai.

    Morning is 09-12, afternoon 14-18, evening 18-21, a bare day 09-18; "after 6pm" is 18:00-21:00 and a
    clock time alone is a one-hour window.

    Args:
        text: Raw message.
        now: Reference time (naive values are taken as Asia/Shanghai).

    Returns:
        The window, or None when the message names no day, part of day or time.
    """
    now = now.replace(tzinfo=TZ) if now.tzinfo is None else now.astimezone(TZ)
    low = to_simplified(to_halfwidth(text)).lower()
    day_m = _DAY_RX.search(low)
    part = next(((w, p) for w, p in _PART_WORDS if re.search(rf"\b{w}\b" if w.isascii() else w, low)), None)
    hour_m, en_m = _HOUR_RX.search(low), _EN_HOUR_RX.search(low)
    if not (day_m or part or hour_m or en_m):
        return None
    day = _resolve_day(day_m, now.date()) if day_m else now.date()
    start_h, end_h = _PARTS[part[1]] if part else _PARTS["day"]
    start_m = 0
    if en_m:
        h = int(en_m.group(2)) % 12 + (12 if en_m.group(4) == "pm" else 0)
        start_m = int(en_m.group(3) or 0)
        if en_m.group(1) in ("after", "from"):
            start_h, end_h = h, max(h + 1, 21 if h >= 12 else 18)
        elif en_m.group(1) == "before":
            start_h, end_h = 9 if h > 9 else max(h - 1, 0), h
        else:
            start_h, end_h = h, h + 1
    elif hour_m:
        h = _hour(hour_m.group(1))
        if part and part[1] in ("afternoon", "evening") and h < 12:
            h += 12
        start_m = 30 if hour_m.group(2) else 0
        start_h, end_h = (h, max(h + 1, 21 if h >= 12 else 18)) if hour_m.group(3) else (h, h + 1)
    if not day_m and datetime.combine(day, time(min(end_h, 23)), TZ) <= now:
        day += timedelta(days=1)
    start = datetime.combine(day, time(start_h, start_m), TZ)
    end = datetime.combine(day, time(min(end_h, 23), 59 if end_h > 23 else 0), TZ)
    spans = [m.span() for m in (day_m, hour_m, en_m) if m]
    if part:
        idx = low.find(part[0])
        spans.append((idx, idx + len(part[0])))
    lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
    return {"start": start.isoformat(), "end": end.isoformat(), "text": text[lo:hi].strip()}


def extract(text: str, now: datetime | None = None) -> dict[str, Any]:
    """All entities found in ``text`` (only keys that were found)."""
    out: dict[str, Any] = {}
    unit = extract_unit(text)
    if unit:
        out["unit"] = unit
    phones = extract_phones(text)
    if phones:
        out["phones"] = phones
    loc = extract_location(text)
    if loc:
        out["location"] = loc
    appt = resolve_appointment(text, now or datetime.now(TZ))
    if appt:
        out["appointment"] = appt
    return out
