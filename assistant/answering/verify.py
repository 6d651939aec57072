"""Checks a generated answer against its sources, sentence by sentence (pure functions).

A sentence survives only if every number, date, amount, percentage, 文号 and department it states appears
in a source it cites, and enough of its wording (character bigrams, suited to Chinese) is found there.
Numbers are compared by value ("30天" is "三十日", "3万元" is "三万元"); the model's "根据资料1，…" is read as
the citation [1]; an article number or version year may come from the label of the clause the model was shown.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.answering.refusal import says
from assistant.asks import YEAR
from assistant.normalize import canonical_numbers, contains_number_text, normalize
from assistant.patterns import CITATION, CN_AMOUNT, DOC_NUMBER

SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?(?:\s*(?:\[\d{1,2}\])+)?")
NUMBER = re.compile(
    rf"(?:\d+(?:[.,]\d+)*|[{CN_AMOUNT}]{{2,}}|百分之[{CN_AMOUNT}\d.]+)"
    r"\s*(?:%|％|‰|万元|亿元|元|万|亿|家|个|项|条|所|座|年|月|日|号|倍|人|名|户|平方米|公里|小时|天|周)?"
)
DEPARTMENT = re.compile(r"(?<![本全各该])(?:市|区|县|省|国家)[\u4e00-\u9fff]{1,12}?(?:委员会|办公厅|部门|委|局|厅|办|部|院|署|中心)")
# Any other body (财政部, 工业和信息化部, 市人民政府, 上海科创办): the institutional word that closes its name, read
# with the two characters before it, so a paraphrase around the name does not matter; not the words that only
# look like one (部门, 全部, 布局, 举办 …).
BODY_WORD = re.compile(r"人民代表大会常务委员会|人民政府|常务委员会|委员会|办公厅|办公室|部(?![门分署位件])|局(?![面势部限])|"
                       r"委(?![托员屈婉])|署|办(?![法理公事学好成结])")
NOT_A_BODY = frozenset("全部 内部 外部 局部 干部 东部 西部 南部 北部 中部 底部 头部 总部 各部 本部 乐部 细部 腹部 "
                       "格局 布局 大局 全局 结局 开局 当局 出局 举办 承办 主办 兴办 开办 督办 代办 协办 包办 申办 试办 "
                       "筹办 合办 难办 好办 照办 查办 交办 首办 转办 通办 公署 部署 签署 主委".split())
STOP_CHARS = set("的了和与及等是在对为将由把被从向以于或并也都就又而之其这那个各些要会可能")
REFUSAL_PHRASES = ("文件未涉及", "信息不足", "未涉及", "没有提到", "未提及", "没有涉及", "无法回答", "没有相关", "未作规定",
                   "没有规定", "未规定", "无法从", "不包含")
# The model citing in words ("根据资料1，…", "（资料2）"): a source number, not a fact to find in the source.
MATERIAL = re.compile(r"资料\s*(\d{1,2})(?![\d份件页套张本])")  # not "提交资料2份"
MATERIAL_PHRASE = re.compile(rf"(?:根据|依据|按照|依照|据|参见|参照|见)?\s*[（(]?{MATERIAL.pattern}[)）]?"
                             r"(?:中的规定|的规定|中|规定|所述)?\s*[，,：:、和及与]?")
MIN_SUPPORT = 0.5  # share of a sentence's character bigrams that must occur in its cited sources
MIN_CHECKED_CHARS = 6  # shorter sentences ("具体如下：") carry no claim


@dataclass
class Verdict:
    """The checked answer: what was kept, what was dropped and why."""

    text: str
    kept: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, reason)
    cited: list[int] = field(default_factory=list)  # source numbers the kept text cites, in order
    notes: list[str] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return bool(self.kept)


def _content(text: str) -> str:
    return "".join(ch for ch in canonical_numbers(CITATION.sub("", text)) if ch.isalnum() and ch not in STOP_CHARS)


def bigram_support(sentence: str, source: str) -> float:
    """Share of the sentence's content-character bigrams that occur in the source."""
    s = _content(sentence)
    if len(s) < 2:
        return 1.0
    src = canonical_numbers(source)
    grams = [s[i : i + 2] for i in range(len(s) - 1)]
    return sum(g in src for g in grams) / len(grams)


