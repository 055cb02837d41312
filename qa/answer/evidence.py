"""Whether a question has anything to do with the reports at all.

The nearest passages of an index are always *some* passages; a question about something
else entirely ("who won the 1998 World Cup?", "hello") must not be answered with them. Two
signals tell such a question, both read before any sentence is scored:

* words: the share of the question's terms that occur in the index (after translation, for
  an English question) — next to none for "hello" or "asdf";
* words and meaning together, for a question that shares everyday characters with the
  reports but not their subject: a Chinese question whose two-character terms mostly do not
  occur in the index *and* whose nearest passage is not close in meaning (raw cosine), or
  an English question whose nearest passage is not close in meaning.

Measured on every public set (``benchmarks/declines.py``): questions of the
reading-comprehension sets asked of the bundled report (which cannot answer them) against
the answerable questions of every set; the thresholds are ``AnswerPolicy``'s
``min_lexical_evidence``, ``off_topic_bigram_share``, ``off_topic_cosine`` and
``off_topic_cosine_english`` (numbers of the bundled model: its cosines are bunched high).
"""

from __future__ import annotations

from qa.policy import AnswerPolicy
from qa.retrieve import Retrieval
from qa.text import is_english

__all__ = ["off_topic"]


def off_topic(retrieval: Retrieval, policy: AnswerPolicy) -> bool:
    """True when the question has next to nothing in common with the reports searched."""
    if retrieval.lexical_share < policy.min_lexical_evidence:
        return True
    if is_english(retrieval.question):
        return retrieval.top_cosine < policy.off_topic_cosine_english
    return (
        retrieval.bigram_share < policy.off_topic_bigram_share
        and retrieval.top_cosine < policy.off_topic_cosine
    )
