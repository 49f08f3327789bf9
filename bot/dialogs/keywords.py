"""Small keyword tables the dialogs use before or beside the NLU (commands, yes/no, topics)."""

from __future__ import annotations

import re

OPT_OUT = {"td", "t", "退订", "stop", "stopall", "unsubscribe", "不要再发", "别再发了", "取消订阅"}
OPT_IN = {"start", "unstop", "订阅", "恢复订阅"}
HANDOFF = re.compile(r"转人工|人工客服|真人|找客服|人工服务|^人工$|\bagent\b|real person|human|talk to (a )?person|"
                     r"(叫|让|找|要|请)(你们)?的?(客服|人工|工作人员|负责人|经理)|(客服|工作人员|负责人)(来|"
                     r"过来)?(跟|和|与)我(说|谈|聊|沟通)|"
                     r"跟(真)?人(说|谈|聊)|接线员|(speak|talk) (to|with) (someone|somebody|a person|staff|"
                     r"an? (operator|"
                     r"representative|colleague))|customer service|\boperator\b|representative", re.I)
OPT_OUT_PHRASE = re.compile(r"(不要|别|不想|不用)(再)?(给我)?(发|推送?|收到?)(这些|这种|那些)?(广告|营销|推销|活动|"
                            r"促销|消息|短信|信息)|"
                            r"(退订|取消订阅|取消推送)|stop (sending|texting|messaging)|no more (ads|messages|"
                            r"marketing|"
                            r"promotions)|opt(-| )?out|unsubscribe", re.I)
OPT_IN_PHRASE = re.compile(r"(重新|恢复|继续)(订阅|接收|推送|发送)|(可以|愿意)(继续)?(接收|收到)?(活动|营销)(信息|"
                           r"消息)|"
                           r"opt(-| )?in\b|subscribe again|resubscribe|start sending", re.I)
HELP = re.compile(r"^\W*(帮助|help|菜单|menu|怎么用|你能做什么|能做什么|有什么功能|功能|what can you do|"
                  r"how does this work|"
                  r"帮我)\W*$", re.I)
CANCEL = re.compile(r"^\W*(取消|算了|不用了|不需要了|没事了|不修了|cancel|never ?mind|forget it)\W*$|自己(修|弄|"
                    r"搞)好了|"
                    r"不用派人|不用来了|不要来了|别来了|不用上门|不需要上门|取消(报修|工单|预约|上门|维修)|撤销(报修|"
                    r"工单)|"
                    r"(算了|不用了|不需要了)\W*(不用了|不需要了|谢谢|取消吧?)?\W*$|"
                    r"no need to (send|come)|don'?t (need to )?come|(fixed|sorted) it (myself|ourselves)|cancel (the|"
                    r"my) "
                    r"(repair|ticket|visit|request)|no longer need", re.I)
YES = re.compile(r"^(1|是|是的|对|确认|好|好的|满意|可以|yes|y|ok|okay|confirm|satisfied)\W*$", re.I)
NO = re.compile(r"^(2|否|不是|不对|不满意|没修好|还是不行|no|n|not yet|still)\b|仍有问题|还漏|没有修好", re.I)
# The owner's verdict on a finished repair (searched, checked NOT_FIXED first: "没修好" contains "修好").
NOT_FIXED = re.compile(r"没(有)?修好|还是(漏|不行|坏|有问题|滴|渗|不亮|不通|堵)|还在(漏|滴|渗)|又(坏|漏|不行|出问题)|"
                       r"仍(然)?有问题|"
                       r"不满意|没解决|没用|not fixed|still (leak|broken|not|doesn'?t|a problem)|broke(n)? again|"
                       r"isn'?t fixed|doesn'?t work", re.I)
FIXED = re.compile(r"修好了|好了|没问题了?|可以了|正常了|满意|解决了|fixed|works( now| fine)?|all good|sorted|"
                   r"^\W*(1|是|是的|对|好|好的|确认|yes|y|ok|okay)\W*$", re.I)
# Questions about an existing ticket: answered from its status, page, engineer and appointment.
STATUS = re.compile(r"什么时候(到|来|上门|过来)|(几点|多久|多长时间)(到|来|能到|上门)|还要多久|谁(来|负责)(修|处理)?|"
                    r"有(没有)?人(来|管|处理)|"
                    r"到哪(了|一步)|处理(得)?怎么样|^\W*进度\W*(怎么样|如何)?\W*$|进展|(来|到)了吗|"
                    r"when (will|is|does).*(come|arrive|get here|be here)|anyone coming|who(?:'s| is) coming|who will "
                    r"(fix|come)|\beta\b|any (news|update)|what'?s (happening|the status)", re.I)
