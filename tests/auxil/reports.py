"""Small report collections for the many-reports tests: the bundled 2020 Heilongjiang report,
copies of it for another year (2019) and another province (Jilin, 2020) with their own
sidecars and changed figures, and a short Jilin 2021 report without a sidecar whose title
line names its province and year."""

from __future__ import annotations

import json
from pathlib import Path

REPORTS = Path(__file__).resolve().parents[2] / "data"
BUNDLED = REPORTS / "heilongjiang-civil-affairs-2020.txt"
BUNDLED_META = REPORTS / "heilongjiang-civil-affairs-2020.meta.json"

#: (old, new) replacements that make the 2019 copy: its own figures and year.
HEILONGJIANG_2019 = (
    ("2020年是打贏", "2019年是打贏"),
    ("補助和運營補貼1.1億元", "補助和運營補貼0.8億元"),
    ("發放補助資金3.1億元", "發放補助資金2.7億元"),
    ("捐贈款物達7.33億元", "捐贈款物達6.12億元"),
    ("發放58.68億元", "發放55.02億元"),
    ("異地救助3.4萬人", "異地救助2.9萬人"),
    ("新增養老床位1.4萬張", "新增養老床位1.1萬張"),
    ("暨2020年全省", "暨2019年全省"),
    ("2019年度政治生態", "2018年度政治生態"),
    ("中國社會報2020.12.23", "中國社會報2019.12.20"),
)
#: … and the Jilin 2020 copy.
JILIN_2020 = (
    ("黑龍江省", "吉林省"),
    ("補助和運營補貼1.1億元", "補助和運營補貼1.6億元"),
    ("發放補助資金3.1億元", "發放補助資金2.2億元"),
    ("捐贈款物達7.33億元", "捐贈款物達4.05億元"),
    ("發放58.68億元", "發放41.25億元"),
    ("異地救助3.4萬人", "異地救助1.8萬人"),
    ("新增養老床位1.4萬張", "新增養老床位0.9萬張"),
    ("中國社會報2020.12.23", "中國社會報2020.12.25"),
)
#: A user's own report: no sidecar; its title line names the province and the year.
JILIN_2021 = """吉林省民政廳2021年工作總結
2021年，吉林省民政系統堅持以人民為中心，兜牢兜實基本民生底線。
全年發放城鄉低保金38.6億元，保障困難群眾52.3萬人，臨時救助4.1萬人次。
新增養老床位0.7萬張，建成社區養老服務設施320個，培訓養老護理員2000多人次。
"""


def _variant(replacements: tuple[tuple[str, str], ...]) -> str:
    text = BUNDLED.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def write_reports(folder: Path) -> Path:
    """Write the four reports (and the three sidecars) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / BUNDLED.name).write_text(BUNDLED.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / BUNDLED_META.name).write_text(
        BUNDLED_META.read_text(encoding="utf-8"), encoding="utf-8"
    )
    meta = json.loads(BUNDLED_META.read_text(encoding="utf-8"))
    copies = {
        "heilongjiang-civil-affairs-2019": (
            HEILONGJIANG_2019,
            {**meta, "title": "黑龍江省民政系統2019年工作綜述", "date": "2019-12-20", "year": 2019},
        ),
        "jilin-civil-affairs-2020": (
            JILIN_2020,
            {
                **meta,
                "title": "吉林省民政系統2020年工作綜述",
                "date": "2020-12-25",
                "region": "吉林省",
                "publisher": "吉林省民政廳",
            },
        ),
    }
    for name, (replacements, sidecar) in copies.items():
        (folder / f"{name}.txt").write_text(_variant(replacements), encoding="utf-8")
        (folder / f"{name}.meta.json").write_text(
            json.dumps(sidecar, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    (folder / "jilin-2021-own.txt").write_text(JILIN_2021, encoding="utf-8")
    return folder
