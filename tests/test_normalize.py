"""Text normalisation: the fast forms (str.translate for ASCII text, no work for printable text)
answer exactly as the regular-expression definitions they replace."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from irref import normalize as norm

# The definitions the module's fast paths must equal (written out here as plain regexes).
_NON_WORD = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def reference_fold(text: str) -> str:
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    text = text.lower().replace("&", " and ").replace("'", "")
    return " ".join(_NON_WORD.sub(" ", text).split())


def reference_strip(text: str) -> str:
    text = _ANSI.sub("", text)
    return "".join(ch for ch in text if ch in "\n\t" or not _CONTROL.match(ch))


CHARS = "aAbZ09 -_'&.,;/\t\n\x1b[]m\x07\x7f\x85é\u0301ßΣİﬁ½\u2028yY"
TRICKY = st.text(alphabet=st.sampled_from(list(CHARS)), max_size=40)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(max_size=40), TRICKY))
def test_fold_and_strip_equal_their_definitions(text: str) -> None:
    assert norm.fold(text) == reference_fold(text)
    assert norm.strip_controls(text) == reference_strip(text)


def test_examples() -> None:
    assert norm.fold("  Trans-Arterial  Chemo/Embolisation & Y-90 ") == "trans arterial chemo embolisation and y 90"
    assert norm.normalize("Y-90 radioembolisation procedure") == "y90 radioembolization"
    assert norm.normalize("Vértébroplastie") == "vertebroplastie"
    assert norm.strip_controls("\x1b[31mTACE\x1b[0m\x00") == "TACE"
