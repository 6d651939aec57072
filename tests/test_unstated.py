"""What the documents do not say (#25): a question about another place is refused; a clause about the subject that
does not state the asked quantity — another tier of its list, an amount left vague — is shown as related under
文件没有直接写明, never as the answer; and the answerable question of each shape is still answered.

Real clauses of the Xiong'an notices and the seed plan, indexed together with the real embedder; the questions
are written for these tests, not taken from the question sets.
"""
import shutil

import numpy as np
import pytest
from conftest import ROOT, XIONGAN, require_library

from assistant.answering.places import foreign_places, named_places, used_as_place
from assistant.answering.unstated import other_kind, other_rank, other_tier, tier_lists, unsaid, vague_amount
from assistant.records import NOT_STATED, REFUSED

NOTICES = ("022", "044", "060", "074", "087", "110", "131")  # 高端高新制造业 (智能工厂 tiers), 会展, 儿童友好 (科普基地
# 星级), 免申即享 list, 高层次人才 (雄创计划 一定金额), 工业诊断, 旅游…快递物流小微企业水电气补贴 (its kinds in its title)


def extractive(corpus, tmp_path_factory):
    """The assistant without a model over a folder, indexed with the real embedder."""
    from assistant.answering.answer import Assistant
    from assistant.retrieval.retrieve import Retriever
    from assistant.store.embedding import EmbedderConfig, make_embedder
    from assistant.store.knowledge import KnowledgeBase

    emb = make_embedder(EmbedderConfig())
    index, _ = KnowledgeBase(corpus, tmp_path_factory.mktemp("index"), emb).sync()
    return Assistant(Retriever(index, emb), None)


def assert_not_stated(answer, reason):
    """Shown as 文件没有直接写明 (related clauses, not refused), for this reason."""
    assert (answer.outcome, answer.refused, answer.notes[-1]) == ("not_stated", False, reason)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copytree(ROOT / "corpus", corpus, dirs_exist_ok=True)
    for prefix in NOTICES:
        shutil.copy(next(require_library(XIONGAN).glob(f"{prefix}_*.md")), corpus)
    return extractive(corpus, tmp_path_factory)


TIERS = "开展智能工厂梯度培育行动，对先进级、卓越级、领航级智能工厂分别给予 30 万、100 万、200 万元奖励。"


def test_a_list_of_tiers_is_read_with_its_head():
    assert tier_lists(TIERS) == [(("先进", "卓越", "领航"), "级")]
    assert tier_lists("对获得大型、中型无人驾驶航空器型号合格证的企业给予奖励") == [(("大型", "中型"), "无人")]
    assert tier_lists("主导国际标准、国家标准、行业标准制定的") == [(("国际", "国家", "行业"), "标准")]
    assert tier_lists("鼓励高校毕业生、退役军人来新区创业") == []  # items of unequal length are no tiers


def test_the_tier_asked_is_one_the_list_leaves_out_or_none():
    assert other_tier("被评为入门级智能工厂能奖多少？", TIERS) == ("入门级", ("先进级", "卓越级", "领航级"))
    assert other_tier("领航级智能工厂奖励多少钱？", TIERS) is None
    assert other_tier("每项奖多少钱？", "对一等奖、二等奖、三等奖分别奖励3万元、2万元、1万元") is None  # 每项 is no tier


def test_a_vague_amount_is_named_with_its_words():
    assert vague_amount("给予场租、搭建总费用的一定比例、给予活动资金扶持。") == "一定比例、给予活动资金"
    assert vague_amount("对于取得执业资格并在雄安执业的给予一定奖励。") == "一定奖励"
    assert vague_amount("支持标准为投入资金实际发生额的50%") == ""


def test_a_place_is_about_a_clause_when_its_document_governs_it_or_the_clause_names_it():
    hangzhou = "在杭州举办展览，主办方能拿多少奖励？"
    assert foreign_places(hangzhou, [("在雄安新区举办展览项目…奖励项目主办方10万元", ("雄安新区",))]) == ["杭州"]
    assert foreign_places(hangzhou, [("长三角城市杭州、宁波…", ("上海市",))]) == []
    assert foreign_places("上海的展览奖励多少？", [("展览奖励10万元", ("上海市", "上海市人民政府"))]) == []
    assert not used_as_place("买东西遇到商家欺诈能赔多少？", "东西")  # jieba's dictionary calls 东西 a place
    assert used_as_place("杭州的出租车拒载罚多少？", "杭州") and used_as_place("在深圳献血", "深圳")
    # jieba tags 唐山 as a person's name; 唐山市 is in its dictionary as a place
    assert named_places("唐山的工业企业设备受损能拿多少救助？") == ["唐山"] and named_places("王伟的公司能申请吗？") == []
    # a province-level name is a place wherever it stands; an unknown city or county after a locative is one too
    assert used_as_place("上海一家会计师事务所收入超过1000万元，上海给多少奖励？", "上海")
    assert named_places("在保定市竞秀区办医疗器械备案能当天办结吗？") == ["保定市"]
    assert named_places("在本市注册的企业能申请吗？") == [] and named_places("我们在某县开了分店") == []


