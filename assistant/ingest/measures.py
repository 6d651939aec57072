"""Support measures read from a notice at index time: who may apply (each condition an exact span), how much,
until when, where to apply and whom to ask.

A measure is opened by a condition section — a heading or line naming 申报条件 / 申报对象 / 申请条件 / 支持对象 /
补贴对象 / 认定条件 / 基本条件 / 申报范围 … — and its conditions are the items under it, down to the next
heading of the same or a higher rank. One item is one condition; an item listing several, separated by "；",
gives one condition each (a piece starting with 或 stays with the one before: it is an alternative). A line
that introduces a list ("同时满足以下条件", "满足以下条件之一") sets how the conditions below it combine. A support
item stated in one sentence ("6.降低运营成本。对…的企业，给予…") is a measure too, and when the line leading its list
names the applicants ("对…的新区企业，纳入科技企业库，给予以下支持：") their description is its first condition.
Amounts, deadlines, offices and contacts are the sentences of the measure's part of the notice that state
them; nothing is paraphrased: every field is a span of `Document.text`.
"""
from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from assistant.ingest.chunking import ARTICLE, classify
from assistant.ingest.conditions import NONE_OF, Check, read_checks
from assistant.ingest.documents import content_lines
from assistant.ingest.metadata import DATE_LINE, ISSUER_LINE, KINDS, document_region, iso_date
from assistant.patterns import CN_NUM, CONTACT, HEADING_NUMBER, SENTENCE_ENDS
from assistant.records import Document, Line

# A heading that opens who-may-apply: it names conditions, applicants, scope, requirements or criteria…
OPENER = re.compile(r"条件|对象|范围|要求|资格|认定标准|入库标准|评价标准|遴选标准")
# …unless it is about something else: materials, procedure, dates, money, form (a heading naming 条件 or 对象
# opens whatever else it names: "补贴对象、条件及标准", "建设条件与申报流程").
NOT_OPENER = re.compile(r"材料|流程|程序|时间|方式|(?:支持|补贴|奖励|资助|奖补|扶持|补助)标准|经费|资金|格式|作品|"
                        r"提交|报送|工作要求|有关要求|其他要求|注意|纪律|保障|管理要求|总体要求|"  # 总体要求: aims, principles
                        r"经营范围")  # a field of an application form ("注册登记 经营范围"), not a heading
OPENER_MAX = 30
KIND_WORDS = re.compile(r"的?(?:建设|申报|认定|入库|基本)?(?:条件|要求|标准)$")  # "企业重点实验室建设条件" names 企业重点实验室
KIND_SUFFIX = 6  # "…重点实验室建设条件": what parallel headings share; "基本申报条件", "申报条件" share no kind
HEADING_MAX = 12  # a longer line ending in ： is a sentence; it opens conditions only as a list introduction
INTRO = re.compile(r"(?:满足|具备|符合|具有|达到)(?:以下|下列|如下)[^。；]{0,12}?(?:条件|要求)")
# Words that make a short line state something ("企业无违规违法经营行为", "拥有一批关键技术人才"); a short line without
# them and without punctuation is a label ("（二）高速成长型科技骨干企业"), not a condition.
STATES = re.compile(r"有|无|为|在|应|须|需|是|不|未|非|已|实现|处于|位于|居|达到|超过|低于|高于|以上|以下|符合|满足|具|获|取得|通过|从事|开展|注册|"
                    r"承担|参与|纳入|列入|属于|按照|依法|遵守")
LABEL_HEAD = re.compile(r"(?:企业|机构|中心|平台|项目|载体|类|型|方向|领域|管委会|委员会|局|办公室|指南|通知|细则)$")
# The status a list of conditions leads to: "…的，经…审核后，列入培育层：" (a list of alternatives that names one is a
# measure of its own, not a sub-list of the one before).
TARGET = re.compile(r"(?:纳入|认定为|列入|评为)([^，。；：:,;]{2,30}?)(?:予以支持|给予|[，。；：:,;]|$)")
# A support item stated in one sentence outside any condition section: "对<conditions>的(企业)，(一次性)给予…" or
# "对<conditions>的，认定为<status>。" — its conditions are the words between 对 and 的.
SUPPORT_ITEM = re.compile(rf"(?:^|(?<=[。；：:]))\s*(?:\*\*)?(?:第[{CN_NUM}\d]+条)?\s*"
                          rf"(?:(?:\d+[.、．]|[(（][{CN_NUM}]+[)）])\s*(?:[^。；]{{2,16}}?。(?:\*\*)?)?)?\s*对(?:于)?"
                          r"([^。；]{4,120}?的(?:[^，。；]{0,30}?(?:企业|单位|项目|机构|主体|人员))?)[，,]\s*"
                          r"(?:[^，。；]{0,40}?(给予|奖励|补贴|资助|补助)(?=[^。；]{0,40}?(?:奖励|补贴|资助|补助|支持|奖补|贴息|元))"
                          r"(?![^。；]{0,40}?(?:处分|处罚|警告|罚款|批评|治安))|(认定为)([^，。；]{2,30}?)(?=[，。；]|$))")
