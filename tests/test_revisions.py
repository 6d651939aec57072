"""Two versions of one regulation: articles aligned by content (numbers shift when articles are inserted), the
words changed, and the answer to "what changed" with the old and new wording cited to both versions."""
from datetime import date

import pytest

from assistant.ingest.revisions import ADDED, CHANGED, KEPT, REMOVED, align, articles, edits
from fakes import BigramEmbedder
from test_chunking import library_chunks, regulation_index

# Every regulation of the library with two versions (an undated file is the older text): (old file, new file) →
# old articles, new articles, 未改, 修改, 新增, 删除, renumbered (kept or changed under another number).
VERSIONS = {
    ("上海市中小学校学生伤害事故处理条例.md", "上海市中小学校学生伤害事故处理条例(2024-12-31).md"): (28, 26, 18, 7, 1, 3, 15),
    ("上海市人民代表大会常务委员会规范性文件备案审查条例(2021-05-21).md",
     "上海市人民代表大会常务委员会规范性文件备案审查条例(2024-11-28).md"): (38, 42, 22, 15, 5, 1, 30),
    ("上海市优化营商环境条例(2020-04-10).md", "上海市优化营商环境条例(2024-09-27).md"): (80, 97, 19, 61, 17, 0, 58),
    ("上海市住宅物业管理规定(2010-12-23).md", "上海市住宅物业管理规定(2020-12-30).md"): (95, 95, 81, 14, 0, 0, 0),
    ("上海市促进农业科技进步若干规定(2007-10-10).md", "上海市促进农业科技进步若干规定(2024-11-28).md"): (15, 21, 1, 6, 14, 8, 5),
    ("上海市实施《义务教育法》办法(2009-02-24).md", "上海市实施《义务教育法》办法(2024-09-27).md"): (52, 52, 23, 29, 0, 0, 0),
    ("上海市建设工程材料管理条例.md", "上海市建设工程材料管理条例(2024-12-31).md"): (35, 20, 4, 14, 2, 17, 15),
    ("上海市推进国际金融中心建设条例.md", "上海市推进国际金融中心建设条例(2024-08-22).md"): (39, 65, 2, 11, 52, 26, 11),
    ("上海市未成年人保护条例.md", "上海市未成年人保护条例(2024-12-31).md"): (56, 87, 0, 28, 59, 28, 27),
    ("上海市检验检测条例.md", "上海市检验检测条例(2024-12-31).md"): (48, 48, 40, 8, 0, 0, 0),
    ("上海市殡葬管理条例.md", "上海市殡葬管理条例(2024-08-22).md"): (31, 36, 9, 20, 7, 2, 25),
    ("上海市社会救助条例(2018-11-22).md", "上海市社会救助条例(2024-12-31).md"): (56, 56, 42, 14, 0, 0, 0),
    ("上海市科学技术进步条例(2010-09-17).md", "上海市科学技术进步条例(2024-05-10).md"): (49, 47, 0, 7, 40, 42, 6),
    ("上海市音像制品管理条例(2021-08-25).md", "上海市音像制品管理条例(2024-12-31).md"): (42, 40, 31, 8, 1, 3, 10),
}
OLD, NEW = "上海市优化营商环境条例(2020-04-10).md", "上海市优化营商环境条例(2024-09-27).md"


def revisions(old: str, new: str):
    return align(articles(library_chunks(old)), articles(library_chunks(new)))


@pytest.mark.parametrize("old, new", list(VERSIONS))
def test_every_article_of_both_versions_is_accounted_for(old, new):
    a, b = articles(library_chunks(old)), articles(library_chunks(new))
    found = align(a, b)
    assert sorted(r.old.number for r in found if r.old) == sorted(x.number for x in a)  # each old article once
    assert sorted(r.new.number for r in found if r.new) == sorted(x.number for x in b)  # each new article once
    counts = tuple(sum(r.kind == k for r in found) for k in (KEPT, CHANGED, ADDED, REMOVED))
    assert (len(a), len(b), *counts, sum(r.renumbered for r in found)) == VERSIONS[(old, new)]
    assert [r.new.number for r in found if r.new] == [x.number for x in b]  # listed in the new version's order


def test_renumbered_articles_are_paired_by_content():
    pairs = {(r.old.number if r.old else None): (r.new.number if r.new else None, r.kind) for r in revisions(OLD, NEW)}
    assert pairs["第二十二条"] == ("第二十二条", CHANGED)
    assert pairs["第二十三条"] == ("第二十四条", CHANGED)  # the 一网通办 article moved down by the inserted 第二十三条
    assert pairs["第二十九条"] == ("第三十条", KEPT)  # 好差评: same wording, new number
    assert pairs["第四十三条"] == ("第四十八条", CHANGED)  # 注销
    assert pairs["第七十三条"] == ("第九十条", CHANGED)
    assert pairs["第八十条"] == ("第九十七条", KEPT)
    added = [r.new.number for r in revisions(OLD, NEW) if r.kind == ADDED]
    assert added[:4] == ["第二十三条", "第三十五条", "第三十八条", "第三十九条"]


def test_changed_words_are_found_in_the_written_text():
    (r,) = [r for r in revisions("上海市社会救助条例(2018-11-22).md", "上海市社会救助条例(2024-12-31).md")
            if r.old.number == "第九条"]
    assert [(e.deleted, e.inserted) for e in edits(r.old.body, r.new.body)] == [
        ("低收入困难", "最低生活保障边缘"), ("支出型贫困", "刚性支出困难")]
    e = edits("应当占本市国内生产总值的百分之二点五以上；", "应当占本市国内生产总值的百分之四以上;")
    assert [(x.deleted, x.inserted, x.old_span, x.new_span) for x in e] == [("二点五", "四", (15, 18), (15, 16))]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from assistant.answering.answer import AnswerConfig, Assistant
    from assistant.retrieval.retrieve import Retriever

    emb = BigramEmbedder()
    index = regulation_index(NEW, tmp_path_factory.mktemp("versions"), emb, OLD)
    return Assistant(Retriever(index, emb, today=date(2026, 11, 30)), None, AnswerConfig(refusal_threshold=0.0))


