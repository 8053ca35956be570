"""The numeric Hessian of the mean cost over every weight and bias: sympy.diff twice of the composed cost,
lambdified, for small networks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from ..base.errors import SpecError
from ..model.network import Network
from ..model.spec import Values

MAX_HESSIAN_PARAMETERS = 60


def hessian_function(net: Network) -> Callable[..., np.ndarray]:
    """``h(values) -> H``: the Hessian of the mean cost over every weight and bias (in net.parameters() order),
    from sympy.diff twice of the composed cost, lambdified; for networks of up to MAX_HESSIAN_PARAMETERS."""
    refs = net.parameters()
    if len(refs) > MAX_HESSIAN_PARAMETERS:
        raise SpecError(f"a Hessian over {len(refs)} parameters is refused above {MAX_HESSIAN_PARAMETERS}")
    for layer in range(1, net.depth + 1):
        if net.activation(layer).generic:
            raise SpecError(f"layer {layer} uses the generic activation g, which has no numbers")
    symbols = [net.symbol(r) for r in refs]
    cost = net.composed_cost(concrete=True)
    leaves = sorted(cost.atoms(sp.Indexed) - set(symbols), key=sp.default_sort_key)
    gradient = [sp.diff(cost, s) for s in symbols]
    entries = [sp.diff(gradient[p], symbols[q]) for p in range(len(symbols)) for q in range(p, len(symbols))]
    dummies = [sp.Dummy() for _ in leaves + symbols]
    swap = dict(zip(leaves + symbols, dummies, strict=True))
    step = {  # relu's kink: its second derivative is 0 wherever it exists
        "Heaviside": lambda x, at_zero=0.5: np.heaviside(x, at_zero),
        "DiracDelta": lambda x, *order: np.zeros_like(np.asarray(x, dtype=float)),
    }
    function = sp.lambdify(dummies, [e.xreplace(swap) for e in entries], modules=[step, np], cse=True)

    def hessian(values: Values) -> np.ndarray:
        _check_values(net, values)
        n, size = values.x.shape[0], len(symbols)
        leaf_values = [_number_of(net, s, values) for s in leaves]
        params = [float(np.ravel(_number_of(net, s, values))[0]) for s in symbols]
        flat = [np.mean(np.broadcast_to(np.asarray(v, dtype=float), (n,))) for v in function(*leaf_values, *params)]
        out = np.zeros((size, size))
        out[np.triu_indices(size)] = flat
        return out + np.triu(out, 1).T

    return hessian


def _check_values(net: Network, values: object) -> None:
    """A Hessian's argument is a Values shaped for this network, as a spec's [values] table gives; else SpecError."""
    if not isinstance(values, Values):
        raise SpecError(
            f"values: expected a symbackprop.Values, such as Network(..., values={{...}}).spec.values, "
            f"got {type(values).__name__}"
        )
    given = _shapes_given(values)
    wanted = _shapes_wanted(net, int(np.shape(values.x)[0]) if np.ndim(values.x) else 0)
    if len(given) != len(wanted):
        raise SpecError(f"values: this network needs {', '.join(wanted)}; got {', '.join(given)}")
    for (name, shape), want in zip(given.items(), wanted.values(), strict=True):
        if shape != want:
            raise SpecError(f"values.{name}: must be shaped {want}, got {shape}")


def _shapes_given(values: Values) -> dict[str, tuple[int, ...]]:
    """The shape of each array in ``values``, by name: x, y, weights[0], ..., biases[0], ..."""
    shapes = {"x": np.shape(values.x), "y": np.shape(values.y)}
    shapes |= {f"weights[{i}]": np.shape(w) for i, w in enumerate(values.weights)}
    return shapes | {f"biases[{i}]": np.shape(b) for i, b in enumerate(values.biases)}


def _shapes_wanted(net: Network, samples: int) -> dict[str, tuple[int, ...]]:
    """The shape each array of a Values must have for ``net`` and this many samples."""
    layers, bias = net.layers, net.spec.bias
    shapes: dict[str, tuple[int, ...]] = {"x": (samples, layers[0]), "y": (samples, layers[-1])}
    shapes |= {f"weights[{m - 1}]": (layers[m], layers[m - 1]) for m in range(1, len(layers))}
    if bias == "none":
        return shapes
    return shapes | {f"biases[{m - 1}]": (layers[m],) if bias == "neuron" else (1,) for m in range(1, len(layers))}


def _number_of(net: Network, symbol: sp.Indexed, values: Values) -> np.ndarray | float:
    """An input, a target (one per sample) or a parameter, from the spec-shaped values."""
    base, name = net.spec.index_base, str(symbol.base)
    idx = [int(i) for i in symbol.indices]
    if name == "y":
        return values.y[:, idx[0] - base]
    if name == "a":  # only the inputs are leaves of the composed cost
        return values.x[:, idx[1] - base]
    layer, rest = idx[0], [i - base for i in idx[1:]]
    if name == "w":
        return values.weights[layer - 1][rest[0], rest[1]]
    return values.biases[layer - 1][rest[0] if rest else 0]
