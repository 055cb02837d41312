"""Retrieval quality and speed on the public Chinese QA benchmarks in ../shared/bench:
Report QA's hybrid retriever side by side with its two parts alone (BM25, dense), in one run.

    python benchmarks/quality.py [--sets drcd-dev cmrc2018-dev xquad-en-zh-dev xquad-en-zh-dev/zh]
                                 [--json] [--limit N]

Each set's corpus.jsonl is built into an index with the real ``build_index`` (vectors are
cached in the index folder, so a second run only re-scores), then every query is searched.
Prints R@1, R@5, MRR@10 and queries/s per method. Reads ../shared (or QA_SHARED).
The hybrid's two parts are ``bm25`` (passage BM25) and ``dense``; ``sentence`` (the
best-sentence BM25 the hybrid also uses, see ``qa.retrieve.fusion``) is shown alone too.
``dense/zh-Hans`` and ``hybrid/zh-Hans`` (``…/zh-Hant`` for CMRC) ask the same questions
converted to the other Chinese script with OpenCC, as users of a report often write.
``xquad-en-zh-dev`` asks English questions of Chinese paragraphs; ``xquad-en-zh-dev/zh``
asks the same questions in Chinese (``queries-zh.jsonl``) of the same index.
The embedding runtime is the configured one (``QA_BACKEND``, ``QA_PRECISION``); each
runtime builds its own index folder, and its vectors are cached there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa import Retriever, build_index  # noqa: E402
from qa.embed import runtime  # noqa: E402
from qa.text import to_script  # noqa: E402

SHARED = Path(os.environ.get("QA_SHARED", ROOT.parent / "shared"))
SPEED_SAMPLE = 300  # queries timed one by one for queries/s
WORK = Path(os.environ.get("QA_BENCH_DIR", ROOT / "benchmarks" / ".work"))
#: Set name → (folder under bench/, queries file).
SETS = {
    "drcd-dev": ("drcd-dev", "queries.jsonl"),
    "cmrc2018-dev": ("cmrc2018-dev", "queries.jsonl"),
    "xquad-en-zh-dev": ("xquad-en-zh-dev", "queries.jsonl"),
    "xquad-en-zh-dev/zh": ("xquad-en-zh-dev", "queries-zh.jsonl"),
}


def metrics(ranked_ids: list[list[str]], gold: list[str]) -> dict:
    ranks = []
    for ids, g in zip(ranked_ids, gold, strict=True):
        ranks.append(ids.index(g) + 1 if g in ids else None)
    n = len(ranks)
    return {
        "R@1": sum(1 for r in ranks if r == 1) / n,
        "R@5": sum(1 for r in ranks if r and r <= 5) / n,
        "MRR@10": sum(1 / r for r in ranks if r and r <= 10) / n,
    }


def run_set(name: str, limit: int | None) -> dict:
    folder_name, queries_file = SETS[name]
    folder = SHARED / "bench" / folder_name
    queries = [json.loads(line) for line in (folder / queries_file).open(encoding="utf-8")]
    if limit:
        queries = queries[:limit]
    backend, precision = runtime()
    index = WORK / f"{folder_name}-{backend}-{precision}"
    t0 = time.perf_counter()
    report = build_index([folder / "corpus.jsonl"], index)
    build_s = time.perf_counter() - t0
    retriever = Retriever.load(index, model=None)
    snap = retriever.snapshot
    size = snap.size
    rows_to_id = [p.id for p in snap.store.all()]

    texts = [q["question"] for q in queries]
    # Quality: every query, the question embedded once (in batches) and shared by the
    # dense-only and hybrid rankings, so both see the same vector.
    qvecs = snap.encode_queries(texts)
    results: dict[str, list[list[str]]] = defaultdict(list)
    for text, qvec in zip(texts, qvecs, strict=True):
        lex = snap.lexical_scores(text)
        results["bm25"].append([rows_to_id[i] for i in np.argsort(-lex, kind="stable")[:10]])
        best = snap.sentence_scores(text)
        results["sentence"].append([rows_to_id[i] for i in np.argsort(-best, kind="stable")[:10]])
        _scores, rows = snap.dense_search(qvec, 10)
        results["dense"].append([rows_to_id[i] for i in rows if i >= 0])
        rows, fused, _d, _l, _share = retriever._rank(snap, text, 10, qvec)
        order = np.argsort(-fused, kind="stable")[:10]
        results["hybrid"].append([rows_to_id[int(rows[i])] for i in order])

    # The same questions typed in the other Chinese script (users and reports often differ).
    script = "zh-Hans" if snap.manifest.text.get("script") == "zh-Hant" else "zh-Hant"
    other = [to_script(t, script) for t in texts]
    if other == texts:  # English questions: nothing to convert
        other = []
    for text, qvec in zip(other, snap.encode_queries(other), strict=True):
        _scores, rows = snap.dense_search(qvec, 10)
        results[f"dense/{script}"].append([rows_to_id[i] for i in rows if i >= 0])
        rows, fused, _d, _l, _share = retriever._rank(snap, text, 10, qvec)
        order = np.argsort(-fused, kind="stable")[:10]
        results[f"hybrid/{script}"].append([rows_to_id[int(rows[i])] for i in order])

    # Speed: one query at a time, end to end (embedding included where the method needs it).
    sample = texts[:SPEED_SAMPLE]
    timings: dict[str, float] = {}
    t = time.perf_counter()
    for text in sample:
        np.argsort(-snap.lexical_scores(text))[:10]
    timings["bm25"] = time.perf_counter() - t
    t = time.perf_counter()
    for text in sample:
        np.argsort(-snap.sentence_scores(text))[:10]
    timings["sentence"] = time.perf_counter() - t
    t = time.perf_counter()
    for text in sample:
        snap.dense_search(snap.encode_query(text), 10)
    timings["dense"] = time.perf_counter() - t
    t = time.perf_counter()
    for text in sample:
        retriever.search(text, k=10)
    timings["hybrid"] = time.perf_counter() - t
    gold = [q["gold"] for q in queries]
    out = {
        "set": name,
        "runtime": f"{backend} {precision}",
        "passages": size,
        "queries": len(queries),
        "build_seconds": round(build_s, 1),
        "embedded": report.embedded,
        "reused": report.reused,
        "methods": {},
    }
    for method, ranked in results.items():
        m = metrics(ranked, gold)
        if method in timings:
            m["queries/s"] = len(sample) / timings[method]
        out["methods"][method] = m
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    p.add_argument("--limit", type=int, help="only the first N queries of each set")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if not (SHARED / "bench").is_dir():
        print(f"no benchmark data in {SHARED / 'bench'} (set QA_SHARED)", file=sys.stderr)
        return 2
    runs = [run_set(name, args.limit) for name in args.sets]
    if args.json:
        print(json.dumps(runs, indent=2))
        return 0
    for r in runs:
        print(
            f"\n{r['set']} ({r['runtime']}): {r['passages']} passages, {r['queries']} queries "
            f"(index build {r['build_seconds']} s, {r['embedded']} embedded, {r['reused']} reused)"
        )
        print(f"{'method':<14} {'R@1':>7} {'R@5':>7} {'MRR@10':>7} {'queries/s':>10}")
        for method, m in r["methods"].items():
            speed = f"{m['queries/s']:10.1f}" if "queries/s" in m else f"{'':>10}"
            print(f"{method:<14} {m['R@1']:7.4f} {m['R@5']:7.4f} {m['MRR@10']:7.4f} {speed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
