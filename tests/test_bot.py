"""The Telegram bot, end to end: the real ``telegram.ext.Application`` built by
``bot.app.build_application`` polls a local Bot API stand-in over HTTP and answers from the
real index of the bundled report (the session ``report_qa``). Read as the bot's specification.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application, set_commands, webhook_options
from bot.handlers import redact
from bot.settings import BotSettings, BotSettingsError
from bot.state import QuestionBudget
from qa import Answer
from qa.present import TelegramHTML

try:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from tests.auxil.bot_api import DEFAULT_TOKEN, BotApiStandIn
except ModuleNotFoundError:
    from auxil.bot_api import DEFAULT_TOKEN, BotApiStandIn

TOKEN = DEFAULT_TOKEN
CHAT = 4242  # a private chat: chat id == user id
GROUP = -100777
WAIT = 300.0  # seconds; answering takes 0.05-2 s per question on a busy 2-core machine

NOT_FOUND = "2019年黑龍江省新增了多少張養老床位？"
FIGURE_OF_EXAMPLE = ("1.1億元", "58.68億元", "3.4萬人")


@pytest.fixture
def api() -> BotApiStandIn:
    with BotApiStandIn(token=TOKEN, long_poll_cap=0.5) as server:
        yield server
        assert server.internal_errors == []


def bot_settings(api: BotApiStandIn, **changes: Any) -> BotSettings:
    """Settings pointing at the stand-in; the question limit is off unless a test sets it."""
    return BotSettings(**{"token": TOKEN, "api_url": api.url, "rate_limit": 0, **changes})


@contextlib.asynccontextmanager
async def polling(application: Application) -> AsyncIterator[Application]:
    await application.initialize()
    await application.start()
    await application.updater.start_polling(
        poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES
    )
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def run_bot(
    api: BotApiStandIn,
    report_qa: Any,
    scenario: Callable[[Application], Awaitable[Any]],
    **changes: Any,
) -> Any:
    """Run ``scenario`` while the bot polls the stand-in."""

    async def main() -> Any:
        async with polling(build_application(bot_settings(api, **changes), report_qa)) as app:
            return await scenario(app)

    return asyncio.run(main())


async def replies(api: BotApiStandIn, n: int, chat_id: int | None = None) -> list[dict]:
    return await api.wait_for_messages_async(n, chat_id=chat_id, timeout=WAIT)


async def settle(api: BotApiStandIn, seconds: float = 0.6) -> None:
    """Let the bot fetch and handle everything queued (for checking that it stays silent)."""
    await api.wait_for_async(lambda: not api.pending_updates, timeout=WAIT)
    await asyncio.sleep(seconds)


def bold(message: dict) -> list[str]:
    """The bold pieces of a sent message, as the user sees them."""
    text = message["plain_text"]
    return [
        text[e["offset"] : e["offset"] + e["length"]]
        for e in message["entities"]
        if e["type"] == "bold"
    ]


# -- commands ------------------------------------------------------------------------------


def test_start_help_sources_and_unknown_commands(api: BotApiStandIn, report_qa) -> None:
    async def scenario(app: Application) -> None:
        api.send_command(CHAT, "start", language_code="en")
        start = (await replies(api, 1, CHAT))[-1]["plain_text"]
        assert "黑龍江省民政系統2020年工作綜述 (中國社會報, 2020-12-23)" in start
        assert all(q in start for q in TelegramHTML().examples("en"))  # three example questions

        api.send_command(CHAT, "help", language_code="zh-hans")
        assert "怎么问" in (await replies(api, 2, CHAT))[-1]["plain_text"]

        api.send_command(CHAT, "sources", language_code="zh-TW")
        sources = (await replies(api, 3, CHAT))[-1]["plain_text"]
        assert sources.startswith("已收錄的報告")
        assert "中國社會報 · 2020-12-23" in sources

        api.send_command(CHAT, "frobnicate", "<b>now</b>", language_code="en")
        hint = (await replies(api, 4, CHAT))[-1]["plain_text"]
        assert hint == (
            "I don't know /frobnicate. Send /help for the commands, or just ask a question."
        )

        # In a group, commands for another bot are not ours; ours (with @name) are answered.
        api.send_text(GROUP, "/frobnicate@some_other_bot")
        api.send_command(GROUP, "start", mention_bot=True, language_code="zh-hant")
        assert "可以這樣問" in (await replies(api, 1, GROUP))[0]["plain_text"]
        await settle(api)
        assert len(api.sent_messages(GROUP)) == 1

        await set_commands(app)
        assert [c["command"] for c in api.commands()] == [
            "start",
            "help",
            "sources",
            "figures",
            "ask",
            "new",
        ]
        assert api.commands(language_code="zh")[0]["description"] == "簡介和示例問題"

    run_bot(api, report_qa, scenario)
    assert api.errors == []


def test_figures_sends_a_summary_and_the_full_sheet_as_a_csv_document(
    api: BotApiStandIn, report_qa
) -> None:
    async def scenario(app: Application) -> list[dict]:
        api.send_command(CHAT, "figures", language_code="en")
        sent = await replies(api, 2, CHAT)
        api.send_command(CHAT + 1, "figures", "no-such-report", language_code="zh-TW")
        return [*sent, (await replies(api, 1, CHAT + 1))[0]]

    summary, document, unknown = run_bot(api, report_qa, scenario)
    assert summary["plain_text"].startswith("Figures of the 2020 report of Heilongjiang")
    assert "58.68億元" in bold(summary)  # the largest amount, in bold
    assert document["method"] == "sendDocument"
    assert document["file"]["filename"] == "heilongjiang-civil-affairs-2020-figures.csv"
    assert document["plain_text"] == "All figures of the 2020 report of Heilongjiang (CSV)"
    data = api.file_data(document["message"]["document"]["file_id"])
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(report_qa.figure_sheet())
    assert {"58.68億元", "1.4萬張", "51.4%"} <= {r["figure"] for r in rows}
    assert unknown["plain_text"].startswith("沒有 no-such-report 這份報告。")
    assert api.errors == []


# -- questions -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans", "en"])
def test_example_questions_are_answered_with_their_figures_in_bold(
    api: BotApiStandIn, report_qa, lang: str
) -> None:
    """The examples /start offers, in each language: quotes in blockquotes, the figure in
    bold, the citation under it, the reply's own words in the question's language."""

    async def scenario(app: Application) -> list[dict]:
        for n, question in enumerate(
            TelegramHTML().examples(lang)
        ):  # one chat each, to pair replies
            api.send_text(CHAT + n, question, language_code="de")  # the question's script wins
        return [(await replies(api, 1, CHAT + n))[0] for n in range(3)]

    sent = run_bot(api, report_qa, scenario)
    label, paragraph = {
        "zh-Hant": ("報告原文", "第7段"),
        "zh-Hans": ("报告原文", "第7段"),
        "en": ("From the report", "paragraph 7"),
    }[lang]
    for message, figure in zip(sent, FIGURE_OF_EXAMPLE, strict=True):
        assert message["plain_text"].startswith(label)
        assert f"<b>{figure}</b>" in message["text"] and figure in bold(message)
        assert any(e["type"] == "blockquote" for e in message["entities"])
        assert "中國社會報 2020-12-23" in message["plain_text"]
    assert paragraph in sent[2]["plain_text"]  # 3.4萬人 stands in paragraph 7
    assert api.errors == []


def test_a_question_the_report_does_not_answer_says_so_in_its_language(
    api: BotApiStandIn, report_qa
) -> None:
    async def scenario(app: Application) -> list[dict]:
        api.send_text(CHAT, NOT_FOUND, language_code="en")
        api.send_text(CHAT + 1, "How many elderly-care beds were added in 2019?")
        return (await replies(api, 1, CHAT)) + (await replies(api, 1, CHAT + 1))

    zh, en = run_bot(api, report_qa, scenario)
    assert zh["plain_text"].startswith("這份報告講的是2020年的工作，沒有2019年的數字。")
    assert "可以換個說法" in zh["plain_text"]  # how to ask instead
    assert en["plain_text"].startswith("The report covers 2020; it has no figures for 2019.")
    assert zh["reply_markup"] is None and en["reply_markup"] is None
    assert api.errors == []


def test_more_button_sends_the_next_passages(api: BotApiStandIn, report_qa) -> None:
    async def scenario(app: Application) -> None:
        api.send_text(CHAT, "全省發放了多少低保金？")
        first = (await replies(api, 1, CHAT))[0]
        (button,) = first["reply_markup"]["inline_keyboard"][0]
        assert button["text"] == "更多段落"
        data = button["callback_data"]
        assert data.startswith("more:") and len(data.encode()) <= 64

        api.press_button(CHAT, first["message_id"], data)
        second = (await replies(api, 2, CHAT))[1]
        assert second["plain_text"].startswith("更多相關段落（1–2，共")
        assert sum(e["type"] == "blockquote" for e in second["entities"]) == 2
        assert second["plain_text"].count("中國社會報 2020-12-23") == 2
        # One press per button: the pressed message loses it, the new one has the next.
        assert "reply_markup" not in api.message(CHAT, first["message_id"])
        following = second["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert following.endswith(":2")

        api.press_button(CHAT, second["message_id"], following)
        third = (await replies(api, 3, CHAT))[2]
        assert third["plain_text"].startswith("更多相關段落（3–4，共")

        # A second press of a consumed button, and a button of a forgotten answer.
        api.press_button(CHAT, first["message_id"], data, check_button=False)
        api.press_button(CHAT, first["message_id"], "more:gone:0", check_button=False)
        answers = await api.wait_for_async(
            lambda: len(api.callback_answers) >= 4 and api.callback_answers, timeout=WAIT
        )
        # Updates run concurrently: the two late presses may be answered in either order.
        assert sorted((a["text"] or "") for a in answers) == sorted(
            [
                "",
                "",
                "",
                "This answer has expired; please ask again.",
            ]
        )
        await settle(api)
        assert len(api.sent_messages(CHAT)) == 3

    run_bot(api, report_qa, scenario)
    assert api.errors == []


def test_thumbs_under_an_answer_rate_it_and_a_thumbs_down_names_a_passage(
    api: BotApiStandIn, report_qa, tmp_path: Path
) -> None:
    """👍 / 👎 under every answer (beside "more passages"): 👍 is recorded; 👎 turns its
    buttons into the answer's passages, to name the one that should have answered."""
    from qa import FeedbackStore

    feedback = tmp_path / "feedback.sqlite"

    async def scenario(app: Application) -> tuple[str, str]:
        api.send_text(CHAT, "全省發放了多少低保金？")
        first = (await replies(api, 1, CHAT))[0]
        more, thumbs = first["reply_markup"]["inline_keyboard"]
        assert more[0]["callback_data"].startswith("more:")
        assert [b["text"] for b in thumbs] == ["👍 是", "👎 否"]
        up, down = (b["callback_data"] for b in thumbs)
        assert len(up.encode()) <= 64 and down.endswith(":down")

        api.press_button(CHAT, first["message_id"], down)
        await api.wait_for_async(lambda: len(api.callback_answers) >= 1, timeout=WAIT)
        assert api.callback_answers[0]["text"] == "哪一段才應該回答這個問題？（可不選）"
        keyboard = await api.wait_for_async(
            lambda: (
                (m := api.message(CHAT, first["message_id"]))
                and len(m["reply_markup"]["inline_keyboard"]) > 2
                and m["reply_markup"]["inline_keyboard"]
            ),
            timeout=WAIT,
        )
        assert keyboard[0] == more  # "more passages" stays
        picks = [row[0] for row in keyboard[1:]]
        assert picks[0]["text"].startswith("1. ") and picks[-1]["text"] == "都不是"
        api.press_button(CHAT, first["message_id"], picks[1]["callback_data"])
        await api.wait_for_async(lambda: len(api.callback_answers) >= 2, timeout=WAIT)
        assert api.callback_answers[1]["text"] == "謝謝，你的評價已經記下。"

        api.send_text(CHAT + 1, "How many people received assistance outside their residence?")
        second = (await replies(api, 1, CHAT + 1))[0]
        thumbs_up = second["reply_markup"]["inline_keyboard"][-1][0]
        assert thumbs_up["text"] == "👍 Yes"
        api.press_button(CHAT + 1, second["message_id"], thumbs_up["callback_data"])
        api.press_button(
            CHAT + 1, second["message_id"], "fb:0123456789abcdef:up", check_button=False
        )
        await api.wait_for_async(lambda: len(api.callback_answers) >= 4, timeout=WAIT)
        await settle(api)
        return picks[1]["callback_data"], second["message_id"]

    pick, second_id = run_bot(api, report_qa, scenario, feedback_file=feedback)
    assert "This answer can no longer be rated; please ask again." in [
        a["text"] for a in api.callback_answers
    ]
    rows = api.message(CHAT + 1, second_id)["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"][:5] for row in rows for b in row] == ["more:"]  # rated: 👍 👎 gone
    store = FeedbackStore(feedback)
    items = store.items()
    store.close()
    assert [(i.question, i.rating) for i in items] == [
        ("全省發放了多少低保金？", "down"),
        ("How many people received assistance outside their residence?", "up"),
    ]
    assert items[0].passage_id is not None and items[0].passage_text
    assert pick.endswith(":1")
    assert api.errors == []


