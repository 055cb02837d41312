"""Hybrid retrieval: dense (FAISS) and lexical (BM25) evidence fused into one ranking."""

from __future__ import annotations

from qa.retrieve.fusion import FusionWeights
from qa.retrieve.hit import Hit
from qa.retrieve.retriever import Retriever

__all__ = ["FusionWeights", "Hit", "Retriever"]
