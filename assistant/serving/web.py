"""The browser app: 问答, 政策匹配, 政策浏览, 知识库 — one function per tab. The only module that imports gradio.

Everything the app says comes from the package (`Assistant.stream`, `Matcher`, `KnowledgeBase`); this module
renders it and turns domain errors into Chinese messages. API endpoints for `gradio_client`:
``/ask`` (question → answer JSON with [n] markers and sources), ``/ask_stream`` (the same, streamed: sources
first, then the growing text), ``/match`` (company description → matching measures as Markdown).
"""
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # the app runs offline; no usage pings

import argparse  # noqa: E402
import atexit  # noqa: E402
import hmac  # noqa: E402
import html  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import gradio as gr  # noqa: E402

from assistant.answering.answer import Done, Sources, Token  # noqa: E402
from assistant.errors import AssistantError, DocumentError  # noqa: E402
from assistant.ingest.documents import SUPPORTED_SUFFIXES  # noqa: E402
from assistant.limits import MAX_FILE_MB, InvalidInput, check_name, check_question  # noqa: E402
from assistant.matching.cards import SIZES, departments  # noqa: E402
from assistant.matching.export import to_csv, to_markdown  # noqa: E402
from assistant.matching.matcher import Company  # noqa: E402
from assistant.records import Answer  # noqa: E402
from assistant.serving import settings  # noqa: E402
from assistant.serving.feedback import DEFAULT_LOG, record  # noqa: E402
from assistant.ingest.library import LABELS  # noqa: E402
from assistant.serving.render import (ALL_DEPARTMENTS, ALL_STATUSES, DOCUMENT_HEADERS, EMPTY_SOURCES, MB,  # noqa: E402
                                      ANY, answer_markdown, document_choices, document_outline_html, document_rows,
                                      documents_html, esc, filter_options, filters_line, find_documents,
                                      link_citations, match_html, outline_html, qa_filters, reason_cn, safe_filename,
                                      sources_html, upload_problem)
from assistant.serving.service import Service, answer_json, citation_json, start, stream  # noqa: E402
from assistant.serving.wiring import add_answer_args, add_kb_args  # noqa: E402

EXAMPLES = ["生鲜电商有哪些支持措施？", "那责任部门呢？", "在线教育由哪些部门负责？", "文件的文号是什么？",
            "无人工厂的建设目标是多少家？", "市商务委负责哪些事项？"]
