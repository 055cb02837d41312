"""Report QA on Telegram: ask in a chat, get the report's own sentences with their figures.

    TELEGRAM_BOT_TOKEN=123456:ABC… python -m bot      # or: qa-bot

Configuration comes from the environment or a ``.env`` file (see ``qa.config.BotSettings``
and the README): the token, the Bot API server's URL, the index folder, an allow-list of
chats, a per-user question limit and, for webhook mode, the public URL. Long polling is the
default; webhook mode starts when ``TELEGRAM_WEBHOOK_URL`` is set.

The model and the index are loaded once, before the bot starts; questions are answered in
worker threads (see :mod:`bot.handlers`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import socket
import sys
import time
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import Bot, BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import handlers
from bot.settings import TELEGRAM_API_URL, BotSettings, BotSettingsError
from bot.state import STATE_KEY, BotState
from qa import Language, ReportQA
from qa.errors import caused_by_interrupt, describe, network_problem

log = logging.getLogger("bot")

#: The updates the bot asks Telegram for.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
#: Seconds the start-up check waits for the Bot API to connect and to answer (PTB's own
#: defaults for a request; Telegram answers getMe in well under a second).
CHECK_TIMEOUT_SECONDS = 5.0
#: Updates handled at once; answering itself is serialised by the model's lock, but
#: commands, buttons and sending replies go on meanwhile.
CONCURRENT_UPDATES = 64


class RetryingRateLimiter(AIORateLimiter):
    """PTB's ``AIORateLimiter`` (Telegram's flood limits; a 429 is retried after the
    ``retry_after`` Telegram asks for) that also retries a request lost to a network error.

    Only failures to reach the server are retried: a timeout may mean Telegram got the
    request, and a retry would send the message twice.
    """

    def __init__(
        self, *, max_retries: int = 3, network_retries: int = 3, backoff: float = 0.5
    ) -> None:
        super().__init__(max_retries=max_retries)
        self._network_retries = network_retries
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for attempt in itertools.count():
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, TimedOut):
                raise
            except NetworkError as error:
                if attempt >= self._network_retries:
                    raise
                log.warning("%s failed (%s); retrying", endpoint, type(error).__name__)
                await asyncio.sleep(self._backoff * 2**attempt)
        raise AssertionError("unreachable")


async def set_commands(application: Application) -> None:
    """The command menu: English by default, Chinese for Chinese apps."""
    menus: tuple[tuple[Language, str | None], ...] = (("en", None), ("zh-Hant", "zh"))
    for lang, code in menus:
        commands = [BotCommand(name, about) for name, about in handlers.html.commands(lang)]
        await application.bot.set_my_commands(commands, language_code=code)


async def close_state(application: Application) -> None:
    """Close the bot's state file when the application shuts down."""
    state = application.bot_data.get(STATE_KEY)
    if state is not None:
        state.memory.close()
        if state.feedback is not None:
            state.feedback.close()


def build_application(settings: BotSettings, qa: ReportQA) -> Application:
    """The bot: the PTB ``Application`` over ``qa``, with every handler registered. Questions
    that arrive together are embedded in one batch (``settings.micro_batch_ms``)."""
    qa.enable_micro_batching(window_ms=settings.micro_batch_ms)
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.api_url}/bot")
        .base_file_url(f"{settings.api_url}/file/bot")
        .rate_limiter(RetryingRateLimiter(max_retries=3))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(set_commands)
        .post_shutdown(close_state)
        .build()
    )
    application.bot_data[STATE_KEY] = BotState.create(settings, qa)
    redact_token_in_logs(settings.token)

    new = filters.UpdateType.MESSAGE  # not edits, not channel posts
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    application.add_handler(TypeHandler(Update, handlers.allow_list_gate), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", handlers.on_start, filters=new),
            CommandHandler("help", handlers.on_help, filters=new),
            CommandHandler("sources", handlers.on_sources, filters=new),
            CommandHandler("figures", handlers.on_figures, filters=new),
            CommandHandler("ask", handlers.on_ask, filters=new),
            CommandHandler("new", handlers.on_new, filters=new),
            MessageHandler(new & filters.COMMAND, handlers.on_unknown_command),
            MessageHandler(new & private & filters.TEXT, handlers.on_text),
            MessageHandler(new & groups & filters.TEXT, handlers.on_group_text),
            MessageHandler(new & private, handlers.on_not_text),
            CallbackQueryHandler(handlers.on_more, pattern=r"^more:"),
            CallbackQueryHandler(handlers.on_feedback, pattern=r"^fb:"),
            CallbackQueryHandler(handlers.on_fresh, pattern=r"^fresh:"),
            InlineQueryHandler(handlers.on_inline_query),
        ]
    )
    application.add_error_handler(handlers.on_error)
    return application


