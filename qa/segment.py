"""Chinese words: jieba's segmentation and parts of speech, loaded once, on first use.

jieba builds its dictionary (about a second) the first time it cuts text, and that start is
not thread-safe: every caller goes through here.
"""

from __future__ import annotations

import logging
import threading

_LOCK = threading.Lock()


def _ready() -> None:
    import jieba

    with _LOCK:
        if not jieba.dt.initialized:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()


def words(text: str) -> list[str]:
    """``text`` (Simplified) cut into words; the words joined give ``text`` back."""
    _ready()
    import jieba

    return jieba.lcut(text)


def tagged(text: str) -> list[tuple[str, str]]:
    """``text`` (Simplified) cut into words with their parts of speech (jieba's tag set:
    n… nouns, v verbs, p prepositions, d adverbs…)."""
    _ready()
    import jieba.posseg

    return [(w.word, w.flag) for w in jieba.posseg.lcut(text)]


__all__ = ["tagged", "words"]
