"""The knowledge base: keeps the index in step with the corpus folder, re-embedding only what changed.

Every write holds the index's write lock and changes the corpus folder in two steps: a file being added
(or removed) waits in corpus/.pending/ until the new manifest is in place, then is moved in (or deleted).
A writer killed at any point leaves the previous index loadable; the next writer finishes or undoes the
pending move by one rule: a pending file whose hash the manifest lists belongs in the corpus.
"""
from __future__ import annotations

import dataclasses
import hashlib
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant.store import index as store
from assistant.ingest.chunking import chunk_document
from assistant.ingest.chunking import units as sentence_units
from assistant.config import ChunkingConfig, IndexConfig, StoreConfig
from assistant.ingest.documents import SUPPORTED_SUFFIXES, load_corpus, load_document
from assistant.ingest.measures import MEASURES_VERSION, read_measures
from assistant.ingest.metadata import METADATA_VERSION
from assistant.instructions import instruction_spans
from assistant.limits import InvalidInput, check_name
from assistant.store.embedding import Embedder
from assistant.store.faiss_store import build_faiss
from assistant.store.pending import PENDING, move, pending_folder, settle, sidecar
from assistant.store.staging import EmbeddingStage
from assistant.store.stores import make_store, same_place
from assistant.store.vectorstore import chunk_rows
from assistant.errors import DocumentError, IndexMismatch, IndexNotBuilt, UnsupportedDocument
from assistant.records import Chunk, Document

STAGING = ".staging"  # inside the index folder: embedded batches of a build not yet saved (staging.py)

Progress = Callable[[str, int, int], None]
"""How a write reports where it is: (stage, done, total), the stages in order 读取 (the file), 切分 (documents),
向量化 (sentence units, those embedded before included), 保存索引."""


def silent(stage: str, done: int, total: int) -> None:
    """A `Progress` that reports nowhere."""


