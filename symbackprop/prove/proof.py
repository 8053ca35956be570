"""What a proof is, and how it says what it found: a verdict (proven, disproven, undecided), a method (symbolic,
or a randomized identity test) and a statement in words, built from the parts a proof checks.

Every check runs under a guard against hanging (GUARD_SECONDS), not a budget: a proof that runs past it is not
decided, and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sympy as sp

from ..base.time_guard import within
from ..model.network import Network
from ..model.printing import printers
from .field import P
from .random_identity import POINTS, Outcome, Unknowns, identity_test

T = TypeVar("T")
Show = Callable[[sp.Basic], str]

PROVEN, DISPROVEN, UNDECIDED = "proven", "disproven", "undecided"
SYMBOLIC, RANDOM = "symbolic", "randomized identity test"
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
    brief: str = ""  # the statement in short, with its bound: what a reader needs (the statement when empty)
    details: str = ""  # what the brief leaves out, for a reader who checks the proof itself

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
    """One step of a proof: its verdict, method and words; ``brief`` and ``detail`` say the same words split in
    two, what every reader needs and what only a reader checking the proof does (``words`` and nothing when
    empty)."""

    verdict: str
    method: str
    words: str
    brief: str = ""
    detail: str = ""


def combine(parts: list[Part], facts: tuple[str, ...] = ()) -> Proof:
    """The weakest verdict of the parts (disproven, then undecided); symbolic only if every part is."""
    verdict = next((v for v in (DISPROVEN, UNDECIDED) if any(p.verdict == v for p in parts)), PROVEN)
    method = SYMBOLIC if all(p.method == SYMBOLIC for p in parts) else RANDOM
    brief = "; ".join(p.brief or p.words for p in parts)
    details = "; ".join(p.detail for p in parts if p.detail)
    return Proof(verdict, method, "; ".join(p.words for p in parts), facts, brief, details)


def too_large(nodes: int, layers: int, most_nodes: int, most_layers: int) -> str:
    if nodes > most_nodes:
        return f"the composed cost written out has {nodes:,} nodes, more than {most_nodes:,}"
    return f"the derivative runs through {layers} layers, more than {most_layers}"


def ran_past() -> str:
    return f"ran past {GUARD_SECONDS:g} s, the guard against hanging (work of this size takes seconds)"


# What a random point's unknowns are, in full and as a counterexample adds it: a network's, and a graph's.
NETWORK_UNKNOWNS = (
    "every input, parameter and target and every activation value and slope",
    "every activation value and slope",
)
GRAPH_UNKNOWNS = ("every input and parameter and every function value at each argument", "every function value")


def by_points(
    what: str,
    outcome: Outcome,
    why: str,
    against: str = "",
    show: Show = str,
    unknowns: tuple[str, str] = NETWORK_UNKNOWNS,
) -> Part:
    """The words for a randomized identity test of ``what`` against ``against`` (by default the forward-mode
    derivative of the composed cost); ``show`` prints a symbol of a counterexample; ``unknowns`` says what the
    points' unknowns are."""
    against = against or "the derivative of the composed cost, computed independently by forward-mode dual numbers"
    if outcome.verdict == PROVEN:
        words = f"{what} equals {against} ({why}): {agreement(outcome, unknowns)}"  # why first: no "(...) (...)"
        brief = f"{what} equals {against}, {agreement_in_short(outcome)}"
        return Part(PROVEN, RANDOM, words, brief, f"{agreement_details(outcome, unknowns)}; {why}")
    if outcome.verdict == DISPROVEN:
        return Part(DISPROVEN, RANDOM, f"{what} differs from {against}: {counterexample(outcome, show, unknowns)}")
    return Part(UNDECIDED, RANDOM, f"{what}, compared with {against} at random points: {outcome.reason}")


def agreement(outcome: Outcome, unknowns: tuple[str, str] = NETWORK_UNKNOWNS) -> str:
    """What agreement at every random point establishes, with its chance of error (the bound and its terms are
    ``random_identity``'s)."""
    return (
        f"exactly equal modulo the prime {MODULUS} at {outcome.points} random points, where {unknowns[0]} is an "
        f"unknown of its own, drawn from the {P:,} residues (a randomized identity "
        f"test: were they different functions, their difference would have a numerator of degree at most "
        f"{outcome.degree:,}, which a random point is a root of with probability at most {outcome.degree:,} in "
        f"{P:,} by the Schwartz-Zippel lemma unless it is 0 modulo {MODULUS}, so the chance that all "
        f"{outcome.points} points agree is {_chance(outcome)}{_skipped(outcome)}; "
        "the points are drawn from a fixed seed, so the same input always gets this verdict)"
    )


def agreement_in_short(outcome: Outcome) -> str:
    """``agreement`` in short: the points and the chance of error, the bound's terms left to the details."""
    return (
        f"exactly, modulo the prime {MODULUS}, at {outcome.points} random points, a chance {_chance(outcome)} were "
        "they different functions"
    )


def agreement_details(outcome: Outcome, unknowns: tuple[str, str] = NETWORK_UNKNOWNS) -> str:
    """What ``agreement_in_short`` leaves out: what a point is, and where the bound comes from."""
    return (
        f"each point, drawn from a fixed seed, makes {unknowns[0]} an unknown of its own; by the Schwartz-Zippel "
        f"lemma it is a root of a difference's numerator (of degree at most {outcome.degree:,}, not 0 modulo "
        f"{MODULUS}) with probability at most {outcome.degree:,} in {MODULUS}{_skipped(outcome)}"
    )


def _chance(outcome: Outcome) -> str:
    return "nil" if outcome.degree <= 0 else f"below 10^{outcome.exponent}"


def _skipped(outcome: Outcome) -> str:
    if not outcome.skipped:
        return ""
    return f"; {outcome.skipped} points where a division was by 0 modulo {MODULUS} were passed over for others"


MODULUS = "2^61 - 1"  # P, as the statements write it


def counterexample(
    outcome: Outcome, show: Show = str, unknowns: tuple[str, str] = NETWORK_UNKNOWNS, shown: int = 6
) -> str:
    """The point where two expressions differ, for the statement: some of its values, and the two results."""
    w = outcome.witness
    assert w is not None
    values = ", ".join(f"{show(s)} = {v}" for s, v in w.values[:shown])
    more = f" and {len(w.values) - shown} more" if len(w.values) > shown else ""
    return (
        f"at random point {w.number}, where {values}{more}, {unknowns[1]} an integer of its own, the first "
        f"is {w.mine} and the second {w.theirs} modulo {MODULUS} (so over the rationals they differ there too)"
    )


def points_within(evaluate: Callable[[Unknowns], tuple[Any, Any]], count: int = POINTS) -> Outcome:
    """``identity_test`` under the guard against hanging: running past it leaves the test undecided."""
    done = [0]
    outcome = guarded(lambda: identity_test(evaluate, count, done))  # modulo P, points on a pole passed over
    if outcome is None:
        return Outcome(UNDECIDED, done[0], 0, reason=f"{done[0]} of {count} points were done when it {ran_past()}")
    return outcome


def guarded(work: Callable[[], T]) -> T | None:
    """``work()`` within GUARD_SECONDS; None if it runs past them or nests too deeply for SymPy."""
    try:
        return within(GUARD_SECONDS, work)
    except RecursionError:
        return None


def text_printer(net: Network) -> Show:
    """How a statement writes a symbol: in the network's notation, as plain text."""
    return printers(net.notation, net.layers)[0].doprint
