"""A NumPy gradient's products alone: a pass's matrix products in NumPy (OpenBLAS) and under ``jax.jit`` (XLA),
timed in the same rounds as the generated NumPy pass and JAX jit's whole pass.

A pass multiplies, per layer l, A^(l-1) W^(l)T forward, Delta^(l)T A^(l-1) for BP4, and Delta^(l) W^(l) for
BP2 (not below the first layer): the products section 2 counts. Timed alone, on arrays of the pass's shapes
in their plain forms (C-ordered, ``A @ W.T``, ``D.T @ A``, ``D @ W``), they say how much of a pass is its
products (the generated code takes some in other forms: the first layer's as transposes at batch 64 or fewer,
a softmax output's by columns, so it can come in a little under them); under ``jax.jit`` (one function
returning every product, so none is left out) they say whether XLA multiplies faster than OpenBLAS.
JAX jit's pass (``frameworks.jax_jit``) also adds biases, activations and the cost, fused by XLA into few loops;
NumPy's pass does each as a loop of its own. One thread each, OpenBLAS's own kernel, best round of 11 taking
turns (``timing.per_call``).

    python3 benchmarks/products.py [784-128-64-10] [relu+CE] [float32] [1024]
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from timing import calls_for, per_call, positional, single_thread

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def products(acts: list, deltas: list, weights: list) -> list:
    """The pass's products, per layer l: A^(l-1) W^(l)T, Delta^(l)T A^(l-1), and Delta^(l) W^(l) for l > 1
    (``acts[l]`` is A^(l), ``deltas[l]`` Delta^(l), ``weights[l - 1]`` W^(l)); any array library's arrays."""
    out = []
    for layer in range(1, len(weights) + 1):
        out += [acts[layer - 1] @ weights[layer - 1].T, deltas[layer].T @ acts[layer - 1]]
        if layer > 1:
            out.append(deltas[layer] @ weights[layer - 1])
    return out


def main() -> None:
    args = positional(["784-128-64-10", "relu+CE", "float32", "1024"])
    single_thread()
    import frameworks  # after single_thread(): NumPy and JAX read their thread counts once, when they load
    import gradient_code
    import matmul_peak
    import numpy as np

    jax = frameworks.jax_x64()  # float64 stays float64, as in section 1

    layers, pair, dtype, batch = tuple(int(w) for w in args[0].split("-")), args[1], args[2], int(args[3])
    rng = np.random.default_rng(0)
    acts = [rng.normal(size=(batch, width)).astype(dtype) for width in layers]  # A^(0) .. A^(L)
    deltas = [rng.normal(size=(batch, width)).astype(dtype) for width in layers]  # Delta^(l) at index l
    weights = [rng.normal(size=(m, k)).astype(dtype) for k, m in itertools.pairwise(layers)]

    on_device = [[jax.device_put(x) for x in group] for group in (acts, deltas, weights)]
    xla = jax.jit(products)
    x, y, w, b = gradient_code.inputs(layers, batch, dtype)
    net = gradient_code.Case(layers, pair).network()
    sides = {
        "NumPy's products alone": lambda: products(acts, deltas, weights),
        "XLA's products alone (jax.jit)": lambda: jax.block_until_ready(xla(*on_device)),
        "generated NumPy pass": frameworks.generated_side(
            frameworks.generated_function(net, "numpy"), "numpy", x, y, w, b
        ).call,
        "generated NumPy pass, reuse=True": frameworks.generated_side(
            frameworks.generated_function(net, "reuse"), "numpy", x, y, w, b
        ).call,
        "JAX jit's pass": frameworks.jax_side(frameworks.jax_jit(pair), x, y, w, b).call,
        matmul_peak.PEAK: matmul_peak.square_product(dtype),
    }
    for call in sides.values():
        call()  # warm, and compile XLA's functions
    seconds = per_call(sides, {name: calls_for(call, 0.1) for name, call in sides.items()}, rounds=11, pause=0.0)
    flops = matmul_peak.gradient_flops(layers, batch)
    floor, peak = seconds["NumPy's products alone"], 2.0 * matmul_peak.SIZE**3 / seconds.pop(matmul_peak.PEAK)
    print(f"{' '.join(args)}: us per call (best round of 11, taking turns); {flops / 1e9:.3f} GFLOP of products;")
    print(f"  the peak (section 2's square product, in the same rounds): {peak / 1e9:.1f} GFLOP/s")
    print(f"  {'':34} {'us':>9}    {'GFLOP/s':>7}  {'of peak':>7}  x NumPy's products")
    for name, s in seconds.items():
        rate = flops / s
        print(f"  {name:34} {s * 1e6:9.1f}    {rate / 1e9:7.1f}  {rate / peak:7.2f}  {s / floor:5.2f}")


if __name__ == "__main__":
    main()
