"""A claim's syntax tree bound to one network: its letters become that network's quantities.

a_1^{(L)} is neuron 1's activation in the output layer, \\sigma' the derivative of the
layer's activation, g^{(l)} a layer's generic activation, n the size of the layer a summed
index runs over, \\delta_j^{(l)} the error dC_0/dz_j^{(l)} where the notation defines it,
and \\frac{\\partial C_0}{\\partial a_1^{(L)}} that derivative, computed here by sympy.diff
of the cost, never by the derivation under test. A letter that means nothing in this network
is a ClaimError naming it and its position.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from math import prod

import sympy as sp

from ..base.errors import SpecError
from ..base.trees import fold, tree_size
from ..model import activations
from ..model.network import Network
from ..model.partial import Partial
from ..model.printing import printers
from ..model.references import (
    Ref,
    check,
    index_count,
    indexed_layers,
    layer_name,
    ref_of,
    wide_layer,
    wrong_indices,
)
from ..model.symbols import (
    C0,
    MEAN_COST,
    SAMPLES,
    A,
    ActivationSecondBase,
    B,
    SampleCost,
    W,
    Y,
    Z,
    activation_functions,
)
from . import batch, claim_dots
from .claim_errors import ClaimError
from .claim_syntax import (
    Binary,
    Binding,
    Claim,
    Frac,
    Group,
    Name,
    Neg,
    Node,
    Num,
    Product,
    Range,
    Relation,
    Scripted,
    source,
)

BEYOND_FIRST = (ActivationSecondBase, sp.DiracDelta, sp.Derivative, sp.Subs)  # d/dz of g'(z), of a step
MAX_SUM_TERMS = 4096
MAX_EXPONENT = 100  # a power's exponent, in size: (a - y)^{99999999} would take minutes to expand
MAX_DIGITS = 100  # a number in the claim, written or worked out (10^{10^{6}}, 2^{2^{2^{2^{2}}}})
MAX_TOWER = 2  # exponentials of exponentials of letters: e^{e^{z}} is fine, e^{e^{e^{e^{z}}}} overflows at any point
MAX_TANH = 5  # \tanh inside \tanh: SymPy's tanh asks if its argument is real, 3 times longer each level (7: minutes)
MAX_WRITTEN = 50_000  # nodes of the claim with its sums over neurons written out (six sums over six neurons: 1.7M)
MAX_CASES = 64  # values of the left-hand side's free indices, each checked on its own

ONE_SAMPLE = (
    "C was read as {0}, the cost of one sample, since the claim speaks of no samples (no C_i, no sum over them)"
)
QUANTITIES = {"a": A, "z": Z, "w": W, "b": B, "x": A, "y": Y, "\\delta": Z}
COST_LETTERS = {"C"}


def _head_name(latex: str) -> str:
    """How a catalogue entry's LaTeX name reads once parsed: \\operatorname{ReLU} is ReLU, \\sigma stays."""
    return latex.removeprefix("\\operatorname{").removesuffix("}")


# A function name in a claim -> the catalogue entry it means (None: g, whichever the layer has).
ACTIVATION_HEADS: dict[str, str | None] = {
    _head_name(act.latex): act.name for act in activations.CATALOGUE.values() if act.elementwise and not act.generic
}
ACTIVATION_HEADS |= {"g": None, "relu": "relu", "ReLU": "relu", "sigmoid": "sigmoid", "LeakyReLU": "leaky_relu"}
PLAIN_HEADS = {"\\exp": sp.exp, "\\ln": sp.log, "\\log": sp.log}
DERIVATIVE_MARKS = {"\\partial", "d"}
DOTS = {"\\cdots", "\\dots", "\\ldots", "\\dotsb", "\\dotsc", "..."}  # terms left out of a written-out sum
ACCENT_PRIMES = {"\\prime"}


class OutOfRange(ClaimError):
    """A quantity whose neuron index the network does not have: ``kind`` is w, b, a, z or y."""

    def __init__(self, message: str, position: int, kind: str) -> None:
        super().__init__(message, position)
        self.kind = kind


class Operator(Partial):
    """\\frac{\\partial}{\\partial x}\\left(...\\right): the derivative of an expression written after the operator."""

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return rf"\frac{{\partial}}{{\partial {printer.doprint(self.wrt)}}}\left({printer.doprint(self.of)}\right)"

    def _symbackprop_text(self, printer: sp.printing.str.StrPrinter) -> str:
        return f"∂/∂{printer.doprint(self.wrt)} ({printer.doprint(self.of)})"


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
class Free:
    """A letter in the left-hand side's indices that no sum binds: the claim holds for each of its values."""

    symbol: sp.Symbol
    first: int
    last: int
    layer: int  # the layer whose neurons it runs over


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
    cases: tuple[tuple[tuple[sp.Symbol, int], ...], ...] = ((),)  # each assignment of the free indices
    first_sample: int = 0  # how a claim about the mean cost numbers its samples: from 0 or from 1
    reference: tuple[sp.Expr, ...] | None = None  # a chain led by d/dx(E), E no quantity: its first side, per case
    notes: tuple[tuple[str, tuple[sp.Expr, ...]], ...] = ()  # how the claim was read: words with {0} slots
    rewritten: tuple[tuple[sp.Expr, sp.Expr], ...] = ()  # a weight read with its indices swapped, and as written

    @property
    def shown(self) -> sp.Expr:
        return self.sides[-1].shown

    @property
    def value(self) -> sp.Expr:
        return self.sides[-1].value


@dataclass
class _Index:
    symbol: sp.Symbol
    first: int | None = None
    last: int | None = None
    runs_over: list[int] = field(default_factory=list)  # layers whose neurons it indexes
    layer: int | None = None  # the layer its range was taken from
    free: bool = False  # a letter of the left-hand side that no sum binds
    samples: bool = False  # it numbers the samples of a batch (C_i), not neurons


@dataclass(frozen=True)
class _Use:
    """An index expression used for a layer's neurons, checked once every summed letter has its range."""

    expr: sp.Expr
    layer: int
    node: Node
    kind: str


def bind(net: Network, claim: Claim, text: str, swapped: frozenset[int] = frozenset()) -> BoundClaim:
    """Read a parsed claim against ``net``.

    With several sides (``dC_0/dw = chain = result``), a leading derivative of C_0 names the
    derivative claimed and every other side is a claim of its own; without one, every side is.
    ``swapped``: where weights start whose two indices are read the other way round (verify tries
    that for a weight the network does not have).
    """
    binder = _Binder(net, claim.text or text, swapped)
    try:
        return binder.claim(claim)
    except SpecError:
        raise
    except (OverflowError, ValueError):  # SymPy arithmetic on numbers the checks let through
        raise ClaimError("the numbers in the claim are too large to work with", claim.start + 1) from None


