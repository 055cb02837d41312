"""BM25 over passages and over their sentences, and how the fusion uses both."""

from __future__ import annotations

import numpy as np
import pytest

from qa.lexical import LexicalIndex, SentenceLexicalIndex
from qa.policy import FusionWeights
from qa.retrieve.fusion import QueryStats, fuse

# Both passages hold every word of the question; only the second holds them in one sentence.
SCATTERED = ["省裡向困難群眾發放了救助金。", "各地新建了養老院。"]
TOGETHER = ["各地新建了養老院並發放救助金。", "另有其他工作安排。"]
QUESTION = "養老院救助金"


def test_a_passage_scores_as_its_best_sentence():
    passages = [SCATTERED, TOGETHER, ["與問題無關的句子。"]]
    index = SentenceLexicalIndex.build(passages)
    per_sentence = LexicalIndex.build([s for p in passages for s in p]).scores(QUESTION)
    assert index.scores(QUESTION).tolist() == pytest.approx(
        [per_sentence[0:2].max(), per_sentence[2:4].max(), per_sentence[4]]
    )


def test_words_in_one_sentence_beat_words_scattered_over_the_passage():
    passage_bm25 = LexicalIndex.build(["".join(SCATTERED), "".join(TOGETHER)]).scores(QUESTION)
    best_sentence = SentenceLexicalIndex.build([SCATTERED, TOGETHER]).scores(QUESTION)
    assert passage_bm25[0] >= passage_bm25[1]  # whole passages: no better than a tie
    assert best_sentence[1] > best_sentence[0]


def test_sentence_index_round_trips_through_its_folder(tmp_path):
    index = SentenceLexicalIndex.build([SCATTERED, TOGETHER])
    index.save(tmp_path)
    loaded = SentenceLexicalIndex.load(tmp_path, 2)
    assert loaded.scores(QUESTION).tolist() == index.scores(QUESTION).tolist()
    with pytest.raises(ValueError, match="expected 3"):
        SentenceLexicalIndex.load(tmp_path, 3)


def test_every_passage_needs_a_sentence():
    with pytest.raises(ValueError):
        SentenceLexicalIndex.build([SCATTERED, []])


def _stats(*, translated: bool) -> QueryStats:
    dense = np.array([0.85, 0.85, 0.70])
    lexical = np.array([4.0, 4.0, 0.0])
    sentence = np.array([2.0, 4.0, 0.0])
    return QueryStats.of(
        np.sort(dense)[::-1], lexical, sentence, share=1.0, translated=translated
    ), (dense, lexical, sentence)


def test_best_sentence_breaks_a_tie_of_dense_and_passage_bm25():
    stats, (dense, lexical, sentence) = _stats(translated=False)
    fused, *_ = fuse(dense, lexical, sentence, stats)
    assert int(np.argmax(fused)) == 1


def test_translated_questions_ignore_best_sentence_evidence():
    stats, (dense, lexical, sentence) = _stats(translated=True)
    fused, *_ = fuse(dense, lexical, sentence, stats, FusionWeights())
    assert fused[0] == pytest.approx(fused[1])


def _winner(share: float) -> int:
    # Passage 0 is the encoder's choice, passage 1 the words' choice.
    dense = np.array([0.90, 0.86, 0.70])
    lexical = np.array([3.5, 4.0, 0.0])
    sentence = np.array([3.5, 4.0, 0.0])
    stats = QueryStats.of(np.sort(dense)[::-1], lexical, sentence, share=share, translated=False)
    return int(np.argmax(fuse(dense, lexical, sentence, stats)[0]))


def test_words_decide_a_question_that_copies_the_text_and_the_encoder_a_paraphrase():
    assert _winner(share=0.95) == 1  # nearly every word of the question is in the index
    assert _winner(share=0.5) == 0  # half the question's words are nowhere in the text
