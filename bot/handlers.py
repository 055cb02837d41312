"""The bot's handlers: each turns one kind of update into a call of the library and a reply.

Questions go to ``ReportQA.ask`` in a worker thread (``asyncio.to_thread``), so the event
loop keeps serving other chats while the model encodes; it is shared and thread-safe. A
question follows up the previous one of its user in its chat (``BotState.threads``) until
/new or the conversation's lifetime ends; a table answer also sends its CSV and chart. Every
reply is written by the library's Telegram back end (``qa.present.TelegramHTML``): the handlers only
decide which reply, in which language. Words around the quotes follow the question's script;
command replies follow the user's Telegram language.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
import traceback

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputFile,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.state import bot_state
from qa import (
    LANGUAGES,
    MAX_QUESTION_CHARS,
    Answer,
    Hit,
    Intent,
    Language,
    check_question,
    detect_language,
)
from qa.errors import ArgumentError, QuestionError
from qa.present import (
    TelegramHTML,
    chart_png,
    figures_csv,
    language_from_code,
    table_csv,
    view_answer,
)

log = logging.getLogger(__name__)

#: Passages sent per press of "more".
MORE_PER_PAGE = 2
#: Seconds Telegram may cache an inline answer (short: the index can be rebuilt).
INLINE_CACHE_SECONDS = 30
#: The language of the bot's words when neither the user nor the text tells.
DEFAULT_LANGUAGE: Language = "zh-Hant"
#: Every reply's words and HTML.
html = TelegramHTML()
_MORE_DATA = re.compile(r"more:([A-Za-z0-9_-]{1,16}):(\d{1,3})")
#: 👍 / 👎 under an answer (``up``, ``down``), then the passage a 👎 names (its number among
#: the answer's passages) or none of them (``x``).
_FEEDBACK_DATA = re.compile(r"fb:([A-Za-z0-9_-]{16}):(up|down|x|\d)")
#: "Ask without the previous question" under a follow-up's answer: the key its question is
#: kept under (the "more" pages' key).
_FRESH_DATA = re.compile(r"fresh:([A-Za-z0-9_-]{1,16})")
#: The offset a re-asked question is marked shown at, so that one button asks once.
_FRESH_SHOWN = -1


# -- languages ---------------------------------------------------------------------------


def user_language(update: Update) -> Language:
    """The language of the user's Telegram app, for replies to commands."""
    user = update.effective_user
    return language_from_code(user.language_code if user else None) or DEFAULT_LANGUAGE


def question_language(question: str) -> Language:
    """The script of a question, for the reply to it (it wins over the app's language)."""
    return detect_language(question, default=DEFAULT_LANGUAGE)


def reply_language(update: Update) -> Language:
    """The question's script when the update carries a question, else the user's language."""
    message = update.effective_message
    text = message.text if message is not None else None
    if text and text.strip() and not text.startswith("/"):
        return question_language(text)
    return user_language(update)


# -- sending -----------------------------------------------------------------------------


async def _reply(
    message: Message, chunks: list[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send ``chunks`` as replies to ``message``; ``markup`` goes under the last one."""
    for n, chunk in enumerate(chunks, start=1):
        await message.reply_text(chunk, reply_markup=markup if n == len(chunks) else None)


def _message(update: Update) -> Message:
    """The update's message: the handlers that call this are registered for message updates."""
    message = update.effective_message
    assert message is not None, "a message handler's update has a message"
    return message


def _chat(update: Update) -> Chat:
    """The update's chat: the handlers that call this are registered for message updates."""
    chat = update.effective_chat
    assert chat is not None, "a message handler's update has a chat"
    return chat


def _callback_query(update: Update) -> CallbackQuery:
    """The update's button press: the handlers that call this are registered for them."""
    query = update.callback_query
    assert query is not None, "a button handler's update has a callback query"
    return query


def _more_row(key: str, offset: int, lang: Language) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(html.plain("more_button", lang), callback_data=f"more:{key}:{offset}")
    ]


def _more_markup(key: str, offset: int, lang: Language) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([_more_row(key, offset, lang)])


def _feedback_row(key: str, lang: Language) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(html.plain("feedback_up", lang), callback_data=f"fb:{key}:up"),
        InlineKeyboardButton(html.plain("feedback_down", lang), callback_data=f"fb:{key}:down"),
    ]


