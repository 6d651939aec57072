"""Answers in OpenAI's shapes: the model list, a chat.completion, and the chat.completion.chunk SSE stream,
with references and verification as extensions beside the message."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator

from assistant.answering.events import Done, Sources, Token
from assistant.errors import AssistantError
from assistant.records import STATUS_LABELS, Answer
from assistant.serving.api.errors import answer_error, internal_error
from assistant.serving.api.model_queue import Pump
from assistant.serving.api.schemas import MODEL_ID
from assistant.serving.service import citation_json


def model_list(backend: str) -> dict:
    """The one assistant as OpenAI's list of models, with the backend that writes its answers."""
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "policy-qa",
                                        "backend": backend}]}


def verification(answer: Answer) -> dict:
    """How the answer was checked: the extension beside `references` in chat completions."""
    return {"verified": answer.verified, "status": STATUS_LABELS[answer.verified], "outcome": answer.outcome,
            "refused": answer.refused,
            "backend": answer.backend, "answer": answer.text, "notes": answer.notes, "suggestions": answer.suggestions,
            "standalone_question": answer.standalone_question, "searched_as": answer.searched_as}


def usage(answer: Answer) -> dict:
    """OpenAI's `usage`: the chat model's tokens over its calls for this answer, as its backend counts them; when
    no model was called (the extractive backend, answers from document structure, early refusals), the characters
    of the question and of the answer's content."""
    used = answer.usage
    prompt, completion = ((used.prompt_tokens, used.completion_tokens) if used.calls
                          else (len(answer.question), len(answer.display_text)))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion_json(answer: Answer) -> dict:
    """The whole answer as an OpenAI chat.completion, references and verification as message extensions."""
    message = {"role": "assistant", "content": answer.display_text, "references": [citation_json(c) for c in answer.citations],
               "verification": verification(answer)}
    return {"id": _completion_id(), "object": "chat.completion", "created": int(time.time()), "model": MODEL_ID,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
            "usage": usage(answer)}


def _sse(data: dict | str) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"


async def completion_chunks(pump: Pump, include_usage: bool = False) -> AsyncIterator[str]:
    """SSE: the role, the answer's text as it is written, a final chunk with references and verification, [DONE].
    With `include_usage` (OpenAI's `stream_options`) a last chunk before [DONE] has no choices and the usage."""
    head = {"id": _completion_id(), "object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL_ID}

    def chunk(delta: dict, finish: str | None = None) -> str:
        return _sse({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]})

    try:
        async for event in pump.events():
            if isinstance(event, Sources):
                yield chunk({"role": "assistant", "content": f"{event.notice}\n\n" if event.notice else ""})
            elif isinstance(event, Token):
                yield chunk({"content": event.text})
            elif isinstance(event, Done):
                yield chunk({"references": [citation_json(c) for c in event.answer.citations],
                             "verification": verification(event.answer)}, "stop")
                if include_usage:
                    yield _sse({**head, "choices": [], "usage": usage(event.answer)})
    except (AssistantError, ValueError) as e:  # headers are sent: the error travels as an OpenAI error event
        try:
            yield _sse(answer_error(e).body())
        except Exception as other:  # noqa: BLE001 — not ours to answer: still an error event, not a dropped stream
            yield _sse(internal_error(other).body())
    finally:
        pump.stop()
    yield _sse("[DONE]")
