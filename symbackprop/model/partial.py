"""d(of)/d(wrt) kept whole, for formulas that state a derivative rather than work it out."""

from __future__ import annotations

import sympy as sp

from .printing import partial_tex, partial_text


class Partial(sp.Expr):
    """The derivative of ``of`` with respect to ``wrt``, printed in Leibniz form in the network's notation."""

    @property
    def of(self) -> sp.Expr:
        return self.args[0]

    @property
    def wrt(self) -> sp.Expr:
        return self.args[1]

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return partial_tex(printer, self.of, self.wrt)

    def _symbackprop_text(self, printer: sp.printing.str.StrPrinter) -> str:
        return partial_text(printer, self.of, self.wrt)
