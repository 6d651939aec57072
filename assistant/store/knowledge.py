"""The knowledge base: keeps the index in step with the corpus folder, re-embedding only what changed."""
from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.store import index as store
from assistant.ingest.chunking import chunk_document
from assistant.config import ChunkingConfig, IndexConfig
from assistant.ingest.documents import SUPPORTED_SUFFIXES, load_corpus, load_document
from assistant.store.embedding import Embedder
from assistant.errors import DocumentError, IndexMismatch, IndexNotBuilt, UnsupportedDocument
from assistant.records import Chunk, Document


@dataclass
class SyncReport:
    """What one update did, by document id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    embedded_chunks: int = 0

    def summary(self) -> str:
        return (f"新增 {len(self.added)}，更新 {len(self.updated)}，删除 {len(self.removed)}，"
                f"未变 {len(self.unchanged)}，出错 {len(self.errors)}；向量化 {self.embedded_chunks} 段")


@dataclass(frozen=True)
class KnowledgeBase:
    """A corpus folder, its index folder, and the settings the index must be built with.

    Example::

        kb = KnowledgeBase(Path("corpus"), Path("index"), make_embedder(EmbedderConfig()))
        index, report = kb.sync(progress=True)
    """

    corpus_dir: Path
    index_dir: Path
    embedder: Embedder
    chunking: ChunkingConfig = ChunkingConfig()
    index_config: IndexConfig = IndexConfig()

    def load(self) -> store.VectorIndex:
        """The saved index, checked against this knowledge base's embedder and chunking."""
        index = store.load(self.index_dir)
        store.check_compatible(index.manifest, self.embedder.name, self.chunking.to_json(), self.index_dir)
        return index

    def load_or_build(self, progress: bool = False) -> store.VectorIndex:
        """The saved index, or a new one built from the corpus when none exists yet."""
        try:
            return self.load()
        except IndexNotBuilt:
            return self.sync(progress=progress)[0]

    def _current(self) -> store.VectorIndex | None:
        try:
            return self.load()
        except IndexNotBuilt:
            return None
        except IndexMismatch:
            return None  # settings changed: everything is re-embedded

    def sync(self, progress: bool = False) -> tuple[store.VectorIndex, SyncReport]:
        """Index every document of the corpus folder; files that fail keep their previous entries."""
        documents, errors = load_corpus(self.corpus_dir)
        index = self._current()
        known = set(index.manifest.get("documents", {})) if index else set()
        failed = {Path(e.path).stem for e in errors}
        gone = known - {d.doc_id for d in documents} - failed
        new_index, report = self._update(index, documents, gone, progress)
        report.errors = errors
        return new_index, report

    def add(self, path: Path, progress: bool = False) -> tuple[store.VectorIndex, SyncReport]:
        """Copy one file into the corpus and index it; a bad file raises before anything changes."""
        path = Path(path)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise UnsupportedDocument(str(path), f"unsupported type {path.suffix or '(none)'}; "
                                      f"supported: {', '.join(SUPPORTED_SUFFIXES)}")
        load_document(path)  # validate before copying
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        target = self.corpus_dir / path.name
        if path.resolve() != target.resolve():
            shutil.copyfile(path, target)
            sidecar = path.with_name(path.name + ".meta.json")
            if sidecar.exists():
                shutil.copyfile(sidecar, target.with_name(target.name + ".meta.json"))
        return self._update(self._current(), [load_document(target)], set(), progress)

    def remove(self, doc: str) -> tuple[store.VectorIndex, SyncReport]:
        """Remove a document (by id or file name) from the index and the corpus folder."""
        index = self.load()
        docs = index.manifest.get("documents", {})
        doc_id = doc if doc in docs else next((i for i, d in docs.items() if d["source"] == doc), None)
        if doc_id is None:
            raise KeyError(f"no document {doc!r} in the index; known: {', '.join(sorted(docs)) or '(none)'}")
        for f in (self.corpus_dir / docs[doc_id]["source"], self.corpus_dir / (docs[doc_id]["source"] + ".meta.json")):
            f.unlink(missing_ok=True)
        return self._update(index, [], {doc_id}, progress=False)

    def _update(self, index: store.VectorIndex | None, upsert: list[Document], remove: set[str],
                progress: bool) -> tuple[store.VectorIndex, SyncReport]:
        report = SyncReport()
        old_docs = dict(index.manifest.get("documents", {})) if index else {}
        old_vectors = index.vectors() if index else np.zeros((0, self.embedder.dim), dtype=np.float32)
        keep: dict[str, list[tuple[Chunk, np.ndarray]]] = {}
        if index:
            for row, c in enumerate(index.chunks):
                first = index.first_unit[row]
                keep.setdefault(c.doc_id, []).append((c, old_vectors[first : first + len(c.units)]))
        docs_meta = {i: m for i, m in old_docs.items() if i not in remove}
        report.removed = sorted(i for i in remove if i in old_docs)
        for i in report.removed:
            keep.pop(i, None)
        fresh: list[Chunk] = []
        for doc in upsert:
            if doc.doc_id in old_docs and old_docs[doc.doc_id]["sha256"] == doc.sha256 and doc.doc_id in keep:
                report.unchanged.append(doc.doc_id)
                continue
            (report.updated if doc.doc_id in old_docs else report.added).append(doc.doc_id)
            keep.pop(doc.doc_id, None)
            chunks = chunk_document(doc, self.chunking)
            fresh.extend(chunks)
            docs_meta[doc.doc_id] = {"source": doc.source, "sha256": doc.sha256, "title": doc.title,
                                     "doc_number": doc.doc_number, "meta": doc.meta, "chunks": len(chunks)}
        vectors = self.embedder.embed_passages([t for c in fresh for t in c.unit_texts()], progress=progress)
        report.embedded_chunks = len(fresh)
        offset = 0
        for c in fresh:
            keep.setdefault(c.doc_id, []).append((c, vectors[offset : offset + len(c.units)]))
            offset += len(c.units)
        pairs = [p for doc_id in sorted(keep) for p in keep[doc_id]]
        all_vectors = np.concatenate([v for _, v in pairs]) if pairs else np.zeros((0, self.embedder.dim), np.float32)
        config = self.embedder.config
        manifest = {"embedder": self.embedder.name, "embedder_config": asdict(config) if config else None,
                    "chunking": self.chunking.to_json(),
                    "index": self.index_config.kind, "documents": docs_meta}
        new_index = store.VectorIndex([c for c, _ in pairs], store.build_faiss(all_vectors, self.index_config), manifest)
        if report.added or report.updated or report.removed or index is None:
            store.save(new_index, self.index_dir)
        return new_index, report
