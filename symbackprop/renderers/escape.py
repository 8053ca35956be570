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


def escape_tex(text: object) -> str:
    """Every LaTeX special character written so it prints as itself; control characters dropped."""
    out = []
    for ch in str(text):
        if ch in _LATEX:
            out.append(_LATEX[ch])
        elif ch in "\n\t":
            out.append(" ")
        elif ch.isprintable():
            out.append(ch)
    return "".join(out)
