"""The verbs of the Python API for dense networks, and their short forms on ``Network`` and ``Derivation``.

>>> import symbackprop as sbp
>>> net = sbp.Network(layers=[2, 3, 2])
>>> d = net.derive("w_{12}^{(L)}")
>>> print(d.result)
2*(a[2, 1] - y[1])*sigmoid_prime(2, z[2, 1])*a[1, 2]
>>> bool(d.check())
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypedDict, Unpack, cast

from .. import documents
from ..codegen.modules import gradient_function as _gradient_function
from ..derive.derivation import Derivation
from ..derive.derivation import derive as _derive
from ..derive.graph_backprop import GraphDerivation, derive_graph
from ..model.dense_graph import graph_name, network_graph
from ..model.network import Network
from ..model.references import Ref
from ..model.spec import Values
from ..model.training import Training, read_training
from ..numeric.hessian import hessian_function as _hessian_function
from ..numeric.numbers import evaluate as _evaluate
from ..numeric.training import report as _training_report
from ..prove.element import prove as _prove
from ..prove.proof import Proof
from ..render import boxed, render_proof, render_report
from ..verify.claims import ClaimReport
from .formulas import lambdify


def derive(net: Network, ref: str | Ref) -> Derivation | GraphDerivation:
    """The chain-rule derivation of dC_0 with respect to ``ref`` (``"w_{12}^{(L)}"`` or a ``Ref``); hidden layers'
    dC_0/da are shared between the derivations of one network, so deriving every parameter costs time linear in
    their number. A network with skip connections or tied weights is derived as its computation graph: the
    result is then a GraphDerivation, whose steps show the extra paths.

    >>> import symbackprop as sbp
    >>> d = sbp.derive(sbp.Network(layers=[1, 1]), "w^{(L)}")
    >>> [str(f.value) for f in d.chains[0].factors]
    ['2*(a[1, 0] - y[0])', 'sigmoid_prime(1, z[1, 0])', 'a[0, 0]']
    >>> linked = sbp.Network.from_toml("example:residual").derive("w_{00}^{(1)}")
    >>> type(linked).__name__, linked.check().verdict
    ('GraphDerivation', 'proven')
    """
    if net.spec.skips or net.spec.ties:
        graph = network_graph(net)
        return derive_graph(graph, graph_name(net, ref if isinstance(ref, Ref) else net.ref(ref)))
    return _derive(net, ref)


def prove(d: Derivation) -> Proof:
    """The derivation's result against sympy.diff of the composed cost (see docs/proofs.md).

    >>> import symbackprop as sbp
    >>> proof = sbp.prove(sbp.Network(layers=[2, 2]).derive("b_{0}^{(L)}"))
    >>> proof.verdict, proof.method
    ('proven', 'symbolic')
    """
    return _prove(d)


def evaluate(net: Network, steps: int | None = None) -> dict[str, Any]:
    """Forward pass, cost, gradient of the mean cost and (with a learning rate) the updated parameters, at the
    spec's values; with the spec's [training] (or ``steps`` of it, or of plain gradient descent), also the run:
    ``training``, ``trajectory`` (the mean cost before each step and after the last) and ``after`` (weights,
    biases and cost after the last step), as ``symbackprop evaluate --json`` prints them.

    >>> import symbackprop as sbp
    >>> numbers = sbp.evaluate(sbp.Network.from_toml("example:worked"))
    >>> round(numbers["cost"], 6)
    0.383298
    >>> run = sbp.Network.from_toml("example:mazur").evaluate(steps=2)
    >>> [round(c, 6) for c in run["trajectory"]], run["training"]
    ([0.298371, 0.285751, 0.272797], 'sgd, 2 steps, full batch')
    """
    numbers = _evaluate(net)
    training = net.spec.training
    if steps is not None:
        training = replace(training or Training(), steps=read_training({}, steps, "steps").steps)
    if training is None:
        return numbers
    return {**numbers, **_training_report(net, cast(Values, net.spec.values), training)}


def gradient_function(
    net: Network, backend: str = "numpy", check: bool | str = True, reuse: bool = False
) -> Callable[..., Any]:
    """``f(x, y, weights, biases) -> (cost, grad_weights, grad_biases)``, generated from the matrix form (NumPy,
    PyTorch or JAX), computed in x's float dtype (float32 stays float32). An argument of the wrong shape or type
    is a SpecError naming it; ``check="once"`` checks the first call only and ``check=False`` never, for tight
    loops whose arguments are known to be right. ``reuse=True`` (NumPy) writes the gradients into arrays the
    function keeps and returns those same arrays at every call (copy what you keep past the next call), and
    computes the pass's large temporaries into arrays it keeps too: a loop then allocates almost no new large
    arrays, which in a fresh process spared 784-512-512-10 at batch 64 half of its time (one thread at a time).

    >>> import symbackprop as sbp
    >>> net = sbp.Network.from_toml("example:worked")
    >>> v = net.spec.values
    >>> cost, grad_weights, grad_biases = net.gradient_function()(v.x, v.y, v.weights, v.biases)
    >>> round(float(cost), 6), [g.shape for g in grad_weights]
    (0.383298, [(3, 2), (2, 3)])
    """
    return _gradient_function(net, backend, check, reuse)


def hessian_function(net: Network) -> Callable[..., Any]:
    """``h(values) -> H``: the Hessian of the mean cost over every weight and bias, for small networks.

    >>> import numpy as np
    >>> import symbackprop as sbp
    >>> net = sbp.Network.from_toml("example:worked")
    >>> H = net.hessian_function()(net.spec.values)
    >>> H.shape, bool(np.allclose(H, H.T))
    ((17, 17), True)
    """
    return _hessian_function(net)


class _LatexOptions(TypedDict, total=False):
    """The options ``latex`` passes on to the document."""

    title: str
    author: str


def latex(d: Derivation, **options: Unpack[_LatexOptions]) -> str:
    """A complete LaTeX document telling the derivation (options: title, author).

    >>> import symbackprop as sbp
    >>> tex = sbp.Network(layers=[2, 2]).derive("w_{11}^{(L)}").latex(title="Homework 3")
    >>> tex.startswith(r"\\documentclass") and "Homework 3" in tex
    True
    """
    return documents.render(d, "tex", **options)


def markdown(d: Derivation) -> str:
    """The derivation as Markdown with $-delimited math, as Jupyter shows it.

    >>> import symbackprop as sbp
    >>> print(sbp.Network(layers=[2, 3, 2]).derive("w_{12}^{(L)}").markdown().splitlines()[0])
    # How the cost depends on $w_{12}^{(L)}$
    """
    return documents.render(d, "md")


def boxed_latex(d: Derivation) -> str:
    """The boxed result, for Jupyter's LaTeX display."""
    return boxed(d)