class _Binder:
    def __init__(self, net: Network, text: str, swapped: frozenset[int] = frozenset()) -> None:
        self.net = net
        self.text = text
        self.swapped = swapped  # where weights start whose indices are read the other way round
        self.rewritten: dict[sp.Expr, sp.Expr] = {}  # each such weight as read, to the weight as written
        self.env: dict[str, _Index] = {}
        self.uses: list[_Use] = []
        self.limit_layer: int | None = None  # while reading a sum's limits: the layer n stands for
        self.wrt_nodes: dict[Partial, Node] = {}  # each derivative read, to where its "with respect to" is written
        self.free_allowed = False  # while reading the leading derivative: an unbound index letter is free
        self.free_indices: list[_Index] = []
        self.head_kind: sp.Expr = C0  # what the leading derivative differentiates
        self.sample_limit = False  # while reading a sum over the samples' limits: n is the number of samples
        self.one_sample = False  # C alone is the cost of one sample: the claim speaks of no samples

    def claim(self, claim: Claim) -> BoundClaim:
        nodes = claim.sides
        leading = len(nodes) > 1 and _is_derivative(nodes[0])
        applied = len(nodes) > 1 and not leading and _is_application(nodes[0])
        self.one_sample = _mentions_bare_cost(nodes) and not _speaks_of_samples(nodes)
        self.free_allowed = leading or applied  # j in \frac{\partial z_j^{(L)}}{...} = ...: checked for every j
        try:
            head = self.expr(nodes[0])
        finally:
            self.free_allowed = False
        free = tuple(self.close_free(nodes[0], index) for index in self.free_indices)
        self.head_kind = head.of if leading and isinstance(head, Partial) else C0
        read = [(nodes[0], head)] + [(node, self.expr(node)) for node in nodes[1:]]
        wrt_node, first = None, 1
        if leading:
            self.check_head(nodes[0], head)
            wrt_node, first = self.wrt_nodes[head], 2
        elif applied:
            wrt_node = self.wrt_nodes[head]
        self.check_uses()  # the left-hand side's indices too: w_{92}^{(L)} is named as written, with its place
        cases = self.cases(nodes[0], free)
        of = head.of if wrt_node is not None else None
        reference, notes = None, ()
        if applied:
            of, reference, notes = self.applied_head(nodes[0], head, cases)
            first = 1 if reference is None else 2
        if self.one_sample:
            notes = (*notes, (ONE_SAMPLE, (C0,)))
        sides = tuple(
            Side(i, self.quote(node), node.start + 1, shown, tuple(self.side_value(shown, node, c) for c in cases))
            for i, (node, shown) in enumerate(read[first - 1 :], start=first)
        )
        wrt_symbol = head.wrt if wrt_node is not None else None
        numbered = batch.numbering(v for side in sides for v in side.values) if self.head_kind == MEAN_COST else 0
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
            cases,
            numbered,
            reference,
            notes,
            tuple(self.rewritten.items()),
        )

    def applied_head(self, node: Node, head: Operator, cases: tuple) -> tuple[sp.Expr, tuple | None, tuple]:
        """A chain led by \\frac{\\partial}{\\partial x}(E): what it is a derivative of, the first side's own
        values when that is nothing of the network's, and a note saying how it was read.

        E written out is compared with C_0's definition and each z's and a's (z_j^{(l)} = sum_k w_jk a_k + b_j,
        a_j^{(l)} = g(z_j^{(l)})): the seed's \\frac{\\partial}{\\partial a_1}(\\sum_j (a_j - y_j)^2) is the
        derivative of C_0. Otherwise every later side must equal the first, d/dx of E worked out.
        """
        bodies = [_evaluated(self.written_out(head.of.xreplace(_case_values(c)), node)) for c in cases]
        named = [self.named_by(body) for body in bodies]
        template = generalize(named, cases) if all(q is not None for q in named) else None
        if template is not None:
            itself = all(body == q for body, q in zip(bodies, named, strict=True))
            what = "{0}" if itself else "the definition of {0}"
            message = f"the first side differentiates {what}: the claim is read as {{1}}"
            return template, None, ((message, (template, Partial(template, head.wrt))),)
        values = tuple(self.side_value(head, node, c) for c in cases)
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

    def close_free(self, node: Node, index: _Index) -> Free:
        """A free index's values: the neurons of the layer the left-hand side indexes with it."""
        self.set_range(node, index, None, None)
        return Free(index.symbol, index.first, index.last, index.layer)

    def cases(self, node: Node, free: tuple[Free, ...]) -> tuple[tuple[tuple[sp.Symbol, int], ...], ...]:
        """Every assignment of the free indices, in order: j = 0, 1, ... (the first letter slowest)."""
        ranges = [[(f.symbol, v) for v in range(f.first, f.last + 1)] for f in free]
        count = 1
        for r in ranges:
            count *= len(r)
        if count > MAX_CASES:
            raise self.fail(node, f"the free indices take {count} values together; at most {MAX_CASES} are checked")
        return tuple(tuple(case) for case in itertools.product(*ranges))

    def side_value(self, shown: sp.Expr, node: Node, case: tuple[tuple[sp.Symbol, int], ...]) -> sp.Expr:
        """One side's value for one case of the free indices: a claim about the mean cost, or about the network."""
        written = shown.xreplace({symbol: sp.Integer(v) for symbol, v in case})
        if self.head_kind == MEAN_COST:
            return self.mean_value_of(written, node)
        if written.has(MEAN_COST) or written.has(SampleCost):
            raise self.fail(
                node,
                "C (the mean cost) and C_i (sample i's cost) belong in a claim about the mean cost, "
                "\\frac{\\partial C}{\\partial w} = \\frac{1}{n}\\sum_{i} \\frac{\\partial C_i}{\\partial w}",
            )
        return self.value_of(written, node)

    # --- errors ------------------------------------------------------------------------------

    def fail(self, node: Node, message: str) -> ClaimError:
        return ClaimError(message, node.start + 1)

    def quote(self, node: Node) -> str:
        return source(self.text, node)

    # --- expressions ---------------------------------------------------------------------------

    def expr(self, node: Node) -> sp.Expr:
        method = getattr(self, f"_{type(node).__name__.lower()}")
        try:
            return method(node)
        except SpecError:
            raise
        except (OverflowError, ValueError):  # SymPy arithmetic on numbers: said here, where it happened
            raise self.fail(node, f"'{self.quote(node)}': the numbers are too large to work with") from None

    def _num(self, node: Num) -> sp.Expr:
        if len(node.text.replace(".", "")) > MAX_DIGITS:
            raise self.fail(node, f"a number of {len(node.text)} digits is too long (at most {MAX_DIGITS})")
        return sp.Rational(node.text)

    # --- numbers kept small: powers and products that would take minutes or overflow -------------

    def power(self, node: Node, base: sp.Expr, script: Node) -> sp.Expr:
        """base^{script}, refused when the exponent or the number it makes is huge."""
        exponent = self.expr(script)
        size = _size(exponent)
        if size is not None and size > MAX_EXPONENT:
            inner = _unbrace(script)
            raise self.fail(inner, f"exponent {self.quote(inner)} is too large (at most {MAX_EXPONENT} in size)")
        return self.bounded(node, base**exponent)

    def bounded(self, node: Node, value: sp.Expr) -> sp.Expr:
        """``value``, or a ClaimError when it holds a number of more than MAX_DIGITS digits, a power above
        MAX_EXPONENT once products are multiplied out ((a-y)^{100} (a-y)^{100}), or a division by zero."""
        problem = _size_problem(_evaluated(value))
        if problem is not None:
            raise self.fail(node, f"'{self.quote(node)}': {problem}")
        return value

    def _neg(self, node: Neg) -> sp.Expr:
        return sp.Mul(-1, self.expr(node.operand), evaluate=False)

    def _binary(self, node: Binary) -> sp.Expr:
        if node.op == "/":
            return self.bounded(node, _ratio(self.expr(node.left), self._nonzero(node.right)))
        if _ends_with_sum(node.left):  # \sum_i -x_i: the sign belongs to the summand
            head = list(node.left.factors) if isinstance(node.left, Product) else [node.left]
            body = node.right if node.op == "+" else Neg(node.right.start - 1, node.right.end, node.right)
            return self.product([*head, body])
        terms = _signed_terms(node)
        if any(_leads_with_dots(term) for _, term in terms):
            return self.with_dots(node, terms)
        left, right = self.expr(node.left), self.expr(node.right)
        if node.op == "-":
            right = sp.Mul(-1, right, evaluate=False)
        return sp.Add(left, right, evaluate=False)

    def with_dots(self, node: Binary, terms: list[tuple[str, Node]]) -> sp.Expr:
        """A written-out sum with \\cdots standing for terms left out: each filled in from the terms around it."""
        items: list[tuple[sp.Expr, Node, str] | tuple[Node, str]] = []  # a term (bound, node, sign), or the dots
        for op, term in terms:
            if _leads_with_dots(term):
                items.append((term.factors[0] if isinstance(term, Product) else term, op))
                if not isinstance(term, Product):
                    continue
                rest = term.factors[1:]  # + \cdots 0: the dots, then the last term
                term = rest[0] if len(rest) == 1 else Product(rest[0].start, rest[-1].end, rest)
            value = self.expr(term)
            items.append((sp.Mul(-1, value, evaluate=False) if op == "-" else value, term, op))
        out: list[sp.Expr] = []
        for k, item in enumerate(items):
            if len(item) == 3:
                out.append(item[0])
                continue
            dots, sign = item
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
                out.extend(claim_dots.filled(before[0], after[0], earlier[0] if earlier else None))
            except claim_dots.EarlierDoesNotFit as err:
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
        return self.bounded(node, sp.Add(*out, evaluate=False))

    def _frac(self, node: Frac) -> sp.Expr:
        partial = self.derivative(node.numerator, node.denominator)
        if partial is not None:
            return partial
        return self.bounded(node, _ratio(self.expr(node.numerator), self._nonzero(node.denominator)))

    def _nonzero(self, node: Node) -> sp.Expr:
        value = self.expr(node)
        if value == 0:
            raise self.fail(node, f"division by zero in '{self.quote(node)}'")
        return value

    def _group(self, node: Group) -> sp.Expr:
        if len(node.items) != 1:
            what = "empty braces" if not node.items else "a list separated by commas"
            raise self.fail(node, f"{what} where a value belongs")
        item = node.items[0]
        if node.delim == "[" and isinstance(item, Binding):  # [i = j]: 1 when the indices are equal, else 0
            return sp.KroneckerDelta(self.index_value(item.name), self.index_value(item.value))
        return self.expr(item)

    def _relation(self, node: Relation) -> sp.Expr:
        raise self.fail(
            node, f"a comparison '{self.quote(node)}' belongs inside an indicator such as \\mathbb{{1}}[z>0]"
        )

    def _binding(self, node: Binding) -> sp.Expr:
        raise self.fail(node, f"'{self.quote(node)}' belongs in a sum's subscript, as in \\sum_{{j=0}}^{{n-1}}")

    def _name(self, node: Name) -> sp.Expr:
        return self.scripted(node, ())

    def _scripted(self, node: Scripted) -> sp.Expr:
        return self.scripted(node.base, node.scripts, node)

    def _product(self, node: Product) -> sp.Expr:
        return self.product(list(node.factors))

    # --- products: function application and sums -------------------------------------------------

    def product(self, factors: list[Node]) -> sp.Expr:
        """Factors multiplied in the order written; a function name applies to the factor after it,
        and a sum takes every factor after it as its body."""
        out: list[sp.Expr] = []
        i = 0
        while i < len(factors):
            f = factors[i]
            base, scripts = _split(f)
            name = base.name if isinstance(base, Name) else None
            if name == "\\sum":
                out.append(self.summation(f, scripts, factors[i + 1 :]))
                break
            if _is_operator(f):  # on a bracketed group, that group: d/da (a - y)^2 as one factor of a chain
                rest = factors[i + 1 :]
                body = rest[:1] if rest and _is_bracketed(rest[0]) else rest
                out.append(self.operator(f, body))
                i += 1 + len(body)
                continue
            if _is_head(name):
                if i + 1 == len(factors):
                    raise self.fail(f, f"{self.quote(f)} needs an argument, e.g. {self.quote(f)}(z_1^{{(L)}})")
                out.append(self.apply(f, base, scripts, factors[i + 1]))
                i += 2
                continue
            out.append(self.expr(f))
            i += 1
        if len(out) == 1:
            return out[0]
        whole = Product(factors[0].start, factors[-1].end, tuple(factors))
        return self.bounded(whole, sp.Mul(*out, evaluate=False))

    def apply(self, head: Node, base: Name, scripts: tuple, arg: Node) -> sp.Expr:
        """A function applied to the next factor; powers written on the argument's group apply after."""
        arg_base, arg_scripts = _split(arg)
        inner = arg_base if isinstance(arg_base, Group) and arg_base.delim in "([" else arg
        powers = arg_scripts if inner is arg_base else ()
        value = self.call(head, base, scripts, inner)
        for mark, script in powers:
            if mark != "^":
                raise self.fail(arg, f"unexpected {mark!r} after '{self.quote(arg)}'")
            value = self.power(arg, value, script)
        return value

    def call(self, head: Node, base: Name, scripts: tuple, arg: Node) -> sp.Expr:
        primes, layer, powers = self.head_scripts(head, base, scripts)
        name = base.name
        if primes and name not in ACTIVATION_HEADS:
            raise self.fail(head, f"a prime on {self.quote(head)} is not understood; primes go on activations")
        args = arg.items if isinstance(arg, Group) else (arg,)
        try:
            value = self.applied(head, name, primes, layer, arg, args)
        except TypeError:  # SymPy could not compare it with 0: a sum over the samples, a derivative of a sample's cost
            raise self.fail(
                arg, f"'{self.quote(arg)}' cannot be the argument of {self.quote(head)}: it is no value of one sample's"
            ) from None
        for power in powers:
            value = self.power(head, value, power)
        return self.bounded(Node(head.start, arg.end), value)  # \exp(\exp(10)): a number of 9566 digits

    def applied(self, head: Node, name: str, primes: int, layer: int | None, arg: Node, args: tuple) -> sp.Expr:
        """The function ``name`` applied to what is written in its brackets."""
        if name == "\\max":
            if len(args) != 2:
                raise self.fail(arg, "\\max takes two arguments, as in \\max(0, z)")
            return sp.Max(*(_evaluated(self.expr(a)) for a in args))  # SymPy decides on values
        if len(args) != 1:
            raise self.fail(arg, f"{self.quote(head)} takes one argument")
        if name == "1":
            return self.indicator(args[0])
        if name in PLAIN_HEADS:
            return PLAIN_HEADS[name](_evaluated(self.expr(args[0])))
        return self.activation(head, name, primes, layer, self.expr(args[0]))

    def head_scripts(self, head: Node, base: Name, scripts: tuple) -> tuple[int, int | None, list[Node]]:
        """Primes, a layer superscript (g^{(L)}) and powers written on a function's name."""
        primes, layer, powers = 0, None, []
        for mark, script in scripts:
            if mark == "'":
                primes += 1
            elif mark == "_":
                raise self.fail(head, f"a subscript on {base.name} is not understood")
            elif _is_prime_script(script):
                primes += 1
            else:
                inner = _unbrace(script)
                if isinstance(inner, Product):  # ^{\\prime(L)} or ^{(L)\\prime}
                    marks = [f for f in inner.factors if _is_prime_script(f)]
                    rest = [f for f in inner.factors if not _is_prime_script(f)]
                    primes += len(marks)
                    if marks and len(rest) == 1:
                        inner = rest[0]
                found = self.layer_of(inner, force=layer is None and base.name == "g")
                if found is not None and layer is None:
                    layer = found
                else:
                    powers.append(inner)
        if primes > 1:
            raise self.fail(head, "second derivatives of an activation are not supported here")
        return primes, layer, powers

    def activation(self, head: Node, name: str, primes: int, layer: int | None, arg: sp.Expr) -> sp.Expr:
        """sigma, g, tanh, ReLU and their derivatives: the layer's own activation where it is that one."""
        wanted = ACTIVATION_HEADS[name]
        if layer is None and isinstance(arg, sp.Indexed) and arg.base == Z:
            layer = int(arg.indices[0])
        if layer is not None and not 1 <= layer <= self.net.depth:
            raise self.fail(head, f"{self.quote(head)}: there is no layer {layer} with an activation")
        own = self.net.activation(layer) if layer is not None else None
        if own is not None and own.generic and name == "\\sigma":
            wanted = None  # \sigma' on a layer whose activation is any g is that layer's g', as the texts use it
        if wanted is None and own is None:
            raise self.fail(head, "g needs its layer, g^{(L)}(...), or a z of one layer as its argument")
        if own is not None and (wanted is None or activations.activation(wanted).latex == own.latex):
            if not self.net.activation(layer).elementwise:
                raise self.fail(
                    head, f"layer {self.layer_label(layer)} is softmax, which is not applied neuron by neuron"
                )
            func, prime = activation_functions(own.name)
            return (prime if primes else func)(layer, arg)
        if wanted is None:
            raise self.fail(head, "g stands for a layer's activation; this one has no layer")
        act = activations.activation(wanted)
        return act.prime(_evaluated(arg)) if primes else act.form(_evaluated(arg))  # 0·y is 0 to a piecewise

    def indicator(self, node: Node) -> sp.Expr:
        """\\mathbb{1}[z > 0] as a step function of z."""
        if not isinstance(node, Relation):
            raise self.fail(node, "an indicator takes a comparison, as in \\mathbb{1}[z > 0]")
        gap = _evaluated(self.expr(node.left) - self.expr(node.right))
        op = node.op.lstrip("\\")
        strict = {">": (gap, 0), "gt": (gap, 0), "<": (-gap, 0), "lt": (-gap, 0)}
        closed = {">=": (gap, 1), "ge": (gap, 1), "geq": (gap, 1), "<=": (-gap, 1), "le": (-gap, 1), "leq": (-gap, 1)}
        arg, at_zero = {**strict, **closed}[op]
        return sp.Heaviside(arg, at_zero)

    def summation(self, head: Node, scripts: tuple, body: list[Node]) -> sp.Expr:
        """\\sum_{j=0}^{n-1} body: j runs over the neurons of the layer the body indexes with it.

        Also \\sum_{0 \\leq j \\leq 3} and \\sum_{\\substack{...}} with one range per row (a double sum).
        """
        if not body:
            raise self.fail(head, "the sum has nothing to sum")
        sub = [s for m, s in scripts if m == "_"]
        sup = [s for m, s in scripts if m == "^"]
        if len(sub) != 1 or len(sup) > 1:
            raise self.fail(head, "write the summed index under the sum, as in \\sum_{j} or \\sum_{j=0}^{n-1}")
        ranges = self.sum_ranges(head, _unbrace(sub[0]))
        if sup and (len(ranges) > 1 or ranges[0][2] is not None):
            raise self.fail(head, "give the sum's upper limit once, either above it or in its subscript")
        indices = []
        for letter_node, _, _ in ranges:
            letter = letter_node.name
            if letter in self.env and self.env[letter].free:
                raise self.fail(letter_node, f"{letter} is the left-hand side's own index; sum over another letter")
            if letter in self.env or letter in (i.symbol.name for i in indices):
                raise self.fail(letter_node, f"{letter} is already summed over")
            indices.append(_Index(sp.Symbol(letter, integer=True)))
        self.env.update({i.symbol.name: i for i in indices})
        try:
            shown = self.product(body)
            for index, (_, first, last) in zip(indices, ranges, strict=True):
                last = last if last is not None else (sup[0] if sup else None)
                if index.samples:
                    self.set_sample_range(head, index, first, last)
                else:
                    self.set_range(head, index, first, last)
            self.check_uses()
        finally:
            for index in indices:
                del self.env[index.symbol.name]
        return sp.Sum(shown, *((i.symbol, i.first, i.last) for i in indices))

    def sum_ranges(self, head: Node, sub: Node) -> list[tuple[Name, Node | None, Node | None]]:
        """The summed letters in a sum's subscript, each with its written first and last value (or None)."""
        if isinstance(sub, Product) and _is_name(sub.factors[0], "\\substack") and len(sub.factors) == 2:
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

    def set_range(self, head: Node, index: _Index, first: Node | None, last: Node | None) -> None:
        """The letter's range: as written, else the neurons of the layer it indexes (n is that layer's size).

        Where it indexes layers of different sizes (a_j^{(L)} and w_{1j}^{(L)}), the smallest, so every
        term exists whichever factor is written first: products commute.
        """
        if not index.runs_over:
            raise self.fail(head, f"nothing in the sum is indexed by {index.symbol}")
        base = self.net.spec.index_base
        layer = min(index.runs_over, key=lambda at: (self.net.layers[at], index.runs_over.index(at)))
        index.layer = layer
        self.limit_layer = layer
        try:
            index.first = self.integer(first) if first is not None else base
            index.last = self.integer(last) if last is not None else base + self.net.layers[layer] - 1
        finally:
            self.limit_layer = None
        if index.last - index.first + 1 > MAX_SUM_TERMS:
            raise self.fail(head, f"the sum has more than {MAX_SUM_TERMS} terms")

    def set_sample_range(self, head: Node, index: _Index, first: Node | None, last: Node | None) -> None:
        """A sum over the samples (its body takes C_i): from 0, or as written, to the n-th sample by default.

        Its limits may use n, the number of samples, as in \\sum_{i=0}^{n-1} or \\sum_{i=1}^{n}.
        """
        if index.runs_over:
            raise self.fail(head, f"{index.symbol} numbers the samples (C_{index.symbol}) and neurons at once")
        low = self.sample_bound(first) if first is not None else sp.Integer(0)
        high = self.sample_bound(last) if last is not None else low + SAMPLES - 1
        count = sp.expand(high - low + 1)
        slope = count.coeff(SAMPLES)
        if slope < 0 or (slope == 0 and count < 0):  # below its first value for every large n
            raise self.fail(head, "this sum over the samples runs backwards: its last value is below its first")
        index.first, index.last = low, high

    def sample_bound(self, node: Node) -> sp.Expr:
        """A limit of a sum over the samples: a whole number, or n plus or minus one (n the number of samples)."""
        self.sample_limit = True
        try:
            value = sp.expand(_evaluated(self.expr(node)))
        finally:
            self.sample_limit = False
        poly = value.as_poly(SAMPLES) if value.free_symbols <= {SAMPLES} else None
        if poly is None or poly.degree() > 1 or not all(c.is_Integer for c in poly.all_coeffs()):
            raise self.fail(node, f"'{self.quote(node)}' is not a sample's number; write 0, 1, n - 1 or n")
        return value

    def integer(self, node: Node) -> int:
        value = _evaluated(self.expr(node))
        if not (isinstance(value, sp.Integer) or (isinstance(value, sp.Rational) and value.q == 1)):
            raise self.fail(node, f"'{self.quote(node)}' is not a whole number")
        return int(value)

    # --- letters with scripts ------------------------------------------------------------------

    def scripted(self, base: Node, scripts: tuple, node: Node | None = None) -> sp.Expr:
        node = node or base
        if isinstance(base, Group):
            return self.powers(node, self._group(base), scripts)
        if not isinstance(base, Name):
            return self.powers(node, self.expr(base), scripts)
        name = base.name
        if name in QUANTITIES:
            return self.quantity(node, name, scripts)
        if name in COST_LETTERS:
            return self.powers(node, self.cost(node, scripts), [s for s in scripts if s[0] == "^"])
        if name == "n":
            return self.size(node, scripts)
        if name == "e":
            return self.powers(node, sp.E, scripts)
        if name in self.env:
            return self.powers(node, self.env[name].symbol, scripts)
        if _is_head(name) or name == "\\sum":
            raise self.fail(node, f"{self.quote(node)} needs an argument")
        if name in DERIVATIVE_MARKS:
            raise self.fail(node, f"{name} belongs in a derivative such as \\frac{{\\partial C_0}}{{\\partial w}}")
        if name in DOTS:
            raise self.fail(
                node,
                f"{name} stands for terms left out of a sum: write it between two terms, as in a_0 + \\cdots + a_5",
            )
        if name.startswith("\\"):
            raise self.fail(node, f"unknown command {name}")
        raise self.fail(node, f"{name} means nothing in this network (a, z, w, b, y, x, n, e, C are known)")

    def powers(self, node: Node, value: sp.Expr, scripts: tuple) -> sp.Expr:
        for mark, script in scripts:
            if mark != "^":
                what = "a subscript" if mark == "_" else "a prime"
                raise self.fail(node, f"{what} on '{self.quote(node)}' is not understood")
            value = self.power(node, value, script)
        return value

    def cost(self, node: Node, scripts: tuple) -> sp.Expr:
        """C_0 (or C_x, C_i outside a sum): one sample's cost; C: the mean over the batch, or one sample's cost in
        a claim that speaks of no samples; C_i in a sum over i: sample i's cost. In a claim about the mean
        cost, C_k with k a number (C_0, C_1, C_{n-1}) is sample k's cost, whichever way the samples are numbered."""
        subs = [s for m, s in scripts if m == "_"]
        if not subs:
            return C0 if self.one_sample else MEAN_COST
        sub = _unbrace(subs[0])
        if isinstance(sub, Name) and sub.name in self.env and not self.env[sub.name].free:
            index = self.env[sub.name]
            index.samples = True
            return SampleCost(index.symbol)
        if self.head_kind == MEAN_COST:
            if isinstance(sub, Name) and sub.name != "n":
                raise self.fail(
                    node,
                    f"{self.quote(node)} outside a sum over the samples names no one sample of the batch: write its "
                    f"number (C_0, C_1, C_{{n-1}}) or sum over {self.quote(sub)}",
                )
            return SampleCost(self.sample_bound(sub))
        if self.quote(sub) not in ("0", "x", "i"):
            raise self.fail(node, f"{self.quote(node)} is not the cost; write C_0")
        return C0

    def size(self, node: Node, scripts: tuple) -> sp.Expr:
        """n: the summed layer's size in a sum's limits, else the output layer's; n_L, n_{L-1}, n_1: that layer's.
        In a claim about the mean cost, n outside a sum over neurons is the number of samples."""
        subs = [s for m, s in scripts if m == "_"]
        if not subs and (self.sample_limit or (self.head_kind == MEAN_COST and self.limit_layer is None)):
            return self.powers(node, SAMPLES, scripts)
        if subs:
            layer = self.layer_of(_unbrace(subs[0]), force=True)
        else:
            layer = self.limit_layer if self.limit_layer is not None else self.net.depth
        return self.powers(node, sp.Integer(self.net.layers[layer]), tuple(s for s in scripts if s[0] != "_"))

    def quantity(self, node: Node, name: str, scripts: tuple) -> sp.Expr:
        subs = [s for m, s in scripts if m == "_"]
        sups = [s for m, s in scripts if m == "^"]
        if any(m == "'" for m, _ in scripts):
            raise self.fail(node, f"a prime on '{self.quote(node)}' is not understood; write g'(z) for a derivative")
        if len(subs) > 1:
            raise self.fail(node, f"'{self.quote(node)}' has two subscripts")
        if name == "\\delta" and subs and not sups:
            return self.kronecker(node, subs[0])
        layer, rest = self.quantity_layer(node, name, sups)
        kind = {"x": "a", "\\delta": "z"}.get(name, name)
        indices = self.indices(node, kind, layer, subs[0] if subs else None)
        symbol = Y[indices[0]] if name == "y" else QUANTITIES[name][layer, *indices]
        if name == "w" and node.start in self.swapped:
            self.rewritten[symbol] = W[layer, indices[1], indices[0]]
        if name == "\\delta":
            if not self.net.notation.use_delta:
                raise self.fail(
                    node,
                    f"the {self.net.notation.name} notation has no δ; write \\frac{{\\partial C_0}}{{\\partial z}}",
                )
            symbol = Partial(C0, symbol)
        for power in rest:
            symbol = self.power(node, symbol, power)
        return symbol

    def kronecker(self, node: Node, sub: Node) -> sp.Expr:
        """\\delta_{ij} without a layer: 1 when the two indices are equal, else 0 (softmax's derivative)."""
        parts = self.index_parts(node, _unbrace(sub), 2)
        if len(parts) != 2:
            raise self.fail(node, f"'{self.quote(node)}': the Kronecker delta takes two indices, as in \\delta_{{ij}}")
        return sp.KroneckerDelta(*(self.index_value(p) for p in parts))

    def quantity_layer(self, node: Node, name: str, sups: list[Node]) -> tuple[int, list[Node]]:
        """The layer a quantity's first superscript names, and the superscripts left over (powers)."""
        if name == "x":
            return 0, sups
        if name == "y":
            return self.net.depth, self.target_layer(node, sups)
        if sups:
            layer = self.layer_of(_unbrace(sups[0]), force=False)
            if layer is not None:
                return layer, sups[1:]
        raise self.fail(node, f"'{self.quote(node)}' needs its layer, as in {name}^{{(L)}} or {name}^{{(1)}}")

    def target_layer(self, node: Node, sups: list[Node]) -> list[Node]:
        """y^{(L)}, y^(L): a target may name the output layer in parentheses; what is left are powers."""
        first = _unbrace(sups[0]) if sups else None
        if not (isinstance(first, Group) and first.delim == "(" and len(first.items) == 1):
            return sups
        if self.layer_of(first, force=True) != self.net.depth:
            raise self.fail(node, f"'{self.quote(node)}': the targets y belong to the output layer, y^{{(L)}}")
        return sups[1:]

    def layer_of(self, node: Node, force: bool) -> int | None:
        """A layer written (L), (L-1), (2), L-1 or L; None when the superscript is not a layer (a power)."""
        parens = isinstance(node, Group) and node.delim == "(" and len(node.items) == 1
        inner = node.items[0] if parens else node
        mentions_l = any(isinstance(n, Name) and n.name in ("L", "l") for n in _walk(inner))
        if not (parens or mentions_l or force or (isinstance(inner, Num) and not self.net.notation.layer_parens)):
            return None
        if isinstance(inner, Num) and inner.text.isdigit():
            layer = self.net.notation.layer_index(int(inner.text))
        elif isinstance(inner, Name) and inner.name == "L":
            layer = self.net.depth
        elif isinstance(inner, Binary) and inner.op == "-" and _is_name(inner.left, "L") and _is_digits(inner.right):
            layer = self.net.depth - int(inner.right.text)
        elif any(isinstance(n, Name) and n.name == "l" for n in _walk(inner)):
            raise self.fail(inner, "the layer l is a letter; a claim is checked for one layer: write (L), (L-1) or (1)")
        else:
            raise self.fail(inner, f"'{self.quote(inner)}' is not a layer; write L, L-1 or a number")
        if not 0 <= layer <= self.net.depth:
            first = self.net.notation.input_number
            raise self.fail(
                inner,
                f"there is no layer {self.quote(inner)}; layers are {first} (input) to {self.net.depth + first} (L)",
            )
        return layer

    def indices(self, node: Node, kind: str, layer: int, sub: Node | None) -> tuple[sp.Expr, ...]:
        """The neuron indices in a subscript, checked against the layer (or recorded, for a summed letter)."""
        spec = self.net.spec
        want = index_count(kind, spec)
        if kind == "b" and spec.bias == "none":
            raise self.fail(node, 'this network has no biases (bias = "none")')
        if kind in ("w", "b", "z") and layer == 0:
            raise self.fail(node, f"the input layer has no {kind}")
        if sub is None:
            return self.implicit(node, kind, layer, want)
        parts = self.index_parts(node, _unbrace(sub), want)
        if len(parts) != want:
            written = self.quote(_unbrace(sub))
            raise self.fail(node, f"'{self.quote(node)}': {wrong_indices(kind, want, written, len(parts))}")
        layers = indexed_layers(kind, layer)
        if kind == "w" and node.start in self.swapped:
            parts = parts[::-1]
        out = []
        for part, at in zip(parts, layers, strict=True):
            value = self.index_value(part)
            self.uses.append(_Use(value, at, node, kind))
            for letter in value.free_symbols:
                self.env[str(letter)].runs_over.append(at)
            out.append(value)
        return tuple(out)

    def index_parts(self, node: Node, sub: Node, want: int) -> list[Node]:
        if isinstance(sub, Group) and sub.delim == "{":
            return list(sub.items)
        if isinstance(sub, Product):
            return list(sub.factors)
        if want == 2 and isinstance(sub, Num) and sub.text.isdigit():
            if len(sub.text) != 2:
                raise self.fail(node, f"'{self.quote(node)}': {wrong_indices('w', want, sub.text, 1)}")
            return [Num(sub.start, sub.start + 1, sub.text[0]), Num(sub.start + 1, sub.end, sub.text[1])]
        return [sub]

    def index_value(self, node: Node) -> sp.Expr:
        if isinstance(node, Num) and node.text.isdigit():
            return sp.Integer(int(node.text))
        if isinstance(node, Name) and node.name in self.env:
            return self.env[node.name].symbol
        if isinstance(node, Name) and len(node.name) == 1 and node.name.isalpha() and self.free_allowed:
            index = _Index(sp.Symbol(node.name, integer=True), free=True)
            self.env[node.name] = index
            self.free_indices.append(index)
            return index.symbol
        if isinstance(node, Binary) and node.op in "+-":
            left, right = self.index_value(node.left), self.index_value(node.right)
            return left + right if node.op == "+" else left - right
        if isinstance(node, Name) and len(node.name) == 1:
            raise self.fail(node, f"the index {node.name} is not summed; write a neuron number or sum over {node.name}")
        raise self.fail(node, f"'{self.quote(node)}' is not a neuron index")

    def implicit(self, node: Node, kind: str, layer: int, want: int) -> tuple[sp.Expr, ...]:
        """No subscript: fine where every layer indexed has one neuron."""
        wide = wide_layer(kind, layer, self.net.spec)
        if wide is not None:
            size = self.net.layers[wide]
            raise self.fail(
                node, f"'{self.quote(node)}' needs its neuron index; layer {self.layer_label(wide)} has {size} neurons"
            )
        return (sp.Integer(self.net.spec.index_base),) * want

    def check_uses(self) -> None:
        """Check each recorded index whose summed letters all have their ranges by now."""
        waiting = []
        for use in self.uses:
            if all(self.env[str(s)].first is not None for s in use.expr.free_symbols):
                self.check_use(use)
            else:
                waiting.append(use)
        self.uses = waiting

    def check_use(self, use: _Use) -> None:
        base, size = self.net.spec.index_base, self.net.layers[use.layer]
        for point in _corners([self.env[str(s)] for s in use.expr.free_symbols]):
            value = int(use.expr.xreplace(point))
            if not base <= value < base + size:
                ranges = ", ".join(f"{s} from {self.env[str(s)].first} to {self.env[str(s)].last}" for s in point)
                reach = f"with {ranges} the index reaches {value}" if point else f"index {value} is out of range"
                message = (
                    f"'{self.quote(use.node)}': {reach}; layer {self.layer_label(use.layer)} "
                    f"has neurons {base} to {base + size - 1}"
                )
                raise OutOfRange(message, use.node.start + 1, use.kind)

    def layer_label(self, layer: int) -> str:
        return layer_name(layer, self.net.depth)

    # --- derivatives ------------------------------------------------------------------------------

    def derivative(self, numerator: Node, denominator: Node) -> Partial | None:
        """\\frac{\\partial C_0}{\\partial w} or \\frac{dC_0}{dw} as a Partial; None if not a derivative."""
        top, bottom = _after_mark(numerator), _after_mark(denominator)
        if top is None and bottom is None:
            return None
        if bottom is not None and _is_mark(numerator):  # an operator with nothing after it to differentiate
            raise self.fail(numerator, _needs_body(self.quote(bottom)))
        if top is None or bottom is None:
            raise self.fail(
                numerator,
                "a derivative needs \\partial (or d) above and below, as in \\frac{\\partial C_0}{\\partial w}",
            )
        of = self.expr(top)
        costs = of in (C0, MEAN_COST) or isinstance(of, SampleCost)
        if not (costs or (isinstance(of, sp.Indexed) and of.base in (A, Z))):
            raise self.fail(top, f"'{self.quote(top)}': a derivative of the cost, an activation or a z is understood")
        partial = Partial(of, self.variable(bottom))
        self.wrt_nodes.setdefault(partial, bottom)
        return partial

    def operator(self, head: Frac, body: list[Node]) -> Operator:
        """\\frac{\\partial}{\\partial a_1^{(L)}} and ``body``, what it differentiates: the bracketed group
        right after it, else every factor after it (product() decides which)."""
        bottom = _after_mark(head.denominator)
        wrt = self.variable(bottom)
        if not body:
            raise self.fail(head, _needs_body(self.quote(bottom)))
        of = self.product(body)
        if of.has(Partial):
            raise self.fail(body[0], "a derivative inside \\frac{\\partial}{\\partial x}(...) is not understood")
        partial = Operator(of, wrt)
        self.wrt_nodes.setdefault(partial, bottom)
        return partial

    def variable(self, node: Node) -> sp.Indexed:
        """What a derivative is taken with respect to: a weight, a bias, an a or a z."""
        wrt = self.expr(node)
        if not (isinstance(wrt, sp.Indexed) and wrt.base in (A, Z, W, B)):
            raise self.fail(node, f"'{self.quote(node)}': differentiate with respect to a weight, bias, a or z")
        return wrt

    # --- the value -------------------------------------------------------------------------------

    def written_out(self, shown: sp.Expr, node: Node) -> sp.Expr:
        """``shown`` with its sums over neurons written out, or a ClaimError at ``node`` when that is too large."""
        try:
            return _expand_sums(shown)
        except _TooLarge as err:
            raise self.fail(node, str(err)) from None

    def value_of(self, shown: sp.Expr, node: Node) -> sp.Expr:
        """Sums written out, and each derivative replaced by sympy.diff of what it differentiates."""
        expanded = _evaluated(self.written_out(shown, node))
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
        value = _evaluated(self.written_out(shown, node))
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