def test_a_tier_named_by_rank_is_another_tier_when_the_clause_states_only_others():
    clause = "对于认定为五星级省级科普示范基地的，一次性给予20万元运营补助；四星级省级科普示范基地给予15万元。"
    assert other_rank("二星级省级科普示范基地能拿多少补助？", clause) == ("二星级", ("五星级", "四星级"))
    assert other_rank("四星级省级科普示范基地能拿多少补助？", clause) is None  # a stated tier
    assert other_rank("省级专精特新企业奖励多少？", "对认定为国家级专精特新小巨人的企业给予50万元奖励") == ("省级", ("国家级",))
    assert other_rank("省级科技型中小企业补助多少？", "省级财政给予科技型中小企业补助5万元") is None  # 省级 of something else
    assert other_rank("三级医院补助多少？", "对二级及以上医院给予补助") is None  # not a rank the question asks


def test_a_level_of_education_is_a_tier_of_a_talent_subsidy():
    clause = "引进的全职人才，每月按博士研究生4000元、硕士研究生2500元、本科毕业生1500元发放住房补贴。"
    assert other_rank("大专毕业生来工作，住房补贴每月多少？", clause) == ("大专毕业生", ("博士研究生", "硕士研究生", "本科毕业生"))
    assert other_rank("硕士毕业生的住房补贴每月多少？", clause) is None  # 硕士 is stated
    assert other_rank("硕士毕业生的住房补贴每月多少？", "本科及以上学历的毕业生每月补贴1500元") is None  # a range covers it


def test_a_size_is_a_tier_of_what_it_sizes():
    clause = ("通用航空器（有人）每次奖励1500万元，大型无人驾驶航空器每次奖励500万元，"
              "中型无人驾驶航空器每次奖励300万元。")  # the low-altitude measures of the Xiong'an library, each size alone
    assert other_rank("微型无人驾驶航空器取得合格证，每次奖励多少？", clause) == ("微型", ("大型", "中型"))
    assert other_rank("中型无人驾驶航空器取得合格证，每次奖励多少？", clause) is None  # a stated size
    assert other_rank("小型企业能拿多少补贴？", clause) is None  # sizes of aircraft, not of enterprises
    assert other_rank("小型企业能拿多少补贴？", "对中小微企业给予10万元补贴") is None  # 中小微 names no size alone


def test_an_amount_left_vague_is_judged_in_its_own_paragraph_and_an_item_number_is_no_amount(assistant):
    a = assistant.ask("雄创计划给人才团队的启动资金具体是多少钱？")  # "1.…给予一定金额的启动资金"; item 2 states amounts
    assert (a.outcome, a.refused) == ("not_stated", False)
    assert a.notes[-1] == "相关条款只写了“一定金额的启动资金”，没有写明具体金额"


def test_support_given_with_no_number_in_the_sentence_names_an_amount_it_does_not_state():
    assert vague_amount("入驻无装修环境办公空间的，给予装修补贴。") == "给予装修补贴"  # notice 087, as it is
    assert vague_amount("入驻无装修环境办公空间的，给予装修补贴10万元。") == ""
    assert vague_amount("按实际投入的百分之五十给予补贴。") == ""
    assert vague_amount("给予不高于房租五成的补贴。") == ""
    assert vague_amount("3.支持企业开展中试，给予企业“创新券”支持。") == "给予企业“创新券”支持"  # 3. is an item number


def test_a_kind_left_out_of_a_closed_list_of_kinds_is_another_kind():
    clause = "主营业务为旅游、文化、体育、交通运输、快递物流类小微企业，给予用水补贴"
    assert other_kind("餐饮类小微企业每家最多补多少？", clause) == (
        "餐饮类", ("旅游类", "文化类", "体育类", "交通运输类", "快递物流类"))
    assert other_kind("旅游类小微企业每家最多补多少？", clause) is None
    assert other_kind("企业主导制定一项团体标准，新区给多少资助？", "主导国际标准、国家标准制定的，给予资助") is None  # no 类


def test_a_title_naming_whom_it_supports_closes_the_list_of_kinds():
    title = "关于印发《旅游、文化、体育、交通运输、快递物流小微企业用水、用气、用电补贴实施细则》的通知"
    assert other_kind("住宿类小微企业每家最多补多少？", title) == (
        "住宿类", ("旅游类", "文化类", "体育类", "交通运输类", "快递物流类"))
    assert other_kind("快递物流类小微企业每家最多补多少？", title) is None


