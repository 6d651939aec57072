import re
from pathlib import Path

import pytest

from assistant.ingest.chunking import chunk_document, classify, parse_departments
from assistant.ingest.documents import load_document
from assistant.config import ChunkingConfig
from assistant.records import Document
from conftest import require_library

ITEM_TITLES = {
    1: "打造标杆性无人工厂", 7: "拓展生鲜电商零售业态", 8: "加速发展 “无接触” 配送", 13: "智能交互核心技术攻关行动",
    23: "建设在线新经济生态园",
}


@pytest.fixture(scope="module")
def chunks(seed_doc):
    return chunk_document(seed_doc, ChunkingConfig())


def item_chunks(chunks, n):
    return [c for c in chunks if c.item == str(n)]


def test_every_numbered_item_is_found_with_its_section(chunks):
    items = sorted({int(c.item) for c in chunks if c.item})
    assert items == list(range(1, 24))
    sections = {int(c.item): c.path[0] for c in chunks if c.item}
    assert {sections[i] for i in range(1, 13)} == {"二、聚焦发展重点"}
    assert {sections[i] for i in range(13, 19)} == {"三、实施专项行动"}
    assert {sections[i] for i in range(19, 24)} == {"四、落实保障措施"}


def test_item_path_and_departments_exact(chunks):
    (c7,) = item_chunks(chunks, 7)
    assert c7.path == ("二、聚焦发展重点", "7、拓展生鲜电商零售业态")
    assert c7.path_str == "二、聚焦发展重点 > 7、拓展生鲜电商零售业态"
    assert c7.departments == ("市商务委", "市经济信息化委", "市交通委", "市市场监管局")
    assert c7.title == "上海市促进在线新经济发展行动方案(2020-2022年)"
    assert c7.doc_number == "沪府办发〔2020〕1号"
    (c8,) = item_chunks(chunks, 8)
    assert c8.departments == ("市商务委", "市交通委", "市邮政管理局", "市房屋管理局", "市经济信息化委", "市发展改革委")
    (c21,) = item_chunks(chunks, 21)
    assert c21.departments == ("市府办公厅", "市经济信息化委")
    for n, title in ITEM_TITLES.items():
        assert item_chunks(chunks, n)[0].path[-1] == f"{n}、{title}"


def test_subsections_and_preamble(chunks, seed_doc):
    guide = [c for c in chunks if c.path == ("一、明确指导思想和行动目标", "(一)指导思想")]
    assert len(guide) == 1 and guide[0].text.startswith("以习近平新时代中国特色社会主义思想为指导")
    goals = [c for c in chunks if c.path == ("一、明确指导思想和行动目标", "(二)行动目标")]
    assert goals and "四个“100+”" in goals[0].text
    assert "——集聚 “100+” 创新型企业" in "".join(c.text for c in goals)
    pre = [c for c in chunks if c.path == ("前言",)]
    assert len(pre) == 1 and "(沪府办发〔2020〕1号)" in pre[0].text and "制订本行动方案" in pre[0].text


def test_offsets_point_into_the_source_and_residue_is_gone(chunks, seed_doc):
    for c in chunks:
        assert seed_doc.text[c.start : c.end] == c.text
        assert "评论前必须登录" not in c.text and not c.text.endswith("注册")
    closing = [c for c in chunks if c.text.startswith("支持各区、各开发区")]
    assert len(closing) == 1 and closing[0].item == "" and closing[0].departments == ()


def test_no_chunk_mixes_two_items(chunks):
    for c in chunks:
        starts = re.findall(r"(?m)^\d{1,2}、", c.text)
        assert len(starts) <= 1, c.text[:60]
        assert len(re.findall(r"责任部门", c.text)) <= 1


def test_long_item_is_split_at_sentence_ends_and_keeps_its_path(seed_doc):
    small = chunk_document(seed_doc, ChunkingConfig(max_chars=120))
    pieces = item_chunks(small, 12)
    assert len(pieces) >= 3
    assert all(len(p.text) <= 120 for p in pieces)
    assert all(p.text[-1] in "。；）)" for p in pieces)
    assert {p.path for p in pieces} == {("二、聚焦发展重点", "12、提升发展在线医疗")}
    assert {p.departments for p in pieces} == {("市卫生健康委", "市医保局", "市经济信息化委", "市药品监管局")}
    assert "".join(p.text for p in pieces) == seed_doc.text[pieces[0].start : pieces[-1].end]


def test_chunk_ids_are_stable(seed_doc, chunks):
    again = chunk_document(seed_doc, ChunkingConfig())
    assert [c.id for c in again] == [c.id for c in chunks]
    assert len({c.id for c in chunks}) == len(chunks)


def law(text: str, source: str = "law.txt") -> Document:
    return Document(doc_id="law", source=source, title="某条例", text=text, meta={})


