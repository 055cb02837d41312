"""Dense index at scale: 10k / 100k / 1M passages — type chosen, build, latency, recall, memory.

The embedding step is SKIPPED: the script feeds synthetic vectors straight to
``qa.index.dense`` (384-d, float32, L2-normalised, inner product), so figures measure the
FAISS index only.

Generator (uniform random vectors in 384-d are all nearly equidistant, and isotropic noise
around cluster centres is no better: it lowers every similarity alike, so any index finds
the neighbours). Real sentence embeddings have a low intrinsic dimension, so this draws
them from a Gaussian mixture in a 32-d latent space embedded in 384-d, plus isotropic noise:

    z ~ Σ_c (1/100) N(μ_c, s_c² I_32),  μ_c ~ N(0, I_32),  s_c ~ U(0.5, 1.5)   (100 components)
    v = normalise(z·A + 0.5·√(32/384)·g),  A: 32×384 random orthonormal rows,  g ~ N(0, I_384)

Passages and queries are independent draws of the same distribution (queries held out of the
index). Typical cosine of a query to its 1st / 10th / 100th neighbour at 100k: 0.70 / 0.64 /
0.56, to a random passage ≈ 0; IVF needs a real nprobe to reach high recall on it (recall@10
0.70 / 0.88 / 0.94 / 0.97 at nprobe 4 / 8 / 16 / 32 of 1024 lists), so recall means something.

Per size: the index type/params ``dense.build`` picks, build seconds and add throughput,
single-query (k=10, one query per call, as the retriever does) p50/p99 latency of the index
as the project loads it (memory-mapped from disk past ``Snapshot``'s ``MMAP_FROM``), recall@10
against exact flat search, the exact flat baseline's p50/p99 in the same run, index file
size and its ratio to the raw vectors (n×384×4 bytes), and process peak RSS.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/scale.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa import dense_index as dense
from qa.policy import Policy

DIM = 384
LATENT = 32
COMPONENTS = 100
ISO_NOISE = 0.5
GENERATOR = (
    f"{COMPONENTS}-component Gaussian mixture in a {LATENT}-d latent space, random orthonormal "
    f"map to {DIM}-d + isotropic noise {ISO_NOISE}, L2-normalised; queries = held-out draws"
)


def _norm(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def synthetic(n: int, n_queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(passages n×384, queries n_queries×384), unit float32 — see the module docstring."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((DIM, LATENT)))[0].T.astype(np.float32)
    means = rng.standard_normal((COMPONENTS, LATENT), dtype=np.float32)
    scales = rng.uniform(0.5, 1.5, COMPONENTS).astype(np.float32)
    noise = ISO_NOISE * np.sqrt(LATENT / DIM)

    def draw(m: int) -> np.ndarray:
        comp = rng.integers(0, COMPONENTS, m)
        z = means[comp] + scales[comp, None] * rng.standard_normal((m, LATENT), dtype=np.float32)
        x = z @ basis
        x += noise * rng.standard_normal((m, DIM), dtype=np.float32)
        return _norm(x)

    xb = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        xb[start : start + min(100_000, n - start)] = draw(min(100_000, n - start))
    return xb, draw(n_queries)


def _latency(index, queries: np.ndarray, k: int = 10) -> tuple[float, float, np.ndarray]:
    """p50, p99 ms of single-query searches, and the rows found."""
    dense.search(index, queries[:5], k)  # warm up (and page in a mapped index's hot parts)
    times, rows = [], []
    for q in queries:
        t = time.perf_counter()
        _, r = dense.search(index, q[None, :], k)
        times.append((time.perf_counter() - t) * 1000)
        rows.append(r[0])
    return float(np.percentile(times, 50)), float(np.percentile(times, 99)), np.array(rows)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(n: int, n_queries: int, kind: str | None, workdir: Path, threads: int) -> dict:
    import faiss

    build_threads = faiss.omp_get_max_threads()

    t = time.perf_counter()
    xb, xq = synthetic(n, n_queries)
    gen_s = time.perf_counter() - t
    _, truth = dense.exact_knn(xb, xq, 10)

    t = time.perf_counter()
    index, spec = dense.build(xb, kind=kind)
    build_s = time.perf_counter() - t
    path = workdir / f"dense-{n}.faiss"
    dense.save(index, path)
    del index
    file_bytes = path.stat().st_size
    mmap = n >= Policy().index.mmap_from
    loaded = dense.load(path, spec, mmap=mmap)
    faiss.omp_set_num_threads(threads)
    cold50, cold99, _ = _latency(loaded, xq)  # first pass: a mapped index pages its lists in
    p50, p99, found = _latency(loaded, xq)  # second pass: warm
    recall = dense.recall_at(found, truth)
    rows = np.arange(0, n, max(1, n // 50))[:50]
    recon_ok = bool(np.allclose(dense.vectors(loaded, rows), xb[rows], atol=1e-2))
    del loaded

    flat = faiss.IndexFlatIP(DIM)
    flat.add(xb)
    f50, f99, _ = _latency(flat, xq[: min(len(xq), 200)])
    del flat
    faiss.omp_set_num_threads(build_threads)
    raw = n * DIM * 4
    os.unlink(path)
    return {
        "n": n,
        "type": spec["type"],
        "params": {k: v for k, v in spec.items() if k not in ("metric", "file", "type")},
        "generate_s": round(gen_s, 1),
        "build_s": round(build_s, 1),
        "add_per_s": round(n / build_s),
        "mmap": mmap,
        "cold_p50_ms": round(cold50, 3),
        "cold_p99_ms": round(cold99, 3),
        "p50_ms": round(p50, 3),
        "p99_ms": round(p99, 3),
        "recall_at_10": round(recall, 4),
        "flat_p50_ms": round(f50, 3),
        "flat_p99_ms": round(f99, 3),
        "index_mb": round(file_bytes / 2**20, 1),
        "raw_mb": round(raw / 2**20, 1),
        "ratio_to_raw": round(file_bytes / raw, 3),
        "peak_rss_mb": round(_peak_rss_mb()),
        "reconstruct_exact": recon_ok,
        "queries": len(xq),
        "search_threads": threads,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--kind", choices=dense.KINDS, help="force an index kind (default: by size)")
    ap.add_argument(
        "--search-threads",
        type=int,
        default=1,
        help="OpenMP threads while timing single queries (default 1: on a busy 2-core "
        "machine 2 threads made exact search ~4x slower)",
    )
    ap.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    args = ap.parse_args(argv)
    import faiss

    print(
        f"# faiss {faiss.__version__}, OMP threads {faiss.omp_get_max_threads()}, vectors fed directly "
        f"(embedding skipped); search threads {args.search_threads}; generator: {GENERATOR}; threshold {Policy().index.approximate_from}",
        flush=True,
    )
    head = (
        f"{'n':>8} {'type':<24} {'params':<34} {'build s':>7} {'add/s':>8} {'cold p50/p99':>13} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'R@10':>6} {'flat p50':>8} {'flat p99':>8} {'idx MB':>7} {'×raw':>6} {'RSS MB':>7}"
    )
    if not args.json:
        print(head, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            r = run_size(n, args.queries, args.kind, Path(tmp), args.search_threads)
            if args.json:
                print(json.dumps(r), flush=True)
                continue
            p = r["params"]
            params = (
                f"nlist={p['nlist']} nprobe={p['nprobe']} train={p['train_size']}"
                if "nlist" in p
                else f"M={p['M']} ef={p['efSearch']}"
                if "M" in p
                else "exact"
            )
            print(
                f"{n:>8} {r['type'] + (' mmap' if r['mmap'] else ''):<24} {params:<34} {r['build_s']:>7} "
                f"{r['add_per_s']:>8} {str(r['cold_p50_ms']) + '/' + str(r['cold_p99_ms']):>13} {r['p50_ms']:>7} {r['p99_ms']:>7} {r['recall_at_10']:>6} "
                f"{r['flat_p50_ms']:>8} {r['flat_p99_ms']:>8} {r['index_mb']:>7} {r['ratio_to_raw']:>6} "
                f"{r['peak_rss_mb']:>7}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
