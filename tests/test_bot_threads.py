"""The bot follows a conversation (issue #22) and answers a question over a set of reports
with a table (issue #27). End to end, as tests/test_bot.py: the real ``Application`` polls the
local Bot API stand-in and answers from the real index of four reports (the session
``many_qa``: Heilongjiang 2019 and 2020, Jilin 2020 and 2021).

What the reports say, as the library answers (checked before these tests were written):
2020年黑龍江省發放了多少低保金？ 58.68億元; 那吉林呢？ 41.25億元 (吉林省 2020); 那2018年呢？
no such report; 那吉林呢？ alone: Jilin's 2021 report; 2020年各省異地救助了多少人？ 吉林省
1.8萬人, 黑龍江省 3.4萬人.
"""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from telegram.ext import Application

from bot.memory import BotMemory
from bot.settings import BotSettings, BotSettingsError
from bot.state import Threads

try:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from tests.test_bot import CHAT, GROUP, TOKEN, WAIT, api, bold, replies, run_bot, settle
except ModuleNotFoundError:
    from test_bot import CHAT, GROUP, TOKEN, WAIT, api, bold, replies, run_bot, settle

__all__ = ["api"]  # the stand-in fixture, shared with tests/test_bot.py

FIRST = "2020年黑龍江省發放了多少低保金？"
FOLLOW = "那吉林呢？"
FOLLOWING = "接著上一個問題："
TABLE = "2020年各省異地救助了多少人？"
PNG = b"\x89PNG\r\n\x1a\n"


