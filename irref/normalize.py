"""Query and name normalisation shared by indexing and lookup (stdlib only)."""

from __future__ import annotations

import re

from irref.vocab import FILLER_WORDS, SPELLING

# Patterns are compiled on first use (re.compile is slow in Python, ~0.3 ms each, and this module
# is imported on every run), through re's own cache of compiled patterns.
_NON_WORD = r"[^a-z0-9]+"
_COMBINING = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_Y90 = r"\by ?90\b"
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"
_ANSI = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
#: ASCII punctuation and spacing -> space (what _NON_WORD does, for the common all-ASCII text).
_ASCII_SPACES = {c: " " for c in range(128) if not (48 <= c <= 57 or 97 <= c <= 122)}


def strip_controls(text: str) -> str:
    """Remove ANSI escape sequences and control characters (keeps newlines and tabs)."""
    if text.isprintable():  # no escape and no control character: nothing to strip
        return text
    text = re.sub(_ANSI, "", text)
    control = re.compile(_CONTROL)
    return "".join(ch for ch in text if ch in "\n\t" or not control.match(ch))


def fold(text: str) -> str:
    """Lower-case, strip diacritics, and turn punctuation, hyphens and spacing into single spaces."""
    if not text.isascii():  # accents off (NFKD, then drop the combining marks), in C rather than per character
        import unicodedata

        text = re.sub(_COMBINING, "", unicodedata.normalize("NFKD", text))
    text = text.lower().replace("&", " and ").replace("'", "")
    if text.isascii():
        return " ".join(text.translate(_ASCII_SPACES).split())
    return " ".join(re.sub(_NON_WORD, " ", text).split())


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and word != "trans":
        return word[:-1]
    return word


def normalize(text: str) -> str:
    """The lookup key of a name, alias or query.

    Case, diacritics, punctuation, hyphens and spacing are folded; British spellings
    become American; ``Y-90``/``Y 90`` become ``y90``; simple plurals are reduced and
    filler words such as "procedure" or "placement" are dropped.
    """
    text = fold(text)
    for british, american in SPELLING:
        if british in text:
            text = text.replace(british, american)
    if "90" in text:
        text = re.sub(_Y90, "y90", text)
    words = [_stem(w) for w in text.split() if w not in FILLER_WORDS]
    if not words:  # a query made only of filler words keeps them
        words = [_stem(w) for w in text.split()]
    return " ".join(words)
