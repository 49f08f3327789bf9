"""Small keyword tables the dialogs use before or beside the NLU (commands, yes/no, topics)."""

from __future__ import annotations

import re

OPT_OUT = {"td", "t", "退订", "stop", "stopall", "unsubscribe", "不要再发", "别再发了", "取消订阅"}
OPT_IN = {"start", "unstop", "订阅", "恢复订阅"}
HANDOFF = re.compile(r"转人工|人工客服|真人|找客服|人工服务|^人工$|\bagent\b|real person|human|talk to (a )?person",
                     re.I)
CANCEL = re.compile(r"^(取消|算了|不用了|不需要了|没事了|cancel|never ?mind|forget it)\W*$|自己(修|弄)好了|不用派人|"
                    r"no need to send", re.I)
YES = re.compile(r"^(1|是|是的|对|确认|好|好的|满意|可以|yes|y|ok|okay|confirm|satisfied)\W*$", re.I)
NO = re.compile(r"^(2|否|不是|不对|不满意|没修好|还是不行|no|n|not yet|still)\b|仍有问题|还漏|没有修好", re.I)
GREETING = re.compile(r"^(你好|您好|hi|hello|hey|在吗|在不在|早上好|晚上好|哈喽)\W*$", re.I)
THANKS = re.compile(r"谢谢|感谢|多谢|thank|thx", re.I)
NONE_WORDS = re.compile(r"^(无|没有|没了|不用|no|none|nothing|nope)\W*$", re.I)
REPAIR_REQUEST = re.compile(r"^\W*(我要|我想|想|要|申请)?(报修|维修|报个修|修理|修东西)\W*$"
                            r"|^\W*(i want to |i'd like to )?(report a )?(repair|fix)\W*$", re.I)
PHONE = re.compile(r"(?:\+?86[ -]?)?(1[3-9]\d[ -]?\d{4}[ -]?\d{4})")
CODE = re.compile(r"\b(\d{6})\b")

TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tickets", re.compile(r"工单|单号|报修.*(进度|怎么样|处理|到哪)|(进度|处理).*报修|修好了没|什么时候来修|"
                           r"ticket|status|my repair", re.I)),
    ("handover", re.compile(r"交房|交付|收房|拿钥匙|handover|hand over|keys|move in", re.I)),
    ("progress", re.compile(r"工程进度|施工进度|建到|盖到|封顶|进度|工地|construction|progress|built", re.I)),
    ("warranty", re.compile(r"保修|质保|保质期|warranty|guarantee", re.I)),
)


def command(text: str) -> str | None:
    """``opt_out``, ``opt_in``, ``handoff`` or None for a message that is a command."""
    norm = text.strip().lower().rstrip("。.!！")
    if norm in OPT_OUT:
        return "opt_out"
    if norm in OPT_IN:
        return "opt_in"
    if HANDOFF.search(text):
        return "handoff"
    return None


def topic(text: str) -> str:
    """The enquiry topic of a question; ``faq`` when none of ours matches."""
    for name, pattern in TOPICS:
        if pattern.search(text):
            return name
    return "faq"


def find_phone(text: str) -> str | None:
    """The first mainland mobile number in ``text``, digits only."""
    m = PHONE.search(text)
    return re.sub(r"\D", "", m.group(1)) if m else None
