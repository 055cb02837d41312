"""Split report text into verbatim sentence spans.

The bundled reports are machine conversions that mix Chinese and ASCII punctuation
(``。`` next to ``;`` and ``,``), so splitting works on characters, not on a language
model of sentences. Spans index the original text and never copy or normalise it, so a
quote taken from a span is byte for byte the report's.
"""

from __future__ import annotations

__all__ = ["split_sentences"]

# Always end a sentence. "…" covers both "…" and "……" because a run of terminators is
# consumed as one.
_STRONG = frozenset("。！？!?…")
# Semicolons end a sentence only outside brackets and quotes: inside a parenthetical
# they separate list items of that parenthetical, and splitting there would cut the
# aside in half (the report's "(“兩覆蓋”:…;“兩工程”:… )").
_SEMICOLON = frozenset(";；")
# A closing mark right after a terminator belongs to the sentence it closes.
_CLOSING = frozenset("”’」』)）》】]")
_OPENING = frozenset("“‘「『(（《【[")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029\x0b\x0c\x85")


def _period_ends_sentence(text: str, i: int) -> bool:
    """True when the ASCII '.' at ``i`` ends a sentence rather than a number or date.

    Only a period followed by whitespace or the end of the text (optionally after
    closing marks) counts; "1.1億" and "2020.12.23" therefore never split.
    """
    j = i + 1
    while j < len(text) and text[j] in _CLOSING:
        j += 1
    return j == len(text) or text[j].isspace()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``, in order.

    ``text[start:end]`` is the sentence verbatim, without surrounding whitespace; the
    spans are non-empty, do not overlap, and together cover every non-whitespace
    character. A sentence ends after ``。！？!?…`` (a run such as ``……`` or ``？！``
    counts once), after ``;``/``；`` outside brackets and quotes, after an ASCII ``.``
    followed by whitespace or the end, and at every line break (the reports put one
    paragraph or heading on each line, so a line never continues a sentence). Closing
    quotes and brackets right after the terminator stay with their sentence.
    """
    spans: list[tuple[int, int]] = []
    n = len(text)
    start: int | None = None
    depth = 0  # bracket/quote nesting, only consulted for semicolons
    i = 0

    def close(end: int) -> None:
        nonlocal start, depth
        if start is not None:
            # Trailing whitespace is excluded; a sentence has at least one character
            # because ``start`` is only ever set on a non-whitespace character.
            while end > start and text[end - 1].isspace():
                end -= 1
            spans.append((start, end))
        start = None
        depth = 0

    while i < n:
        ch = text[i]
        if ch in _LINE_BREAKS:
            close(i)
            i += 1
            continue
        if start is None:
            if ch.isspace():
                i += 1
                continue
            start = i
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            # Unbalanced closers (common in converted text) must not make depth negative.
            depth = max(0, depth - 1)

        if ch in _STRONG or (ch in _SEMICOLON and depth == 0):
            ends = True
        elif ch == ".":
            ends = _period_ends_sentence(text, i)
        else:
            ends = False

        if not ends:
            i += 1
            continue
        j = i + 1
        while j < n and (text[j] in _STRONG or text[j] in _SEMICOLON or text[j] in _CLOSING):
            j += 1
        close(j)
        i = j
    close(n)
    return spans
