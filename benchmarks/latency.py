"""Query latency on the bundled report's index: ``Retriever.search`` and ``ReportQA.ask``,
broken down by step (``Retriever.explain``'s timings), beside the raw ``SentenceTransformer.encode`` of one query (the floor:
no retrieval can be faster than embedding the question).

    python benchmarks/latency.py [--rounds 5] [--json] [--index DIR]

Builds the bundled report into a temporary index unless --index is given. Ratios to the
floor are what to read on a shared machine; absolute times move with the load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa import ReportQA, build_index  # noqa: E402

QUESTIONS = [
    "向全省養老機構撥付的疫情防控補助和運營補貼是多少？",
    "疫情期間低保金一共發放了多少？",
    "全省動員了多少個社工服務機構和志願服務組織？",
    "「兩工程」指的是哪兩項工程？",
    "新增养老床位多少张？",
    "村党组织书记“一肩挑”的比例达到多少？",
    "为了防止返贫，民政部门建立了什么机制？",
    "有多少家社会组织参与了扶贫项目？",
    "How many people received temporary assistance outside their home area?",
    "What share of the registered poor population was brought under the minimum living guarantee?",
    "How much was donated by charities and volunteers during the epidemic?",
    "2019年黑龍江省新增了多少張養老床位？",
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    i = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[i]


def measure(qa: ReportQA, rounds: int) -> dict:
    retriever = qa.retriever
    model = retriever.embedder.model
    prompt = retriever.embedder.prompts["query"]
    for q in QUESTIONS:  # warm-up: caches, lazy dictionary, allocator
        qa.ask(q)
    t: dict[str, list[float]] = {
        k: []
        for k in (
            "encode_raw",
            "embed",
            "dense",
            "lexical",
            "fusion",
            "search",
            "answer",
            "compose",
        )
    }
    for _ in range(rounds):
        for q in QUESTIONS:
            s = time.perf_counter()
            model.encode([q], prompt=prompt, normalize_embeddings=True, show_progress_bar=False)
            t["encode_raw"].append(time.perf_counter() - s)

            steps = retriever.explain(q, k=5).seconds
            t["embed"].append(steps["encode"])
            t["dense"].append(steps["dense"])
            t["lexical"].append(steps["lexical"])
            t["fusion"].append(steps["fusion"])

            s = time.perf_counter()
            retriever.search(q, k=5)
            t["search"].append(time.perf_counter() - s)
            s = time.perf_counter()
            qa.ask(q)
            t["answer"].append(time.perf_counter() - s)
            t["compose"].append(t["answer"][-1] - t["search"][-1])
    out = {
        k: {"p50_ms": 1000 * statistics.median(v), "p99_ms": 1000 * pct(v, 99)}
        for k, v in t.items()
    }
    floor = out["encode_raw"]["p50_ms"]
    out["ratio"] = {
        "search_p50 / encode_p50": out["search"]["p50_ms"] / floor,
        "answer_p50 / encode_p50": out["answer"]["p50_ms"] / floor,
    }
    out["queries"] = len(QUESTIONS) * rounds
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--index", type=Path)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        if index is None:
            index = Path(tmp) / "index"
            build_index([ROOT / "data"], index)
        result = measure(ReportQA.open(index), args.rounds)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['queries']} queries on the bundled report (p50 / p99, ms)")
    labels = {
        "encode_raw": "SentenceTransformer.encode, 1 query (floor)",
        "embed": "  search: query embedding",
        "dense": "  search: dense (FAISS, candidates' cosines)",
        "lexical": "  search: lexical (BM25 + best sentence, incl. translation)",
        "fusion": "  search: fusion",
        "search": "Retriever.search (k=5)",
        "compose": "  answer: composition (sentences, figures)",
        "answer": "ReportQA.ask",
    }
    for key, label in labels.items():
        r = result[key]
        print(f"{label:<46} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}")
    for k, v in result["ratio"].items():
        print(f"{k:<46} {v:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
