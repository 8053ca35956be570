"""Template filters: they lay out data already printed (see ``data``), and compute nothing else.

Every filter takes strings, numbers, lists and the mappings ``data`` makes; none parses, reads or renders.
An expression is a mapping with ``text`` and ``tex`` (and ``pieces`` where a document breaks it into lines).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from ..model.printing import paren_tex
from . import layout
from .escape import escape_tex
from .mathml import display_math, inline_math, mathml

Expr = Mapping[str, Any]


class FilterError(ValueError):
    """A filter given something it does not lay out; a template's mistake, reported with its place."""


def printed(x: object, key: str) -> str:
    """An expression's printed form (``text`` or ``tex``); an integer prints as itself. Plain text is refused,
    since in LaTeX it would go in unescaped: the ``escape`` filter is for that."""
    if isinstance(x, Mapping) and isinstance(x.get(key), str):
        return x[key]
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    if isinstance(x, str):
        raise FilterError(f"the {key} filter prints a formula the engine gives; for plain text use escape")
    raise FilterError(f"the {key} filter prints a formula the engine gives, not a {type(x).__name__}")


def text(x: object) -> str:
    return printed(x, "text")


def tex(x: object) -> str:
    return printed(x, "tex")


def partial(pair: Sequence[Expr]) -> str:
    """∂of/∂wrt, for a pair (of, wrt)."""
    of, wrt = pair
    return f"∂{text(of)}/∂{text(wrt)}"


def tpartial(pair: Sequence[Expr]) -> str:
    """\\frac{\\partial of}{\\partial wrt}, for a pair (of, wrt)."""
    of, wrt = pair
    return rf"\frac{{\partial {tex(of)}}}{{\partial {tex(wrt)}}}"


def inline_partial(f: Expr) -> str:
    """A factor's d(of)/d(wrt) with a slash, for running text."""
    return rf"\partial {tex(f['of'])}/\partial {tex(f['wrt'])}"


def in_a(f: Expr) -> Expr | None:
    """An activation factor's value written with the activation itself (sigmoid: a(1 - a)), or None."""
    return f["in_a"]


def factor_text(key: str, paren: Callable[[str], str], value: Expr, first: bool) -> str:
    """One factor of a product written out: in parentheses when it is a sum (of terms, or a Σ, signed or
    not), and when it is negative and not the first factor."""
    out = printed(value, key)
    return paren(out) if value["summed"] or (not first and out.startswith("-")) else out


def plain_paren(text: str) -> str:
    return f"({text})"


def _product(key: str, sep: str, paren: Callable[[str], str]) -> Callable[[Sequence[Expr]], str]:
    """Factors joined by ``sep``, each bracketed where it needs to be (see ``factor_text``)."""
    return lambda exprs: sep.join(factor_text(key, paren, e, n == 0) for n, e in enumerate(exprs))


def _chain(key: str, sep: str, paren: Callable[[str], str]) -> Callable[[Expr], list[str]]:
    """A derivation's factors in the order they were worked, each printed; a hidden activation's factor with a
    single path written as its own chain, in parentheses."""

    def factor(f: Expr, first: bool) -> str:
        sub = f["deferred"]
        if sub is not None and not sub["sum_over"] and len(sub["chains"]) == 1:
            return paren(sep.join(pieces(sub)))
        return factor_text(key, paren, f["compact"], first)

    def pieces(x: Expr) -> list[str]:
        return [factor(f, n == 0) for n, f in enumerate(x["pattern_factors"])]

    return pieces


_text_chain = _chain("text", " · ", plain_paren)
_tex_chain = _chain("tex", r" \cdot ", paren_tex)


CHAIN_WIDTH = 66  # a combined chain's line, measured with its indices stacked: the page holds 66 and a little more


def tex_chain_lines(x: Expr, width: int = CHAIN_WIDTH) -> list[str]:
    """A chain's factors packed into displayed lines, each line after the first beginning with its dot. The
    lines are measured with each symbol's subscript and superscript stacked, as they are set: a hidden layer's
    chain, thick with indices, then stays on the one line it fits on."""
    parts = _tex_chain(x)
    return layout.pack([parts[0], *(rf"\cdot {p}" for p in parts[1:])], width, layout.stacked_length)


