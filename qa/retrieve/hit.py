"""A retrieved passage with its score and where it stands in its document."""

from __future__ import annotations

from dataclasses import dataclass, field

from qa.documents import Document
from qa.periods import Period, Role


@dataclass(frozen=True)
class Hit:
    """One passage returned by ``Retriever.search``.

    ``text`` is the passage exactly as in the report. ``score`` is the fused relevance
    (higher is better; comparable within one search, not across searches); ``dense`` and
    ``lexical`` are its normalised components, kept for inspection.
    """

    id: str
    text: str
    score: float
    doc: str
    section: str | None
    paragraph: int | None
    kind: str = "text"
    title: str | None = None
    document: Document | None = field(default=None, repr=False, compare=False)
    dense: float = 0.0
    lexical: float = 0.0
    #: The headings the passage stands under, outermost first, and the period and role
    #: they give it (see ``qa.Passage``).
    sections: tuple[str, ...] = ()
    period: Period | None = None
    role: Role | None = None
