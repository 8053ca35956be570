"""The average over the samples: claims about the mean cost C of a batch of n samples.

C = (1/n) sum_i C_i, where C_i is the cost of sample i and n is a letter (any positive whole
number). The samples' inputs and targets differ, so each sample's derivative dC_i/dw is a
number of its own, and a claim about dC/dw is a statement about n arbitrary numbers: it is
right when it gives their mean for every n and every choice of them.

That is proved with a generating function: each sample's derivative becomes X^i (one letter
X per derivative), a sum over the samples its closed form (X^(last+1) - X^first) / (X - 1),
and the claim is right when its difference from the mean is 0 as a function of X and n. Two
such expressions agree for every choice of the numbers exactly when every power of X, that
is every sample, has the same coefficient in both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

import sympy as sp

from ..base.errors import SpecError
from ..derive.derivation import derive
from ..model.partial import Partial
from ..model.references import ref_of
from ..model.symbols import SAMPLES, SampleCost
from ..numeric import numbers as numeric
from ..prove.equivalence import Counterexample, sample_value
from .diagnosis import Mistake

if TYPE_CHECKING:
    from ..model.network import Network

SAMPLE_INDEX = sp.Symbol("i", integer=True)
BATCH_SIZES = (2, 3, 1, 4, 5, 6, 7, 8)  # counterexamples are looked for in batches of these many samples, in this order


class NotUnderstood(SpecError):
    """A claim about the mean cost that is not a sum of the samples' derivatives times numbers and n."""


def mean_of_samples(wrt: sp.Expr, first: int) -> sp.Expr:
    """(1/n) sum over the n samples, numbered from ``first``, of dC_i/d(wrt): the right answer."""
    i = SAMPLE_INDEX
    total = sp.Sum(Partial(SampleCost(i), wrt), (i, first, first + SAMPLES - 1))
    return sp.Mul(sp.Pow(SAMPLES, -1), total, evaluate=False)


def sample_derivatives(value: sp.Expr) -> list[Partial]:
    """The samples' derivatives dC_i/dw in ``value`` (inside its sums too), in a fixed order."""
    return sorted((p for p in value.atoms(Partial) if isinstance(p.of, SampleCost)), key=sp.default_sort_key)


def generating(value: sp.Expr, letters: dict[sp.Expr, sp.Symbol]) -> sp.Expr:
    """``value`` with each sample's derivative dC_i/dw as X_w^i and each sum over the samples in closed form.

    ``letters`` maps each w to its X and is filled in as new ones are met. A NotUnderstood names
    what does not fit: a product of two samples' derivatives, a sum over the samples inside another.
    """
    check_linear(value)
    sums = [s for s in sp.preorder_traversal(value) if isinstance(s, sp.Sum)]
    out = value.xreplace({s: _closed_sum(s, letters) for s in sums})
    return out.xreplace({p: _power(p, letters) for p in sample_derivatives(out)})


def check_linear(value: sp.Expr) -> None:
    """Refuse a claim that is not a sum of the samples' derivatives times numbers and n (plus a constant):
    a product or a quotient of two of them is no statement about a mean, and the proof does not cover it."""
    sums = list(value.atoms(sp.Sum))
    for s in sums:  # inside each sum too: sum_i (dC_i/dw)^2 is no mean
        check_linear(s.function)
    parts = sums + sample_derivatives(value)
    letters = {part: sp.Dummy() for part in parts}
    plain = value.xreplace(letters)
    for first in letters.values():
        for second in letters.values():
            if sp.simplify(sp.diff(plain, first, second)) != 0:
                raise NotUnderstood(
                    "a product or quotient of the samples' derivatives is not understood; the mean is a sum of them"
                )


def _power(p: Partial, letters: dict[sp.Expr, sp.Symbol]) -> sp.Expr:
    x = letters.setdefault(p.wrt, sp.Symbol(f"X_{len(letters)}", positive=True))
    return x ** p.of.args[0]


def _closed_sum(s: sp.Sum, letters: dict[sp.Expr, sp.Symbol]) -> sp.Expr:
    """A sum over the samples, of numbers and X^i, in closed form."""
    if len(s.limits) != 1:
        raise NotUnderstood("a sum over two letters at once is not understood over the samples")
    i, first, last = s.limits[0]
    body = s.function
    if any(isinstance(inner, sp.Sum) for inner in sp.preorder_traversal(body)):
        raise NotUnderstood("a sum over the samples inside another sum is not understood")
    body = body.xreplace({p: _power(p, letters) for p in sample_derivatives(body)})
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(body)):
        coefficient, depends = term.as_independent(i, as_Add=False)
        if depends == 1:
            total += coefficient * (last - first + 1)
        elif isinstance(depends, sp.Pow) and depends.base in letters.values() and depends.exp == i:
            x = depends.base
            total += coefficient * (x ** (last + 1) - x**first) / (x - 1)
        else:
            raise NotUnderstood(
                "in a sum over the samples, each term must be a sample's derivative times numbers and n"
            )
    return total


