"""Quality on every public set in one run, with the policy in force printed beside it.

    python benchmarks/quality.py [--sets report drcd-dev cmrc2018-dev xquad-en-zh-dev]
                                 [--limit N] [--json] [--no-speed]

* ``report``: the bundled report's dev questions (``../shared/eval/seed-dev.jsonl`` and
  ``seed-dev2.jsonl``, together and each alone), scored as ``qa eval`` scores them: hit@1 and
  hit@3 by language, every listed figure shown, unanswerable questions declined, answerable
  questions declined.
* ``drcd-dev``, ``cmrc2018-dev``: Chinese reading-comprehension questions over their
  paragraphs; R@1, R@5, MRR@10 and queries/s of the hybrid beside its parts alone (passage
  BM25, best-sentence BM25, dense), and the same questions converted to the other Chinese
  script with OpenCC (``…/zh-Hans`` for DRCD, ``…/zh-Hant`` for CMRC), as users often write.
* ``xquad-en-zh-dev``: English questions over Chinese paragraphs (``…/en``), and the same
  questions in Chinese (``…/zh``).
* ``archive``: the archive's dev questions (``../shared/eval/archive-dev.jsonl`` over
  ``../shared/archive/``), scored as ``qa eval`` scores the quote format: right report first,
  right figure first (single-figure questions, by language), comparisons with every part
  right, unanswerable declined, answerable declined.

Each set's corpus is built into an index with the real ``build_index`` (vectors are cached in
the index folder, so a second run only re-scores); rankings come from the public
``Retriever.explain``. The embedding runtime is the configured one (``QA_BACKEND``,
``QA_PRECISION``); each runtime has its own index folders. Reads ../shared (or
``QA_SHARED``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa import (  # noqa: E402
    ReportQA,
    Retriever,
    build_index,
    embedding_runtime,
    evaluate,
    read_questions,
    to_script,
)
from qa.policy import Policy  # noqa: E402

SHARED = Path(os.environ.get("QA_SHARED", ROOT.parent / "shared"))
SPEED_SAMPLE = 300  # queries timed one by one for queries/s
WORK = Path(os.environ.get("QA_BENCH_DIR", ROOT / "benchmarks" / ".work"))
REPORT_FILES = ("seed-dev.jsonl", "seed-dev2.jsonl")
BENCH_SETS = ("drcd-dev", "cmrc2018-dev", "xquad-en-zh-dev")
ARCHIVE_FILE = "archive-dev.jsonl"


def metrics(ranked_ids: list[list[str]], gold: list[str]) -> dict:
    ranks = [
        ids.index(g) + 1 if g in ids else None for ids, g in zip(ranked_ids, gold, strict=True)
    ]
    n = len(ranks)
    return {
        "R@1": sum(1 for r in ranks if r == 1) / n,
        "R@5": sum(1 for r in ranks if r and r <= 5) / n,
        "MRR@10": sum(1 / r for r in ranks if r and r <= 10) / n,
    }


def _read(path: Path, limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    return rows[:limit] if limit else rows


def _rank_all(retriever: Retriever, texts: list[str], parts: bool) -> dict[str, list[list[str]]]:
    """Top-10 passage ids of every question: the hybrid's, and its parts' when ``parts``."""
    out: dict[str, list[list[str]]] = defaultdict(list)
    vectors = retriever.embed_questions(texts)  # in batches; shared by every ranking
    for text, vector in zip(texts, vectors, strict=True):
        why = retriever.explain(text, k=10, vector=vector)
        out["hybrid"].append(why.ranking("fused"))
        if parts:
            out["bm25"].append(why.ranking("lexical"))
            out["sentence"].append(why.ranking("sentence"))
            out["dense"].append(why.ranking("dense"))
    return out


def _speed(retriever: Retriever, texts: list[str]) -> dict[str, float]:
    """Queries/s one at a time, end to end (embedding included)."""
    sample = texts[:SPEED_SAMPLE]
    start = time.perf_counter()
    for text in sample:
        retriever.search(text, k=10)
    return {"hybrid": len(sample) / (time.perf_counter() - start)}


def _work(name: str) -> Path:
    """The index folder of a set for the configured runtime."""
    backend, precision = embedding_runtime()
    return WORK / f"{name}-{backend}-{precision}"


def run_bench(name: str, limit: int | None, speed: bool) -> dict:
    folder = SHARED / "bench" / name
    t0 = time.perf_counter()
    report = build_index([folder / "corpus.jsonl"], _work(name))
    build_s = time.perf_counter() - t0
    retriever = Retriever.load(_work(name))
    runs: dict[str, dict] = {}
    if name == "xquad-en-zh-dev":
        variants = {"en": "queries.jsonl", "zh": "queries-zh.jsonl"}
        for label, file in variants.items():
            queries = _read(folder / file, limit)
            gold = [q["gold"] for q in queries]
            ranked = _rank_all(retriever, [q["question"] for q in queries], parts=True)
            for method, ids in ranked.items():
                runs[f"{method}/{label}"] = metrics(ids, gold)
    else:
        queries = _read(folder / "queries.jsonl", limit)
        gold = [q["gold"] for q in queries]
        texts = [q["question"] for q in queries]
        for method, ids in _rank_all(retriever, texts, parts=True).items():
            runs[method] = metrics(ids, gold)
        script = "zh-Hans" if name.startswith("drcd") else "zh-Hant"
        other = [to_script(t, script) for t in texts]
        for method, ids in _rank_all(retriever, other, parts=False).items():
            runs[f"{method}/{script}"] = metrics(ids, gold)
        if speed:
            for method, qps in _speed(retriever, texts).items():
                runs[method]["queries/s"] = qps
    retriever.close()
    return {
        "set": name,
        "passages": report.passages,
        "build_seconds": round(build_s, 1),
        "embedded": report.embedded,
        "methods": runs,
    }


def run_report(policy: Policy) -> dict:
    """The report's dev questions, as ``qa eval`` scores them, per file and together."""
    build_index([ROOT / "data"], _work("report"))
    qa = ReportQA.open(_work("report"), policy=policy)
    files = {f: read_questions(SHARED / "eval" / f) for f in REPORT_FILES}
    out = {f: evaluate(qa, questions) for f, questions in files.items()}
    out["both"] = evaluate(qa, [q for questions in files.values() for q in questions])
    qa.close()
    return out


