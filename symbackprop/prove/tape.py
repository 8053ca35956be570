"""An evaluation at a random point recorded once as a straight-line program, then replayed at every point.

Walking a large SymPy expression costs far more than the arithmetic it does (each step looks its node up by
SymPy's hash and equality), and the identity test walked it once per point and once more for the degree bound.
``recorded(evaluate)`` walks it once with recording numbers (``Slot``): each operation is appended to a ``Tape``
as (operation, operand, operand), except a sum or product with the number 0, whose result is known (most of a
forward-mode jet's second order, when only a first derivative is asked for). Each point then runs the tape: the
proofs' residues as plain integers modulo P, any other numbers (``Degrees``) by their own operators. Replaying
gives what evaluating gives, operation for operation, unknown for unknown in the same order, so the verdicts and
the bound are those of the walk itself: x + 0 and x - 0 are x, 0 - x is -x and x 0 is 0 for residues and for
``Degree`` alike (which gives x itself back for the first three and a zero of no factors for the last), and no
division is ever left out.

Only an evaluation whose steps do not depend on the numbers can be recorded: ``points.Point`` (an unknown is
named by an argument expression, never by a value); not ``ConcretePoint`` or a graph's ``Exact`` points, which
name a function's unknown by its argument's value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .field import P, Residue
from .random_identity import Unknowns

NUMBER, UNKNOWN, ADD, SUB, MUL, NEG, POW, DIV = range(8)


class Tape(Unknowns):
    """The recording: ``ops[i]`` computes slot i from earlier slots (or a number, or an unknown's key)."""

    def __init__(self) -> None:
        self.ops: list[tuple[int, Any, Any]] = []
        self.slots: dict[Any, Slot] = {}  # each unknown's slot, and each integer constant's, recorded once
        self.zero = self.number(0).i  # sums and products with 0 are not recorded (see ``Slot``)

    def append(self, op: int, a: Any, b: Any = None) -> Slot:
        self.ops.append((op, a, b))
        return Slot(self, len(self.ops) - 1)

    def number(self, p: int, q: int = 1) -> Slot:
        key = ("number", p, q)
        if key not in self.slots:
            self.slots[key] = self.append(NUMBER, p, q)
        return self.slots[key]

    def unknown(self, key: Any, argument: Any = None) -> Slot:
        if ("unknown", key) not in self.slots:
            self.slots[("unknown", key)] = self.append(UNKNOWN, key, None if argument is None else argument.i)
        return self.slots[("unknown", key)]

    def lift(self, x: Any) -> Slot:
        """A recorded number, or an integer recorded as a constant."""
        if isinstance(x, Slot):
            return x
        if isinstance(x, int):
            return self.number(x)
        raise TypeError(f"no recording of {type(x).__name__}")


class Slot:
    """A number being recorded: where its value will be on the tape."""

    __slots__ = ("i", "tape")

    def __init__(self, tape: Tape, i: int) -> None:
        self.tape, self.i = tape, i

    def _with(self, op: int, other: Any) -> Slot:
        return self.tape.append(op, self.i, self.tape.lift(other).i)

    def __add__(self, other: Any) -> Slot:
        other = self.tape.lift(other)
        if other.i == self.tape.zero:  # x + 0 is x: for degree bounds too, which give x itself back
            return self
        return other if self.i == self.tape.zero else self._with(ADD, other)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Slot:
        other = self.tape.lift(other)
        if other.i == self.tape.zero:
            return self
        return -other if self.i == self.tape.zero else self._with(SUB, other)

    def __rsub__(self, other: Any) -> Slot:
        return self.tape.lift(other) - self

    def __mul__(self, other: Any) -> Slot:
        other = self.tape.lift(other)
        if self.tape.zero in (self.i, other.i):  # x 0 is 0 (a degree bound's too): most of a jet's second order
            return self.tape.number(0)
        return self._with(MUL, other)

    __rmul__ = __mul__

    def __neg__(self) -> Slot:
        return self if self.i == self.tape.zero else self.tape.append(NEG, self.i)

    def __pow__(self, n: int) -> Slot:
        return self.tape.append(POW, self.i, int(n))

    def __truediv__(self, other: Any) -> Slot:
        return self._with(DIV, other)

    def __rtruediv__(self, other: Any) -> Slot:
        return self.tape.lift(other) / self


def recorded(evaluate: Callable[[Unknowns], tuple[Any, Any]]) -> Callable[[Unknowns], tuple[Any, Any]]:
    """``evaluate``, recorded at its first call and replayed at that call and every later one."""
    recording: list[tuple[Tape, int, int]] = []

    def replayed(unknowns: Unknowns) -> tuple[Any, Any]:
        if not recording:
            tape = Tape()
            mine, theirs = evaluate(tape)
            recording.append((tape, tape.lift(mine).i, tape.lift(theirs).i))
        tape, mine, theirs = recording[0]
        if type(unknowns) is Unknowns:
            values = _residues(tape.ops, unknowns)
            return Residue(values[mine]), Residue(values[theirs])
        numbers = _numbers(tape.ops, unknowns)
        return numbers[mine], numbers[theirs]

    return replayed


def _residues(ops: list[tuple[int, Any, Any]], unknowns: Unknowns) -> list[int]:
    """The tape run modulo P on plain integers (the proofs' points): the fast path."""
    v: list[int] = []
    push = v.append
    for op, a, b in ops:
        if op == MUL:
            push(v[a] * v[b] % P)
        elif op == ADD:
            push((v[a] + v[b]) % P)
        elif op == SUB:
            push((v[a] - v[b]) % P)
        elif op == UNKNOWN:
            push(unknowns.unknown(a, None if b is None else Residue(v[b])).v)
        elif op == NUMBER:
            push(unknowns.number(a, b).v)
        elif op == NEG:
            push(-v[a] % P)
        elif op == POW:
            if b < 0 and v[a] == 0:
                raise ZeroDivisionError("a power of 0 modulo P with a negative exponent")
            push(pow(v[a], b, P))
        else:  # DIV
            if v[b] == 0:
                raise ZeroDivisionError("a division by 0 modulo P")
            push(v[a] * pow(v[b], -1, P) % P)
    return v


def _numbers(ops: list[tuple[int, Any, Any]], unknowns: Unknowns) -> list[Any]:
    """The tape run on any numbers by their own operators (degree bounds)."""
    v: list[Any] = []
    push = v.append
    for op, a, b in ops:
        if op == MUL:
            push(v[a] * v[b])
        elif op == ADD:
            push(v[a] + v[b])
        elif op == SUB:
            push(v[a] - v[b])
        elif op == UNKNOWN:
            push(unknowns.unknown(a, None if b is None else v[b]))
        elif op == NUMBER:
            push(unknowns.number(a, b))
        elif op == NEG:
            push(-v[a])
        elif op == POW:
            push(v[a] ** b)
        else:  # DIV
            push(v[a] / v[b])
    return v
