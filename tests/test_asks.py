"""What a question asks for: each pattern of assistant.asks tried on made-up paraphrases, positive and negative.

None of these questions is a question of eval/questions (the last test checks): a pattern that only knows the
wording of our own sets would pass here by luck alone.
"""
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant import asks, patterns
from assistant.answering.versions import Versions

QUESTION_SETS = Path(__file__).resolve().parents[1] / "eval" / "questions"

# pattern name → (question, whether the pattern finds what it asks for)
CASES = {
    "ASKS_VERSIONS": [
        ("旧版的办法是怎么写的？", True), ("修订前第十条怎么规定？", True), ("2019年版的细则里补贴多少？", True),
        ("2019 年版", True), ("老版里有这一条吗？", True), ("新旧两版有何变化？", True), ("以前的版本允许吗？", True),
        # any 版本 counts: a question about a version number is about versions, and lets old ones compete
        ("版本号在哪里看？", True),
        ("这部条例管哪些事？", False), ("2019年以后建的小区怎么办？", False), ("修改后的地址怎么登记？", False),
    ],
    "ASK_DOC_NUMBER": [
        ("这个通知的文号是多少？", True), ("发文字号在哪？", True), ("What is its document number?", True),
        ("门牌号是多少？", False), ("文件编号", False),
    ],
    "ASK_TITLE": [
        ("这个办法的全称是什么？", True), ("有没有管这件事的条例？叫什么？", True), ("条例的正式全称", True),
        ("文件名称是什么？", True), ("what is the title?", True),
        ("新版里“特困人员”改叫什么了？", False), ("这个平台叫什么？", False),  # a term or a thing in the document
    ],
    "ASK_PERIOD": [
        ("这个计划的实施期是哪几年？", True), ("有效期多长？", True), ("规划覆盖哪五年？", True),
        ("which years does it cover?", True),
        ("申请期内要交什么？", False), ("多少年可以续租？", False),
    ],
    "ASK_ISSUER": [
        ("这个通知是谁印发的？", True), ("是由谁发布的？", True), ("这个办法是哪个部门制定的？", True),
        ("发文机关是哪里？", True), ("《绿化办法》由谁签发？", True), ("who issued it?", True),
        ("高温预警是谁发布的？", False), ("营业执照由谁签发？", False),  # who issues a thing the document governs
        ("谁来负责垃圾清运？", False),  # who is responsible: a department question
    ],
    "ASK_OUTLINE": [
        ("这个规划分哪几大部分？", True), ("全文由几章组成？", True), ("整体结构是怎样的？", True),
        ("第二部分下设哪几个小节？", True), ("有哪些章节？", True), ("What are the sections of the plan?", True),
        ("这一部分讲了什么？", False), ("申请人需要几个人签字？", False),
    ],
    "ASK_DEPTS": [
        ("第5项由谁负责？", True), ("谁来负责垃圾清运？", True), ("牵头部门是哪个？", True), ("哪几个部门参与？", True),
        ("which department leads it?", True),
        ("是由谁发布的？", False),  # who issued the document: an issuer question
        ("谁来审批？", False), ("负责人是谁？", False),
    ],
    "ASK_ITEMS": [
        ("市卫健委牵头哪些任务？", True), ("市民政局承担哪项工作？", True), ("涉及哪些方面？", True),
        ("Which items does it lead?", True),
        ("申请表在哪里下载？", False), ("补贴标准是多少？", False),
    ],
    "ITEM_NUMBER": [
        ("第十二项由谁负责？", True), ("第3条怎么说？", True), ("4、那一项是谁牵头？", True), ("item 7", True),
        ("3.5、", False), ("第一百项", False), ("2021年的第二批", False),
    ],
    "ASKS_DOCUMENT": [
        ("哪部条例管这个？", True), ("有无专门的条例？", True), ("依据的是什么？", True), ("这归哪管？", True),
        ("有什么规定？", True), ("Which regulation applies?", True),
        ("条例第几条写了罚款？", False), ("规定的期限是几天？", False), ("有没有人管？", False),
    ],
    "ASKS_COMMENCEMENT": [
        ("办法从哪天开始施行？", True), ("这个条例什么时候生效？", True), ("施行日期是哪天？", True),
        ("通知的有效期到哪年？", True), ("When does it take effect?", True),
        ("什么时候开始报名？", False), ("执行标准是什么？", False), ("有效期多长？", False),
    ],
    "ASKS_CONSEQUENCE": [
        ("乱倒垃圾会怎样？", True), ("不按规定登记会被罚吗？", True), ("要承担什么法律责任？", True),
        ("What is the penalty?", True),
        ("办理流程是什么？", False), ("怎么申请补贴？", False),
    ],
    "ASK_CHANGES": [
        ("新旧版本有何变化？", True), ("修改了哪些内容？", True), ("两版有什么不同？", True), ("改动大吗？", True),
        ("和以前的差异", True), ("这次修订了哪些条款？", True), ("新版作了哪些修改？", True),
        ("怎么申请？", False), ("申请人要满足什么条件？", False),
    ],
    "ASK_REVISED": [
        ("关于政务服务改了什么", True), ("2024年修改了哪些内容？", True), ("这次修订了哪些条款？", True),
        ("两种补贴有什么区别？", False), ("价格有什么变化？", False),
    ],
    "ASK_STATUS": [
        ("这个办法还有效吗？", True), ("这部条例废止了吗", True), ("哪一版是现行的？", True), ("最新的版本是哪个", True),
        ("有几个版本？", True), ("是否仍然有效", True),
        ("按现行的规定要交几份材料？", False), ("现行标准是什么？", False),  # 现行 as an adjective
        ("有效期多长？", False),
    ],
    "ABOUT_A_DOCUMENT": [
        ("条例还有效吗？", True), ("新版怎么写的？", True),
        ("驾照过期了怎么补？", False), ("身份证失效了吗？", False),
    ],
    "FOLLOWUP": [
        ("那申报材料呢？", True), ("还有别的补贴吗", True), ("上述补助怎么领？", True), ("What about the deadline?", True),
        ("养老机构的床位补贴是多少？", False), ("怎么办理居住证？", False),
    ],
    "ANAPHOR": [
        ("这些补贴找哪个窗口申请？", True), ("上述规定适用于外地企业吗？", True), ("该项由哪个局牵头？", True),
        ("它们的期限是多久？", True), ("此项奖励能叠加吗？", True),
        ("应该找哪个窗口？", False), ("此外还有什么要求？", False), ("其他企业能申请吗？", False),
        ("投资100万元以上的项目怎么备案？", False),  # 以上 after a quantity: "or more"
    ],
    "SINGULAR": [
        ("这项奖励", True), ("该条款的期限", True), ("此项补助", True),
        ("这些奖励", False), ("它们的期限", False), ("上述补助", False),
    ],
    "PART_END": [
        ("能带宠物进公园吗？带了怎么处理？", True), ("申请条件是什么，另外要交什么材料", True),
        ("公园几点关门", False), ("外地企业和本地企业都能申请吗", False),
    ],
}