#: Our own questions over the archive (written apart from the shared dev set, with gold
#: quotes checked in the reports): the second view a tuned number must hold on.
OWN_ARCHIVE_FILE = ROOT / "benchmarks" / "data" / "archive-own.jsonl"


def run_archive(policy: Policy) -> dict:
    """The archive's dev questions and our own, as ``qa eval`` scores the quote format."""
    build_index([SHARED / "archive"], _work("archive"))
    qa = ReportQA.open(_work("archive"), policy=policy)
    out = evaluate(qa, read_questions(SHARED / "eval" / ARCHIVE_FILE))
    out["own"] = evaluate(qa, read_questions(OWN_ARCHIVE_FILE))
    qa.close()
    return out


def _print_archive(s: dict, title: str = "archive dev questions") -> None:
    if "own" in s:
        _print_archive(s["own"], "our own archive questions (benchmarks/data/archive-own.jsonl)")
    single = s["single"]
    langs = "  ".join(
        f"{k} {v['figure_first']:.3f} (n={v['n']})" for k, v in single["by_lang"].items()
    )
    print(f"\n{title} (qa eval, quote format)")
    print(
        f"right report first {s['report_first']:.3f}  right figure first {s['figure_first']:.3f}  "
        f"single: figure first {single['figure_first']:.3f}  by language: {langs}"
    )
    print(
        f"comparisons every part right {s['comparisons_right']} of {s['comparisons']}  "
        f"unanswerable declined {s['unanswerable_declined']} of {s['unanswerable']}  "
        f"answerable declined {s['answerable_declined']} of {s['answerable']}"
    )


def _print_report(results: dict) -> None:
    print("\nreport dev questions (qa eval)")
    print(
        f"{'file':<16} {'hit@1':>6} {'hit@3':>6} {'en@1':>6} {'zh-Hant@1':>9} {'zh-Hans@1':>9} "
        f"{'figures':>8} {'unans. declined':>16} {'ans. declined':>14}"
    )
    for name, summary in results.items():
        r, a = summary["retrieval"], summary["answers"]
        by = r["by_lang"]

        def at1(lang: str, by=by) -> str:
            return f"{by[lang]['hit@1']:.3f}" if lang in by else "-"

        shown = a["figures_shown"]
        print(
            f"{name:<16} {r['overall']['hit@1']:6.3f} {r['overall']['hit@3']:6.3f} "
            f"{at1('en'):>6} {at1('zh-Hant'):>9} {at1('zh-Hans'):>9} "
            f"{(f'{shown:.3f}' if shown is not None else '-'):>8} "
            f"{a['unanswerable_declined']:>9} of {a['unanswerable']:<4} "
            f"{a['answerable_declined']:>7} of {a['answerable']:<4}"
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="+", default=["report", "archive", *BENCH_SETS])
    p.add_argument("--limit", type=int, help="only the first N queries of each benchmark set")
    p.add_argument("--no-speed", action="store_true", help="skip the queries/s timing")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if not (SHARED / "bench").is_dir():
        print(f"no benchmark data in {SHARED / 'bench'} (set QA_SHARED)", file=sys.stderr)
        return 2
    policy = Policy()
    out: dict = {"runtime": " ".join(embedding_runtime()), "policy": policy.to_json()}
    if "report" in args.sets:
        out["report"] = run_report(policy)
    if "archive" in args.sets:
        out["archive"] = run_archive(policy)
    out["bench"] = [
        run_bench(s, args.limit, not args.no_speed)
        for s in args.sets
        if s not in ("report", "archive")
    ]
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    print(f"embedding runtime: {out['runtime']}")
    print("policy in force:")
    for section, values in out["policy"].items():
        print(f"  {section}: {json.dumps(values, ensure_ascii=False)}")
    if "report" in out:
        _print_report(out["report"])
    if "archive" in out:
        _print_archive(out["archive"])
    for r in out["bench"]:
        print(
            f"\n{r['set']}: {r['passages']} passages "
            f"(index build {r['build_seconds']} s, {r['embedded']} embedded)"
        )
        print(f"{'method':<18} {'R@1':>7} {'R@5':>7} {'MRR@10':>7} {'queries/s':>10}")
        for method, m in r["methods"].items():
            speed = f"{m['queries/s']:10.1f}" if "queries/s" in m else f"{'':>10}"
            print(f"{method:<18} {m['R@1']:7.4f} {m['R@5']:7.4f} {m['MRR@10']:7.4f} {speed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
