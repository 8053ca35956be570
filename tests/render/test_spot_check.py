"""The spot check (the formula against central finite differences at a random point) is worked only where a
document states it: the LaTeX documents, or any format rendered through a user's templates, which may state it.
A text, Markdown or HTML document from the shipped templates is the same, byte for byte, whether it was worked
or not; skipping it keeps NumPy's random numbers and a compiled formula out of a derive to text."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import symbackprop as sbp
from symbackprop import documents
from symbackprop.derive.derivation import derive
from symbackprop.model.network import Network
from symbackprop.model.spec import Values
from symbackprop.numeric import numbers
from symbackprop.render import render

NETWORKS = [
    ({"layers": [1, 1, 1, 1], "activation": "sigmoid", "cost": "sse", "bias": "neuron"}, "w^{(L)}"),
    ({"layers": [2, 3, 2], "activation": ["tanh", "softmax"], "cost": "cross_entropy"}, "w_{01}^{(L-1)}"),
    ({"layers": [3, 2, 2], "activation": "relu", "cost": "half_sse", "bias": "layer"}, "b^{(L)}"),
]


@pytest.mark.parametrize(("spec", "wrt"), NETWORKS, ids=[w for _, w in NETWORKS])
@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_a_document_that_does_not_state_it_is_the_same_without_it(spec, wrt, fmt):
    d = derive(Network(**spec), wrt)
    skipped = documents.derivation_document(d, fmt)
    worked = documents.derivation_document(d, fmt, spot=True)
    assert skipped.spot is None
    assert worked.spot is not None
    assert render(skipped, fmt) == render(worked, fmt)


@pytest.mark.parametrize(("spec", "wrt"), NETWORKS[:2], ids=[w for _, w in NETWORKS[:2]])
@pytest.mark.parametrize("fmt", ["tex", "tex-body"])
def test_a_latex_document_states_it_and_agrees_with_finite_differences(spec, wrt, fmt):
    doc = documents.derivation_document(derive(Network(**spec), wrt), fmt)
    assert doc.spot is not None
    formula, differences = doc.spot
    assert formula == pytest.approx(differences, rel=1e-5, abs=1e-8)
    assert "central finite differences of the cost give" in render(doc, fmt)


def test_a_users_template_gets_it_in_any_format(cmdline, tmp_path):
    (tmp_path / "derivation.txt.j2").write_text(
        "spot: \\VAR{ spot[0] | number } against \\VAR{ spot[1] | number }\n", encoding="utf-8"
    )
    done = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}", "--templates", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("spot: ") and "against" in done.stdout
    shipped = cmdline.run("derive", "example:3b1b", "--wrt", "w^{(L)}")
    assert "spot" not in shipped.stdout and "finite differences" not in shipped.stdout


def test_the_point_is_one_where_the_derivative_is_not_zero():
    """A ReLU off at the first random point made the document say the formula gives 0 and finite differences give
    0: true, and no check at all. The point is moved on (seeded, so the document stays byte-identical) until the
    derivative is not 0, and the two numbers still agree there."""
    net = Network([2, 3, 3, 2], ["relu", "tanh", "sigmoid"], "sse", bias="none", notation="nielsen")
    doc = documents.derivation_document(derive(net, "w^2_{12}"), "tex")
    assert doc.spot is not None
    formula, differences = doc.spot
    assert abs(formula) > 1e-6
    assert formula == pytest.approx(differences, rel=1e-5, abs=1e-8)
    assert documents.derivation_document(derive(net, "w^2_{12}"), "tex").spot == doc.spot


def test_a_point_outside_the_costs_domain_is_refused_without_numpys_warnings():
    """ReLU outputs under the cross-entropy: at the spot check's first point an output is 0, under ln. The API
    refused, but only after the formula had been worked there (0/0), so NumPy's RuntimeWarnings reached the
    user's terminal first; the CLI hid them. The point is refused before any formula runs, with no warning."""
    net = sbp.Network(layers=[4, 5, 5, 3], activation=["relu", "relu", "relu"], cost="cross_entropy")
    d = net.derive("w_{12}^{(1)}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would be raised here instead of the SpecError
        with pytest.raises(sbp.SpecError, match=r"spot check at a random point .*ln needs it above 0"):
            d.latex()


def _huge_until(seed_ok: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Random points whose weights overflow float64 for every seed below ``seed_ok``."""
    plain = numbers.random_values

    def points(net: Network, samples: int = 3, seed: int = 0) -> Values:
        v = plain(net, samples, seed)
        if seed >= seed_ok:
            return v
        return Values(v.x, v.y, tuple(w * 1e300 for w in v.weights), v.biases)

    monkeypatch.setattr(numbers, "random_values", points)


def test_a_point_where_the_numbers_overflow_is_passed_over(monkeypatch):
    """inf or nan from a point is never stated: that point is passed over for the next, silently."""
    net = Network([2, 2, 2], "identity", "sse")
    d = derive(net, "w_{01}^{(L-1)}")
    _huge_until(3, monkeypatch)
    with np.errstate(all="ignore"):
        assert not math.isfinite(numbers._point_check(d, 0, 1e-6)[0])  # the points passed over do overflow
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        formula, differences = numbers.point_check(d)
    assert math.isfinite(formula) and math.isfinite(differences)
    assert formula == pytest.approx(differences, rel=1e-5, abs=1e-8)
    assert (formula, differences) == numbers._point_check(d, 3, 1e-6)


def test_a_spot_check_that_overflows_everywhere_is_an_error_not_a_number(monkeypatch):
    net = Network([2, 2, 2], "identity", "sse")
    d = derive(net, "w_{01}^{(L-1)}")
    _huge_until(numbers.SPOT_TRIES, monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(sbp.SpecError, match="spot check overflows at each of its 8 random points"):
            documents.derivation_document(d, "tex")
