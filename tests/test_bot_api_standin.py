"""The Bot API stand-in, driven by the real python-telegram-bot.

These tests are its specification: what later end-to-end bot tests can rely on.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputFile,
    InputTextMessageContent,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, MessageHandler, filters

try:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from tests.auxil.bot_api import DEFAULT_TOKEN, QUERY_TOO_OLD, BotApiStandIn
except ModuleNotFoundError:
    from auxil.bot_api import DEFAULT_TOKEN, QUERY_TOO_OLD, BotApiStandIn

TOKEN = DEFAULT_TOKEN
CHAT = 4242  # a private chat: chat id == user id


@pytest.fixture
def api() -> BotApiStandIn:
    with BotApiStandIn(token=TOKEN, long_poll_cap=0.5) as server:
        yield server
        assert server.internal_errors == []


def run_with_bot(api: BotApiStandIn, scenario: Callable[[Bot], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
            return await scenario(bot)

    return asyncio.run(main())


def build_app(api: BotApiStandIn) -> Application:
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def raw_post(
    api: BotApiStandIn, method: str, body: bytes = b"", content_type: str = "", token: str = TOKEN
) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(
        f"{api.base_url}{token}/{method}", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def last_error(api: BotApiStandIn) -> str:
    return api.errors[-1]["description"]


# --- identity, tokens, routing ---------------------------------------------------------------


def test_get_me_describes_the_bot(api: BotApiStandIn) -> None:
    me = run_with_bot(api, lambda bot: bot.get_me())
    assert me.id == 123456  # the token's number
    assert me.is_bot
    assert me.username == "report_qa_test_bot"
    assert me.supports_inline_queries
    assert me.can_join_groups


def test_wrong_token_is_unauthorized_and_never_echoed(api: BotApiStandIn) -> None:
    other = "654321:ZZZ-DEF1234ghIkl-zyx57W2v1u123ew11"

    async def scenario() -> None:
        async with Bot(other, base_url=api.base_url) as bot:
            await bot.get_me()

    with pytest.raises(InvalidToken):
        asyncio.run(scenario())
    status, body = raw_post(api, "getMe", token=other)
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = raw_post(api, "getMe", token="not-a-token")
    assert status == 404
    for record in api.calls + api.errors:
        assert TOKEN not in json.dumps(record) and other not in json.dumps(record)
    assert TOKEN not in repr(api)


def test_unknown_method_is_404(api: BotApiStandIn) -> None:
    status, body = raw_post(api, "fooBar")
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    with pytest.raises(EndPointNotFound):
        run_with_bot(api, lambda bot: bot.do_api_request("frobnicate"))


def test_parameters_arrive_urlencoded_json_multipart_or_in_the_query(api: BotApiStandIn) -> None:
    form = urllib.parse.urlencode({"chat_id": "7", "text": "form <b>x</b>", "parse_mode": "HTML"})
    assert (
        raw_post(api, "sendMessage", form.encode(), "application/x-www-form-urlencoded")[0] == 200
    )
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    as_json = json.dumps({"chat_id": 7, "text": "json", "reply_markup": markup}).encode()
    status, body = raw_post(api, "sendMessage", as_json, "application/json")
    assert status == 200 and body["result"]["reply_markup"] == markup
    query = urllib.parse.urlencode({"chat_id": 7, "text": "query"})
    assert raw_post(api, f"sendMessage?{query}")[0] == 200
    # Method names are case-insensitive, as on Telegram.
    assert raw_post(api, "SENDMESSAGE", b'{"chat_id": 7, "text": "caps"}', "application/json")[1][
        "ok"
    ]

    async def upload(bot: Bot) -> Any:  # PTB switches to multipart when a file is attached
        return await bot.send_document(
            7,
            InputFile(b"%PDF-1.4 report", filename="report.pdf"),
            caption="Готово: <i>report</i>",
            parse_mode="HTML",
        )

    message = run_with_bot(api, upload)
    assert message.document.file_name == "report.pdf"
    assert message.caption == "Готово: report"
    assert message.caption_entities[0].type == MessageEntity.ITALIC
    assert api.texts(7) == ["form x", "json", "query", "caps", "Готово: report"]
    assert api.sent_messages(7)[0]["entities"] == [{"type": "bold", "offset": 5, "length": 1}]
    assert api.sent_messages(7)[-1]["file"]["size"] == len(b"%PDF-1.4 report")


# --- the real Application, polling --------------------------------------------------------


def test_polling_application_receives_text_and_its_reply_is_recorded(api: BotApiStandIn) -> None:
    received: list[Update] = []

    async def echo(update: Update, context: Any) -> None:
        received.append(update)
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def main() -> None:
        app = build_app(api)
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        async with polling(app):
            api.send_text(CHAT, "hello", language_code="de")
            api.send_mention(-100777, "what changed?", user_id=9, first_name="Bo")
            await api.wait_for_messages_async(2, timeout=5)

    asyncio.run(main())

    first, second = api.sent_messages()
    assert (first["chat_id"], first["plain_text"]) == (CHAT, "echo: hello")
    assert first["message"]["from"]["id"] == 123456
    assert received[0].effective_user.language_code == "de"
    assert second["chat_id"] == -100777
    group_message = received[1].effective_message
    assert group_message.chat.type == "supergroup"
    assert group_message.parse_entities([MessageEntity.MENTION]) == {
        group_message.entities[0]: "@report_qa_test_bot"
    }
    methods = [call["method"] for call in api.calls]
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage"} <= set(methods)
    assert api.pending_updates == []  # PTB confirmed what it fetched before shutting down
    assert api.errors == []


# PTB 22.8 warns about int retry_after inside RetryAfter.__init__ itself (unless PTB_TIMEDELTA=1).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_rate_limiter_retries_an_injected_429(api: BotApiStandIn) -> None:
    api.fail_next("sendMessage", status=429, retry_after=1)

    async def main() -> float:
        app = build_app(api)
        await app.initialize()
        try:
            started = time.monotonic()
            await app.bot.send_message(CHAT, "after the flood")
            return time.monotonic() - started
        finally:
            await app.shutdown()

    elapsed = asyncio.run(main())
    attempts = api.calls_to("sendMessage")
    assert [c["status"] for c in attempts] == [429, 200]
    assert attempts[0]["injected"]
    assert elapsed >= 1.0
    assert api.texts() == ["after the flood"]
    assert api.errors[0]["description"] == "Too Many Requests: retry after 1"

    # Without a rate limiter PTB surfaces it as RetryAfter.
    api.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3"):
        run_with_bot(api, lambda bot: bot.send_message(CHAT, "x"))


def test_network_failure_injection(api: BotApiStandIn) -> None:
    api.disconnect_next("sendMessage", times=2)

    async def scenario(bot: Bot) -> None:
        for _ in range(2):
            with pytest.raises(NetworkError):
                await bot.send_message(CHAT, "lost")
        await bot.send_message(CHAT, "delivered")

    run_with_bot(api, scenario)
    assert api.texts() == ["delivered"]
    assert [c["status"] for c in api.calls_to("sendMessage")] == [None, None, 200]


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<b>x", "Can't find end tag corresponding to start tag b"),
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="big">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<blockquote>a<blockquote>b</blockquote></blockquote>", "Blockquote entities can't"),
        ("R&D", 'Unsupported HTML entity "&D" at byte offset 1'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;" at byte offset 0'),
        ("Привет <b>мир", "Can't find end tag corresponding to start tag b"),
        ("é <x>", 'Unsupported start tag "x" at byte offset 3'),  # byte, not char, offsets
    ],
)
def test_invalid_html_is_rejected_with_telegrams_wording(
    api: BotApiStandIn, text: str, description: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        run_with_bot(api, lambda bot: bot.send_message(CHAT, text, parse_mode="HTML"))
    assert last_error(api).startswith(f"Bad Request: can't parse entities: {description}")
    assert api.errors[-1]["status"] == 400
    assert api.sent_messages() == []


def test_escaped_and_supported_html_passes(api: BotApiStandIn) -> None:
    report_line = 'Revenue < 5% & "costs" > 3'
    text = (
        f"<b>{html.escape(report_line)}</b>\n"
        '<a href="https://example.org/r?a=1&amp;b=2">source</a> '
        '<tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">t</span> '
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote expandable>quote</blockquote> &#128512; &#x41;"
    )

    message = run_with_bot(api, lambda bot: bot.send_message(CHAT, text, parse_mode="HTML"))

    assert message.text.startswith(report_line + "\nsource s t x = 1quote 😀 A")
    by_type = {entity.type: entity for entity in message.entities}
    assert by_type[MessageEntity.BOLD].length == len(report_line)
    assert by_type[MessageEntity.TEXT_LINK].url == "https://example.org/r?a=1&b=2"
    assert by_type[MessageEntity.PRE].language == "python"
    assert MessageEntity.SPOILER in by_type
    assert MessageEntity.EXPANDABLE_BLOCKQUOTE in by_type
    assert api.errors == []


def test_text_length_counts_utf16_code_units_after_parsing(api: BotApiStandIn) -> None:
    async def scenario(bot: Bot) -> list[str]:
        outcomes = []
        for text, mode in [
            ("a" * 4096, None),
            ("a" * 4097, None),
            ("😀" * 2048, None),  # 4096 code units
            ("😀" * 2049, None),  # 4098 code units, 2049 characters
            ("<b>" + "a" * 4096 + "</b>", "HTML"),  # tags don't count
            ("a" * 4096 + "\n  ", None),  # surrounding whitespace is trimmed
            (" \n ", None),
            ("<b></b>", "HTML"),
        ]:
            try:
                await bot.send_message(CHAT, text, parse_mode=mode)
                outcomes.append("ok")
            except BadRequest:
                outcomes.append(last_error(api))
        return outcomes

    assert run_with_bot(api, scenario) == [
        "ok",
        "Bad Request: message is too long",
        "ok",
        "Bad Request: message is too long",
        "ok",
        "ok",
        "Bad Request: message text is empty",
        "Bad Request: message text is empty",
    ]


def test_inline_keyboard_callback_data_must_be_1_to_64_bytes(api: BotApiStandIn) -> None:
    def keyboard(**button: Any) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Open", **button)]])

    async def scenario(bot: Bot) -> list[str]:
        outcomes = []
        for markup in [
            keyboard(callback_data="r" * 64),
            keyboard(callback_data="r" * 65),
            keyboard(callback_data="й" * 32),  # 64 bytes
            keyboard(callback_data="й" * 33),  # 33 characters, 66 bytes
            keyboard(url="https://example.org"),
        ]:
            try:
                await bot.send_message(CHAT, "pick", reply_markup=markup)
                outcomes.append("ok")
            except BadRequest:
                outcomes.append(last_error(api))
        return outcomes

    invalid = "Bad Request: BUTTON_DATA_INVALID"
    assert run_with_bot(api, scenario) == ["ok", invalid, "ok", invalid, "ok"]
    markup = json.dumps({"inline_keyboard": [[{"text": "plain"}]]})
    form = urllib.parse.urlencode({"chat_id": CHAT, "text": "x", "reply_markup": markup})
    status, body = raw_post(api, "sendMessage", form.encode(), "application/x-www-form-urlencoded")
    assert status == 400
    assert body["description"] == (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
        "inline keyboard"
    )


def test_blocked_and_unknown_chats(api: BotApiStandIn) -> None:
    api.block_chat(99)
    api.forget_chat(98)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        run_with_bot(api, lambda bot: bot.send_message(99, "hi"))
    assert api.errors[-1]["status"] == 403
    with pytest.raises(BadRequest, match="Chat not found"):
        run_with_bot(api, lambda bot: bot.send_message(98, "hi"))
    api.unblock_chat(99)
    assert run_with_bot(api, lambda bot: bot.send_message(99, "hi")).text == "hi"


# --- callback queries, edits, inline queries ------------------------------------------------


def test_callback_queries_and_edits(api: BotApiStandIn) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])

    async def scenario(bot: Bot) -> None:
        sent = await bot.send_message(CHAT, "<b>Answer</b>", parse_mode="HTML", reply_markup=markup)
        query_id = api.press_button(CHAT, sent.message_id, "more:1")
        [update] = await bot.get_updates(timeout=0)
        assert update.callback_query.data == "more:1"
        assert update.callback_query.message.message_id == sent.message_id

        assert await bot.answer_callback_query(query_id, text="Loading")
        with pytest.raises(BadRequest):  # answered already
            await bot.answer_callback_query(query_id)
        assert last_error(api) == QUERY_TOO_OLD
        with pytest.raises(BadRequest):
            await bot.answer_callback_query("123")
        assert last_error(api) == QUERY_TOO_OLD

        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text(
                "<b>Answer</b>", CHAT, sent.message_id, parse_mode="HTML", reply_markup=markup
            )
        edited = await bot.edit_message_text(
            "<b>Answer</b>, more", CHAT, sent.message_id, parse_mode="HTML"
        )
        assert edited.text == "Answer, more" and edited.reply_markup is None
        with pytest.raises(BadRequest):
            await bot.edit_message_text("x", CHAT, 999)
        assert last_error(api) == "Bad Request: message to edit not found"

    run_with_bot(api, scenario)
    [answer] = api.callback_answers
    assert (answer["text"], answer["data"], answer["user_id"]) == ("Loading", "more:1", CHAT)
    [edit] = api.edits
    assert edit["plain_text"] == "Answer, more"
    assert api.message(CHAT, edit["message_id"])["text"] == "Answer, more"
    with pytest.raises(ValueError, match="no button"):  # the edit removed the keyboard
        api.press_button(CHAT, edit["message_id"], "more:1")


def test_inline_query_answers_are_validated(api: BotApiStandIn) -> None:
    def article(result_id: str, text: str, parse_mode: str | None = "HTML") -> Any:
        return InlineQueryResultArticle(
            result_id, "Result", InputTextMessageContent(text, parse_mode=parse_mode)
        )

    async def scenario(bot: Bot) -> None:
        query_id = api.inline_query("revenue 2023", user_id=77, language_code="fr")
        [update] = await bot.get_updates(timeout=0)
        assert update.inline_query.query == "revenue 2023"
        assert update.inline_query.from_user.language_code == "fr"

        bad_answers = [
            ([article(str(i), "x") for i in range(51)], "Bad Request: RESULTS_TOO_MUCH"),
            ([article("1", "x"), article("1", "y")], "Bad Request: RESULT_ID_DUPLICATE"),
            ([article("x" * 65, "x")], "Bad Request: RESULT_ID_INVALID"),
            (
                [article("1", "<b>x")],
                "Bad Request: can't parse entities: Can't find end tag corresponding to "
                "start tag b",
            ),
            ([article("1", "a" * 4097, None)], "Bad Request: message is too long"),
        ]
        for results, description in bad_answers:
            with pytest.raises(BadRequest):
                await bot.answer_inline_query(query_id, results)
            assert last_error(api) == description

        assert await bot.answer_inline_query(query_id, [article("r1", "<i>12.3</i> bn")])
        with pytest.raises(BadRequest):
            await bot.answer_inline_query(query_id, [])
        assert last_error(api) == QUERY_TOO_OLD

    run_with_bot(api, scenario)
    [answer] = api.inline_answers
    assert answer["query"] == "revenue 2023"
    assert answer["rendered"][0]["plain_text"] == "12.3 bn"


# --- updates the test side can create -------------------------------------------------------


def test_test_side_updates_deserialize_in_ptb(api: BotApiStandIn) -> None:
    async def scenario(bot: Bot) -> tuple[Update, ...]:
        sent = await bot.send_message(CHAT, "Which report?")
        api.send_command(CHAT, "/start", args="deep-link")
        api.send_command(-100555, "/ask", args="net debt", mention_bot=True, chat_type="group")
        api.send_text(CHAT, "the 2023 one", reply_to_bot_message_id=sent.message_id)
        api.send_sticker(CHAT, emoji="🙂")
        api.send_photo(CHAT, caption="a chart")
        api.send_document(CHAT, b"col1,col2\n1,2\n", file_name="t.csv", mime_type="text/csv")
        updates = await bot.get_updates(timeout=0)
        document = updates[-1].message.document
        file = await bot.get_file(document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"col1,col2\n1,2\n"
        return updates

    start, ask, reply, sticker, photo, document = run_with_bot(api, scenario)
    assert start.message.text == "/start deep-link"
    assert start.message.entities[0].type == MessageEntity.BOT_COMMAND
    assert start.message.entities[0].length == len("/start")
    assert ask.message.text == "/ask@report_qa_test_bot net debt"
    assert ask.message.chat.type == "group" and ask.message.from_user.id != -100555
    assert reply.message.reply_to_message.from_user.is_bot
    assert reply.message.reply_to_message.text == "Which report?"
    assert sticker.message.sticker.emoji == "🙂"
    assert len(photo.message.photo) == 3 and photo.message.caption == "a chart"
    assert document.message.document.mime_type == "text/csv"
    ids = [u.update_id for u in (start, ask, reply, sticker, photo, document)]
    assert ids == sorted(ids) and len(set(ids)) == 6


def test_get_updates_long_polling(api: BotApiStandIn) -> None:
    async def scenario(bot: Bot) -> None:
        started = time.monotonic()
        assert await bot.get_updates(timeout=30) == ()  # capped by long_poll_cap (0.5 s)
        assert 0.4 <= time.monotonic() - started < 2

        threading.Timer(0.1, api.send_text, (CHAT, "late")).start()
        started = time.monotonic()
        [late] = await bot.get_updates(timeout=30)  # returns as soon as the update arrives
        assert late.message.text == "late" and time.monotonic() - started < 0.45

        for n in range(3):
            api.send_text(CHAT, f"m{n}")
        first_two = await bot.get_updates(offset=late.update_id + 1, limit=2, timeout=0)
        assert [u.message.text for u in first_two] == ["m0", "m1"]
        # Unconfirmed updates are delivered again; an offset confirms them.
        rest = await bot.get_updates(offset=first_two[-1].update_id + 1, timeout=0)
        assert [u.message.text for u in rest] == ["m2"]

        api.send_text(CHAT, "filtered away")
        api.inline_query("kept")
        kept = await bot.get_updates(
            offset=rest[-1].update_id + 1, allowed_updates=["inline_query"], timeout=0
        )
        assert [u.inline_query.query for u in kept] == ["kept"]

        await bot.set_webhook("https://example.org/hook")
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        assert (await bot.get_webhook_info()).url == "https://example.org/hook"
        assert await bot.delete_webhook()

    run_with_bot(api, scenario)


def test_commands_and_chat_actions(api: BotApiStandIn) -> None:
    async def scenario(bot: Bot) -> None:
        assert await bot.set_my_commands([("start", "Start"), ("ask", "Ask a question")])
        assert await bot.set_my_commands([("ask", "Poser une question")], language_code="fr")
        assert [c.command for c in await bot.get_my_commands()] == ["start", "ask"]
        assert [c.description for c in await bot.get_my_commands(language_code="fr")] == [
            "Poser une question"
        ]
        with pytest.raises(BadRequest):
            await bot.set_my_commands([("Ask-Now", "bad name")])
        assert last_error(api) == "Bad Request: BOT_COMMAND_INVALID"
        assert await bot.send_chat_action(CHAT, "typing")
        with pytest.raises(BadRequest):
            await bot.send_chat_action(CHAT, "dancing")

    run_with_bot(api, scenario)
    assert api.commands(language_code="fr") == [
        {"command": "ask", "description": "Poser une question"}
    ]
    assert [a["action"] for a in api.chat_actions] == ["typing"]
