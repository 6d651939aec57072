"""Does a company's description restate a condition of a measure? Word by word, clause by clause.

A condition no typed check can read ("运营管理规范，财务收支状况良好") is 满足 only when the company's own words say it:
each clause of the condition has its content words, by characters at least `cover_min` of them, in a stretch of
the description; a list of alternatives ("国家级、省级或新区认定的孵化器") is restated by any one of its words; every
number of the clause occurs in that stretch; and no shared word is negated on one side only. What is not restated
stays 未知: the description must say it, a similar topic is not enough. A description that says every word of a
condition but negates them (`denied`) fails it.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache

import jieba
import jieba.posseg as pseg

from assistant.ingest.conditions import NONE_OF
from assistant.patterns import INTENT, OTHER_PARTY

# A condition's words beyond its typed parts that are only grammar ("申请单位应当是…的企业"); more content
# characters than `eligibility.Rules.residual_max` left unchecked make a condition 未知 even when its typed parts hold.
FILLER = re.compile(r"申请单位|申报单位|申报企业|申报主体|申报对象|申请人|企业|单位|公司|应当|应该|必须|需要|须|应|"
                    r"具有|具备|拥有|属于|取得|是|为|的|在|内|范围|依法|并|且|和|及|与|等|其|有|已|各类|相关|要求|资格|原则上")
NEGATION = re.compile(r"无|未|不|没有|并非|禁止|严禁")  # 非 negates the word after it (`_negated`)
CLAUSE_BREAK = re.compile(r"[，,；;。]")  # where a clause of a description ends
# A status held; a plan or an application for it before it in a clause (`INTENT`) does not hold it
STATUS = re.compile(r"纳入|列入|入选|进入|认定|评定|评为|取得|获得|通过|成为|资格|资质|称号|注册|登记|落户")
COMPARISON = re.compile(r"不(?:低于|少于|小于|高于|大于|超过|足|含|限于|得少于|得低于)")  # compares, does not negate
_ENTITY = r"[\u4e00-\u9fff]{0,4}?(?:企事业单位|事业单位|企业|公司|单位|机构|组织|个体工商户|院校|院所|高校)"
# "企事业单位、行业组织、个体工商户及其他社会组织": kinds of applicant; a company is one when enterprises are listed.
ENTITY_LIST = re.compile(rf"{_ENTITY}(?:(?:、|或者?|及其他|以及|及|和|与|等)+{_ENTITY})+等?")
ENTERPRISE = re.compile(r"企业|公司|企事业")
# A clause naming kinds or a choice: its 、-lists are alternatives ("旅游、文化、体育类", "国家级、省级孵化器").
CHOICE = re.compile(r"或|等|类|级|之一|任一|领域|行业|方向")
# Words of a clause that say who applies or how a requirement is put, never what is required.
ROLE = re.compile(r"实施细则|细则|不得|需是|应是|须是|行政|申报|申请|申报人|本单位|单位|机构|主体|需|需要|应|符合|满足|达到|相应|"
                  r"相关|规定|存在|下列|以下|如下|情况|情形|导向|为主|涵盖|包括|包含|提供")
# (在产业导向上以…为主: an emphasis, framed; 涵盖、包括 introduce what a list names; 符合相关规定 names no rule of its own;
# 提供 hands over what the clause names)
# The rules a condition is read under ("按照…局《…实施细则》(雄安改发〔2022〕233号)有关规定纳入…"): they name where the
# requirement comes from, not a requirement the company must restate
CITED_RULE = re.compile(r"(?:按照|依照|根据|依据)[^，。；《]{0,20}《[^》]{2,120}》\s*(?:[(（][^()（）]{0,40}[)）])?\s*"
                        r"(?:的)?(?:有关|相关)?(?:规定|要求|标准|程序)?")
# An applicant's declaration inside a condition: responsibility for what it submits
DECLARATION = re.compile(r"(?:真实性|真实、准确|准确性|合法性)[^，。；]{0,6}负责|承担主体责任")
# A department named by its role ("符合行政主管部门要求") is restated by the description naming the one it answers to
# ("符合邮政管理部门要求"): any department stands for it.
GENERIC_OFFICE = {"主管部门": ("管理部门", "部门"), "有关部门": ("部门",), "相关部门": ("部门",)}
# The kind of company a clause ends by naming ("…运营管理规范的工业设计企业"): the words between its last 的 and 企业/公司
KIND_NAMED = re.compile(r"的([\u4e00-\u9fff]{2,10})(?:企业|公司)$")
# Where the words a description puts before 企业/公司 begin ("是…的医疗器械制造企业", "属小微企业", "是一家软件公司")
KIND_START = re.compile(r"的|是|为|属于|属|系|一家|我")
SERVED = re.compile(r"等?(?:提供|服务|开具|出具)")  # "为工业企业提供诊断服务": the companies it serves
OTHERS_COUNTED = re.compile(r"(?:多|[\d几数十百千]+)家|其他|其它|客户|合作")  # "为多家制造企业提供…": others of the kind
NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*([人名家件项个年月日万亿元%台套篇次]?)")  # a number and its unit
ITEMS = "\x1f"  # joins the items of a list that stand for the kind it ends with
_lock = threading.Lock()  # jieba's tokenizer is shared state


def restated(condition: str, description: str, cover_min: float, whole: str = "") -> str:
    """The description's words that restate the condition, or "". Each clause of the condition must be restated
    by a stretch of the description (one to three of its clauses): at least `cover_min` of the clause's content
    words, by characters, occur there; one word of a list of alternatives ("国家级、省级或新区") stands for the list;
    every number of the clause occurs there too; and each shared word is negated in both or in neither ("未被列入…"
    is not "被列入…"), read in `whole`, the condition's full text, when `condition` is what its typed parts left."""
    found = []
    if STATUS.search(whole or condition) and not INTENT.search(whole or condition):  # a status planned or applied
        # for is not held ("拟申请第八批专精特新“小巨人”企业" against "已被认定为…“小巨人”企业")
        description = "，".join(c[:m.start()] if (m := INTENT.search(c)) else c for c in CLAUSE_BREAK.split(description))
    for clause, words, best in _nearest(condition, description):
        if _covered(words, best) < cover_min or not _same_numbers(clause, best) or not _kind_said(clause, description) or \
                not _same_polarity(words, clause, whole or condition, best) or \
                _pending(best, clause) > _pending(clause, clause) or _others(best, words) > _others(clause, words):
            return ""
        found.append(best)
    return "…".join(dict.fromkeys(found))