# A line over a list of support items saying to whom they all go: "(四)…。对产业方向符合…的疏解企业或新区企业，纳入
#科技企业库，给予以下支持：", "符合条件的…企业，可享受以下政策：". Each item below it holds for those applicants only.
LIST_LEAD = re.compile(r"(?:对(?:于)?)?([^。；：:，,]{2,160}?的[^，。；：:]{0,20}?(?:企业|单位|机构|主体|人员|载体|项目|个人))"
                       r"[，,][^。；]{0,40}?(?:给予|享受|享有|提供|实行)(?:以下|下列|如下)[^。；：:，,]{0,10}[：:]\s*$")
# A heading over what is favoured, not required: "（一）认定重点", "支持重点", "重点领域", "重点支持方向".
PRIORITIES = re.compile(r"(?:认定|支持|扶持|申报|遴选|培育)?重点(?:支持)?(?:领域|方向|行业|产业|内容)?")
FOLLOW_UP = re.compile(r"^(?:前述|首次|其中|以上|此类|该类|同一)|上述|前款|本条")  # refers to what came before
ITEM_TITLE = re.compile(r"^\s*(?:\d+[.、．]|[(（][一二三四五六七八九十]+[)）])\s*([^。；，]{2,16}?)。")
# "(二)新区范围内的高新技术企业…，可直接纳入本库": another way in, a measure of its own.
DIRECT = re.compile(r"可[^，。；]{0,8}?直接(?:纳入|认定|入库|列入|享受)")  # 可“免申即享”直接纳入 too
KIND_FIRST = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:器|企业|机构|园区|基地|平台|中心|空间|载体)")
OTHER_LIST = re.compile(r"(?:提交|报送|提供|准备)[^。；]{0,20}?(?:材料|资料)|(?:程序|流程|步骤)如下|(?:申报|认定|评审)(?:程序|流程)")
DEFINES = re.compile(r"是指|所称|所述")
CLASSIFIES = re.compile(r"分为[^。；]{2,60}?[两二三四五六七八九十\d]+(?:类|种)")  # "…分为龙头型…和高速成长型…两类"
ANY_OF = re.compile(r"之一|任一|其中一项|任意一项")
OWN_ALTERNATIVE = re.compile(r"^(.+?)[，,]?或(?:者)?(?:满足|符合|具备|达到)(?:以下|下列|如下)")
CHOOSE_ONE = re.compile(r"[（(](?:满足|符合)其中(?:之一|一项)[)）]")  # "成长性指标（满足其中之一）" introduces alternatives
OTHER_SECTION = re.compile(r"材料|流程|程序|时间|方式|标准|内容|说明|事项|审核|评审|联系|咨询|附件|资金")
OUTLINE = re.compile(r"\d+(?:\.\d+){1,3}(?=\s*[\u4e00-\u9fff])")  # "2.1.1 与采购人有控制或持股关联"
ITEM_MARK = re.compile(r"^(?:[(（]\d{1,2}[)）]|\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]是)\s*")
TRAILING = "；;。，,：:、 "
AMOUNT = re.compile(r"(?:给予|补贴|奖励|资助|支持|补助|贴息|奖补|标准)[^。；]{0,80}?\d[\d,.]*\s*(?:万|亿)?元"
                    r"|\d[\d,.]*\s*(?:万|亿)?元[^。；]{0,40}?(?:补贴|奖励|资助|支持|补助|奖补)")
DEADLINE = re.compile(r"申报时间|申请时间|截止|截至|前(?:完成|提交|报送|申报)|申报期|受理时间|申报结束")
# 2024年1月3日, 2024-01-03; "…2024年01月03[": a 日 the conversion lost
FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*(?:日|(?!\d))|"
                       r"((?:19|20)\d{2})[-./](\d{1,2})[-./](\d{1,2})")
SHORT_DATE = re.compile(r"(?<![年\d])(\d{1,2})\s*月\s*(\d{1,2})\s*日")
OFFICE = re.compile(r"(?:报送至|提交至|报送到|提交到|报至|交至|(?<![方面导意走去转动趋倾流])向)([\u4e00-\u9fff（）()]{2,30}?"
                    r"(?:局|委员会|委|办公室|中心|管委会|分局|部门|平台))")  # not the 向 of 方向, 面向
# What a sentence naming an office must do there to be where applications go: not "向…反映", "向…查证", "向…举报"
APPLYING = re.compile(r"申请|申报|提交|报送|递交|上报|报至|交至")
MATERIALS = re.compile(r"^(?:申报|申请|提交|报送)?材料")
MAX_CONDITIONS = 30
BOLD = re.compile(r"^\*\*|\*\*$")
GENERAL = "\0general"  # marks a section that holds for every measure of its document
FOR_ALL = re.compile(r"本(?:实施)?(?:细则|办法|措施|规定|政策|方案)所(?:指|称|述)|基本条件")  # "本措施所指…企业应符合以下基本条件："
MEASURES_VERSION = 18  # raise when these rules change: an index re-reads its documents' measures, embedding nothing
# "第二条 本细则所述科技企业，指…": the article that says whom the rules are for (an applicant: 企业, 单位, 产业).
# "第二条 本实施细则申报单位主营业务需符合…；需是…的法人单位": what every applicant under the rules must meet.
GENERAL_APPLICANT = re.compile(rf"^(?:第[{CN_NUM}\d]+条)?\s*(?=本(?:实施)?(?:细则|办法|措施|规定|政策|方案)(?:所称的?|的)?"
                               r"(?:申报|申请|支持|补贴|奖励|扶持)(?:单位|企业|主体|对象)[^。；]{0,30}?(?:需|应|须|必须))")
