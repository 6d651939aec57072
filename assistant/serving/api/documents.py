"""The knowledge base's documents: list them (a read), upload and delete (writes, with the admin token)."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from assistant.errors import DocumentError, UnsupportedDocument
from assistant.ingest.documents import SUPPORTED_SUFFIXES
from assistant.limits import FileTooLarge, InvalidInput, TextTooLong, check_name
from assistant.serving.api.access import READS, WRITES
from assistant.serving.api.errors import ApiError
from assistant.serving.api.schemas import UPLOAD_BODY
from assistant.serving.api.state import CurrentService, Settings, Staging
from assistant.serving.uploads import MB, reason_cn
from assistant.serving.service import Service

router = APIRouter(tags=["documents"])


@router.get("/v1/documents", dependencies=READS, summary="已收录的文件")
def documents(service: CurrentService) -> dict:
    return {"object": "list", "data": [{"id": doc_id, **d} for doc_id, d in sorted(service.documents().items())]}


@router.post("/v1/documents", status_code=201, dependencies=WRITES, openapi_extra=UPLOAD_BODY,
             summary="上传文件并增量建立索引（需管理口令）")
async def upload(request: Request, service: CurrentService, config: Settings, staging: Staging) -> dict:
    form = await _upload_form(request, config.max_upload_mb)
    try:
        return await _add_upload(service, form, staging, config.max_upload_mb)
    finally:
        await form.close()


@router.delete("/v1/documents/{doc_id}", dependencies=WRITES, summary="删除文件（需管理口令）")
async def delete(doc_id: str, service: CurrentService) -> dict:
    docs = service.documents()
    if doc_id not in docs:
        raise ApiError(404, f"没有文档 {doc_id!r}；可用的文档 ID：{'、'.join(sorted(docs))}", "document_not_found", "doc_id")
    if len(docs) == 1:
        raise ApiError(409, "不能删除：知识库中只剩这一个文件（问答至少需要一个文件）", "last_document", "doc_id")
    report = await run_in_threadpool(service.remove, doc_id)
    return {"id": doc_id, "title": docs[doc_id]["title"], "deleted": True, "summary": report.summary()}


async def _upload_form(request: Request, max_mb: float) -> FormData:
    """The multipart form, read only when it is multipart and not over the size limit."""
    kind = request.headers.get("content-type", "")
    if not kind.lower().startswith("multipart/form-data"):
        raise ApiError(415, f"请用 multipart/form-data 上传文件（字段名 file），收到 {kind or '无 Content-Type'}",
                       "unsupported_media_type")
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise ApiError(411, "上传需要 Content-Length 请求头", "length_required")
    if int(length) > max_mb * MB + 64 * 1024:  # the form's own lines are a few hundred bytes
        raise ApiError(413, f"文件过大（请求 {int(length) / MB:.1f} MB），上限为 {max_mb:g} MB", "file_too_large", "file")
    try:
        return await request.form(max_files=1, max_fields=4)
    except (ValueError, AssertionError) as e:  # malformed multipart
        raise ApiError(400, f"无法解析上传的表单：{e}", "invalid_form") from e


async def _uploaded_file(form: FormData, max_mb: float) -> tuple[str, bytes]:
    """The file's checked name and its bytes, or 400/413/415 saying what is wrong with it."""
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise ApiError(400, "请用 multipart 字段 file 上传文件", "missing_field", "file")
    try:
        name = check_name(file.filename or "")
    except InvalidInput as e:
        raise ApiError(400, str(e), "invalid_filename", "file") from e
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = "、".join(s.lstrip(".") for s in SUPPORTED_SUFFIXES)
        raise ApiError(415, f"不支持的文件类型「{suffix or '无扩展名'}」，请上传 {kinds} 文件", "unsupported_document", "file")
    data = await file.read()
    if len(data) > max_mb * MB:
        raise ApiError(413, f"文件过大（{len(data) / MB:.1f} MB），上限为 {max_mb:g} MB", "file_too_large", "file")
    if not data:
        raise ApiError(400, "文件是空的", "empty_file", "file")
    return name, data


async def _add_upload(service: Service, form: FormData, staging: Path, max_mb: float) -> dict:
    """Check the uploaded file, index it, and say what changed; nothing indexed is lost when it fails."""
    name, data = await _uploaded_file(form, max_mb)
    target = staging / uuid.uuid4().hex[:12] / name
    target.parent.mkdir(parents=True)
    target.write_bytes(data)
    try:
        report = await run_in_threadpool(service.add, target)
    except (FileTooLarge, TextTooLong) as e:
        raise ApiError(413, f"未导入「{name}」：{e.cn}。知识库未作改动", "file_too_large", "file") from e
    except UnsupportedDocument as e:
        raise ApiError(415, f"未导入「{name}」：{reason_cn(e)}。知识库未作改动", "unsupported_document", "file") from e
    except DocumentError as e:
        raise ApiError(422, f"未导入「{name}」：{reason_cn(e)}。知识库未作改动", "unreadable_document", "file") from e
    except InvalidInput as e:
        raise ApiError(400, f"未导入「{name}」：{e}。知识库未作改动", "invalid_document", "file") from e
    finally:
        shutil.rmtree(target.parent, ignore_errors=True)
    status, ids = next(((s, ids) for s, ids in (("added", report.added), ("updated", report.updated),
                                                ("unchanged", report.unchanged)) if ids), ("unchanged", []))
    doc = service.documents().get(ids[0], {}) if ids else {}
    return {"id": ids[0] if ids else None, "title": doc.get("title"), "source": name, "status": status,
            "summary": report.summary()}