def denied(condition: str, description: str, whole: str = "") -> str:
    """The description's words that say the opposite of the condition, or "": every content word of every clause
    occurs in one stretch, with the same numbers, and in some clause every one of them stands negated on one side
    only ("已在平台申报相关资质" against "也未在…评价平台提交申报"). Never a reason for 满足, only for 不满足."""
    found, opposite = [], False
    for clause, words, best in _nearest(condition, description):
        if _covered(words, best) < 1 or not _same_numbers(clause, best):
            return ""
        found.append(best)
        opposite = opposite or all(not _same_polarity(((w,),), clause, whole or condition, best) for g in words for w in g)
    return "…".join(dict.fromkeys(found)) if opposite else ""


def _nearest(condition: str, description: str):
    """(clause, its content words, the description stretch that holds most of them) for each clause with content."""
    stretches = _stretches(description)
    for clause, words in _clauses(condition):
        yield clause, words, max(stretches, key=lambda st: _covered(words, st), default="")


def _clauses(text: str):
    """(clause, its content words) for each clause of `text` that has content words; kinds of applicant listing
    enterprises and an applicant's declarations ("…对申报材料的真实性负责") have none."""
    for clause in re.split(r"[，,；;。：:]", _without_entities(text)):
        if not DECLARATION.search(clause) and (words := _content_words(clause)):
            yield clause, words


