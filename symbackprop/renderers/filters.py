"""Template filters: SymPy's printers in the network's notation, and plain-text escaping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from ..network import Network
from ..printing import partial_tex, partial_text, printers
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
            return f"{left}{printer(e)}{right}" if isinstance(e, (sp.Add, sp.Mul)) else printer(e)

        return lambda exprs: sep.join(factor(e) for e in exprs)

    return {
        "text_product": product(text.doprint, " · ", "(", ")"),
        "tex_product": product(tex.doprint, r" \cdot ", r"\left(", r"\right)"),
        "text": text.doprint,
        "tex": tex.doprint,
        "partial": lambda pair: partial_text(text, *pair),
        "tpartial": lambda pair: partial_tex(tex, *pair),
        "text_sum": joined(text.doprint, " + "),
        "tex_sum": joined(tex.doprint, " + "),
        "escape": escape_tex,
    }
