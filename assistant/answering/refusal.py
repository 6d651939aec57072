"""When the documents do not answer: decided outside the model, from the evidence, and said (pure functions).

Signals, cheapest first, each general to Chinese official documents rather than fitted to one question set:

1. Scope: a year, place or document (《…》) the question is about that the library never mentions. A place
   counts only as a word of its own: 杭州 inside 杭州湾 is not 杭州.
2. Evidence strength: the best sentence similarity is below a threshold calibrated on the question set.
3. Another place: a place the question names that neither the documents of the clauses about its subject govern
   (their region, their issuing body) nor those clauses name (the place occurring elsewhere in the library does
   not count).
4. Pinned terms: a year or ordinal (第31任) the question is about that the retrieved clauses do not state.
5. Answer kind: the question asks for a kind of fact (an amount of money, a date, a period, a ratio, a count,
   a contact: the answer types of factual QA, not the kinds of one question set) that no retrieved clause
   states.
Word-overlap relevance (IDF share of the question's words in a clause) and the similarity of the sentence
stating the asked kind were measured as further signals and left out: on the regulations set neither
separates near-miss questions from answerable ones (docs/limitations.md).
The 1.5B model answers from noise (RGB: 0/30 rejections), so it is not asked to decide.
A refusal says 文件未涉及 with its reason and names the nearest clauses, so the user can look there.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.answering.places import absent_places, foreign_places, governed, named_places
from assistant.asks import YEAR, asked_kind, asked_kinds
from assistant.normalize import normalize
from assistant.patterns import CONTACT
from assistant.records import Chunk, Hit
from assistant.retrieval.result import Retrieval

# A document the question names in 《》, e.g. 《中华人民共和国个人信息保护法》.
NAMED_DOCUMENT = re.compile(r"《([^《》]{2,40})》")
NOT_COVERED = "文件未涉及"
NOT_STATED_HEAD = "文件没有直接写明问题所问的内容"
# Share of the question's word weight a clause must carry to be shown as related when it does not state the asked
# kind of fact (below it: 文件未涉及). It only splits declined questions between the two outcomes; docs/results.md
# gives the split on the three libraries.
ABOUT = 0.5
ASKS_PENALTY = re.compile(r"罚|处分|违反|违法|违规|fine|penalt", re.I)
PENALTY = re.compile(r"[^。；;\n]*(?:罚款|罚金)[^。；;\n]*")  # a sentence that sets a fine, with its conditions
ORDINAL = re.compile(r"第\s*[\d一二三四五六七八九十百]+\s*(?:任|届|次|季|期|批|轮|代)")


@dataclass(frozen=True)
class Grounds:
    """What the refusal knows about the whole library, computed once per index: its normalised text, the titles
    of its documents, the regions and issuing bodies that say where they govern, and when each was issued."""

    text: str
    titles: tuple[str, ...] = ()
    governing: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # document → its region, issuing body
    issued: Mapping[str, str] = field(default_factory=dict)  # document → its issue date ("按2023年印发的《…》")


@dataclass(frozen=True)
class Decision:
    """Refuse or not, and a reason a user can read. `related`: the clauses are about the question's subject but do
    not state what it asks, so they are shown as related (文件没有直接写明 …), not hidden behind 文件未涉及; `clause`: the
    id of the clause the reason quotes, shown among them."""

    refuse: bool
    reason: str = ""
    related: bool = False
    clause: str = ""


def missing_answer_type(question: str, evidence: Sequence[str]) -> str:
    """The kind of fact the question asks for that no evidence text states, or ''. A fine ("处二百元以上一千元以下
    罚款") states what a breach costs, not a fee, price or subsidy: it answers an amount only when the question asks
    about a penalty."""
    kind = asked_kind(question)
    if kind is None:
        return ""
    text = "\n".join(evidence)
    if kind.name == "金额" and not ASKS_PENALTY.search(question):
        text = PENALTY.sub("", text)
    return "" if kind.value.search(text) else kind.name


def judged_clauses(question: str, about_subject: Sequence[Hit], sources: Sequence[Hit]) -> list[Hit]:
    """The clauses `decide` judges the question on: those about its subject, and, for a question asking for a contact,
    the other sources of their documents too: a notice gives its contact once (政策咨询：0312-…), for all its
    clauses."""
    judged = list(about_subject)
    kind = asked_kind(question)
    if kind and kind.value is CONTACT:
        docs = {h.chunk.doc_id for h in judged}
        judged += [h for h in sources if h.chunk.doc_id in docs and h not in judged]
    return judged


def unknown_documents(question: str, titles: Sequence[str]) -> list[str]:
    """Documents the question names in 《》 that no title of the library contains or is contained in."""
    norm = [normalize(t) for t in titles]
    return [name for name in dict.fromkeys(NAMED_DOCUMENT.findall(question))
            if norm and not any(normalize(name) in t or t in normalize(name) for t in norm)]


def unknown_specifics(question: str, corpus_norm: str) -> list[str]:
    """Years and places (in Chinese or pinyin) the question names that the whole corpus never mentions;
    `corpus_norm` is the normalised corpus text."""
    years = [y for y in YEAR.findall(question) if y not in corpus_norm]
    return years + absent_places(question, corpus_norm)


def pinned(question: str) -> list[str]:
    """What a question is specifically about, that an answer must not swap for another: its years
    ("2021年的票房") and ordinals ("第31任总理")."""
    terms = YEAR.findall(question) + [re.sub(r"\s+", "", m) for m in ORDINAL.findall(question)]
    return list(dict.fromkeys(terms))


FIRST = re.compile(r"第\s*(?:一|1)\s*(任|届|次|季|期|批|轮|代)")


def says(term: str, text: str, issued: str = "") -> bool:
    """Whether the text states a pinned term: a year as written, an ordinal as written or, for the first, as
    首 (第一次 = 首次, 第一批 = 首批: documents write both); or its document's issue date holds it ("按2023年印发的《…》")."""
    return term in text or term in issued or bool((m := FIRST.fullmatch(term)) and f"首{m.group(1)}" in text)


def lacks_asked_kind(question: str, answer: str) -> str:
    """The kind the question asks for that the answer does not state, else ''."""
    return missing_answer_type(question, [answer])


def is_chinese(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum("\u4e00" <= ch <= "\u9fff" for ch in letters) / len(letters) > 0.5


def about(weights: Mapping[str, float], text: str) -> float:
    """The share of the question's word weight (`Retrieval.weights`: IDF) that the text carries: how much it is
    about what the question is about."""
    total, norm = sum(weights.values()), normalize(text)
    return sum(w for t, w in weights.items() if t in norm) / total if total else 0.0


def own_words(chunk: Chunk) -> str:
    """What a clause itself says, under its headings: what makes it about a subject. Not its document's title,
    which every clause of the document shares ("上海市…方案" does not make each clause about 上海)."""
    return f"{chunk.path_str}\n{chunk.said}"


def own_places(question: str, weights: Mapping[str, float] | None, grounds: Grounds) -> list[str]:
    """The question's words that name a place the library's documents govern (上海 of a Shanghai library): they
    say where, not what about, so they alone do not tie a question to any clause ("上海今天天气怎么样？")."""
    names, places = {n for ns in grounds.governing.values() for n in ns}, named_places(question)
    return [w for w in weights or {} if w in places and governed(w, names)]


def decide(question: str, evidence: Sequence[str], best_similarity: float, threshold: float,
           grounds: Grounds, coverage: tuple[int, int] = (0, 0), documents: Sequence[str] = (),
           weights: Mapping[str, float] | None = None, own: Sequence[str] = ()) -> Decision:
    """Refuse when the library cannot hold the answer or the retrieved clauses do not address it; the
    reasons are checked from the cheapest up.

    `coverage` is (content words in the question, how many occur in the corpus): a Chinese question none
    of whose words the corpus ever uses ("怎么做红烧肉") is off-topic, whatever the vector similarity says.
    `documents`: the document of each evidence text, whose region and issuing body (`grounds.governing`) say
    which places it governs. `weights`: the question's words and their IDF; a clause whose own words (`own`, as
    `own_words` gives them; the evidence when not given) carry at least `ABOUT` of that weight is about the question's
    subject, so one that does not state the asked kind of fact is shown as related (文件没有直接写明), not refused.
    """
    named = unknown_documents(question, grounds.titles)
    if named:
        return Decision(True, f"文件库中没有{'、'.join(f'《{d}》' for d in named)}")
    unknown = unknown_specifics(question, grounds.text)
    if unknown:
        return Decision(True, f"文件中没有关于“{'、'.join(unknown)}”的内容")
    words, known = coverage
    if words and not known and is_chinese(question):
        return Decision(True, "问题中的关键词在文件中均未出现")
    home = own_places(question, weights, grounds)
    if words and home and is_chinese(question) and set(weights or {}) <= set(home):
        return Decision(True, f"问题中除了文件所管辖的“{'、'.join(home)}”，其他词在文件中均未出现")
    if best_similarity < threshold:
        digits = 3 if round(best_similarity, 3) < round(threshold, 3) else 4  # never "0.353 < 0.353"
        return Decision(True, f"检索到的条款与问题相关度不足（{best_similarity:.{digits}f} < {threshold:.{digits}f}）")
    governing = [grounds.governing.get(d, ()) for d in documents] if documents else [()] * len(evidence)
    elsewhere = foreign_places(question, list(zip(evidence, governing))) if grounds.governing else []
    if elsewhere:
        return Decision(True, f"相关条款所在的文件不管辖“{'、'.join(elsewhere)}”，条款中也没有提到它")
    issued = [grounds.issued.get(d, "") for d in documents] if documents else [""] * len(evidence)
    absent = [t for t in pinned(question)
              if not any(says(t, text, date) for text, date in zip(evidence, issued))]
    if absent:
        return Decision(True, f"相关条款中没有提到问题所问的“{'、'.join(absent)}”")
    kind = missing_answer_type(question, evidence)
    if kind:
        related = max((about(weights or {}, text) for text in own or evidence), default=0.0) >= ABOUT
        return Decision(True, f"相关条款中没有写明问题所问的{kind}", related=related)
    return Decision(False)


def suggestions(hits: Sequence[Hit], several_documents: bool) -> list[str]:
    """The nearest clauses, by path (with the title when the library holds several documents), at most three."""
    seen: list[str] = []
    for h in hits:
        label = f"《{h.chunk.title}》{h.chunk.path_str}" if several_documents else h.chunk.path_str
        if label not in seen:
            seen.append(label)
    return seen[:3]


def refusal_text(reason: str, nearest: Sequence[str]) -> str:
    """文件未涉及, why, and the nearest clauses."""
    near = "；".join(nearest)
    tail = f"相近的条款：{near}。" if near else ""
    return f"{NOT_COVERED}：现有文件中没有找到能回答该问题的规定（{reason}）。{tail}"


def not_stated_text(reason: str, related: str) -> str:
    """文件没有直接写明…, why, and the related clauses, labelled as related, not as the answer."""
    tail = f"\n以下条款与问题相关，仅供参考，并不是问题的答案：\n{related}" if related else ""
    return f"{NOT_STATED_HEAD}（{reason}）。{tail}"


def no_quote_reason(question: str) -> str:
    """Why no sentence of the sources could be quoted: none about what the question pins, or of the kind it asks."""
    kinds = "或".join(asked_kinds(question))
    pins = pinned(question)
    return (f"相关条款中没有关于问题所问的“{'、'.join(pins)}”的内容" if pins else
            f"相关条款中没有问题所问的{kinds}" if kinds else "相关条款中没有可引用的原文")


def quoting_first(found: Retrieval, sources: list[Hit], clause: str) -> tuple[list[Hit], list[np.ndarray]]:
    """The sources and their sentence scores, with the clause `clause` (an id) first when it is not among them: the
    sentence a not-stated reason quotes may stand in a clause about the subject that ranked below the sources."""
    scores = found.sentence_scores[: len(sources)]
    if not clause or any(h.chunk.id == clause for h in sources):
        return sources, scores
    hit = next(h for h in (*found.hits, *found.subject) if h.chunk.id == clause)
    at = next((i for i, h in enumerate(found.hits) if h is hit), None)
    row = found.sentence_scores[at] if at is not None else np.zeros(len(hit.chunk.units), dtype=np.float32)
    return [hit, *sources[:-1]], [row, *scores[:-1]]
