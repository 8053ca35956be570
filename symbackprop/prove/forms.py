"""The general and the matrix form, each proven on a copy of the network with a layer of every kind (prove.copies),
and the proofs a document states: the derivation's, and the matrix form's where the document prints it."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..base.stages import stage
from ..derive.bounds import shape
from ..derive.derivation import Derivation, derive
from ..derive.general_form import instantiate
from ..derive.matrix_form import Stated, not_covered, stated
from ..model.network import Network
from ..model.references import Ref
from .copies import ProofCopy, proof_copy
from .element import prove
from .matrix_entries import entries_hold
from .proof import DISPROVEN, PROVEN, SYMBOLIC, UNDECIDED, Proof, guarded, ran_past


def prove_general_form(net: Network) -> Proof:
    """The general formulas instantiated for every layer and neuron of the proof copy, against the element
    derivations of all its weights, biases and activations."""
    copy = proof_copy(net)
    small = copy.network
    count = len(small.parameters()) + sum(small.layers[:-1])
    wrong = guarded(lambda: wrong_elements(small))
    if wrong is None:
        return Proof(UNDECIDED, SYMBOLIC, f"instantiating the formulas on {copy.description} {ran_past()}")
    if wrong:
        names = ", ".join(str(small.symbol(ref)) for ref in wrong[:6])
        return Proof(
            DISPROVEN,
            SYMBOLIC,
            f"instantiated on {copy.description}, the formulas differ from the element-by-element derivations of "
            f"{len(wrong)} of its {count} weights, biases and activations ({names}): their difference does not "
            "cancel to 0",
        )
    return Proof(
        PROVEN,
        SYMBOLIC,
        f"instantiated for every layer and neuron of {copy.description}, the formulas equal the element-by-element "
        f"derivations of all its {count} weights, biases and activations (their difference cancels to 0)"
        f"{_covers(copy)}",
    )


def _covers(copy: ProofCopy) -> str:
    """Why a proof on the copy covers the whole network (nothing to say when the copy is the network)."""
    if copy.description == "this network":
        return ""
    kinds = copy.kinds
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + f" and {kinds[-1]}"
    return (
        f"; it keeps one layer of each kind this network has ({listed}), and the formulas are the same for every "
        "layer of a kind, so they hold for every layer here"
    )


@dataclass(frozen=True)
class MatrixProof:
    """The matrix-form equations a document prints (one per kind of layer, written for a general layer) and
    their proof on the copy."""

    equations: tuple[Stated, ...]
    proof: Proof


def prove_matrix_form(net: Network) -> MatrixProof:
    """Every entry of the matrix form, for every layer of the proof copy, against the element derivations; the
    copy has a layer of every kind whose equation is printed, so the printed equations are the proven ones."""
    copy = proof_copy(net)
    equations = stated(net)
    missing = not_covered(net, copy.network)
    if missing:
        kinds = ", ".join(dict.fromkeys(f"{row.kind} ({row.case})" for row in missing))
        return MatrixProof(
            equations,
            Proof(
                UNDECIDED,
                SYMBOLIC,
                f"the equations would be proven on {copy.description}, but none of its layers has the {kinds} "
                "equation printed here, so that one is not proven",
            ),
        )
    holds = guarded(lambda: entries_hold(copy.network))
    where = f"for every layer of {copy.description}"
    if holds is None:
        return MatrixProof(equations, Proof(UNDECIDED, SYMBOLIC, f"checking every entry {where} {ran_past()}"))
    if not holds:
        return MatrixProof(
            equations,
            Proof(
                DISPROVEN,
                SYMBOLIC,
                f"{where}, an entry of these equations differs from the element-by-element derivation",
            ),
        )
    statement = (
        f"{where}, every entry of these equations equals the element-by-element derivation of its weights and "
        f"biases (their difference cancels to 0), for one sample and for a batch{_covers(copy)}"
    )
    return MatrixProof(equations, Proof(PROVEN, SYMBOLIC, statement, brief=_matrix_brief(copy)))


def _matrix_brief(copy: ProofCopy) -> str:
    """The matrix proof in one clause, for a handout: where it was proven, and why that covers this network."""
    on = "this network" if copy.description == "this network" else f"the {shape(copy.network)} network"
    covers = (
        ""
        if on == "this network"
        else ", which keeps one layer of each kind this one has, so they hold at every layer here"
    )
    return (
        f"every entry equals the element-by-element derivation (their difference cancels to 0), for one sample and "
        f"for a batch, at every layer of {on}{covers}"
    )


# --- every proof a document states ------------------------------------------------------------------

MATRIX_FORMATS = ("tex", "tex-body", "pdf")  # the documents with the matrix form


@dataclass(frozen=True)
class Verdicts:
    """Every proof a document states: the derivation's, and the matrix form's where the document has it."""

    element: Proof
    matrix: MatrixProof | None = None

    @property
    def proofs(self) -> tuple[Proof, ...]:
        return (self.element,) + ((self.matrix.proof,) if self.matrix is not None else ())

    def __bool__(self) -> bool:
        return all(self.proofs)


def stated_proofs(d: Derivation, fmt: str, element: Proof | None = None) -> Verdicts:
    """Run the proofs a document of ``d`` in ``fmt`` states, and only those (``element`` if already run)."""
    if element is None:
        stage("proving")
        element = prove(d)
    if fmt not in MATRIX_FORMATS:
        return Verdicts(element, None)
    stage("proving the matrix form")
    return Verdicts(element, prove_matrix_form(d.network))


def wrong_elements(net: Network) -> list[Ref]:
    """The parameters (and activations) whose instantiated general formula differs from their element
    derivation: empty when the general form is proven for this network."""
    refs = list(net.parameters())
    refs += [Ref("a", layer, (k,)) for layer in range(net.depth) for k in net.neurons(layer)]
    wrong = []
    for ref in refs:
        difference = instantiate(net, ref) - derive(net, ref).result
        if sp.expand(difference) != 0 and sp.cancel(sp.together(difference)) != 0:
            wrong.append(ref)
    return wrong
