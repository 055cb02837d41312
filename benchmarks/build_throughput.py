"""Build throughput: passages/s of ``build_index`` vs the raw ``SentenceTransformer.encode``
of the same passages with the same model and batch size, and the peak memory of each,
in one run (each side in its own process so that peak RSS is its own).

    python benchmarks/build_throughput.py [--passages 300] [--json]

Passages: the first N paragraphs of ../shared/bench/drcd-dev (or QA_SHARED) when present,
else the bundled report's paragraphs repeated with a counter so each text is unique.
The model is loaded before timing starts on both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("QA_SHARED", ROOT.parent / "shared"))


def corpus(n: int) -> list[dict]:
    drcd = SHARED / "bench" / "drcd-dev" / "corpus.jsonl"
    if drcd.is_file():
        rows = [json.loads(line) for line in drcd.open(encoding="utf-8")]
        return [{"id": r["id"], "text": r["text"], "title": r["title"]} for r in rows[:n]]
    from qa.corpus import read_sources

    paras = [p.text for p in read_sources([ROOT / "data"]).passages if p.kind == "text"]
    return [{"id": f"p{i}", "text": f"{paras[i % len(paras)]}({i})"} for i in range(n)]


def child(mode: str, n: int) -> dict:
    from qa import build_index
    from qa.corpus import read_sources
    from qa.embed import DEFAULT_BATCH_SIZE, Embedder
    from qa.index.build import index_text

    rows = corpus(n)
    embedder = Embedder.load()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "c.jsonl"
        src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
        if mode == "build":
            t = time.perf_counter()
            build_index([src], Path(tmp) / "index", model=embedder)
            seconds = time.perf_counter() - t
        else:
            c = read_sources([src])
            docs = {d.id: d for d in c.documents}
            texts = [index_text(p, docs[p.doc]) for p in c.passages]  # what build embeds
            t = time.perf_counter()
            embedder.model.encode(
                texts,
                prompt=embedder.prompts["document"],
                batch_size=DEFAULT_BATCH_SIZE,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "mode": mode,
        "passages": n,
        "seconds": seconds,
        "passages/s": n / seconds,
        "peak_rss_mb": peak_mb,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--passages", type=int, default=300)
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", choices=["build", "encode"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.passages)))
        return 0
    results = {}
    for mode in ("encode", "build"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--passages", str(args.passages)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    ratio = results["build"]["passages/s"] / results["encode"]["passages/s"]
    if args.json:
        print(json.dumps({**results, "build/encode": ratio}, indent=2))
        return 0
    print(f"{'':<34}{'seconds':>9}{'passages/s':>12}{'peak RSS MB':>13}")
    for mode, label in (
        ("encode", "raw SentenceTransformer.encode"),
        ("build", "qa build_index (all steps)"),
    ):
        r = results[mode]
        print(f"{label:<34}{r['seconds']:9.1f}{r['passages/s']:12.2f}{r['peak_rss_mb']:13.0f}")
    print(f"build / encode throughput: {ratio:.2f}  ({args.passages} passages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
