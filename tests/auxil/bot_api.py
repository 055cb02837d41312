"""A local stand-in for the Telegram Bot API, for end-to-end bot tests.

The real ``telegram.ext.Application`` (python-telegram-bot 22) talks to this server over HTTP on
127.0.0.1 exactly as it would talk to ``api.telegram.org``: ``POST {base_url}{token}/{method}``
with the parameters as a urlencoded form (nested objects JSON-encoded as strings), as multipart
when files are uploaded, or as a JSON body.  Answers are Telegram's envelopes
(``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": 400, "description": ...}``).

The server validates what Telegram validates (HTML parse mode, text length in UTF-16 code units,
inline keyboards, callback data, inline query answers, edits, ...) and answers with Telegram's
status codes and wording, so a bot that passes here does not trip over the same mistakes in
production.  Standard library only; the HTTP server runs in a background thread, so every
test-side method below is thread-safe and never blocks the event loop running the bot (except
the ``wait_*`` helpers, which have ``*_async`` twins for use inside the loop).

Usage::

    with BotApiStandIn(token=TOKEN) as api:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(api.base_url)            # f"{api.url}/bot"
            .base_file_url(api.base_file_url)  # f"{api.url}/file/bot"
            .rate_limiter(AIORateLimiter(max_retries=3))
            .build()
        )
        ...
        api.send_text(42, "hello")
        await api.wait_for_messages_async(1, chat_id=42)
        assert api.sent_messages(42)[0]["plain_text"] == "..."

As a pytest fixture::

    @pytest.fixture
    def api():
        with BotApiStandIn() as server:
            yield server

Deliberate differences from Telegram are listed in :class:`BotApiStandIn`'s docstring.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import itertools
import json
import re
import select
import socket
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiStandIn",
    "EntityParseError",
    "Upload",
    "format_text",
    "parse_html",
    "utf16_len",
]

#: The example token from Telegram's documentation; any ``<digits>:<35 chars>`` works.
DEFAULT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
#: Sender of group messages and inline queries when no ``user_id`` is given.
DEFAULT_USER_ID = 1001

MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units, after entity parsing
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_KEYBOARD_BUTTONS = 100
MAX_BOT_COMMANDS = 100
MAX_GET_FILE_SIZE = 20 * 1024 * 1024

_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
#: What Telegram delivers when ``allowed_updates`` was never set (or set to ``[]``).
DEFAULT_ALLOWED_UPDATES = frozenset(UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


class ApiError(Exception):
    """An error answer: HTTP status, Telegram's description and optional ``parameters``."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class Upload:
    """A file that arrived as a multipart part."""

    filename: str | None
    content_type: str | None
    data: bytes

    def describe(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
        }


# --------------------------------------------------------------------------------------------
# Text: UTF-16 lengths, HTML parse mode, entities
# --------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (astral characters count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class _Utf16Offsets:
    """Maps Python string indices to UTF-16 offsets."""

    def __init__(self, text: str) -> None:
        self._prefix = [0]
        for ch in text:
            self._prefix.append(self._prefix[-1] + (2 if ord(ch) > 0xFFFF else 1))

    def __call__(self, index: int) -> int:
        return self._prefix[index]


class EntityParseError(ValueError):
    """HTML that Telegram refuses; the message is tdlib's text without the API prefix."""


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_TD_SPACE = frozenset(" \t\r\n\0\v")  # tdlib's is_space(); "\0" doubles as end of text
_SIMPLE_TAG_TYPES = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
#: tdlib's MessageEntity::get_type_priority(), used to order entities with equal spans.
_ENTITY_PRIORITY = {
    "mention": 50,
    "hashtag": 50,
    "bot_command": 50,
    "url": 50,
    "email": 50,
    "bold": 90,
    "italic": 91,
    "code": 20,
    "pre": 11,
    "text_link": 49,
    "text_mention": 49,
    "cashtag": 50,
    "phone_number": 50,
    "underline": 92,
    "strikethrough": 93,
    "blockquote": 0,
    "expandable_blockquote": 0,
    "spoiler": 94,
    "custom_emoji": 99,
}
_FORMATTING_TYPES = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
    }
)
_BLOCKQUOTE_TYPES = frozenset({"blockquote", "expandable_blockquote"})
_TRIM_CHARS = " \t\n\r\v\f"


def _decode_html_entity(text: str, pos: int) -> tuple[int, int]:
    """tdlib's decode_html_entity(): (code point or 0, position after the entity)."""
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else "\0"

    end = pos + 1
    code = 0
    if at(pos + 1) == "#":
        end += 1
        if at(pos + 2) == "x":
            end += 1
            while at(end) in "0123456789abcdefABCDEF":
                code = code * 16 + int(at(end), 16)
                end += 1
        else:
            while at(end).isascii() and at(end).isdigit():
                code = code * 10 + int(at(end))
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(text[pos + 1 : end])
        if named is None:
            return 0, pos
        code = ord(named)
    if at(end) == ";":
        end += 1
    return code, end


