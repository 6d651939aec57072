"""Can a cheap check reject RGB's all-noise passages without refusing policy questions? Two probes, measured.

    .venv/bin/python scripts/rejection_probe.py                 # lexical probe only (about 1 min)
    .venv/bin/python scripts/rejection_probe.py --judge 30      # also the 1.5B model as a judge (about 10 min)

1. Lexical: the share of the question's topic words (jieba, weighted by jieba's IDF; stop words and the words
   naming what is asked, such as 时间/地点/名字, left out) found in the best sentence neighbourhood of the
   passages. A threshold on it is a refusal rule: printed are, per threshold, RGB zh_refine questions passing
   at noise 0 (all 300), rejected at noise 1.0, and answerable seed questions that the same rule would refuse
   (top 3 retrieved clauses).
2. Judge: our answering path on RGB questions outside the 30-question evaluation subset (noise 0 and 1.0);
   for every answer that passed verification, the default model is asked whether the answer answers the
   question, and P(是) is read from its logits. Printed: the AUC between right answers at noise 0 and answers
   at noise 1.0, and how many noise-1.0 answers a threshold keeping 95 % of the right ones would reject.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402
from jieba.analyse import default_tfidf  # noqa: E402

from assistant.ingest.chunking import passage_chunks  # noqa: E402
from assistant.answering.extractive import neighbourhood  # noqa: E402
from assistant.normalize import normalize  # noqa: E402
from assistant.records import PARTIAL, VERIFIED  # noqa: E402
from assistant.retrieval.tokenization import STOPWORDS  # noqa: E402
from assistant.serving.wiring import add_answer_args, add_kb_args, build_assistant, knowledge_base  # noqa: E402
from eval import rgb  # noqa: E402
from eval.bench import DATA, SEED, subset  # noqa: E402
from eval.questions import load_questions  # noqa: E402

ASKED = set("是谁 哪里 哪儿 什么时候 何时 多少 哪年 几 哪个 哪家 哪位 哪些 什么 怎么 如何 是否 时间 时候 日期 地点 地方 "
            "名字 名称 类型 数量 人数 多久 多长 具体 分别 主要 哪部 哪国 国家 城市 成绩 内容".split())
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
JUDGE = "问题：{q}\n回答：{a}\n这个回答是否直接回答了问题所问的内容（时间、地点、人物、对象都与问题一致）？只回答“是”或“否”。"


def topic_words(question: str) -> list[tuple[str, float]]:
    words = []
    for w in jieba.lcut(normalize(question).lower()):
        w = w.strip()
        if w and w not in STOPWORDS and w not in ASKED and re.fullmatch(r"[\w+.%-]+", w) and (len(w) > 1 or w.isdigit()):
            words.append((w, default_tfidf.idf_freq.get(w, default_tfidf.median_idf)))
    return words


def found(word: str, text: str) -> bool:
    """The word, or for words of 3+ characters most of its character bigrams (GDP增长率 ~ GDP增长)."""
    if word in text:
        return True
    grams = [word[i : i + 2] for i in range(len(word) - 1)]
    return len(word) >= 3 and sum(g in text for g in grams) / len(grams) >= 0.6


def best_coverage(question: str, chunks) -> float:
    """IDF-weighted share of topic words in the best sentence neighbourhood (sentence ±1, with the title)."""
    words = topic_words(question)
    total = sum(w for _, w in words)
    if not total:
        return 1.0
    best = 0.0
    for c in chunks:
        for ui in range(len(c.units)):
            text = normalize(neighbourhood(c, ui)).lower()
            best = max(best, sum(w for t, w in words if found(t, text)) / total)
    return best


def lexical(items: list[dict], args: argparse.Namespace) -> None:
    cov = {r: [best_coverage(it["query"], passage_chunks(
        rgb.sample_passages(it, r, rgb.rng_for(args.seed, "refine", it["id"], r)))) for it in items] for r in (0.0, 1.0)}
    kb = knowledge_base(args)
    from assistant.retrieval.retrieve import Retriever

    retriever = Retriever(kb.load_or_build(), kb.embedder)
    questions = [q for q in load_questions(args.questions)[0] if q.answerable]
    seed_cov = [best_coverage(q.question, [h.chunk for h in retriever.search(q.question, 3)]) for q in questions]
    print(f"lexical probe: RGB zh_refine n={len(items)}, seed answerable n={len(questions)}")
    print("| threshold | RGB noise 0 passing | RGB noise 1.0 rejected | seed answerable refused |\n|---|---|---|---|")
    for t in THRESHOLDS:
        print(f"| {t:.1f} | {sum(c >= t for c in cov[0.0]) / len(items):.3f} | {sum(c < t for c in cov[1.0]) / len(items):.3f}"
              f" | {sum(c < t for c in seed_cov) / len(questions):.3f} |")


def yes_probability(llm, messages: list[dict]) -> float:
    """P(是) / (P(是) + P(否)) at the first generated token, from llama.cpp's logits."""
    yes, no = (llm.tokenize(t.encode(), add_bos=False, special=False)[0] for t in ("是", "否"))
    seen: list[tuple[float, float]] = []

    def capture(_ids, scores):
        if not seen:
            seen.append((float(scores[yes]), float(scores[no])))
        return scores

    llm.create_chat_completion(messages=messages, max_tokens=1, temperature=0.0, logits_processor=[capture])
    return 1 / (1 + math.exp(seen[0][1] - seen[0][0]))


