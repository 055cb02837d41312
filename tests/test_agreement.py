"""A quoted figure answers a question only when it is a figure *of what was asked*: "how many
X" wants a figure that counts X, a question about a whole wants the whole, not an item of it
(issue #11). Pure functions over real ``Quote`` records; no model needed."""

from __future__ import annotations

import pytest

from qa.answer.agreement import (
    asked_counts,
    counted_agrees,
    lenient_kinds,
    whole_agrees,
)
from qa.answer.model import Citation, Quote


def quoted(text: str) -> list[Quote]:
    """``text`` quoted whole, as one passage."""
    citation = Citation("報告", None, 1, None, None, "doc", "doc#p1")
    return [Quote(text, (), citation, 0, len(text), text)]


# -- what a question counts ------------------------------------------------------------------


def test_a_chinese_count_names_its_measure_word_and_noun():
    [asked] = asked_counts("去年新建了多少個互助幸福院？")
    assert (asked.kind, asked.measure, asked.noun) == ("count", "个", "互助幸福院")
    [people] = asked_counts("有多少名護理員參加了培訓？")
    assert (people.kind, people.measure) == ("people", "名") and people.noun.startswith("护理员")


def test_money_a_share_or_a_bare_amount_is_not_a_counted_thing():
    assert asked_counts("撥付了多少錢？") == []
    assert asked_counts("覆蓋率是多少？") == []
    assert asked_counts("How many years did the project take?") == []


def test_an_english_count_keeps_its_noun_phrase_and_the_place_it_is_in():
    [asked] = asked_counts("How many nurses work in rural clinics?")
    assert asked.english_head == "nurses" and asked.english_words == ("nurses",)
    [inside] = asked_counts("How many canteens in mountain villages were opened?")
    assert inside.english_head == "canteens"
    assert inside.english_words == ("canteens", "mountain", "villages")
    [people] = asked_counts("How many residents were resettled?")
    assert people.kind == "people" and people.english_head is None


# -- counted thing ---------------------------------------------------------------------------


def test_a_count_of_another_thing_does_not_answer():
    text = "全年新建村級互助幸福院35個,培訓護理員800人。"
    assert not counted_agrees("有多少家養老院獲得補貼？", quoted(text))
    assert counted_agrees("新建了多少個互助幸福院？", quoted(text))


def test_a_shared_modifier_is_not_the_counted_noun():
    # Chinese nouns are head-final: 養老 begins both 養老機構 and 養老產業項目, and a count
    # of the projects does not count the institutions.
    text = "全省投資億元以上養老產業項目達到20個。"
    assert not counted_agrees("全省有多少家養老機構？", quoted(text))
    assert counted_agrees("有多少個養老產業項目？", quoted(text))


def test_the_noun_ends_where_the_predicate_starts():
    # The question runs its noun on into the verb; the text names the noun alone.
    [asked] = asked_counts("有多少個城市通過了創建驗收？")
    assert asked.noun == "城市"
    assert counted_agrees("有多少個城市通過了創建驗收？", quoted("全省共有9個城市完成創建。"))
    assert counted_agrees("有多少位王子捲入了爭端？", quoted("當時共有五位 反對派王子,各自擁兵。"))


def test_the_head_of_the_noun_must_be_counted_not_only_its_kind():
    # 種 counts kinds of anything: two kinds of situation are not kinds of orchid.
    text = "研究顯示了符合後兩種情況的證據。"
    assert not counted_agrees("有多少種蘭花尚未定名？", quoted(text))
    assert counted_agrees("有多少種蘭花尚未定名？", quoted("另有40種蘭花尚未定名。"))


def test_ji_beside_another_question_word_or_a_number_asks_no_count():
    # 幾 is "several" when the question asks something else, and "-odd" after a number.
    assert asked_counts("清朝幾位皇帝中，哪一位在位最久？") == []
    assert asked_counts("當年二十幾所學校在哪裡集會？") == []
    assert asked_counts("全省建了幾所學校？") != []


def test_money_does_not_answer_a_count():
    assert not counted_agrees(
        "多少家敬老院拿到了運營補貼？", quoted("向敬老院撥付運營補貼2000萬元。")
    )


def test_a_people_question_takes_any_head_count():
    assert counted_agrees("一共幫助了多少人？", quoted("為困難群眾發放救助金,惠及12.5萬人次。"))


def test_a_measure_word_alone_must_be_the_figures():
    text = "新建日間照料中心120處,改造床位3000張。"
    assert counted_agrees("改造了多少張？", quoted(text))
    assert not counted_agrees("改造了多少間？", quoted(text))


def test_two_counted_things_of_one_clause_are_kept_apart():
    text = "組建護理服務隊和26個應急救援隊。"
    assert not counted_agrees("組建了多少個護理服務隊？", quoted(text))
    assert counted_agrees("組建了多少個應急救援隊？", quoted(text))


def test_a_number_with_the_questions_own_measure_word_is_read_even_if_unmarked():
    # 支 is not among the figure marker's measure words; the question's own is enough.
    assert counted_agrees("派出了多少支醫療隊？", quoted("全省派出醫療隊12支,支援邊境地區。"))


def test_an_english_count_is_checked_through_the_dictionary():
    text = "全省共有敬老院420家,社區養老服務站1100個。"
    assert not counted_agrees("How many hospitals were built?", quoted(text))
    assert counted_agrees(
        "How many community elderly-care service stations are there?", quoted(text)
    )


def test_a_question_that_counts_nothing_is_not_judged():
    assert counted_agrees("全省低保金發放了多少？", quoted("發放低保金10億元。"))


# -- whole vs item ---------------------------------------------------------------------------


def test_a_budget_is_not_answered_by_one_item():
    item = quoted("安排困難群眾取暖補貼5.2億元。")
    assert not whole_agrees("民政廳今年的預算是多少？", item)
    assert not whole_agrees("What is the department's total budget?", item)
    assert whole_agrees("民政廳今年的預算是多少？", quoted("全年部門預算38億元。"))


def test_a_total_over_a_category_needs_that_category_and_a_total():
    question = "所有民生項目一共投入了多少資金？"
    assert not whole_agrees(question, quoted("為養老機構發放補貼1.2億元。"))
    assert whole_agrees(question, quoted("各類民生項目全年累計投入資金45億元。"))


def test_one_total_alone_is_not_a_question_about_a_whole():
    assert whole_agrees("一共發了多少補貼？", quoted("為養老機構發放補貼1.2億元。"))


# -- figures read leniently for the asked-kind test ------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("该公司成立于 1886 年。", "date"),
        ("这座桥在1921重建。", "date"),
        ("森林中约有16,000种树木", "count"),
        ("其中一半以上来自农村", "percent"),
        ("共有 350 人报名", "people"),
    ],
)
def test_figures_the_marker_leaves_unmarked_still_count_as_their_kind(text, kind):
    assert kind in lenient_kinds(text)


def test_a_year_is_not_an_amount_and_plain_words_state_nothing():
    assert lenient_kinds("2019年以来持续推进") == {"date"}
    assert lenient_kinds("该组织负责协调各方工作。") == set()
