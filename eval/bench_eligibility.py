"""Eligibility benchmark on the Xiong'an library: is the verdict right, and is the costly error — a false 符合 — rare?

    .venv/bin/python -m eval.bench_eligibility                                   # ours, from the library in place
    .venv/bin/python -m eval.bench_eligibility --index /work/cache/index-xiongan  # + today's similarity matcher
    .venv/bin/python -m eval.bench_eligibility --sweep                            # constants, leave-one-out
    .venv/bin/python -m eval.bench_eligibility --llm local --llm-cases 26         # + the local model as the judge

Cases (eval/questions/xiongan-eligibility.jsonl): a company, one measure of one notice, the gold verdict and every
condition quoted with its gold status. Prints verdict accuracy, false 符合 rate (gold not 符合, said 符合), per-condition
accuracy, condition recall (gold quotes the system cited), and, over the companies file, ranking recall@5 of the
notices a company could apply for, excluded notices in the top 5, and p50 time to check one company against the
whole library. Measures are read by the same `read_measures` the index stores them with.
"""
from __future__ import annotations

import argparse
import json
import re
import time
from datetime import date
from pathlib import Path

from tqdm import tqdm

from assistant.ingest.documents import load_corpus
from assistant.ingest.measures import Measure, read_measures
from assistant.matching.applicant import parse_applicant, parse_as_of
from assistant.matching.applicable import rank
from assistant.matching.eligibility import ELIGIBLE, Rules, check_measure

from .bench import ROOT
from .metrics import mean, percentile

XIONGAN = ROOT.parent / "shared" / "corpora" / "xiongan-policies"
CASES = ROOT / "eval" / "questions" / "xiongan-eligibility.jsonl"
COMPANIES = ROOT / "eval" / "questions" / "xiongan-companies.jsonl"
VERDICTS = ("符合", "不符合", "待确认")


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def library_documents(folder: Path = XIONGAN) -> dict:
    """doc_id → the manifest entry an index would store: title, meta, source and the measures."""
    docs, _ = load_corpus(folder)
    return {d.doc_id: {"title": d.title, "source": d.source, "meta": d.meta,
                       "measures": [m.to_json() for m in read_measures(d)]} for d in docs}


def overlaps(quote: str, text: str) -> bool:
    """A gold quote and a system condition are the same condition when one contains the other."""
    a, b = re.sub(r"\s+", "", quote), re.sub(r"\s+", "", text)
    return bool(a) and bool(b) and (a in b or b in a)


def matched_measure(case: dict, documents: dict) -> Measure | None:
    """The measure of the case's notice that cites the most of its gold condition quotes."""
    measures = [Measure.from_json(m) for m in documents.get(case["doc"], {}).get("measures", [])]
    scored = [(sum(any(overlaps(g["quote"], c.text) for c in m.conditions) for g in case["conditions"]), m)
              for m in measures]
    scored = [(s, m) for s, m in scored if s]
    return max(scored, key=lambda sm: sm[0])[1] if scored else None


# residual_max stops at 10 characters: more unchecked words than a clause's grammar would be a requirement
# nobody checked, and a condition the system cannot read is 未知, never 满足.
GRID = [Rules(r, c) for r in (0, 2, 4, 6, 10) for c in (0.5, 0.6, 0.7, 0.8, 0.9)]


def verdicts(cases: list[dict], documents: dict, rules: Rules) -> list[str]:
    out = []
    for case in cases:
        as_of = parse_as_of(case.get("as_of"), date.today())
        measure = matched_measure(case, documents)
        out.append(check_measure(measure, parse_applicant(case["company"], as_of), as_of, rules).verdict
                   if measure else "无措施")
    return out


def _accuracy(cases: list[dict], said: list[str]) -> tuple[float, float]:
    """(verdict accuracy, false 符合 rate) of `said` over `cases`."""
    right = sum(s == c["verdict"] for c, s in zip(cases, said))
    not_yes = [(c, s) for c, s in zip(cases, said) if c["verdict"] != ELIGIBLE]
    return right / max(len(cases), 1), sum(s == ELIGIBLE for _, s in not_yes) / max(len(not_yes), 1)