def judge(items: list[dict], args: argparse.Namespace) -> None:
    evaluated = {it["id"] for it in subset(items, 30, args.seed)}
    pool = [it for it in items if it["id"] not in evaluated][: args.judge]
    assistant = build_assistant(args)
    if not hasattr(assistant.model, "_load"):
        raise SystemExit("--judge reads the logits of a llama.cpp model: use --backend local")
    llm = assistant.model._load()
    right, noisy = [], []
    for it in pool:
        for r in (0.0, 1.0):
            docs = rgb.sample_passages(it, r, rgb.rng_for(args.seed, "refine", it["id"], r))
            answer = assistant.over_passages(docs).ask(it["query"])
            if answer.verified not in (VERIFIED, PARTIAL):
                continue
            claim = answer.text.split("\n\n")[0]
            p = yes_probability(llm, [{"role": "user", "content": JUDGE.format(q=it["query"], a=claim)}])
            print(json.dumps({"id": it["id"], "noise": r, "p_yes": round(p, 3), "claim": claim[:80],
                              "correct": rgb.is_correct(answer.text, it["answer"])}, ensure_ascii=False), flush=True)
            if r == 1.0:
                noisy.append(p)
            elif rgb.is_correct(answer.text, it["answer"]):
                right.append(p)
    if not right or not noisy:
        print("judge probe: too few verified answers to compare")
        return
    auc = sum((a > b) + 0.5 * (a == b) for a in right for b in noisy) / (len(right) * len(noisy))
    keep = sorted(right)[int(0.05 * len(right))]
    print(f"judge probe: {len(pool)} RGB questions outside the evaluated 30; verified answers: {len(right)} right at "
          f"noise 0, {len(noisy)} at noise 1.0")
    print(f"AUC {auc:.3f}; a threshold keeping 95 % of the right answers (P(是) >= {keep:.3f}) rejects "
          f"{sum(p < keep for p in noisy)}/{len(noisy)} of the noise-1.0 answers")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_kb_args(p)
    add_answer_args(p)
    p.add_argument("--data", type=Path, default=DATA, help="benchmarks folder (default: %(default)s)")
    p.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions" / "seed.jsonl")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--judge", type=int, default=0, metavar="N", help="also the judge probe on N RGB questions")
    args = p.parse_args()
    items = rgb.load(args.data / "rgb_zh" / "zh_refine.json")
    lexical(items, args)
    if args.judge:
        judge(items, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
