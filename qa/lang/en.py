"""English words (lower case) for reading questions; see ``qa.lang``."""

from __future__ import annotations

#: Words asking for a target.
ASK_TARGET = ("target", "targets", "goal", "goals", "aim", "aims", "planned", "plan", "set")
#: Words asking for what actually happened.
ASK_RESULT = ("actual", "actually", "achieved", "realized", "realised", "did")
#: Words asking how much something grew or fell.
GROWTH = (
    "grow",
    "grew",
    "grown",
    "growth",
    "increase",
    "increased",
    "rise",
    "rose",
    "risen",
    "fall",
    "fell",
    "fallen",
    "drop",
    "dropped",
    "decline",
    "declined",
    "decrease",
    "decreased",
    "cut",
    "reduce",
    "reduced",
    "fast",
    "faster",
)
#: Words asking for an average over a span of years.
ASK_AVERAGE = ("average", "annual average", "on average", "a year on average")
#: Words naming years relative to the report (``qa.lang.zh.RELATIVE_YEARS``).
RELATIVE_YEARS = {"this year": 0, "last year": -1, "the previous year": -1, "next year": 1}
#: Words pointing back at the year named before.
ANAPHORIC_YEARS = ("that year", "the same year")
#: A report named by its year: "the 2002 government work report".
REPORT_NOUNS = ("government work report", "work report", "report")
#: Joiners of comparison parts.
JOINERS = ("and", "or", "vs", "vs.", "versus", "compared with", "compared to", "than")
#: Words asking about every province.
EVERY_REGION = (
    "each province",
    "every province",
    "all provinces",
    "all the provinces",
    "each of the provinces",
    "province by province",
    "by province",
    "all regions",
    "each region",
)
#: Words asking about every year the reports cover.
EVERY_YEAR = ("every year", "each year", "year by year", "over the years", "all years")
#: A run of years from a year to the latest: "since 2010".
SINCE = ("since", "from")
#: Rows ordered by value.
ORDER_DESCENDING = (
    "highest first",
    "from highest",
    "ranked",
    "rank",
    "descending",
    "largest first",
)
ORDER_ASCENDING = ("lowest first", "from lowest", "ascending", "smallest first")
