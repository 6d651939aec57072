"""The 问答 tab's 筛选条件: choices from the loaded library, and the tab's own chat function answering only from
the documents the filters allow (a filter that matches nothing is refused, never widened to all documents)."""
import argparse
import shutil
from datetime import date

import pytest

from assistant.answering.answer import AnswerConfig, Assistant
from assistant.retrieval.retrieve import Filters, Retriever
from assistant.serving.render import filters
from assistant.serving.service import Service
from assistant.store.knowledge import KnowledgeBase
from conftest import ROOT, require_library
from fakes import BigramEmbedder

LIBRARY = require_library()  # absent: the module is skipped (locally) or fails (under CI)
OLD, NEW = "上海市优化营商环境条例(2020-04-10)", "上海市优化营商环境条例(2024-09-27)"
SME = "上海市促进中小企业发展条例(2018-05-24)"
SEED = "shanghai-online-new-economy-action-plan-2020-2022"
ANY = filters.ANY
NONE = ([], ANY, ANY, [], ANY, ANY)  # docs, issuer, kind, statuses, year from, year to: nothing chosen


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """The seed plan and three regulations (two versions of one) in a temporary folder."""
    root = tmp_path_factory.mktemp("filters")
    (root / "corpus").mkdir()
    for name in (OLD, NEW, SME):
        shutil.copy(LIBRARY / f"{name}.md", root / "corpus" / f"{name}.md")
    for path in (ROOT / "corpus").iterdir():
        shutil.copy(path, root / "corpus" / path.name)
    kb = KnowledgeBase(root / "corpus", root / "index", BigramEmbedder())
    index, _ = kb.sync()
    retriever = Retriever(index, kb.embedder, today=date(2026, 11, 30))
    return Service(kb, Assistant(retriever, None, AnswerConfig(refusal_threshold=0.0)))  # fake embedder: low scores


@pytest.fixture(scope="module")
def chat(service, tmp_path_factory):
    """The 问答 tab's chat function, as the browser calls it: (question, past answers, *filter values)."""
    from assistant.serving.web.app import build_app

    options = argparse.Namespace(admin_token="", max_upload_mb=20.0, feedback_log=tmp_path_factory.mktemp("f") / "f.jsonl")
    demo = build_app(service, options)
    return next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "chat")


def answer(chat, question, *chosen):
    *_, (messages, panel, past, _) = chat(question, [], *chosen)
    return past[-1], messages[-1]["content"], panel


def test_choices_are_the_librarys_own(service):
    options = filters.filter_options(service.current.assistant.retriever.library)
    assert options == {
        "documents": [("《上海市优化营商环境条例》(2020-04-10)", OLD), ("《上海市优化营商环境条例》(2024-09-27)", NEW),
                      ("《上海市促进中小企业发展条例》(2018-05-24)", SME), ("《上海市促进在线新经济发展行动方案(2020-2022年)》", SEED)],
        "issuers": ["上海市人民代表大会常务委员会"],  # the seed plan does not state its issuer
        "kinds": ["条例", "行动方案"],
        "statuses": ["现行有效", "已被新版本取代", "已过期"],  # no document is 尚未生效
        "years": ["2018", "2020", "2024"],
    }


def test_controls_become_filters_and_a_line_that_says_so(service):
    library = service.current.assistant.retriever.library
    assert filters.qa_filters(*NONE) == Filters() and filters.filters_line(Filters(), library) == ""
    chosen = filters.qa_filters([SME, SEED], "上海市人民代表大会常务委员会", "条例", ["现行有效"], "2018", ANY)
    assert chosen == Filters(docs=(SME, SEED), issuer="上海市人民代表大会常务委员会", kind="条例", status=("现行有效",),
                             years=(2018, 9999))
    assert filters.filters_line(chosen, library) == (
        '<div class="filter-line">已按筛选条件检索：文件=《上海市促进中小企业发展条例》(2018-05-24)、'
        "《上海市促进在线新经济发展行动方案(2020-2022年)》；发文机关=上海市人民代表大会常务委员会；文件类型=条例；"
        "效力状态=现行有效；年份=2018 年起</div>")
    assert filters.filters_line(filters.qa_filters([], ANY, ANY, [], ANY, "2020"), library).endswith("年份=2020 年及以前</div>")
    assert filters.filters_line(filters.qa_filters([], ANY, ANY, [], "2020", "2020"), library).endswith("年份=2020</div>")


@pytest.mark.parametrize("chosen, cited", [
    (NONE, [SME, NEW]),  # unfiltered: two regulations in force (the superseded version stays out)
    (([], ANY, "条例", [], ANY, ANY), [SME, NEW]),
    (([], ANY, "行动方案", [], ANY, ANY), [SEED, SEED]),
    (([SME], ANY, ANY, [], ANY, ANY), [SME, SME]),
    (([], ANY, ANY, ["已被新版本取代"], ANY, ANY), [OLD, OLD, OLD]),
    (([], "上海市人民代表大会常务委员会", ANY, [], "2020", "2024"), [NEW, NEW, NEW]),
])
def test_the_chat_answers_only_from_the_filtered_documents(chat, chosen, cited):
    done, message, panel = answer(chat, "专项资金用于哪些方面？", *chosen)
    assert [c.chunk.doc_id for c in done.citations] == cited
    assert not done.refused and panel.count('class="src"') == len(cited)


def test_a_filter_that_matches_nothing_is_refused_not_widened(chat):
    done, message, panel = answer(chat, "专项资金用于哪些方面？", [], ANY, "条例", [], "2019", "2019")
    assert done.refused and done.citations == []
    assert done.text == "文件未涉及：现有文件中没有找到能回答该问题的规定（筛选条件没有匹配任何文件，请放宽或更换筛选条件）。"
    assert "筛选条件没有匹配任何文件" in message and "本轮回答没有引用条款" in panel