@dataclass
class SyncReport:
    """What one update did, by document id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    embedded_chunks: int = 0
    instructions: list[str] = field(default_factory=list)  # "doc_id: sentence" kept from the model
    reread: list[str] = field(default_factory=list)  # unchanged documents whose metadata and measures were read anew

    def summary(self) -> str:
        flagged = f"；{len(self.instructions)} 句疑似写给 AI 的指令不交给大模型" if self.instructions else ""
        flagged += f"；重新读取 {len(self.reread)} 个文件的元数据和申报条件" if self.reread else ""
        return (f"新增 {len(self.added)}，更新 {len(self.updated)}，删除 {len(self.removed)}，"
                f"未变 {len(self.unchanged)}，出错 {len(self.errors)}；向量化 {self.embedded_chunks} 段{flagged}")


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
    library: tuple[Path, ...] = ()  # read-only folders indexed in place beside the corpus (never written to)
    store_config: StoreConfig = StoreConfig()  # where the vectors live: FAISS files (default) or Milvus

    def load(self) -> store.VectorIndex:
        """The saved index, checked against this knowledge base's embedder and chunking."""
        index = store.load(self.index_dir, self.store_config.milvus_token)
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
        with self._writing():
            documents, errors = load_corpus(self.corpus_dir, *self.library)
            index = self._current()
            known = set(index.manifest.get("documents", {})) if index else set()
            failed = {Path(e.path).stem for e in errors}
            gone = known - {d.doc_id for d in documents} - failed
            new_index, report = self._update(index, documents, gone, progress)
        report.errors = errors
        return new_index, report

    def add(self, path: Path, progress: bool = False,
            on_progress: Progress = silent) -> tuple[store.VectorIndex, SyncReport]:
        """Copy one file into the corpus and index it, telling `on_progress` each stage; a bad file, or a failure
        before the new index is in place, leaves corpus and index as they were."""
        path = Path(path)
        on_progress("读取", 0, 1)
        check_name(path.name)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise UnsupportedDocument(str(path), f"unsupported type {path.suffix or '(none)'}; "
                                      f"supported: {', '.join(SUPPORTED_SUFFIXES)}")
        load_document(path)  # validate (type, size, text) before taking the lock
        target = self.corpus_dir / path.name
        with self._writing():
            index = self._current()
            self._check_unique(path.name, index)
            if target.exists() and path.resolve() == target.resolve():
                return self._update(index, [load_document(target)], set(), progress, on_progress)
            staged = pending_folder(self.corpus_dir, "add") / path.name
            files = [(path, staged)]
            if sidecar(path).exists():
                files.append((sidecar(path), sidecar(staged)))
            try:
                for src, dst in files:
                    shutil.copyfile(src, dst)
                # what is indexed is what is kept
                result = self._update(index, [load_document(staged)], set(), progress, on_progress)
            finally:
                self._recover()  # in the corpus if the new manifest landed, else gone
        return result

    def remove(self, doc: str) -> tuple[store.VectorIndex, SyncReport]:
        """Remove a document (by id or file name) from the index and the corpus folder."""
        with self._writing():
            index = self.load()
            docs = index.manifest.get("documents", {})
            doc_id = store.document_id(docs, doc)
            if doc_id is None:
                raise KeyError(f"no document {doc!r} in the index; known: {', '.join(sorted(docs)) or '(none)'}")
            source = self.corpus_dir / docs[doc_id]["source"]
            staged = pending_folder(self.corpus_dir, "remove") / source.name
            move(source, staged)  # out of the corpus; back in if the new manifest never lands
            try:
                result = self._update(index, [], {doc_id}, progress=False)
            finally:
                self._recover()
        return result

    def stage(self, part: int, parts: int, progress: bool = False) -> int:
        """Embed one share of the corpus into the staging folder without building an index; returns the
        number of sentence units staged. Machines that each stage share i of n, with their staging folders
        copied into one, let the final `sync` embed nothing (how a large library is embedded on several
        machines). A document's share is fixed by its id's hash."""
        if not 1 <= part <= parts:
            raise ValueError(f"shard must be i/n with 1 <= i <= n, got {part}/{parts}")
        documents, _ = load_corpus(self.corpus_dir, *self.library)
        mine = [d for d in documents
                if int(hashlib.sha256(d.doc_id.encode()).hexdigest()[:8], 16) % parts == part - 1]
        texts = [t for d in mine for c in chunk_document(d, self.chunking) for t in _without_instructions(c, []).unit_texts()]
        EmbeddingStage(self.index_dir / STAGING, self.embedder).embed(texts, progress=progress)
        return len(texts)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """The write lock, with what a killed writer left in corpus/.pending/ settled first."""
        with store.write_lock(self.index_dir):
            self._recover()
            yield

    def _recover(self) -> None:
        """A pending file whose hash the current manifest lists goes (back) into the corpus; others go."""
        if not (self.corpus_dir / PENDING).is_dir():
            return
        try:
            docs = store.read_manifest(self.index_dir).get("documents", {})
        except (IndexNotBuilt, IndexMismatch):
            docs = {}
        settle(self.corpus_dir, {(d["source"], d["sha256"]) for d in docs.values()})

    def _check_unique(self, name: str, index: store.VectorIndex | None) -> None:
        """Refuse a file whose id (its name without suffix) another file of the corpus or index already has."""
        doc_id = Path(name).stem
        docs = index.manifest.get("documents", {}) if index else {}
        other = docs[doc_id]["source"] if doc_id in docs and docs[doc_id]["source"] != name else next(
            (p.name for p in self.corpus_dir.glob("*") if p.is_file() and p.stem == doc_id and p.name != name
             and p.suffix.lower() in SUPPORTED_SUFFIXES), None)
        if other:
            raise InvalidInput(f"已有同名文档「{other}」（文档 ID {doc_id}），请改名后再添加，或先删除它")

    def _update(self, index: store.VectorIndex | None, upsert: list[Document], remove: set[str],
                progress: bool, on_progress: Progress = silent) -> tuple[store.VectorIndex, SyncReport]:
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
        for n, doc in enumerate(upsert):
            on_progress("切分", n, len(upsert))
            if doc.doc_id in old_docs and old_docs[doc.doc_id]["sha256"] == doc.sha256 and doc.doc_id in keep:
                report.unchanged.append(doc.doc_id)
                if old_docs[doc.doc_id].get("read_version") != READ_VERSION:  # read by older rules
                    docs_meta[doc.doc_id] = {**old_docs[doc.doc_id], **_read(doc)}
                    keep[doc.doc_id] = [(replace(c, doc_number=doc.doc_number), v) for c, v in keep[doc.doc_id]]
                    report.reread.append(doc.doc_id)
                continue
            (report.updated if doc.doc_id in old_docs else report.added).append(doc.doc_id)
            keep.pop(doc.doc_id, None)
            chunks = [_without_instructions(c, report.instructions) for c in chunk_document(doc, self.chunking)]
            fresh.extend(chunks)
            docs_meta[doc.doc_id] = {"source": doc.source, "sha256": doc.sha256, "chunks": len(chunks), **_read(doc)}
        stage = EmbeddingStage(self.index_dir / STAGING, self.embedder)
        vectors = stage.embed([t for c in fresh for t in c.unit_texts()], progress, lambda d, n: on_progress("向量化", d, n))
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
        moved = index is not None and not same_place(index.manifest.get("store", {}), self.store_config,
                                                     self.index_dir)  # e.g. FAISS → Milvus: no re-embedding
        if not (report.added or report.updated or report.removed or report.reread or index is None or moved):
            if self.store_config.kind == "milvus":
                return index, report  # unchanged: no new collection
            return store.VectorIndex([c for c, _ in pairs], build_faiss(all_vectors, self.index_config),
                                     manifest), report
        on_progress("保存索引", 0, 1)
        chunks = [c for c, _ in pairs]
        if self.store_config.kind == "milvus":
            vectors_store = make_store(self.store_config, self.embedder.dim, self.index_config,
                                       owner=str(self.index_dir.resolve()), n_hint=len(all_vectors))
            vectors_store.add(all_vectors, chunk_rows(chunks, docs_meta))
            new_index = store.VectorIndex(chunks, None, manifest, store=vectors_store)
        else:
            new_index = store.VectorIndex(chunks, build_faiss(all_vectors, self.index_config), manifest)
        store.save(new_index, self.index_dir)
        stage.clear()
        return new_index, report


