"""A claim's syntax tree bound to one network: its letters become that network's quantities.

a_1^{(L)} is neuron 1's activation in the output layer, \\sigma' the derivative of the
layer's activation, g^{(l)} a layer's generic activation, n the size of the layer a summed
index runs over, \\delta_j^{(l)} the error dC_0/dz_j^{(l)} where the notation defines it,
and \\frac{\\partial C_0}{\\partial a_1^{(L)}} that derivative, computed here by sympy.diff
of the cost, never by the derivation under test. A letter that means nothing in this network
is a ClaimError naming it and its position.

The reader is split by concern, one class per module: arithmetic (the visitor's dispatch), functions, letters,
sums and values, over a shared base (claim_reading) that holds the scope of the index letters (claim_scope);
free indices are in claim_cases, size limits in claim_limits, the shapes of nodes in claim_nodes. This module
reads a whole claim: its leading derivative, its sides, and what the claim is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import cast

import sympy as sp

from ..base.errors import SpecError
from ..model.network import Network
from ..model.partial import Partial
from ..model.references import Ref, ref_of
from ..model.symbols import C0, MEAN_COST, A, B, SampleCost, W, Y, Z
from ..syntax.errors import ClaimError
from ..syntax.tree import Claim, Node
from . import batch, claim_vectors
from .claim_arithmetic import Arithmetic
from .claim_cases import MAX_CASES, Case, Free, case_values, cases, count, generalize
from .claim_forms import Forms
from .claim_functions import Functions
from .claim_letters import Letters
from .claim_limits import evaluated
from .claim_nodes import (
    in_left_hand_side,
    is_application,
    is_delta,
    is_derivative,
    mentions_bare_cost,
    speaks_of_samples,
    sums_over_samples,
)
from .claim_reading import Operator, Reading
from .claim_scope import Index, OutOfRange
from .claim_sums import Sums
from .claim_values import Values, partial_value

ONE_SAMPLE = (
    "C was read as {0}, the cost of one sample, since the claim speaks of no samples (no C_i, no sum over them)"
)


@dataclass(frozen=True)
class Side:
    """One side of the claim that must equal the derivative: ``A`` in ``dC_0/dw = A = B``."""

    index: int  # which side it is, 1-based, counting every side written (a leading derivative too)
    text: str  # as written
    position: int  # where it starts, 1-based
    shown: sp.Expr  # as read: Sums kept, derivatives as Partial, free indices as letters
    values: tuple[sp.Expr, ...]  # for each case of the free indices: sums written out, derivatives worked out

    @property
    def value(self) -> sp.Expr:
        """The value in the first case (the only one without free indices), in a, z, w, b, y and g'."""
        return self.values[0]


@dataclass(frozen=True)
class BoundClaim:
    """A claim read against a network: what its left-hand side names, and each side that must equal it."""

    wrt: Ref | None  # from a leading \frac{\partial C_0}{\partial w_{12}^{(L)}} = (None with a free index in it)
    sides: tuple[Side, ...]  # in the order written; the claim is right only if every one is
    count: int  # how many sides were written, the leading derivative included
    wrt_text: str | None = None  # the leading derivative's w_{12}^{(L)}, as written
    wrt_position: int | None = None  # where that stands, 1-based
    of: sp.Expr | None = None  # what the leading derivative differentiates: C_0, an a, a z, the mean cost C, or E
    wrt_symbol: sp.Expr | None = None  # with respect to what, free indices kept as letters
    free: tuple[Free, ...] = ()
    cases: tuple[Case, ...] = ((),)  # each assignment of the free indices
    first_sample: int = 0  # how a claim about the mean cost numbers its samples: from 0 or from 1
    reference: tuple[sp.Expr, ...] | None = None  # a chain led by d/dx(E), E no quantity: its first side, per case
    notes: tuple[tuple[str, tuple[sp.Expr, ...]], ...] = ()  # how the claim was read: words with {0} slots
    rewritten: tuple[tuple[sp.Expr, sp.Expr], ...] = ()  # a weight read with its indices swapped, and as written
    strays: tuple[Free, ...] = ()  # letters only the right-hand side has, no sum binding them (claim_mistakes)
    beyond: tuple[str, ...] = ()  # read leniently: what names a neuron its layer lacks (an index a letter takes)
    sample_terms: tuple[tuple, ...] = ()  # one sample's term of a sum over the samples: shown, text, where, values
    mismatch: str | None = None  # a vector claim whose shapes fit in neither layout: why, with its place
    mismatch_position: int | None = None
    repairs: Callable[[], Iterator[claim_vectors.Repair]] | None = None  # a vector claim with one mistake put right
    projection: claim_vectors.Projection | None = None  # a vector claim with too many entries to decide one by one

    @property
    def shown(self) -> sp.Expr:
        return self.sides[-1].shown

    @property
    def value(self) -> sp.Expr:
        return self.sides[-1].value


