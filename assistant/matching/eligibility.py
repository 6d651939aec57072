"""Can this company apply? Each condition of a measure checked against the company's stated facts.

A condition gets 满足 / 不满足 / 未知 with the fact that decided it and a one-line reason; a measure gets 符合 (all
met), 不符合 (one or more failed, named) or 待确认 (none failed, some unknown: what to supply). A condition we
cannot read — free text no fact restates — is 未知, never 满足: a wrong "你符合条件" costs more than "待确认".
A window that closed before the application date is a separate 已截止 note, never part of the verdict. A condition
with alternatives ("…资质，或已在平台申报相关资质") is met when one of them is, failed when all are; free text is met
when the company's own words restate it (`restatement`).

Plain functions over a `Measure` (read at index time, see `assistant.ingest.measures`) and an `Applicant`.
"""
from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field, replace
from datetime import date

from assistant.ingest.conditions import (AGE, BRACKETED, CREDIT, DATED, EXCLUDED, IMPLIES, INDUSTRY, LEGAL, PLACE,
                                         QUALIFICATION, QUANTITY, SHARE, THRESHOLD, Check, alternatives)
from assistant.ingest.measures import Condition, Measure
from assistant.matching.applicant import NUMBERS, Applicant, Fact, loose
from assistant.matching.restatement import content, denied, restated
from assistant.normalize import numeral_value
from assistant.patterns import CN_NUM, PROVINCES, YEAR_MONTH, YEAR_MONTH_DAY

MET, FAILED, UNKNOWN = "满足", "不满足", "未知"
ELIGIBLE, INELIGIBLE, TO_CONFIRM = "符合", "不符合", "待确认"
CLOSED = "已截止"
# Zones inside a region (自贸试验区, 片区, 园区): an address naming only the region does not say it is outside them.
ZONE = re.compile(r"(?:园区|片区|试验区|开发区|功能区|示范区|高新区|经济区|合作区|产业园|基地)$")
RULES_NOTE = "chosen leave-one-document-out on eval/questions/xiongan-eligibility.jsonl: see docs/results.md"
EVALUATIVE = re.compile(r"较高|较好|较强|较大|较多|较为|良好")  # words of a clause that only announces a number
# a bracketed aside that narrows what the condition asks ("（不含资金池业务）"); others are notes a description need not
# repeat: references ("（附件）"), trial status and who interprets ("（试行，具体解释权归…所有）"), dates of reckoning
RESTRICTING = re.compile(r"不含|不包括|除|以外|仅|限于|只|须|需|应|不得|不能")
# Moving into an incubator or a park, as notices and companies write it
ENTERING = "入驻|迁入|进驻|入孵|入园|入住"
# A described number in another unit of the same measure, and its factor to the condition's unit
SAME_MEASURE = {"个月": {"年": 12.0}, "万元": {"亿元": 10000.0}, "亿元": {"万元": 0.0001}, "平方米": {"万平方米": 10000.0}}
# The thing named after a number up to the next joiner or clause end: "(6个月以上)期限劳动合同并…", "(1年)期劳动合同，"
BOUND_AFTER = re.compile(r"\s*(?:\(含\)|（含）)?(?:以上|及以上|以下|及以下|以内)?")
THING_AFTER = re.compile(r"(?:期限|期|的|之)*([\u4e00-\u9fff]{2,12}?)(?=[并且和及与或，。；,;、（(]|$)")
# Kinds of record a condition may rule out, and the kinds a wider word covers: a company saying it has no illegal acts
# has no tax evasion; "无不良记录" speaks to every kind
RECORD_KINDS = (("事故", r"事故"), ("失信", r"失信|黑名单|惩戒|不良(?:信用)?记录"), ("税收违法", r"偷税|漏税|骗税|逃税|欠税"),
                ("经营异常", r"经营异常"), ("违法", r"违法|违规|违反|处罚|刑事|走私"))
