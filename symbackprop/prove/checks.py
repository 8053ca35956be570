"""Proofs that a derivation is right, and the proofs' honest account of how they were made.

The derivation's result, with the forward definitions substituted, is compared with the
derivative of the composed cost, each elementwise activation standing as an undefined function
g_l so the proof holds for every differentiable activation. Each catalogue activation's own
derivative formula is proven separately. How is decided by the input's size alone, so the same
input always gets the same proof: up to SYMBOLIC_NODES nodes of composed cost (and SYMBOLIC_LAYERS
layers) the difference from ``sympy.diff`` is cancelled to 0; above, a randomized identity test
(random_identity) compares it with forward-mode dual numbers at exact random points and states its
chance of error. Time limits are only a guard against hanging: a proof that runs past one is not
decided, and says so. Every Proof is proven, disproven or undecided, and says which and how.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import sympy as sp
from sympy.core.function import AppliedUndef

from ..base.stages import stage
from ..base.time_guard import within
from ..derive.bounds import tree_size
from ..model.activations import Activation
from ..model.symbols import OrderedProduct
from .random_identity import POINTS, SPAN, Outcome, Point, Unknowns, identity_test

if TYPE_CHECKING:
    from ..derive.bounds import ProofCopy
    from ..derive.derivation import Derivation
    from ..derive.matrix_form import Stated
    from ..model.network import Network
    from ..model.references import Ref

T = TypeVar("T")
Show = Callable[[sp.Basic], str]

PROVEN, DISPROVEN, UNDECIDED = "proven", "disproven", "undecided"
SYMBOLIC, RANDOM = "symbolic", "randomized identity test"
SYMBOLIC_NODES = 3_000  # nodes of the composed cost, written out as a tree, above which cancelling is not tried
SYMBOLIC_LAYERS = 10  # layers a derivative runs through, above which cancelling is not tried
SUM_FORM_NODES = 20_000  # nodes of a Σ form's difference from the result above which it is not expanded
GUARD_SECONDS = 120.0  # a guard against hanging, not a budget: work within the limits above takes seconds


@dataclass(frozen=True)
class Proof:
    """The outcome of a check: ``verdict`` proven, disproven or undecided; ``method`` and ``statement`` say how.

    Truthy only when proven.
    """

    verdict: str
    method: str  # SYMBOLIC or RANDOM
    statement: str
    activation_facts: tuple[str, ...] = ()

    @property
    def proven(self) -> bool:
        return self.verdict == PROVEN

    def __bool__(self) -> bool:
        return self.proven

    def __str__(self) -> str:
        facts = "".join(f"; {fact}" for fact in self.activation_facts)
        return f"{HEADLINE[self.verdict]} ({self.method}): {self.statement}{facts}"

    def as_data(self) -> dict[str, Any]:
        """The proof for JSON: the three-state verdict, the method, and the statement in words."""
        return {"verdict": self.verdict, "proven": self.proven, "method": self.method, "statement": str(self)}


HEADLINE = {PROVEN: "proven", DISPROVEN: "DISPROVEN", UNDECIDED: "NOT DECIDED"}


@dataclass(frozen=True)
class Part:
    """One step of a proof: its verdict, method and words."""

    verdict: str
    method: str
    words: str


def prove(d: Derivation) -> Proof:
    """Prove the derivation's result, and the Σ form a document prints for it.

    The result is compared with the derivative of the composed cost: symbolically (cancelling the difference
    from sympy.diff) when the composed cost is small enough, else by a randomized identity test; both with
    every activation an arbitrary function.
    """
    facts = tuple(dict.fromkeys(_activation_fact(d.network.activation(layer)) for layer in _layers_used(d)))
    parts = [_chain_rule(d), _sum_form(d)]
    if not all("NOT proven" not in f for f in facts):
        parts.append(Part(UNDECIDED, SYMBOLIC, "an activation's derivative is not proven"))
    return combine(parts, facts)


def combine(parts: list[Part], facts: tuple[str, ...] = ()) -> Proof:
    """The weakest verdict of the parts (disproven, then undecided); symbolic only if every part is."""
    verdict = next((v for v in (DISPROVEN, UNDECIDED) if any(p.verdict == v for p in parts)), PROVEN)
    method = SYMBOLIC if all(p.method == SYMBOLIC for p in parts) else RANDOM
    return Proof(verdict, method, "; ".join(p.words for p in parts), facts)


def _chain_rule(d: Derivation) -> Part:
    net = d.network
    show = text_printer(net)
    nodes, layers = tree_size(net.composed_cost(d.start)), len(_layers_used(d))
    what = "the chain-rule result"
    if nodes > SYMBOLIC_NODES or layers > SYMBOLIC_LAYERS:
        why = too_large(nodes, layers, SYMBOLIC_NODES, SYMBOLIC_LAYERS)
        return by_points(what, _dual_outcome(d), f"{why}, so it is not cancelled symbolically", show=show)
    zero = guarded(lambda: _symbolic_difference_vanishes(d))
    if zero:
        return Part(PROVEN, SYMBOLIC, f"{what} equals sympy.diff of the composed cost: their difference cancels to 0")
    if zero is None:
        return Part(
            UNDECIDED,
            SYMBOLIC,
            f"{what}: cancelling its difference from sympy.diff of the composed cost "
            f"(a composed cost of {nodes:,} nodes) {ran_past()}",
        )
    return by_points(what, _dual_outcome(d), "cancelling the difference from sympy.diff did not reach 0", show=show)


def too_large(nodes: int, layers: int, most_nodes: int, most_layers: int) -> str:
    if nodes > most_nodes:
        return f"the composed cost written out has {nodes:,} nodes, more than {most_nodes:,}"
    return f"the derivative runs through {layers} layers, more than {most_layers}"


def ran_past() -> str:
    return f"ran past {GUARD_SECONDS:g} s, the guard against hanging (work of this size takes seconds)"


def by_points(what: str, outcome: Outcome, why: str, against: str = "", show: Show = str) -> Part:
    """The words for a randomized identity test of ``what`` against ``against`` (by default the forward-mode
    derivative of the composed cost); ``show`` prints a symbol of a counterexample."""
    against = against or "the derivative of the composed cost, computed independently by forward-mode dual numbers"
    if outcome.verdict == PROVEN:
        return Part(PROVEN, RANDOM, f"{what} equals {against}: {agreement(outcome)} ({why})")
    if outcome.verdict == DISPROVEN:
        return Part(DISPROVEN, RANDOM, f"{what} differs from {against}: {counterexample(outcome, show)}")
    return Part(UNDECIDED, RANDOM, f"{what}, compared with {against} at random points: {outcome.reason}")


def agreement(outcome: Outcome) -> str:
    """What agreement at every random point establishes, with its chance of error."""
    chance = "nil" if outcome.degree <= 0 else f"below 10^{outcome.exponent}"
    return (
        f"exactly equal at {outcome.points} random points, where every input, parameter and target and every "
        f"activation value and slope is an unknown integer of its own, drawn from {SPAN:,} (a randomized identity "
        f"test: were they different functions, their difference would have a numerator of degree at most "
        f"{outcome.degree:,}, which a random point is a root of with probability at most {outcome.degree:,} in "
        f"{SPAN:,} by the Schwartz-Zippel lemma, so the chance that all {outcome.points} points agree is {chance}; "
        "the points are drawn from a fixed seed, so the same input always gets this verdict)"
    )


def counterexample(outcome: Outcome, show: Show = str, shown: int = 6) -> str:
    """The point where two expressions differ, for the statement: some of its values, and the two results."""
    w = outcome.witness
    assert w is not None
    values = ", ".join(f"{show(s)} = {v}" for s, v in w.values[:shown])
    more = f" and {len(w.values) - shown} more" if len(w.values) > shown else ""
    return (
        f"at random point {w.number}, where {values}{more}, every activation value and slope an integer of its "
        f"own, the first is {_short(w.mine)} and the second {_short(w.theirs)}"
    )


def _short(x: Any) -> str:
    text = str(x)
    return text if len(text) <= 40 else f"{float(x):.6g}" if abs(x) < 1e300 else f"a number of {len(text)} digits"


def _symbolic_difference_vanishes(d: Derivation) -> bool:
    """Whether the difference from sympy.diff of the composed cost cancels to 0."""
    net = d.network
    oracle = sp.diff(net.composed_cost(d.start), d.symbol)
    difference = net.compose(d.result, d.start) - atomize(oracle)
    return sp.expand(difference) == 0 or sp.cancel(sp.together(difference)) == 0


def _dual_outcome(d: Derivation) -> Outcome:
    """The result against the forward-mode derivative of the composed cost, at random points."""
    net = d.network
    mapping, cost = net.forward_map(d.start, False), net.cost_definition()

    def evaluate(unknowns: Unknowns) -> tuple[Any, Any]:
        point = Point(unknowns, mapping, lambda e: net.compose(e, d.start), (d.symbol, None))
        derivative = point.jet(cost)[1]  # first: the result's values then reuse the forward pass's
        return point.value(d.result), derivative

    return points_within(evaluate)


def points_within(evaluate: Callable[[Unknowns], tuple[Any, Any]], count: int = POINTS) -> Outcome:
    """``identity_test`` under the guard against hanging: running past it leaves the test undecided."""
    done = [0]
    outcome = guarded(lambda: identity_test(evaluate, count, done))
    if outcome is None:
        return Outcome(UNDECIDED, done[0], 0, reason=f"{done[0]} of {count} points were done when it {ran_past()}")
    return outcome


def guarded(work: Callable[[], T]) -> T | None:
    """``work()`` within GUARD_SECONDS; None if it runs past them or nests too deeply for SymPy."""
    try:
        return within(GUARD_SECONDS, work)
    except RecursionError:
        return None


def _layers_used(d: Derivation) -> list[int]:
    """The layers whose activation's derivative the result may contain."""
    low = d.target.layer + (1 if d.target.kind == "a" else 0)
    return [layer for layer in range(max(low, 1), d.network.depth + 1)]