CSS = """
#sources { max-height: 680px; overflow-y: auto; overscroll-behavior: contain; }
.filter-line { background: #e0f2fe; border-left: 4px solid #0284c7; border-radius: 6px; padding: 4px 10px; font-size: .92em; }
.banner { background: #fef3c7; border-left: 4px solid #f59e0b; border-radius: 6px; padding: 6px 10px; margin-bottom: 6px; }
.doc-status { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: .88em; background: #dcfce7; margin-left: 4px; }
.doc-status.stale { background: #fee2e2; }
.src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; }
.src.flash { box-shadow: 0 0 0 3px #f59e0b; }
.src-n { font-size: 1.05em; margin-bottom: 4px; }
.src-doc, .src-path, .src-dept { color: var(--body-text-color-subdued); font-size: .92em; margin: 2px 0; }
.src-text { margin: 6px 0; line-height: 1.7; white-space: pre-wrap; }
.src-text mark, .m-why mark { background: #fde68a; color: inherit; padding: 0 1px; }
.ref { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; font-size: .9em; margin-top: 4px; }
.ref code { white-space: normal; }
.ref button { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 1px 8px; cursor: pointer; }
.status { display: inline-block; border-radius: 10px; padding: 1px 10px; font-size: .9em; background: #e0f2fe; }
.status-verified { background: #dcfce7; } .status-partial { background: #fef3c7; } .status-refused { background: #fee2e2; }
.muted { color: var(--body-text-color-subdued); }
.notice { background: #fef9c3; border-radius: 6px; padding: 6px 10px; margin: 4px 0; }
.match { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 8px 0; }
.match h4 { margin: 0 0 6px 0; } .match div { margin: 3px 0; line-height: 1.6; }
.term { background: #e0e7ff; border-radius: 4px; padding: 0 4px; margin-right: 3px; }
.outline h3 { margin-top: 14px; } .outline details { margin: 4px 0 4px 12px; }
.dept { background: #f1f5f9; border-radius: 4px; padding: 0 5px; margin-left: 4px; font-size: .88em; }
.dept.lead { background: #dbeafe; font-weight: 600; }
a.cite { text-decoration: none; font-weight: 600; }
"""
# Citation links scroll the source panel (retrying while the panel re-renders); copy buttons copy the reference.
HEAD = """<script>
function policyCopy(btn) {
  const text = btn.dataset.ref, done = () => { btn.textContent = '已复制'; setTimeout(() => btn.textContent = '复制引用', 1500); };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done); return; }
  const t = document.createElement('textarea'); t.value = text; document.body.appendChild(t); t.select();
  document.execCommand('copy'); t.remove(); done();
}
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a.cite'); if (!a) return;
  e.preventDefault(); const id = a.getAttribute('href').slice(1); let tries = 0;
  const go = () => { const el = document.getElementById(id);
    if (el) { const panel = el.closest('#sources');  // scroll the panel only: the page itself never moves
      if (panel) panel.scrollTo({top: panel.scrollTop + el.getBoundingClientRect().top - panel.getBoundingClientRect().top - 8, behavior: 'smooth'});
      el.classList.add('flash'); setTimeout(() => el.classList.remove('flash'), 1500); }
    else if (tries++ < 20) setTimeout(go, 150); };
  go();
}, true);
</script>"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="政策问答助手网页版")
    p.add_argument("--host", default="127.0.0.1", help="监听地址 (default: %(default)s)")
    p.add_argument("--port", type=int, default=7860, help="端口 (default: %(default)s)")
    p.add_argument("--admin-token", default="", help="上传/删除文件所需的管理口令 (或设置 POLICY_QA_ADMIN_TOKEN); 空 = 停用上传和删除")
    p.add_argument("--max-upload-mb", type=float, default=20.0, help="上传文件大小上限, MB (default: %(default)s)")
    p.add_argument("--feedback-log", type=Path, default=DEFAULT_LOG, help="👍/👎 反馈日志 (default: %(default)s)")
    p.add_argument("--concurrency", type=int, default=32, help="同时处理的请求数 (default: %(default)s)")
    p.add_argument("--no-warmup", action="store_true", help="启动时不预先加载大模型")
    add_kb_args(p)
    add_answer_args(p)
    p.set_defaults(**settings.load())
    return p


PRIVATE = dict(api_visibility="private")
NONE = ([], ANY, ANY, [], ANY, ANY)  # the 问答 filters with nothing chosen
DISABLED = ("上传和删除已停用：未设置管理口令。启用方法：启动时加 <code>--admin-token 口令</code>，"
            "或设置环境变量 <code>POLICY_QA_ADMIN_TOKEN</code>。")


def _turn_of(evt) -> int:
    index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    return int(index) // 2


def qa_tab(service: Service, options: argparse.Namespace) -> SimpleNamespace:
    """问答: streamed answers with their sources beside them; follow-ups use the turns before; a collapsed
    筛选条件 narrows the documents answers may use (a filter that matches nothing is refused, never widened)."""
    answers = gr.State([])
    choices = filter_options(service.current.assistant.retriever.library)
    with gr.Row():
        with gr.Column(scale=3):
            with gr.Accordion("筛选条件", open=False, elem_id="qa-filters"):
                with gr.Row():
                    docs = gr.Dropdown(choices["documents"], value=[], multiselect=True, label="文件", scale=3,
                                       elem_id="filter-docs", info="不选 = 全部文件；可多选")
                    issuer = gr.Dropdown([ANY, *choices["issuers"]], value=ANY, label="发文机关", scale=2,
                                         elem_id="filter-issuer")
                with gr.Row():
                    kind = gr.Dropdown([ANY, *choices["kinds"]], value=ANY, label="文件类型", scale=1,
                                       elem_id="filter-kind")
                    status = gr.CheckboxGroup(choices["statuses"], value=[], label="效力状态（不选 = 不限）", scale=2,
                                              elem_id="filter-status")
                    year_from = gr.Dropdown([ANY, *choices["years"]], value=ANY, label="年份范围：从", scale=1,
                                            elem_id="filter-year-from")
                    year_to = gr.Dropdown([ANY, *choices["years"]], value=ANY, label="至", scale=1,
                                          elem_id="filter-year-to")
                reset = gr.Button("清除筛选条件", size="sm", elem_id="filter-reset")
            active = gr.HTML("", elem_id="filter-active")
            chatbot = gr.Chatbot(label="对话", height=520, buttons=["copy", "copy_all"], elem_id="chat",
                                 placeholder="请输入关于政策文件的问题，例如“生鲜电商有哪些支持措施？”")
            with gr.Row():
                question = gr.Textbox(show_label=False, placeholder="输入问题，按回车发送", scale=5, elem_id="question")
                send = gr.Button("发送", variant="primary", scale=1, elem_id="send")
            with gr.Row():
                clear = gr.Button("清空对话", elem_id="clear")
            gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="示例问题（可追问，如“那责任部门呢？”）")
            thanks = gr.Markdown(elem_id="feedback-message")
        with gr.Column(scale=2):
            gr.Markdown("### 来源")
            sources = gr.HTML(EMPTY_SOURCES, elem_id="sources")
    controls = [docs, issuer, kind, status, year_from, year_to]

    def history_messages(past: Sequence[Answer]) -> list[dict]:
        out = []
        for turn, a in enumerate(past):
            out += [{"role": "user", "content": a.question}, {"role": "assistant", "content": answer_markdown(a, turn)}]
        return out

    def chat(text: str, past: list[Answer], *chosen):
        if not (text or "").strip():
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        try:
            text = check_question(text)
        except InvalidInput as e:  # the question stays in the box, to be shortened
            yield history_messages(past) + [{"role": "assistant", "content": f"⚠️ {e}"}], gr.skip(), past, gr.skip()
            return
        snap, turn = service.current, len(past)
        messages = history_messages(past) + [{"role": "user", "content": text},
                                             {"role": "assistant", "content": "正在检索相关条款…"}]
        yield messages, gr.skip(), past, ""
        generated, banner = "", ""
        try:
            for event in stream(snap.assistant, text, past, qa_filters(*chosen)):
                if isinstance(event, Sources):
                    banner = f'<div class="banner">{esc(event.notice)}</div>\n\n' if event.notice else ""
                    messages[-1]["content"] = (f"{banner}已找到 {len(event.citations)} 条依据（见右侧「来源」），"
                                               "正在生成回答…")
                    yield messages, sources_html(event.citations, turn, snap.matcher), past, gr.skip()
                elif isinstance(event, Token):
                    generated += event.text
                    messages[-1]["content"] = banner + link_citations(html.escape(generated, quote=False), turn) + " ▍"
                    yield messages, gr.skip(), past, gr.skip()
                elif isinstance(event, Done):
                    past = past + [event.answer]
                    messages[-1]["content"] = answer_markdown(event.answer, turn)
                    yield (messages, sources_html(event.answer.citations, turn, snap.matcher, event.answer), past,
                           gr.skip())
        except AssistantError as e:  # the question is not added to the history; the user can ask again
            messages[-1]["content"] = f"抱歉，这次没能回答：{html.escape(str(e), quote=False)}"
            yield messages, gr.skip(), past, gr.skip()

    def show_turn(past: list[Answer], evt: gr.SelectData):
        turn = _turn_of(evt)
        if not 0 <= turn < len(past):
            return gr.skip()
        return sources_html(past[turn].citations, turn, service.current.matcher, past[turn])

    def feedback(past: list[Answer], evt: gr.LikeData):
        turn = _turn_of(evt)
        if not 0 <= turn < len(past) or not isinstance(evt.liked, bool):
            return gr.skip()
        record(options.feedback_log, past[turn].question, past[turn], "up" if evt.liked else "down")
        return f"已记录您对第 {turn + 1} 轮回答的反馈（{'有帮助' if evt.liked else '没帮助'}），谢谢！"

    def describe(*chosen):
        return filters_line(qa_filters(*chosen), service.current.assistant.retriever.library)

    def refresh(*chosen):
        """New choices after the library changed; what is still offered stays chosen."""
        offered = filter_options(service.current.assistant.retriever.library)
        chosen_docs, chosen_issuer, chosen_kind, chosen_status, low, high = chosen or NONE
        ids = {d for _, d in offered["documents"]}
        kept = ([d for d in chosen_docs or [] if d in ids],
                chosen_issuer if chosen_issuer in offered["issuers"] else ANY,
                chosen_kind if chosen_kind in offered["kinds"] else ANY,
                [x for x in chosen_status or [] if x in offered["statuses"]],
                low if low in offered["years"] else ANY, high if high in offered["years"] else ANY)
        new = [offered["documents"], [ANY, *offered["issuers"]], [ANY, *offered["kinds"]], offered["statuses"],
               [ANY, *offered["years"]], [ANY, *offered["years"]]]
        # a value is sent only when it must change: a choice made while this ran (page load) is not undone
        changed = bool(chosen) and kept != tuple(chosen)
        return (*(gr.update(choices=c, value=k) if chosen and k != v else gr.update(choices=c)
                  for c, k, v in zip(new, kept, chosen or NONE)), describe(*kept) if changed else gr.skip())

    chat_io = dict(fn=chat, inputs=[question, answers, *controls], outputs=[chatbot, sources, answers, question],
                   show_progress="hidden", **PRIVATE)
    question.submit(**chat_io)
    send.click(**chat_io)
    for control in controls:
        control.change(describe, controls, [active], show_progress="hidden", **PRIVATE)
    reset.click(lambda: ([], ANY, ANY, [], ANY, ANY, ""), outputs=[*controls, active], **PRIVATE)
    clear.click(lambda: ([], [], EMPTY_SOURCES, ""), outputs=[chatbot, answers, sources, thanks], **PRIVATE)
    chatbot.clear(lambda: ([], EMPTY_SOURCES, ""), outputs=[answers, sources, thanks], **PRIVATE)
    chatbot.select(show_turn, [answers], [sources], **PRIVATE)
    chatbot.like(feedback, [answers], [thanks], **PRIVATE)
    return SimpleNamespace(controls=controls, refresh=refresh, outputs=[*controls, active])


def match_tab(service: Service, exports: Path) -> SimpleNamespace:
    """政策匹配: a company description → the measures that fit, with reasons, lead departments and exports."""
    snap = service.current
    gr.Markdown("描述企业的主营业务，查找现有文件中适用的措施、匹配理由和牵头部门。")
    with gr.Row():
        with gr.Column(scale=2):
            description = gr.Textbox(label="企业业务描述", lines=4, elem_id="match-description",
                                     placeholder="例如：我们是一家生鲜电商企业，线上销售蔬菜水果，自建冷链仓储和配送。")
            with gr.Row():
                industry = gr.Dropdown([ind.name for ind in snap.matcher.industries], value=None,
                                       label="所属行业（从现有文件中归纳）", elem_id="match-industry")
                size = gr.Radio([ANY, *SIZES], value=ANY, label="企业规模")
            with gr.Row():
                district = gr.Textbox(label="所在区县（可选）", placeholder="例如：浦东新区")
                k = gr.Slider(3, 10, value=5, step=1, label="显示条数")
            use_llm = gr.Checkbox(False, label="用大模型为前 3 条补充一句说明（约需 1 分钟；说明经原文核验，未通过的不显示）",
                                  visible=snap.assistant.model is not None)
            find = gr.Button("查找适用措施", variant="primary", elem_id="match-run")
            with gr.Row():
                md_file = gr.DownloadButton("下载 Markdown", visible=False, elem_id="match-md")
                csv_file = gr.DownloadButton("下载 CSV", visible=False, elem_id="match-csv")
        with gr.Column(scale=3):
            matches = gr.HTML('<p class="muted">结果将显示在这里。</p>', elem_id="match-result")

    def run_match(text: str, industry_name: str | None, size_name: str, district_name: str, count: float,
                  explain: bool):
        snap = service.current
        company = Company(text or "", industry_name or "", "" if size_name == ANY else size_name or "",
                          district_name or "")
        hidden = gr.update(visible=False, value=None)
        try:
            result = snap.matcher.match(company, k=int(count), model=snap.assistant.model if explain else None)
        except ValueError as e:
            return f'<div class="notice">{esc(str(e))}</div>', hidden, hidden
        folder = exports / uuid.uuid4().hex[:12]
        folder.mkdir()
        md, csv_path = folder / "政策匹配结果.md", folder / "政策匹配结果.csv"
        md.write_text(to_markdown(result), encoding="utf-8")
        csv_path.write_text(to_csv(result), encoding="utf-8-sig")
        return match_html(result), gr.update(value=str(md), visible=True), gr.update(value=str(csv_path), visible=True)

    find.click(run_match, [description, industry, size, district, k, use_llm], [matches, md_file, csv_file], **PRIVATE)
    return SimpleNamespace(industry=industry)


def browse_tab(service: Service) -> SimpleNamespace:
    """政策浏览: the library's documents with their status (search by title, filter by status), every part of a
    chosen document, or the items a department leads."""
    snap = service.current
    library = snap.assistant.retriever.library
    with gr.Row():
        search = gr.Textbox(label="按标题搜索文件", placeholder="例如：营商环境", scale=3, elem_id="browse-search")
        status = gr.Radio([ALL_STATUSES, *LABELS.values()], value=ALL_STATUSES, label="文件状态", scale=4,
                          elem_id="browse-status")
        dept = gr.Dropdown([ALL_DEPARTMENTS] + departments(snap.matcher.cards), value=ALL_DEPARTMENTS,
                           label="按责任部门查看条目", scale=3, elem_id="browse-department")
    listing = gr.HTML(documents_html(library, find_documents(library)), elem_id="browse-documents")
    first = next(iter(find_documents(library)), None)
    doc = gr.Dropdown(document_choices(library), value=first, label="查看文件全文结构", elem_id="browse-doc")
    tree = gr.HTML(document_outline_html(library, first, snap.assistant.retriever.index.chunks) if first else "",
                   elem_id="outline")

    def find(query: str, chosen: str):
        lib = service.current.assistant.retriever.library
        ids = find_documents(lib, query, chosen)
        return documents_html(lib, ids), gr.update(choices=document_choices(lib, ids), value=ids[0] if ids else None)

    def show(doc_id: str | None):
        retriever = service.current.assistant.retriever
        return document_outline_html(retriever.library, doc_id, retriever.index.chunks) if doc_id else ""

    def by_department(d: str):
        if d in ("", None, ALL_DEPARTMENTS):
            return gr.skip()
        return outline_html(service.current.matcher, service.documents(), d)

    def refresh(department: str | None = ALL_DEPARTMENTS):
        snap = service.current
        lib = snap.assistant.retriever.library
        depts = [ALL_DEPARTMENTS] + departments(snap.matcher.cards)
        ids = find_documents(lib)
        return (gr.update(choices=depts, value=department if department in depts else ALL_DEPARTMENTS),
                documents_html(lib, ids), gr.update(choices=document_choices(lib, ids)))

    search.change(find, [search, status], [listing, doc], **PRIVATE)
    status.change(find, [search, status], [listing, doc], **PRIVATE)
    doc.change(show, [doc], [tree], **PRIVATE)
    dept.change(by_department, [dept], [tree], **PRIVATE)
    return SimpleNamespace(dept=dept, refresh=refresh, outputs=[dept, listing, doc])


def kb_tab(service: Service, options: argparse.Namespace, staging: Path, qa: SimpleNamespace,
           browse: SimpleNamespace, match: SimpleNamespace) -> SimpleNamespace:
    """知识库: the documents, upload (checked, then indexed incrementally) and delete, behind the admin token."""
    token = options.admin_token or ""
    max_mb = min(options.max_upload_mb, MAX_FILE_MB)  # load_document refuses bigger files in any case
    library, chunks = service.current.assistant.retriever.library, service.current.assistant.retriever.index.chunks
    table = gr.Dataframe(document_rows(library, chunks), headers=DOCUMENT_HEADERS,
                         column_widths=["26%", "9%", "10%", "7%", "12%", "6%", "7%", "12%", "11%"], wrap=True,
                         interactive=False, label="已收录的文件", elem_id="documents")
    gr.Markdown("上传新文件后会增量建立索引（只向量化新文件），完成后问答和匹配立即使用新索引。")
    if not token:
        gr.Markdown(f'<div class="notice">{DISABLED}</div>', elem_id="kb-disabled")
    admin = gr.Textbox(label="管理口令", type="password", visible=bool(token), elem_id="admin-token")
    with gr.Row():
        with gr.Column():
            upload_file = gr.File(label=f"上传文件（{'、'.join(s.lstrip('.') for s in SUPPORTED_SUFFIXES)}，"
                                        f"不超过 {max_mb:g} MB）", type="filepath", elem_id="upload-file")
            upload_btn = gr.Button("上传并建立索引", variant="primary", elem_id="upload-run", interactive=bool(token))
        with gr.Column():
            remove_doc = gr.Dropdown(document_choices(library), value=None, label="选择要删除的文件", elem_id="remove-doc")
            remove_btn = gr.Button("删除文件", variant="stop", elem_id="remove-run", interactive=bool(token))
    kb_message = gr.Markdown(elem_id="kb-message")

    def authorized(given: str | None) -> bool:
        """Fail closed: no configured token means nobody may change the library (compared in constant time)."""
        return bool(token) and hmac.compare_digest((given or "").encode(), token.encode())

    def refused() -> str:
        return "管理口令不正确，未做任何修改。" if token else DISABLED

    def refresh(department: str | None = ALL_DEPARTMENTS, *chosen):
        """Every tab's view of the library, after it changed (`chosen`: the 问答 filters now set)."""
        snap = service.current
        retriever = snap.assistant.retriever
        return (*browse.refresh(department), gr.update(value=document_rows(retriever.library, retriever.index.chunks)),
                gr.update(choices=document_choices(retriever.library), value=None),
                gr.update(choices=[ind.name for ind in snap.matcher.industries]), *qa.refresh(*chosen))

    def upload(file: str | None, given: str, department: str, *chosen, progress=gr.Progress(track_tqdm=True)):
        if not authorized(given):
            return (refused(), gr.skip(), *refresh(department, *chosen))
        if not file:
            return ("请先选择要上传的文件。", gr.skip(), *refresh(department, *chosen))
        name = safe_filename(Path(file).name)
        problem = upload_problem(Path(file), name, max_mb)
        try:
            check_name(name)
        except InvalidInput as e:
            problem = problem or f"{e}。"
        if problem:
            return (f"未导入「{name}」：{problem}知识库未作改动。", None, *refresh(department, *chosen))
        target = staging / uuid.uuid4().hex[:12] / name
        target.parent.mkdir()
        shutil.copyfile(file, target)
        progress(0.05, desc="正在解析文件…")
        print(f"上传：{name}", flush=True)
        try:
            report = service.add(target)
        except DocumentError as e:
            return (f"未导入「{name}」：{getattr(e, 'cn', '') or reason_cn(e)}。知识库未作改动。", None, *refresh(department, *chosen))
        except AssistantError as e:
            return (f"未导入「{name}」：{e}。知识库未作改动。", None, *refresh(department, *chosen))
        finally:
            shutil.rmtree(target.parent, ignore_errors=True)
        print(f"上传完成：{report.summary()}", flush=True)
        done = (f"已导入「{name}」" if report.added else f"已更新「{name}」（替换了同名文件）" if report.updated
                else f"「{name}」与已收录的文件相同，无需更新")
        return (f"{done}（{report.summary()}），现在可以在「问答」中提问。", None, *refresh(department, *chosen))

    def delete(doc_id: str | None, given: str, department: str, *chosen):
        if not authorized(given):
            return (refused(), *refresh(department, *chosen))
        docs = service.documents()
        if not doc_id or doc_id not in docs:
            return ("请先选择要删除的文档。", *refresh(department, *chosen))
        if len(docs) == 1:
            return ("不能删除：知识库中只剩这一个文件（问答至少需要一个文件）。", *refresh(department, *chosen))
        title = docs[doc_id]["title"]
        try:
            report = service.remove(doc_id)
        except (AssistantError, KeyError) as e:
            return (f"删除失败：{e}", *refresh(department, *chosen))
        print(f"删除：{doc_id}；{report.summary()}", flush=True)
        return (f"已删除《{title}》（{report.summary()}）。", *refresh(department, *chosen))

    refreshed = [*browse.outputs, table, remove_doc, match.industry, *qa.outputs]
    upload_btn.click(upload, [upload_file, admin, browse.dept, *qa.controls], [kb_message, upload_file, *refreshed],
                     concurrency_limit=1, concurrency_id="kb", **PRIVATE)
    remove_btn.click(delete, [remove_doc, admin, browse.dept, *qa.controls], [kb_message, *refreshed],
                     concurrency_limit=1, concurrency_id="kb", **PRIVATE)
    return SimpleNamespace(refresh=refresh, refreshed=refreshed, inputs=[browse.dept, *qa.controls])


