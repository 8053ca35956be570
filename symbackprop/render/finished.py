"""The finished results a document is made from: derivations, their proofs and their numbers, all already
worked out by the stages below. A renderer takes one of these and only lays it out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from ..derive.derivation import Derivation
from ..derive.general_form import GeneralForm
from ..derive.simplified import Simplified
from ..model.network import Network
from ..model.references import Ref
from ..model.training import Training
from ..prove.forms import Verdicts
from ..prove.proof import Proof

if TYPE_CHECKING:  # the numbers' types only: a document without numbers is made without NumPy (issue 20)
    from ..derive.second import SecondDerivation
    from ..numeric.claimed_numbers import NumberCheck
    from ..numeric.numbers import ParameterStep, WorkedNumbers


@dataclass(frozen=True)
class DerivationDocument:
    """One element's derivation with what its document states: proofs, the expanded result, the worked numbers,
    the spec's claimed numbers checked, and a spot check against finite differences (each None where it has none)."""

    d: Derivation
    verdicts: Verdicts
    expanded: sp.Expr | None = None
    numbers: WorkedNumbers | None = None
    claims: Sequence[NumberCheck] | None = None
    spot: tuple[float, float] | None = None
    title: str = ""
    author: str = ""
    forward: Sequence[tuple[Sequence[float], Sequence[float]]] | None = None  # (z, a) of layers 1..L, first sample
    training: TrainingResult | None = None
    sensitivities: Sequence[tuple[Ref, float]] | None = None  # dC_0/da of a step told per neuron, first sample
    simplified: Simplified | None = None  # the result with g'(z) written in a and cancelled, where that is shorter


@dataclass(frozen=True)
class TrainingResult:
    """A training run a worked example shows: how it was trained, the mean cost before each step and after the
    last, and each parameter before the first step and after the last."""

    words: str
    trajectory: Sequence[float]
    parameters: Sequence[tuple[Ref, float, float]]
    plain: bool = True  # plain full-batch gradient descent: the update step shown, repeated
    setup: Training | None = None  # how it was trained, for the words a document prints


@dataclass(frozen=True)
class AllDocument:
    """Every weight and bias a --wrt all document derives, each with its proof, in order; ``sample`` when the
    network is too large to derive them all (each layer's first weight and bias stand for the rest)."""

    network: Network
    derivations: Sequence[tuple[Derivation, Proof]]
    sample: bool
    steps: Sequence[ParameterStep] | None = None
    title: str = ""
    author: str = ""
    training: TrainingResult | None = None


@dataclass(frozen=True)
class GeneralDocument:
    """The general form and the proof of it on a copy of the network."""

    form: GeneralForm
    proof: Proof
    title: str = ""
    author: str = ""


@dataclass(frozen=True)
class SecondDocument:
    """A second derivative and its proof."""

    d2: SecondDerivation
    proof: Proof
