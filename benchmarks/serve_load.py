"""Load on ``qa serve``: many clients asking at once over HTTP on 127.0.0.1, and hostile input.

    python benchmarks/serve_load.py [--questions 200] [--clients 20] [--rounds 2] [--json]

Starts the real server (``python -m qa.cli serve`` on a free port of 127.0.0.1, its own
process) over ``QA_INDEX`` if it holds an index, else the bundled reports built into a
temporary folder; the question limit is off (every client is 127.0.0.1) and feedback goes
to a temporary file. Once ``/api/health`` answers:

1. baseline: 20 questions asked one after another by one client;
2. ``--rounds`` rounds of ``--questions`` questions from ``--clients`` clients at once (each
   client its own connection and conversation, every other question a follow-up), cycling
   through the example questions in the three languages and a question the report does
   not answer;
3. hostile input: a 20,000-character question, control characters, HTML, a malformed JSON
   body, an unknown conversation, a body over the limit — each must get its 4xx and a
   one-line message.

Prints p50 / p95 / max latency of each round and the ratio of its p50 to the baseline's,
throughput, errors (any 5xx, connection failure or unexpected status: must be 0) and the
server's RSS: after start, after each round, and its peak (sampled every 0.2 s) — flat
when the rounds after the first add nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa import build_index, check_index  # noqa: E402
from qa.errors import IndexNotFoundError  # noqa: E402
from qa.present import TelegramHTML  # noqa: E402

QUESTIONS = (
    *TelegramHTML().examples("zh-Hant"),
    *TelegramHTML().examples("zh-Hans"),
    *TelegramHTML().examples("en"),
    "2019年黑龍江省新增了多少張養老床位？",
)
#: (what, request keyword arguments, the status it must get).
HOSTILE = (
    ("20,000 characters", {"json": {"question": "問" * 20_000}}, 400),
    ("control characters", {"json": {"question": "低保金\x1b[2J\x00多少？"}}, 400),
    ("HTML", {"json": {"question": "<script>alert(1)</script>低保金多少？"}}, 200),
    (
        "malformed JSON",
        {"content": b'{"question": ', "headers": {"content-type": "application/json"}},
        400,
    ),
    ("unknown conversation", {"json": {"question": "多少？", "conversation": "Z" * 16}}, 404),
    (
        "body over the limit",
        {"content": b"x" * 200_000, "headers": {"content-type": "application/json"}},
        413,
    ),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def index_dir(work: Path) -> Path:
    given = os.environ.get("QA_INDEX")
    if given:
        try:
            check_index(given)
            return Path(given)
        except IndexNotFoundError:
            pass
    build_index([ROOT / "data"], work / "index")
    return work / "index"


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


class Sampler(threading.Thread):
    """The server's peak RSS, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.peak = max(self.peak, rss_mb(self.pid))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def client_run(url: str, questions: list[str]) -> tuple[list[float], list[str]]:
    """One client: its questions in order, every other one following the previous answer."""
    latencies, errors = [], []
    conversation = None
    with httpx.Client(base_url=url, timeout=300) as client:
        for n, question in enumerate(questions):
            body = {"question": question}
            if n % 2 and conversation:
                body["conversation"] = conversation
            started = time.perf_counter()
            try:
                response = client.post("/api/ask", json=body)
            except httpx.HTTPError as error:
                errors.append(f"{type(error).__name__}: {error}")
                continue
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors.append(f"{response.status_code}: {response.text[:200]}")
            else:
                conversation = response.json()["conversation"]
    return latencies, errors


def load_round(url: str, questions: int, clients: int) -> dict:
    plan = [
        [QUESTIONS[(c + n) % len(QUESTIONS)] for n in range(questions // clients)]
        for c in range(clients)
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda qs: client_run(url, qs), plan))
    seconds = time.perf_counter() - started
    latencies = [x for lat, _ in results for x in lat]
    errors = [e for _, errs in results for e in errs]
    return {
        "questions": sum(len(p) for p in plan),
        "clients": clients,
        "seconds": round(seconds, 2),
        "per_second": round(len(latencies) / seconds, 2),
        "p50_ms": round(1000 * statistics.median(latencies)),
        "p95_ms": round(1000 * percentile(latencies, 0.95)),
        "max_ms": round(1000 * max(latencies)),
        "errors": len(errors),
        "error_samples": errors[:3],
    }


def hostile(url: str) -> list[dict]:
    out = []
    with httpx.Client(base_url=url, timeout=300) as client:
        for what, request, expected in HOSTILE:
            response = client.post("/api/ask", **request)
            detail = response.json().get("detail", "") if expected != 200 else ""
            out.append(
                {
                    "input": what,
                    "status": response.status_code,
                    "expected": expected,
                    "ok": response.status_code == expected and "\n" not in detail,
                    "detail": detail[:100],
                }
            )
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--questions", type=int, default=200)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="serve-load-"))
    index = index_dir(work)
    port = free_port()
    env = {
        **os.environ,
        "QA_WEB_RATE_LIMIT": "off",
        "QA_FEEDBACK": str(work / "feedback.sqlite"),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "qa.cli", "serve", "--index", str(index), "--port", str(port)]
    with open(work / "server.log", "w") as log:  # the child keeps its own descriptor
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            if server.poll() is not None:
                print((work / "server.log").read_text(), file=sys.stderr)
                return 1
            try:
                if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        result: dict = {"ready_seconds": round(time.perf_counter() - started, 1)}
        result["rss_ready_mb"] = round(rss_mb(server.pid))
        sampler = Sampler(server.pid)
        sampler.start()
        baseline = load_round(url, 20, 1)
        result["baseline_one_client"] = baseline
        result["rss_after_baseline_mb"] = round(rss_mb(server.pid))
        result["rounds"] = []
        for _ in range(args.rounds):
            round_ = load_round(url, args.questions, args.clients)
            round_["p50_vs_baseline"] = round(round_["p50_ms"] / max(1, baseline["p50_ms"]), 2)
            round_["rss_after_mb"] = round(rss_mb(server.pid))
            result["rounds"].append(round_)
        result["hostile"] = hostile(url)
        sampler.done.set()
        result["rss_peak_mb"] = round(sampler.peak)
        result["errors"] = sum(r["errors"] for r in [baseline, *result["rounds"]]) + sum(
            not h["ok"] for h in result["hostile"]
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0 if result["errors"] == 0 else 1
    print(f"ready in {result['ready_seconds']} s, RSS {result['rss_ready_mb']} MB")
    b = baseline
    print(
        f"baseline, 1 client:  {b['questions']:>4} questions  p50 {b['p50_ms']:>5} ms  p95 {b['p95_ms']:>5} ms  max {b['max_ms']:>5} ms"
    )
    for n, r in enumerate(result["rounds"], start=1):
        print(
            f"round {n}, {r['clients']} clients: {r['questions']:>4} questions  p50 {r['p50_ms']:>5} ms  "
            f"p95 {r['p95_ms']:>5} ms  max {r['max_ms']:>5} ms  ({r['p50_vs_baseline']}× baseline p50)  "
            f"{r['per_second']} q/s  errors {r['errors']}  RSS after {r['rss_after_mb']} MB"
        )
    for h in result["hostile"]:
        print(
            f"hostile: {h['input']:<22} {h['status']} (expected {h['expected']}) {'ok' if h['ok'] else 'WRONG'}  {h['detail']}"
        )
    print(
        f"RSS: ready {result['rss_ready_mb']} MB, after baseline {result['rss_after_baseline_mb']} MB, peak {result['rss_peak_mb']} MB"
    )
    print(f"errors: {result['errors']}")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
