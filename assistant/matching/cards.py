"""Measure cards: one per numbered item of the library, with the vocabularies (industries, sizes) the corpus speaks of."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.normalize import normalize
from assistant.patterns import bare_heading, reference
from assistant.records import Chunk

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
    version: str = ""

    @property
    def label(self) -> str:
        """The item as the document heads it, e.g. "7、拓展生鲜电商零售业态"."""
        return self.path[-1] if self.path else self.number

    @property
    def heading(self) -> str:
        """The item title without its number, e.g. "拓展生鲜电商零售业态"."""
        return bare_heading(self.label).strip() or self.label

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
        return reference(self.title, self.doc_number, " > ".join(self.path), self.version)

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
                                 text, tuple(pieces), first.version))
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
