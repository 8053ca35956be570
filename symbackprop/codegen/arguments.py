"""The arguments of a compiled gradient function, checked against its network before the matrix products run.

``Network.gradient_function()`` promises a SpecError naming the argument for a wrong one; without this
check a wrong shape is a broadcasting error from inside the generated code, or worse, a silent
broadcast (a column of biases against a row of neurons).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..base.errors import SpecError

if TYPE_CHECKING:
    from ..model.network import Network


class Shapes:
    """The exact argument shapes of a network's gradient function, to pass the common case at once: every
    argument already a NumPy float array of its shape (a few attribute reads, where the full check costs a
    quarter of a 2-3-2 network's call). It covers bias = "neuron" with lists of arrays; anything else takes
    the full check, which gives the same answer."""

    def __init__(self, net: Network) -> None:
        layers = net.layers
        self.inputs, self.outputs = layers[0], layers[-1]
        self.weights: list[tuple[int, ...]] = [(layers[layer], layers[layer - 1]) for layer in range(1, net.depth + 1)]
        self.biases: list[tuple[int, ...]] | None = [(n,) for n in layers[1:]] if net.spec.bias == "neuron" else None

    def exact(self, x: Any, y: Any, weights: Any, biases: Any) -> bool:
        """Whether every argument is a NumPy float array of exactly the shape the network needs (x two-dimensional)."""
        if not (_exact(x) and x.ndim == 2 and x.shape[1] == self.inputs and x.shape[0] >= 1):
            return False
        if not (_exact(y) and y.shape == (x.shape[0], self.outputs)):
            return False
        if self.biases is None or type(weights) is not list or type(biases) is not list:
            return False
        if len(weights) != len(self.weights) or len(biases) != len(self.biases):
            return False
        pairs = zip(weights + biases, self.weights + self.biases, strict=True)
        return all(_exact(value) and value.shape == shape for value, shape in pairs)


def _exact(value: Any) -> bool:
    return type(value) is np.ndarray and value.dtype.name in KEPT


def checked(net: Network, x: Any, y: Any, weights: Any, biases: Any) -> tuple[Any, Any, list[Any], list[Any]]:
    """``(x, y, weights, biases)`` as the generated code takes them, each shaped as the network needs;
    NumPy arrays of floats keep their dtype, lists and integers come back as float64 arrays, other libraries'
    arrays as they were."""
    layers, depth = net.layers, net.depth
    x, x_shape = _numbers("x", x)
    if len(x_shape) == 1 and x_shape[0] == layers[0]:
        samples = 1
    elif len(x_shape) == 2 and x_shape[1] == layers[0] and x_shape[0] >= 1:
        samples = x_shape[0]
    else:
        raise SpecError(f"x: must be shaped (samples, {layers[0]}) or ({layers[0]},), got {x_shape}")
    y, y_shape = _numbers("y", y)
    flat = len(y_shape) == 1 and y_shape[0] == samples * layers[-1] and 1 in (samples, layers[-1])
    if y_shape != (samples, layers[-1]) and not flat:
        raise SpecError(f"y: must be shaped ({samples}, {layers[-1]}) like x's {samples} samples, got {y_shape}")
    weights = _per_layer("weights", weights, depth)
    for layer in range(1, depth + 1):
        weights[layer - 1] = _shaped(f"weights[{layer - 1}]", weights[layer - 1], (layers[layer], layers[layer - 1]))
    return x, y, weights, _biases(net, biases)


def _biases(net: Network, biases: Any) -> list[Any]:
    if net.spec.bias == "none":
        if biases is not None and (not isinstance(biases, Sequence) or len(biases) > 0):
            raise SpecError('biases: this network has bias = "none", so give no biases')
        return []
    biases = _per_layer("biases", biases, net.depth)
    for layer in range(1, net.depth + 1):
        where = f"biases[{layer - 1}]"
        if net.spec.bias == "neuron":
            biases[layer - 1] = _shaped(where, biases[layer - 1], (net.layers[layer],))
            continue
        biases[layer - 1], shape = _numbers(where, biases[layer - 1])
        if shape not in ((), (1,)):
            raise SpecError(f"{where}: the layer's one shared bias, a number, got shape {shape}")
    return biases


def _per_layer(name: str, value: Any, depth: int) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != depth:
        raise SpecError(f"{name}: must be a list of {depth} arrays, one per layer after the input")
    return list(value)


def _shaped(where: str, value: Any, shape: tuple[int, ...]) -> Any:
    value, got = _numbers(where, value)
    if got != shape:
        raise SpecError(f"{where}: must be shaped {shape}, got {got}")
    return value


KEPT = ("float16", "float32", "float64")  # float dtypes every backend computes in; others (longdouble) become float64


def _numbers(where: str, value: Any) -> tuple[Any, tuple[int, ...]]:
    """``value`` as an array of floats (float16, float32 or float64 kept, else float64), and its shape; a tensor
    of another library keeps its type, once its dtype is known to hold real numbers."""
    if not isinstance(value, (np.ndarray, list, tuple, int, float, np.number)) and hasattr(value, "shape"):
        if not _real(getattr(value, "dtype", None)):
            raise SpecError(f"{where}: must be an array (or nested lists) of real numbers, got {value.dtype}")
        return value, tuple(int(n) for n in value.shape)
    try:
        raw = np.asarray(value)
    except (ValueError, TypeError, OverflowError, RecursionError):
        raw = None
    if raw is None or raw.dtype.kind not in "iuf":
        raise SpecError(f"{where}: must be an array (or nested lists) of real numbers")
    return (raw if raw.dtype.name in KEPT else raw.astype(float)), raw.shape


def _real(dtype: Any) -> bool:
    """Whether another library's dtype holds real numbers: NumPy-like dtypes (JAX's) by their kind, PyTorch's
    by name (torch.float32, torch.bfloat16, torch.int64; not torch.bool or torch.complex64)."""
    kind = getattr(dtype, "kind", None)
    if isinstance(kind, str):
        return kind in "iuf" or str(dtype) == "bfloat16"
    name = str(dtype)
    return ("float" in name or "int" in name) and "complex" not in name