def same_function(first: sp.Expr, second: sp.Expr) -> bool:
    """Whether two claims about the mean cost agree for every n and every value of the samples' derivatives.

    The generating function covers every n where no sum runs backwards (for those, its closed form
    counts terms negatively, where a text means an empty sum); the few n below are written out.
    """
    if not _same_generating(first, second):
        return False
    return all(sp.expand(written_out(first, n) - written_out(second, n)) == 0 for n in _short_batches(first, second))


def _same_generating(first: sp.Expr, second: sp.Expr) -> bool:
    """Whether the two agree for every n at which no sum over the samples runs backwards."""
    letters: dict[sp.Expr, sp.Symbol] = {}
    difference = generating(first, letters) - generating(second, letters)
    numerator = sp.together(difference).as_numer_denom()[0]
    return sp.expand(sp.powsimp(sp.expand(numerator, power_exp=True), combine="base"), power_exp=True) == 0


def _short_batches(*values: sp.Expr) -> range:
    """The numbers of samples at which some sum over the samples would have fewer than 0 terms."""
    below = 1
    for value in values:
        for s in sample_sums(value):
            slope, constant = s.count.coeff(SAMPLES), s.count.subs(SAMPLES, 0)
            if slope > 0 and constant < 0:
                below = max(below, int(sp.ceiling(-constant / slope)))
    return range(1, below)


@dataclass(frozen=True)
class SampleSum:
    """The samples a claim takes in one place: a sum over them (its letter's first and last value, in n), or
    one sample's derivative written alone (first and last the same: C_0, C_{n-1})."""

    first: sp.Expr
    last: sp.Expr
    alone: bool = False

    @property
    def count(self) -> sp.Expr:
        return sp.expand(self.last - self.first + 1)


def sample_sums(value: sp.Expr) -> Iterator[SampleSum]:
    """Each sum over the samples in ``value``."""
    for s in sp.preorder_traversal(value):
        if isinstance(s, sp.Sum) and sample_derivatives(s.function):
            _, first, last = s.limits[0]
            yield SampleSum(first, last)


def samples_taken(value: sp.Expr) -> list[SampleSum]:
    """Every place ``value`` takes samples: its sums over them, and each sample's derivative written alone."""
    alone = [p.of.args[0] for p in sample_derivatives(value) if p.of.args[0].free_symbols <= {SAMPLES}]
    return [*sample_sums(value), *(SampleSum(k, k, alone=True) for k in alone)]


def _at_most(low: sp.Expr, high: sp.Expr) -> bool:
    """Whether ``low`` <= ``high`` for every large n (both whole numbers plus a whole multiple of n)."""
    difference = sp.expand(high - low)
    slope, constant = difference.coeff(SAMPLES), difference.subs(SAMPLES, 0)
    return bool(slope > 0 or (slope == 0 and constant >= 0))


def numbering(values: Iterable[sp.Expr]) -> int:
    """How a claim numbers its samples, 0 or 1, from every sample it names: literal ones (C_0, C_1, C_n) and
    the sums' bounds, over all its sides. Sample 0 named: from 0; else sample n named, or the lowest named
    sample 1: from 1; else from 0. A claim that fits neither (C_0 with a sum up to n) is numbered from 0 and
    judged on the samples it takes: it takes one the batch lacks."""
    spans = [s for value in values for s in samples_taken(value)]
    if any(_at_most(s.first, 0) and _at_most(0, s.last) for s in spans):
        return 0
    if any(_at_most(s.first, SAMPLES) and _at_most(SAMPLES, s.last) for s in spans):
        return 1
    return 1 if any(s.first == 1 for s in spans) else 0


def referenced(value: sp.Expr, n: int) -> list[int]:
    """The sample numbers ``value`` takes a derivative of, with n samples in the batch."""
    numbers: set[int] = set()
    for s in samples_taken(value):
        first, last = (int(e.xreplace({SAMPLES: n})) for e in (s.first, s.last))
        numbers.update(range(first, last + 1))
    return sorted(numbers)


def written_out(value: sp.Expr, n: int) -> sp.Expr:
    """``value`` with n samples, each sum over them written term by term (a sum whose last value is below its
    first is empty, as a text means it)."""
    written = value.xreplace({SAMPLES: sp.Integer(n)})
    sums = [s for s in sp.preorder_traversal(written) if isinstance(s, sp.Sum)]
    for s in reversed(sums):
        i, first, last = s.limits[0]
        terms = [s.function.xreplace({i: sp.Integer(k)}) for k in range(int(first), int(last) + 1)]
        written = written.xreplace({s: sp.Add(*terms)})
    return written


def at_batch(value: sp.Expr, n: int, numbers: dict[sp.Expr, float]) -> float:
    """``value`` with n samples whose derivatives are ``numbers`` (keyed by dC_k/dw with k a number)."""
    return float(written_out(value, n).xreplace(numbers))


PROOF = (
    "the mean for every number of samples n and every value of their derivatives: with each sample's "
    "derivative as X^i, the difference's generating function is 0"
)


