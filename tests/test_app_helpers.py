"""The app's own helpers, without a server: file names, upload checks, rendering, the feedback log."""
import json
import threading

import pytest

from assistant.serving import service as app
from assistant.serving import uploads
from assistant.serving.render import answers
from assistant.ingest.chunking import chunk_document
from assistant.config import ChunkingConfig
from assistant.errors import DocumentError
from assistant.serving.feedback import read, record
from assistant.records import EXTRACTIVE, REFUSED, Answer, Citation


@pytest.mark.parametrize("name, safe", [
    ("青浦区补贴办法.txt", "青浦区补贴办法.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\boot.ini.md", "boot.ini.md"),
    (".hidden.TXT", "hidden.txt"),
    ("通知 (2024) 第1号 !.PDF", "通知_(2024)_第1号.pdf"),
    ("a/b/…….docx", "upload.docx"),
    ("no_suffix", "no_suffix"),
])
def test_safe_filename(name, safe):
    assert uploads.safe_filename(name) == safe


def test_upload_problems(tmp_path):
    empty, big, ok = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    empty.write_bytes(b"")
    big.write_bytes(b"x" * (2 * uploads.MB))
    ok.write_text("标题\n正文。", encoding="utf-8")
    assert uploads.upload_problem(ok, "setup.exe", 20).startswith("不支持的文件类型「.exe」")
    assert uploads.upload_problem(ok, "README", 20).startswith("不支持的文件类型「无扩展名」")
    assert uploads.upload_problem(empty, "a.txt", 20) == "文件是空的。"
    assert uploads.upload_problem(big, "b.txt", 1) == "文件过大（2.0 MB），上限为 1 MB。"
    assert uploads.upload_problem(ok, "c.txt", 20) == ""
    assert uploads.reason_cn(DocumentError("x.pdf", "corrupt or unreadable PDF: EOF")) == "PDF 文件已损坏或无法读取"
    assert uploads.reason_cn(DocumentError("x.txt", "something new")) == "无法读取文件（something new）"


@pytest.fixture(scope="module")
def item7(seed_doc):
    return next(c for c in chunk_document(seed_doc, ChunkingConfig()) if c.item == "7")


def answer_with(citation: Citation, text: str = "支持企业提升生鲜产品周转数字化管理能力[1]。") -> Answer:
    return Answer(question="生鲜电商有哪些支持措施？", text=text, citations=[citation], refused=False,
                  verified=EXTRACTIVE, backend="extractive", notes=["示例注释"])


def test_answer_message_links_citations_and_shows_status(item7):
    a = answer_with(Citation(1, item7, item7.start, item7.end))
    md = answers.answer_markdown(a, turn=2)
    assert '<a class="cite" href="#src-2-1">[1]</a>' in md
    assert '<span class="status status-extractive">摘录原文</span>' in md
    assert "> 未能生成经原文核实的回答，下面直接列出相关条款的原文。" in md and "示例注释" not in md  # notes are for staff
    assert "来源：" in md and "7、拓展生鲜电商零售业态" in md
    refused = Answer(question="q", text="文件未涉及：…", citations=[], refused=True, verified=REFUSED,
                     backend="extractive", suggestions=["二、聚焦发展重点 > 7、拓展生鲜电商零售业态"])
    assert "相近条款：二、聚焦发展重点 &gt; 7、拓展生鲜电商零售业态" in answers.answer_markdown(refused, 0)
    named = Answer(question="q", text="文件未涉及：…。相近的条款：二、聚焦发展重点 > 7、拓展生鲜电商零售业态。", citations=[],
                   refused=True, verified=REFUSED, backend="extractive", suggestions=["二、聚焦发展重点 > 7、拓展生鲜电商零售业态"])
    assert answers.answer_markdown(named, 0).count("7、拓展生鲜电商零售业态") == 1  # the text names them: not twice


class NoCards:
    def card_for(self, chunk_id):
        return None


