"""Text folding and tokenisation for *matching only*; quoted text is never changed.

Questions and reports differ in script (Traditional vs Simplified), in character forms
(the bundled report mixes 志愿/規范/后補 into Traditional text) and in punctuation width.
``fold`` maps all of that onto one form: NFKC (full-width → ASCII), lower case, and
OpenCC ``t2s`` (Simplified is the many-to-one side, so 乾/幹/干 all fold to 干).
``lexical_tokens`` turns folded text into BM25 terms: CJK character unigrams and
bigrams (Chinese has no spaces, and character n-grams are the strong, dictionary-free
baseline on Chinese passage retrieval), Latin words and numbers kept whole, and Chinese
numerals written as digits (a question's 三年 or 十四 must meet the report's 3年 or 14).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from qa.numerals import chinese_numeral
from qa.policy import LANGUAGE as _LANGUAGE

if TYPE_CHECKING:
    from opencc import OpenCC

#: Recorded in the index manifest: an index built with other folding must be rebuilt.
FOLDING = "nfkc+lower+opencc-t2s"
TOKENIZER = "cjk-uni+bigram/latin-words/numbers/chinese-numerals-as-digits"

# OpenCC converters are not documented as thread-safe, and building one costs 0.3–1 s (it
# loads its dictionaries): one converter per configuration, shared, each call under its lock
# (a conversion of a question or sentence takes microseconds).
_converters: dict[str, tuple[OpenCC, threading.Lock]] = {}
_converters_lock = threading.Lock()


def _converter(config: str) -> tuple[OpenCC, threading.Lock]:
    found = _converters.get(config)
    if found is None:
        with _converters_lock:
            found = _converters.get(config)
            if found is None:
                import opencc

                found = _converters[config] = (opencc.OpenCC(config), threading.Lock())
    return found


def opencc_convert(text: str, config: str) -> str:
    """``text`` through OpenCC ``config`` ("t2s": Traditional → Simplified, "s2tw": back)."""
    conv, lock = _converter(config)
    with lock:
        return conv.convert(text)


def warm_up() -> None:
    """Load the converters every question uses, so that the first questions do not pay."""
    for config in ("t2s", "s2t", "s2tw"):
        _converter(config)


def fold(text: str) -> str:
    """Fold ``text`` for matching: NFKC, lower case, Traditional → Simplified."""
    return opencc_convert(unicodedata.normalize("NFKC", text).lower(), "t2s")


def chinese_script(text: str) -> Literal["zh-Hant", "zh-Hans"] | None:
    """ "zh-Hant" or "zh-Hans" when most characters that differ between the scripts are of
    that one (the bundled report, Traditional with stray 志愿/規范, is zh-Hant); ``None``
    for text with no such characters or no clear majority."""
    traditional = _differing(text, opencc_convert(text, "t2s"))
    simplified = _differing(text, opencc_convert(text, "s2t"))
    total = traditional + simplified
    if not total:
        return None
    if traditional >= _LANGUAGE.script_majority * total:
        return "zh-Hant"
    if simplified >= _LANGUAGE.script_majority * total:
        return "zh-Hans"
    return None


def _differing(text: str, converted: str) -> int:
    if len(converted) != len(text):  # a phrase conversion changed the length: count loosely
        kept = set(converted)
        return sum(1 for ch in text if ch not in kept)
    return sum(1 for a, b in zip(text, converted, strict=True) if a != b)


def to_script(text: str, script: str | None) -> str:
    """``text`` converted to ``script`` ("zh-Hant"/"zh-Hans"); unchanged for ``None``.

    Traditional is OpenCC's Taiwan standard (s2tw: 群, 為, 裡, as the bundled report and
    most Traditional text write them), not its older character standard (s2t: 羣, 爲, 裏).
    """
    if script == "zh-Hant":
        return opencc_convert(text, "s2tw")
    if script == "zh-Hans":
        return opencc_convert(text, "t2s")
    return text


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs (the characters tokenised one by one)."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2FA1F
        or 0xF900 <= cp <= 0xFAFF
        or 0x3040 <= cp <= 0x30FF  # kana: treated like ideographs
    )


# One unit: a CJK ideograph, a number (decimal point and thousands separators kept), or a
# Latin word. Units that touch (no space or punctuation between) also form bigrams, so
# 2020年 gives "2020年" and 養老 gives "养老"; measured on drcd-dev, bigrams that join a
# number to its neighbouring character lift BM25 R@1 from 0.941 to 0.949.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\U00020000-\U0002fa1f"
_UNIT = re.compile(rf"[{_CJK}]|\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+(?:\.\d+)?|[^\W\d_{_CJK}]+")


# A run of Chinese numeral characters with at least one digit (十 alone counts: 十年). Runs
# of 百/千 alone (百姓, 千万) are words, not numbers; 萬/億 stay characters, as the
# reports write 1.1亿 and 186.3万.
_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千]+")
_NUMERAL_DIGITS = frozenset("零〇一二两三四五六七八九")


def _numeral_as_digits(match: re.Match) -> str:
    run = match.group()
    if not (_NUMERAL_DIGITS.intersection(run) or run[0] == "十"):
        return run
    read = chinese_numeral(run)
    if read is None or read[0] != read[0].to_integral_value():
        return run  # 三五 ("three or five") and other non-numbers stay as written
    return str(int(read[0]))


def tokens_of_folded(folded: str) -> list[str]:
    """BM25 terms of already-folded text: units, then bigrams of touching units."""
    units: list[str] = []
    bigrams: list[str] = []
    prev_end = -1
    for match in _UNIT.finditer(_NUMERAL.sub(_numeral_as_digits, folded)):
        unit = match.group()
        if unit[0].isdigit():
            unit = unit.replace(",", "")
        if match.start() == prev_end:
            bigrams.append(units[-1] + unit)
        units.append(unit)
        prev_end = match.end()
    return units + bigrams


@lru_cache(maxsize=4096)
def _cached_tokens(text: str) -> tuple[str, ...]:
    return tuple(tokens_of_folded(fold(text)))


def lexical_tokens(text: str) -> list[str]:
    """BM25 terms of ``text``: folded CJK uni+bigrams, Latin words, whole numbers."""
    return list(_cached_tokens(text))


def is_english(text: str) -> bool:
    """True when ``text`` is English rather than Chinese: fewer of its letters are CJK than
    the process-wide ``qa.policy.LANGUAGE.english_below_cjk_share`` (numbers and Latin names aside,
    questions are almost all CJK or almost none)."""
    return cjk_share(text) < _LANGUAGE.english_below_cjk_share


def cjk_share(text: str) -> float:
    """Share of the letters in ``text`` that are CJK ideographs (0 for English)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if is_cjk(ch)) / len(letters)


