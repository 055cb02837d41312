"""Text made safe to show: no control characters, escape sequences or bidi overrides.

A report (or a question, a file name) may hold bytes that a terminal or a chat client acts
on instead of showing (``qa.controls``): ANSI escape sequences (``\\x1b[31m`` colours the
rest of the screen, ``\\x1b]…\\x07`` retitles the window or writes a link, ``\\x9b`` is the
one-byte form of ``\\x1b[``), C0 and C1 control characters (``\\x00``, ``\\r`` that rewrites
a line), and the bidi overrides and isolates, which make text read in another order than it
is stored (a figure could read "98" and be "89").

Everything the terminal and Telegram back ends show passes through here once, when the view
is made (:mod:`qa.present.view`) or, for text that has no view (document titles, the bot's
values, error lines), in the back end. The index keeps the text verbatim, and JSON output
stays verbatim (it escapes those characters instead; see :mod:`qa.present.as_json`).
Newlines and tabs are kept. Figure spans are moved with the text, so a figure stays bold
after what stood before it is stripped.
"""

from __future__ import annotations

from collections.abc import Iterable

from qa.controls import UNSAFE

#: (start, end) of a span (a figure) in a text.
Span = tuple[int, int]

__all__ = ["UNSAFE", "Span", "clean", "clean_with_spans", "one_line"]


def clean(text: str) -> str:
    """``text`` without escape sequences, control characters (but newline and tab) and
    bidi overrides."""
    return UNSAFE.sub("", text)


def clean_with_spans(text: str, spans: Iterable[Span] = ()) -> tuple[str, tuple[Span, ...]]:
    """``clean(text)`` and ``spans`` moved to the same characters in it (a span left empty,
    wholly inside what was stripped, is dropped)."""
    cuts = [m.span() for m in UNSAFE.finditer(text)]
    if not cuts:
        return text, tuple(spans)
    pieces, at = [], 0
    for start, end in cuts:
        pieces.append(text[at:start])
        at = end
    pieces.append(text[at:])

    def moved(i: int) -> int:
        removed = 0
        for start, end in cuts:
            if end <= i:
                removed += end - start
            else:
                removed += max(0, i - start)
                break
        return i - removed

    out = []
    for a, b in spans:
        a2, b2 = moved(a), moved(b)
        if a2 < b2:
            out.append((a2, b2))
    return "".join(pieces), tuple(out)


def one_line(text: str) -> str:
    """``text`` cleaned and on one line: runs of whitespace (newlines too) become a space."""
    return " ".join(clean(text).split())
