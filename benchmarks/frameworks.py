"""The other sides of the gradient benchmark, each written as its library's users write it, and the generated
code of each backend made callable on the same arrays.

Every side is a function of no arguments (its inputs bound already, in its library's own arrays, made before
timing) returning ``(cost, [dW], [db])`` as NumPy arrays for the check; ``timed_call`` is the call that is timed,
which waits for the result (``.item()``, ``block_until_ready``) but converts nothing back.

- PyTorch eager: ``F.linear``, ``torch.sigmoid`` / ``torch.relu``, the cost from the logits (``F.cross_entropy``
  with class indices, ``F.binary_cross_entropy_with_logits``), ``torch.autograd.grad`` of the mean cost.
- torch.compile: ``torch.compile`` of that same eager function (``dynamic=False``: one graph per shape, each
  compiled and warmed before timing).
- JAX jit: ``jax.jit(jax.value_and_grad(cost))``, the cost from the logits (``log_softmax``, ``softplus``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Result = tuple[float, list[np.ndarray], list[np.ndarray]]


@dataclass
class Side:
    """One way of computing the gradient, bound to its inputs: ``call()`` is timed, ``result()`` is checked."""

    call: Callable[[], object]
    result: Callable[[], Result]


def _torch():
    import torch

    torch.set_num_threads(1)
    return torch


# --- PyTorch -------------------------------------------------------------------------------------


def torch_cost(kind: str):
    """The mean cost of the network as a function of PyTorch tensors (x, target, weights, biases)."""
    torch = _torch()
    functional = torch.nn.functional
    hidden = torch.relu if kind == "relu+CE" else torch.sigmoid

    def cost(x, target, weights, biases):
        a = x
        for w, b in zip(weights[:-1], biases[:-1], strict=True):
            a = hidden(functional.linear(a, w, b))
        z = functional.linear(a, weights[-1], biases[-1])
        if kind == "relu+CE":
            return functional.cross_entropy(z, target)  # target: class indices; the mean over the rows
        if kind == "sigmoid+CE":
            return functional.binary_cross_entropy_with_logits(z, target, reduction="sum") / x.shape[0]
        return ((torch.sigmoid(z) - target) ** 2).sum() / x.shape[0]

    return cost


def torch_eager(kind: str):
    """gradient(x, target, weights, biases) -> (cost tensor, gradients), by autograd."""
    torch, cost = _torch(), torch_cost(kind)

    def gradient(x, target, weights, biases):
        loss = cost(x, target, weights, biases)
        return loss.detach(), torch.autograd.grad(loss, [*weights, *biases])

    return gradient


def torch_side(gradient, kind: str, x, y, weights, biases) -> Side:
    torch = _torch()
    target = torch.from_numpy(np.argmax(y, axis=1)) if kind == "relu+CE" else torch.from_numpy(y)
    tx = torch.from_numpy(x)
    ws = [torch.from_numpy(w).requires_grad_(True) for w in weights]
    bs = [torch.from_numpy(b).requires_grad_(True) for b in biases]

    def call():
        loss, grads = gradient(tx, target, ws, bs)
        return loss.item(), grads

    def result() -> Result:
        cost, grads = call()
        arrays = [g.numpy() for g in grads]
        return cost, arrays[: len(ws)], arrays[len(ws) :]

    return Side(call, result)


def torch_compiled(kind: str):
    """torch.compile of the eager gradient function; compiled lazily, at its first call for each shape."""
    torch = _torch()
    config = torch._dynamo.config
    for limit in ("recompile_limit", "cache_size_limit", "accumulated_recompile_limit"):
        if hasattr(config, limit):  # one graph per network, dtype and batch: more than the default 8
            setattr(config, limit, 1024)
    return torch.compile(torch_eager(kind), dynamic=False)


# --- JAX -----------------------------------------------------------------------------------------


def jax_x64():
    """JAX, with float64 arrays kept float64 (``jax_enable_x64``); float32 inputs stay float32."""
    import jax

    jax.config.update("jax_enable_x64", True)  # float64 arrays stay float64; float32 inputs stay float32
    return jax


def jax_cost(kind: str):
    jax = jax_x64()
    jnp = jax.numpy
    hidden = jax.nn.relu if kind == "relu+CE" else jax.nn.sigmoid

    def cost(weights, biases, x, y):
        a = x
        for w, b in zip(weights[:-1], biases[:-1], strict=True):
            a = hidden(a @ w.T + b)
        z = a @ weights[-1].T + biases[-1]
        if kind == "relu+CE":
            return -jnp.sum(y * jax.nn.log_softmax(z, axis=1)) / x.shape[0]
        if kind == "sigmoid+CE":
            return jnp.sum(jax.nn.softplus(z) - y * z) / x.shape[0]
        return jnp.sum((jax.nn.sigmoid(z) - y) ** 2) / x.shape[0]

    return cost


def jax_jit(kind: str):
    jax = jax_x64()
    return jax.jit(jax.value_and_grad(jax_cost(kind), argnums=(0, 1)))


def jax_side(gradient, x, y, weights, biases) -> Side:
    jax = jax_x64()
    jx, jy = jax.device_put(x), jax.device_put(y)
    ws, bs = [jax.device_put(w) for w in weights], [jax.device_put(b) for b in biases]

    def call():
        return jax.block_until_ready(gradient(ws, bs, jx, jy))

    def result() -> Result:
        cost, (gw, gb) = call()
        return float(cost), [np.asarray(g) for g in gw], [np.asarray(g) for g in gb]

    return Side(call, result)


def numpy_side(gradient, x, y, weights, biases) -> Side:
    """A NumPy function (the hand-written reference) on NumPy arrays."""

    def call():
        return gradient(x, y, weights, biases)

    def result() -> Result:
        cost, gw, gb = call()
        return float(cost), list(gw), list(gb)

    return Side(call, result)


# --- the generated code --------------------------------------------------------------------------


def generated_function(net, backend: str):
    """``net.gradient_function(backend=..., check=False)``: the generated code without the argument checks;
    "reuse" is the NumPy function with ``reuse=True`` (its gradients and large temporaries kept across calls)."""
    if backend == "reuse":
        return net.gradient_function(backend="numpy", check=False, reuse=True)
    return net.gradient_function(backend=backend, check=False)


def _numpy(a: Any) -> np.ndarray:
    if hasattr(a, "detach"):
        return a.detach().numpy()
    return np.asarray(a)


def generated_side(gradient, backend: str, x, y, weights, biases) -> Side:
    """The generated function on its own library's arrays (NumPy arrays, torch tensors or JAX arrays)."""
    if backend == "torch":
        torch = _torch()
        convert: Callable[[np.ndarray], Any] = torch.from_numpy
    elif backend == "jax":
        convert = jax_x64().device_put
    else:
        convert = np.asarray
    args = (convert(x), convert(y), [convert(w) for w in weights], [convert(b) for b in biases])
    if backend == "jax":
        jax = jax_x64()

        def call():
            cost, gw, gb = gradient(*args)
            return cost, jax.block_until_ready((gw, gb))
    else:

        def call():
            return gradient(*args)

    def result() -> Result:
        cost, gw, gb = gradient(*args)
        return float(cost), [_numpy(g) for g in gw], [_numpy(g) for g in gb]

    return Side(call, result)