def atomize(expr: sp.Expr) -> sp.Expr:
    """SymPy's Derivative(g_l(u), u) and Derivative(g_l(u), (u, 2)), however written, as one applied function
    g_l_prime(u) and g_l_prime2(u): the names Network.compose gives the textbook's g'."""

    def name(derivative: sp.Derivative) -> str:
        order = sum(count for _, count in derivative.variable_count)
        return f"{derivative.expr.func.__name__}_prime" + ("2" if order == 2 else "")

    subs = {s: sp.Function(name(s.expr))(*s.point) for s in expr.atoms(sp.Subs) if isinstance(s.expr, sp.Derivative)}
    expr = expr.xreplace(subs)
    found = {
        d: sp.Function(name(d))(*d.expr.args) for d in expr.atoms(sp.Derivative) if isinstance(d.expr, AppliedUndef)
    }
    return expr.xreplace(found)


def _sum_form(d: Derivation) -> Part:
    """The Σ form a document prints, its sums carried out, is the result itself: identical as SymPy builds them,
    or expanded to 0 when small, else by the randomized identity test."""
    what = "the Σ form printed for the result"
    carried = guarded(lambda: carried_out(d.sum_form))
    if carried is None:
        return Part(UNDECIDED, SYMBOLIC, f"{what}: carrying out its sums {ran_past()}")
    difference = carried - d.result
    if difference == 0:
        return Part(PROVEN, SYMBOLIC, f"{what} is the result, its sums carried out")
    nodes = tree_size(difference)
    why = f"its difference from the result has {nodes:,} nodes, more than the {SUM_FORM_NODES:,} expanded"
    if nodes <= SUM_FORM_NODES:
        zero = guarded(lambda: sp.expand(difference) == 0)
        if zero:
            return Part(
                PROVEN, SYMBOLIC, f"{what} is the result: with its sums carried out their difference expands to 0"
            )
        if zero is None:
            return Part(UNDECIDED, SYMBOLIC, f"{what}: expanding its difference from the result {ran_past()}")
        why = "its difference from the result does not expand to 0"

    def evaluate(unknowns: Unknowns) -> tuple[Any, Any]:
        point = Point(unknowns, {}, lambda e: e)
        return point.value(carried), point.value(d.result)

    against = "the result, its sums carried out"
    return by_points(what, points_within(evaluate), why, against, text_printer(d.network))