DEFINED_APPLICANT = re.compile(rf"^(?:第[{CN_NUM}\d]+条)?\s*本(?:实施)?(?:细则|办法|措施|规定|政策|方案)所(?:述|称|指)的?"
                               r"[^，。；]{1,20}?(?:企业|单位|产业)[，,]?(?:是)?指")
DEFINITION = re.compile(r"^[^，]{2,40}?是指")  # "X（…）是指…": what a word means, not a condition
SCHEDULE = re.compile(r"(?:申报|受理|推荐|审核|申请)[^，。]{0,6}?(?:周期|时间|日期|截至|截止|期限)")
# How truthfully to apply, not who may: "企业的财务数据要依据年度审计报告如实填报", "申请单位应对申请材料的完整性和真实性
# 负责", "填写准确完整的企业信息" (dropped when the sentence states nothing a check reads: "…守法经营，未被列入失信…名单，…对
# 申报材料…的真实性负责" keeps its record)
APPLYING_DUTY = re.compile(r"如实|据实|弄虚作假|(?:填写|填报)[^。；]{0,12}?(?:准确|完整|规范|真实)|"
                           r"(?:材料|数据|信息)[^。；]{0,10}?(?:真实|准确|完整)")  # not "留存…真实性证明资料": a condition
# Lines in a condition section that are no condition: instructions, form rows (盖章, □) and notes on filling them in,
# contacts, references to an attachment or a form, who interprets the notice, what happens to fraud.
NOT_CONDITION = re.compile(r"请(?!求)|[^。；]*(?:盖章|公章|签字|签名|填报日期|□)|[^。；]*参照本?(?:措施|办法|细则|规定)?执行|附件|附表|特此|"
                           r"[^。；]{0,4}(?:填写|填表|填报)说明|"  # how to fill in a form
                           r"联系人|联系电话|咨询电话|具体[^，。]{0,20}详见|(?:申报|申请)(?:时间|方式|材料|程序|流程)[:：]|"
                           r"本(?:通知|办法|细则|措施|规定|方案)由[^。；]{0,30}负责解释|[^。；]*一经查实|"
                           r"(?:同等条件下)?(?:对[^。；，]{0,40})?优先(?:支持|推荐|考虑|给予|纳入|安排)|"  # a priority, no condition
                           r"[^。；]*同等条件下|"  # "…的，已入统的规模以上工业企业…，同等条件下优先纳入项目支持": a priority too
                           r"以[^。；]{2,40}?为(?:重点|核心|主要方向)[，,]|"  # "以钢铁…传统产业为重点，以…为核心…": an emphasis
                           r"[^。；]*制定(?:如下|以下|本)|"  # "参照…，制定如下标准": what the text is, not what it asks
                           # how to apply, not who may: "申报企业需在…网（http://…）提交电子版申请", "…打印、装订成册"
                           r"[^。；]*(?:提交[^。；]{0,10}?(?:申请|材料|资料)|上传|登录|打印|装订|(?:线上|网上|在线)(?:申报|申请|填报))|"
                           r"所称|"  # "所称“严重失信主体名单”以信用中国…为准", "所称“Ⅰ类知识产权”包括…": what a word means
                           # an application form's row for a reviewer: "申报单位意见：…", "…初审意见"
                           r"[^。；：:]{0,10}意见\s*[:：]|[^。；]*(?:初审|审核|审查|评审|审批|推荐|专家组?)意见\s*$")


@dataclass(frozen=True)
class Condition:
    """One condition of a measure: `text` is `document.text[start:end]`; `checks` are what it states in types
    that can be compared with a company's facts; `group` numbers a list of alternatives (0: all must hold)."""

    start: int
    end: int
    text: str
    checks: tuple[Check, ...] = ()
    group: int = 0


@dataclass(frozen=True)
class Quote:
    """A sentence of the notice, with its offsets, and the value read from it (an ISO date for a deadline)."""

    start: int
    end: int
    text: str
    value: str = ""


@dataclass(frozen=True)
class Measure:
    """One support item of a document: its name, its conditions, and what the notice says about applying."""

    doc_id: str
    measure_id: str
    name: str
    conditions: tuple[Condition, ...]
    amount: Quote | None = None
    deadline: Quote | None = None
    office: Quote | None = None
    contacts: tuple[Quote, ...] = ()
    materials: tuple[Quote, ...] = field(default_factory=tuple)
    # the status its applicants must hold when the list it is an item of grants one ("…的企业，纳入科技企业库，给予以下
    # 支持：" → "科技企业库"); the measures of the same document named by it are the ways in
    membership: str = ""

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "Measure":
        quote = lambda q: Quote(**q) if q else None  # noqa: E731
        conditions = tuple(Condition(c["start"], c["end"], c["text"], tuple(Check(**k) for k in c["checks"]),
                                     c.get("group", 0)) for c in d["conditions"])
        return cls(d["doc_id"], d["measure_id"], d["name"], conditions, quote(d.get("amount")),
                   quote(d.get("deadline")), quote(d.get("office")), tuple(Quote(**q) for q in d.get("contacts", [])),
                   tuple(Quote(**q) for q in d.get("materials", [])), d.get("membership", ""))