def in_left_hand_side(claim: Claim, offset: int) -> bool:
    """Whether ``offset`` lies in the leading derivative of a claim with several sides (what is claimed)."""
    head = claim.sides[0]
    return len(claim.sides) > 1 and _is_derivative(head) and head.start <= offset < head.end


def partial_value(net: Network, of: sp.Expr, wrt: sp.Indexed, position: int | None = None) -> sp.Expr:
    """d(of)/d(wrt) by sympy.diff of ``of`` written down to ``wrt``'s layer (the textbook's named functions kept).

    ``of`` is C_0, an a or a z, or (from \\frac{\\partial}{\\partial x}(...)) an expression, whose
    a's and z's after ``wrt``'s layer are written down to it, so d/dz (a - y)^2 goes through a = g(z).
    """
    ref = ref_of(wrt)
    try:
        check(ref, net.spec, _tex(net, wrt))
    except SpecError as err:
        raise ClaimError(str(err), position) from None
    if of == C0:
        return sp.diff(net.composed_cost(ref, concrete=None), wrt)
    mapping = net.forward_map(ref, concrete=None)
    if isinstance(of, sp.Indexed):
        return sp.diff(mapping.get(of, of), wrt)
    written = _evaluated(of).xreplace({C0: net.cost_definition()}).xreplace(mapping)
    return sp.diff(written, wrt)


