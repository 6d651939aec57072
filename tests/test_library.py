"""A policy library of real files: versions and status, retrieval that prefers the text in force, filters
(including one that matches nothing), version answers, notices and multi-document citations."""
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from assistant.answering.answer import AnswerConfig, Assistant
from assistant.ingest.library import Library, supplemented
from assistant.records import METADATA
from assistant.retrieval.retrieve import Filters, Retriever
from assistant.store.knowledge import KnowledgeBase
from conftest import ROOT, XIONGAN, require_library
from fakes import BigramEmbedder

LIBRARY = require_library()  # absent: the module is skipped (locally) or fails (under CI)
OLD, NEW = "上海市优化营商环境条例(2020-04-10)", "上海市优化营商环境条例(2024-09-27)"
SME = "上海市促进中小企业发展条例(2018-05-24)"
SEED = "shanghai-online-new-economy-action-plan-2020-2022"
TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The seed plan and three regulations (two versions of one), copied as a user would add them."""
    folder = tmp_path_factory.mktemp("library")
    for name in (f"{OLD}.md", f"{NEW}.md", f"{SME}.md"):
        shutil.copy(LIBRARY / name, folder / name)
    for path in (ROOT / "corpus").iterdir():
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def index(corpus, tmp_path_factory):
    return KnowledgeBase(corpus, tmp_path_factory.mktemp("index"), BigramEmbedder()).sync()[0]


@pytest.fixture(scope="module")
def retriever(index):
    return Retriever(index, BigramEmbedder(), today=TODAY)


@pytest.fixture(scope="module")
def assistant(retriever):
    return Assistant(retriever, None, AnswerConfig(refusal_threshold=0.0))  # the fake embedder's scores are low


def test_status_of_each_document(retriever):
    library = retriever.library
    assert {d: library.status(d).label for d in library.documents} == {
        OLD: "已被新版本取代", NEW: "现行有效", SME: "现行有效", SEED: "已过期"}
    assert library.status(OLD).newer == NEW
    assert library.status(OLD).reason == "现行版本为《上海市优化营商环境条例》(2024-09-27)"
    assert library.status(SEED).reason == "实施期2020-2022年已结束"


def test_status_depends_on_the_day_and_a_sidecar_wins(index):
    earlier = Library(index.manifest["documents"], today=date(2021, 6, 1))
    assert earlier.status(SEED).label == "现行有效"  # the plan ran 2020-2022
    docs = json.loads(json.dumps(index.manifest["documents"]))
    docs[SME]["meta"]["status"] = "已废止"
    assert Library(docs, today=TODAY).status(SME).label == "已废止"


def test_superseded_versions_are_used_only_when_asked_for(retriever):
    assert OLD not in {h.chunk.doc_id for h in retriever.search("企业简易注销的公示期", 10)}
    asked = retriever.search("2020年版的条例对简易注销的公示期是怎么规定的", 10)
    assert {h.chunk.doc_id for h in asked} == {OLD}  # asked for, the old version is all there is
    assert {h.status for h in asked if h.chunk.doc_id == OLD} == {"已被新版本取代"}
    only_old = retriever.search("简易注销公示期", 5, Filters(status=("已被新版本取代",)))
    assert {h.chunk.doc_id for h in only_old} == {OLD}


def test_filters_by_kind_year_and_one_that_matches_nothing(retriever, assistant):
    assert {h.chunk.doc_id for h in retriever.search("专项资金", 10, Filters(years=(2018, 2018)))} == {SME}
    assert {h.chunk.doc_id for h in retriever.search("专项资金", 10, Filters(kind="行动方案"))} == {SEED}
    nothing = Filters(kind="办法")
    assert not retriever.matches_any(nothing) and retriever.search("专项资金", 10, nothing) == []
    answer = assistant.ask("专项资金用于哪些方面？", filters=nothing)
    assert answer.refused and answer.citations == [] and "筛选条件没有匹配任何文件" in answer.text


def test_is_it_still_in_force(assistant):
    answer = assistant.ask("上海市优化营商环境条例现在还有效吗？")
    assert answer.verified == METADATA and answer.text == (
        "《上海市优化营商环境条例》(2024-09-27)共有 2 个版本收录在知识库中：\n"
        "- 《上海市优化营商环境条例》(2024-09-27)：现行有效[1]\n"
        "- 《上海市优化营商环境条例》(2020-04-10)：已被新版本取代（现行版本为《上海市优化营商环境条例》(2024-09-27)）[2]")
    assert [(c.chunk.doc_id, c.chunk.path_str, c.status) for c in answer.citations] == [
        (NEW, "第一章 总则 > 第一条", "现行有效"), (OLD, "第一章 总则 > 第一条", "已被新版本取代")]


def test_what_changed_between_versions(assistant):
    answer = assistant.ask("优化营商环境条例新旧版本有什么变化？")
    first, *rest = answer.text.splitlines()
    assert first == ("《上海市优化营商环境条例》(2024-09-27)（现行有效）与《上海市优化营商环境条例》(2020-04-10)（已被新版本取代）"
                     "相比，按条文内容逐条比对：修改 61 条，新增 17 条，删除 0 条；另有 13 条内容未变、仅条文序号变动。")
    assert rest[2] == "1. 修改 第二十四条（原第二十三条）[5][6]"
    assert [(c.chunk.doc_id, c.status) for c in answer.citations[:2]] == [(NEW, "现行有效"), (OLD, "已被新版本取代")]


def test_an_answer_from_an_old_version_says_so_first(assistant):
    answer = assistant.ask("2020年版的优化营商环境条例对简易注销的公示期是怎么规定的？")
    assert answer.notice == ("注意：本回答依据的《上海市优化营商环境条例》(2020-04-10)已被新版本取代（现行版本为"
                             "《上海市优化营商环境条例》(2024-09-27)），以下内容仅供参考，请以现行规定为准。")
    assert answer.display_text.startswith(answer.notice + "\n\n")


def test_an_expired_plan_and_several_documents_are_named(assistant):
    answer = assistant.ask("生鲜电商有哪些支持措施？")
    assert answer.notice.startswith("注意：本回答依据的《上海市促进在线新经济发展行动方案(2020-2022年)》已过期（实施期2020-2022年已结束）")
    assert answer.documents == ["《上海市促进在线新经济发展行动方案(2020-2022年)》", "《上海市促进中小企业发展条例》(2018-05-24)"]
    assert answer.text.startswith("根据以下文件的相关规定（原文摘录）：\n- 《上海市促进在线新经济发展行动方案(2020-2022年)》7、")
    assert answer.display_text.endswith("依据文件：《上海市促进在线新经济发展行动方案(2020-2022年)》；《上海市促进中小企业发展条例》(2018-05-24)")
    cited = {c.chunk.doc_id: c.to_json() for c in answer.citations}
    assert cited[SME]["version"] == "2018-05-24" and cited[SME]["status"] == "现行有效"
    assert cited[SEED]["status"] == "已过期"


def test_a_question_that_is_not_about_a_document_is_no_version_question(assistant):
    assert assistant.versions.answer("营业执照过期了怎么办？", []) is None
    assert assistant.ask("营业执照过期了怎么办？").verified != METADATA


def test_a_change_question_about_one_subject_is_answered_with_the_changes_about_it(assistant, retriever):
    question = "2020年版和2024年版的优化营商环境条例，对简易注销的公示期有什么不同？"
    lines = assistant.versions.answer(question, retriever.search(question, 5)).text.splitlines()
    assert lines[2:5] == ["1. 修改 第四十八条（原第四十三条）[1][2]", "原：企业可以通过国家企业信用信息公示系统进行公告，公告时限为二十日。",
                          "现：企业应当将承诺书及注销登记申请通过国家企业信用信息公示系统公示，公示期为二十日。"]
    # a subject no changed article is about: the clauses of both versions answer it
    assert assistant.versions.answer("2020年版和2024年版的优化营商环境条例，对全社会研发经费占GDP比例的要求有什么不同？", []) is None
    changes = assistant.versions.answer("优化营商环境条例新旧版本有什么变化？", [])  # the list of changes, not a status
    assert not changes.refused and changes.text.splitlines()[0] == (
        "《上海市优化营商环境条例》(2024-09-27)（现行有效）与《上海市优化营商环境条例》(2020-04-10)（已被新版本取代）相比，"
        "按条文内容逐条比对：修改 61 条，新增 17 条，删除 0 条；另有 13 条内容未变、仅条文序号变动。")
    assert assistant.versions.answer("按现行的营商环境条例，简易注销要公示多少天？", []) is None  # 现行 as an adjective


def test_a_year_of_an_old_version_is_found_in_its_version_date(index):
    """"2020年版" pins a year that no article of that version states: its version date holds it."""
    from assistant.answering.extractive import neighbourhood
    from assistant.answering.refusal import Grounds, decide

    first = next(c for c in index.chunks if c.doc_id == OLD and c.item == "第一条")
    assert "2020" not in first.text and first.scope == "上海市优化营商环境条例(2020-04-10)"
    assert neighbourhood(first, 0).startswith("上海市优化营商环境条例(2020-04-10)\n")
    question = "2020年版的优化营商环境条例的立法目的是什么？"
    assert not decide(question, [f"{first.scope}\n{first.text}"], 0.9, 0.5, Grounds("2020")).refuse
    assert decide(question, [f"{first.title}\n{first.text}"], 0.9, 0.5, Grounds("2020")).reason == "相关条款中没有提到问题所问的“2020”"


def test_a_question_naming_two_version_years_is_answered_from_both_versions(retriever):
    """"2020年版和2024年版…有什么不同": the named versions come first, taking turns, so both are cited."""
    hits = retriever.search("2020年版和2024年版的优化营商环境条例，对简易注销的公示期有什么不同？", 5)
    assert [h.chunk.version[:4] for h in hits] == ["2020", "2024", "2020", "2024", "2020"]


def _manifest(*paths: Path) -> dict:
    from assistant.ingest.documents import load_document

    docs = [load_document(p) for p in paths]
    return {d.doc_id: {"title": d.title, "doc_number": d.doc_number, "meta": d.meta} for d in docs}


def test_a_document_repealed_by_a_later_one_is_no_longer_in_force_from_that_day():
    folder = require_library(XIONGAN)
    old, new = (next(folder.glob(f"{n}_*.md")) for n in ("152", "097"))
    docs = _manifest(old, new)  # 097: "原《河北雄安新区关于支持企业创新发展的若干措施》（雄安政字〔2021〕5号）同时废止"
    assert docs[old.stem]["doc_number"] == "雄安政字〔2021〕5号"
    assert docs[new.stem]["meta"]["repeals"] == [{"title": "河北雄安新区关于支持企业创新发展的若干措施",
                                                  "doc_number": "雄安政字〔2021〕5号"}]
    status = Library(docs, today=date(2023, 9, 1)).status(old.stem)
    assert (status.label, status.newer) == ("已废止", "")  # still searched, and flagged where it is cited
    assert status.reason == "《河北雄安新区管理委员会关于印发《河北雄安新区支持企业创新发展若干措施》的通知》规定废止"
    # before 097 was issued (2023-08-24) the 2021 measures ran their two years: 有效期2年 from 2021-02-10
    assert Library(docs, today=date(2022, 6, 1)).status(old.stem).label == "现行有效"
    assert Library(docs, today=date(2023, 6, 1)).status(old.stem).reason == "有效期至2023-02-09"
    assert Library(docs, today=date(2025, 8, 23)).status(new.stem).label == "现行有效"
    assert Library(docs, today=date(2025, 8, 24)).status(new.stem).reason == "有效期至2025-08-23"


def test_a_regulation_repealed_under_another_title_and_a_cited_number_is_not_the_documents_own():
    old, new = (LIBRARY / f"{n}.md" for n in ("上海市建筑节能条例(2010-09-17)", "上海市绿色建筑条例(2024-09-27)"))
    status = Library(_manifest(old, new), today=TODAY).status(old.stem)
    assert (status.label, status.reason) == ("已废止", "《上海市绿色建筑条例》(2024-09-27)规定废止")
    # "为…有序落实《河北雄安新区关于支持企业创新发展的若干措施》(雄安政字〔2021〕5号，以下简称…)": that is 152's number
    cites = next(require_library(XIONGAN).glob("143_*.md"))
    assert _manifest(cites)[cites.stem]["doc_number"] == ""


@pytest.mark.parametrize("text, years, repealed", [
    ("本办法自印发之日起执行，原《A管理办法》、《A管理办法补充规定》废止。", None, ["A管理办法", "A管理办法补充规定"]),
    ("…第二次修正的《上海市统计管理条例》同时废止。", None, ["上海市统计管理条例"]),
    ("原《B暂行办法》（雄安自贸组发〔2023〕1号）自本措施发布之日起废止。", None, ["B暂行办法"]),
    ("第十五条 本办法自发布之日起实施，有效期 2 年。", 2, []),
    ("本细则有效期三年（2025年至2028年）。", 3, []),
    ("（三）此条措施有效时间为自发布之日起执行，有效期一年。", None, []),  # one item's, not the document's
    ("高新技术企业资格证书有效期3年。", None, []),
])
def test_what_a_document_says_of_its_own_validity_and_of_the_documents_it_repeals(text, years, repealed):
    from assistant.ingest.metadata import infer

    meta = infer([text], text)
    assert meta.get("valid_years") == years
    assert [r["title"] for r in meta.get("repeals", [])] == repealed


@pytest.mark.parametrize("title, policy", [
    ("关于印发《承租非国有资产类经营用房企业租房补贴实施细则》补充规定的通知", "承租非国有资产类经营用房企业租房补贴实施细则"),
    ("关于印发《A管理办法补充规定》的通知", "A管理办法"),
    ("关于《B实施细则》的补充通知", "B实施细则"),
    ("关于补充申报2024年高新技术企业培育库的通知", ""),  # 补充申报: a second round, not a change to a policy
    ("上海市促进在线新经济发展行动方案(2020-2022年)", ""),
])
def test_the_policy_a_supplement_changes_is_read_from_its_title(title, policy):
    assert supplemented(title) == policy


def test_a_supplement_is_linked_to_the_notice_it_changes_which_stays_in_force():
    folder = require_library(XIONGAN)
    notice, supplement = (next(folder.glob(f"{n}_*.md")) for n in ("139", "138"))
    library = Library(_manifest(notice, supplement), today=TODAY)
    assert library.supplements(notice.stem) == [supplement.stem]  # 申报日期延长5个工作日；快递行业分公司可以申请
    assert library.supplements(supplement.stem) == []
    assert library.status(notice.stem).label == "现行有效"  # a supplement is no newer version
