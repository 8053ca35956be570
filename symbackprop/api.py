"""The verbs of the Python API, each calling the stage that does the work, and the short forms users write.

The stages below know nothing of the ones above them: a ``Network`` is data, a ``Derivation`` is the chain rule
as data. The short forms a user writes (``net.derive(ref)``, ``d.check()``, ``net.evaluate()``, a derivation
shown in Jupyter) are this module's verbs, attached here to those classes, so that the import graph shows the
real dependencies: the top calls down, never the other way.

>>> import symbackprop as sbp
>>> net = sbp.Network(layers=[2, 3, 2])
>>> d = net.derive("w_{12}^{(L)}")
>>> print(d.result)
2*(a[2, 1] - y[1])*sigma_prime(2, z[2, 1])*a[1, 2]
>>> bool(d.check())
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import documents
from .codegen.modules import gradient_function as _gradient_function
from .derive.derivation import Derivation
from .derive.derivation import derive as _derive
from .model.network import Network
from .model.references import Ref
from .numeric.hessian import hessian_function as _hessian_function
from .numeric.numbers import evaluate as _evaluate
from .prove.element import prove as _prove
from .prove.proof import Proof
from .render import boxed


def derive(net: Network, ref: str | Ref) -> Derivation:
    """The chain-rule derivation of dC_0 with respect to ``ref`` (``"w_{12}^{(L)}"`` or a ``Ref``); hidden layers'
    dC_0/da are shared between the derivations of one network, so deriving every parameter costs time linear in
    their number.

    >>> import symbackprop as sbp
    >>> d = sbp.derive(sbp.Network(layers=[1, 1]), "w^{(L)}")
    >>> [str(f.value) for f in d.chains[0].factors]
    ['2*(a[1, 0] - y[0])', 'sigma_prime(1, z[1, 0])', 'a[0, 0]']
    """
    return _derive(net, ref)


def prove(d: Derivation) -> Proof:
    """The derivation's result against sympy.diff of the composed cost (see docs/proofs.md).

    >>> import symbackprop as sbp
    >>> proof = sbp.prove(sbp.Network(layers=[2, 2]).derive("b_{0}^{(L)}"))
    >>> proof.verdict, proof.method
    ('proven', 'symbolic')
    """
    return _prove(d)


def evaluate(net: Network) -> dict[str, Any]:
    """Forward pass, cost, gradient of the mean cost and (with a learning rate) the updated parameters, at the
    spec's values.

    >>> import symbackprop as sbp
    >>> numbers = sbp.evaluate(sbp.Network.from_toml("example:worked"))
    >>> round(numbers["cost"], 6)
    0.544284
    """
    return _evaluate(net)


def gradient_function(net: Network, backend: str = "numpy") -> Callable[..., Any]:
    """``f(x, y, weights, biases) -> (cost, grad_weights, grad_biases)``, generated from the matrix form (NumPy,
    PyTorch or JAX); an argument of the wrong shape or type is a SpecError naming it."""
    return _gradient_function(net, backend)


def hessian_function(net: Network) -> Callable[..., Any]:
    """``h(values) -> H``: the Hessian of the mean cost over every weight and bias, for small networks."""
    return _hessian_function(net)


def latex(d: Derivation, **options: str) -> str:
    """A complete LaTeX document telling the derivation (options: title, author)."""
    return documents.render(d, "tex", **options)


def markdown(d: Derivation) -> str:
    """The derivation as Markdown with $-delimited math, as Jupyter shows it."""
    return documents.render(d, "md")


def boxed_latex(d: Derivation) -> str:
    """The boxed result, for Jupyter's LaTeX display."""
    return boxed(d)


def _attach() -> None:
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


_attach()