# "這篇報告", "報告裡", "报告中提到", "the report", "this article": the question pointing at
# the document it is asked of. Every passage is "in the report", so these words are no
# evidence for any of them — and they match the wrong ones (the report's 零報告制度, the
# record's 報紙). A 報告 that is part of a term (零報告, 報告制度) stays.
_DOC_NOUN = r"(?:報告|报告|報道|报道|文章|綜述|综述)"
_DOCUMENT_REFERENCE = re.compile(
    rf"(?:這篇|这篇|這份|这份|該|该|本|此){_DOC_NOUN}(?:裡|里|中|內|内|上)?"
    rf"|(?<![{_CJK}]){_DOC_NOUN}(?:裡|里|中|內|内)"
    rf"|^{_DOC_NOUN}(?=提到|提及|說|说|講|讲|指出|顯示|显示|描述|介紹|介绍)"
    r"|\b(?:the|this|that)\s+(?:report|article|document|text)\b",
    re.IGNORECASE,
)


def drop_document_references(question: str) -> str:
    """``question`` without the words that point at the document itself ("報告裡提到…",
    "what does the report say…"), for matching only."""
    return _DOCUMENT_REFERENCE.sub(" ", question)


class _CharFolds(dict):
    """Code point → its folded character, filled on first sight (``str.translate`` asks
    it for each character, in C)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        nf = unicodedata.normalize("NFKC", ch).lower()
        one = nf if len(nf) == 1 else ch.lower() if len(ch.lower()) == 1 else ch
        converted = opencc_convert(one, "t2s") if ord(one) > 0x2E7F else one
        folded = self[code] = converted if len(converted) == 1 else one
        return folded


_CHAR_FOLDS = _CharFolds()


def fold_chars(text: str) -> str:
    """``text`` folded character by character (NFKC where it keeps one character, lower
    case, Traditional → Simplified), so that positions in the result are positions in
    ``text``: lexicons kept in one script (``qa.lang``) find their words, and the spans
    found are the original text's."""
    return text.translate(_CHAR_FOLDS)