def sweep(cases: list[dict], documents: dict) -> dict:
    """Each rule set of GRID chosen on all documents but one (the fewest false 符合, then the best accuracy),
    scored on the one left out; and the default Rules and the in-sample best for comparison."""
    said = {rules: verdicts(cases, documents, rules) for rules in GRID}
    docs = sorted({c["doc"] for c in cases})
    held_said: list[tuple[dict, str]] = []
    chosen: dict[Rules, int] = {}
    for doc in docs:
        train = [i for i, c in enumerate(cases) if c["doc"] != doc]

        def score(rules: Rules) -> tuple[float, float]:  # the costly error first, then accuracy
            acc, false_yes = _accuracy([cases[i] for i in train], [said[rules][i] for i in train])
            return -false_yes, acc

        best = max(GRID, key=score)  # GRID order breaks ties: the stricter rules come first
        chosen[best] = chosen.get(best, 0) + 1
        held_said += [(c, said[best][i]) for i, c in enumerate(cases) if c["doc"] == doc]
    held = _accuracy([c for c, _ in held_said], [s for _, s in held_said])
    in_sample = max(GRID, key=lambda r: (-_accuracy(cases, said[r])[1], _accuracy(cases, said[r])[0]))
    return {"leave_one_document_out": {"verdict_accuracy": held[0], "false_eligible_rate": held[1],
                                       "chosen": {str(r): n for r, n in sorted(chosen.items(), key=lambda x: -x[1])}},
            "default": dict(zip(("verdict_accuracy", "false_eligible_rate"), _accuracy(cases, said[Rules()])),
                            rules=str(Rules())),
            "in_sample_best": dict(zip(("verdict_accuracy", "false_eligible_rate"), _accuracy(cases, said[in_sample])),
                                   rules=str(in_sample))}


def score_cases(cases: list[dict], documents: dict) -> dict:
    right, false_yes, not_yes, cond_right, cond_total, cited = 0, 0, 0, 0, 0, 0
    confusion: dict[tuple[str, str], int] = {}
    for case in cases:
        as_of = parse_as_of(case.get("as_of"), date.today())
        measure = matched_measure(case, documents)
        result = check_measure(measure, parse_applicant(case["company"], as_of), as_of) if measure else None
        said = result.verdict if result else "无措施"
        confusion[(case["verdict"], said)] = confusion.get((case["verdict"], said), 0) + 1
        right += said == case["verdict"]
        if case["verdict"] != ELIGIBLE:
            not_yes += 1
            false_yes += said == ELIGIBLE
        for gold in case["conditions"]:
            cond_total += 1
            found = next((r for r in (result.conditions if result else []) if overlaps(gold["quote"], r.condition.text)), None)
            cited += found is not None
            cond_right += found is not None and found.status == gold["status"]
    n = len(cases)
    return {"cases": n, "verdict_accuracy": right / n, "false_eligible_rate": false_yes / max(not_yes, 1),
            "condition_accuracy": cond_right / max(cond_total, 1), "condition_recall": cited / max(cond_total, 1),
            "confusion": {f"{g}→{s}": c for (g, s), c in sorted(confusion.items())}}


def top_notices(ranked: list) -> tuple[list[str], set[str]]:
    """The first 5 notices of a ranking, and those with the supplements their measures name ("另有补充文件"): a
    supplement is listed on its notice's card, so it is shown, but it takes no place of its own."""
    top = list(dict.fromkeys(r.measure.doc_id for r, _ in ranked))[:5]
    return top, set(top) | {s for r, _ in ranked if r.measure.doc_id in top for s in r.supplements}


