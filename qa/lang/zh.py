"""Chinese words, in Simplified characters (looked up in ``qa.text.fold_chars`` text).

Each list names one phenomenon of official Chinese documents or of questions about them;
the code that reads it says how it is used.
"""

from __future__ import annotations

# --- time ---------------------------------------------------------------------------------

#: Words that name a year relative to the year a text speaks from: a report's is the year it
#: is delivered in (its 今年), a question's the year of the report it names or, with none,
#: the latest report's.
RELATIVE_YEARS: dict[str, int] = {
    "今年": 0,
    "本年度": 0,
    "本年": 0,
    "明年": 1,
    "去年": -1,
    "上一年": -1,
    "上年度": -1,
    "过去一年": -1,
    "一年来": -1,
    "前年": -2,
}
#: Words after which a relative year is the base of a comparison, not the period of the
#: figure (比上年增长7.3%: the growth is this year's).
COMPARISON_BASE = ("比", "较", "同比", "相比", "超过", "高于", "低于")
#: Words that point back at the year named just before ("1992年的目标……当年实际增长").
ANAPHORIC_YEARS = ("当年", "那一年", "这一年", "同年", "该年", "那年")
#: A span of years counted back from the speaking year: 过去五年, 近三年, 五年来, 这五年.
PAST_SPAN_BEFORE = ("过去", "最近", "近", "这")
PAST_SPAN_AFTER = ("来", "以来", "间")
#: A span counted forward: 今后五年, 未来五年.
FUTURE_SPAN_BEFORE = ("今后", "未来", "此后", "后")
#: Words that make a year the end of a goal (到2030年, 至2035年), not the year of a result.
GOAL_BEFORE = ("到", "至", "截至", "力争到", "争取到")
GOAL_AFTER = ("前",)
#: An average over a span of years (年均增长5.5%): not one year's figure.
AVERAGE = ("年均", "年平均", "平均每年", "每年平均")
#: The five-year plans, named 十四五 / “八五” / 第十个五年计划; a plan's number gives its
#: years (``qa.periods.five_year_plan``).
PLAN_WORDS = ("计划", "规划", "时期", "期间", "末", "初", "以来", "收官")

# --- what a passage or figure is: a result or a target -----------------------------------

#: Words of a heading or clause that reviews what was done (一、2016年工作回顾).
REVIEW = ("回顾", "总结", "成就", "执行情况", "做了", "取得", "完成情况", "回眸")
#: Words of a heading or clause that sets what is to be done (二、2017年工作总体部署).
PLAN = (
    "任务",
    "目标",
    "部署",
    "安排",
    "计划",
    "规划",
    "打算",
    "建议",
    "纲要",
    "设想",
    "要求",
    "重点工作",
    "主要工作",
    "做好",
)
#: Nouns that name how an indicator is measured, not another thing it modifies: 经济增长速度
#: is the economy's growth, as 经济增长 is.
MEASURE_NOUNS = ("速度", "增速", "增幅", "幅度")
#: Words of a clause that make its figure a target (预期目标, 力争, 控制在…以内).
TARGET = (
    "目标",
    "预期",
    "力争",
    "争取",
    "确保",
    "控制在",
    "计划",
    "打算",
    "定为",
    "定在",
    "拟",
)
#: Words of a clause that make its figure a result (实现, 比上年增长, 初步核算).
RESULT = ("完成", "实现", "达到", "达", "比上年", "同比", "初步核算", "初步统计", "突破", "超过")

# --- the frame of a document --------------------------------------------------------------