def ways_in(measure: Measure, measures: Sequence[Measure]) -> list[Measure]:
    """The measures of the same document that say how its applicants get the status they must hold: those named by
    it ("科技企业库" → "新区科技企业库": 同时达到以下条件的企业，纳入…; "…可直接纳入本库")."""
    wanted = measure.membership
    return [m for m in measures if wanted and m is not measure and m.doc_id == measure.doc_id
            and (wanted in m.name or len(m.name) >= 3 and m.name in wanted)]


def read_measures(doc: Document) -> list[Measure]:
    """The support measures a document states; none for a name list, an event or a draft (see metadata)."""
    if doc.meta.get("notice") or doc.meta.get("draft"):
        return []
    region = document_region(doc)
    lines = content_lines(doc)
    sections = _condition_sections(lines)
    # What the notice says about applying is the same for each of its measures: read once.
    # where applications go: the first office a sentence about applying sends them to ("报送至…局", "向…提出申请")
    deadline = _deadline(lines, str(doc.meta.get("issued", "") or ""))
    office = _first(lines, OFFICE, group=1, where=APPLYING)
    contacts = tuple(_sentence(ln) for ln in lines if CONTACT.search(ln.text) and _is_contact(ln.text))[:6]
    materials = tuple(_materials(lines))
    measures: list[Measure] = []

    def add(name: str, conditions: Sequence[Condition], amount: Quote | None, membership: str = "") -> None:
        measures.append(Measure(doc_id=doc.doc_id, measure_id=f"{doc.doc_id}#m{len(measures) + 1}", name=name,
                                conditions=tuple(conditions), amount=amount, deadline=deadline, office=office,
                                contacts=contacts, materials=materials, membership=membership))

    # An article saying who the rules are for holds for each measure the rules go on to state.
    general = list({c.text: c for _, _, body, named in sections if named == GENERAL  # a notice may repeat them
                    for c in _conditions(doc, body, region)}.values())
    general_texts = {c.text for c in general}
    specific = any(named != GENERAL for *_, named in sections)
    seen: set[tuple[str, ...]] = set()
    for n, (opener, _, body, named) in enumerate(sections):
        if specific and named == GENERAL:
            continue
        region_end = sections[n + 1][0] if n + 1 < len(sections) else len(lines)
        scope = lines[_scope_start(lines, opener, sections[n - 1][1] if n else 0):region_end]
        conditions = _conditions(doc, body, region)
        if specific and general:
            conditions = [*general, *(c for c in conditions if c.text not in general_texts)][:MAX_CONDITIONS]
        key = tuple(c.text for c in conditions)
        if not conditions or key in seen:  # a notice often repeats its attachment's conditions
            continue
        seen.add(key)
        add(named if named and named != GENERAL else _name(doc, lines, opener), conditions, _first(scope, AMOUNT))
    inside = {i for opener, end, *_ in sections for i in range(opener, max(end, opener + 1))}
    for name, conditions, amount, membership in _support_items(doc, lines, inside, region):
        add(name, [*(c for c in general if c.text not in {k.text for k in conditions}), *conditions], amount,
            membership)
    return measures


def _support_items(doc: Document, lines: list[Line], inside: set[int], region: str):
    """(name, conditions, amount, membership) of each support item stated in one sentence outside the condition
    sections: "对…的企业，给予…" (its condition the words between 对 and 的), after those of the line leading the list
    it is an item of ("…的企业，纳入科技企业库，给予以下支持：", which also names the status they hold)."""
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if i in inside:
            continue
        for m in SUPPORT_ITEM.finditer(line.text):
            start, end = line.start + m.start(1), line.start + m.end(1)
            quote = doc.text[start:end]
            if len(re.sub(r"[^\u4e00-\u9fff\d]", "", quote)) < 6 or FOLLOW_UP.match(quote) or quote in seen:
                continue
            seen.add(quote)
            given = _sentence(line, m)
            lead, status = _list_lead(doc, lines, i, region)
            own = Condition(start, end, quote, read_checks(quote, region))
            yield (m.group(4) if m.group(3) else _item_name(doc, lines, i),
                   [*([lead] if lead and lead.text != quote else []), own],
                   given if AMOUNT.search(given.text) else _first(lines[i:i + 2], AMOUNT), status)


def _list_lead(doc: Document, lines: list[Line], i: int, region: str) -> tuple[Condition | None, str]:
    """Who the list that line `i` is an item of is for, when the line leading the list says so (`LIST_LEAD`): the line
    above of a higher rank, or the article the item is part of; and the status it grants them ("纳入科技企业库"), if
    it names one."""
    rank = _rank(lines[i].text)
    if rank >= 100:
        return None, ""  # not a numbered item: no list to be part of
    for j in range(i - 1, -1, -1):
        if _rank(lines[j].text) < rank or _is_article(lines[j].text):
            m = LIST_LEAD.search(lines[j].text, _lead(lines[j].text))
            if not m:
                return None, ""
            start, end = lines[j].start + m.start(1), lines[j].start + m.end(1)
            status = TARGET.search(lines[j].text, m.end(1))
            return (Condition(start, end, doc.text[start:end], read_checks(doc.text[start:end], region)),
                    status.group(1) if status else "")
    return None, ""


