"""Evaluation at real points, to 50 digits: the test for formulas with branches (max, steps, |x|).

Exact random points (points.ConcretePoint) give exp and a layer's g a random value of their own,
which keeps every identity of a formula without branches but makes a comparison meaningless:
is a sigmoid's output above 1/2 when its exp was drawn at random? A formula with max, a step
function or a piecewise part is therefore compared at real points instead: inputs,
parameters and targets drawn at several scales, every function its true value (a generic g_l
a random smooth function, alpha tanh(beta u + gamma) + delta u, with its true derivative),
and points drawn until every branch has been seen on both sides where it can be.

Targets are drawn on both signs (a tanh network's target is as often -1/2 as 1/2) unless the spec states
what they are. A branch that still went one way at every point is searched for its other side: each
quantity its argument depends on is pushed over a wide symmetric range (up to 1024 in size) at fresh
points. A branch whose argument is provably of one sign (SymPy, every quantity real, targets the spec
states non-negative) has no other side. Otherwise a branch never seen on both sides leaves the
comparison ``one_sided``, and a verdict of "equal" is not given on it (``OneSided``).

A gap between the two at a point counts only if it is there again when the point is worked to CONFIRM_DIGITS: a
subtraction of nearly equal numbers loses digits, differently in two forms of one function.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from ..model.symbols import SoftmaxExp, Y

DIGITS = 50
TOLERANCE = mpmath.mpf(10) ** -30  # relative to the larger value, or to 1
CONFIRM_DIGITS = 4 * DIGITS  # a gap found at DIGITS is worked again at this precision before it counts (``_apart``)
SCALES = (1.0, 0.5, 2.0, 0.25, 4.0, 8.0)
BRANCHES = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise)


class Undefined(ArithmeticError):
    """The formula has no real value at this point (a log of a negative number, a division by 0)."""


class Unsupported(TypeError):
    """The formula uses a function this evaluator does not know."""


class OneSided(Unsupported):
    """Equal at every real point, yet a branch went the same way at all of them and may have another side."""


def has_branches(expr: sp.Expr) -> bool:
    """Whether the formula takes a max, a min, an absolute value, a sign, a step or a piecewise part."""
    return expr.has(*BRANCHES)


@dataclass
class RealPoint:
    """One real point: values of the leaves, each generic g_l's shape, and the signs each branch was decided by."""

    leaves: dict[sp.Expr, mpmath.mpf]
    generic: dict[str, tuple[mpmath.mpf, ...]]  # g_l -> (alpha, beta, gamma, delta)
    sides: dict[sp.Basic, set[int]] = field(default_factory=dict)
    memo: dict[sp.Basic, mpmath.mpf] = field(default_factory=dict)

    def value(self, e: sp.Basic) -> mpmath.mpf:
        if e not in self.memo:
            self.memo[e] = self._compute(e)
        return self.memo[e]

    def _compute(self, e: sp.Basic) -> mpmath.mpf:
        if e.is_Number or isinstance(e, sp.NumberSymbol):
            if not e.is_finite:
                raise Undefined(str(e))
            return _rational(e) if e.is_Rational else mpmath.mpf(sp.N(e, mpmath.mp.dps + 10)._mpf_)
        if isinstance(e, (sp.Indexed, sp.Symbol)):
            if e not in self.leaves:
                raise Unsupported(f"no value for {e}")
            return self.leaves[e]
        if isinstance(e, sp.Add):
            return mpmath.fsum(self.value(a) for a in e.args)
        if isinstance(e, sp.Mul):
            return mpmath.fprod(self.value(a) for a in e.args)
        if isinstance(e, sp.Pow):
            return _power(self.value(e.base), self.value(e.exp), e.exp)
        if isinstance(e, (sp.exp, SoftmaxExp)):
            return mpmath.exp(self.value(e.args[0]))
        if isinstance(e, sp.log):
            x = self.value(e.args[0])
            if x <= 0:
                raise Undefined("log of a number that is not positive")
            return mpmath.log(x)
        if isinstance(e, sp.tanh):
            return mpmath.tanh(self.value(e.args[0]))
        if isinstance(e, AppliedUndef) and len(e.args) == 1:
            return self._generic(type(e).__name__, self.value(e.args[0]))
        return self._branch(e)

    def _branch(self, e: sp.Basic) -> mpmath.mpf:
        if isinstance(e, (sp.Max, sp.Min)):
            values = [self.value(a) for a in e.args]
            for a, b in itertools.pairwise(values):
                self._saw(e, a - b)
            return max(values) if isinstance(e, sp.Max) else min(values)
        if isinstance(e, (sp.Abs, sp.sign)):
            x = self.value(e.args[0])
            self._saw(e, x)
            return abs(x) if isinstance(e, sp.Abs) else mpmath.mpf(mpmath.sign(x))
        if isinstance(e, sp.Heaviside):
            x = self.value(e.args[0])
            self._saw(e, x)
            if x == 0:
                return self.value(e.args[1]) if len(e.args) > 1 else mpmath.mpf(1) / 2
            return mpmath.mpf(1 if x > 0 else 0)
        if isinstance(e, sp.Piecewise):
            for piece, condition in e.args:
                if self._holds(e, condition):
                    return self.value(piece)
            raise Undefined("no piece of a piecewise formula applies")
        raise Unsupported(f"no real value for {type(e).__name__}")

    def _holds(self, owner: sp.Basic, condition: sp.Basic) -> bool:
        if condition in (sp.true, sp.false):
            return bool(condition)
        if isinstance(condition, (sp.And, sp.Or)):
            parts = [self._holds(owner, c) for c in condition.args]
            return all(parts) if isinstance(condition, sp.And) else any(parts)
        if isinstance(condition, sp.Not):
            return not self._holds(owner, condition.args[0])
        if isinstance(condition, sp.ITE):  # SymPy's fold of a piecewise inside a condition (leaky ReLU of leaky ReLU)
            test, then, otherwise = condition.args
            return self._holds(owner, then if self._holds(owner, test) else otherwise)
        if not isinstance(condition, sp.core.relational.Relational):
            raise Unsupported(f"no real value for the condition {condition}")
        difference = self.value(condition.lhs) - self.value(condition.rhs)
        self._saw((owner, condition), difference)
        compare = {
            sp.StrictGreaterThan: difference > 0,
            sp.GreaterThan: difference >= 0,
            sp.StrictLessThan: difference < 0,
            sp.LessThan: difference <= 0,
            sp.Eq: difference == 0,
            sp.Ne: difference != 0,
        }
        return compare[type(condition)]

    def _saw(self, branch: sp.Basic, x: mpmath.mpf) -> None:
        if x != 0:
            self.sides.setdefault(branch, set()).add(1 if x > 0 else -1)

    def _generic(self, name: str, u: mpmath.mpf) -> mpmath.mpf:
        """g_l(u) = alpha tanh(beta u + gamma) + delta u, and g_l_prime its derivative."""
        base = name.removesuffix("_prime")
        if base not in self.generic:
            raise Unsupported(f"no value for the function {name}")
        alpha, beta, gamma, delta = self.generic[base]
        t = mpmath.tanh(beta * u + gamma)
        return alpha * beta * (1 - t * t) + delta if name.endswith("_prime") else alpha * t + delta * u


