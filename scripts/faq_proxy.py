"""A library shaped like a government FAQ, made from the Shanghai regulations, to time an index build on that shape.

    .venv/bin/python scripts/faq_proxy.py /tmp/faq                 # 1,500 files, about 1.2 MB
    .venv/bin/python -m cProfile -o /tmp/faq.prof -m assistant index --corpus /tmp/empty --index /tmp/faq-index \
        --library /tmp/faq

#25 names a library of 1,500 short government answers (1.2 MB) that indexed in 139 s at the end of November and
in 350 s later. We do not have it; this one has its shape: each file is one answer of 150–600 characters (an
article of a regulation, without its number) under a long question-like title. Articles are drawn with a fixed
seed, so the same files come out every time. The regulations are read in place and nothing is copied into the
repository; the output folder is yours to delete.
"""
from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

LIBRARY = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "shanghai-regulations"
ARTICLE = re.compile(r"^(第[一二三四五六七八九十百零]+条)\s*(.+?)(?=^第[一二三四五六七八九十百零]+条|^#|\Z)", re.S | re.M)


def articles(library: Path) -> list[tuple[str, str, str]]:
    """(regulation title, article number, article text without whitespace) of every article of 150–600 characters."""
    out = []
    for f in sorted(library.glob("*.md")):
        text = f.read_text(encoding="utf-8")
        title = text.splitlines()[0].lstrip("# ").strip()
        for m in ARTICLE.finditer(text.split("<!-- INFO END -->")[-1]):
            answer = re.sub(r"\s+", "", m.group(2))
            if 150 <= len(answer) <= 600:
                out.append((title, m.group(1), answer))
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path, help="folder to write the answers to (created)")
    p.add_argument("--library", type=Path, default=LIBRARY, help="the regulations folder (default: %(default)s)")
    p.add_argument("-n", type=int, default=1500, help="answers (default: %(default)s)")
    p.add_argument("--seed", type=int, default=25, help="random seed of the draw (default: %(default)s)")
    args = p.parse_args(argv)
    if not args.library.is_dir():
        p.error(f"法规库目录不存在：{args.library}")
    drawn = articles(args.library)
    random.Random(args.seed).shuffle(drawn)
    args.out.mkdir(parents=True, exist_ok=True)
    size = 0
    for i, (title, number, answer) in enumerate(drawn[: args.n]):
        text = f"# {title}{number}对此是怎样规定的，办理时需要注意哪些事项？\n\n{answer}\n"
        (args.out / f"faq{i:04d}.md").write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    print(f"{min(args.n, len(drawn))} files, {size:,} bytes in {args.out}")


if __name__ == "__main__":
    main()