def facts(sentence: str) -> list[str]:
    """The checkable specifics of a sentence: 文号, numbers with their units, departments."""
    text = CITATION.sub("", sentence)
    found = [m.group(0) for m in DOC_NUMBER.finditer(text)]
    rest = DOC_NUMBER.sub(" ", text)
    found += [m.group(0).strip() for m in NUMBER.finditer(rest) if not re.fullmatch(r"[一二两]", m.group(0))]
    departments = [m.group(0) for m in DEPARTMENT.finditer(rest)]
    found += departments + [b for b in bodies(rest) if not any(b in d or d in b for d in departments)]
    return found


def bodies(text: str) -> list[str]:
    """Government bodies a text names, each as its closing institutional word and up to two Chinese characters
    before it (at least three characters in all: 财政部, 市人民政府)."""
    out = []
    for m in BODY_WORD.finditer(text):
        head = text[max(0, m.start() - 2) : m.start()]
        while head and not "\u4e00" <= head[0] <= "\u9fff":
            head = head[1:]
        if head and all("\u4e00" <= c <= "\u9fff" for c in head) and len(head + m.group()) >= 3 \
                and head[-1] + m.group()[0] not in NOT_A_BODY:
            out.append(head + m.group())
    return out


def _fact_in(fact: str, source_norm: str, source_canon: str) -> bool:
    """Whether the source states the fact: as written, as a bare number with its unit nearby, or with its number
    written another way ("30天" where the source says "三十日")."""
    f = normalize(fact)
    if f in source_norm:
        return True
    digits = re.match(r"[\d.,]+", f)  # "100家以上" states 100家: accept the number with its unit, or bare
    if digits and digits.group(0) in source_norm and f[len(digits.group(0)) :][:1] in source_norm:
        return True
    return contains_number_text(source_canon, canonical_numbers(fact))


def material_citations(sentence: str) -> str:
    """"根据资料1，市公安部门是主管部门。" → "市公安部门是主管部门。[1]": the sources the model names in words,
    as citation marks at the sentence's end."""
    refs = list(dict.fromkeys(int(n) for n in MATERIAL.findall(sentence)))
    if not refs:
        return sentence
    marked = {int(n) for n in CITATION.findall(sentence)}
    rest = re.sub(r"[，,、：:\s]+(?=[。！？!?；;]|$)", "", MATERIAL_PHRASE.sub("", sentence).strip())
    return rest + "".join(f"[{n}]" for n in refs if n not in marked)


def is_refusal(text: str) -> bool:
    """Does the model say the documents do not cover the question?"""
    head = text.strip()[:60]
    return any(p in head for p in REFUSAL_PHRASES)


def tidy_citations(answer: str) -> str:
    """Put markers the model wrote after a line break ("……。\n[1]") back on the sentence they close."""
    return re.sub(r"([。！？!?；;])\s*\n\s*((?:\[\d{1,2}\]\s*)+)", lambda m: m.group(1) + m.group(2).replace(" ", "") + "\n",
                  answer)


def window(sentence: str, source: str) -> str:
    """The source sentence that best supports `sentence`, with its neighbours: where the claim comes from."""
    parts = [m.group(0) for m in SENTENCE.finditer(source)]
    if not parts:
        return source
    best = max(range(len(parts)), key=lambda i: bigram_support(sentence, parts[i]))
    return "".join(parts[max(best - 1, 0) : best + 2])


