"""What the structure of official documents tells retrieval, computed once per index (not per question).

Relations every Chinese law, regulation and action plan shares:

- **Named fields.** A 责任部门 or a heading the question names: "市教委负责哪些事项" should reach every item
  the 市教委 leads even where the body text never repeats the name.
- **The scope clause.** "本条例适用于…" / "…，适用本规定。" says what a document governs; a question asking
  *which* document governs a matter is answered by it.
- **Cross-references.** A penalty article cites the duty it punishes ("违反本条例第二十二条第一项规定的，
  处…罚款"); a question about the consequence needs both, and the two rarely share a word.
- **The commencement clause.** "本条例自2025年1月1日起施行" (or a normative document's "有效期至…") answers
  when a document takes effect; it is the last article and shares no word with the question's subject.

Example::

    structure = Structure(chunks)
    structure.ranking("市卫健委负责哪些事项")      # rows the 市卫健委 leads, lead department first
    structure.scope_row("doc-id")                 # the row holding that document's scope clause
    structure.commencement_row("doc-id")          # the row saying when it takes effect
    structure.linked(row)                         # rows the clause cites or that cite it, same document
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from assistant.normalize import normalize
from assistant.patterns import bare_heading
from assistant.records import Chunk

# The document's own name as its clauses say it ("本条例", "本规定", "本办法" …).
SELF = r"本(?:条例|规定|办法|细则|决定|规则|实施办法|方案)"
SCOPE = re.compile(rf"适用{SELF}|{SELF}适用于")
COMMENCEMENT = re.compile(rf"{SELF}[^。]{{0,40}}自[^。]{{0,20}}(?:日|之日)起?(?:施行|实施|生效)|{SELF}[^。]{{0,10}}有效期")
ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇两]+条")
# A cited article of the same document: "本条例第二十二条", "违反第十条规定"; not one of another law (《…法》第十条).
CITED = re.compile(rf"(?:{SELF}|违反|依照|按照|根据|依据|对照|不符合)\s*(第[一二三四五六七八九十百零〇两]+条)")

def article_of(chunk: Chunk) -> str:
    """The article ("第二十二条") a chunk belongs to, from its clause path; '' for chunks outside articles."""
    for part in reversed(chunk.path):
        m = ARTICLE.match(part)
        if m:
            return m.group(0)
    return ""


class Structure:
    """Departments, headings, scope clauses and article cross-references of the indexed chunks."""

    def __init__(self, chunks: Sequence[Chunk]):
        self._departments: dict[str, list[tuple[int, int]]] = defaultdict(list)  # name → (row, position)
        self._headings: dict[str, list[int]] = defaultdict(list)  # normalised bare heading → rows
        self._scope: dict[str, int] = {}
        self._commencement: dict[str, int] = {}
        articles: dict[tuple[str, str], list[int]] = defaultdict(list)
        for row, c in enumerate(chunks):
            for pos, d in enumerate(dict.fromkeys(c.departments)):
                if len(d) >= 3:
                    self._departments[d].append((row, pos))
            for p in set(c.path):
                head = normalize(bare_heading(p))
                if len(bare_heading(p)) >= 4:
                    self._headings[head].append(row)
            if c.doc_id not in self._scope and SCOPE.search(c.text):
                self._scope[c.doc_id] = row
            if COMMENCEMENT.search(c.text):  # the last one: a transitional clause may quote an earlier date
                self._commencement[c.doc_id] = row
            if article := article_of(c):
                articles[c.doc_id, article].append(row)
        self._department_keys = [(normalize(d), d) for d in self._departments]
        self._links: dict[int, set[int]] = defaultdict(set)
        for row, c in enumerate(chunks):
            own = article_of(c)
            for cited in {m.group(1) for m in CITED.finditer(c.text)} - {own}:
                for target in articles.get((c.doc_id, cited), ()):
                    self._links[row].add(target)
                    self._links[target].add(row)

    def ranking(self, query: str) -> list[int]:
        """Rows whose 责任部门 or heading the query names, lead departments first; [] when it names none."""
        q = normalize(query)
        found: dict[int, list[int]] = defaultdict(list)  # row → positions of named departments in its list
        for key, name in self._department_keys:
            if key in q:
                for row, pos in self._departments[name]:
                    found[row].append(pos)
        for head, rows in self._headings.items():
            if head in q:
                for row in rows:
                    found.setdefault(row, [])
        return sorted(found, key=lambda r: (-len(found[r]), min(found[r], default=99), r))

    def scope_row(self, doc_id: str) -> int | None:
        """The first row of the document stating what it applies to, or None."""
        return self._scope.get(doc_id)

    def commencement_row(self, doc_id: str) -> int | None:
        """The last row of the document saying when it takes effect ("本条例自…起施行"), or None."""
        return self._commencement.get(doc_id)

    def linked(self, row: int) -> list[int]:
        """Rows of the same document that this row's article cites, or whose article cites it, in row order: partners
        brought in with equal scores keep one order whatever the process's string hashing (a set's order did not)."""
        return sorted(self._links.get(row, ()))
