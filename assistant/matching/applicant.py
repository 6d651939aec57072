"""A company applying for support: a free description plus an optional profile, checked and made into facts.

Every profile field is optional; keys we do not know are kept as stated facts ("在孵企业": true). Facts read
from the description quote the words they come from, so a verdict can always say which words decided it, and are
only what the company says it is now: not planned or applied for ("拟申请…资格"), forecast, ended ("曾是…",
"…资格被取消") or another party's ("母公司是…"); a figure for a named year counts only for the year before the
application; a figure said loosely ("近4000万元", "4000多万元", "约4000万元") keeps its bound.
Bad input raises `InvalidInput` with a Chinese message and nothing else happens.

Example::

    applicant = parse_applicant({"description": "我们在雄安新区注册，上年度营业收入3900万元",
                                 "profile": {"employees": 45}}, as_of=date(2025, 5, 1))
    applicant.fact("revenue_last_year_wan")   # Fact(value=3900.0, source="描述：“上年度营业收入3900万元”")
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.ingest.conditions import QUALIFICATIONS
from assistant.limits import InvalidInput
from assistant.normalize import numeral_value
from assistant.patterns import CN_NUM, INTENT, OTHER_PARTY, PROVINCES

MAX_DESCRIPTION_CHARS = 2000
NUMBERS = {"employees": "员工人数", "revenue_last_year_wan": "上年度营业收入（万元）",
           "registered_capital_wan": "注册资本（万元）", "assets_wan": "资产总额（万元）", "rd_ratio": "研发费用占比"}
TEXTS = {"name": "企业名称", "industry": "行业", "registered_in": "注册地", "district": "所在区县"}
FLAGS = {"violations": "是否有违法失信记录", "legal_person": "是否独立法人"}
TAX_GRADES = ("A", "B", "M", "C", "D")
FOUNDED = re.compile(r"^((?:19|20)\d{2})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
AS_OF = re.compile(r"^((?:19|20)\d{2})-(\d{2})(?:-(\d{2}))?$")

# What a description states, each with the words it is read from.
_PLACE = rf"[\u4e00-\u9fff]{{2,16}}?(?:新区|省|市|县|区)|{'|'.join(PROVINCES)}"  # 容城县, 河北雄安新区, 北京
_YEAR_MONTH = r"((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月)?"
_CLAUSE_END = r"(?=\s*(?:[，。；,;]|$))"
_DESCRIBED = (
    ("revenue_last_year_wan", re.compile(rf"(?:营业收入|营收|销售收入|主营业务收入|销售额)[^，。；\d{CN_NUM}]{{0,8}}?"
                                         rf"(\d+(?:\.\d+)?|[{CN_NUM}千]+)\s*(?:多|余)?\s*(亿|万)元?")),  # "六百万元" too
    ("employees", re.compile(rf"(?:员工|职工|从业人员)[^，。；\d{CN_NUM}]{{0,4}}?(\d+|[{CN_NUM}千]+)\s*(?:多|余)?\s*(?:名|人)"
                             r"|(\d+)\s*(?:名|个)?(?:员工|职工|从业人员)")),
    # "成立于2020年5月"; "2023年8月在容城县注册成立。", not "2023年成立了研发中心"; "2020年5月在雄县注册，…", not
    # "…在产业互联网注册"
    ("founded", re.compile(rf"(?:成立|注册|设立)于?\s*{_YEAR_MONTH}"
                           rf"|{_YEAR_MONTH}(?:\s*\d{{1,2}}\s*日)?[^，。；\d]{{0,12}}?(?:注册)?(?:成立|设立){_CLAUSE_END}"
                           rf"|{_YEAR_MONTH}在[^，。；\d]{{1,12}}?(?:新区|省|市|县|区)注册{_CLAUSE_END}")),
    ("rd_ratio", re.compile(r"研发(?:费用|投入|经费)[^，。；\d]{0,10}?(\d+(?:\.\d+)?)\s*[%％]")),
    ("registered_in", re.compile(rf"(?:注册|登记)(?:地|地址)?(?:在|于|为|位于)\s*({_PLACE})"
                                 rf"|在\s*({_PLACE})(?:内)?(?:注册|登记|纳税)")),
    ("legal_person", re.compile(r"独立(?:的)?法人|企业法人")),
    ("violations", re.compile(r"(?:无|没有|未发生|未有|未被列入|未列入|不存在)[^，。；]{0,20}?"
                              r"(?:违法|违规|违反|失信|不良(?:信用)?记录|处罚|事故)")),
)
# Words before a fact in its clause that make it not the company's own, now: a plan or an application (`INTENT`), a
# forecast, a status that ended ("曾是…", "…资格被取消"), or another party ("我们的母公司是高新技术企业")
NOT_NOW = re.compile(r"预计|预测|目标|力争|曾经?(?:是|为|被认定|获)|原(?:为|是)")
ENDED = re.compile(r"(?:已|被|均已)?(?:到期|过期|失效|取消|撤销|注销|摘牌|移出)")
# "2022年营业收入…": the year a figure is for, when its clause names one; "上年度", "去年" name the last year
FIGURE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?(?![\d月])")
LAST_YEAR_WORDS = re.compile(r"上一?年度?|去年|上年|最近一年")
# "近4000万元", "不到50人": below the number; "超过", "逾", "4000多万元", "50余人", "…以上": above it; "约", "左右": near it
NEARLY = re.compile(r"(?:近|接近|将近)\s*$")
BELOW = re.compile(r"(?:不到|不足|少于|低于)\s*$")
ABOVE_BEFORE = re.compile(r"(?:超过|逾|多于|高于|突破)\s*$")
ABOVE_AFTER = re.compile(r"^\s*(?:多|余)|^[^，。；]{0,3}?有余")
AT_LEAST_AFTER = re.compile(r"^[^，。；]{0,3}?(?:以上|及以上)")
ABOUT = re.compile(r"(?:约|大约|大概|估计)\s*$")
ABOUT_AFTER = re.compile(r"^[^，。；]{0,3}?(?:左右|上下)")
VIOLATION = re.compile(r"(?:被|受到|曾)[^，。；]{0,20}?(?:处罚|失信|违法|惩戒|经营异常|黑名单)")
_NEGATED = re.compile(r"(?:不是|并非|非|尚未|还未|未被|没有|暂未|未)(?:被)?(?:认定为|评为|取得|获得|入选)?$")


@dataclass(frozen=True)
class Fact:
    """A stated fact: its value and where it was stated ("资料：…" for the profile, "描述：“…”" for words). A number
    said loosely has a `bound`: "<~" (近4000万元: just below it), "<" (不到4000万元: below it), ">" (超过4000万元,
    4000多万元: above it), ">=" (4000万元以上), "~" (约4000万元: within a tenth of it)."""

    value: object
    source: str
    bound: str = ""
    year: int = 0  # the year a record is of, when said: "2018年受到过一次行政处罚"


@dataclass
class Applicant:
    name: str = ""
    description: str = ""
    profile: dict = field(default_factory=dict)
    described: dict = field(default_factory=dict)  # field → Fact read from the description

    def fact(self, name: str) -> Fact | None:
        """The profile's value for a field (it wins), else the description's, else None."""
        if name in self.profile and self.profile[name] not in (None, ""):
            return Fact(self.profile[name], f"资料：{name}={_shown(self.profile[name])}")
        return self.described.get(name)


def parse_applicant(data: object, as_of: date) -> Applicant:
    """A company from JSON (`{"name", "description", "profile": {...}}`), or InvalidInput saying what is wrong."""
    if not isinstance(data, dict):
        raise InvalidInput("company 应为 JSON 对象，例如 {\"description\": \"…\", \"profile\": {…}}")
    description = data.get("description") or ""
    if not isinstance(description, str):
        raise InvalidInput("description（企业描述）应为文字")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(f"企业描述过长（{len(description)} 字），请控制在 {MAX_DESCRIPTION_CHARS} 字以内")
    profile = data.get("profile") or {}
    if not isinstance(profile, dict):
        raise InvalidInput("profile（企业资料）应为 JSON 对象")
    clean = {key: _checked(key, value, as_of) for key, value in profile.items() if value not in (None, "")}
    name = data.get("name") or clean.get("name") or ""
    if not isinstance(name, str):
        raise InvalidInput("name（企业名称）应为文字")
    return Applicant(name=name, description=description, profile=clean, described=read_description(description, as_of))


def read_description(text: str, as_of: date | None = None) -> dict:
    """Facts a description states, each quoting its words: the first clause that states one as the company's own and
    as it is now (`_not_now`); a figure for a named year only when that is the year before `as_of`; qualifications
    named without a negation before them."""
    facts: dict = {}
    for name, pattern in _DESCRIBED:
        found = [m for m in pattern.finditer(text) if not _not_now(text, m, name)]
        if name == "revenue_last_year_wan" and as_of:
            found = [m for m in found if _figure_year(text, m, as_of) in (None, as_of.year - 1)]
            found.sort(key=lambda m: _figure_year(text, m, as_of) is None)  # one that names the year first
        if not found:
            continue
        m = found[0]
        quote = f"描述：“{_clause(text, m)}”"
        groups = [g for g in m.groups() if g is not None]
        bound = ""
        if name in ("revenue_last_year_wan", "employees"):
            if (number := numeral_value(groups[0])) is None:
                continue
            value: object = number * (10000 if name == "revenue_last_year_wan" and groups[1] == "亿" else 1)
            value = int(value) if name == "employees" else value
            bound = _bound(text, m)
        elif name == "founded":
            value = f"{groups[0]}-{int(groups[1]):02d}" if len(groups) > 1 else groups[0]
        elif name == "rd_ratio":
            value = float(groups[0]) / 100
            bound = _bound(text, m)
        elif name == "registered_in":
            value = groups[0]
        elif name == "legal_person":  # "不具有独立法人资格", "非独立法人": said, and not held
            value = not re.search(r"(?:不|非|没有|无)[^，。；]{0,3}$", text[_bounds(text, m)[0]:m.start()])
        else:
            value = False  # 无违法 → violations False
        facts[name] = Fact(value, quote, bound)
    for m in VIOLATION.finditer(text):  # "曾因…被处罚", not "无…处罚"
        if not re.search(r"无|未|没有|不存在|不得", text[max(0, m.start() - 12):m.start() + 2]):
            year = FIGURE_YEAR.findall(text[_bounds(text, m)[0]:m.end()])
            facts["violations"] = Fact(True, f"描述：“{_clause(text, m)}”", year=int(year[-1]) if year else 0)
            break
    held, lost = [], []
    for q in QUALIFICATIONS:
        for m in re.finditer(re.escape(q), text):
            # not "尚未认定为…", nor planned, applied for, ended or another party's (`_not_now`)
            if not _NEGATED.search(text[max(0, m.start() - 6):m.start()]) and not _not_now(text, m, "qualifications"):
                held.append((q, _clause(text, m)))
                break
            if _ended(text, m):  # "…资格已于2024年8月到期": the company says it no longer holds it
                lost.append((q, _clause(text, m)))
    if held or lost:  # what it says it holds ("曾是…，2023年重新认定为…" holds it); one it only says it lost, it does not
        facts["qualifications"] = Fact([q for q, _ in held],
                                       "描述：" + "；".join(f"“{c}”" for _, c in dict.fromkeys(held + lost)))
    return facts


def _not_now(text: str, m: re.Match, name: str) -> bool:
    """Whether the clause around a match says the fact is planned or applied for ("拟在雄安新区注册", "计划招聘60人"),
    forecast ("预计今年营业收入…"), ended ("曾是高新技术企业", "…资格被取消"), or another party's ("母公司是…")."""
    start, end = _bounds(text, m)
    before, after = text[start:m.start()], text[m.end():end]
    if name == "violations":
        return False  # a record is the company's to answer for however the clause goes on
    if name == "legal_person":
        return bool(OTHER_PARTY.search(before))  # "母公司具有独立法人资格"
    return bool(INTENT.search(before) or NOT_NOW.search(before) or OTHER_PARTY.search(before)
                or (name == "qualifications" and ENDED.search(after)))