def verify(answer: str, sources: Sequence[str], required: Sequence[str] = (), labels: Sequence[str] = ()) -> Verdict:
    """Keep the sentences whose facts and wording are found in the sources they cite (numbered from 1).

    A sentence whose facts and wording are in another source than the one it cites is kept with the
    citation corrected: the claim is verified, only its pointer was wrong. `required` are terms the
    question pins (its years): each must occur where the claim comes from (`window`), so "2021年票房为
    44.8亿美元" is dropped when the source says 44.8亿美元 next to another year. `labels`: what the model was
    shown beside each source (title, version date, 文号, clause path); a fact may come from there ("第十八条",
    "2020年版"), the wording must come from the source.
    """
    verdict = Verdict(text="")
    answer = tidy_citations(answer)
    labels = [*labels, *[""] * (len(sources) - len(labels))]
    norm_sources = [(normalize(f"{label}\n{s}"), canonical_numbers(f"{label}\n{s}")) for label, s in zip(labels, sources)]
    kept_parts: list[str] = []
    for m in SENTENCE.finditer(answer):
        sentence = material_citations(m.group(0).strip())
        lead = re.match(r"(?:\[\d{1,2}\]\s*)+", sentence)
        if lead:  # "[1] 建设……。" → "建设……。[1]"
            sentence = sentence[lead.end() :] + "".join(f"[{n}]" for n in CITATION.findall(lead.group(0)))
        if not sentence:
            continue
        numbers = [int(n) for n in CITATION.findall(sentence)]
        bad = [n for n in numbers if not 1 <= n <= len(sources)]
        if bad:
            verdict.notes.append(f"删除了不存在的引用 {', '.join(f'[{n}]' for n in bad)}")
            for n in bad:
                sentence = sentence.replace(f"[{n}]", "")
            numbers = [n for n in numbers if n not in bad]
        body = CITATION.sub("", sentence).strip()
        if len(_content(body)) < MIN_CHECKED_CHARS:
            if bad and not numbers:
                continue  # "详见[5]." with [5] gone says nothing
            if numbers or not facts(body):
                kept_parts.append(sentence)
                continue
        cited = numbers or _best_source(body, sources)
        problem = _check(body, cited, sources, norm_sources)
        if problem and numbers:
            better = _best_source(body, sources)
            if better and better != numbers and not _check(body, better, sources, norm_sources):
                wrong = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
                verdict.notes.append(f"更正了引用：「{body[:20]}…」出自[{better[0]}]，而非{wrong}")
                sentence, numbers, cited, problem = CITATION.sub("", sentence).strip(), [], better, ""
        if not problem and required:
            problem = _off_pin(body, cited, sources, required)
        if problem:
            verdict.dropped.append((body, problem))
            continue
        if not numbers:
            sentence = f"{sentence}{''.join(f'[{n}]' for n in cited)}"
        kept_parts.append(sentence)
        verdict.kept.append(body)
        verdict.cited.extend(n for n in cited if n not in verdict.cited)
    verdict.text = "".join(kept_parts).strip()
    for body, reason in verdict.dropped:
        verdict.notes.append(f"已删除未核实的句子「{body[:40]}」：{reason}")
    return verdict


def _check(body: str, cited: list[int], sources: Sequence[str], norm_sources: Sequence[tuple[str, str]]) -> str:
    """Why the cited sources do not support the sentence, or '' when they do. `norm_sources`: each source
    normalised, and with its numbers written one way."""
    cited_norm = "".join(norm_sources[n - 1][0] for n in cited)
    cited_canon = "".join(norm_sources[n - 1][1] for n in cited)
    missing = [f for f in facts(body) if not _fact_in(f, cited_norm, cited_canon)]
    if missing:
        return f"原文中找不到：{'、'.join(missing)}"
    support = max((bigram_support(body, sources[n - 1]) for n in cited), default=0.0)
    joined = bigram_support(body, " ".join(sources[n - 1] for n in cited))
    if max(support, joined) < MIN_SUPPORT:
        return f"与所引原文不符（字面支持度 {max(support, joined):.2f}）"
    return ""


def _off_pin(body: str, cited: list[int], sources: Sequence[str], required: Sequence[str]) -> str:
    """Why the sentence is not about what the question pins, or '' when it is: each required term must occur
    where the claim comes from, and a year the sentence states must be one the question asks about."""
    places = normalize("".join(window(body, sources[n - 1]) for n in cited))
    absent = [t for t in required if not says(normalize(t), places)]
    if absent:
        return f"所引原文此处没有问题所问的{'、'.join(absent)}"
    stated, asked = set(YEAR.findall(body)), [t for t in required if YEAR.fullmatch(t)]
    if stated and asked and not stated & set(asked):
        return f"回答说的是{'、'.join(sorted(stated))}年，问题问的是{'、'.join(asked)}年"
    return ""


def _best_source(sentence: str, sources: Sequence[str]) -> list[int]:
    """The source that best supports an uncited sentence (attribution after the fact), as [n] or []."""
    if not sources:
        return []
    scores = [bigram_support(sentence, s) for s in sources]
    best = max(range(len(sources)), key=scores.__getitem__)
    return [best + 1] if scores[best] >= MIN_SUPPORT else []
