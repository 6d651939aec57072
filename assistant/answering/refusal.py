"""When the documents do not answer: decided outside the model, from the evidence (pure functions).

Three signals. (1) Evidence strength: the best sentence similarity is below a threshold calibrated on the
question set. (2) Scope: a year, ordinal (第31任) or place the question is about that the corpus, or the
retrieved clauses (with their document's title), never mention. (3) Answer type: the question asks for a kind of fact (an
amount in 元, a date, a rate, a phone number, a list of materials, a person) that none of the retrieved
text contains.
The 1.5B model answers from noise (RGB: 0/30 rejections), so it is not asked to decide.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.places import absent_places
from assistant.answering.verify import YEAR

# (kind, what the question says, what evidence of that kind looks like)
ANSWER_TYPES: list[tuple[str, re.Pattern, re.Pattern]] = [
    ("金额", re.compile(r"多少[\u4e00-\u9fff]{0,3}?(?:钱|元|万|资金|补贴|奖励|经费|资助)|金额|最高.{0,6}(?:元|补贴|资助|奖励)|补贴标准|资助标准|"
                      r"how much|amount|yuan|rmb", re.I),
     re.compile(r"\d[\d,.]*\s*(?:万|亿)?元|[一二三四五六七八九十百千]+(?:万|亿)?元")),
    ("日期", re.compile(r"截止|截至日期|哪一天|几月几日|什么时候(?:开始|截止|申报|申请)|申报时间|印发日期|发布日期|deadline|"
                      r"what date", re.I),
     re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")),
    ("比例", re.compile(r"比例|百分之|税率|费率|利率|折扣|percent|rate", re.I),
     re.compile(r"\d+(?:\.\d+)?\s*[%％‰]|百分之|[一二三四五六七八九十]成|[一二三四五六七八九十百千]+分之[一二三四五六七八九十百千]+")),
    ("联系方式", re.compile(r"电话|热线|联系方式|邮箱|网址|地址在哪|phone|email|contact", re.I),
     re.compile(r"\d{3,4}-?\d{7,8}|1\d{10}|@|https?://|www\.")),
    ("申报材料", re.compile(r"材料|申请表|需要提交|提交哪些|申报流程|办理流程|documents? (?:are )?required", re.I),
     re.compile(r"(?<!原)材料|申请表|申报书")),
    ("签发人", re.compile(r"签发|签署|签字|谁(?:批准|审定)|signed", re.I), re.compile(r"签发|签字")),
    ("名单", re.compile(r"名单|哪些(?:企业|单位|园区)(?:入选|获批|入围)|list of", re.I), re.compile(r"名单|入选|获批")),
]


@dataclass(frozen=True)
class Decision:
    """Refuse or not, and a reason a user can read."""

    refuse: bool
    reason: str = ""


def missing_answer_type(question: str, evidence: Sequence[str]) -> str:
    """The kind of fact the question asks for that no evidence text contains, or ''."""
    joined = "\n".join(evidence)
    for kind, asks, looks_like in ANSWER_TYPES:
        if asks.search(question) and not looks_like.search(joined):
            return kind
    return ""


def unknown_specifics(question: str, corpus_norm: str) -> list[str]:
    """Years and places (in Chinese or pinyin) the question names that the whole corpus never mentions;
    `corpus_norm` is the normalised corpus text."""
    years = [y for y in YEAR.findall(question) if y not in corpus_norm]
    return years + absent_places(question, corpus_norm)


ORDINAL = re.compile(r"第\s*[\d一二三四五六七八九十百]+\s*(?:任|届|次|季|期|批|轮|代)")
# What a question asks for, and what an answer of that kind must contain (checked on the answer, not the evidence).
ASKS_TIME = re.compile(r"什么时候|何时|哪一?天|哪一?年|几月|日期|时间")
TIME = re.compile(r"\d{1,4}\s*[年月日号时]|[零一二两三四五六七八九十百]+\s*个?\s*(?:年|月|日|号|小时|工作日|天|周)|"
                  r"周[一二三四五六七日]|星期|"
                  r"今天|明天|昨天|本周|下周|上周|年底|年初|月底")
ASKS_COUNT = re.compile(r"多少|(?<!哪)几[个家项条人年名次天]|人数|数量|增长率|增速|比例|金额")  # 哪几个 asks which
# a digit, or a Chinese numeral with a measure word; not 批, since 一批 means "some"
COUNT = re.compile(r"\d|[零一二两三四五六七八九十百千万亿]+"
                   r"(?:个|家|项|条|人|名|次|倍|成|亿|万|年|月|天|周|小时|分钟|公里|千米|米|所|座|台|辆|届)")


def pinned(question: str) -> list[str]:
    """What a question is specifically about, that an answer must not swap for another: its years
    ("2021年的票房") and ordinals ("第31任总理")."""
    terms = YEAR.findall(question) + [re.sub(r"\s+", "", m) for m in ORDINAL.findall(question)]
    return list(dict.fromkeys(terms))


def asked_kinds(question: str) -> list[str]:
    """'时间' and/or '数量' when the question asks for a time or a count."""
    return [kind for kind, asks in (("时间", ASKS_TIME), ("数量", ASKS_COUNT)) if asks.search(question)]


def lacks_asked_kind(question: str, answer: str) -> str:
    """The kind the question asks for ('时间', '数量') that the answer does not state, else ''."""
    looks = {"时间": TIME, "数量": COUNT}
    return next((kind for kind in asked_kinds(question) if not looks[kind].search(answer)), "")


def is_chinese(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum("\u4e00" <= ch <= "\u9fff" for ch in letters) / len(letters) > 0.5


def decide(question: str, evidence: Sequence[str], best_similarity: float, threshold: float,
           corpus_norm: str, coverage: tuple[int, int] = (0, 0)) -> Decision:
    """Refuse when the corpus cannot hold the answer; the reasons are checked from the cheapest up.

    `coverage` is (content words in the question, how many occur in the corpus): a Chinese question none
    of whose words the corpus ever uses ("怎么做红烧肉") is off-topic, whatever the vector similarity says.
    """
    unknown = unknown_specifics(question, corpus_norm)
    if unknown:
        return Decision(True, f"文件中没有关于“{'、'.join(unknown)}”的内容")
    words, known = coverage
    if words and not known and is_chinese(question):
        return Decision(True, "问题中的关键词在文件中均未出现")
    if best_similarity < threshold:
        return Decision(True, f"检索到的条款与问题相关度不足（{best_similarity:.3f} < {threshold:.3f}）")
    absent = [t for t in pinned(question) if not any(t in text for text in evidence)]
    if absent:
        return Decision(True, f"相关条款中没有提到问题所问的“{'、'.join(absent)}”")
    kind = missing_answer_type(question, evidence)
    if kind:
        return Decision(True, f"问题询问的{kind}在相关条款中没有规定")
    return Decision(False)