def _tex(net: Network, symbol: sp.Expr) -> str:
    """A quantity as the network's notation writes it in LaTeX: w_{12}^{(L)}."""
    return printers(net.notation, net.layers)[1].doprint(symbol)


class _TooLarge(Exception):
    """Sums that would write out past MAX_WRITTEN parts; the binder says where."""


def _expand_sums(expr: sp.Expr) -> sp.Expr:
    """Each Sum over a layer's neurons written out term by term, innermost first (a sum over the samples,
    up to n, stays)."""
    sums = [s for s in sp.preorder_traversal(expr) if isinstance(s, sp.Sum) and not s.has(SAMPLES)]
    if not sums:
        return expr
    inner = sums[-1]
    terms = inner.function
    count = prod(int(last) - int(first) + 1 for _, first, last in inner.limits)
    size = tree_size(expr) + count * tree_size(terms)
    if size > MAX_WRITTEN:
        raise _TooLarge(
            f"its sums written out would have about {size:,} parts, more than the "
            f"{MAX_WRITTEN:,} a claim may have: write fewer or shorter sums"
        )
    for index, first, last in inner.limits:
        terms = sp.Add(*(terms.xreplace({index: sp.Integer(v)}) for v in range(int(first), int(last) + 1)))
    return _expand_sums(expr.xreplace({inner: terms}))


