"""What the bot remembers between updates: each user's question budget, the passages still
to show behind recent "more" buttons, and each conversation's thread (the intent a follow-up
question takes over). All are bounded and all are kept in the bot's state file
(:mod:`bot.memory`), so they survive a restart."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from telegram.ext import ContextTypes

from bot.memory import MAX_PAGES, MAX_THREADS, MAX_USERS, PRUNE_EVERY, BotMemory, Bucket
from bot.settings import BotSettings
from qa import Answer, FeedbackStore, Hit, Intent, Language, ReportQA

#: Where :class:`BotState` lives in ``application.bot_data``.
STATE_KEY = "report_qa"


@dataclass(frozen=True)
class Verdict:
    """Whether a question may be answered now; if not, whether to say so (only the first
    time in a row) and in how many seconds the next one will be."""

    allowed: bool
    warn: bool = False
    retry_in: float = 0.0


class QuestionBudget:
    """A token bucket per user: ``limit`` questions per ``window`` seconds, refilled evenly.
    Buckets are kept in ``memory`` (the bot's state file, so a restart changes nothing; in
    memory when not given) with wall-clock times from ``clock``.

    >>> budget = QuestionBudget(2, 60.0, clock=lambda: 0.0)
    >>> [budget.take(7).allowed for _ in range(3)]
    [True, True, False]
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        memory: BotMemory | None = None,
        max_users: int = MAX_USERS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.window = window
        self._rate = limit / window if limit else 0.0
        self._memory = memory if memory is not None else BotMemory()
        self._max_users = max_users
        self._clock = clock
        self._taken = 0

    def take(self, user_id: int) -> Verdict:
        """Spend one question of ``user_id``'s budget, if there is one left."""
        if not self.limit:
            return Verdict(True)
        now = self._clock()
        with self._memory.bucket(user_id) as slot:
            old = slot[0] or Bucket(float(self.limit), now)
            # A wall clock may step back (NTP); never count that as time to refill.
            tokens = min(self.limit, old.tokens + max(0.0, now - old.updated) * self._rate)
            if tokens >= 1:
                slot[0] = Bucket(tokens - 1, now, warned=False)
                verdict = Verdict(True)
            else:
                slot[0] = Bucket(tokens, now, warned=True)
                verdict = Verdict(False, not old.warned, (1 - tokens) / self._rate)
        self._taken += 1
        if self._taken % PRUNE_EVERY == 0:
            # A bucket untouched for a whole window has refilled: it is as good as none.
            self._memory.prune_buckets(idle_since=now - self.window, keep=self._max_users)
        return verdict


@dataclass
class Pending:
    """Passages of an answer not shown yet, behind a "more" button: their ids, read from the
    index when the button is pressed."""

    question: str
    language: Language
    passage_ids: tuple[str, ...]
    shown: set[int] = field(default_factory=set)  # offsets already sent


class AnswerMemory:
    """The last ``size`` answers' further passages, under short random keys that fit in a
    button's callback data (``more:<key>:<offset>``); older keys expire. Kept in ``memory``
    (the bot's state file; in memory when not given)."""

    def __init__(self, size: int = MAX_PAGES, *, memory: BotMemory | None = None) -> None:
        self._size = size
        self._memory = memory if memory is not None else BotMemory()

    def remember(self, question: str, language: Language, hits: tuple[Hit, ...]) -> str:
        key = secrets.token_urlsafe(6)
        self._memory.remember(key, question, language, [h.id for h in hits], keep=self._size)
        return key

    def get(self, key: str) -> Pending | None:
        page = self._memory.page(key)
        if page is None:
            return None
        # The state file keeps the language ``remember`` was given: one of ours.
        language = cast(Language, page.language)
        return Pending(page.question, language, tuple(page.passage_ids), page.shown)

    def mark_shown(self, key: str, offset: int) -> bool:
        """Record that the passages at ``offset`` were sent; False if they already were."""
        return self._memory.mark_shown(key, offset)

    def __len__(self) -> int:
        return self._memory.pages()


class Threads:
    """The thread of each conversation: the intent of the last question a user asked in a
    chat (a private chat is one user's; in a group each user has their own), which their
    next question follows up (``ReportQA.ask(follows=…)``) for ``lifetime`` seconds. Kept
    in ``memory`` as ``Intent.to_json()``, so a restart keeps the thread."""

    def __init__(
        self,
        lifetime: float,
        *,
        memory: BotMemory | None = None,
        max_threads: int = MAX_THREADS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lifetime = lifetime
        self._memory = memory if memory is not None else BotMemory()
        self._max = max_threads
        self._clock = clock

    def previous(self, chat: int, user: int) -> Intent | None:
        """The intent the next question of ``user`` in ``chat`` follows, if it is recent."""
        data = self._memory.thread(chat, user, idle_since=self._clock() - self.lifetime)
        if data is None:
            return None
        try:
            return Intent.from_json(data)
        except (KeyError, TypeError, ValueError):  # written by another version: start afresh
            return None

    def remember(self, chat: int, user: int, answer: Answer) -> None:
        """``answer`` is the last of ``user`` in ``chat``: their next question follows it."""
        if answer.intent is None:
            return
        now = self._clock()
        self._memory.remember_thread(
            chat,
            user,
            answer.intent.to_json(),
            now=now,
            idle_since=now - self.lifetime,
            keep=self._max,
        )

    def forget(self, chat: int, user: int) -> bool:
        """Start afresh (/new); False if there was no thread."""
        return self._memory.forget_thread(chat, user)


@dataclass
class BotState:
    """Everything the handlers share: Report QA (one per process, thread-safe), the
    settings, the question budgets, the pending "more" passages and the conversations'
    threads (all in ``memory``, the state file of ``settings.state_file``), and the answers' 👍 / 👎 (``feedback``, the file
    of ``settings.feedback_file``; ``None`` when off)."""

    qa: ReportQA
    settings: BotSettings
    budget: QuestionBudget
    answers: AnswerMemory
    memory: BotMemory
    threads: Threads
    feedback: FeedbackStore | None = None

    @classmethod
    def create(cls, settings: BotSettings, qa: ReportQA) -> BotState:
        memory = BotMemory(settings.state_file)
        return cls(
            qa=qa,
            settings=settings,
            budget=QuestionBudget(settings.rate_limit, settings.rate_window, memory=memory),
            answers=AnswerMemory(memory=memory),
            memory=memory,
            threads=Threads(settings.conversation_seconds, memory=memory),
            feedback=(
                FeedbackStore(settings.feedback_file)
                if settings.feedback_file is not None
                else None
            ),
        )


def bot_state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """The shared :class:`BotState` of the application handling ``context``."""
    return context.bot_data[STATE_KEY]
