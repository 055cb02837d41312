"""Figures in report text: every figure of the bundled report, and the rules behind them."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answer.figures import Figure, chinese_numeral, extract_figures
from qa.present import as_json

REPORT = (
    Path(__file__).resolve().parents[1] / "data" / "heilongjiang-civil-affairs-2020.txt"
).read_text(encoding="utf-8")

# Every figure of the bundled report, in order: (text, value, unit, kind, qualifier).
# Built by reading the report line by line. Left out on purpose: numerals in fixed words
# (一年來, 的一年, 一系列, 第一時間, 一線, 一律, 一體化, 進一步, 兩省, 十九大, 四中/五中全會,
# 大年初二), numerals inside short quoted names (“十三五”, “三個聚焦”, “三基職能”,
# “三個前沿”, “四統一”, “嚴十條”, “兩不愁”, “六精準”, “百大項目”, “一肩挑”,
# “兩覆蓋、兩工程”, “四個意識”, “四個自信”, “兩個維護”, “六項紀律”) and 億元以上 (no number).
REPORT_FIGURES: list[tuple[str, float, str, str, str]] = [
    # 2020年是打贏脫貧攻堅戰…
    ("2020年", 2020, "年", "date", "exact"),
    # 一年來… 黨的十九屆四中、五中全會精神, 省委十二屆七次、八次全會精神
    ("十九屆", 19, "屆", "ordinal", "exact"),
    ("十二屆", 12, "屆", "ordinal", "exact"),
    ("七次", 7, "次", "ordinal", "exact"),
    ("八次", 8, "次", "ordinal", "exact"),
    # 始終把疫情防控作為頭等大事…
    ("18次", 18, "次", "count", "exact"),
    ("60多份", 60, "份", "count", "more_than"),
    # 有力保障民政服務對象…
    ("四輪", 4, "輪", "count", "exact"),
    ("1.1億元", 110_000_000, "元", "money", "exact"),
    # 織密織牢社區疫情防控網絡…
    ("3.1億元", 310_000_000, "元", "money", "exact"),
    # 廣泛動員社會力量投身戰疫…
    ("7.33億元", 733_000_000, "元", "money", "exact"),
    ("13個", 13, "個", "count", "exact"),
    ("210多個", 210, "個", "count", "more_than"),
    ("5102個", 5102, "個", "count", "exact"),
    ("216萬多名", 2_160_000, "名", "people", "more_than"),
    # 堅持疫情期間為民服務不間斷…
    ("186.3萬", 1_863_000, "", "people", "exact"),
    ("13.22萬人", 132_200, "人", "people", "exact"),
    ("58.68億元", 5_868_000_000, "元", "money", "exact"),
    ("3.4萬人", 34_000, "人", "people", "exact"),
    ("3109.47萬元", 31_094_700, "元", "money", "exact"),
    # 全方位兜牢困難群體基本生活底線…
    ("30萬", 300_000, "", "people", "exact"),
    ("51.4%", 51.4, "%", "percent", "exact"),
    ("6億元", 600_000_000, "元", "money", "exact"),
    ("72萬人次", 720_000, "人次", "people", "exact"),
    ("兩項", 2, "項", "count", "exact"),
    ("1134.98萬人次", 11_349_800, "人次", "people", "exact"),
    ("4.48億元", 448_000_000, "元", "money", "exact"),
    # 提標、擴圍、救急政策覆蓋更多人群…
    ("第十四年", 14, "年", "ordinal", "exact"),
    # 精準施策確保困難群眾基本生活… “防止返貧”兩個重點
    ("兩個", 2, "個", "count", "exact"),
    # 持續開展低保領域專項治理…
    ("268人", 268, "人", "people", "exact"),
    ("3年", 3, "年", "duration", "exact"),
    # 引導社會力量助力脫貧攻堅…
    ("557家", 557, "家", "count", "exact"),
    ("2.3億元", 230_000_000, "元", "money", "more_than"),
    ("第二屆", 2, "屆", "ordinal", "exact"),
    ("2020年", 2020, "年", "date", "exact"),
    # 推進養老事業產業協同發展…
    ("20個", 20, "個", "count", "exact"),
    ("56.75億元", 5_675_000_000, "元", "money", "exact"),
    ("6個", 6, "個", "count", "exact"),
    ("110.9%", 110.9, "%", "percent", "exact"),
    ("8985萬元", 89_850_000, "元", "money", "exact"),
    ("1.4萬張", 14_000, "張", "count", "exact"),
    ("1萬張", 10_000, "張", "count", "exact"),
    # 大力推進殯葬惠民…
    ("100個", 100, "個", "count", "exact"),
    ("四項", 4, "項", "count", "exact"),
    ("3年", 3, "年", "duration", "exact"),
    ("9個", 9, "個", "count", "exact"),
    # 持續加強基層政權建設和社區治理…
    ("99.9%", 99.9, "%", "percent", "at_least"),
    # 扎實做好區劃地名管理工作…
    ("7個", 7, "個", "count", "exact"),
    ("第四輪", 4, "輪", "ordinal", "exact"),
    # 思想引領進一步強化…
    ("6次", 6, "次", "count", "exact"),
    ("1次", 1, "次", "count", "exact"),
    ("十九屆", 19, "屆", "ordinal", "exact"),
    ("十九屆", 19, "屆", "ordinal", "exact"),
    ("十二屆", 12, "屆", "ordinal", "exact"),
    ("八次", 8, "次", "ordinal", "exact"),
    # 政治生態進一步凈化…
    ("2019年度", 2019, "年度", "date", "exact"),
    # 隊伍素質進一步優化…
    ("3個多月", 3, "個月", "duration", "more_than"),
    ("9期", 9, "期", "count", "exact"),
    ("2000多人次", 2000, "人次", "people", "more_than"),
    # (來源:中國社會報2020.12.23)
    ("2020.12.23", 2020, "", "date", "exact"),
]


def one(text: str) -> Figure:
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


def summary(figures: list[Figure]) -> list[tuple[str, float, str, str, str]]:
    return [(f.text, f.value, f.unit, f.kind, f.qualifier) for f in figures]


# --- the bundled report ----------------------------------------------------------------


def test_every_figure_of_the_report_is_found_with_its_value_unit_kind_and_qualifier() -> None:
    found = summary(extract_figures(REPORT))
    # A missing or extra figure shows up here first, as a readable diff of the texts.
    assert [f[0] for f in found] == [f[0] for f in REPORT_FIGURES]
    assert len(found) == 60
    for got, want in zip(found, REPORT_FIGURES, strict=True):
        assert got[1] == pytest.approx(want[1], rel=1e-12), got
        assert got[2:] == want[2:], got


def test_report_figures_are_verbatim_sorted_and_non_overlapping() -> None:
    figures = extract_figures(REPORT)
    previous_end = 0
    for figure in figures:
        assert REPORT[figure.start : figure.end] == figure.text
        assert figure.start >= previous_end
        previous_end = figure.end


def test_report_figures_listed_in_the_dev_set_are_found_verbatim() -> None:
    texts = {f.text for f in extract_figures(REPORT)}
    for wanted in ("58.68億元", "51.4%", "第十四年", "99.9%", "3個多月", "72萬人次", "186.3萬"):
        assert wanted in texts


def test_stray_space_before_a_number_is_outside_the_figure() -> None:
    (figure,) = [f for f in extract_figures(REPORT) if f.text == "72萬人次"]
    assert REPORT[figure.start - 2 : figure.start] == "有 "


def test_report_figures_inside_quoted_slogans_are_not_quantities() -> None:
    for slogan in ("“三個聚焦”", "“嚴十條”", "“六項紀律”", "“兩不愁”", "“十三五”", "“四個意識”"):
        start = REPORT.index(slogan)
        end = start + len(slogan)
        assert not [f for f in extract_figures(REPORT) if start <= f.start < end], slogan


def test_figure_json_lists_every_field() -> None:
    figure = one("發放58.68億元")
    assert as_json.figure(figure) == {
        "text": "58.68億元",
        "start": 2,
        "end": 9,
        "value": 5_868_000_000.0,
        "unit": "元",
        "kind": "money",
        "qualifier": "exact",
    }


# --- Arabic numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "figure", "value", "unit"),
    [
        ("發放58.68億元;", "58.68億元", 5_868_000_000, "元"),
        ("共3109.47萬元。", "3109.47萬元", 31_094_700, "元"),
        ("保障186.3萬困難群眾", "186.3萬", 1_863_000, ""),
        ("新增10,000張床位", "10,000張", 10_000, "張"),
        ("支出1,234,567.5元", "1,234,567.5元", 1_234_567.5, "元"),
        ("培訓3千人", "3千人", 3_000, "人"),
        ("幫扶200多萬人", "200多萬人", 2_000_000, "人"),
        ("新建１２個站點", "１２個", 12, "個"),
        ("比例達99.9%", "99.9%", 99.9, "%"),
        ("提高3個百分點", "3個百分點", 3, "個百分點"),
        ("佔百分之九十九", "百分之九十九", 99, "%"),
    ],
)
def test_arabic_numbers_with_multipliers_and_units_are_read_into_base_units(
    text: str, figure: str, value: float, unit: str
) -> None:
    found = one(text)
    assert (found.text, found.unit) == (figure, unit)
    assert found.value == pytest.approx(value)


@pytest.mark.parametrize("text", ["第3章", "COVID-19疫情", "編號123號文件", "共計2000,另有"])
def test_bare_numbers_without_unit_or_multiplier_are_not_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_number_with_multiplier_but_no_unit_is_a_figure() -> None:
    assert summary(extract_figures("投資30萬,用於")) == [("30萬", 300_000, "", "count", "exact")]


# --- Chinese numerals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("進行四輪大排查", [("四輪", 4, "輪", "count")]),
        ("連續第十四年提高", [("第十四年", 14, "年", "ordinal")]),
        ("舉辦第二屆活動", [("第二屆", 2, "屆", "ordinal")]),
        ("完成第四輪聯檢", [("第四輪", 4, "輪", "ordinal")]),
        ("黨的十九屆五中全會", [("十九屆", 19, "屆", "ordinal")]),
        ("省委十二屆七次全會", [("十二屆", 12, "屆", "ordinal"), ("七次", 7, "次", "ordinal")]),
        (
            "十二屆七次、八次全會",
            [
                ("十二屆", 12, "屆", "ordinal"),
                ("七次", 7, "次", "ordinal"),
                ("八次", 8, "次", "ordinal"),
            ],
        ),
        ("享受到兩項補貼", [("兩項", 2, "項", "count")]),
        ("下達一萬張任務", [("一萬張", 10_000, "張", "count")]),
        ("新增一點四萬張", [("一點四萬張", 14_000, "張", "count")]),
        ("撥付兩萬五千元", [("兩萬五千元", 25_000, "元", "money")]),
        ("建成十多個站點", [("十多個", 10, "個", "count")]),
        ("始於二〇二〇年", [("二〇二〇年", 2020, "年", "date")]),
        ("為期三年", [("三年", 3, "年", "duration")]),
    ],
)
def test_chinese_numerals_followed_by_a_measure_word_are_figures(
    text: str, figures: list[tuple[str, float, str, str]]
) -> None:
    assert [(f.text, f.value, f.unit, f.kind) for f in extract_figures(text)] == figures


@pytest.mark.parametrize(
    "text",
    [
        "一年來,工作推進",
        "提升的一年。",
        "民政部一系列部署",
        "第一時間傳達",
        "疫情防控一線",
        "一體化發展",
        "低保一律不退出",
        "進一步規范",
        "以兩省人民政府名義",
        "黨的十九大精神",
        "四中、五中全會",
        "城鄉二元結構",
        "三五天就能辦好",
        "十三五期間",
        "三位一體",
        "大年初二開始",
        "億元以上養老產業項目",
    ],
)
def test_numerals_in_fixed_words_are_not_figures(text: str) -> None:
    assert extract_figures(text) == []


@pytest.mark.parametrize(
    "text",
    ["堅持“三個聚焦”", "“嚴十條”等文件", "緊扣“六項紀律”", "抓好“兩覆蓋、兩工程”", "「三個前沿」"],
)
def test_chinese_numerals_inside_short_quoted_slogans_are_names(text: str) -> None:
    assert extract_figures(text) == []


def test_arabic_numbers_inside_short_quotes_are_still_figures() -> None:
    assert [f.text for f in extract_figures("“3個聚焦”")] == ["3個"]


def test_chinese_numerals_inside_long_quotes_are_quantities() -> None:
    text = "提出“今年全省新增養老床位一萬張以上”的目標"
    assert [(f.text, f.qualifier) for f in extract_figures(text)] == [("一萬張", "at_least")]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("十四", 14),
        ("十九", 19),
        ("一百零五", 105),
        ("三萬五千", 35_000),
        ("兩萬五", 25_000),
        ("一萬億", 10**12),
        ("二〇二〇", 2020),
        ("一點四萬", 14_000),
    ],
)
def test_chinese_numeral_values(numeral: str, value: int) -> None:
    read = chinese_numeral(numeral)
    assert read is not None and read[0] == value


@pytest.mark.parametrize("numeral", ["三五", "十三五", "萬"])
def test_malformed_chinese_numerals_are_rejected(numeral: str) -> None:
    assert chinese_numeral(numeral) is None


# --- "more than" and other qualifiers --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "figure", "qualifier"),
    [
        ("動員210多個機構", "210多個", "more_than"),
        ("為216萬多名群眾", "216萬多名", "more_than"),
        ("連續3個多月堅守", "3個多月", "more_than"),
        ("建成十餘個站點", "十餘個", "more_than"),
        ("投入資金超過2.3億元", "2.3億元", "more_than"),
        ("惠及逾3萬人", "3萬人", "more_than"),
        ("比例達到99.9%以上", "99.9%", "at_least"),
        ("至少10個", "10個", "at_least"),
        ("約3萬人", "3萬人", "about"),
        ("近3萬人", "3萬人", "about"),
        ("增長5%左右", "5%", "about"),
        ("近3年來", "3年", "exact"),
        ("最近3萬人", "3萬人", "exact"),
        ("新審批13.22萬人", "13.22萬人", "exact"),
    ],
)
def test_qualifiers_are_read_but_stay_outside_the_figure_text(
    text: str, figure: str, qualifier: str
) -> None:
    found = one(text)
    assert (found.text, found.qualifier) == (figure, qualifier)


# --- kinds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("撥付1.1億元", "money"),
        ("佔51.4%", "percent"),
        ("提高3個百分點", "percent"),
        ("新審批13.22萬人", "people"),
        ("培訓2000多人次", "people"),
        ("為216萬多名群眾", "people"),
        ("將30萬建檔立卡貧困人口納入", "people"),
        ("保障186.3萬困難群眾", "people"),
        ("連續3年開展", "duration"),
        ("為期3年的整治", "duration"),
        ("堅守3個多月", "duration"),
        ("傳承2000多年", "duration"),
        ("連續第十四年提高", "ordinal"),
        ("舉辦第二屆", "ordinal"),
        ("第3名", "ordinal"),
        ("黨的十九屆", "ordinal"),
        ("2020年是", "date"),
        ("2019年度政治生態", "date"),
        ("中國社會報2020.12.23", "date"),
        ("2020年12月23日", "date"),
        ("6月起", "date"),
        ("557家社會組織", "count"),
        ("召開18次", "count"),
        ("1.4萬張", "count"),
        ("開設9期", "count"),
        ("四輪大排查", "count"),
    ],
)
def test_figure_kind_follows_unit_and_context(text: str, kind: str) -> None:
    assert one(text).kind == kind
