"""Report QA: ask questions about official reports, get the exact passages back.

The public surface::

    from qa import Retriever, build_index
    build_index(["data/"], "index/")            # read, embed, store (atomically)
    r = Retriever.load("index/")
    for hit in r.search("向全省養老機構撥付了多少補貼？", k=3):
        print(hit.paragraph, hit.section, hit.text)
"""

from __future__ import annotations

__version__ = "0.2.0"

from qa.documents import Document, Passage
from qa.errors import (
    BuildLockedError,
    DuplicateIdError,
    IndexCorruptError,
    IndexNotFoundError,
    IndexOutdatedError,
    ModelError,
    ModelMismatchError,
    QAError,
    QuestionError,
    ScaleOutError,
    SourceError,
)
from qa.index.build import BuildReport, build_index
from qa.retrieve import FusionWeights, Hit, Retriever

__all__ = [
    "BuildLockedError",
    "BuildReport",
    "Document",
    "DuplicateIdError",
    "FusionWeights",
    "Hit",
    "IndexCorruptError",
    "IndexNotFoundError",
    "IndexOutdatedError",
    "ModelError",
    "ModelMismatchError",
    "Passage",
    "QAError",
    "QuestionError",
    "Retriever",
    "ScaleOutError",
    "SourceError",
    "__version__",
    "build_index",
]
