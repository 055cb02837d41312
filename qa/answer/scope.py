"""Is a question about what the report covers? Years and regions the report is not about.

The classic wrong answer quotes the 2020 Heilongjiang figure to a question about 2019 or
about Jilin. A question is out of scope when it names a year (or a region) that is not the
document's, does not also name the document's own, and the passage found does not
mention it either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.text import fold

# Provincial-level divisions of China (and the country as a whole), as users name them.
_REGIONS: dict[str, tuple[str, ...]] = {
    "北京": ("北京", "beijing"),
    "天津": ("天津", "tianjin"),
    "河北": ("河北", "hebei"),
    "山西": ("山西", "shanxi"),
    "內蒙古": ("內蒙古", "内蒙古", "inner mongolia"),
    "遼寧": ("遼寧", "辽宁", "liaoning"),
    "吉林": ("吉林", "jilin"),
    "黑龍江": ("黑龍江", "黑龙江", "heilongjiang"),
    "上海": ("上海", "shanghai"),
    "江蘇": ("江蘇", "江苏", "jiangsu"),
    "浙江": ("浙江", "zhejiang"),
    "安徽": ("安徽", "anhui"),
    "福建": ("福建", "fujian"),
    "江西": ("江西", "jiangxi"),
    "山東": ("山東", "山东", "shandong"),
    "河南": ("河南", "henan"),
    "湖北": ("湖北", "hubei"),
    "湖南": ("湖南", "hunan"),
    "廣東": ("廣東", "广东", "guangdong"),
    "廣西": ("廣西", "广西", "guangxi"),
    "海南": ("海南", "hainan"),
    "重慶": ("重慶", "重庆", "chongqing"),
    "四川": ("四川", "sichuan"),
    "貴州": ("貴州", "贵州", "guizhou"),
    "雲南": ("雲南", "云南", "yunnan"),
    "西藏": ("西藏", "tibet"),
    "陝西": ("陝西", "陕西", "shaanxi"),
    "甘肅": ("甘肅", "甘肃", "gansu"),
    "青海": ("青海", "qinghai"),
    "寧夏": ("寧夏", "宁夏", "ningxia"),
    "新疆": ("新疆", "xinjiang"),
    "香港": ("香港", "hong kong"),
    "澳門": ("澳門", "澳门", "macau", "macao"),
    "臺灣": ("臺灣", "台灣", "台湾", "taiwan"),
    "全國": ("全國", "全国", "nationwide", "national total", "whole country", "china as a whole"),
}
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class OutOfScope:
    """Why a question is outside what a document covers."""

    reason: str  # "other_year" | "other_region"
    want: str  # what the question asks about
    have: str  # what the document covers


def _regions_in(folded: str) -> set[str]:
    return {name for name, forms in _REGIONS.items() if any(fold(form) in folded for form in forms)}


def check_scope(
    question: str, *, year: int | None, region: str | None, passage_text: str
) -> OutOfScope | None:
    """``OutOfScope`` when the question is about another year or region than the document."""
    q = fold(question)
    p = fold(passage_text)
    if year is not None:
        years = {int(y) for y in _YEAR.findall(q)}
        others = {y for y in years if y != year and str(y) not in p}
        if others and year not in years:
            return OutOfScope("other_year", want=str(min(others)), have=str(year))
    if region:
        own = _regions_in(fold(region))
        asked = _regions_in(q)
        others = {r for r in asked - own if not any(fold(f) in p for f in _REGIONS[r])}
        if others and not (asked & own):
            return OutOfScope("other_region", want=sorted(others)[0], have=region)
    return None
