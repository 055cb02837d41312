"""Official statistical indicators by name, in Chinese and English (``indicators.tsv``).

A question names an indicator its own way — 规上工业增加值 for 规模以上工业增加值, 经济总量
for 地区生产总值, "GDP", "new urban jobs" — and a report writes it another. ``lookup``
finds the indicators a piece of question text names, so that the clause that answers can
be recognised by any of the indicator's Chinese names. The data's source is in the file's
header (the National Bureau of Statistics' bilingual statistical communiqués).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qa.text import fold_chars

DATA = Path(__file__).with_name("indicators.tsv")


@dataclass(frozen=True)
class Indicator:
    """One indicator: its Chinese name, the other names reports use, its English names."""

    name: str
    variants: tuple[str, ...]
    english: tuple[str, ...]

    @property
    def chinese(self) -> tuple[str, ...]:
        """Every Chinese name, the official one first."""
        return (self.name, *self.variants)


@lru_cache(maxsize=1)
def indicators() -> tuple[Indicator, ...]:
    """Every indicator of the data file, in its order."""
    out: list[Indicator] = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, variants, english = [*line.split("\t"), "", ""][:3]
        out.append(
            Indicator(
                name=name.strip(),
                variants=tuple(v.strip() for v in variants.split("|") if v.strip()),
                english=tuple(e.strip().lower() for e in english.split("|") if e.strip()),
            )
        )
    return tuple(out)


def lookup_chinese(text: str) -> list[Indicator]:
    """The indicators ``text`` names in Chinese, longest name first (a name inside a longer
    one found is not counted again: 城镇新增就业 is not also 城镇就业)."""
    # 的 between the words of a name changes nothing (单位GDP的二氧化碳排放).
    folded = fold_chars(text).lower().replace("的", "")
    found: list[tuple[int, int, Indicator]] = []
    for ind in indicators():
        for name in sorted(ind.chinese, key=len, reverse=True):
            at = folded.find(fold_chars(name).lower())
            if at >= 0:
                found.append((at, at + len(name), ind))
                break
    found.sort(key=lambda f: -(f[1] - f[0]))
    kept: list[tuple[int, int, Indicator]] = []
    for start, end, ind in found:
        if not any(s <= start and end <= e for s, e, _ in kept):
            kept.append((start, end, ind))
    return [ind for _, _, ind in sorted(kept, key=lambda f: f[0])]


_WORD = re.compile(r"[a-z0-9&+.'\-]+")


def _words(text: str) -> list[str]:
    from qa import cedict

    return [cedict.lemma(t) for t in _WORD.findall(text.lower())]


def lookup_english(text: str) -> list[Indicator]:
    """The indicators an English ``text`` names (every word of an English name present, in
    dictionary form: "grain output" in "What grain output target…"), most words first."""
    words = set(_words(text))
    scored: list[tuple[int, Indicator]] = []
    for ind in indicators():
        best = 0
        for name in ind.english:
            name_words = _words(name)
            if name_words and all(w in words for w in name_words):
                best = max(best, len(name_words))
        if best:
            scored.append((best, ind))
    if not scored:
        return []
    top = max(n for n, _ in scored)
    return [ind for n, ind in scored if n == top]


__all__ = ["Indicator", "indicators", "lookup_chinese", "lookup_english"]
