"""Verification with crafted answers: every fact must be in a cited source."""
from assistant.answering.verify import bigram_support, facts, is_refusal, material_citations, verify

SOURCES = [
    "7、拓展生鲜电商零售业态。推动传统零售和渠道电商整合资源。(责任部门:市商务委、市经济信息化委、市交通委、市市场监管局)",
    "2、加快发展工业互联网。建设20个具有全国影响力的工业互联网平台。",
]


def test_supported_answer_is_kept_verbatim():
    v = verify("方案提出推动传统零售和渠道电商整合资源[1]。将建设20个工业互联网平台[2]。", SOURCES)
    assert v.text == "方案提出推动传统零售和渠道电商整合资源[1]。将建设20个工业互联网平台[2]。"
    assert v.dropped == [] and v.cited == [1, 2]


def test_invented_number_is_caught():
    v = verify("将建设20个工业互联网平台[2]。企业最高可获得500万元补贴[2]。", SOURCES)
    assert v.text == "将建设20个工业互联网平台[2]。"
    assert v.dropped == [("企业最高可获得500万元补贴。", "原文中找不到：500万元")]


def test_number_found_in_no_source_is_caught():
    v = verify("将建设30个工业互联网平台[2]。", SOURCES)
    assert v.text == "" and not v.supported
    assert v.dropped[0][1] == "原文中找不到：30个"


def test_wrong_department_is_caught():
    v = verify("责任部门包括市商务委和市发展改革委[1]。", SOURCES)
    assert v.dropped == [("责任部门包括市商务委和市发展改革委。", "原文中找不到：市发展改革委")]


def test_citation_to_nonexistent_source_removed():
    v = verify("推动传统零售和渠道电商整合资源[1][7]。详见[5]。", SOURCES)
    assert v.text == "推动传统零售和渠道电商整合资源[1]。"
    assert "删除了不存在的引用 [7]" in v.notes and "删除了不存在的引用 [5]" in v.notes


def test_unsupported_wording_dropped_and_uncited_sentence_attributed():
    v = verify("上海将全面取消出租车牌照管理。推动传统零售和渠道电商整合资源。", SOURCES)
    assert v.text == "推动传统零售和渠道电商整合资源。[1]"
    assert v.dropped[0][0] == "上海将全面取消出租车牌照管理。"


def test_leading_citation_moves_to_the_end():
    v = verify("[2] 建设20个具有全国影响力的工业互联网平台。", SOURCES)
    assert v.text == "建设20个具有全国影响力的工业互联网平台。[2]"


def test_facts_and_support_helpers():
    assert facts("建设100家以上无人工厂，到2022年末，沪府办发〔2020〕1号，由市科委负责[3]") == [
        "沪府办发〔2020〕1号", "100家", "2022年", "市科委"]
    # content chars 建设20平台 ("个" is a stop char): bigrams 建设 设2 20 0平 平台, all but 0平 found
    assert bigram_support("建设20个平台", "建设20个具有全国影响力的工业互联网平台") == 0.8
    assert bigram_support("取消牌照", SOURCES[0]) == 0.0
    assert is_refusal("文件未涉及该问题。") and not is_refusal("方案提出建设20个平台。")


def test_wrong_pointer_is_corrected_when_another_source_supports_the_sentence():
    v = verify("将建设20个具有全国影响力的工业互联网平台[1]。", SOURCES)
    assert v.text == "将建设20个具有全国影响力的工业互联网平台。[2]"
    assert v.notes == ["更正了引用：「将建设20个具有全国影响力的工业互联网平…」出自[2]，而非[1]"]


def test_markers_after_a_line_break_close_the_previous_sentence():
    v = verify("推动传统零售和渠道电商整合资源。\n[1]建设20个具有全国影响力的工业互联网平台。[2]", SOURCES)
    assert v.text == "推动传统零售和渠道电商整合资源。[1]建设20个具有全国影响力的工业互联网平台。[2]"


def test_correction_note_names_each_wrong_pointer_once():
    v = verify("将建设20个具有全国影响力的工业互联网平台[1]，打造平台[1]。", SOURCES)
    assert v.notes == ["更正了引用：「将建设20个具有全国影响力的工业互联网平…」出自[2]，而非[1]"]