def score_ranking(companies: list[dict], documents: dict) -> dict:
    recalls, excluded, times, by_supplement = [], 0, [], 0
    for entry in companies:
        as_of = parse_as_of(entry.get("as_of"), date.today())
        applicant = parse_applicant(entry["company"], as_of)
        start = time.perf_counter()
        ranked = rank(documents, applicant, as_of, k=0)
        times.append(time.perf_counter() - start)
        top, shown = top_notices(ranked)
        eligible = set(entry.get("eligible", []))
        if eligible:
            recalls.append(len(eligible & shown) / min(5, len(eligible)))
            by_supplement += len(eligible & shown - set(top))
        excluded += len(set(entry.get("excluded", [])) & set(top))
    return {"companies": len(companies), "recall@5": mean(recalls), "excluded_in_top5": excluded,
            "eligible_shown_as_supplements": by_supplement,
            "p50_s": percentile(times, 50), "p95_s": percentile(times, 95)}


def rank_sweep(companies: list[dict], documents: dict) -> dict:
    """How 待确认 measures are ordered, chosen leave-one-company-out: the share of conditions met by more than the
    place / legal-person / credit checks, plus the wording overlap and the share of the notice's title the company
    names, each times a weight; the fewest excluded notices in the top 5 first, then the best recall@5."""
    from assistant.ingest.library import Library
    from assistant.matching.applicable import OVERLAP_WEIGHT, TITLE_WEIGHT, library_measures, measure_idf, order

    variants = [(w, t) for w in (1.0, 2.0, 4.0, 8.0) for t in (0.0, 0.5, 1.0, 2.0)]
    default = (OVERLAP_WEIGHT, TITLE_WEIGHT)
    scored: dict = {v: [] for v in variants}
    idf = measure_idf(library_measures(documents))
    for entry in companies:
        as_of = parse_as_of(entry.get("as_of"), date.today())
        applicant = parse_applicant(entry["company"], as_of)
        ranked, library = rank(documents, applicant, as_of, k=0), Library(documents, today=as_of)
        eligible, excluded = set(entry.get("eligible", [])), set(entry.get("excluded", []))
        for v in variants:
            top, shown = top_notices(order(ranked, applicant, library, weight=v[0], title_weight=v[1], idf=idf))
            scored[v].append((len(eligible & shown) / min(5, len(eligible)) if eligible else None,
                              len(excluded & set(top))))
    held, chosen = [], {}
    for i in range(len(companies)):
        def score(v):
            rest = [x for j, x in enumerate(scored[v]) if j != i]
            return -sum(x[1] for x in rest), sum(x[0] for x in rest if x[0] is not None)
        best = max(variants, key=lambda v: (*score(v), v == default))  # ties: the default
        name = f"overlap {best[0]:g}, title {best[1]:g}"
        chosen[name] = chosen.get(name, 0) + 1
        held.append(scored[best][i])
    recalls = [x[0] for x in held if x[0] is not None]
    return {"leave_one_company_out": {"recall@5": mean(recalls), "excluded_in_top5": sum(x[1] for x in held),
                                      "chosen": chosen},
            "each": {f"overlap {v[0]:g}, title {v[1]:g}": {"recall@5": mean([x[0] for x in s if x[0] is not None]),
                                                          "excluded_in_top5": sum(x[1] for x in s)}
                     for v, s in scored.items()}}


def matcher_ranking(companies: list[dict], index: Path) -> dict:
    """Today's similarity matcher over the same companies: notices ranked by how alike their clauses read."""
    from assistant.matching.matcher import Company, Matcher
    from assistant.retrieval.retrieve import Retriever

    matcher = Matcher(Retriever.from_index(index))
    recalls, excluded = [], 0
    for entry in companies:
        c = entry["company"]
        text = " ".join([c.get("description", ""), c.get("profile", {}).get("industry", "")]).strip() or "企业"
        top = list(dict.fromkeys(m.card.doc_id for m in matcher.match(Company(text), k=20).matches))[:5]
        eligible = set(entry.get("eligible", []))
        if eligible:
            recalls.append(len(eligible & set(top)) / min(5, len(eligible)))
        excluded += len(set(entry.get("excluded", [])) & set(top))
    return {"companies": len(companies), "recall@5": mean(recalls), "excluded_in_top5": excluded}


