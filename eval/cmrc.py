"""CMRC2018 (Chinese Wikipedia reading comprehension): retrieval over its 1,104 paragraphs, and reader EM/F1.

    python -m eval cmrc --limit 500          # retrieval: ours vs BM25-only vs dense-only, recall@1/3/5 and MRR
    python -m eval cmrc --reader --limit 200 # reader: the LLM extracts the answer span from the gold paragraph

Retrieval: every dev and trial paragraph is one document (titled with its Wikipedia article), indexed by our
normal pipeline; a hit is a retrieved chunk from the question's own paragraph. No published retrieval numbers
exist, so the baselines run on the same index in the same run. Reader: EM/F1 follow the official
cmrc2018_evaluate.py (punctuation removed; F1 over the longest common substring of mixed segments).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .bench import add_bench_args, md_table, require, subset, write_json

# Dev EM / F1 (%) of the dataset's baselines (github.com/ymcui/cmrc2018 baseline README, via
# shared/benchmarks/README.md).
PUBLISHED_READER = {"BERT-multilingual": (63.6, 84.0), "BERT-Chinese": (63.5, 83.6), "MCA-Reader": (66.7, 85.5)}
# The official script's punctuation list (cmrc2018_evaluate.py, `sp_char`).
PUNCTUATION = frozenset(["-", ":", "_", "*", "^", "/", "\\", "~", "`", "+", "=", "，", "。", "：", "？", "！", "“", "”",
                         "；", "’", "《", "》", "……", "·", "、", "「", "」", "（", "）", "－", "～", "『", "』"])
CJK = re.compile(r"[\u4e00-\u9fa5]")
WORD = re.compile(r"\w+|[^\w\s]")
KS = (1, 3, 5)
READER_LIMIT = 200  # the local LLM takes 1-2 s a question on 2 cores
READER_SYSTEM = "你是阅读理解助手。请从给定文章中找出能回答问题的最短原文片段，只输出这个片段，不要解释。"


@dataclass(frozen=True)
class Paragraph:
    id: str
    title: str
    context: str


@dataclass(frozen=True)
class CmrcQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    paragraph: str


def load(folder: Path) -> tuple[list[Paragraph], list[CmrcQuestion]]:
    """All dev and trial paragraphs, and the dev questions."""
    paragraphs: list[Paragraph] = []
    questions: list[CmrcQuestion] = []
    for name in ("cmrc2018_dev.json", "cmrc2018_trial.json"):
        data = json.loads(require(folder / name).read_text(encoding="utf-8"))
        for article in data["data"]:
            for p in article["paragraphs"]:
                paragraphs.append(Paragraph(p["id"], article.get("title", ""), p["context"]))
                if name == "cmrc2018_dev.json":
                    questions += [CmrcQuestion(q["id"], q["question"], tuple(a["text"] for a in q["answers"]), p["id"])
                                  for q in p["qas"]]
    return paragraphs, questions


# --- the official metrics -------------------------------------------------------------------------------------

def remove_punctuation(text: str) -> str:
    """Official EM normalisation: lower-case, outer whitespace stripped, the official punctuation removed."""
    return "".join(c for c in text.lower().strip() if c not in PUNCTUATION)


def mixed_segmentation(text: str, rm_punc: bool = False) -> list[str]:
    """Official F1 segmentation: each Chinese character (and punctuation mark) alone, other runs split into words."""
    segs: list[str] = []
    run = ""
    for c in text.lower().strip():
        if rm_punc and c in PUNCTUATION:
            continue
        if CJK.match(c) or c in PUNCTUATION:
            segs += WORD.findall(run)  # the official script uses nltk.word_tokenize here
            run = ""
            segs.append(c)
        else:
            run += c
    return segs + WORD.findall(run)


def longest_common_substring(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest contiguous run shared by a and b (the official script's `find_lcs`)."""
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    """1.0 when the prediction equals some reference after normalisation."""
    return float(any(remove_punctuation(prediction) == remove_punctuation(a) for a in answers))


def f1(prediction: str, answers: Sequence[str]) -> float:
    """Max over the references of the F1 of the longest common substring of segments."""
    scores = []
    pred = mixed_segmentation(prediction, rm_punc=True)
    for a in answers:
        ref = mixed_segmentation(a, rm_punc=True)
        common = longest_common_substring(ref, pred)
        scores.append(0.0 if not common else 2 * common / (len(pred) + len(ref)))
    return max(scores, default=0.0)


# --- retrieval ------------------------------------------------------------------------------------------------

def write_corpus(paragraphs: Sequence[Paragraph], corpus: Path) -> None:
    """One .txt per paragraph with a sidecar naming its article; unchanged files are left alone (index reuse)."""
    corpus.mkdir(parents=True, exist_ok=True)
    for p in paragraphs:
        for path, text in ((corpus / f"{p.id}.txt", p.context + "\n"),
                           (corpus / f"{p.id}.txt.meta.json", json.dumps({"title": p.title or p.id}, ensure_ascii=False))):
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")


def first_hit(doc_ids: Sequence[str], gold: str) -> int:
    """1-based rank of the first chunk from the gold paragraph; 0 when none was retrieved."""
    return next((rank for rank, d in enumerate(doc_ids, start=1) if d == gold), 0)


def rank_scores(ranks: Sequence[int]) -> dict:
    """recall@1/3/5 and MRR (%) from first-hit ranks."""
    n = len(ranks) or 1
    return {**{f"recall@{k}": 100 * sum(0 < r <= k for r in ranks) / n for k in KS},
            "mrr": 100 * sum(1 / r for r in ranks if r) / n}


