"""Reply latency of the Telegram bot under bursts: many chats asking at once.

    python benchmarks/bot_burst.py [--start 24] [--messages 60] [--chats 20]
                                   [--micro-batch-ms MS] [--json]

The real bot (``bot.app.build_application``) long-polls the local Bot API stand-in of the
tests (``tests/auxil/bot_api.py``) on 127.0.0.1 and answers from a real index: ``QA_INDEX``
if it holds one, else the bundled reports built into a temporary folder. Report QA is
loaded and warmed up as ``qa-bot`` does before it polls (``ReportQA.warm_up``), then:

1. right after start, ``--start`` questions from as many chats arrive at once (no warm-up
   question first);
2. then ``--messages`` messages round-robin over ``--chats`` chats, all queued at once.

Questions cycle through the example questions of /start in the three languages plus a
question the report does not answer. Latency is the time from queuing a message to the
stand-in receiving the reply (replies of a chat are matched to its messages in order).
Prints p50/p90/max latency, throughput, how many model calls embedded the questions
(micro-batching: fewer calls than questions), the time to ready and the process's RSS.
Compare runtimes with ``QA_BACKEND=torch`` and micro-batching with ``--micro-batch-ms 0``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.settings import DEFAULT_MICRO_BATCH_MS, BotSettings  # noqa: E402
from qa import ReportQA, build_index  # noqa: E402
from qa.errors import IndexNotFoundError  # noqa: E402
from qa.present import TelegramHTML  # noqa: E402
from tests.auxil.bot_api import DEFAULT_TOKEN, BotApiStandIn  # noqa: E402

QUESTIONS = (
    *TelegramHTML().examples("zh-Hant"),
    *TelegramHTML().examples("zh-Hans"),
    *TelegramHTML().examples("en"),
    "2019年黑龍江省新增了多少張養老床位？",
)
WARM_UP_CHAT = 1


def load_report_qa(work: Path) -> ReportQA:
    if os.environ.get("QA_INDEX"):
        try:
            return ReportQA.open(os.environ["QA_INDEX"])
        except IndexNotFoundError:
            pass
    build_index([ROOT / "data"], work / "index")
    return ReportQA.open(work / "index")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


async def burst(
    qa: ReportQA, messages: int, chats: int, *, micro_batch_ms: float, warm_question: bool
) -> dict:
    with BotApiStandIn(token=DEFAULT_TOKEN, long_poll_cap=0.5) as api:
        settings = BotSettings(
            token=DEFAULT_TOKEN,
            api_url=api.url,
            rate_limit=0,
            state_file=None,
            micro_batch_ms=micro_batch_ms,
        )
        app = build_application(settings, qa)
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        batcher = qa.retriever.embedder.micro_batcher
        calls_before = batcher.batches if batcher else 0
        try:
            if warm_question:
                api.send_text(WARM_UP_CHAT, QUESTIONS[0])
                await api.wait_for_messages_async(1, chat_id=WARM_UP_CHAT, timeout=120)
                calls_before = batcher.batches if batcher else 0

            chat_ids = [10_000 + n for n in range(chats)]
            queued: dict[int, list[float]] = {c: [] for c in chat_ids}
            started = time.time()
            for n in range(messages):
                chat = chat_ids[n % chats]
                queued[chat].append(time.time())
                api.send_text(chat, QUESTIONS[n % len(QUESTIONS)])
            await api.wait_for_async(
                lambda: sum(len(api.sent_messages(c)) for c in chat_ids) >= messages,
                timeout=60 + 10 * messages,
            )
            finished = time.time()
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
        latencies = []
        for chat in chat_ids:
            replied = sorted(m["timestamp"] for m in api.sent_messages(chat))
            latencies += [r - q for q, r in zip(queued[chat], replied, strict=True)]
        errors = [e for e in api.errors if not e.get("injected")]
    return {
        "messages": messages,
        "chats": chats,
        "replies": len(latencies),
        "api_errors": len(errors),
        "p50_s": round(statistics.median(latencies), 3),
        "p90_s": round(percentile(latencies, 0.9), 3),
        "max_s": round(max(latencies), 3),
        "seconds": round(finished - started, 2),
        "replies_per_s": round(len(latencies) / (finished - started), 2),
        "model_calls": (batcher.batches - calls_before) if batcher else None,
        "cpus": os.cpu_count(),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--start", type=int, default=24, help="questions right after start")
    p.add_argument("--messages", type=int, default=60)
    p.add_argument("--chats", type=int, default=20)
    p.add_argument("--micro-batch-ms", type=float, default=DEFAULT_MICRO_BATCH_MS)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as work:
        t0 = time.perf_counter()
        qa = load_report_qa(Path(work))
        loaded = time.perf_counter()
        warm = qa.warm_up()
        result = {
            "runtime": qa.retriever.embedder.runtime_label,
            "micro_batch_ms": args.micro_batch_ms,
            "load_s": round(loaded - t0, 2),
            "warm_up_s": round(warm, 2),
            "ready_s": round(time.perf_counter() - t0, 2),
            "rss_ready_mb": round(rss_mb()),
        }
        result["start"] = asyncio.run(
            burst(
                qa, args.start, args.start, micro_batch_ms=args.micro_batch_ms, warm_question=False
            )
        )
        result["burst"] = asyncio.run(
            burst(
                qa,
                args.messages,
                args.chats,
                micro_batch_ms=args.micro_batch_ms,
                warm_question=True,
            )
        )
        result["rss_after_mb"] = round(rss_mb())
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['runtime']}, micro-batch window {result['micro_batch_ms']} ms: ready in "
            f"{result['ready_s']} s (load {result['load_s']} s, warm-up {result['warm_up_s']} s), "
            f"RSS {result['rss_ready_mb']} MB ready, {result['rss_after_mb']} MB after the bursts"
        )
        for name, title in (("start", "right after start"), ("burst", "after a warm-up question")):
            r = result[name]
            print(
                f"{title}: {r['replies']}/{r['messages']} replies to {r['chats']} chats in "
                f"{r['seconds']} s ({r['replies_per_s']} replies/s); latency p50 {r['p50_s']} s, "
                f"p90 {r['p90_s']} s, max {r['max_s']} s; model calls {r['model_calls']}; "
                f"Bot API errors: {r['api_errors']}"
            )
    ok = all(
        result[n]["replies"] == result[n]["messages"] and not result[n]["api_errors"]
        for n in ("start", "burst")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
