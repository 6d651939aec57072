"""Text normalisation for matching: full-width → half-width, ASCII lower-case, no whitespace; numbers one way."""
from __future__ import annotations

import re
import unicodedata
import warnings
from decimal import Decimal

import cn2an

from assistant.patterns import CN_AMOUNT


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise `text` and give, for each output character, the index of the source character it came from.

    Example: ``normalize_with_offsets("（ A ）")`` → ``("(a)", [0, 2, 4])``.
    """
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        # NFKC one character at a time, so every output character has exactly one source index.
        for c in unicodedata.normalize("NFKC", ch):
            if c.isspace():
                continue
            out.append(c.lower() if c.isascii() else c)
            offsets.append(i)
    return "".join(out), offsets


def normalize(text: str) -> str:
    """Normalise `text` for comparison: NFKC, lower-case ASCII, whitespace removed."""
    return normalize_with_offsets(text)[0]


def find_normalized(needle: str, haystack: str) -> tuple[int, int] | None:
    """Return the (start, end) offsets in `haystack` of the first normalised match of `needle`, or None."""
    norm_needle = normalize(needle)
    if not norm_needle:
        return None
    norm_haystack, offsets = normalize_with_offsets(haystack)
    pos = norm_haystack.find(norm_needle)
    if pos < 0:
        return None
    return offsets[pos], offsets[pos + len(norm_needle) - 1] + 1


# A Chinese numeral: a run of numeral characters (with 点 for decimals), or 百分之/千分之 and one.
CN_NUMERAL = re.compile(rf"(百分之|千分之)?([{CN_AMOUNT}]+(?:点[零〇一二三四五六七八九]+)?)")
# What a numeral counts: a lone numeral is a number only before one of these (三条, 十日), not in 十分 or 一律;
# a lone 一 only before a unit of time or money, since 一次, 一个, 一项 often mean "each" or "a".
MEASURE = set("个年月日天周时分秒元角岁条款项次倍家户人名所座台辆米号级层批成类种件份张本期届万亿")
ONE_MEASURE = set("年月日天周时元岁万亿")
SCALED = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)([万亿])")
SCALE = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
DAYS = re.compile(r"(?<=\d)天")


def _digits(m: re.Match) -> str:
    """One Chinese numeral as digits (cn2an reads it); left as it is when it is not a number."""
    per, numeral = m.group(1), m.group(2)
    after = m.string[m.end() : m.end() + 1]
    before = m.string[m.start() - 1 : m.start()] if m.start() else ""
    if not per and len(numeral) == 1 and before != "第" and after not in (ONE_MEASURE if numeral == "一" else MEASURE):
        return m.group(0)
    with warnings.catch_warnings():  # cn2an warns before it raises
        warnings.simplefilter("ignore")
        try:
            value = cn2an.cn2an(numeral, "smart")
        except (ValueError, KeyError, IndexError):
            return m.group(0)
    digits = format(Decimal(str(value)).normalize(), "f")
    return f"{digits}%" if per == "百分之" else f"{digits}‰" if per == "千分之" else digits


def numeral_value(text: str) -> float | None:
    """A number written in digits or Chinese numerals ("24", "三", "两", "二十四"), read by cn2an; None when the
    characters are no number ("十百")."""
    with warnings.catch_warnings():  # cn2an warns before it raises
        warnings.simplefilter("ignore")
        try:
            return float(cn2an.cn2an(text, "smart"))
        except (ValueError, KeyError, IndexError):
            return None


def canonical_numbers(text: str) -> str:
    """`text` normalised, with every number written one way, for comparing stated facts: Chinese numerals as
    digits (read by cn2an), 万 and 亿 multiplied out, 天 as 日.

    Example: ``canonical_numbers("三十日")`` and ``canonical_numbers("30天")`` → ``"30日"``; "三万元", "3万元" →
    "30000元"; "百分之五" → "5%"; "统一", "一律" stay as they are.
    """
    t = CN_NUMERAL.sub(_digits, normalize(text))
    t = SCALED.sub(lambda m: format((Decimal(m.group(1)) * SCALE[m.group(2)]).normalize(), "f"), t)
    return DAYS.sub("日", t)


def contains_number_text(text: str, needle: str) -> bool:
    """Whether `needle` occurs in `text`, both canonical (`canonical_numbers`), numbers whole: "30日" is in
    "提前30日" but not in "提前130日"."""
    start = r"(?<![\d.])" if needle[:1].isdigit() else ""
    end = r"(?![\d.])" if needle[-1:].isdigit() else ""
    return re.search(f"{start}{re.escape(needle)}{end}", text) is not None
