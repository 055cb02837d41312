"""The HTML back end: the web page of ``qa serve`` (plain HTML and one stylesheet; one small
script, only on a page with a table answer, sorts it by a column heading).

Pages are Jinja2 templates (``qa/present/templates/``) with autoescape on: report text,
questions and document metadata are untrusted and are escaped wherever they appear, and
stripped of control characters and bidi overrides on the way (``qa.present.safe``). Report
text with marks (figures in ``<strong class="figure">``, a quote in ``<mark>``) is built by
:func:`marked` from escaped pieces only.

An answer is rendered from its view by the template registered for the view's type
(``VIEW_TEMPLATES``): ``AnswerView`` by ``answer.html``, which shows a table answer (one row
per report) with ``table.html`` and a follow-up's context line above the answer. A new kind of
view registers its own template, and every page that shows answers shows it.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from qa.i18n import Language
from qa.present.safe import clean, clean_with_spans
from qa.present.view import AnswerView, Span
from qa.present.words import examples, say

_HERE = Path(__file__).resolve().parent
TEMPLATES = _HERE / "templates"
#: The page's static files (a stylesheet, the table-sorting script); served from memory by the
#: web face.
STATIC = _HERE / "static"

#: The template that renders each kind of view inside a page (see the module docstring).
VIEW_TEMPLATES: dict[type, str] = {AnswerView: "answer.html"}


def marked(text: str, figures: Sequence[Span] = (), highlight: Span | None = None) -> Markup:
    """``text`` (already cleaned, as in an ``Excerpt``) escaped, with its ``figures`` in
    ``<strong class="figure">`` and the ``highlight`` span (a quote) in one
    ``<mark id="quote">``."""
    bounds = {0, len(text)}
    for start, end in [*figures, *([highlight] if highlight else [])]:
        bounds.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    cuts = sorted(bounds)
    out: list[str] = []
    in_mark = False
    for start, end in itertools.pairwise(cuts):
        inside = highlight is not None and highlight[0] <= start and end <= highlight[1]
        if inside != in_mark:
            out.append('<mark id="quote">' if inside else "</mark>")
            in_mark = inside
        piece = str(escape(text[start:end]))
        if any(s <= start and end <= e for s, e in figures):
            piece = f'<strong class="figure">{piece}</strong>'
        out.append(piece)
    if in_mark:
        out.append("</mark>")
    return Markup("".join(out))


def highlight_span(raw: str, span: Span | None) -> Span | None:
    """``span`` of the raw report text ``raw`` moved to the same characters of the cleaned
    text an ``Excerpt`` shows (``None`` when it is not a span of ``raw``)."""
    if span is None or not 0 <= span[0] < span[1] <= len(raw):
        return None
    moved = clean_with_spans(raw, [span])[1]
    return moved[0] if moved else None


class PageHTML:
    """The pages of ``qa serve``, in the language asked for."""

    def __init__(self) -> None:
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"], default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.globals.update(
            marked=marked, clean=clean, view_html=self.view, kind_word=kind_word
        )
        self._env.filters["clean"] = clean

    def words(self, lang: Language) -> Callable[..., str]:
        """``t(key, **values)``: the page's words in ``lang`` (escaped by the template)."""
        return functools.partial(_say, lang)

    def render(self, name: str, lang: Language, **context: object) -> str:
        """The page ``name`` (a template) in ``lang``."""
        template = self._env.get_template(name)
        return template.render(lang=lang, t=self.words(lang), examples=examples(lang), **context)

    def view(self, view: object, **context: object) -> Markup:
        """A view (an answer, or a kind registered in ``VIEW_TEMPLATES``) as HTML."""
        name = VIEW_TEMPLATES[type(view)]
        lang = cast(Language, getattr(view, "language", "en"))
        template = self._env.get_template(name)
        return Markup(template.render(view=view, lang=lang, t=self.words(lang), **context))


def kind_word(kind: str, lang: Language) -> str:
    """A figure's kind ("money") as the page names it in ``lang`` (as written when the
    catalogue has no word for it)."""
    try:
        return say(f"kind_{kind}", lang)
    except KeyError:
        return kind


def _say(lang: Language, key: str, **values: object) -> str:
    return say(key, lang, **{k: clean(str(v)) for k, v in values.items()})
