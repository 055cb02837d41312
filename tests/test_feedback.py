"""Feedback becomes evaluation: ratings of real answers are stored beside the bot's state and
exported as questions ``qa eval`` reads and scores."""

from __future__ import annotations

import json
import sqlite3

import pytest

from qa import FeedbackStore, read_questions
from qa.cli import main
from qa.errors import ArgumentError, UnknownAnswerError
from qa.feedback import anchor

FOUND = "異地救助了多少人？"
DECLINED = "2019年黑龍江省新增了多少張養老床位？"


@pytest.fixture
def store(tmp_path):
    with_file = FeedbackStore(tmp_path / "feedback.sqlite")
    yield with_file
    with_file.close()


def test_a_rating_keeps_question_answer_generation_and_no_user(store, report_qa) -> None:
    answer = report_qa.ask(FOUND)
    key = store.remember(answer, generation="gen-1")
    item = store.rate(key, "up")
    assert (item.question, item.language, item.generation, item.rating) == (
        FOUND,
        "zh-Hant",
        "gen-1",
        "up",
    )
    assert item.found and item.answer["quotes"][0]["text"] == answer.quotes[0].text
    columns = {r[1] for r in store._con.execute("PRAGMA table_info(feedback)")}
    assert not columns & {"user", "chat", "client", "address", "name"}


def test_rating_again_replaces_and_only_candidates_can_be_named(store, report_qa) -> None:
    answer = report_qa.ask(FOUND)
    key = store.remember(answer, generation="gen-1")
    store.rate(key, "up")
    second = answer.hits[1].id
    item = store.rate(key, "down", passage=second)
    assert (item.rating, item.passage_id) == ("down", second)
    assert item.passage_text == answer.hits[1].text
    assert len(store.items()) == 1
    with pytest.raises(ArgumentError, match="not one of this answer's passages"):
        store.rate(key, "down", passage="elsewhere#p1")
    with pytest.raises(ArgumentError, match="only a 👎 names"):
        store.rate(key, "up", passage=second)
    with pytest.raises(UnknownAnswerError):
        store.rate("never-given-key1", "up")


def test_old_answers_are_pruned_but_ratings_stay(tmp_path, report_qa) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite", max_answers=10)
    answer = report_qa.ask(FOUND)
    first = store.remember(answer, generation="g")
    store.rate(first, "up")
    keys = [store.remember(answer, generation="g") for _ in range(70)]
    assert store.answer(first) is None and store.answer(keys[-1]) is not None
    assert store.stats().remembered <= 10 + 64
    assert [i.key for i in store.items()] == [first]
    store.close()


def test_the_anchor_is_a_verbatim_first_sentence() -> None:
    text = "  全省發放低保金58.68億元。另有臨時救助3.4萬人次。"
    assert anchor(text) == "全省發放低保金58.68億元。"
    assert anchor(text) in text
    assert anchor("No sentence end here at all " * 5) == ("No sentence end here at all " * 3)[:60]
    assert anchor("Costs rose 3.5 percent. Then fell.") == "Costs rose 3.5 percent."


@pytest.mark.slow  # asks five questions and runs `qa eval`
def test_export_writes_questions_qa_eval_scores(store, report_qa, report_index, tmp_path, capsys):
    up = store.remember(report_qa.ask(FOUND), generation="g")
    store.rate(up, "up")
    declined = store.remember(report_qa.ask(DECLINED), generation="g")
    store.rate(declined, "up")  # right to decline
    wrong = report_qa.ask("全省新增了多少張養老床位？")
    named = store.remember(wrong, generation="g")
    gold = next(h for h in wrong.hits if "1.4萬張" in h.text)
    store.rate(named, "down", passage=gold.id)
    vague = store.remember(report_qa.ask(FOUND), generation="g")
    store.rate(vague, "down")  # says nothing about what is right: left out

    report = store.export(tmp_path / "feedback.jsonl")
    assert (report.written, report.skipped, report.answerable) == (3, 1, 2)
    questions = read_questions(tmp_path / "feedback.jsonl")  # qa eval's reader
    by_question = {q.question: q for q in questions}
    assert by_question[FOUND].answerable and "3.4萬人" in by_question[FOUND].figures
    assert by_question[FOUND].gold_anchor in report_qa.ask(FOUND).quotes[0].text
    assert not by_question[DECLINED].answerable
    assert by_question["全省新增了多少張養老床位？"].gold_anchor in gold.text

    assert (
        main(["eval", str(tmp_path / "feedback.jsonl"), "--json", "--index", str(report_index)])
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["retrieval"]["overall"]["n"] == 2
    assert summary["retrieval"]["overall"]["hit@3"] == 1.0
    assert summary["answers"]["unanswerable_declined"] == 1


def test_qa_feedback_stats_and_export_on_the_command_line(store, report_qa, tmp_path, capsys):
    key = store.remember(report_qa.ask(FOUND), generation="g")
    store.rate(key, "up")
    path = str(tmp_path / "feedback.sqlite")
    assert main(["feedback", "stats", "--file", path]) == 0
    assert "ratings: 1  👍 1  👎 0" in capsys.readouterr().out
    assert main(["feedback", "stats", "--json", "--file", path]) == 0
    assert json.loads(capsys.readouterr().out)["exportable"] == 1
    out = tmp_path / "set.jsonl"
    assert main(["feedback", "export", str(out), "--file", path]) == 0
    assert f"wrote 1 question(s) to {out}" in capsys.readouterr().err
    assert json.loads(out.read_text(encoding="utf-8"))["kind"] == "feedback"
    assert main(["feedback", "stats", "--file", str(tmp_path / "none.sqlite")]) == 1
    assert "no feedback file at" in capsys.readouterr().err


def test_export_of_nothing_is_a_clear_error(store, tmp_path) -> None:
    with pytest.raises(ArgumentError, match="no rating to export yet"):
        store.export(tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_a_damaged_file_is_moved_aside_and_a_new_one_started(tmp_path, caplog) -> None:
    path = tmp_path / "feedback.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    store = FeedbackStore(path)
    assert store.stats().ratings == 0
    store.close()
    assert [p.name for p in tmp_path.glob("feedback.sqlite.broken-*")]
    assert "moved it aside" in caplog.text
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE accounts (id INTEGER)")
    con.commit()
    con.close()
    FeedbackStore(other).close()  # another program's database is not written into
    assert list(tmp_path.glob("other.sqlite.broken-*"))