def test_inline_mode_offers_the_quotes(api: BotApiStandIn, report_qa) -> None:
    async def scenario(app: Application) -> list[dict]:
        api.inline_query("向全省養老機構撥付了多少補貼？")
        api.inline_query("   ")
        api.inline_query(NOT_FOUND)
        return await api.wait_for_async(
            lambda: len(api.inline_answers) >= 3 and api.inline_answers, timeout=WAIT
        )

    answers = {a["query"]: a for a in run_bot(api, report_qa, scenario)}
    found = answers["向全省養老機構撥付了多少補貼？"]
    assert found["results"] and found["cache_time"] <= 60
    for result in found["results"]:
        assert result["type"] == "article" and len(result["id"].encode()) <= 64
        assert result["input_message_content"]["parse_mode"] == "HTML"
    first = found["rendered"][0]
    assert "1.1億元" in first["plain_text"] and "中國社會報 2020-12-23" in first["plain_text"]
    assert any(e["type"] == "blockquote" for e in first["entities"])
    assert answers["   "]["results"] == [] and answers["   "]["button"]["text"]
    assert answers[NOT_FOUND]["results"] == []
    assert answers[NOT_FOUND]["button"]["text"].startswith("這份報告講的是2020年")
    assert api.errors == []


# -- groups --------------------------------------------------------------------------------


