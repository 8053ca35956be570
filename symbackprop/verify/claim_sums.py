"""Sums in a claim: \\sum over a layer's neurons or over the samples of a batch, with its letter, its limits (n
stands for the summed layer's size, or for the number of samples), and sums written out with \\cdots standing
for the terms left out."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import sympy as sp

from ..model.partial import Partial
from ..model.symbols import SAMPLES, SampleCost
from ..syntax.tree import Binary, Binding, Group, Name, Node, Num, Product, Range
from . import claim_dots
from .claim_limits import MAX_SUM_TERMS, evaluated
from .claim_nodes import is_name, leads_with_dots, unbrace
from .claim_reading import ReaderBase, Reading
from .claim_scope import Index


class Sums(ReaderBase):
    """Sums over neurons and over samples, and sums written out term by term."""

    def summation(self, head: Node, scripts: tuple, body: list[Node], at: Reading) -> sp.Expr:
        """\\sum_{j=0}^{n-1} body: j runs over the neurons of the layer the body indexes with it.

        Also \\sum_{0 \\leq j \\leq 3} and \\sum_{\\substack{...}} with one range per row (a double sum).
        """
        if not body:
            raise self.fail(head, "the sum has nothing to sum")
        sub = [s for m, s in scripts if m == "_"]
        sup = [s for m, s in scripts if m == "^"]
        if len(sub) != 1 or len(sup) > 1:
            raise self.fail(head, "write the summed index under the sum, as in \\sum_{j} or \\sum_{j=0}^{n-1}")
        ranges = self.sum_ranges(head, unbrace(sub[0]))
        if sup and (len(ranges) > 1 or ranges[0][2] is not None):
            raise self.fail(head, "give the sum's upper limit once, either above it or in its subscript")
        indices: list[Index] = []
        for letter_node, _, _ in ranges:
            letter = letter_node.name
            if letter in self.scope and self.scope[letter].free:
                raise self.fail(letter_node, f"{letter} is the left-hand side's own index; sum over another letter")
            if letter in self.scope or letter in (i.symbol.name for i in indices):
                raise self.fail(letter_node, f"{letter} is already summed over")
            indices.append(Index(sp.Symbol(letter, integer=True)))
        self.scope.open(indices)
        try:  # the letters are the sum's own, in force for its body only, however the reading ends
            shown = self.product(body, at)
            if self.per_sample(indices, at):  # \frac{1}{n}\sum_x a^{L-1}_k (a^L_j - y_j): one sample's term, summed
                self.sample_terms.append((shown, Node(head.start, body[-1].end)))
                indices[0].samples = True
                shown = Partial(SampleCost(indices[0].symbol), self.sample_wrt)
            for index, (_, first, last) in zip(indices, ranges, strict=True):
                last = last if last is not None else (sup[0] if sup else None)
                if index.samples:
                    self.set_sample_range(head, index, first, last, at)
                else:
                    self.set_range(head, index, first, last, at)
            self.scope.check_uses()
        finally:
            self.scope.close(indices)
        return sp.Sum(shown, *((i.symbol, i.first, i.last) for i in indices))

    def per_sample(self, indices: list[Index], at: Reading) -> bool:
        """A sum in a claim about the mean cost whose letter indexes nothing and names no sample's cost: a sum over
        the samples of one sample's term, written in that sample's a, z, w and y (Nielsen's (1/n) sum_x)."""
        one = indices[0] if len(indices) == 1 else None
        return at.mean and self.sample_wrt is not None and one is not None and not one.runs_over and not one.samples

    def sum_ranges(self, head: Node, sub: Node) -> list[tuple[Name, Node | None, Node | None]]:
        """The summed letters in a sum's subscript, each with its written first and last value (or None)."""
        if isinstance(sub, Product) and is_name(sub.factors[0], "\\substack") and len(sub.factors) == 2:
            rows = sub.factors[1].items if isinstance(sub.factors[1], Group) else ()
            return [self.sum_range(head, row) for row in rows] or [self.sum_range(head, sub)]
        return [self.sum_range(head, sub)]

    def sum_range(self, head: Node, node: Node) -> tuple[Name, Node | None, Node | None]:
        letter, first, last = node, None, None
        if isinstance(node, Binding):
            letter, first = node.name, node.value
        elif isinstance(node, Range):
            letter, first, last = node.name, node.low, node.high
            if node.strict[0]:
                first = Binary(first.start, first.end, "+", first, Num(first.end, first.end, "1"))
            if node.strict[1]:
                last = Binary(last.start, last.end, "-", last, Num(last.end, last.end, "1"))
        if not isinstance(letter, Name) or len(letter.name) != 1 or not letter.name.isalpha():
            raise self.fail(head, "the summed index must be one letter, as in \\sum_{j} or \\sum_{0 \\leq j \\leq 3}")
        return letter, first, last

    def set_range(self, head: Node, index: Index, first: Node | None, last: Node | None, at: Reading) -> None:
        """The letter's range: as written, else the neurons of the layer it indexes (n is that layer's size).

        Where it indexes layers of different sizes (a_j^{(L)} and w_{1j}^{(L)}), the smallest, so every
        term exists whichever factor is written first: products commute.
        """
        if not index.runs_over:
            raise self.fail(head, f"nothing in the sum is indexed by {index.symbol}")
        base = self.net.spec.index_base
        layer = min(index.runs_over, key=lambda at: (self.net.layers[at], index.runs_over.index(at)))
        index.layer = layer
        limits = replace(at, limit_layer=layer)
        index.first = self.integer(first, limits) if first is not None else base
        index.last = self.integer(last, limits) if last is not None else base + self.net.layers[layer] - 1
        if index.last - index.first + 1 > MAX_SUM_TERMS:
            raise self.fail(head, f"the sum has more than {MAX_SUM_TERMS} terms")

    def set_sample_range(self, head: Node, index: Index, first: Node | None, last: Node | None, at: Reading) -> None:
        """A sum over the samples (its body takes C_i): from 0, or as written, to the n-th sample by default.

        Its limits may use n, the number of samples, as in \\sum_{i=0}^{n-1} or \\sum_{i=1}^{n}.
        """
        if index.runs_over:
            raise self.fail(head, f"{index.symbol} numbers the samples (C_{index.symbol}) and neurons at once")
        low = self.sample_bound(first, at) if first is not None else sp.Integer(0)
        high = self.sample_bound(last, at) if last is not None else low + SAMPLES - 1
        count = sp.expand(high - low + 1)
        slope = count.coeff(SAMPLES)
        if slope < 0 or (slope == 0 and count < 0):  # below its first value for every large n
            raise self.fail(head, "this sum over the samples runs backwards: its last value is below its first")
        index.first, index.last = low, high

    def sample_bound(self, node: Node, at: Reading) -> sp.Expr:
        """A limit of a sum over the samples: a whole number, or n plus or minus one (n the number of samples)."""
        value = sp.expand(evaluated(self.expr(node, replace(at, sample_limit=True))))
        poly = value.as_poly(SAMPLES) if value.free_symbols <= {SAMPLES} else None
        if poly is None or poly.degree() > 1 or not all(c.is_Integer for c in poly.all_coeffs()):
            raise self.fail(node, f"'{self.quote(node)}' is not a sample's number; write 0, 1, n - 1 or n")
        return value

    def integer(self, node: Node, at: Reading) -> int:
        value = evaluated(self.expr(node, at))
        if not (isinstance(value, sp.Integer) or (isinstance(value, sp.Rational) and value.q == 1)):
            raise self.fail(node, f"'{self.quote(node)}' is not a whole number")
        return int(value)

    def with_dots(self, node: Node, terms: list[tuple[str, Node]], at: Reading) -> sp.Expr:
        """A written-out sum with \\cdots standing for terms left out: each filled in from the terms around it."""
        items: list[tuple[sp.Expr, Node, str] | tuple[Node, str]] = []  # a term (bound, node, sign), or the dots
        for op, term in terms:
            if leads_with_dots(term):
                items.append((term.factors[0] if isinstance(term, Product) else term, op))
                if not isinstance(term, Product):
                    continue
                rest = term.factors[1:]  # + \cdots 0: the dots, then the last term
                term = rest[0] if len(rest) == 1 else Product(rest[0].start, rest[-1].end, rest)
            value = self.expr(term, at)
            items.append((sp.Mul(-1, value, evaluate=False) if op == "-" else value, term, op))
        out: list[sp.Expr] = []
        for k, item in enumerate(items):
            if len(item) == 3:
                out.append(item[0])
                continue
            out.extend(self.filled_in(items, k))
        return self.bounded(node, sp.Add(*out, evaluate=False))

    def filled_in(self, items: list, k: int) -> list[sp.Expr]:
        """The terms the dots at ``items[k]`` leave out, from the terms written around them."""
        dots, sign = items[k]
        before, after = items[k - 1] if k else None, items[k + 1] if k + 1 < len(items) else None
        if before is None or len(before) != 3 or after is None or len(after) != 3:
            raise self.fail(
                dots,
                f"{self.quote(dots)} stands for the terms left out between the term before it and the one after; "
                "write both, as in w_{10} a_0 + w_{11} a_1 + \\cdots + w_{15} a_5",
            )
        if sign != after[2]:  # the terms left out take the sign written before each term of the pattern
            raise self.fail(
                dots,
                f"the sign before {self.quote(dots)} is {sign}, but the term after it, '{self.quote(after[1])}', "
                f"is written with {after[2]}: the terms left out take the sign of the terms around them, so "
                f"write {after[2]} {self.quote(dots)} {after[2]}",
            )
        earlier = items[k - 2] if k >= 2 and len(items[k - 2]) == 3 else None
        try:
            return claim_dots.filled(before[0], after[0], earlier[0] if earlier else None)
        except claim_dots.EarlierDoesNotFit as err:
            earlier = cast(tuple, earlier)  # filled raises this only about an earlier term it was given
            raise self.fail(
                earlier[1],
                f"'{self.quote(earlier[1])}' does not fit the pattern of '{self.quote(before[1])}' and "
                f"'{self.quote(after[1])}' around {self.quote(dots)}: {err}",
            ) from None
        except claim_dots.NotInferred as err:
            raise self.fail(
                dots,
                f"the terms {self.quote(dots)} leaves out cannot be inferred from '{self.quote(before[1])}' "
                f"before it and '{self.quote(after[1])}' after it: {err}",
            ) from None