def test_chapters_and_articles_of_a_regulation():
    text = ("某市数据条例\n第一章 总则\n第一条 为了促进数据利用，制定本条例。\n第二条 本条例适用于本市。\n"
            "第二章 数据资源\n第三条 市大数据中心负责公共数据归集。（牵头部门：市大数据中心、市网信办）\n")
    chunks = chunk_document(law(text), ChunkingConfig())
    by_item = {c.item: c for c in chunks if c.item}
    assert by_item["第一条"].path == ("第一章 总则", "第一条")
    assert by_item["第三条"].path[0] == "第二章 数据资源"
    assert by_item["第三条"].departments == ("市大数据中心", "市网信办")


def test_markdown_headings():
    text = "# 某市措施\n## 第一章 总则\n为推动发展，制定本措施。\n## 第二章 支持政策\n### 第五条 资金支持\n最高奖励500万元。\n"
    chunks = chunk_document(law(text, "m.md"), ChunkingConfig())
    paths = {c.text: c.path for c in chunks}
    assert paths["最高奖励500万元。"] == ("第二章 支持政策", "第五条 资金支持")  # the title is not a path element
    assert paths["为推动发展，制定本措施。"] == ("第一章 总则",)
    assert "某市措施" not in paths


def test_classify_and_departments_helpers():
    assert classify("(三)保障措施", False)[0] == "subsection"
    assert classify("（三）保障措施", False)[0] == "subsection"
    assert classify("3.5亿元用于补贴", False) is None
    assert classify("12. 推进数据开放。", False)[:2] == ("item", 40)
    assert parse_departments("做好工作。（责任单位：市住房城乡建设管理委，市规划资源局；各区政府）") == (
        "市住房城乡建设管理委", "市规划资源局", "各区政府")


# --- regulations of the library (real files, read in place) ---------------------------------------------

def library_chunks(name: str):
    return chunk_document(load_document(require_library() / name), ChunkingConfig())


def regulation_index(name: str, where: Path, embedder, *also: str):
    """An index of one regulation of the library (and of the files `also` names: its other versions), copied
    into `where`/c (skips outside CI when it is absent)."""
    from assistant.store.knowledge import KnowledgeBase

    library = require_library()
    (where / "c").mkdir()
    for n in (name, *also):
        (where / "c" / n).write_text((library / n).read_text(encoding="utf-8"), encoding="utf-8")
    index, _ = KnowledgeBase(where / "c", where / "i", embedder).sync()
    return index


def test_articles_of_a_regulation_nest_under_their_chapter():
    chunks = library_chunks("上海市促进中小企业发展条例(2018-05-24).md")
    by_item = {c.item: c for c in chunks}
    assert by_item["第七条"].path_str == "第二章 创业扶持 > 第七条"
    assert by_item["第十一条"].path_str == "第二章 创业扶持 > 第十一条"
    assert by_item["第十四条"].path_str == "第三章 资金支持 > 第十四条"
    assert by_item["第一条"].title == "上海市促进中小企业发展条例"
    assert all(not c.path or c.path[0] != "上海市促进中小企业发展条例" for c in chunks)


def test_items_of_an_article_stay_in_it_and_never_above_the_next_article():
    chunks = library_chunks("上海市优化营商环境条例(2024-09-27).md")
    (c96,) = [c for c in chunks if c.item == "第九十六条"]
    assert c96.path == ("第七章 法律责任", "第九十六条")
    assert "（一）违反“一网通办”工作要求，限定企业等经营主体办理渠道的；" in c96.text
    assert not any(p.startswith(("（", "(")) for c in chunks for p in c.path)


def test_adoption_history_is_metadata_not_content():
    chunks = library_chunks("上海市优化营商环境条例(2024-09-27).md")
    assert chunks[0].path_str == "第一章 总则 > 第一条"
    assert not any("常务委员会第二十次会议通过" in c.text or "INFO END" in c.text for c in chunks)


def test_structure_links_a_penalty_article_to_the_duty_it_cites_and_finds_scope_and_commencement():
    from assistant.retrieval.structure import Structure

    chunks = library_chunks("上海市养犬管理条例.md")
    structure = Structure(chunks)
    row = {c.item: i for i, c in enumerate(chunks)}
    duty = next(i for i, c in enumerate(chunks) if c.item == "第二十二条")
    penalties = {chunks[r].item for r in structure.linked(duty)}
    assert penalties == {"第四十三条"}  # "违反本条例第二十二条第一、二、三项规定的，…处二十元以上二百元以下罚款"
    assert {chunks[r].item for r in structure.linked(row["第四十四条"])} == {"第二十三条"}
    assert {chunks[r].item for r in structure.linked(row["第四十三条"])} == {"第二十二条"}
    scope = chunks[structure.scope_row(chunks[0].doc_id)]
    assert scope.item == "第二条" and "适用本条例" in scope.text
    # 第六十条 "本条例施行前已依法…办理养犬登记的，继续有效" mentions 施行 but is not the commencement clause
    assert chunks[structure.commencement_row(chunks[0].doc_id)].text == "第六十一条 本条例自2011年5月15日起施行。"