@pytest.mark.parametrize("name, question, expected",
                         [(n, q, e) for n, cases in CASES.items() for q, e in cases],
                         ids=[f"{n}-{q}" for n, cases in CASES.items() for q, _ in cases])
def test_each_pattern_on_made_up_paraphrases(name, question, expected):
    assert bool(getattr(asks, name).search(question)) is expected


def test_who_is_responsible_asks_for_departments_and_who_issued_it_for_the_issuer():
    assert asks.ASK_DEPTS.search("谁来负责垃圾清运？") and not asks.ASK_ISSUER.search("谁来负责垃圾清运？")
    assert asks.ASK_ISSUER.search("是由谁发布的？") and not asks.ASK_DEPTS.search("是由谁发布的？")


def test_the_item_number_is_read_in_any_of_its_three_writings():
    groups = [asks.ITEM_NUMBER.search(q).groups() for q in ("第十二项由谁负责？", "4、那一项是谁牵头？", "item 7")]
    assert groups == [("十二", None, None), (None, "4", None), (None, None, "7")]


def test_a_year_is_four_digits_of_their_own():
    assert asks.YEAR.findall("1998年和2016年的两版") == ["1998", "2016"]
    assert asks.YEAR.findall("按2023版执行") == ["2023"]
    assert asks.YEAR.findall("电话12019号") == [] and asks.YEAR.findall("20190号") == []


