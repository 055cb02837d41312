"""What counts as a question: text, not empty, not a document."""

from __future__ import annotations

from qa.errors import QuestionError

#: Longest question accepted, in characters (a question, not a document).
MAX_QUESTION_CHARS = 2000


def check_question(question: object) -> str:
    """The question, stripped; ``QuestionError`` if it is not a usable question."""
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    text = question.strip()
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(text)} characters long; ask in at most {MAX_QUESTION_CHARS}"
        )
    return text