def _size(number: sp.Expr) -> float | None:
    """|number| for a number (an exponent), None for an expression with letters in it."""
    value = _evaluated(number)
    if not value.is_number:
        return None
    if value.is_Rational:
        return float("inf") if max(value.p.bit_length(), value.q.bit_length()) > 64 else abs(float(value))
    try:
        approx = value.evalf(15)
    except (ValueError, OverflowError):
        return float("inf")
    try:
        return abs(complex(approx))
    except (TypeError, OverflowError):  # g^{(L)}(2): a number in the network's terms, not one to size
        return None


_LARGEST = sp.Integer(10) ** MAX_DIGITS
_BITS = _LARGEST.p.bit_length()


def _size_problem(value: sp.Expr) -> str | None:
    """What makes ``value`` (evaluated) too large to work with, or None."""
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return "it is undefined (a division by zero, or the logarithm of 0)"
    if value.has(sp.I):
        return "it is not a real number"
    if _tower(value) > MAX_TOWER:
        return f"exponentials are nested more than {MAX_TOWER} deep over a letter, too large to evaluate"
    if _tanh_depth(value) > MAX_TANH:
        return (
            f"\\tanh is applied to \\tanh more than {MAX_TANH} deep, which SymPy takes minutes to decide (each "
            "level about three times longer); a tanh network's output is a^{(L)}, there is no need to write it out"
        )
    for part in sp.preorder_traversal(value):
        if isinstance(part, sp.Rational) and max(part.p.bit_length(), part.q.bit_length()) > _BITS:
            return f"it works out to a number of more than {MAX_DIGITS} digits"
        if isinstance(part, sp.Pow):
            size = _size(part.exp)
            if size is not None and size > MAX_EXPONENT:
                return f"it works out to a power above {MAX_EXPONENT}"
    if value.is_number and not value.is_Rational:
        try:
            approx = sp.N(value, 15)
        except (ValueError, OverflowError):
            return f"it works out to a number of more than {MAX_DIGITS} digits"
        if approx.is_Number and not approx.is_zero and not 1 / _LARGEST < abs(approx) < _LARGEST:
            return f"it works out to a number of more than {MAX_DIGITS} digits"
    return None


