"""The web page: ask at ``/`` (the answer is rendered here, on the server, at ``/?q=…``: a
link can be shared and it works without JavaScript), follow-up questions in the same page,
a passage in its section at ``/passage/{id}``, a report's figures at ``/figures/{doc}``,
a table answer's CSV and chart at ``/answers/{conversation}/{turn}/table.csv`` and
``…/chart.png``, 👍 / 👎 posted as a plain form. Every page is HTML from ``qa.present.html``; its words are
in the question's language, else in the browser's (``Accept-Language``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qa import MAX_QUESTION_CHARS, Answer, Language, detect_language, feedback_candidates
from qa.errors import ArgumentError, UnknownAnswerError, UnknownDocumentError
from qa.present import (
    STATIC,
    UNSAFE,
    AnswerView,
    PassageView,
    examples,
    figures_csv,
    highlight_span,
    language_from_code,
    report_name,
    say,
    table_csv,
    view_answer,
    view_passages,
)
from web.api import AROUND, server
from web.conversations import ID_PATTERN, Conversation, Turn
from web.guard import client_of
from web.state import RateLimited, ServerState, table_links

#: The language of the page's words when neither a question nor the browser tells.
DEFAULT_LANGUAGE: Language = "zh-Hant"

router = APIRouter(include_in_schema=False)
State = Annotated[ServerState, Depends(server)]

_WEIGHTED = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?")


def browser_language(request: Request) -> Language:
    """The first of the browser's languages (``Accept-Language``, by weight) the page speaks:
    any Chinese (zh-TW, zh-HK → zh-Hant; zh-CN, zh-Hans → zh-Hans) or English."""
    ranked: list[tuple[float, int, str]] = []
    for n, item in enumerate(request.headers.get("accept-language", "").split(",")[:20]):
        match = _WEIGHTED.match(item)
        if match is None or match.group(1) == "*":
            continue
        try:
            weight = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        ranked.append((-weight, n, match.group(1).lower()))
    for _, _, code in sorted(ranked):
        if code.startswith(("zh", "en")):
            return language_from_code(code) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def page_language(request: Request, lang: str | None = None) -> Language:
    """``?lang=`` when it names one of the page's languages, else the browser's."""
    if lang in ("zh-Hant", "zh-Hans", "en"):
        return lang  # type: ignore[return-value]
    return browser_language(request)


def html(state: ServerState, name: str, lang: Language, status: int = 200, **context) -> Response:
    return HTMLResponse(state.pages.render(name, lang, **context), status_code=status)


def message_page(state: ServerState, lang: Language, message: str, status: int) -> Response:
    """A page that says one thing (an error, in the page's language)."""
    return html(state, "message.html", lang, status, message=message)


@dataclass(frozen=True)
class ShownTurn:
    """A turn as the page shows it: the question, the answer's view, the passages a 👎
    may name, and for a table answer where its CSV and chart are."""

    question: str
    view: AnswerView
    answer_id: str | None
    rating: str | None
    candidates: list[PassageView]
    links: dict[str, str | None] | None = None


def _shown(turn: Turn, conversation: str) -> ShownTurn:
    answer: Answer = turn.answer
    view = view_answer(answer)
    return ShownTurn(
        question=turn.question,
        view=view,
        answer_id=turn.answer_id,
        rating=turn.rating,
        candidates=view_passages(feedback_candidates(answer), answer.language),
        links=table_links(conversation, turn, view),
    )


def _problem(question: str, lang: Language) -> str | None:
    """What is wrong with ``question``, in ``lang`` (``None``: nothing)."""
    text = question.strip()
    if not text:
        return say("empty", lang, example=examples(lang)[0])
    if len(text) > MAX_QUESTION_CHARS:
        return say("too_long", lang, length=len(text), limit=MAX_QUESTION_CHARS)
    if UNSAFE.search(text):
        return say("page_control_characters", lang)
    return None


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    state: State,
    q: str | None = None,
    c: str | None = None,
    d: Annotated[list[str], Query(max_length=100)] = [],  # noqa: B006 (FastAPI copies it)
    lang: str | None = None,
    rated: str | None = None,
) -> Response:
    """The question box; with ``q``, the answer (and the conversation ``c`` it follows)."""
    chrome = page_language(request, lang)
    qa = state.qa
    conversation: Conversation | None = state.conversations.get(c) if c else None
    notice = say("feedback_thanks", chrome) if rated and conversation is None else None
    error, status, prefill = None, 200, ""
    if q is not None:
        # A Chinese question whose characters are the same in both scripts is answered in
        # the browser's Chinese, or in Traditional: never in English for an English browser.
        fallback = DEFAULT_LANGUAGE if chrome == "en" and not q.isascii() else chrome
        asking_lang = page_language(request, lang) if lang else detect_language(q, fallback)
        last = conversation.last if conversation else None
        again = (
            last is not None
            and last.question == q.strip()
            and last.documents == (tuple(dict.fromkeys(d)) or None)
        )
        if not again:  # a reload of the page shows the answer, it does not ask again
            error = _problem(q, asking_lang)
            status = 400 if error else 200
            if error is None:
                try:
                    asked = state.ask(
                        q,
                        client=client_of(request),
                        conversation=c,
                        documents=d or None,
                        language=asking_lang,
                        lenient=True,
                    )
                    conversation = asked.conversation
                    if asked.expired:
                        notice = say("page_conversation_expired", asking_lang)
                except RateLimited as limited:
                    error = say("rate_limited", asking_lang, seconds=round(limited.retry_in))
                    status = 429
                except UnknownDocumentError as unknown:
                    error, status = str(unknown), 404
            if error:
                prefill = q
            chrome = asking_lang
    turns = [_shown(t, conversation.id) for t in conversation.turns] if conversation else []
    if turns and q is None:
        chrome = turns[-1].view.language
    last_docs = conversation.last.documents if conversation and conversation.last else None
    return html(
        state,
        "ask.html",
        chrome,
        status,
        turns=turns,
        conversation=conversation.id if conversation else None,
        documents=list(qa.documents.values()),
        selected=set(d or last_docs or ()),
        notice=notice,
        error=error,
        prefill=prefill,
        max_chars=MAX_QUESTION_CHARS,
    )


