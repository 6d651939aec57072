"""One eligibility request — `{"company": {...}, "doc": optional, "as_of": optional "YYYY-MM", "k": optional}` —
checked and answered in the shape the CLI, the HTTP API and the app share. Bad input raises InvalidInput in
Chinese before anything is checked."""
from __future__ import annotations

import time
from datetime import date

from assistant.asks import ASKS_ELIGIBILITY
from assistant.limits import InvalidInput
from assistant.records import ELIGIBILITY, Answer, Citation
from assistant.retrieval.retrieve import Filters, Retriever
from assistant.matching.applicant import parse_applicant, parse_as_of
from assistant.store.index import document_id
from assistant.matching.applicable import rank, result_json
from assistant.matching.eligibility import FAILED, UNKNOWN

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


def chat_answer(retriever: Retriever, question: str, filters: Filters = Filters(), today: date | None = None
                ) -> Answer | None:
    """"我们公司…能申请…吗" in chat: the measure the question names (the best-retrieved document that states
    measures; of its measures, the one whose conditions lie nearest the retrieved clause) checked against the facts
    the question states, one line per condition with its quote cited. None when the question does not ask this or
    no retrieved document states a measure: it is then answered as any question."""
    if not ASKS_ELIGIBILITY.search(question):
        return None
    t0 = time.perf_counter()
    documents = retriever.documents
    hits = retriever.search(question, 5, filters)
    searched = round((time.perf_counter() - t0) * 1000, 1)
    hit = next((h for h in hits if documents.get(h.chunk.doc_id, {}).get("measures")), None)
    if hit is None:
        return None
    as_of = today or date.today()
    applicant = parse_applicant({"description": question}, as_of)
    results = [r for r, _ in rank(documents, applicant, as_of, doc=hit.chunk.doc_id, k=0)]
    result = min(results, key=lambda r: min((abs(c.start - hit.chunk.start) for c in r.measure.conditions),
                                            default=float("inf")))
    chunks = [c for c in retriever.chunks if c.doc_id == hit.chunk.doc_id]
    cites, lines = [], []
    order = {FAILED: 0, UNKNOWN: 1}  # what decides the verdict first, then what is still to be said, then what is met
    for r in sorted(result.conditions, key=lambda r: order.get(r.status, 2)):
        chunk = next((c for c in chunks if c.start <= r.condition.start < c.start + len(c.text)), hit.chunk)
        cites.append(Citation(len(cites) + 1, chunk, r.condition.start, r.condition.end, hit.status))
        lines.append(f"- {r.status}：“{r.condition.text}”[{len(cites)}]" + (f"——{r.reason}" if r.reason else ""))
    title = documents[hit.chunk.doc_id].get("title", "")
    name = result.measure.name
    measure = f"“{name}”" if name and name not in title else ""  # a one-measure notice is named by its title
    head = (f"按《{title}》{measure}的申报条件，依据问题中说明的情况逐条核对（问题没有说到的条件为“未知”）：\n"
            f"结论：{result.verdict}" + "".join(f"；{n}" for n in result.notes))
    tail = "\n\n请补充说明标为“未知”的条件，或在“政策匹配”页填写企业情况后核对。" if result.unknown else ""
    text = "\n".join([head, *lines]) + tail
    timings = {"retrieval_ms": searched, "sources_ms": searched, "first_token_ms": None,
               "total_ms": round((time.perf_counter() - t0) * 1000, 1)}
    return Answer(question=question, text=text, citations=cites, refused=False, verified=ELIGIBILITY,
                  backend="eligibility", standalone_question=question, timings=timings, hits=hits)