def bind(
    net: Network,
    claim: Claim,
    text: str,
    swapped: frozenset[int] = frozenset(),
    layer: int | None = None,
    lenient: bool = False,
) -> BoundClaim:
    """Read a parsed claim against ``net``.

    With several sides (``dC_0/dw = chain = result``), a leading derivative of C_0 names the
    derivative claimed and every other side is a claim of its own; without one, every side is.
    ``swapped``: where weights start whose two indices are read the other way round (verify tries
    that for a weight the network does not have). ``layer``: the layer the letter l stands for (claim_layers).
    """
    if claim_vectors.is_vector_claim(net, claim, layer):
        return vector_claim(claim_vectors.read(net, claim, None if layer is None else {"l": layer}))
    binder = _Binder(net, claim.text or text, swapped, layer)
    binder.scope.lenient = lenient  # a letter's index past its layer read as no neuron's, 0 (claim_mistakes)
    binder.again = lambda chosen: _on_cases(net, claim, text, swapped, layer, lenient, chosen)
    try:
        return binder.claim(claim)
    except SpecError:
        raise
    except (OverflowError, ValueError):  # SymPy arithmetic on numbers the checks let through
        raise ClaimError("the numbers in the claim are too large to work with", claim.start + 1) from None


def _on_cases(
    net: Network, claim: Claim, text: str, swapped: frozenset[int], layer: int | None, lenient: bool, chosen: tuple
) -> BoundClaim:
    """The claim read again on the cases ``chosen`` alone (an element claim past MAX_CASES, narrowed by the
    projection to the entry it found wrong and a few others), each decided as a small claim's are."""
    binder = _Binder(net, claim.text or text, swapped, layer)
    binder.scope.lenient = lenient
    binder.chosen = chosen
    return binder.claim(claim)


def vector_claim(reading: claim_vectors.MatrixReading) -> BoundClaim:
    """A claim in vector or matrix notation (claim_vectors), as a claim on each entry: one case per entry."""
    return BoundClaim(
        None,
        tuple(Side(*side) for side in reading.sides),
        reading.count,
        reading.wrt_text,
        reading.wrt_position,
        reading.of,
        reading.wrt_symbol,
        reading.free,
        reading.cases,
        reading.first_sample if reading.of == MEAN_COST else 0,
        notes=reading.notes,
        mismatch=reading.mismatch,
        mismatch_position=reading.mismatch_position,
        repairs=reading.repairs,
        projection=reading.projection,
    )


def read_alone(net: Network, claim: Claim, text: str, node: Node, letter: str, variable: sp.Symbol) -> sp.Expr:
    """One expression of a claim with ``letter`` read as the plain ``variable``, no quantity of the network: a
    claim about an activation as a function (claim_identity)."""
    binder = _Binder(net, claim.text or text)
    binder.plain = (letter, variable)
    return evaluated(binder.expr(node, Reading()))