def _item_name(doc: Document, lines: list[Line], i: int) -> str:
    """The name of a support item stated in a sentence: its item's short title ("6.降低运营成本。对…的，给予…"), else
    the nearest heading above, else what `_name` finds."""
    if m := ITEM_TITLE.match(BOLD.sub("", lines[i].text.strip()).replace("**", "")):
        return m.group(1)
    for j in range(i - 1, -1, -1):
        found = _classify(lines[j].text)
        if found and (found[0] == "heading" or found[1] <= 20) and len(_bare(lines[j].text)) <= 30 and \
                not re.fullmatch(r"正文|附件\d*", _bare(lines[j].text)):
            return _bare(lines[j].text).rstrip("。：:")
    return _name(doc, lines, i)


def _condition_sections(lines: list[Line]) -> list[tuple[int, int, list[Line], str]]:
    """(opener line, end line, the lines that state its conditions, a name, "" or GENERAL) of each condition
    section, in order. A section is the lines under a condition heading or list introduction; an article saying who
    the rules are for ("本细则所述科技企业，指…的企业", "本实施细则申报单位…需…") is a GENERAL section of its own
    words; a second list introduction after some conditions ("高速成长型科技骨干企业需符合以下几方面要求") starts a
    measure of its own."""
    out: list[tuple[int, int]] = []
    defined: dict[int, Line] = {}
    merged: set[int] = set()
    i = 0
    while i < len(lines):
        if _opens(lines[i].text) or (INTRO.search(lines[i].text) and len(lines[i].text) <= 80
                                                        and lines[i].text.rstrip().endswith(("：", ":"))):
            rank, articles = _rank(lines[i].text), _is_article(lines[i].text)
            end = i + 1
            while end < len(lines) and not _closes(lines[end].text, rank, articles):
                end += 1
            if out and out[-1][1] == i and re.search(r"对象|主体|范围", _bare(lines[out[-1][0]].text)) and \
                    re.search(r"条件|要求|资格|标准", _bare(lines[i].text)):  # 申报对象 then 申报条件: one measure's two lists
                out[-1] = (out[-1][0], end)
                merged.add(i)
            else:
                out.append((i, end))
            i = max(end, i + 1)
            continue
        if m := DEFINED_APPLICANT.match(lines[i].text) or GENERAL_APPLICANT.match(lines[i].text):
            line = lines[i]
            defined[i] = Line(line.start + m.end(), line.end, line.text[m.end():])
            out.append((i, i + 1))
        i += 1
    sections = []
    for a, b in out:
        if a in defined:
            sections.append((a, b, [defined[a]], GENERAL))
            continue
        favoured = _priorities(lines, a + 1, b)
        kept = [j for j in range(a + 1, b)
                if j not in favoured and (not _opens(lines[j].text) or _introduces(lines[j].text))]
        stated = next((k for k, j in enumerate(kept) if _states(lines[j].text)), len(kept))  # the first condition
        # parallel condition headings inside the section ("学科重点实验室建设条件：…企业重点实验室建设条件：") each
        # start the conditions of their own kind
        kinds = _kind_headings(lines, a + 1, b)
        headed = {k for k, j in enumerate(kept) if k > stated and any(kept[k - 1] < h < j for h in kinds)}
        starts = [0] + [k for k, j in enumerate(kept) if k > stated and (k in headed
                        or (_introduces(lines[j].text) or DIRECT.search(lines[j].text))
                        and j - 1 not in merged  # "一、申报对象…二、申报条件\n申报对象应同时满足以下条件："
                        and (not ANY_OF.search(lines[j].text) or TARGET.search(lines[j].text) or _is_article(lines[j].text))
                        and not DEFINES.search(lines[j].text))]  # "在孵企业是指具备以下条件的…": what a word above means
        for n, k in enumerate(starts):
            part = [lines[j] for j in kept[k:starts[n + 1] if n + 1 < len(starts) else len(kept)]]
            opener = kept[k] if n else a
            intro = next((ln for ln in part if _introduces(ln.text) or _states(ln.text)), None)
            kind = max((h for h in kinds if (kept[k - 1] if k else a) < h < kept[k]), default=None)
            named = GENERAL if not n and FOR_ALL.search(lines[a].text) else \
                _subject(intro.text) if intro and _introduces(intro.text) else \
                KIND_WORDS.sub("", _bare(lines[kind].text).rstrip(TRAILING)) if kind is not None else ""
            if n and not named and intro and (this := TARGET.search(_bare(intro.text))) and \
                    this.group(1).startswith("本") and sections[-1][3].endswith(this.group(1)[1:]):
                named = sections[-1][3]  # "可直接纳入本库": another way into the status above
            sections.append((opener, b, part, named))
    return sections


def _kind_headings(lines: list[Line], start: int, end: int) -> list[int]:
    """Condition headings that name kinds of one thing side by side: two or more, their words the same at the end
    and different before ("学科重点实验室建设条件", "企业重点实验室建设条件")."""
    heads = {j: _bare(lines[j].text).rstrip(TRAILING) for j in range(start, end) if _opens(lines[j].text)}
    return [j for j, h in heads.items()
            if any(g != h and len(os.path.commonprefix([h[::-1], g[::-1]])) >= KIND_SUFFIX for g in heads.values())]


