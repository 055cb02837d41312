"""Turn a file's bytes into text, or say clearly why not.

Reports come as UTF-8 (with or without BOM), UTF-16 with a BOM, or in the legacy Chinese
encodings: GB18030 (a superset of GBK and GB2312) on the mainland, Big5 in Taiwan and Hong
Kong. Byte-order marks are trusted; UTF-8 is tried next, because legacy Chinese text is
almost never valid UTF-8. The legacy encodings cannot be told apart by validity alone — most
Big5 byte pairs are also valid GB18030, and many GB2312 pairs are valid Big5 — so each one
is decoded strictly and the results are scored: the right decoding reads as ordinary
Chinese (its characters are mostly among the few hundred most frequent ones), a wrong one
turns into rare characters, kana, Cyrillic or private-use code points.

A general-purpose detector is not used for this choice: on short texts it misreads GBK as
Korean (cp949) or UTF-16 (charset-normalizer 3.5 reads GBK "民政工作" as cp949, for one).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from qa.errors import SourceError

# A text file has (almost) no control bytes other than tab/newline/carriage return.
_CONTROL = set(range(0, 9)) | {11, 12} | set(range(14, 32))

#: Legacy encodings tried, in order of preference when two score the same. cp950 is Big5
#: as Windows writes it (Taiwan); big5hkscs adds the Hong Kong characters.
LEGACY_ENCODINGS = ("gb18030", "cp950", "big5hkscs")

#: Below this score no legacy decoding reads as Chinese: the file is in another encoding.
MIN_SCORE = 0.3

#: Characters scored per candidate: enough to decide, bounded for large files.
_SAMPLE_CHARS = 20_000

# The most frequent Chinese characters in Simplified form (general text plus the words of
# government reports). Traditional text is folded to Simplified before the lookup, so one
# list serves both scripts. Order does not matter; coverage of running text is what counts.
_COMMON = frozenset(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之"
    "过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如"
    "前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其"
    "种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政"
    "海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比"
    "住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司"
    "利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统"
    "色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权"
    "往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江"
    "语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改"
    "议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽"
    "坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域类称讨须存"
    "举排陈区备较州况注施围易客故费养育某族低支助推医疗救济福利务措效群困扶贫脱农村镇乡县"
    "省厅署司室处科例条款项目标规划策略施行实施推进落实完善健全加强提升创新发展改革开放稳"
    "定增长降低下降同比环比累计合计总额资金投入保障服务体系机制制度政策法律条例办法意见通知"
    "决议会议工作报告情况成绩问题困难任务措施目标要求原则指导思想方针路线坚持贯彻深化全面"
    "建成小康社会脱贫攻坚民生福祉疫情防控养老儿童残疾人救助低保特困供养殡葬婚姻登记社区治"
    "理志愿慈善捐赠基层组织行政区划地名规范标准管理监督检查考核评估统计数据覆盖城乡居民家庭"
    "人均元亿万千百余多名个次项所家户座张件批期届第年月日季度上半下半全年今年去年明年近来"
    "党委书记省长市长主任副厅长局长处长科长同志代表委员领导干部职工群众人民中央国务院部门单"
    "位机关企业事业团体协会基金医院学校中心站所经济财政税收投资消费出口进口生产销售价格市场"
    "收入支出预算决算补贴补助津贴发放资助奖励表彰荣誉先进典型模范示范试点推广经验做法模式"
    "安全生产应急灾害救灾防汛抗旱火灾地震事故隐患排查整治环境保护生态绿色能源节能减排污染"
    "教育卫生健康文化体育旅游交通运输住房建设城市农业林业水利科技信息网络数字智能平台系统"
    "确保持续深入扎实有效有力切实认真积极主动全力大力充分广泛进一步不断逐步基本显著明显稳步"
    "较好良好优秀突出重大重要关键核心主要基本根本总体整体全体各级各类各项相关有关其他以及"
    "通过按照根据依据围绕结合针对对于关于为了由于因此所以但是而且并且或者以及如果虽然即使"
    "已经正在将要曾经仍然依然始终一直从而进而然后最后首先其次同时此外另外特别尤其重点难点"
    "热点亮点焦点特点优点缺点观点节点起点终点底线红线高线上线主线防线前沿三基聚焦职能履行"
    "东西南北中上下左右前后内外大小多少高低长短新旧好坏真假是非对错正反开关出入来去进退"
    "黑龙江吉林辽宁河北山西内蒙古陕甘肃青海宁夏新疆西藏四川云南贵州广西广东福建浙江苏安徽"
    "湖南湖北河南山东天津上海重庆北京香港澳门台湾哈尔滨齐齐哈尔牡丹佳木斯大庆鸡西双鸭伊春"
    "七台河鹤岗绥化黑河大兴安岭"
    "啊吧呀吗嘛哦哈嘿唉么呢吧您咱俺它们这那哪谁什么怎样怎么为何如何多少几时哪里这里那里"
    "爸妈哥姐弟妹爷奶叔姨舅孙儿女男妇老少幼青壮年轻朋友同学同事邻居客户顾客病患者"
    "春夏秋冬晨早午晚夜昼周末节假期日时分秒刻钟点半整"
    "红橙黄绿青蓝紫黑白灰棕粉金银色彩光影"
    "吃喝穿住行睡醒走跑跳坐站躺看听说读写唱画想念忘记知道明白懂得理解认识学习研究"
    "买卖借还送收拿放带取丢找换修洗扫擦煮炒烤切剪缝织种养喂"
    "水火土木金石山川河湖海洋岛屿田地草树花叶果根枝林森竹米面菜肉鱼蛋奶茶酒糖盐油"
    "头发脸眼耳鼻口嘴牙舌手指脚腿臂肩背腰胸心肝肺胃血骨皮肉病痛伤药医治疗康复"
    "房屋楼层门窗墙桌椅床灯电话视机脑车船飞机路桥街道广场公园商店超市银行邮局"
    "零壹贰叁肆伍陆柒捌玖拾佰仟"
)

# What the error message says was tried, so that the user knows which encodings to use.
_TRIED = "tried UTF-8, UTF-16, GB18030, Big5"

# WHATWG label aliases (HTML pages): GB2312/GBK are decoded as their superset GB18030, Big5
# as Big5-HKSCS, Latin-1/ASCII as windows-1252, and a UTF-16 label in an ASCII-readable page
# (it could not be read otherwise) as UTF-8.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Decoded:
    """A file's text and the codec it was decoded with (a Python codec name)."""

    text: str
    encoding: str


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 kB: not a text file."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    return sum(b in _CONTROL for b in head) > max(8, len(head) // 100)


