"""Chinese words: jieba's segmentation and parts of speech, loaded once, on first use.

jieba builds its dictionary the first time it cuts text, and that start is not thread-safe:
every caller goes through here.

jieba keeps the dictionary it builds (half a million prefixes) in a cache file and reads it
back with ``marshal.load`` on the open file, which calls back into Python for each of those
entries: on this project's machines that read is most of a cold ``qa ask``'s segmentation
time, and reading the same file's bytes first and decoding them in one ``marshal.loads`` is
about four times faster (measured in ``benchmarks/latency.py --cold``). So the default
dictionary's cache is read here, from the file jieba itself would read, and jieba builds and
writes it as it always does when there is none yet or it cannot be read.
"""

from __future__ import annotations

import logging
import marshal
import os
import tempfile
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

_LOCK = threading.Lock()


def _ready() -> None:
    import jieba

    with _LOCK:
        if not jieba.dt.initialized:
            jieba.setLogLevel(logging.WARNING)
            if not read_cache(jieba.dt, jieba.DEFAULT_DICT):
                jieba.initialize()


def read_cache(tokenizer: jieba.Tokenizer, default_dictionary: str | None) -> bool:
    """Load a ``jieba.Tokenizer``'s default dictionary from its cache file in one read;
    False when that cannot be done (another dictionary, no cache yet, a damaged file):
    ``tokenizer.initialize()`` does it then."""
    if tokenizer.dictionary != default_dictionary:
        return False
    path = os.path.join(
        tokenizer.tmp_dir or tempfile.gettempdir(), tokenizer.cache_file or "jieba.cache"
    )
    try:
        with open(path, "rb") as cache:
            freq, total = marshal.loads(cache.read())
    except (OSError, ValueError, EOFError, TypeError):
        return False
    if not isinstance(freq, dict) or not isinstance(total, int) or not freq:
        return False
    with tokenizer.lock:
        tokenizer.FREQ, tokenizer.total = freq, total
        tokenizer.initialized = True
    return True


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


__all__ = ["read_cache", "tagged", "words"]