def _priorities(lines: list[Line], start: int, end: int) -> set[int]:
    """The lines of a heading over what is favoured, not required ("（一）认定重点": 1.…领域优势企业；2.…高新技术企业),
    the heading included, up to the next heading of its rank or above."""
    out: set[int] = set()
    rank = None
    for j in range(start, end):
        found = _classify(lines[j].text, markdown=False)
        if rank is not None and found and found[1] <= rank:
            rank = None
        if rank is None and found and PRIORITIES.fullmatch(_bare(lines[j].text).rstrip(TRAILING)):
            rank = found[1]
        if rank is not None:
            out.add(j)
    return out


def _introduces(text: str) -> bool:
    """A line that introduces a list of conditions ("同时满足以下条件：", "需符合以下几方面要求。")."""
    if CHOOSE_ONE.search(text):
        return True
    return bool(INTRO.search(text)) and (not _lead(text) or text.rstrip().endswith(("：", ":", "。")) and len(text) <= 120)


def _states(text: str) -> bool:
    """A line that may state a condition: not a sub-heading, a list introduction or a line of another kind."""
    found = _classify(text)
    return not (_introduces(text) or found and found[0] == "heading" and len(_bare(text)) <= 20
                or _not_a_condition(text) or _is_label(text))


def _subject(intro: str) -> str:
    """What a list introduction is about: the status it leads to ("…的企业，纳入“专精特新”企业培育库") or its
    subject ("龙头型科技骨干企业需同时符合…")."""
    bare = _bare(intro)
    if (m := TARGET.search(bare)) and not m.group(1).startswith("本"):  # "可直接纳入本库": named by the section
        return m.group(1)
    m = re.match(r"(?:对|凡)?([^，。；]{4,30}?)(?:需|应|须|要|均|同时|满足|符合|具备|具有|达到)", bare)
    return m.group(1) if m and re.search(r"(?:企业|单位|机构|中心|平台|基地|载体|库|层)$", m.group(1)) else ""


def _opens(text: str) -> bool:
    bare = _bare(text)
    if len(bare) > OPENER_MAX or not OPENER.search(bare) or bare.endswith(("；", "。", "，", ";", ",")):
        return False  # a heading, not a list item ending in ；
    if len(bare) > HEADING_MAX and bare.endswith(("：", ":")) and not INTRO.search(bare):
        return False  # a sentence introducing a list of something else: "城市道路范围内禁止下列行为："
    return bool(re.search(r"条件|对象", bare)) or not NOT_OPENER.search(bare)


def _closes(text: str, rank: int, articles: bool = False) -> bool:
    """A line closes a section when it is a heading of the same or a higher rank, or a heading on another
    topic (申报材料, 申报流程…). Inside an article (第三条 …应符合以下条件：) its items (一)… and 1.… are its parts."""
    if OTHER_LIST.search(text) and text.rstrip().endswith(("：", ":")):
        return True  # "申请认定零工驿站，须提交以下材料：", "…程序如下：": a list on another topic
    found = _classify(text, articles=articles)
    if found is None:
        return False
    bare = _bare(text)
    return found[1] <= rank or (len(bare) <= 20 and bool(OTHER_SECTION.search(bare)) and not _opens(text)
                                and not re.search(r"[，,；;。]", bare))  # "4.从事…时间达到2年以上；" is an item


def _classify(text: str, markdown: bool = True, articles: bool = False) -> tuple[str, int, str] | None:
    """`chunking.classify` of a line whose bold marks are taken off: "**二、…认定标准**" is a heading."""
    return classify(BOLD.sub("", text.strip()), markdown=markdown, articles=articles)


def _is_article(text: str) -> bool:
    return bool(ARTICLE.match(re.sub(r"^#{1,6}\s*", "", text.strip())))


def _rank(text: str) -> int:
    found = _classify(text)
    return found[1] if found else 100


def _bare(text: str) -> str:
    """A line without its markdown marks and its heading number: "# 二、申报条件" → "申报条件"."""
    text = BOLD.sub("", re.sub(r"^#{1,6}\s*", "", text.strip()))
    text = re.sub(rf"^第[{CN_NUM}\d]+[章节条]\s*", "", text)
    return HEADING_NUMBER.sub("", text, count=1).strip()


