"""A plain keyword baseline (no learning, no negation handling), for benchmarks only."""

from __future__ import annotations

from datetime import datetime

from nlu.lang import detect_lang
from nlu.normalize import normalize
from nlu.types import Parse

_OTHER = ("好的", "收到", "谢谢", "人工", "取消", "不用", "ok", "thanks", "thank", "agent", "human", "cancel", "bye")
_COMPLAINT = ("投诉", "态度", "赔", "退", "又", "没人来", "还是", "complain", "rude", "again", "refund", "compensat")
_ENQUIRY = ("请问", "问一下", "什么时候", "多久", "多少", "怎么", "吗", "when", "how", "what", "?")
_EMERGENCY = ("燃气味", "煤气味", "冒烟", "火花", "困", "爆", "淹", "漏电", "gas", "spark", "smoke", "trapped",
              "burst", "flood")
_HIGH = ("热水", "堵", "跳闸", "hot water", "blocked", "clogged", "trip")
_CATEGORIES = [
    ("lift", ("电梯", "扶梯", "lift", "elevator")),
    ("gas", ("燃气", "煤气", "天然气", "灶", "gas", "hob", "stove")),
    ("electrical", ("电", "插座", "开关", "灯", "socket", "switch", "power", "light", "spark")),
    ("waterproofing", ("渗", "防水", "外墙", "damp", "seep")),
    ("water", ("水管", "下水", "热水", "堵", "漏水", "pipe", "drain", "water", "toilet")),
    ("door_window", ("门", "窗", "锁", "door", "window", "lock")),
    ("wall_floor_ceiling", ("墙", "地砖", "空鼓", "天花", "裂", "wall", "tile", "ceiling", "crack")),
    ("fixtures", ("龙头", "马桶", "柜", "烟机", "tap", "cabinet", "hood")),
    ("public_area", ("楼道", "车库", "井盖", "道闸", "corridor", "car park", "gate")),
]


class KeywordEngine:
    """First matching keyword list wins; everything else is a normal repair."""

    name = "keywords"

    def warm_up(self) -> None:
        """Nothing to load."""

    def parse(self, text: str, now: datetime | None = None) -> Parse:
        """Label ``text`` by keyword lists."""
        t = normalize(text)
        lang = detect_lang(t)
        if len(t) <= 6 and any(k in t for k in _OTHER) or any(k in t for k in ("人工", "取消", "agent", "cancel")):
            return Parse("other", "normal", None, lang, 1.0, engine=self.name)
        if any(k in t for k in _COMPLAINT):
            return Parse("complaint", "normal", None, lang, 1.0, engine=self.name)
        if any(k in t for k in _ENQUIRY) and not any(k in t for k in _EMERGENCY):
            return Parse("enquiry", "normal", None, lang, 1.0, engine=self.name)
        urgency = "emergency" if any(k in t for k in _EMERGENCY) else "high" if any(k in t for k in _HIGH) else "normal"
        category = next((c for c, words in _CATEGORIES if any(w in t for w in words)), "other")
        return Parse("repair", urgency, category, lang, 1.0, engine=self.name)
