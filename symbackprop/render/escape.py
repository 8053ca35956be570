"""Escaping of plain text bound for LaTeX, so nothing a user types is read as a command, and every
character either prints as itself or is refused by name (never replaced or dropped unseen)."""

from __future__ import annotations

import unicodedata

from ..base.errors import SpecError
from .tex_characters import MATH, TEXT

_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
# Pairs the T1 fonts join into another character (-- is an en dash, << a guillemet, '' a closing quote):
# an empty group between them keeps both as typed.
_LIGATURES = {"-": "-", "<": "<", ">": ">", ",": ",", "`": "`", "'": "'", "!": "`", "?": "`"}
_BLANK = "\t\n\r\v\f"


def escape_tex(text: object) -> str:
    """Every character written so it prints as itself: LaTeX's special characters escaped, Greek letters and
    mathematical signs as math symbols, blanks as spaces, other control characters dropped. A character the
    document's fonts cannot print (CJK, emoji, Cyrillic) is a SpecError naming it and its code point."""
    text = unicodedata.normalize("NFC", str(text))  # e + a combining acute is é, which the fonts have
    out = []
    for n, ch in enumerate(text):
        out.append(_escaped(ch))
        if _LIGATURES.get(ch) == text[n + 1 : n + 2]:
            out.append("{}")
    return "".join(out)


def untypesettable(text: str) -> str | None:
    """The first character of ``text`` a document cannot print, described for an error message; else None."""
    for ch in unicodedata.normalize("NFC", text):
        if not _printable(ch):
            return describe(ch)
    return None


def describe(ch: str) -> str:
    """A character as an error names it: itself when visible, its code point and its Unicode name."""
    name = unicodedata.name(ch, "")
    shown = f"{ch!r} " if ch.isprintable() else ""
    return f"{shown}(U+{ord(ch):04X}{' ' + name if name else ''})"


def _escaped(ch: str) -> str:
    if ch in _LATEX:
        return _LATEX[ch]
    if ch in MATH:
        return rf"\ensuremath{{{MATH[ch]}}}"
    if ch in _BLANK:
        return " "
    if unicodedata.category(ch) == "Cc":
        return ""
    if ch.isascii() or ch in TEXT:
        return ch
    raise SpecError(f"the character {describe(ch)} cannot be printed with the document's fonts")


def _printable(ch: str) -> bool:
    return ch.isascii() or ch in TEXT or ch in MATH or unicodedata.category(ch) == "Cc"