def test_in_groups_only_ask_mentions_and_replies_are_answered(
    api: BotApiStandIn, report_qa
) -> None:
    async def scenario(app: Application) -> list[dict]:
        api.send_text(GROUP, "全省發放了多少低保金？", user_id=7)  # people talking
        api.send_command(GROUP, "ask", "全省發放了多少低保金？", user_id=7)
        asked = (await replies(api, 1, GROUP))[0]
        api.send_mention(GROUP, "異地救助了多少人？", user_id=8)
        await replies(api, 2, GROUP)
        api.send_text(
            GROUP,
            "向全省養老機構撥付了多少補貼？",
            user_id=9,
            reply_to_bot_message_id=asked["message_id"],
        )
        await replies(api, 3, GROUP)
        api.send_command(GROUP, "ask", user_id=7)  # no question: how to ask
        api.send_sticker(GROUP, user_id=7)
        api.send_text(GROUP, "   ", user_id=7)
        await replies(api, 4, GROUP)
        await settle(api)
        return api.sent_messages(GROUP)

    sent = run_bot(api, report_qa, scenario)
    assert len(sent) == 4
    ask, mention, reply, usage = sent
    assert "58.68億元" in bold(ask)
    assert "3.4萬人" in bold(mention)
    assert "1.1億元" in bold(reply)
    assert usage["plain_text"].startswith("Put the question after the command, for example: /ask")
    # Replies in groups quote the question they answer.
    asked_ids = [u["message"]["message_id"] for u in api.updates[1:3]]
    assert [ask["reply_to_message_id"], mention["reply_to_message_id"]] == asked_ids
    assert api.errors == []


