"""Whether the figures an answer quotes are figures *of what was asked*.

A confident wrong figure is the worst reply there is, and the commonest kind quotes a
figure of the right size and the wrong thing: a count of projects for "how many
institutions", one item of a budget for "the total budget". Two checks read what the
question asks and what each quoted figure counts, from the text alone:

* **counted thing** (``counted_agrees``): "how many X" — 多少/幾 + measure word + noun
  (多少家養老院, 幾個項目, 多少名社工), or "how many X" in English — is answered only by a
  quoted figure that counts X. The figure's *segment* (its stretch of the sentence between
  punctuation, 、 and 和/與/及, so that in 組建A和13個B the 13 counts B only) must name
  the noun: for a Chinese noun (the noun phrase after the measure word, ended at the
  predicate by its parts of speech, jieba), its head — Chinese nouns are head-final, so
  機構 of 養老機構, which 養老產業項目 does not name — or half its character bigrams;
  for an English one, its head
  noun, or two of its modifiers ("video scheduling conferences" → 视频调度会), through the
  dictionary both ways — a CC-CEDICT rendering of the word stands in the segment, or the
  word is in the segment's English bag (the glosses of its words, as the index's English
  bags have them: 233幅画作 holds "painting") — or the figure's measure word is a
  rendering of the noun (15亿吨 for tons). A measure word alone (新增了多少張) must be the
  figure's; 多少人 takes any head count (人 is itself what is counted; 名 and 位 count the
  noun after them). Money, a rate or a year never answers a count.
* **whole vs item** (``whole_agrees``): a question about a whole — a budget or a total
  amount (預算, 總額, "total budget"), or 一共/總共 over a whole category (所有/各項
  …一共) — is answered only by a figure whose segment names that whole, or states a total
  (總/共計/合計/累計/全年) of that category. 一共 alone does not make a question about a
  whole: "一共發了多少補貼" asks for the report's one total, whatever it is.

``lenient_kinds`` reads the kinds of figure a sentence states more generously than the
figure marker does (a space before the unit, "1943 年"; a bare year; "16,000"; 一半), for
the "no figure of the asked kind" test only: that test must not decline a sentence that
states the figure in a form the marker leaves unmarked.

Text is matched folded (``qa.text.fold``: Simplified, lower case); thresholds are in
``qa.policy.AnswerPolicy``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa import cedict
from qa.answer.figures import Figure, FigureKind, extract_figures, fold_script
from qa.answer.model import Quote
from qa.answer.numbers import EN_AUXILIARIES, EN_PEOPLE_NOUNS
from qa.cedict import lemma
from qa.policy import DEFAULT, AnswerPolicy
from qa.retrieve.crosslingual import SHIPPED_LOOKUP, EnglishLookup
from qa.segment import tagged
from qa.text import fold

__all__ = [
    "Counted",
    "asked_counts",
    "counted_agrees",
    "lenient_kinds",
    "warm_up",
    "whole_agrees",
]

# --- what a question counts ----------------------------------------------------------------
_MEASURES = "个家张份项期轮所座条件户批场处床类种对支倍部套间台名位次人"
_PEOPLE_MEASURES = frozenset({"人", "名", "位", "人次"})
# 幾 after 那/這/哪/好 is "those few"/"several"; after 第 it asks for a rank; after a
# number it is "-odd" (二十几所, 20几个: an approximate number, not a question).
_ZH_HOW_MANY = re.compile(
    rf"(?<![第那这哪好\d十百千])(?:多少|几)(?P<measure>人次|[{_MEASURES}])"
    rf"(?P<noun>[^，。？！,.?!;；、]{{0,12}})"
)
# A question that asks something else (哪一年, 哪个, 什么, 谁, 为什么, 怎样) uses 几 for
# "several": 北朝几个朝代中，哪个朝代… asks which dynasty, not how many.
_OTHER_QUESTION = re.compile(r"哪|什么|甚么|谁|何|为什么|怎|如何|吗")
# The noun ends where the predicate starts (参与了, 拿到的, 是, 有, 还没, 已经, 之前…): the
# characters that end it for certain; the part of speech (``_noun_phrase``) ends it at a verb.
_NOUN_END = re.compile(r"[了的是有在被把将从向对给为和与及还没已曾也就才之]")
# 人 and 人次 are themselves what is counted (多少人参加: the words after them are the
# predicate); 名 and 位 are measure words of a noun that follows (多少名社工).
_NOUNLESS_MEASURES = frozenset({"人", "人次"})
# The measure word almost any noun takes: no evidence of which noun a figure counts.
_GENERAL_MEASURES = frozenset({"个", "個"})
_EN_HOW_MANY = re.compile(r"\bhow many\s+((?:[a-z][a-z'-]*\s*){1,8})")
# Words that end the noun phrase after "how many": auxiliaries, prepositions, articles.
_EN_PHRASE_END = EN_AUXILIARIES | frozenset(
    [
        "in",
        "of",
        "for",
        "on",
        "at",
        "to",
        "from",
        "by",
        "with",
        "the",
        "a",
        "an",
        "and",
        "or",
        "that",
        "which",
        "who",
        "there",
        "this",
        "these",
        "those",
        "worth",
        "each",
        "per",
    ]
)
_EN_PREPOSITIONS = ("in", "of", "for", "at", "from")
_EN_ARTICLES = frozenset({"the", "a", "an"})
# Words that ask for a head count of anyone, and nouns of groups of people (a head count,
# of that group).
_EN_PEOPLE = frozenset(
    {"people", "persons", "person", "individuals", "person-times", "residents", "recipients"}
)
# The figure reader's people nouns, and groups a question names by their job.
_EN_PEOPLE_NOUNS = EN_PEOPLE_NOUNS | frozenset(
    {"staff", "nurses", "servants", "employees", "officials"}
)
# Units are the asked-kind test's business (``qa.answer.numbers``), not a counted thing.
_EN_UNITS = frozenset(
    [
        "times",
        "rounds",
        "round",
        "sessions",
        "session",
        "years",
        "year",
        "months",
        "month",
        "days",
        "weeks",
        "hours",
        "yuan",
        "percent",
    ]
)


@dataclass(frozen=True)
class Counted:
    """One "how many X" of a question: a head count (``people``) or a count of things,
    with the Chinese measure word and noun, or the English noun phrase and its head."""

    kind: FigureKind  # "people" or "count"
    measure: str | None = None
    noun: str = ""
    #: The noun phrase's head, its last noun (机构 of 养老机构): Chinese nouns are head-final.
    head: str = ""
    english_head: str | None = None
    english_words: tuple[str, ...] = ()


def _plural(word: str) -> bool:
    return word in _EN_PEOPLE or (word.endswith("s") and not word.endswith("ss"))


def asked_counts(question: str) -> list[Counted]:
    """The "how many X" parts of ``question`` (Chinese in either script, or English); a
    bare 多少 (money, a share) or a unit ("how many years") is not a counted thing."""
    out: list[Counted] = []
    folded = fold(question)
    for m in _ZH_HOW_MANY.finditer(folded):
        if m.group().startswith("几") and _OTHER_QUESTION.search(folded):
            continue
        measure = m.group("measure")
        kind: FigureKind = "people" if measure in _PEOPLE_MEASURES else "count"
        noun, head = "", ""
        if measure not in _NOUNLESS_MEASURES:
            noun, head = _noun_phrase(_NOUN_END.split(m.group("noun"))[0])
        out.append(Counted(kind, measure, noun, head))
    for m in _EN_HOW_MANY.finditer(question.lower()):
        after = m.group(1).split()
        words: list[str] = []
        for w in after:
            if w in _EN_PHRASE_END:
                break
            words.append(w)
        if not words:
            continue
        # "How many" asks about a plural: the head is the first plural word ("civil servants
        # work" → servants), else the last word of the phrase.
        head = next((w for w in words if _plural(w)), words[-1])
        words = words[: words.index(head) + 1]
        rest = after[len(words) :]
        # A prepositional phrase right after the head belongs to the counted thing ("halls in
        # central townships"); a verb after the head ends it ("servants work").
        if rest[:1] and rest[0] in _EN_PREPOSITIONS:
            for w in rest[1:]:
                if w in _EN_ARTICLES:
                    continue
                if w in _EN_PHRASE_END:
                    break
                words.append(w)
                if _plural(w):
                    break
        if head in _EN_UNITS:
            continue
        out.append(
            Counted(
                "people" if head in _EN_PEOPLE or head in _EN_PEOPLE_NOUNS else "count",
                english_head=None if head in _EN_PEOPLE else head,
                english_words=tuple(words),
            )
        )
    return out


def _tagged(text: str) -> list[tuple[str, str]]:
    return tagged(text)


def _noun_phrase(text: str) -> tuple[str, str]:
    """The noun phrase at the start of ``text`` and its head (its last noun): words up to
    the first noun, then nouns only — a verb, preposition or adverb after a noun starts the
    predicate (国家|通过同性婚姻, 元素|组成, 水母|还没有). Modifiers before the first noun
    stay (互助 幸福 院). Without a noun, the whole of ``text``."""
    phrase, head = "", ""
    for word, flag in _tagged(text):
        if flag.startswith("n"):
            phrase, head = phrase + word, word
        elif head:
            break
        else:
            phrase += word
    return (phrase, head) if head else (text, text)


# --- what a figure counts ------------------------------------------------------------------
# A comma between digits is a thousands separator, not the end of a segment.
_SEGMENT_END = re.compile(r"[，；;。！？!?：:\n、]|(?<!\d),|,(?!\d{3})|以及|和|與|与|及")
_NUMBER = r"(?:\d[\d,.]*|[零〇一二两兩三四五六七八九十百千]+)(?:多|余|餘)?(?:万|萬|亿|億)?"
_SPACED = re.compile(r"(?<![\d.])(\d[\d,.]*)(?:多|余|餘)?(?:万|萬|亿|億)?\s+(人次|人|名)?")


def segment(text: str, figure: Figure) -> str:
    """The stretch of ``text`` a figure belongs to (folded): between the punctuation, 、
    and 和/與/及 around it."""
    start = 0
    for m in _SEGMENT_END.finditer(text):
        if m.end() <= figure.start:
            start = m.end()
        elif m.start() >= figure.end:
            return fold(text[start : m.start()])
    return fold(text[start:])


def _counted_figures(text: str, asked: Counted) -> list[Figure]:
    """The figures of ``text``, read leniently for this check: a number followed by the
    question's own measure word counts even where the figure marker does not list it
    (两支, 25具), and so does a number before a space ("40,000 人", "16,000 个")."""
    figures = extract_figures(text)
    taken = [(f.start, f.end) for f in figures]

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in taken)

    extra: list[Figure] = []
    # The question's own measure word, or (for an English question) any that CC-CEDICT
    # lists: 233幅, 25具.
    measures = (
        {asked.measure, fold_script(asked.measure)} if asked.measure else cedict.measure_words()
    )
    pattern = rf"({_NUMBER})\s*({'|'.join(map(re.escape, sorted(measures)))})"
    for m in re.finditer(pattern, text):
        if free(m.start(), m.end()):
            unit = fold(m.group(2))
            kind: FigureKind = "people" if unit in _PEOPLE_MEASURES else "count"
            extra.append(Figure(m.group(), m.start(), m.end(), 0.0, unit, kind, "exact"))
    for m in _SPACED.finditer(text):
        if free(m.start(), m.end()):
            kind = "people" if m.group(2) else "count"
            extra.append(
                Figure(m.group(), m.start(), m.end(), 0.0, m.group(2) or "", kind, "exact")
            )
    return figures + extra


def _renderings(word: str, english: EnglishLookup, *, shortest: int = 2) -> list[str]:
    """Chinese renderings (of ``shortest`` characters or more) of an English word, its lemma
    or its singular."""
    forms = {word, lemma(word)}
    if word.endswith("s"):
        forms.add(word[:-1])
    table = english.glossary()
    return sorted({c for f in forms for c in table.get(f, ()) if len(c) >= shortest})


def _direct_measures(word: str, english: EnglishLookup) -> set[str]:
    """One-character renderings of an English noun, which a figure's measure word can be
    (tons → 吨, species → 种), without the general 个."""
    return {c for c in _renderings(word, english, shortest=1) if len(c) == 1} - _GENERAL_MEASURES


def _in_bag(word: str, bag: set[str]) -> bool:
    """Whether a segment's English bag holds ``word`` or, for a hyphenated word, one of its
    parts (bags hold lemmas)."""
    for part in {word, *word.split("-")}:
        base = lemma(part)
        if part and {part, base, lemma(base)} & bag:
            return True
    return False


def _named(word: str, context: str, english: EnglishLookup) -> bool:
    """Whether ``context`` holds a rendering of ``word`` (or of a part of a hyphenated
    word)."""
    found = [c for part in {word, *word.split("-")} if part for c in _renderings(part, english)]
    return any(fold(c) in context for c in found)


def counts(
    asked: Counted,
    figure: Figure,
    context: str,
    policy: AnswerPolicy,
    *,
    english: EnglishLookup,
) -> bool:
    """Whether ``figure``, standing in ``context`` (its segment, folded), counts what
    ``asked`` asks about. ``english``: the index's dictionary tables
    (``Retriever.english_lookup``); a segment's English bag is made as the index's are."""
    if asked.kind == "people":
        if figure.kind != "people":
            return False
    elif figure.kind not in ("count", "people"):
        return False
    if asked.measure and not asked.noun:
        if asked.kind == "people":
            return True  # 多少人: any head count
        return fold(figure.unit) == asked.measure  # 新增了多少张 → a figure in 张
    if asked.noun:
        # The noun stands in the figure's segment: its head (机构 of 养老机构, since
        # 养老 also begins 养老产业项目), or half its character bigrams.
        context = re.sub(r"\s+", "", context)
        if len(asked.head) >= 2 and asked.head in context:
            return True
        noun, share = asked.noun, policy.counted_noun_bigram_share
        bigrams = {noun[i : i + 2] for i in range(len(noun) - 1)}
        return not bigrams or sum(b in context for b in bigrams) / len(bigrams) >= share
    if asked.english_head:
        unit = fold(figure.unit)
        if unit and any(m in unit for m in _direct_measures(asked.english_head, english)):
            return True  # 15亿吨 counts tons
        # The segment's own English (the glosses of its words, as the index's English bags
        # have them) is the other side of the dictionary: 233幅画作 holds "painting".
        if not any(_renderings(w, english) for w in asked.english_words):
            return True  # words the dictionary does not know: nothing to check
        bag = set(cedict.english_bag(context, english.headwords()))
        words = [w for w in asked.english_words if w != asked.english_head]
        head = _named(asked.english_head, context, english) or _in_bag(asked.english_head, bag)
        others = [_named(w, context, english) or _in_bag(w, bag) for w in words]
        # A head count is already a count of people: one word of the group's name is
        # enough to tell which people (elderly-care workers → 养老护理员2000多人次).
        needed = (
            policy.counted_english_people_modifiers
            if asked.kind == "people"
            else policy.counted_english_modifiers
        )
        return head or sum(others) >= needed
    return True


def counted_agrees(
    question: str,
    quotes: Sequence[Quote],
    policy: AnswerPolicy = DEFAULT.answer,
    *,
    english: EnglishLookup = SHIPPED_LOOKUP,
) -> bool:
    """False when the question asks "how many X" and no quoted figure counts X (true
    when it asks no such thing). ``english``: see ``counts``."""
    for asked in asked_counts(question):
        if not any(
            counts(asked, f, segment(q.passage_text, f), policy, english=english)
            for q in quotes
            for f in _counted_figures(q.passage_text, asked)
            if q.start <= f.start and f.end <= q.end
        ):
            return False
    return True


# --- whole vs item -------------------------------------------------------------------------
_WHOLE_NOUN = re.compile(r"预算|总额|总量|总支出|总收入|总经费")
_WHOLE_NOUN_EN = re.compile(r"\b(?:budget|total (?:amount|spending|expenditure|funding|cost))\b")
_CATEGORY_WORDS = "所有|全部|各项|各类|各种"
_TOTAL_WORDS = "一共|总共|合计|共计|总计"
_WHOLE_CATEGORY = re.compile(
    rf"(?:{_TOTAL_WORDS}).{{0,12}}(?:{_CATEGORY_WORDS})|(?:{_CATEGORY_WORDS}).{{0,12}}(?:{_TOTAL_WORDS})"
)
_WHOLE_CATEGORY_EN = re.compile(
    r"\b(?:in total|altogether|combined|overall)\b.*\b(?:all|every)\b"
    r"|\b(?:all|every)\b.*\b(?:in total|altogether|combined|overall)\b"
)
_CATEGORY = re.compile(rf"(?:{_CATEGORY_WORDS})的?(?P<noun>[\u4e00-\u9fff]{{2,8}})")
_CATEGORY_NOUN_END = re.compile(r"[了的是有在被把将从向对给为和与及一总共合]")
_TOTAL_MARK = re.compile(r"总|共计|合计|累计|全年")


def whole_agrees(
    question: str, quotes: Sequence[Quote], *, english: EnglishLookup = SHIPPED_LOOKUP
) -> bool:
    """False when the question asks about a whole (a budget, a total amount, or a total
    over a whole category) and no quoted figure's segment names that whole (true when it
    asks about no whole). ``english``: see ``counts``."""
    folded = fold(question)
    noun = _WHOLE_NOUN.search(folded)
    english_noun = _WHOLE_NOUN_EN.search(question.lower())
    category = _WHOLE_CATEGORY.search(folded) or _WHOLE_CATEGORY_EN.search(question.lower())
    if not (noun or english_noun or category):
        return True
    match = _CATEGORY.search(folded)
    category_noun = _CATEGORY_NOUN_END.split(match.group("noun"))[0] if match else ""
    for q in quotes:
        for f in extract_figures(q.passage_text):
            if not (q.start <= f.start and f.end <= q.end) or f.kind not in (
                "money",
                "count",
                "people",
            ):
                continue
            context = segment(q.passage_text, f)
            if noun and noun.group() in context:
                return True
            if english_noun and any(
                fold(c) in context for c in _renderings(english_noun.group().split()[-1], english)
            ):
                return True
            if category and not (noun or english_noun) and _TOTAL_MARK.search(context):
                prefixes = [category_noun[:k] for k in range(len(category_noun), 1, -1)]
                if not category_noun or any(p in context for p in prefixes):
                    return True
    return False


# --- reading figures leniently for the asked-kind test --------------------------------------
_SPACE_BEFORE_UNIT = re.compile(r"(?<=\d) +(?=[^\d\s,.;:，。；：])")
_BARE_YEAR = re.compile(
    r"(?<![\d.])(?:1[0-9]{3}|20[0-9]{2})(?![\d.])|\d+ *年代|\d+ *世纪|\d+ *世紀|[一二三四五六七八九十]+世[纪紀]"
)
_BARE_NUMBER = re.compile(
    r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d{2,})(?![\d.,])(?! *(?:年|月|日|号|號|%))"
)
_FRACTION = re.compile(
    r"[一二三四五六七八九十百]+分之[一二三四五六七八九十]+|一半|半数|半數|大多数|大多數|大部分"
)


def _year_like(number: str) -> bool:
    return len(number) == 4 and number.isdigit() and 1000 <= int(number) <= 2099


def lenient_kinds(text: str) -> set[FigureKind]:
    """The kinds of figure ``text`` states, read generously: a space before the unit
    ("1943 年"), a bare year or a decade or century (date), a bare number of two or more
    digits or with thousands separators that is not a year or a date (count, people or
    money), a fraction (percent)."""
    kinds: set[FigureKind] = {f.kind for f in extract_figures(_SPACE_BEFORE_UNIT.sub("", text))}
    if _BARE_YEAR.search(text):
        kinds.add("date")
    if any(not _year_like(m.group()) for m in _BARE_NUMBER.finditer(text)):
        kinds.update(("count", "people", "money"))
    if _FRACTION.search(text):
        kinds.add("percent")
    return kinds


def warm_up(english: EnglishLookup = SHIPPED_LOOKUP) -> None:
    """Make the dictionary tables an English "how many" question needs and the part-of-speech
    tagger a Chinese one needs (about three seconds together) now rather than on the first
    such question (``english``: see ``counts``)."""
    english.headwords()
    cedict.measure_words()
    _tagged("养老机构")
