"""Line breaking for displayed LaTeX: long sums and products split into lines that fit the page.

LaTeX cannot break a displayed equation by itself, so a long sum is split between its terms
and a long product between its factors, each line kept under a width measured in visible
characters (commands and braces do not count).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp

LINE_WIDTH = 70  # visible characters on one displayed line of an article page

_COMMAND = re.compile(r"\\[a-zA-Z]+|[{}^_]")
_SIZING = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr)")


def visible_length(tex: str) -> int:
    """Roughly how many characters a LaTeX formula shows: sizing commands vanish, others are one glyph."""
    return len(_COMMAND.sub(_glyphs, tex))


def _glyphs(match: re.Match[str]) -> str:
    token = match.group(0)
    return "" if len(token) == 1 or _SIZING.fullmatch(token) else "x"


def fits(lines: list[str], width: int = LINE_WIDTH, most: int = 8) -> bool:
    """Whether broken lines are few enough and none runs far past the width."""
    return len(lines) <= most and all(visible_length(line) <= width * 1.25 for line in lines)


def sum_pieces(
    printer: Callable[[sp.Expr], str], expr: sp.Expr, ordered: Callable[[sp.Expr], list[sp.Expr]]
) -> list[str]:
    """Each term of a sum printed with its sign: "a", "+ b", "- c"."""
    terms = ordered(expr) if isinstance(expr, sp.Add) else [expr]
    pieces = []
    for n, term in enumerate(terms):
        text = printer(term)
        if n == 0:
            pieces.append(text)
        elif text.startswith("-"):
            pieces.append("- " + text[1:].lstrip())
        else:
            pieces.append("+ " + text)
    return pieces


def pack(pieces: list[str], width: int = LINE_WIDTH) -> list[str]:
    """Greedy packing of pieces into lines no wider than ``width`` (a single long piece stays whole)."""
    lines: list[str] = []
    for piece in pieces:
        if lines and visible_length(lines[-1]) + visible_length(piece) + 1 <= width:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return lines


def product_pieces(printer: Callable[[sp.Expr], str], expr: sp.Expr) -> list[str]:
    """The factors of a product, each parenthesised when it is a sum."""
    factors = expr.as_ordered_factors() if isinstance(expr, sp.Mul) else [expr]
    out = []
    for factor in factors:
        text = printer(factor)
        out.append(rf"\left({text}\right)" if isinstance(factor, sp.Add) else text)
    return out
