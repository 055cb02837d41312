"""Build throughput: passages/s of raw encoding on each runtime — torch fp32, ONNX Runtime
fp32, ONNX Runtime int8 — and of ``build_index`` against the raw encode of the same
passages on the same runtime, with the peak memory of each, in one run (each measurement
in its own process so that peak RSS is its own).

    python benchmarks/build_throughput.py [--passages 300] [--repeat 2] [--json]

Passages: the first N paragraphs of ../shared/bench/drcd-dev (or QA_SHARED) when present,
else the bundled report's paragraphs repeated with a counter so each text is unique.
The model is loaded before timing starts. Raw encode is the runtime's own best call on
all texts at once: ``SentenceTransformer.encode`` for torch; for ONNX Runtime the
length-sorted batches on every core that builds use too. ``build_index`` is timed
whole (reading, embedding, FAISS, BM25, SQLite, validation) with an empty vector cache.
With ``--repeat N`` every measurement runs N times, round after round, and the fastest
is kept: the load of a shared machine drifts over minutes, and rounds spread it evenly.
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
#: (label, QA_BACKEND, QA_PRECISION, mode) in the order they run.
RUNS = [
    ("torch fp32: raw SentenceTransformer.encode", "torch", "fp32", "encode"),
    ("torch fp32: build_index", "torch", "fp32", "build"),
    ("onnx fp32: raw encode", "onnx", "fp32", "encode"),
    ("onnx int8: raw encode", "onnx", "int8", "encode"),
    ("onnx {default}: build_index", "onnx", None, "build"),  # QA_PRECISION picks
]


def corpus(n: int) -> list[dict]:
    drcd = SHARED / "bench" / "drcd-dev" / "corpus.jsonl"
    if drcd.is_file():
        rows = [json.loads(line) for line in drcd.open(encoding="utf-8")]
        return [{"id": r["id"], "text": r["text"], "title": r["title"]} for r in rows[:n]]
    from qa import read_sources

    paras = [p.text for p in read_sources([ROOT / "data"]).passages if p.kind == "text"]
    return [{"id": f"p{i}", "text": f"{paras[i % len(paras)]}({i})"} for i in range(n)]


def child(mode: str, n: int) -> dict:
    from qa import DEFAULT_BATCH_SIZE, Embedder, build_index, index_text, read_sources

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
            prompt = embedder.prompts["document"]
            t = time.perf_counter()
            if embedder.backend == "torch":
                embedder.model.encode(
                    texts,
                    prompt=prompt,
                    batch_size=DEFAULT_BATCH_SIZE,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            else:
                embedder.encoder.encode([prompt + x for x in texts], batch_size=DEFAULT_BATCH_SIZE)
            seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "mode": mode,
        "runtime": f"{embedder.backend} {embedder.precision}",
        "passages": n,
        "seconds": seconds,
        "passages/s": n / seconds,
        "peak_rss_mb": peak_mb,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--passages", type=int, default=300)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", choices=["build", "encode"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.passages)))
        return 0
    from qa import config

    default_precision = config.precision("onnx")  # QA_PRECISION, else the default
    results: dict[str, dict] = {}
    for _ in range(args.repeat):
        for label, backend, precision, mode in RUNS:
            env = {**os.environ, "QA_BACKEND": backend}
            env["QA_PRECISION"] = precision or default_precision
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--passages", str(args.passages)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            run = json.loads(out.stdout.strip().splitlines()[-1])
            key = label.format(default=default_precision)
            if key not in results or run["seconds"] < results[key]["seconds"]:
                results[key] = run
    labels = list(results)
    torch_encode, torch_build, _, _, onnx_build = (results[k] for k in labels)
    onnx_encode = results[f"onnx {default_precision}: raw encode"]
    ratios = {
        "onnx build / onnx raw encode": onnx_build["passages/s"] / onnx_encode["passages/s"],
        "onnx build / torch build": onnx_build["passages/s"] / torch_build["passages/s"],
        "torch build / torch raw encode": torch_build["passages/s"] / torch_encode["passages/s"],
    }
    if args.json:
        print(json.dumps({"runs": results, "ratios": ratios}, indent=2))
        return 0
    print(f"{args.passages} passages, {os.cpu_count()} cores, best of {args.repeat}")
    print(f"{'':<44}{'seconds':>9}{'passages/s':>12}{'peak RSS MB':>13}")
    for label, r in results.items():
        print(f"{label:<44}{r['seconds']:9.1f}{r['passages/s']:12.2f}{r['peak_rss_mb']:13.0f}")
    for name, value in ratios.items():
        print(f"{name:<44}{value:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
