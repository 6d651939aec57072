"""A question written in another language is also searched in Chinese, translated by the chat model.

Chinese official documents are written in Chinese: BM25 finds nothing for "dog leash fine", and the small
multilingual embedder matches across languages only loosely. When a chat model is configured, a question
that is not mostly Chinese is translated first and searched in both languages (the two rankings are fused,
so a poor translation cannot lose what the original found). The translation is only a search query: the
answer is still checked against the sources, and the user is told which Chinese wording was searched.

Example::

    translate(model, "How much is the fine for smoking in a mall?")  # → "在商场吸烟罚款多少？"
"""
from __future__ import annotations

import logging

from assistant.answering.llm import ChatModel
from assistant.answering.refusal import is_chinese
from assistant.errors import ModelUnavailable
from assistant.records import Usage

log = logging.getLogger(__name__)

SYSTEM = "你是翻译。把用户的问题逐句译成简体中文问句，只输出译文；不要回答问题，不要补充问题中没有的内容。"
# A constant prefix (llama.cpp reuses its cache); without an example the 1.5B model sometimes answered
# the question instead of translating it.
EXAMPLE = [
    {"role": "user", "content": "How many days in advance must I apply, and to which office?"},
    {"role": "assistant", "content": "需要提前几天申请？向哪个部门申请？"},
]
MAX_CHARS = 200  # a translation longer than this is a model running on, not a question


def needs_translation(question: str) -> bool:
    """Whether a question is mostly written in another script than Chinese (and has words to translate)."""
    return not is_chinese(question) and sum(ch.isalpha() for ch in question) >= 3


def translate(model: ChatModel, question: str, usage: Usage | None = None) -> str:
    """The question in Chinese, or '' when the model is unavailable or its reply is not a Chinese question."""
    messages = [{"role": "system", "content": SYSTEM}, *EXAMPLE, {"role": "user", "content": question}]
    try:
        reply = model.complete(messages, max_tokens=96, temperature=0.0, stop=["\n"], usage=usage)
    except ModelUnavailable as e:
        log.warning("question not translated, the model is unavailable: %s", e)
        return ""
    text = reply.strip().removeprefix("译文：").removeprefix("译文:").strip(" \"'“”")
    return text if text and is_chinese(text) and len(text) <= MAX_CHARS else ""


def chinese_wordings(model: ChatModel | None, question: str, usage: Usage | None = None) -> list[str]:
    """The extra wordings to search a question by: its Chinese translation when it needs one and a model
    gives one, else none."""
    if model is None or not needs_translation(question):
        return []
    translated = translate(model, question, usage)
    return [translated] if translated else []
