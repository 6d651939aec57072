"""The 知识库 tab: the documents, upload (checked, then indexed incrementally) and delete, behind the admin token."""
import argparse
import hmac
import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from assistant.errors import AssistantError, DocumentError
from assistant.ingest.documents import SUPPORTED_SUFFIXES
from assistant.limits import MAX_FILE_MB, InvalidInput, check_name
from assistant.serving.render.documents import (ALL_DEPARTMENTS, DOCUMENT_HEADERS, document_choices, document_rows,
                                                library_line)
from assistant.serving.service import Service
from assistant.serving.uploads import reason_cn, safe_filename, upload_problem
from assistant.serving.web import PRIVATE
from assistant.store.knowledge import Progress

# The knowledge base's stages as the upload shows them, each with where it starts on the bar (embedding is most of it).
STAGES = {"读取": ("读取文件", 0.0), "切分": ("切分条款", 0.05), "向量化": ("向量化", 0.1), "保存索引": ("保存索引", 0.85),
          "载入新索引": ("载入新索引", 0.9)}
DISABLED = ("上传和删除已停用：未设置管理口令。启用方法：启动时加 <code>--admin-token 口令</code>，"
            "或设置环境变量 <code>POLICY_QA_ADMIN_TOKEN</code>。")


def kb_tab(service: Service, options: argparse.Namespace, staging: Path, qa: SimpleNamespace,
           browse: SimpleNamespace, match: SimpleNamespace, line: gr.HTML) -> SimpleNamespace:
    """知识库: the documents, upload (checked, then indexed incrementally) and delete, behind the admin token;
    a change refreshes every tab's view of the library (`qa`, `browse`, `match`: what those tabs return; `line`:
    the page's line on what is loaded)."""
    token = options.admin_token or ""
    max_mb = min(options.max_upload_mb, MAX_FILE_MB)  # load_document refuses bigger files in any case
    retriever = service.current.assistant.retriever
    table = gr.Dataframe(document_rows(retriever.library, retriever.chunks), headers=DOCUMENT_HEADERS,
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
            remove_doc = gr.Dropdown(document_choices(retriever.library), value=None, label="选择要删除的文件",
                                     elem_id="remove-doc")
            remove_btn = gr.Button("删除文件", variant="stop", elem_id="remove-run", interactive=bool(token))
    kb_message = gr.Markdown(elem_id="kb-message")  # progress is shown here, so the table stays readable

    events = _Events(service, token, max_mb, staging, browse, qa)
    refreshed = [*browse.outputs, table, remove_doc, match.industry, *qa.outputs, line]
    upload_btn.click(events.upload, [upload_file, admin, browse.dept, *qa.controls], [kb_message, upload_file, *refreshed],
                     show_progress_on=[kb_message], concurrency_limit=1, concurrency_id="kb", **PRIVATE)
    remove_btn.click(events.delete, [remove_doc, admin, browse.dept, *qa.controls], [kb_message, *refreshed],
                     show_progress_on=[kb_message], concurrency_limit=1, concurrency_id="kb", **PRIVATE)
    return SimpleNamespace(refresh=events.refresh, refreshed=refreshed, inputs=[browse.dept, *qa.controls])


class _Events:
    """Upload and delete, each followed by `refresh`: the outputs are the message, then every view of the library."""

    def __init__(self, service: Service, token: str, max_mb: float, staging: Path, browse: SimpleNamespace,
                 qa: SimpleNamespace):
        self.service, self.token, self.max_mb, self.staging = service, token, max_mb, staging
        self.browse, self.qa = browse, qa

    def authorized(self, given: str | None) -> bool:
        """Fail closed: no configured token means nobody may change the library (compared in constant time)."""
        return bool(self.token) and hmac.compare_digest((given or "").encode(), self.token.encode())

    def refused(self) -> str:
        return "管理口令不正确，未做任何修改。" if self.token else DISABLED

    def refresh(self, department: str | None = ALL_DEPARTMENTS, *chosen):
        """Every tab's view of the library, after it changed (`chosen`: the 问答 filters now set)."""
        snap = self.service.current
        retriever = snap.assistant.retriever
        return (*self.browse.refresh(department), gr.update(value=document_rows(retriever.library, retriever.chunks)),
                gr.update(choices=document_choices(retriever.library), value=None),
                gr.update(choices=[ind.name for ind in snap.matcher.industries]), *self.qa.refresh(*chosen),
                library_line(retriever.library))

    def upload(self, file: str | None, given: str, department: str, *chosen, progress=gr.Progress()):
        if not self.authorized(given):
            return (self.refused(), gr.skip(), *self.refresh(department, *chosen))
        if not file:
            return ("请先选择要上传的文件。", gr.skip(), *self.refresh(department, *chosen))
        name = safe_filename(Path(file).name)
        problem = upload_problem(Path(file), name, self.max_mb)
        try:
            check_name(name)
        except InvalidInput as e:
            problem = problem or f"{e}。"
        if problem:
            return (f"未导入「{name}」：{problem}知识库未作改动。", None, *self.refresh(department, *chosen))
        target = self.staging / uuid.uuid4().hex[:12] / name
        target.parent.mkdir()
        shutil.copyfile(file, target)
        print(f"上传：{name}", flush=True)
        try:
            report = self.service.add(target, _reporter(progress, name))
        except DocumentError as e:
            return (f"未导入「{name}」：{getattr(e, 'cn', '') or reason_cn(e)}。知识库未作改动。", None,
                    *self.refresh(department, *chosen))
        except AssistantError as e:
            return (f"未导入「{name}」：{e}。知识库未作改动。", None, *self.refresh(department, *chosen))
        finally:
            shutil.rmtree(target.parent, ignore_errors=True)
        print(f"上传完成：{report.summary()}", flush=True)
        done = (f"已导入「{name}」" if report.added else f"已更新「{name}」（替换了同名文件）" if report.updated
                else f"「{name}」与已收录的文件相同，无需更新")
        return (f"{done}（{report.summary()}），现在可以在「问答」中提问。", None, *self.refresh(department, *chosen))

    def delete(self, doc_id: str | None, given: str, department: str, *chosen):
        if not self.authorized(given):
            return (self.refused(), *self.refresh(department, *chosen))
        docs = self.service.documents()
        if not doc_id or doc_id not in docs:
            return ("请先选择要删除的文档。", *self.refresh(department, *chosen))
        if len(docs) == 1:
            return ("不能删除：知识库中只剩这一个文件（问答至少需要一个文件）。", *self.refresh(department, *chosen))
        title = docs[doc_id]["title"]
        try:
            report = self.service.remove(doc_id)
        except (AssistantError, KeyError) as e:
            return (f"删除失败：{e}", *self.refresh(department, *chosen))
        print(f"删除：{doc_id}；{report.summary()}", flush=True)
        return (f"已删除《{title}》（{report.summary()}）。", *self.refresh(department, *chosen))


def _reporter(progress: gr.Progress, name: str) -> Progress:
    """The knowledge base's stages on the upload's bar: 「file」 step i/n: stage, with the count of sentences embedded."""
    steps = list(STAGES)

    def report(stage: str, done: int, total: int) -> None:
        step = steps.index(stage)
        label, start = STAGES[stage]
        end = STAGES[steps[step + 1]][1] if step + 1 < len(steps) else 1.0
        count = f" {done}/{total} 句" if stage == "向量化" else ""
        progress(start + (end - start) * (done / total if total else 1.0),
                 desc=f"「{name}」第 {step + 1}/{len(steps)} 步：{label}{count}")
    return report
