"""English questions over Chinese reports: their words and phrases, in dictionary form, are
looked up in CC-CEDICT, and the Chinese headwords the index knows become BM25 terms."""

from __future__ import annotations

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
