"""Documents from start to finish: the proofs and numbers a document states, worked out here, then laid out by
the renderers (which only lay out).

``render(d, fmt)`` is the one-call form: it runs the proofs ``fmt`` states, works the numbers where the spec has
values, and renders.

The numeric stage and the graphs' modules are imported where a document uses them: a derivation of a network
without numbers, the command run most, starts without them and NumPy (issue 20).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import sympy as sp

from . import render as renderer
from .base.errors import SpecError
from .base.stages import stage
from .derive import bounds
from .derive.derivation import Derivation, derive
from .derive.general_form import GeneralForm
from .derive.simplified import simplified
from .derive.steps import steps as told_steps
from .model.network import Network
from .model.references import Ref
from .model.spec import Values
from .model.training import Training
from .prove.element import all_proofs
from .prove.forms import Verdicts, stated_proofs
from .prove.proof import Proof
from .render import AllDocument, DerivationDocument, GeneralDocument
from .render.finished import TrainingResult

if TYPE_CHECKING:
    from .derive.graph_backprop import GraphDerivation
    from .model.graph_spec import GraphSpec
    from .numeric.claimed_numbers import NumberCheck
    from .render.graph_document import GraphDocument

EXPANDED_LIMIT = 160  # operations in the fully expanded result above which it is not printed
SPOT_FORMATS = frozenset({"tex", "tex-body", "pdf"})  # the formats whose shipped templates state the spot check


def derivation_document(
    d: Derivation,
    fmt: str = "text",
    proof: Proof | Verdicts | None = None,
    title: str | None = None,
    author: str | None = None,
    steps: int | None = None,
    spot: bool | None = None,
) -> DerivationDocument:
    """Everything a document of ``d`` in ``fmt`` states, worked out: the proofs (``proof`` if already run), the
    expanded result, the spec's numbers and claims, a spot check by finite differences, and with [training] (or
    ``steps``) the training run.

    The spot check is worked where ``fmt``'s shipped templates state it (the LaTeX ones), or always with
    ``spot=True`` (a user's templates, which may state it in any format), never with ``spot=False``: a text
    document does not state it, and working it (NumPy, a compiled formula) was a fifth of a derive to text."""
    net = d.network
    verdicts = proof if isinstance(proof, Verdicts) else stated_proofs(d, fmt, proof)
    generic = _generic(net)
    stage("writing out the result")
    expanded = expanded_or_none(d)
    numbers = None
    if net.spec.values is not None and not generic:
        from .numeric.numbers import worked_numbers

        stage("working the numbers")
        numbers = worked_numbers(d, net.spec.values)
    documented = fmt != "json"
    claimed = documented and numbers is not None and "claims" in net.spec.extras
    values = net.spec.values
    worked = documented and numbers is not None and values is not None
    return DerivationDocument(
        d=d,
        verdicts=verdicts,
        expanded=expanded,
        numbers=numbers,
        claims=_claims(net) if claimed else None,
        spot=_spot_check(d) if documented and not generic and _states_spot(fmt, spot) else None,
        title=_extra(net, "title", title),
        author=_extra(net, "author", author),
        forward=_forward(net, values) if worked and values is not None else None,
        training=_training(net, values, steps) if worked and values is not None else None,
        sensitivities=_sensitivities(d, values) if worked and values is not None else None,
        simplified=simplified(d) if documented else None,
    )


def _claims(net: Network) -> list[NumberCheck]:
    from .numeric.claimed_numbers import check_numbers

    return check_numbers(net)


def _spot_check(d: Derivation) -> tuple[float, float]:
    from .numeric.numbers import point_check

    return point_check(d)


def _sensitivities(d: Derivation, values: Values) -> tuple[tuple[Ref, float], ...]:
    """dC_0/da for the first sample, for each hidden activation a step tells once for every neuron of its layer:
    the numbers that step's table gives."""
    from .numeric import numbers as numeric

    members = [m for step in told_steps(d) if step.letter is not None for m in step.members]
    if not members:
        return ()
    net = d.network
    found = numeric.evaluator(net, [m.result for m in members])(values, numeric.forward(net, values))
    return tuple((m.target, float(v[0])) for m, v in zip(members, found, strict=True))


def _forward(net: Network, values: Values) -> tuple[tuple[list[float], list[float]], ...]:
    from .numeric.numbers import forward

    fwd = forward(net, values)
    return tuple((z[0].tolist(), a[0].tolist()) for z, a in zip(fwd.z, fwd.a[1:], strict=True))


def _training(net: Network, values: Values, steps: int | None) -> TrainingResult | None:
    """The spec's training run (``steps`` for its length, or plain gradient descent for that many steps)."""
    from .numeric.claim_table import Numbers
    from .numeric.numbers import forward
    from .numeric.training import train

    training = net.spec.training
    if training is None and steps is None:
        return None
    training = replace(training or Training(), steps=steps if steps is not None else cast(Training, training).steps)
    if values.learning_rate is None:
        raise SpecError("training needs a learning rate: give learning_rate in [values]")
    stage(f"training for {training.steps} steps")
    run = train(net, values, training)
    before, after = (Numbers(net, v, forward(net, v)) for v in (values, run.last))
    rows = [(ref, before.parameter(ref), after.parameter(ref)) for ref in net.parameters()]
    plain = training.plain_descent and training.batch == "full"
    return TrainingResult(training.describe(), [float(c) for c in run.trajectory], rows, plain, training)


def expanded_or_none(d: Derivation) -> sp.Expr | None:
    """The result in inputs and parameters alone, when it is small enough to read."""
    if _generic(d.network):
        return None
    expr = d.expanded()
    return expr if sp.count_ops(expr) <= EXPANDED_LIMIT else None


def all_document(
    net: Network,
    proofs: Mapping[Ref, Proof] | None = None,
    on_step: Callable[[str], None] | None = None,
    title: str | None = None,
    author: str | None = None,
    steps: int | None = None,
) -> AllDocument:
    """Every weight and bias (or, past ``bounds.ALL_ELEMENTS``, a sample by layer) derived and proven, with the
    spec's numbers for each and its training run (``steps`` as for ``derivation_document``); ``proofs`` if
    already run, else run here (``on_step`` hears of each)."""
    from .numeric.numbers import parameter_steps

    if proofs is None:
        proofs = all_proofs(net, bounds.all_elements(net), on_step)
    sample = len(net.parameters()) > bounds.ALL_ELEMENTS
    values = net.spec.values
    worked = parameter_steps(net, values) if values is not None and not _generic(net) and not sample else None
    return AllDocument(
        network=net,
        derivations=tuple((derive(net, ref), proof) for ref, proof in proofs.items()),
        sample=sample,
        steps=worked,
        title=_extra(net, "title", title),
        author=_extra(net, "author", author),
        training=_training(net, values, steps) if worked is not None and values is not None else None,
    )


def general_document(
    form: GeneralForm, proof: Proof, title: str | None = None, author: str | None = None
) -> GeneralDocument:
    """The general form with its proof, titled as the spec or the options say."""
    net = form.network
    return GeneralDocument(form, proof, _extra(net, "title", title), _extra(net, "author", author))


def render(
    d: Derivation,
    fmt: str = "text",
    user_templates: Path | None = None,
    proof: Proof | Verdicts | None = None,
    title: str | None = None,
    author: str | None = None,
) -> str:
    """The derivation as a document in ``fmt``: text, json, md, tex (a whole document), tex-body or html (a web page).

    ``proof`` gives the proofs the document states (``stated_proofs``); those not given are run here.
    """
    document = derivation_document(d, fmt, proof, title, author, spot=True if user_templates is not None else None)
    return renderer.render(document, fmt, user_templates)


def render_all(
    net: Network,
    user_templates: Path | None = None,
    title: str | None = None,
    author: str | None = None,
    on_step: Callable[[str], None] | None = None,
    proofs: Mapping[Ref, Proof] | None = None,
) -> str:
    """One LaTeX document deriving every weight and bias, in sections by layer (see ``all_document``)."""
    return renderer.render_all(all_document(net, proofs, on_step, title, author), user_templates)


def _states_spot(fmt: str, spot: bool | None) -> bool:
    """Whether a document in ``fmt`` works the spot check: as asked, else where the shipped templates state it."""
    return fmt in SPOT_FORMATS if spot is None else spot


def _generic(net: Network) -> bool:
    return any(net.activation(layer).generic for layer in range(1, net.depth + 1))


def _extra(net: Network, key: str, given: str | None) -> str:
    """``--title``/``--author`` as given, else the spec's, else empty."""
    return given if given is not None else str(net.spec.extras.get(key, ""))


def _proof_data(proof: Proof) -> dict[str, Any]:
    """A compact form's proof as its document states it: the verdict, method, statement, and the statement in short."""
    return {**proof.as_data(), "brief": proof.brief or str(proof)}


def graph_document(
    d: GraphDerivation,
    spec: GraphSpec | None = None,
    title: str | None = None,
    author: str | None = None,
) -> GraphDocument:
    """Everything a graph derivation's document states, worked out: its proof, each step written in the graph's
    names (where that stays readable), the numbers at the spec's values, and the spec's claimed numbers."""
    from .derive.graph_backprop import derive_graph
    from .derive.step_groups import MANY_STEPS, told_graph_steps
    from .model.index_free import graph_equations
    from .model.layers.equations import layer_equations
    from .model.layers.layer_graph import LayeredSpec
    from .numeric.graph_claims import check_graph_numbers
    from .numeric.graph_numbers import graph_numbers
    from .numeric.layer_forms import layer_forms
    from .prove.compact_forms import prove_layer_forms
    from .prove.graph_proof import prove_graph
    from .render.graph_document import GraphDocument

    stage("proving the gradients")
    proof = prove_graph(d)
    try:
        written = d.written_out()
    except SpecError:  # a graph of many paths: its steps are its derivation
        written = None
    numbers = None
    if d.graph.values is not None:
        stage("working the numbers")
        numbers = graph_numbers(d if d.wrt is None else derive_graph(d.graph, None))  # every name's gradient
    claims = check_graph_numbers(spec) if spec is not None and spec.claims else None
    chosen_title = title if title is not None else (d.graph.title or "")
    chosen_author = author if author is not None else (spec.author if spec is not None and spec.author else "")
    forms = None
    if isinstance(spec, LayeredSpec) and numbers is not None:
        stage("checking the layers' compact forms")
        found = [f for f in layer_forms(spec, numbers) if d.wrt is None or d.wrt in f.names]
        stage("proving the layers' compact forms")
        proofs = prove_layer_forms(spec, found, numbers.values)
        forms = [{**f.as_data(), "proof": _proof_data(p)} for f, p in zip(found, proofs, strict=True)]
    equations, told = None, None
    if len(d.graph.nodes) > MANY_STEPS:  # a large graph: each computation told once, with the index free
        stage("telling each computation once")
        nodes = [(n.name, n.expression) for n in d.graph.nodes]
        equations = layer_equations(spec) if isinstance(spec, LayeredSpec) else graph_equations(nodes)
        told = told_graph_steps(d, lambda name: numbers is not None and numbers.gradients.get(name, 0) != 0)
    layers = spec if isinstance(spec, LayeredSpec) else None
    return GraphDocument(
        d, proof, written, numbers, claims, chosen_title, chosen_author, forms, equations, told, layers
    )
