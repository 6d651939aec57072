"""Measure cards and matching on the real seed document; a fake embedder keeps ranking tests fast."""
import csv
import io

import pytest

from assistant.ingest.chunking import chunk_document
from assistant.config import ChunkingConfig
from assistant.store.knowledge import KnowledgeBase
from assistant.answering.llm import ChatModel
from assistant.matching.cards import DIVISIONS, SECTIONS, build_cards, departments, industries, outline
from assistant.matching.export import to_csv, to_markdown
from assistant.matching.matcher import Company, Matcher, next_step
from assistant.retrieval.retrieve import Retriever
from fakes import BigramEmbedder

ITEM7_DEPTS = ("市商务委", "市经济信息化委", "市交通委", "市市场监管局")
TRANSPORT = [("8", ["快递", "邮政"]), ("1", ["航空", "仓储"]), ("7", ["仓储"])]  # the plan names no other transport words


@pytest.fixture(scope="module")
def cards(seed_doc):
    return build_cards(chunk_document(seed_doc, ChunkingConfig()))


@pytest.fixture(scope="module")
def matcher(tmp_path_factory):
    from conftest import ROOT

    emb = BigramEmbedder()
    index, _ = KnowledgeBase(ROOT / "corpus", tmp_path_factory.mktemp("index"), emb).sync()
    return Matcher(Retriever(index, emb))


def test_one_card_per_numbered_item(cards):
    assert [c.number for c in cards] == [str(n) for n in range(1, 24)]
    seven = cards[6]
    assert seven.label == "7、拓展生鲜电商零售业态"
    assert seven.heading == "拓展生鲜电商零售业态"
    assert seven.section == "二、聚焦发展重点"
    assert seven.departments == ITEM7_DEPTS
    assert seven.lead == "市商务委"
    assert seven.text.startswith("7、拓展生鲜电商零售业态。围绕生鲜、餐饮、农产品")
    assert seven.text.endswith("(责任部门:市商务委、市经济信息化委、市交通委、市市场监管局)")
    assert seven.reference == "《上海市促进在线新经济发展行动方案(2020-2022年)》（沪府办发〔2020〕1号） 二、聚焦发展重点 > 7、拓展生鲜电商零售业态"
    assert cards[22].departments == ("市经济信息化委", "市科委", "市发展改革委", "上海科创办")


def test_long_items_are_joined_from_their_pieces(seed_doc):
    chunks = chunk_document(seed_doc, ChunkingConfig(max_chars=100))
    cards = build_cards(chunks)
    assert len(cards) == 23
    eight = cards[7]
    assert len(eight.pieces) > 1
    for cid, start, at in eight.pieces:  # every piece sits at its own place in the card text
        chunk = next(c for c in chunks if c.id == cid)
        assert eight.text[at : at + len(chunk.text)] == chunk.text
        assert eight.offset(chunk.start + 3) == at + 3
    assert "保障 “最后一公里” 送达" in eight.text and eight.departments[0] == "市商务委"


def test_departments_and_outline(cards):
    depts = departments(cards)
    assert depts[0] == "市经济信息化委" and "市教委" in depts and len(depts) == len(set(depts))
    tree = outline(cards, "市教委")
    labels = [c.label for sections in tree.values() for items in sections.values() for c in items]
    assert labels == ["10、优化发展在线教育", "20、实行包容审慎监管"]
    assert sum(len(v) for s in outline(cards).values() for v in s.values()) == 23


def test_industries_are_the_standards_sections_the_library_names(cards):
    found = {ind.name: [cards[i].number for i in ind.cards] for ind in industries(cards)}
    assert list(found) == ["制造业", "信息传输、软件和信息技术服务业", "金融业", "文化、体育和娱乐业", "批发和零售业",
                           "交通运输、仓储和邮政业", "教育", "卫生和社会工作"]  # in the order the plan first names them
    assert found["批发和零售业"] == ["7"]
    assert found["金融业"] == ["4"]
    assert found["教育"] == ["10"]
    assert found["卫生和社会工作"] == ["12"]
    assert found["交通运输、仓储和邮政业"] == ["8"]
    assert "建筑业" not in found  # a section of the standard that no item speaks of is not offered
    assert industries(cards, {"航天": ("火箭",)}) == []


def test_every_industry_word_is_the_standards_own():
    """GB/T 4754-2017: each word is part of its section's name or of one of the division (or group) names kept."""
    assert set(SECTIONS) == set(DIVISIONS) and len(SECTIONS) == 18  # 20 sections less 公共管理… and 国际组织
    for section, words in SECTIONS.items():
        for w in words:
            assert any(w in name for name in (section, *DIVISIONS[section])), (section, w)


