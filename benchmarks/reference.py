"""Hand-written NumPy backward passes, the best a careful engineer writes: the practical limit a generated
gradient is measured against.

One function per activation and cost pair, any depth, in the caller's dtype (float32 stays float32: Python
floats are weak scalars under NumPy 2's promotion rules). Each computes the mean cost over the rows of ``x`` and
its gradient for every weight matrix (n_l, n_(l-1)) and bias vector (n_l,), returning ``(cost, [dW], [db])``
as the generated code does. The arrays each layer makes are reused in place; the simplified deltas are used
(softmax or sigmoid output with its cross-entropy: A - Y, which needs every row of y to sum to 1 for softmax,
as one-hot labels do); the costs from logits are computed through log-sum-exp and softplus, so they stay finite.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import numpy as np

Gradient = tuple[float, list[np.ndarray], list[np.ndarray]]


def _sigmoid_tanh(z: np.ndarray) -> np.ndarray:
    """sigmoid(z) = (1 + tanh(z/2)) / 2, in place: never overflows."""
    z *= 0.5
    np.tanh(z, out=z)
    z += 1.0
    z *= 0.5
    return z


def _sigmoid_exp(z: np.ndarray) -> np.ndarray:
    """sigmoid(z) = 1 / (1 + exp(-z)), in place (exp(-z) may overflow to inf, giving exactly 0, as it should,
    with a warning: no errstate here, whose context costs microseconds a call)."""
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    np.divide(1.0, z, out=z)
    return z


@functools.cache
def _fastest_sigmoid(dtype: np.dtype) -> Callable[[np.ndarray], np.ndarray]:
    """Of the two in-place forms, the one faster on this machine for this dtype (tanh is the faster in float32
    with NumPy's SIMD tanh; in float64 they are close): measured once, on a 1024 x 128 array."""
    z0 = np.random.default_rng(0).normal(size=(1024, 128)).astype(dtype)
    best = {}
    for form in (_sigmoid_tanh, _sigmoid_exp):
        times = []
        for _ in range(20):
            z = z0.copy()
            start = time.perf_counter()
            form(z)
            times.append(time.perf_counter() - start)
        best[form] = min(times)
    return min(best, key=best.__getitem__)


def sigmoid_(z: np.ndarray) -> np.ndarray:
    """sigmoid(z), overwriting z."""
    return _fastest_sigmoid(z.dtype)(z)


def _times_sigmoid_prime(delta: np.ndarray, a: np.ndarray) -> None:
    """delta *= a (1 - a), a = sigmoid(z): the derivative from the layer's output."""
    delta *= a
    delta *= 1.0 - a


def _linear(a: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    z = a @ w.T
    z += b
    return z


def _backward(
    delta: np.ndarray, acts: list[np.ndarray], weights: list[np.ndarray], hidden: str
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """BP2-BP4 from the output layer's delta (the 1/n of the mean already in it) back to the first layer."""
    grad_w: list[np.ndarray] = [np.empty(0)] * len(weights)
    grad_b: list[np.ndarray] = [np.empty(0)] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        grad_w[layer] = delta.T @ acts[layer]
        grad_b[layer] = delta.sum(axis=0)
        if layer:
            delta = delta @ weights[layer]
            if hidden == "sigmoid":
                _times_sigmoid_prime(delta, acts[layer])
            else:  # relu: a > 0 exactly where z > 0
                delta *= acts[layer] > 0.0
    return grad_w, grad_b


def sigmoid_sse(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]) -> Gradient:
    """Sigmoid layers, cost sum_j (a_j - y_j)^2, mean over the rows."""
    acts = [x]
    for w, b in zip(weights, biases, strict=True):
        acts.append(sigmoid_(_linear(acts[-1], w, b)))
    n, out = x.shape[0], acts[-1]
    delta = out - y
    cost = float(np.vdot(delta, delta)) / n
    delta *= 2.0 / n
    _times_sigmoid_prime(delta, out)
    grad_w, grad_b = _backward(delta, acts, weights, "sigmoid")
    return cost, grad_w, grad_b


def relu_softmax_ce(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]) -> Gradient:
    """ReLU hidden layers, a softmax output, cost -sum_j y_j ln a_j through log-sum-exp, mean over the rows;
    the output delta A - Y (rows of y summing to 1)."""
    acts = [x]
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        z = _linear(acts[-1], w, b)
        acts.append(np.maximum(z, 0.0, out=z))
    n, z = x.shape[0], _linear(acts[-1], weights[-1], biases[-1])
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    total = e.sum(axis=1, keepdims=True)
    cost = float(np.vdot(y, np.log(total) - z)) / n  # -sum y (z - log sum e^z)
    e /= total  # the softmax: the output A
    e -= y
    e *= 1.0 / n
    grad_w, grad_b = _backward(e, acts, weights, "relu")
    return cost, grad_w, grad_b


def sigmoid_bce(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]) -> Gradient:
    """Sigmoid layers, cost -sum_j (y_j ln a_j + (1 - y_j) ln(1 - a_j)) = sum_j softplus(z_j) - y_j z_j from the
    logits, mean over the rows; the output delta A - Y."""
    acts = [x]
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        acts.append(sigmoid_(_linear(acts[-1], w, b)))
    n, z = x.shape[0], _linear(acts[-1], weights[-1], biases[-1])
    cost = (float(np.logaddexp(0.0, z).sum()) - float(np.vdot(y, z))) / n
    delta = sigmoid_(z)
    delta -= y
    delta *= 1.0 / n
    grad_w, grad_b = _backward(delta, acts, weights, "sigmoid")
    return cost, grad_w, grad_b


GRADIENTS: dict[str, Callable[..., Gradient]] = {
    "sigmoid+sse": sigmoid_sse,
    "relu+CE": relu_softmax_ce,
    "sigmoid+CE": sigmoid_bce,
}


def gradient(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]) -> Gradient:
    """The sigmoid network with the sse cost (the first benchmark's pair)."""
    return sigmoid_sse(x, y, weights, biases)