def text_printer(net: Network) -> Show:
    """How a statement writes a symbol: in the network's notation, as plain text."""
    from ..model.printing import printers

    return printers(net.notation, net.layers)[0].doprint


def carried_out(expr: sp.Expr) -> sp.Expr:
    """``expr.doit()`` for the finite Sums of a Σ form: each sum written out term by term, each ordered
    product a Mul.

    SymPy's own ``doit`` looks for a closed form of every nested sum, which takes minutes for a deep network.
    """
    memo: dict[sp.Basic, sp.Basic] = {}

    def out(e: sp.Basic) -> sp.Basic:
        if e not in memo:
            if isinstance(e, sp.Sum):
                body, (index, low, high) = e.function, e.limits[-1]
                inner = sp.Sum(body, *e.limits[:-1]) if len(e.limits) > 1 else body
                memo[e] = sp.Add(*(out(inner.xreplace({index: v})) for v in range(int(low), int(high) + 1)))
            elif isinstance(e, sp.Atom) or not e.args:
                memo[e] = e
            elif isinstance(e, OrderedProduct):  # the order a text tells a product in; its value is the Mul
                memo[e] = sp.Mul(*(out(a) for a in e.args))
            else:
                memo[e] = e.func(*(out(a) for a in e.args))
        return memo[e]

    return out(expr)