class _Binder(Values, Sums, Letters, Functions, Forms, Arithmetic):
    """The whole claim: its leading derivative (what is claimed), then each side, read for each case."""

    chosen: tuple[Case, ...] | None = None  # read on these cases only (the projection's narrowing)
    again: Callable[[tuple[Case, ...]], BoundClaim] | None = None

    def claim(self, claim: Claim) -> BoundClaim:
        nodes = claim.sides
        leading = len(nodes) > 1 and (is_derivative(nodes[0]) or is_delta(nodes[0]))  # \delta^l_j = ...
        applied = len(nodes) > 1 and not leading and is_application(nodes[0])
        letter = self.net.notation.cost_symbol.partition("_")[0]  # C, or Goodfellow's J
        one_sample = (
            mentions_bare_cost(nodes, letter) and not speaks_of_samples(nodes, letter) and not sums_over_samples(nodes)
        )
        cost = C0 if one_sample else MEAN_COST
        # j in \frac{\partial z_j^{(L)}}{...} = ...: a letter no sum binds is free, checked for every j
        head = self.expr(nodes[0], Reading(free=leading or applied, cost=cost))
        free = tuple(self.close_free(nodes[0], index) for index in self.scope.free)
        mean = leading and isinstance(head, Partial) and head.of == MEAN_COST
        at = Reading(mean=mean, cost=cost)
        self.sample_wrt = head.wrt if mean else None  # a sum over the samples of one sample's term (claim_sums)
        read = [(nodes[0], head)] + [(node, self.one_sample_sum(node, at)) for node in nodes[1:]]
        strays = tuple(self.close_free(nodes[-1], index) for index in self.scope.strays)  # k only on the right
        free += strays
        wrt_node, first = None, 1
        if leading:
            self.check_head(nodes[0], head)
            wrt_node, first = self.wrt_nodes[head], 2
        elif applied:
            wrt_node = self.wrt_nodes[head]
        self.scope.check_uses()  # the left-hand side's indices too: w_{92}^{(L)} is named as written, with its place
        projectable = leading and not mean and not strays and not self.sample_terms and _one_layer(head, free)
        all_cases = self.cases(nodes[0], free, projectable)
        if len(all_cases) > MAX_CASES and self.chosen is None:  # decided at once, as a large matrix claim is
            return self.projected(nodes, head, read, free, all_cases)
        of = head.of if wrt_node is not None else None
        reference: tuple | None = None
        notes: tuple = ()
        if applied:
            of, reference, notes = self.applied_head(nodes[0], head, all_cases, at)
            first = 1 if reference is None else 2
        if one_sample:
            notes = (*notes, (ONE_SAMPLE, (C0,)))
        notes = (*notes, *self.readings)
        sides = tuple(
            Side(
                i,
                self.quote(node),
                node.start + 1,
                shown,
                tuple(self.side_value(shown, node, c, at) for c in all_cases),
            )
            for i, (node, shown) in enumerate(read[first - 1 :], start=first)
        )
        wrt_symbol = head.wrt if wrt_node is not None else None
        numbered = batch.numbering(v for side in sides for v in side.values) if mean else 0
        concrete = wrt_symbol is not None and all(i.is_Integer for i in wrt_symbol.indices)
        return BoundClaim(
            ref_of(wrt_symbol) if concrete else None,
            sides,
            len(read),
            self.quote(wrt_node) if wrt_node is not None else None,
            wrt_node.start + 1 if wrt_node is not None else None,
            of,
            wrt_symbol,
            free,
            all_cases,
            numbered,
            reference,
            notes,
            tuple(self.rewritten.items()),
            strays,
            tuple(message for _, message in self.scope.beyond),
            tuple(
                (
                    shown,
                    self.quote(node),
                    node.start + 1,
                    tuple(self.value_of(shown.xreplace(case_values(c)), node) for c in all_cases),
                )
                for shown, node in self.sample_terms
            ),
        )

    def applied_head(
        self, node: Node, head: Operator, all_cases: tuple, at: Reading
    ) -> tuple[sp.Expr, tuple | None, tuple]:
        """A chain led by \\frac{\\partial}{\\partial x}(E): what it is a derivative of, the first side's own
        values when that is nothing of the network's, and a note saying how it was read.

        E written out is compared with C_0's definition and each z's and a's (z_j^{(l)} = sum_k w_jk a_k + b_j,
        a_j^{(l)} = g(z_j^{(l)})): the seed's \\frac{\\partial}{\\partial a_1}(\\sum_j (a_j - y_j)^2) is the
        derivative of C_0. Otherwise every later side must equal the first, d/dx of E worked out.
        """
        bodies = [evaluated(self.written_out(head.of.xreplace(case_values(c)), node)) for c in all_cases]
        named = [self.named_by(body) for body in bodies]
        template = generalize(named, all_cases) if all(q is not None for q in named) else None
        if template is not None:
            itself = all(body == q for body, q in zip(bodies, named, strict=True))
            what = "{0}" if itself else "the definition of {0}"
            message = f"the first side differentiates {what}: the claim is read as {{1}}"
            return template, None, ((message, (template, Partial(template, head.wrt))),)
        values = self.values(head, node, all_cases, at)
        message = "{0} is no quantity of the network's; every later side must equal the first, worked out"
        return head.of, values, ((message, (head.of,)),)

    def named_by(self, body: sp.Expr) -> sp.Expr | None:
        """The quantity whose definition ``body`` is, written out: C_0, a z or an a; None if none is."""
        if body == C0 or (isinstance(body, sp.Indexed) and body.base in (A, Z)):
            return body  # \\frac{\\partial}{\\partial x} C_0: the quantity itself
        candidates: list[sp.Expr] = []
        atoms = body.atoms(sp.Indexed)
        if any(q.base == Y or (q.base == A and int(q.indices[0]) == self.net.depth) for q in atoms):
            candidates.append(C0)
        candidates += sorted({Z[q.indices[0], q.indices[1]] for q in atoms if q.base == W}, key=sp.default_sort_key)
        candidates += sorted({A[q.indices[0], q.indices[1]] for q in atoms if q.base == Z}, key=sp.default_sort_key)
        for quantity in candidates:
            if sp.expand(body - self.definition(quantity)) == 0:
                return quantity
        return None

    def definition(self, quantity: sp.Expr) -> sp.Expr:
        if quantity == C0:
            return self.net.cost_definition()
        layer, j = (int(i) for i in quantity.indices)
        if quantity.base == Z:
            return self.net.z_definition(layer, j)
        return self.net.a_definition(layer, j)

    def check_head(self, node: Node, head: sp.Expr) -> None:
        """The leading derivative names what is claimed: of C_0, the mean cost C, an a or a z."""
        if isinstance(head, Operator) or not isinstance(head, Partial):
            raise self.fail(
                node,
                "the left-hand side must be the derivative claimed, e.g. \\frac{\\partial C_0}{\\partial w_{12}^{(L)}}",
            )
        if head.of == MEAN_COST and head.wrt.base not in (W, B, A, Z):
            raise self.fail(node, "the mean cost is differentiated with respect to a weight, bias, a or z")

    def close_free(self, node: Node, index: Index) -> Free:
        """A free index's values: the neurons of the layer the left-hand side indexes with it."""
        self.set_range(node, index, None, None, Reading())
        # set_range has just given the letter the layer it indexes and that layer's neurons as its range
        return Free(index.symbol, cast(int, index.first), cast(int, index.last), cast(int, index.layer))

    def cases(self, node: Node, free: tuple[Free, ...], projectable: bool = False) -> tuple[Case, ...]:
        """Every assignment of the free indices, in order: j = 0, 1, ... (the first letter slowest); past
        MAX_CASES only for a claim the projection decides at once (one derivative of C_0 by a layer's w, b, a or
        z, its one or two indices free)."""
        if self.chosen is not None:
            return self.chosen
        total = count(free)
        if projectable and total <= MAX_PROJECTED:
            return cases(free)
        if total > MAX_CASES:
            raise self.fail(
                node,
                f"the free indices take {total} values together; at most {MAX_CASES} are checked one by one: write "
                "it for the whole vector or matrix, as in \\frac{\\partial C}{\\partial W^{(1)}} = \\delta^{(1)} "
                "(a^{(0)})^T, which is decided all at once at any size",
            )
        return cases(free)

    def projected(self, nodes: tuple, head: Partial, read: list, free: tuple, all_cases: tuple) -> BoundClaim:
        """A claim on every weight (bias, a or z) of a layer with more cases than are decided one by one: each
        right-hand side's entries as written, the free letters put in, for claim_projection to decide at once."""
        first = free[0].first
        second = free[1].first if len(free) > 1 else 0
        places = {c: (c[0][1] - first, c[1][1] - second if len(c) > 1 else 0) for c in all_cases}
        rows = max(r for r, _ in places.values()) + 1
        cols = max(k for _, k in places.values()) + 1
        sides = []
        for i, (node, shown) in enumerate(read[1:], start=2):
            entries = [sp.Integer(0)] * (rows * cols)
            for c in all_cases:
                row, col = places[c]
                entries[row * cols + col] = evaluated(self.written_out(shown.xreplace(case_values(c)), node))
            sides.append((i, self.quote(node), node.start + 1, shown, sp.ImmutableMatrix(rows, cols, entries)))
        assert self.again is not None
        projection = claim_vectors.Projection(head.wrt, all_cases, places, tuple(sides), self.again, len(read))
        wrt_node = self.wrt_nodes[head]
        return BoundClaim(
            None,
            (),
            len(read),
            self.quote(wrt_node),
            wrt_node.start + 1,
            head.of,
            head.wrt,
            free,
            all_cases,
            notes=tuple(self.readings),
            projection=projection,
        )

    def values(self, shown: sp.Expr, node: Node, all_cases: tuple[Case, ...], at: Reading) -> tuple[sp.Expr, ...]:
        """One side's value in each case of the free indices."""
        return tuple(self.side_value(shown, node, c, at) for c in all_cases)

    def one_sample_sum(self, node: Node, at: Reading) -> sp.Expr:
        """A side read, with at most one sum over the samples in it: each such sum is read as the mean's own sum of
        the samples' derivatives and its term checked against one sample's derivative, so two of them
        ((1/n) sum_i a_{k,i} - (1/n) sum_i y_{k,i}) would each be taken for the whole mean, and a right claim called
        incorrect. Such a side is refused, saying to write one sum."""
        before = len(self.sample_terms)
        value = self.expr(node, at)
        if len(self.sample_terms) - before > 1:
            raise self.fail(
                self.sample_terms[before + 1][1],
                "a second sum over the samples: write the mean over the samples as one sum of one sample's term, "
                "as in \\frac{1}{n}\\sum_i (a_{k,i} - y_{k,i})",
            )
        return value

    def side_value(self, shown: sp.Expr, node: Node, case: Case, at: Reading) -> sp.Expr:
        """One side's value for one case of the free indices: a claim about the mean cost, or about the network."""
        written = shown.xreplace(case_values(case))
        if at.mean:
            return self.mean_value_of(written, node)
        if written.has(MEAN_COST) or written.has(SampleCost):
            raise self.fail(
                node,
                "C (the mean cost) and C_i (sample i's cost) belong in a claim about the mean cost, "
                "\\frac{\\partial C}{\\partial w} = \\frac{1}{n}\\sum_{i} \\frac{\\partial C_i}{\\partial w}",
            )
        return self.value_of(written, node)


__all__ = [
    "BoundClaim",
    "Free",
    "Operator",
    "OutOfRange",
    "Side",
    "bind",
    "generalize",
    "in_left_hand_side",
    "partial_value",
]


MAX_PROJECTED = 200_000  # cases of an element claim decided at once by the projection (784-128's w: 100,352)


def _one_layer(head: sp.Expr, free: tuple[Free, ...]) -> bool:
    """Whether ``head`` is dC_0/dq for a layer's w, b, a or z with one or two free letters, the first in the place
    of q's first neuron index and the second in its second (w_{jk}): the projection lays such a claim out as the
    layer's matrix or vector."""
    if not (isinstance(head, Partial) and head.of == C0 and isinstance(head.wrt, sp.Indexed)):
        return False
    wrt = head.wrt
    if wrt.base not in (W, B, A, Z) or not 1 <= len(free) <= 2:
        return False
    letters = [f.symbol for f in free]
    return list(wrt.indices[1 : 1 + len(letters)]) == letters and len(wrt.indices) == 1 + len(letters)