def test_source_panel_marks_the_quote(item7):
    s = item7.text.index("支持企业提升")
    e = item7.text.index("。", s) + 1
    c = Citation(1, item7, item7.start + s, item7.start + e)
    html = answers.sources_html([c], 0, NoCards(), answer_with(c))
    assert f"<mark>{item7.text[s:e]}</mark>" in html
    assert 'id="src-0-1"' in html and '<span class="dept lead">市商务委</span>' in html
    assert "（沪府办发〔2020〕1号） 二、聚焦发展重点 &gt; 7、拓展生鲜电商零售业态" in html
    assert "正在生成回答" in answers.sources_html([c], 0, NoCards())


def test_api_json_renames_path(item7):
    d = app.answer_json(answer_with(Citation(1, item7, item7.start, item7.end)))
    assert d["status"] == "原文摘录"
    assert "path" not in d["citations"][0] and d["citations"][0]["clause"].endswith("7、拓展生鲜电商零售业态")


def test_feedback_lines_are_whole_under_concurrency(tmp_path, item7):
    log = tmp_path / "logs" / "feedback.jsonl"
    a = answer_with(Citation(1, item7, item7.start, item7.end))
    threads = [threading.Thread(target=record, args=(log, f"问题{i}", a, "up" if i % 2 else "down")) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = read(log)
    assert len(entries) == 20 and sorted(e["question"] for e in entries) == sorted(f"问题{i}" for i in range(20))
    assert entries[0]["answer"]["citations"][0]["departments"][0] == "市商务委"
    assert all(json.loads(line) for line in log.read_text(encoding="utf-8").splitlines())
    with pytest.raises(ValueError, match="rating"):
        record(log, "q", a, "meh")


def test_library_line_names_the_documents_and_only_the_first_few_of_many():
    from assistant.ingest.library import Library
    from assistant.serving.render.documents import library_line

    one = Library({"seed": {"title": "上海市促进在线新经济发展行动方案(2020-2022年)", "meta": {}}})
    assert library_line(one) == ('<div class="library-line">已收录 1 份文件：'
                                 '《上海市促进在线新经济发展行动方案(2020-2022年)》</div>')
    many = Library({f"d{i}": {"title": f"第{i}号办法", "meta": {}} for i in range(1, 6)}
                   | {"v1": {"title": "上海市优化营商环境条例", "meta": {"version": "2020-04-10"}},
                      "v2": {"title": "上海市优化营商环境条例", "meta": {"version": "2024-09-27"}}})
    assert library_line(many) == ('<div class="library-line">已收录 7 份文件：'
                                  '《上海市优化营商环境条例》(2020-04-10)、《上海市优化营商环境条例》(2024-09-27)、'
                                  '《第1号办法》等（完整列表见「政策浏览」）</div>')
    assert library_line(Library({})) == '<div class="library-line">知识库中还没有文件。</div>'


def test_upload_progress_names_the_file_the_stage_and_the_count():
    from assistant.serving.web.kb import _reporter

    shown = []
    report = _reporter(lambda fraction, desc: shown.append((round(fraction, 3), desc)), "办法.txt")
    for stage, done, total in [("读取", 0, 1), ("切分", 0, 1), ("向量化", 0, 40), ("向量化", 16, 40),
                               ("向量化", 40, 40), ("保存索引", 0, 1), ("载入新索引", 0, 1)]:
        report(stage, done, total)
    assert shown == [(0.0, "「办法.txt」第 1/5 步：读取文件"), (0.05, "「办法.txt」第 2/5 步：切分条款"),
                     (0.1, "「办法.txt」第 3/5 步：向量化 0/40 句"), (0.4, "「办法.txt」第 3/5 步：向量化 16/40 句"),
                     (0.85, "「办法.txt」第 3/5 步：向量化 40/40 句"), (0.85, "「办法.txt」第 4/5 步：保存索引"),
                     (0.9, "「办法.txt」第 5/5 步：载入新索引")]
