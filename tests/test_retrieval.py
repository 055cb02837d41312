"""Hybrid search on the bundled report, in the three languages users write in."""

from __future__ import annotations

import numpy as np
import pytest

from qa.errors import QuestionError


def top_paragraph(retriever, question: str) -> int | None:
    return retriever.search(question, k=1)[0].paragraph


@pytest.mark.parametrize(
    ("question", "paragraph"),
    [
        ("養老機構拿到多少疫情防控補助和運營補貼？", 4),  # zh-Hant
        ("养老机构拿到多少疫情防控补助和运营补贴？", 4),  # zh-Hans, same question
        ("What subsidies were paid to elderly-care institutions during the epidemic?", 4),
        ("全省新增了多少張養老床位？", 13),
        ("新增养老床位多少张？", 13),
        ("社會組織參與扶貧項目的數量是多少？", 12),
    ],
)
def test_question_finds_its_paragraph_in_every_language(retriever, question, paragraph):
    assert top_paragraph(retriever, question) == paragraph


def test_question_in_another_script_matches_the_reports_mixed_forms(retriever):
    # The report writes 志愿 (a Simplified form inside Traditional text); users write 志願.
    hits = retriever.search("志願服務組織有多少個？", k=1)
    assert "5102個志愿服務組織" in hits[0].text


def test_publication_question_is_answered_from_document_notes(retriever):
    hit = retriever.search("這篇報告是在哪份報紙上發表的？", k=1)[0]
    assert hit.kind == "metadata" and "中國社會報" in hit.text


@pytest.mark.parametrize("question", ["Where was this report published?", "这篇报道是哪天发表的？"])
def test_publication_question_in_any_language_finds_the_document_record(retriever, question):
    assert retriever.search(question, k=1)[0].kind == "metadata"


def test_the_document_record_does_not_set_the_dense_scale_of_paragraphs(retriever):
    # The record (title, source, date, labelled in three languages) is the encoder's
    # nearest passage to this question; the paragraphs alone set the dense scale (an
    # English question's cosines are z-scored over the candidate paragraphs), and the
    # record ranks no higher than the best paragraph on dense evidence alone.
    question = "What protections does the report describe for orphans?"
    snap = retriever.index.snapshot
    assert np.flatnonzero(snap.is_record).tolist() == [snap.size - 1]
    cosines = snap.dense_scores(snap.encode_query(question), np.arange(snap.size))
    assert int(np.argmax(cosines)) == snap.size - 1  # the record is the nearest
    hits = retriever.search(question, k=snap.size)
    record = next(h for h in hits if h.kind == "metadata")
    paragraphs = np.array([h.dense for h in hits if h.kind == "text"])
    assert paragraphs.mean() == pytest.approx(0.0, abs=1e-4)
    assert paragraphs.std() == pytest.approx(1.0, abs=1e-4)
    assert record.dense == pytest.approx(paragraphs.max())
    assert hits[0].kind == "text"


def test_a_chinese_questions_dense_scale_runs_from_the_reference_rank_to_the_best(retriever):
    hits = retriever.search("孤兒的基本生活保障標準是多少？", k=retriever.index.snapshot.size)
    assert max(h.dense for h in hits if h.kind == "text") == pytest.approx(1.0)


def test_hits_carry_location_and_are_sorted_by_score(retriever):
    hits = retriever.search("低保金發放了多少？", k=5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    first = hits[0]
    assert first.doc == "heilongjiang-civil-affairs-2020"
    assert first.section == "堅持人民至上,在抗擊疫情中彰顯民政擔當" and first.paragraph == 7
    assert first.id == "heilongjiang-civil-affairs-2020#p7"


@pytest.mark.parametrize("question", ["", "   \n\t ", "x" * 100_000])
def test_unusable_questions_raise_question_error(retriever, question):
    with pytest.raises(QuestionError):
        retriever.search(question)


def test_k_larger_than_the_index_returns_every_passage_once(retriever):
    hits = retriever.search("民政", k=100)
    assert len(hits) == len({h.id for h in hits}) == 21


def test_a_question_in_the_other_script_is_embedded_in_the_reports_script(retriever, embedder):
    snap = retriever.index.snapshot
    assert snap.manifest.text["script"] == "zh-Hant"  # the report, despite its 志愿/規范
    simplified = "困难群体殡葬基本服务费用全免吗？"
    assert snap.encode_query(simplified) == pytest.approx(
        embedder.encode_query("困難群體殯葬基本服務費用全免嗎？"), abs=1e-5
    )
    for unchanged in ("困難群體殯葬基本服務費用全免嗎？", "Are funeral fees waived?"):
        assert snap.encode_query(unchanged) == pytest.approx(
            embedder.encode_query(unchanged), abs=1e-5
        )
