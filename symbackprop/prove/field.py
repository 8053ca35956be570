"""Numbers modulo the prime P = 2^61 - 1: the arithmetic the proofs' randomized identity test is done in.

Exact fractions at random points grow with every operation (a deep network's values have thousands of digits),
so their cost grows faster than the expression does; a residue modulo P stays one machine-sized integer, so
evaluating an expression costs the same per node at any size. A division by a residue that is 0 modulo P raises
ZeroDivisionError, as a division by 0 does, so a caller treats it as a point where an expression is undefined.

>>> x = Residue(3)
>>> (x / 2) * 2 == x and x - x == 0 and str(Residue(-1)) == str(P - 1)
True
"""

from __future__ import annotations

from typing import Any

P = 2**61 - 1  # a Mersenne prime: residues fit in 61 bits, products in 122


class Residue:
    """One element of the field of integers modulo P, with +, -, *, / and integer powers (negative ones through
    the inverse); plain integers mix in as their residues."""

    __slots__ = ("v",)

    def __init__(self, v: int) -> None:
        self.v = v % P

    def __add__(self, other: Any) -> Residue:
        return Residue(self.v + (other.v if other.__class__ is Residue else _int(other)))

    __radd__ = __add__

    def __sub__(self, other: Any) -> Residue:
        return Residue(self.v - _int(other))

    def __rsub__(self, other: Any) -> Residue:
        return Residue(_int(other) - self.v)

    def __neg__(self) -> Residue:
        return Residue(-self.v)

    def __mul__(self, other: Any) -> Residue:
        return Residue(self.v * (other.v if other.__class__ is Residue else _int(other)))

    __rmul__ = __mul__

    def __pow__(self, n: int) -> Residue:
        if n < 0 and self.v == 0:
            raise ZeroDivisionError("a power of 0 modulo P with a negative exponent")
        return Residue(pow(self.v, n, P))

    def __truediv__(self, other: Any) -> Residue:
        return self * inverse(_int(other))

    def __rtruediv__(self, other: Any) -> Residue:
        return Residue(_int(other)) * inverse(self.v)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Residue):
            return self.v == other.v
        if isinstance(other, int):
            return self.v == other % P
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.v)

    def __int__(self) -> int:
        return self.v

    def __repr__(self) -> str:
        return f"Residue({self.v})"

    def __str__(self) -> str:
        return str(self.v)


def inverse(n: int) -> int:
    """1/n modulo P; ZeroDivisionError for n a multiple of P."""
    if n % P == 0:
        raise ZeroDivisionError("a division by 0 modulo P")
    return pow(n, -1, P)


def _int(x: Any) -> int:
    if isinstance(x, Residue):
        return x.v
    if isinstance(x, int):
        return x
    raise TypeError(f"no residue modulo P for {type(x).__name__}")