def _ended(text: str, m: re.Match) -> bool:
    """A status of the company's own it says has ended: "曾是高新技术企业", "…资格已到期", "…资格被取消"."""
    start, end = _bounds(text, m)
    before, after = text[start:m.start()], text[m.end():end]
    if INTENT.search(before) or OTHER_PARTY.search(before):
        return False
    return bool(ENDED.search(after) or re.search(r"曾经?(?:是|为|被认定为)", before))


def _figure_year(text: str, m: re.Match, as_of: date) -> int | None:
    """The year a figure is for, when its clause names one before it ("2022年营业收入…", "上年度营业收入…"), else None."""
    before = text[_bounds(text, m)[0]:m.start(1)]
    if LAST_YEAR_WORDS.search(before):
        return as_of.year - 1
    years = FIGURE_YEAR.findall(before)
    return int(years[-1]) if years else None


def _bound(text: str, m: re.Match) -> str:
    """How loosely the number of a match is said (`loose`)."""
    number = next(i for i in range(1, (m.re.groups or 0) + 1) if m.group(i) is not None)
    return loose(text[max(0, m.start(number) - 4):m.start(number)], text[m.end(number):m.end(number) + 6])


def loose(before: str, after: str) -> str:
    """How loosely a number is said, from the words just before and after it: "<~" (近), "<" (不到), ">" (超过, 多),
    ">=" (以上), "~" (约, 左右) or "" (exactly)."""
    if NEARLY.search(before):
        return "<~"
    if BELOW.search(before):
        return "<"
    if ABOVE_BEFORE.search(before) or ABOVE_AFTER.search(after):
        return ">"
    if AT_LEAST_AFTER.search(after):
        return ">="
    return "~" if ABOUT.search(before) or ABOUT_AFTER.search(after) else ""


