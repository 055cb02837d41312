"""The Telegram bot's settings, read from the environment (or a ``.env`` file) through the
library's one reader, ``qa.config.env``; the library never looks at these.

    TELEGRAM_BOT_TOKEN       the bot's token from @BotFather (required; never printed)
    TELEGRAM_API_URL         root URL of the Bot API server (default: Telegram's)
    QA_INDEX                 index folder (built from ``QA_DATA`` when missing)
    QA_BOT_ALLOWED_CHATS     chat ids the bot answers in, comma separated (default: all)
    QA_BOT_RATE_LIMIT        questions per user, ``N/SECONDS`` (default 10/60; ``off``)
    QA_BOT_STATE             the bot's state file: "more" pages and question budgets, kept
                             across restarts (default ``bot-state.sqlite`` in the index
                             folder; ``off`` keeps them in memory only)
    TELEGRAM_WEBHOOK_URL     public HTTPS URL; set it to receive updates by webhook
    TELEGRAM_WEBHOOK_LISTEN  address the webhook server binds (default 0.0.0.0)
    TELEGRAM_WEBHOOK_PORT    port the webhook server binds (default 8443)
    TELEGRAM_WEBHOOK_SECRET  secret token Telegram sends back (default: random per start)
    QA_MICRO_BATCH_MS        window in which questions arriving together are embedded as one
                             batch (default for the bot 4 ms; 0 turns it off)
    QA_BOT_CONVERSATION_SECONDS  how long a follow-up question may follow up the previous
                             one, per chat and user (default 3600)
    QA_FEEDBACK              the feedback file of the 👍 / 👎 buttons under answers (default
                             ``feedback.sqlite`` in the index folder; ``off`` hides them)
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from qa.config import (
    DEFAULT_CONVERSATION_SECONDS,
    conversation_seconds,
    default_index_dir,
    env,
    feedback_file,
    micro_batch_ms,
)
from qa.config import rate_limit as config_rate_limit
from qa.errors import QAError, SettingError

#: Telegram's own Bot API server; self-hosted servers (telegram-bot-api) are set with
#: ``TELEGRAM_API_URL``.
TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_RATE_LIMIT = "10/60"
#: The bot answers each message in a worker thread; questions that arrive within this many
#: milliseconds of each other are embedded in one batch (a lone question waits at most this).
DEFAULT_MICRO_BATCH_MS = 4.0
#: The state file's name inside the index folder, when ``QA_BOT_STATE`` does not say.
STATE_FILENAME = "bot-state.sqlite"


class BotSettingsError(ValueError):
    """A bot setting is missing or malformed. The message never contains the token."""


def _token_is_well_formed(token: str) -> bool:
    return re.fullmatch(r"\d+:[A-Za-z0-9_-]{30,}", token, flags=re.ASCII) is not None


def _chat_ids(value: str | None) -> frozenset[int] | None:
    if value is None:
        return None
    ids: set[int] = set()
    for item in value.replace(",", " ").split():
        try:
            ids.add(int(item))
        except ValueError:
            raise BotSettingsError(
                f"QA_BOT_ALLOWED_CHATS: {item!r} is not a chat id (a whole number, "
                "negative for groups)"
            ) from None
    if not ids:
        raise BotSettingsError("QA_BOT_ALLOWED_CHATS is set but lists no chat id")
    return frozenset(ids)


def _url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BotSettingsError(f"{name}: {value!r} is not an http(s) URL")
    return value.rstrip("/")


@dataclass(frozen=True, repr=False)
class BotSettings:
    """The Telegram bot's settings (see the list above); ``from_env()`` reads and checks them.

    ``rate_limit`` questions per ``rate_window`` seconds per user; 0 turns the limit off.
    ``allowed_chat_ids`` None means every chat. Webhook mode is on when ``webhook_url`` is set.
    ``state_file`` keeps "more" pages and question budgets across restarts (``None``: in
    memory only). ``feedback_file`` keeps the 👍 / 👎 given under answers (``None``: no
    such buttons). A question follows up the previous one of its user in its chat for
    ``conversation_seconds`` after it (kept in the state file too).
    """

    token: str
    api_url: str = TELEGRAM_API_URL
    index_dir: Path | None = None
    allowed_chat_ids: frozenset[int] | None = None
    rate_limit: int = 10
    rate_window: float = 60.0
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    state_file: Path | None = None
    micro_batch_ms: float = DEFAULT_MICRO_BATCH_MS
    feedback_file: Path | None = None
    conversation_seconds: float = DEFAULT_CONVERSATION_SECONDS

    def __post_init__(self) -> None:
        if not _token_is_well_formed(self.token):
            raise BotSettingsError(
                "TELEGRAM_BOT_TOKEN is malformed: expected '<bot id>:<secret>' as @BotFather "
                "gives it, digits, a colon and 30 or more letters, digits, '_' or '-' "
                "(the value is not shown)"
            )
        if self.webhook_secret is not None and not (
            1 <= len(self.webhook_secret) <= 256
            and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in self.webhook_secret)
        ):
            raise BotSettingsError(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 letters, digits, '_' or '-'"
            )

    @property
    def webhook_path(self) -> str:
        """The path of ``webhook_url``, where the local webhook server listens."""
        return urlsplit(self.webhook_url or "").path.strip("/")

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return (
            f"BotSettings(token=<hidden>, api_url={self.api_url!r}, index_dir={self.index_dir!r}, "
            f"allowed_chat_ids={self.allowed_chat_ids!r}, rate_limit={self.rate_limit}/"
            f"{self.rate_window:g}s, webhook_url={self.webhook_url!r}, "
            f"state_file={self.state_file!r}, feedback_file={self.feedback_file!r}, "
            f"conversation_seconds={self.conversation_seconds:g})"
        )

    @classmethod
    def from_env(cls) -> BotSettings:
        """Read the settings from the environment (or ``.env``); ``BotSettingsError`` if a
        value is missing or malformed."""
        token = env("TELEGRAM_BOT_TOKEN")
        if token is None:
            raise BotSettingsError(
                "TELEGRAM_BOT_TOKEN is not set: put the token @BotFather gave you in the "
                "environment or in a .env file"
            )
        try:
            rate_limit, rate_window = config_rate_limit("QA_BOT_RATE_LIMIT", DEFAULT_RATE_LIMIT)
        except SettingError as exc:
            raise BotSettingsError(str(exc)) from None
        webhook_url = env("TELEGRAM_WEBHOOK_URL")
        secret = env("TELEGRAM_WEBHOOK_SECRET")
        if webhook_url is not None:
            webhook_url = _url("TELEGRAM_WEBHOOK_URL", webhook_url)
            if secret is None:
                secret = secrets.token_urlsafe(32)
        port = env("TELEGRAM_WEBHOOK_PORT", "8443") or "8443"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise BotSettingsError(f"TELEGRAM_WEBHOOK_PORT: {port!r} is not a port number")
        index_dir = default_index_dir()
        return cls(
            token=token.strip(),
            api_url=_url("TELEGRAM_API_URL", env("TELEGRAM_API_URL", TELEGRAM_API_URL) or ""),
            index_dir=index_dir,
            allowed_chat_ids=_chat_ids(env("QA_BOT_ALLOWED_CHATS")),
            rate_limit=rate_limit,
            rate_window=rate_window,
            webhook_url=webhook_url,
            webhook_listen=env("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0") or "0.0.0.0",
            webhook_port=int(port),
            webhook_secret=secret,
            state_file=_state_file(env("QA_BOT_STATE"), index_dir),
            micro_batch_ms=_micro_batch_ms(),
            feedback_file=feedback_file(index_dir),
            conversation_seconds=_conversation_seconds(),
        )


def _micro_batch_ms() -> float:
    try:
        return micro_batch_ms(default=DEFAULT_MICRO_BATCH_MS)
    except QAError as error:  # read by the library's one reader; a bot setting error here
        raise BotSettingsError(str(error)) from None


def _conversation_seconds() -> float:
    try:
        return conversation_seconds("QA_BOT_CONVERSATION_SECONDS")
    except QAError as error:
        raise BotSettingsError(str(error)) from None


def _state_file(value: str | None, index_dir: Path) -> Path | None:
    if value is None:
        return index_dir / STATE_FILENAME
    if value.strip().lower() in ("off", "memory", "none"):
        return None
    return Path(value).expanduser()
