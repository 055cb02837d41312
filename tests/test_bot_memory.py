"""The bot's memory survives a restart (issue #16): "more passages" pages (passage ids, read
from the index when pressed) and question budgets (wall-clock buckets) live in a small SQLite
file, ``QA_BOT_STATE``. End to end with the real ``Application`` and the local Bot API
stand-in, as tests/test_bot.py: the application is shut down and a new one started over the
same state file. Also: start-up failures of ``qa-bot`` are one line.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.memory import PRUNE_EVERY, BotMemory
from bot.settings import STATE_FILENAME, BotSettings
from bot.state import AnswerMemory, QuestionBudget
from qa import Hit, ReportQA, build_index
from qa.index import served as served_module
from tests.conftest import ROOT

try:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from tests.test_bot import CHAT, NOT_FOUND, TOKEN, WAIT, api, bot_settings, replies, run_bot
    from tests.test_bot import settle as settle_updates
except ModuleNotFoundError:
    from test_bot import CHAT, NOT_FOUND, TOKEN, WAIT, api, bot_settings, replies, run_bot
    from test_bot import settle as settle_updates

__all__ = ["api"]  # the stand-in fixture, shared with tests/test_bot.py

QUESTION = "全省發放了多少低保金？"


def more_button(message: dict) -> str:
    return message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]


def test_more_passages_survive_a_restart(api, report_qa, tmp_path) -> None:
    state = tmp_path / "bot-state.sqlite"

    async def before(app: Application) -> dict:
        api.send_text(CHAT, QUESTION)
        return (await replies(api, 1, CHAT))[0]

    first = run_bot(api, report_qa, before, state_file=state)
    data = more_button(first)

    async def after(app: Application) -> None:  # a new application: nothing in memory
        api.press_button(CHAT, first["message_id"], data)
        second = (await replies(api, 2, CHAT))[1]
        assert second["plain_text"].startswith("更多相關段落（1–2，共")
        assert sum(e["type"] == "blockquote" for e in second["entities"]) == 2
        assert more_button(second).endswith(":2")
        # The same button again: already sent (remembered in the file), so nothing more.
        api.press_button(CHAT, first["message_id"], data, check_button=False)
        await api.wait_for_async(lambda: len(api.callback_answers) >= 2, timeout=WAIT)
        await settle_updates(api)
        assert len(api.sent_messages(CHAT)) == 2

    run_bot(api, report_qa, after, state_file=state)

    async def later(app: Application) -> None:  # and once more, for the next page
        api.press_button(CHAT, api.sent_messages(CHAT)[1]["message_id"], f"{data[:-2]}:2")
        third = (await replies(api, 3, CHAT))[2]
        assert third["plain_text"].startswith("更多相關段落（3–4，共")

    run_bot(api, report_qa, later, state_file=state)
    assert api.errors == []


def test_the_rate_limit_still_applies_after_a_restart(api, report_qa, tmp_path) -> None:
    state = tmp_path / "bot-state.sqlite"

    async def ask(app: Application, n: int) -> None:
        api.send_text(CHAT, NOT_FOUND, language_code="en")
        await replies(api, n, CHAT)

    run_bot(api, report_qa, lambda app: ask(app, 1), state_file=state, rate_limit=2,
            rate_window=3600)  # fmt: skip
    run_bot(api, report_qa, lambda app: ask(app, 2), state_file=state, rate_limit=2,
            rate_window=3600)  # fmt: skip
    run_bot(api, report_qa, lambda app: ask(app, 3), state_file=state, rate_limit=2,
            rate_window=3600)  # fmt: skip
    sent = api.texts(CHAT)
    assert sum(t.startswith("這份報告講的是2020年") for t in sent) == 2
    assert sent[2].startswith("問得有點快了，請 ") and sent[2].endswith(" 秒後再問。")
    seconds = int(sent[2].removeprefix("問得有點快了，請 ").removesuffix(" 秒後再問。"))
    assert 1700 <= seconds <= 1800  # half the window: one of two questions refilled


def test_a_page_whose_passages_left_the_index_expires_politely(
    api, index_copy, embedder, tmp_path, monkeypatch
) -> None:
    """The index is rebuilt from another report while the button waits: its passage ids are
    gone, so pressing it says the answer expired (instead of showing other passages)."""
    monkeypatch.setattr(served_module, "RELOAD_CHECK_SECONDS", 0.0)
    qa = ReportQA.open(index_copy, model=embedder)
    state = tmp_path / "bot-state.sqlite"

    async def before(app: Application) -> dict:
        api.send_text(CHAT, QUESTION)
        return (await replies(api, 1, CHAT))[0]

    first = run_bot(api, qa, before, state_file=state)
    other = tmp_path / "other.txt"
    other.write_text("2021年，全省新建養老床位2000張，改造農村敬老院30所。\n", encoding="utf-8")
    build_index(other, index_copy, model=embedder)

    async def after(app: Application) -> None:
        api.press_button(CHAT, first["message_id"], more_button(first), language_code="en")
        await api.wait_for_async(lambda: api.callback_answers, timeout=WAIT)
        await settle_updates(api)

    run_bot(api, qa, after, state_file=state)
    assert [a["text"] for a in api.callback_answers] == ["這個回答已過期，請重新提問。"]
    assert len(api.sent_messages(CHAT)) == 1
    assert api.errors == []


def test_a_damaged_state_file_is_moved_aside_and_the_bot_starts(api, report_qa, tmp_path,
                                                                 caplog) -> None:  # fmt: skip
    state = tmp_path / "bot-state.sqlite"
    state.write_bytes(os.urandom(9000))

    async def ask(app: Application) -> None:
        api.send_text(CHAT, QUESTION)
        assert more_button((await replies(api, 1, CHAT))[0])

    with caplog.at_level(logging.WARNING):
        run_bot(api, report_qa, ask, state_file=state)
    (aside,) = tmp_path.glob("bot-state.sqlite.broken-*")
    assert any(aside.name in r.getMessage() for r in caplog.records)
    assert BotMemory(state).pages() == 1


def test_the_state_is_bounded() -> None:
    memory = BotMemory()
    answers = AnswerMemory(size=3, memory=memory)
    hit = Hit(id="d#p1", text="t", score=1.0, doc="d", section=None, paragraph=1)
    keys = [answers.remember("q", "en", (hit,)) for _ in range(5)]
    assert len(answers) == 3 and answers.get(keys[0]) is None and answers.get(keys[4])

    now = [0.0]
    budget = QuestionBudget(1, 60.0, memory=memory, max_users=50, clock=lambda: now[0])
    for user in range(2 * PRUNE_EVERY):
        budget.take(user)
        assert memory.buckets() <= 50 + PRUNE_EVERY
    for user in range(PRUNE_EVERY):  # a minute later: every bucket so far has refilled
        now[0] = 61.0 + user / 1000
        budget.take(10_000 + user)
    assert memory.buckets() <= 50
    assert budget.take(10_000 + PRUNE_EVERY - 1).allowed is False  # the kept ones still count


def test_a_clock_that_steps_back_refills_nothing() -> None:
    now = [1000.0]
    budget = QuestionBudget(1, 60.0, clock=lambda: now[0])
    assert budget.take(1).allowed
    now[0] = 500.0  # NTP stepped the wall clock back
    assert not budget.take(1).allowed


@pytest.mark.slow
def test_the_state_survives_kill_9(tmp_path) -> None:
    state = tmp_path / "state.sqlite"
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from bot.memory import BotMemory
        from bot.state import QuestionBudget
        memory = BotMemory(Path({str(state)!r}))
        memory.remember("k1", "q", "en", ["d#p1", "d#p2"], keep=10)
        QuestionBudget(1, 3600.0, memory=memory).take(7)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=120)
    assert done.returncode == -9
    memory = BotMemory(state)
    assert memory.page("k1").passage_ids == ["d#p1", "d#p2"]
    assert not QuestionBudget(1, 3600.0, memory=memory).take(7).allowed


def test_the_state_file_setting(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("QA_INDEX", str(tmp_path / "idx"))
    monkeypatch.delenv("QA_BOT_STATE", raising=False)
    assert BotSettings.from_env().state_file == tmp_path / "idx" / STATE_FILENAME
    monkeypatch.setenv("QA_BOT_STATE", str(tmp_path / "elsewhere.sqlite"))
    assert BotSettings.from_env().state_file == tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv("QA_BOT_STATE", "off")
    assert BotSettings.from_env().state_file is None


def test_an_unusable_state_file_is_an_os_error_saying_which_setting(api, report_qa) -> None:
    from bot.app import build_application, startup_error

    settings = bot_settings(api, state_file=Path("/proc/self/no/bot-state.sqlite"))
    with pytest.raises(OSError) as caught:
        build_application(settings, report_qa)
    line = startup_error(caught.value, settings)
    assert "\n" not in line and "QA_BOT_STATE" in line and "/proc/self/no" in line


# -- qa-bot start-up -------------------------------------------------------------------------


def run_bot_command(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QA_BOT_RATE_LIMIT": "off", **env},
        timeout=300,
    )


@pytest.mark.slow
def test_qa_bot_with_an_index_path_that_is_a_file_says_so_in_one_line(api) -> None:
    done = run_bot_command(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.url, "QA_INDEX": "README.md"}
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "qa-bot: index path README.md is a file: an index is a folder; name a folder, or a "
        "path that does not exist yet"
    )


@pytest.mark.slow
def test_qa_bot_with_a_token_telegram_refuses_says_so_without_the_token(api, report_index,
                                                                        tmp_path) -> None:  # fmt: skip
    wrong = "111111:" + "W" * 35
    index = tmp_path / "index"
    shutil.copytree(report_index, index)
    done = run_bot_command(
        {"TELEGRAM_BOT_TOKEN": wrong, "TELEGRAM_API_URL": api.url, "QA_INDEX": str(index)}
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "qa-bot: Telegram refused the token (TELEGRAM_BOT_TOKEN): check it with @BotFather"
    )
    assert wrong not in done.stderr and "W" * 35 not in done.stderr
