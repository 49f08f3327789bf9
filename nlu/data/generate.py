"""Generate the NLU YAML files from the hand-written banks: ``python -m nlu.data.generate``.

Training and test use disjoint phrase banks AND disjoint frames (greetings, unit prefixes, urgency tails), so
the held-out figures are not template recall. Noise (emoji, traditional characters, full-width digits,
voice-to-text fillers, dropped punctuation, typos) is shared, because it models the channel, not the content.
The committed YAML is the source of truth; this script is deterministic (fixed seed).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from nlu.data import (
    bank_adversarial,
    bank_test,
    bank_test_new,
    bank_test_registers,
    bank_train_en,
    bank_train_extra,
    bank_train_registers,
    bank_train_zh,
)
from nlu.data_io import write_yaml
from nlu.lang import detect_lang
from nlu.normalize import normalize, to_traditional

HERE = Path(__file__).resolve().parent
Frames = dict[str, list[str]]

TRAIN_ZH: Frames = {
    "pre": ["", "", "", "你好，", "您好 ", "物业你好 ", "喂 ", "{unit} ", "我是{unit}的业主，", "{unit}业主，",
            "师傅 ", "我家", "在吗 ", "麻烦一下，", "不好意思 ", "hi ", "亲 "],
    "emergency": ["", "！！", " 快来人", " 急急急", " 赶紧派人来", " 快点来啊", " 怎么办", " 太吓人了"],
    "high": ["", " 今天能来修吗", " 麻烦今天安排一下", " 尽快", " 帮忙派个师傅", " 今天一定要来"],
    "normal": ["", " 有空来看看", " 麻烦安排维修", " 不着急", " 什么时候能来修", " 报修一下", " 交房就这样"],
    "msg_pre": ["", "", "", "你好 ", "您好，", "{unit} ", "喂 ", "不好意思 ", "劳驾 ", "亲 ", "hi ", "在吗 ",
                "我想说一下 "],
    "msg_suf": ["", "", "", "。", "？", " 谢谢"],
}
TEST_ZH: Frames = {
    "pre": ["", "", "hello ", "物业 ", "{unit}这边 ", "打扰一下，", "早上好，", "客服你好 ", "报修：",
            "业主{unit}反映：", "那个 "],
    "emergency": ["", " 速来", " 求助", " 急", " 人快来"],
    "high": ["", " 今天之内能处理吗", " 请安排人", " 等着用呢"],
    "normal": ["", " 方便的时候上门看下", " 登记一下", " 周末能来吗", "。"],
    "msg_pre": ["", "", "hello ", "打扰了 ", "{unit}这边，"],
    "msg_suf": ["", "", "！", " 麻烦了"],
}
TRAIN_EN: Frames = {
    "pre": ["", "", "", "hi, ", "hello ", "Hi there, ", "{unit_en}: ", "this is {unit_en}, ", "Good morning, "],
    "emergency": ["", "!!", " please hurry", " send someone now", " HELP"],
    "high": ["", " can someone come today?", " please fix today", " asap"],
    "normal": ["", " please send someone when possible", " no rush", " can you book a repair?", "."],
    "msg_pre": ["", "", "hi ", "hello, ", "{unit_en} - "],
    "msg_suf": ["", "", ".", "?", " thanks"],
}
TEST_EN: Frames = {
    "pre": ["", "", "hey ", "Dear management, ", "Unit {unit_en} here. ", "Resident of {unit_en}: ", "quick one - "],
    "emergency": ["", " come quickly", " it's an emergency", " please respond immediately"],
    "high": ["", " need this sorted today", " can you send someone this afternoon"],
    "normal": ["", " whenever convenient", " could you arrange a visit", " regards"],
    "msg_pre": ["", "", "hey ", "good afternoon, "],
    "msg_suf": ["", "", " cheers", "!"],
}

UNITS = ["3栋2单元1502", "5-1-802", "12#1203", "3号楼2单元1502室", "12幢1203", "7栋1801", "2-3-601", "9号楼1单元302",
         "16栋2204", "1#2单元1101"]
UNITS_EN = ["Block 3 Unit 1502", "Bldg 5 Rm 802", "5-1-802", "12#1203", "block 7 flat 1801", "Tower 2 Unit 601"]
PHONES = ["138****5678", "13912345678", "139 1234 5678", "尾号5678", "+86 136-0000-1234", "186****0021"]
EMOJI = ["😭", "😡", "🙏", "[捂脸]", "[流泪]", "😂", "💦", "😱", "[抓狂]", "🙄", "😤", "👍", "[微笑]", "!!"]
FILLERS = ["嗯那个 ", "就是说 ", "那个那个 ", "然后呢 ", "嗯 就是 ", "喂喂 "]
ZH_TYPOS = [("在", "再"), ("的", "得"), ("坏", "怀"), ("修", "休"), ("吗", "嘛"), ("师傅", "师父"), ("没", "木")]
FULLWIDTH = str.maketrans("0123456789#-", "０１２３４５６７８９＃－")


def _fill(template: str, rng: random.Random) -> str:
    return template.replace("{unit}", rng.choice(UNITS)).replace("{unit_en}", rng.choice(UNITS_EN))


def noise_zh(text: str, rng: random.Random) -> str:
    """Channel noise for Chinese text: voice fillers, repeats, typos, traditional, full-width, emoji."""
    if rng.random() < 0.12:
        text = rng.choice(FILLERS) + text
    if rng.random() < 0.08 and len(text) > 6:
        text = text[:2] + text[:2] + text[2:]
    if rng.random() < 0.10:
        a, b = rng.choice(ZH_TYPOS)
        text = text.replace(a, b, 1)
    if rng.random() < 0.25:
        text = re.sub(r"[，。！？,]", " ", text)
    if rng.random() < 0.08:
        text = to_traditional(text)
    if rng.random() < 0.25:
        text = text.translate(FULLWIDTH)
    if rng.random() < 0.08:
        text += " 电话" + rng.choice(PHONES)
    if rng.random() < 0.2:
        text += rng.choice(EMOJI) * rng.choice([1, 1, 2, 3])
    return text.strip()


def noise_en(text: str, rng: random.Random) -> str:
    """Channel noise for English text: casing, typos, dropped apostrophes, abbreviations, emoji."""
    if rng.random() < 0.3:
        text = text[:1].upper() + text[1:]
    if rng.random() < 0.1:
        text = text.upper()
    if rng.random() < 0.3:
        text = text.replace("'", "")
    if rng.random() < 0.15:
        text = text.replace("please", "pls").replace("you", "u").replace(" are ", " r ")
    if rng.random() < 0.15:
        words = text.split()
        idx = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
        if idx:
            i = rng.choice(idx)
            w = words[i]
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            text = " ".join(words)
    if rng.random() < 0.05:
        text += rng.choice([" 谢谢", " 师傅"])
    if rng.random() < 0.06:
        text += " call me on " + rng.choice(PHONES[:3])
    if rng.random() < 0.15:
        text += rng.choice(EMOJI)
    return text.strip()


def _variants(base: str, frames: Frames, tail_key: str, k: int, noise: Callable[[str, random.Random], str],
              rng: random.Random, is_repair: bool) -> list[str]:
    out: list[str] = []
    for attempt in range(k * 4):
        if len(out) >= k:
            break
        if is_repair:
            text = _fill(rng.choice(frames["pre"]), rng) + base + rng.choice(frames[tail_key])
        else:
            text = _fill(rng.choice(frames["msg_pre"]), rng) + base + rng.choice(frames["msg_suf"])
        text = base if attempt == 0 and rng.random() < 0.5 else noise(text, rng)
        if text not in out:
            out.append(text)
    return out


def _lines(block: str | list[str]) -> list[str]:
    items = block if isinstance(block, list) else block.strip().splitlines()
    return [x.strip() for x in items if x.strip()]


def build(repair: dict[str, str], complaint: Mapping[str, str | list[str]], enquiry: list[str], other: list[str],
          frames: Frames, noise: Callable[[str, random.Random], str], k: dict[str, int],
          rng: random.Random) -> dict[str, list[str]]:
    """Expand one language's banks of one split into ``{label: [texts]}``."""
    data: dict[str, list[str]] = {}
    for key, block in repair.items():
        cat, urg = key.split("/")
        label = f"repair+{cat}+{urg}"
        for base in _lines(block):
            data.setdefault(label, []).extend(_variants(base, frames, urg, k["repair"], noise, rng, True))
    groups = [(f"complaint+none+{u}", _lines(b), k["complaint"]) for u, b in complaint.items()]
    groups += [("enquiry+none+normal", enquiry, k["enquiry"]), ("other+none+normal", other, k["other"])]
    for label, bases, kk in groups:
        for base in _lines(bases):
            data.setdefault(label, []).extend(_variants(base, frames, "normal", kk, noise, rng, False))
    return data