# -- inputs that are not questions ---------------------------------------------------------


def test_stickers_photos_blank_long_and_html_questions_get_polite_replies(
    api: BotApiStandIn, report_qa
) -> None:
    async def scenario(app: Application) -> list[dict]:
        api.send_sticker(CHAT)
        api.send_photo(CHAT, caption="<b>what</b>")
        api.send_text(CHAT, " \n\t ")
        api.send_text(CHAT, "問" * 5000)
        api.send_text(CHAT, "<script>alert(1)</script>")
        api.send_text(CHAT, "&lt;b&gt; & <i>全省發放了多少低保金？</i>")
        return await replies(api, 6, CHAT)

    sent = run_bot(api, report_qa, scenario)
    texts_sent = [m["plain_text"] for m in sent]
    assert texts_sent.count("I can only answer questions sent as text.") == 2
    assert any(t.startswith("Please send a question, for example:") for t in texts_sent)
    assert "這個問題有 5000 個字，太長了。請用不超過 2000 個字提問。" in texts_sent
    assert all("<script>" not in m["text"] for m in sent)
    assert any("58.68億元" in bold(m) for m in sent)
    assert api.errors == []


# -- who may ask, and how often --------------------------------------------------------------


def test_the_allow_list_refuses_other_chats(api: BotApiStandIn, report_qa) -> None:
    async def scenario(app: Application) -> None:
        api.send_text(777, NOT_FOUND, language_code="en")
        api.send_command(GROUP, "ask", NOT_FOUND)
        api.inline_query(NOT_FOUND, user_id=777)
        api.send_text(CHAT, NOT_FOUND)
        await replies(api, 1, CHAT)
        await replies(api, 1, 777)
        await api.wait_for_async(lambda: api.inline_answers, timeout=WAIT)
        await settle(api)

    run_bot(api, report_qa, scenario, allowed_chat_ids=frozenset({CHAT}))
    assert api.texts(777) == ["Sorry, this bot only answers in the chats it was set up for."]
    assert api.sent_messages(GROUP) == []
    assert api.inline_answers[0]["results"] == []
    assert api.texts(CHAT)[0].startswith("這份報告講的是2020年")
    assert api.errors == []