def _fresh_row(key: str, lang: Language) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(html.plain("fresh_button", lang), callback_data=f"fresh:{key}")]


def _without(markup: object, prefix: str) -> list[list[InlineKeyboardButton]]:
    """The rows of ``markup`` (a message's keyboard) whose buttons' data do not start with
    ``prefix``: one kind of button goes, the others stay."""
    rows = markup.inline_keyboard if isinstance(markup, InlineKeyboardMarkup) else ()
    return [
        list(row)
        for row in rows
        if not any(
            isinstance(b.callback_data, str) and b.callback_data.startswith(prefix) for b in row
        )
    ]


def _further_passages(answer: Answer) -> tuple[Hit, ...]:
    """The retrieved passages that the answer does not quote from, best first."""
    quoted = {q.citation.passage_id for q in answer.quotes}
    return tuple(h for h in answer.hits if h.id not in quoted) if answer.found else ()


# -- commands ----------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: what the bot knows and three example questions."""
    documents = list(bot_state(context).qa.documents.values())
    body = html.start(documents, user_language(update), context.bot.username)
    await _reply(_message(update), [body])


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: how to ask, the commands, inline mode."""
    lang = user_language(update)
    await _reply(_message(update), [html.text("help", lang, username=context.bot.username)])


async def on_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: every indexed report with its source and date."""
    documents = list(bot_state(context).qa.documents.values())
    await _reply(_message(update), html.sources(documents, user_language(update)))


