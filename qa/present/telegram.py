"""The Telegram back end: answers, passages and the bot's own words as Telegram HTML.

Every quote is a ``<blockquote>`` of the report's own words with its figures in ``<b>``,
followed by its place in italics (document · section · paragraph · source date). All report
and user text is escaped, and stripped of control characters, escape sequences and bidi
overrides (``qa.present.safe``). A reply is a list of messages of at most
:data:`MAX_MESSAGE_CHARS`: messages break between quotes; a quote too long for one message
is cut at sentence ends (else between characters, never inside a figure), and every piece is
a complete ``<blockquote>``, so no cut falls inside a tag.

Lengths are measured on the HTML as sent, in UTF-16 code units: Telegram counts the text
left after parsing the tags, which is never longer, so the bound is safe.
"""

from __future__ import annotations

import hashlib
import html
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qa.answer import Answer
from qa.answer.sheet import FigureRow
from qa.documents import Document
from qa.i18n import Language
from qa.present.safe import clean
from qa.present.view import (
    AnswerView,
    Excerpt,
    PassageView,
    QuoteView,
    Span,
    report_name,
    view_answer,
    view_passages,
)
from qa.present.words import commands, examples, say

#: Telegram's limit for a message text.
MAX_MESSAGE_CHARS = 4096
#: Lines that are not quotes (titles, places) are shortened to this many characters, so
#: that any one of them fits in a message together with a quote piece.
MAX_LINE_CHARS = 600
#: Documents listed by the start message (all of them are in the sources list).
START_DOCUMENTS = 10
_SENTENCE_ENDS = frozenset("。！？；!?;\n")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (astral characters count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def escape(text: str) -> str:
    """Report or user text, safe inside Telegram HTML: escaped, and without control
    characters, escape sequences or bidi overrides (``qa.present.safe``)."""
    return html.escape(clean(text), quote=False)


def shorten(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def marked(text: str, spans: Sequence[Span], start: int = 0, end: int | None = None) -> str:
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


def _blockquote(text: str, spans: Sequence[Span], start: int, end: int) -> str:
    return f"<blockquote>{marked(text, spans, start, end)}</blockquote>"


def _cut(text: str, spans: Sequence[Span], start: int, budget: int) -> int:
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
    text: str, spans: Sequence[Span], footer: str, limit: int = MAX_MESSAGE_CHARS
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


def pack(blocks: Iterable[str], limit: int = MAX_MESSAGE_CHARS, *, sep: str = "\n\n") -> list[str]:
    """Blocks (each a complete piece of HTML within ``limit``) joined by blank lines (or
    ``sep``) into as few messages as fit."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        if utf16_len(block) > limit:
            raise ValueError(f"a block of {utf16_len(block)} characters exceeds {limit}")
        joined = f"{current}{sep}{block}" if current else block
        if utf16_len(joined) <= limit:
            current = joined
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages


def _excerpt_blocks(excerpt: Excerpt, where: str, limit: int) -> list[str]:
    footer = f"<i>— {escape(shorten(where))}</i>"
    return quote_blocks(excerpt.text, excerpt.figures, footer, limit)


@dataclass(frozen=True)
class InlineQuote:
    """One quote as an inline-mode result: a stable id, a title and description for the
    result list, and the message it sends (HTML)."""

    id: str
    title: str
    description: str
    html: str


class TelegramHTML:
    """Telegram HTML of answers, passages and the bot's own words, in messages that fit.

    ``limit`` is the message size (Telegram's 4096 by default; tests use small ones).
    """

    def __init__(self, limit: int = MAX_MESSAGE_CHARS) -> None:
        self.limit = limit

    # -- answers and passages ---------------------------------------------------------
    def quote(self, quote: QuoteView) -> list[str]:
        """A quote of an answer: verbatim, figures in bold, its place under it."""
        return _excerpt_blocks(quote.excerpt, quote.place, self.limit)

    def answer(self, answer: Answer) -> list[str]:
        """The reply to a question: the quotes, or the decline message with a hint."""
        view = view_answer(answer)
        context = [f"<i>{escape(view.context)}</i>"] if view.context else []
        if view.table is not None:
            return pack([*context, *self.table(view)], self.limit)
        if view.parts:
            # A comparison (or reports answering closely): each part under its heading.
            blocks = [*context, f"<b>{escape(view.parts_heading)}</b>"]
            for part in view.parts:
                blocks.append(f"<b>{escape(shorten(part.heading))}</b>")
                if part.found:
                    for quote in part.quotes:
                        blocks.extend(self.quote(quote))
                else:
                    blocks.append(f"<i>{escape(shorten(part.message))}</i>")
            if not view.found:
                blocks.append(f"<i>{escape(view.hint)}</i>")
            return pack(blocks, self.limit)
        if not view.found:
            return pack(
                [*context, escape(shorten(view.message)), f"<i>{escape(view.hint)}</i>"],
                self.limit,
            )
        blocks = [*context, f"<b>{escape(shorten(view.heading))}</b>"]
        for quote in view.quotes:
            blocks.extend(self.quote(quote))
        return pack(blocks, self.limit)

    def table(self, view: AnswerView) -> list[str]:
        """A table answer as a compact list under its heading, one line per report: what
        it is for, the figure in bold, result or target, and a short citation (the report,
        the paragraph); a report that states no such figure says so in its line. Blocks of
        lines that fit a message; the whole table, with the quotes, is ``table_csv``'s."""
        table, lang = view.table, view.language
        if table is None:
            return []
        lines = []
        for row in table.rows:
            label = escape(shorten(row.label, 80))
            if row.quote is None:
                joiner = " " if lang == "en" else ""
                missing = shorten(f"{row.report}{joiner}{row.message}", 200)
                lines.append(f"• {label} — <i>{escape(missing)}</i>")
                continue
            role = f" ({escape(row.role)})" if row.role else ""
            citation = row.quote.quote.citation
            cite = [row.report]
            if citation.paragraph is not None:
                cite.append(say("paragraph", lang, n=citation.paragraph))
            short = escape(shorten(" · ".join(cite), 200))
            figure = escape(shorten(row.figure, 80))
            lines.append(f"• {label} — <b>{figure}</b>{role} · <i>{short}</i>")
        blocks = [f"<b>{escape(shorten(view.heading))}</b>", *pack(lines, self.limit, sep="\n")]
        if not view.found:
            blocks.append(f"<i>{escape(view.hint)}</i>")
        return blocks

    def decline_line(self, answer: Answer, limit: int) -> str:
        """The decline message as plain text of at most ``limit`` characters (inline mode's
        button)."""
        return shorten(view_answer(answer).message, limit)

    def inline_quotes(self, answer: Answer) -> list[InlineQuote]:
        """Each quote of a found answer as an inline-mode result."""
        out = []
        for n, quote in enumerate(view_answer(answer).quotes):
            q = quote.quote
            digest = hashlib.sha1(f"{q.citation.passage_id}:{q.start}".encode()).hexdigest()
            out.append(
                InlineQuote(
                    id=f"{n}-{digest[:20]}",
                    title=shorten(quote.excerpt.text, 90),
                    description=shorten(quote.place, 120),
                    html=pack(self.quote(quote), self.limit)[0],
                )
            )
        return out

    def passage(self, passage: PassageView) -> list[str]:
        """A whole passage ("more passages"): verbatim, figures in bold, its place under it."""
        return _excerpt_blocks(passage.excerpt, passage.place, self.limit)

    def passages(self, hits: Sequence, lang: Language, *, first: int, total: int) -> list[str]:
        """Further passages, numbered ``first``… of ``total``, under a header."""
        header = self.text(
            "more_header", lang, first=first, last=first + len(hits) - 1, total=total
        )
        blocks = [f"<b>{header}</b>"]
        for passage in view_passages(hits, lang):
            blocks.extend(self.passage(passage))
        return pack(blocks, self.limit)

    # -- the bot's own words ----------------------------------------------------------
    def text(self, key: str, lang: Language, **values: object) -> str:
        """The ``key`` message in ``lang`` as Telegram HTML; ``values`` are escaped."""
        return say(key, lang, **{k: escape(clean(str(v))) for k, v in values.items()})

    def plain(self, key: str, lang: Language, **values: object) -> str:
        """The same message without markup, for places that take no HTML (buttons, alerts)."""
        return say(key, lang, **{k: clean(str(v)) for k, v in values.items()})

    def plain_excerpt(self, text: str, limit: int) -> str:
        """Report text on one line, cut to ``limit`` characters, for a button."""
        return shorten(" ".join(clean(text).split()), limit)

    def examples(self, lang: Language) -> tuple[str, ...]:
        """Example questions about the bundled report, in ``lang``."""
        return examples(lang)

    def commands(self, lang: Language) -> tuple[tuple[str, str], ...]:
        """The command menu: (command, what it does), in ``lang``."""
        return commands(lang)

    def start(self, documents: Sequence[Document], lang: Language, username: str | None) -> str:
        """The welcome: what the bot knows (the first documents) and example questions."""
        lines = [f"• {shorten(_document_line(d), 200)}" for d in documents[:START_DOCUMENTS]]
        if len(documents) > START_DOCUMENTS:
            lines.append(f"… /sources ({len(documents)})")
        return self.text(
            "start",
            lang,
            documents="\n".join(lines) or self.plain("no_sources", lang),
            examples="\n".join(f"• {q}" for q in examples(lang)),
            username=username,
        )

    def figures_summary(
        self, rows: Sequence[FigureRow], documents: Sequence[Document], lang: Language
    ) -> str:
        """The short message sent with the figure sheet: how many figures of each kind, and
        the largest amounts of money with what they measure."""
        if not rows:
            return self.text("figures_none", lang)
        counts = Counter(row.kind for row in rows)
        kinds = say("list_separator", lang).join(
            say("n_of_kind", lang, n=n, kind=say(f"kind_{kind}", lang))
            for kind, n in counts.most_common()
        )
        money = sorted((r for r in rows if r.kind == "money"), key=lambda r: -r.value)
        first: dict[str, FigureRow] = {}  # each figure once, at its largest
        for r in money:
            first.setdefault(r.figure, r)
        largest = [
            f"• <b>{escape(r.figure)}</b> — {escape(shorten(r.measures or r.sentence, 80))}"
            for r in first.values()
        ][:SUMMARY_LARGEST]
        return say(
            "figures_summary",
            lang,
            report=escape(self.sheet_name(documents, lang)),
            count=len(rows),
            kinds=escape(kinds),
            largest="\n".join(largest) or "—",
        )

    def sheet_name(self, documents: Sequence[Document], lang: Language) -> str:
        """The report(s) a figure sheet is of, as the reply names them."""
        names = [report_name(d, lang) for d in documents]
        return shorten(names[0] if len(names) == 1 else say("sources", lang), 200)

    def figures_caption(self, documents: Sequence[Document], lang: Language) -> str:
        return self.text("figures_caption", lang, report=self.sheet_name(documents, lang))

    def sources(self, documents: Sequence[Document], lang: Language) -> list[str]:
        """Every indexed report with its source and date."""
        if not documents:
            return [self.text("no_sources", lang)]
        blocks = [f"<b>{self.text('sources', lang)}</b>"]
        for d in documents:
            where = clean(" · ".join(x for x in (d.source, d.date) if x))
            line = f"• <b>{escape(shorten(clean(d.title)))}</b>"
            blocks.append(f"{line}\n{escape(where)}" if where else line)
        return pack(blocks, self.limit)


#: Money figures listed by the figure sheet's summary message.
SUMMARY_LARGEST = 3


def _document_line(d: Document) -> str:
    where = ", ".join(x for x in (d.source, d.date) if x)
    return clean(f"{d.title} ({where})" if where else d.title)
