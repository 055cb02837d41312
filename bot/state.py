"""What the bot remembers between updates, in memory: each user's question budget and the
passages still to show behind recent "more" buttons. Both are bounded, and both are only
touched from the event loop, so they need no locks."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram.ext import ContextTypes

from bot.settings import BotSettings
from qa import Hit, Language, ReportQA

#: Where :class:`BotState` lives in ``application.bot_data``.
STATE_KEY = "report_qa"


@dataclass(frozen=True)
class Verdict:
    """Whether a question may be answered now; if not, whether to say so (only the first
    time in a row) and in how many seconds the next one will be."""

    allowed: bool
    warn: bool = False
    retry_in: float = 0.0


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class QuestionBudget:
    """A token bucket per user: ``limit`` questions per ``window`` seconds, refilled evenly.

    >>> budget = QuestionBudget(2, 60.0, clock=lambda: 0.0)
    >>> [budget.take(7).allowed for _ in range(3)]
    [True, True, False]
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        max_users: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._rate = limit / window if limit else 0.0
        self._max_users = max_users
        self._clock = clock
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def take(self, user_id: int) -> Verdict:
        """Spend one question of ``user_id``'s budget, if there is one left."""
        if not self.limit:
            return Verdict(True)
        now = self._clock()
        bucket = self._buckets.pop(user_id, None) or _Bucket(float(self.limit), now)
        bucket.tokens = min(self.limit, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[user_id] = bucket  # most recently seen last
        if len(self._buckets) > self._max_users:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict(True)
        warn, bucket.warned = not bucket.warned, True
        return Verdict(False, warn, (1 - bucket.tokens) / self._rate)


@dataclass
class Pending:
    """Passages of an answer not shown yet, behind a "more" button."""

    question: str
    language: Language
    hits: tuple[Hit, ...]
    shown: set[int] = field(default_factory=set)  # offsets already sent


class AnswerMemory:
    """The last ``size`` answers' further passages, under short random keys that fit in a
    button's callback data (``more:<key>:<offset>``); older keys expire."""

    def __init__(self, size: int = 2000) -> None:
        self._size = size
        self._items: OrderedDict[str, Pending] = OrderedDict()

    def remember(self, question: str, language: Language, hits: tuple[Hit, ...]) -> str:
        key = secrets.token_urlsafe(6)
        self._items[key] = Pending(question, language, hits)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> Pending | None:
        pending = self._items.get(key)
        if pending is not None:
            self._items.move_to_end(key)
        return pending

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class BotState:
    """Everything the handlers share: Report QA (one per process, thread-safe), the
    settings, the question budgets and the pending "more" passages."""

    qa: ReportQA
    settings: BotSettings
    budget: QuestionBudget
    answers: AnswerMemory

    @classmethod
    def create(cls, settings: BotSettings, qa: ReportQA) -> BotState:
        return cls(
            qa=qa,
            settings=settings,
            budget=QuestionBudget(settings.rate_limit, settings.rate_window),
            answers=AnswerMemory(),
        )


def bot_state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """The shared :class:`BotState` of the application handling ``context``."""
    return context.bot_data[STATE_KEY]