def test_next_step_names_the_lead_department(cards):
    assert next_step(cards[6]) == ("向市商务委咨询「拓展生鲜电商零售业态」的具体申报条件、支持方式和时间安排；"
                                   "涉及其他部门职责的，可同时联系市经济信息化委、市交通委、市市场监管局")


@pytest.mark.parametrize("company, top", [
    (Company("我们是一家生鲜电商企业，线上销售蔬菜水果，自建冷链仓储"), "7"),
    (Company("在线教育平台，提供职业技能培训课程", industry="教育"), "10"),
    (Company("互联网医院，开展在线复诊和健康咨询"), "12"),
    (Company("", industry="金融业"), "4"),
])
def test_ranking_puts_the_right_item_first(matcher, company, top):
    result = matcher.match(company, k=5)
    assert result.matches[0].card.number == top
    assert len(result.matches) == 5


def test_an_industry_alone_offers_only_the_items_that_share_its_words(matcher):
    result = matcher.match(Company("", industry="交通运输、仓储和邮政业"), k=5)
    assert [(m.card.number, m.terms) for m in result.matches] == TRANSPORT


def test_a_match_says_why(matcher):
    m = matcher.match(Company("我们是一家生鲜电商企业，做冷链仓储"), k=3).matches[0]
    assert m.card.number == "7"
    assert "生鲜电商" in m.terms and "冷链" in m.terms
    assert m.quote == ("支持企业提升生鲜产品周转数字化管理能力,发展制冷预冷、保温保鲜等技术,规模化布局冷链仓储设施,"
                       "建立产品流动和可溯源性信息平台,推进生鲜、农产品标准化建设,进一步提升食品安全。")
    assert m.card.text[m.quote_start : m.quote_end] == m.quote  # offsets into the item text, for highlighting
    assert m.next_step.startswith("向市商务委咨询")


def test_district_and_size_are_reported_honestly(matcher):
    result = matcher.match(Company("生鲜电商", size="小微企业", district="浦东新区"))
    expired = ("《上海市促进在线新经济发展行动方案(2020-2022年)》已过期（实施期2020-2022年已结束），其中的措施仅供参考，"
               "请向责任部门确认现行政策。")
    assert result.notices == ["与「小微企业」相关的表述见第22项（个体工商户、自由职业），已适当提前。",  # 22 speaks of 个体工商户
                              "所选区县「浦东新区」在现有文件中没有专门条款，以下为全市通用措施。", expired]
    named = matcher.match(Company("应用场景", district="临港新片区"))
    assert named.notices == ["提到「临港新片区」的条款：第14项，已适当提前；其余为通用措施。", expired]
    assert named.matches[0].card.number == "14"


def test_nothing_to_match_on_is_an_error(matcher):
    with pytest.raises(ValueError, match="业务描述"):
        matcher.match(Company("  "))
    result = matcher.match(Company("生鲜电商", industry="航空航天"))
    assert result.notices[0].startswith("现有文件中没有涉及「航空航天」行业的条目")


def test_exports(matcher):
    result = matcher.match(Company("生鲜电商", district="浦东新区"), k=3)
    md = to_markdown(result)
    assert "## 1. 7、拓展生鲜电商零售业态" in md and "> 所选区县「浦东新区」" in md and "下一步：向市商务委咨询" in md
    rows = list(csv.reader(io.StringIO(to_csv(result))))
    assert rows[0][:3] == ["排名", "条目", "标题"] and len(rows) == 4
    assert rows[1][1:3] == ["7", "拓展生鲜电商零售业态"] and rows[1][7] == "市商务委"


class Scripted(ChatModel):
    """A chat model that always says the same thing."""

    name = "scripted"

    def __init__(self, reply: str):
        self.reply = reply

    def stream(self, messages, *, max_tokens=None, temperature=None, stop=None, usage=None):
        yield self.reply


def test_llm_explanations_are_verified(matcher):
    company = Company("我们是一家生鲜电商企业")
    good = Scripted("该条款支持企业提升生鲜产品周转数字化管理能力，规模化布局冷链仓储设施[1]。")
    result = matcher.match(company, k=1, model=good)
    assert result.matches[0].explanation == "该条款支持企业提升生鲜产品周转数字化管理能力，规模化布局冷链仓储设施。"
    invented = Scripted("符合条件的企业可获得最高500万元补贴[1]。")
    result = matcher.match(company, k=1, model=invented)
    assert result.matches[0].explanation == ""
    assert result.notices == [  # the seed's period 2020-2022 is over: its measures are not offered as current
        "《上海市促进在线新经济发展行动方案(2020-2022年)》已过期（实施期2020-2022年已结束），其中的措施仅供参考，请向责任部门确认现行政策。",
        "第7项的模型说明未通过原文核验，已省略。"]


