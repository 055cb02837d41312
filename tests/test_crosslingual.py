"""English questions over Chinese reports: their words and phrases, in dictionary form, are
looked up in CC-CEDICT, and the Chinese headwords the index knows become BM25 terms; each
passage's English bag (the glosses of the headwords it holds) is matched with the question's
own words."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from qa import cedict
from qa.lexical import EnglishBagIndex
from qa.policy import DEFAULT, CrossLingualPolicy
from qa.retrieve.crosslingual import translate


def knows(*terms: str):
    return lambda term: term in terms


def chinese(question: str, *known: str) -> list[str]:
    return [term for term, _weight in translate(question, knows(*known)).terms]


def test_inflected_words_are_looked_up_in_their_dictionary_form():
    assert chinese("What did the children receive?", "儿童") == ["儿童"]
    assert chinese("How many beds were added?", "床位", "新增") == ["床位", "新增"]


def test_a_gloss_written_with_an_article_is_found_without_it():
    # CC-CEDICT glosses 老人 as "the elderly".
    assert chinese("How many elderly residents?", "老人") == ["老人"]


def test_only_terms_the_index_knows_are_kept_and_coverage_counts_content_words():
    translation = translate("How many new beds were added?", knows("床位"))
    assert [term for term, _ in translation.terms] == ["床位"]
    assert translation.content_words == 3  # new, beds, added
    assert translation.translated_words == 1
    assert translation.coverage == 1 / 3


def test_phrases_of_function_words_alone_are_not_looked_up():
    # "how many" is a CC-CEDICT gloss (几个, 若干): it would add noise to every question.
    assert chinese("How many bridges were repaired?", "几个", "若干", "桥梁") == ["桥梁"]
    off = replace(
        DEFAULT.retrieval,
        crosslingual=CrossLingualPolicy(skip_function_word_phrases=False),
    )
    terms = translate("How many bridges were repaired?", knows("几个", "若干", "桥梁"), policy=off)
    assert {"几个", "若干"} <= {t for t, _ in terms.terms}


def test_a_words_candidates_are_its_own_glosses_and_its_lemmas():
    # "found" is to establish (建立) and, as the past of "find", to discover (发现).
    assert set(chinese("When was the museum found?", "建立", "发现", "博物馆")) >= {"建立", "发现"}


def test_accents_are_dropped_before_lookup():
    assert cedict.fold_accents("Temüjin’s café") == "Temujin’s cafe"


def test_the_questions_own_latin_words_and_numbers_are_kept_as_they_are():
    translation = translate("What did ENEL build in 1998?", knows())
    assert translation.own_terms == ("enel", "build", "1998")


def test_a_passages_english_bag_holds_the_glosses_of_its_words():
    table = cedict.headwords(2, 6)
    bag = set(cedict.english_bag("全省新增养老床位1.4万张", table))
    assert {"province", "bed"} <= bag
    assert "bed" in cedict.english_words("How many new beds were added?")
    assert "how" not in cedict.english_words("How many new beds were added?")


def test_the_english_bags_rank_the_passage_that_holds_the_asked_words():
    passages = ["各地新建了一批博物館。", "全省新增養老床位1.4萬張。", "組織志願者清掃街道。"]
    scores = EnglishBagIndex.build(passages).scores("How many beds for the elderly were added?")
    assert int(np.argmax(scores)) == 1 and scores[0] == 0