def _tower(value: sp.Expr) -> int:
    """How deep powers with letters in their exponents are nested: 1 for e^{-z}, 2 for e^{e^{z}}."""
    deepest = 0
    for part in sp.preorder_traversal(value):
        exponent = part.args[0] if isinstance(part, sp.exp) else part.exp if isinstance(part, sp.Pow) else None
        if exponent is not None and not exponent.is_number:
            deepest = max(deepest, 1 + _tower(exponent))
    return deepest


def _tanh_depth(value: sp.Expr) -> int:
    """How deep \\tanh is nested in \\tanh, through any arithmetic between them: 1 for \\tanh(z), 2 for
    \\tanh(w \\tanh(z) + b); each shared part counted once."""
    return fold(value, lambda e, inner: max(inner, default=0) + isinstance(e, sp.tanh))


def _ratio(numerator: sp.Expr, denominator: sp.Expr) -> sp.Expr:
    return sp.Mul(numerator, sp.Pow(denominator, -1, evaluate=False), evaluate=False)


def _evaluated(expr: sp.Expr) -> sp.Expr:
    """The claim as SymPy would have built it: products and sums kept as written become ordinary ones."""
    if not expr.args or isinstance(expr, (sp.Indexed, Partial)):
        return expr
    return expr.func(*(_evaluated(a) for a in expr.args))


