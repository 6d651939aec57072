"""Policy matching: which numbered measures fit a company, ranked by the retriever, explained in the item's words.

Each numbered item of the index becomes a `MeasureCard` (its pieces joined); a company description is
searched with `Retriever.search`, hits are aggregated per item, and each match quotes the item sentence
most similar to the description (`Retriever.sentence_scores`) plus the words they share. No LLM is needed;
with one, a short explanation per measure is added only if it passes `verify` against the item text.

Example::

    matcher = Matcher(assistant.retriever)
    result = matcher.match(Company("线上销售生鲜蔬果，自建冷链仓储", industry="零售电商"))
    print(to_markdown(result))
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .errors import ModelUnavailable
from .extractive import overlap
from .llm import ChatModel
from .normalize import normalize
from .records import Chunk
from .retrieve import Retriever
from .tokenization import ITEM_TITLE
from .verify import CITATION, is_refusal, verify

# A generic vocabulary of industries (not of any one document): the corpus decides which are offered —
# an industry appears only when some item names one of its words in its title, or twice in its text.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "制造": ("制造", "工厂", "生产线", "车间", "装备", "工业机器人"),
    "工业互联网": ("工业互联网",),
    "软件和信息服务": ("软件", "信息服务", "云服务", "解决方案", "信息化"),
    "集成电路和电子信息": ("集成电路", "电子信息", "芯片", "传感器"),
    "通信和网络": ("5G", "通信", "物联网", "信息基础设施", "网络基础设施"),
    "数据服务": ("大数据", "数据中心", "数据开放", "数据共享", "公共数据"),
    "远程办公": ("远程办公", "协同办公", "视频会议"),
    "金融": ("金融", "银行", "保险", "支付", "理财", "信贷", "贷款", "投资"),
    "文娱": ("文娱", "娱乐", "视听", "游戏", "动漫", "电竞", "影视", "网络文学", "直播"),
    "体育健身": ("体育", "健身", "赛事", "比赛"),
    "会展": ("会展", "展览", "展会", "博览"),
    "文化旅游": ("旅游", "景区", "博物馆", "美术馆", "文创"),
    "零售电商": ("零售", "电商", "超市", "售货", "购物", "营销"),
    "餐饮": ("餐饮", "外卖", "菜场"),
    "农业和食品": ("农业", "农产品", "生鲜", "食品"),
    "物流配送": ("物流", "配送", "快递", "仓储", "冷链", "运力"),
    "出行": ("出行", "汽车", "交通", "驾驶", "加油", "租赁"),
    "教育": ("教育", "学校", "课堂", "培训", "学习"),
    "研发设计": ("研发", "设计", "仿真", "众包"),
    "医疗": ("医疗", "医院", "诊疗", "医保", "医学", "复诊"),
    "生物医药": ("生物医药", "药品", "药物"),
    "健康养老": ("健康", "养老", "康复"),
    "人力资源": ("人才", "就业", "职称", "人力资源", "自由职业"),
    "房地产和物业": ("物业", "房屋", "楼宇", "厂房", "住房"),
    "能源环保": ("能源", "充电桩", "环保", "节能", "回收"),
    "建筑": ("建筑", "工程建设", "施工"),
}
# What items say about a company's size; a size none of the items speaks of is reported, not guessed.
SIZES: dict[str, tuple[str, ...]] = {
    "小微企业": ("小微", "中小企业", "初创", "个体工商户", "自由职业"),
    "中型企业": ("中小企业", "中型企业", "高成长"),
    "大型企业": ("龙头企业", "头部企业", "领军企业", "骨干企业", "大型企业"),
}
INDUSTRY_WEIGHT = 0.6  # the industry's words count less than the company's own description
INDUSTRY_BONUS = 0.02  # items the industry's words name directly
SIZE_BONUS = 0.02
DISTRICT_BONUS = 0.05
MAX_TERMS = 8
MARKUP = re.compile(r"\*\*|^\s*(?:\d+[.、]|[-*])\s*", re.M)  # list markers and bold a small model adds
# Words any description shares with any item ("我们提供…服务"): not a reason to match.
GENERIC_TERMS = frozenset("提供 开展 发展 推动 推进 支持 建设 加快 企业 公司 业务 主要 进行 我们 一家 相关 目前 需要 希望 从事".split())


@dataclass(frozen=True)
class MeasureCard:
    """One numbered item of a document: its number, title, clause path, departments and full text.

    `pieces` maps the item's chunks into `text`: (chunk id, document offset, offset in `text`).
    """

    doc_id: str
    title: str
    doc_number: str
    source: str
    number: str
    path: tuple[str, ...]
    departments: tuple[str, ...]
    text: str
    pieces: tuple[tuple[str, int, int], ...]

    @property
    def label(self) -> str:
        """The item as the document heads it, e.g. "7、拓展生鲜电商零售业态"."""
        return self.path[-1] if self.path else self.number

    @property
    def heading(self) -> str:
        """The item title without its number, e.g. "拓展生鲜电商零售业态"."""
        return ITEM_TITLE.sub("", self.label).rstrip("…").strip() or self.label

    @property
    def section(self) -> str:
        return self.path[0] if len(self.path) > 1 else ""

    @property
    def lead(self) -> str:
        return self.departments[0] if self.departments else ""

    @property
    def start(self) -> int:
        return self.pieces[0][1]

    @property
    def reference(self) -> str:
        """The string staff paste into a reply: 《title》(文号) clause path (as `Citation.reference`)."""
        number = f"（{self.doc_number}）" if self.doc_number else ""
        return f"《{self.title}》{number}{' > '.join(self.path)}"

    def offset(self, doc_offset: int) -> int:
        """The position in `text` of a document offset inside the item."""
        _, start, at = max((p for p in self.pieces if p[1] <= doc_offset), key=lambda p: p[1], default=self.pieces[0])
        return min(len(self.text), max(0, at + doc_offset - start))

    def to_json(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "doc_number": self.doc_number, "source": self.source,
                "number": self.number, "label": self.label, "path": list(self.path),
                "departments": list(self.departments), "text": self.text, "reference": self.reference}


def build_cards(chunks: Sequence[Chunk]) -> list[MeasureCard]:
    """One card per numbered item (chunks with an `item`), in document order; pieces of a long item joined."""
    groups: dict[tuple, list[Chunk]] = {}
    for c in chunks:
        if c.item:
            groups.setdefault((c.doc_id, c.path, c.item), []).append(c)
    doc_order = {d: i for i, d in enumerate(dict.fromkeys(c.doc_id for c in chunks))}
    cards = []
    for (doc_id, path, item), parts in groups.items():
        parts.sort(key=lambda c: c.start)
        pieces, text = [], ""
        for c in parts:
            pieces.append((c.id, c.start, len(text)))
            text += c.text
        departments = tuple(dict.fromkeys(d for c in parts for d in c.departments))
        first = parts[0]
        cards.append(MeasureCard(doc_id, first.title, first.doc_number, first.source, item, path, departments,
                                 text, tuple(pieces)))
    return sorted(cards, key=lambda k: (doc_order[k.doc_id], k.start))


@dataclass(frozen=True)
class Industry:
    """An industry the corpus speaks of, with its words and the items that name them (strongest first)."""

    name: str
    keywords: tuple[str, ...]
    cards: tuple[int, ...]

    @property
    def query(self) -> str:
        return " ".join(dict.fromkeys((self.name, *self.keywords)))


def industries(cards: Sequence[MeasureCard], vocabulary: dict[str, tuple[str, ...]] = INDUSTRIES) -> list[Industry]:
    """The industries of `vocabulary` that some item names (in its title, or twice in its text), in corpus order."""
    found = []
    for name, words in vocabulary.items():
        words_n = [normalize(w) for w in words]
        scored = []
        for i, card in enumerate(cards):
            heading, text = normalize(card.heading), normalize(card.text)
            strength = 3 * sum(w in heading for w in words_n) + sum(text.count(w) for w in words_n)
            if strength >= 2:
                scored.append((-strength, i))
        if scored:
            found.append(Industry(name, words, tuple(i for _, i in sorted(scored))))
    return sorted(found, key=lambda ind: (ind.cards[0], list(vocabulary).index(ind.name)))


def departments(cards: Sequence[MeasureCard]) -> list[str]:
    """Every department named by an item, the most often named first."""
    counts: dict[str, int] = {}
    for card in cards:
        for d in card.departments:
            counts[d] = counts.get(d, 0) + 1
    return sorted(counts, key=lambda d: (-counts[d], d))


def outline(cards: Sequence[MeasureCard], department: str = "") -> dict[str, dict[str, list[MeasureCard]]]:
    """Document id → section → items, keeping only the items `department` takes part in (all when empty)."""
    tree: dict[str, dict[str, list[MeasureCard]]] = {}
    for card in cards:
        if department and department not in card.departments:
            continue
        tree.setdefault(card.doc_id, {}).setdefault(card.section, []).append(card)
    return tree


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
        self.cards = build_cards(retriever.index.chunks)
        self.industries = industries(self.cards)
        self._card_of = {cid: i for i, card in enumerate(self.cards) for cid, _, _ in card.pieces}
        self._chunk = {c.id: c for c in retriever.index.chunks}

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
        best = sorted(scores, key=lambda i: (-scores[i], i))[:k]
        matches = [self._explain_match(self.cards[i], scores[i], description or query, query) for i in best]
        if model is not None:
            notices += self._llm_explanations(matches, company, model)
        return MatchResult(company, matches, notices)

    def _search_scores(self, query: str, weight: float) -> dict[int, float]:
        """Card index → weight × the best fused score of its chunks among the hits for the query."""
        if not query:
            return {}
        n = min(len(self.retriever.index.chunks), max(self.retriever.config.candidates, 40))
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
        for i in named:
            scores[i] = scores.get(i, 0.0) + SIZE_BONUS
        items = "、".join(f"第{self.cards[i].number}项" for i in sorted(named))
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
        for i in named:
            scores[i] = scores.get(i, 0.0) + DISTRICT_BONUS
        items = "、".join(f"第{self.cards[i].number}项" for i in named)
        return [f"提到「{district}」的条款：{items}，已适当提前；其余为通用措施。"]

    def _explain_match(self, card: MeasureCard, score: float, sentence_query: str, term_query: str) -> Match:
        start, end = self._best_sentence(card, sentence_query)
        return Match(card, score, self.shared_terms(term_query, card.text), start, end)

    def _best_sentence(self, card: MeasureCard, query: str) -> tuple[int, int]:
        """Offsets in card.text of the item sentence closest to the query (the title line skipped)."""
        chunks = [self._chunk[cid] for cid, _, _ in card.pieces]
        best, span = -1e9, (0, len(card.text))
        for chunk, (_, _, at), sims in zip(chunks, card.pieces, self.retriever.sentence_scores(query, chunks)):
            for u, (s, e) in enumerate(chunk.units):
                sentence = chunk.text[s:e]
                if normalize(sentence).rstrip("。") in normalize(card.label):
                    continue
                score = float(sims[u]) + 0.5 * overlap(query, sentence)
                if score > best:
                    best, span = score, (at + s, at + e)
        return span

    def shared_terms(self, query: str, text: str) -> list[str]:
        """Words of the query that the text contains, longest kept when one contains another, in text order."""
        tokens = self.retriever.bm25.tokenizer.tokens(query)
        norm_text = normalize(text)
        found = [t for t in dict.fromkeys(tokens)
                 if len(t) >= 2 and not t.isdigit() and t not in GENERIC_TERMS and t in norm_text]
        kept = [t for t in found if not any(t != o and t in o for o in found)]
        kept.sort(key=lambda t: norm_text.find(t))
        return kept[:MAX_TERMS]

    def _llm_explanations(self, matches: Sequence[Match], company: Company, model: ChatModel,
                          limit: int = 3) -> list[str]:
        notes = []
        for m in matches[:limit]:
            try:
                text = model.complete(explain_messages(company, m.card), max_tokens=120)
            except ModelUnavailable as e:
                return notes + [f"模型不可用，未生成说明：{e}"]
            if not text.strip() or is_refusal(text):
                continue
            verdict = verify(MARKUP.sub("", text), [m.card.text])
            if verdict.supported:
                m.explanation = CITATION.sub("", verdict.text).strip()
            else:
                notes.append(f"第{m.card.number}项的模型说明未通过原文核验，已省略。")
        return notes


def explain_messages(company: Company, card: MeasureCard) -> list[dict]:
    """Chat messages asking for a one- or two-sentence explanation grounded in the item text."""
    system = ("你是政策匹配助手。只依据给出的条款原文，用一句简体中文（不超过60字）说明该条款中哪些支持内容与这家企业的业务相关，"
              "尽量使用原文词语，句末标注[1]。不要写原文中没有的金额、日期、数量和部门。")
    who = "；".join(p for p in (company.description, f"行业：{company.industry}" if company.industry else "",
                                 f"规模：{company.size}" if company.size else "") if p)
    user = f"条款[1]：{card.label}\n{card.text}\n\n企业情况：{who}\n请说明。"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def to_markdown(result: MatchResult) -> str:
    """The result as Markdown, for reading and for the /match API."""
    c = result.company
    asked = "；".join(p for p in (c.description, c.industry and f"行业：{c.industry}", c.size and f"规模：{c.size}",
                                   c.district and f"区县：{c.district}") if p)
    lines = ["# 政策匹配结果", "", f"企业情况：{asked}", ""]
    lines += [f"> {n}" for n in result.notices]
    if result.notices:
        lines.append("")
    if not result.matches:
        lines.append("没有找到适用的措施。")
    for rank, m in enumerate(result.matches, start=1):
        card = m.card
        lines += [f"## {rank}. {card.label}", "",
                  f"- 匹配理由：共同关键词 {'、'.join(m.terms) or '（无）'}；原文：“{m.quote}”"]
        if m.explanation:
            lines.append(f"- 说明（经原文核验）：{m.explanation}")
        lines += [f"- 责任部门：{'、'.join(card.departments) or '文件未写明'}",
                  f"- 引用：{card.reference}", f"- 下一步：{m.next_step}", ""]
    return "\n".join(lines).rstrip() + "\n"


CSV_HEADER = ["排名", "条目", "标题", "条款路径", "文件", "文号", "责任部门", "牵头部门", "共同关键词", "匹配原文",
              "说明", "下一步", "引用", "匹配分"]


def to_csv(result: MatchResult) -> str:
    """The result as CSV text (write it as utf-8-sig so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_HEADER)
    for rank, m in enumerate(result.matches, start=1):
        card = m.card
        w.writerow([rank, card.number, card.heading, " > ".join(card.path), card.title, card.doc_number,
                    "、".join(card.departments), card.lead, "、".join(m.terms), m.quote, m.explanation, m.next_step,
                    card.reference, f"{m.score:.4f}"])
    return out.getvalue()
