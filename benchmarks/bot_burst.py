"""Reply latency of the Telegram bot under a burst: many chats asking at once.

    python benchmarks/bot_burst.py [--messages 60] [--chats 20] [--json]

The real bot (``bot.app.build_application``) long-polls the local Bot API stand-in of the
tests (``tests/auxil/bot_api.py``) on 127.0.0.1 and answers from a real index: ``QA_INDEX``
if it holds one, else the bundled reports built into a temporary folder. After one warm-up
question, all messages are queued at once, round-robin over the chats, cycling through the
example questions of /start in the three languages plus a question the report does not
answer. Latency is the time from queuing a message to the stand-in receiving the reply
(replies of a chat are matched to its messages in order). Prints p50/p90/max latency and
throughput.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from qa import IndexNotFoundError, ReportQA, TelegramHTML, build_index  # noqa: E402
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


async def burst(qa: ReportQA, messages: int, chats: int) -> dict:
    with BotApiStandIn(token=DEFAULT_TOKEN, long_poll_cap=0.5) as api:
        settings = BotSettings(token=DEFAULT_TOKEN, api_url=api.url, rate_limit=0)
        app = build_application(settings, qa)
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        try:
            api.send_text(WARM_UP_CHAT, QUESTIONS[0])
            await api.wait_for_messages_async(1, chat_id=WARM_UP_CHAT, timeout=120)

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
        "cpus": os.cpu_count(),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=60)
    p.add_argument("--chats", type=int, default=20)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as work:
        result = asyncio.run(burst(load_report_qa(Path(work)), args.messages, args.chats))
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['replies']}/{result['messages']} replies to {result['chats']} chats in "
            f"{result['seconds']} s ({result['replies_per_s']} replies/s, "
            f"{result['cpus']} CPUs); latency p50 {result['p50_s']} s, p90 {result['p90_s']} s, "
            f"max {result['max_s']} s; Bot API errors: {result['api_errors']}"
        )
    return 0 if result["replies"] == result["messages"] and not result["api_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