def tex_lines(x: Expr, width: int = layout.LINE_WIDTH) -> list[str]:
    """A formula split into displayed lines: between the terms of a sum, else between factors. A formula the
    engine gave no line breaks for stays on one line."""
    pieces = x.get("pieces") if isinstance(x, Mapping) else None
    if pieces is None:
        return [tex(x)]
    terms = list(pieces["sum"])
    if len(terms) == 1 and layout.visible_length(terms[0]) > width:
        return layout.continued(layout.pack(list(pieces["product"]), width))
    return layout.pack(terms, width)


def signed(key: str, terms: Sequence[Expr]) -> list[str]:
    """Terms printed with their signs, in the order given: "a", "+ b", "- c"."""
    return layout.signed_pieces(lambda t: printed(t, key), terms)


def tex_term_lines(terms: Sequence[Expr], width: int = layout.LINE_WIDTH) -> list[str]:
    """Terms written out one by one (0 included), split into displayed lines."""
    return layout.pack(signed("tex", terms), width)


def worked_in(items: Sequence[Expr | str], where: Expr) -> str:
    """Where these derivations are worked out: "Step~2", "Steps~1 to~3", or equations "(4) to~(6)".

    ``where`` is the document's: ``places`` maps a derivation's key to its Step (a number) or its equation label.
    """
    places = where["places"]
    marks = [places[item["key"] if isinstance(item, Mapping) else item] for item in items]
    if all(isinstance(m, int) for m in marks):
        numbers = sorted({int(m) for m in marks})  # a step told for each neuron stands for several
        consecutive = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        return ("Steps~" if len(numbers) > 1 else "Step~") + _listed([str(n) for n in numbers], consecutive)
    return _listed([rf"\eqref{{{m}}}" for m in marks], True)  # a layer's equations are numbered in a row


def _listed(names: list[str], consecutive: bool) -> str:
    """1, "1 and~2", "1 to~4" for a run, else "1, 3 and~5"."""
    if len(names) == 1:
        return names[0]
    if len(names) > 2 and consecutive:
        return f"{names[0]} to~{names[-1]}"
    return ", ".join(names[:-1]) + f" and~{names[-1]}"


CODE = ("sympy.diff",)  # names of code that a proof's statement mentions
POWER_OF_TEN = re.compile(r"\b10\\textasciicircum\{\}(-?\d+)")  # a proof's "10^-210", once escaped
MODULUS = (r"2\textasciicircum{}61 - 1", "$2^{61} - 1$")  # the prime a proof's random points are taken modulo


def code_words(text: str) -> str:
    """Prose for LaTeX: escaped, with each name of code in typewriter type and a power of ten, and the proofs'
    modulus 2^61 - 1, as mathematics."""
    out = escape_tex(text)
    for name in CODE:
        out = out.replace(escape_tex(name), rf"\texttt{{{escape_tex(name)}}}")
    return POWER_OF_TEN.sub(r"$10^{\1}$", out).replace(*MODULUS)


MINUS = "\u2212"
HTML_POWER = re.compile(r"\b(10|2)\^(-?\d+)")  # "10^-229", "2^61", once escaped (neither ^ nor digits change)


def html_code_words(text: str) -> Markup:
    """Prose for a web page: escaped, each name of code as code, and a power (10^-229, the modulus's 2^61) set as
    one, with a true minus sign."""
    out = str(escape(text))
    for name in CODE:
        out = out.replace(str(escape(name)), f"<code>{escape(name)}</code>")
    out = HTML_POWER.sub(lambda m: f"{m[1]}<sup>{m[2].replace('-', MINUS)}</sup>", out)
    return Markup(out.replace("<sup>61</sup> - 1", f"<sup>61</sup> {MINUS} 1"))


