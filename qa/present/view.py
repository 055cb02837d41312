"""The format-neutral view of what Report QA shows: an answer's quotes with their figure
spans and places, or the decline with its reason and related passages, in the words of the
reply's language. The terminal, JSON and Telegram back ends render this view and decide
nothing of their own. Text in a view is safe to show (``qa.present.safe``); the answer and
hits it holds stay verbatim, for JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.answer import Answer, Citation, DeclineReason, Quote, citation_of
from qa.answer.figures import extract_figures
from qa.i18n import Language
from qa.present.safe import clean, clean_with_spans
from qa.present.words import say
from qa.retrieve import Hit

#: (start, end) of a figure inside an excerpt's text.
Span = tuple[int, int]

#: The catalogue entry that words each decline.
_DECLINE_WORDS: dict[DeclineReason, str] = {
    DeclineReason.NO_PASSAGES: "not_found",
    DeclineReason.OTHER_YEAR: "other_year",
    DeclineReason.OTHER_REGION: "other_region",
    DeclineReason.NO_EVIDENCE: "not_found",
    DeclineReason.NO_FIGURE: "no_figure",
    DeclineReason.NO_ROLE: "not_found",
}


@dataclass(frozen=True)
class Excerpt:
    """Report text as shown: verbatim but for control characters, escape sequences and bidi
    overrides (stripped: see ``qa.present.safe``), with the spans of its figures (to mark)."""

    text: str
    figures: tuple[Span, ...]

    @classmethod
    def of(cls, text: str, figures: Sequence[Span]) -> Excerpt:
        """The excerpt showing ``text``, its ``figures`` spans moved with the stripping."""
        return cls(*clean_with_spans(text, figures))


@dataclass(frozen=True)
class QuoteView:
    """A quote of an answer, with where it stands."""

    excerpt: Excerpt
    place: str
    quote: Quote


@dataclass(frozen=True)
class PassageView:
    """A whole retrieved passage (related to a declined question, or one more passage),
    with where it stands."""

    excerpt: Excerpt
    place: str
    hit: Hit


@dataclass(frozen=True)
class AnswerView:
    """An answer as shown: a heading and quotes, or the decline message, the related
    passages (not an answer) and a hint on how to ask."""

    answer: Answer
    language: Language
    heading: str
    quotes: list[QuoteView]
    message: str
    related_heading: str
    related: list[PassageView]
    hint: str

    @property
    def found(self) -> bool:
        return self.answer.found


def place(citation: Citation, lang: Language) -> str:
    """Where a passage stands, the one way it is written in ``lang``: document · section ·
    paragraph (or the document's notes) · source and date."""
    parts = [citation.document]
    if citation.section:
        parts.append(citation.section)
    parts.append(
        say("paragraph", lang, n=citation.paragraph)
        if citation.paragraph is not None
        else say("notes", lang)
    )
    if citation.source or citation.date:
        parts.append(" ".join(x for x in (citation.source, citation.date) if x))
    return clean(" · ".join(parts))


def decline_message(answer: Answer) -> str:
    """The reply's own sentence for a declined answer ("" when the answer was found)."""
    if answer.reason is None:
        return ""
    values = {"want": answer.scope.want, "have": answer.scope.have} if answer.scope else {}
    return clean(say(_DECLINE_WORDS[answer.reason], answer.language, **values))


def view_passages(hits: Sequence[Hit], lang: Language) -> list[PassageView]:
    """Whole passages with their figures marked and their places."""
    return [
        PassageView(
            Excerpt.of(hit.text, [(f.start, f.end) for f in extract_figures(hit.text)]),
            place(citation_of(hit), lang),
            hit,
        )
        for hit in hits
    ]


def view_answer(answer: Answer) -> AnswerView:
    """The view of ``answer`` in its language."""
    lang = answer.language
    quotes = [
        QuoteView(
            Excerpt.of(q.text, [(f.start, f.end) for f in q.figures]),
            place(q.citation, lang),
            q,
        )
        for q in answer.quotes
    ]
    return AnswerView(
        answer=answer,
        language=lang,
        heading=say("answer", lang),
        quotes=quotes,
        message=decline_message(answer),
        related_heading=say("related", lang),
        related=view_passages(answer.related, lang),
        hint=say("hint", lang),
    )
