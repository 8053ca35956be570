"""Template filters: SymPy's printers in the network's notation, and plain-text escaping."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from ..derivation import Derivation, Factor
from ..network import Network
from ..printing import paren_tex, partial_tex, partial_text, printers
from . import layout
from .escape import escape_tex


def filters_for(net: Network) -> dict[str, Callable[..., Any]]:
    """``text``/``tex`` print an expression; ``partial``/``tpartial`` print d(of)/d(wrt)."""
    text, tex = printers(net.notation, net.layers)

    def product(
        printer: Callable[[sp.Expr], str], sep: str, paren: Callable[[str], str]
    ) -> Callable[[Sequence[sp.Expr]], str]:
        """Factors joined by ``sep``, each bracketed where it needs to be (see ``factor_text``)."""
        return lambda exprs: sep.join(factor_text(printer, paren, e, n == 0) for n, e in enumerate(exprs))

    def text_sum(exprs: Sequence[sp.Expr]) -> str:
        """Terms joined with their own signs: "a - b", never "a + -b"."""
        return " ".join(layout.signed_pieces(text.doprint, exprs))

    def lines(expr: sp.Expr, width: int = layout.LINE_WIDTH) -> list[str]:
        """A formula split into displayed lines: between the terms of a sum, else between factors."""
        pieces = layout.sum_pieces(tex.doprint, expr, tex._as_ordered_terms)
        if len(pieces) == 1 and layout.visible_length(pieces[0]) > width:
            return layout.continued(layout.pack(layout.product_pieces(tex.doprint, expr), width))
        return layout.pack(pieces, width)

    def term_lines(terms: Sequence[sp.Expr], width: int = layout.LINE_WIDTH) -> list[str]:
        """Terms written out one by one (0 included), split into displayed lines."""
        return layout.pack(layout.signed_pieces(tex.doprint, terms), width)

    def in_a(f: Factor) -> sp.Expr | None:
        """An activation's derivative written with its output, where a text does (sigmoid: a(1 - a))."""
        return net.activation_prime_in_a(int(f.of.indices[0]), f.of.indices[1])

    def inline_partial(f: Factor) -> str:
        """d(of)/d(wrt) with a slash, for running text."""
        return rf"\partial {tex.doprint(f.of)}/\partial {tex.doprint(f.wrt)}"

    def chain(
        printer: Callable[[sp.Expr], str], sep: str, paren: Callable[[str], str]
    ) -> Callable[[Derivation], list[str]]:
        """A chain's factors in the order they were worked, each printed; a one-path hidden factor as its own chain."""

        def factor(f: Factor, first: bool) -> str:
            sub = f.deferred
            if sub is not None and not sub.sum_over and len(sub.chains) == 1:
                return paren(sep.join(pieces(sub)))
            return factor_text(printer, paren, f.compact, first)

        def pieces(x: Derivation) -> list[str]:
            return [factor(f, n == 0) for n, f in enumerate(x.pattern_factors())]

        return pieces

    text_chain, tex_chain = chain(text.doprint, " · ", plain_paren), chain(tex.doprint, r" \cdot ", paren_tex)

    def tex_chain_lines(x: Derivation, width: int = layout.LINE_WIDTH) -> list[str]:
        """A chain's factors packed into displayed lines, each line after the first beginning with its dot."""
        parts = tex_chain(x)
        return layout.pack([parts[0], *(rf"\cdot {p}" for p in parts[1:])], width)

    return {
        "text_chain": lambda x: " · ".join(text_chain(x)),
        "tex_chain": lambda x: r" \cdot ".join(tex_chain(x)),
        "tex_chain_lines": tex_chain_lines,
        "inline_partial": inline_partial,
        "in_a": in_a,
        "number": number,
        "number_product": number_product,
        "number_sum": number_sum,
        "chain_product": lambda chain: number(chain[0]),
        "tex_lines": lines,
        "tex_term_lines": term_lines,
        "fits": layout.fits,
        "text_product": product(text.doprint, " · ", plain_paren),
        "tex_product": product(tex.doprint, r" \cdot ", paren_tex),
        "text": text.doprint,
        "tex": tex.doprint,
        "partial": lambda pair: partial_text(text, *pair),
        "tpartial": lambda pair: partial_tex(tex, *pair),
        "text_sum": text_sum,
        "tex_sum": lambda exprs: " ".join(layout.signed_pieces(tex.doprint, exprs)),
        "escape": escape_tex,
        "code_words": code_words,
        "sentence": sentence,
        "tex_words": lambda parts: words(parts, escape_tex, lambda e: f"${tex.doprint(e)}$"),
        "md_words": lambda parts: words(parts, str, lambda e: f"${tex.doprint(e)}$"),
    }


CODE = ("sympy.diff",)  # names of code that a proof's statement mentions


POWER_OF_TEN = re.compile(r"\b10\\textasciicircum\{\}(-?\d+)")  # a proof's "10^-210", once escaped


def code_words(text: str) -> str:
    """Prose for LaTeX: escaped, with each name of code in typewriter type and a power of ten as mathematics."""
    out = escape_tex(text)
    for name in CODE:
        out = out.replace(escape_tex(name), rf"\texttt{{{escape_tex(name)}}}")
    return POWER_OF_TEN.sub(r"$10^{\1}$", out)


def sentence(text: str) -> str:
    """A sentence begun with a capital letter, the rest left as it is (Jinja's capitalize lowercases it)."""
    return text[:1].upper() + text[1:]


def factor_text(printer: Callable[[sp.Expr], str], paren: Callable[[str], str], value: sp.Expr, first: bool) -> str:
    """One factor of a product written out: in parentheses when it is a sum (of terms, or a Σ, signed or
    not), and when it is negative and not the first factor."""
    text = printer(value)
    summed = isinstance(value, (sp.Add, sp.Sum)) or (
        isinstance(value, sp.Mul) and any(isinstance(a, sp.Sum) for a in value.args)
    )
    return paren(text) if summed or (not first and text.startswith("-")) else text


def plain_paren(text: str) -> str:
    return f"({text})"


def words(parts: Sequence[str | sp.Basic], prose: Callable[[str], str], math: Callable[[sp.Basic], str]) -> str:
    """A sentence of prose and mathematics (SymPy parts), each part laid out by its own function."""
    return "".join(math(p) if isinstance(p, sp.Basic) else prose(p) for p in parts)


def number(value: float) -> str:
    """A number as a worked example prints it: six significant digits, no exponent for ordinary sizes."""
    text = f"{value:.6g}"
    return "0" if text == "-0" else text


def number_product(values: Sequence[float], sep: str = " · ") -> str:
    """Numbers multiplied, as a worked example writes them: a negative one after the first in parentheses."""
    return sep.join(f"({number(v)})" if n and number(v).startswith("-") else number(v) for n, v in enumerate(values))


def number_sum(values: Sequence[float]) -> str:
    """Numbers added with their own signs: "0.1 - 0.2", never "0.1 + -0.2"."""
    pieces = [number(v) for v in values]
    return pieces[0] + "".join(f" - {p[1:]}" if p.startswith("-") else f" + {p}" for p in pieces[1:])