def _conditions(doc: Document, body: list[Line], region: str) -> list[Condition]:
    out: list[Condition] = []
    group, next_group, level = 0, 1, None
    listed_after: int | None = None  # a line "…不得发生下列情况：" and the items it lists are one condition
    for n, line in enumerate(body):
        text = line.text
        if listed_after is not None:
            if n < listed_after:
                continue
            listed_after = None
        if NONE_OF.search(text) and text.rstrip().endswith(("：", ":")):
            end = n + 1
            first = _item_rank(body[end].text) if end < len(body) else None
            while end < len(body) and (_below(text, body[end].text, first)
                                       or _continues(body[end - 1].text, body[end].text)):
                end += 1
            if end > n + 1:  # the items below, one condition with the line that negates them
                start = line.start + _lead(text)
                quote = doc.text[start:body[end - 1].end].rstrip(TRAILING)
                out.append(Condition(start, start + len(quote), quote, read_checks(quote, region), group))
                listed_after = end
                continue
        numbered = _classify(text, markdown=False)
        if group and level is not None and numbered and numbered[1] <= level:
            group = 0  # "8.…" after "7.…满足下列条件之一：(1)…(4)…": back in the list the alternatives were part of
        if _introduces(text):
            group, next_group = (next_group, next_group + 1) if ANY_OF.search(text) else (0, next_group)
            level = numbered[1] if group and numbered else None
            if group and (own := OWN_ALTERNATIVE.search(text)) and len(own.group(1)) - _lead(own.group(1)) >= 4:
                start = line.start + _lead(text)  # "按照评价指标体系达到45分以上或满足下列条件之一": one more alternative
                quote = doc.text[start:line.start + own.end(1)]
                out.append(Condition(start, start + len(quote), quote, read_checks(quote, region), group))
            continue
        if (found := _classify(text)) and found[0] == "heading" and len(_bare(text)) <= 20:
            continue  # a sub-heading
        if _not_a_condition(text) or group == 0 and _is_label(text):
            continue
        offset = line.start
        lead = _lead(text)
        pieces = _pieces(text, lead)
        cases = group == 0 and _parallel([m.group().strip() for m in pieces])
        if cases:  # "专业孵化器…不少于15家；综合孵化器…不少于20家": one of the kinds applies
            group, next_group = next_group, next_group + 1
        for m in pieces:
            piece = m.group()
            start = offset + m.start() + (len(piece) - len(piece.lstrip()))
            stripped = piece.strip().rstrip(TRAILING)
            inner = _lead(stripped)
            if len(stripped) - inner < 4 or _not_a_condition(stripped) or DEFINITION.search(stripped):
                continue
            start += inner
            quote = doc.text[start:start + len(stripped) - inner]
            checks = read_checks(quote, region)
            if not checks and APPLYING_DUTY.search(quote):
                continue
            out.append(Condition(start, start + len(quote), quote, checks, group))
        if cases:
            group = 0
    return out[:MAX_CONDITIONS]


def _below(text: str, line: str, first: int | None = None) -> bool:
    """An item of a lower rank than the line introducing it ("1.…" under "（五）…不得发生下列情况："), or, under a line
    not numbered, of the rank of the first item after it (`first`: "2.1.1 …" under "…不得存在下列任何情形：")."""
    rank = _item_rank(line)
    if (own := _classify(text, markdown=False)) is None:
        return rank is not None and rank == first
    return rank is not None and own[1] < rank


def _item_rank(line: str) -> int | None:
    """The rank of a numbered line: its heading rank, or for an outline number "2.1.1" one below 100 per level."""
    if found := _classify(line, markdown=False):
        return found[1]
    return 100 + m.group().count(".") if (m := OUTLINE.match(line.strip())) else None


def _continues(previous: str, line: str) -> bool:
    """A line that goes on with the previous one, broken mid-sentence by the conversion from PDF ("…构成走私行为，受" /
    "到刑事、行政处罚…"): it is not numbered and the previous line ends inside a sentence."""
    return _classify(line, markdown=False) is None and not previous.rstrip().endswith(tuple(SENTENCE_ENDS + "：:")) and \
        bool(re.match(r"[\u4e00-\u9fff]", line.strip()))


def _parallel(pieces: list[str]) -> bool:
    """Pieces of one item that each set a number for a different kind of one thing ("专业孵化器…不少于15家；综合
    孵化器…不少于20家"): the kinds are alternatives, one of them applies."""
    found = [KIND_FIRST.match(p) for p in pieces]
    if len(pieces) < 2 or not all(found) or not all(re.search(r"\d", p) for p in pieces):
        return False
    kinds = [m.group() for m in found]
    shared = os.path.commonprefix([k[::-1] for k in kinds])[::-1]  # the kind's head: 孵化器
    kinds_of = {k[:-len(shared)] for k in kinds}
    return len(shared) >= 2 and len(kinds_of) == len(kinds) and all(k and not re.search(r"[第条对于在的]", k) for k in kinds_of)


def _pieces(text: str, lead: int) -> list[re.Match]:
    """An item's conditions: its sentences and "；" pieces (a piece opening with 或 stays with the one before), all
    that follows "不存在下列情况：" as one."""
    pieces = re.compile(r"(?:[^；。]|；(?=或))+。?")
    none = NONE_OF.search(text, lead)
    cut = max(text.rfind(c, lead, none.start()) for c in "；。") + 1 if none else len(text)
    cut = max(cut, lead)
    return [*pieces.finditer(text, lead, cut), *([re.compile(r".+").match(text, cut)] if none else [])]


def _not_a_condition(text: str) -> bool:
    """Contact lines, dates, signatures, attachment lists, table rows and bare labels ("规范管理") inside a section."""
    bare = _bare(text).rstrip(TRAILING)
    return (_contact_line(text) or _table_row(bare) or bool(DATE_LINE.fullmatch(bare)) or bool(CLASSIFIES.search(bare))
            or (bool(SCHEDULE.search(bare)) and bool(FULL_DATE.search(bare) or SHORT_DATE.search(bare)))
            or bool(NOT_CONDITION.match(bare)) or bool(ISSUER_LINE.fullmatch(bare))
            or (len(bare) <= 8 and not re.search(r"[，。；、]", bare) and not STATES.search(bare)))


