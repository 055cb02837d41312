"""Build on Ray vs here: passages/s of ``build_index`` embedding locally (all cores) and on
a local Ray cluster with 1 and 2 workers, on the same passages, and Ray's fixed overhead for
a small build — each in its own process, in one run.

    python benchmarks/ray_build.py [--passages 200] [--small 8] [--json]

Passages: the first N paragraphs of ../shared/bench/drcd-dev (or QA_SHARED) when present,
else the bundled report's paragraphs repeated with a counter so each text is unique. The
model is loaded before timing starts everywhere; the index folder starts empty (no cache).

* ``build``: the whole ``build_index`` call, Ray cluster start and stop included.
* ``steady``: passages/s once vectors flow, from the first batch back to the last, i.e.
  without the fixed costs (cluster start, actors importing torch and loading the model).
* overhead: for ``--small`` passages, the cluster start (``RayCluster.connect("local")``),
  the pipeline (actor pool start, model load, embedding) and the stop, against embedding
  the same passages here.
"""

from __future__ import annotations

import argparse
import json
import os
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


def write_corpus(folder: Path, n: int) -> Path:
    src = folder / "c.jsonl"
    rows = corpus(n)
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return src


def child_build(n: int, workers: int | None) -> dict:
    """``build_index`` of ``n`` passages, here (``workers`` None) or on a local Ray."""
    from qa import build_index
    from qa.embed import Embedder

    embedder = Embedder.load()
    arrivals: list[tuple[float, int]] = []

    def progress(done: int, total: int) -> None:
        arrivals.append((time.perf_counter(), done))

    with tempfile.TemporaryDirectory() as tmp:
        src = write_corpus(Path(tmp), n)
        t = time.perf_counter()
        report = build_index(
            [src],
            Path(tmp) / "index",
            model=embedder,
            progress=progress,
            ray_address="local" if workers else None,
            ray_workers=workers,
        )
        seconds = time.perf_counter() - t
    # Here, vectors flow from the first call (embedding starts); on Ray, from the first
    # batch back (the actors have started and loaded the model).
    flowing = arrivals if workers is None else [(at, d) for at, d in arrivals if d > 0]
    (t1, d1), (t2, d2) = flowing[0], flowing[-1]
    return {
        "passages": report.passages,
        "workers": report.ray["workers"] if report.ray else None,
        "seconds": seconds,
        "passages/s": report.passages / seconds,
        "steady passages/s": (d2 - d1) / (t2 - t1) if t2 > t1 else None,
        "ray seconds": report.ray["seconds"] if report.ray else None,
    }


def child_overhead(n: int) -> dict:
    """Ray's fixed costs for ``n`` passages, step by step, against embedding them here."""
    from qa.embed import Embedder
    from qa.index.cache import text_key
    from qa.index.ray_embed import RayCluster

    embedder = Embedder.load()
    texts = [r["text"] for r in corpus(n)]
    keys = [text_key(t) for t in texts]
    t = time.perf_counter()
    embedder.encode_passages(texts)
    local = time.perf_counter() - t
    t = time.perf_counter()
    cluster = RayCluster.connect("local")
    start = time.perf_counter() - t
    t = time.perf_counter()
    cluster.embed(embedder.spec(), keys, texts, lambda _keys, _vectors: None)
    pipeline = time.perf_counter() - t
    t = time.perf_counter()
    cluster.close()
    stop = time.perf_counter() - t
    return {
        "passages": n,
        "embed here": local,
        "cluster start": start,
        "pipeline": pipeline,
        "cluster stop": stop,
        "overhead": start + pipeline + stop - local,
    }


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,  # Ray's workers import this checkout's qa, as the driver does
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--passages", type=int, default=200)
    p.add_argument("--small", type=int, default=8, help="passages of the overhead build")
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            workers = int(rest[0]) or None
            print(json.dumps(child_build(args.passages, workers)))
        else:
            print(json.dumps(child_overhead(args.small)))
        return 0
    results = {
        "local": run_child("build", "0", "--passages", str(args.passages)),
        "ray-1": run_child("build", "1", "--passages", str(args.passages)),
        "ray-2": run_child("build", "2", "--passages", str(args.passages)),
        "overhead": run_child("overhead", "--small", str(args.small)),
    }
    base = results["local"]
    for key in ("ray-1", "ray-2"):
        r = results[key]
        r["vs local"] = r["passages/s"] / base["passages/s"]
        steady = r["steady passages/s"]  # None when every batch came back at once
        r["steady vs local"] = steady / base["steady passages/s"] if steady else None
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{args.passages} passages{'':<22}{'build s':>9}{'passages/s':>12}{'steady/s':>10}")
    for key, label in (
        ("local", "build_index here (all cores)"),
        ("ray-1", "Ray local, 1 worker"),
        ("ray-2", "Ray local, 2 workers"),
    ):
        r = results[key]
        ratio = ""
        if key != "local":
            ratio = f"   vs here: {r['vs local']:.2f}x build, {_num(r['steady vs local'])}x steady"
        print(
            f"{label:<36}{r['seconds']:9.1f}{r['passages/s']:12.2f}"
            f"{_num(r['steady passages/s']):>10}{ratio}"
        )
    o = results["overhead"]
    print(
        f"Ray fixed overhead, {o['passages']} passages: cluster start {o['cluster start']:.1f} s, "
        f"pipeline {o['pipeline']:.1f} s (embedding them here: {o['embed here']:.1f} s), "
        f"stop {o['cluster stop']:.1f} s -> {o['overhead']:.1f} s more than embedding here"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
