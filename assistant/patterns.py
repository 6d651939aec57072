"""Shapes of Chinese official documents that several stages recognise: one home for each rule."""
from __future__ import annotations

import re

CN_NUM = "一二三四五六七八九十百零〇两"
# A year and month as official documents write them: 2024年3月 (groups: year, month).
YEAR_MONTH = r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月"
# …with its day when written: 2023年3月2日 (groups: year, month, day or None).
YEAR_MONTH_DAY = rf"{YEAR_MONTH}(?:\s*(\d{{1,2}})\s*日)?"
# The 34 province-level divisions of China, by their short names.
PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
             "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古",
             "广西", "西藏", "宁夏", "新疆", "香港", "澳门")

# 文号: issuer abbreviation + year in 〔〕/[]/［］/【】/() + serial, e.g. 沪府办发〔2020〕1号, 国发[2019]12号.
DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,10}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号")

# A (责任部门:…) note closing a numbered item of an action plan.
DEPARTMENT_NOTE = re.compile(
    r"[(（]\s*(?:责任部门|责任单位|牵头部门|牵头单位|负责部门|主责部门)\s*[:：]\s*([^()（）]+?)\s*[)）]"
)

# The numbering that opens a heading or item: "7、", "（三）", "二、".
HEADING_NUMBER = re.compile(r"^(?:\d+[、.．]|[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")

# Where a Chinese sentence ends: 。！？； (or their ASCII forms) and any closing quotes or brackets right after them,
# as in ……“挑战也是机遇。”  A quote is cut only after one of these, at a line break or at the clause's ends.
SENTENCE_ENDS, CLOSERS = "。！？；!?;", "”’」』）)】〕》\"'"
SENTENCE_CLOSED = re.compile(f"[{SENTENCE_ENDS}][{CLOSERS}]*$")  # a text that ends a sentence

# An answer's source marker, [1] … [99].
CITATION = re.compile(r"\[(\d{1,2})\]")


def bare_heading(heading: str) -> str:
    """A heading without its numbering or the ellipsis of a cut title: "7、拓展生鲜电商零售业态" → "拓展生鲜电商零售业态"."""
    return HEADING_NUMBER.sub("", heading).rstrip("…")


def document_name(title: str, version: str = "") -> str:
    """A document as citations name it: 《title》(version), the version date only when known."""
    return f"《{title}》({version})" if version else f"《{title}》"


def reference(title: str, doc_number: str, path: str, version: str = "") -> str:
    """The string staff paste into a reply: 《title》(version)（文号） clause path."""
    number = f"（{doc_number}）" if doc_number else ""
    return f"{document_name(title, version)}{number} {path}".rstrip()


# -- how a statement of a fact is written: the value of each answer kind (assistant.asks) --

CN_AMOUNT = CN_NUM + "千万亿"  # numerals as amounts and periods write them

# an amount in yuan, or an amount set as a multiple or share of a named base ("增加赔偿的金额为…费用的三倍")
MONEY = re.compile(rf"\d[\d,.]*\s*(?:万|亿)?元|[{CN_AMOUNT}]+(?:万|亿)?元|"
                   rf"(?:金额|数额|标准)为[^。；;，,]{{0,30}}?(?:[\d{CN_AMOUNT}]+倍|百分之[{CN_AMOUNT}]+|\d+(?:\.\d+)?\s*[%％])")
DATE = re.compile(rf"\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|[{CN_AMOUNT}]+月[{CN_AMOUNT}]+日")
TIME = re.compile(rf"\d{{1,4}}\s*个?\s*时|(?:\d{{1,4}}|[{CN_AMOUNT}]+)\s*个?\s*(?:年|月|日|号|小时|工作日|天|周)|"
                  r"周[一二三四五六七日]|星期|今天|明天|昨天|本周|下周|上周|年底|年初|月底")
# a share, or a matching ratio ("按实际获得专项经费1:1配套", "予以1:3配套"; not a clock time such as 9:00)
RATIO = re.compile(rf"\d+(?:\.\d+)?\s*[%％‰]|百分之|[{CN_AMOUNT}]成|[{CN_AMOUNT}]+分之[{CN_AMOUNT}]+|"
                   r"\d{1,2}\s*[:：比]\s*\d{1,2}(?=\s*(?:的比例)?(?:配套|比例|匹配|分担|配比))")
# a digit, or a Chinese numeral with a measure word; not 批, since 一批 means "some"
COUNT = re.compile(rf"\d|[{CN_AMOUNT}]+(?:个|家|项|条|人|名|次|倍|成|亿|万|年|月|天|周|小时|分钟|公里|千米|米|所|座|台|辆|届|户|只|岁|周岁|元|日|工作日)")
CONTACT = re.compile(r"\d{3,4}-?\d{7,8}|1\d{10}|@|https?://|www\.")
# A grant of money or a relief from paying it: 给予补贴 / 奖励 / 资助 / 贷款贴息 / 专项资金 / 减免 / 税收优惠.
MONEY_SUPPORT = re.compile(r"补贴|补助|奖励|奖补|资助|奖金|贴息|津贴|资金|经费|基金|减免|免征|减征|免收|退税|返还|优惠")
# A plan or an application, not a fact held: "拟申请…资格", "已申请纳入…库", "正在申报…", "计划于2025年…" (计划 alone is also
# a noun: "人才计划入选者"; 申报单位, 申请人 name the applicant, 截至申报当月 a time; 经审核纳入 is done)
INTENT = re.compile(r"拟|准备|打算|将于|将要|有意|争取|计划(?=于|在|今年|明年|\d|申|纳|进|取|获|成|通)|"
                    r"(?:申请|申报)(?!单位|人|企业|主体|表|日|时|当|年度|期)|正在|待(?:审核|认定|评审|批准)")
# Another party than the company itself, named before what is said of it: "我们的母公司是高新技术企业"
OTHER_PARTY = re.compile(r"母公司|子公司|分公司|总公司|控股股东|股东|合作(?:伙伴|方|单位|企业)|客户|供应商|关联(?:公司|企业)|"
                         r"兄弟公司|投资方|被投企业")