def _rational(e: sp.Rational) -> mpmath.mpf:
    return mpmath.mpf(int(e.p)) / int(e.q)


def _power(base: mpmath.mpf, exponent: mpmath.mpf, symbolic: sp.Expr) -> mpmath.mpf:
    if symbolic.is_Integer:
        if base == 0 and symbolic < 0:
            raise Undefined("division by 0")
        return base ** int(symbolic)
    if base < 0 or (base == 0 and exponent <= 0):
        raise Undefined("a power with no real value")
    return mpmath.power(base, exponent)


def _apart(point: RealPoint, first: sp.Expr, second: sp.Expr) -> bool:
    """Whether the two formulas differ at ``point`` beyond the tolerance, at the working precision and again at
    CONFIRM_DIGITS. Two forms of one function can lose different digits to a subtraction of nearly equal numbers
    (1 - a^(L) where a softmax output is within 10^-40 of 1, at 50 digits, keeps 10): such a gap closes when
    worked with more digits, a real difference does not. Raises Undefined where either has no value."""
    if not _gap(point.value(first), point.value(second)):
        return False
    with mpmath.workdps(CONFIRM_DIGITS):
        again = RealPoint(point.leaves, point.generic)  # the same values, worked afresh
        return _gap(again.value(first), again.value(second))


