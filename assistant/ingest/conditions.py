"""What a condition of Chinese support policy states, in types a company's facts can be compared with.

General rules of how such conditions are written, not strings of one notice:
- place: 在雄安新区(内)注册/登记/纳税/设立/经营, 注册地在…, 新区注册… ("新区", "本市", "本区" are the
  document's own region);
- legal form: 独立法人(资格), 企业法人;
- age: 成立(时间)满/不少于/不超过 N 年/个月;
- a threshold on a quantity: 营业收入 / 主营业务收入 / 销售收入, 从业人员 / 职工人数, 注册资本, 资产总额, 研发费用
  占…比例, with 不低于 / 以上 / 达到 / 超过 / 不超过 / 低于 / 以内 and 万元 / 亿元 / 元 / 人 / %;
- a qualification: 高新技术企业, 科技型中小企业, 专精特新…, 规模以上工业企业 …;
- credit: 无/未发生 … 违法 / 失信 / 事故 / 偷税 (over 近N年 when it says so), 纳税信用 A/B 级;
- a closed list of kinds of business: 主营业务为旅游、文化、体育…类;
- a share of a whole: 当年服务外包业务收入不低于企业总收入的70%;
- an exclusion: 已经获得…财政支持的项目，不得再申报 (whoever has had it may not apply); …未获得认定的企业本批不得申报
  (whoever failed it may not apply);
- an event's date: 购置时间应在2023年3月2日以后, 结题时间应在…后, 到账日期为…至…, 本年度…发布, 提供…前纳税申报记录.
A condition whose threshold picks a case ("销售收入小于5000万元的企业，研发费用…不低于5%") or that bounds one quantity
twice (a range) is left untyped: it is checked by a person, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.normalize import numeral_value
from assistant.patterns import CN_NUM, YEAR_MONTH_DAY

PLACE, LEGAL, AGE, THRESHOLD, QUALIFICATION, CREDIT = "place", "legal_person", "age", "threshold", "qualification", "credit"
INDUSTRY, EXCLUDED = "industry", "excluded"
QUANTITY = "quantity"  # any other counted or measured thing: "建筑面积不少于3000平方米", "在孵企业不少于20家"
SHARE = "share"  # a part against its whole: "当年服务外包业务收入不低于企业总收入的70%"
DATED = "dated"  # when something of the applicant's happened, against a date: "购置时间应在2023年3月2日以后"

_PLACE_NAME = r"(?:(?!在|的|企业|单位)[\u4e00-\u9fff]){0,10}?(?:新区|自治区|特别行政区|省|市|县|区|州|盟|旗)"
PLACE_RULES = (
    re.compile(rf"(?:在|于|属于)\s*({_PLACE_NAME})(?:范围|辖区|区域)?内?[^，。；]{{0,8}}?"
               rf"(?:注册|登记|纳税|设立|落户|统计|经营|办公|成立)(?!资本|资金)"),  # not "在新区实缴注册资本…"
    re.compile(rf"(?:注册|登记|纳税|税收|统计)(?:地|关系|地址)?\s*(?:在|位于|属于|为)\s*({_PLACE_NAME})"),
    re.compile(rf"^({_PLACE_NAME})(?:范围|辖区|区域)?(?:内)?(?:注册|登记)(?!资本|资金)"),
)
OWN_REGION = re.compile(r"^(?:本|该|我|全)?(?:新区|市|区|县|省)$")
LEGAL_RULE = re.compile(r"独立(?:的)?法人|法人资格|企业法人|法人企业")
AGE_RULE = re.compile(rf"(?:成立|注册|设立|存续)(?:时间|年限)?\s*(满|不少于|不低于|超过|在|不超过|不满|未满|少于|以内)?\s*"
                      rf"(\d+|[{CN_NUM}]+)\s*(?:个)?\s*(?:会计)?(年|月)度?\s*(以上|及以上|以内|以下|（含）)?")
# "2017年4月1日前在新区三县范围内注册…", "2020年1月1日以后成立的": founded before or after a date.
FOUNDED_BY = re.compile(rf"{YEAR_MONTH_DAY}\s*(以前|之前|前|以后|之后|后|起)"
                        r"[^，。；]{0,15}?(?:注册|成立|设立)")
# "设备购置时间应在2023年3月2日以后", "项目计划结题时间应在2024年5月30日后": an event's date bounded by a date
EVENT_BY = re.compile(rf"([\u4e00-\u9fff]{{2}})(?:时间|日期)\s*(?:应|须|需|要)?\s*(?:在|于)\s*{YEAR_MONTH_DAY}"
                      r"\s*(以前|之前|前|以后|之后|后)")
# "国拨资金到账日期为2022年1月1日至2023年11月30日": the event's date inside a window, both ends included; the words
# before 日期 name the thing and the event (国拨资金 · 到账)
EVENT_WITHIN = re.compile(rf"([\u4e00-\u9fff]{{2,6}}?)(?:时间|日期)\s*(?:应|须|需|要)?\s*(?:为|在|于)\s*{YEAR_MONTH_DAY}\s*"
                          rf"(?:至|到|—|－|-|~)\s*{YEAR_MONTH_DAY}")
# "需提供2022年6月1日前纳税申报记录": a record dated before a date
RECORD_BY = re.compile(rf"(?:提供|出具|提交)\s*{YEAR_MONTH_DAY}\s*(以前|之前|前)的?"
                       r"([\u4e00-\u9fff]{2,12}?(?:记录|凭证|证明|报表|合同))")
# "本年度由…正式发布的标准项目": the event happened in the year of the application
THIS_YEAR = re.compile(r"(?:本年度|本年)[^，。；]{0,80}(发布|认定|立项|获批|批准|授予)")
BEFORE = ("以前", "之前", "前")  # a date bound that ends before the date; the others start on it
AGE_AT = re.compile(r"((?!申报|申请)[\u4e00-\u9fff]{1,4})时\s*$")
QUANTITIES = (  # (profile field, words that name it, unit family)
    ("revenue_last_year_wan", r"营业收入|主营业务收入|销售收入|营收|销售额", "money"),
    ("registered_capital_wan", r"注册资本|注册资金", "money"),
    ("assets_wan", r"资产总额|总资产", "money"),
    ("employees", r"从业人员|从业人数|职工(?:总)?人数|员工(?:总)?人数|在职(?:职工|员工)|用工人数|就业人数|工作人员|企业员工", "count"),
    ("rd_ratio", r"研究开发费用|研发费用|研发投入|研发经费|R&D(?:经费|投入|总额)?", "ratio"),
)
SEVERAL_YEARS = re.compile(r"连续|累计|合计|年均|平均|近(?:[2-9]|[两二三四五六七八九十])个?年|(?:[2-9]|[两二三四五])年内")
AT_LEAST = re.compile(r"累计(?:为|达)?$")  # "近一年来累计为20家企业开具诊断报告": at least that many
PART_OF = re.compile(r"(?:业务|产品|项目|实缴|外方)[^，。；]{0,3}$")  # 实缴注册资本 is not 注册资本
LAST_YEAR = re.compile(r"(?:上一?年度?|最近一年|近一年|上年|年度?|年)\s*$")
_OP = r"不得低于|不得少于|不得超过|不得高于|不低于|不少于|不小于|达到|超过|高于|大于|不超过|不高于|低于|小于|少于"
COMPARE = re.compile(rf"({_OP}|≥|≤|>|<)?\s*"
                     r"(\d+(?:\.\d+)?)\s*(亿元|万元|元|人|%|％)\s*(?:[（(]含[)）])?\s*(以上|及以上|以下|及以下|以内)?")
OPS = {"不得低于": ">=", "不得少于": ">=", "不低于": ">=", "不少于": ">=", "不小于": ">=", "达到": ">=", "≥": ">=",
       "以上": ">=", "及以上": ">=", "超过": ">", "高于": ">", "大于": ">", ">": ">", "不得超过": "<=", "不得高于": "<=",
       "不超过": "<=", "不高于": "<=", "≤": "<=", "以下": "<=", "及以下": "<=", "以内": "<=", "低于": "<", "小于": "<",
       "少于": "<", "<": "<"}
UNIT_FAMILY = {"亿元": "money", "万元": "money", "元": "money", "人": "count", "%": "ratio", "％": "ratio"}
TO_BASE = {"亿元": 10000.0, "万元": 1.0, "元": 0.0001, "人": 1.0, "%": 0.01, "％": 0.01}
# Qualifications conferred under national rules, longest first; the value a company states is compared after
# the same normalisation (quotes, 企业 suffix).
QUALIFICATIONS = ("专精特新“小巨人”企业", "专精特新中小企业", "创新型中小企业", "高新技术企业", "科技型中小企业",
                  "规模以上工业企业", "技术先进型服务企业", "瞪羚企业", "独角兽企业", "企业技术中心", "上市企业",
                  "规上工业企业", "规上企业", "专精特新企业")
IMPLIES = {"专精特新小巨人": ("专精特新中小企业", "专精特新", "创新型中小企业"), "专精特新中小企业": ("创新型中小企业", "专精特新"),
           "规模以上工业企业": ("规上工业企业", "规上企业"), "规上工业企业": ("规模以上工业企业", "规上企业")}
# A qualification is required when the condition opens with it or its clause says the applicant holds it: 为/是/
# 具备/取得/通过…评定/有效期内… ("企业技术中心组织体系健全" names one without requiring it)
HOLDS = re.compile(r"为|是|具备|具有|取得|获得|通过|认定为|属于|成为|有效期内|满足|符合|已")
LEVEL_BEFORE = re.compile(r"(?:(?:国家级|省级|市级|区级|新区级|国家|[\u4e00-\u9fff]{2,3}省)(?:、|或|和|及)?)+$")
# The qualified one founded the applicant: "有效期内的在京高新技术企业在新区设立控股公司，并…"
FOUNDER = re.compile(r"[^，。；]{0,12}?设立(?:的)?(?:全资)?(?:控股公司|子公司|分公司|分支机构)")
TITLE_AFTER = re.compile(r"资质|资格|称号|认定|评定")
EXCLUSION = re.compile(r"不再|不得|不予|不属于|除外|不包括|不能")
NEGATIVE_RECORD = re.compile(r"(?:无|未发生|未有|没有|不存在|未被列入|未列入|未因|不得(?:存在|有|发生)|未被)[^，。；]{0,30}?"
                             r"(?:违法|违规|失信|事故|偷税|漏税|骗税|处罚|不良(?:信用)?记录|黑名单|经营异常)")
BRANCH = re.compile(r"[^，。；]{0,6}?的(?:企业|单位|项目|主体)?[，,](?!\s*(?:且|并且|同时|并))")  # "…的，且…" joins
# A quantity of something named just before it: "<noun>(一般)不少于 3000 平方米", "<noun> 20 家以上".
UNITS = r"万美元|亿美元|美元|亿元|万元|元|平方米|公顷|亩|人次|人|名|家|件|个月|个|项|台|套|篇|次|分|%|％|年"
QUANTITY_RULE = re.compile(rf"([\u4e00-\u9fff]{{2,16}}?)(?:数|数量|总数|总额|规模|面积)?\s*(?:一般|原则上|应|须|需)?\s*"
                           rf"(?:达|在|为)?\s*({_OP}|≥|≤)?\s*"
                           rf"(\d+(?:\.\d+)?|[{CN_NUM}]+)\s*({UNITS})\s*(\(含\)|（含）)?\s*(以上|及以上|以下|及以下|以内)?")
# "当年服务外包业务收入不低于企业总收入的70％": a part, the comparison, its whole and the share.
SHARE_RULE = re.compile(rf"([\u4e00-\u9fff]{{2,16}}?)\s*({_OP})\s*([\u4e00-\u9fff]{{2,12}}?)的?(?:比例|比重)?\s*"
                        r"(\d+(?:\.\d+)?)\s*[%％]")
# "主营业务为旅游、文化、体育、交通运输、快递物流类小微企业": a closed list of kinds of business.
INDUSTRY_RULE = re.compile(r"主营业务(?:需|应|须)?(?:为|是|属于)([^，。；]{2,60}?)类")
# "已经获得雄安新区财政支持的项目，原则上不得再申报": whoever has had it is excluded.
EXCLUDED_RULE = re.compile(r"(?:已经?|曾经?)(获得|享受|取得|得到|列入|入选|认定为|成为)([^，。；]{2,40}?)的"
                           r"[^，。；]{0,12}?[，,]?\s*(?:原则上)?(?:不得|不再|不予|不能|不可)[^，。；]*")
# "…推荐申报2024年第一批…中小企业未获得认定的企业本批不得申报": whoever failed it may not apply.
FAILED_RULE = re.compile(r"([^，。；、]{2,60}?)(未通过|未获得认定|未获认定|未入选|不合格)(?:的)?(?:企业|单位|项目)?"
                         r"[^，。；]{0,6}?(?:不得|不再|不予|不能)再?(?:申报|申请|推荐|受理)")
VIOLATION = re.compile(r"违法|违规|失信|偷税|漏税|骗税|骗取|走私|处罚|刑事|事故|黑名单|经营异常")
# "企业不存在下列情况：…；…；…": what is listed after it must not hold.
NONE_OF = re.compile(r"(?:不存在|不得存在|不得有|不得发生|无)(?:以下|下列)(?:任何|任一)?(?:情况|情形|行为|问题)")
# "…，且占营业收入总额比重": the share of revenue an amount named before it makes
SHARE_OF = re.compile(r"占[^，。；]{0,16}?(?:比重|比例)")
WINDOW = re.compile(rf"近\s*([{CN_NUM}\d]{{1,2}})\s*(?:个)?(?:会计)?年|([{CN_NUM}\d]{{1,2}})\s*年(?:以)?内")
TAX_CREDIT = re.compile(r"纳税信用(?:等级)?(?:评价)?(?:为|达到|在)?\s*([ABMCD])\s*级?(?:及以上|以上)?")


# Where an alternative starts: "…资质，或已在平台申报相关资质", "…3000万元或者累计营业收入…", "…小微企业，以及…的快递行业
# 分公司" (another kind of applicant); searched outside brackets ("（不包含委托其他企业或单位的经费）" offers no choice).
# "…认定的孵化器或按照《…》备案的众创空间", "…党政机关或在新区…注册…的企事业单位": 或 before a clause of its own
OTHERWISE = re.compile(r"[，,；;]\s*或(?:者)?|或者|或(?=按照|依照|根据|经过|通过|在|由|依法)|"
                       r"[，,；;]\s*以及(?=[^，。；]{0,40}?(?:企业|机构|公司|单位|组织)(?:[，。；]|$))")
BRACKETED = re.compile(r"（[^（）]*）|\([^()]*\)")


@dataclass(frozen=True)
class Check:
    """One typed statement of a condition: `kind` and what it compares (`field` `op` `value`, a `place`, a
    `qualification`), with the span of the condition text it was read from."""

    kind: str
    start: int
    end: int
    field: str = ""
    op: str = ""
    value: float = 0.0
    place: str = ""
    qualification: str = ""


def read_checks(text: str, region: str = "") -> tuple[Check, ...]:
    """The typed statements of one condition's text, read in each of its alternatives; `region` is the issuing
    document's own region."""
    return tuple(replace(k, start=k.start + a, end=k.end + a)
                 for a, b in alternatives(text) for k in _read_checks(text[a:b], region))