def test_a_kind_the_title_of_the_measure_leaves_out_is_not_stated_and_a_listed_one_is_answered(assistant):
    a = assistant.ask("住宿类小微企业的用水、用电、用气补贴，每家最多补多少？")  # the clauses state 5万元 for the listed kinds
    assert_not_stated(a, "相关条款只对旅游类、文化类、体育类、交通运输类、快递物流类作了规定，没有写“住宿类”")
    a = assistant.ask("快递物流类小微企业的用水、用电、用气补贴，每家最多补多少？")
    assert a.outcome == "answered" and "每家企业最高补贴5万元" in a.text


def test_a_tier_by_rank_in_a_real_clause_is_not_stated(assistant):
    a = assistant.ask("一星级省级科普示范基地的运营主体能拿多少运营补助？")
    assert (a.outcome, a.refused) == ("not_stated", False)
    assert a.notes[-1] == "相关条款只对五星级、四星级、三星级作了规定，没有写“一星级”"


def test_another_tier_is_not_stated_and_the_listed_one_is_answered(assistant):
    a = assistant.ask("被评为入门级智能工厂的企业能拿多少奖励？")
    assert (a.outcome, a.verified, a.refused) == ("not_stated", NOT_STATED, False)
    assert a.notes[-1] == "相关条款只对先进级、卓越级、领航级作了规定，没有写“入门级”"
    assert a.text.startswith("文件没有直接写明问题所问的内容（相关条款只对先进级")
    assert "以下条款与问题相关，仅供参考，并不是问题的答案" in a.text
    assert [c.chunk.doc_id[:4] for c in a.citations] == ["022_"]  # only the clause about 智能工厂 is shown
    assert a.to_json()["outcome"] == "not_stated"
    b = assistant.ask("被评为领航级智能工厂的企业能拿多少奖励？")
    assert b.outcome == "answered" and "200 万元" in b.text


def test_another_place_is_refused_and_the_documents_own_is_answered(assistant):
    a = assistant.ask("在北京举办展览，标准展位达到150个，主办方能拿多少奖励？")  # the notices name 北京 elsewhere
    assert (a.outcome, a.verified) == ("refused", REFUSED)
    assert a.notes == ["相关条款所在的文件不管辖“北京”，条款中也没有提到它"]
    b = assistant.ask("在雄安新区举办展览，标准展位达到150个，主办方能拿多少奖励？")
    assert b.outcome == "answered" and "10万元" in b.text
    c = assistant.ask("上海计划建设多少家无人工厂？")  # the seed plan's region is 上海市, in the same library
    assert c.outcome == "answered" and "100家" in c.text


def test_an_amount_left_vague_is_not_stated_and_a_stated_one_is_answered(assistant):
    a = assistant.ask("高端商业品牌在新区办大型新品发布活动，场租能补贴多少比例？")
    assert a.outcome == "not_stated" and a.notes[-1] == "相关条款只写了“一定比例、给予活动资金”，没有写明具体比例"
    b = assistant.ask("工业企业用了工业诊断报告后做了实际投资，资金支持按投入的多少比例给？")
    assert b.outcome == "answered" and "50%" in b.text


def test_the_first_of_a_series_is_stated_as_first_or_as_shou():
    from assistant.answering.refusal import pinned, says

    assert pinned("企业第一次被认定为骨干型能拿多少？") == ["第一次"]
    assert says("第一次", "对首次认定的，一次性给予200万元资金支持") and says("第一批", "首批四类产品")
    assert not says("第二批", "首批四类产品") and not says("第一次", "对三年期满重新认定通过的")


# ---------- a fine is not a fee (two regulations of the Shanghai library) ----------