#: A dateline delivers a speech somewhere: ——2026年1月27日在…人民代表大会…上.
DATELINE_AT = "在"
DATELINE_ON = ("上的讲话", "上的报告", "上")
#: The body of a people's congress named in a dateline: its region is the report's.
CONGRESS = "人民代表大会"
#: A photo caption ends with its credit (记者 王鼎 摄, 供图).
CAPTION_ENDS = ("摄", "摄影", "供图")
#: Who takes a news photo or writes a caption (本报记者 朱江, 通讯员 …).
REPORTERS = ("记者", "通讯员", "摄影")
#: A label of page furniture or of the page's metadata carries its value after a colon
#: (来源：天津日报); these labels name the newspaper or site a page comes from.
SOURCE_LABELS = ("来源", "出处", "稿源")
PUBLISHED_LABELS = ("发布时间", "发表时间", "发布日期", "时间", "日期")
#: Characters a Chinese sentence (or heading) cannot end with: a line ending with one of
#: them was cut by the page's layout and continues on the next line.
CONTINUING_ENDS = "的之和与及或并在对把被将向从于跟同由以而且"
#: Section numbering: 一、 （一） 第一部分 1. （1）; the level each marks.
ORDINAL_CHARS = "一二三四五六七八九十百零〇"

# --- reading a question -------------------------------------------------------------------

#: A report named by its year: 2026年政府工作报告, 1985年的政府工作报告 (the year is the
#: report's, not the figure's).
REPORT_NOUNS = ("政府工作报告", "工作报告", "报告")
#: Words asking for a target (提出的目标, 预期要达到, 计划, 把…定在).
ASK_TARGET = (
    "目标",
    "预期",
    "计划",
    "打算",
    "力争",
    "争取",
    "定在",
    "定为",
    "定了",
    "设定",
    "要求",
    "拟",
    "控制在",
    "控制",
    "提出",
)
#: Words asking for what actually happened (实际增长了多少, 完成了).
ASK_RESULT = ("实际", "实绩", "完成了", "实现了", "最终")
#: Words asking how much something grew or fell (a rate, unless a unit is asked).
GROWTH = (
    "增长",
    "增速",
    "增幅",
    "增加",
    "提高",
    "提升",
    "上升",
    "上涨",
    "涨幅",
    "下降",
    "降低",
    "减少",
    "回落",
    "降幅",
)
#: Words asking for an average over a span (年均增长多少).
ASK_AVERAGE = AVERAGE
#: Words that ask for the figure itself; they are not part of the indicator asked about.
QUESTION_WORDS = (
    "是多少",
    "为多少",
    "有多少",
    "多少",
    "几成",
    "几",
    "什么",
    "哪个",
    "哪些",
    "哪一个",
    "如何",
    "怎样",
    "怎么样",
    "是否",
    "吗",
    "呢",
    "大约",
    "大概",
    "约",
    "左右",
    "更快",
    "更大",
    "更高",
    "更多",
    "分别",
    "各自",
    "哪个",
    "更",
    "快",
    "慢",
    "大",
    "小",
    "高",
    "低",
    "各是",
    "各",
)
#: Words around an indicator that say nothing of what is measured (linking verbs, particles,
#: the report itself).
FILLER = (
    "政府工作报告",
    "工作报告",
    "报告",
    "提到",
    "里面",
    "里",
    "中",
    "说",
    "达到了",
    "达到",
    "完成",
    "达",
    "实现",
    "突破",
    "速度",
    "定",
    "总共",
    "一共",
    "全年",
    "比前一年",
    "比上年",
    "比上一年",
    "比",
    "前一年",
    "上一年",
    "那一年",
    "当年",
    "同年",
    "我国",
    "全国",
    "全省",
    "全市",
    "全区",
    "的",
    "了",
    "把",
    "对",
    "让",
    "给",
    "在",
    "和",
    "与",
    "及",
    "是",
    "为",
    "有",
    "要",
    "将",
    "会",
    "年",
)
#: Nouns that end the proper name of an organisation, a company or a park (华为公司,
#: 中关村科技园区): an entity a figure must be named with. (Places below a province are
#: read from the divisions data, ``qa.regions``.)
ENTITY_SUFFIXES = (
    "有限公司",
    "股份公司",
    "公司",
    "集团",
    "银行",
    "大学",
    "学院",
    "医院",
    "研究院",
    "研究所",
    "实验室",
    "科技园区",
    "产业园区",
    "经济开发区",
    "高新区",
    "自贸区",
)
#: Words that join the parts of a comparison (广东和浙江, 1987年与1995年).
JOINERS = ("和", "与", "及", "跟", "同", "、", "以及", "还是", "对比", "相比", "比较")
#: Words naming the whole country in a question (我国钢产量).
COUNTRY = ("我国", "全国", "中国", "国内")
#: Characters that may stand right after and before a list of one-character province names
#: (苏、浙两省, 2024年粤、浙的): a count, a noun of places, a particle — where a word
#: would otherwise continue.
AFTER_SHORT_NAMES = "两三四五六七八九十各等省市区地的和与"
BEFORE_SHORT_NAMES = "年在和与及对将把据"

