"""Follow-up questions over the archive: the share of turns answered right when each follows
the one before (``ReportQA.ask(follows=…)``) next to the same later turns asked alone — the
gain the conversation brings (issue #22).

The conversations are ``tests/data/archive-conversations.jsonl`` (two or three turns each, in
zh-Hans, zh-Hant and English; a turn is right when the answer quotes its figure from its
report, or declines where it expects a decline). The index is the whole shared archive
(``../shared/archive/``, 65 reports), built once into ``benchmarks/.work/archive-…`` as
``benchmarks/quality.py`` builds it.

    python benchmarks/followups.py [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa import ReportQA, build_index, embedding_runtime  # noqa: E402

SHARED = Path(os.environ.get("QA_SHARED", ROOT.parent / "shared"))
WORK = Path(os.environ.get("QA_BENCH_DIR", ROOT / "benchmarks" / ".work"))
CONVERSATIONS = ROOT / "tests" / "data" / "archive-conversations.jsonl"


def right(answer, turn: dict) -> bool:
    if turn["figure"] is None:
        return not answer.found
    shown = {
        (quote.citation.doc_id, figure.text)
        for part in (answer, *answer.parts)
        for quote in part.quotes
        for figure in quote.figures
    }
    return answer.found and (turn["report"], turn["figure"]) in shown


def run(qa: ReportQA, convs: list[dict]) -> dict:
    first = followed = alone = later = 0
    by_lang: dict[str, list[int]] = {}
    misses = []
    for conv in convs:
        previous = None
        for n, turn in enumerate(conv["turns"]):
            answer = qa.ask(turn["question"], follows=previous)
            ok = right(answer, turn)
            if n == 0:
                first += ok
            else:
                later += 1
                followed += ok
                alone += right(qa.ask(turn["question"]), turn)
                by_lang.setdefault(conv["lang"], [0, 0])
                by_lang[conv["lang"]][0] += ok
                by_lang[conv["lang"]][1] += 1
                if not ok:
                    misses.append(f"{conv['id']} turn {n + 1}: {turn['question']}")
            previous = answer
    return {
        "conversations": len(convs),
        "first turns right": first / len(convs),
        "later turns": later,
        "later turns right, following": followed / later,
        "later turns right, asked alone": alone / later,
        "by language (following)": {k: v[0] / v[1] for k, v in sorted(by_lang.items())},
        "misses": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    backend, precision = embedding_runtime()
    index = WORK / f"archive-{backend}-{precision}"  # as benchmarks/quality.py names it
    build_index([SHARED / "archive"], index)
    qa = ReportQA.open(index)
    convs = [json.loads(line) for line in CONVERSATIONS.read_text(encoding="utf-8").splitlines()]
    result = run(qa, convs)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"conversations: {result['conversations']} over {index}")
    print(f"first turns right: {result['first turns right']:.3f}")
    print(
        f"later turns ({result['later turns']}): right when following "
        f"{result['later turns right, following']:.3f}, asked alone "
        f"{result['later turns right, asked alone']:.3f}"
    )
    for lang, share in result["by language (following)"].items():
        print(f"  {lang:8} following {share:.3f}")
    for miss in result["misses"]:
        print(f"  miss: {miss}")


if __name__ == "__main__":
    main()