def test_claim_must_come_from_where_the_source_names_the_asked_year():
    source = "2020年中国电影市场总票房为44.8亿美元。受疫情影响较大。观众人次明显下降。影院复工后逐步恢复。2021年的数据见另文。"
    claim = "2021年中国电影市场总票房为44.8亿美元[1]。"
    v = verify(claim, [source], required=["2021"])
    assert v.kept == [] and v.dropped == [("2021年中国电影市场总票房为44.8亿美元。", "所引原文此处没有问题所问的2021")]
    # the same claim about the year the source states is kept
    assert verify("2020年中国电影市场总票房为44.8亿美元[1]。", [source], required=["2020"]).kept
    # without the pin the claim passes: "2021年" and "44.8亿美元" are each somewhere in the source
    assert verify(claim, [source]).kept == ["2021年中国电影市场总票房为44.8亿美元。"]


def test_claim_about_another_year_than_the_one_asked_is_dropped():
    source = "宝马集团2022年全球销量为240万辆，2021年为252万辆。"
    v = verify("宝马集团2022年全球销量为240万辆[1]。", [source], required=["2021"])
    assert v.kept == [] and v.dropped[0][1] == "回答说的是2022年，问题问的是2021年"
    assert verify("宝马集团2021年全球销量为252万辆[1]。", [source], required=["2021"]).kept


def test_any_government_body_is_checked_against_the_cited_text():
    from assistant.answering.verify import bodies, verify

    assert bodies("由财政部会同工业和信息化部、上海科创办负责，各部门全部完成布局，举办活动，市人民政府批准。") == [
        "财政部", "息化部", "科创办", "市人民政府"]  # not 部门, 全部, 布局, 举办
    source = ["第五条 市人民政府应当加强领导，会同工业和信息化部推进。市财政局负责资金保障。"]
    assert verify("市人民政府应当加强领导[1]。", source).kept == ["市人民政府应当加强领导。"]
    assert verify("工业和信息化部负责推进[1]。", source).kept == ["工业和信息化部负责推进。"]
    assert verify("财政部负责资金保障[1]。", source).dropped == [("财政部负责资金保障。", "原文中找不到：财政部")]
    assert verify("区人民政府应当加强领导[1]。", source).dropped[0][1] == "原文中找不到：区人民政府"


def test_numbers_are_compared_by_value_in_any_script():
    source = ["劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同。罚款三万元以上三十万元以下。"]
    v = verify("劳动者应当提前30天书面通知用人单位[1]。可处3万元以上30万元以下罚款[1]。", source)
    assert v.dropped == [] and v.cited == [1]
    v = verify("劳动者应当提前130天书面通知用人单位[1]。", source)
    assert v.dropped == [("劳动者应当提前130天书面通知用人单位。", "原文中找不到：130天")]


def test_source_named_in_words_becomes_its_citation():
    v = verify("根据资料2，将建设20个工业互联网平台。", SOURCES)
    assert v.text == "将建设20个工业互联网平台。[2]" and v.cited == [2] and v.dropped == []
    v = verify("按照资料1中的规定，推动传统零售和渠道电商整合资源[1]。", SOURCES)
    assert v.text == "推动传统零售和渠道电商整合资源[1]。"
    assert material_citations("申请人需提交资料2份。") == "申请人需提交资料2份。"


def test_article_number_may_come_from_the_clause_label_the_model_saw():
    source = ["因特殊情况需要将遗体运出本市的，应当经市民政部门批准。"]
    answer = "依据第十八条，遗体运出本市应当经市民政部门批准[1]。"
    assert verify(answer, source).dropped == [("依据第十八条，遗体运出本市应当经市民政部门批准。", "原文中找不到：十八条")]
    v = verify(answer, source, labels=["上海市殡葬管理条例 2024-08-22 第三章 殡殓活动 > 第十八条"])
    assert v.dropped == [] and v.cited == [1]


def test_a_department_is_read_to_its_closing_word():
    assert facts("应当经市民政部门批准") == ["市民政部门"]
    v = verify("遗体运出本市应当经市民政局批准[1]。", ["因特殊情况需要将遗体运出本市的，应当经市民政部门批准。"])
    assert v.dropped == [("遗体运出本市应当经市民政局批准。", "原文中找不到：市民政局")]
