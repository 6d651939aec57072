"""What a Chinese official document says about itself: title, 文号, body, kind, region, dates, period.

Parsed by general rules for policies and regulations (a title's closing word names its kind, an adoption
history line names its date and the adopting body, "自…起施行" its effective date); anything a document
does not state stays empty — no issuer is guessed from a 文号 prefix.
"""
from __future__ import annotations

import re

from assistant.normalize import numeral_value
from assistant.patterns import CN_NUM, DOC_NUMBER, YEAR_MONTH_DAY
from assistant.records import Document

METADATA_VERSION = 2  # raise when these rules change: an index re-reads its documents' metadata, embedding nothing
TITLE_MAX_CHARS = 200
DOC_NUMBER_SEARCH_LINES = 5
CITED = re.compile(r"》\s*[(（]?\s*$")  # a 文号 right after a cited title belongs to that document
HEADER_SEARCH_LINES = 40

# A date as official documents write it, 2020年4月10日 (the day optional), or a file name's 2020-04-10.
DATE = re.compile(YEAR_MONTH_DAY)
FILE_VERSION = re.compile(r"[(（]((?:19|20)\d{2})-(\d{2})-(\d{2})[)）]\s*$")
PERIOD = re.compile(r"((?:19|20)\d{2})\s*[-－—–~～至到]\s*((?:19|20)\d{2})\s*年")
# An adoption or amendment history line of a regulation: a date, then the session and what it did.
HISTORY = re.compile(r"^[(（]?\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,200}?"
                     r"(?:通过|修正|修订|批准|公布|废止)")
AMENDED = re.compile(r"修正|修订")
ADOPTING_BODY = re.compile(r"((?:[\u4e00-\u9fff]{2,10}?(?:省|自治区|市|县|区))?)第[一二三四五六七八九十百]+届"
                           r"(人民代表大会(?:常务委员会)?)")
EFFECTIVE = re.compile(r"自\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起(?:施行|执行|实施|生效)")
TITLE_HEADING = re.compile(r"#\s+(?!第[一二三四五六七八九十百零〇两\d]+[编章节条])")  # "# 标题", not "# 第一章"
METADATA_END = re.compile(r"^<!--.*-->$")  # an HTML comment line (e.g. "<!-- INFO END -->") closes a header
EXPIRES = re.compile(r"有效期(?:至|到|截至|截止到?)\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
# "本措施自印发之日起施行，有效期2年": a period of validity counted from the day it takes effect (else its issue date);
# the document's own (本措施/本办法…), not a certificate's or one item's ("此条措施…有效期一年")
VALID_FOR = re.compile(rf"本(?:实施)?(?:措施|办法|细则|规定|方案|政策|意见|通知|条例|决定)[^。；]{{0,30}}?"
                       rf"有效期(?:为|暂定为?)?\s*(\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*(?:个)?\s*年(?!\s*\d|[{CN_NUM}]+月)")
# "原《…若干措施》（雄安政字〔2021〕5号）同时废止", "《A》、《B》即行废止", "《…》自本措施发布之日起废止": what this
# document repeals, each by its title and, when given, its 文号
TITLE_REF = r"《([^《》]{2,80})》\s*(?:[(（]([^()（）]{2,40})[)）])?"
REPEALS = re.compile(rf"((?:{TITLE_REF}\s*[、和及与]\s*(?:原)?)*{TITLE_REF})\s*(?:同时|即行|予以|随之|"
                     r"自[^，。；《》]{0,20}?之日起)?\s*(?:废止|停止执行)")
DATE_LINE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
ISSUER_LINE = re.compile(r"[\u4e00-\u9fff（）()]{2,30}(?:人民政府|办公厅|办公室|委员会|局|厅|部|院|中心)")
# The kinds of official documents, by the word that closes their title (longest first).
KINDS = ("实施细则", "实施办法", "实施意见", "若干规定", "暂行规定", "暂行办法", "行动方案", "工作方案", "实施方案",
         "条例", "规定", "办法", "细则", "决定", "规则", "方案", "意见", "通知", "规划", "纲要", "计划", "措施",
         "指引", "指南", "公告", "通告", "批复", "决议")
# A draft put out for comments is not in force; its title says so (…征求意见稿, 关于征求《…》意见的函).
DRAFT = re.compile(r"征求意见稿|征求[^，。]{0,60}?意见")
# Notices that publish a list, announce an event or a contest, or warn, offer no support to apply for.
NOT_MEASURE = re.compile(r"名单|名录|公示|公布|清单|活动|大赛|竞赛|评选|研修|培训会|宣传册|声明|案例征集")
REGION = re.compile(r"^(?:中华人民共和国|[\u4e00-\u9fff]{2,6}?(?:省|自治区|特别行政区|市))")


def iso_date(text: str) -> str:
    """2020年4月10日 → "2020-04-10" (a missing day → the 1st); "" when the text holds no date."""
    m = DATE.search(text)
    if not m:
        return ""
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3) or 1):02d}"


def header_end(lines: list[str]) -> int:
    """How many leading lines are the document's header (title, adoption history), not its content.

    A metadata comment line (``<!-- INFO END -->``) near the top ends the header; without one, the title line
    and any adoption/amendment history lines right under it are header.
    """
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if METADATA_END.fullmatch(line.strip()):
            return i + 1
    if not lines or not TITLE_HEADING.match(lines[0]):
        return 0  # a plain-text policy: its title line is quoted as the preamble, as printed
    end = 1
    while end < len(lines) and HISTORY.match(lines[end].strip()):
        end += 1
    return end


