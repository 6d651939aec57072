"""What a search may return: restrictions by document, department, section and the documents' metadata."""
from __future__ import annotations

from dataclasses import dataclass

from assistant.ingest.library import Library
from assistant.records import Chunk


@dataclass(frozen=True)
class Filters:
    """Restrict a search: by document (id or file name), lead department, section (matched against the clause
    path), issuing body, kind (条例, 办法 …), region, status (现行有效, 已被新版本取代 …), a range of version
    years, or to given clauses (chunk ids). A filter that matches nothing gives no hits (never all documents).

    Example: ``Filters(department="市医保局", years=(2020, 2024))``
    """

    docs: tuple[str, ...] = ()
    department: str = ""
    section: str = ""
    issuer: str = ""
    kind: str = ""
    region: str = ""
    status: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    clauses: frozenset[str] = frozenset()  # chunk ids: a follow-up bound to the clauses the previous answer cited

    def allows(self, chunk: Chunk) -> bool:
        return (
            (not self.docs or chunk.doc_id in self.docs or chunk.source in self.docs)
            and (not self.clauses or chunk.id in self.clauses)
            and (not self.department or any(self.department in d for d in chunk.departments))
            and (not self.section or any(self.section in p for p in chunk.path))
        )

    def allows_document(self, doc_id: str, library: Library) -> bool:
        meta, status = library.meta(doc_id), library.status(doc_id)
        year = library.year(doc_id)
        return (
            (not self.issuer or self.issuer in str(meta.get("issuer", "") or ""))
            and (not self.kind or str(meta.get("kind", "") or "").endswith(self.kind))
            and (not self.region or self.region in str(meta.get("region", "") or ""))
            and (not self.status or status.label in self.status or status.code in self.status)
            and (self.years is None or (year.isdigit() and self.years[0] <= int(year) <= self.years[1]))
        )

    def __bool__(self) -> bool:
        return bool(self.docs or self.department or self.section or self.issuer or self.kind or self.region
                    or self.status or self.years or self.clauses)
