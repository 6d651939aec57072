"""Search and answers in the CLI's JSON shapes (`search --json`, `ask --json`), with filters."""
from __future__ import annotations

from fastapi import APIRouter

from assistant.serving.api.access import JSON_READS
from assistant.serving.api.model_queue import final_answer
from assistant.serving.api.schemas import AnswerRequest, SearchRequest, checked_question, filters_of, history_of
from assistant.serving.api.state import Answering, CurrentService
from assistant.serving.service import answer_json

router = APIRouter()


@router.post("/v1/answer", tags=["chat"], dependencies=JSON_READS, summary="完整的回答记录（同 ask --json）")
async def answer(body: AnswerRequest, service: CurrentService, answers: Answering) -> dict:
    question = checked_question(body.question, "question")
    history = history_of([checked_question(q, f"history.{i}") for i, q in enumerate(body.history)])
    filters = filters_of(body.filters, service.documents())
    return answer_json(await final_answer(await answers.start(service.current.assistant, question, history, filters)))


@router.post("/v1/search", tags=["retrieval"], dependencies=JSON_READS, summary="检索相关条款（同 search --json）")
def search(body: SearchRequest, service: CurrentService) -> dict:
    question = checked_question(body.question, "question")
    hits = service.current.assistant.retriever.search(question, body.k, filters_of(body.filters, service.documents()))
    return {"query": question, "hits": [h.to_json() for h in hits]}