@pytest.fixture(scope="module")
def regulations(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("regulations")
    for name in ("上海市养犬管理条例.md", "上海市消费者权益保护条例.md"):
        shutil.copy(require_library() / name, corpus)
    return extractive(corpus, tmp_path_factory)


def test_a_fine_does_not_state_a_fee_but_answers_a_question_about_the_penalty(regulations):
    a = regulations.ask("办理养犬登记，每只狗每年要交多少管理费？")  # the regulation sets fines, no fee
    assert_not_stated(a, "相关条款中没有写明问题所问的金额")
    a = regulations.ask("个人养狗不按规定登记，逾期不改正的，会被罚多少钱？")
    assert a.outcome == "answered" and "对个人处二百元以上一千元以下罚款" in a.text


def test_an_amount_set_as_a_multiple_of_the_price_is_an_amount(regulations):
    a = regulations.ask("商家卖东西有欺诈行为，增加赔偿的金额是多少？最少赔多少？")
    assert a.outcome == "answered"
    assert "增加赔偿的金额为消费者购买商品的价款或者接受服务的费用的三倍" in a.text
    assert "增加赔偿的金额不足五百元的，为五百元" in a.text


def test_an_amount_is_stated_in_yuan_or_as_a_multiple_or_share_of_a_base():
    from assistant.answering.refusal import missing_answer_type

    assert missing_answer_type("增加赔偿多少钱？", ["增加赔偿的金额为消费者购买商品的价款的三倍"]) == ""
    assert missing_answer_type("补贴多少钱？", ["补贴标准为实际投入的50%"]) == ""
    assert missing_answer_type("补贴多少钱？", ["按实际投入给予补贴"]) == "金额"
    assert missing_answer_type("养犬管理费每年交多少钱？", ["对个人处二百元以上一千元以下罚款"]) == "金额"  # a fine
    assert missing_answer_type("不登记要罚多少钱？", ["对个人处二百元以上一千元以下罚款"]) == ""


def test_a_question_for_a_contact_is_judged_on_the_other_sources_of_the_same_notice_too():
    from assistant.answering.refusal import judged_clauses, missing_answer_type
    from assistant.config import ChunkingConfig
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.documents import load_document
    from assistant.records import Hit

    def clauses(prefix):
        doc = load_document(next(require_library(XIONGAN).glob(f"{prefix}_*.md")))
        return [Hit(c, 1.0) for c in chunk_document(doc, ChunkingConfig())]

    notice, measures, fairs = clauses("034"), clauses("060"), clauses("044")  # 免申即享 of the 儿童友好 measures; the
    phone = next(h for h in notice if "政策咨询：0312-5620678" in h.chunk.text)  # measures themselves; 会展
    about, sources = [notice[0], measures[2]], [notice[0], phone, fairs[1]]
    question = "儿童友好奖励免申即享，有问题打哪个电话？"
    assert missing_answer_type(question, [h.chunk.text for h in about]) == "联系方式"
    judged = judged_clauses(question, about, sources)
    assert judged == [notice[0], measures[2], phone]  # not the 会展 clause: another document
    assert missing_answer_type(question, [h.chunk.text for h in judged]) == ""
    assert judged_clauses("儿童友好实践基地奖补多少？", about, sources) == about  # an amount: its own clauses only



def _clause(prefix: str, words: str):
    """The chunk of a real Xiong'an notice that holds `words`, as the indexer cuts it."""
    from assistant.config import ChunkingConfig
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.documents import load_document

    doc = load_document(next(require_library(XIONGAN).glob(f"{prefix}_*.md")))
    return next(c for c in chunk_document(doc, ChunkingConfig()) if words in c.text)


def test_the_sentence_naming_the_subject_decides_though_it_ranks_below_the_sources():
    question = "在雄安注册的低空经济企业租赁生产制造用房，能减免多少租金？"
    incubator = _clause("104", "1.5元/平方米/天")  # 在孵企业: a rent subsidy with its amount, for another subject
    low_altitude = _clause("062", "享受相应的租金减免政策")  # names the subject, leaves the amount vague
    scores = [np.ones(len(incubator.units))]  # the sources: the incubator notice alone, its sentences all near
    assert unsaid(question, [incubator], scores) == ("", None)
    assert unsaid(question, [incubator], scores, [incubator, low_altitude]) == (
        "相关条款只写了“相应的租金减免”，没有写明具体数量", low_altitude)
    # a question about the incubators' rent is about the sentence that states it
    asked = "孵化器里的在孵企业，办公用房租金每平方米每天补贴多少钱？"
    assert unsaid(asked, [incubator], scores, [incubator, low_altitude]) == ("", None)


def test_the_clause_a_not_stated_reason_quotes_is_shown_first_with_its_sentence_scores():
    from assistant.answering.refusal import quoting_first
    from assistant.records import Hit
    from assistant.retrieval.result import Retrieval

    incubator, low_altitude = _clause("104", "1.5元/平方米/天"), _clause("062", "享受相应的租金减免政策")
    others = [_clause("104", "企业基本信息"), _clause("104", "项目申报承诺书")]
    hits = [Hit(c, 1.0 - i / 10) for i, c in enumerate([incubator, *others, low_altitude])]
    rows = [np.full(len(h.chunk.units), i, dtype=np.float32) for i, h in enumerate(hits)]
    found = Retrieval("问", (), hits, hits, (1, 1), rows, True, None)
    shown, scores = quoting_first(found, hits[:3], low_altitude.id)
    assert [h.chunk for h in shown] == [low_altitude, incubator, others[0]]  # the last source makes room
    assert [float(s[0]) for s in scores] == [3.0, 0.0, 1.0]  # each keeps its own sentence scores
    assert quoting_first(found, hits[:3], incubator.id) == (hits[:3], rows[:3])  # already shown: unchanged
