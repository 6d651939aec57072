"""Health: the process is alive (/healthz); the index and the model are loaded (/readyz)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.serving.api.state import CurrentService

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="进程存活")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", summary="索引已加载，大模型已加载（或不用大模型）")
def readyz(service: CurrentService) -> JSONResponse:  # no docstring: it would become the operation's description
    assistant = service.current.assistant
    chunks = len(assistant.retriever.chunks)
    loaded = assistant.model is None or assistant.model.loaded  # in-process models load on first use or warm-up
    body = {"status": "ready" if chunks and loaded else "not_ready", "documents": len(service.documents()),
            "chunks": chunks, "backend": assistant.backend, "model_loaded": loaded}
    return JSONResponse(body, status_code=200 if chunks and loaded else 503)