RECORD_COVERS = {"违法": ("税收违法",)}
ANY_RECORD = re.compile(r"不良记录")  # "无不良信用记录" speaks to 失信 only
LEVEL = re.compile(r"国家|省|市|县|新区")  # the levels of government support comes from
AMONG = re.compile(r"([\u4e00-\u9fff]{0,4}(?:人员|员工|职工|人才|企业|单位))中")  # a subgroup: "管理人员中"
# Words of a quantity's name that say when or whose, not what: "上年度科技经费投入" and "上年度营业收入" share only when
WHEN_WHOSE = re.compile(r"(?:上一?|本|当|今|去|近[一二两三四五\d]|最近[一二两三\d]?)?年度?|\d+|^(?:企业|公司|单位)")
# A business line a quantity is of ("物流相关业务年营业收入", "服务外包业务收入"): the company's total is not it
LINE_OF = re.compile(r"((?!主营)[\u4e00-\u9fff]{2,6}?)(?:相关)?(?:业务|产品)")  # 主营业务收入 is the revenue
# "工业设计中心于2024年3月成立": since when a thing has run
BEGAN = re.compile(rf"([^，。；]{{2,20}}?)于?{YEAR_MONTH}[^，。；]{{0,4}}?(?:成立|设立|建立|组建|投入运营|开始运营)")
# Where a description says what the company does, and the verbs that say it has had a support or a status
MAIN_BUSINESS = re.compile(r"(?:主营业务|主营|主要从事|从事)(?:为|是)?[^，。；]{2,20}")
VERB_FAMILIES = (("获得", "享受", "取得", "得到"), ("列入", "入选", "认定为", "成为"))
NEGATED_VERB = re.compile(r"未|没有|尚未|从未|不曾|无")
CLAUSE_BREAK = re.compile(r"[，。；,;]")  # where a clause of a company's description ends
OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b}
# "占企业总收入的85%", "占比85%": a share the description states, of the whole it names
SHARE_SAID = re.compile(r"占\s*([\u4e00-\u9fff]{0,12}?)的?(?:比例|比重|比)?\s*(?:为|达到|达|约|是)?\s*(\d+(?:\.\d+)?)\s*[%％]")
OP_WORDS = {">=": "不低于", ">": "高于", "<=": "不超过", "<": "低于"}


@dataclass(frozen=True)
class Rules:
    """How much unchecked wording a condition may keep and still be 满足 (see RULES_NOTE).

    `residual_max`: content characters (`restatement.content`) of a condition left outside its typed parts that
    still count as grammar; `cover_min`: the share of each clause's content words the description must restate."""

    residual_max: int = 0
    cover_min: float = 0.7


@dataclass(frozen=True)
class ConditionResult:
    condition: Condition
    status: str
    fact: str = ""
    reason: str = ""