# The rules that read a document's text besides its chunks: raise either version and a sync reads every document's
# metadata and measures anew, embedding nothing.
READ_VERSION = f"{METADATA_VERSION}.{MEASURES_VERSION}"


def _read(doc: Document) -> dict:
    """What the manifest keeps of a document beyond its chunks: title, 文号, metadata, and the support measures it
    states (see ingest.measures), read once here and stored with it."""
    return {"title": doc.title, "doc_number": doc.doc_number, "meta": doc.meta,
            "measures": [m.to_json() for m in read_measures(doc)], "read_version": READ_VERSION}


def _without_instructions(chunk: Chunk, found: list[str]) -> Chunk:
    """The chunk with instruction sentences cut out of its units: still in its text (shown, keyword-searched),
    never embedded, quoted or read by the model. The text between them is cut into units afresh, so that a
    clean sentence gets the unit it would have without the instruction beside it."""
    spans = instruction_spans(chunk.text)
    if not spans:
        return chunk
    found += [f"{chunk.doc_id}: {chunk.text[s:e].strip()}" for s, e in spans]
    bounds = [0, *(x for span in spans for x in span), len(chunk.text)]
    kept: list[tuple[int, int]] = []
    for start, end in zip(bounds[::2], bounds[1::2]):
        segment = chunk.text[start:end]
        lead = len(segment) - len(segment.lstrip())
        if any(c.isalnum() for c in segment):
            kept += [(start + lead + s, start + lead + e) for s, e in sentence_units(segment.strip())]
    return dataclasses.replace(chunk, units=tuple(kept))