def alternatives(text: str) -> list[tuple[int, int]]:
    """The spans of a condition's alternatives: split where a clause starts with 或/或者/以及 (another kind of
    applicant), or at 或者 itself, outside brackets ("股份有限公司或有限责任公司" is one requirement), and not in what
    "不得发生下列情况：" lists (none of them may hold: "…受到刑事、行政处罚，或因严重违反…" is one more breach)."""
    plain = BRACKETED.sub(lambda m: " " * len(m.group()), text)
    none = NONE_OF.search(plain)
    bounds = [0, *(m.start() for m in OTHERWISE.finditer(plain, 0, none.start() if none else len(plain))), len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip("，,；; 或者以及")] or [(0, len(text))]


def _read_checks(text: str, region: str) -> tuple[Check, ...]:
    checks: list[Check] = []
    for rule in PLACE_RULES:
        if m := rule.search(text):
            place = m.group(1)
            place = region if OWN_REGION.match(place) or place in region and len(place) < len(region) else place
            if place:
                checks.append(Check(PLACE, m.start(), m.end(), place=place))
            break
    if m := LEGAL_RULE.search(text):
        checks.append(Check(LEGAL, m.start(), m.end()))
    if (m := AGE_RULE.search(text)) and (number := numeral_value(m.group(2))) is not None:
        months = number * (12 if m.group(3) == "年" else 1)
        words = (m.group(1) or "") + (m.group(4) or "")
        op = "<=" if re.search(r"不超过|以内|以下", words) else "<" if re.search(r"不满|未满|少于", words) else ">="
        event = AGE_AT.search(text, 0, m.start())  # "入驻时成立时间不超过24个月": at entry, not at application
        checks.append(Check(AGE, event.start(1) if event else m.start(), m.end(),
                            field=f"months@{event.group(1)}" if event else "months", op=op, value=months))
    elif m := FOUNDED_BY.search(text):  # the founding date against a date, written yyyymm.dd in `value`
        checks.append(Check(AGE, m.start(), m.end(), field="founded", op="<" if m.group(4) in BEFORE else ">=",
                            value=_date_value(*m.group(1, 2, 3))))
    for m in EVENT_BY.finditer(text):  # the event's date against a date, written yyyymm.dd in `value`
        if m.group(1) not in ("成立", "注册", "设立"):  # the founding date is an age, read above
            # the words before the event in its clause say what it happens to ("“机器人化”技术改造软硬件设备购置时间…")
            start = max(text.rfind(c, 0, m.start()) for c in "，。；,;：:") + 1
            checks.append(Check(DATED, start, m.end(), field=m.group(1), op="<" if m.group(5) in BEFORE else ">=",
                                value=_date_value(*m.group(2, 3, 4))))
    for m in EVENT_WITHIN.finditer(text):  # a window: from its first day, to its last day included
        checks.append(Check(DATED, m.start(), m.end(), field=m.group(1), op=">=", value=_date_value(*m.group(2, 3, 4))))
        checks.append(Check(DATED, m.start(), m.end(), field=m.group(1), op="<=", value=_date_value(*m.group(5, 6, 7))))
    for m in RECORD_BY.finditer(text):  # the record's date, read like an event's: 纳税申报 · 记录
        checks.append(Check(DATED, m.start(), m.end(), field=m.group(5), op="record<", value=_date_value(*m.group(1, 2, 3))))
    if m := THIS_YEAR.search(text):
        checks.append(Check(DATED, m.start(), m.end(), field=m.group(1), op="year"))
    thresholds = _thresholds(text)
    if any(BRANCH.match(text, t.end) for t in thresholds):
        return ()  # "销售收入在2亿元以上的企业，比例不低于3%": the threshold picks a case, it is not required
    if len({t.field for t in thresholds}) < len(thresholds):
        return ()  # "营收在1000万元（含）至5000万元（不含）": a range or cases of one quantity, read by a person
    checks += thresholds
    for m in SHARE_RULE.finditer(text):
        part = re.sub(r"^(?:或|且|并|和|及|其|应|须|需|的|但)+", "", m.group(1))
        if len(part) >= 2 and not any(c.start < m.end() and m.start() < c.end for c in checks):
            checks.append(Check(SHARE, m.end(1) - len(part), m.end(), field=part, op=OPS[m.group(2)],
                                value=float(m.group(4)), place=m.group(3)))
    covered = [(c.start, c.end) for c in checks]
    plain = BRACKETED.sub(lambda b: " " * len(b.group()), text)
    for m in _quantities(plain):
        op = OPS.get(m.group(2) or "") or OPS.get(m.group(6) or "") or (">=" if AT_LEAST.search(m.group(1)) else "")
        # the thing counted: the words of the clause before the comparison ("申报单位近一年来累计为" → …近一年来累计)
        before = re.split(r"[，,；;。：:、]", plain[:m.start(2) if m.group(2) else m.start(3)])[-1][-24:]
        start = (m.start(2) if m.group(2) else m.start(3)) - len(before)
        if op and not any(a < m.end() and start < b for a, b in covered):
            noun = re.sub(r"(?:均|都|应|须|需|在|为|达|一般|原则上)+$", "",
                          re.sub(r"^(?:或|且|并|和|及|其|应|须|需|的|但)+", "", re.sub(r"\s+", "", before)))[-16:]
            if len(noun) < 2:  # "…经费支出）均在150万元以上": the thing counted is not named next to the number
                continue
            if (number := numeral_value(m.group(3))) is None:
                continue
            checks.append(Check(QUANTITY, start, m.end(), field=noun, op=op, value=number, place=m.group(4)))
    named = [(m.start(), q) for q in QUALIFICATIONS for m in re.finditer(re.escape(q), text)
             if (m.start() == 0 or HOLDS.search(re.split(r"[，,；;。]", text[:m.start()])[-1]))
             and not FOUNDER.match(text, m.end())]  # "在京高新技术企业在新区设立控股公司": the parent's, not the applicant's
    if named and not EXCLUSION.search(text):  # "对于已成为…的企业，不再推荐" names a status to exclude
        i, q = min(named)
        # "国家级、河北省科技型中小企业资质": the level or province and 资质/称号 belong to the qualification
        before = LEVEL_BEFORE.search(text, 0, i)
        after = TITLE_AFTER.match(text, i + len(q))
        checks.append(Check(QUALIFICATION, before.start() if before else i, after.end() if after else i + len(q),
                            qualification=q))
    if (m := INDUSTRY_RULE.search(text)) and len(kinds := [k for k in re.split(r"[、或和及]", m.group(1)) if k]) > 1:
        checks.append(Check(INDUSTRY, m.start(), m.end(), field="、".join(kinds)))
    if m := EXCLUDED_RULE.search(text):
        checks.append(Check(EXCLUDED, m.start(), m.end(), field=m.group(2), op=m.group(1)))
    elif m := FAILED_RULE.search(text):
        checks.append(Check(EXCLUDED, m.start(), m.end(), field=re.sub(r"\s+", "", m.group(1)), op=m.group(2)))
    if (m := NONE_OF.search(text)) and _all_violations(text[m.end():]):
        # "…前三年内，不得发生下列情况：1.…偷税…2.…走私…": no record at all meets it, whatever the window
        checks.append(Check(CREDIT, 0, len(text), field="violations", value=_window(text)))
    elif m := NEGATIVE_RECORD.search(text):
        checks.append(Check(CREDIT, m.start(), m.end(), field="violations", value=_window(text)))
    elif m := TAX_CREDIT.search(text):
        checks.append(Check(CREDIT, m.start(), m.end(), field="tax_credit", place=m.group(1)))
    return tuple(checks)