def _is_derivative(node: Node) -> bool:
    """\\frac{\\partial X}{\\partial Y} with something after each mark: a derivative, not an operator."""
    return isinstance(node, Frac) and _after_mark(node.numerator) is not None and not _is_operator(node)


def _is_application(node: Node) -> bool:
    """\\frac{\\partial}{\\partial x} applied to the whole side: to the group after it, or to every factor after it."""
    if not (isinstance(node, Product) and len(node.factors) > 1 and _is_operator(node.factors[0])):
        return False
    return len(node.factors) == 2 or not _is_bracketed(node.factors[1])


def _case_values(case: tuple[tuple[sp.Symbol, int], ...]) -> dict[sp.Symbol, sp.Integer]:
    return {symbol: sp.Integer(v) for symbol, v in case}


def generalize(values: list[sp.Expr] | tuple[sp.Expr, ...], cases: tuple) -> sp.Expr | None:
    """One expression in the free indices that is ``values[c]`` in each case c: an index of an a, z, w, b or y
    that follows a free index's value becomes that letter. None when no such expression fits every case."""
    if len(cases) == 1:
        return values[0]
    first, case = values[0], cases[0]
    spots = [
        (q, p, symbol)
        for q in sorted(first.atoms(sp.Indexed), key=sp.default_sort_key)
        for p, index in enumerate(q.indices)
        if p > 0 or q.base == Y
        for symbol, value in case
        if index == value
    ]
    for chosen in _choices(spots):
        mapping = {
            q: q.base[tuple(chosen.get((q, p), i) for p, i in enumerate(q.indices))] for q in first.atoms(sp.Indexed)
        }
        template = _replaced(first, mapping)
        if all(_same(template.xreplace(_case_values(c)), v) for c, v in zip(cases, values, strict=True)):
            return _apart_from(template, [symbol for symbol, _ in case])
    return None