async def on_figures(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/figures [REPORT]: a short summary of the report's figures and the full figure sheet
    as a CSV document. With several reports indexed and none named, how to name one."""
    message = _message(update)
    lang = user_language(update)
    qa = bot_state(context).qa
    parts = (message.text or "").split(maxsplit=1)
    doc = parts[1].strip() if len(parts) > 1 else None
    documents = list(qa.documents.values())
    if doc is None and len(documents) > 1:
        await _reply(message, [html.text("figures_usage", lang, example=documents[0].id)])
        return
    try:
        rows = await asyncio.to_thread(qa.figure_sheet, doc)
    except ArgumentError:
        listing = ", ".join(d.id for d in documents)
        await _reply(message, [html.text("figures_unknown", lang, doc=doc, documents=listing)])
        return
    shown = [d for d in documents if d.id in {r.doc for r in rows}] or documents[:1]
    await _reply(message, [html.figures_summary(rows, shown, lang)])
    if rows:
        name = f"{shown[0].id if len(shown) == 1 else 'reports'}-figures.csv"
        data = figures_csv(rows).encode("utf-8-sig")  # the BOM lets spreadsheets read UTF-8
        await message.reply_document(
            document=InputFile(data, filename=name),
            caption=html.figures_caption(shown, lang),
        )


async def on_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/new: forget the thread, so that the next question follows up nothing."""
    chat, user = _chat(update), update.effective_user
    bot_state(context).threads.forget(chat.id, user.id if user else chat.id)
    await _reply(_message(update), [html.text("thread_new", user_language(update))])


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION: how to ask in groups (works in private chats too)."""
    message = _message(update)
    parts = (message.text or "").split(maxsplit=1)
    question = parts[1] if len(parts) > 1 else ""
    if not question.strip():
        lang = user_language(update)
        example = html.examples(lang)[0]
        await _reply(message, [html.text("ask_usage", lang, example=example)])
        return
    await answer_question(update, context, question)


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other /command: a short hint (in groups only when addressed to this bot)."""
    message = _message(update)
    command, _, addressee = (message.text or "/").split()[0].partition("@")
    chat = _chat(update)
    if chat.type != ChatType.PRIVATE and addressee.lower() != (context.bot.username or "").lower():
        return
    lang = user_language(update)
    await _reply(message, [html.text("unknown_command", lang, command=command[:64])])


# -- questions ---------------------------------------------------------------------------


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Answer ``question`` in reply to the update's message: quotes, a table, or not found.
    It follows up the previous question of the same user in the same chat, if recent."""
    state = bot_state(context)
    message = _message(update)
    chat = _chat(update)
    try:
        question = check_question(question)
    except QuestionError:
        await _reply_unusable(update, question)
        return
    lang = question_language(question)
    user = update.effective_user
    asker = user.id if user else chat.id
    verdict = state.budget.take(asker)
    if not verdict.allowed:
        if verdict.warn:
            seconds = max(1, math.ceil(verdict.retry_in))
            await _reply(message, [html.text("rate_limited", lang, seconds=seconds)])
        return
    if chat.type == ChatType.PRIVATE:
        await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    previous = state.threads.previous(chat.id, asker)
    answer = await _ask(context, question, chat.id, follows=previous)
    state.threads.remember(chat.id, asker, answer)
    await _send_answer(context, message, question, answer)


async def _ask(
    context: ContextTypes.DEFAULT_TYPE, question: str, chat_id: int, *, follows: Intent | None
) -> Answer:
    """``ReportQA.ask`` in a worker thread, logged (never the question's text)."""
    started = time.perf_counter()
    answer = await asyncio.to_thread(bot_state(context).qa.ask, question, follows=follows)
    log.info(
        "chat %s: %s %squestion of %d characters, %s in %.0f ms",
        chat_id,
        answer.language,
        "follow-up " if follows is not None else "",
        len(question),
        "answered" if answer.reason is None else f"not found ({answer.reason.value})",
        1000 * (time.perf_counter() - started),
    )
    return answer


async def _send_answer(
    context: ContextTypes.DEFAULT_TYPE, message: Message, question: str, answer: Answer
) -> None:
    """The reply to ``message``: the answer with its buttons ("more passages"; "ask without
    the previous question" under a follow-up's; 👍 / 👎), then a table's CSV and chart."""
    state = bot_state(context)
    view = view_answer(answer)
    further = _further_passages(answer)
    rows = []
    if further or view.context:
        key = state.answers.remember(question, answer.language, further)
        if further:
            rows.append(_more_row(key, 0, answer.language))
        if view.context:  # it followed the previous question, and says so
            rows.append(_fresh_row(key, answer.language))
    if state.feedback is not None:
        generation = state.qa.retriever.index.generation
        rated = await asyncio.to_thread(state.feedback.remember, answer, generation=generation)
        rows.append(_feedback_row(rated, answer.language))
    await _reply(message, html.answer(answer), InlineKeyboardMarkup(rows) if rows else None)
    if view.table is not None and view.table.rows:
        lang = answer.language
        asked = html.plain_excerpt(question, 200)
        data = (table_csv(view) or "").encode("utf-8-sig")  # the BOM lets spreadsheets read UTF-8
        await message.reply_document(
            document=InputFile(data, filename=f"table-by-{view.table.by}.csv"),
            caption=html.text("table_caption", lang, question=asked),
        )
        png = await asyncio.to_thread(chart_png, view, title=answer.question)
        if png is not None:
            await message.reply_photo(
                photo=InputFile(png, filename="chart.png"),
                caption=html.text("chart_caption", lang, question=asked),
            )


async def _reply_unusable(update: Update, question: str) -> None:
    """An empty or over-long question: say how to ask instead."""
    message = _message(update)
    if question.strip():
        lang = question_language(question)
        body = html.text("too_long", lang, length=len(question), limit=MAX_QUESTION_CHARS)
    else:
        lang = user_language(update)
        body = html.text("empty", lang, example=html.examples(lang)[0])
    await _reply(message, [body])


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat: a question."""
    await answer_question(update, context, _message(update).text or "")


def _mentions_bot(message: Message, username: str) -> bool:
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    return any(m[1:].lower() == username.lower() for m in mentions)


def _replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text in a group: a question only if it mentions the bot or replies to it."""
    message = _message(update)
    username = context.bot.username or ""
    mentioned = bool(username) and _mentions_bot(message, username)
    if not mentioned and not _replies_to_bot(message, context.bot.id):
        return
    question = message.text or ""
    if mentioned:
        question = re.sub(rf"@{re.escape(username)}\b", " ", question, flags=re.IGNORECASE)
    if not question.strip():
        lang = user_language(update)
        await _reply(message, [html.text("ask_usage", lang, example=html.examples(lang)[0])])
        return
    await answer_question(update, context, question)


async def on_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo, voice note… in a private chat: ask for text."""
    await _reply(_message(update), [html.text("not_text", user_language(update))])


# -- "more" ------------------------------------------------------------------------------


async def on_more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "more passages" button: the next passages of that answer, as a new message. The
    passages are read from the index now (by id): one no longer indexed expires the page."""
    query = _callback_query(update)
    state = bot_state(context)
    match = _MORE_DATA.fullmatch(query.data or "")
    key = match.group(1) if match else ""
    pending = state.answers.get(key) if match else None
    if match is None or pending is None or query.message is None:
        await query.answer(html.plain("more_expired", user_language(update)))
        return
    offset = int(match.group(2))
    total = len(pending.passage_ids)
    if offset >= total or not state.answers.mark_shown(key, offset):
        await query.answer()  # pressed twice, or data no button of ours carries
        return
    page = await asyncio.to_thread(
        state.qa.retriever.passages, pending.passage_ids[offset : offset + MORE_PER_PAGE]
    )
    if any(hit is None for hit in page):  # the index was rebuilt without them
        await query.answer(html.plain("more_expired", pending.language))
        return
    await query.answer()

    following = offset + len(page)
    markup = None
    if following < total:
        markup = _more_markup(key, following, pending.language)
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        # One press per button; the answer's 👍 / 👎 stay.
        rest = _without(query.message.reply_markup, "more:")
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rest) if rest else None)
    chunks = html.passages(page, pending.language, first=offset + 1, total=total)
    for n, chunk in enumerate(chunks, start=1):
        await context.bot.send_message(
            query.message.chat.id, chunk, reply_markup=markup if n == len(chunks) else None
        )