@dataclass
class MeasureResult:
    measure: Measure
    verdict: str
    conditions: list[ConditionResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # 已截止 …, 另有补充文件 …
    supplements: list[str] = field(default_factory=list)  # doc_ids of later documents that change the measure's one
    routes: list["MeasureResult"] = field(default_factory=list)  # the ways into the status it is for (`ways_in`)

    @property
    def closed(self) -> bool:
        """Its application window closed before the application date."""
        return any(n.startswith(CLOSED) for n in self.notes)

    @property
    def routes_failed(self) -> float:
        """The share of the ways into the status its applicants must hold that the company fails."""
        return sum(r.verdict == INELIGIBLE for r in self.routes) / len(self.routes) if self.routes else 0.0

    @property
    def failed(self) -> list[ConditionResult]:
        return [c for c in self.conditions if c.status == FAILED]

    @property
    def unknown(self) -> list[ConditionResult]:
        return [c for c in self.conditions if c.status == UNKNOWN]


def check_measure(measure: Measure, applicant: Applicant, as_of: date, rules: Rules = Rules()) -> MeasureResult:
    results = [check_condition(c, applicant, as_of, rules) for c in measure.conditions]
    groups: dict[int, list[str]] = {}
    for r in results:
        groups.setdefault(r.condition.group, []).append(r.status)
    units = [s for s in groups.pop(0, [])]
    for statuses in groups.values():  # alternatives: one met is enough
        units.append(MET if MET in statuses else FAILED if all(s == FAILED for s in statuses) else UNKNOWN)
    verdict = INELIGIBLE if FAILED in units else ELIGIBLE if units and all(s == MET for s in units) else TO_CONFIRM
    notes = []
    if measure.deadline and measure.deadline.value and measure.deadline.value < as_of.isoformat():
        notes.append(f"{CLOSED}：申报截止于 {measure.deadline.value}（“{measure.deadline.text}”）")
    return MeasureResult(measure, verdict, results, notes)


def check_condition(condition: Condition, applicant: Applicant, as_of: date, rules: Rules = Rules()) -> ConditionResult:
    """One condition: met when one of its alternatives ("…资质，或已在平台申报相关资质") is met, failed when all fail."""
    spans = alternatives(condition.text)
    results = [_check_span(condition, a, b, applicant, as_of, rules) for a, b in spans]
    if met := next((r for r in results if r[0] == MET), None):
        return ConditionResult(condition, *met)
    if all(r[0] == FAILED for r in results):
        return ConditionResult(condition, FAILED, "；".join(dict.fromkeys(r[1] for r in results if r[1])),
                               "；".join(r[2] for r in results))
    if len(results) > 1:
        reasons = "；".join(r[2] for r in results if r[2])
        return ConditionResult(condition, UNKNOWN, "；".join(r[1] for r in results if r[1]),
                               f"{reasons}；本条件有可选情形，请说明是否符合其中之一")
    return ConditionResult(condition, *results[0])


def _check_span(condition: Condition, start: int, end: int, applicant: Applicant, as_of: date,
                rules: Rules) -> tuple[str, str, str]:
    """(status, fact, reason) of the part `condition.text[start:end]` and the typed checks read inside it."""
    text = condition.text[start:end]
    checks = [k for k in condition.checks if start <= k.start and k.end <= end]
    exceptions = _exceptions(text, checks, start)
    outcomes = _excepted(text, checks, [_check(k, applicant, as_of, condition.text[k.end:end], text) for k in checks],
                         exceptions)
    if failed := next((o for o in outcomes if o[0] == FAILED), None):
        return failed
    if stated := _stated_key(text, applicant):
        return stated
    if outcomes and all(s == MET for s, _, _ in outcomes):
        spans = [(k.start - start, _typed_end(k, condition.text[:end], o) - start) for k, o in zip(checks, outcomes)]
        rest = _residual(text, spans + _lead_ins(text, spans) + list(exceptions.values()))
        if content(rest) <= rules.residual_max:
            return MET, "；".join(f for _, f, _ in outcomes), "；".join(r for _, _, r in outcomes)
        # the rest alone, or the whole when cutting the typed parts out broke its grammar ("不存在下列情况：…")
        if covered := (restated(_without_notes(rest), applicant.description, rules.cover_min, whole=text)
                       or restated(_without_notes(text), applicant.description, rules.cover_min)):
            # the facts that met the typed parts, then the description's words for the rest
            return MET, "；".join(dict.fromkeys([*(f for _, f, _ in outcomes if f), f"描述：“{covered}”"])), \
                "企业描述写明了本条件的其余要求"
        return UNKNOWN, "；".join(f for _, f, _ in outcomes), "已核对部分要求，其余要求需企业提供说明"
    # a qualification or a figure the facts leave open is not decided by words that repeat it: the facts read them
    # already and set aside "约4000万元", "母公司是高新技术企业", "资格被取消"
    if not any(k.kind in (QUALIFICATION, THRESHOLD, CREDIT) for k in checks) and \
            (covered := restated(_without_notes(text), applicant.description, rules.cover_min)):
        return MET, f"描述：“{covered}”", "企业描述写明了本条件"
    if not checks and (opposite := denied(text, applicant.description)):
        return FAILED, f"描述：“{opposite}”", "企业描述写明了与本条件相反的情况"
    missing = [r for s, _, r in outcomes if s == UNKNOWN]
    return UNKNOWN, "", missing[0] if missing else "无法从所给资料判断，请补充说明"


def _check(check: Check, applicant: Applicant, as_of: date, after: str = "", said: str = "") -> tuple[str, str, str]:
    """(status, fact, reason) of one typed statement; `after`: the condition's words after it; `said`: the whole part
    of the condition it is read in."""
    if check.kind == PLACE:
        fact = applicant.fact("registered_in")
        district = applicant.fact("district")
        where = " ".join(str(f.value) for f in (fact, district) if f)
        if not where:
            return UNKNOWN, "", f"请提供注册地（条件要求在{check.place}）"
        core = _place_core(check.place)
        source = "；".join(f.source for f in (fact, district) if f)
        if core in where:
            return MET, source, f"注册地{where}在{check.place}"
        if ZONE.search(check.place):
            return UNKNOWN, source, f"请说明注册地是否在{check.place}内"
        return FAILED, source, f"注册地{where}不在{check.place}"
    if check.kind == LEGAL:
        return _flag(applicant.fact("legal_person"), True, "独立法人", "请说明是否为独立法人")
    if check.kind == AGE:
        return _age(check, applicant.fact("founded"), as_of, applicant.description)
    if check.kind == THRESHOLD:
        return _threshold(check, applicant.fact(check.field))
    if check.kind == QUANTITY:
        return _quantity(check, applicant.description, as_of, after)
    if check.kind == SHARE:
        return _share(check, applicant.description)
    if check.kind == DATED:
        return _dated(check, applicant.description, as_of)
    if check.kind == QUALIFICATION:
        return _qualification(check.qualification, applicant.fact("qualifications"))
    if check.kind == INDUSTRY:
        return _industry(check, applicant)
    if check.kind == EXCLUDED:
        return _excluded(check, applicant.description)
    if check.kind == CREDIT and check.field == "tax_credit":
        fact = applicant.fact("tax_credit")
        if not fact:
            return UNKNOWN, "", "请提供纳税信用等级"
        ok = "ABMCD".index(str(fact.value)) <= "ABMCD".index(check.place)
        return (MET if ok else FAILED), fact.source, f"纳税信用{fact.value}级，要求{check.place}级及以上"
    if check.kind == CREDIT:
        fact = applicant.fact("violations")
        if fact and fact.value is True and fact.year and check.value and fact.year < as_of.year - check.value:
            return UNKNOWN, fact.source, (f"所述记录在{fact.year}年，不在近{check.value:g}年内；"
                                          f"请说明近{check.value:g}年有无违法失信记录")
        if fact and (missing := _records_unsaid(said, fact, applicant.described.get("violations"))):
            return UNKNOWN, fact.source, f"所述记录未涉及{'、'.join(missing)}；请说明有无{'、'.join(missing)}"
        return _flag(fact, False, "无违法失信记录", "请说明有无违法失信记录")
    return UNKNOWN, "", "无法判断"


def _industry(check: Check, applicant: Applicant) -> tuple[str, str, str]:
    """The company's business (profile industry, the description's 主营…/从事…) against a closed list of kinds:
    a kind sharing two characters with it is met; a stated business sharing none with any kind fails."""
    kinds = check.field.split("、")
    stated = [f"资料：industry={applicant.profile['industry']}"] if applicant.profile.get("industry") else []
    stated += [f"描述：“{m.group()}”" for m in MAIN_BUSINESS.finditer(applicant.description)]
    if not stated:
        return UNKNOWN, "", f"请说明主营业务（条件限于{check.field}类）"
    business = " ".join(stated)
    hit = next((k for k in kinds if any(k[i:i + 2] in business for i in range(len(k) - 1))), None)
    if hit:
        return MET, "；".join(stated), f"主营业务属于“{hit}”类"
    return FAILED, "；".join(stated), f"主营业务不在{check.field}类之列"


def _excluded(check: Check, description: str) -> tuple[str, str, str]:
    """"已经获得…支持的，不得再申报": a description clause with the same kind of verb and the same head word says
    whether the company has had it (未获得过… met; 已获得… failed). "…未获得认定的企业不得申报": see `_failed_before`."""
    family = next((f for f in VERB_FAMILIES if check.op in f), None)
    if family is None:
        return _failed_before(check, description)
    head = check.field[-2:]
    for clause in CLAUSE_BREAK.split(description):
        verb = next((v for v in family if v in clause), None)
        if verb and head in clause:
            had = not NEGATED_VERB.search(clause[:clause.index(verb)][-4:])
            # "未获得过雄安新区财政支持" against "国家、省、新区财政支持": not had at one level says nothing of the others
            levels = set(LEVEL.findall(check.field))
            if not had and len(levels) > 1 and (named := set(LEVEL.findall(clause))) and levels - named:
                return UNKNOWN, f"描述：“{clause.strip()}”", f"请说明是否{check.op}过{'、'.join(sorted(levels - named))}级的支持"
            return ((FAILED if had else MET), f"描述：“{clause.strip()}”",
                    f"{'已' if had else '未'}{check.op}{check.field}")
    return UNKNOWN, "", f"请说明是否{check.op}过{check.field}"


def _failed_before(check: Check, description: str) -> tuple[str, str, str]:
    """"…推荐申报2024年第一批…未获得认定的企业本批不得申报": the description failing the same thing (未获得认定, in the
    clause naming it or the one after) fails the condition; anything else leaves it 未知."""
    clauses = CLAUSE_BREAK.split(description)
    for i, clause in enumerate(clauses):
        if check.op in clause:
            stretch = _with_previous(clauses, i)
            if _shared_run(check.field, re.sub(r"\s+", "", stretch)) >= min(8, len(check.field)):
                return FAILED, f"描述：“{stretch.strip()}”", f"{check.field}{check.op}的不得申报"
    return UNKNOWN, "", f"请说明是否曾{check.field}{check.op}"


def _records_unsaid(condition: str, fact: Fact, described: Fact | None = None) -> list[str]:
    """The kinds of record a condition names (事故, 失信, 税收违法, 经营异常, 违法) that the company's record does not
    decide: a clean record speaks to the kinds it names ("无侵权和失信记录" says nothing of accidents; "无违法违规" covers tax
    evasion; the profile's flag is of 违法失信 records, not accidents); a record held decides the condition only when it
    is of a kind the condition names (a penalty fails "无违法违规", not "未发生安全事故"). A clean profile flag also counts
    the kinds a clean record in the description names (`described`)."""
    if ANY_RECORD.search(fact.source):
        return []
    said = {kind for kind, words in RECORD_KINDS if re.search(words, fact.source)} if fact.source.startswith("描述") \
        else {kind for kind, _ in RECORD_KINDS if kind != "事故"}
    if fact.value is False and described is not None and described.value is False and described is not fact:
        said |= {kind for kind, words in RECORD_KINDS if re.search(words, described.source)}
    said |= {k for kind in said for k in RECORD_COVERS.get(kind, ())}
    named = [kind for kind, words in RECORD_KINDS if re.search(words, condition)]
    if fact.value is True:
        return named if named and not set(named) & said else []
    return [kind for kind in named if kind not in said]


def _flag(fact: Fact | None, wanted: bool, what: str, ask: str) -> tuple[str, str, str]:
    if fact is None:
        return UNKNOWN, "", ask
    ok = bool(fact.value) == wanted
    return (MET if ok else FAILED), fact.source, f"{'符合' if ok else '不符合'}“{what}”"


def _age(check: Check, fact: Fact | None, as_of: date, description: str = "") -> tuple[str, str, str]:
    if fact is None:
        return UNKNOWN, "", "请提供成立时间"
    if check.field == "founded":
        return _founded_by(check, fact)
    year, _, month = str(fact.value).partition("-")
    if check.field.startswith("months@"):  # "入驻时成立时间不超过24个月": counted to the month the description dates
        event = check.field[7:]
        said = ENTERING if re.fullmatch(ENTERING, event) else re.escape(event)  # 入驻 is also written 迁入, 入孵 …
        dated = re.search(rf"{YEAR_MONTH}(?:(?!\d{{4}}年)[^，。；]){{0,20}}?(?:{said})", description)  # the nearest date
        if not dated or not month:
            return UNKNOWN, fact.source, f"条件按“{event}时”计算成立时间，请说明{event}时间"
        months = (int(dated.group(1)) - int(year)) * 12 + int(dated.group(2)) - int(month)
        ok = OPS[check.op](months, check.value)
        return ((MET if ok else FAILED), f"{fact.source}；描述：“{dated.group()}”",
                f"{event}时成立约 {months} 个月，要求{OP_WORDS[check.op]} {check.value:g} 个月")
    if not month and check.value % 12:
        return UNKNOWN, fact.source, "成立时间只写到年份，无法按月核对"
    months = (as_of.year - int(year)) * 12 + as_of.month - int(month or 1)
    ok = OPS[check.op](months, check.value)
    return (MET if ok else FAILED), fact.source, (f"截至{as_of.isoformat()[:7]}成立约 {months} 个月，"
                                                 f"要求{OP_WORDS[check.op]} {check.value:g} 个月")


def _founded_by(check: Check, fact: Fact) -> tuple[str, str, str]:
    """Founded before (op "<") or from (">=") a date; a company's month on the date's own month is decided only
    when the date is the 1st ("4月1日前": April is too late; "4月15日前": April may or may not be)."""
    boundary, _, on = _date_bound(check)
    year, _, month = str(fact.value).partition("-")
    said = f"{on}{'前' if check.op == '<' else '起'}"
    if not month:
        if int(year) == boundary // 100:
            return UNKNOWN, fact.source, f"成立时间只写到年份，无法核对是否在{said}成立"
        founded = int(year) * 100 + (1 if int(year) < boundary // 100 else 12)
    else:
        founded = int(year) * 100 + int(month)
    if (ok := _month_meets(founded, check)) is None:
        return UNKNOWN, fact.source, f"成立于{boundary // 100}年{boundary % 100}月，请说明是否在{said}成立"
    return (MET if ok else FAILED), fact.source, f"成立于{year}年{int(month) if month else ''}{'月' if month else ''}，要求{said}成立"


def _dated(check: Check, description: str, as_of: date) -> tuple[str, str, str]:
    """When the description says the event happened ("项目软硬件设备于2023年8月购置": a date in the clause naming the
    event, or else the thing it happens to) against the condition's date — or, for 本年度, the application's year; a
    month on the date's own month is decided only when the date is the 1st."""
    if check.op == "year":
        found = _event_clause(check, description, r"((?:19|20)\d{2})\s*年")
        if not found:
            return UNKNOWN, "", f"请说明{check.field}的时间（要求在{as_of.year}年）"
        clause, m = found
        return (MET if int(m.group(1)) == as_of.year else FAILED), f"描述：“{clause}”", \
            f"{check.field}于{m.group(1)}年，要求在申报当年（{as_of.year}年）"
    if check.op == "record<":  # a record dated before the date: one of a later date does not say there is none
        status, fact, reason = _dated(replace(check, op="<"), description, as_of)
        return (UNKNOWN, fact, f"{reason}，请说明有无此前的{check.field}") if status == FAILED else (status, fact, reason)
    boundary, day, on = _date_bound(check)
    said = f"{on}{'前' if check.op == '<' else '及以前' if check.op == '<=' else '以后'}"
    found = _event_clause(check, description, YEAR_MONTH_DAY)
    if not found:
        return UNKNOWN, "", f"请说明{check.field}时间（要求{said}）"
    clause, m = found
    month = int(m.group(1)) * 100 + int(m.group(2))
    if m.group(3):  # the day is known
        when, bound = month * 100 + int(m.group(3)), boundary * 100 + day
        ok = when < bound if check.op == "<" else when <= bound if check.op == "<=" else when >= bound
    elif (ok := _month_meets(month, check)) is None:
        return UNKNOWN, f"描述：“{clause}”", f"{check.field}于{m.group()}，请说明具体日期（要求{said}）"
    return (MET if ok else FAILED), f"描述：“{clause}”", f"{check.field}于{m.group()}，要求{said}"


def _event_clause(check: Check, description: str, when: str) -> tuple[str, re.Match] | None:
    """The clause of the description that dates the check's event ("到账"), or else the thing it happens to ("国拨资金
    于2023年12月1日到达…"), with the date found in it."""
    clauses = CLAUSE_BREAK.split(description)
    event, thing = check.field[-2:], check.field[:-2]
    for words in (event, thing) if len(thing) >= 2 else (event,):
        for clause in clauses:
            if words in clause and (m := re.search(when, clause)):
                return clause, m
    return None


def _date_bound(check: Check) -> tuple[int, int, str]:
    """A date bound written yyyymm.dd in `check.value`: its month (yyyymm), its day, and the date as written."""
    boundary, day = int(check.value), round(check.value % 1 * 100)
    return boundary, day, f"{boundary // 100}年{boundary % 100}月{day}日"


def _month_meets(month: int, check: Check) -> bool | None:
    """Whether a month (yyyymm) is before (op "<"), up to (op "<=") or from (">=") the check's date. On the date's own
    month it is decided only when the date is the month's first day (its last, for "<="); None otherwise."""
    boundary, day, _ = _date_bound(check)
    if month != boundary:
        return month < boundary if check.op in ("<", "<=") else month > boundary
    if check.op == ">=":
        return True if day == 1 else None
    if check.op == "<":
        return False if day == 1 else None
    return True if day == calendar.monthrange(boundary // 100, boundary % 100)[1] else None


def _threshold(check: Check, fact: Fact | None) -> tuple[str, str, str]:
    label = NUMBERS.get(check.field, check.field)
    if fact is None:
        return UNKNOWN, "", f"请提供{label}"
    status, reason = _judged(label, float(fact.value), fact.bound, check)
    return status, fact.source, reason


LOOSE = {"<~": "近 {:g}", "<": "不到 {:g}", ">": "超过 {:g}", ">=": "{:g} 以上", "~": "约 {:g}"}


def _judged(label: str, value: float, bound: str, check: Check, unit: str = "") -> tuple[str, str]:
    """(status, reason) of a stated number, said exactly or loosely (`bound`), against the check's comparison; an
    undecided one asks for the exact number."""
    said = f"{label} {LOOSE.get(bound, '{:g}').format(value)}{unit}，要求{OP_WORDS[check.op]} {check.value:g}{unit}"
    status = _compared(value, bound, check.op, check.value)
    return status, said if status != UNKNOWN else f"{said}，请提供确切数字"


def _compared(value: float, bound: str, op: str, threshold: float) -> str:
    """MET when every number the words allow meets `op threshold`, FAILED when none does, else UNKNOWN: "近4000万元"
    is just below 4000 (fails 不低于4000万元, meets 不低于3000万元, decides nothing against 不低于3800万元), "不到4000万元"
    anything below it, "约4000万元" within a tenth of it."""
    low, high, low_in, high_in = {"<~": (value * 0.9, value, True, False), "<": (-math.inf, value, False, False),
                                  ">": (value, math.inf, False, False),
                                  ">=": (value, math.inf, True, False), "~": (value * 0.9, value * 1.1, True, True)
                                  }.get(bound, (value, value, True, True))
    all_ok, none_ok = {
        ">=": (low >= threshold, high < threshold or high == threshold and not high_in),
        ">": (low > threshold or low == threshold and not low_in, high <= threshold),
        "<=": (high <= threshold, low > threshold or low == threshold and not low_in),
        "<": (high < threshold or high == threshold and not high_in, low >= threshold),
    }[op]
    return MET if all_ok else FAILED if none_ok else UNKNOWN


def _quantity(check: Check, description: str, as_of: date | None = None, after: str = "") -> tuple[str, str, str]:
    """The description's number in the same unit right after the same thing ("…建筑面积2500平方米"), or right before
    the thing the condition names after its number (`after`: "签订6个月以上期限劳动合同" is met by "签订1年期劳动合同");
    a duration in years may be counted from the month the description says the thing began ("工业设计中心于2024年3月
    成立")."""
    unit = check.place
    name = re.sub(r"(?:拥有量|数量|总量|总数|人数|规模|总额|数|量|额|时限|期限|年限|时长|时间)$", "", check.field) or check.field
    name = re.sub(r"(?:的)?(?:比例|占比|比重|比率)$", "", name) or name  # a share is named by what it is a share of
    plain_name, enough = name.replace("的", ""), min(3, len(name))  # named alike: a shared run of three characters
    core = WHEN_WHOSE.sub("", plain_name) or plain_name  # …beyond when and whose ("上年度", "企业")
    line = LINE_OF.search(core)  # "服务外包业务营业收入": a business line's, not the whole company's
    part = core[:core.index("占", 1)] if "占" in core[1:] else ""  # "从事研发人员占企业职工总数": a share of 从事研发人员
    units = {unit: 1.0, **SAME_MEASURE.get(unit, {})}  # "6个月以上" is met by "1年期"
    said = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    thing = _thing_after(after)
    found = []  # (how much of the name the number's own clause shares, value, clause): the best named wins
    for m in re.finditer(rf"(\d+(?:\.\d+)?|[{CN_NUM}]+)\s*({said})", description):
        breaks = [0, *(b.end() for b in CLAUSE_BREAK.finditer(description, 0, m.start()))]
        window = description[breaks[-1]:m.start()]  # named in the number's own clause
        value = numeral_value(m.group(1))
        value = value * units[m.group(2)] if value is not None else None
        if value is None or m.group(2) == "年" and value >= 1900:  # "2021年" is a date, not a duration
            continue
        said_of = WHEN_WHOSE.sub("", window.replace("的", ""))
        if (among := AMONG.search(window)) and among.group(1) not in plain_name and not AMONG.search(plain_name):
            continue  # "管理人员中大专以上学历占90%": a share of a group the condition does not name
        # a share's part is named in its clause, or in the one before when the clause opens with 占 ("研发人员9人，占…")
        of_part = description[breaks[-2 if len(breaks) > 1 and window.lstrip().startswith("占") else -1]:m.start()]
        if part and _shared_run(part, of_part.replace("的", "")) < min(2, len(part)):
            continue
        if (shared := _shared_run(core, said_of)) >= min(3, len(core)) and not (line and line.group(1) not in said_of):
            found.append((shared, -m.start(), value, window, (of_part if part else window) + m.group(), name, m.end()))
        elif thing and _shared_run(thing, _thing_after(description[m.end():])) >= min(3, len(thing)):
            tail = CLAUSE_BREAK.split(description[m.end():])[0]
            found.append((0, -m.start(), value, window, window + m.group() + tail, f"{name}{thing}", m.end()))
    if found:  # "实缴注册资本8000万元" names 实缴注册资本 better than "注册资本2亿元" does
        _, _, value, window, quote, name, end = max(found)
        bound = loose(window, description[end:end + 6])  # "已近四年", "约20家", "50余人"
        status, reason = _judged(name, value, bound, check, unit)
        return status, f"描述：“{quote}”", reason
    if unit == "年" and as_of:
        for m in BEGAN.finditer(description):
            if _shared_run(plain_name, m.group(1).replace("的", "")) >= enough:
                years = (as_of.year - int(m.group(2))) + (as_of.month - int(m.group(3))) / 12
                ok = OPS[check.op](years, check.value)
                return ((MET if ok else FAILED), f"描述：“{m.group()}”",
                        f"{name} 约 {years:.1f}年（自{m.group(2)}年{int(m.group(3))}月起），要求{OP_WORDS[check.op]} {check.value:g}年")
    return UNKNOWN, "", f"请提供{name}（{unit}）"


def _share(check: Check, description: str) -> tuple[str, str, str]:
    """The share the description states of the same part of the same whole ("…服务外包业务收入2600万元，占企业总收入的
    85%": the part named before 占, in its clause or, when the clause opens with 占, the one before) against the
    condition's ("…不低于企业总收入的70%")."""
    clauses = CLAUSE_BREAK.split(description)
    for i, clause in enumerate(clauses):
        for m in SHARE_SAID.finditer(clause):
            # the part is named before 占 in its clause; a clause opening with 占 shares the one before
            stretch = clause if re.search(r"[\u4e00-\u9fff]{2}", clause[:m.start()]) else _with_previous(clauses, i)
            whole = m.group(1)
            if whole and _shared_run(check.place, whole) < min(3, len(check.place)):
                continue  # a share of another whole
            if _shared_run(check.field, stretch) < min(4, len(check.field)):
                continue  # a share of another part
            value = float(m.group(2))
            return ((MET if OPS[check.op](value, check.value) else FAILED), f"描述：“{stretch}”",
                    f"{check.field}占{check.place} {value:g}%，要求{OP_WORDS[check.op]} {check.value:g}%")
    return UNKNOWN, "", f"请提供{check.field}占{check.place}的比例"


def _with_previous(clauses: list[str], i: int) -> str:
    """Clause `i` of a description with the one before it: a clause may go on with what the one before names."""
    return "，".join(clauses[max(i - 1, 0):i + 1])


def _thing_after(text: str) -> str:
    """The thing a number is of when it is named after it: "以上期限劳动合同并提供…" → "劳动合同"."""
    m = _after(text)
    return m.group(1) if m else ""


def _after(text: str) -> re.Match | None:
    return THING_AFTER.match(text, len(BOUND_AFTER.match(text).group()))


def _typed_end(check: Check, text: str, outcome: tuple[str, str, str]) -> int:
    """Where a typed statement ends: a quantity whose deciding words in the description name the thing the condition
    names after its number ("签订1年期劳动合同" for "6个月以上期限劳动合同") has read that thing too, which is then no
    rest to restate."""
    m = _after(text[check.end:]) if check.kind == QUANTITY and outcome[0] != UNKNOWN else None
    if m and m.group(1) in outcome[1]:
        return check.end + m.end()
    return check.end


def _shared_run(a: str, b: str) -> int:
    """The length of the longest run of characters `a` and `b` share ("稳定合作相关专家" and "长期合作副高级以上专家"
    share only two: they count different experts)."""
    best = 0
    for i in range(len(a)):
        n = best + 1
        while i + n <= len(a) and a[i:i + n] in b:
            best, n = n, n + 1
    return best


def _qualification(wanted: str, fact: Fact | None) -> tuple[str, str, str]:
    if fact is None:
        return UNKNOWN, "", f"请说明是否为{wanted}"
    held = {_key(q) for q in fact.value}
    held |= {_key(x) for q in held for x in IMPLIES.get(q, ())}
    ok = _key(wanted) in held
    if not ok and _key(wanted) in _key(fact.source):  # named, but as lost: "…资格已到期", "曾是…"
        return FAILED, fact.source, f"企业描述写明已不再是{wanted}"
    return (MET if ok else FAILED), fact.source, f"{'已' if ok else '未'}列明“{wanted}”资质"


def _key(name: str) -> str:
    return re.sub(r"[“”\"'「」]", "", name)


def _place_core(place: str) -> str:
    """"河北雄安新区" → "雄安": the name a company's address must contain, without province or level."""
    core = place
    for p in PROVINCES:
        if core.startswith(p) and len(core) > len(p) + 1:
            core = core[len(p):].lstrip("省市")
            break
    return re.sub(r"(?:新区|自治区|特别行政区|省|市|县|区)$", "", core) or place


def _stated_key(text: str, applicant: Applicant) -> tuple[str, str, str] | None:
    """A profile key we do not model that the condition names ("在孵企业": true) decides it."""
    for key, value in applicant.profile.items():
        if key in NUMBERS or not isinstance(value, bool) or len(key) < 2 or key not in text:
            continue
        return (MET if value else FAILED), f"资料：{key}={'是' if value else '否'}", f"企业资料注明“{key}”"
    return None


def _lead_ins(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Clauses that only announce the typed clause right after them ("企业研发投入较高，年度…经费支出额不低于300万元"):
    an evaluative word and nothing of their own to check (a clause listing things, "生产经营、纳税和信用状况良好", asks
    for each of them)."""
    clauses = list(re.finditer(r"[^，,；;。]+", text))
    return [(m.start(), m.end()) for m, nxt in zip(clauses, clauses[1:])
            if EVALUATIVE.search(m.group()) and "、" not in m.group()
            and not any(m.start() <= a < m.end() for a, _ in spans)
            and any(nxt.start() <= a < nxt.end() for a, _ in spans)]


def _exceptions(text: str, checks: list[Check], start: int) -> dict[int, tuple[int, int]]:
    """Check index → the clause naming whom its bound is for, when it bounds again a field bounded before it
    ("孵化时限原则上不超过48个月，技术领域为生物医药…的企业，孵化时限不超过60个月"): an exception to that rule, not a
    requirement of its own."""
    clauses = list(re.finditer(r"[^，,；;。]+", text))
    out = {}
    for i, k in enumerate(checks):
        if not any(e.field == k.field for e in checks[:i]):
            continue
        at = next((j for j, m in enumerate(clauses) if m.start() <= k.start - start < m.end()), 0)
        if at and clauses[at - 1].group().endswith("的企业"):
            out[i] = (clauses[at - 1].start(), clauses[at - 1].end())
    return out


def _excepted(text: str, checks: list[Check], outcomes: list[tuple[str, str, str]],
              exceptions: dict[int, tuple[int, int]]) -> list[tuple[str, str, str]]:
    """A bound failed that a looser bound for some kinds meets is unknown: met only if the company is of those kinds."""
    outcomes = list(outcomes)
    for i, (a, b) in exceptions.items():
        k = checks[i]
        if outcomes[i][0] != MET:
            continue
        for j in range(i):
            if checks[j].field == k.field and outcomes[j][0] == FAILED:
                looser = f"仅“{text[a:b]}”{OP_WORDS[k.op]} {k.value:g}{k.place}，请说明是否属于"
                outcomes[j] = (UNKNOWN, outcomes[j][1], f"{outcomes[j][2]}；{looser}")
    return outcomes


def _without_notes(text: str) -> str:
    """The text less its bracketed notes (`RESTRICTING` asides stay): what a description must restate."""
    return BRACKETED.sub(lambda m: m.group() if RESTRICTING.search(m.group()) else "", text)


def _residual(text: str, spans: list[tuple[int, int]]) -> str:
    """The words of `text` outside its typed parts, and the bracketed aside right after one ("…两个会计年度以上
    （含两年）"), which belongs to it."""
    for a, b in sorted(spans, reverse=True):
        if aside := BRACKETED.match(text, b):
            b = aside.end()
        text = text[:a] + "，" + text[b:]
    return text