# --- two documents: the seed plan's numbered items and a regulation's articles ---------------------------------

SME = "上海市促进中小企业发展条例(2018-05-24).md"
SME_TITLE = "《上海市促进中小企业发展条例》"
INVENTED = "符合条件的企业可获得最高500万元补贴[1]。"
EXPIRED = ("《上海市促进在线新经济发展行动方案(2020-2022年)》已过期（实施期2020-2022年已结束），其中的措施仅供参考，"
           "请向责任部门确认现行政策。")


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory):
    """A matcher over the seed plan and one regulation of the library (skips outside CI when it is absent)."""
    from conftest import SEED, require_library

    library = require_library()
    where = tmp_path_factory.mktemp("two")
    (where / "c").mkdir()
    for source in (SEED, library / SME):
        (where / "c" / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    emb = BigramEmbedder()
    index, _ = KnowledgeBase(where / "c", where / "i", emb).sync()
    return Matcher(Retriever(index, emb))


@pytest.mark.parametrize("number, ordinal", [("7", "第7项"), ("7、", "第7项"), ("第四十三条", "第四十三条"),
                                             ("第三项", "第三项"), ("第十二条 ", "第十二条")])
def test_an_ordinal_is_never_doubled(cards, number, ordinal):
    from dataclasses import replace

    assert replace(cards[6], number=number).ordinal == ordinal


def test_notices_name_articles_once(two_documents):
    result = two_documents.match(Company("互联网医院创业，需要融资担保"), k=5, model=Scripted(INVENTED))
    assert [m.card.number for m in result.matches] == ["12", "第二十条", "第九条", "18", "第十八条"]
    assert result.notices == [EXPIRED, "第12项的模型说明未通过原文核验，已省略。",
                              f"{SME_TITLE}第二十条的模型说明未通过原文核验，已省略。",
                              f"{SME_TITLE}第九条的模型说明未通过原文核验，已省略。"]


def test_matches_are_numbered_in_the_order_shown(two_documents):
    import re

    from assistant.serving.render.matches import match_html

    html = match_html(two_documents.match(Company("互联网医院创业，需要融资担保"), k=5))
    shown = re.findall(r"<h3>(.*?)</h3>|<h4>(\d+)\. (.*?) <span", html)  # documents grouped, best match first
    assert [h or f"{n}. {label}" for h, n, label in shown] == [
        "《上海市促进在线新经济发展行动方案(2020-2022年)》", "1. 12、提升发展在线医疗", "2. 18、新型基础设施支撑行动",
        f"{SME_TITLE}(2018-05-24)", "3. 第二十条", "4. 第九条", "5. 第十八条"]


FRESH_SHOPS = "该条款支持线上建设网上超市、智慧微菜场，线下发展无人超市和智能售货机[1]。"
LIVE_SALES = "该条款鼓励开展直播电商、社交电商等智能营销新业态[1]。"
LIVE_STREAMER = Company("跨境直播电商企业，通过直播带货销售进口商品")


@pytest.mark.parametrize("reply, explanation, notice", [
    (FRESH_SHOPS, "", "第7项的模型说明与企业的业务无关，已省略。"),  # true of item 7, not about this company
    (LIVE_SALES, "该条款鼓励开展直播电商、社交电商等智能营销新业态。", None),
    (LIVE_SALES + FRESH_SHOPS.removeprefix("该条款支持"), "该条款鼓励开展直播电商、社交电商等智能营销新业态。", None),
])
def test_an_explanation_is_marked_verified_only_when_it_is_about_the_business(matcher, reply, explanation, notice):
    result = matcher.match(LIVE_STREAMER, k=1, model=Scripted(reply))
    assert [(m.card.number, m.terms, m.explanation) for m in result.matches] == [("7", ["电商", "直播"], explanation)]
    assert result.notices == [EXPIRED] + ([notice] if notice else [])
    marked = [line for line in to_markdown(result).splitlines() if "经原文核验" in line]
    assert marked == ([f"- 说明（经原文核验）：{explanation}"] if explanation else [])