def _bounds(text: str, m: re.Match) -> tuple[int, int]:
    """Where the clause around a match begins and ends."""
    start = max(text.rfind(c, 0, m.start()) for c in "，。；,;") + 1
    return start, min((i for i in (text.find(c, m.end()) for c in "，。；,;") if i >= 0), default=len(text))


def _clause(text: str, m: re.Match) -> str:
    return text[slice(*_bounds(text, m))].strip()


def _checked(key: str, value: object, as_of: date) -> object:
    """One profile value, validated; the message names the field in Chinese."""
    label = NUMBERS.get(key) or TEXTS.get(key) or FLAGS.get(key) or key
    if key in NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInput(f"{label}（{key}）应为数字，收到 {value!r}")
        if value < 0:
            raise InvalidInput(f"{label}（{key}）不能为负数，收到 {value}")
        if key == "rd_ratio" and value > 1:
            raise InvalidInput(f"{label}（rd_ratio）应为 0 到 1 之间的小数，如 0.05 表示 5%，收到 {value}")
        return value
    if key in TEXTS:
        if not isinstance(value, str):
            raise InvalidInput(f"{label}（{key}）应为文字，收到 {value!r}")
        return value.strip()
    if key in FLAGS:
        if not isinstance(value, bool):
            raise InvalidInput(f"{label}（{key}）应为 true 或 false，收到 {value!r}")
        return value
    if key == "founded":
        return _founded(value, as_of)
    if key == "qualifications":
        if isinstance(value, str):
            value = [v for v in re.split(r"[,，、;；]", value) if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput("资质（qualifications）应为文字列表，例如 [\"高新技术企业\"]")
        return [v.strip() for v in value]
    if key == "tax_credit":
        if not isinstance(value, str) or value.strip().upper().rstrip("级") not in TAX_GRADES:
            raise InvalidInput(f"纳税信用等级（tax_credit）应为 A、B、M、C、D 之一，收到 {value!r}")
        return value.strip().upper().rstrip("级")
    if not isinstance(value, (str, int, float, bool)):
        raise InvalidInput(f"资料项「{key}」应为文字、数字或 true/false")
    return value


def _founded(value: object, as_of: date) -> str:
    m = FOUNDED.match(str(value).strip()) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        raise InvalidInput(f"成立时间（founded）应写作 YYYY 或 YYYY-MM，如 2021-06，收到 {value!r}")
    year, month = int(m.group(1)), int(m.group(2) or 1)
    if (year, month) > (as_of.year, as_of.month):
        raise InvalidInput(f"成立时间 {value} 晚于申报日期 {as_of.isoformat()[:7]}，请检查")
    return f"{year}-{month:02d}" if m.group(2) else str(year)


def parse_as_of(value: object, today: date) -> date:
    """The application date: "YYYY-MM" (the 1st) or "YYYY-MM-DD"; today when absent."""
    if value in (None, ""):
        return today
    m = AS_OF.match(str(value).strip()) if isinstance(value, str) else None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)) if m else _bad_as_of(value)
    except ValueError:
        return _bad_as_of(value)


def _bad_as_of(value: object) -> date:
    raise InvalidInput(f"申报日期（as_of）应写作 YYYY-MM，如 2025-05，收到 {value!r}")


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(map(str, value)) or "（无）"
    return str(value)