def _dedupe(data: dict[str, list[str]], seen: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for label, texts in data.items():
        for t in texts:
            if t not in seen:
                seen.add(t)
                out.setdefault(label, []).append(t)
    return out


def _merge(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in a.items()}
    for label, texts in b.items():
        out.setdefault(label, []).extend(texts)
    return out


def main() -> None:
    """Write train_zh.yml, train_en.yml, test.yml, test_new.yml and adversarial.yml next to this script."""
    rng = random.Random(20261115)
    z, e, t = bank_train_zh, bank_train_en, bank_test
    zh_repair = {k: v + z.REPAIR_MORE.get(k, "") for k, v in z.REPAIR.items()}
    zh_repair["fixtures/normal"] += z.FIXTURES_MORE
    en_repair = {k: v + e.REPAIR_MORE.get(k, "") for k, v in e.REPAIR.items()}
    zh_complaint = {"normal": z.COMPLAINT_NORMAL + z.COMPLAINT_MORE, "high": z.COMPLAINT_HIGH}
    zh_complaint["normal"] = zh_complaint["normal"] + z.COMPLAINT_BATCH3
    tr_zh = build(zh_repair, zh_complaint, z.ENQUIRY + z.ENQUIRY_MORE + z.ENQUIRY_BATCH3,
                  z.OTHER + z.OTHER_MORE + z.OTHER_BATCH3,
                  TRAIN_ZH, noise_zh, {"repair": 3, "complaint": 4, "enquiry": 4, "other": 3}, rng)
    en_complaint = {"normal": e.COMPLAINT_NORMAL + e.COMPLAINT_MORE + e.COMPLAINT_BATCH3, "high": e.COMPLAINT_HIGH}
    tr_en = build(en_repair, en_complaint, e.ENQUIRY + e.ENQUIRY_MORE + e.ENQUIRY_BATCH3,
                  e.OTHER + e.OTHER_MORE + e.OTHER_BATCH3,
                  TRAIN_EN, noise_en, {"repair": 3, "complaint": 4, "enquiry": 4, "other": 3}, rng)
    seen: set[str] = set()
    tr_zh, tr_en = _dedupe(tr_zh, seen), _dedupe(tr_en, seen)
    te_zh = build(t.REPAIR_ZH, t.COMPLAINT_ZH, t.ENQUIRY_ZH, t.OTHER_ZH, TEST_ZH, noise_zh,
                  {"repair": 2, "complaint": 2, "enquiry": 2, "other": 2}, rng)
    te_en = build(t.REPAIR_EN, t.COMPLAINT_EN, t.ENQUIRY_EN, t.OTHER_EN, TEST_EN, noise_en,
                  {"repair": 2, "complaint": 2, "enquiry": 2, "other": 2}, rng)
    te_zh, te_en = _dedupe(te_zh, seen), _dedupe(te_en, seen)
    # Fourth training batch: its own random stream, drawn after everything above, so the earlier training
    # examples and the test split are unchanged by it (and never overlap with it: ``seen`` holds them).
    x, xrng = bank_train_extra, random.Random(20261127)
    seen |= {line.split("|", 1)[1].strip() for line in _lines(bank_adversarial.ADVERSARIAL)}
    seen |= {line.split("|", 1)[1].strip() for line in _lines(bank_test_new.TEST_NEW)}
    kx = {"repair": 3, "complaint": 4, "enquiry": 4, "other": 3}
    ex_zh = build(x.REPAIR_ZH, x.COMPLAINT_ZH, x.ENQUIRY_ZH, x.OTHER_ZH, TRAIN_ZH, noise_zh, kx, xrng)
    ex_zh = _merge(ex_zh, build(x.ANNOYED_REPAIR_ZH, {}, [], [], TRAIN_ZH, noise_zh, kx, xrng))
    ex_en = build(x.REPAIR_EN, x.COMPLAINT_EN, x.ENQUIRY_EN, x.OTHER_EN, TRAIN_EN, noise_en, kx, xrng)
    ex_en = _merge(ex_en, build(x.ANNOYED_REPAIR_EN, {}, [], [], TRAIN_EN, noise_en, kx, xrng))
    ex_zh = _merge(ex_zh, build(x.QUESTION_REPAIR_ZH, {"normal": x.COMPLAINT_MORE_ZH},
                                x.ENQUIRY_FAULTWORD_ZH, x.OTHER_QUESTION_ZH, TRAIN_ZH, noise_zh, kx, xrng))
    ex_en = _merge(ex_en, build(x.QUESTION_REPAIR_EN, {"normal": x.COMPLAINT_MORE_EN},
                                x.ENQUIRY_FAULTWORD_EN, x.OTHER_QUESTION_EN, TRAIN_EN, noise_en, kx, xrng))
    ex_zh = _merge(ex_zh, build({}, {"normal": x.COMPLAINT_MORE_ZH2}, [], [], TRAIN_ZH, noise_zh, kx, xrng))
    ex_en = _merge(ex_en, build({}, {"normal": x.COMPLAINT_MORE_EN2}, x.ENQUIRY_MORE_EN, [], TRAIN_EN, noise_en,
                                kx, xrng))
    held = {normalize(t) for d in (te_zh, te_en) for ts in d.values() for t in ts}
    held |= {normalize(line.split("|", 1)[1]) for line in _lines(bank_test_new.TEST_NEW)}
    ex_zh, ex_en = ({lb: [t for t in ts if normalize(t) not in held] for lb, ts in d.items()} for d in (ex_zh, ex_en))
    tr_zh = _merge(tr_zh, _dedupe(ex_zh, seen))
    tr_en = _merge(tr_en, _dedupe(ex_en, seen))
    new: dict[tuple[str, str], list[str]] = {}
    for line in _lines(bank_test_new.TEST_NEW):
        label, text = (s.strip() for s in line.split("|", 1))
        new.setdefault((label.replace("+other+", "+misc+"), detect_lang(text)), []).append(text)
    adv: dict[tuple[str, str], list[str]] = {}
    for line in bank_adversarial.ADVERSARIAL:
        label, text = (s.strip() for s in line.split("|", 1))
        lang = detect_lang(text)
        adv.setdefault((label, lang), []).append(text)
    write_yaml(HERE / "train_zh.yml", [(lb, "zh", ts) for lb, ts in tr_zh.items()])
    write_yaml(HERE / "train_en.yml", [(lb, "en", ts) for lb, ts in tr_en.items()])
    write_yaml(HERE / "test.yml", [(lb, "zh", ts) for lb, ts in te_zh.items()]
               + [(lb, "en", ts) for lb, ts in te_en.items()])
    write_yaml(HERE / "test_new.yml", [(lb, lang, ts) for (lb, lang), ts in new.items()])
    write_yaml(HERE / "adversarial.yml", [(lb, lang, ts) for (lb, lang), ts in adv.items()])
    for name, d in [("train_zh", tr_zh), ("train_en", tr_en), ("test_zh", te_zh), ("test_en", te_en)]:
        print(name, sum(len(v) for v in d.values()))  # noqa: T201
    print("test_new", sum(len(v) for v in new.values()))  # noqa: T201
    print("adversarial", len(bank_adversarial.ADVERSARIAL))  # noqa: T201
    reg: dict[tuple[str, str], list[str]] = {}
    for line in _lines(bank_test_registers.TEST_REGISTERS):
        label, text = (s.strip() for s in line.split("|", 1))
        reg.setdefault((label.replace("+other+", "+misc+"), detect_lang(text)), []).append(text)
    write_yaml(HERE / "test_registers.yml", [(lb, lang, ts) for (lb, lang), ts in reg.items()])
    print("test_registers", sum(len(v) for v in reg.values()))  # noqa: T201
    held |= {normalize(t) for ts in reg.values() for t in ts}
    print("train_registers", write_registers(held | {normalize(t) for t in seen}))  # noqa: T201


def write_registers(held: set[str]) -> int:
    """Write ``train_registers.yml``: the fifth batch (whole messages, no frames), each message once as written
    and once through the channel noise (emoji, typos, traditional characters...), its own random stream.

    Args:
        held: Normalised texts already used elsewhere (held-out splits and earlier training); never repeated.

    Returns:
        The number of examples written.
    """
    rng = random.Random(20261201)
    out: dict[tuple[str, str], list[str]] = {}
    seen = set(held)
    b = bank_train_registers
    for block, noise in ((b.TRAIN_ZH + b.TRAIN_ZH_2 + b.TRAIN_ZH_3 + b.TRAIN_ZH_4, noise_zh),
                         (b.TRAIN_EN + b.TRAIN_EN_2 + b.TRAIN_EN_3 + b.TRAIN_EN_4, noise_en)):
        for line in _lines(block):
            label, text = (s.strip() for s in line.split("|", 1))
            lang = detect_lang(text)
            for variant in (text, noise(text, rng)):
                key = normalize(variant)
                if key not in seen:
                    seen.add(key)
                    out.setdefault((label.replace("+other+", "+misc+"), lang), []).append(variant)
    write_yaml(HERE / "train_registers.yml", [(lb, lang, ts) for (lb, lang), ts in out.items()])
    return sum(len(v) for v in out.values())


if __name__ == "__main__":
    main()
