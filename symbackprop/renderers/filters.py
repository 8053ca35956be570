"""Template filters: SymPy's printers in the network's notation, and plain-text escaping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from ..derivation import Derivation, Factor
from ..network import Network
from ..printing import partial_tex, partial_text, printers
from . import layout
from .escape import escape_tex


def filters_for(net: Network) -> dict[str, Callable[..., Any]]:
    """``text``/``tex`` print an expression; ``partial``/``tpartial`` print d(of)/d(wrt)."""
    text, tex = printers(net.notation, net.layers)

    def joined(printer: Callable[[sp.Expr], str], sep: str) -> Callable[[Sequence[sp.Expr]], str]:
        return lambda exprs: sep.join(printer(e) for e in exprs)

    def product(
        printer: Callable[[sp.Expr], str], sep: str, left: str, right: str
    ) -> Callable[[Sequence[sp.Expr]], str]:
        def factor(e: sp.Expr) -> str:
            return f"{left}{printer(e)}{right}" if isinstance(e, (sp.Add, sp.Sum)) else printer(e)

        return lambda exprs: sep.join(factor(e) for e in exprs)

    def lines(expr: sp.Expr, width: int = layout.LINE_WIDTH) -> list[str]:
        """A formula split into displayed lines: between the terms of a sum, else between factors."""
        pieces = layout.sum_pieces(tex.doprint, expr, tex._as_ordered_terms)
        if len(pieces) == 1 and layout.visible_length(pieces[0]) > width:
            pieces = layout.product_pieces(tex.doprint, expr)
        return layout.pack(pieces, width)

    def term_lines(terms: Sequence[sp.Expr], width: int = layout.LINE_WIDTH) -> list[str]:
        """Terms written out one by one (0 included), split into displayed lines."""
        pieces = [tex.doprint(t) if n == 0 else "+ " + tex.doprint(t) for n, t in enumerate(terms)]
        return layout.pack([p.replace("+ -", "- ") for p in pieces], width)

    def in_a(f: Factor) -> sp.Expr | None:
        """An activation's derivative written with its output, where a text does (sigmoid: a(1 - a))."""
        return net.activation_prime_in_a(int(f.of.indices[0]), f.of.indices[1])

    def inline_partial(f: Factor) -> str:
        """d(of)/d(wrt) with a slash, for running text."""
        return rf"\partial {tex.doprint(f.of)}/\partial {tex.doprint(f.wrt)}"

    def chain(printer: Callable[[sp.Expr], str], sep: str, left: str, right: str) -> Callable[[Derivation], str]:
        """A chain's factors in the order they were worked; a one-path hidden factor as its own chain."""

        def factor(f: Factor) -> str:
            sub = f.deferred
            if sub is not None and not sub.sum_over and len(sub.chains) == 1:
                return f"{left}{show(sub)}{right}"
            value = f.compact
            return f"{left}{printer(value)}{right}" if isinstance(value, (sp.Add, sp.Sum)) else printer(value)

        def show(x: Derivation) -> str:
            return sep.join(factor(f) for f in x.pattern_factors())

        return show

    return {
        "text_chain": chain(text.doprint, " · ", "(", ")"),
        "tex_chain": chain(tex.doprint, r" \cdot ", r"\left(", r"\right)"),
        "inline_partial": inline_partial,
        "in_a": in_a,
        "number": number,
        "chain_product": lambda chain: number(chain[0]),
        "tex_lines": lines,
        "tex_term_lines": term_lines,
        "fits": layout.fits,
        "text_product": product(text.doprint, " · ", "(", ")"),
        "tex_product": product(tex.doprint, r" \cdot ", r"\left(", r"\right)"),
        "text": text.doprint,
        "tex": tex.doprint,
        "partial": lambda pair: partial_text(text, *pair),
        "tpartial": lambda pair: partial_tex(tex, *pair),
        "text_sum": joined(text.doprint, " + "),
        "escape": escape_tex,
        "tex_words": lambda parts: words(parts, escape_tex, lambda e: f"${tex.doprint(e)}$"),
        "md_words": lambda parts: words(parts, str, lambda e: f"${tex.doprint(e)}$"),
    }


def words(parts: Sequence[str | sp.Basic], prose: Callable[[str], str], math: Callable[[sp.Basic], str]) -> str:
    """A sentence of prose and mathematics (SymPy parts), each part laid out by its own function."""
    return "".join(math(p) if isinstance(p, sp.Basic) else prose(p) for p in parts)


def number(value: float) -> str:
    """A number as a worked example prints it: six significant digits, no exponent for ordinary sizes."""
    text = f"{value:.6g}"
    return "0" if text == "-0" else text