def _replaced(expr: sp.Basic, mapping: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    """``expr`` with ``mapping`` applied, each product and sum kept as it is written: 2(a_j - y_j), not 2a_j - 2y_j."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = [_replaced(a, mapping) for a in expr.args]
    if args == list(expr.args):
        return expr
    if isinstance(expr, sp.Indexed):
        return expr.base[tuple(args[1:])]
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _apart_from(expr: sp.Expr, letters: list[sp.Symbol]) -> sp.Expr:
    """``expr`` with each sum's own letter renamed where it is written like one of ``letters`` (a free j)."""
    names = {str(letter) for letter in letters}
    taken = names | {str(s) for s in expr.atoms(sp.Symbol)}
    spare = iter(c for c in "ikmpqrstuv" if c not in taken)
    renames = {}
    for total in sorted(expr.atoms(sp.Sum), key=sp.default_sort_key):
        for bound, *_ in total.limits:
            if str(bound) in names and bound not in letters and bound not in renames:
                renames[bound] = sp.Symbol(next(spare), integer=True)
    return _replaced(expr, renames) if renames else expr


def _same(first: sp.Expr, second: sp.Expr) -> bool:
    """The same expression, written in the same or another order."""
    return first == second or sp.expand(_evaluated(first) - _evaluated(second)) == 0


def _choices(spots: list[tuple]) -> Iterator[dict]:
    """Which index positions become which letter: all of them first, then fewer (at most 2^8 tries)."""
    spots = spots[:8]
    for size in range(len(spots), -1, -1):
        for subset in itertools.combinations(spots, size):
            chosen = {(q, p): symbol for q, p, symbol in subset}
            if len(chosen) == size:
                yield chosen


def _cost_letters(nodes: tuple[Node, ...]) -> Iterator[Scripted | Name]:
    """Each C written in the claim, with its scripts where it has any."""
    for top in nodes:
        for node in _walk(top):
            if _is_name(node, "C") or (isinstance(node, Scripted) and _is_name(node.base, "C")):
                yield node


def _speaks_of_samples(nodes: tuple[Node, ...]) -> bool:
    """Whether the claim names a sample's cost: C_i, C_x, C_0, C_1 (a C with a subscript)."""
    return any(isinstance(c, Scripted) and any(m == "_" for m, _ in c.scripts) for c in _cost_letters(nodes))


def _mentions_bare_cost(nodes: tuple[Node, ...]) -> bool:
    """Whether the claim writes C alone, with no subscript."""
    scripted = {id(c.base) for c in _cost_letters(nodes) if isinstance(c, Scripted)}
    return any(
        (isinstance(c, Name) and id(c) not in scripted)
        or (isinstance(c, Scripted) and not any(m == "_" for m, _ in c.scripts))
        for c in _cost_letters(nodes)
    )


def _signed_terms(node: Node) -> list[tuple[str, Node]]:
    """The terms of a + b - c + ... with the sign written before each, in order."""
    out = []
    while isinstance(node, Binary) and node.op in "+-" and not _ends_with_sum(node.left):
        out.append((node.op, node.right))
        node = node.left
    out.append(("+", node))
    return out[::-1]


def _leads_with_dots(node: Node) -> bool:
    """\\cdots as a term, or at the start of one (+ \\cdots 0, the last term written after the dots)."""
    first = node.factors[0] if isinstance(node, Product) else node
    return isinstance(first, Name) and first.name in DOTS


def _ends_with_sum(node: Node) -> bool:
    last = node.factors[-1] if isinstance(node, Product) else node
    base, _ = _split(last)
    return isinstance(base, Name) and base.name == "\\sum"


def _split(node: Node) -> tuple[Node, tuple]:
    """A node's base and scripts, looking through braces: {g^{(L)}}' is g with ^{(L)} and a prime."""
    base, scripts = (node.base, node.scripts) if isinstance(node, Scripted) else (node, ())
    if isinstance(base, Group) and base.delim == "{" and len(base.items) == 1:
        inner, inner_scripts = _split(base.items[0])
        return inner, (*inner_scripts, *scripts)
    return base, scripts


def _needs_body(wrt: str) -> str:
    operator = f"\\frac{{\\partial}}{{\\partial {wrt}}}"
    return f"{operator} needs what it differentiates after it, as in {operator}\\left(...\\right)"


def _is_mark(node: Node) -> bool:
    """\\partial or d alone: the numerator of an operator \\frac{\\partial}{\\partial x}."""
    node = _unbrace(node)
    return isinstance(node, Name) and node.name in DERIVATIVE_MARKS


def _is_operator(node: Node) -> bool:
    return isinstance(node, Frac) and _is_mark(node.numerator) and _after_mark(node.denominator) is not None


def _is_bracketed(node: Node) -> bool:
    """(...), \\left(...\\right) or [...], with any powers written on it."""
    base = node.base if isinstance(node, Scripted) else node
    return isinstance(base, Group) and base.delim in "(["


def _is_head(name: str | None) -> bool:
    return name is not None and (name in ACTIVATION_HEADS or name in PLAIN_HEADS or name in ("\\max", "1"))


def _is_prime_script(node: Node | None) -> bool:
    """\\prime, or {}^{\\prime}: a prime raised once more, as g^{^{\\prime}(L)} writes it."""
    inner = _unbrace(node) if node is not None else None
    if (
        isinstance(inner, Scripted)
        and isinstance(inner.base, Group)
        and inner.base.delim == "{"
        and not inner.base.items
    ):
        return all(mark == "^" and _is_prime_script(script) for mark, script in inner.scripts)
    return isinstance(inner, Name) and inner.name in ACCENT_PRIMES


def _unbrace(node: Node) -> Node:
    while isinstance(node, Group) and node.delim == "{" and len(node.items) == 1:
        node = node.items[0]
    return node


def _after_mark(node: Node) -> Node | None:
    """X in "\\partial X", "d X", "\\mathrm{d} X"; None when ``node`` does not start with such a mark."""
    node = _unbrace(node)
    if isinstance(node, Product) and isinstance(node.factors[0], Name) and node.factors[0].name in DERIVATIVE_MARKS:
        rest = node.factors[1:]
        return rest[0] if len(rest) == 1 else Product(rest[0].start, rest[-1].end, rest)
    return None


def _sum_index(node: Node) -> tuple[Node, Node | None]:
    if isinstance(node, Binding):
        return node.name, node.value
    return node, None


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for value in vars(node).values():
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if isinstance(child, Node):
                yield from _walk(child)
            elif isinstance(child, tuple):
                yield from (n for c in child if isinstance(c, Node) for n in _walk(c))


def _is_name(node: Node, name: str) -> bool:
    return isinstance(node, Name) and node.name == name


def _is_digits(node: Node) -> bool:
    return isinstance(node, Num) and node.text.isdigit()


def _corners(indices: list[_Index]) -> list[dict[sp.Symbol, sp.Integer]]:
    """Every combination of first and last values of the summed letters in an index (linear in each)."""
    points: list[dict[sp.Symbol, sp.Integer]] = [{}]
    for index in indices:
        points = [{**p, index.symbol: sp.Integer(v)} for p in points for v in (index.first, index.last)]
    return points