def api_endpoints(service: Service) -> None:
    """`gradio_client` endpoints: strings in, JSON-able out."""

    def ask(question: str) -> dict:
        """Answer one question: the verified answer text with [n] markers, its status and its sources."""
        return answer_json(next(e.answer for e in stream(service.current.assistant, _required(question))
                                if isinstance(e, Done)))

    def ask_stream(question: str) -> Iterator[dict]:
        """The same answer, streamed: {"stage": "sources"}, then {"stage": "generating", "text"}…, then "done"."""
        text = ""
        for event in stream(service.current.assistant, _required(question)):
            if isinstance(event, Sources):
                yield {"stage": "sources", "text": "", "citations": [citation_json(c) for c in event.citations],
                       "retrieval_ms": event.retrieval_ms}
            elif isinstance(event, Token):
                text += event.text
                yield {"stage": "generating", "text": text}
            elif isinstance(event, Done):
                yield {"stage": "done", **answer_json(event.answer)}

    def match(description: str, industry: str = "", size: str = "", district: str = "", k: int = 5) -> str:
        """The measures that fit a company (its description; optionally industry, size, district), as Markdown."""
        try:
            result = service.current.matcher.match(Company(description, industry, size, district), k=int(k))
        except ValueError as e:
            raise gr.Error(str(e)) from e
        return to_markdown(result)

    gr.api(ask, api_name="ask")
    gr.api(ask_stream, api_name="ask_stream")
    gr.api(match, api_name="match")


