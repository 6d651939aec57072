"""Measure cards: one per numbered item or article of the library, with the vocabularies (industries, sizes) the
library speaks of."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.normalize import normalize
from assistant.patterns import bare_heading, reference
from assistant.records import Chunk

# Industries as the national standard GB/T 4754-2017《国民经济行业分类》 names them: each 门类 (section) a company
# can belong to (公共管理 and 国际组织 are left out), with words taken verbatim from its name and the names of its
# 大类 (divisions) or, for a few everyday words, 中类 (groups), so no one document's wording decides the vocabulary.
# Which sections are offered, and which items each names, come from the library (`industries`).
SECTIONS: dict[str, tuple[str, ...]] = {
    "农、林、牧、渔业": ("农业", "林业", "畜牧", "渔业"),
    "采矿业": ("采矿", "开采", "煤炭", "石油", "天然气", "金属矿"),
    "制造业": ("制造", "食品", "饮料", "烟草", "纺织", "服装", "服饰", "皮革", "家具", "造纸", "印刷", "医药", "化学",
            "橡胶", "塑料", "冶炼", "金属制品", "通用设备", "专用设备", "汽车", "船舶", "航空航天", "运输设备",
            "电气机械", "计算机", "电子设备", "仪器仪表"),
    "电力、热力、燃气及水生产和供应业": ("电力", "热力", "燃气"),
    "建筑业": ("建筑", "土木工程", "建筑安装", "建筑装饰", "装修"),
    "批发和零售业": ("批发", "零售"),
    "交通运输、仓储和邮政业": ("运输", "铁路运输", "道路运输", "水上运输", "航空运输", "多式联运", "装卸", "搬运", "仓储", "邮政",
                     "快递"),
    "住宿和餐饮业": ("住宿", "餐饮"),
    "信息传输、软件和信息技术服务业": ("信息传输", "电信", "广播电视", "卫星传输", "互联网", "软件", "信息技术",
                        "集成电路设计", "物联网", "数字内容"),
    "金融业": ("金融", "货币金融", "资本市场", "保险"),
    "房地产业": ("房地产",),
    "租赁和商务服务业": ("租赁", "商务服务"),
    "科学研究和技术服务业": ("科学研究", "试验发展", "专业技术服务", "科技推广"),
    "水利、环境和公共设施管理业": ("水利", "生态保护", "环境治理", "公共设施"),
    "居民服务、修理和其他服务业": ("居民服务", "修理", "机动车", "电子产品", "日用产品"),
    "教育": ("教育",),
    "卫生和社会工作": ("卫生", "社会工作", "医院", "医疗"),
    "文化、体育和娱乐业": ("新闻", "出版", "广播", "电视", "电影", "文化艺术", "体育", "娱乐"),
}
# The 大类 names the words above are taken from (GB/T 4754-2017), then the 中类 names of the few words taken from
# those, kept to check the words against (tests).
DIVISIONS: dict[str, tuple[str, ...]] = {
    "农、林、牧、渔业": ("农业", "林业", "畜牧业", "渔业", "农、林、牧、渔专业及辅助性活动"),
    "采矿业": ("煤炭开采和洗选业", "石油和天然气开采业", "黑色金属矿采选业", "有色金属矿采选业", "非金属矿采选业",
            "开采专业及辅助性活动", "其他采矿业"),
    "制造业": ("农副食品加工业", "食品制造业", "酒、饮料和精制茶制造业", "烟草制品业", "纺织业", "纺织服装、服饰业",
            "皮革、毛皮、羽毛及其制品和制鞋业", "木材加工和木、竹、藤、棕、草制品业", "家具制造业", "造纸和纸制品业",
            "印刷和记录媒介复制业", "文教、工美、体育和娱乐用品制造业", "石油、煤炭及其他燃料加工业",
            "化学原料和化学制品制造业", "医药制造业", "化学纤维制造业", "橡胶和塑料制品业", "非金属矿物制品业",
            "黑色金属冶炼和压延加工业", "有色金属冶炼和压延加工业", "金属制品业", "通用设备制造业", "专用设备制造业",
            "汽车制造业", "铁路、船舶、航空航天和其他运输设备制造业", "电气机械和器材制造业",
            "计算机、通信和其他电子设备制造业", "仪器仪表制造业", "其他制造业", "废弃资源综合利用业",
            "金属制品、机械和设备修理业"),
    "电力、热力、燃气及水生产和供应业": ("电力、热力生产和供应业", "燃气生产和供应业", "水的生产和供应业"),
    "建筑业": ("房屋建筑业", "土木工程建筑业", "建筑安装业", "建筑装饰、装修和其他建筑业"),
    "批发和零售业": ("批发业", "零售业"),
    "交通运输、仓储和邮政业": ("铁路运输业", "道路运输业", "水上运输业", "航空运输业", "管道运输业", "多式联运和运输代理业",
                       "装卸搬运和仓储业", "邮政业", "快递服务"),
    "住宿和餐饮业": ("住宿业", "餐饮业"),
    "信息传输、软件和信息技术服务业": ("电信、广播电视和卫星传输服务", "互联网和相关服务", "软件和信息技术服务业",
                        "集成电路设计", "物联网技术服务", "数字内容服务"),
    "金融业": ("货币金融服务", "资本市场服务", "保险业", "其他金融业"),
    "房地产业": ("房地产业",),
    "租赁和商务服务业": ("租赁业", "商务服务业"),
    "科学研究和技术服务业": ("研究和试验发展", "专业技术服务业", "科技推广和应用服务业"),
    "水利、环境和公共设施管理业": ("水利管理业", "生态保护和环境治理业", "公共设施管理业", "土地管理业"),
    "居民服务、修理和其他服务业": ("居民服务业", "机动车、电子产品和日用产品修理业", "其他服务业"),
    "教育": ("教育",),
    "卫生和社会工作": ("卫生", "社会工作", "医院", "基层医疗卫生服务"),
    "文化、体育和娱乐业": ("新闻和出版业", "广播、电视、电影和录音制作业", "文化艺术业", "体育", "娱乐业"),
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
    def ordinal(self) -> str:
        """The item as a sentence names it: the source's own 第五条 or 第三项 as written, 第7项 for an item numbered
        "7、" (never 第第五条项)."""
        number = self.number.strip().rstrip("、.．")
        return number if number.startswith("第") else f"第{number}项"

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
    """A section of the standard that the library speaks of, with its words and the items that name them
    (strongest first)."""

    name: str
    keywords: tuple[str, ...]
    cards: tuple[int, ...]

    @property
    def query(self) -> str:
        """The words to search with (not the section's long name, whose pieces 服务, 技术 say nothing)."""
        return " ".join(self.keywords)


def industries(cards: Sequence[MeasureCard], sections: dict[str, tuple[str, ...]] = SECTIONS) -> list[Industry]:
    """The sections some item names (a word in the item's own title or the headings above it, or twice in its
    text), in library order; a section no item names is not offered."""
    texts = [normalize(card.text) for card in cards]  # once per item, not once per section
    heads = [normalize(" ".join(bare_heading(h) for h in card.path[:-1]) + " " + card.heading) for card in cards]
    found = []
    for name, words in sections.items():
        words_n = [normalize(w) for w in words]
        scored = []
        for i, (head, text) in enumerate(zip(heads, texts)):
            strength = 3 * sum(w in head for w in words_n) + sum(text.count(w) for w in words_n)
            if strength >= 2:
                scored.append((-strength, i))
        if scored:
            found.append(Industry(name, words, tuple(i for _, i in sorted(scored))))
    return sorted(found, key=lambda ind: (ind.cards[0], list(sections).index(ind.name)))


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
