"""What the routes of ``qa serve`` share: Report QA (loaded once, in the background at start),
the conversations, the feedback file and each client's question budget — and the one way a
question is asked, for the page and the API alike."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItemPerSecond, storage, strategies

from qa import FeedbackStore, Language, ReportQA, check_question
from qa.errors import QuestionError, UnknownDocumentError, describe
from qa.present import UNSAFE, AnswerView, PageHTML, chart_data, chart_png, view_answer
from web.conversations import Conversation, Conversations, Turn
from web.settings import WebSettings

log = logging.getLogger("web")

#: Charts kept drawn (PNG, some 20 kB each): a page reloaded, or its image asked again,
#: is not drawn twice; the least recently asked go first.
MAX_CHARTS = 64


def table_links(conversation: str, turn: Turn, view: AnswerView) -> dict[str, str | None] | None:
    """Where a table answer's CSV and chart are (``/answers/{conversation}/{turn}/…``; the
    chart ``None`` when there is nothing to plot); ``None`` for an answer that is no table."""
    if view.table is None:
        return None
    base = f"/answers/{conversation}/{turn.number}"
    return {
        "table_csv": f"{base}/table.csv",
        "chart": f"{base}/chart.png" if chart_data(view) is not None else None,
    }


class NotReady(Exception):
    """No index is loaded yet (still loading, or it failed to load): 503."""


class RateLimited(Exception):
    """The client asked too many questions lately: 429, ``retry_in`` seconds."""

    def __init__(self, retry_in: float) -> None:
        super().__init__(f"too many questions: try again in {retry_in:.0f} s")
        self.retry_in = retry_in


class UnknownConversation(Exception):
    """A conversation id that is not (or no longer) kept: 404."""


@dataclass(frozen=True)
class Asked:
    """A question answered: its conversation, the new turn, and whether the conversation
    asked for had expired (a new one was started instead: the page says so)."""

    conversation: Conversation
    turn: Turn
    expired: bool = False


class QuestionBudget:
    """Each client's questions: ``limit`` per ``window`` seconds (a moving window, the
    ``limits`` library's), none when ``limit`` is 0. Clients are told apart by address."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self._item = RateLimitItemPerSecond(limit, max(1, round(window))) if limit else None
        self._limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def take(self, client: str) -> None:
        """Spend one of ``client``'s questions; ``RateLimited`` when none is left."""
        if self._item is None:
            return
        if not self._limiter.hit(self._item, "question", client):
            reset = self._limiter.get_window_stats(self._item, "question", client).reset_time
            raise RateLimited(max(1.0, reset - time.time()))


def check_text(question: str) -> str:
    """``check_question`` (empty, over-long), and no control characters or bidi overrides:
    they have no place in a question typed by a person."""
    question = check_question(question)
    if UNSAFE.search(question):
        raise QuestionError("the question holds control characters; send it as plain text")
    return question