def build_app(service: Service, options: argparse.Namespace) -> gr.Blocks:
    """The four tabs and the API endpoints, over one shared Service."""
    staging = Path(tempfile.mkdtemp(prefix="policy-qa-"))  # uploads being checked, and match exports
    atexit.register(shutil.rmtree, staging, True)
    exports = staging / "exports"
    exports.mkdir()
    with gr.Blocks(title="政策问答助手", delete_cache=(3600, 86400)) as demo:
        mode = "原文摘录（未启用大模型）" if service.current.assistant.model is None else "大模型生成 + 原文核验"
        gr.Markdown(f"## 政策问答助手\n回答只依据知识库中的政策原文，并注明出处；回答方式：{mode}。")
        with gr.Tab("问答", id="qa"):
            qa = qa_tab(service, options)
        with gr.Tab("政策匹配", id="match"):
            match = match_tab(service, exports)
        with gr.Tab("政策浏览", id="browse"):
            browse = browse_tab(service)
        with gr.Tab("知识库", id="kb"):
            kb = kb_tab(service, options, staging, qa, browse, match)
        demo.load(kb.refresh, kb.inputs, kb.refreshed, show_progress="hidden", **PRIVATE)  # a page opened after someone uploaded sees it
        api_endpoints(service)
    return demo


