"""Checks of the question sets' gold data that use none of the code under test: a number is found as written."""
import re
import unicodedata

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
NUMBER = re.compile(rf"\d+(?:\.\d+)?|[{CN_DIGITS}]+")  # Arabic or Chinese numerals, as written


def written_numbers(text: str) -> list[str]:
    """The numbers a text writes, each as written (full-width digits as ASCII): "30日" → 30, "三十日" → 三十."""
    return NUMBER.findall(unicodedata.normalize("NFKC", text))


def written_in(number: str, text: str) -> bool:
    """Whether `text` writes `number` as a whole number: 10 is not in 100, nor 十 in 三十."""
    whole = rf"(?<![\d.{CN_DIGITS}]){re.escape(number)}(?!\.?\d|[{CN_DIGITS}])"
    return re.search(whole, unicodedata.normalize("NFKC", text)) is not None
