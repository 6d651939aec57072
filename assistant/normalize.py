"""Text normalisation for matching: full-width → half-width, ASCII lower-case, no whitespace."""
from __future__ import annotations

import unicodedata


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