def test_questions_beyond_the_rate_limit_get_one_polite_reply(
    api: BotApiStandIn, report_qa
) -> None:
    async def scenario(app: Application) -> None:
        for _ in range(4):
            api.send_text(CHAT, NOT_FOUND, language_code="en")
        await replies(api, 3, CHAT)
        await settle(api)

    run_bot(api, report_qa, scenario, rate_limit=2, rate_window=3600)
    sent = api.texts(CHAT)
    assert len(sent) == 3  # two answers, one notice, then silence
    assert sum(t.startswith("這份報告講的是2020年") for t in sent) == 2
    assert [t for t in sent if "問得有點快了" in t] == ["問得有點快了，請 1800 秒後再問。"]
    assert api.errors == []


def test_question_budget_refills_evenly() -> None:
    now = [0.0]
    budget = QuestionBudget(2, 60.0, clock=lambda: now[0])
    assert [budget.take(1).allowed for _ in range(2)] == [True, True]
    limited = budget.take(1)
    assert (limited.allowed, limited.warn, limited.retry_in) == (False, True, 30.0)
    assert budget.take(1).warn is False  # said once
    assert budget.take(2).allowed  # others are not affected
    now[0] = 30.0
    assert budget.take(1).allowed and not budget.take(1).allowed


# -- failures --------------------------------------------------------------------------------


def test_flood_limits_and_network_errors_are_retried(api: BotApiStandIn, report_qa) -> None:
    async def scenario(app: Application) -> None:
        api.fail_next("sendMessage", status=429, retry_after=1)
        started = time.monotonic()
        api.send_text(CHAT, NOT_FOUND)
        await replies(api, 1, CHAT)
        assert time.monotonic() - started >= 1.0  # waited as Telegram asked
        api.disconnect_next("sendMessage")
        api.send_text(CHAT, NOT_FOUND)
        await replies(api, 2, CHAT)

    run_bot(api, report_qa, scenario)
    assert len(api.texts(CHAT)) == 2
    assert [(e["status"], e["injected"]) for e in api.errors] == [(429, True)]


class BrokenReportQA:
    """Report QA whose index fails, with the token in the error (as a URL could put it)."""

    documents: ClassVar[dict] = {}

    def ask(self, question: str, *, language: str | None = None, follows: Any = None) -> Answer:
        raise RuntimeError(f"cannot read https://api.telegram.org/bot{TOKEN}/index")

    def enable_micro_batching(self, *, window_ms: float) -> None:
        pass  # it never embeds anything


