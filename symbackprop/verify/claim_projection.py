"""Vector and matrix claims with more entries than are decided one by one (claim_vectors.MAX_ENTRIES): every entry
at once, by a randomized identity test modulo the prime p = 2^61 - 1 on random projections.

A 784-16-10 network's \\frac{\\partial C}{\\partial W^1} has 12,544 entries; deciding each as its own claim takes
minutes. Instead, at each random point (the inputs, parameters and targets random residues modulo p, the forward
pass worked out once, as field_network does for one entry) two random vectors u and v are drawn too, and u^T M v is
compared with u^T T v, M the claim's matrix and T the matrix of right answers (for a vector, u^T M with u^T T). If
any entry of M - T is not 0 as a rational function of the point's unknowns, then u^T (M - T) v is not 0 either, as a
rational function of those unknowns and of u and v, and has degree one more in u and one more in v. By the
Schwartz-Zippel lemma a point then agrees with probability at most d / p, d the degree bound the same arithmetic on
degrees gives (u and v counted in it), and every one of the points with at most (d / p)^points: the verdict states
it as an element claim's does.

Each derivative the claim writes (\\delta^1_j, one Partial) is worked out once, by sympy.diff of the cost as
claim_values does for an entry, and evaluated once per point; each right answer is the engine's derivation of that
entry, as for an element claim.

Where the two differ, the point's entries are compared one by one: an entry whose two values differ there is wrong
(a difference modulo p is one over the rationals too). That entry, with a few others spread over the matrix for the
diagnosis, is then read as a small claim is (``Projection.narrowed``), so a wrong claim gets the same counterexample
at real values the spec allows, and the same diagnosis, as a small network's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

from ..derive.derivation import derive
from ..model.network import Network
from ..model.partial import Partial
from ..model.printing import printers
from ..model.references import ref_of
from ..model.symbols import C0, A, OrderedProduct, W, Z
from ..model.targets import ONE_HOT, one_hot_cases
from ..prove import assumed
from ..prove.field_network import FieldPoint, stated
from ..prove.points import product_of, sum_of
from ..prove.random_identity import POINTS, Outcome, Unknowns, identity_test
from ..prove.real_points import Unsupported
from ..syntax.errors import ClaimError
from .claim_cases import Case, case_values, generalize
from .claim_limits import evaluated
from .claim_values import BEYOND_FIRST, partial_value

GENERAL_CASES = 4  # right answers the general form (in the letters j, k) is found from, before it is tested on all


@dataclass(frozen=True)
class Projection:
    """A vector or matrix claim with more entries than are decided one by one, as claim_vectors reads it: the
    derivative's variable with the free letters, every case of them, where each case's entry stands, each
    right-hand side's matrix whole (index, text, position, as read, entries), and the claim read again on a few
    cases (``narrowed``), as a small claim is."""

    wrt: sp.Indexed
    cases: tuple[Case, ...]
    places: Mapping[Case, tuple[int, int]]
    sides: tuple[tuple[int, str, int, sp.Expr, sp.ImmutableMatrix], ...]
    narrowed: Callable[[tuple[Case, ...]], Any]
    count: int  # sides written, the left-hand side included


@dataclass(frozen=True)
class Decided:
    """The projection's verdict: a right claim's report fields, or the claim narrowed to an entry shown wrong."""

    fields: dict[str, Any] | None = None
    reading: Any = None  # claim_vectors.MatrixReading on the wrong entry first, then a few others


def spread(cases: Sequence[Case], count: int) -> tuple[Case, ...]:
    """``count`` of the cases, spread evenly from the first to the last (all of them where there are fewer)."""
    if len(cases) <= count:
        return tuple(cases)
    step = (len(cases) - 1) / (count - 1)
    return tuple(dict.fromkeys(cases[round(n * step)] for n in range(count)))


def decide(net: Network, projection: Projection, answer_of: Callable[[Case], Any]) -> Decided:
    """Every side against the right answers, all entries at once; ``answer_of`` gives a case's right answer as a
    report shows it (claims._case_answer)."""
    shape = projection.sides[0][4].shape
    program = _Program()
    truth, start = _truth(net, projection, program)
    partials = _partials(net, projection)
    method = ""
    for *_, entries in projection.sides:
        test = _Test(net, program, [program.node(e) for e in entries], truth, shape, start, partials)
        equal, method = test.under_targets()
        if not equal:
            return Decided(reading=_narrowed(projection, test.wrong()))
    answer = answer_of(projection.cases[0])
    index, text, _, shown, _ = projection.sides[-1]
    fields = {
        "wrt": ref_of(answer.wrt),
        "derivation": answer.derivation,
        "read_as": shown,
        "method": f"all {len(projection.cases):,} entries at once, {method}",
        "answer": answer,
        "case": projection.cases[0],
        "general": _general(net, projection, answer_of, (program, truth, start, partials)),
        "side": index,
        "sides": projection.count,
        "side_text": text,
        "first_side": projection.sides[0][0],
    }
    return Decided(fields=fields)


def _truth(net: Network, projection: Projection, program: _Program) -> tuple[list[int], Any]:
    """The right answer at each entry, row by row, as steps of ``program``, and where its derivations start.

    Each is the engine's derivation of that entry; for the weights w_jk^(l), which C depends on through z_j^(l)
    alone, the derivation of dC/dz_j^(l) times dz_j^(l)/dw_jk^(l) = a_k^(l-1): n_l derivations, not n_l n_(l-1);
    for a hidden layer's a_k^(l), which C depends on through the next layer's z's alone, the sum over j of
    dC/dz_j^(l+1) times w_jk^(l+1).
    """
    shape = projection.sides[0][4].shape
    truth = [0] * (shape[0] * shape[1])
    wrt = projection.wrt
    if wrt.base == W:
        layer = int(wrt.indices[0])
        deltas: dict[int, int] = {}
        for case in projection.cases:
            entry = wrt.xreplace(case_values(case))
            j, k = int(entry.indices[1]), int(entry.indices[2])
            if j not in deltas:
                deltas[j] = program.node(derive(net, ref_of(Z[layer, j])).result)
            row, col = projection.places[case]
            truth[row * shape[1] + col] = program.times(deltas[j], program.node(A[layer - 1, k]))
        return truth, None
    if wrt.base == A and int(wrt.indices[0]) < net.depth:  # through the next layer's z's: n_(l+1) derivations
        layer = int(wrt.indices[0]) + 1
        deltas = {j: program.node(derive(net, ref_of(Z[layer, j])).result) for j in net.neurons(layer)}
        for case in projection.cases:
            k = int(wrt.xreplace(case_values(case)).indices[1])
            terms = [program.times(deltas[j], program.node(W[layer, j, k])) for j in net.neurons(layer)]
            row, col = projection.places[case]
            truth[row * shape[1] + col] = program.total(terms)
        return truth, None
    derivations = [derive(net, ref_of(wrt.xreplace(case_values(c)))) for c in projection.cases]
    for case, d in zip(projection.cases, derivations, strict=True):
        row, col = projection.places[case]
        truth[row * shape[1] + col] = program.node(d.result)
    starts = {(d.start.kind, d.start.layer) if d.start is not None else None for d in derivations}
    return truth, derivations[0].start if len(starts) == 1 else None  # only its kind and layer matter to a point


def _partials(net: Network, projection: Projection) -> dict[sp.Expr, sp.Expr]:
    """Each derivative the claim writes, worked out once (sympy.diff of what it differentiates), and C_0 itself."""
    found: dict[sp.Expr, sp.Expr] = {C0: net.cost_definition()}
    for _, _, position, _, entries in projection.sides:
        for p in set().union(*(e.atoms(Partial) for e in entries)):
            if p not in found:
                found[p] = partial_value(net, p.of, p.wrt, position)
                if found[p].has(*BEYOND_FIRST):
                    raise ClaimError(
                        "a derivative in the claim is a second derivative, which is not supported", position
                    )
        if any(e.has(sp.Sum) for e in entries):
            raise ClaimError("a sum written inside a vector claim this large is not understood", position)
    return found


def _narrowed(projection: Projection, wrong: int) -> Any:
    """The claim read as a small one on the entry found wrong, then a few others for the diagnosis."""
    cols = projection.sides[0][4].shape[1]
    case = next(c for c in projection.cases if projection.places[c] == divmod(wrong, cols))
    others = tuple(c for c in spread(projection.cases, 16) if c != case)
    reading = projection.narrowed((case, *others))
    at = ", ".join(f"{symbol} = {value}" for symbol, value in case)
    note = (
        f"the claim has {len(projection.cases):,} entries, more than are decided one by one: all were compared at "
        "once, projected on random vectors at random points modulo p = 2^61 - 1, and differed; at the point where "
        f"they differed, the entry at {at} does, so it is the one decided and shown here"
    )
    return replace(reading, notes=(*reading.notes, (note, ())))


def _general(net: Network, projection: Projection, answer_of: Callable[[Case], Any], tested: tuple) -> sp.Expr | None:
    """The right answer in the free letters, found from a few entries and then tested on every entry as the claim
    was (the same projection, points and bound); None where no one expression fits them all."""
    program, truth, start, partials = tested
    chosen = spread(projection.cases[len(projection.cases) // 3 :], GENERAL_CASES)
    general = generalize([answer_of(c).shown for c in chosen], chosen)
    if general is None:
        return None
    shape = projection.sides[0][4].shape
    written = [0] * len(truth)
    sums: dict[sp.Expr, sp.Expr] = {}
    plain = evaluated(general)  # 2(a - y) kept as written, a product
    for case in projection.cases:
        row, col = projection.places[case]
        written[row * shape[1] + col] = program.node(_written_out(plain.xreplace(case_values(case)), sums))
    try:
        equal, _ = _Test(net, program, written, truth, shape, start, partials).under_targets()
    except (Unsupported, ClaimError, ZeroDivisionError):
        return None
    return general if equal else None


def _written_out(expr: sp.Expr, sums: dict[sp.Expr, sp.Expr]) -> sp.Expr:
    """``expr`` with each sum over a layer's neurons written out term by term (each sum once: ``sums``)."""
    if isinstance(expr, sp.Sum):
        if expr not in sums:
            (index, first, last), *more = expr.limits
            inner = sp.Sum(expr.function, *more) if more else expr.function
            terms = (inner.xreplace({index: sp.Integer(v)}) for v in range(int(first), int(last) + 1))
            sums[expr] = sp.Add(*(_written_out(t, sums) for t in terms))
        return sums[expr]
    if not expr.args or not expr.has(sp.Sum):
        return expr
    return expr.func(*(_written_out(a, sums) for a in expr.args))


