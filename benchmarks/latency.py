"""Query latency on the bundled report's index: ``Retriever.search`` and ``ReportQA.ask`` on
the configured runtime (ONNX Runtime by default), broken down by step (the timings of
``Retriever.explain``), beside the
torch fp32 one-thread encode of one query measured in the same run (the floor before
ONNX Runtime: the issue #13 targets are search ≤ 0.3× it idle, ≤ 0.6× with a core busy).

    python benchmarks/latency.py [--rounds 5] [--json] [--index DIR]

Three parts, each in its own process:

1. latency, idle and then while another process keeps one core busy
   (``python -c "while True: pass"``): the torch encode and the search interleaved
   question by question, plus ONNX Runtime's raw encode of one query on 1 and on 2
   intra-op threads;
2. start-up: seconds to ``Retriever.load`` the index and answer a first search, and the
   resident memory (RSS) of the process then, for torch fp32 and the configured runtime.

Builds the bundled report into temporary indexes unless --index is given (then only the
configured runtime's start-up is measured). Read the ratios; absolute times move with
the load of a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


@contextlib.contextmanager
def busy_core(on: bool):
    """Another process spinning on one core while the block runs."""
    if not on:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)  # let it get scheduled
        yield
    finally:
        spinner.terminate()
        spinner.wait()


def measure(index: Path, rounds: int, busy: bool) -> dict:
    import torch

    from qa import Embedder, ReportQA
    from qa.embed.onnx_runtime import OnnxEncoder

    qa = ReportQA.open(index)
    retriever = qa.retriever
    embedder = retriever.embedder
    torch.set_num_threads(1)
    baseline = Embedder.load(backend="torch").model  # torch fp32, one thread
    query_prompt = embedder.prompts["query"]
    two_threads = None
    if embedder.backend == "onnx":
        encoder = embedder.encoder
        folder = Path(encoder.session._model_path).parent
        two_threads = OnnxEncoder(folder, embedder.precision, workers=1, query_threads=2)
    for q in QUESTIONS:  # warm-up: caches, lazy dictionary, allocator
        qa.ask(q)
        baseline.encode([q], prompt=query_prompt, normalize_embeddings=True)
    keys = ["torch_encode", "onnx_encode_1t", "onnx_encode_2t", "embed", "dense", "lexical"]
    keys += ["fusion", "search", "answer", "compose"]
    t: dict[str, list[float]] = {k: [] for k in keys}
    with busy_core(busy):
        for _ in range(rounds):
            for q in QUESTIONS:
                s = time.perf_counter()
                baseline.encode(
                    [q], prompt=query_prompt, normalize_embeddings=True, show_progress_bar=False
                )
                t["torch_encode"].append(time.perf_counter() - s)
                if two_threads is not None:
                    s = time.perf_counter()
                    embedder.encoder.encode([query_prompt + q], batch_size=1)
                    t["onnx_encode_1t"].append(time.perf_counter() - s)
                    s = time.perf_counter()
                    two_threads.encode([query_prompt + q], batch_size=1)
                    t["onnx_encode_2t"].append(time.perf_counter() - s)

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
    out: dict = {
        k: {"p50_ms": 1000 * statistics.median(v), "p99_ms": 1000 * pct(v, 99)}
        for k, v in t.items()
        if v
    }
    floor = out["torch_encode"]["p50_ms"]
    out["ratio"] = {
        "search_p50 / torch_encode_p50": out["search"]["p50_ms"] / floor,
        "answer_p50 / torch_encode_p50": out["answer"]["p50_ms"] / floor,
    }
    out["runtime"] = f"{embedder.backend} {embedder.precision}"
    out["queries"] = len(QUESTIONS) * rounds
    return out


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def startup(index: Path) -> dict:
    """Seconds from nothing imported to a first answered search, and RSS then."""
    start = time.perf_counter()
    from qa import Retriever

    imported = time.perf_counter()
    retriever = Retriever.load(index)
    loaded = time.perf_counter()
    retriever.search(QUESTIONS[0], k=5)
    first = time.perf_counter()
    for q in QUESTIONS:
        retriever.search(q, k=5)
    embedder = retriever.embedder
    return {
        "runtime": f"{embedder.backend} {embedder.precision}",
        "import_s": imported - start,
        "load_s": loaded - imported,
        "first_search_s": first - loaded,
        "rss_mb": rss_mb(),
        "torch_imported": "torch" in sys.modules,
    }


def run_child(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--index", type=Path)
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", choices=["idle", "busy", "startup"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        if args.child == "startup":
            result = startup(args.index)
        else:
            result = measure(args.index, args.rounds, args.child == "busy")
        print(json.dumps(result))
        return 0

    from qa import Embedder, build_index

    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        torch_index = None
        if index is None:
            index = Path(tmp) / "index"
            build_index([ROOT / "data"], index)
            torch_index = Path(tmp) / "index-torch"
            build_index([ROOT / "data"], torch_index, model=Embedder.load(backend="torch"))
        for mode in ("idle", "busy"):
            result[mode] = run_child(
                ["--child", mode, "--index", str(index), "--rounds", str(args.rounds)]
            )
        result["startup"] = [run_child(["--child", "startup", "--index", str(index)])]
        if torch_index is not None:
            result["startup"].insert(
                0,
                run_child(
                    ["--child", "startup", "--index", str(torch_index)],
                    env={"QA_BACKEND": "torch"},
                ),
            )
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    labels = {
        "torch_encode": "torch fp32 encode, 1 query, 1 thread (floor)",
        "onnx_encode_1t": "ONNX Runtime encode, 1 query, 1 thread",
        "onnx_encode_2t": "ONNX Runtime encode, 1 query, 2 threads",
        "embed": "  search: query embedding",
        "dense": "  search: dense (FAISS, candidates' cosines)",
        "lexical": "  search: lexical (BM25 + best sentence, incl. translation)",
        "fusion": "  search: fusion",
        "search": "Retriever.search (k=5)",
        "compose": "  answer: composition (sentences, figures)",
        "answer": "ReportQA.ask",
    }
    for mode, title in (("idle", "idle"), ("busy", "another process keeps one core busy")):
        r = result[mode]
        print(f"\n{r['queries']} queries, {r['runtime']}, {title} (p50 / p99, ms)")
        for key, label in labels.items():
            if key in r:
                print(f"{label:<52} {r[key]['p50_ms']:8.2f} {r[key]['p99_ms']:8.2f}")
        for k, v in r["ratio"].items():
            print(f"{k:<52} {v:8.2f}")
    print(
        f"\n{'start-up':<12}{'import s':>10}{'load s':>10}{'1st search s':>14}{'RSS MB':>10}  torch"
    )
    for s in result["startup"]:
        print(
            f"{s['runtime']:<12}{s['import_s']:10.2f}{s['load_s']:10.2f}"
            f"{s['first_search_s']:14.2f}{s['rss_mb']:10.0f}  {s['torch_imported']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
