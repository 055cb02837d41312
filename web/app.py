"""``qa serve``: Report QA as a web page and a JSON API, in one process.

    qa serve [--index DIR] [--host 127.0.0.1] [--port 8000]

FastAPI on uvicorn. The server binds at once and loads the model and the index in the
background (``/api/health`` says 503 until they are ready: a process manager sees it alive);
the index is built from the bundled reports first when there is none, as ``qa ask`` does.
A new index generation published by ``qa build`` / ``qa add`` is picked up by the next
question (``qa.ReportQA`` reloads it, as the bot does). Questions are answered in worker
threads; those that arrive together are embedded in one batch.

Routes: the page (:mod:`web.pages`) and ``/api/*`` (:mod:`web.api`); the OpenAPI schema is
at ``/openapi.json``. No interactive docs page: it would load its script from a CDN.
Errors are one line — ``{"detail": …}`` under ``/api``, a page elsewhere — with the status
that fits: 400 (a bad question or request), 401 (no token), 404 (unknown report, passage,
conversation or answer), 413 (body too large), 429 (too many questions), 503 (no index).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa import __version__
from qa.errors import ArgumentError, QuestionError, UnknownAnswerError, UnknownDocumentError
from qa.present import say
from web import api, pages
from web.api import FeedbackOff, UnknownPassage, json_response
from web.guard import SECURITY_HEADERS, BodyLimit, SecurityHeaders, Unauthorized
from web.settings import WebSettings
from web.state import NotReady, RateLimited, ServerState, UnknownConversation

log = logging.getLogger("web")

#: Errors that mean "no such thing here": 404.
NOT_FOUND = (
    UnknownDocumentError,
    UnknownPassage,
    UnknownConversation,
    UnknownAnswerError,
    FeedbackOff,
)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _validation_message(error: RequestValidationError) -> str:
    """A request that does not fit its model, in one line: the first problem and where."""
    problems = error.errors()
    if not problems:
        return "the request is malformed"
    first = problems[0]
    if first.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
    message = first.get("msg", "is not valid")
    if first.get("type") == "missing":
        message = "is missing"
    if first.get("type") == "extra_forbidden":
        message = "is not a field of this request"
    return f"{where or 'the request'}: {message}"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _error(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The error as JSON under ``/api``, as a page elsewhere (in the browser's language)."""
    message = _one_line(message)
    if _is_api(request):
        response = json_response({"detail": message}, status)
    else:
        state: ServerState = request.app.state.server
        lang = pages.browser_language(request)
        if status == 503:
            message = say("page_loading", lang)
        elif status == 404 and message == "Not Found":
            message = say("page_not_found", lang)
        elif status == 500:
            message = say("error", lang)
        try:
            response = pages.message_page(state, lang, message, status)
        except Exception:  # the page cannot be rendered: say it in plain text
            log.exception("cannot render the error page")
            response = PlainTextResponse(message, status_code=status)
    # A 500 is sent from outside every middleware: it gets the security headers here.
    for name, value in {**SECURITY_HEADERS, **(headers or {})}.items():
        response.headers[name] = value
    return response


def add_error_handlers(app: FastAPI) -> None:
    """Every error as one line with its status (see the module docstring)."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        return _error(request, 400, _validation_message(error))

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, error: QuestionError) -> Response:
        return _error(request, 400, str(error))

    @app.exception_handler(ArgumentError)
    async def bad_argument(request: Request, error: ArgumentError) -> Response:
        return _error(request, 404 if isinstance(error, NOT_FOUND) else 400, str(error))

    @app.exception_handler(UnknownConversation)
    async def unknown_conversation(request: Request, error: UnknownConversation) -> Response:
        return _error(request, 404, str(error))

    @app.exception_handler(RateLimited)
    async def limited(request: Request, error: RateLimited) -> Response:
        seconds = max(1, round(error.retry_in))
        return _error(request, 429, str(error), {"Retry-After": str(seconds)})

    @app.exception_handler(NotReady)
    async def not_ready(request: Request, error: NotReady) -> Response:
        return _error(request, 503, str(error), {"Retry-After": "5"})

    @app.exception_handler(Unauthorized)
    async def unauthorized(request: Request, error: Unauthorized) -> Response:
        message = "this API needs the server's token: send 'Authorization: Bearer <QA_WEB_TOKEN>'"
        return _error(request, 401, message, {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail), error.headers)

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception) -> Response:
        log.error("error while answering %s %s", request.method, request.url.path, exc_info=error)
        return _error(request, 500, "something went wrong on the server (it is logged)")


def create_app(state: ServerState) -> FastAPI:
    """The ASGI app over ``state`` (Report QA may still be loading: see ``ServerState``)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        title="Report QA",
        version=__version__,
        summary="Ask questions about official reports; get the exact passages back, quoted "
        "verbatim with their figures.",
        docs_url=None,  # Swagger UI and ReDoc load their script from a CDN: no
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.server = state
    app.include_router(api.router)
    app.include_router(pages.router)
    add_error_handlers(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)  # outermost: on every response, errors included
    return app


def serve(settings: WebSettings, *, warm_up: bool = True) -> int:
    """Run the server until interrupted (Ctrl-C, SIGTERM): 0, or 1 when the index cannot be
    loaded (the reason is logged in one line). Without ``warm_up`` it is ready as soon as
    the index is open, and the first questions load the rest."""
    import uvicorn

    state = ServerState(settings)
    app = create_app(state)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=False,  # the peer's address is the client: X-Forwarded-For is not trusted
        server_header=False,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    failed = threading.Event()

    def load() -> None:
        try:
            state.load(warm_up=warm_up)
        except Exception:
            failed.set()
            server.should_exit = True

    async def main() -> None:
        threading.Thread(target=load, name="load-index", daemon=True).start()
        await server.serve()

    asyncio.run(main())
    return 1 if failed.is_set() else 0
