"""Hybrid retrieval: dense (FAISS) and lexical (BM25) evidence fused into one ranking."""

from __future__ import annotations

from qa.retrieve.explanation import Candidate, Explanation
from qa.retrieve.hit import Hit, PassageContext
from qa.retrieve.retriever import Retrieval, Retriever

__all__ = ["Candidate", "Explanation", "Hit", "PassageContext", "Retrieval", "Retriever"]