# --- questions over a set of reports ------------------------------------------------------

#: Words asking about every province (各省2026年的增长目标).
EVERY_REGION = (
    "各省区市",
    "各省市区",
    "各省份",
    "各省市",
    "各省区",
    "各省",
    "每个省份",
    "每个省",
    "每一个省",
    "所有省份",
    "全国各省",
    "31个省区市",
    "31个省份",
    "三十一个省",
)
#: Words asking about every year the reports cover (历年的增长目标).
EVERY_YEAR = ("历年", "历次", "每年", "逐年", "各年")
#: A run of years up to the latest: 2010年以来.
SINCE_AFTER = ("以来", "起", "至今", "之后")
#: Rows ordered by value (从高到低), highest or lowest first.
ORDER_DESCENDING = (
    "从高到低",
    "由高到低",
    "从大到小",
    "由大到小",
    "从多到少",
    "排名",
    "排序",
    "最高",
)
ORDER_ASCENDING = ("从低到高", "由低到高", "从小到大", "由小到大", "从少到多", "最低")

# --- figures and their clauses ------------------------------------------------------------

#: Words of a clause that are its predicate — linking, aspect and degree words that stand
#: between an indicator and its figure (地区生产总值实际增长了5%, 总量稳定在…).
PREDICATES = (
    "实际",
    "比上年",
    "比上一年",
    "同比",
    "累计",
    "分别",
    "首次",
    "连续",
    "再创新高",
    "稳定在",
    "保持在",
    "保持",
    "稳定",
    "达到",
    "达",
    "为",
    "是",
    "有",
    "共",
    "约",
    "超过",
    "突破",
    "接近",
    "近",
    "左右",
    "以上",
    "以内",
    "全年",
    "全省",
    "全市",
    "全区",
    "全国",
    "预计",
    "初步",
    "核算",
    "统计",
    "增速",
    "居全国",
    "位居",
    "了",
    "在",
    "和",
    "、",
)
#: Words of a sentence that state something done (a result): a comparison with the year
#: before, a preliminary count.
COMPLETED = ("比上年", "同比", "初步核算", "初步统计", "增产", "减产")
#: Nouns that stand for the subject of the clause before (……财政收入比上年增加1501亿元，
#: 总额首次突破万亿元，达到11377亿元): the figure measures that subject.
ANAPHORIC_SUBJECTS = ("总额", "总量", "总数", "总计", "合计", "总规模", "规模", "其中", "总体")
#: Words that report a target met (实现了年初确定的目标, 超额完成计划): what follows is a result.
MET = ("超额完成", "完成了", "实现了", "完成", "实现", "达到", "超过", "突破")

#: Classifiers a count of things is written with (4个台阶, 3项任务, 10家企业).
CLASSIFIERS = ("个", "项", "家", "座", "条", "批", "所", "场", "次")
#: Words after a count that qualify it rather than name what it counts (10万个以上).
COUNT_QUALIFIERS = ("以上", "以内", "以下", "左右", "多", "余")
