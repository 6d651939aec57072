"""The `gradio_client` endpoints: ``/ask`` (question → answer JSON with [n] markers and sources), ``/ask_stream``
(the same, streamed: sources first, then the growing text), ``/match`` (company description → matching measures
as Markdown). Strings in, JSON-able out."""
from collections.abc import Iterator

import gradio as gr

from assistant.answering.events import Done, Sources, Token
from assistant.limits import InvalidInput, check_question
from assistant.matching.export import to_markdown
from assistant.matching.matcher import Company
from assistant.serving.service import Service, answer_json, citation_json, stream


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


def _required(question: str) -> str:
    try:
        return check_question(question)
    except InvalidInput as e:
        raise gr.Error(str(e)) from e