def _window(text: str) -> float:
    """The years a record is looked back over ("近三年内", "申报前2年内"): 0 when the condition states none."""
    m = WINDOW.search(text)
    return float(numeral_value(m.group(1) or m.group(2)) or 0) if m else 0.0


def _all_violations(listed: str) -> bool:
    """Whether every item of a list ("1.…偷税…受到行政、刑事处理。2.…走私…") is a breach of law or credit: then the list
    is one credit condition. A list with another kind of item ("产品属于国家禁止、限制和淘汰类") is not."""
    items = [i for i in re.split(r"[；;。]|\n\s*(?=\d+[.、．]|[(（][一二三四五六七八九十\d]+[)）])", listed) if i.strip(" ：:\n")]
    return len(items) >= 2 and all(VIOLATION.search(i) for i in items)


def _date_value(year: str, month: str, day: str | None) -> float:
    """A date bound as a check stores it: yyyymm.dd (the 1st when the day is not written)."""
    return int(year) * 100 + int(month) + int(day or 1) / 100


def _quantities(text: str) -> list[re.Match]:
    """Each number with a unit and the words before it; a number without a comparison ("近一年来…") does not use up
    the words after it."""
    out, pos = [], 0
    while m := QUANTITY_RULE.search(text, pos):
        compared = m.group(2) or m.group(6) or AT_LEAST.search(m.group(1))
        if compared:
            out.append(m)
        pos = m.end() if compared else m.end(3)
    return out