def content(text: str) -> int:
    """Characters of content words in `text`: what a check has to account for beyond grammar."""
    return sum(max(len(w) for w in g) for _, words in _clauses(text) for g in words)


def _without_entities(text: str) -> str:
    """`text` without a list of kinds of applicant that names enterprises ("企事业单位、行业组织…及其他社会组织"):
    a company is one of them; nor the rules it is read under (`CITED_RULE`)."""
    return CITED_RULE.sub("，", ENTITY_LIST.sub(lambda m: "，" if ENTERPRISE.search(m.group()) else m.group(), text))


def _stretches(description: str) -> list[str]:
    clauses = [c for c in re.split(r"[，,；;。！？]", description) if c.strip()]
    return ["，".join(clauses[i:i + n]) for n in (1, 2, 3) for i in range(len(clauses) - n + 1)]


@lru_cache(maxsize=4096)
def _content_words(clause: str) -> tuple[tuple[str, ...], ...]:
    """The clause's content words as groups: one word each, or the words of a list of alternatives — joined by
    或, or single words joined by 、 in a clause naming a kind or a choice ("旅游、文化、体育类", "…等领域")."""
    with _lock:
        tokens = [t for t in jieba.lcut(clause) if t.strip()]
    kinds = bool(CHOICE.search(clause))
    groups: list[list[str]] = []
    joined = False
    listed: list[str] = []  # after "A、B等": the items a kind that ends the list is named by
    for t in tokens:
        if t in ("、", "或", "或者", "/", "／"):  # "申请项目/课题": a slash offers a choice, as 或 does
            joined = t != "、" or kinds
            continue
        if t == "等" and groups and _category_after(clause):
            # "服务标准、服务规范等管理制度": the list's items name the kind too, two of them together (one alone may be said
            # in another sense: "提供政策咨询" is no 咨询 robot of "餐饮、配送、咨询…等商用机器人")
            listed = [ITEMS.join(groups[-1])] if len(groups[-1]) > 1 else list(groups[-1])
            continue
        if listed:
            if not FILLER.fullmatch(t) and re.search(r"[\u4e00-\u9fff]", t):
                groups.append([t, *listed])
            continue
        if FILLER.fullmatch(t) or ROLE.fullmatch(t) or not re.search(r"[\u4e00-\u9fff\w]", t) or \
                len(t) < 2 and not t.isdigit():
            joined = False
            continue
        if joined and groups:
            groups[-1].append(t)
        else:
            groups.append([t, *GENERIC_OFFICE.get(t, ())])
        joined = False
    return tuple(tuple(g) for g in groups)


@lru_cache(maxsize=4096)
def _category_after(clause: str) -> bool:
    """Whether what follows the clause's last 等 is only the kind its list belongs to — nouns and their modifiers
    ("等基础配套设施", "等管理制度") — and not a requirement of its own ("…担保公司等正常联系": an adverb, a verb)."""
    rest = clause[clause.rfind("等") + 1:].strip()
    with _lock:
        tags = [(w.word, w.flag) for w in pseg.cut(rest) if w.word.strip()]
    return bool(tags) and tags[-1][1].startswith("n") and all(f[0] in "nabj" or f == "vn" for _, f in tags)


def _covered(groups: list[list[str]], text: str) -> float:
    total = sum(max(len(w) for w in g if ITEMS not in w) for g in groups)
    hit = sum(max(len(w) for w in g if ITEMS not in w) for g in groups if any(_said(w, text) for w in g))
    return hit / total if total else 0.0


def _said(word: str, text: str) -> bool:
    """A word in the text; items of a list standing for its kind (`ITEMS`-joined), two of them."""
    return sum(item in text for item in word.split(ITEMS)) >= 2 if ITEMS in word else word in text


