"""Line breaking for displayed LaTeX: long sums and products split into lines that fit the page.

LaTeX cannot break a displayed equation by itself, so a long sum is split between its terms
and a long product between its factors, each line kept under a width measured in visible
characters (commands and braces do not count).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise

import sympy as sp

from ..model.printing import paren_tex
from ..model.symbols import OrderedProduct

LINE_WIDTH = 70  # visible characters on one displayed line of an article page

_COMMAND = re.compile(r"\\[a-zA-Z]+|[{}^_]")
_SIZING = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr)")


_FRAC = re.compile(r"\\[dt]?frac(?![a-zA-Z])")


def visible_length(tex: str) -> int:
    """Roughly how many characters a LaTeX formula shows: sizing commands vanish, others are one glyph, and
    a fraction is as wide as the wider of its numerator and denominator."""
    return len(_COMMAND.sub(_glyphs, _narrow_fractions(tex)))


def _narrow_fractions(tex: str) -> str:
    """Each \\frac{A}{B} replaced by the wider of A and B, since one stands above the other."""
    out, pos = [], 0
    for m in _FRAC.finditer(tex):
        if m.start() < pos:
            continue
        groups, end = _groups(tex, m.end(), 2)
        if len(groups) < 2:
            break
        out.append(tex[pos : m.start()])
        out.append("{" + max(map(_narrow_fractions, groups), key=visible_length) + "}")
        pos = end
    return "".join(out) + tex[pos:]


def _groups(tex: str, pos: int, count: int) -> tuple[list[str], int]:
    """Up to ``count`` brace groups starting at ``pos`` (spaces between them skipped), and where they end."""
    groups: list[str] = []
    while len(groups) < count:
        while pos < len(tex) and tex[pos] == " ":
            pos += 1
        if pos >= len(tex) or tex[pos] != "{":
            break
        depth, start = 0, pos
        while pos < len(tex):
            depth += {"{": 1, "}": -1}.get(tex[pos], 0)
            pos += 1
            if depth == 0:
                break
        groups.append(tex[start + 1 : pos - 1])
    return groups, pos


_SCRIPTS = re.compile(r"_\{([^{}]*)\}\^\{([^{}]*)\}|\^\{([^{}]*)\}_\{([^{}]*)\}")


def stacked_length(tex: str) -> int:
    """``visible_length`` with a subscript and a superscript on one symbol counted as the longer of the two, since
    they stand one above the other: closer to the width of a formula thick with indices, such as a hidden layer's.

    >>> visible_length("a_{j}^{(L-1)}"), stacked_length("a_{j}^{(L-1)}")
    (7, 6)
    """
    return visible_length(_SCRIPTS.sub(_longer_script, tex))


def _longer_script(match: re.Match[str]) -> str:
    return "{" + max((g for g in match.groups() if g is not None), key=len) + "}"


def _glyphs(match: re.Match[str]) -> str:
    token = match.group(0)
    return "" if len(token) == 1 or _SIZING.fullmatch(token) else "x"


def fits(lines: list[str], width: int = LINE_WIDTH, most: int = 8) -> bool:
    """Whether broken lines are few enough and none runs far past the width."""
    return len(lines) <= most and all(visible_length(line) <= width * 1.25 for line in lines)


def side_by_side(rows: Sequence[dict[str, str]], width: int = LINE_WIDTH) -> list[list[dict[str, str]]]:
    """Equations ({"lhs", "rhs", "note"}) two to a line where both are short and neither has a note, in order:
    a short display, not a column of one-line equations down the page.

    >>> [len(line) for line in side_by_side([{"lhs": "a", "rhs": "b", "note": ""}] * 3)]
    [2, 1]
    """
    lines: list[list[dict[str, str]]] = []
    for row in rows:
        last = lines[-1] if lines else None
        if last is not None and len(last) == 1 and _beside(last[0], row, width):
            last.append(row)
        else:
            lines.append([row])
    return lines


def _beside(first: dict[str, str], second: dict[str, str], width: int) -> bool:
    """Whether two equations go on one line: neither has a note, and both fit with a quad between them."""
    if first["note"] or second["note"]:
        return False
    return sum(visible_length(r["lhs"] + r["rhs"]) for r in (first, second)) + 6 <= width


def sum_pieces(
    printer: Callable[[sp.Expr], str], expr: sp.Expr, ordered: Callable[[sp.Expr], list[sp.Expr]]
) -> list[str]:
    """Each term of a sum printed with its sign: "a", "+ b", "- c"."""
    return signed_pieces(printer, ordered(expr) if isinstance(expr, sp.Add) else [expr])


def signed_pieces(printer: Callable[[sp.Expr], str], terms: Sequence[sp.Expr]) -> list[str]:
    """Terms printed with their signs, in the order given: "a", "+ b", "- c"."""
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


def pack(pieces: list[str], width: int = LINE_WIDTH, length: Callable[[str], int] = visible_length) -> list[str]:
    """Pieces packed into as few lines no wider than ``width`` (as ``length`` measures) as greedy packing finds
    (a single long piece stays whole), balanced so that the widest line is as narrow as it can be: no lone short
    last line."""
    lines: list[str] = []
    for piece in pieces:
        if lines and length(lines[-1]) + length(piece) + 1 <= width:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    if not 2 <= len(lines) <= 8 or len(pieces) > 200:  # a longer display is broken across pages anyway
        return lines
    return _balanced(pieces, len(lines), length)


def _balanced(pieces: list[str], count: int, length: Callable[[str], int] = visible_length) -> list[str]:
    """The split of ``pieces`` into ``count`` consecutive lines whose widest line is narrowest."""
    ends = [0]
    for piece in pieces:
        ends.append(ends[-1] + length(piece) + 1)
    n = len(pieces)

    def width(i: int, j: int) -> int:
        return ends[j] - ends[i] - 1

    best: dict[tuple[int, int], tuple[int, list[int]]] = {}  # (start, lines left) -> (widest line, cut points)
    for left in range(1, count + 1):
        for start in range(n - 1, -1, -1):
            if left == 1:
                best[(start, 1)] = (width(start, n), [])
                continue
            options = [
                (max(width(start, cut), best[(cut, left - 1)][0]), [cut, *best[(cut, left - 1)][1]])
                for cut in range(start + 1, n - left + 2)
                if (cut, left - 1) in best
            ]
            if options:
                best[(start, left)] = min(options, key=lambda o: (o[0], o[1]))
    cuts = [0, *best[(0, count)][1], n]
    return [" ".join(pieces[a:b]) for a, b in pairwise(cuts)]


def product_pieces(printer: Callable[[sp.Expr], str], expr: sp.Expr) -> list[str]:
    """The factors of a product, in the order an ordered product gives them, each parenthesised when it is a
    sum; a minus sign in front stays with the first."""
    if isinstance(expr, OrderedProduct):
        factors = list(expr.args)
    elif isinstance(expr, sp.Mul):
        factors = expr.as_ordered_factors()
    else:
        factors = [expr]
    sign = ""
    if len(factors) > 1 and factors[0] == -1:
        sign, factors = "-", factors[1:]
    out = []
    for factor in factors:
        text = printer(factor)
        out.append(paren_tex(text) if isinstance(factor, (sp.Add, sp.Sum)) else text)
    out[0] = sign + out[0]
    return out


def continued(lines: list[str]) -> list[str]:
    """Lines of one broken product: each after the first begins with the product's dot, so none floats."""
    return lines[:1] + [rf"\cdot {line}" for line in lines[1:]]