HEAD = ("《上海市优化营商环境条例》(2024-09-27)（现行有效）与《上海市优化营商环境条例》(2020-04-10)（已被新版本取代）相比，"
        "按条文内容逐条比对：修改 61 条，新增 17 条，删除 0 条；另有 13 条内容未变、仅条文序号变动。")


@pytest.mark.parametrize("question", ["营商环境条例2024年修改了哪些内容？", "新旧版本有什么变化"])
def test_what_changed_lists_the_changes_with_both_wordings_cited_to_both_versions(assistant, question):
    answer = assistant.ask(question)
    assert not answer.refused and answer.verified == "metadata"
    lines = answer.text.splitlines()
    assert lines[:2] == [HEAD, "用语调整：多处将“市场主体”改为“企业等经营主体”（15 条，如第三条[1][2]）；"
                               "将“相关”改为“有关”（14 条，如第十七条[3][4]）；将“各类市场主体”改为“企业等经营主体”（4 条，如第三条[1][2]）。"]
    assert lines[3] == "1. 修改 第二十四条（原第二十三条）[5][6]"
    assert lines[4].startswith("原：本市建设全流程一体化在线政务服务平台（以下简称“一网通办”平台），推动线下和线上政务服务融合")
    assert "深化全流程一体化政务服务平台（以下简称“一网通办”平台）建设，推动线上和线下集成融合" in lines[5]
    assert lines[6].startswith("改动：…促进政务服务〔删：融合，整合公共数据资源，加强业务协同办理，优化政务服务流程……〕〔增：标准化、规范化、便利化〕。本市政…　…")
    assert lines[6].endswith("（共 8 处）")
    assert "4. 新增 第六十三条[11]：市级行政执法部门应当统筹规范本系统行政检查行为" in answer.text
    assert "另有 50 处修改、13 处新增未列出" in answer.text
    cited = [(c.n, c.chunk.path_str, c.chunk.version, c.status) for c in answer.citations[4:8]]
    assert cited == [(5, "第三章 政务服务 > 第二十四条", "2024-09-27", "现行有效"),
                     (6, "第三章 政务服务 > 第二十三条", "2020-04-10", "已被新版本取代"),
                     (7, "第三章 政务服务 > 第四十一条", "2024-09-27", "现行有效"),
                     (8, "第三章 政务服务 > 第三十七条", "2020-04-10", "已被新版本取代")]
    assert answer.citations[0].quote.startswith("优化营商环境应当坚持市场化、法治化、国际化原则，以企业等经营主体获得感为评价标准")
    assert answer.citations[1].quote.startswith("优化营商环境应当坚持市场化、法治化、国际化原则，以市场主体获得感为评价标准")
    assert answer.citations[5].quote == ("本市建设全流程一体化在线政务服务平台（以下简称“一网通办”平台），推动线下和线上政务服务融合，"
                                         "整合公共数据资源，加强业务协同办理，优化政务服务流程，推动市场主体办事线上一个总门户、一次登录、全网通办。")
    assert answer.citations[7].quote == "不动产登记机构办理不动产转移登记，实行一窗收件、当场缴税、当场发证、一次完成。"
    assert answer.citations[6].quote == ("不动产登记机构线下企业专区实行登记与缴税合并办理，以纳税人申报价格作为计税依据，"
                                         "当场计算契税应纳税款，企业可以当场缴税、当场领证。")


def test_changes_about_a_topic_are_filtered_to_it(assistant):
    answer = assistant.ask("关于政务服务改了什么")
    assert not answer.refused
    assert answer.text.splitlines()[0].startswith(
        "《上海市优化营商环境条例》(2024-09-27)（现行有效）与《上海市优化营商环境条例》(2020-04-10)（已被新版本取代）相比，"
        "关于“政务服务”的条文，按条文内容逐条比对：修改 21 条，新增 4 条，删除 0 条")
    assert "3. 新增 第三十五条[9]：本市推行企业年报多报合一。" in answer.text
    assert "第六十三条" not in answer.text  # 行政检查: not about 政务服务
    assert "另有 14 处修改未列出。" in answer.text


def test_a_year_no_version_has_is_said_and_the_versions_in_the_library_are_compared(assistant):
    answer = assistant.ask("营商环境条例2023年修改了哪些内容？")
    assert answer.text.splitlines()[:2] == ["知识库中没有2023年的版本，以下为现有版本的比较。", HEAD]


def test_an_item_number_that_starts_again_in_each_section_is_a_new_article():
    from assistant.records import Chunk

    def chunk(path, item, text, start):
        return Chunk(f"c{start}", "plan", "plan.txt", "方案", "", text, start, start + len(text), path, (), item)

    old = articles([chunk(("一、目标", "1."), "1", "1. 建成平台。", 0), chunk(("二、措施", "1."), "1", "1. 加大投入。", 20)])
    new = articles([chunk(("一、目标", "1."), "1", "1. 建成平台。", 0), chunk(("二、措施", "1."), "1", "1. 加大财政投入。", 20)])
    assert [a.text for a in old] == ["1. 建成平台。", "1. 加大投入。"]
    assert [r.kind for r in align(old, new)] == [KEPT, CHANGED]