def buttons(message: dict) -> dict[str, str]:
    """The message's buttons: callback data → text."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["callback_data"]: b["text"] for row in rows for b in row}


def fresh_button(message: dict) -> str | None:
    return next((d for d in buttons(message) if d.startswith("fresh:")), None)


# -- follow-up questions ---------------------------------------------------------------------


def test_a_follow_up_in_a_private_chat_takes_over_the_previous_question(api, many_qa) -> None:
    async def scenario(app: Application) -> list[dict]:
        for n, question in enumerate((FIRST, FOLLOW, "那2018年呢？"), start=1):
            api.send_text(CHAT, question)
            await replies(api, n, CHAT)
        return api.sent_messages(CHAT)

    first, second, declined = run_bot(api, many_qa, scenario)
    assert "58.68億元" in bold(first) and FOLLOWING not in first["plain_text"]
    assert fresh_button(first) is None  # nothing was followed: nothing to ask without
    # What was taken over, and what replaced what, comes first.
    assert second["plain_text"].startswith(
        "接著上一個問題：黑龍江省 → 吉林省 · 2020年 · 城鄉居民最低生活保障"
    )
    assert "41.25億元" in bold(second) and "吉林省2020年的報告原文" in second["plain_text"]
    assert buttons(second)[fresh_button(second)] == "不接上一個問題，單獨再問"
    assert len(fresh_button(second).encode()) <= 64
    # A follow-up the reports cannot answer is declined, still saying what it took over.
    assert declined["plain_text"].startswith("接著上一個問題：吉林省 · 2020年 → 2018年")
    assert "索引裡沒有吉林省2018年的報告" in declined["plain_text"]
    assert fresh_button(declined) is not None
    assert api.errors == []


def test_two_users_in_a_group_keep_their_own_threads(api, many_qa) -> None:
    async def scenario(app: Application) -> list[dict]:
        api.send_mention(GROUP, FIRST, user_id=7)
        await replies(api, 1, GROUP)
        api.send_mention(GROUP, "2020年吉林省異地救助了多少人？", user_id=8)
        await replies(api, 2, GROUP)
        api.send_mention(GROUP, "那2019年呢？", user_id=7)
        await replies(api, 3, GROUP)
        api.send_mention(GROUP, "那黑龍江呢？", user_id=8)
        return await replies(api, 4, GROUP)

    _, _, seven, eight = run_bot(api, many_qa, scenario)
    assert seven["plain_text"].startswith(
        "接著上一個問題：黑龍江省 · 2020年 → 2019年 · 城鄉居民最低生活保障"
    )
    assert "55.02億元" in bold(seven)
    assert eight["plain_text"].startswith("接著上一個問題：吉林省 → 黑龍江省 · 2020年 · 異地救助")
    assert "3.4萬人" in bold(eight)
    assert api.errors == []


def test_the_thread_survives_a_restart_expires_and_is_forgotten_by_new(
    api, many_qa, tmp_path
) -> None:
    state = tmp_path / "bot-state.sqlite"

    async def ask(app: Application) -> None:
        api.send_text(CHAT, FIRST)
        await replies(api, 1, CHAT)

    async def follow(app: Application) -> None:  # a new application over the same file
        api.send_text(CHAT, FOLLOW)
        await replies(api, 2, CHAT)

    run_bot(api, many_qa, ask, state_file=state)
    run_bot(api, many_qa, follow, state_file=state)
    restarted = api.sent_messages(CHAT)[1]
    assert restarted["plain_text"].startswith("接著上一個問題：黑龍江省 → 吉林省 · 2020年")
    assert "41.25億元" in bold(restarted)

    async def expire_and_new(app: Application) -> None:
        api.send_text(CHAT + 1, FIRST)
        await replies(api, 1, CHAT + 1)
        await asyncio.sleep(1.2)  # past the conversation's lifetime
        api.send_text(CHAT + 1, FOLLOW)
        await replies(api, 2, CHAT + 1)

        api.send_text(CHAT + 2, FIRST)
        await replies(api, 1, CHAT + 2)
        api.send_command(CHAT + 2, "new", language_code="en")
        await replies(api, 2, CHAT + 2)
        api.send_text(CHAT + 2, FOLLOW)
        await replies(api, 3, CHAT + 2)

    run_bot(api, many_qa, expire_and_new, state_file=state, conversation_seconds=1.0)
    expired = api.sent_messages(CHAT + 1)[1]
    _, new, afresh = api.sent_messages(CHAT + 2)
    assert new["plain_text"] == "OK: the next question starts afresh, without the previous one."
    for alone in (expired, afresh):  # 那吉林呢？ on its own: Jilin's latest report
        assert FOLLOWING not in alone["plain_text"] and fresh_button(alone) is None
        assert alone["plain_text"].startswith("吉林省2021年的報告原文")
        assert "41.25億元" not in bold(alone)
    assert api.errors == []


def test_the_button_asks_the_question_again_without_the_previous_one(api, many_qa) -> None:
    async def scenario(app: Application) -> None:
        api.send_text(CHAT, FIRST)
        await replies(api, 1, CHAT)
        api.send_text(CHAT, FOLLOW, language_code="en")
        followed = (await replies(api, 2, CHAT))[1]
        data = fresh_button(followed)
        api.press_button(CHAT, followed["message_id"], data)
        alone = (await replies(api, 3, CHAT))[2]
        assert alone["plain_text"].startswith("吉林省2021年的報告原文")
        assert FOLLOWING not in alone["plain_text"] and fresh_button(alone) is None
        # One press per button: it goes, the answer's other buttons stay.
        kept = buttons(api.message(CHAT, followed["message_id"]))
        assert kept.keys() == buttons(followed).keys() - {data}
        api.press_button(CHAT, followed["message_id"], data, check_button=False)
        api.press_button(CHAT, followed["message_id"], "fresh:gone", check_button=False)
        api.press_button(CHAT, followed["message_id"], "fresh:<b>x</b>", check_button=False)
        await api.wait_for_async(lambda: len(api.callback_answers) >= 4, timeout=WAIT)
        await settle(api)
        assert len(api.sent_messages(CHAT)) == 3
        # Pressed twice: nothing more; a forgotten key or data no button of ours carries: expired.
        expired = "This answer has expired; please ask again."
        assert sorted(a["text"] or "" for a in api.callback_answers) == ["", "", expired, expired]

    run_bot(api, many_qa, scenario)
    assert api.errors == []


def test_threads_expire_and_are_bounded(many_qa) -> None:
    now = [0.0]
    memory = BotMemory()
    threads = Threads(60.0, memory=memory, max_threads=2, clock=lambda: now[0])
    answer = many_qa.ask(FIRST)
    for user in (1, 2, 3):
        now[0] += 1
        threads.remember(CHAT, user, answer)
    assert memory.threads() == 2  # the longest idle went first
    assert threads.previous(CHAT, 1) is None
    assert [r.name for r in threads.previous(CHAT, 3).regions] == ["黑龙江省"]
    assert threads.previous(GROUP, 3) is None  # another chat, another thread
    now[0] += 61
    assert threads.previous(CHAT, 3) is None
    assert threads.forget(CHAT, 3) and not threads.forget(CHAT, 3)


def test_the_conversation_setting_is_read_and_checked(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("QA_INDEX", str(tmp_path / "idx"))
    monkeypatch.delenv("QA_BOT_CONVERSATION_SECONDS", raising=False)
    assert BotSettings.from_env().conversation_seconds == 3600.0
    monkeypatch.setenv("QA_BOT_CONVERSATION_SECONDS", "90")
    assert BotSettings.from_env().conversation_seconds == 90.0
    monkeypatch.setenv("QA_BOT_CONVERSATION_SECONDS", "an hour")
    with pytest.raises(BotSettingsError, match="QA_BOT_CONVERSATION_SECONDS"):
        BotSettings.from_env()


# -- table answers ---------------------------------------------------------------------------


def test_a_table_answer_is_a_list_a_csv_document_and_a_chart(api, many_qa) -> None:
    async def scenario(app: Application) -> None:
        api.send_text(CHAT, TABLE)
        await replies(api, 3, CHAT)
        api.send_text(CHAT + 1, "2020年各省發放了多少低保金？")  # no report states it so
        await replies(api, 2, CHAT + 1)
        await settle(api)

    run_bot(api, many_qa, scenario)
    listing, document, photo = api.sent_messages(CHAT)
    assert listing["plain_text"].splitlines() == [
        "每份報告一行（2份中有2份給出這個數字）",
        "",
        "• 吉林省 — 1.8萬人 · 吉林省2020年的報告 · 第7段",
        "• 黑龍江省 — 3.4萬人 · 黑龍江省2020年的報告 · 第7段",
    ]
    assert bold(listing)[1:] == ["1.8萬人", "3.4萬人"]
    assert len(listing["text"]) <= 4096

    assert document["method"] == "sendDocument"
    assert document["file"]["filename"] == "table-by-region.csv"
    assert document["plain_text"] == f"整張表（CSV）：{TABLE}"
    data = api.file_data(document["message"]["document"]["file_id"])
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["label"], r["figure"], r["value"], r["found"]) for r in rows] == [
        ("吉林省", "1.8萬人", "18000", "true"),
        ("黑龍江省", "3.4萬人", "34000", "true"),
    ]
    assert rows[0]["quote"] == "異地救助1.8萬人" and rows[0]["paragraph"] == "7"
    assert rows[1]["passage_id"] == "heilongjiang-civil-affairs-2020#p7"

    assert photo["method"] == "sendPhoto" and photo["plain_text"] == f"圖表：{TABLE}"
    png = api.file_data(photo["message"]["photo"][-1]["file_id"])
    assert png is not None and png.startswith(PNG)

    # Reports without the figure are listed as such, in the list and the CSV; no chart.
    missing, sheet = api.sent_messages(CHAT + 1)
    assert "• 吉林省 — 吉林省2020年的報告沒有給出這個數字" in missing["plain_text"]
    assert "• 黑龍江省 — 黑龍江省2020年的報告沒有給出這個數字" in missing["plain_text"]
    data = api.file_data(sheet["message"]["document"]["file_id"])
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["label"], r["found"], r["figure"]) for r in rows] == [
        ("吉林省", "false", ""),
        ("黑龍江省", "false", ""),
    ]
    assert api.errors == []
