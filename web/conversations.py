"""Conversations of ``qa serve``: the turns asked so far under one id, so that a follow-up
question is read with the previous answer (``ReportQA.ask(follows=…)``) and the page shows
the whole conversation.

Kept in memory, bounded three ways: a conversation is dropped ``lifetime`` seconds after its
last question (``QA_WEB_CONVERSATION_SECONDS``, an hour by default), at most
:data:`MAX_CONVERSATIONS` are kept (those asked in longest ago go first), and each keeps its
last :data:`MAX_TURNS` turns. Ids are random and unguessable. Thread-safe.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from qa import Answer

#: Conversations kept at once (each holds a few answers with their retrieved passages,
#: some tens of kilobytes: this bounds the memory they take to a few tens of megabytes).
MAX_CONVERSATIONS = 1000
#: Turns a conversation keeps (a follow-up reads the last one; the page shows these).
MAX_TURNS = 6
#: What a conversation id looks like (``secrets.token_urlsafe(12)``).
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16}")


@dataclass
class Turn:
    """One question of a conversation and its answer; ``answer_id`` is the key its 👍 / 👎
    are given under (``None`` when feedback is off), ``rating`` the one given on the page,
    ``number`` its place in the conversation (1, 2, …; set when it is added, and kept when
    older turns are dropped: a table's CSV and chart are addressed by it)."""

    question: str
    answer: Answer
    answer_id: str | None
    documents: tuple[str, ...] | None = None
    rating: str | None = None
    number: int = 0


@dataclass
class Conversation:
    """The turns asked under one id, oldest first."""

    id: str
    turns: list[Turn] = field(default_factory=list)
    used: float = 0.0
    #: Questions asked in it so far (the number of the last turn).
    asked: int = 0

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None


class Conversations:
    """The conversations of one server (see the module docstring)."""

    def __init__(
        self,
        lifetime: float,
        *,
        max_conversations: int = MAX_CONVERSATIONS,
        max_turns: int = MAX_TURNS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lifetime = lifetime
        self._max = max_conversations
        self._max_turns = max_turns
        self._clock = clock
        self._items: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()

    def start(self) -> Conversation:
        """A new, empty conversation."""
        conversation = Conversation(secrets.token_urlsafe(12), used=self._clock())
        with self._lock:
            self._items[conversation.id] = conversation
            self._expire()
        return conversation

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation ``conversation_id``, or ``None`` when unknown or expired."""
        if not ID_PATTERN.fullmatch(conversation_id):
            return None
        with self._lock:
            self._expire()
            return self._items.get(conversation_id)

    def add(self, conversation: Conversation, turn: Turn) -> None:
        """Append ``turn`` to ``conversation`` (it becomes the one a follow-up reads)."""
        with self._lock:
            conversation.asked += 1
            turn.number = conversation.asked
            conversation.turns.append(turn)
            del conversation.turns[: -self._max_turns]
            conversation.used = self._clock()
            self._items[conversation.id] = conversation
            self._items.move_to_end(conversation.id)
            self._expire()

    def find_turn(self, conversation_id: str, answer_id: str) -> Turn | None:
        """The turn of ``conversation_id`` whose answer is ``answer_id``."""
        conversation = self.get(conversation_id)
        if conversation is None:
            return None
        return next((t for t in conversation.turns if t.answer_id == answer_id), None)

    def turn(self, conversation_id: str, number: int) -> Turn | None:
        """The turn ``number`` of ``conversation_id`` (``None``: unknown, expired, or dropped
        as one of its older turns)."""
        conversation = self.get(conversation_id)
        if conversation is None:
            return None
        return next((t for t in conversation.turns if t.number == number), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _expire(self) -> None:
        """Drop expired conversations and those beyond the bound (caller holds the lock)."""
        cutoff = self._clock() - self.lifetime
        while self._items:
            oldest = next(iter(self._items.values()))
            if oldest.used >= cutoff and len(self._items) <= self._max:
                break
            self._items.popitem(last=False)