def _same_polarity(groups: tuple[tuple[str, ...], ...], clause: str, whole: str, text: str) -> bool:
    """Every word the two share stands in a negated clause on both sides or on neither ("已在平台申报相关资质"
    against "也未在…平台提交申报"). The condition's side is the clause of `whole` where `clause` stands, so that a
    negation inside a typed part still counts; "不低于", "不少于"… compare, they do not negate."""
    at = max(whole.find(clause), 0)
    for g in groups:
        for w in g:
            if w not in text:
                continue
            i = whole.find(w, at)
            i = i if i >= 0 else whole.find(w)
            # "不存在下列情况：…；…": everything listed after it is negated
            scope = any(whole[m.end():m.end() + 1] in "：:" for m in NONE_OF.finditer(whole, 0, i))
            mine = scope or _negated(_clause_at(whole, i), w)
            if not any(_negated(_clause_at(text, m.start()), w) == mine for m in re.finditer(re.escape(w), text)):
                return False
    return True


def _clause_at(text: str, i: int) -> str:
    left = max(text.rfind(c, 0, i) for c in "，,；;。") + 1
    ends = [j for j in (text.find(c, i) for c in "，,；;。") if j >= 0]
    return text[left:min(ends, default=len(text))]


def _kind_said(clause: str, description: str) -> bool:
    """When the clause ends by naming a kind of company ("…的工业设计企业"), whether the description calls the company
    one of that kind: the words it puts before a 企业/公司 share two characters with the kind's ("医疗器械制造企业" for
    "制造企业", "小微企业" for "中小微企业"). Words of the kind said of something else ("工业设计中心于2024年3月成立")
    do not make a manufacturer a design company, nor do the companies it serves ("为多家制造企业提供咨询")."""
    if not (m := KIND_NAMED.search(clause.strip())) or FILLER.fullmatch(kind := m.group(1)):
        return True
    said = [KIND_START.split(description[max(0, e.start() - 10):e.start()])[-1]
            for e in re.finditer(r"企业|公司", description) if not SERVED.match(description, e.end())]
    said = [own for own in said if not OTHERS_COUNTED.search(own)]
    return any(kind[i:i + 2] in own for own in said for i in range(len(kind) - 1))


def _pending(text: str, condition: str) -> bool:
    """Whether a clause of `text` says a status the condition names is applied for or planned, not held:
    "拟申请高新技术企业资格", "已申请纳入新区科技企业库" restate no "取得…资格" or "纳入…库" (a condition that is
    itself about a plan is restated by one)."""
    named = set(STATUS.findall(condition))
    for clause in CLAUSE_BREAK.split(text):
        if any(m.group() in named and INTENT.search(clause, 0, m.start()) for m in STATUS.finditer(clause)):
            return True
    return False


def _others(text: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    """Whether a clause of `text` says the condition's words of another party: "母公司具有独立法人资格"."""
    for clause in CLAUSE_BREAK.split(text):
        if (m := OTHER_PARTY.search(clause)) and any(w in clause[m.end():] for g in groups for w in g):
            return True
    return False


def _negated(clause: str, word: str = "") -> bool:
    """Whether the clause negates `word`: 无/未/不/没有/禁止 negate the clause; 非 only the word it stands before
    ("非国有资产的经营性用房" negates 国有, not 经营性用房)."""
    plain = COMPARISON.sub("", clause)
    return bool(NEGATION.search(plain)) or bool(word) and (word.startswith("非") or f"非{word}" in plain)


def _same_numbers(clause: str, text: str) -> bool:
    """Every number of the clause is a number of the text, whole (the 2 of "3月2日" is not in "2023年3月"), and of the
    same unit when the clause gives one ("5人" is not "5件")."""
    said = set(NUMBER.findall(text.replace("％", "%")))
    return all((n, unit) in said if unit else n in {m for m, _ in said}
               for n, unit in NUMBER.findall(clause.replace("％", "%")))
