"""RGB zh (Chen et al., AAAI-24): noise robustness, negative rejection, integration and counterfactual robustness.

    python -m eval rgb --limit 50 --mode paper          # the paper's prompt, passages straight to the model
    python -m eval rgb --limit 50 --mode ours --int --fact

The paper's protocol: 5 passages per question; at noise ratio r, ceil(5r) negatives and the rest positives
(sampled with a fixed seed, then shuffled). Correct = every element of `answer` (any alias when the element is a
list) is a case-insensitive substring of the output, spaces removed, and the output is not a rejection;
rejection = the output contains "信息不足". In `--mode ours` an Answer that is refused or says the passages do not state
what was asked (outcome not_stated) counts as a rejection.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections.abc import Callable, Sequence

from tqdm import tqdm

from .bench import add_bench_args, md_table, require, subset, write_json

PASSAGES = 5
REJECTION = "信息不足"
FACT_DETECTED = "事实性错误"
# Published Chinese results, copied from shared/benchmarks/README.md (the paper's tables).
# Table 1: accuracy % at noise 0 / 0.2 / 0.4 / 0.6 / 0.8 (zh_refine is the authors' corrected set: indicative).
PUBLISHED_NOISE = {"ChatGPT": (95.67, 94.67, 91.00, 87.67, 70.67), "Qwen-7B-Chat": (94.00, 92.33, 88.00, 84.33, 68.67),
                   "ChatGLM-6B": (94.33, 90.67, 89.00, 82.33, 69.00)}
# Table 3: rejection rate % at noise 1.0, exact match ("信息不足" in the output) / judged by ChatGPT.
PUBLISHED_REJECTION = {"ChatGPT": (5.33, 43.33), "Qwen-7B-Chat": (8.67, 25.33), "ChatGLM2-6B": (6.33, 36.33)}
# Table 5: integration accuracy % at noise 0 / 0.2 / 0.4 (zh_int.json, the exact file used).
PUBLISHED_INT = {"ChatGPT": (63, 58, 47), "Qwen-7B-Chat": (67, 56, 55)}
# Table 7: counterfactual (zh_fact.json): accuracy with wrong documents, error detection (exact match; ChatGPT-judged
# 3 and 4), error correction.
PUBLISHED_FACT = {"ChatGPT": (17, 1, 33.33), "Qwen-7B-Chat": (12, 5, 25.00)}
NOISE_LEVELS = (0.0, 0.2, 0.4, 0.6, 0.8)
INT_LEVELS = (0.0, 0.2, 0.4)
# The paper's Chinese prompt (github.com/chen700564/RGB, config/instruction.yaml, `zh`).
PAPER_SYSTEM = ("你是一个准确和可靠的人工智能助手，能够借助外部文档回答问题，请注意外部文档可能存在噪声事实性错误。"
                "如果文档中的信息包含了正确答案，你将进行准确的回答。如果文档中的信息不包含答案，你将生成“文档信息不足，"
                "因此我无法基于提供的文档回答该问题。”。如果部分文档中存在与事实不一致的错误，请先生成“提供文档的文档存在"
                "事实性错误。”，并生成正确答案。")
PAPER_INSTRUCTION = "文档：\n{DOCS} \n\n问题：\n{QUERY}"

Predict = Callable[[str, list[str]], str]


def load(path) -> list[dict]:
    """One JSON object per line."""
    return [json.loads(line) for line in require(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def negatives_for(noise: float) -> int:
    """ceil(5r), robust to binary floats (5 * 0.6 must be 3)."""
    return math.ceil(round(PASSAGES * noise, 9))


def sample_passages(item: dict, noise: float, rng: random.Random) -> list[str]:
    """zh_refine: ceil(5r) negatives and 5 - ceil(5r) positives, fewer of one kind when the other runs short."""
    neg = negatives_for(noise)
    pos = PASSAGES - neg
    if neg > len(item["negative"]):
        neg = len(item["negative"])
        pos = PASSAGES - neg
    elif pos > len(item["positive"]):
        pos = len(item["positive"])
        neg = PASSAGES - pos
    docs = (rng.sample(item["positive"], min(pos, len(item["positive"])))
            + rng.sample(item["negative"], min(neg, len(item["negative"]))))
    rng.shuffle(docs)
    return docs


def sample_integration(item: dict, noise: float, rng: random.Random) -> list[str]:
    """zh_int: one positive per answer part first (as the paper does), then more round-robin, then negatives."""
    groups = [rng.sample(g, len(g)) for g in item["positive"]]
    budget = PASSAGES - negatives_for(noise)
    docs = [g[0] for g in groups if g]
    for i in range(1, max((len(g) for g in groups), default=0)):
        for g in groups:
            if len(docs) >= budget:
                break
            if i < len(g):
                docs.append(g[i])
    docs += rng.sample(item["negative"], min(max(PASSAGES - len(docs), 0), len(item["negative"])))
    rng.shuffle(docs)
    return docs


def sample_fact(item: dict, rng: random.Random) -> list[str]:
    """zh_fact: the counterfactual passages only (the paper's setting at noise 0)."""
    docs = rng.sample(item["positive_wrong"], min(PASSAGES, len(item["positive_wrong"])))
    rng.shuffle(docs)
    return docs


def answer_found(output: str, answer: str | Sequence) -> bool:
    """Every element of `answer` (any alias when an element is a list) is a case-insensitive substring."""
    text = output.replace(" ", "").lower()
    parts = answer if isinstance(answer, list) else [answer]
    return all(any(a.lower() in text for a in (p if isinstance(p, list) else [p])) for p in parts)


def is_rejection(output: str) -> bool:
    return REJECTION in output


def is_correct(output: str, answer: str | Sequence) -> bool:
    """The paper's `0 not in label and 1 in label`: all parts found and not a rejection."""
    return not is_rejection(output) and answer_found(output, answer)


def paper_predictor(model) -> Predict:
    """The paper's prompt, passages joined by newlines, straight to the model."""
    def predict(query: str, docs: list[str]) -> str:
        messages = [{"role": "system", "content": PAPER_SYSTEM},
                    {"role": "user", "content": PAPER_INSTRUCTION.format(DOCS="\n".join(docs), QUERY=query)}]
        return model.complete(messages)
    return predict


def ours_predictor(assistant) -> Predict:
    """Our answering path over the passages as the only sources; a refusal reads as a rejection."""
    def predict(query: str, docs: list[str]) -> str:
        answer = assistant.over_passages(docs).ask(query)
        return f"[refused: {REJECTION}] {answer.text}" if answer.outcome != "answered" else answer.text
    return predict


def rng_for(seed: int, name: str, item_id: object, noise: float) -> random.Random:
    """A generator per (question, setting): the same passages whatever --limit or order."""
    return random.Random(f"{seed}/{name}/{item_id}/{noise}")


def evaluate(items: Sequence[dict], sampler: Callable[[dict, random.Random], list[str]], predict: Predict,
             seed: int, name: str, noise: float) -> dict:
    """Accuracy, rejection, and fact detection/correction (%) of one setting, with the predictions."""
    rows = []
    for item in tqdm(items, desc=f"{name} r={noise:g}", unit="问"):
        docs = sampler(item, rng_for(seed, name, item["id"], noise))
        output = predict(item["query"], docs)
        rows.append({"id": item["id"], "output": output, "correct": is_correct(output, item["answer"]),
                     "rejected": is_rejection(output), "fact_detected": FACT_DETECTED in output})
    n = max(len(rows), 1)
    detected = [r for r in rows if r["fact_detected"]]
    return {"n": len(rows), "noise": noise, "accuracy": 100 * sum(r["correct"] for r in rows) / n,
            "rejection": 100 * sum(r["rejected"] for r in rows) / n,
            "error_detection": 100 * len(detected) / n,
            "error_correction": 100 * sum(r["correct"] for r in detected) / len(detected) if detected else 0.0,
            "predictions": rows}


def configure(p: argparse.ArgumentParser) -> None:
    add_bench_args(p)
    p.add_argument("--mode", choices=["paper", "ours"], default="paper",
                   help="paper: the paper's prompt straight to the model; ours: our answering path (default: %(default)s)")
    p.add_argument("--noise", default="0,0.2,0.4,0.6,0.8,1.0", help="noise ratios for zh_refine (default: %(default)s)")
    p.add_argument("--int", dest="integration", action="store_true", help="also zh_int.json at noise 0, 0.2, 0.4")
    p.add_argument("--fact", action="store_true", help="also zh_fact.json (counterfactual passages)")


def parse_noise(text: str) -> list[float]:
    values = [float(x) for x in text.split(",") if x.strip()]
    if not values or any(not 0 <= v <= 1 for v in values):
        raise ValueError(f"--noise takes ratios between 0 and 1, e.g. 0,0.2,1.0; got {text!r}")
    return values


def predictor(args: argparse.Namespace) -> tuple[Predict, str]:
    from assistant.serving.wiring import build_assistant

    if args.mode == "ours":
        assistant = build_assistant(args)
        return ours_predictor(assistant), f"ours ({assistant.model.name if assistant.model else 'extractive'})"
    from assistant.answering.llm import make_chat_model
    from assistant.serving.wiring import llm_config

    model = make_chat_model(llm_config(args))
    if model is None:
        raise ValueError("--mode paper needs a language model: --backend local, openai or transformers")
    return paper_predictor(model), f"paper prompt ({model.name})"


def command(args: argparse.Namespace) -> int:
    noise = parse_noise(args.noise)
    folder = args.data / "rgb_zh"
    predict, label = predictor(args)
    t0 = time.perf_counter()
    out: dict = {"benchmark": "rgb_zh", "mode": args.mode, "system": label, "unit": "%", "seed": args.seed}
    items = subset(load(folder / "zh_refine.json"), args.limit, args.seed)
    out["noise"] = [evaluate(items, lambda it, rng, r=r: sample_passages(it, r, rng), predict, args.seed, "refine", r)
                    for r in noise]
    rows = []
    for res in out["noise"]:
        r = res["noise"]
        if r == 1.0:
            rows.append([f"{r:g} (rejection)", res["rejection"]] + [v[0] for v in PUBLISHED_REJECTION.values()])
        else:
            i = NOISE_LEVELS.index(r) if r in NOISE_LEVELS else None
            rows.append([f"{r:g}", res["accuracy"]] + [v[i] if i is not None else None for v in PUBLISHED_NOISE.values()])
    print(f"RGB zh_refine, n={len(items)}, {label}; accuracy % (rejection % at 1.0; published rejection = exact match)")
    names = [a if a == b else f"{a} ({b} at 1.0)" for a, b in zip(PUBLISHED_NOISE, PUBLISHED_REJECTION)]
    print(md_table(["noise", "this run", *names], rows))
    if args.integration:
        items = subset(load(folder / "zh_int.json"), args.limit, args.seed)
        out["integration"] = [evaluate(items, lambda it, rng, r=r: sample_integration(it, r, rng), predict, args.seed,
                                       "int", r) for r in INT_LEVELS]
        print(f"\nRGB zh_int, n={len(items)}: integration accuracy %")
        print(md_table(["noise", "this run", *PUBLISHED_INT],
                       [[f"{res['noise']:g}", res["accuracy"], *(v[i] for v in PUBLISHED_INT.values())]
                        for i, res in enumerate(out["integration"])]))
    if args.fact:
        items = subset(load(folder / "zh_fact.json"), args.limit, args.seed)
        res = out["fact"] = evaluate(items, lambda it, rng: sample_fact(it, rng), predict, args.seed, "fact", 0.0)
        print(f"\nRGB zh_fact, n={len(items)}: counterfactual robustness % (detection = output says {FACT_DETECTED})")
        print(md_table(["system", "accuracy", "error detection", "error correction"],
                       [["this run", res["accuracy"], res["error_detection"], res["error_correction"]]]
                       + [[k, *v] for k, v in PUBLISHED_FACT.items()]))
    print(f"\n{time.perf_counter() - t0:.0f} s")
    write_json(args.out, out)
    return 0
