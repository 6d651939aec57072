"""What each unit of embedding work buys: sentence vectors (ours) against one vector per chunk, on three libraries.

    .venv/bin/python -m eval.bench_units [--corpora seed,regulations,xiongan] [--sample 200]

Per library: chunks, vectors and vectors per chunk, the characters embedded; the embedder's speed on the same
sample of chunks embedded both ways (characters and texts per second, measured side by side in this run) and
what the whole library costs at that speed; and retrieval (doc@1, ev@5, MRR) with each granularity. The sentence
index is `eval.bench_retrieval`'s cached one; the chunk vectors are cached beside it (first run: minutes).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from assistant.config import ChunkingConfig, IndexConfig
from assistant.retrieval.retrieve import Retriever
from assistant.store.embedding import Embedder, EmbedderConfig, make_embedder
from assistant.store.faiss_store import build_faiss
from assistant.store.index import VectorIndex

from .baselines import cached_vectors
from .bench import ROOT, md_table
from .bench_retrieval import build_ours, hybrid, regulations_corpus, score, seed_corpus, xiongan_corpus

MAKERS = {"seed": seed_corpus, "regulations": regulations_corpus, "xiongan": xiongan_corpus}


def whole_chunks(index: VectorIndex) -> list:
    """The chunks with one unit each: the whole chunk, embedded with its heading like a sentence is."""
    return [dataclasses.replace(c, units=((0, len(c.text)),)) for c in index.chunks]


def speed(embedder: Embedder, texts: list[str]) -> tuple[float, float]:
    """(characters per second, texts per second) embedding these texts in the indexer's batches."""
    t0 = time.perf_counter()
    embedder.embed_passages(texts)
    s = time.perf_counter() - t0
    return sum(map(len, texts)) / s, len(texts) / s


def library(name: str, embedder: Embedder, workdir: Path, sample: int) -> dict:
    corpus = MAKERS[name]()
    units_retriever, _ = build_ours(corpus, embedder, workdir, ChunkingConfig.max_chars)
    index = units_retriever.index
    chunks = whole_chunks(index)
    unit_texts = [t for c in index.chunks for t in c.unit_texts()]
    chunk_texts = [c.unit_texts()[0] for c in chunks]
    step = max(1, len(index.chunks) // sample)
    picked = range(0, len(index.chunks), step)
    unit_speed = speed(embedder, [t for i in picked for t in index.chunks[i].unit_texts()])
    chunk_speed = speed(embedder, [chunk_texts[i] for i in picked])
    vectors = cached_vectors(embedder, chunk_texts, workdir / f"chunkvectors-{name}.npy")
    chunk_index = VectorIndex(chunks, build_faiss(vectors, IndexConfig()), index.manifest)
    chunk_retriever = Retriever(chunk_index, embedder)
    return {"chunks": len(index.chunks), "vectors": len(unit_texts), "chars_units": sum(map(len, unit_texts)),
            "chars_chunks": sum(map(len, chunk_texts)),
            "units": {"chars_per_s": unit_speed[0], "texts_per_s": unit_speed[1],
                      "retrieval": score(corpus.cases, hybrid(units_retriever))},
            "chunks_only": {"chars_per_s": chunk_speed[0], "texts_per_s": chunk_speed[1],
                            "retrieval": score(corpus.cases, hybrid(chunk_retriever))}}


def rows(report: dict) -> list[list]:
    out = []
    for name, r in report.items():
        for label, key, n, chars in (("sentence units (ours)", "units", r["vectors"], r["chars_units"]),
                                     ("one vector per chunk", "chunks_only", r["chunks"], r["chars_chunks"])):
            g, m = r[key], r[key]["retrieval"]
            out.append([name, label, n, f"{n / r['chunks']:.2f}", chars, f"{g['chars_per_s']:.0f}",
                        f"{g['texts_per_s']:.1f}", f"{chars / g['chars_per_s']:.0f}",
                        f"{m['doc@1']:.3f}", f"{m['ev@5']:.3f}", f"{m['mrr']:.3f}"])
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpora", default="seed,regulations,xiongan")
    p.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "bench")
    p.add_argument("--sample", type=int, default=200, help="chunks whose texts are timed both ways")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    embedder = make_embedder(EmbedderConfig())
    embedder.embed_query("预热")  # the model's load is not embedding speed
    report = {name: library(name, embedder, args.workdir, args.sample) for name in args.corpora.split(",")}
    print(md_table(["library", "granularity", "vectors", "per chunk", "characters embedded", "chars/s", "texts/s",
                    "embedding s (at that speed)", "doc@1", "ev@5", "MRR"], rows(report)))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