def webhook_options(settings: BotSettings) -> dict[str, Any]:
    """The arguments of ``run_webhook`` / ``Updater.start_webhook`` for ``settings``."""
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": settings.webhook_path,
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret,
        "allowed_updates": ALLOWED_UPDATES,
    }


def load_report_qa(index_dir: Path | None = None) -> ReportQA:
    """Report QA over ``index_dir``, building the index first if there is none yet or it is
    outdated (as ``qa ask`` does). The model is loaded once either way."""
    return ReportQA.open_or_build(index_dir, on_build=log.info)[0]


class RedactingFilter(logging.Filter):
    """Replaces a secret in every log record (httpx and PTB may log request URLs, which
    carry the token), tracebacks included (PTB's InvalidToken message quotes the token)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        redacted = handlers.redact(text, self.secret)
        if redacted != text:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when it is set: the traceback, redacted.
            record.exc_text = handlers.redact(
                "".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), self.secret
            )
        return True


class StartupErrorFilter(logging.Filter):
    """Drops the tracebacks python-telegram-bot logs while the bot starts (a token Telegram
    refuses, a Bot API server that cannot be reached, a reply that is not the Bot API's):
    ``qa-bot`` says what went wrong in one line (``startup_error``) and stops. Once the bot
    runs (``started``), its errors are logged as they come."""

    def __init__(self) -> None:
        super().__init__()
        self.started = False

    def filter(self, record: logging.LogRecord) -> bool:
        return self.started or not (record.exc_info and record.name.startswith("telegram"))


def redact_token_in_logs(token: str) -> None:
    """Keep ``token`` out of httpx's log lines, which show every request's URL at INFO."""
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, RedactingFilter) and f.secret == token for f in httpx_log.filters):
        httpx_log.addFilter(RedactingFilter(token))


def ready(settings: BotSettings) -> ReportQA:
    """Report QA loaded (built first if need be) and warmed up, so that the questions that
    arrive right after start do not pay for lazy loading; logs "ready in N s"."""
    started = time.monotonic()
    qa = load_report_qa(settings.index_dir)
    warm = qa.warm_up()
    log.info(
        "ready in %.1f s (warm-up %.1f s): %d document(s) in %s",
        time.monotonic() - started,
        warm,
        len(qa.documents),
        qa.retriever.index_dir,
    )
    return qa


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="qa-bot",
        description="Report QA on Telegram. Configured by environment variables (or .env): "
        "TELEGRAM_BOT_TOKEN (required), TELEGRAM_API_URL, QA_INDEX, QA_BOT_ALLOWED_CHATS, "
        "QA_BOT_RATE_LIMIT, QA_BOT_STATE, QA_BOT_CONVERSATION_SECONDS, QA_FEEDBACK, TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_LISTEN, "
        "TELEGRAM_WEBHOOK_PORT, TELEGRAM_WEBHOOK_SECRET.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log every request (debug)")
    p.add_argument(
        "--debug", action="store_true", help="show the traceback of an error at start-up"
    )
    return p


async def check_telegram(settings: BotSettings) -> None:
    """Ask the Bot API who the bot is (``getMe``), once, without retries: a token Telegram
    refuses, a server that cannot be reached or that is not a Bot API fails here within
    seconds — before the model is loaded — with PTB's own exception."""
    request = HTTPXRequest(
        connect_timeout=CHECK_TIMEOUT_SECONDS, read_timeout=CHECK_TIMEOUT_SECONDS
    )
    bot = Bot(
        settings.token,
        base_url=f"{settings.api_url}/bot",
        base_file_url=f"{settings.api_url}/file/bot",
        request=request,
        get_updates_request=request,
    )
    async with bot:  # initialize() asks getMe; leaving closes the connection
        pass


def check_webhook_port(settings: BotSettings) -> None:
    """Bind the webhook server's address once and let it go: a port another program listens
    on fails here (``OSError``, EADDRINUSE) before the model is loaded, rather than after.
    (The server itself binds it later; should the port be taken in between, that bind's
    error is said the same way.)"""
    family = socket.AF_INET6 if ":" in settings.webhook_listen else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        probe.bind((settings.webhook_listen, settings.webhook_port))


def _run(args: argparse.Namespace) -> int:
    try:
        settings = BotSettings.from_env()
    except BotSettingsError as error:
        print(f"qa-bot: {error}", file=sys.stderr)
        return 2
    starting = StartupErrorFilter()
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter(settings.token))
        if not args.debug:
            handler.addFilter(starting)
    try:
        # Before the model loads (about 20 s): a refused token or a taken port fails at once.
        if settings.webhook_url:
            check_webhook_port(settings)
        asyncio.run(check_telegram(settings))
        qa = ready(settings)
        application = build_application(settings, qa)
        application.post_init = _started(application.post_init, starting)
        if settings.webhook_url:
            log.info("webhook mode on %s:%s", settings.webhook_listen, settings.webhook_port)
            application.run_webhook(**webhook_options(settings))
        else:
            log.info("long polling %s", settings.api_url)
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except KeyboardInterrupt:
        print("qa-bot: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if caused_by_interrupt(error):
            print("qa-bot: interrupted", file=sys.stderr)
            return 130
        # Start-up failures (no index, a damaged one, an unwritable state file, a token
        # Telegram refuses, an unreachable Bot API server, a webhook port in use) are one
        # line; --debug adds the traceback. Once running, handlers' errors go to
        # handlers.on_error instead.
        if args.debug:  # the traceback, never the token
            print(handlers.redact(traceback.format_exc(), settings.token), file=sys.stderr)
        print(f"qa-bot: {startup_error(error, settings)}", file=sys.stderr)
        return 1
    return 0


def _started(
    post_init: Callable[[Application], Coroutine[Any, Any, None]] | None,
    starting: StartupErrorFilter,
) -> Callable[[Application], Coroutine[Any, Any, None]]:
    """``post_init`` that also marks the start-up as done (the bot is connected)."""

    async def run(application: Application) -> None:
        if post_init is not None:
            await post_init(application)
        starting.started = True

    return run


def _bot_api(settings: BotSettings) -> str:
    """The Bot API server, as an error names it."""
    if settings.api_url == TELEGRAM_API_URL:
        return f"Telegram ({settings.api_url})"
    return f"the Bot API server at {settings.api_url} (TELEGRAM_API_URL)"


def _not_the_bot_api(error: BaseException) -> str | None:
    """The HTTP status of a reply PTB could not read as the Bot API's JSON (it says so in the
    message of the error it raises, which ``Bot.initialize`` may wrap), else ``None``."""
    cause: BaseException | None = error
    while cause is not None:
        message, parse_failed, _reply = str(cause).partition(". Parsing the server response")
        if isinstance(cause, TelegramError) and parse_failed:
            return message
        cause = cause.__cause__ or cause.__context__
    return None


def startup_error(error: BaseException, settings: BotSettings) -> str:
    """An error at start-up as one line, never showing the token: a refused token, a Bot
    API server that cannot be reached (the name does not resolve, refused, no answer in
    time) or that does not answer like one, a webhook port in use, or the library's own
    one-line description."""
    network = network_problem(error)
    status = _not_the_bot_api(error)
    if status is not None:
        # An HTTP reply that is not JSON: a proxy's or another server's page, not the Bot API.
        text = (
            f"{_bot_api(settings)} did not answer like a Telegram Bot API server ({status}); "
            "check TELEGRAM_API_URL, or the network's proxy"
        )
    elif isinstance(error, InvalidToken):
        text = "Telegram refused the token (TELEGRAM_BOT_TOKEN): check it with @BotFather"
    elif network is not None:
        listening = network[1]
        where = (
            f"{settings.webhook_listen}:{settings.webhook_port} "
            "(TELEGRAM_WEBHOOK_LISTEN, TELEGRAM_WEBHOOK_PORT)"
            if listening
            else _bot_api(settings)
        )
        text = describe(error, rerun="qa-bot", address=where)
    elif isinstance(error, TelegramError):
        text = str(error)
    else:
        text = describe(error, rerun="qa-bot")
    return handlers.redact(" ".join(text.split()), settings.token)


def main(argv: list[str] | None = None) -> int:
    """Run the bot until interrupted: long polling, or a webhook server when configured.
    Exit code 2 for a bad setting, 1 when it cannot start (one line on stderr), 130 when
    interrupted during start-up."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=logging.DEBUG if args.verbose else logging.INFO,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request, with URL
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)  # which CPU build it loads
    return _run(args)