def sentence(text: str) -> str:
    """A sentence begun with a capital letter, the rest left as it is (Jinja's capitalize lowercases it)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def words(parts: Sequence[str | Expr], prose: Callable[[str], str], math: Callable[[Expr], str]) -> str:
    """A sentence of prose (strings) and mathematics (printed expressions), each part laid out by its function."""
    return "".join(prose(p) if isinstance(p, str) else math(p) for p in parts)


def dollar_math(text: str) -> Markup:
    """Prose with $-delimited LaTeX (a diagnosis as the verdicts write it) as HTML: the prose escaped, each
    formula MathML; text with an unpaired $ stays text."""
    parts = text.split("$")
    if len(parts) % 2 == 0:
        return Markup(escape(text))
    return Markup("").join(mathml(part) if n % 2 else escape(part) for n, part in enumerate(parts))


def number(value: float) -> str:
    """A number as a worked example prints it: six significant digits, no exponent for ordinary sizes."""
    out = f"{float(value):.6g}"
    return "0" if out == "-0" else out


def number_product(values: Sequence[float], sep: str = " · ") -> str:
    """Numbers multiplied, as a worked example writes them: a negative one after the first in parentheses."""
    return sep.join(f"({number(v)})" if n and number(v).startswith("-") else number(v) for n, v in enumerate(values))


def number_sum(values: Sequence[float]) -> str:
    """Numbers added with their own signs: "0.1 - 0.2", never "0.1 + -0.2"."""
    pieces = [number(v) for v in values]
    return pieces[0] + "".join(f" - {p[1:]}" if p.startswith("-") else f" + {p}" for p in pieces[1:])


def tex_number(shown: str | None) -> str:
    r"""A number as printed for text (``-1.5e-13``, ``inf``) as LaTeX math writes it (``-1.5 \cdot 10^{-13}``).

    >>> print(tex_number("-1.47388e-13"), tex_number("2.5e+20"), tex_number("0.25"), tex_number("-inf"), sep="; ")
    -1.47388 \cdot 10^{-13}; 2.5 \cdot 10^{20}; 0.25; -\infty
    """
    if shown is None:
        return ""
    if shown in ("inf", "-inf"):
        return shown.replace("inf", "\\infty")
    if shown == "nan":
        return "\\text{nan}"
    mantissa, e, exponent = shown.partition("e")
    return f"{mantissa} \\cdot 10^{{{int(exponent)}}}" if e else shown


FILTERS: dict[str, Callable[..., Any]] = {
    "text": text,
    "tex": tex,
    "partial": partial,
    "tpartial": tpartial,
    "inline_partial": inline_partial,
    "in_a": in_a,
    "text_sum": lambda exprs: " ".join(signed("text", exprs)),
    "tex_sum": lambda exprs: " ".join(signed("tex", exprs)),
    "text_product": _product("text", " · ", plain_paren),
    "tex_product": _product("tex", r" \cdot ", paren_tex),
    "text_chain": lambda x: " · ".join(_text_chain(x)),
    "tex_chain": lambda x: r" \cdot ".join(_tex_chain(x)),
    "tex_chain_lines": tex_chain_lines,
    "tex_lines": tex_lines,
    "display_lines": lambda pieces: layout.pack(list(pieces), CHAIN_WIDTH, layout.stacked_length),
    "tex_term_lines": tex_term_lines,
    "fits": layout.fits,
    "width": layout.visible_length,
    "stacked_width": layout.stacked_length,
    "side_by_side": layout.side_by_side,
    "worked_in": worked_in,
    "number": number,
    "tex_number": tex_number,
    "number_product": number_product,
    "number_sum": number_sum,
    "chain_product": lambda chain: number(chain[0]),
    "escape": escape_tex,
    "code_words": code_words,
    "html_code_words": html_code_words,
    "sentence": sentence,
    "tex_words": lambda parts: words(parts, escape_tex, lambda e: f"${tex(e)}$"),
    "md_words": lambda parts: words(parts, str, lambda e: f"${tex(e)}$"),
    "html_words": lambda parts: Markup(words(parts, escape, lambda e: mathml(tex(e)))),
    "math": inline_math,
    "dollar_math": dollar_math,
    "display": display_math,
}