def _gap(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    return bool(abs(a - b) > TOLERANCE * max(mpmath.mpf(1), abs(a), abs(b)))


@dataclass(frozen=True)
class Comparison:
    """Whether two formulas agreed at every real point tried, how many, and the first point where they did not."""

    equal: bool
    points: int
    witness: RealPoint | None = None
    one_sided: int = 0  # branches seen on one side only whose argument is not provably of one sign
    proven_one_sided: int = 0  # branches whose argument is provably of one sign: no other side to see


def compare(first: sp.Expr, second: sp.Expr, least: int = 48, most: int = 240, free_targets: bool = True) -> Comparison:
    """``first`` and ``second`` at real points until ``least`` points have values and every branch has been
    seen on both sides, or ``most`` points were tried; then each branch seen on one side only is searched for
    its other side (``_other_side``). ``free_targets``: targets of both signs, else in (0, 1)."""
    indexed = first.atoms(sp.Indexed) | second.atoms(sp.Indexed)
    labels = {i.base.label for i in indexed}  # an Indexed's own name is no quantity
    symbols = {s for s in first.atoms(sp.Symbol) | second.atoms(sp.Symbol) if s not in labels}
    leaves = sorted(indexed | symbols, key=sp.default_sort_key)
    applied = first.atoms(AppliedUndef) | second.atoms(AppliedUndef)
    generic = sorted({type(f).__name__.removesuffix("_prime") for f in applied})
    rng = random.Random(20261202)
    valued = 0
    seen: dict[sp.Basic, set[int]] = {}
    with mpmath.workdps(DIGITS):
        for attempt in range(most):
            point = _draw(rng, leaves, generic, SCALES[attempt % len(SCALES)], free_targets)
            try:
                if _apart(point, first, second):
                    return Comparison(False, valued + 1, point)
            except (Undefined, ZeroDivisionError, ValueError):
                continue
            valued += 1
            for branch, sides in point.sides.items():
                seen.setdefault(branch, set()).update(sides)
            one_sided = sum(len(s) < 2 for s in seen.values())
            if valued >= least and one_sided == 0:
                break
        return _one_sided_searched(first, second, Draw(rng, leaves, generic, free_targets), valued, seen)


@dataclass(frozen=True)
class Draw:
    """How the points of one comparison are drawn."""

    rng: random.Random
    leaves: list[sp.Expr]
    generic: list[str]
    free_targets: bool

    def point(self, scale: float) -> RealPoint:
        return _draw(self.rng, self.leaves, self.generic, scale, self.free_targets)


FLIP_BASES = 12  # fresh points at which each quantity of a one-sided branch's argument is pushed
FLIP_VALUES = tuple(sign * m for m in (0.5, 2.0, 8.0, 32.0, 128.0, 1024.0) for sign in (-1, 1))
FLIP_AGREED = 4  # points on the branch's other side where the two agree before that side counts as seen


def _one_sided_searched(
    first: sp.Expr, second: sp.Expr, draw: Draw, valued: int, seen: dict[sp.Basic, set[int]]
) -> Comparison:
    """The comparison once every branch seen on one side only was searched for its other side."""
    lonely = [b for b, s in seen.items() if len(s) < 2]
    proven = [b for b in lonely if provably_one_sided(b, draw.free_targets)]
    for branch in (b for b in lonely if b not in proven):
        outcome = _other_side(first, second, draw, branch, -next(iter(seen[branch])))
        if isinstance(outcome, RealPoint):
            return Comparison(False, valued + 1, outcome)
        valued += outcome
        if outcome >= FLIP_AGREED:
            seen[branch] = {-1, 1}
    still = sum(len(seen[b]) < 2 for b in lonely if b not in proven)
    return Comparison(True, valued, None, still, len(proven))


def _other_side(first: sp.Expr, second: sp.Expr, draw: Draw, branch: sp.Basic, wanted: int) -> RealPoint | int:
    """A point on the ``wanted`` side of ``branch`` where the two differ, or how many such points they agree at.
    At fresh points, each quantity the branch's argument depends on is set in turn to values of both signs
    and sizes up to 1024 (x + 10 changes sign only beyond the usual scales)."""
    quantities = sorted(
        set().union(*(_quantities(a) for a in branch_arguments(branch))) & set(draw.leaves), key=sp.default_sort_key
    )
    if not draw.free_targets:
        quantities = [q for q in quantities if not (isinstance(q, sp.Indexed) and q.base == Y)]
    agreed = 0
    for attempt in range(FLIP_BASES):
        base = draw.point(SCALES[attempt % len(SCALES)])
        for quantity, value in itertools.product(quantities, FLIP_VALUES):
            point = RealPoint({**base.leaves, quantity: mpmath.mpf(value)}, base.generic)
            try:
                if not any(_sign(point.value(a)) == wanted for a in branch_arguments(branch)):
                    continue
                if _apart(point, first, second):
                    return point
            except (Undefined, ZeroDivisionError, ValueError):
                continue
            agreed += 1
            break  # one point on the other side per fresh point
        if agreed >= FLIP_AGREED:
            break
    return agreed


def branch_arguments(branch: sp.Basic) -> list[sp.Expr]:
    """What a branch's side is the sign of: a condition's lhs - rhs, a max's differences, else its argument."""
    if isinstance(branch, tuple):
        condition = branch[1]
        return [condition.lhs - condition.rhs]
    if isinstance(branch, (sp.Max, sp.Min)):
        return [a - b for a, b in itertools.pairwise(branch.args)]
    if isinstance(branch, sp.Piecewise):  # as a whole (a graph's): each condition's lhs - rhs
        return [c.lhs - c.rhs for _, c in branch.args if isinstance(c, sp.core.relational.Relational)]
    return [branch.args[0]]


def _quantities(e: sp.Expr) -> set[sp.Expr]:
    labels = {i.base.label for i in e.atoms(sp.Indexed)}
    return e.atoms(sp.Indexed) | {s for s in e.atoms(sp.Symbol) if s not in labels}


def _sign(x: mpmath.mpf) -> int:
    return 0 if x == 0 else 1 if x > 0 else -1


def provably_one_sided(branch: sp.Basic, free_targets: bool) -> bool:
    """Whether every argument of ``branch`` is of one sign for all real values of what it is written in
    (targets non-negative where the spec states them): exp(z), z^2 + 1, a target the spec keeps in [0, 1]."""
    for argument in branch_arguments(branch):
        names = {}
        for q in sorted(_quantities(argument), key=sp.default_sort_key):
            target = isinstance(q, sp.Indexed) and q.base == Y
            names[q] = sp.Dummy(real=True, nonnegative=target and not free_targets)
        written = argument.xreplace(names)
        if not (written.is_nonnegative or written.is_nonpositive):
            return False
    return True


def _draw(rng: random.Random, leaves: list[sp.Expr], generic: list[str], scale: float, free_targets: bool) -> RealPoint:
    """A point: every leaf uniform in (-scale, scale), targets in (0, 1) unless ``free_targets``, a random g_l per
    layer."""
    values = {}
    for leaf in leaves:
        target = isinstance(leaf, sp.Indexed) and leaf.base == Y
        low, high = (0.0, 1.0) if target and not free_targets else (-scale, scale)
        values[leaf] = mpmath.mpf(rng.uniform(low, high))
    shapes = {
        name: tuple(mpmath.mpf(rng.uniform(*r)) for r in ((0.5, 2.0), (0.5, 2.0), (-1.0, 1.0), (-0.5, 0.5)))
        for name in generic
    }
    return RealPoint(values, shapes)
