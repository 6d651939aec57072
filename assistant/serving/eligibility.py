"""One eligibility request — `{"company": {...}, "doc": optional, "as_of": optional "YYYY-MM", "k": optional}` —
checked and answered in the shape the CLI, the HTTP API and the app share. Bad input raises InvalidInput in
Chinese before anything is checked."""
from __future__ import annotations

from datetime import date

from assistant.limits import InvalidInput
from assistant.matching.applicant import parse_applicant, parse_as_of
from assistant.store.index import document_id
from assistant.matching.applicable import rank, result_json

DEFAULT_K, MAX_K = 10, 100


def check_request(request: object, documents: dict, today: date | None = None) -> dict:
    """`{"measures": [...], "as_of": "YYYY-MM-DD"}` for one request over an index's documents."""
    if not isinstance(request, dict):
        raise InvalidInput("每个请求应为 JSON 对象，例如 {\"company\": {\"description\": \"…\"}}")
    as_of = parse_as_of(request.get("as_of"), today or date.today())
    applicant = parse_applicant(request.get("company"), as_of)
    k = request.get("k", DEFAULT_K)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidInput(f"k 应为 1 到 {MAX_K} 之间的整数，收到 {k!r}")
    doc = request.get("doc") or ""
    if not isinstance(doc, str):
        raise InvalidInput("doc 应为文档 ID 或文件名")
    doc_id = document_id(documents, doc) if doc else ""
    if doc_id is None:
        raise InvalidInput(f"知识库中没有文档「{doc}」，请用文档 ID 或文件名（可用 list 查看）")
    include_failed = request.get("include_failed", False)
    if not isinstance(include_failed, bool):
        raise InvalidInput("include_failed 应为 true 或 false")
    ranked = rank(documents, applicant, as_of, doc=doc_id, k=k, include_failed=include_failed)
    return {"as_of": as_of.isoformat(), "company": applicant.name,
            "measures": [result_json(result, documents, status) for result, status in ranked]}