def _checked_link(url: str) -> dict[str, Any] | None:
    """Entity fields for an ``<a href>``; None when Telegram would silently drop the link."""
    user = re.fullmatch(r"tg://user\?id=(\d+)", url.strip())
    if user:
        uid = int(user.group(1))
        return {"type": "text_mention", "user": {"id": uid, "is_bot": False, "first_name": ""}}
    url = url.strip()
    if re.fullmatch(r"(?i)(https?|tg|ton)://\S+", url):
        return {"type": "text_link", "url": url}
    if re.fullmatch(r"(?i)[a-z0-9.-]+\.[a-z]{2,}(:\d+)?(/\S*)?", url):
        return {"type": "text_link", "url": f"http://{url}"}
    return None


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: a port of tdlib's ``parse_html``.

    Returns the plain text and Bot API entity dicts (UTF-16 offsets).  Raises
    :class:`EntityParseError` with tdlib's message (byte offsets are UTF-8 byte offsets).

    ``strict`` (default) additionally rejects a ``&`` that does not start one of the supported
    entities (``&lt; &gt; &amp; &quot; &#NN; &#xNN;``, terminated by ``;``), as the Bot API
    documentation demands.  tdlib itself keeps such an ``&`` literally; ``strict=False`` does
    the same.
    """
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else "\0"

    def byte_offset(i: int) -> int:
        return len(text[:i].encode("utf-8", "surrogatepass"))

    out: list[str] = []
    u16 = 0
    entities: list[dict[str, Any]] = []
    # Open tags: [tag, argument, utf16 offset, index into `out`]
    stack: list[list[Any]] = []
    saw_surrogate = False
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            code, end = _decode_html_entity(text, i)
            if code and (not strict or text[end - 1] == ";"):
                saw_surrogate |= 0xD800 <= code <= 0xDFFF
                out.append(chr(code))
                u16 += 2 if code > 0xFFFF else 1
                i = end
                continue
            if strict:
                word = re.match(r"&#?\w*;?", text[i:])
                shown = word.group(0) if word else "&"
                raise EntityParseError(
                    f'Unsupported HTML entity "{shown}" at byte offset {byte_offset(i)}; '
                    'escape "&" as "&amp;"'
                )
        if c != "<":
            out.append(c)
            u16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            # start tag
            while at(i) not in _TD_SPACE and at(i) != ">":
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise EntityParseError(
                    f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            argument = ""
            while at(i) != ">":
                while i < n and at(i) in _TD_SPACE:
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while at(i) not in _TD_SPACE and at(i) not in "=>":
                    i += 1
                attr_name = text[attr_begin:i]
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{byte_offset(begin)}"
                    )
                while i < n and at(i) in _TD_SPACE:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr_name == "expandable":
                        argument = "expandable"
                        continue
                    raise EntityParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {byte_offset(begin)}'
                    )
                i += 1
                while i < n and at(i) in _TD_SPACE:
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                if at(i) not in "'\"":
                    token_begin = i
                    while (at(i).isascii() and at(i).isalnum()) or at(i) in ".-":
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in _TD_SPACE and at(i) != ">":
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset "
                            f"{byte_offset(token_begin)}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while i < n and at(i) != quote:
                        if at(i) == "&":
                            code, end = _decode_html_entity(text, i)
                            if code:
                                chars.append(chr(code))
                                i = end
                                continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {byte_offset(begin)}"
                    )
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            stack.append([tag, argument, u16, len(out)])
            i += 1  # the ">"
            continue

        # end tag
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        while at(i) not in _TD_SPACE and at(i) != ">":
            i += 1
        end_name = text[begin + 2 : i].lower()
        while i < n and at(i) in _TD_SPACE:
            i += 1
        if at(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        tag, argument, offset, out_begin = stack[-1]
        if end_name and end_name != tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                f'expected "</{tag}>", found "</{end_name}>"'
            )
        if u16 > offset:
            length = u16 - offset
            entity: dict[str, Any] | None = None
            if tag in _SIMPLE_TAG_TYPES:
                entity = {"type": _SIMPLE_TAG_TYPES[tag], "offset": offset, "length": length}
            elif tag == "tg-emoji":
                if not argument.isdigit() or int(argument) == 0:
                    raise EntityParseError("Invalid custom emoji identifier specified")
                entity = {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": argument,
                }
            elif tag == "a":
                link = _checked_link(argument or "".join(out[out_begin:]))
                if link is not None:
                    entity = {"type": link["type"], "offset": offset, "length": length, **link}
            elif tag == "pre":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "code"
                    and (last["offset"], last["length"]) == (offset, length)
                    and last.get("_language")
                ):
                    last["type"] = "pre"
                    last["language"] = last.pop("_language")
                else:
                    entity = {"type": "pre", "offset": offset, "length": length}
            elif tag == "code":
                last = entities[-1] if entities else None
                if (
                    last is not None
                    and last["type"] == "pre"
                    and (last["offset"], last["length"]) == (offset, length)
                    and argument
                ):
                    last["language"] = argument
                else:
                    entity = {"type": "code", "offset": offset, "length": length}
                    if argument:
                        entity["_language"] = argument
            elif tag == "blockquote":
                kind = "expandable_blockquote" if argument == "expandable" else "blockquote"
                entity = {"type": kind, "offset": offset, "length": length}
            if entity is not None:
                entities.append(entity)
        stack.pop()
        i += 1  # the ">"
    if stack:
        raise EntityParseError(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    if saw_surrogate:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        )
    for entity in entities:
        entity.pop("_language", None)
    quotes = [e for e in entities if e["type"] in _BLOCKQUOTE_TYPES]
    for outer, inner in itertools.permutations(quotes, 2):
        if _contains(outer, inner):
            raise EntityParseError("Blockquote entities can't be nested")
    return "".join(out), sort_entities(entities)


def _end(entity: dict[str, Any]) -> int:
    return entity["offset"] + entity["length"]


def _contains(outer: dict[str, Any], inner: dict[str, Any]) -> bool:
    return outer["offset"] <= inner["offset"] and _end(inner) <= _end(outer)


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["offset"] < _end(b) and b["offset"] < _end(a)


def sort_entities(entities: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """tdlib's order: by offset, longer first, then by type priority."""
    return sorted(
        entities,
        key=lambda e: (e["offset"], -e["length"], _ENTITY_PRIORITY.get(e["type"], 50)),
    )


_AUTO_ENTITY_PATTERNS = (
    (
        "email",
        re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    ),
    ("url", re.compile(r"(?<![\w@/])https?://[^\s<>\"]+", re.IGNORECASE)),
    ("mention", re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?!\w)")),
    (
        "bot_command",
        re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"),
    ),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*(?![\w#])")),
)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram adds by itself: e-mails, http(s) links, @mentions, /commands, #tags."""
    to16 = _Utf16Offsets(text)
    found: list[dict[str, Any]] = []
    for kind, pattern in _AUTO_ENTITY_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?'\")]":
                    end -= 1
            entity = {"type": kind, "offset": to16(start), "length": to16(end) - to16(start)}
            if not any(_overlaps(entity, other) for other in found):
                found.append(entity)
    return sort_entities(found)


def _finish_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """What Telegram does after parsing: trim whitespace, fix and complete the entities."""
    left = len(text) - len(text.lstrip(_TRIM_CHARS))
    trimmed = text.strip(_TRIM_CHARS)
    size = utf16_len(trimmed)
    fixed: list[dict[str, Any]] = []
    for entity in entities:
        start = max(int(entity.get("offset", 0)) - left, 0)
        end = min(int(entity.get("offset", 0)) + int(entity.get("length", 0)) - left, size)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    # pre and code can't contain other entities: Telegram drops those inside them.
    blocks = [e for e in fixed if e["type"] in ("pre", "code")]
    fixed = [e for e in fixed if not any(b is not e and _contains(b, e) for b in blocks)]
    # Telegram adds mentions, links, commands, ... unless they clash with existing entities.
    for auto in detect_entities(trimmed):
        clash = any(_overlaps(auto, e) and e["type"] not in _FORMATTING_TYPES for e in fixed)
        if not clash:
            fixed.append(auto)
    return trimmed, sort_entities(fixed)


def format_text(
    text: Any,
    parse_mode: Any = None,
    entities: Any = None,
    *,
    max_length: int = MAX_MESSAGE_LENGTH,
    strict_html: bool = True,
    empty_error: str | None = "Bad Request: message text is empty",
    too_long_error: str = "Bad Request: message is too long",
) -> tuple[str, list[dict[str, Any]]]:
    """Validate a message text (or caption) like Telegram; return (plain text, entities).

    Raises :class:`ApiError` with Telegram's description.  ``empty_error=None`` allows an empty
    result (captions are optional).
    """
    if text is None:
        text = ""
    if not isinstance(text, str):
        text = json.dumps(text) if not isinstance(text, (int, float)) else str(text)
    mode = (parse_mode or "").strip().lower() if isinstance(parse_mode, str) else ""
    if entities:
        if not isinstance(entities, list) or not all(
            isinstance(e, dict)
            and isinstance(e.get("type"), str)
            and isinstance(e.get("offset"), int)
            and isinstance(e.get("length"), int)
            for e in entities
        ):
            raise _bad("can't parse entities JSON object")
        plain, parsed = text, [dict(e) for e in entities]
    elif mode == "html":
        try:
            plain, parsed = parse_html(text, strict=strict_html)
        except EntityParseError as exc:
            raise _bad(f"can't parse entities: {exc}") from None
    elif mode in ("", "markdown", "markdownv2"):
        # Markdown modes are accepted but not checked (the bot under test uses HTML).
        plain, parsed = text, []
    else:
        raise _bad("unsupported parse_mode")
    plain, parsed = _finish_text(plain, parsed)
    if not plain and empty_error is not None:
        raise ApiError(400, empty_error)
    if utf16_len(plain) > max_length:
        raise ApiError(400, too_long_error)
    return plain, parsed


# --------------------------------------------------------------------------------------------
# Reply markup
# --------------------------------------------------------------------------------------------

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _valid_button_url(url: str) -> bool:
    return bool(
        re.fullmatch(r"(?i)(https?|tg)://[^\s]+", url)
        or re.fullmatch(r"(?i)[a-z0-9.-]+\.[a-z]{2,}(:\d+)?(/\S*)?", url)
    )


def validate_reply_markup(markup: Any) -> dict[str, Any]:
    """Check a reply_markup object like Telegram; returns it unchanged or raises ApiError."""
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        count = 0
        for row in rows:
            for button in row:
                count += 1
                if not isinstance(button, dict):
                    raise _bad(
                        "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                    )
                if not isinstance(button.get("text"), str):
                    raise _bad(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not button["text"].strip():
                    raise _bad("BUTTON_TEXT_INVALID")
                actions = [key for key in _BUTTON_ACTIONS if key in button]
                if not actions:
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button:
                    url = button["url"]
                    if not isinstance(url, str) or not _valid_button_url(url):
                        raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        if count > MAX_INLINE_KEYBOARD_BUTTONS:
            raise _bad("reply markup is too long")
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise _bad('can\'t parse keyboard button: Field "text" must be of type String')
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise _bad("can't parse reply keyboard markup JSON object")


def _button_datas(markup: dict[str, Any] | None) -> list[str]:
    if not markup or "inline_keyboard" not in markup:
        return []
    return [
        button["callback_data"]
        for row in markup["inline_keyboard"]
        for button in row
        if "callback_data" in button
    ]


# --------------------------------------------------------------------------------------------
# Request parameters
# --------------------------------------------------------------------------------------------

_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "message_thread_id",
        "reply_to_message_id",
        "max_connections",
        "user_id",
        "from_chat_id",
        "width",
        "height",
        "duration",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "is_personal",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_JSON_PARAMS = {
    "reply_markup": "reply keyboard markup",
    "entities": "entities",
    "caption_entities": "caption entities",
    "results": "inline query results",
    "commands": "bot commands",
    "scope": "bot command scope",
    "allowed_updates": "allowed updates",
    "link_preview_options": "link preview options",
    "reply_parameters": "reply parameters",
    "button": "inline query results button",
    "menu_button": "menu button",
    "media": "media",
}


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def _coerce_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Give parameters the types the Bot API schema gives them."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, Upload):
            params[name] = value
        elif name in _JSON_PARAMS and isinstance(value, str):
            try:
                params[name] = json.loads(value)
            except ValueError:
                raise _bad(f"can't parse {_JSON_PARAMS[name]} JSON object") from None
        elif name == "chat_id":
            as_int = _to_int(value)
            params[name] = as_int if as_int is not None else str(value)
        elif name in _INT_PARAMS:
            params[name] = _to_int(value)
        elif name in _BOOL_PARAMS:
            params[name] = _to_bool(value)
        else:
            params[name] = value
    return params


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    if not message.is_multipart():
        raise _bad("can't parse multipart/form-data body")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            fields[str(name)] = Upload(filename, part.get_content_type(), data)
        else:
            charset = part.get_content_charset() or "utf-8"
            fields[str(name)] = data.decode(charset, "replace")
    return fields


def _sanitize(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v.describe() if isinstance(v, Upload) else v for k, v in params.items()}


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: BotApiStandIn


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BotApiStandIn/1.0"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines contain the token, which must never be logged."""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.standin._connection_opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.standin._connection_closed(self.connection)

    def do_POST(self) -> None:
        self.server.standin._serve(self)

    do_GET = do_POST


class _Abandoned:
    """A long poll whose client went away: answer nobody."""


_ABANDONED = _Abandoned()


@dataclass
class _Fault:
    method: str  # lower-case method name, or "*"
    kind: str  # "status" | "disconnect" | "delay"
    times: int
    status: int = 429
    retry_after: int = 1
    description: str | None = None
    seconds: float = 0.0

    def matches(self, method: str) -> bool:
        if self.method == "*":
            return method.lower() != "getupdates"
        return self.method == method.lower()

    def error(self) -> ApiError:
        if self.status == 429:
            return ApiError(
                429,
                self.description or f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
        default = {
            400: "Bad Request: injected failure",
            401: "Unauthorized",
            403: "Forbidden: bot was blocked by the user",
            404: "Not Found",
            409: "Conflict: terminated by other getUpdates request; make sure that only one "
            "bot instance is running",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }.get(self.status, f"Error {self.status}")
        return ApiError(self.status, self.description or default)


# --------------------------------------------------------------------------------------------
# The stand-in
# --------------------------------------------------------------------------------------------


class BotApiStandIn:
    """A Telegram Bot API stand-in on 127.0.0.1 (see the module docstring for usage).

    Configuration:
        token: the bot token the server accepts; another well-formed token in the URL gets
            401 Unauthorized, a malformed one 404 Not Found.  The token is never logged,
            recorded or echoed in errors.
        username / first_name: the bot user returned by getMe (its id is the token's number).
        long_poll_cap: getUpdates waits at most this long (seconds), whatever ``timeout`` says.
        strict_html: reject a bare ``&`` in HTML text (the docs' rule; tdlib keeps it).
        strict_chats: sending to a chat the stand-in never saw gives 400 "chat not found"
            (default: such chats are made up on the fly).
        blocked_chats / unknown_chats: chat ids answered with 403 "bot was blocked by the
            user" ("bot was kicked from the group chat" for groups) / 400 "chat not found".
        callback_query_ttl / inline_query_ttl: seconds after which answering a query fails
            with "query is too old ...".

    Deliberate differences from Telegram: a bare ``&`` in HTML is an error in strict mode;
    nested blockquotes are an error (the docs forbid them; Telegram's own reaction is not
    pinned down); Markdown/MarkdownV2 texts are accepted unchecked; updates are never pushed
    to a webhook (setWebhook is only recorded, and blocks getUpdates with 409 like Telegram).
    Error wording for the core checks (entities, empty/long text, callback data, queries,
    edits, blocked chats) is Telegram's; rarer descriptions are best effort.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "report_qa_test_bot",
        first_name: str = "Report QA",
        long_poll_cap: float = 1.0,
        strict_html: bool = True,
        strict_chats: bool = False,
        blocked_chats: Iterable[int] = (),
        unknown_chats: Iterable[int] = (),
        callback_query_ttl: float = 15.0,
        inline_query_ttl: float = 15.0,
        first_update_id: int = 100_000,
    ) -> None:
        head, sep, _ = token.partition(":")
        if not sep or not head.isdigit():
            raise ValueError("token must look like '<bot id>:<secret>'")
        self._token = token
        self.username = username
        self.bot_id = int(head)
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.long_poll_cap = long_poll_cap
        self.strict_html = strict_html
        self.strict_chats = strict_chats
        self.callback_query_ttl = callback_query_ttl
        self.inline_query_ttl = inline_query_ttl

        self._cond = threading.Condition(threading.RLock())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._stopping = False

        self._next_update_id = first_update_id
        self._queue: list[dict[str, Any]] = []
        self._history: list[dict[str, Any]] = []
        self._dropped: list[dict[str, Any]] = []
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0

        self._chats: dict[int, dict[str, Any]] = {}
        self._blocked: set[int] = set(blocked_chats)
        self._unknown: set[int] = set(unknown_chats)
        self._last_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._bot_message_keys: set[tuple[int, int]] = set()
        self._callback_queries: dict[str, dict[str, Any]] = {}
        self._inline_queries: dict[str, dict[str, Any]] = {}
        self._query_counter = itertools.count(4_611_686_018_427_388_000)
        self._files: dict[str, dict[str, Any]] = {}
        self._file_counter = itertools.count(1)

        self._sent: list[dict[str, Any]] = []
        self._edits: list[dict[str, Any]] = []
        self._deleted: list[dict[str, Any]] = []
        self._callback_answers: list[dict[str, Any]] = []
        self._inline_answers: list[dict[str, Any]] = []
        self._chat_actions: list[dict[str, Any]] = []
        self._calls: list[dict[str, Any]] = []
        self._errors: list[dict[str, Any]] = []
        self._internal_errors: list[str] = []
        self._faults: list[_Fault] = []
        self._webhook: dict[str, Any] | None = None
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._settings: dict[str, Any] = {}

        self._methods: dict[str, tuple[str, Callable[..., Any]]] = {}
        for name, fn in (
            ("getMe", self._m_get_me),
            ("getUpdates", self._m_get_updates),
            ("deleteWebhook", self._m_delete_webhook),
            ("getWebhookInfo", self._m_get_webhook_info),
            ("setWebhook", self._m_set_webhook),
            ("setMyCommands", self._m_set_my_commands),
            ("getMyCommands", self._m_get_my_commands),
            ("deleteMyCommands", self._m_delete_my_commands),
            ("sendMessage", self._m_send_message),
            ("sendPhoto", self._m_send_photo),
            ("sendDocument", self._m_send_document),
            ("editMessageText", self._m_edit_message_text),
            ("editMessageReplyMarkup", self._m_edit_message_reply_markup),
            ("deleteMessage", self._m_delete_message),
            ("answerCallbackQuery", self._m_answer_callback_query),
            ("answerInlineQuery", self._m_answer_inline_query),
            ("sendChatAction", self._m_send_chat_action),
            ("getFile", self._m_get_file),
            ("setMyDescription", functools.partial(self._m_setting, "setMyDescription")),
            ("setMyShortDescription", functools.partial(self._m_setting, "setMyShortDescription")),
            ("setMyName", functools.partial(self._m_setting, "setMyName")),
            ("setChatMenuButton", functools.partial(self._m_setting, "setChatMenuButton")),
            ("close", self._m_true),
            ("logOut", self._m_true),
        ):
            self._methods[name.lower()] = (name, fn)

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> BotApiStandIn:
        if self._server is not None:
            raise RuntimeError("already started")
        self._stopping = False
        server = _Server(("127.0.0.1", 0), _Handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="BotApiStandIn",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        server.shutdown()
        with self._cond:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> BotApiStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:  # never shows the token
        state = self.url if self._server is not None else "stopped"
        return f"<BotApiStandIn @{self.username} {state}>"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._server is None:
            raise RuntimeError("BotApiStandIn is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    # ---- test side: configuration and fault injection --------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" = any but getUpdates) with an error.

        429 carries ``parameters.retry_after`` (PTB raises RetryAfter); other statuses get a
        Telegram-like default description.  The request is not executed.
        """
        with self._cond:
            self._faults.append(
                _Fault(method.lower(), "status", times, status, retry_after, description)
            )

    def disconnect_next(self, method: str, times: int = 1) -> None:
        """Close the connection of the next ``times`` calls without answering (network error).

        The request is not executed.  PTB raises ``NetworkError``.
        """
        with self._cond:
            self._faults.append(_Fault(method.lower(), "disconnect", times))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next ``times`` calls for ``seconds`` before executing them (for timeouts)."""
        with self._cond:
            self._faults.append(_Fault(method.lower(), "delay", times, seconds=seconds))

    def clear_faults(self) -> None:
        with self._cond:
            self._faults.clear()

    def block_chat(self, chat_id: int) -> None:
        """From now on, sending to ``chat_id`` fails with 403 (the user blocked the bot)."""
        with self._cond:
            self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        with self._cond:
            self._blocked.discard(chat_id)

    def forget_chat(self, chat_id: int) -> None:
        """From now on, ``chat_id`` is unknown: 400 "chat not found"."""
        with self._cond:
            self._unknown.add(chat_id)
            self._chats.pop(chat_id, None)

    def add_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        *,
        title: str | None = None,
        first_name: str = "Ann",
        username: str | None = None,
    ) -> dict[str, Any]:
        """Register a chat (needed with ``strict_chats=True``); returns the Chat object."""
        with self._cond:
            self._unknown.discard(chat_id)
            chat = self._make_chat(chat_id, chat_type, title, first_name, username)
            self._chats[chat_id] = chat
            return copy.deepcopy(chat)

    # ---- test side: updates ------------------------------------------------------------------

    def queue_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (``update_id`` is assigned when missing); returns its id."""
        with self._cond:
            update = copy.deepcopy(update)
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
            self._queue.append(update)
            self._history.append(copy.deepcopy(update))
            self._cond.notify_all()
            return int(update["update_id"])

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "en",
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        chat_title: str | None = None,
        reply_to_bot_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> int:
        """A user writes ``text`` in ``chat_id``; returns the update_id.

        A negative ``chat_id`` is a group whatever ``chat_type`` says: its known type, else
        "supergroup" for -100... ids and "group" otherwise; group messages come from
        ``DEFAULT_USER_ID`` unless ``user_id`` is given.
        Without ``entities``, Telegram's automatic ones (@mentions, /commands, links, #tags,
        e-mails) are added.  ``reply_to_bot_message_id`` makes it a reply to that message
        (any message of the chat, usually one the bot sent).
        """
        with self._cond:
            message = self._user_message(
                chat_id,
                user_id=user_id,
                chat_type=chat_type,
                language_code=language_code,
                first_name=first_name,
                last_name=last_name,
                username=username,
                chat_title=chat_title,
                reply_to_message_id=reply_to_bot_message_id,
            )
            message["text"] = text
            found = detect_entities(text) if entities is None else entities
            if found:
                message["entities"] = copy.deepcopy(found)
            return self._queue_message(message)

    def send_command(
        self,
        chat_id: int,
        command: str,
        args: str = "",
        *,
        mention_bot: bool = False,
        **sender: Any,
    ) -> int:
        """A user sends ``/command [args]`` (with its bot_command entity); returns the update_id.

        ``mention_bot=True`` writes ``/command@<bot username>`` as in groups.  ``sender`` takes
        the keyword arguments of :meth:`send_text` (user_id, chat_type, language_code, ...).
        """
        if not command.startswith("/"):
            command = f"/{command}"
        if mention_bot and "@" not in command:
            command = f"{command}@{self.username}"
        text = f"{command} {args}" if args else command
        entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        rest = [e for e in detect_entities(text) if e["offset"] >= utf16_len(command)]
        return self.send_text(chat_id, text, entities=entities + rest, **sender)

    def send_mention(self, chat_id: int, text: str, **sender: Any) -> int:
        """A user writes ``@<bot username> text`` (mention entity included), usually in a group.

        ``sender`` takes the keyword arguments of :meth:`send_text`.
        """
        return self.send_text(chat_id, f"@{self.username} {text}", **sender)

    def send_sticker(
        self,
        chat_id: int,
        *,
        emoji: str = "👍",
        set_name: str | None = "TestStickers",
        **sender: Any,
    ) -> int:
        """A user sends a (static) sticker; ``sender`` as in :meth:`send_text`."""
        with self._cond:
            message = self._user_message(chat_id, **self._sender_kwargs(sender))
            file_id, unique = self._new_file_ids("CAACAgIAAxkBAAI")
            sticker: dict[str, Any] = {
                "file_id": file_id,
                "file_unique_id": unique,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
                "file_size": 24_000,
            }
            if set_name:
                sticker["set_name"] = set_name
            message["sticker"] = sticker
            return self._queue_message(message)

    def send_photo(
        self,
        chat_id: int,
        *,
        caption: str | None = None,
        content: bytes | None = None,
        width: int = 1280,
        height: int = 960,
        **sender: Any,
    ) -> int:
        """A user sends a photo (three sizes, like Telegram); ``content`` makes it downloadable."""
        with self._cond:
            message = self._user_message(chat_id, **self._sender_kwargs(sender))
            message["photo"] = self._photo_sizes(content, width, height)
            if caption:
                message["caption"] = caption
                found = detect_entities(caption)
                if found:
                    message["caption_entities"] = found
            return self._queue_message(message)

    def send_document(
        self,
        chat_id: int,
        content: bytes = b"%PDF-1.4\n%stand-in\n",
        *,
        file_name: str = "report.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        **sender: Any,
    ) -> int:
        """A user sends a file; the bot can getFile and download ``content``."""
        with self._cond:
            message = self._user_message(chat_id, **self._sender_kwargs(sender))
            file_id, unique = self._store_file(content, "documents", file_name)
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(content),
            }
            if caption:
                message["caption"] = caption
            return self._queue_message(message)

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        first_name: str = "Ann",
        language_code: str | None = "en",
        check_button: bool = True,
    ) -> str:
        """A user presses an inline button of a bot message; returns the callback_query_id.

        With ``check_button`` (default) the message must currently show a button with that
        callback_data (as a real client can only press existing buttons).
        """
        with self._cond:
            message = self._messages.get((chat_id, message_id))
            if message is None:
                raise ValueError(f"no message {message_id} in chat {chat_id}")
            if check_button and callback_data not in _button_datas(message.get("reply_markup")):
                raise ValueError(
                    f"message {message_id} in chat {chat_id} has no button with callback_data "
                    f"{callback_data!r}; it has {_button_datas(message.get('reply_markup'))}"
                )
            chat = self._chats.get(chat_id) or self._default_chat(chat_id)
            uid = user_id if user_id is not None else self._default_user_id(chat_id, chat["type"])
            query_id = str(next(self._query_counter))
            user = self._make_user(uid, first_name, None, None, language_code)
            self._callback_queries[query_id] = {
                "created": time.monotonic(),
                "answered": False,
                "data": callback_data,
                "chat_id": chat_id,
                "message_id": message_id,
                "user_id": uid,
            }
            self.queue_update(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": user,
                        "message": self._without_reply(message),
                        "chat_instance": str(abs(chat_id) * 7 + 1_000_003),
                        "data": callback_data,
                    }
                }
            )
            return query_id

    def inline_query(
        self,
        query: str,
        *,
        user_id: int = DEFAULT_USER_ID,
        first_name: str = "Ann",
        language_code: str | None = "en",
        offset: str = "",
        chat_type: str | None = "sender",
    ) -> str:
        """A user types ``@<bot> query``; returns the inline_query_id."""
        with self._cond:
            query_id = str(next(self._query_counter))
            payload: dict[str, Any] = {
                "id": query_id,
                "from": self._make_user(user_id, first_name, None, None, language_code),
                "query": query,
                "offset": offset,
            }
            if chat_type:
                payload["chat_type"] = chat_type
            self._inline_queries[query_id] = {
                "created": time.monotonic(),
                "answered": False,
                "query": query,
                "user_id": user_id,
            }
            self.queue_update({"inline_query": payload})
            return query_id

    # ---- test side: readers ------------------------------------------------------------------

    def _snapshot(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self._cond:
            return copy.deepcopy(items)

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Every message the bot sent, oldest first.

        Each: method, chat_id, message_id, text (as sent), parse_mode, plain_text (after
        entity parsing), entities, reply_markup, reply_to_message_id, caption (media),
        message (the Message returned to the bot), timestamp.
        """
        with self._cond:
            return copy.deepcopy(
                [m for m in self._sent if chat_id is None or m["chat_id"] == chat_id]
            )

    def texts(self, chat_id: int | None = None) -> list[str]:
        """The plain texts (captions for media) the bot sent, oldest first."""
        return [m["plain_text"] for m in self.sent_messages(chat_id)]

    def last_message(self, chat_id: int | None = None) -> dict[str, Any] | None:
        sent = self.sent_messages(chat_id)
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current state of a message (after edits) as a Message dict, or None."""
        with self._cond:
            found = self._messages.get((chat_id, message_id))
            return copy.deepcopy(found) if found is not None else None

    def file_data(self, file_id: str) -> bytes | None:
        """The bytes of a file the bot uploaded (``sendDocument`` / ``sendPhoto`` as
        multipart), by the ``file_id`` the stand-in gave it; ``None`` for an unknown id or
        a file sent by reference."""
        with self._cond:
            stored = self._files.get(file_id)
            return None if stored is None else stored["data"]

    @property
    def edits(self) -> list[dict[str, Any]]:
        """Successful editMessageText / editMessageReplyMarkup calls."""
        return self._snapshot(self._edits)

    @property
    def deleted_messages(self) -> list[dict[str, Any]]:
        return self._snapshot(self._deleted)

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """Successful answerCallbackQuery calls (with the pressed button's data)."""
        return self._snapshot(self._callback_answers)

    @property
    def inline_answers(self) -> list[dict[str, Any]]:
        """Successful answerInlineQuery calls; ``rendered`` has each result's parsed text."""
        return self._snapshot(self._inline_answers)

    @property
    def chat_actions(self) -> list[dict[str, Any]]:
        return self._snapshot(self._chat_actions)

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Every request: method, params, status, description (errors), injected, timestamp."""
        return self._snapshot(self._calls)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["method"].lower() == method.lower()]

    @property
    def errors(self) -> list[dict[str, Any]]:
        """Every 4xx answer: method, status, description, params, injected, timestamp."""
        return self._snapshot(self._errors)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the stand-in itself (answered with 500); should stay empty."""
        with self._cond:
            return list(self._internal_errors)

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Every update ever queued."""
        return self._snapshot(self._history)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        return self._snapshot(self._queue)

    @property
    def webhook(self) -> dict[str, Any] | None:
        with self._cond:
            return copy.deepcopy(self._webhook)

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The commands set for a scope (default scope) and language."""
        with self._cond:
            return copy.deepcopy(self._commands.get(self._scope_key(scope, language_code), []))

    @property
    def settings(self) -> dict[str, Any]:
        """Parameters of setMyDescription, setMyShortDescription, setMyName, setChatMenuButton."""
        with self._cond:
            return copy.deepcopy(self._settings)

    def clear_records(self) -> None:
        """Forget recorded calls, errors and bot output (state such as messages is kept)."""
        with self._cond:
            for records in (
                self._sent,
                self._edits,
                self._deleted,
                self._callback_answers,
                self._inline_answers,
                self._chat_actions,
                self._calls,
                self._errors,
            ):
                records.clear()

    # ---- test side: waiting ------------------------------------------------------------------

    def _timeout_message(self, timeout: float) -> str:
        with self._cond:
            recent = [(c["method"], c["status"]) for c in self._calls[-12:]]
            errors = [e["description"] for e in self._errors[-5:]]
        return (
            f"condition not met within {timeout} s; recent calls {recent}; recent errors {errors}; "
            f"internal errors {len(self._internal_errors)}"
        )

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Block until ``predicate()`` is truthy (checked on every request); return its value.

        Do not call this from the event loop that runs the bot: use :meth:`wait_for_async`.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._timeout_message(timeout))
                self._cond.wait(min(remaining, 0.05))

    def wait_for_messages(
        self, n: int, chat_id: int | None = None, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Block until the bot sent at least ``n`` messages (to ``chat_id``); return them."""
        return self.wait_for(lambda: self._at_least(n, chat_id), timeout)[1]

    async def wait_for_async(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """:meth:`wait_for` for use inside the event loop that runs the bot."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(timeout))
            await asyncio.sleep(0.01)

    async def wait_for_messages_async(
        self, n: int, chat_id: int | None = None, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """:meth:`wait_for_messages` for use inside the event loop that runs the bot."""
        return (await self.wait_for_async(lambda: self._at_least(n, chat_id), timeout))[1]

    def _at_least(self, n: int, chat_id: int | None) -> tuple[bool, list[dict[str, Any]]] | None:
        sent = self.sent_messages(chat_id)
        return (True, sent) if len(sent) >= n else None

    # ---- internals: users, chats, messages ---------------------------------------------------

    @staticmethod
    def _make_user(
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    @staticmethod
    def _make_chat(
        chat_id: int,
        chat_type: str,
        title: str | None,
        first_name: str,
        username: str | None,
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
            if username:
                chat["username"] = username
        else:
            chat["title"] = title or ("Test channel" if chat_type == "channel" else "Test group")
        return chat

    def _default_chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return self._make_chat(chat_id, "private", None, "Ann", None)
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return self._make_chat(chat_id, kind, None, "Ann", None)

    @staticmethod
    def _default_user_id(chat_id: int, chat_type: str) -> int:
        return chat_id if chat_type == "private" else DEFAULT_USER_ID

    @staticmethod
    def _sender_kwargs(sender: dict[str, Any]) -> dict[str, Any]:
        allowed = {
            "user_id",
            "chat_type",
            "language_code",
            "first_name",
            "last_name",
            "username",
            "chat_title",
            "reply_to_bot_message_id",
        }
        unknown = set(sender) - allowed
        if unknown:
            raise TypeError(f"unexpected keyword arguments {sorted(unknown)}")
        kwargs = dict(sender)
        if "reply_to_bot_message_id" in kwargs:
            kwargs["reply_to_message_id"] = kwargs.pop("reply_to_bot_message_id")
        return kwargs

    def _user_message(
        self,
        chat_id: int,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "en",
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """A Message from a user (not yet stored); caller holds the lock."""
        if chat_id < 0 and chat_type == "private":  # private chats have positive ids
            known = self._chats.get(chat_id) or self._default_chat(chat_id)
            chat_type = known["type"]
        uid = user_id if user_id is not None else self._default_user_id(chat_id, chat_type)
        existing = self._chats.get(chat_id)
        if existing is None or existing["type"] != chat_type:
            existing = self._make_chat(chat_id, chat_type, chat_title, first_name, username)
        elif chat_title and chat_type != "private":
            existing = {**existing, "title": chat_title}
        self._chats[chat_id] = existing
        self._unknown.discard(chat_id)
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat_id),
            "from": self._make_user(uid, first_name, last_name, username, language_code),
            "chat": copy.deepcopy(existing),
            "date": int(time.time()),
        }
        if reply_to_message_id is not None:
            target = self._messages.get((chat_id, reply_to_message_id))
            if target is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {chat_id}")
            message["reply_to_message"] = self._without_reply(target)
        return message

    def _queue_message(self, message: dict[str, Any]) -> int:
        chat_id = message["chat"]["id"]
        self._messages[(chat_id, message["message_id"])] = copy.deepcopy(message)
        return self.queue_update({"message": message})

    @staticmethod
    def _without_reply(message: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in message.items() if k != "reply_to_message"}

    def _new_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _new_file_ids(self, prefix: str) -> tuple[str, str]:
        n = next(self._file_counter)
        return f"{prefix}{n:012d}", f"AgAD{n:08d}"

    def _store_file(self, content: bytes | None, folder: str, name: str) -> tuple[str, str]:
        file_id, unique = self._new_file_ids("BQACAgIAAxkBAAI")
        suffix = name.rsplit(".", 1)[-1] if "." in name else "bin"
        self._files[file_id] = {
            "file_unique_id": unique,
            "data": content,
            "file_path": f"{folder}/file_{len(self._files)}.{suffix}",
            "file_size": len(content) if content is not None else None,
        }
        return file_id, unique

    def _photo_sizes(self, content: bytes | None, width: int, height: int) -> list[dict[str, Any]]:
        sizes = []
        for scale in (90, 320, max(width, height)):
            factor = scale / max(width, height)
            file_id, unique = self._store_file(content, "photos", "photo.jpg")
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "width": max(1, round(width * factor)),
                    "height": max(1, round(height * factor)),
                    "file_size": len(content) if content else 1000 + scale * 10,
                }
            )
        return sizes

    def _chat_for_sending(self, params: dict[str, Any]) -> dict[str, Any]:
        """Resolve ``chat_id`` like Telegram would (caller holds the lock)."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if isinstance(chat_id, str):
            wanted = chat_id.lstrip("@").lower()
            for chat in self._chats.values():
                if chat.get("username", "").lower() == wanted and chat_id.startswith("@"):
                    return chat
            raise _bad("chat not found")
        if chat_id in self._unknown:
            raise _bad("chat not found")
        if chat_id in self._blocked:
            chat = self._chats.get(chat_id) or self._default_chat(chat_id)
            if chat["type"] == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        chat = self._chats.get(chat_id)
        if chat is None:
            if self.strict_chats:
                raise _bad("chat not found")
            chat = self._default_chat(chat_id)
            self._chats[chat_id] = chat
        return chat

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            target_id = _to_int(reply.get("message_id"))
            allow_missing = _to_bool(reply.get("allow_sending_without_reply", False))
        elif params.get("reply_to_message_id") is not None:
            target_id = params["reply_to_message_id"]
            allow_missing = bool(params.get("allow_sending_without_reply"))
        else:
            return None
        target = self._messages.get((chat_id, target_id)) if target_id is not None else None
        if target is None and not allow_missing:
            raise _bad("message to be replied not found")
        return target

    def _new_bot_message(
        self,
        chat: dict[str, Any],
        params: dict[str, Any],
        content: dict[str, Any],
    ) -> dict[str, Any]:
        chat_id = chat["id"]
        markup = params.get("reply_markup")
        if markup is not None:
            markup = validate_reply_markup(markup)
        target = self._reply_target(chat_id, params)
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat_id),
            "from": dict(self.bot_user_short),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
            **content,
        }
        if target is not None:
            message["reply_to_message"] = self._without_reply(target)
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        key = (chat_id, message["message_id"])
        self._messages[key] = copy.deepcopy(message)
        self._bot_message_keys.add(key)
        return message

    @property
    def bot_user_short(self) -> dict[str, Any]:
        """The bot as it appears in ``from`` of its messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_user["first_name"],
            "username": self.username,
        }

    def _record_sent(
        self,
        method: str,
        params: dict[str, Any],
        message: dict[str, Any],
        plain: str,
        entities: list[dict[str, Any]],
        **extra: Any,
    ) -> None:
        target = message.get("reply_to_message")
        self._sent.append(
            {
                "method": method,
                "chat_id": message["chat"]["id"],
                "message_id": message["message_id"],
                "text": params.get("text"),
                "parse_mode": params.get("parse_mode"),
                "plain_text": plain,
                "entities": copy.deepcopy(entities),
                "reply_markup": copy.deepcopy(params.get("reply_markup")),
                "reply_to_message_id": target["message_id"] if target else None,
                "disable_notification": params.get("disable_notification"),
                "link_preview_options": params.get("link_preview_options"),
                "message": copy.deepcopy(message),
                "timestamp": time.time(),
                **extra,
            }
        )

    # ---- internals: HTTP ---------------------------------------------------------------------

    def _connection_opened(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.add(conn)

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.discard(conn)

    @staticmethod
    def _read_body(h: _Handler) -> bytes:
        if "chunked" in h.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                line = h.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while h.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(h.rfile.read(size))
                h.rfile.readline(65537)
        length = int(h.headers.get("Content-Length") or 0)
        return h.rfile.read(length) if length else b""

    def _parse_request_params(self, h: _Handler, query: str, body: bytes) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        if query:
            raw.update(
                (k, v[-1]) for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()
            )
        content_type = h.headers.get("Content-Type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if body:
            if media_type == "application/json":
                try:
                    data = json.loads(body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    raise _bad("can't parse JSON object") from None
                if not isinstance(data, dict):
                    raise _bad("JSON object expected")
                raw.update(data)
            elif media_type == "multipart/form-data":
                raw.update(_parse_multipart(content_type, body))
            else:
                text = body.decode("utf-8", "replace")
                raw.update(
                    (k, v[-1])
                    for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()
                )
        return _coerce_params(raw)

    @staticmethod
    def _write(h: _Handler, status: int, body: bytes, content_type: str) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            h.wfile.flush()
        except OSError:
            h.close_connection = True

    def _write_json(self, h: _Handler, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._write(h, status, body, "application/json")

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        status: int | None,
        started: float,
        *,
        description: str | None = None,
        injected: bool = False,
        http_method: str = "POST",
    ) -> None:
        record = {
            "method": method,
            "params": _sanitize(params),
            "status": status,
            "description": description,
            "injected": injected,
            "http_method": http_method,
            "timestamp": started,
            "duration": time.time() - started,
        }
        with self._cond:
            self._calls.append(record)
            if status is not None and 400 <= status < 500:
                self._errors.append(dict(record))
            self._cond.notify_all()

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            for fault in self._faults:
                if fault.matches(method):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _serve(self, h: _Handler) -> None:
        started = time.time()
        split = urllib.parse.urlsplit(h.path)
        try:
            body = self._read_body(h)
        except (OSError, ValueError):
            h.close_connection = True
            return

        # PTB percent-encodes the ":" of the token in file URLs; Telegram accepts both forms.
        path = urllib.parse.unquote(split.path)
        file_match = re.fullmatch(r"/file/bot([^/]*)/(.+)", path)
        if file_match:
            self._serve_file(h, file_match.group(1), file_match.group(2))
            return
        match = re.fullmatch(r"/bot([^/]*)/([^/]*)", path)
        if match is None:
            self._write_json(h, 404, ApiError(404, "Not Found").payload())
            return
        token, method = match.groups()
        params: dict[str, Any] = {}
        if token != self._token:
            error = (
                ApiError(401, "Unauthorized")
                if _TOKEN_RE.fullmatch(token)
                else ApiError(404, "Not Found")
            )
            self._record(method, params, error.status, started, description=error.description)
            self._write_json(h, error.status, error.payload())
            return
        canonical, handler = self._methods.get(method.lower(), (method, None))
        if handler is None:
            with contextlib.suppress(ApiError, ValueError):
                params = self._parse_request_params(h, split.query, body)
            error = ApiError(404, "Not Found: method not found")
            self._record(canonical, params, 404, started, description=error.description)
            self._write_json(h, 404, error.payload())
            return
        try:
            params = self._parse_request_params(h, split.query, body)
            fault = self._take_fault(canonical)
            if fault is not None and fault.kind == "disconnect":
                self._record(
                    canonical,
                    params,
                    None,
                    started,
                    description="connection closed without a response",
                    injected=True,
                )
                h.close_connection = True
                return
            if fault is not None and fault.kind == "delay":
                with self._cond:
                    self._cond.wait_for(lambda: self._stopping, timeout=fault.seconds)
            if fault is not None and fault.kind == "status":
                error = fault.error()
                self._record(
                    canonical,
                    params,
                    error.status,
                    started,
                    description=error.description,
                    injected=True,
                )
                self._write_json(h, error.status, error.payload())
                return
            result = handler(params, h)
        except ApiError as error:
            self._record(canonical, params, error.status, started, description=error.description)
            self._write_json(h, error.status, error.payload())
            return
        except Exception:
            trace = traceback.format_exc().replace(self._token, "<token>")
            with self._cond:
                self._internal_errors.append(trace)
            error = ApiError(500, "Internal Server Error: stand-in failure (see internal_errors)")
            self._record(canonical, params, 500, started, description=error.description)
            self._write_json(h, 500, error.payload())
            return
        if result is _ABANDONED:
            self._record(canonical, params, None, started, description="client went away")
            h.close_connection = True
            return
        self._record(canonical, params, 200, started)
        self._write_json(h, 200, {"ok": True, "result": result})

    def _serve_file(self, h: _Handler, token: str, path: str) -> None:
        with self._cond:
            found = next(
                (
                    f
                    for f in self._files.values()
                    if f["file_path"] == path and f["data"] is not None
                ),
                None,
            )
            data = found["data"] if found else None
        if token != self._token or data is None:
            self._write_json(h, 404, ApiError(404, "Not Found").payload())
            return
        self._write(h, 200, data, "application/octet-stream")

    @staticmethod
    def _client_gone(h: _Handler) -> bool:
        """Whether the client closed its end of a connection we are holding (long poll)."""
        try:
            readable, _, _ = select.select([h.connection], [], [], 0)
            if not readable:
                return False
            return h.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    # ---- methods -----------------------------------------------------------------------------

    def _m_true(self, params: dict[str, Any], h: _Handler) -> bool:
        return True

    def _m_get_me(self, params: dict[str, Any], h: _Handler) -> dict[str, Any]:
        return dict(self.bot_user)

    def _m_get_updates(self, params: dict[str, Any], h: _Handler) -> Any:
        offset = params.get("offset") or 0
        limit = params.get("limit")
        limit = 100 if limit is None else min(max(limit, 1), 100)
        timeout = max(params.get("timeout") or 0, 0)
        wait = min(float(timeout), self.long_poll_cap)
        deadline = time.monotonic() + wait
        with self._cond:
            if self._webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
            if offset > 0:
                self._queue = [u for u in self._queue if u["update_id"] >= offset]
            elif offset < 0:
                self._queue = self._queue[offset:]
            self._poll_generation += 1
            generation = self._poll_generation
            while True:
                kept = []
                for update in self._queue:
                    kind = next((k for k in update if k != "update_id"), "")
                    if kind in self._allowed_updates:
                        kept.append(update)
                    else:
                        self._dropped.append(update)
                self._queue = kept
                if generation != self._poll_generation:
                    if self._client_gone(h):
                        return _ABANDONED
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
                if self._queue or self._stopping:
                    return copy.deepcopy(self._queue[:limit])
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(min(remaining, 0.05))
                if self._client_gone(h):
                    return _ABANDONED

    def _m_delete_webhook(self, params: dict[str, Any], h: _Handler) -> bool:
        with self._cond:
            self._webhook = None
            if params.get("drop_pending_updates"):
                self._dropped.extend(self._queue)
                self._queue = []
        return True

    def _m_set_webhook(self, params: dict[str, Any], h: _Handler) -> bool:
        url = params.get("url") or ""
        with self._cond:
            if not url:
                self._webhook = None
                return True
            if not re.fullmatch(r"(?i)https://\S+", url):
                raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
            self._webhook = {
                "url": url,
                "secret_token": params.get("secret_token"),
                "allowed_updates": params.get("allowed_updates"),
                "max_connections": params.get("max_connections") or 40,
                "has_custom_certificate": isinstance(params.get("certificate"), Upload),
            }
            if params.get("drop_pending_updates"):
                self._dropped.extend(self._queue)
                self._queue = []
        return True

    def _m_get_webhook_info(self, params: dict[str, Any], h: _Handler) -> dict[str, Any]:
        with self._cond:
            info: dict[str, Any] = {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._queue),
            }
            if self._webhook is not None:
                info.update(
                    url=self._webhook["url"],
                    has_custom_certificate=self._webhook["has_custom_certificate"],
                    max_connections=self._webhook["max_connections"],
                )
                if self._webhook["allowed_updates"]:
                    info["allowed_updates"] = self._webhook["allowed_updates"]
            return info

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _check_scope_and_language(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope")
        kinds = {
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        }
        if scope is not None and (not isinstance(scope, dict) or scope.get("type") not in kinds):
            raise _bad("can't parse BotCommandScope: unsupported type")
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise _bad("invalid language code specified")
        return self._scope_key(scope, language)

    def _m_set_my_commands(self, params: dict[str, Any], h: _Handler) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse bot commands JSON object")
        if len(commands) > MAX_BOT_COMMANDS:
            raise _bad("too many commands specified")
        cleaned = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand: BotCommand must be an Object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _BOT_COMMAND_NAME_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._check_scope_and_language(params)
        with self._cond:
            self._commands[key] = cleaned
        return True

    def _m_get_my_commands(self, params: dict[str, Any], h: _Handler) -> list[dict[str, Any]]:
        key = self._check_scope_and_language(params)
        with self._cond:
            return copy.deepcopy(self._commands.get(key, []))

    def _m_delete_my_commands(self, params: dict[str, Any], h: _Handler) -> bool:
        key = self._check_scope_and_language(params)
        with self._cond:
            self._commands.pop(key, None)
        return True

    def _m_setting(self, method: str, params: dict[str, Any], h: _Handler) -> bool:
        with self._cond:
            self._settings[method] = _sanitize(params)
        return True

    def _format(self, params: dict[str, Any], *, key: str = "text") -> tuple[str, list[Any]]:
        if key == "caption":
            return format_text(
                params.get("caption"),
                params.get("parse_mode"),
                params.get("caption_entities"),
                max_length=MAX_CAPTION_LENGTH,
                strict_html=self.strict_html,
                empty_error=None,
                too_long_error="Bad Request: message caption is too long",
            )
        return format_text(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            strict_html=self.strict_html,
        )

    def _m_send_message(self, params: dict[str, Any], h: _Handler) -> dict[str, Any]:
        with self._cond:
            chat = self._chat_for_sending(params)
            plain, entities = self._format(params)
            content: dict[str, Any] = {"text": plain}
            if entities:
                content["entities"] = entities
            if isinstance(params.get("link_preview_options"), dict):
                content["link_preview_options"] = params["link_preview_options"]
            message = self._new_bot_message(chat, params, content)
            self._record_sent("sendMessage", params, message, plain, entities)
            return message

    def _resolve_file(self, params: dict[str, Any], field: str) -> tuple[Upload | None, str | None]:
        value = params.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
        if isinstance(value, Upload):
            return value, None
        if isinstance(value, str) and value:
            if value in self._files or re.fullmatch(r"(?i)https?://\S+", value):
                return None, value
            raise _bad("wrong file identifier/HTTP URL specified")
        raise _bad(f"there is no {field} in the request")

    def _m_send_document(self, params: dict[str, Any], h: _Handler) -> dict[str, Any]:
        with self._cond:
            chat = self._chat_for_sending(params)
            upload, reference = self._resolve_file(params, "document")
            plain, entities = self._format(params, key="caption")
            if upload is not None:
                name = upload.filename or "document"
                file_id, unique = self._store_file(upload.data, "documents", name)
                document = {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "file_name": name,
                    "mime_type": upload.content_type or "application/octet-stream",
                    "file_size": len(upload.data),
                }
            elif reference in self._files:
                stored = self._files[reference]
                document = {
                    "file_id": reference,
                    "file_unique_id": stored["file_unique_id"],
                    "file_size": stored["file_size"],
                }
            else:
                file_id, unique = self._store_file(None, "documents", "remote.bin")
                document = {"file_id": file_id, "file_unique_id": unique}
            content: dict[str, Any] = {"document": document}
            if plain:
                content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
            message = self._new_bot_message(chat, params, content)
            self._record_sent(
                "sendDocument",
                params,
                message,
                plain,
                entities,
                caption=params.get("caption"),
                file=upload.describe() if upload else {"reference": reference},
            )
            return message

    def _m_send_photo(self, params: dict[str, Any], h: _Handler) -> dict[str, Any]:
        with self._cond:
            chat = self._chat_for_sending(params)
            upload, reference = self._resolve_file(params, "photo")
            plain, entities = self._format(params, key="caption")
            content: dict[str, Any] = {
                "photo": self._photo_sizes(upload.data if upload else None, 1280, 960)
            }
            if plain:
                content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
            message = self._new_bot_message(chat, params, content)
            self._record_sent(
                "sendPhoto",
                params,
                message,
                plain,
                entities,
                caption=params.get("caption"),
                file=upload.describe() if upload else {"reference": reference},
            )
            return message

    def _message_to_edit(self, params: dict[str, Any]) -> tuple[int, int, dict[str, Any]]:
        chat = self._chat_for_sending(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        key = (chat["id"], message_id)
        message = self._messages.get(key)
        if message is None:
            raise _bad("message to edit not found")
        if key not in self._bot_message_keys:
            raise _bad("message can't be edited")
        return chat["id"], message_id, message

    def _m_edit_message_text(self, params: dict[str, Any], h: _Handler) -> Any:
        with self._cond:
            plain, entities = self._format(params)
            markup = params.get("reply_markup")
            if markup is not None:
                markup = validate_reply_markup(markup)
            inline_markup = markup if markup and "inline_keyboard" in markup else None
            record = {
                "method": "editMessageText",
                "chat_id": params.get("chat_id"),
                "message_id": params.get("message_id"),
                "inline_message_id": params.get("inline_message_id"),
                "text": params.get("text"),
                "parse_mode": params.get("parse_mode"),
                "plain_text": plain,
                "entities": entities,
                "reply_markup": markup,
                "timestamp": time.time(),
            }
            if params.get("inline_message_id"):
                self._edits.append(record)
                return True
            chat_id, _, message = self._message_to_edit(params)
            if "text" not in message:
                raise _bad("there is no text in the message to edit")
            if (
                message["text"] == plain
                and message.get("entities", []) == entities
                and message.get("reply_markup") == inline_markup
            ):
                raise ApiError(400, NOT_MODIFIED)
            message["text"] = plain
            message.pop("entities", None)
            if entities:
                message["entities"] = entities
            message.pop("reply_markup", None)
            if inline_markup:
                message["reply_markup"] = inline_markup
            message["edit_date"] = int(time.time())
            record["chat_id"] = chat_id
            self._edits.append(record)
            return copy.deepcopy(message)

    def _m_edit_message_reply_markup(self, params: dict[str, Any], h: _Handler) -> Any:
        with self._cond:
            markup = params.get("reply_markup")
            if markup is not None:
                markup = validate_reply_markup(markup)
            inline_markup = markup if markup and "inline_keyboard" in markup else None
            record = {
                "method": "editMessageReplyMarkup",
                "chat_id": params.get("chat_id"),
                "message_id": params.get("message_id"),
                "inline_message_id": params.get("inline_message_id"),
                "reply_markup": markup,
                "timestamp": time.time(),
            }
            if params.get("inline_message_id"):
                self._edits.append(record)
                return True
            chat_id, _, message = self._message_to_edit(params)
            if message.get("reply_markup") == inline_markup:
                raise ApiError(400, NOT_MODIFIED)
            message.pop("reply_markup", None)
            if inline_markup:
                message["reply_markup"] = inline_markup
            message["edit_date"] = int(time.time())
            record["chat_id"] = chat_id
            self._edits.append(record)
            return copy.deepcopy(message)

    def _m_delete_message(self, params: dict[str, Any], h: _Handler) -> bool:
        with self._cond:
            chat = self._chat_for_sending(params)
            key = (chat["id"], params.get("message_id"))
            if key not in self._messages:
                raise _bad("message to delete not found")
            # Bots may delete their own messages and, in private chats, incoming ones.
            del self._messages[key]
            self._bot_message_keys.discard(key)
            self._deleted.append(
                {"chat_id": key[0], "message_id": key[1], "timestamp": time.time()}
            )
        return True

    def _live_query(
        self, table: dict[str, dict[str, Any]], query_id: Any, ttl: float
    ) -> dict[str, Any]:
        query = table.get(str(query_id)) if query_id is not None else None
        if query is None or query["answered"] or time.monotonic() - query["created"] > ttl:
            raise ApiError(400, QUERY_TOO_OLD)
        return query

    def _m_answer_callback_query(self, params: dict[str, Any], h: _Handler) -> bool:
        with self._cond:
            query_id = params.get("callback_query_id")
            query = self._live_query(self._callback_queries, query_id, self.callback_query_ttl)
            text = params.get("text")
            if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
                raise _bad("MESSAGE_TOO_LONG")
            url = params.get("url")
            if url and not re.fullmatch(r"(?i)(https?|tg)://\S+", str(url)):
                raise _bad("URL_INVALID")
            query["answered"] = True
            self._callback_answers.append(
                {
                    "callback_query_id": str(query_id),
                    "text": text,
                    "show_alert": bool(params.get("show_alert")),
                    "url": url,
                    "cache_time": params.get("cache_time"),
                    "data": query["data"],
                    "chat_id": query["chat_id"],
                    "message_id": query["message_id"],
                    "user_id": query["user_id"],
                    "timestamp": time.time(),
                }
            )
        return True

    def _m_answer_inline_query(self, params: dict[str, Any], h: _Handler) -> bool:
        with self._cond:
            query_id = params.get("inline_query_id")
            query = self._live_query(self._inline_queries, query_id, self.inline_query_ttl)
            results = params.get("results")
            if not isinstance(results, list):
                raise _bad("can't parse inline query results JSON object")
            if len(results) > MAX_INLINE_RESULTS:
                raise _bad("RESULTS_TOO_MUCH")
            next_offset = params.get("next_offset") or ""
            if len(str(next_offset).encode("utf-8")) > 64:
                raise _bad("NEXT_OFFSET_INVALID")
            seen: set[str] = set()
            rendered = []
            for result in results:
                if not isinstance(result, dict) or not isinstance(result.get("type"), str):
                    raise _bad("can't parse InlineQueryResult: InlineQueryResult must be an Object")
                result_id = result.get("id")
                if not isinstance(result_id, str) or not (
                    1 <= len(result_id.encode("utf-8")) <= MAX_INLINE_RESULT_ID_BYTES
                ):
                    raise _bad("RESULT_ID_INVALID")
                if result_id in seen:
                    raise _bad("RESULT_ID_DUPLICATE")
                seen.add(result_id)
                if result["type"] == "article" and not (
                    isinstance(result.get("title"), str) and result["title"].strip()
                ):
                    raise _bad(
                        'can\'t parse InlineQueryResultArticle: Field "title" must be of type '
                        "String"
                    )
                content = result.get("input_message_content")
                if result["type"] == "article" and not isinstance(content, dict):
                    raise _bad(
                        'can\'t parse InlineQueryResultArticle: Field "input_message_content" '
                        "must be of type Object"
                    )
                if result.get("reply_markup") is not None:
                    markup = validate_reply_markup(result["reply_markup"])
                    if "inline_keyboard" not in markup:
                        raise _bad("can't parse inline keyboard markup JSON object")
                plain = entities = None
                if isinstance(content, dict) and "message_text" in content:
                    plain, entities = format_text(
                        content.get("message_text"),
                        content.get("parse_mode"),
                        content.get("entities"),
                        strict_html=self.strict_html,
                    )
                rendered.append(
                    {
                        "id": result_id,
                        "type": result["type"],
                        "title": result.get("title"),
                        "plain_text": plain,
                        "entities": entities,
                    }
                )
            query["answered"] = True
            self._inline_answers.append(
                {
                    "inline_query_id": str(query_id),
                    "query": query["query"],
                    "user_id": query["user_id"],
                    "results": copy.deepcopy(results),
                    "rendered": rendered,
                    "cache_time": params.get("cache_time"),
                    "is_personal": bool(params.get("is_personal")),
                    "next_offset": next_offset,
                    "button": params.get("button"),
                    "timestamp": time.time(),
                }
            )
        return True

    def _m_send_chat_action(self, params: dict[str, Any], h: _Handler) -> bool:
        with self._cond:
            chat = self._chat_for_sending(params)
            action = params.get("action")
            if action not in CHAT_ACTIONS:
                raise _bad("wrong parameter action in request")
            self._chat_actions.append(
                {"chat_id": chat["id"], "action": action, "timestamp": time.time()}
            )
        return True

    def _m_get_file(self, params: dict[str, Any], h: _Handler) -> dict[str, Any]:
        with self._cond:
            file_id = params.get("file_id")
            stored = self._files.get(str(file_id)) if file_id else None
            if stored is None:
                raise _bad("invalid file_id")
            if stored["file_size"] is not None and stored["file_size"] > MAX_GET_FILE_SIZE:
                raise _bad("file is too big")
            result = {"file_id": file_id, "file_unique_id": stored["file_unique_id"]}
            if stored["file_size"] is not None:
                result["file_size"] = stored["file_size"]
            if stored["data"] is not None:
                result["file_path"] = stored["file_path"]
            return result