def report_markdown(report: ClaimReport) -> str:
    """The verdict on a claimed formula as Markdown, its formulas as math: Jupyter's display of a report.

    >>> import symbackprop as sbp
    >>> from symbackprop.verify import verify_claim
    >>> net = sbp.Network.from_toml("example:deeplizard")
    >>> report = verify_claim(net, "2(a_1^{(L)} - y_1) a_2^{(L-1)}", "w_{12}^{(L)}")
    >>> print(report._repr_markdown_().splitlines()[0])
    **incorrect** for $w_{12}^{(L)}$
    """
    return render_report(report, "md")


def proof_markdown(proof: Proof) -> str:
    """A proof's outcome as Markdown: Jupyter's display of ``d.check()``.

    >>> import symbackprop as sbp
    >>> print(sbp.Network(layers=[2, 2]).derive("w_{00}^{(L)}").check()._repr_markdown_().split(":")[0])
    **proven** (symbolic)
    """
    return render_proof(proof)


def attach() -> None:
    """The short forms, on the model's classes: ``net.derive(ref)``, ``d.check()`` and the rest."""
    Network.derive = derive  # type: ignore[attr-defined]
    Network.evaluate = evaluate  # type: ignore[attr-defined]
    Network.gradient_function = gradient_function  # type: ignore[attr-defined]
    Network.hessian_function = hessian_function  # type: ignore[attr-defined]
    Derivation.check = prove  # type: ignore[attr-defined]
    Derivation.latex = latex  # type: ignore[attr-defined]
    Derivation.markdown = markdown  # type: ignore[attr-defined]
    Derivation._repr_latex_ = boxed_latex  # type: ignore[attr-defined]
    Derivation._repr_markdown_ = markdown  # type: ignore[attr-defined]
    ClaimReport._repr_markdown_ = report_markdown  # type: ignore[attr-defined]
    Proof._repr_markdown_ = proof_markdown  # type: ignore[attr-defined]
    Derivation.lambdify = lambdify  # type: ignore[attr-defined]
