"""Real report files read as a person would: page furniture left out, the title, dateline and
speaker read as metadata, wrapped lines joined, numbered headings as sections with their
periods — on files of other shapes than the archive's (another site's page, a paginated
export, a Markdown export, an English report)."""

from __future__ import annotations

from pathlib import Path

from qa.corpus.layout import frame, join_wrapped
from qa.corpus.reader import read_sources
from qa.periods import Period

ANOTHER_SITE = """首页 > 新闻中心 > 政务要闻
2025年苏州市政府工作报告
发布日期：2025-01-20 10:32
浏览次数：1234
字体：【
大
中
小
】
——2025年1月15日在苏州市第十七届人民代表大会第五次会议上
苏州市市长 张三
各位代表：
现在，我代表市人民政府，向大会报告工作，请予审议。
一、2024年工作回顾
过去一年，全市地区生产总值增长5.2%，一般公共预算收入增长3.1%，
社会消费品零售总额增长4.6%。
二、2025年主要目标任务
今年经济社会发展的
主要预期目标
是：地区生产总值增长5%左右，居民收入增长和经济增长同步。
打印本页
关闭窗口
"""

PAGINATED = """某县2024年工作总结
第一部分 2024年工作回顾
全县粮食总产量达到45万吨，比上年增长2.1%，连续五年稳定在40万吨以上，
创历史新高。
— 1 —
某县2024年工作总结
全县新增城镇就业1.2万人，城镇调查失业率控制在5%以内。
— 2 —
某县2024年工作总结
第二部分 2025年工作安排
2025年，全县粮食总产量力争稳定在45万吨以上。
— 3 —
某县2024年工作总结
"""

MARKDOWN = """# 2024年政府工作报告

——2024年1月20日在浙江省第十四届人民代表大会第二次会议上

## 一、2023年工作回顾

全省生产总值增长6%。

## 二、2024年工作安排

全省生产总值增长5.5%左右。
"""

ENGLISH = """Report on the Work of the Government
Delivered at the Second Session of the 14th National People's Congress of the People's Republic of China on March 5, 2024
Li Qiang
Premier of the State Council
Fellow Deputies,
On behalf of the State Council, I will now report to you on the work of the government.
I. Review of Our Work in 2023
The gross domestic product grew by 5.2 percent in 2023, and 12.44 million urban jobs were added.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path):
    corpus = read_sources([path])
    return corpus.documents[0], [p for p in corpus.passages if p.kind == "text"]


def test_another_sites_page_furniture_is_neither_a_passage_nor_the_title(tmp_path):
    doc, passages = read(write(tmp_path, "suzhou.txt", ANOTHER_SITE))
    assert doc.title == "2025年苏州市政府工作报告"
    assert doc.date == "2025-01-15"
    assert doc.speaker == "苏州市市长 张三"
    assert doc.region == "苏州市"
    texts = "\n".join(p.text for p in passages)
    for furniture in ("首页", "浏览次数", "打印本页", "关闭窗口", "发布日期", "——2025年1月15日"):
        assert furniture not in texts
    # The dateline and the page's publication time are kept as notes (quotable metadata).
    assert any("第十七届人民代表大会" in n for n in doc.notes)


def test_wrapped_lines_are_joined_back_into_their_paragraph(tmp_path):
    _, passages = read(write(tmp_path, "suzhou.txt", ANOTHER_SITE))
    texts = [p.text for p in passages]
    assert (
        "过去一年，全市地区生产总值增长5.2%，一般公共预算收入增长3.1%，社会消费品零售总额增长4.6%。"
        in texts
    )
    # A sentence cut around its emphasised words (……发展的 / 主要预期目标 / 是：……).
    assert (
        "今年经济社会发展的主要预期目标是：地区生产总值增长5%左右，居民收入增长和经济增长同步。"
        in texts
    )


def test_sections_carry_their_path_period_and_role(tmp_path):
    doc, passages = read(write(tmp_path, "suzhou.txt", ANOTHER_SITE))
    review, plan = passages[1], passages[2]
    assert review.sections == ("一、2024年工作回顾",)
    assert (review.period, review.role) == (Period(2024, 2024), "result")
    assert plan.sections == ("二、2025年主要目标任务",)
    assert (plan.period, plan.role) == (Period(2025, 2025), "target")
    assert (doc.reviews, doc.plans) == (Period(2024, 2024), Period(2025, 2025))


def test_a_paginated_exports_page_numbers_and_running_headers_are_dropped(tmp_path):
    _, passages = read(write(tmp_path, "county.txt", PAGINATED))
    texts = [p.text for p in passages]
    assert texts == [
        "全县粮食总产量达到45万吨，比上年增长2.1%，连续五年稳定在40万吨以上，创历史新高。",
        "全县新增城镇就业1.2万人，城镇调查失业率控制在5%以内。",
        "2025年，全县粮食总产量力争稳定在45万吨以上。",
    ]
    assert passages[0].sections == ("第一部分 2024年工作回顾",)
    assert passages[2].role == "target"


def test_a_markdown_exports_title_dateline_and_sections(tmp_path):
    doc, passages = read(write(tmp_path, "zhejiang.md", MARKDOWN))
    assert doc.title == "2024年政府工作报告"
    assert doc.region == "浙江省"  # from the dateline's congress, not the title
    assert doc.date == "2024-01-20"
    assert [(p.sections, p.role) for p in passages] == [
        (("一、2023年工作回顾",), "result"),
        (("二、2024年工作安排",), "target"),
    ]


def test_an_english_reports_dateline_gives_the_date_and_the_country(tmp_path):
    doc, passages = read(write(tmp_path, "work-report-2024.txt", ENGLISH))
    assert doc.title == "Report on the Work of the Government"
    assert doc.date == "2024-03-05"
    assert doc.region in ("全国", "China")
    assert not any("Delivered at" in p.text for p in passages)


def test_the_region_is_never_a_place_the_text_merely_mentions(tmp_path):
    text = (
        "2023年全国经济工作综述\n"
        + "西藏、新疆、青海、西藏自治区、西藏的发展……\n"
        + ("全国经济回升向好，国内生产总值增长5.2%。\n")
    )
    doc, _ = read(write(tmp_path, "national.txt", text))
    assert doc.region != "西藏自治区"


def test_a_lone_short_first_line_stays_the_first_sections_heading():
    lines = join_wrapped(["兜牢民生底线", "全省城乡低保标准分别提高到每人每月600元和400元。"])
    framed = frame(lines)
    assert framed.title is None
    assert framed.body == lines


def test_a_dateline_cut_by_the_page_is_joined_and_read():
    lines = join_wrapped(
        [
            "政府工作报告",
            "——2025年1月6日在湖北省第十四届",
            "人民代表大会第三次会议上",
            "省长 王某某",
            "各位代表：",
            "现在，我代表省人民政府向大会报告工作。",
        ]
    )
    framed = frame(lines)
    assert framed.title == "政府工作报告"
    assert framed.delivered == "2025-01-06"
    assert framed.venue == "湖北省第十四届人民代表大会第三次会议"
    assert framed.speaker == "省长 王某某"
    assert framed.body == ["各位代表：现在，我代表省人民政府向大会报告工作。"]