def retrieval(args: argparse.Namespace, paragraphs: list[Paragraph], questions: list[CmrcQuestion]) -> dict:
    from assistant.retrieval.retrieve import Retriever
    from assistant.serving.wiring import knowledge_base

    corpus, index_dir = args.workdir / "corpus", args.workdir / "index"
    write_corpus(paragraphs, corpus)
    kb = dataclasses.replace(knowledge_base(args), corpus_dir=corpus, index_dir=index_dir)
    t0 = time.perf_counter()
    index, report = kb.sync(progress=True)
    build_s = time.perf_counter() - t0
    print(f"index: {len(index.chunks)} chunks from {len(paragraphs)} paragraphs in {build_s:.1f} s "
          f"({report.embedded_chunks} chunks embedded; cache {args.workdir})", file=sys.stderr)
    for e in report.errors:
        print(f"skipped: {e}", file=sys.stderr)
    retriever = Retriever(index, kb.embedder)
    dense = Retriever(index, kb.embedder)  # its own query-vector cache, so its timing includes embedding the query
    chunks = index.chunks
    k = max(KS)
    systems: dict[str, Callable[[str], list[str]]] = {
        "ours (hybrid)": lambda q: [h.chunk.doc_id for h in retriever.search(q, k)],
        "BM25 only": lambda q: [chunks[r].doc_id for r, _ in retriever.lexical(q, k)],
        "dense only": lambda q: [chunks[r].doc_id for r, _, _ in dense.dense(q, k)],
    }
    results = {}
    for name, search in systems.items():
        t = time.perf_counter()
        ranks = [first_hit(search(q.question), q.paragraph) for q in tqdm(questions, desc=name, unit="问")]
        ms = 1000 * (time.perf_counter() - t) / max(len(questions), 1)
        results[name] = {**rank_scores(ranks), "ms_per_question": ms}
    return {"benchmark": "cmrc2018", "task": "retrieval", "unit": "%", "n": len(questions),
            "paragraphs": len(paragraphs), "chunks": len(chunks), "index_build_s": round(build_s, 1),
            "systems": results}


# --- reader ---------------------------------------------------------------------------------------------------

def reader_messages(context: str, question: str) -> list[dict]:
    return [{"role": "system", "content": READER_SYSTEM},
            {"role": "user", "content": f"文章：{context}\n\n问题：{question}\n\n答案（原文片段）："}]


def clean_span(output: str) -> str:
    """The first line of the model's reply without quotes or a trailing full stop."""
    line = next((s for s in output.strip().splitlines() if s.strip()), "")
    line = re.sub(r"^(?:答案|回答)\s*[:：]\s*", "", line.strip())
    return line.strip("“”\"'「」『』。 ")


def reader(args: argparse.Namespace, paragraphs: list[Paragraph], questions: list[CmrcQuestion]) -> dict:
    from assistant.answering.llm import make_chat_model
    from assistant.serving.wiring import llm_config

    model = make_chat_model(llm_config(args))
    if model is None:
        raise ValueError("the reader needs a language model: --backend local, openai or transformers")
    context = {p.id: p.context for p in paragraphs}
    em = f1_sum = 0.0
    rows = []
    t = time.perf_counter()
    for q in tqdm(questions, desc="reader", unit="问"):
        span = clean_span(model.complete(reader_messages(context[q.paragraph], q.question), max_tokens=64))
        em += exact_match(span, q.answers)
        f1_sum += f1(span, q.answers)
        rows.append({"id": q.id, "prediction": span, "answers": list(q.answers)})
    n = max(len(questions), 1)
    return {"benchmark": "cmrc2018", "task": "reader", "unit": "%", "n": len(questions), "model": model.name,
            "em": 100 * em / n, "f1": 100 * f1_sum / n, "s_per_question": (time.perf_counter() - t) / n,
            "published": {k: {"em": v[0], "f1": v[1]} for k, v in PUBLISHED_READER.items()}, "predictions": rows}


def configure(p: argparse.ArgumentParser) -> None:
    add_bench_args(p)
    p.add_argument("--reader", action="store_true", help=f"reader EM/F1 instead of retrieval (default --limit {READER_LIMIT})")
    p.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "eval-cmrc",
                   help="where the paragraph corpus and its index are kept between runs (default: %(default)s)")


def command(args: argparse.Namespace) -> int:
    paragraphs, questions = load(args.data / "cmrc2018")
    limit = args.limit or (READER_LIMIT if args.reader else 0)
    chosen = subset(questions, limit, args.seed)
    if args.reader:
        out = reader(args, paragraphs, chosen)
        rows = [[f"ours ({out['model']}, n={out['n']})", out["em"], out["f1"]]]
        rows += [[f"{k} (published, full dev)", em, f] for k, (em, f) in PUBLISHED_READER.items()]
        print(md_table(["CMRC2018 dev reader", "EM", "F1"], rows))
        print(f"\n{out['s_per_question']:.2f} s per question")
    else:
        out = retrieval(args, paragraphs, chosen)
        rows = [[name, *(r[f"recall@{k}"] for k in KS), r["mrr"], f"{r['ms_per_question']:.1f}"]
                for name, r in out["systems"].items()]
        print(md_table([f"CMRC2018 dev retrieval (n={out['n']}, {out['paragraphs']} paragraphs)", "recall@1",
                        "recall@3", "recall@5", "MRR", "ms/question"], rows))
    write_json(args.out, out)
    return 0
