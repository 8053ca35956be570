"""A spec with values: every format (text, Markdown, LaTeX, JSON) shows the same worked numbers."""

from __future__ import annotations

import json
import re

import pytest

import symbackprop as sbp
from symbackprop.documents import render
from symbackprop.numeric import numbers as numeric
from symbackprop.render.filters import number, number_product, number_sum

WORKED = "templates/examples/worked.toml"
BATCH = {
    "x": [[0.5, -1.0], [0.2, 0.4], [-0.3, 0.9]],
    "y": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
    "weights": [[[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], [[0.3, -0.1, 0.2], [-0.4, 0.6, 0.1]]],
    "biases": [[0.1, 0.0, -0.1], [0.2, -0.2]],
    "learning_rate": 0.5,
}


def _batch() -> sbp.Network:
    return sbp.Network(layers=[2, 3, 2], activation=["tanh", "sigmoid"], cost="half_sse", values=BATCH)


CASES = [
    (lambda: sbp.Network.from_toml(WORKED), "w_{00}^{(L)}"),  # one path, one sample, with a step
    (lambda: sbp.Network.from_toml(WORKED), "a_{1}^{(L-1)}"),  # two paths, no step (not a parameter)
    (_batch, "w_{21}^{(L-1)}"),  # a hidden weight over a batch of three samples
    (_batch, "b_{1}^{(L)}"),
]


def _expected(d: sbp.Derivation) -> list[str]:
    """Every number the worked example states, as the documents print them (six significant digits)."""
    worked = numeric.worked_numbers(d, d.network.spec.values)
    shown = [number(v[0]) for chain in worked.factors for v in chain]
    shown += [number(p[0]) for p in worked.chains] + [number(worked.per_sample[0])]
    if len(worked.per_sample) > 1:
        shown += [number(v) for v in worked.per_sample] + [number(worked.mean)]
    if worked.updated is not None:
        shown += [number(worked.current), number(worked.updated)]
    return shown


def _numbers_part(fmt: str, out: str) -> str:
    """The part of a document that works the numbers."""
    start, end = {
        "text": ("With the spec's numbers", "\nCheck:"),
        "md": ("## With the numbers of the spec", "**Check:**"),
        "tex": (r"\section*{With the numbers of the spec}", r"\section*{The same, in matrix form}"),
    }[fmt]
    assert start in out, f"{fmt}: no worked numbers"
    return out[out.index(start) : out.index(end)]


@pytest.mark.parametrize("make, ref", CASES)
def test_text_markdown_and_latex_state_the_same_worked_numbers(make, ref):
    d = make().derive(ref)
    for fmt in ("text", "md", "tex"):
        part = _numbers_part(fmt, render(d, fmt))
        missing = [n for n in _expected(d) if n not in part]
        assert not missing, f"{fmt} lacks {missing}"


@pytest.mark.parametrize("make, ref", CASES)
def test_json_carries_the_worked_numbers_as_data(make, ref):
    d = make().derive(ref)
    worked = numeric.worked_numbers(d, d.network.spec.values)
    data = json.loads(render(d, "json"))["numbers"]
    assert data["samples"] == len(worked.per_sample)
    assert [[f["values"] for f in p["factors"]] for p in data["paths"]] == [
        [list(v) for v in chain] for chain in worked.factors
    ]
    assert [p["product"] for p in data["paths"]] == [list(p) for p in worked.chains]
    assert data["per_sample"] == list(worked.per_sample) and data["mean"] == worked.mean
    assert (data["current"], data["updated"]) == (worked.current, worked.updated)
    rate = d.network.spec.values.learning_rate if worked.updated is not None else None
    assert data["learning_rate"] == rate
    assert data["paths"][0]["factors"][0]["leibniz"]["text"].startswith("∂C_0/∂a_")


def test_the_text_step_is_the_update_worked_out():
    d = sbp.Network.from_toml(WORKED).derive("w_{00}^{(L)}")
    text = render(d, "text")
    worked = numeric.worked_numbers(d, d.network.spec.values)
    step = f"{number(worked.current)} - {number_product([0.1, worked.mean])} = {number(worked.updated)}"
    assert f"w_00^(L) - η·∂C/∂w_00^(L) = {step}" in text
    assert number_product([0.1, worked.mean]) == f"0.1 · ({number(worked.mean)})"


def test_several_paths_are_added_with_their_own_signs():
    assert number_sum([0.0192585, -0.141079, 0.5]) == "0.0192585 - 0.141079 + 0.5"
    d = sbp.Network.from_toml(WORKED).derive("a_{1}^{(L-1)}")
    worked = numeric.worked_numbers(d, d.network.spec.values)
    total = f"{number_sum([p[0] for p in worked.chains])} = {number(worked.per_sample[0])}"
    assert f"so ∂C_0/∂a_1^(L-1) = {total}" in render(d, "text")
    assert total in render(d, "md")


@pytest.mark.parametrize(
    "net, ref",
    [
        (sbp.Network(layers=[2, 3, 2]), "w_{12}^{(L)}"),  # no values
        (sbp.Network(layers=[2, 3, 2], activation="g", values=BATCH), "w_{12}^{(L)}"),  # a generic activation
    ],
)
def test_no_numbers_without_values_or_with_a_generic_activation(net, ref):
    d = net.derive(ref)
    assert "With the spec's numbers" not in render(d, "text")
    assert "With the numbers of the spec" not in render(d, "md")
    assert json.loads(render(d, "json"))["numbers"] is None


def _linear(x: float, w1: float, w2: float) -> sbp.Network:
    values = {"x": [[x]], "y": [[0.5]], "weights": [[[w1]], [[w2]]], "biases": [[0.0], [0.0]], "learning_rate": 0.1}
    return sbp.Network(layers=[1, 1, 1], activation="identity", cost="sse", values=values)


@pytest.mark.parametrize("fmt", ["text", "md", "tex", "html"])
def test_values_that_overflow_are_an_error_not_an_inf_in_the_document(fmt):
    """A document used to print the numbers NumPy gave, inf among them ("= inf"), and through the API NumPy's
    RuntimeWarnings first: the worked numbers, like ``evaluate``, refuse values past float64's range, whether the
    forward pass overflows or only a chain's product does."""
    import warnings

    past_forward = _linear(1e200, 1e200, 1e200)  # z^(L-1) = 1e400
    past_product = _linear(1e200, 1e-200, 1e200)  # a finite forward pass; 2 (a - y) w x = 4e600
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would be raised here instead of the SpecError
        with pytest.raises(sbp.SpecError, match="the forward pass overflows"):
            render(past_forward.derive("w^{(L)}"), fmt)
        with pytest.raises(sbp.SpecError, match="working the numbers overflows"):
            render(past_product.derive("w^{(L-1)}"), fmt)
        large = _linear(1e100, 1e-100, 1e100)  # 2 (a - y) w x = 2e300: large, in range
        out = render(large.derive("w^{(L-1)}"), fmt)
    assert not re.search(r"\b(inf|nan)\b", out, re.IGNORECASE)
    assert large.spec.values is not None
    assert numeric.worked_numbers(large.derive("w^{(L-1)}"), large.spec.values).mean == pytest.approx(2e300)


def test_every_parameters_numbers_refuse_values_that_overflow():
    """``--wrt all`` works every gradient at once: an overflow there is the same one-line error."""
    net = _linear(1e200, 1e-200, 1e200)
    assert net.spec.values is not None
    with pytest.raises(sbp.SpecError, match="the gradient overflows"):
        numeric.parameter_steps(net, net.spec.values)
