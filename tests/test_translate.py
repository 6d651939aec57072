"""Questions in another language are searched in Chinese too: the model's translation, checked and fused."""
import pytest

from assistant.answering.answer import Assistant
from assistant.answering.llm import ChatModel, LLMConfig, make_chat_model
from assistant.answering.translate import SYSTEM, chinese_wordings, needs_translation, translate
from assistant.errors import ModelUnavailable
from assistant.serving.render.answers import answer_markdown

CIIE = "What is the name of the CIIE one-stop trading service platform model mentioned in the plan?"
CIIE_CLAUSE = "“6+365”进博会一站式交易服务平台"


class Replies(ChatModel):
    """A chat model that answers the translation prompt with `translation` and every other prompt with
    `answer`, recording the system prompts it was sent."""

    name = "test/replies"

    def __init__(self, translation: str, answer: str = "", error: Exception | None = None):
        self.translation, self.answer, self.error = translation, answer, error
        self.systems: list[str] = []

    def stream(self, messages, *, max_tokens=None, temperature=None, stop=None, usage=None):
        self.systems.append(messages[0]["content"])
        if self.error:
            raise self.error
        yield self.translation if messages[0]["content"] == SYSTEM else self.answer


@pytest.mark.parametrize("question, expected", [
    ("How much is the fine for smoking in a mall?", True),
    ("Which departments lead 5G 直播?", True),  # mostly Latin letters
    ("生鲜电商有哪些支持措施？", False),
    ("5G直播由哪些部门负责？", False),  # Chinese with a Latin abbreviation
    ("？？？", False),
    ("5G?", False),  # too few letters to translate
])
def test_which_questions_are_translated(question, expected):
    assert needs_translation(question) is expected


@pytest.mark.parametrize("reply, expected", [
    ("译文：在商场吸烟会被罚款多少？", "在商场吸烟会被罚款多少？"),
    ("“在商场吸烟会被罚款多少？”", "在商场吸烟会被罚款多少？"),
    ("The fine is 200 yuan.", ""),  # not a Chinese question: the model answered instead
    ("罚款" * 101, ""),  # a model running on
    ("", ""),
])
def test_a_translation_is_kept_only_when_it_is_a_chinese_question(reply, expected):
    assert translate(Replies(reply), "How much is the fine for smoking in a mall?") == expected


def test_an_unavailable_model_leaves_the_question_as_it_is():
    assert translate(Replies("", error=ModelUnavailable("down")), CIIE) == ""
    assert chinese_wordings(None, CIIE) == []
    model = Replies("中文")
    assert chinese_wordings(model, "生鲜电商有哪些支持措施？") == [] and model.systems == []  # no call for Chinese


def test_an_english_question_is_searched_in_chinese_too_and_the_answer_says_so(retriever):
    """The translation joins the search (fused with the English original), and the answer shows it."""
    model = Replies("计划中提到的进博会一站式交易服务平台叫什么名字？", answer="方案提出放大“6+365”进博会一站式交易服务平台效应[1]。")
    a = Assistant(retriever, model).ask(CIIE)
    assert model.systems[0] == SYSTEM
    assert a.searched_as == ["计划中提到的进博会一站式交易服务平台叫什么名字？"] and a.to_json()["searched_as"] == a.searched_as
    assert "> 已同时按中文译文检索：计划中提到的进博会一站式交易服务平台叫什么名字？" in answer_markdown(a, 1)
    assert Assistant(retriever, None).ask(CIIE).searched_as == []  # no model, no translation
    assert CIIE_CLAUSE in a.citations[0].chunk.text
    hits = retriever.search(CIIE, 5, also=["计划中提到的进博会一站式交易服务平台叫什么名字？"])
    assert CIIE_CLAUSE in hits[0].chunk.text
    assert not any(CIIE_CLAUSE in h.chunk.text for h in retriever.search(CIIE, 5))  # English alone misses it


@pytest.mark.slow
def test_the_default_local_model_translates_a_question():
    zh = translate(make_chat_model(LLMConfig()), "Can I bring my folding bicycle onto the Shanghai metro?")
    assert "自行车" in zh and "地铁" in zh, zh
