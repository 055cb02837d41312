"""Language data: the words each step reads text with, one module per language.

What a language *is* — its words for time, for targets and results, for growth, its question
words — lives here as data, apart from the code that uses it (as spaCy keeps
``spacy/lang/<code>/``). Chinese words are written once, in Simplified characters, and are
looked up in text folded character by character (``qa.text.fold_chars``), so that they find
Traditional text too and every span found is a span of the original text.

* ``qa.lang.zh`` — Chinese (both scripts);
* ``qa.lang.en`` — English;
* ``qa.lang.indicators`` — the names of official statistical indicators in Chinese and
  English, with their common short forms (read from ``indicators.tsv``).
"""
