"""The JSON API (``/api/*``): ask, the reports, their figures, a passage in its section,
feedback, and the server's health. Every route calls ``qa``'s public API and renders through
``qa.present``; an answer is exactly what ``qa ask --json`` prints, plus its ids.

When ``QA_WEB_TOKEN`` is set, every route here wants ``Authorization: Bearer <token>``.
Errors are ``{"detail": "one line"}`` with the status that fits (see ``web.app``).
"""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from qa import __version__
from qa.errors import ArgumentError, UnknownDocumentError
from qa.present import as_json, figures_csv, figures_data, view_answer
from web.guard import Unauthorized, bearer, client_of, token_matches
from web.models import (
    AnswerModel,
    AskRequest,
    DocumentModel,
    ErrorModel,
    FeedbackModel,
    FeedbackRequest,
    FigureRowModel,
    HealthModel,
    PassageContextModel,
)
from web.state import ServerState, table_links

#: Passages listed under ``passages`` in an answer (``qa ask --json``'s default ``-k``).
PASSAGES = 3
#: Passages of the same section shown on each side of a passage.
AROUND = 3


def server(request: Request) -> ServerState:
    """The shared state of the app handling ``request``."""
    return request.app.state.server


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    if not token_matches(server(request).settings.token, credentials):
        raise Unauthorized


_ERRORS = {
    400: {"model": ErrorModel, "description": "Bad request: what is wrong, in one line"},
    401: {"model": ErrorModel, "description": "QA_WEB_TOKEN is set: a Bearer token is needed"},
    503: {"model": ErrorModel, "description": "No index is loaded yet"},
}

router = APIRouter(prefix="/api", dependencies=[Depends(require_token)], responses=_ERRORS)
State = Annotated[ServerState, Depends(server)]


def json_response(data: object, status: int = 200) -> Response:
    """``data`` as UTF-8 JSON (characters as they are: the same values ``qa … --json``
    prints)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json")


@router.post(
    "/ask",
    response_model=AnswerModel,
    responses={
        404: {"model": ErrorModel, "description": "Unknown report or conversation"},
        413: {"model": ErrorModel, "description": "Request body too large"},
        429: {"model": ErrorModel, "description": "Too many questions from this client"},
    },
    summary="Ask a question",
)
def ask(body: AskRequest, request: Request, state: State) -> Response:
    """The answer as ``qa ask --json`` prints it — quotes with their figure spans and
    citations, or the decline and its reason; parts for a comparison; ``table`` for a
    question over a set of reports; ``context`` for a follow-up — plus ``answer_id`` (for
    ``POST /api/feedback``), ``conversation`` (send it with a follow-up question), ``turn``
    and, for a table, ``links`` to its CSV and chart.
    """
    asked = state.ask(
        body.question,
        client=client_of(request),
        conversation=body.conversation,
        documents=body.documents,
        language=body.lang,
    )
    view = view_answer(asked.turn.answer)
    data = as_json.answer_data(view, passages=PASSAGES)
    data["answer_id"] = asked.turn.answer_id
    data["conversation"] = asked.conversation.id
    data["turn"] = asked.turn.number
    data["links"] = table_links(asked.conversation.id, asked.turn, view)
    return json_response(data)


@router.get("/sources", response_model=list[DocumentModel], summary="The indexed reports")
def sources(state: State) -> Response:
    """Every indexed report with its metadata and each value's origin (``qa sources
    --json``)."""
    return json_response(as_json.sources_data(list(state.qa.documents.values())))


_CSV = re.compile(r"\btext/csv\b")


@router.get(
    "/figures/{doc}",
    response_model=list[FigureRowModel],
    responses={
        200: {"content": {"text/csv": {}}, "description": "JSON, or CSV when asked for"},
        404: {"model": ErrorModel, "description": "Unknown report"},
    },
    summary="A report's figure sheet",
)
def figures(
    doc: str,
    request: Request,
    state: State,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response:
    """Every figure of the report ``doc`` (``qa figures DOC --json``); CSV (``qa figures
    --csv``) with ``?format=csv`` or ``Accept: text/csv``."""
    qa = state.qa
    if doc not in qa.documents:
        raise UnknownReport(doc)
    rows = qa.figure_sheet(doc)
    wants_csv = format == "csv" or (
        format is None and _CSV.search(request.headers.get("accept", "")) is not None
    )
    if wants_csv:
        return Response(figures_csv(rows), media_type="text/csv; charset=utf-8")
    return json_response(figures_data(rows))


@router.get(
    "/passages/{passage_id:path}",
    response_model=PassageContextModel,
    responses={404: {"model": ErrorModel, "description": "Unknown passage"}},
    summary="A passage in its section",
)
def passage(passage_id: str, state: State) -> Response:
    """The passage with up to three passages of its section on each side, in report order."""
    context = state.qa.retriever.context(passage_id, around=AROUND)
    if context is None:
        raise UnknownPassage(passage_id)
    return json_response(
        {
            "passage": as_json.hit(context.passage),
            "before": [as_json.hit(h) for h in context.before],
            "after": [as_json.hit(h) for h in context.after],
        }
    )


@router.post(
    "/feedback",
    response_model=FeedbackModel,
    responses={404: {"model": ErrorModel, "description": "Unknown or expired answer"}},
    summary="Rate an answer",
)
def feedback(body: FeedbackRequest, state: State) -> Response:
    """👍 or 👎 on an answer (by its ``answer_id``); a 👎 may name the passage that should
    have answered, one of the answer's ``passages`` or ``related``. Rating again replaces
    the earlier rating. ``qa feedback export`` turns ratings into an evaluation set."""
    store = state.feedback
    if store is None:
        raise FeedbackOff
    item = store.rate(body.answer, body.rating, passage=body.passage)
    return json_response(
        {
            "answer": item.key,
            "rating": item.rating,
            "passage": item.passage_id,
            "exportable": item.exportable,
        }
    )


@router.get("/health", response_model=HealthModel, summary="What is served now")
def health(state: State) -> Response:
    """The index generation served, the model and its runtime, how many reports and
    passages; 503 while no index is loaded."""
    status = state.qa.retriever.index.status()
    return json_response(
        {
            "status": "ok",
            "version": __version__,
            "generation": status.generation,
            "built_at": status.built_at,
            "model": status.model,
            "runtime": f"{status.backend} {status.precision}",
            "reports": status.documents,
            "passages": status.passages,
        }
    )


class UnknownReport(UnknownDocumentError):
    """A report id the index does not hold: 404."""

    def __init__(self, doc: str) -> None:
        super().__init__(f"no report {doc!r} in the index (GET /api/sources lists them)")


class UnknownPassage(ArgumentError):
    """A passage id the index does not hold: 404."""

    def __init__(self, passage_id: str) -> None:
        super().__init__(f"no passage {passage_id!r} in the index (it may have been rebuilt)")


class FeedbackOff(ArgumentError):
    """Feedback is off on this server (``QA_FEEDBACK=off``): 404."""

    def __init__(self) -> None:
        super().__init__("feedback is off on this server (QA_FEEDBACK=off)")
