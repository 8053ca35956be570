"""The backward pass told once per computation: steps that differ only by an index are told once with the index
free (dC/dz_{n,c,i,j} = dC/da_{n,c,i,j} · 1[z_{n,c,i,j} > 0], for each of the 64 elements on the path), each
such general step held to every member it stands for (instantiated at its indices, it is that member's step,
exactly); where no index-free form holds but the steps still differ only in their indices, one is told and the
others counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from ..model.index_free import families, generalise, indexed, instantiate, letters, ranges, split, symbol_like
from .graph_backprop import BackStep, GraphDerivation, LocalGradient, Upstream

MANY_STEPS = 40  # a backward pass of more steps than this is told a computation at a time


@dataclass(frozen=True)
class ToldStep:
    """A step as the document tells it: ``step`` itself (general, with index letters, when ``general``) and the
    names of the steps it stands for (``members``, itself first)."""

    step: BackStep
    members: tuple[str, ...]
    general: bool
    ranges: dict[str, str] | None = None


def _make(s: sp.Symbol, name: str) -> sp.Symbol:
    return Upstream(name, s.output) if isinstance(s, Upstream) else symbol_like(s, name)


def _renamed(name: str, index: tuple[int, ...], free: bool) -> str:
    probe = _make(sp.Symbol(name, real=True), name)
    moved = (generalise if free else instantiate)(probe, index, _make)
    return moved.name if isinstance(moved, sp.Symbol) else name


def _moved(step: BackStep, index: tuple[int, ...], free: bool) -> BackStep:
    move = generalise if free else instantiate
    uses = tuple(
        LocalGradient(
            _renamed(u.node, index, free),
            _renamed(u.name, index, free),
            move(u.expression, index, _make),
            move(u.value, index, _make),
            u.rule,
        )
        for u in step.uses
    )
    name = _renamed(step.name, index, free)
    return BackStep(name, _make(step.symbol, name), uses, move(step.formula, index, _make))


def _same(a: BackStep, b: BackStep) -> bool:
    return a.name == b.name and a.uses == b.uses and a.formula == b.formula


def _erased(step: BackStep) -> tuple:
    """The step with every index dropped: two steps equal here differ only in their indices."""

    def drop(expr: sp.Basic) -> sp.Basic:
        swaps = {}
        for s in expr.free_symbols:
            parts = split(str(getattr(s, "of", None) or s.name))
            if parts is not None:
                swaps[s] = _make(s, parts[0])
        return expr.xreplace(swaps)

    return (
        str(drop(step.formula)),
        tuple((u.rule, str(drop(u.expression)), str(drop(u.value))) for u in step.uses),
    )


def told_graph_steps(d: GraphDerivation, shown: Callable[[str], bool] | None = None) -> list[ToldStep]:
    """The steps to tell: one per step for a short pass, one per computation for a long one (of steps alike, the
    first for which ``shown`` holds is the one told: one whose gradient is not 0, say)."""
    steps = [s for s in d.steps if s.uses]
    if len(steps) <= MANY_STEPS:
        return [ToldStep(s, (s.name,), False) for s in steps]
    out: list[ToldStep] = []
    for family in families(steps, lambda s: s.name):
        out += _family(family, shown or (lambda name: True))
    return out


def _family(family: Sequence[BackStep], shown: Callable[[str], bool]) -> list[ToldStep]:
    parsed = [split(s.name) for s in family]
    if len(family) < 2 or any(p is None for p in parsed):
        return [ToldStep(s, (s.name,), False) for s in family]
    indices = [p[1] for p in parsed if p is not None]
    pattern = _moved(family[0], indices[0], True)
    if all(_same(_moved(pattern, i, False), s) for i, s in zip(indices, family, strict=True)):
        base = parsed[0]
        assert base is not None
        named = indexed(base[0], letters(len(base[1])))
        assert pattern.name == named
        return [ToldStep(pattern, tuple(s.name for s in family), True, ranges(indices))]
    groups: dict[tuple, list[BackStep]] = {}
    for s in family:
        groups.setdefault(_erased(s), []).append(s)
    told = []
    for group in groups.values():
        first = next((s for s in group if shown(s.name)), group[0])
        told.append(ToldStep(first, (first.name, *(s.name for s in group if s is not first)), False))
    return told
