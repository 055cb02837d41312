"""Every tuned number of Report QA, in one place: typed, documented, injectable.

Code elsewhere takes a policy object and never a literal. Each field says what it does and
how its value was chosen; ``benchmarks/quality.py`` prints the policy in force beside the
figures it produced, so a change here is always measured on every public set at once
(report dev questions, drcd-dev, cmrc2018-dev, xquad-en-zh-dev).

    from qa import Policy, ReportQA
    from qa.policy import AnswerPolicy
    qa = ReportQA.open(policy=Policy(answer=AnswerPolicy(max_quotes=2)))

The defaults are the shipped behaviour. Policies are frozen dataclasses: derive a variant
with :func:`dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal


@dataclass(frozen=True)
class LanguagePolicy:
    """How the language and Chinese script of a text are told, and which region names count.

    Process-wide, not part of an injected ``Policy``: it is read from ``LANGUAGE`` once per
    process. A text must be read the same way by every step and every face — the index build
    (the corpus's script), retrieval and answers (English or Chinese), and the bot, web and
    CLI choosing the reply's language with ``qa.detect_language`` before any ``ReportQA`` is
    involved — and the region table is built once per process.

    ``english_below_cjk_share``: a question whose letters are less than this share CJK is
    English — its words are translated for BM25 and the reply is in English. Questions are
    either almost all CJK (≥ 0.8, numbers and Latin names aside) or almost none, so any value
    in 0.2–0.5 gives the same split on every dev and benchmark question; 0.3 is in the middle.

    ``script_majority``: the share of script-specific characters (those that differ between
    Traditional and Simplified) one script needs to be a text's script. The bundled report is
    Traditional with stray 志愿/規范 (≈ 0.9 Traditional); a text below 0.75 either way is mixed.
    """

    english_below_cjk_share: float = 0.3
    script_majority: float = 0.75
    #: A county's short name (suffix and ethnic designation dropped: 杜尔伯特) is matched as
    #: the county only from this many characters: two-character short names are mostly
    #: everyday words or parts of them (城关, 新华, 和平, 前进). Provinces' and prefectures'
    #: short names are matched at any length unless CC-CEDICT lists them as ordinary words.
    county_short_name_min_chars: int = 3


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the fused score ``dense + lexical_weight × bm25 + sentence_weight × best``
    (see ``qa.retrieve.fusion`` for the why and the measurements).

    Chosen together by a grid over base weight, gap factor, share power and sentence weight
    on drcd-dev, cmrc2018-dev and the report's dev questions (R@1 0.963 / 0.990, report hit@1
    0.91; linear share power gave report hit@1 0.85, cubed cost drcd-dev 0.002).
    """

    #: Lexical weight before BM25's own margin is added: ``(base + gap × margin) × share^power``.
    lexical_base: float = 0.6
    #: How much BM25's margin ``(bm25₁ − bm25₂) / bm25₁`` adds to the lexical weight.
    lexical_gap: float = 8.0
    #: Power of the share of the question that can match the index lexically.
    share_power: float = 2.0
    #: Lexical weight (times the translated share) of an English question's dictionary
    #: evidence (query translation plus document-side translation, see
    #: ``CrossLingualPolicy``). With the English dense score z-scored, whose scale is wider
    #: than the best/51st scale, 1.0 left the words too little say; a grid over 2.0–4.0 ×
    #: ``document_translation_weight`` 0.5–1.5 gave xquad-en R@1 0.876–0.888 and report
    #: English hit@1 22/23 in every cell: 3.0 is the middle of that plateau.
    translated: float = 3.0
    #: Weight of the best-sentence BM25 score (times share^power); 0 for translated questions.
    sentence: float = 2.0
    #: Rank (0-based) of the dense score used as the zero point of the dense scale.
    dense_reference_rank: int = 50


@dataclass(frozen=True)
class CrossLingualPolicy:
    """How an English question meets Chinese reports (see ``qa.retrieve.crosslingual``).
    Chinese questions are not affected by any of it: drcd, cmrc and xquad-zh rank exactly
    as without it.

    Measured together on xquad-en-zh-dev (English questions) and the report's English dev
    questions, one switch off at a time from all on: xquad-en R@1 0.883 with all on; no
    own Latin words 0.879, no lemma union 0.881, no function-word skip 0.883 (it removes
    几个/若干 from every "how many" question, which the report set needs less than the
    noise says), scale instead of z 0.849; report English hit@1 22/23 in each.
    """

    #: Phrases made only of function words ("how many") are not looked up.
    skip_function_word_phrases: bool = True
    #: A word's candidates are its own glosses' and its lemma's (found → 建立 and 发现).
    lemma_union: bool = True
    #: Accents are dropped before lookup (Temüjin → temujin).
    fold_accents: bool = True
    #: The question's own Latin words and numbers ("1943", "MLS") are BM25 terms too.
    keep_own_latin_terms: bool = True
    #: Weight of the document-side translation (the English question's own words matched
    #: against each passage's English bag, both scaled by their best) beside the query
    #: translation. Alone it gives xquad-en R@1 0.709 vs 0.700 for query translation; the
    #: two summed 0.747. Plateau 0.5–1.5 (see ``FusionWeights.translated``).
    document_translation_weight: float = 1.0
    #: How an English question's cosines are scaled: "z" (z-score over the candidate
    #: paragraphs) or "scale" (best = 1, the reference rank = 0, as for Chinese). The
    #: cross-lingual cosines are flatter and noisier at the top, where the best/51st scale
    #: lets one stray cosine set the whole spread: z gives xquad-en 0.883 vs 0.849.
    dense_norm: Literal["z", "scale"] = "z"


@dataclass(frozen=True)
class RetrievalPolicy:
    """How many candidates are fused and when a question counts as fully translated."""

    fusion: FusionWeights = field(default_factory=FusionWeights)
    crosslingual: CrossLingualPolicy = field(default_factory=CrossLingualPolicy)
    #: Candidates taken from each of the dense and lexical lists before fusion, per result
    #: asked for, and never fewer than ``min_candidates`` (enough that the 51st dense score,
    #: the dense scale's reference, is always among them).
    candidates_per_k: int = 20
    min_candidates: int = 100
    #: Only dictionary terms that occur in the index survive translation, so an English
    #: question with this many translated words is taken as full lexical evidence (scaling by
    #: raw coverage, ~0.5 on the English dev questions, halved the gain: hit@1 0.75, not 0.875).
    translated_full_share_words: int = 2
    #: English phrases looked up in CC-CEDICT are at most this many words, and Chinese
    #: headwords at most this many characters (longer entries are idioms and names that the
    #: reports do not contain).
    max_phrase_words: int = 3
    max_headword_chars: int = 6


@dataclass(frozen=True)
class AnswerPolicy:
    """How sentences are scored and chosen as quotes, and when the answer is "not found"
    (see ``qa.answer.compose``). Chosen on the report's dev questions (the only set with
    answers and unanswerable questions); the comments give the margins."""

    #: Passages retrieved for an answer: the first few are quoted from, the rest are offered
    #: as "more passages".
    hits: int = 8
    #: Passages whose sentences can be the answer.
    passages_considered: int = 3
    #: Passages whose sentences can add a further quote covering a part of the question the
    #: first leaves open ("A and B, how much each?" often spans two paragraphs).
    passages_for_extra_quotes: int = 5
    max_quotes: int = 3
    #: Related passages shown with a "not found" (they are not an answer).
    related: int = 3
    #: Sentence score = meaning × w_meaning + words × w_words + figure bonuses.
    w_meaning: float = 0.55
    w_words: float = 0.45
    #: A figure of the sentence states a number the question states (一萬張 ↔ 1萬張).
    figure_match_bonus: float = 0.5
    #: A figure of the sentence is of the kind a "how much / how many" question asks for.
    asked_kind_bonus: float = 0.25
    #: A further quote needs this share of the best sentence's score …
    extra_quote_min_score: float = 0.55
    #: … and this many question terms the quotes so far leave uncovered.
    extra_quote_min_new_terms: int = 2
    #: Below this share of the question matching the index lexically (after translation),
    #: the question has nothing in common with the reports ("hello", "asdf"). Every
    #: answerable dev question has ≥ 0.37; for Chinese questions it never fires on an
    #: answerable one of any set (report p5 0.51, xquad-zh p1 0.64, cmrc/drcd p1 ≥ 0.78),
    #: for English ones one translated word in four gives 0.25 (1.9 % of xquad-en).
    min_lexical_evidence: float = 0.3
    #: A Chinese question is off topic when less than this share of its two-character terms
    #: occur in the index *and* its nearest passage's raw cosine is below
    #: ``off_topic_cosine``: either alone declines the report's paraphrases (bigram share
    #: 0.09–0.16, cosine 0.83–0.88). Chosen as the largest values with no answerable
    #: question declined on any set (report dev, xquad-zh, cmrc, drcd); they decline 79 %
    #: / 67 % / 93 % of xquad-zh / cmrc / drcd questions asked of the bundled report.
    #: Cosines are numbers of the bundled model (multilingual-e5-small).
    off_topic_bigram_share: float = 0.2
    off_topic_cosine: float = 0.82
    #: An English question is off topic when its nearest passage's raw cosine is below
    #: this (lowest answerable English report question 0.717; in-corpus xquad-en p5 0.74;
    #: xquad-en questions asked of the report p50 0.70).
    off_topic_cosine_english: float = 0.7
    #: A figure question is answered only when a sentence with a figure of the asked kind
    #: scores at least this share of the best content score (answerable dev questions
    #: ≥ 0.82; unanswerable ≤ 0.6). On xquad, with figures read leniently, 0.7 declines
    #: 5–8 % of answerable figure questions and 9–14 % of near misses (the gold passage
    #: removed); 0.8 declines a report dev answer, 0.5–0.6 separate no better.
    figure_content_ratio: float = 0.7
    #: "How many X" (Chinese): at least this share of the character bigrams of X must
    #: stand in a quoted figure's segment for the figure to count X (``agreement``).
    counted_noun_bigram_share: float = 0.5
    #: "How many X" (English): when the dictionary's renderings of X's head noun are not
    #: in the figure's segment, this many of its modifiers' renderings must be
    #: ("video scheduling conferences" → 视频调度会).
    counted_english_modifiers: int = 2
    #: … and this many for a group of people ("elderly-care workers") answered by a head
    #: count, which already agrees in kind.
    counted_english_people_modifiers: int = 1
    #: With several reports indexed and no year or region named, a figure question is
    #: answered from the best-matching report; another report whose best passage's fused
    #: score is within this share of the best one's answers it "closely" and is shown side
    #: by side (newest first). Measured on the many-reports test fixture: the same
    #: paragraph of another year's or province's report (figures changed) scores within
    #: 0.03 of the best (relative); another report's nearest paragraph on the same topic
    #: 0.18 or more below. 0.1 sits between; with one report indexed it never applies.
    close_reports_margin: float = 0.1
    #: Figure questions about an indicator (``qa.answer.intent``): passages whose figures
    #: are read clause by clause (dense report paragraphs hold ten figures or more).
    passages_for_figures: int = 8
    #: … when a known indicator's names cover at least this share of the question's words
    #: for what it asks about (社会消费品零售总额增长了多少: 1.0; a longer description that
    #: merely names 低保: 0.13).
    indicator_question_coverage: float = 0.6
    #: A figure clause's fit = indicator match × (1 + agreement), where agreement adds (or
    #: takes away) these for the measure (a growth rate), the unit or kind, the period and
    #: the role asked; the best fit of a sentence adds ``w_fit`` × fit to its score.
    w_fit: float = 1.0
    fit_measure: float = 0.5
    fit_unit: float = 0.3
    #: … and takes away this for a figure in another unit than the one asked (多少万吨 met
    #: by 十多斤) or a rank or a length of time where a value is asked.
    fit_unit_mismatch: float = 1.0
    fit_period: float = 0.5
    fit_role: float = 0.5
    #: Decline a figure question when its best clause names less than this share of the
    #: indicator (城镇登记失业率 for 城镇调查失业率: 5 of 7 characters) or fits below ``min_fit``.
    min_indicator_match: float = 0.8
    min_fit: float = 0.5
    #: An indicator's figure is read from every clause of the reports covering the question
    #: when they are at most this many (else from the passages retrieved) …
    figure_reports_read: int = 4
    #: … and between clauses of equal fit, the passage retrieval ranks r-th (from 0) adds
    #: this / (1 + r): ranking breaks ties, it does not outvote the fit.
    fit_retrieved: float = 0.05
    #: Quote only the answering clause (with its lead-in) of a sentence longer than this.
    clause_quote_min_chars: int = 60
    #: A lead-in (……主要预期目标是：) up to this long is quoted with the clause after it.
    lead_in_chars: int = 30


@dataclass(frozen=True)
class IndexPolicy:
    """How an index is built: BM25's parameters and the FAISS index type by size
    (measured with ``benchmarks/scale.py``; see ``qa.index.dense``)."""

    #: BM25 (Lucene variant) term saturation and length normalisation: the usual defaults,
    #: which the benchmark README's BM25 baselines use too.
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    #: Exact ``IndexFlatIP`` below this many passages, IVF-Flat from here on (exact search
    #: costs ~4.5 ms at 50k on 2 cores; IVF is ~15× faster there at recall@10 ≈ 0.98).
    approximate_from: int = 50_000
    #: Recall@10 (vs exact search) that IVF's ``nprobe`` is tuned to reach at build time.
    target_recall: float = 0.97
    #: ``nprobe`` values tried in order; the first reaching ``target_recall`` is kept.
    nprobe_steps: tuple[int, ...] = (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
    #: Never probe fewer lists (real questions are farther from passages than the
    #: passage-as-query tuning set).
    min_nprobe: int = 16
    #: Indexed passages used as tuning queries for ``nprobe``.
    tune_queries: int = 200
    #: k-means training sample: this many vectors per IVF list (capped at n).
    train_per_list: int = 50
    #: HNSW graph degree and breadths (``kind="hnsw"`` only; never chosen automatically).
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 64
    #: Memory-map vectors and BM25 matrices past this many passages instead of reading them.
    mmap_from: int = 200_000
    #: A build's time left weighs each token of a batch padded to L tokens as
    #: ``1 + L / embed_attention_length`` (``qa.embed.plan``): attention's share of the
    #: model's work grows with the length. Fitted to the seconds of each batch (seconds ∝
    #: tokens × (1 + longest / this)) when embedding every 8th archive passage by length,
    #: twice, on 2 workers of this busy 2-core machine: 440–495 (with or without a fixed
    #: cost per batch); a profile of the fp32 export alone gave ~750. 500 counts a token
    #: of a 512-token batch 1.8× one of a 64-token batch (measured: 2.4×, noisy).
    embed_attention_length: float = 500.0
    #: Lengths (characters) of the CC-CEDICT headwords whose glosses make a passage's
    #: English bag (``qa.lexical.EnglishBagIndex``). Single characters have dozens of
    #: senses each and would put most of English in every bag; beyond 6 characters
    #: headwords are idioms and names (the same bound as question translation).
    english_bag_headword_chars: tuple[int, int] = (2, 6)
    #: Metadata a report does not state is inferred from its text (``qa.corpus.infer``).
    #: A first line of at most this many characters without sentence punctuation at its end
    #: is the title (report titles run 10–40 characters; a first paragraph is longer).
    infer_title_max_chars: int = 60
    #: The year is the one the first paragraphs mention most: a report's opening states its
    #: year ("2020年是…"), while later paragraphs compare with earlier years.
    infer_head_paragraphs: int = 3
    #: The region is the province the text names most, if named at least this often (once
    #: may be a comparison or a neighbour: the bundled report names 吉林 in passing).
    infer_region_min_mentions: int = 2
    #: … and at least this share of all the regions it names (a national report names every
    #: province; the one it names most is not its region), and in its first paragraph.
    infer_region_min_share: float = 0.5
    #: A report delivered from this month on reviews its own year and plans the next (a
    #: November report on the year's work); before it, the year before and its own (a
    #: March government work report).
    infer_late_month: int = 9
    #: Characters of a report read for its script and its regions (enough for any report's
    #: opening pages; bounds the work on a very large file).
    infer_text_chars: int = 50_000


@dataclass(frozen=True)
class Policy:
    """The whole injectable policy: retrieval, answers and index building. (How languages
    are told is process-wide: ``LANGUAGE``.)"""

    retrieval: RetrievalPolicy = field(default_factory=RetrievalPolicy)
    answer: AnswerPolicy = field(default_factory=AnswerPolicy)
    index: IndexPolicy = field(default_factory=IndexPolicy)

    def to_json(self) -> dict:
        """Every number in force, by section (the benchmarks print it), the process-wide
        ``LANGUAGE`` too."""
        return {**asdict(self), "language": asdict(LANGUAGE)}


#: The shipped policy.
DEFAULT = Policy()

#: How languages, scripts and region names are told, in every step of this process (see
#: ``LanguagePolicy`` for why it is not injected).
LANGUAGE = LanguagePolicy()

__all__ = [
    "DEFAULT",
    "LANGUAGE",
    "AnswerPolicy",
    "CrossLingualPolicy",
    "FusionWeights",
    "IndexPolicy",
    "LanguagePolicy",
    "Policy",
    "RetrievalPolicy",
]