# --- the general and matrix forms, proven on a copy of the network ---------------------------------


def prove_general_form(net: Network) -> Proof:
    """The general formulas instantiated for every layer and neuron of the proof copy, against the element
    derivations of all its weights, biases and activations."""
    from ..derive.bounds import proof_copy
    from ..derive.general_form import prove as wrong_elements

    copy = proof_copy(net)
    small = copy.network
    count = len(small.parameters()) + sum(small.layers[:-1])
    wrong = guarded(lambda: wrong_elements(small))
    if wrong is None:
        return Proof(UNDECIDED, SYMBOLIC, f"instantiating the formulas on {copy.description} {ran_past()}")
    if wrong:
        names = ", ".join(str(small.symbol(ref)) for ref in wrong[:6])
        return Proof(
            DISPROVEN,
            SYMBOLIC,
            f"instantiated on {copy.description}, the formulas differ from the element-by-element derivations of "
            f"{len(wrong)} of its {count} weights, biases and activations ({names}): their difference does not "
            "cancel to 0",
        )
    return Proof(
        PROVEN,
        SYMBOLIC,
        f"instantiated for every layer and neuron of {copy.description}, the formulas equal the element-by-element "
        f"derivations of all its {count} weights, biases and activations (their difference cancels to 0)"
        f"{_covers(copy)}",
    )


def _covers(copy: ProofCopy) -> str:
    """Why a proof on the copy covers the whole network (nothing to say when the copy is the network)."""
    if copy.description == "this network":
        return ""
    kinds = copy.kinds
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + f" and {kinds[-1]}"
    return (
        f"; it keeps one layer of each kind this network has ({listed}), and the formulas are the same for every "
        "layer of a kind, so they hold for every layer here"
    )


@dataclass(frozen=True)
class MatrixProof:
    """The matrix-form equations a document prints (one per kind of layer, written for a general layer) and
    their proof on the copy."""

    equations: tuple[Stated, ...]
    proof: Proof


