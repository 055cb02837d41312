"""Read report files into documents and passages (the first step: files → passages).

``read_sources`` takes files and folders; each supported file becomes one ``Document``
and its ``Passage`` list. Nothing here knows about embeddings or indexes.
"""

from __future__ import annotations

from qa.corpus.reader import Corpus, Skipped, read_sources, supported_suffixes

__all__ = ["Corpus", "Skipped", "read_sources", "supported_suffixes"]
