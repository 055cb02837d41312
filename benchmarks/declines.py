"""How often answers are declined, rightly and wrongly, on every public set: the measure the
decline thresholds in ``qa.policy.AnswerPolicy`` are chosen on.

    python benchmarks/declines.py [--sets xquad-en xquad-zh cmrc2018-dev drcd-dev]
                                  [--limit N] [--json]

The report's dev questions are too few to set a threshold on (one question is 7–12 points of
a language), so each decline is judged on thousands of benchmark questions, all answerable
in their own corpus:

* **false declines**: each question asked of its own corpus, as ``ReportQA.ask`` answers it;
  among those whose first passage is the gold one, the share declined, by reason;
* **near misses** (true declines): the same question composed over the passages retrieved
  with the gold passage and every passage holding an answer string left out (the same
  article and subject, no answer), the share declined;
* **off topic** (true declines): the same questions asked of the bundled report, which
  cannot answer any of them, the share declined;
* the signals behind the evidence thresholds (share of two-character terms found in the
  index, best raw cosine), as percentiles, for the answerable report dev questions, the
  in-corpus questions and the off-topic ones.

Indexes are those of ``benchmarks/quality.py`` (built if missing). Reads ../shared (or
``QA_SHARED``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa import (  # noqa: E402
    ReportQA,
    build_index,
    compose,
    detect_language,
    embedding_runtime,
    read_questions,
)
from qa.policy import Policy  # noqa: E402

SHARED = Path(os.environ.get("QA_SHARED", ROOT.parent / "shared"))
WORK = Path(os.environ.get("QA_BENCH_DIR", ROOT / "benchmarks" / ".work"))
REPORT_FILES = ("seed-dev.jsonl", "seed-dev2.jsonl")
#: label → (benchmark folder, question file)
SETS = {
    "xquad-en": ("xquad-en-zh-dev", "queries.jsonl"),
    "xquad-zh": ("xquad-en-zh-dev", "queries-zh.jsonl"),
    "cmrc2018-dev": ("cmrc2018-dev", "queries.jsonl"),
    "drcd-dev": ("drcd-dev", "queries.jsonl"),
}
#: Extra passages retrieved for a near miss, so that enough remain once the answers are out.
NEAR_MISS_SPARE = 6


def _work(name: str) -> Path:
    backend, precision = embedding_runtime()
    return WORK / f"{name}-{backend}-{precision}"


def _open(name: str, sources: list[Path], policy: Policy) -> ReportQA:
    build_index(sources, _work(name))
    return ReportQA.open(_work(name), policy=policy)


def _pcts(values: list[float], qs: tuple[int, ...]) -> list[float]:
    return [round(float(v), 3) for v in np.percentile(values, qs)] if values else []


def _reasons(counter: Counter) -> dict[str, int]:
    return {k: v for k, v in sorted(counter.items(), key=lambda kv: -kv[1])}


def in_corpus(qa: ReportQA, queries: list[dict]) -> dict:
    """False declines (gold first) and near-miss declines (gold and answers left out)."""
    policy = qa.policy.answer
    retriever = qa.retriever
    stats: Counter = Counter()
    false_reasons: Counter = Counter()
    miss_reasons: Counter = Counter()
    cosines: list[float] = []
    bigrams: list[float] = []
    vectors = retriever.embed_questions([q["question"] for q in queries])
    for q, vector in zip(queries, vectors, strict=True):
        question = q["question"]
        lang = detect_language(question)
        retrieval = retriever.retrieve(question, k=policy.hits, vector=vector)
        if not retrieval.hits or retrieval.hits[0].id != q["gold"]:
            continue
        stats["gold first"] += 1
        cosines.append(retrieval.top_cosine)
        bigrams.append(retrieval.bigram_share)
        encode = retriever.embedder.encode_sentences
        answer = compose(retrieval, encode_sentences=encode, language=lang, policy=policy)
        if not answer.found:
            stats["declined"] += 1
            false_reasons[answer.reason.value] += 1
        wide = retriever.retrieve(question, k=policy.hits + NEAR_MISS_SPARE, vector=vector)
        answers = [a for a in q.get("answers", []) if a]
        kept = [h for h in wide.hits if h.id != q["gold"] and not any(a in h.text for a in answers)]
        miss = compose(
            replace(wide, hits=kept[: policy.hits]),
            encode_sentences=encode,
            language=lang,
            policy=policy,
        )
        stats["near misses"] += 1
        if not miss.found:
            stats["near misses declined"] += 1
            miss_reasons[miss.reason.value] += 1
    n, m = stats["gold first"], stats["near misses"]
    return {
        "gold first": n,
        "false decline": stats["declined"] / n if n else None,
        "false decline reasons": _reasons(false_reasons),
        "near-miss decline": stats["near misses declined"] / m if m else None,
        "near-miss reasons": _reasons(miss_reasons),
        "top cosine p1/p5/p50": _pcts(cosines, (1, 5, 50)),
        "bigram share p1/p5/p50": _pcts(bigrams, (1, 5, 50)),
    }


def off_topic(report: ReportQA, queries: list[dict]) -> dict:
    """Questions about something else asked of the bundled report: the share declined."""
    retriever = report.retriever
    declined: Counter = Counter()
    cosines: list[float] = []
    bigrams: list[float] = []
    for q in queries:
        answer = report.ask(q["question"])
        retrieval = retriever.retrieve(q["question"], k=1)
        cosines.append(retrieval.top_cosine)
        bigrams.append(retrieval.bigram_share)
        if not answer.found:
            declined[answer.reason.value] += 1
    return {
        "asked": len(queries),
        "declined": sum(declined.values()) / len(queries) if queries else None,
        "reasons": _reasons(declined),
        "top cosine p50/p95/p99": _pcts(cosines, (50, 95, 99)),
        "bigram share p50/p95/p99": _pcts(bigrams, (50, 95, 99)),
    }


def report_signals(report: ReportQA) -> dict:
    """The evidence signals of the answerable report dev questions, by language."""
    out: dict = {}
    for lang in ("en", "zh"):
        cosines, bigrams = [], []
        for file in REPORT_FILES:
            for q in read_questions(SHARED / "eval" / file):
                if not q.answerable or (q.lang == "en") != (lang == "en"):
                    continue
                r = report.retriever.retrieve(q.question, k=1)
                cosines.append(r.top_cosine)
                bigrams.append(r.bigram_share)
        out[lang] = {
            "questions": len(cosines),
            "top cosine min/p5/p50": [round(min(cosines), 3), *_pcts(cosines, (5, 50))],
            "bigram share min/p5/p50": [round(min(bigrams), 3), *_pcts(bigrams, (5, 50))],
        }
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    p.add_argument("--limit", type=int, default=300, help="questions per set (0: all)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if not (SHARED / "bench").is_dir():
        print(f"no benchmark data in {SHARED / 'bench'} (set QA_SHARED)", file=sys.stderr)
        return 2
    policy = Policy()
    report = _open("report", [ROOT / "data"], policy)
    out: dict = {
        "runtime": " ".join(embedding_runtime()),
        "report": report_signals(report),
        "sets": {},
    }
    for label in args.sets:
        folder, file = SETS[label]
        rows = [json.loads(line) for line in (SHARED / "bench" / folder / file).open()]
        queries = rows[: args.limit] if args.limit else rows
        qa = _open(folder, [SHARED / "bench" / folder / "corpus.jsonl"], policy)
        out["sets"][label] = {
            "questions": len(queries),
            "in corpus": in_corpus(qa, queries),
            "off topic": off_topic(report, queries),
        }
        qa.close()
    report.close()
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    print(f"embedding runtime: {out['runtime']}")
    print("answer policy:", json.dumps(policy.to_json()["answer"], ensure_ascii=False))
    for lang, signals in out["report"].items():
        print(f"report dev answerable ({lang}): {json.dumps(signals, ensure_ascii=False)}")
    for label, result in out["sets"].items():
        inside, other = result["in corpus"], result["off topic"]
        print(f"\n{label}: {result['questions']} questions")
        print(
            f"  in corpus, gold first {inside['gold first']}: "
            f"false decline {inside['false decline']:.3f} {inside['false decline reasons']}"
        )
        print(
            f"  near misses: declined {inside['near-miss decline']:.3f} "
            f"{inside['near-miss reasons']}"
        )
        print(f"  asked of the bundled report: declined {other['declined']:.3f} {other['reasons']}")
        print(
            f"  signals in corpus: cosine p1/p5/p50 {inside['top cosine p1/p5/p50']}, "
            f"bigram share p1/p5/p50 {inside['bigram share p1/p5/p50']}"
        )
        print(
            f"  signals off topic: cosine p50/p95/p99 {other['top cosine p50/p95/p99']}, "
            f"bigram share p50/p95/p99 {other['bigram share p50/p95/p99']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