class ServerState:
    """Everything the routes share (see the module docstring)."""

    def __init__(self, settings: WebSettings, qa: ReportQA | None = None) -> None:
        self.settings = settings
        self.conversations = Conversations(settings.conversation_seconds)
        self.feedback = (
            FeedbackStore(settings.feedback_file) if settings.feedback_file is not None else None
        )
        self.budget = QuestionBudget(settings.rate_limit, settings.rate_window)
        self.pages = PageHTML()
        self._charts: OrderedDict[tuple[str, int], bytes | None] = OrderedDict()
        # pyplot keeps global state: one chart is drawn at a time.
        self._chart_lock = threading.Lock()
        self.load_error: str | None = None
        self._qa: ReportQA | None = None
        self._owns_qa = False  # loaded here (closed here), not handed in
        self._ready = threading.Event()
        if qa is not None:
            self.use(qa)

    # -- the index ------------------------------------------------------------------------
    def use(self, qa: ReportQA) -> None:
        """Serve from ``qa`` (loaded, thread-safe); questions arriving together share a batch."""
        qa.enable_micro_batching(window_ms=self.settings.micro_batch_ms)
        self._qa = qa
        self._ready.set()

    def load(self, *, warm_up: bool = True) -> None:
        """Load Report QA (building the index first when there is none, as ``qa ask`` does)
        and warm it up (unless not ``warm_up``); on failure, ``load_error`` says why in one
        line."""
        started = time.monotonic()
        try:
            qa, _ = ReportQA.open_or_build(self.settings.index_dir, on_build=log.info)
            warm = qa.warm_up() if warm_up else 0.0
        except Exception as error:
            self.load_error = " ".join(describe(error, rerun="qa serve").split())
            log.error("cannot load the index: %s", self.load_error)
            raise
        self._owns_qa = True
        self.use(qa)
        log.info(
            "ready in %.1f s (warm-up %.1f s): %d report(s), generation %s",
            time.monotonic() - started,
            warm,
            len(qa.documents),
            qa.retriever.index.generation,
        )

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    @property
    def qa(self) -> ReportQA:
        """The Report QA served; ``NotReady`` while none is loaded."""
        if self._qa is None:
            raise NotReady(self.load_error or "the index is still loading; try again shortly")
        return self._qa

    # -- asking ---------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        *,
        client: str,
        conversation: str | None = None,
        documents: Sequence[str] | None = None,
        language: Language | None = None,
        lenient: bool = False,
    ) -> Asked:
        """Answer ``question`` for ``client`` in ``conversation`` (a new one when ``None``),
        from ``documents`` only when given. Checks come first and cost nothing: the
        question (``QuestionError``), the conversation (``UnknownConversation``; with
        ``lenient`` a new one is started instead, as the page does for an old link), the
        reports (``UnknownDocumentError``), then the client's budget (``RateLimited``)."""
        qa = self.qa
        question = check_text(question)
        expired = False
        talk = self.conversations.get(conversation) if conversation else None
        if conversation and talk is None:
            if not lenient:
                raise UnknownConversation(
                    "this conversation is unknown or has expired; leave 'conversation' out "
                    "to start a new one"
                )
            expired = True
        docs = tuple(dict.fromkeys(documents)) if documents else None
        if docs:
            unknown = [d for d in docs if d not in qa.documents]
            if unknown:
                raise UnknownDocumentError(f"no report {unknown[0]!r} in the index")
        self.budget.take(client)
        talk = talk or self.conversations.start()
        previous = talk.last
        answer = qa.ask(
            question,
            language=language,
            documents=docs,
            follows=previous.answer if previous is not None else None,
        )
        answer_id = None
        if self.feedback is not None:
            answer_id = self.feedback.remember(answer, generation=qa.retriever.index.generation)
        turn = Turn(question=question, answer=answer, answer_id=answer_id, documents=docs)
        self.conversations.add(talk, turn)
        return Asked(talk, turn, expired)

    # -- charts -------------------------------------------------------------------------
    def chart(self, conversation: str, number: int) -> bytes | None:
        """The chart of turn ``number`` of ``conversation`` as PNG, drawn once and kept
        (:data:`MAX_CHARTS`); ``None`` when there is no such turn or its answer has nothing
        to plot."""
        turn = self.conversations.turn(conversation, number)
        if turn is None:
            return None
        key = (conversation, number)
        with self._chart_lock:
            if key in self._charts:
                self._charts.move_to_end(key)
                return self._charts[key]
            view = view_answer(turn.answer)
            title = turn.question if len(turn.question) <= 60 else turn.question[:59] + "…"
            png = chart_png(view, title=title) if view.table is not None else None
            self._charts[key] = png
            while len(self._charts) > MAX_CHARTS:
                self._charts.popitem(last=False)
            return png

    def close(self) -> None:
        if self.feedback is not None:
            self.feedback.close()
        if self._qa is not None and self._owns_qa:
            self._qa.close()
