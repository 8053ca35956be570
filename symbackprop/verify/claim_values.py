"""Derivatives in a claim and the value of a side: \\frac{\\partial C_0}{\\partial w} read as a derivative,
\\frac{\\partial}{\\partial x}(E) as an operator on what follows it, and each side's value with its sums over
neurons written out and each derivative worked out by sympy.diff of the cost (never by the derivation under test).
"""

from __future__ import annotations

from typing import cast

import sympy as sp

from ..base.errors import SpecError
from ..model.network import Network
from ..model.partial import Partial
from ..model.printing import printers
from ..model.references import check, ref_of
from ..model.symbols import C0, MEAN_COST, SAMPLES, A, ActivationSecondBase, B, SampleCost, W, Z
from ..syntax.errors import ClaimError
from ..syntax.tree import Frac, Node
from . import batch
from .claim_limits import TooLarge, evaluated, expand_sums
from .claim_nodes import after_mark, is_mark, needs_body
from .claim_reading import Operator, ReaderBase, Reading
from .claim_scope import without_beyond

BEYOND_FIRST = (ActivationSecondBase, sp.DiracDelta, sp.Derivative, sp.Subs)  # d/dz of g'(z), of a step


class Values(ReaderBase):
    """Derivatives as written, and the value each side of the claim has."""

    def derivative(self, numerator: Node, denominator: Node, at: Reading) -> Partial | None:
        """\\frac{\\partial C_0}{\\partial w} or \\frac{dC_0}{dw} as a Partial; None if not a derivative."""
        top, bottom = after_mark(numerator), after_mark(denominator)
        if top is None and bottom is None:
            return None
        if bottom is not None and is_mark(numerator):  # an operator with nothing after it to differentiate
            raise self.fail(numerator, needs_body(self.quote(bottom)))
        if top is None or bottom is None:
            raise self.fail(
                numerator,
                "a derivative needs \\partial (or d) above and below, as in \\frac{\\partial C_0}{\\partial w}",
            )
        of = self.expr(top, at)
        costs = of in (C0, MEAN_COST) or isinstance(of, SampleCost)
        if not (costs or (isinstance(of, sp.Indexed) and of.base in (A, Z))):
            raise self.fail(top, f"'{self.quote(top)}': a derivative of the cost, an activation or a z is understood")
        partial = Partial(of, self.variable(bottom, at))
        self.wrt_nodes.setdefault(partial, bottom)
        return partial

    def operator(self, head: Frac, body: list[Node], at: Reading) -> Operator:
        """\\frac{\\partial}{\\partial a_1^{(L)}} and ``body``, what it differentiates: the bracketed group
        right after it, else every factor after it (product() decides which)."""
        bottom = cast(Node, after_mark(head.denominator))  # an operator's head: is_operator found the mark
        wrt = self.variable(bottom, at)
        if not body:
            raise self.fail(head, needs_body(self.quote(bottom)))
        of = self.product(body, at)
        if of.has(Partial):
            raise self.fail(body[0], "a derivative inside \\frac{\\partial}{\\partial x}(...) is not understood")
        partial = Operator(of, wrt)
        self.wrt_nodes.setdefault(partial, bottom)
        return partial

    def variable(self, node: Node, at: Reading) -> sp.Indexed:
        """What a derivative is taken with respect to: a weight, a bias, an a or a z."""
        wrt = self.expr(node, at)
        if not (isinstance(wrt, sp.Indexed) and wrt.base in (A, Z, W, B)):
            raise self.fail(node, f"'{self.quote(node)}': differentiate with respect to a weight, bias, a or z")
        return wrt

    def written_out(self, shown: sp.Expr, node: Node) -> sp.Expr:
        """``shown`` with its sums over neurons written out, or a ClaimError at ``node`` when that is too large."""
        try:
            return expand_sums(shown)
        except TooLarge as err:
            raise self.fail(node, str(err)) from None

    def value_of(self, shown: sp.Expr, node: Node) -> sp.Expr:
        """Sums written out, and each derivative replaced by sympy.diff of what it differentiates."""
        expanded = evaluated(self.written_out(shown, node))
        if self.scope.lenient:  # a term of a neuron the layer lacks is absent (claim_mistakes)
            expanded = without_beyond(self.net, expanded)
        partials = {p: partial_value(self.net, p.of, p.wrt, node.start + 1) for p in expanded.atoms(Partial)}
        for p, value in partials.items():
            if value.has(*BEYOND_FIRST):
                raise self.fail(
                    node,
                    f"{self.derivative_words(p)} is a second derivative (of an activation, or of a step such as "
                    "\\mathbb{1}[z > 0]), which is not supported",
                )
        value = expanded.xreplace(partials).xreplace({C0: self.net.cost_definition()})  # C_0 itself: the cost
        return self.bounded(node, value)

    def derivative_words(self, p: Partial) -> str:
        """A derivative in the claim's words, for messages: where its variable is written."""
        where = self.wrt_nodes.get(p)
        return f"the derivative with respect to {self.quote(where)}" if where is not None else "a derivative"

    def mean_value_of(self, shown: sp.Expr, node: Node) -> sp.Expr:
        """A side of a claim about the mean cost: sums over the samples kept, each sample's derivative a
        number of its own (C_0 alone is sample 0's, C_1 sample 1's), and nothing else of the network."""
        value = evaluated(self.written_out(shown, node))
        others = [p for p in value.atoms(Partial) if not isinstance(p.of, SampleCost)]
        plain = value.xreplace({p: sp.Dummy() for p in value.atoms(Partial)})
        stray = plain.has(SampleCost) or plain.free_symbols - {SAMPLES, *plain.atoms(sp.Dummy)}
        if others or plain.atoms(sp.Indexed) or stray:
            raise self.fail(
                node,
                "a claim about the mean cost C is written in n and the samples' derivatives, as in "
                "\\frac{1}{n}\\sum_{i=0}^{n-1}\\frac{\\partial C_i}{\\partial w}; a, z, w and y belong to one sample",
            )
        try:
            batch.check_linear(value)
        except batch.NotUnderstood as err:
            raise self.fail(node, str(err)) from None
        return value


def partial_value(net: Network, of: sp.Expr, wrt: sp.Indexed, position: int | None = None) -> sp.Expr:
    """d(of)/d(wrt) by sympy.diff of ``of`` written down to ``wrt``'s layer (the textbook's named functions kept).

    ``of`` is C_0, an a or a z, or (from \\frac{\\partial}{\\partial x}(...)) an expression, whose
    a's and z's after ``wrt``'s layer are written down to it, so d/dz (a - y)^2 goes through a = g(z).
    """
    ref = ref_of(wrt)
    try:
        check(ref, net.spec, printers(net.notation, net.layers)[1].doprint(wrt))
    except SpecError as err:
        raise ClaimError(str(err), position) from None
    if of == C0:
        return sp.diff(net.composed_cost(ref, concrete=None), wrt)
    mapping = net.forward_map(ref, concrete=None)
    if isinstance(of, sp.Indexed):
        return sp.diff(mapping.get(of, of), wrt)
    written = evaluated(of).xreplace({C0: net.cost_definition()}).xreplace(mapping)
    return sp.diff(written, wrt)
