"""Folding and tokenising for matching: scripts, character forms and punctuation width fold
together; numbers and Latin words stay whole."""

from __future__ import annotations

import pytest

from qa.text import (
    chinese_script,
    cjk_share,
    drop_document_references,
    fold,
    lexical_tokens,
    to_script,
)
from tests.conftest import DATA


def test_traditional_simplified_and_the_reports_mixed_forms_fold_together():
    assert fold("志願") == fold("志愿") == fold("志愿")
    assert fold("規範") == fold("規范") == fold("规范")
    assert fold("後補") == fold("后補")
    assert fold("幹部") == fold("干部")


def test_full_width_punctuation_and_letters_fold_to_ascii():
    assert fold("（ＡＢＣ）？") == "(abc)?"


def test_tokens_are_cjk_unigrams_bigrams_and_whole_numbers_and_words():
    tokens = lexical_tokens("撥付1.1億元, 132,200 People")
    assert {"拨", "付", "拨付", "1.1", "亿元", "1.1亿", "132200", "people"} <= set(tokens)
    assert "1" not in tokens and "people," not in tokens


def test_bigrams_do_not_cross_punctuation():
    assert "年是" not in lexical_tokens("2020年,是")


def test_cjk_share_tells_english_from_chinese():
    assert cjk_share("How much money?") == 0
    assert cjk_share("養老機構補貼多少？") == 1


def test_chinese_numerals_match_the_digits_the_report_writes():
    assert {"3年", "连续"} <= set(lexical_tokens("連續三年"))
    assert lexical_tokens("第十四年") == lexical_tokens("第14年")
    assert lexical_tokens("二〇二〇年") == lexical_tokens("2020年")
    assert "1万" in lexical_tokens("一萬張")


def test_numeral_characters_in_words_stay_words():
    assert "百姓" in lexical_tokens("老百姓")  # 百 alone is not a number here
    assert "三五" in lexical_tokens("三五成群")  # "three or five", not 35


def test_a_texts_script_is_the_clear_majority_of_its_script_specific_characters():
    report = (DATA / "heilongjiang-civil-affairs-2020.txt").read_text(encoding="utf-8")
    assert chinese_script(report) == "zh-Hant"  # despite its stray 志愿, 規范, 后補
    assert chinese_script("疫情期间低保一律不退出") == "zh-Hans"
    assert chinese_script("低保人口") is None  # the same in both scripts
    assert chinese_script("How many people?") is None


def test_to_script_converts_between_the_chinese_scripts():
    assert to_script("殡葬服务费用全免", "zh-Hant") == "殯葬服務費用全免"
    assert to_script("殯葬服務費用全免", "zh-Hans") == "殡葬服务费用全免"
    assert to_script("殯葬 services", None) == "殯葬 services"


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("報告裡提到哪些工作？", "提到哪些工作？"),
        ("這篇報告是在哪份報紙上發表的？", "是在哪份報紙上發表的？"),
        ("本报告涵盖哪个地区？", "涵盖哪个地区？"),
        ("What does the report say about orphans?", "What does say about orphans?"),
        # 報告 inside a term is the report's word, not a pointer at the report.
        ("零報告制度是什麼？", "零報告制度是什麼？"),
        ("工作報告中的數字", "工作報告中的數字"),
    ],
)
def test_words_pointing_at_the_document_itself_are_dropped_for_matching(question, words):
    assert " ".join(drop_document_references(question).split()) == words
