"""Chooses the similarity threshold that aligns the articles of two versions, with leave-one-regulation-out agreement.

    .venv/bin/python -m eval.alignment --library ../shared/corpora/shanghai-regulations

Every regulation of the library with two versions (`标题(YYYY-MM-DD).md`; an undated file is the older text) is
aligned at each threshold. The gold counterpart of each old article whose wording is not kept verbatim: the hand
label of eval/questions/article-alignment.json (the new article it became, null for none, "?" left out as
undecidable: merged or split articles), else, outside the labelled zone, the most similar new article when the
Dice similarity is at least 0.6 (all checked by eye from 0.6 to 0.75) and none below 0.2. Agreement is the share
of old articles the alignment maps to their gold counterpart; leave-one-out picks the threshold on the other
regulations and scores it on the one left out.
"""
from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

from assistant.config import ChunkingConfig
from assistant.ingest.chunking import chunk_document
from assistant.ingest.documents import load_document
from assistant.ingest.revisions import THRESHOLD, align, articles, bigrams, similarity

LABELS = Path(__file__).resolve().parent / "questions" / "article-alignment.json"
VERSION = re.compile(r"^(.*?)(?:\((\d{4}-\d{2}-\d{2})\))?\.md$")
THRESHOLDS = [round(0.15 + 0.025 * i, 3) for i in range(19)]
SURE_MATCH, SURE_NONE = 0.6, 0.2


def version_pairs(library: Path) -> list[tuple[str, str]]:
    """(older, newer) file names of each regulation with two versions, by title."""
    by_title: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for p in library.glob("*.md"):
        m = VERSION.match(p.name)
        by_title[m.group(1)].append((m.group(2) or "", p.name))
    return [tuple(n for _, n in sorted(v)[-2:]) for _, v in sorted(by_title.items()) if len(v) >= 2]


def gold(old, new, labels: dict) -> dict[str, str | None]:
    """Old article number → the new article it became (None: removed), for the old articles not kept verbatim."""
    sims = [[similarity(a, b) for b in map(bigrams, (x.body for x in new))] for a in map(bigrams, (x.body for x in old))]
    out: dict[str, str | None] = {}
    for a, row in zip(old, sims):
        best = max(range(len(new)), key=row.__getitem__)
        if row[best] >= 0.999:
            continue
        if a.number in labels:
            if labels[a.number] != "?":
                out[a.number] = labels[a.number]
        elif row[best] >= SURE_MATCH:
            out[a.number] = new[best].number
        elif row[best] < SURE_NONE:
            out[a.number] = None
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m eval.alignment", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--library", type=Path, required=True)
    args = p.parse_args(argv)
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    scores: dict[str, dict[float, tuple[int, int]]] = {}
    for old_name, new_name in version_pairs(args.library):
        old, new = (articles(chunk_document(load_document(args.library / n), ChunkingConfig())) for n in (old_name, new_name))
        want = gold(old, new, labels.get(f"{old_name}|{new_name}", {}))
        scores[new_name] = {}
        for t in THRESHOLDS:
            got = {r.old.number: (r.new.number if r.new else None) for r in align(old, new, t) if r.old}
            scores[new_name][t] = (sum(got[k] == v for k, v in want.items()), len(want))
    total = {t: tuple(map(sum, zip(*(s[t] for s in scores.values())))) for t in THRESHOLDS}
    print("threshold  agreement")
    for t in THRESHOLDS:
        print(f"{t:9.3f}  {total[t][0]}/{total[t][1]} = {total[t][0] / total[t][1]:.3f}")
    agree = n = 0
    for name, s in scores.items():
        others = {t: sum(scores[o][t][0] for o in scores if o != name) for t in THRESHOLDS}
        chosen = max(THRESHOLDS, key=lambda t: (others[t], -t))  # ties: the lowest
        agree, n = agree + s[chosen][0], n + s[chosen][1]
        print(f"{name}: threshold {chosen} chosen on the others, {s[chosen][0]}/{s[chosen][1]}")
    print(f"leave-one-regulation-out agreement: {agree}/{n} = {agree / n:.3f} (THRESHOLD = {THRESHOLD})")


if __name__ == "__main__":
    main()