def _required(question: str) -> str:
    try:
        return check_question(question)
    except InvalidInput as e:
        raise gr.Error(str(e)) from e


def main(argv: list[str] | None = None) -> int:
    """Serve the HTTP API (`serving.api`) with the gradio app mounted at /, on one port over one Service."""
    import uvicorn

    from assistant.serving.api import add_api_args, api_config, create_app

    p = parser()
    add_api_args(p)
    p.set_defaults(**settings.load())
    args = p.parse_args(argv)
    if args.max_upload_mb <= 0 or args.concurrency < 1:
        p.error(f"need --max-upload-mb > 0 and --concurrency >= 1, got {args.max_upload_mb}, {args.concurrency}")
    try:
        config = api_config(args)
    except ValueError as e:
        p.error(str(e))
    try:
        service = start(args)
    except (AssistantError, ValueError, OSError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    demo = build_app(service, args)
    demo.max_threads = max(40, 2 * args.concurrency)
    demo.queue(default_concurrency_limit=args.concurrency)
    app = gr.mount_gradio_app(
        create_app(service, config), demo, path="/", server_name=args.host, server_port=args.port,
        footer_links=["api"], max_file_size=int(args.max_upload_mb * MB) + MB, css=CSS, head=HEAD,
        theme=gr.themes.Soft(font=["Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "sans-serif"],
                             font_mono=["Noto Sans Mono CJK SC", "WenQuanYi Micro Hei Mono", "monospace"]))
    print(f"网页地址：http://{args.host}:{args.port}　HTTP 接口文档：http://{args.host}:{args.port}/docs", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0
