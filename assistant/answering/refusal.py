"""When the documents do not answer: decided outside the model, from the evidence (pure functions).

Signals, cheapest first, each general to Chinese official documents rather than fitted to one question set:

1. Scope: a year, place or document (《…》) the question is about that the library never mentions. A place
   counts only as a word of its own: 杭州 inside 杭州湾 is not 杭州.
2. Evidence strength: the best sentence similarity is below a threshold calibrated on the question set.
3. Pinned terms: a year or ordinal (第31任) the question is about that the retrieved clauses do not state.
4. Answer kind: the question asks for a kind of fact (an amount of money, a date, a period, a ratio, a count,
   a contact: the answer types of factual QA, not the kinds of one question set) that no retrieved clause
   states.
Word-overlap relevance (IDF share of the question's words in a clause) and the similarity of the sentence
stating the asked kind were measured as further signals and left out: on the regulations set neither
separates near-miss questions from answerable ones (README, 已知局限).
The 1.5B model answers from noise (RGB: 0/30 rejections), so it is not asked to decide.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.places import absent_places
from assistant.answering.verify import YEAR
from assistant.normalize import normalize

CN = "零〇一二两三四五六七八九十百千万亿"


@dataclass(frozen=True)
class AnswerKind:
    """A kind of fact a question can ask for (the answer types of factual QA), and what a statement of it
    looks like in a text."""

    name: str
    asks: re.Pattern
    value: re.Pattern


MONEY = re.compile(rf"\d[\d,.]*\s*(?:万|亿)?元|[{CN}]+(?:万|亿)?元")
DATE = re.compile(rf"\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|[{CN}]+月[{CN}]+日")
TIME = re.compile(rf"\d{{1,4}}\s*[年月日号时]|[{CN}]+\s*个?\s*(?:年|月|日|号|小时|工作日|天|周)|"
                  r"周[一二三四五六七日]|星期|今天|明天|昨天|本周|下周|上周|年底|年初|月底")
RATIO = re.compile(rf"\d+(?:\.\d+)?\s*[%％‰]|百分之|[{CN}]成|[{CN}]+分之[{CN}]+")
# a digit, or a Chinese numeral with a measure word; not 批, since 一批 means "some"
COUNT = re.compile(rf"\d|[{CN}]+(?:个|家|项|条|人|名|次|倍|成|亿|万|年|月|天|周|小时|分钟|公里|千米|米|所|座|台|辆|届|户|只|岁|周岁|元|日|工作日)")
CONTACT = re.compile(r"\d{3,4}-?\d{7,8}|1\d{10}|@|https?://|www\.")

ANSWER_KINDS: tuple[AnswerKind, ...] = (
    AnswerKind("金额", re.compile(
        r"多少[\u4e00-\u9fff]{0,3}?(?:钱|元|万|资金|补贴|奖励|经费|资助|费)|金额|罚多少|罚款多少|"
        r"最高.{0,6}(?:元|补贴|资助|奖励)|(?:补贴|资助|收费|赔偿)标准|"
        r"how much (?:money|is the fine|does it cost)|\bfined?\b|\bfines\b|\bcost\b|\bfees?\b|yuan|rmb", re.I), MONEY),
    AnswerKind("日期", re.compile(
        r"截止日期|截至日期|哪一天|几月几日|什么时候(?:开始|截止|申报|申请|施行|实施|生效)|(?:申报|印发|发布|施行|生效)(?:日期|时间)|"
        r"deadline|what date|when (?:does|did|will) .{0,40}(?:take effect|start|begin)", re.I), DATE),
    AnswerKind("联系方式", re.compile(r"电话号码|联系电话|热线(?:电话)?(?:是|号码)|电话是多少|邮箱|网址|地址在哪|"
                                  r"phone number|e-?mail|contact", re.I), CONTACT),
    AnswerKind("时间", re.compile(
        r"什么时候|何时|哪一?天|哪一?年|几月|日期|时间|多久|期限|几天|多少天|几个月|多少年|几年|"
        r"how long|how many (?:days|months|years|hours)|within how", re.I), TIME),
    AnswerKind("比例", re.compile(r"比例|百分之|税率|费率|利率|折扣|percent|\brate\b", re.I), RATIO),
    AnswerKind("数量", re.compile(r"多少|(?<!哪)几[个家项条人年名次天岁]|人数|数量|增长率|增速|比例|金额|how many|how much", re.I),
               COUNT),  # 哪几个 asks which
)
_KIND = {k.name: k for k in ANSWER_KINDS}
# A document the question names in 《》, e.g. 《中华人民共和国个人信息保护法》.
NAMED_DOCUMENT = re.compile(r"《([^《》]{2,40})》")
ORDINAL = re.compile(r"第\s*[\d一二三四五六七八九十百]+\s*(?:任|届|次|季|期|批|轮|代)")


@dataclass(frozen=True)
class Grounds:
    """What the refusal knows about the whole library, computed once per index: its normalised text and
    the titles of its documents."""

    text: str
    titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """Refuse or not, and a reason a user can read."""

    refuse: bool
    reason: str = ""


def missing_answer_type(question: str, evidence: Sequence[str]) -> str:
    """The kind of fact the question asks for that no evidence text states, or ''."""
    kinds = asked_kinds(question)
    return kinds[0] if kinds and not _KIND[kinds[0]].value.search("\n".join(evidence)) else ""


def unknown_documents(question: str, titles: Sequence[str]) -> list[str]:
    """Documents the question names in 《》 that no title of the library contains or is contained in."""
    norm = [normalize(t) for t in titles]
    return [name for name in dict.fromkeys(NAMED_DOCUMENT.findall(question))
            if norm and not any(normalize(name) in t or t in normalize(name) for t in norm)]


def unknown_specifics(question: str, corpus_norm: str) -> list[str]:
    """Years and places (in Chinese or pinyin) the question names that the whole corpus never mentions;
    `corpus_norm` is the normalised corpus text."""
    years = [y for y in YEAR.findall(question) if y not in corpus_norm]
    return years + absent_places(question, corpus_norm)


def pinned(question: str) -> list[str]:
    """What a question is specifically about, that an answer must not swap for another: its years
    ("2021年的票房") and ordinals ("第31任总理")."""
    terms = YEAR.findall(question) + [re.sub(r"\s+", "", m) for m in ORDINAL.findall(question)]
    return list(dict.fromkeys(terms))


def asked_kinds(question: str) -> list[str]:
    """The kinds of fact the question asks for ('金额', '时间', '数量' …), most specific first: "罚多少钱"
    asks for an amount (and so a number), and a statement of the first kind answers it."""
    return [k.name for k in ANSWER_KINDS if k.asks.search(question)]


def lacks_asked_kind(question: str, answer: str) -> str:
    """The kind the question asks for that the answer does not state, else ''."""
    return missing_answer_type(question, [answer])


def is_chinese(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum("\u4e00" <= ch <= "\u9fff" for ch in letters) / len(letters) > 0.5


def decide(question: str, evidence: Sequence[str], best_similarity: float, threshold: float,
           grounds: Grounds, coverage: tuple[int, int] = (0, 0)) -> Decision:
    """Refuse when the library cannot hold the answer or the retrieved clauses do not address it; the
    reasons are checked from the cheapest up.

    `coverage` is (content words in the question, how many occur in the corpus): a Chinese question none
    of whose words the corpus ever uses ("怎么做红烧肉") is off-topic, whatever the vector similarity says.
    """
    documents = unknown_documents(question, grounds.titles)
    if documents:
        return Decision(True, f"文件库中没有{'、'.join(f'《{d}》' for d in documents)}")
    unknown = unknown_specifics(question, grounds.text)
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
