"""What a question asks for: the phrases that recognise each kind of question, in one place.

Every pattern here reads a user's question, never a document; how documents are written (文号, heading
numbers, the way an amount or a date is stated) lives in `assistant.patterns`. The stages that act on a kind
import it from here: retrieval (versions, the governing document, commencement, consequences), the
deterministic answers (文号, title, period, issuer, outline, departments, validity, changes) and the refusal
(the kind of fact asked for). The examples in the comments are made up, not questions of the evaluation sets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.patterns import CONTACT, COUNT, DATE, MONEY, MONEY_SUPPORT, RATIO, TIME

# -- a field of the document itself (answered from its parsed data, no model) --

ASK_DOC_NUMBER = re.compile(r"文号|发文字号|发文号|document number", re.I)
# A name question asks for the document's title only when the named thing is a document ("这个办法的全称是什么",
# "有没有管这件事的条例？叫什么？"), not a term or a platform in it ("新版里“特困人员”改叫什么了").
ASK_TITLE = re.compile(
    r"标题|文件名称|方案名称|题目|\btitle\b|"
    r"(?:(?:^|[，。？！；,.?!;]\s*)|(?:文件|方案|条例|规定|办法|法规|政策|意见|通知|决定|细则|规划|计划)(?:的|是|正式|具体|到底)*)"
    r"(?:全称|全名|叫什么)", re.I)
ASK_PERIOD = re.compile(r"实施期|实施期限|哪几年|起止|有效期|时间范围|执行期|覆盖.{0,4}年|period|which years", re.I)
# Who issued the document: its 发文机关 or 签发人, or who issued it (发布, 印发, 制定, 签发) with the document as the
# subject, named or elided ("这个通知是谁印发的", "是由谁发布的"), not a thing in it ("高温预警是谁发布的").
ASK_ISSUER = re.compile(r"发文机关|发文单位|印发单位|签发人|"
                        r"(?:^|(?:文件|方案|条例|规定|办法|通知|意见|决定|细则|规划|计划|政策|法规|》)[^，。？?！!]{0,6})"
                        r"(?:是|由)*(?:哪个(?:单位|部门|机关)|谁)(?:来)?(?:发布|印发|制定|发文|签发)|"
                        r"issuing (?:body|authority)|who issued", re.I)
ASK_OUTLINE = re.compile(r"(?:哪|几)(?:几|个)?大?部分|由.{0,6}组成|整体结构|文件结构|章节|目录|框架|下设.{0,6}(?:小节|部分)|"
                         r"哪(?:两|几)个小节|sections? of|structure of", re.I)
# Which departments lead an item ("第5项由谁负责"); "谁负责" asks for a department, "由谁发布" for the issuer.
ASK_DEPTS = re.compile(r"责任部门|牵头部门|负责部门|责任单位|哪些部门|哪个部门|哪几个部门|谁(?:来)?负责|由谁负责|谁牵头|"
                       r"departments?.{0,20}(?:responsible|lead|in charge)|which departments?|who is responsible", re.I)
# Which items a named department leads ("市卫健委牵头哪些任务"): the verb alone, the department is found apart.
ASK_ITEMS = re.compile(r"负责|牵头|承担|参与|涉及|哪些(?:事项|工作|任务|条目|措施|方面)|哪项|responsible|lead", re.I)
# The item a question points at: "第十二项", "第3条", "4、", "item 7".
ITEM_NUMBER = re.compile(r"第\s*([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*[项条]|(?<![\d.])(\d{1,2})\s*[、．]|item\s*(\d{1,3})", re.I)

# -- what retrieval should reach besides the clauses that share the question's words --

# Which document governs a matter: "哪部条例管这个", "有无专门的条例", "依据的是什么".
ASKS_DOCUMENT = re.compile(
    r"哪(?:部|个|一部|一个|项|些)\s*(?:地方性?)?(?:法规|规定|条例|办法|文件|政策|法律|规章)|"
    r"什么(?:法规|规定|条例|文件|政策)|(?:有没有|是否有|有无|有)(?:专门|相关)?的?(?:地方性?)?(?:法规|规定|条例|政策)|"
    r"依据(?:的)?是?(?:什么|哪)|归哪|"
    r"which (?:regulation|law|rule|document|policy)|is there (?:a|any) (?:regulation|law|rule)", re.I)
# When a document takes effect or until when it is valid: "从哪天开始施行", "办法的有效期到哪年".
ASKS_COMMENCEMENT = re.compile(
    r"(?:什么时候|何时|哪天|哪一天|几号|哪年|从哪|多会儿)(?:开始|起|正式)?(?:施行|实施|生效|执行)|"
    r"(?:施行|实施|生效)(?:日期|时间)|(?:政策|文件|规定|条例|办法|方案|细则|意见|通知)[^，。？?]{0,6}有效期|"
    r"take effect|come into (?:force|effect)|effective (?:date|from)|in force from|valid until", re.I)
# What follows from breaking a rule ("乱倒垃圾会怎样"): the penalty articles that cite the duty.
ASKS_CONSEQUENCE = re.compile(
    r"罚|处分|后果|法律责任|追究|怎么处理|如何处理|怎么处置|会怎样|会怎么样|会被|吊销|没收|责令|"
    r"fine|penalt|punish|sanction", re.I)
# A question about versions ("旧版", "修订前", "2019年版", "新旧版本有何变化") may use superseded versions.
ASKS_VERSIONS = re.compile(r"旧版|老版|原版|以前的版本|之前的版本|原来的|修改前|修订前|修正前|历史版本|新旧|哪个版本|"
                           r"哪一版|版本|(?:19|20)\d{2}\s*年版|修改了|修订了|有什么变化|有何变化")
# A year the question names ("2019年的规定"); an answer's sentence is checked for the same shape.
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")

# Whether the company asking may apply for a measure: a first-person company ("我们公司", "我司", "我厂"), then can-apply
# words ("能申请…吗", "可以享受…吗", "是否符合…条件") — answered by checking the measure's conditions against what the
# question states, not by quoting it.
_WE = r"(?:我们|我司|本公司|我公司|我单位|我厂|我们厂|本企业|我企业)[^？?]{0,120}?"
ASKS_ELIGIBILITY = re.compile(
    rf"{_WE}(?:能不能|能否|可否|可不可以|是否(?:可以|能够?)|能|可以)\s*(?:申请|申报|享受|领取|拿到|获得|参评)|"
    rf"{_WE}(?:是否|符合|够)[^？?]{{0,20}}(?:申报|申请)?条件")

# -- the validity and the versions of a document --

ASK_CHANGES = re.compile(r"变化|改了什么|(?:修改|修订|修正)了?(?:什么|哪些)|(?:哪些|什么)(?:修改|修订|调整)|改动|有何不同|有什么不同|"
                         r"区别|新旧|差异|变动")
# A change question that is about a document's revision by its words alone ("关于政务服务改了什么"), where
# "有什么区别" may compare anything.
ASK_REVISED = re.compile(r"改了什么|(?:修改|修订|修正)了?(?:什么|哪些)|(?:哪些|什么)(?:修改|修订)|新旧")
# Validity as what is asked ("这个办法还有效吗", "哪一版是现行的"), not as an adjective ("按现行的规定要交几份材料").
ASK_STATUS = re.compile(r"(?:还|仍然?|是否|现在)?(?:有效|现行有效|失效|废止|过期)(?:了)?(?:吗|没有|[？?]|$)|是否(?:仍然)?(?:有效|现行)|"
                        r"哪(?:个|一)版(?:本)?(?:是|为)?(?:现行|最新|有效)|最新(?:的)?版本是|现行(?:的)?版本是|有几个版本")
# The words of a change question that name no subject: what is left once they, the document's title and its
# region are gone is what the question is about ("…对夜间施工时段的规定有什么不同" leaves 对夜间施工时段规定).
CHANGE_WORDS = re.compile(rf"{ASK_CHANGES.pattern}|版本|新版|旧版|修订|修改|前后|和|与|跟|的|之间|有|了|什么|哪些|吗|呢|现在|[\s，,。？?！!、]")
# A validity question is about a document ("条例还有效吗"), not about a licence ("驾照过期了怎么补").
# Words of a change question that still name no subject once CHANGE_WORDS are gone ("关于…方面的规定改了什么").
TOPIC_FILLER = re.compile(r"^(?:关于|对于|对|在|后)|(?:方面|之中|中|里|上)$|方面|规定|内容|条文|条款|地方|部分|要求|这次|本次|此次|"
                          r"具体|主要|作出|做出|进行|对比|比较|两个版本|两版|两个|哪个为准|以哪个|按哪个|哪个|为准")
ABOUT_A_DOCUMENT = re.compile(r"条例|规定|办法|方案|文件|政策|法规|细则|意见|决定|规则|版本|新版|旧版")


# -- a question that continues the conversation, or holds several asks --

# A follow-up that needs the previous turn: it opens with a continuation ("那…", "还有…") or ends in 呢.
FOLLOWUP = re.compile(r"^(?:那|那么|还有|另外|此外|这个|这项|这条|该项|它|其|上述)|呢\s*[？?]?\s*$|^(?:and|what about|how about)\b", re.I)
# A demonstrative that points back at what was just said, with the noun it may carry (这些措施, 上述规定, 该项).
# Not the words that merely contain one: 应该, 因此/如此/此外/此时, 其他/其次/其实/尤其/极其, 其它.
# 以上 after a quantity is "or more" (100万元以上), not a reference.
ANAPHOR = re.compile(
    r"(?:这些|这几(?:项|条|个)?|这个|这项|这条|这类|前述|上述|(?<![\d一二三四五六七八九十百千万亿元年月岁人个级倍%])以上|它们"
    r"|(?<!其)它|(?<![应活])该|(?<![因如从彼由据特])此(?![外时刻后前])|(?<![尤极与及])其(?![他它次实余]))"
    r"(?:措施|条款|规定|政策|项目|事项|内容|工作|任务|要求|条|项)?")
SINGULAR = re.compile(r"^(?:这个|这项|这条|该项|该条|此项|此条|它(?!们))")  # points at one thing, not at all of them
# Where a question with several asks splits: sentence ends, and the words that open another ask.
PART_END = re.compile(r"[？?；;。！!]+|(?:另外|此外|还有|同时)[，,]?")

# -- the kind of fact a question asks for (refusal checks it, retrieval prefers it) --

@dataclass(frozen=True)
class AnswerKind:
    """A kind of fact a question can ask for (the answer types of factual QA): the words that ask for it and
    what a statement of it looks like in a text (a shape from `assistant.patterns`)."""

    name: str
    asks: re.Pattern
    value: re.Pattern


ANSWER_KINDS: tuple[AnswerKind, ...] = (
    AnswerKind("金额", re.compile(
        r"多少[\u4e00-\u9fff]{0,3}?(?:钱|元|万|资金|补贴|补助|奖励|奖金|经费|资助|费)|金额|罚多少|罚款多少|"
        r"(?:补贴|补助|奖励|资助|奖金|贴息|奖|补)(?:标准)?(?:是|为|有|给|能给|能拿)?多少(?![\u4e00-\u9fff]{0,2}(?:比例|倍|年|月|天|次|家|个|人))|"
        r"最高.{0,6}(?:元|补贴|资助|奖励)|(?:补贴|资助|收费|赔偿)标准|"
        r"(?:费|收费|租金|押金|价格?)[^，,。？?]{0,10}?(?:收|交|付|缴|是|为|要)多少(?![\u4e00-\u9fff]{0,2}(?:比例|倍|年|月|天|次|家|个|人))|"
        r"how much (?:money|is the fine|does it cost)|\bfined?\b|\bfines\b|\bcost\b|\bfees?\b|yuan|rmb", re.I), MONEY),
    AnswerKind("日期", re.compile(
        r"截止日期|截至日期|哪一天|几月几日|什么时候(?:开始|截止|申报|申请|施行|实施|生效)|(?:申报|印发|发布|施行|生效)(?:日期|时间)|"
        r"deadline|what date|when (?:does|did|will) .{0,40}(?:take effect|start|begin)", re.I), DATE),
    AnswerKind("联系方式", re.compile(r"电话号码|联系电话|热线(?:电话)?(?:是|号码)|电话是?多少|(?:哪个|什么)电话|邮箱|网址|地址在哪|"
                                  r"phone number|e-?mail|contact", re.I), CONTACT),
    AnswerKind("时间", re.compile(
        r"什么时候|何时|哪一?天|哪一?年|几月|日期|时间|多久|期限|几天|多少天|几个月|多少年|几年|"
        r"how long|how many (?:days|months|years|hours)|within how", re.I), TIME),
    AnswerKind("比例", re.compile(r"比例|百分之|税率|费率|利率|折扣|percent|\brate\b", re.I), RATIO),
    AnswerKind("数量", re.compile(r"多少|(?<!哪)几[个家项条人年名次天岁]|人数|数量|增长率|增速|比例|金额|how many|how much", re.I),
               COUNT),  # 哪几个 asks which
    # what support in money there is (有什么补贴 / 有没有奖励 / 资金方面的支持), not how much: 多少 asks a number above
    AnswerKind("资金支持", re.compile(r"补贴|补助|奖励|奖补|资助|奖金|贴息|津贴|资金(?:方面的?)?(?:支持|扶持)|扶持资金|"
                                  r"subsid|grant|reward|incentive", re.I), MONEY_SUPPORT),
)
KIND = {k.name: k for k in ANSWER_KINDS}


def asked_kinds(question: str) -> list[str]:
    """The kinds of fact the question asks for ('金额', '时间', '数量' …), most specific first: "罚多少钱"
    asks for an amount (and so a number), and a statement of the first kind answers it."""
    return [k.name for k in ANSWER_KINDS if k.asks.search(question)]


def asked_kind(question: str) -> AnswerKind | None:
    """The most specific kind of fact the question asks for, or None."""
    kinds = asked_kinds(question)
    return KIND[kinds[0]] if kinds else None