class _Program:
    """Expressions compiled once into steps over their shared parts (a sum every entry of a row has is one step),
    so each point evaluates them without walking SymPy's trees again: a step is a part the point gives a value
    (a number, a, z, w, y, g'(z), a derivative), or a sum, a product or an integer power of earlier steps."""

    def __init__(self) -> None:
        self.slots: dict[sp.Basic, int] = {}
        self.plan: list[tuple[Any, ...]] = []

    def node(self, e: sp.Basic) -> int:
        slot = self.slots.get(e)
        if slot is not None:
            return slot
        if isinstance(e, (sp.Add, sp.Mul, OrderedProduct)):  # a product kept in its written order is a product
            step: tuple[Any, ...] = ("+" if isinstance(e, sp.Add) else "*", tuple(self.node(a) for a in e.args))
        elif isinstance(e, sp.Pow) and e.exp.is_Integer:
            step = ("^", self.node(e.base), int(e.exp))
        else:
            step = ("part", e)
        self.plan.append(step)
        self.slots[e] = len(self.plan) - 1
        return len(self.plan) - 1

    def times(self, first: int, second: int) -> int:
        self.plan.append(("*", (first, second)))
        return len(self.plan) - 1

    def total(self, terms: list[int]) -> int:
        self.plan.append(("+", tuple(terms)))
        return len(self.plan) - 1

    def run(self, point: FieldPoint) -> list[Any]:
        """Every step's value at ``point``."""
        values: list[Any] = []
        for kind, *rest in self.plan:
            if kind == "part":
                values.append(point.value(rest[0]))
            elif kind == "+":
                values.append(sum_of(values[k] for k in rest[0]))
            elif kind == "*":
                values.append(product_of(values[k] for k in rest[0]))
            else:
                values.append(values[rest[0]] ** rest[1])
        return values


