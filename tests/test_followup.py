"""Follow-ups on the seed plan: "这些/上述/该/其/它们…" bind to the clauses the previous answer cited, in the web
chat (history of answers) and through the API (history of questions) alike."""
import pytest

from assistant.answering.answer import AnswerConfig, Assistant
from assistant.answering.followup import anaphor, rewrite_followup
from assistant.records import METADATA
from assistant.retrieval.retrieve import Retriever
from assistant.serving import service
from assistant.serving.api.schemas import history_of
from assistant.store.embedding import EmbedderConfig, make_embedder
from assistant.store.knowledge import KnowledgeBase

FOCUS = "二、聚焦发展重点 > "
ITEM3, ITEM7, ITEM8 = FOCUS + "3、推广远程办公模式", FOCUS + "7、拓展生鲜电商零售业态", FOCUS + "8、加速发展 “无接触” 配送"
ITEM10, ITEM12 = FOCUS + "10、优化发展在线教育", FOCUS + "12、提升发展在线医疗"
ITEM19, ITEM20 = "四、落实保障措施 > 19、加大统筹协调力度", "四、落实保障措施 > 20、实行包容审慎监管"
DEPTS = {
    ITEM3: "「3、推广远程办公模式」的责任部门为：市经济信息化委、市商务委、市科委",
    ITEM7: "「7、拓展生鲜电商零售业态」的责任部门为：市商务委、市经济信息化委、市交通委、市市场监管局",
    ITEM8: "「8、加速发展 “无接触” 配送」的责任部门为：市商务委、市交通委、市邮政管理局、市房屋管理局、市经济信息化委、市发展改革委",
    ITEM10: "「10、优化发展在线教育」的责任部门为：市教委、市人力资源社会保障局、市经济信息化委",
    ITEM12: "「12、提升发展在线医疗」的责任部门为：市卫生健康委、市医保局、市经济信息化委、市药品监管局",
    ITEM19: "「19、加大统筹协调力度」的责任部门为：市经济信息化委、市发展改革委、市商务委",
    ITEM20: "「20、实行包容审慎监管」的责任部门为：市经济信息化委、市发展改革委、市市场监管局、市卫生健康委、市教委、市司法局",
}


def departments_text(*items: str) -> str:
    return "\n".join(f"{DEPTS[item]}[{n}]。" for n, item in enumerate(items, start=1))


@pytest.fixture(scope="module")
def helper(tmp_path_factory):
    from conftest import ROOT

    emb = make_embedder(EmbedderConfig())
    index, _ = KnowledgeBase(ROOT / "corpus", tmp_path_factory.mktemp("index"), emb).sync()
    return Assistant(Retriever(index, emb), None, AnswerConfig())


def clauses(answer) -> list[str]:
    return [c.chunk.path_str for c in answer.citations]


def test_these_measures_are_the_cited_items_not_the_coordination_clause(helper):
    """Issue #23 item 2: the fresh-food answer cites item 7 (and item 19, which names 生鲜电商); "these measures"
    are those, item 7 first: its own departments, not only the coordination clause's."""
    first = helper.ask("生鲜电商有哪些支持措施？")
    assert clauses(first) == [ITEM7, ITEM19]
    follow = helper.ask("这些措施由哪些部门负责？", [first])
    assert follow.standalone_question == "生鲜电商有哪些支持措施，这些措施由哪些部门负责？"
    assert follow.text == departments_text(ITEM7, ITEM19) and follow.verified == METADATA
    assert clauses(follow) == [ITEM7, ITEM19]
    assert [c.quote for c in follow.citations] == ["(责任部门:市商务委、市经济信息化委、市交通委、市市场监管局)",
                                                   "(责任部门:市经济信息化委、市发展改革委、市商务委)"]


