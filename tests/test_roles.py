"""Which questions ask who holds a role, and when a text names that role."""

from __future__ import annotations

import pytest

from qa.answer.roles import asked_role, role_named


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("黑龍江省民政廳廳長是誰？", "厅长"),
        ("民政厅负责人是谁", "责人"),
        ("誰是總書記？", "书记"),
        ("Who is the director of the Department of Civil Affairs?", "director"),
        ("Who are the directors?", "director"),
        ("Who is the general secretary?", "secretary"),
        # Who *did* something, not who holds a role:
        ("誰提供了本版圖片？", None),
        ("本版文圖由誰提供？", None),
        ("Who provided the photos?", None),
        ("Who is responsible for the elderly?", None),
        ("養老床位有多少張？", None),
    ],
)
def test_role_questions_and_their_role(question, role):
    assert asked_role(question) == role


def test_a_role_is_named_in_either_script_or_through_its_english_translations():
    text = "推進村黨組織書記通過法定程序當選村民委員會主任"
    assert role_named("书记", [text])
    assert role_named("director", [text])  # director → 主任
    assert not role_named("厅长", [text])
    assert not role_named("governor", [text])