KIND_CASES = [
    ("闯红灯要罚多少钱？", ["金额", "数量"]),
    ("热线电话是多少？", ["联系方式", "数量"]),
    ("截止日期是哪天？", ["日期", "时间"]),
    ("什么时候开始申报？", ["日期", "时间"]),
    ("我打电话投诉噪音后，城管多长时间内要来处理？", ["时间"]),  # 打电话 asks for no contact
    ("要等几天？", ["时间", "数量"]),
    ("税率是多少？", ["比例", "数量"]),
    ("有几个名额？", ["数量"]),
    ("How much water may a household use per month?", ["数量"]),  # how much, not money
    ("how many days in advance?", ["时间", "数量"]),
    ("推荐表交给哪个部门？谁来审定？", []),
    ("哪几个区可以申请？", []),  # 哪几个 asks which, not how many
    ("需要哪些材料？", []),
    ("购买新能源汽车有没有补贴？", ["资金支持"]),  # what support in money there is
    ("初创企业能拿到哪些资金方面的支持？", ["资金支持"]),
    ("最高补贴多少万元？", ["金额", "数量", "资金支持"]),  # how much: the amount first
    ("Is there a subsidy for buying an electric car?", ["资金支持"]),
    ("认定为示范基地后奖励多少？", ["金额", "数量", "资金支持"]),  # how much money, not any number
    ("被评为优秀专员能拿多少奖金？", ["金额", "数量", "资金支持"]),  # 多少奖金 / 多少补助: money, as 多少补贴
    ("每人能领多少补助？", ["金额", "数量", "资金支持"]),
    ("停车费每小时最多能收多少？", ["金额", "数量"]),  # the fee named before 多少
    ("押金要交多少？", ["金额", "数量"]),
    ("办证费用要多少天？", ["时间", "数量"]),  # how long, though a fee is named
    ("有问题打哪个电话？", ["联系方式"]),
    ("房租补贴补多少个月？", ["数量", "资金支持"]),  # how many months
    ("贷款贴息比例是多少？", ["比例", "数量", "资金支持"]),
]


@pytest.mark.parametrize("question, kinds", KIND_CASES, ids=[q for q, _ in KIND_CASES])
def test_the_kinds_of_fact_a_question_asks_for(question, kinds):
    assert asks.asked_kinds(question) == kinds


def test_the_most_specific_kind_carries_the_shape_of_its_statement():
    assert asks.asked_kind("闯红灯要罚多少钱？").value is patterns.MONEY
    assert asks.asked_kind("热线电话是多少？").value is patterns.CONTACT
    assert asks.asked_kind("需要哪些材料？") is None
    assert asks.asked_kind("购买新能源汽车有没有补贴？").value is patterns.MONEY_SUPPORT
    assert patterns.MONEY_SUPPORT.search("采取奖励、资助、贷款贴息、购买服务等方式")
    assert not patterns.MONEY_SUPPORT.search("推进智能网联汽车商业化场景应用")


# A change question against a document title: does it name a subject besides the document (then the changes
# about it answer), or only the document (then every change does)? The title's region is dropped however the
# question writes it, for any region.
CONTENT_CASES = [
    ("上海市河道管理条例", "上海市的河道管理条例新旧对比", ""),
    ("上海市河道管理条例", "上海河道管理条例修订前后有什么区别？", ""),
    ("江苏省河道管理条例", "江苏省的河道管理条例新旧对比", ""),
    ("江苏省河道管理条例", "江苏河道管理条例修订前后有什么区别？", ""),
    ("江苏省河道管理条例", "江苏省河道管理条例对夜间施工时段的规定有什么不同？", "夜间施工时段"),
    ("广西壮族自治区河道管理条例", "广西壮族自治区的河道管理条例新旧对比", ""),
    ("河道管理条例", "河道管理条例2019年版和2024年版有什么变化？", ""),
    ("河道管理条例", "河道管理条例对采砂许可的要求有什么变化？", "采砂许可"),
    ("上海市河道管理条例", "关于河道保洁改了什么", "河道保洁"),
    ("上海市河道管理条例", "河道管理条例2024年修改了哪些内容？", ""),
    ("上海市河道管理条例", "上海市河道管理条例新旧两版有何不同？", ""),
]


@pytest.mark.parametrize("title, question, topic", CONTENT_CASES, ids=[q for _, q, _ in CONTENT_CASES])
def test_change_words_leave_the_subject_whatever_the_region(title, question, topic):
    versions = Versions([], SimpleNamespace(title=lambda doc_id: title))
    assert versions._topic(question, "doc", "") == topic


def test_no_test_question_is_a_question_of_our_sets():
    rows = [json.loads(line) for path in sorted(QUESTION_SETS.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sets = [row["question"] for row in rows if "question" in row]  # the eligibility sets hold companies, not questions
    assert len(sets) > 100
    ours = ([q for cases in CASES.values() for q, _ in cases] + [q for q, _ in KIND_CASES]
            + [q for _, q, _ in CONTENT_CASES])
    # a test question that is a set's question, or a long part of one; a short ask ("有效期多长？") is a phrase of
    # many questions, not a copy of one
    copied = [q for q in ours if any(q.rstrip("？?。 ") in s for s in sets if len(q.rstrip("？?。 ")) >= 8 or q == s)]
    assert not copied, f"questions of eval/questions used as test cases: {copied}"