def _table_row(bare: str) -> bool:
    """A row of a form or a table read as plain cells side by side: four or more cells of words and no sentence
    ("序号 姓名 年龄 毕业院校 …", "创新投入 创新经费 20 研发人员人均研发经费支出 万元 8 ≥3"). A table that names its columns
    reads "列名：值；…" (`converted.table_rows`), a sentence, and stays."""
    return not re.search(r"[，。；,;：:]", bare) and \
        sum(len(re.findall(r"[\u4e00-\u9fff]", cell)) >= 2 for cell in bare.split()) >= 4


def _is_label(text: str) -> bool:
    """A short line naming a kind of applicant or item, stating nothing: "（二）高速成长型科技骨干企业". (Within a
    list of alternatives such a line is one of the alternatives, and is read as a condition there.)"""
    bare = _bare(text).rstrip(TRAILING)
    return len(bare) <= 20 and not re.search(r"[，。；、,;：:]", bare) and not STATES.search(bare) and \
        bool(LABEL_HEAD.search(bare))


def _lead(text: str) -> int:
    """Length of an item's enumerator: "（一）", "1.", "(1)", "一是"."""
    m = HEADING_NUMBER.match(text) or ITEM_MARK.match(text)
    if not m:
        return 0
    rest = text[m.end():]
    return m.end() + (len(rest) - len(rest.lstrip()))


def _scope_start(lines: list[Line], opener: int, floor: int) -> int:
    """Where the measure's part of the notice begins: its nearest heading above the condition section."""
    rank = _rank(lines[opener].text)
    for i in range(opener - 1, floor - 1, -1):
        if _rank(lines[i].text) < rank:
            return i
    return floor


def _name(doc: Document, lines: list[Line], opener: int) -> str:
    """The measure's name: the nearest title-like line above its conditions (an attachment's own title,
    "…实施细则"), else the 《…》 a 印发 notice names, else the document's title."""
    for i in range(opener - 1, -1, -1):
        text = _bare(lines[i].text).strip("《》")
        if 4 <= len(text) <= 60 and text.endswith(KINDS) and not text.endswith("通知"):
            return text
    if m := re.search(r"《([^《》]{4,60})》", doc.title):
        return m.group(1)
    return doc.title


def _sentence(line: Line, m: re.Match | None = None) -> Quote:
    """The sentence of `line` around match `m` (the whole line without one)."""
    if m is None:
        return Quote(line.start, line.end, line.text)
    left = max(line.text.rfind(c, 0, m.start()) for c in "。；") + 1
    right = min((i for i in (line.text.find(c, m.end()) for c in "。；") if i >= 0), default=len(line.text))
    text = line.text[left:right + 1].strip()
    start = line.start + line.text.index(text, left)
    return Quote(start, start + len(text), text)


def _first(lines: list[Line], pattern: re.Pattern, group: int = 0, where: re.Pattern | None = None) -> Quote | None:
    """The sentence of the first match of `pattern` (in a sentence `where` also matches, when given), with the value
    of its `group`."""
    for line in lines:
        for m in pattern.finditer(line.text):
            q = _sentence(line, m)
            if where is None or where.search(q.text):
                return Quote(q.start, q.end, q.text, m.group(group))
    return None


def _deadline(lines: list[Line], issued: str) -> Quote | None:
    """The sentence that states when applications close, and the last date it names (a date without a year
    takes the year of the notice); a date before the notice was issued is not when its applications close
    ("依法成立3年以上(截至2022年3月31日)")."""
    year = issued[:4]
    for line in lines:
        if not (m := DEADLINE.search(line.text)):
            continue
        q = _sentence(line, m)
        dates = [iso_date(f"{d[0] or d[3]}年{d[1] or d[4]}月{d[2] or d[5]}日") for d in FULL_DATE.findall(q.text)]
        # "2024年10月8日—10月31日": a date without a year takes the year of the full date before it, else the notice's
        for short in SHORT_DATE.finditer(q.text):
            before = [f.group(1) or f.group(4) for f in FULL_DATE.finditer(q.text, 0, short.start())]
            if when := (before[-1] if before else year):
                dates.append(f"{when}-{int(short.group(1)):02d}-{int(short.group(2)):02d}")
        if dates := [d for d in dates if d and d >= issued[:10]]:
            return Quote(q.start, q.end, q.text, max(dates))
    return None


def _is_contact(text: str) -> bool:
    return bool(re.search(r"联系|咨询|电话|邮箱", text)) and len(text) <= 120


def _contact_line(text: str) -> bool:
    """A line giving a phone, an e-mail or a web address to contact; a platform's address inside a sentence
    ("在产业互联网(http://…)注册并通过平台发布岗位需求") does not make the sentence a contact line."""
    found = [m.group() for m in CONTACT.finditer(text)]
    if not found:
        return False
    if all(f.startswith(("http", "www")) for f in found):
        return _is_contact(text) or len(_bare(text)) <= 40
    return True


def _materials(lines: list[Line]) -> list[Quote]:
    for i, line in enumerate(lines):
        if len(bare := _bare(line.text)) <= 20 and MATERIALS.match(bare):
            rank = _rank(line.text)
            out = []
            for item in lines[i + 1:]:
                if _closes(item.text, rank) or len(out) >= 12:
                    break
                out.append(_sentence(item))
            return out
    return []