@router.post("/feedback")
def rate(
    request: Request,
    state: State,
    answer: Annotated[str, Form(max_length=64)],
    rating: Annotated[str, Form(max_length=8)],
    passage: Annotated[str | None, Form(max_length=500)] = None,
    c: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    """A 👍 / 👎 from the page's form; back to the conversation, which shows the thanks."""
    lang = browser_language(request)
    if state.feedback is None:
        return message_page(state, lang, say("page_not_found", lang), 404)
    named = passage if rating == "down" and passage else None
    try:
        state.feedback.rate(answer, rating, passage=named)
    except UnknownAnswerError:
        return message_page(state, lang, say("feedback_expired", lang), 404)
    except ArgumentError as error:
        return message_page(state, lang, str(error), 400)
    turn = state.conversations.find_turn(c, answer) if c else None
    if turn is None:
        return RedirectResponse("/?" + urlencode({"rated": "1"}), status_code=303)
    turn.rating = rating
    assert c is not None and ID_PATTERN.fullmatch(c)  # find_turn found it: a well-formed id
    return RedirectResponse(f"/?c={c}#answer-{turn.answer_id}", status_code=303)


@router.get("/passage/{passage_id:path}", response_class=HTMLResponse)
def passage(
    passage_id: str,
    request: Request,
    state: State,
    start: int | None = None,
    end: int | None = None,
    lang: str | None = None,
) -> Response:
    """The passage in its section, the quote ``start``–``end`` (of its text) highlighted."""
    chrome = page_language(request, lang)
    context = state.qa.retriever.context(passage_id, around=AROUND)
    if context is None:
        return message_page(state, chrome, say("page_unknown_passage", chrome, id=passage_id), 404)
    (shown,) = view_passages([context.passage], chrome)
    span = (start, end) if start is not None and end is not None else None
    return html(
        state,
        "passage.html",
        chrome,
        passage=shown,
        highlight=highlight_span(context.passage.text, span),
        before=view_passages(context.before, chrome),
        after=view_passages(context.after, chrome),
    )


def _unknown_report(state: ServerState, lang: Language, doc: str) -> Response:
    documents = ", ".join(state.qa.documents)
    return message_page(
        state, lang, say("figures_unknown", lang, doc=doc, documents=documents), 404
    )


@router.get("/figures/{doc}", response_class=HTMLResponse)
def figures(doc: str, request: Request, state: State, lang: str | None = None) -> Response:
    """A report's figure sheet as a table, with a link to the CSV."""
    chrome = page_language(request, lang)
    qa = state.qa
    document = qa.documents.get(doc)
    if document is None:
        return _unknown_report(state, chrome, doc)
    heading = say("page_figures_title", chrome, report=report_name(document, chrome))
    return html(state, "figures.html", chrome, heading=heading, doc=doc, rows=qa.figure_sheet(doc))


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@router.get("/figures/{doc}/csv")
def figures_file(doc: str, request: Request, state: State) -> Response:
    """A report's figure sheet as a CSV file (with a BOM: spreadsheets then read UTF-8)."""
    qa = state.qa
    if doc not in qa.documents:
        return _unknown_report(state, browser_language(request), doc)
    name = (_UNSAFE_NAME.sub("_", doc).strip("._") or "report") + "-figures.csv"
    return Response(
        figures_csv(qa.figure_sheet(doc)).encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _no_table(state: ServerState, request: Request) -> Response:
    lang = browser_language(request)
    return message_page(state, lang, say("page_no_table", lang), 404)


#: A table's CSV and chart never change (a turn's answer is kept as it was given): the
#: browser keeps them while the conversation lives, and shares them with no one.
_TURN_CACHE = "private, max-age=3600"


@router.get("/answers/{conversation}/{number}/table.csv")
def table_file(conversation: str, number: int, request: Request, state: State) -> Response:
    """A table answer of a conversation as a CSV file (a BOM, so that spreadsheets read
    UTF-8): one report a line, in the question's order; the same question answered once."""
    turn = state.conversations.turn(conversation, number)
    data = table_csv(view_answer(turn.answer)) if turn is not None else None
    if data is None:
        return _no_table(state, request)
    return Response(
        data.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="report-qa-table-{number}.csv"',
            "Cache-Control": _TURN_CACHE,
        },
    )


@router.get("/answers/{conversation}/{number}/chart.png")
def chart_image(conversation: str, number: int, request: Request, state: State) -> Response:
    """The chart of a table answer of a conversation, as PNG (drawn once: see
    ``ServerState.chart``)."""
    png = state.chart(conversation, number)
    if png is None:
        return _no_table(state, request)
    return Response(png, media_type="image/png", headers={"Cache-Control": _TURN_CACHE})


#: The page's static files, read once: a request names one of them, never a path on disk.
_STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
}
STATIC_FILES: dict[str, tuple[bytes, str]] = {
    path.name: (path.read_bytes(), _STATIC_TYPES[path.suffix])
    for path in sorted(STATIC.iterdir())
    if path.suffix in _STATIC_TYPES
}


@router.get("/static/{name}")
def static(name: str) -> Response:
    """One of the page's static files (from memory)."""
    found = STATIC_FILES.get(name)
    if found is None:
        return Response(status_code=404)
    body, media_type = found
    return Response(body, media_type=media_type, headers={"Cache-Control": "max-age=3600"})
