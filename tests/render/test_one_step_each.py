"""One step per distinct computation: no two steps of a document differ only by a neuron's index.

A hidden weight's derivation relies on the cost's derivative by every activation of the layers above it; those of
one layer are the same computation, so a document tells them once with the neuron a letter. The test reads the
documents as printed (Markdown and plain text), puts '#' for every digit of a neuron index, and finds every step
different from every other; it checks the step told with a letter against each neuron's own derivation too.
"""

from __future__ import annotations

import re

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop import documents
from symbackprop.base.errors import SpecError
from symbackprop.base.resources import example_names, example_path
from symbackprop.derive.derivation import derive
from symbackprop.derive.steps import steps
from symbackprop.model.network import Network
from symbackprop.model.references import Ref
from symbackprop.prove.element import prove
from tests.strategies import networks, references

MD_INDEX = re.compile(r"_\{([^{}]*)\}")  # w_{j0}^{(L)}: the subscript holds the neurons
TEXT_INDEX = re.compile(r"_(\[[^\]]*\]|[A-Za-z0-9,]+)")  # w_j0^(L-1), Σ_[j=0..2]
STEP_NUMBER = re.compile(r"Steps? \d+")
ZEROS = re.compile(r"(?<![\w#.])0 \+ | \+ 0(?![\w#.])")


def _abstracted(step: str, index: re.Pattern[str]) -> str:
    """The step with each neuron index's digits made '#' and its own number (and the numbers it cites) gone."""
    step = STEP_NUMBER.sub("Step #", step)
    step = index.sub(lambda m: "_" + re.sub(r"\d", "#", m.group(0)[1:]), step)
    return ZEROS.sub("", step)  # a sum written out term by term: where its one nonzero term stands is an index


def _steps(document: str, heading: str) -> list[str]:
    """The document's steps, each from its heading to the next heading."""
    parts = re.split(rf"(?m)^(?={re.escape(heading)})", document)
    return [p.split("\n\n## The result")[0] for p in parts[1:] if p.startswith(heading + "Step")]


def _text_steps(document: str) -> list[str]:
    """The plain-text document's steps: from each 'Step N' line to the next blank-line-separated section."""
    return re.findall(r"(?ms)^Step \d+ .*?(?=^Step \d+ |^Fully expanded|^Over a batch)", document)


def assert_no_repeated_step(net: Network, ref: Ref) -> None:
    d = derive(net, ref)
    proof = prove(d)
    md = _steps(documents.render(d, "md", proof=proof), "## ")
    text = _text_steps(documents.render(d, "text", proof=proof))
    told = steps(d)
    assert len(md) == len(text) == (len(told) + 1 if told else 0)  # without steps: one chain, no Step heading
    for found, index in ((md, MD_INDEX), (text, TEXT_INDEX)):
        seen = [_abstracted(s, index) for s in found]
        repeated = [n for n, s in enumerate(seen) if s in seen[:n]]
        assert not repeated, f"{ref}: step {repeated[0] + 1} repeats an earlier one up to its indices"


def assert_letter_steps_are_members(net: Network, ref: Ref) -> None:
    """Each step told with a letter is, at each neuron, that neuron's own derivation (the proof states it too)."""
    for step in steps(derive(net, ref)):
        assert (step.letter is None) == (len(step.members) == 1)
        for member, result, sum_form in step.instances():
            assert sp.expand(result - derive(net, member.target).result) == 0
            assert sum_form == member.sum_form


def _example_networks() -> list[tuple[str, Network]]:
    out = []
    for name in example_names():
        try:
            net = Network.from_toml(example_path(name))
            net.require_layered("a derivation document")
        except SpecError:  # a computation graph, or a network derived as one: no layer-by-layer steps
            continue
        out.append((name, net))
    return out


EXAMPLES = _example_networks()


@pytest.mark.parametrize(("name", "net"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_no_step_of_a_builtin_example_repeats_another(name: str, net: Network) -> None:
    refs = net.parameters() + [Ref("a", layer, (k,)) for layer in range(net.depth) for k in net.neurons(layer)]
    for ref in refs[:12]:
        assert_no_repeated_step(net, ref)
        assert_letter_steps_are_members(net, ref)


def test_a_hidden_weight_of_4_5_5_3_is_three_steps() -> None:
    net = Network(layers=[4, 5, 5, 3])
    d = derive(net, "w_{11}^{(L-2)}")
    told = steps(d)
    assert [len(s.members) for s in told] == [5, 1]
    assert str(told[0].letter) == "k"
    assert "each step told for every neuron of a layer" in prove(d).statement
    assert_no_repeated_step(net, d.target)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_step_of_a_random_network_repeats_another(data: st.DataObject) -> None:
    net = data.draw(networks(max_depth=4, max_width=3))
    ref = data.draw(references(net))
    assert_no_repeated_step(net, ref)
    assert_letter_steps_are_members(net, ref)


def test_the_table_gives_each_neurons_proven_value_for_the_first_sample():
    from symbackprop.model.spec import from_mapping
    from symbackprop.numeric.numbers import worked_numbers

    spec = from_mapping(
        {
            "layers": [2, 3, 3, 2],
            "activation": "tanh",
            "values": {
                "x": [[0.5, -1.0], [0.2, 0.3]],
                "y": [[1.0, 0.0], [0.0, 1.0]],
                "weights": [[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.3, -0.1, 0.2]] * 3, [[0.3, -0.1, 0.2]] * 2],
                "biases": [[0.1, 0.0, -0.1], [0.2, -0.2, 0.1], [0.2, -0.2]],
            },
        }
    )
    net = Network.from_spec(spec)
    doc = documents.derivation_document(derive(net, "w_{00}^{(L-2)}"), "md")
    assert doc.sensitivities is not None and len(doc.sensitivities) == 3
    for ref, value in doc.sensitivities:
        member = derive(net, ref)
        assert prove(member).proven
        assert value == pytest.approx(worked_numbers(member, spec.values).per_sample[0], rel=1e-12)
    md = documents.render(derive(net, "w_{00}^{(L-2)}"), "md")
    assert f"{doc.sensitivities[1][1]:.6g}" in md
