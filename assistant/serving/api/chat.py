"""OpenAI-compatible chat: the model list and chat completions, whole or streamed, with references."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.serving.api.access import JSON_READS, READS
from assistant.serving.api.model_queue import final_answer
from assistant.serving.api.openai_shapes import completion_chunks, completion_json, model_list
from assistant.serving.api.schemas import ChatRequest, conversation
from assistant.serving.api.state import Answering, CurrentService

router = APIRouter(tags=["chat"])


@router.get("/v1/models", dependencies=READS, summary="可用的模型（只有一个助手）")
def models(service: CurrentService) -> dict:
    return model_list(service.current.assistant.backend)


@router.post("/v1/chat/completions", dependencies=JSON_READS,
             summary="OpenAI 兼容的对话：回答带 references（引用）与 verification（核验）")
async def chat_completions(body: ChatRequest, service: CurrentService, answers: Answering):
    question, history = conversation(body.messages)
    pump = await answers.start(service.current.assistant, question, history)
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(completion_chunks(pump, include_usage), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return completion_json(await final_answer(pump))
