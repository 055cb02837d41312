"""Answers as Telegram HTML messages.

Every quote is a ``<blockquote>`` of the report's own words with its figures in ``<b>``,
followed by its citation line (document · section · paragraph · source date). All report and
user text is escaped. A reply is a list of messages of at most :data:`MAX_MESSAGE_CHARS`:
messages break between quotes; a quote too long for one message is cut at sentence ends
(else between characters, never inside a figure), and every piece is a complete
``<blockquote>``, so no cut falls inside a tag.

Lengths are measured on the HTML as sent, in UTF-16 code units: Telegram counts the text
left after parsing the tags, which is never longer, so the bound is safe.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from bot import texts
from qa.answer.compose import Answer, Quote, citation_of
from qa.answer.figures import extract_figures
from qa.i18n import Language, message
from qa.render import citation_line
from qa.retrieve import Hit

#: Telegram's limit for a message text.
MAX_MESSAGE_CHARS = 4096
#: Lines that are not quotes (titles, citations) are shortened to this many characters, so
#: that any one of them fits in a message together with a quote piece.
MAX_LINE_CHARS = 600
_SENTENCE_ENDS = frozenset("。！？；!?;\n")
_Span = tuple[int, int]


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (astral characters count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def escape(text: str) -> str:
    """Report or user text, safe inside Telegram HTML."""
    return html.escape(text, quote=False)


def shorten(text: str, limit: int = MAX_LINE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def marked(text: str, spans: Sequence[_Span], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` escaped, with the ``spans`` (figures) in it in ``<b>``."""
    end = len(text) if end is None else end
    out: list[str] = []
    at = start
    for s, e in sorted(spans):
        s, e = max(s, start), min(e, end)
        if s >= e or s < at:
            continue
        out.append(escape(text[at:s]))
        out.append(f"<b>{escape(text[s:e])}</b>")
        at = e
    out.append(escape(text[at:end]))
    return "".join(out)


def _blockquote(text: str, spans: Sequence[_Span], start: int, end: int) -> str:
    return f"<blockquote>{marked(text, spans, start, end)}</blockquote>"


def _cut(text: str, spans: Sequence[_Span], start: int, budget: int) -> int:
    """The end of the longest piece from ``start`` whose blockquote fits in ``budget``:
    at a sentence end if one fits, else at the last character that fits (moved back out of
    a figure it would split)."""

    def fits(end: int) -> bool:
        return utf16_len(_blockquote(text, spans, start, end)) <= budget

    best = None
    for end in (i + 1 for i in range(start, len(text)) if text[i] in _SENTENCE_ENDS):
        if not fits(end):
            break
        best = end
    if best is not None:
        return best
    lo, hi = start + 1, len(text)  # invariant: the best end is in [lo, hi]
    if not fits(lo):
        raise ValueError("the message limit leaves no room for a quote")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    for s, e in spans:
        if start < s < lo < e:
            return s
    return lo


def quote_blocks(
    text: str, spans: Sequence[_Span], footer: str, limit: int = MAX_MESSAGE_CHARS
) -> list[str]:
    """One quote as HTML blocks: the ``<blockquote>`` (in pieces if too long) and, under
    the last piece, ``footer`` (HTML, short)."""
    tail = f"\n{footer}" if footer else ""
    whole = _blockquote(text, spans, 0, len(text)) + tail
    if utf16_len(whole) <= limit:
        return [whole]
    budget = limit - utf16_len(tail)
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = _cut(text, spans, start, budget)
        if text[start:end].strip():
            pieces.append(_blockquote(text, spans, start, end))
        start = end
    if not pieces:  # nothing but whitespace
        return [footer] if footer else []
    pieces[-1] += tail
    return pieces


def pack(blocks: Iterable[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Blocks (each a complete piece of HTML within ``limit``) joined by blank lines into as
    few messages as fit."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        if utf16_len(block) > limit:
            raise ValueError(f"a block of {utf16_len(block)} characters exceeds {limit}")
        joined = f"{current}\n\n{block}" if current else block
        if utf16_len(joined) <= limit:
            current = joined
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages


def citation_html(quote_or_hit: Quote | Hit, lang: Language) -> str:
    """The citation line of a quote or passage, in italics after a dash."""
    citation = (
        quote_or_hit.citation if isinstance(quote_or_hit, Quote) else citation_of(quote_or_hit)
    )
    return f"<i>— {escape(shorten(citation_line(citation, lang)))}</i>"


def quote_html_blocks(quote: Quote, lang: Language, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """A quote of an answer: verbatim, figures in bold, its citation under it."""
    spans = [(f.start, f.end) for f in quote.figures]
    return quote_blocks(quote.text, spans, citation_html(quote, lang), limit)


def passage_html_blocks(hit: Hit, lang: Language, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """A whole passage ("more passages"): verbatim, figures in bold, its citation under it."""
    spans = [(f.start, f.end) for f in extract_figures(hit.text)]
    return quote_blocks(hit.text, spans, citation_html(hit, lang), limit)


def answer_messages(answer: Answer, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """The reply to a question: the quotes, or the not-found message with a hint."""
    lang = answer.language
    if not answer.found:
        return pack(
            [escape(shorten(answer.message)), f"<i>{escape(message('hint', lang))}</i>"], limit
        )
    blocks = [f"<b>{escape(message('answer', lang))}</b>"]
    for quote in answer.quotes:
        blocks.extend(quote_html_blocks(quote, lang, limit))
    return pack(blocks, limit)


def passages_messages(
    hits: Sequence[Hit], lang: Language, *, first: int, total: int, limit: int = MAX_MESSAGE_CHARS
) -> list[str]:
    """Further passages, numbered ``first``… of ``total``, under a header."""
    header = texts.text("more_header", lang, first=first, last=first + len(hits) - 1, total=total)
    blocks = [f"<b>{header}</b>"]
    for hit in hits:
        blocks.extend(passage_html_blocks(hit, lang, limit))
    return pack(blocks, limit)
