"""Markdown converted from PDF or Word (MinerU, pandoc): what a converter adds is not the document's content.

A converted notice starts with a table of fields (``| 发布时间 | 2023-05-31 |``) that is metadata, keeps the
converter's provenance lines (``- 原始文件：…``), HTML tables whose rows hold amounts and conditions, image
links to files that are not there, ``<details>`` blocks of OCR text (stamps, scanned signatures) and ``> ``
quote markers of indented paragraphs. `clean` turns that into plain content lines — each table row one line
whose cells keep their column names — and returns the fields as metadata. Markdown without any of these
comes back unchanged.

Example::

    text, meta = clean("| 字段 | 值 |\\n| --- | --- |\\n| 发文文号 | 雄安发〔2022〕1 号 |\\n\\n正文")
    meta   # {"doc_number": "雄安发〔2022〕1号"}
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup

# Fields of the converter's table and the metadata keys they fill (empty values are skipped).
FIELDS = {"发布时间": "issued", "发文单位": "issuer", "发文文号": "doc_number", "文件级别": "level",
          "政策标签": "tags", "适用企业": "audience"}
FIELD_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|\s*$")
TABLE_RULE = re.compile(r"^\|[\s:|-]+\|\s*$")
PROVENANCE = re.compile(r"^-\s*(?:原始文件|来源\s*URL|解析方式)\s*[:：]")
IMAGE = re.compile(r"!\[[^\]]*\]\((?:[^()\n]|\([^()\n]*\))*\)")  # a path may hold "(1)"
DETAILS = re.compile(r"<details\b.*?</details>", re.DOTALL | re.IGNORECASE)
HTML_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
# Inline markup pandoc leaves (underlines, footnote links and lists): the words stay, the tags go.
INLINE_TAG = re.compile(r"</?(?:span|u|p|a|sup|sub|br|hr|section|ol|ul|li|div|em|strong|b|i)\b[^>]*>", re.IGNORECASE)
BOLD = re.compile(r"\*\*(?=\S)|(?<=\S)\*\*")  # **emphasis** a converter keeps from the PDF's bold type
QUOTE_MARK = re.compile(r"^(?:>\s?)+", re.MULTILINE)
CELL_JOIN, FIELD_JOIN = "：", "；"


def clean(text: str) -> tuple[str, dict]:
    """The content of converted Markdown and the metadata its field table states."""
    meta: dict = {}
    text = DETAILS.sub("", text)
    text = HTML_TABLE.sub(lambda m: "\n".join(table_rows(m.group())), text)
    text = INLINE_TAG.sub("", BOLD.sub("", text))
    lines = []
    fields = False
    for line in text.split("\n"):
        stripped = line.strip()
        if fields and (TABLE_RULE.match(stripped) or FIELD_ROW.match(stripped)):
            if (m := FIELD_ROW.match(stripped)) and (key := FIELDS.get(m.group(1))) and m.group(2):
                meta[key] = _field(key, m.group(2))
            continue
        fields = stripped.replace(" ", "") == "|字段|值|"
        if fields or PROVENANCE.match(stripped):
            continue
        lines.append(IMAGE.sub("", line))
    return QUOTE_MARK.sub("", "\n".join(lines)), meta


def table_rows(markup: str) -> list[str]:
    """An HTML table as lines: the first row names the columns; each later row reads "列名：值；列名：值".

    Merged cells (rowspan/colspan) are repeated into the cells they cover, so each row reads whole. A table
    whose first row does not name every column once (a form: "申请单位名称 | (blank)") is read as plain
    lines, its cells joined by spaces.
    """
    grid = _grid(BeautifulSoup(markup, "lxml"))
    if not grid:
        return []
    header, *rows = grid
    named = len(header) > 1 and all(header) and len(set(header)) == len(header)  # else a form, not columns
    out = [" ".join(dict.fromkeys(c for c in header if c))]
    for row in rows:
        cells = [(h, c) for h, c in zip(header, row) if c]
        if not named or not any(h != c for h, c in cells):
            out.append(" ".join(dict.fromkeys(c for _, c in cells)))
        else:
            out.append(FIELD_JOIN.join(f"{h}{CELL_JOIN}{c}" if h and h != c else c
                                       for h, c in _unique(cells)))
    return [line for line in out if line.strip()]


def _grid(soup: BeautifulSoup) -> list[list[str]]:
    """The table's cell texts row by row, merged cells spread over the rows and columns they cover."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}  # (row, column) → text of a rowspan cell from above
    for r, tr in enumerate(soup.find_all("tr")):
        row: list[str] = []
        cells = iter(tr.find_all(["td", "th"]))
        while True:
            while (r, len(row)) in pending:
                row.append(pending.pop((r, len(row))))
            cell = next(cells, None)
            if cell is None:
                break
            text = re.sub(r"\s+", " ", cell.get_text(" ", strip=True)).strip()
            span, down = _span(cell, "colspan"), _span(cell, "rowspan")
            for _ in range(span):
                for below in range(1, down):
                    pending[(r + below, len(row))] = text
                row.append(text)
        if any(row):
            grid.append(row)
    return grid


def _span(cell, name: str) -> int:
    value = str(cell.get(name) or "1")
    return max(1, min(int(value), 50)) if value.isdigit() else 1


def _unique(cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Cells of a colspan repeat the same text under several column names: keep the first."""
    seen: set[str] = set()
    out = []
    for h, c in cells:
        if c not in seen:
            seen.add(c)
            out.append((h, c))
    return out


def _field(key: str, value: str) -> str | list[str]:
    value = value.strip()
    if key == "doc_number":
        return re.sub(r"\s+", "", value)
    if key == "tags":
        return [t for t in re.split(r"[,，、]", value) if t.strip()]
    return value
