"""The steps a document tells for one derivation: each distinct computation once.

A hidden weight reaches the cost through every neuron of the layers above it, and its derivation relies on the
derivative of the cost by each of their activations. Those of one layer differ only in the neuron: a lesson
works them once with the neuron a letter ("for each k") and gives the neurons' values in a table. So the
hidden activations a derivation relies on are grouped by layer; a layer with several is one step, told by
``general_activation``, which is each of them when its letter is put to the neuron's number.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .derivation import Derivation, general_activation


@dataclass(frozen=True)
class Step:
    """One step of a document: ``told`` is the derivation it writes out, ``members`` the derivations it stands
    for (just ``told`` itself, or each neuron's of a layer when ``told`` has the neuron free as ``letter``)."""

    told: Derivation
    members: tuple[Derivation, ...]

    @property
    def letter(self) -> sp.Symbol | None:
        """The free neuron letter of a step told for each neuron, else None."""
        return self.told.free

    @property
    def neurons(self) -> tuple[int, ...]:
        """The neurons the step stands for."""
        return tuple(int(m.target.indices[0]) for m in self.members)

    def instances(self) -> list[tuple[Derivation, sp.Expr, sp.Expr]]:
        """For each member, its result and Σ form as the told step gives them with the letter put to its neuron:
        what a proof checks against the member's own."""
        if self.letter is None:
            return [(m, m.result, m.sum_form) for m in self.members]
        out = []
        for m, k in zip(self.members, self.neurons, strict=True):
            at = {self.letter: sp.Integer(k)}
            out.append((m, self.told.result.xreplace(at), self.told.sum_form.xreplace(at)))
        return out


def steps(d: Derivation) -> list[Step]:
    """The steps before the last for ``d``: its hidden activations' derivations, nearest the output first, one
    step per layer where a layer has several (told with the neuron free), else the one derivation."""
    by_layer: dict[int, list[Derivation]] = {}
    for sub in d.subderivations():
        by_layer.setdefault(sub.target.layer, []).append(sub)
    out = []
    for layer, subs in by_layer.items():
        members = tuple(sorted(subs, key=lambda s: int(s.target.indices[0])))
        told = general_activation(d.network, layer) if len(members) > 1 else members[0]
        out.append(Step(told, members))
    return out
