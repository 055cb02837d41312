"""A policy injected through the public API is the one used: for each policy class, a
non-default value changes what the real model and a real index give (answers, the
search's explanation, the built index), never only an attribute."""

from __future__ import annotations

import dataclasses

import pytest

import qa.policy
from qa import ReportQA, Retriever, build_index
from qa.errors import ArgumentError
from qa.policy import (
    DEFAULT,
    LANGUAGE,
    AnswerPolicy,
    CrossLingualPolicy,
    FusionWeights,
    IndexPolicy,
    LanguagePolicy,
    Policy,
    RetrievalPolicy,
)
from tests.conftest import REPORT

QUESTION = "全省新增了多少張養老床位？"
ENGLISH = "What subsidies were paid to elderly-care institutions during the epidemic?"

#: Every policy class and the test that shows an injected value of it at work.
COVERED = {
    Policy: "test_answer_policy_sets_how_many_passages_an_answer_keeps",
    AnswerPolicy: "test_answer_policy_sets_how_many_passages_an_answer_keeps",
    RetrievalPolicy: "test_retrieval_policy_sets_how_many_candidates_are_fused",
    FusionWeights: "test_fusion_weights_set_the_lexical_and_sentence_weights",
    CrossLingualPolicy: "test_crosslingual_policy_sets_how_english_cosines_are_scaled",
    IndexPolicy: "test_index_policy_sets_bm25_title_inference_and_english_bags",
    LanguagePolicy: "test_language_policy_is_process_wide_and_not_part_of_policy",
}


def _open(report_index, embedder, policy: Policy) -> ReportQA:
    return ReportQA.open(report_index, model=embedder, policy=policy)


def test_every_policy_class_has_an_injection_test():
    classes = {
        obj
        for name in qa.policy.__all__
        if isinstance(obj := getattr(qa.policy, name), type) and dataclasses.is_dataclass(obj)
    }
    assert classes == set(COVERED)
    assert all(name in globals() for name in COVERED.values())


def test_answer_policy_sets_how_many_passages_an_answer_keeps(report_qa, report_index, embedder):
    assert len(report_qa.ask(QUESTION).hits) == DEFAULT.answer.hits
    few = _open(report_index, embedder, Policy(answer=AnswerPolicy(hits=2)))
    answer = few.ask(QUESTION)
    assert answer.found and len(answer.hits) == 2
    assert few.policy.answer.hits == 2


def test_retrieval_policy_sets_how_many_candidates_are_fused(retriever, report_index, embedder):
    narrow = RetrievalPolicy(candidates_per_k=1, min_candidates=2)
    qa = _open(report_index, embedder, Policy(retrieval=narrow))
    assert qa.retriever.policy is narrow
    # Two dense candidates, plus the two best BM25 and best-sentence rows not among them.
    assert len(qa.retriever.explain(QUESTION, k=1).candidates) <= 6
    assert len(retriever.explain(QUESTION, k=1).candidates) > 6


def test_retrieval_policy_sets_the_dictionary_the_answer_step_checks_english_with(
    retriever, report_index, embedder
):
    from qa.answer.agreement import counted_agrees
    from tests.test_agreement import quoted

    qa = _open(report_index, embedder, Policy(retrieval=RetrievalPolicy(max_headword_chars=1)))
    lookup = qa.retriever.english_lookup
    assert lookup.max_headword_chars == 1 and retriever.english_lookup.max_headword_chars == 6
    # 敬老院 is no rendering of "hospitals": a count of them does not answer. With one-
    # character renderings only, the dictionary knows no rendering to check against.
    text = quoted("全省共有敬老院420家,社區養老服務站1100個。")
    question = "How many hospitals were built?"
    assert not counted_agrees(question, text, english=retriever.english_lookup)
    assert counted_agrees(question, text, english=lookup)


def test_fusion_weights_set_the_lexical_and_sentence_weights(retriever, report_index, embedder):
    dense_only = FusionWeights(lexical_base=0.0, lexical_gap=0.0, sentence=0.0)
    qa = _open(report_index, embedder, Policy(retrieval=RetrievalPolicy(fusion=dense_only)))
    shipped, injected = retriever.explain(QUESTION), qa.retriever.explain(QUESTION)
    assert shipped.lexical_weight > 0 and shipped.sentence_weight > 0
    assert injected.lexical_weight == 0 and injected.sentence_weight == 0
    # With the words weighing nothing, the ranking is the dense one.
    assert injected.ranking("fused", 5) == injected.ranking("dense", 5)


def test_crosslingual_policy_sets_how_english_cosines_are_scaled(retriever, report_index, embedder):
    scale = RetrievalPolicy(crosslingual=CrossLingualPolicy(dense_norm="scale"))
    qa = _open(report_index, embedder, Policy(retrieval=scale))
    z = {c.id: c.dense for c in retriever.explain(ENGLISH).candidates}
    scaled = {c.id: c.dense for c in qa.retriever.explain(ENGLISH).candidates}
    # "scale" puts the best cosine at 1; z-scores put it near 2–3 standard deviations.
    assert max(scaled.values()) == pytest.approx(1.0)
    assert max(z.values()) != pytest.approx(1.0)


@pytest.mark.slow  # two builds
def test_index_policy_sets_bm25_title_inference_and_english_bags(tmp_path, embedder):
    reports = tmp_path / "reports"
    reports.mkdir()
    lines = REPORT.read_text(encoding="utf-8").split("\n")
    paragraphs = [line for line in lines if line.endswith("。")][:6]
    (reports / "civil-affairs.txt").write_text(
        "\n".join(["黑龍江省民政工作綜述", *paragraphs]) + "\n", encoding="utf-8"
    )
    variant = IndexPolicy(bm25_k1=3.0, infer_title_max_chars=5, english_bag_headword_chars=(2, 4))
    shipped_dir, variant_dir = tmp_path / "shipped", tmp_path / "variant"
    build_index([reports], shipped_dir, model=embedder)
    build_index([reports], variant_dir, model=embedder, policy=variant)
    shipped = _open(shipped_dir, embedder, DEFAULT)
    injected = _open(variant_dir, embedder, Policy(index=variant))

    [doc] = shipped.documents.values()
    [other] = injected.documents.values()
    assert doc.title == "黑龍江省民政工作綜述"
    assert other.title != doc.title  # a 10-character first line is no title under 5
    raw = {c.id: c.lexical_raw for c in shipped.retriever.explain(QUESTION).candidates}
    raw_k1 = {c.id: c.lexical_raw for c in injected.retriever.explain(QUESTION).candidates}
    assert raw.keys() == raw_k1.keys() and raw != raw_k1
    # The answer step reads figures' English bags as the index made the passages' bags.
    assert shipped.retriever.english_lookup.bag_headwords == (2, 6)
    assert injected.retriever.english_lookup.bag_headwords == (2, 4)
    shipped.close()
    injected.close()


def test_language_policy_is_process_wide_and_not_part_of_policy():
    # How a text's language is told must agree between the faces (which pick the reply's
    # language before any ReportQA), the index build and the answers: no injected copy.
    assert "language" not in {f.name for f in dataclasses.fields(Policy)}
    assert Policy().to_json()["language"] == dataclasses.asdict(LANGUAGE)


def test_a_report_qa_refuses_a_policy_its_retriever_does_not_rank_with(retriever):
    other = Policy(retrieval=RetrievalPolicy(min_candidates=5))
    with pytest.raises(ArgumentError):
        ReportQA(retriever, policy=other)
    assert ReportQA(Retriever(retriever.index, policy=other.retrieval), policy=other)
