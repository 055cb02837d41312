"""Rebuild time after adding one report to an index of N reports, against a full rebuild.

    python benchmarks/rebuild.py [--reports 100] [--seed 2020] [--json]

N synthetic reports (5–8 paragraphs each, with a ``.meta.json`` sidecar) are generated
deterministically from ``--seed`` by recombining the sentences of the bundled report
(``data/heilongjiang-civil-affairs-2020.txt``) with fresh figures, so every paragraph is
unique. In one run, with the real ``build_index`` and the bundled model (loaded once, not
timed):

1. cold build of the N reports into a new index (everything embedded);
2. incremental rebuild of that index after adding one report (vectors of the N reports
   come from the index's embedding cache, only the new report is embedded);
3. full rebuild of the same N+1 reports into a fresh index folder (no cache).

Prints seconds, passages embedded/reused per step and the full/incremental ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa import Embedder, build_index  # noqa: E402

SOURCE = ROOT / "data" / "heilongjiang-civil-affairs-2020.txt"
PLACES = (
    "哈爾濱市", "齊齊哈爾市", "牡丹江市", "佳木斯市", "大慶市", "雞西市", "雙鴨山市", "伊春市",
    "七台河市", "鶴崗市", "黑河市", "綏化市", "大興安嶺地區", "長春市", "吉林市", "四平市",
    "遼源市", "通化市", "白山市", "松原市", "白城市", "延邊州", "瀋陽市", "大連市", "鞍山市",
)  # fmt: skip
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def sentences() -> list[str]:
    """The bundled report's sentences that carry at least one figure."""
    text = SOURCE.read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        for s in re.findall(r"[^。]+。", line):
            if _NUMBER.search(s) and 15 <= len(s) <= 160:
                out.append(s.strip())
    return out


def _refigure(sentence: str, rng: random.Random) -> str:
    """``sentence`` with every figure replaced by a random one of similar size."""

    def repl(m: re.Match) -> str:
        old = m.group(0)
        if "." in old:
            return f"{rng.uniform(0.1, 99.9):.{len(old.split('.')[1])}f}"
        if len(old) == 4 and old.startswith("20"):  # a year stays a plausible year
            return str(rng.randint(2015, 2020))
        return str(rng.randint(10 ** (len(old) - 1) if len(old) > 1 else 1, 10 ** len(old) - 1))

    return _NUMBER.sub(repl, sentence)


def generate(
    folder: Path, first: int, count: int, seed: int, pool: list[str], seen: set[str]
) -> int:
    """Write reports ``first`` … ``first+count-1``; returns the number of paragraphs."""
    paragraphs = 0
    for i in range(first, first + count):
        rng = random.Random(seed * 100_003 + i)
        place = PLACES[i % len(PLACES)]
        body = []
        for _ in range(rng.randint(5, 8)):
            while True:
                picked = rng.sample(pool, rng.randint(1, 2))
                para = place + "".join(_refigure(s, rng) for s in picked)
                para = para.replace("黑龍江省", place).replace("全省", "全市")
                if para not in seen:
                    seen.add(para)
                    break
            body.append(para)
        name = f"report-{i:03d}"
        (folder / f"{name}.txt").write_text("\n".join(body) + "\n", encoding="utf-8")
        meta = {
            "title": f"{place}民政工作綜述（第{i + 1}號）",
            "region": place,
            "year": 2020,
            "publisher": f"{place}民政局",
        }
        (folder / f"{name}.meta.json").write_text(
            json.dumps(meta, ensure_ascii=False), encoding="utf-8"
        )
        paragraphs += len(body)
    return paragraphs


def step(name: str, sources: Path, index: Path, embedder: Embedder) -> dict:
    started = time.perf_counter()
    report = build_index([sources], index, model=embedder)
    seconds = time.perf_counter() - started
    return {
        "step": name,
        "seconds": round(seconds, 2),
        "documents": report.documents,
        "passages": report.passages,
        "embedded": report.embedded,
        "reused": report.reused,
    }


def run(reports: int, seed: int) -> dict:
    load_started = time.perf_counter()
    embedder = Embedder.load()
    load_seconds = time.perf_counter() - load_started
    pool, seen = sentences(), set()
    with tempfile.TemporaryDirectory(prefix="qa-rebuild-") as work:
        src = Path(work) / "reports"
        src.mkdir()
        generate(src, 0, reports, seed, pool, seen)
        cold = step(f"cold build, {reports} reports", src, Path(work) / "index", embedder)
        generate(src, reports, 1, seed, pool, seen)
        incremental = step("incremental: +1 report", src, Path(work) / "index", embedder)
        full = step(f"full rebuild, {reports + 1} reports", src, Path(work) / "fresh", embedder)
    return {
        "reports": reports,
        "seed": seed,
        "model": embedder.description,
        "model_load_seconds": round(load_seconds, 2),
        "cpus": os.cpu_count(),
        "threads": os.environ.get("QA_THREADS") or "all",
        "steps": [cold, incremental, full],
        "full_over_incremental": round(full["seconds"] / max(incremental["seconds"], 1e-9), 1),
    }


def table(result: dict) -> str:
    head = f"{'step':<28} {'seconds':>8} {'docs':>5} {'passages':>8} {'embedded':>8} {'reused':>7}"
    rows = [head, "-" * len(head)]
    for s in result["steps"]:
        rows.append(
            f"{s['step']:<28} {s['seconds']:>8.2f} {s['documents']:>5} {s['passages']:>8} "
            f"{s['embedded']:>8} {s['reused']:>7}"
        )
    rows.append("")
    rows.append(
        f"full rebuild / incremental rebuild: {result['full_over_incremental']}x  "
        f"(model: {result['model']}, loaded once in {result['model_load_seconds']} s, not counted; "
        f"{result['cpus']} CPUs)"
    )
    return "\n".join(rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reports", type=int, default=100, help="reports in the initial index")
    p.add_argument("--seed", type=int, default=2020, help="seed of the synthetic reports")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args()
    if args.reports < 1:
        p.error("--reports must be at least 1")
    result = run(args.reports, args.seed)
    print(json.dumps(result, ensure_ascii=False) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