@pytest.mark.parametrize("first, follow, items", [
    ("在线教育有哪些支持措施？", "上述措施的牵头部门是谁？", (ITEM10, ITEM19)),
    ("远程办公有哪些支持？", "它们的责任部门有哪些？", (ITEM3, ITEM12)),
    ("远程办公有哪些支持？", "该项由谁负责", (ITEM3,)),  # one thing (该项/这条/它): the clause cited first
    ("无人配送和智能快递柜", "这些规定由哪些部门负责？", (ITEM8, ITEM7)),
    # the previous question named 市教委: the follow-up asks about the items listed, not 市教委's items again
    ("市教委负责哪些事项？", "这些事项由哪些部门牵头？", (ITEM10, ITEM20)),
])
def test_a_pointing_follow_up_gets_the_departments_of_each_cited_item(helper, first, follow, items):
    previous = helper.ask(first)
    assert tuple(dict.fromkeys(clauses(previous)))[: len(items)] == items
    a = helper.ask(follow, [previous])
    assert a.text == departments_text(*items) and clauses(a) == list(items)


def test_a_pointing_follow_up_is_answered_from_the_cited_clauses_first(helper):
    """"这些措施涉及哪些技术" alone finds 在线研发设计 and the 行动目标; after the remote-work answer it quotes the
    remote-work and online-medicine items that answer cited."""
    previous = helper.ask("远程办公有哪些支持？")
    assert clauses(previous) == [ITEM3, ITEM12]
    a = helper.ask("这些措施涉及哪些技术？", [previous])
    assert clauses(a) == [ITEM3, ITEM12]
    assert [h.chunk.path_str for h in a.hits[:2]] == [ITEM3, ITEM12]
    assert "“加快5G技术应用,提高远程办公效率。”[1]" in a.text


def test_a_follow_up_that_does_not_point_keeps_its_behaviour(helper):
    first = helper.ask("生鲜电商有哪些支持措施？")
    assert helper.ask("那责任部门呢？", [first]).text == departments_text(ITEM7)  # the first clause, as before
    assert rewrite_followup("市科委负责哪些事项？", [first]) == ("市科委负责哪些事项？", ())
    assert rewrite_followup("那责任部门呢？", [first])[1] == (first.citations[0].chunk,)
    assert [c.path_str for c in rewrite_followup("上述措施的牵头部门是谁？", [first])[1]] == [ITEM7, ITEM19]


def test_departments_bound_to_clauses_without_a_note_are_not_taken_from_elsewhere(helper):
    preamble = next(c for c in helper.retriever.chunks if c.path == ("前言",))
    hits = helper.retriever.search("生鲜电商有哪些支持措施，这些规定由哪些部门负责？", 5)
    assert helper.facts.answer("这些规定由哪些部门负责？", hits, (preamble,), bound=True) is None
    unbound = helper.facts.answer("这些规定由哪些部门负责？", hits, (preamble,))
    assert unbound is not None and unbound.text == departments_text(ITEM7)


@pytest.mark.parametrize("question, pointer", [
    ("这些措施由哪些部门负责？", "这些措施"), ("上述规定适用于哪些企业？", "上述规定"), ("该项由谁负责", "该项"),
    ("它们什么时候实施？", "它们"), ("其中提到的冷链有什么要求？", "其"), ("此项政策适用于谁？", "此项"),
    ("以上条款的原文是什么？", "以上条款"), ("前述任务由谁牵头？", "前述任务"),
    ("注册资本100万元以上的企业可以申请吗？", ""), ("应该找哪个部门？", ""), ("此外还有什么支持？", ""),
    ("其他城市有什么政策？", ""), ("因此需要什么材料？", ""), ("其它补贴有哪些？", ""), ("企业及其员工能申请吗？", ""),
    ("在线教育有哪些措施？其中哪些由市教委负责？", ""),  # 其中 points inside the question itself
])
def test_the_demonstratives_that_point_back_and_the_words_that_only_contain_one(question, pointer):
    assert anaphor(question) == pointer


def test_the_api_history_of_questions_binds_like_the_web_chat(helper):
    """The API is sent the earlier questions only: the one followed up is asked again, for what it cited."""
    web = helper.ask("这些措施由哪些部门负责？", [helper.ask("生鲜电商有哪些支持措施？")])
    api = service.ask(helper, "这些措施由哪些部门负责？", history_of(["生鲜电商有哪些支持措施？"]))
    assert api.text == web.text == departments_text(ITEM7, ITEM19)
    chain = history_of(["远程办公有哪些支持？", "这些措施涉及哪些技术？"])  # a follow-up of a follow-up
    assert service.ask(helper, "它们由哪些部门负责？", chain).text == departments_text(ITEM3, ITEM12)
