"""Build on Ray vs here: passages/s of ``build_index`` embedding locally (all cores) and on
a local Ray cluster with 1 and 2 workers, on the same passages, and Ray's fixed overhead for
a small build — each in its own process, in one run.

    python benchmarks/ray_build.py [--passages 200] [--small 8] [--rounds 1] [--json]

Passages: the first N paragraphs of ../shared/bench/drcd-dev (or QA_SHARED) when present,
else the bundled report's paragraphs repeated with a counter so each text is unique. The
model is loaded before timing starts everywhere; the index folder starts empty (no cache).

* modes: here with all cores (the default build), here with one torch thread (what one
  Ray worker has), and on a local Ray cluster with 1 and 2 workers (one core each).
* ``build``: the whole ``build_index`` call, Ray cluster start and stop included.
* ``steady``: passages/s once vectors flow, from the first batch back to the last, i.e.
  without the fixed costs (cluster start, actors importing torch and loading the model).
* ``per CPU s``: passages per CPU second spent embedding (this process here; the actors,
  model load included, on Ray): what one core delivers, whatever else the machine runs.
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

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The same passages as build_throughput.py (this script's folder is on sys.path).
from build_throughput import corpus  # noqa: E402


def write_corpus(folder: Path, n: int) -> Path:
    src = folder / "c.jsonl"
    rows = corpus(n)
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return src


ACTOR_TITLE = b"ray::MapWorker(MapBatches(EmbedWorker))"


def actors_cpu_seconds() -> float:
    """User + system CPU seconds of the embedding actors of this process's local cluster."""
    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        try:
            cmdline = proc.cmdline()
            if not (cmdline and cmdline[0].encode().startswith(ACTOR_TITLE)):
                continue
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def child_build(n: int, workers: int | None) -> dict:
    """``build_index`` of ``n`` passages, here (``workers`` None) or on a local Ray."""
    from qa import Embedder, build_index

    embedder = Embedder.load()
    arrivals: list[tuple[float, int]] = []
    cpu: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        arrivals.append((time.perf_counter(), done))
        if done == 0:
            cpu["start"] = time.process_time()
        if done == total:  # all vectors in: the actors' work is done, they are still alive
            cpu["end"] = time.process_time()
            cpu["actors"] = actors_cpu_seconds()

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
    # CPU seconds spent embedding: this process's here; the actors' (model load included)
    # on Ray. Unlike wall time, barely changed by other work on the machine.
    cpu_seconds = cpu["actors"] if workers else cpu["end"] - cpu["start"]
    return {
        "passages": report.passages,
        "workers": report.ray["workers"] if report.ray else None,
        "seconds": seconds,
        "passages/s": report.passages / seconds,
        "steady passages/s": (d2 - d1) / (t2 - t1) if t2 > t1 else None,
        "embedding cpu s": cpu_seconds,
        "passages per cpu s": report.passages / cpu_seconds,
        "ray seconds": report.ray["seconds"] if report.ray else None,
    }


def child_overhead(n: int) -> dict:
    """Ray's fixed costs for ``n`` passages, step by step, against embedding them here."""
    from qa import Embedder, RayCluster, text_key

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


def run_child(*args: str, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,  # Ray's workers import this checkout's qa, as the driver does
        env={**os.environ, **(env or {})},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


#: mode → (label, workers on Ray or 0 for here, extra environment)
MODES = {
    "here": ("build_index here, all cores", 0, {}),
    "here-1": ("build_index here, 1 thread", 0, {"QA_THREADS": "1"}),
    "ray-1": ("Ray local, 1 worker", 1, {}),
    "ray-2": ("Ray local, 2 workers", 2, {}),
}


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--passages", type=int, default=200)
    p.add_argument("--small", type=int, default=8, help="passages of the overhead build")
    p.add_argument("--rounds", type=int, default=1, help="runs of each mode (best kept)")
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
    load_before = os.getloadavg()[0]
    runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for _ in range(args.rounds):  # modes interleaved, so that a busy spell hits all of them
        for mode, (_label, workers, env) in MODES.items():
            runs[mode].append(
                run_child("build", str(workers), "--passages", str(args.passages), env=env)
            )
    # Best of the rounds: other work on the machine only ever slows a run down.
    results = {mode: max(rs, key=lambda r: r["passages/s"]) for mode, rs in runs.items()}
    results["overhead"] = run_child("overhead", "--small", str(args.small))
    results["load average"] = {"before": load_before, "after": os.getloadavg()[0]}
    base = results["here"]
    for mode in ("here-1", "ray-1", "ray-2"):
        r = results[mode]
        r["vs here"] = r["passages/s"] / base["passages/s"]
        steady = r["steady passages/s"]  # None when every batch came back at once
        r["steady vs here"] = steady / base["steady passages/s"] if steady else None
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"{args.passages} passages, best of {args.rounds} "
        f"(load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)"
    )
    print(
        f"{'':<32}{'build s':>9}{'passages/s':>12}{'steady/s':>10}{'per CPU s':>11}"
        "   vs here: build, steady"
    )
    for mode, (label, _workers, _env) in MODES.items():
        r = results[mode]
        ratio = ""
        if mode != "here":
            ratio = f"   {r['vs here']:.2f}x, {_num(r['steady vs here'])}x"
        print(
            f"{label:<32}{r['seconds']:9.1f}{r['passages/s']:12.2f}"
            f"{_num(r['steady passages/s']):>10}{r['passages per cpu s']:11.2f}{ratio}"
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