def prove_matrix_form(net: Network) -> MatrixProof:
    """Every entry of the matrix form, for every layer of the proof copy, against the element derivations; the
    copy has a layer of every kind whose equation is printed, so the printed equations are the proven ones."""
    from ..derive.bounds import proof_copy
    from ..derive.matrix_form import not_covered, stated
    from ..derive.matrix_form import prove as entries_hold

    copy = proof_copy(net)
    equations = stated(net)
    missing = not_covered(net, copy.network)
    if missing:
        kinds = ", ".join(dict.fromkeys(f"{row.kind} ({row.case})" for row in missing))
        return MatrixProof(
            equations,
            Proof(
                UNDECIDED,
                SYMBOLIC,
                f"the equations would be proven on {copy.description}, but none of its layers has the {kinds} "
                "equation printed here, so that one is not proven",
            ),
        )
    holds = guarded(lambda: entries_hold(copy.network))
    where = f"for every layer of {copy.description}"
    if holds is None:
        return MatrixProof(equations, Proof(UNDECIDED, SYMBOLIC, f"checking every entry {where} {ran_past()}"))
    if not holds:
        return MatrixProof(
            equations,
            Proof(
                DISPROVEN,
                SYMBOLIC,
                f"{where}, an entry of these equations differs from the element-by-element derivation",
            ),
        )
    return MatrixProof(
        equations,
        Proof(
            PROVEN,
            SYMBOLIC,
            f"{where}, every entry of these equations equals the element-by-element derivation of its weights and "
            f"biases (their difference cancels to 0), for one sample and for a batch{_covers(copy)}",
        ),
    )


# --- every proof a document states ------------------------------------------------------------------

MATRIX_FORMATS = ("tex", "tex-body", "pdf")  # the documents with the matrix form


@dataclass(frozen=True)
class Verdicts:
    """Every proof a document states: the derivation's, and the matrix form's where the document has it."""

    element: Proof
    matrix: MatrixProof | None = None

    @property
    def proofs(self) -> tuple[Proof, ...]:
        return (self.element,) + ((self.matrix.proof,) if self.matrix is not None else ())

    def __bool__(self) -> bool:
        return all(self.proofs)


def stated_proofs(d: Derivation, fmt: str, element: Proof | None = None) -> Verdicts:
    """Run the proofs a document of ``d`` in ``fmt`` states, and only those (``element`` if already run)."""
    if element is None:
        stage("proving")
        element = prove(d)
    if fmt not in MATRIX_FORMATS:
        return Verdicts(element, None)
    stage("proving the matrix form")
    return Verdicts(element, prove_matrix_form(d.network))


def all_proofs(net: Network, refs: list[Ref], on_step: Callable[[str], None] | None = None) -> dict[Ref, Proof]:
    """The proof of each element a --wrt all document derives (``on_step`` hears of each)."""
    proofs = {}
    for ref in refs:
        if on_step is not None:
            on_step(f"{ref.kind} in layer {net.notation.layer(ref.layer, net.depth)}")
        proofs[ref] = prove(net.derive(ref))
    return proofs


@cache
def _activation_fact(act: Activation) -> str:
    """Prove the catalogue's derivative of one activation with sympy.diff of its formula."""
    if act.generic:
        return f"the generic activation {act.name} keeps its derivative symbolic, so the result holds for any g"
    if act.form is None:
        return "softmax's coupled derivative is part of the composed cost, so it is proven with it"
    z = sp.Symbol("z", real=True)
    gap = sp.diff(act.form(z), z) - act.prime(z)
    where = ""
    if isinstance(act.form(z), (sp.Max, sp.Piecewise)):
        sides = (sp.Symbol("p", positive=True), sp.Symbol("n", negative=True))
        zero = all(sp.simplify(gap.subs(z, side)) == 0 for side in sides)
        where = " for z > 0 and for z < 0 (at 0 the derivative is taken as the left one)"
    else:
        zero = sp.simplify(gap) == 0
    verdict = "proven equal" if zero else "NOT proven equal"
    return f"the derivative of {act.name} used here is {verdict} to sympy.diff of its formula{where}"