def infer(lines: list[str], text: str, filename: str = "") -> dict:
    """Metadata the text (and its file name) states; `lines` are its non-empty stripped lines in order."""
    meta: dict = {}
    for line in lines:
        candidate = re.sub(r"^#{1,6}\s+", "", line)
        if DOC_NUMBER.fullmatch(candidate.strip("()（）")) or METADATA_END.fullmatch(candidate):
            continue  # a 文号 line printed above the title is not the title
        meta["title"] = candidate[:TITLE_MAX_CHARS]
        break
    title = meta.get("title", "")
    for line in lines[:DOC_NUMBER_SEARCH_LINES]:
        # not the number of a document the text cites: "落实《…若干措施》(雄安政字〔2021〕5号，以下简称…)"
        if m := next((m for m in DOC_NUMBER.finditer(line) if not CITED.search(line[:m.start()])), None):
            meta["doc_number"] = re.sub(r"\s+", "", m.group())
            break
    if m := PERIOD.search(title):
        meta["period"] = f"{m.group(1)}-{m.group(2)}年"
    bare = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", title)  # "…行动方案(2020-2022年)" is a 方案
    if kind := next((k for k in sorted(KINDS, key=len, reverse=True) if bare.endswith(k)), ""):
        meta["kind"] = kind
    if DRAFT.search(title):
        meta["draft"] = True
    if m := NOT_MEASURE.search(title):
        meta["notice"] = m.group()
    if m := REGION.match(title):
        meta["region"] = "全国" if m.group(0) == "中华人民共和国" else m.group(0)
    meta.update(_history(lines[: header_end(lines)]))
    for prev, line in zip(lines[-6:], lines[-5:]):  # a signature above a date closes a policy document
        if DATE_LINE.fullmatch(line) and ISSUER_LINE.fullmatch(prev):
            meta["issuer"], meta["issued"] = prev, iso_date(line)
    if m := EFFECTIVE.search(text):
        meta["effective"] = iso_date(m.group(1))
    if m := EXPIRES.search(text):
        meta["expires"] = iso_date(m.group(1))
    elif (m := VALID_FOR.search(text)) and (years := numeral_value(m.group(1))):
        meta["valid_years"] = int(years)  # the library counts them from the effective or issue date
    if repealed := repeals(text):
        meta["repeals"] = repealed
    if m := FILE_VERSION.search(filename.rsplit(".", 1)[0]):
        meta["version"] = "-".join(m.groups())
    elif dates := [d for d in (meta.get("adopted", ""), *meta.get("amended", [])) if d]:
        meta["version"] = max(dates)
    return meta


def repeals(text: str) -> list[dict]:
    """The documents a text says it repeals: {"title", and "doc_number" when it gives one}, in order."""
    out: list[dict] = []
    for m in REPEALS.finditer(text):
        for ref in re.finditer(TITLE_REF, m.group(1)):
            entry = {"title": ref.group(1)}
            if ref.group(2) and (number := DOC_NUMBER.search(ref.group(2))):
                entry["doc_number"] = re.sub(r"\s+", "", number.group())
            if entry not in out:
                out.append(entry)
    return out


def _history(header: list[str]) -> dict:
    """Adoption date, amendment dates and the adopting body from a regulation's history lines."""
    out: dict = {}
    amended = []
    for line in header:
        if not HISTORY.match(line):
            continue
        date = iso_date(line)
        if AMENDED.search(line.split("》")[-1]):
            amended.append(date)
        elif "通过" in line and "adopted" not in out:
            out["adopted"] = date
            if m := ADOPTING_BODY.search(line):
                out["issuer"] = f"{m.group(1)}{m.group(2)}"
    if amended:
        out["amended"] = amended
    return out


# where a region's name ends: not the 市 of 上市, 城市, 超市, 门市, 股市, 夜市, 都市 nor of 市场, 市值, 市级
REGION_END = re.compile(r"新区|自治区|省|(?<![上城超门股夜都])市(?![场值级])")
NOT_IN_A_NAME = re.compile(r"[的了在于和与及对向到由从为是将把被以其本各全该至当入面列应按经]")  # "面向新区", "应当向市"


def document_region(doc: Document) -> str:
    """The region a document governs, as its issuer or title names it (`region_named`)."""
    return region_named(str(doc.meta.get("issuer", "") or ""), doc.title, doc.text)


def _nominal(prefix: str) -> bool:
    """No word of a region's name before 新区/省/市 is a verb, adverb, preposition, conjunction, auxiliary or pronoun
    in jieba's dictionary ("关于协请做好新区…的函", "关于开展雄安新区…")."""
    import jieba.posseg  # here, not at the top: its tables take 0.3 s to load, and every command imports this module
    return not any(w.flag[:1] in "vdpcur" for w in jieba.posseg.lcut(prefix))


def region_named(issuer: str, title: str, body: str) -> str:
    """Of the names ending in 新区/省/市 in the issuer, else the title (2–6 characters before the ending), the one
    the body repeats most, the longest then the first on a tie — so "关于开展雄安新区…" gives "雄安新区", not
    "开展雄安新区", and "上海市授予荣誉市民称号规定" "上海市". A name in the title with a verb in it is no region
    ("挂牌上市", "关于协请做好新区…的函")."""
    for text in (issuer, title):
        names = {text[m.start() - n:m.end()] for m in REGION_END.finditer(text) for n in range(2, 7)
                 if m.start() >= n and re.fullmatch(r"[\u4e00-\u9fff]+", text[m.start() - n:m.start()])
                 and not NOT_IN_A_NAME.search(text[m.start() - n:m.start()])
                 and (text is issuer or _nominal(text[m.start() - n:m.start()]))}
        if names:
            return max(names, key=lambda name: (body.count(name), len(name), -text.find(name)))
    return ""