# -- "ask without the previous question" ----------------------------------------------


async def on_fresh(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button under a follow-up's answer: the same question asked again on its own (not
    following anything), as a new reply; it becomes the presser's thread. One press per
    button: the button goes, the answer's others stay."""
    query = _callback_query(update)
    state = bot_state(context)
    match = _FRESH_DATA.fullmatch(query.data or "")
    key = match.group(1) if match else ""
    pending = state.answers.get(key) if match else None
    if pending is None or not isinstance(query.message, Message):
        await query.answer(html.plain("more_expired", user_language(update)))
        return
    chat_id, asker = query.message.chat.id, query.from_user.id
    verdict = state.budget.take(asker)
    if not verdict.allowed:  # the button stays, for later
        seconds = max(1, math.ceil(verdict.retry_in))
        await query.answer(html.plain("rate_limited", pending.language, seconds=seconds))
        return
    if not state.answers.mark_shown(key, _FRESH_SHOWN):
        await query.answer()  # pressed twice
        return
    await query.answer()
    if query.message.reply_markup is not None:
        rest = _without(query.message.reply_markup, "fresh:")
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rest) if rest else None)
    answer = await _ask(context, pending.question, chat_id, follows=None)
    state.threads.remember(chat_id, asker, answer)
    await _send_answer(context, query.message, pending.question, answer)


# -- 👍 / 👎 ----------------------------------------------------------------------------