def _thresholds(text: str) -> list[Check]:
    out = []
    for field_name, words, family in QUANTITIES:
        for w in re.finditer(words, text):
            if PART_OF.search(text, max(0, w.start() - 6), w.start()) or \
                    SEVERAL_YEARS.search(text, max(0, w.start() - 8), min(len(text), w.end() + 3)):
                continue  # "服务外包业务年营业收入", "连续2年营业收入累计": not the company's revenue of last year
            tail = text[w.end():w.end() + 40]
            tail = re.split(r"[；。]|的企业", tail)[0]
            share = None  # "研发费用总额不低于100万元，且占营业收入总额比重不低于3%": the amount, then its share
            for m in COMPARE.finditer(tail):
                if UNIT_FAMILY[m.group(3)] != family:
                    if family == "ratio" and (share := SHARE_OF.search(tail, m.end())):
                        continue  # the amount is a quantity of its own; the share is the ratio
                    break  # "研发费用总额不低于100万元": no share stated, the amount is not a ratio
                if share and m.start() < share.end():
                    continue
                op = OPS.get(m.group(1) or "") or OPS.get(m.group(4) or "")
                if op:
                    value = float(m.group(2)) * TO_BASE[m.group(3)]
                    period = LAST_YEAR.search(text, 0, w.start())  # "上年度营业收入…": the year is part of it
                    start = w.end() + share.start() if share else period.start() if period else w.start()
                    out.append(Check(THRESHOLD, start, w.end() + m.end(), field=field_name, op=op, value=value))
                break
    return out
