"""Tests for document loading, metadata, residue removal and text normalisation."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.ingest.documents import content_lines, is_residue, load_corpus, load_document
from assistant.errors import DocumentError, UnsupportedDocument
from assistant.normalize import find_normalized, normalize, normalize_with_offsets
from assistant.records import Document
from conftest import require_library
from fixtures.make_fixtures import DOCX_PARAGRAPHS, DOCX_SIGNATURE, DOCX_TABLE, GBK_TXT, PDF_LINES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "tests" / "fixtures" / "docs"
BAD = ROOT / "tests" / "fixtures" / "bad"
SEED = ROOT / "corpus" / "shanghai-online-new-economy-action-plan-2020-2022.txt"

HTML_CONTENT_LINES = [
    "某市关于支持青年人才安居的通知",
    "某府办发〔2022〕15号",
    "各区人民政府，市政府各委、办、局：",
    "为吸引青年人才来某市就业创业，经市政府同意，现就有关事项通知如下：",
    "一、对首次来某市工作的全日制本科毕业生，给予每月1500元租房补贴，期限最长3年。",
    "二、对博士研究生，给予一次性购房补贴最高30万元。（责任部门：市住房城乡建设局）",
    "三、申请人可登录“某市人才服务”平台在线提交材料。",
    "某市人民政府办公厅",
    "2022年6月1日",
]

HTML_RESIDUE_LINES = [
    "当前位置：首页 > 政策文件 > 正文",
    "【字体：大 中 小】",
    "打印本页 关闭窗口",
    "分享到：微信 微博",
    "上一篇：关于开展2022年度人才认定工作的通知",
    "下一篇：无",
    "评论前必须登录!",
    "网站地图 | 联系我们",
    "Copyright © 2022 某市人民政府办公厅 版权所有",
]

# What the fixture writer put in, as the loader must give it back: the DOCX paragraphs, its table's cells row by
# row and the signature, in document order; the PDF's lines.
DOCX_TEXT = "\n".join([*DOCX_PARAGRAPHS, *(cell for row in DOCX_TABLE for cell in row), *DOCX_SIGNATURE])
PDF_TEXT = "\n".join(PDF_LINES)

# file name → (title, doc_number, issuer or None, a phrase the text must contain)
GOOD_FIXTURES = {
    "smart-manufacturing-measures.txt":
        ("某市促进智能制造发展若干措施", "某府发〔2021〕8号", "某市人民政府", "按项目总投资的20%给予补助，最高500万元"),
    "public-data-open-measures.md":
        ("某市公共数据开放管理办法", "某府规〔2022〕3号", None, "开放数据集不少于3000个"),
    "youth-talent-housing-notice.html":
        ("某市关于支持青年人才安居的通知", "某府办发〔2022〕15号", "某市人民政府办公厅", "给予每月1500元租房补贴"),
    "elderly-care-subsidy-rules.docx":
        ("某市养老服务补贴实施细则", "某民发〔2023〕5号", "某市民政局", "每月发放护理补贴最高600元"),
    "rural-ecommerce-support.pdf":
        ("某县农村电商发展扶持办法", "某县政发〔2023〕2号", None, "奖励最高50万元"),
}

# file name → (error class, words the reason must contain)
BAD_FIXTURES = {
    "empty.txt": (DocumentError, "empty file"),
    "binary.txt": (DocumentError, "binary content"),
    "corrupt.pdf": (DocumentError, "corrupt or unreadable PDF"),
    "corrupt.docx": (DocumentError, "corrupt or unreadable DOCX"),
    "unsupported.xyz": (UnsupportedDocument, "unsupported file type '.xyz'"),
}


def _doc(text: str) -> Document:
    return Document(doc_id="t", source="t.txt", title="t", text=text)


# --- loading each fixture -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GOOD_FIXTURES))
def test_fixture_loads_with_expected_metadata(name: str) -> None:
    title, doc_number, issuer, phrase = GOOD_FIXTURES[name]
    doc = load_document(DOCS / name)
    assert doc.doc_id == Path(name).stem
    assert doc.source == name
    assert doc.title == title
    assert doc.meta["title"] == title
    assert doc.doc_number == doc_number
    assert doc.meta.get("issuer") == issuer
    assert phrase in doc.text
    assert len(doc.sha256) == 64


def test_gbk_text_decodes_exactly() -> None:
    assert (DOCS / "smart-manufacturing-measures.txt").read_bytes() == GBK_TXT.encode("gbk")
    assert load_document(DOCS / "smart-manufacturing-measures.txt").text == GBK_TXT


def test_short_gbk_text_is_not_mistaken_for_another_encoding(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_bytes("关于加强安全生产的通知".encode("gbk"))
    assert load_document(path).text == "关于加强安全生产的通知"


def test_big5_text_is_not_decoded_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_bytes("關於加強安全生產的通知，各單位應認真執行。".encode("big5"))
    assert load_document(path).text == "關於加強安全生產的通知，各單位應認真執行。"


def test_html_encoding_from_meta_and_wrapped_lines(tmp_path: Path) -> None:
    path = tmp_path / "notice.html"
    html = "<html><head><meta charset='gb2312'></head><body><p>关于加强\n  安全生产的通知 and\n more</p></body></html>"
    path.write_bytes(html.encode("gbk"))
    assert load_document(path).text == "关于加强安全生产的通知 and more"


def test_utf8_bom_is_dropped_and_newlines_unified(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes("\ufeff标题\r\n第一行\r第二行\n".encode())
    assert load_document(path).text == "标题\n第一行\n第二行\n"
    md = load_document(DOCS / "public-data-open-measures.md")
    assert md.text.startswith("# 某市公共数据开放管理办法\n\n某府规〔2022〕3号\n\n## 第一章 总则\n")


def test_html_drops_scripts_styles_nav_header_footer() -> None:
    text = load_document(DOCS / "youth-talent-housing-notice.html").text
    for gone in ("loginHint", "float", "政务公开", "主办单位", "ICP备", "_某市人民政府网"):
        assert gone not in text


def test_html_content_lines_keep_the_notice_and_drop_residue() -> None:
    doc = load_document(DOCS / "youth-talent-housing-notice.html")
    for residue in HTML_RESIDUE_LINES:
        assert residue in doc.text.split("\n")
    assert [line.text for line in content_lines(doc)] == HTML_CONTENT_LINES


def test_html_sidecar_adds_fields() -> None:
    assert load_document(DOCS / "youth-talent-housing-notice.html").meta["topic"] == "人才安居"


def test_docx_text_has_paragraphs_then_table_cells() -> None:
    assert load_document(DOCS / "elderly-care-subsidy-rules.docx").text == DOCX_TEXT


def test_pdf_text_is_extracted_exactly() -> None:
    assert load_document(DOCS / "rural-ecommerce-support.pdf").text == PDF_TEXT


def test_seed_metadata_comes_from_sidecar() -> None:
    doc = load_document(SEED)
    assert doc.doc_id == "shanghai-online-new-economy-action-plan-2020-2022"
    assert doc.title == "上海市促进在线新经济发展行动方案(2020-2022年)"
    assert doc.doc_number == "沪府办发〔2020〕1号"
    assert doc.meta["period"] == "2020-2022年"
    assert doc.meta["issuer"] is None
    assert doc.text == SEED.read_text(encoding="utf-8")


def test_seed_metadata_inferred_without_sidecar(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    doc = load_document(tmp_path / SEED.name)
    assert doc.meta == {"title": "上海市促进在线新经济发展行动方案(2020-2022年)",
                        "doc_number": "沪府办发〔2020〕1号", "period": "2020-2022年", "kind": "行动方案",
                        "region": "上海市"}


@pytest.mark.parametrize("name, expected", [
    ("上海市优化营商环境条例(2024-09-27).md", {
        "title": "上海市优化营商环境条例", "kind": "条例", "region": "上海市", "adopted": "2020-04-10",
        "issuer": "上海市人民代表大会常务委员会", "amended": ["2021-10-28", "2023-11-22", "2024-09-27"],
        "version": "2024-09-27"}),
    ("上海市优化营商环境条例(2020-04-10).md", {
        "title": "上海市优化营商环境条例", "kind": "条例", "version": "2020-04-10", "adopted": "2020-04-10"}),
    ("上海市检验检测条例.md", {  # no date in the name: the version is the adoption date its header states
        "title": "上海市检验检测条例", "adopted": "2016-11-11", "version": "2016-11-11", "effective": "2017-01-01"}),
    ("上海市出租汽车管理条例.md", {  # no history lines at all: no version, nothing guessed
        "title": "上海市出租汽车管理条例", "effective": "1995-09-01"}),
])
def test_regulation_metadata_from_header_and_file_name(name, expected) -> None:
    meta = load_document(require_library() / name).meta
    assert {k: meta.get(k) for k in expected} == expected
    if "adopted" not in expected:
        assert "version" not in meta and "adopted" not in meta and "issuer" not in meta


def test_seed_content_lines_drop_only_the_trailing_residue() -> None:
    doc = load_document(SEED)
    all_lines = [line.strip() for line in doc.text.split("\n") if line.strip()]
    assert all_lines[-2:] == ["评论前必须登录!", "注册"]
    assert [line.text for line in content_lines(doc)] == all_lines[:-2]
    assert len(all_lines) == 41


# --- metadata ---------------------------------------------------------------------------------------


def test_sidecar_overrides_inferred_fields(tmp_path: Path) -> None:
    (tmp_path / "plan.txt").write_text("推断标题\n(甲发〔2020〕1号)\n正文。\n", encoding="utf-8")
    (tmp_path / "plan.txt.meta.json").write_text(
        json.dumps({"title": "覆盖标题", "doc_number": "乙发[2021]2号", "extra": 1}, ensure_ascii=False),
        encoding="utf-8")
    doc = load_document(tmp_path / "plan.txt")
    assert doc.title == "覆盖标题"
    assert doc.meta == {"title": "覆盖标题", "doc_number": "乙发[2021]2号", "extra": 1}


def test_bad_sidecar_names_the_sidecar(tmp_path: Path) -> None:
    (tmp_path / "plan.txt").write_text("标题\n", encoding="utf-8")
    (tmp_path / "plan.txt.meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"plan\.txt\.meta\.json: unreadable metadata sidecar"):
        load_document(tmp_path / "plan.txt")


@pytest.mark.parametrize("head, number", [
    ("国务院关于印发某某规划的通知\n国发〔2019〕12号\n", "国发〔2019〕12号"),
    ("某某办法\n沪府办发[2020]1号\n", "沪府办发[2020]1号"),
    ("某某办法\n（京政发［2018］第3号）\n", "京政发［2018］第3号"),
    ("某某办法\n苏政办发（2021）45号\n", "苏政办发（2021）45号"),
])
def test_doc_number_forms(tmp_path: Path, head: str, number: str) -> None:
    (tmp_path / "d.txt").write_text(head + "正文。\n", encoding="utf-8")
    assert load_document(tmp_path / "d.txt").doc_number == number


def test_doc_number_only_searched_near_the_top(tmp_path: Path) -> None:
    body = "标题\n" + "正文。\n" * 6 + "依据国发〔2019〕12号文件。\n"
    (tmp_path / "d.txt").write_text(body, encoding="utf-8")
    assert "doc_number" not in load_document(tmp_path / "d.txt").meta


# --- residue --------------------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "评论前必须登录!", "注册", "登录 | 注册", "【字体：大 中 小】", "【字号：大 中 小】", "分享到：微信 微博",
    "上一篇：关于开展2022年度人才认定工作的通知", "下一篇：无", "打印本页 关闭窗口", "返回顶部", "扫一扫",
    "浏览次数：1234", "点击数：56", "责任编辑：张三", "Copyright © 2020 某市人民政府 版权所有",
    "沪ICP备12345678号", "网站地图 | 联系我们", "相关链接：", "附件下载：", "技术支持：某某科技有限公司",
    "首页 > 政策文件 > 正文", "请登录后发表评论", "收藏", "微信 微博 QQ空间",
])
def test_residue_lines(line: str) -> None:
    assert is_residue(line)
    assert [l.text for l in content_lines(_doc(f"正文第一段。\n{line}\n正文第二段。"))] == ["正文第一段。", "正文第二段。"]


@pytest.mark.parametrize("line", [
    "上海市人民政府办公厅", "2020年4月8日", "一、明确指导思想和行动目标", "(一)指导思想", "## 第一章 总则",
    "第一条 为规范公共数据开放，制定本办法。", "(沪府办发〔2020〕1号)", "(四)统一登录入口", "(三)ICP备案管理",
    "市民可登录平台留言反映诉求。", "(五)加强技术支持", "2020-04-08",
    "推广统一身份认证,实现企业和群众办事一次登录、全网通办,减少重复注册,提升用户评论反馈和分享渠道的便利度。",
])
def test_content_lines_that_look_a_bit_like_residue_survive(line: str) -> None:
    assert not is_residue(line)
    assert [l.text for l in content_lines(_doc(f"{line}\n评论前必须登录!\n注册"))] == [line]


def test_long_line_mentioning_ui_words_is_content() -> None:
    line = "上一篇：" + "关于进一步优化营商环境加快建设现代化经济体系若干措施的实施意见的政策解读材料"
    assert len(line) > 40
    assert not is_residue(line)


# --- offsets ------------------------------------------------------------------------------------


ALL_GOOD_FILES = [*(DOCS / name for name in sorted(GOOD_FIXTURES)), SEED]


@pytest.mark.parametrize("path", ALL_GOOD_FILES, ids=lambda p: p.name)
def test_line_offsets_point_into_text(path: Path) -> None:
    doc = load_document(path)
    lines = content_lines(doc)
    assert lines
    for line in lines:
        assert doc.text[line.start:line.end] == line.text
        assert line.text == line.text.strip() and line.text


def test_line_offsets_skip_surrounding_whitespace() -> None:
    doc = _doc("  标题 \n\n\u3000\u3000第一条 内容。\t\n")
    assert [(l.start, l.end, l.text) for l in content_lines(doc)] == [(2, 4, "标题"), (9, 16, "第一条 内容。")]


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BAD_FIXTURES))
def test_bad_file_raises_error_naming_the_file(name: str) -> None:
    error_class, reason = BAD_FIXTURES[name]
    with pytest.raises(DocumentError) as info:
        load_document(BAD / name)
    assert type(info.value) is error_class
    assert name in str(info.value)
    assert reason in info.value.reason


@pytest.mark.parametrize("name, cause, message", [
    ("corrupt.pdf", "pypdf.errors.PdfStreamError", "Stream has ended unexpectedly"),
    ("corrupt.docx", "builtins.KeyError", "\"There is no item named '[Content_Types].xml' in the archive\""),
])
def test_corrupt_files_chain_the_library_error(name: str, cause: str, message: str) -> None:
    with pytest.raises(DocumentError) as info:
        load_document(BAD / name)
    chained = info.value.__cause__
    assert f"{type(chained).__module__}.{type(chained).__qualname__}" == cause and str(chained) == message


def test_whitespace_only_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "blank.md").write_text(" \n\u3000\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="blank.md: no text found"):
        load_document(tmp_path / "blank.md")


# --- corpus ---------------------------------------------------------------------------------------


def test_fixture_corpus_loads_cleanly() -> None:
    docs, errors = load_corpus(DOCS)
    assert errors == []
    assert [d.doc_id for d in docs] == sorted(Path(n).stem for n in GOOD_FIXTURES)


def test_real_corpus_loads_cleanly() -> None:
    docs, errors = load_corpus(ROOT / "corpus")
    assert errors == []
    assert [d.doc_id for d in docs] == ["shanghai-online-new-economy-action-plan-2020-2022"]


def test_corpus_with_good_and_bad_files(tmp_path: Path) -> None:
    shutil.copytree(DOCS, tmp_path / "good")
    shutil.copytree(BAD, tmp_path / "bad")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "README.md").write_text("说明文件，不是文档。\n", encoding="utf-8")
    (tmp_path / "notes.meta.json").write_text("{}", encoding="utf-8")
    docs, errors = load_corpus(tmp_path)
    assert [d.doc_id for d in docs] == sorted(Path(n).stem for n in GOOD_FIXTURES)
    assert sorted(Path(e.path).name for e in errors) == sorted(BAD_FIXTURES)
    assert [type(e) for e in errors if Path(e.path).name == "unsupported.xyz"] == [UnsupportedDocument]


def test_duplicate_doc_ids_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "plan.txt").write_text("标题一\n", encoding="utf-8")
    (tmp_path / "plan.md").write_text("标题二\n", encoding="utf-8")
    docs, errors = load_corpus(tmp_path)
    assert [d.source for d in docs] == ["plan.txt"]
    assert [Path(e.path).name for e in errors] == ["plan.md"]
    assert "duplicate doc_id 'plan'" in errors[0].reason


# --- normalisation --------------------------------------------------------------------------------


def test_normalize_full_width_case_and_whitespace() -> None:
    assert normalize("（责任部门：市科委）") == "(责任部门:市科委)"
    assert normalize(" ＡＢｃ\u3000d\n，２０２０") == "abcd,2020"
    assert normalize("") == ""


def test_normalize_with_offsets_maps_back_to_source() -> None:
    assert normalize_with_offsets("（ A ）") == ("(a)", [0, 2, 4])
    assert normalize_with_offsets("ａ\u3000，b") == ("a,b", [0, 2, 3])


def test_find_normalized_returns_original_offsets() -> None:
    haystack = "项目。（责任部门：市科委）"
    assert find_normalized("(责任部门:市科委)", haystack) == (3, 13)
    assert haystack[3:13] == "（责任部门：市科委）"
    assert find_normalized("责任 部门", "（责任部门：市科委）") == (1, 5)
    assert find_normalized("市发改委", haystack) is None
    assert find_normalized(" \n", haystack) is None


def test_find_normalized_in_gbk_fixture() -> None:
    doc = load_document(DOCS / "smart-manufacturing-measures.txt")
    span = find_normalized("(责任部门:市经济信息化局、市财政局)", doc.text)
    assert span is not None
    assert doc.text[span[0]:span[1]] == "（责任部门：市经济信息化局、市财政局）"


def test_canonical_numbers_write_every_number_one_way() -> None:
    from assistant.normalize import canonical_numbers
    assert canonical_numbers("提前三十日") == canonical_numbers("提前30天") == "提前30日"
    assert canonical_numbers("处三万元以上三十万元以下") == canonical_numbers("处3万元以上30万元以下") \
        == "处30000元以上300000元以下"
    assert canonical_numbers("百分之五，千分之五，1.5万元，二〇二五年一月一日") == "5%,5‰,15000元,2025年1月1日"
    assert canonical_numbers("统一规划，一律禁止，一次，每户限养三条，第一条，一年") == "统一规划,一律禁止,一次,每户限养3条,第1条,1年"


@pytest.mark.parametrize("title, body, region", [
    ("关于开展雄安新区专精特新企业认定的通知", "雄安新区各企业：…新区…", "雄安新区"),  # not 开展雄安新区
    ("《关于服务承接非首都功能疏解培育和支持雄安新区企业挂牌上市的 实施意见》的通知", "雄安新区企业挂牌上市…挂牌上市", "雄安新区"),
    ("上海市技术市场条例", "本市技术市场…上海市", "上海市"),  # not 技术市
    ("上海市城市道路管理条例", "本市城市道路…", "上海市"),  # not 市城市 (the name need not be in the body)
    ("上海市市级预算审查监督规定", "上海市人民代表大会…市级预算", "上海市"),
    ("上海市授予荣誉市民称号规定", "上海市荣誉市民", "上海市"),  # a tie: the first named
    ("上海市民兵预备役工作条例", "上海市民兵", "上海市"),
    ("关于协请做好新区传统产业抗疫纾困转型升级贷款贴息工作的函", "关于协请做好新区传统产业…", ""),  # a verb: no name
    ("关于征集专利技术需求的通知", "新区企业…", ""),
])
def test_the_region_a_title_names_is_a_place_not_a_word_ending_in_shi_or_xinqu(title, body, region) -> None:
    from assistant.ingest.metadata import region_named
    assert region_named("", title, body) == region