async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍 / 👎 under an answer. 👍 is recorded at once; 👎 too, and its buttons become the
    answer's passages, to name the one that should have answered (or none of them). The
    rating goes to the feedback file (``qa feedback export`` makes it a test question)."""
    query = _callback_query(update)
    store = bot_state(context).feedback
    match = _FEEDBACK_DATA.fullmatch(query.data or "")
    lang = user_language(update)
    remembered = await asyncio.to_thread(store.answer, match.group(1)) if store and match else None
    if store is None or match is None or remembered is None:
        await query.answer(html.plain("feedback_expired", lang))
        return
    lang = remembered.language if remembered.language in LANGUAGES else lang
    key, choice = match.group(1), match.group(2)
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    rows = _without(markup, "fb:")
    if choice == "down" and remembered.candidates:
        await asyncio.to_thread(store.rate, key, "down")
        await query.answer(html.plain("feedback_which", lang))
        picks = [
            [
                InlineKeyboardButton(
                    f"{n + 1}. {html.plain_excerpt(c.text, 40)}", callback_data=f"fb:{key}:{n}"
                )
            ]
            for n, c in enumerate(remembered.candidates[:10])
        ]
        picks.append(
            [InlineKeyboardButton(html.plain("feedback_none", lang), callback_data=f"fb:{key}:x")]
        )
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows + picks))
        return
    if choice in ("up", "down"):
        await asyncio.to_thread(store.rate, key, choice)
    elif choice.isdigit() and int(choice) < len(remembered.candidates):
        passage = remembered.candidates[int(choice)].id
        await asyncio.to_thread(store.rate, key, "down", passage=passage)
    await query.answer(html.plain("feedback_thanks", lang))
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)


# -- inline mode -------------------------------------------------------------------------


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``@bot question`` in any chat: the answer's quotes, each a result to send."""
    query = update.inline_query
    assert query is not None, "registered for inline queries"
    lang = user_language(update)
    hint = InlineQueryResultsButton(html.plain("inline_hint", lang), start_parameter="help")
    try:
        question = check_question(query.query)
    except QuestionError:
        await query.answer([], cache_time=INLINE_CACHE_SECONDS, button=hint)
        return
    if not bot_state(context).budget.take(query.from_user.id).allowed:
        await query.answer([], cache_time=0, is_personal=True)
        return
    answer = await asyncio.to_thread(bot_state(context).qa.ask, question)
    if not answer.found:
        button = InlineQueryResultsButton(html.decline_line(answer, 64), start_parameter="help")
        await query.answer([], cache_time=INLINE_CACHE_SECONDS, button=button)
        return
    results = [
        InlineQueryResultArticle(
            id=result.id,
            title=result.title,
            description=result.description,
            input_message_content=InputTextMessageContent(result.html, parse_mode=ParseMode.HTML),
        )
        for result in html.inline_quotes(answer)
    ]
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS)


# -- who may ask, and errors -------------------------------------------------------------


async def allow_list_gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every other handler: updates from chats not on the allow-list stop here
    (private chats get a polite refusal; groups and inline queries get nothing)."""
    allowed = bot_state(context).settings.allowed_chat_ids
    if allowed is None:
        return
    chat, user = update.effective_chat, update.effective_user
    # Inline queries have no chat: their user's private chat (same id) is what is listed.
    asker = chat.id if chat is not None else (user.id if user is not None else None)
    if asker in allowed:
        return
    log.info("ignored an update from chat %s: not in QA_BOT_ALLOWED_CHATS", asker)
    if update.inline_query is not None:
        await update.inline_query.answer([], cache_time=INLINE_CACHE_SECONDS, is_personal=True)
    elif update.callback_query is not None:
        await update.callback_query.answer()
    elif update.message is not None and chat is not None and chat.type == ChatType.PRIVATE:
        await update.message.reply_text(html.text("not_allowed", user_language(update)))
    raise ApplicationHandlerStop


def redact(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` (also URL-encoded) replaced."""
    for form in {secret, secret.replace(":", "%3A"), secret.replace(":", "%3a")}:
        text = text.replace(form, "<token>")
    return text


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error (never the token) and tell the user, if there is one, that something
    went wrong."""
    error = context.error
    token = context.bot.token
    if update is None and isinstance(error, NetworkError):
        # The updater retries getUpdates by itself; a line is enough.
        log.warning("network error while fetching updates: %s", redact(str(error), token))
        return
    details = redact("".join(traceback.format_exception(error)), token) if error else ""
    log.error(
        "%s while handling an update: %s\n%s",
        type(error).__name__,
        redact(str(error), token),
        details,
    )
    if not isinstance(update, Update) or isinstance(error, Forbidden):
        return
    lang = reply_language(update)
    with contextlib.suppress(TelegramError):
        if update.callback_query is not None:
            await update.callback_query.answer(html.plain("error", lang))
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, html.text("error", lang))