class _Test:
    """One side's entries against the right answers' at random points modulo p, projected on random u and v."""

    def __init__(
        self,
        net: Network,
        program: _Program,
        mine: list[int],
        truth: list[int],
        shape: tuple[int, int],
        start: Any,
        partials: dict[sp.Expr, sp.Expr],
    ) -> None:
        self.net, self.program, self.mine, self.truth, self.shape = net, program, mine, truth, shape
        self.start, self.partials = start, partials
        self.seen: tuple[list[Any], list[Any]] = ([], [])  # the last point's entries: the failing one's, if any

    def evaluate(self, mode: str, given: Any, unknowns: Unknowns) -> tuple[Any, Any]:
        point = FieldPoint(self.net, unknowns, mode, self.start, given)
        for p, value in self.partials.items():
            point.memo[p] = point.value(value)
        rows, cols = self.shape
        if rows == 1 or cols == 1:
            weights = [unknowns.unknown(("projection", "u", n)) for n in range(rows * cols)]
        else:
            u = [unknowns.unknown(("projection", "u", r)) for r in range(rows)]
            v = [unknowns.unknown(("projection", "v", c)) for c in range(cols)]
            weights = [ur * vc for ur in u for vc in v]
        values = self.program.run(point)
        mine, theirs = [values[n] for n in self.mine], [values[n] for n in self.truth]
        self.seen = (mine, theirs)
        projected = sum_of(w * m for w, m in zip(weights, mine, strict=True))
        return projected, sum_of(w * t for w, t in zip(weights, theirs, strict=True))

    def run(self, mode: str, given: Any) -> Outcome:
        return identity_test(lambda unknowns: self.evaluate(mode, given, unknowns), POINTS)

    def decided(self, given: Any) -> tuple[bool, str]:
        """As field_network.field_decision: every activation an arbitrary function, then the network's own."""
        net, outcome = self.net, None
        try:
            outcome = self.run("generic", given)
            if outcome.verdict == "proven":
                return True, f"with every activation an arbitrary function g (softmax as it is): {_stated(outcome)}"
        except Unsupported:
            pass
        if any(not net.activation(k).generic for k in range(1, net.depth + 1)):
            outcome = self.run("concrete", given)
            if outcome.verdict == "proven":
                return True, f"for this network's activations: {_stated(outcome)}"
        if outcome is None or outcome.verdict == "undecided":
            raise Unsupported(outcome.reason if outcome is not None else "a branch has no value modulo p")
        return False, "not equal at a random point modulo p"

    def under_targets(self) -> tuple[bool, str]:
        """``decided`` on the targets the spec allows, said as assumed.decide says it."""
        net = self.net
        sums = assumed.given(net)
        if sums is None:
            return self.decided(None)
        text = printers(net.notation, net.layers)[0].doprint
        *others, last = net.targets()
        rest = " - ".join(["1", *(text(y) for y in others)])
        equal, method = self.decided(sums)
        one_hot = net.spec.targets == ONE_HOT
        if equal or not one_hot:
            told = "as the spec's one-hot targets do" if one_hot else "as the spec states"
            return equal, f"with each sample's targets summing to 1, {told} ({text(last)} = {rest}): {method}"
        for case in one_hot_cases(net.targets()):
            equal, method = self.decided(case)
            if not equal:
                return False, method
        return True, f"at each of the {len(net.targets())} one-hot targets the spec allows, in turn: {method}"

    def wrong(self) -> int:
        """Where, in the entries row by row, the failing point's first differing entry stands."""
        mine, theirs = self.seen
        return next(n for n, (m, t) in enumerate(zip(mine, theirs, strict=True)) if m != t)


def _stated(outcome: Outcome) -> str:
    return (
        "projected on random vectors, u^T M v against u^T T v (for a vector u^T M against u^T T), which adds one "
        "degree for u and one for v: " + stated(outcome)
    )
