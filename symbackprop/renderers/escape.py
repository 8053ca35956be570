"""Escaping of plain text bound for LaTeX, so nothing a user types is read as a command."""

from __future__ import annotations

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


_MATH = {"σ": r"\sigma", "Σ": r"\Sigma", "δ": r"\delta", "∂": r"\partial", "·": r"\cdot"}


def escape_tex(text: object) -> str:
    """Every LaTeX special character written so it prints as itself; control characters dropped.

    A few mathematical letters become their math-mode symbols; other characters outside
    Latin-1 are replaced by "?", since the document's fonts have no glyph for them.
    """
    out = []
    for ch in str(text):
        if ch in _LATEX:
            out.append(_LATEX[ch])
        elif ch in _MATH:
            out.append(rf"\ensuremath{{{_MATH[ch]}}}")
        elif ord(ch) > 0xFF:
            out.append("?")
        elif ch in "\n\t":
            out.append(" ")
        elif ch.isprintable():
            out.append(ch)
    return "".join(out)
