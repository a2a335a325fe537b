"""Split article text into sentences for Chinese, Japanese and Latin-script languages."""

from __future__ import annotations

import re

# A sentence may end in closing quotes or brackets that belong to it: 。」 ！” .")
_CLOSERS = "」』”’\"'）)\\]】》"

# Words that end in a period without ending a sentence. Python lookbehinds must have a
# fixed width, so each abbreviation gets its own; they stand after the period so that they
# are only tried where there is one. Case matters: "No." is a number, "no." is not.
_ABBREVIATIONS = (
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prof",
    "Sr",
    "Jr",
    "St",
    "Mt",
    "No",
    "Nos",
    "Nr",
    "Inc",
    "Ltd",
    "Co",
    "Corp",
    "Cos",
    "Bros",
    "Plc",
    "vs",
    "approx",
    "Gov",
    "Sen",
    "Rep",
    "Gen",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "Mme",
    "Mmes",
    "Mlle",
    "Mgr",
    "Cie",
    "art",
    "av",
    "env",
    "cf",
    "Fig",
    "Vol",
    "Ste",
)
_NOT_AFTER = "".join(rf"(?<!\b{word}\.)" for word in _ABBREVIATIONS)

# Single capitals ("M. Dupont", "J. Smith") and dotted initialisms ("U.S.", "e.g.") are not ends.
_NOT_INITIAL = r"(?<!\b[A-Za-z]\.)(?<!\.[A-Za-z]\.)"

_BOUNDARY = re.compile(
    rf"[。！？；!?]+[{_CLOSERS}]*"  # CJK and Latin end marks, any run of them ("？！")
    rf"|\.{_NOT_AFTER}{_NOT_INITIAL}[{_CLOSERS}]*(?=\s|$)"  # a period before whitespace
    r"|\n"
)


def split_sentences(text: str) -> list[str]:
    """Split `text` into stripped, non-empty sentences, in order.

    Breaks after 。！？；!? (keeping closing quotes such as 」 and ” with their sentence),
    after a period followed by whitespace unless it ends an abbreviation or an initial,
    and at every newline. Decimals ("18.2") and dotted names ("U.S.") stay whole.
    """
    pieces = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        pieces.append(text[start : boundary.end()])
        start = boundary.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip()]
