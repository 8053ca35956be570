"""Exact arithmetic with square roots, for the identity test of a layer claim: a batch or layer norm divides by
sqrt(sigma^2 + eps), which no residue modulo p or fraction holds.

A value is a sum over sets S of roots of c_S prod_{k in S} t_k, each t_k a square root of its own argument a_k
(t_k^2 = a_k) and each c_S a number of the underlying arithmetic (a residue modulo p, or a degree bound). This is
the ring of the rational functions with each root adjoined as a new letter: two formulas are the same function
when every one of their coefficients c_S is, whatever sign each root takes. A division is by the conjugates,
(alpha + beta t)^{-1} = (alpha - beta t) / (alpha^2 - beta^2 a), one root at a time, so every coefficient is a
rational function of the point's unknowns and the Schwartz-Zippel bound applies to each.

The sets S are kept as the operations build them, not as the values fall (a coefficient that happens to be 0 at a
point stays), so the run on degree bounds goes through the same divisions as the run on residues and bounds what
it computes.

>>> from symbackprop.prove.field import Residue
>>> roots = Roots()
>>> t = roots.root("v", Surd.of(Residue(9), roots))
>>> (t * t) == Surd.of(Residue(9), roots) and (1 / t) * t == Surd.of(Residue(1), roots)
True
"""

from __future__ import annotations

from typing import Any

EMPTY: frozenset[str] = frozenset()
MAX_ROOTS = 8  # roots in one value at most: a value holds up to 2^8 coefficients


class NoRoot(TypeError):
    """A root exact points do not take: of a value that holds a root itself, or too many roots in one value."""


class Roots:
    """The roots adjoined at one point: each root's argument a_k, by the key it was taken under."""

    def __init__(self) -> None:
        self.squares: dict[str, Any] = {}
        self.collided = False  # two roots' arguments had one value: the verdict "differ" is then not trusted

    def root(self, key: str, square: Surd) -> Surd:
        """t_key, with t_key^2 the value ``square`` (which holds no root)."""
        if set(square.parts) - {EMPTY}:
            raise NoRoot("a square root of a value that holds a square root")
        a = square.parts.get(EMPTY, square.zero())
        if key not in self.squares:
            if any(_same(a, other) for other in self.squares.values()):
                self.collided = True
            self.squares[key] = a
        return Surd({frozenset([key]): square.one()}, self)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a).__name__ == "Residue"
    except TypeError:
        return False


class Surd:
    """sum_S c_S prod_{k in S} t_k over one point's ``Roots``."""

    __slots__ = ("parts", "roots")

    def __init__(self, parts: dict[frozenset[str], Any], roots: Roots) -> None:
        self.parts, self.roots = parts, roots

    @classmethod
    def of(cls, c: Any, roots: Roots) -> Surd:
        return cls({EMPTY: c}, roots)

    def _any(self) -> Any:
        return next(iter(self.parts.values()))

    def zero(self) -> Any:
        c = self._any()
        return c - c if type(c).__name__ == "Residue" else c * 0

    def one(self) -> Any:
        c = self._any()
        return c**0

    def _lift(self, other: Any) -> Surd:
        if isinstance(other, Surd):
            return other
        return Surd({EMPTY: self.one() * other}, self.roots)

    def __add__(self, other: Any) -> Surd:
        other = self._lift(other)
        parts = dict(self.parts)
        for s, c in other.parts.items():
            parts[s] = parts[s] + c if s in parts else c
        return Surd(parts, self.roots)

    __radd__ = __add__

    def __neg__(self) -> Surd:
        return Surd({s: -c for s, c in self.parts.items()}, self.roots)

    def __sub__(self, other: Any) -> Surd:
        return self + -self._lift(other)

    def __rsub__(self, other: Any) -> Surd:
        return self._lift(other) + -self

    def __mul__(self, other: Any) -> Surd:
        other = self._lift(other)
        parts: dict[frozenset[str], Any] = {}
        for s1, c1 in self.parts.items():
            for s2, c2 in other.parts.items():
                c = c1 * c2
                for k in sorted(s1 & s2):
                    c = c * self.roots.squares[k]
                s = s1 ^ s2
                parts[s] = parts[s] + c if s in parts else c
        if len(set().union(*parts)) > MAX_ROOTS:
            raise NoRoot(f"more than {MAX_ROOTS} square roots in one value")
        return Surd(parts, self.roots)

    __rmul__ = __mul__

    def inverse(self) -> Surd:
        held = sorted(set().union(*self.parts))
        if not held:
            return Surd({EMPTY: self.parts.get(EMPTY, self.zero()) ** -1}, self.roots)
        k = held[0]
        alpha = Surd({s: c for s, c in self.parts.items() if k not in s} or {EMPTY: self.zero()}, self.roots)
        beta = Surd({s - {k}: c for s, c in self.parts.items() if k in s}, self.roots)
        t = Surd({frozenset([k]): self.one()}, self.roots)
        norm = alpha * alpha - beta * beta * self.roots.squares[k]  # free of t_k
        return (alpha - beta * t) * norm.inverse()

    def __pow__(self, n: int) -> Surd:
        if n < 0:
            return self.inverse() ** -n
        out = Surd({EMPTY: self.one()}, self.roots)
        base = self
        while n:
            if n & 1:
                out = out * base
            base, n = base * base, n >> 1
        return out

    def __truediv__(self, other: Any) -> Surd:
        return self * self._lift(other).inverse()

    def __rtruediv__(self, other: Any) -> Surd:
        return self._lift(other) * self.inverse()

    def __eq__(self, other: object) -> bool:
        difference = self - other
        return all(c == 0 for c in difference.parts.values())

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(tuple(sorted(((tuple(sorted(s)), c) for s, c in self.parts.items()), key=lambda p: p[0])))

    @property
    def top(self) -> int:
        """The largest numerator degree of a coefficient (on degree bounds): a difference that is not 0 has a
        coefficient that is not, and that one vanishes at a random point with probability at most top / p."""
        return max(c.top for c in self.parts.values())
