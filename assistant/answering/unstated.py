"""What the clauses about a question's subject leave unsaid, though they state a fact of the asked kind (pure
functions over sentences).

Two ways Chinese support policies name a thing without stating the asked fact for it:

- **Another tier.** A clause states amounts for the tiers it lists — "对检验级、保证级、预防级、卓越级的企业分别给予…",
  "主导国际标准、国家标准、行业标准…", "大型、中型无人驾驶航空器" — and the question asks about a tier the list does not
  hold ("经验级", "团体标准", "小型无人驾驶航空器"): the amounts are about other subjects. A tier is read from the list
  itself: items of equal length that share a head (…级、…级) or that a head follows (大型、中型…).
- **An amount left vague.** The sentence nearest the question says "给予一定奖励", "适当补助", "享受相应的租金减免", or
  gives support with no number at all ("给予装修补贴"), and no sentence beside it states the amount: the document
  names the support without quantifying it.

Example: ``other_tier("被评为“经验级”能拿多少奖励？", "对检验级、保证级、预防级、卓越级的企业分别给予10万元…")``
is ``("经验级", ("检验级", "保证级", "预防级", "卓越级"))``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.extractive import overlap, quoted, rank_units
from assistant.asks import asked_kind
from assistant.normalize import normalize
from assistant.patterns import CN_AMOUNT
from assistant.records import Chunk
from assistant.retrieval.tokenization import word_ends

CJK = "\u4e00-\u9fff"
JOINERS = "(?:、|和|及|与|或|以及)"
MIN_MODIFIER, MAX_MODIFIER = 2, 4  # 大型 · 检验 · 国家 (标准): a tier's own word is short, but a word
# question words, joiners and counted things: 每项, 几家, 本市, 一家
NOT_A_TIER = re.compile(r"[几多每各哪该此这那其本的和及与或等]|[一两][个家项名位件次条]")
# An amount named but not stated: 一定(数额的)奖励, 适当补助, 相应的租金减免 (the words of any support policy)
VAGUE = re.compile(rf"(?:一定|适当|相应)(?:的)?(?:数额|金额|比例|额度|数量)?(?:的)?[{CJK}、]{{0,8}}?"
                   r"(?:奖励|补助|补贴|资助|资金|经费|支持|扶持|奖补|减免|优惠|贴息)")
# …or support given in a sentence that states no number: "入驻无装修环境办公空间的，给予装修补贴。"
GIVEN = re.compile(r"给予[^，。；\d]{0,12}?(?:奖励|补助|补贴|资助|支持|扶持|奖补|减免|贴息)")
NUMBER = re.compile(rf"\d|[{CN_AMOUNT}]+(?:元|倍|%|成)|百分之")


# A tier named by rank: an ordinal or a letter (二星级, 三档, B类, 一等), a level of government (国家级, 省级), a size (中型).
DEGREES = "博士|硕士|本科|大专|专科|高职|中专"  # levels of education, by which talent subsidies are tiered
RANKED = re.compile(r"([一二三四五六七八九十两]|[A-E]|[甲乙丙丁])(星级|档|类|等奖|等)|(国家|省|市|县)(级)|"
                    rf"(国际|国家|行业|地方|团体|企业)(标准)|(?:{DEGREES})(生|研究生|毕业生|学历)?|"  # of a standard, degrees
                    r"(特大|大|中|小|微)(型)")  # sizes: 大型、中型无人驾驶航空器, 小型微型企业
ENUMERATOR = re.compile(r"(?m)^\s*(?:\d{1,2}[.、．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)")
LIST_OPENS = "为是的对和与及于含括等在"
KIND_ASKED = re.compile(rf"([{CJK}]{{2,4}}?)类([{CJK}]{{2}})")  # "餐饮类小微企业": a kind of a thing
# "旅游、文化、体育类小微企业"; a title names its beneficiaries without 类 ("旅游、文化、体育小微企业用水…补贴")
KIND_LIST = re.compile(rf"((?:[{CJK}]{{2,4}}{JOINERS})+[{CJK}]{{2,4}})类?([{CJK}]{{2}})")
RANGE = re.compile(rf"(?:星级|档|类|等|级|{DEGREES})(?:学历)?(?:及)?(?:以上|以下)")


def _shared_head(modifier_length: int) -> re.Pattern:
    """Items of `modifier_length` characters sharing a head: 检验级、保证级、预防级 (head 级)."""
    n = modifier_length
    return re.compile(rf"([{CJK}]{{{n}}})([{CJK}]{{1,8}}?)(?:{JOINERS}[{CJK}]{{{n}}}\2)+")


def _distributed_head(modifier_length: int) -> re.Pattern:
    """Items of `modifier_length` characters that one head follows: 大型、中型无人驾驶航空器."""
    n = modifier_length
    return re.compile(rf"([{CJK}]{{{n}}})((?:{JOINERS}[{CJK}]{{{n}}})+)([{CJK}]{{2}})")


def tier_lists(sentence: str) -> list[tuple[tuple[str, ...], str]]:
    """The tiers a sentence lists, as (modifiers, head): "检验级、保证级、预防级" → (("检验", "保证", "预防"), "级");
    "大型、中型无人驾驶航空器" → (("大型", "中型"), "无人")."""
    out, seen = [], set()  # one reading per list: the shortest modifiers (国际 + 标准, not 国际标 + 准)
    ends = word_ends(sentence)

    def one_word(i: int, n: int) -> bool:  # 大型 and 检验 are words; 获得大型 and 家级 (of 国家级) are not
        return (i == 0 or i in ends) and i + n in ends and not any(i < e < i + n for e in ends)

    for n in range(MIN_MODIFIER, MAX_MODIFIER + 1):
        for m in _shared_head(n).finditer(sentence):
            head = m.group(2)
            at = [m.start() + k.start() for k in re.finditer(rf"[{CJK}]{{{n}}}{re.escape(head)}", m.group(0))]
            if all((i == 0 or i in ends) and i + n + len(head) in ends for i in at) and tuple(at) not in seen:
                seen.add(tuple(at))  # each item whole words
                out.append((tuple(sentence[i:i + n] for i in at), head))
        for m in _distributed_head(n).finditer(sentence):
            at = [m.start(1), *(m.start(2) + k.end() - n for k in re.finditer(rf"[{CJK}]{{{n}}}", m.group(2)))]
            if all(one_word(i, n) for i in at) and tuple(at) not in seen:
                seen.add(tuple(at))
                out.append((tuple(sentence[i:i + n] for i in at), m.group(3)))
    return [(mods, head) for mods, head in out if len(set(mods)) >= 2 and not any(NOT_A_TIER.search(x) for x in mods)]


def other_tier(question: str, sentence: str) -> tuple[str, tuple[str, ...]] | None:
    """The tier the question asks about that the sentence's list leaves out, with the tiers it lists; None when the
    question names a listed tier, or no tier of a list at all."""
    q, s = normalize(question), normalize(sentence)
    starts = word_ends(q) | {0}  # where jieba starts a word: the asked tier is a word of the question
    for modifiers, head in tier_lists(s):
        n = len(modifiers[0])
        for m in re.finditer(rf"(?=([{CJK}]{{{n}}}){re.escape(head)})", q):
            asked = m.group(1)
            if asked in modifiers or f"{asked}{head}" in s:
                return None  # the question asks about a tier the clause states
            if m.start() in starts and not NOT_A_TIER.search(asked) and not any(mod in q for mod in modifiers):
                return f"{asked}{head}", tuple(f"{mod}{head}" for mod in modifiers)
    return None


def other_rank(question: str, clause: str) -> tuple[str, tuple[str, ...]] | None:
    """The ranked tier the question asks about (二星级, 三档, B类, 省级, 小型) when the clause states other tiers of that
    rank, each in its own sentence ("五星级…20万元；四星级…15万元"), and not the asked one; None otherwise, or when
    the clause states a range (二级以上)."""
    q, c = normalize(question), normalize(clause)

    def of_what(text: str, end: int) -> str:  # what the tier is of: "二星级省级科普…" → "省级", "省级专精特新" → "专精"
        after = text[end:].lstrip("的")[:2]
        return after if re.fullmatch(rf"[{CJK}]{{2}}", after) else ""

    def head(m: re.Match) -> str:  # 星级, 档, 级, 标准, a degree …
        return m.group(2) or m.group(4) or m.group(6) or m.group(9) or "学历"

    for m in RANKED.finditer(q):
        asked, degree = m.group(0), re.match(DEGREES, m.group(0))
        of = "" if degree else of_what(q, m.end())  # a degree is a tier of a person, of nothing else
        if (degree.group() if degree else asked) in c:  # 硕士毕业生 asked, 硕士研究生 stated
            return None
        stated = [x.group(0) for x in RANKED.finditer(c)
                  if head(x) == head(m) and of in ("", of_what(c, x.end()))]  # a tier of the same thing
        if stated and not RANGE.search(c):
            return asked, tuple(dict.fromkeys(stated))
    return None


def other_kind(question: str, clause: str) -> tuple[str, tuple[str, ...]] | None:
    """The kind the question names ("餐饮类小微企业") when the clauses close a list of kinds for the same thing
    without it ("旅游、文化、体育、交通运输、快递物流类小微企业") and never name it; None otherwise."""
    q, c = normalize(question), normalize(clause)
    for m in KIND_ASKED.finditer(q):
        asked, thing = m.group(1), m.group(2)
        if f"{asked}类" in c or asked in c and not NOT_A_TIER.search(asked) and f"{asked}、" in c:
            return None  # the clauses name the asked kind
        for listed in KIND_LIST.finditer(c):
            first, *rest = re.split(rf"{JOINERS}", listed.group(1))
            before = c[listed.start(1) - 1] if listed.start(1) else "，"
            # "…主营业务为旅游、文化…": the list starts after a function word (为, 是, 的 …)
            cut = max([i for i in range(1, len(first) - 1) if first[i - 1] in LIST_OPENS]
                      + [0] * (before in LIST_OPENS or not re.match(rf"[{CJK}]", before)), default=None)
            if cut is None:
                continue
            kinds = (first[cut:], *rest)
            if listed.group(2) == thing and len(kinds) > 1 and asked not in kinds and not NOT_A_TIER.search(asked):
                return f"{asked}类", tuple(f"{k}类" for k in kinds)
    return None


def vague_amount(sentence: str) -> str:
    """The words with which a sentence names an amount without stating it ("给予一定奖励"), or gives support and
    states no number at all ("…的，给予装修补贴。"); '' otherwise."""
    m = VAGUE.search(sentence) or (None if NUMBER.search(ENUMERATOR.sub("", sentence)) else GIVEN.search(sentence))
    return m.group(0) if m else ""


QUANTITIES = ("金额", "比例", "数量")  # the kinds a tier list or a vague amount leaves unstated


def _naming(question: str, chunks: Sequence[Chunk], kind) -> tuple[Chunk, int] | None:
    """The sentence that names more of the question than any sentence stating the asked kind of fact does: what the
    documents say about the asked subject itself ("…低空经济企业…租赁研发、办公用房的，享受相应的租金减免政策"
    against another notice's "在孵企业…给予办公用房租金1.5元/平方米/天补贴")."""
    best, best_at, stating = 0.0, None, 0.0
    for chunk in dict.fromkeys(chunks):
        for ui in range(len(chunk.units)):
            sentence = quoted(chunk, ui)
            share = overlap(question, sentence)
            if kind.value.search(ENUMERATOR.sub("", sentence)):
                stating = max(stating, share)
            elif share > best:
                best, best_at = share, (chunk, ui)
    return best_at if best > stating else None


def unsaid(question: str, chunks: Sequence[Chunk], scores: Sequence[Sequence[float]], about: Sequence[Chunk] = ()
           ) -> tuple[str, Chunk | None]:
    """Why the clauses, though about the question's subject, do not state the quantity it asks for — another tier,
    or an amount left vague — and the clause that says so; ("", None) when neither. `about`: the clauses about the
    question's subject, where the sentence naming it may stand when it is not among the sources."""
    kind = asked_kind(question)
    if kind is None or kind.name not in QUANTITIES:
        return "", None
    ranked = rank_units(question, chunks, scores)
    if not ranked:
        return "", None
    _, ci, ui = ranked[0]  # the sentence nearest the question: what the documents say about its subject
    chunk = chunks[ci]
    nearest = quoted(chunk, ui)
    tier = other_tier(question, nearest) if kind.value.search(nearest) else None
    read = "\n".join(dict.fromkeys(t for c in chunks for t in (c.title, c.text)))  # a title names whom it supports
    tier = tier or other_rank(question, chunk.text) or other_kind(question, read)
    if tier:
        return f"相关条款只对{'、'.join(tier[1])}作了规定，没有写“{tier[0]}”", chunk
    phrase = vague_amount(nearest)
    if not phrase and (named := _naming(question, [*chunks, *about], kind)):
        chunk, ui = named
        phrase = vague_amount(quoted(chunk, ui))
    if phrase:
        text, units = chunk.text, chunk.units
        start, end = units[max(ui - 1, 0)][0], units[min(ui + 1, len(units) - 1)][1]
        # the sentences beside it in its own paragraph, without item numbers ("1.人才团队…": 1 is no amount)
        para_start, para_end = text.rfind("\n", 0, units[ui][0]) + 1, text.find("\n", units[ui][1])
        beside = ENUMERATOR.sub("", text[max(start, para_start):min(end, len(text) if para_end < 0 else para_end)])
        if not kind.value.search(beside):
            return f"相关条款只写了“{phrase}”，没有写明具体{kind.name}", chunk
    return "", None
