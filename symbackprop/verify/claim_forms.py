"""Marks the texts put on a letter: ``\\hat{y}`` for the network's output (ŷ_j is a_j^{(L)}), ``\\dot\\sigma`` for
an activation's derivative (Newton's dot, as \\sigma' is Lagrange's prime)."""

from __future__ import annotations

import sympy as sp

from ..model.symbols import A, Y
from ..syntax.tree import Node, Scripted
from .claim_nodes import split
from .claim_reading import ReaderBase, Reading

MARKS = ("\\hat", "\\dot")


class Forms(ReaderBase):
    """A mark and the letter it is on, read as the quantity it stands for."""

    def marked(self, mark: str, node: Node, at: Reading) -> tuple[sp.Expr | None, Node | None]:
        """ŷ as the output's a (the value, None); σ̇ as σ' (None, the primed node, read on as a function)."""
        if mark == "\\dot":
            base, scripts = split(node)
            return None, Scripted(node.start, node.end, base, (*scripts, ("'", None)))
        base, scripts = split(node)  # \hat{y}_j: the subscript is on the braces
        value = self.expr(Scripted(node.start, node.end, base, scripts) if scripts else base, at)
        outputs = {q: A[self.net.depth, q.indices[0]] for q in value.atoms(sp.Indexed) if q.base == Y}
        if not outputs:
            raise self.fail(
                node, f"\\hat marks the network's output: write \\hat{{y}}, not \\hat{{{self.quote(node)}}}"
            )
        return value.xreplace(outputs), None
