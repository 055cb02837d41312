"""Safe by default: security headers on every response, a bound on request bodies, and the
API token.

The page's Content-Security-Policy allows only its own files: the stylesheet, the one small
script that sorts a table answer (no inline script, no eval) and the chart images; it is
never framed (clickjacking) and sends no referrer (a question in the URL stays here). Bodies are bounded before anything reads them: a declared length over
the limit is refused at once, and a body streamed without one is cut off when it passes it.
"""

from __future__ import annotations

import json
import secrets

from fastapi import HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The largest request body accepted (a question is at most 2000 characters: 6 KB of UTF-8;
#: the rest is room for JSON around it and a list of report ids).
MAX_BODY_BYTES = 64 * 1024

#: Headers every response carries.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every response (errors included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in self._headers if k not in names),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


class TooLarge(HTTPException):
    """A request body over the limit (413). An HTTP exception, so that the framework, which
    turns other failures to read a body into a 400, passes it on as it is."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit // 1024} KiB")


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``limit`` bytes, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge(self.limit)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, tracking)
        except TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": TooLarge(self.limit).detail}, separators=(",", ":")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


#: The API's token scheme (``Authorization: Bearer …``), for the OpenAPI schema too.
bearer = HTTPBearer(auto_error=False, description="QA_WEB_TOKEN, when the server sets one")


class Unauthorized(Exception):
    """A request to ``/api/*`` without the right token while ``QA_WEB_TOKEN`` is set."""


def token_matches(expected: str | None, credentials: HTTPAuthorizationCredentials | None) -> bool:
    """True when no token is required, or ``credentials`` carry it (compared in constant
    time)."""
    if expected is None:
        return True
    if credentials is None or credentials.scheme.lower() != "bearer":
        return False
    return secrets.compare_digest(credentials.credentials.encode(), expected.encode())


def client_of(request: Request) -> str:
    """The address a question is counted against (the peer's: proxy headers are not read,
    so a client cannot choose its own)."""
    return request.client.host if request.client else "unknown"
