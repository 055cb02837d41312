"""Query latency on the bundled report's index: ``Retriever.search`` and ``ReportQA.ask`` on
the configured runtime (ONNX Runtime by default), broken down by step (the timings of
``Retriever.explain``), beside the
torch fp32 one-thread encode of one query measured in the same run (the floor before
ONNX Runtime: the issue #13 targets are search ≤ 0.3× it idle, ≤ 0.6× with a core busy).

    python benchmarks/latency.py [--rounds 5] [--json] [--index DIR]
    python benchmarks/latency.py --archive [--index DIR] [--rounds 1]
    python benchmarks/latency.py --cold --index DIR [--baseline REF] [--rounds 3]

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

``--archive``: the same two latency parts over an index of ``../shared/archive/`` (65
reports, built once into ``--index DIR`` unless that folder already holds it) with the 60
questions of :data:`ARCHIVE_QUESTIONS` (our own: zh-Hans, zh-Hant and English, national
and provincial, the figures people ask for — GDP, budget revenue, grain output, jobs, a
year's targets); answer p50 and p95, warm, one thread.

``--cold``: what a user waits for ``qa ask`` from a cold process on an index (an archive
index for the issue #24 figures): ``/usr/bin/time -v qa ask QUESTION --index DIR``, wall
time and peak resident memory (maximum RSS), ``--rounds`` times over rotating questions,
each from a process that finds no sentence vectors kept by an earlier one (the index's
``cache/sentences.sqlite`` is removed first), and then again, from one that finds them.
With ``--baseline REF`` the same command runs with the code of a git ref (a temporary
worktree) in the same run, rounds interleaved; its model export is read from a copy of
the model cache with the weights inside the graph file, as exports were before
(``qa.embed.export``), so the baseline loads what it loaded then.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("QA_SHARED", ROOT.parent / "shared"))
#: Sentence vectors kept by earlier processes in an index folder (qa.index.kept_sentences).
KEPT_SENTENCES = Path("cache") / "sentences.sqlite"

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


#: Questions over the archive (``--archive``), our own: 20 per language, half about the
#: provincial reports of 2026, half about the national ones of 1954–2017.
ARCHIVE_QUESTIONS = [
    "2025年江苏省地区生产总值是多少？",
    "浙江省2026年经济增长的预期目标是多少？",
    "广东省2025年一般公共预算收入增长了多少？",
    "山东省2026年城镇新增就业目标是多少人？",
    "2025年河北省粮食总产量是多少？",
    "重庆市2026年居民消费价格涨幅目标是多少？",
    "安徽省十四五期间地区生产总值年均增长多少？",
    "天津市2025年进出口总额是多少？",
    "新疆2026年城乡居民收入增长目标是多少？",
    "甘肃省2025年规模以上工业增加值增长多少？",
    "1978年全国粮食产量是多少？",
    "1995年国内生产总值增长了多少？",
    "2003年全国财政收入是多少？",
    "2010年城镇新增就业多少人？",
    "2017年国内生产总值增长的预期目标是多少？",
    "1958年钢产量计划是多少？",
    "1984年农业总产值比上年增长多少？",
    "2008年居民消费价格总水平上涨了多少？",
    "2014年城镇登记失业率控制在多少以内？",
    "1999年全国固定资产投资增长多少？",
    "2025年福建省的地區生產總值達到多少？",
    "湖南省2026年的經濟增長目標是多少？",
    "江西省2025年糧食產量是多少？",
    "雲南省2026年城鎮新增就業目標是多少？",
    "貴州省2025年一般公共預算收入是多少？",
    "寧夏2026年居民消費價格漲幅控制在多少？",
    "重慶市2025年社會消費品零售總額增長多少？",
    "廣東省2025年進出口總額是多少？",
    "浙江省2025年研發經費投入強度是多少？",
    "山東省2025年外貿進出口增長多少？",
    "1956年全國工業總產值是多少？",
    "1980年國家財政赤字是多少？",
    "1990年糧食總產量達到多少？",
    "2005年國內生產總值是多少？",
    "2012年全國財政赤字安排多少？",
    "2016年城鎮新增就業目標是多少萬人？",
    "1988年零售物價上漲了多少？",
    "2001年國內生產總值增長了多少？",
    "1964年農業生產恢復得怎麼樣？",
    "2009年中央政府公共投資安排多少？",
    "What was Jiangsu's GDP in 2025?",
    "What is Zhejiang's GDP growth target for 2026?",
    "How much did Guangdong's general public budget revenue grow in 2025?",
    "How many new urban jobs does Shandong plan to create in 2026?",
    "What was Hebei's grain output in 2025?",
    "What is Chongqing's consumer price target for 2026?",
    "How fast did Anhui's economy grow during the 14th Five-Year Plan?",
    "What was Tianjin's total import and export volume in 2025?",
    "What was Fujian's GDP in 2025?",
    "How many new urban jobs does Hunan plan for 2026?",
    "What was China's grain output in 1978?",
    "How much did GDP grow in 1995?",
    "What was national fiscal revenue in 2003?",
    "How many new urban jobs were created in 2010?",
    "What was the GDP growth target for 2017?",
    "What was the steel output target in 1958?",
    "What was the registered urban unemployment rate target in 2014?",
    "How much did consumer prices rise in 2008?",
    "How much did Yunnan's industrial value added grow in 2025?",
    "How large a central government deficit was planned for 2012?",
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


def measure(index: Path, rounds: int, busy: bool, questions: list[str] = QUESTIONS) -> dict:
    import torch

    from qa import Embedder, OnnxEncoder, ReportQA

    # Sentence vectors kept by earlier processes (qa.index.kept_sentences) would make every
    # answer's first sentences free: measure what a process that finds none pays.
    (index / KEPT_SENTENCES).unlink(missing_ok=True)
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
    for q in questions:  # warm-up: caches, lazy dictionary, allocator
        qa.ask(q)
        baseline.encode([q], prompt=query_prompt, normalize_embeddings=True)
    keys = ["torch_encode", "onnx_encode_1t", "onnx_encode_2t", "embed", "dense", "lexical"]
    keys += ["fusion", "search", "answer", "compose"]
    t: dict[str, list[float]] = {k: [] for k in keys}
    with busy_core(busy):
        for _ in range(rounds):
            for q in questions:
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
        k: {
            "p50_ms": 1000 * statistics.median(v),
            "p95_ms": 1000 * pct(v, 95),
            "p99_ms": 1000 * pct(v, 99),
            "max_ms": 1000 * max(v),
        }
        for k, v in t.items()
        if v
    }
    floor = out["torch_encode"]["p50_ms"]
    out["ratio"] = {
        "search_p50 / torch_encode_p50": out["search"]["p50_ms"] / floor,
        "answer_p50 / torch_encode_p50": out["answer"]["p50_ms"] / floor,
    }
    out["runtime"] = f"{embedder.backend} {embedder.precision}"
    out["queries"] = len(questions) * rounds
    return out


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def startup(index: Path, questions: list[str] = QUESTIONS) -> dict:
    """Seconds from nothing imported to a first answered search, and RSS then."""
    start = time.perf_counter()
    from qa import Retriever

    imported = time.perf_counter()
    retriever = Retriever.load(index)
    loaded = time.perf_counter()
    retriever.search(questions[0], k=5)
    first = time.perf_counter()
    for q in questions:
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


def archive_index(index: Path | None, tmp: str) -> Path:
    """An index of the archive: ``index`` as it is when it holds one, else built there (or
    in ``tmp``) once."""
    from qa import build_index, indexed_documents
    from qa.errors import IndexNotFoundError

    target = index or Path(tmp) / "archive-index"
    try:
        indexed_documents(target)
        return target
    except IndexNotFoundError:
        pass
    archive = SHARED / "archive"
    if not archive.is_dir():
        raise SystemExit(f"no archive at {archive} (set QA_SHARED)")
    print(f"building {archive} into {target} once …", file=sys.stderr)
    build_index([archive], target)
    return target


def inline_model_cache(folder: Path) -> Path:
    """A model cache in ``folder`` whose ONNX export keeps its weights inside the graph
    file, as exports were made before ``qa.embed.export.map_weights`` (the baseline of
    ``--cold``)."""
    import onnx

    from qa import config, ensure_onnx_model

    source = ensure_onnx_model(config.precision("onnx"), quiet=True)
    target = folder / source.relative_to(config.cache_dir())
    target.mkdir(parents=True)
    for f in source.iterdir():
        if f.suffix == ".json":
            (target / f.name).write_bytes(f.read_bytes())
        elif f.suffix == ".onnx":
            onnx.save_model(onnx.load(str(f)), str(target / f.name))  # weights inline
    return folder


_TIME_V = {
    "wall_s": "Elapsed (wall clock) time (h:mm:ss or m:ss)",
    "peak_rss_mb": "Maximum resident set size (kbytes)",
}


def time_v(command: list[str], *, cwd: Path, env: dict) -> dict:
    """Wall time and peak RSS of ``command`` as ``/usr/bin/time -v`` reports them."""
    out = subprocess.run(
        ["/usr/bin/time", "-v", *command], cwd=cwd, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{out.stderr[-2000:]}")
    found = {}
    for line in out.stderr.splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key == _TIME_V["wall_s"]:
            parts = [float(x) for x in value.split(":")]
            found["wall_s"] = sum(x * 60**i for i, x in enumerate(reversed(parts)))
        elif key == _TIME_V["peak_rss_mb"]:
            found["peak_rss_mb"] = int(value) / 1024
    return found


def cold(index: Path, rounds: int, baseline: str | None) -> dict:
    """``qa ask`` from a cold process, this checkout and (``baseline``) a git ref."""
    arms = {"this checkout": (ROOT, dict(os.environ))}
    with contextlib.ExitStack() as stack:
        if baseline:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qa-cold-")))
            code = tmp / "code"
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(code), baseline],
                check=True,
                capture_output=True,
            )
            stack.callback(
                subprocess.run,
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(code)],
                capture_output=True,
            )
            cache = inline_model_cache(tmp / "cache")
            arms = {
                f"baseline {baseline}": (code, {**os.environ, "QA_CACHE_DIR": str(cache)}),
                **arms,
            }
        again = "this checkout, same question again"
        runs: dict[str, list[dict]] = {label: [] for label in [*arms, again]}
        questions = ARCHIVE_QUESTIONS[::7]
        kept = index / KEPT_SENTENCES
        for r in range(rounds + 1):  # round 0 fills the page cache and is not counted
            for label, (code, env) in arms.items():
                question = questions[r % len(questions)]
                command = [sys.executable, "-m", "qa.cli", "ask", question, "--index", str(index)]
                # A process that finds no kept sentence vectors (qa.index.kept_sentences) …
                kept.unlink(missing_ok=True)
                result = time_v(command, cwd=code, env={**env, "PYTHONPATH": str(code)})
                if r:
                    runs[label].append(result)
                if r and label == "this checkout":  # … and the next one, which finds them
                    runs[again].append(
                        time_v(command, cwd=code, env={**env, "PYTHONPATH": str(code)})
                    )
    return {
        label: {
            "wall_s": statistics.median(x["wall_s"] for x in values),
            "peak_rss_mb": statistics.median(x["peak_rss_mb"] for x in values),
            "runs": values,
        }
        for label, values in runs.items()
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--index", type=lambda s: Path(s).resolve())
    p.add_argument("--json", action="store_true")
    p.add_argument("--archive", action="store_true")
    p.add_argument("--cold", action="store_true")
    p.add_argument("--baseline", nargs="?", const="main", default=None, metavar="REF")
    p.add_argument("--child", choices=["idle", "busy", "startup"], help=argparse.SUPPRESS)
    args = p.parse_args()
    questions = ARCHIVE_QUESTIONS if args.archive else QUESTIONS
    if args.child:
        if args.child == "startup":
            result = startup(args.index, questions)
        else:
            result = measure(args.index, args.rounds, args.child == "busy", questions)
        print(json.dumps(result))
        return 0
    if args.cold:
        if args.index is None:
            raise SystemExit("--cold needs --index DIR (an archive index: see --archive)")
        result = cold(args.index, args.rounds or 3, args.baseline)
        if args.json:
            print(json.dumps(result, indent=2))
            return 0
        print(f"qa ask from a cold process on {args.index} (median of {args.rounds or 3})")
        print(f"{'':<36}{'wall s':>8}{'peak RSS MB':>13}")
        for label, r in result.items():
            print(f"{label:<36}{r['wall_s']:8.2f}{r['peak_rss_mb']:13.0f}")
        return 0
    rounds = args.rounds or (1 if args.archive else 5)

    from qa import Embedder, build_index

    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index
        torch_index = None
        if args.archive:
            index = archive_index(index, tmp)
        elif index is None:
            index = Path(tmp) / "index"
            build_index([ROOT / "data"], index)
            torch_index = Path(tmp) / "index-torch"
            build_index([ROOT / "data"], torch_index, model=Embedder.load(backend="torch"))
        flags = ["--archive"] if args.archive else []
        for mode in ("idle",) if args.archive else ("idle", "busy"):
            result[mode] = run_child(
                ["--child", mode, "--index", str(index), "--rounds", str(rounds), *flags]
            )
        result["startup"] = [run_child(["--child", "startup", "--index", str(index), *flags])]
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
        if mode not in result:
            continue
        r = result[mode]
        print(f"\n{r['queries']} queries, {r['runtime']}, {title} (p50 / p95 / p99, ms)")
        for key, label in labels.items():
            if key in r:
                print(
                    f"{label:<52} {r[key]['p50_ms']:8.2f} {r[key]['p95_ms']:8.2f} "
                    f"{r[key]['p99_ms']:8.2f}"
                )
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