def diagnose(claim: sp.Expr, expected: sp.Expr) -> Mistake | None:
    """The known mistakes in averaging over the samples: the 1/n left out, other than n samples taken, a
    sample taken that the batch lacks (for every n, or only for a few samples)."""
    if same_function(claim, sp.Mul(SAMPLES, expected)):
        return Mistake(
            "mean_missing",
            "the 1/n of the mean over the n samples is missing: this is the sum of the samples' derivatives",
            sp.Mul(SAMPLES, expected),
        )
    first = next(sample_sums(expected)).first  # the batch: samples first to first + n - 1
    last = first + SAMPLES - 1
    spans = samples_taken(claim)
    total = sp.expand(sum((s.count for s in spans), sp.Integer(0)))
    if spans and sp.expand(total - SAMPLES) != 0:
        if len(spans) == 1 and not spans[0].alone:
            words = "the sum over the samples has {0} terms, but there are {1} samples"
        elif total == 1:
            words = "the claim takes {0} sample's derivative, but the mean takes all {1} samples'"
        else:
            words = "the claim takes {0} samples' derivatives, but there are {1} samples"
        return Mistake("sample_count", words, expected, (total, SAMPLES))
    for s in spans:
        for k in (s.first, s.last):
            if not (_at_most(first, k) and _at_most(k, last)):
                return Mistake(
                    "sample_outside",
                    "the claim takes sample {0}, but the batch's samples are {1} to {2}",
                    expected,
                    (k, first, last),
                )
    if spans and _same_generating(claim, expected):
        return _small_batch(claim, expected, int(first))
    return None


def _small_batch(claim: sp.Expr, expected: sp.Expr, first: int) -> Mistake | None:
    """A claim that is the mean for every n from some number of samples on, but not with fewer: in words."""
    wrong = [n for n in _short_batches(claim, expected) if sp.expand(written_out(claim, n) - written_out(expected, n))]
    if not wrong:
        return None
    n = wrong[0]
    batch = f"sample {first}" if n == 1 else f"samples {first} to {first + n - 1}"
    words = f"the claim is the mean only from {wrong[-1] + 1} samples on: with {n} sample{'s' if n > 1 else ''}"
    outside = [k for k in referenced(claim, n) if not first <= k < first + n]
    if outside:
        which = ", ".join(str(k) for k in outside)
        words += f", the batch's {batch}, it also takes sample{'s' if len(outside) > 1 else ''} {which}"
    else:
        words += f" ({batch}) it is not their mean"
    return Mistake("small_batch", words, expected)


def counterexample(net: Network, claim: sp.Expr, expected: sp.Expr, first: int) -> Counterexample | None:
    """A batch of a few samples (random inputs and targets, the spec's parameters or random
    ones) where the claim is not the mean of the samples' derivatives, each worked out by the engine."""
    for n in BATCH_SIZES:
        numbers = referenced(claim, n)
        batch = list(range(first, first + n))
        every = sorted(set(numbers) | set(batch))
        values = _sample_values(net, len(every), seed=n)
        derivatives = [p.wrt for p in sample_derivatives(claim) + sample_derivatives(expected)]
        point = {}
        for wrt in dict.fromkeys(derivatives):
            d = derive(net, ref_of(wrt))
            for at, k in enumerate(every):
                point[Partial(SampleCost(sp.Integer(k)), wrt)] = sample_value(net, d.result, d.start, values, at)
        if any(v is None for v in point.values()):
            continue
        known = cast(dict[Partial, float], point)  # no value is None: the line above went on to the next size
        mine, right = at_batch(claim, n, known), at_batch(expected, n, known)
        if abs(mine - right) > 1e-9 * max(1.0, abs(right)):
            shown = tuple(sorted(known.items(), key=lambda kv: sp.default_sort_key(kv[0])))
            return Counterexample(((SAMPLES, float(n)), *shown), (), mine, right, _note(net, numbers, batch))
    return None


def _note(net: Network, numbers: list[int], batch: list[int]) -> str:
    outside = [k for k in numbers if k not in batch]
    words = "each sample's inputs and targets drawn at random"
    if any(net.activation(k).generic for k in range(1, net.depth + 1)):
        words += ", taking g = tanh"
    if outside:
        which = ", ".join(str(k) for k in outside)
        samples = f"sample {batch[0]}" if len(batch) == 1 else f"samples {batch[0]} to {batch[-1]}"
        words += (
            f"; the claim also takes sample{'s' if len(outside) > 1 else ''} {which}, outside the batch's "
            f"{samples}, given a value as one more sample"
        )
    return words


def _sample_values(net: Network, count: int, seed: int) -> numeric.Values:
    """``count`` samples with random inputs and targets, and the spec's parameters where it has them."""
    drawn = numeric.random_values(net, samples=count, seed=seed)
    given = net.spec.values
    if given is None:
        return drawn
    return replace(given, x=drawn.x, y=drawn.y)
