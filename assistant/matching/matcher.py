"""Policy matching: which numbered measures fit a company, ranked by the retriever, explained in the item's words.

Each numbered item of the index becomes a `MeasureCard` (its pieces joined); a company description is
searched with `Retriever.search`, hits are aggregated per item, and each match quotes the item sentence
most similar to the description (`Retriever.sentence_scores`) plus the words they share. No LLM is needed;
with one, a short explanation per measure is added only if it passes `verify` against the item text.

Example::

    matcher = Matcher(assistant.retriever)
    result = matcher.match(Company("线上销售生鲜蔬果，自建冷链仓储", industry="批发和零售业"))
    print(export.to_markdown(result))
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answering.extractive import rank_units
from assistant.answering.llm import ChatModel
from assistant.answering.verify import is_refusal, verify
from assistant.errors import ModelUnavailable
from assistant.matching.cards import SIZES, Industry, MeasureCard, build_cards, industries
from assistant.normalize import normalize
from assistant.patterns import CITATION
from assistant.retrieval.retrieve import Retriever

INDUSTRY_WEIGHT = 0.6  # the industry's words count less than the company's own description
INDUSTRY_BONUS = 0.02  # items the industry's words name directly
SIZE_BONUS = 0.02
DISTRICT_BONUS = 0.05
MAX_TERMS = 8
MARKUP = re.compile(r"\*\*|^\s*(?:\d+[.、]|[-*])\s*", re.M)  # list markers and bold a small model adds
# Words any description shares with any item ("我们提供…服务"): not a reason to match.
GENERIC_TERMS = frozenset("提供 开展 发展 推动 推进 支持 建设 加快 企业 公司 业务 主要 进行 我们 一家 相关 目前 需要 希望 从事 "
                          "服务 技术 信息 管理".split())


@dataclass(frozen=True)
class Company:
    """What the user tells us: a free description, and optionally industry, size and district."""

    description: str
    industry: str = ""
    size: str = ""
    district: str = ""


@dataclass
class Match:
    """A measure that fits: why (shared terms, the closest sentence), whom to ask, and what to ask."""

    card: MeasureCard
    score: float
    terms: list[str]
    quote_start: int  # offsets in card.text of the item sentence closest to the description
    quote_end: int
    explanation: str = ""  # verified LLM explanation, "" when none was asked for or it failed verification

    @property
    def quote(self) -> str:
        return self.card.text[self.quote_start : self.quote_end]

    @property
    def next_step(self) -> str:
        return next_step(self.card)

    def to_json(self) -> dict:
        return {"number": self.card.number, "label": self.card.label, "score": round(self.score, 4),
                "terms": self.terms, "quote": self.quote, "departments": list(self.card.departments),
                "lead": self.card.lead, "reference": self.card.reference, "next_step": self.next_step,
                "explanation": self.explanation}


@dataclass
class MatchResult:
    company: Company
    matches: list[Match]
    notices: list[str] = field(default_factory=list)  # what the corpus does not say (district, size), and why


def next_step(card: MeasureCard) -> str:
    """What to ask the lead department next."""
    if not card.departments:
        return f"文件未写明「{card.heading}」的责任部门，可向发文机关咨询其具体申报条件、支持方式和时间安排"
    ask = f"向{card.lead}咨询「{card.heading}」的具体申报条件、支持方式和时间安排"
    if len(card.departments) > 1:
        ask += f"；涉及其他部门职责的，可同时联系{'、'.join(card.departments[1:])}"
    return ask


class Matcher:
    """Ranks the measure cards of one index for a company; the retriever does the searching.

    Example: ``Matcher(retriever).match(Company("在线教育平台", industry="教育"), k=5)``
    """

    def __init__(self, retriever: Retriever):
        self.retriever = retriever
        library = retriever.library
        superseded = {d for d in library.documents if library.status(d).newer}  # their newer version is offered
        self.cards = build_cards([c for c in retriever.chunks if c.doc_id not in superseded])
        self.industries = industries(self.cards)
        self._card_of = {cid: i for i, card in enumerate(self.cards) for cid, _, _ in card.pieces}
        self._chunk = {c.id: c for c in retriever.chunks}

    def card_for(self, chunk_id: str) -> MeasureCard | None:
        """The item a chunk belongs to (None for text outside numbered items)."""
        i = self._card_of.get(chunk_id)
        return None if i is None else self.cards[i]

    def industry(self, name: str) -> Industry | None:
        return next((ind for ind in self.industries if ind.name == name), None)

    def match(self, company: Company, k: int = 5, model: ChatModel | None = None) -> MatchResult:
        """The k best-fitting measures; with `model`, each gets a short explanation that passed verification."""
        description = company.description.strip()
        industry = self.industry(company.industry) if company.industry else None
        notices: list[str] = []
        if company.industry and industry is None:
            notices.append(f"现有文件中没有涉及「{company.industry}」行业的条目，已只按业务描述匹配。")
        if not description and industry is None:
            raise ValueError("请填写企业的业务描述，或选择所属行业")
        scores = self._search_scores(description, 1.0)
        if industry is not None:
            for i, s in self._search_scores(industry.query, INDUSTRY_WEIGHT).items():
                scores[i] = scores.get(i, 0.0) + s
            for i in industry.cards:
                scores[i] = scores.get(i, 0.0) + INDUSTRY_BONUS
        notices += self._size(company.size, scores) + self._district(company.district, scores)
        if not scores:
            notices.append("现有文件中没有找到与描述相关的条目，请换一种说法描述主营业务。")
        query = " ".join(p for p in (description, industry.query if industry else "") if p)
        ranked = (self._explain_match(self.cards[i], scores[i], description or query, query)
                  for i in sorted(scores, key=lambda i: (-scores[i], i)))
        place = normalize(company.district.strip())
        matches = []
        for m in ranked:  # a clause that shares no word with the company (its district alone is none) is no reason
            if any(t not in place for t in m.terms) if place else m.terms:
                matches.append(m)
            if len(matches) == k:
                break
        if scores and not matches:
            notices.append("现有文件中没有与描述有共同关键词的条款，请换一种说法描述主营业务。")
        library = self.retriever.library
        stale = {library.named(m.card.doc_id): library.status(m.card.doc_id) for m in matches
                 if not library.status(m.card.doc_id).in_force}
        for named, status in stale.items():
            notices.append(f"{named}{status.label}（{status.reason}），其中的措施仅供参考，请向责任部门确认现行政策。")
        if model is not None:
            notices += self._llm_explanations(matches, company, model, query)
        return MatchResult(company, matches, notices)

    def _search_scores(self, query: str, weight: float) -> dict[int, float]:
        """Card index → weight × the best fused score of its chunks among the hits for the query."""
        if not query:
            return {}
        n = min(len(self.retriever.chunks), max(self.retriever.config.candidates, 40))
        best: dict[int, float] = {}
        for hit in self.retriever.search(query, n):
            i = self._card_of.get(hit.chunk.id)
            if i is not None:
                best[i] = max(best.get(i, 0.0), weight * hit.score)
        return best

    def _size(self, size: str, scores: dict[int, float]) -> list[str]:
        words = SIZES.get(size, ())
        if not words:
            return []
        named = {i: [w for w in words if w in card.text] for i, card in enumerate(self.cards)}
        named = {i: ws for i, ws in named.items() if ws}
        if not named:
            return [f"现有文件没有按企业规模区分的条款（未提到{'、'.join(words[:3])}等），以下排序未考虑规模。"]
        named = {i: ws for i, ws in named.items() if i in scores}  # brought forward among the relevant, not added
        if not named:
            return [f"与业务描述相关的条款没有提到「{size}」（{'、'.join(words[:3])}等），以下排序未考虑规模。"]
        for i in named:
            scores[i] += SIZE_BONUS
        items = self._items(sorted(named))
        return [f"与「{size}」相关的表述见{items}（{'、'.join(sorted({w for ws in named.values() for w in ws}))}），已适当提前。"]

    def _district(self, district: str, scores: dict[int, float]) -> list[str]:
        district = district.strip()
        if not district:
            return []
        names = {normalize(district)}
        for suffix in ("新区", "区", "县"):
            if district.endswith(suffix) and len(district) - len(suffix) >= 2:
                names.add(normalize(district[: -len(suffix)]))
        named = [i for i, card in enumerate(self.cards) if any(n in normalize(card.text) for n in names)]
        if not named:
            return [f"所选区县「{district}」在现有文件中没有专门条款，以下为全市通用措施。"]
        named = [i for i in named if i in scores]  # brought forward among the relevant, not added
        if not named:
            return [f"提到「{district}」的条款与业务描述无关，以下为全市通用措施。"]
        for i in named:
            scores[i] += DISTRICT_BONUS
        items = self._items(named)
        return [f"提到「{district}」的条款：{items}，已适当提前；其余为通用措施。"]

    def _items(self, ids: Sequence[int], shown: int = 5) -> str:
        more = f"等 {len(ids)} 条" if len(ids) > shown else ""
        return "、".join(item_name(self.cards[i]) for i in ids[:shown]) + more

    def _explain_match(self, card: MeasureCard, score: float, sentence_query: str, term_query: str) -> Match:
        start, end = self._best_sentence(card, sentence_query)
        return Match(card, score, self.shared_terms(term_query, card.text), start, end)

    def _best_sentence(self, card: MeasureCard, query: str) -> tuple[int, int]:
        """Offsets in card.text of the item sentence closest to the query (the title line skipped)."""
        chunks = [self._chunk[cid] for cid, _, _ in card.pieces]
        ranked = rank_units(query, chunks, self.retriever.sentence_scores(query, chunks), source_bonus=0.0)
        if not ranked:
            return 0, len(card.text)
        _, ci, ui = ranked[0]
        s, e = chunks[ci].units[ui]
        at = card.pieces[ci][2]
        return at + s, at + e

    def shared_terms(self, query: str, text: str) -> list[str]:
        """Words of the query that the text contains, longest kept when one contains another, in text order."""
        tokens = self.retriever.tokens(query)
        norm_text = normalize(text)
        found = [t for t in dict.fromkeys(tokens)
                 if len(t) >= 2 and not t.isdigit() and t not in GENERIC_TERMS and t in norm_text]
        kept = [t for t in found if not any(t != o and t in o for o in found)]
        kept.sort(key=lambda t: norm_text.find(t))
        return kept[:MAX_TERMS]

    def _llm_explanations(self, matches: Sequence[Match], company: Company, model: ChatModel, query: str,
                          limit: int = 3) -> list[str]:
        """Explanations kept only as far as they are in the item's words (`verify`) and about the company's
        business: a sentence sharing none of the words of its description is no reason shown to it, however
        true of the item (无人超市 to a live-streaming company)."""
        notes = []
        for m in matches[:limit]:
            try:
                text = model.complete(explain_messages(company, m.card), max_tokens=120)
            except ModelUnavailable as e:
                return notes + [f"模型不可用，未生成说明：{e}"]
            if not text.strip() or is_refusal(text):
                continue
            verdict = verify(MARKUP.sub("", text), [m.card.text])
            about = [s for s in (CITATION.sub("", k).strip() for k in verdict.kept) if self.shared_terms(query, s)]
            if about:
                m.explanation = "".join(about)
            elif verdict.supported:
                notes.append(f"{item_name(m.card)}的模型说明与企业的业务无关，已省略。")
            else:
                notes.append(f"{item_name(m.card)}的模型说明未通过原文核验，已省略。")
        return notes


def item_name(card: MeasureCard) -> str:
    """An item as a notice names it: 第7项, or 《title》第五条 for an article (its number alone is ambiguous)."""
    return f"《{card.title}》{card.ordinal}" if card.number.startswith("第") else card.ordinal


def explain_messages(company: Company, card: MeasureCard) -> list[dict]:
    """Chat messages asking for a one- or two-sentence explanation grounded in the item text."""
    system = ("你是政策匹配助手。只依据给出的条款原文，用一句简体中文（不超过60字）说明该条款中哪些支持内容与这家企业的业务相关，"
              "尽量使用原文词语，句末标注[1]。不要写原文中没有的金额、日期、数量和部门。")
    who = "；".join(p for p in (company.description, f"行业：{company.industry}" if company.industry else "",
                                 f"规模：{company.size}" if company.size else "") if p)
    user = f"条款[1]：{card.label}\n{card.text}\n\n企业情况：{who}\n请说明。"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