JUDGE_PROMPT = ("以下是一项扶持措施的申报条件（逐条编号）和一家企业自述的情况。只根据企业写明的情况判断它是否符合申报条件："
                "全部条件都写明满足，回答“符合”；有条件明确不满足，回答“不符合”；其余回答“待确认”。只回答这三个词之一。")


def llm_verdicts(cases: list[dict], backend: str) -> dict:
    """The local model as the judge: each case's gold condition quotes and the company, one verdict word back."""
    from assistant.answering.llm import DEFAULT_MODELS, LLMConfig, make_chat_model

    model = make_chat_model(LLMConfig(backend=backend, model=DEFAULT_MODELS[backend], max_tokens=8))
    said, times = [], []
    for case in tqdm(cases, desc="本地模型判断", unit="例"):
        conditions = "\n".join(f"{n}. {g['quote']}" for n, g in enumerate(case["conditions"], 1))
        company = json.dumps(case["company"], ensure_ascii=False)
        start = time.perf_counter()
        reply = model.complete([{"role": "system", "content": JUDGE_PROMPT},
                                {"role": "user", "content": f"申报条件：\n{conditions}\n\n企业情况：{company}\n\n结论："}])
        times.append(time.perf_counter() - start)
        said.append(next((v for v in ("不符合", "待确认", "符合") if v in reply), "无结论"))
    accuracy, false_yes = _accuracy(cases, said)
    return {"verdict_accuracy": accuracy, "false_eligible_rate": false_yes, "p50_s_per_measure": percentile(times, 50),
            "no_verdict": said.count("无结论")}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m eval.bench_eligibility", description=__doc__.split("\n\n")[0])
    p.add_argument("--library", type=Path, default=XIONGAN)
    p.add_argument("--cases", type=Path, default=CASES)
    p.add_argument("--companies", type=Path, default=COMPANIES)
    p.add_argument("--index", type=Path, help="an index of the same library, for the similarity-matcher baseline")
    p.add_argument("--llm", choices=("local", "transformers"), help="also let this model judge each case (baseline)")
    p.add_argument("--llm-cases", type=int, default=0, metavar="N",
                   help="the model judges every k-th case so that about N are judged (0 = all; ~30 s a case on 2 cores)")
    p.add_argument("--sweep", action="store_true",
                   help="choose the Rules leave-one-document-out (GRID) and the ranking leave-one-company-out")
    p.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = p.parse_args(argv)
    start = time.perf_counter()
    documents = library_documents(args.library)
    print(f"library: {len(documents)} notices, {sum(len(d['measures']) for d in documents.values())} measures, "
          f"read in {time.perf_counter() - start:.1f} s")
    figures = {"ours": score_cases(load_jsonl(args.cases), documents)}
    figures["ours"]["ranking"] = score_ranking(load_jsonl(args.companies), documents)
    if args.sweep:
        figures["rules_sweep"] = sweep(load_jsonl(args.cases), documents)
        figures["ranking_sweep"] = rank_sweep(load_jsonl(args.companies), documents)
    if args.llm:
        cases = load_jsonl(args.cases)
        step = max(1, len(cases) // args.llm_cases) if args.llm_cases else 1
        judged = cases[::step]
        figures[f"llm_judge_{args.llm}"] = {"cases": len(judged), **llm_verdicts(judged, args.llm)}
        mine = verdicts(judged, documents, Rules())
        figures[f"llm_judge_{args.llm}"]["ours_on_the_same_cases"] = dict(
            zip(("verdict_accuracy", "false_eligible_rate"), _accuracy(judged, mine)))
    if args.index:
        figures["similarity_matcher"] = {"ranking": matcher_ranking(load_jsonl(args.companies), args.index)}
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
