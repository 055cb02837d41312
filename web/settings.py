"""The settings of ``qa serve``, read from the environment (or a ``.env`` file) through the
library's one reader, ``qa.config``; the command line gives the index, host and port.

    QA_INDEX                      index folder (built from ``QA_DATA`` when missing)
    QA_WEB_TOKEN                  token ``/api/*`` requires (``Authorization: Bearer …``) when set
    QA_WEB_RATE_LIMIT             questions per client, ``N/SECONDS`` (default 30/60; ``off``)
    QA_WEB_CONVERSATION_SECONDS   how long a conversation is kept for follow-ups (default 3600)
    QA_FEEDBACK                   the feedback file (default ``feedback.sqlite`` in the index
                                  folder; ``off`` hides the 👍 / 👎 buttons)
    QA_MICRO_BATCH_MS             window in which questions arriving together are embedded as
                                  one batch (default for the server 4 ms; 0 turns it off)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qa.config import (
    conversation_seconds,
    default_index_dir,
    feedback_file,
    micro_batch_ms,
    web_rate_limit,
    web_token,
)

#: The address ``qa serve`` binds unless told otherwise: this machine only.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Questions that arrive within this many milliseconds of each other are embedded in one
#: batch (as the bot does: both answer in worker threads).
DEFAULT_MICRO_BATCH_MS = 4.0


@dataclass(frozen=True, repr=False)
class WebSettings:
    """The server's settings (see the list above). ``rate_limit`` questions per
    ``rate_window`` seconds per client, 0 for no limit; ``feedback_file`` ``None`` turns
    feedback off."""

    index_dir: Path | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    rate_limit: int = 30
    rate_window: float = 60.0
    conversation_seconds: float = 3600.0
    feedback_file: Path | None = None
    micro_batch_ms: float = DEFAULT_MICRO_BATCH_MS

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return (
            f"WebSettings(index_dir={self.index_dir!r}, host={self.host!r}, port={self.port}, "
            f"token={'<set>' if self.token else None}, rate_limit={self.rate_limit}/"
            f"{self.rate_window:g}s, conversation_seconds={self.conversation_seconds:g}, "
            f"feedback_file={self.feedback_file!r})"
        )

    @classmethod
    def from_env(
        cls, *, index_dir: Path | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
    ) -> WebSettings:
        """The settings of the environment (``SettingError`` for a malformed one)."""
        index = index_dir or default_index_dir()
        limit, window = web_rate_limit()
        return cls(
            index_dir=index,
            host=host,
            port=port,
            token=web_token(),
            rate_limit=limit,
            rate_window=window,
            conversation_seconds=conversation_seconds(),
            feedback_file=feedback_file(index),
            micro_batch_ms=micro_batch_ms(default=DEFAULT_MICRO_BATCH_MS),
        )