def _text_looks_binary(text: str) -> bool:
    """The same test on decoded text (for UTF-16, whose bytes are full of NULs)."""
    head = text[:8192]
    return "\x00" in head or sum(ord(ch) in _CONTROL for ch in head) > max(8, len(head) // 100)


def _folded(text: str) -> str:
    # Traditional → Simplified so that one frequency list serves both scripts.
    from qa.text import fold

    return fold(text)


def _gb2312_level1(ch: str) -> bool:
    """One of GB2312's 3,755 level-1 (frequently used) characters, rows 16–55."""
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


def chinese_score(text: str) -> float:
    """How much ``text`` reads like ordinary Chinese, from -2 to 1.

    Each non-ASCII letter scores 1 if it is one of the most frequent Chinese characters,
    1/2 if it is another of GB2312's level-1 (everyday) characters, 0 if it is rarer or not
    Chinese (kana, Cyrillic), and -2 for a code point no real text has (private use,
    unassigned, controls, U+FFFD); the score is the mean. Punctuation and symbols are
    neutral: both encodings place them at similar codes.
    """
    sample = text[:_SAMPLE_CHARS]
    folded = _folded("".join(_CJK_RE.findall(sample)))
    common = sum(1.0 if ch in _COMMON else 0.5 if _gb2312_level1(ch) else 0.0 for ch in folded)
    letters = bad = 0
    for ch in sample:
        if ch < "\x80":
            continue
        category = unicodedata.category(ch)
        if category in ("Co", "Cn", "Cc", "Cs") or ch == "\ufffd":
            bad += 1
            letters += 1
        elif category[0] in "LN":
            letters += 1
    if not letters:
        return 0.0
    return (common - 2 * bad) / letters


def _cannot_detect(path: Path) -> SourceError:
    return SourceError(f"{path}: cannot detect the text encoding ({_TRIED}); save it as UTF-8")


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def normalise_label(label: str) -> str | None:
    """A declared charset label (HTML ``<meta charset>``) as a Python codec name, if known."""
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(path: Path, data: bytes, *, declared: str | None = None) -> Decoded:
    """Decode a text file, detecting its encoding.

    A byte-order mark decides first; then the ``declared`` charset (an HTML page's), if it
    decodes the bytes; then UTF-8; then the best-scoring of GB18030 and Big5.
    """
    if not data.strip():
        raise SourceError(f"{path}: file is empty")
    text: str | None
    codec: str | None
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: the BOMs share two bytes
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                raise _cannot_detect(path)
            if _text_looks_binary(text):
                raise SourceError(f"{path}: looks like a binary file, not text")
            return _non_empty(path, Decoded(text, codec))
    if looks_binary(data):
        raise SourceError(f"{path}: looks like a binary file, not text")
    utf8 = _strict(data, "utf-8")
    codec = normalise_label(declared) if declared else None
    if codec is not None:
        text = _strict(data, codec)
        # Pages saved from a server that sent UTF-8 often still declare GB2312 in a <meta>:
        # non-ASCII bytes that are valid UTF-8 are UTF-8 unless the declared reading is
        # more Chinese. A declaration that does not decode is wrong; detect instead.
        if text is not None and not (
            utf8 is not None and not data.isascii() and chinese_score(utf8) >= chinese_score(text)
        ):
            return _non_empty(path, Decoded(text, codec))
    if utf8 is not None:
        return _non_empty(path, Decoded(utf8, "utf-8"))
    scored: list[tuple[float, int, str, str]] = []
    for rank, codec in enumerate(LEGACY_ENCODINGS):
        text = _strict(data, codec)
        if text is not None:
            # -rank: on equal scores the earlier (more common) encoding wins.
            scored.append((chinese_score(text), -rank, codec, text))
    if not scored:
        raise _cannot_detect(path)
    score, _, codec, text = max(scored)
    if score < MIN_SCORE:
        raise _cannot_detect(path)
    return _non_empty(path, Decoded(text, codec))


def _non_empty(path: Path, decoded: Decoded) -> Decoded:
    if not decoded.text.strip():
        raise SourceError(f"{path}: file is empty")
    return decoded


def decode_text(path: Path, data: bytes) -> str:
    """Decode a text report: UTF-8 or UTF-16 (by BOM), UTF-8, else GB18030 or Big5."""
    return decode(path, data).text