def test_an_error_is_logged_without_the_token_and_reported_to_the_user(
    api: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(app: Application) -> None:
        api.send_text(CHAT, "全省發放了多少低保金？")
        api.send_text(GROUP, "How much was paid out?", user_id=5)  # ignored: no mention
        api.send_mention(GROUP, "How much was paid out?", user_id=5)
        await replies(api, 1, CHAT)
        await replies(api, 1, GROUP)

    with caplog.at_level(logging.INFO):
        run_bot(api, BrokenReportQA(), scenario)
    assert api.texts(CHAT) == ["抱歉，出了點問題，請稍後再試。"]
    assert api.texts(GROUP) == ["Sorry, something went wrong. Please try again in a moment."]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert "RuntimeError" in errors[0].getMessage() and "<token>" in errors[0].getMessage()
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
    assert api.errors == []


def test_redact_hides_the_token_also_url_encoded() -> None:
    assert redact(f"a {TOKEN} b {TOKEN.replace(':', '%3A')}", TOKEN) == "a <token> b <token>"


# -- many chats at once ----------------------------------------------------------------------


def test_a_burst_of_60_messages_from_20_chats_is_all_answered(
    api: BotApiStandIn, report_qa
) -> None:
    """Every message gets its reply, and the event loop stays free meanwhile: a /help sent
    after the burst is answered before the burst is. Half the questions are examples, half
    a question outside the report's year (cheap to answer), to keep the test short;
    benchmarks/bot_burst.py measures latency on the examples."""
    chats = [5000 + n for n in range(20)]
    examples = [q for lang in ("zh-Hant", "zh-Hans", "en") for q in TelegramHTML().examples(lang)]

    async def scenario(app: Application) -> None:
        for n in range(60):
            question = examples[n // 2 % len(examples)] if n % 2 == 0 else NOT_FOUND
            api.send_text(chats[n % 20], question)
        api.send_command(CHAT, "help")
        await replies(api, 61)

    run_bot(api, report_qa, scenario)
    assert {chat: len(api.sent_messages(chat)) for chat in chats} == dict.fromkeys(chats, 3)
    sent = [m for chat in chats for m in api.sent_messages(chat)]
    assert sum("中國社會報 2020-12-23" in m["plain_text"] for m in sent) == 30
    assert sum(m["plain_text"].startswith("這份報告講的是2020年") for m in sent) == 30
    assert api.sent_messages(CHAT)[0]["timestamp"] < max(m["timestamp"] for m in sent)
    assert api.errors == []


# -- configuration and webhook ----------------------------------------------------------------


def test_settings_read_and_check_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_URL",
        "QA_BOT_ALLOWED_CHATS",
        "QA_BOT_RATE_LIMIT",
        "TELEGRAM_WEBHOOK_URL",
        "TELEGRAM_WEBHOOK_SECRET",
        "TELEGRAM_WEBHOOK_PORT",
        "TELEGRAM_WEBHOOK_LISTEN",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(BotSettingsError, match="TELEGRAM_BOT_TOKEN is not set"):
        BotSettings.from_env()
    bad = "123456:short-secret"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", bad)
    with pytest.raises(BotSettingsError, match="malformed") as caught:
        BotSettings.from_env()
    assert "short-secret" not in str(caught.value)

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("QA_BOT_ALLOWED_CHATS", "4242, -100777")
    monkeypatch.setenv("QA_BOT_RATE_LIMIT", "5/30")
    monkeypatch.setenv("QA_INDEX", str(tmp_path / "idx"))
    s = BotSettings.from_env()
    assert (s.api_url, s.allowed_chat_ids, s.rate_limit, s.rate_window) == (
        "http://127.0.0.1:8081",
        frozenset({4242, -100777}),
        5,
        30.0,
    )
    assert s.index_dir == tmp_path / "idx" and s.webhook_url is None
    assert TOKEN not in repr(s)

    monkeypatch.setenv("QA_BOT_RATE_LIMIT", "off")
    assert BotSettings.from_env().rate_limit == 0
    for name, value in (("QA_BOT_RATE_LIMIT", "fast"), ("QA_BOT_ALLOWED_CHATS", "me")):
        with monkeypatch.context() as m:
            m.setenv(name, value)
            with pytest.raises(BotSettingsError, match=name):
                BotSettings.from_env()

    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/hook")
    s = BotSettings.from_env()
    assert (s.webhook_path, s.webhook_port, s.webhook_listen) == ("telegram/hook", 8443, "0.0.0.0")
    assert s.webhook_secret and len(s.webhook_secret) >= 32  # random when not given
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "not a secret!")
    with pytest.raises(BotSettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        BotSettings.from_env()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_webhook_mode_checks_the_secret_token(api: BotApiStandIn, report_qa) -> None:
    settings = bot_settings(
        api,
        webhook_url="https://bot.example.org/hook",
        webhook_listen="127.0.0.1",
        webhook_port=_free_port(),
        webhook_secret="s3cret_token-1",
    )
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": CHAT, "type": "private", "first_name": "Ann"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }

    def post(secret: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{settings.webhook_port}/hook",
            data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    async def main() -> None:
        app = build_application(settings, report_qa)
        await app.initialize()
        await app.start()
        await app.updater.start_webhook(**webhook_options(settings))
        try:
            assert api.webhook["url"] == "https://bot.example.org/hook"
            assert api.webhook["secret_token"] == "s3cret_token-1"
            assert await asyncio.to_thread(post, "wrong") == 403
            assert await asyncio.to_thread(post, "s3cret_token-1") == 200
            await replies(api, 1, CHAT)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()

    asyncio.run(main())
    assert api.texts(CHAT)[0].startswith("How to ask")
    assert api.errors == []