# Marks an answer that corrects something said before.
CORRECTION = re.compile(r"不对|不是|说错|改成|改为|应该是|其实是|更正|actually|not the|i meant|correction|"
                        r"change (it )?to",
                        re.I)
# A plausible visit window when the NLU found no time entity.
ANY_TIME = re.compile(r"^\W*(any|anytime|any ?time|whenever|随时|都可以|时间都可以|都行|什么时候都(可以|行)|尽快|"
                      r"越快越好|"
                      r"asap|as soon as possible)\W*$", re.I)
TIME_WORDS = re.compile(r"今天|明天|后天|大后天|周[一二三四五六日天末]|星期|礼拜|上午|下午|晚上|中午|早上|傍晚|"
                        r"\d+\s*[点:：]|"
                        r"\d+\s*(号|日)|today|tomorrow|morning|afternoon|evening|weekend|monday|tuesday|wednesday|"
                        r"thursday|friday|saturday|sunday|\d+\s*(am|pm)|o'?clock", re.I)
# Splits a message that carries more than one request ("水龙头漏水，另外想问车位").
ALSO = re.compile(r"[，,。；;！!？?\s]*(另外|还有(个|一个|就是)?|顺便|同时|以及|再问(一下)?|还想问|\balso\b|"
                  r"by the way|\bbtw\b|"
                  r"and another thing|one more thing)[，,：:\s]*", re.I)
GREETING = re.compile(r"^(你好|您好|你好啊|您好啊|嗨|哈喽|hi|hello|hey|hiya|在吗|在不在|在么|有人吗|早上好|早|下午好|"
                      r"晚上好|"
                      r"good (morning|afternoon|evening)|hi there|hello there|hey there|hi anju)\W*$", re.I)
THANKS = re.compile(r"谢谢|感谢|多谢|thank|thx", re.I)
NONE_WORDS = re.compile(r"^(无|没有|没了|不用|no|none|nothing|nope)\W*$", re.I)
REPAIR_REQUEST = re.compile(r"^\W*(我要|我想|想|要|申请)?(报修|维修|报个修|修理|修东西)\W*$"
                            r"|^\W*(i want to |i'd like to |i need to |i would like to |can i )?(report a |log a )?"
                            r"(repair|fix)( please)?\W*$", re.I)
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
    """``opt_out``, ``opt_in``, ``handoff``, ``help`` or None for a message that is a command."""
    norm = text.strip().lower().rstrip("。.!！")
    if norm in OPT_OUT:
        return "opt_out"
    if norm in OPT_IN:
        return "opt_in"
    if OPT_IN_PHRASE.search(text):
        return "opt_in"
    if OPT_OUT_PHRASE.search(text):
        return "opt_out"
    if HANDOFF.search(text):
        return "handoff"
    if HELP.match(text):
        return "help"
    return None


def has_words(text: str) -> bool:
    """True when ``text`` has words (CJK or 2+ Latin letters), not just digits, a phone or a code."""
    stripped = PHONE.sub("", text)
    return bool(re.search(r"[\u4e00-\u9fff]|[A-Za-z]{2,}", stripped))


QUESTION_END = re.compile(r"(吗|呢|么|？|\?)\W*$")


def clauses(text: str) -> list[str]:
    """The separate requests in one message; one item when it carries only one.

    Split at "另外", "顺便", "also"...; and a trailing question after a comma ("空调不制冷，还在保修期吗").
    """
    parts = [p.strip(" ，,。；;") for p in ALSO.split(text) if p]
    parts = [p for p in parts if p and not ALSO.fullmatch(p) and len(p) >= 2]
    if len(parts) > 1:
        return parts
    pieces = [p.strip() for p in re.split(r"[，,；;。]", text) if p.strip()]
    if len(pieces) > 1 and QUESTION_END.search(pieces[-1]) and not QUESTION_END.search(pieces[0]):
        return ["，".join(pieces[:-1]), pieces[-1]]
    return [text]


def plausible_time(text: str) -> bool:
    """True when ``text`` names a visit time the NLU may not have parsed ("周六上午", "any time")."""
    return bool(ANY_TIME.match(text) or TIME_WORDS.search(text))


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

ALL = re.compile(r"全部|都(取消|不要|不用)|所有|\ball\b|both", re.I)
# Outside the confirm question only unmistakable words count as "it is fixed".
FIXED_STRONG = re.compile(r"(已经|都)?修好了|没问题了|解决了|正常了|(is|it'?s|been) fixed|works now", re.I)
