"""Speed of the generated vectorised NumPy and JAX gradients of a layer stack against PyTorch CPU autograd, as ratios
of one run.

    python benchmarks/layer_code.py            # the full run
    python benchmarks/layer_code.py --quick    # under a minute

Two stacks, at batch 64: a small CNN (1x28x28 -> conv2d 8x3x3 -> relu -> maxpool2d 2 -> flatten -> dense 10,
softmax with cross-entropy) and an RNN (T = 20 steps of 16 inputs -> rnn, hidden 64, last step -> dense 10,
softmax with cross-entropy). For each, in float64 and float32: one call of ``gradient(x, y, parameters)`` of the
module ``codegen SPEC`` writes (``stack_module_source``, compiled), and of the one ``codegen SPEC --backend jax``
writes (its arithmetic one function under jax.jit, compiled before the timing; the inputs JAX arrays already on the
device, the result waited for with ``jax.block_until_ready``), each against one forward and backward pass of the
same stack built of torch.nn modules (Conv2d, ReLU, MaxPool2d, Flatten, Linear; RNN, Linear), eager, the loss
``F.cross_entropy`` (log-softmax and the mean over the batch fused, as a PyTorch user writes it), ``.backward()``,
the parameters' gradients set to None before each call. All three get the same numbers and are checked against each
other (to 1e-10 in float64, 1e-4 in float32) before they are timed. One thread each; calls take turns round by
round and the best round counts (``timing.per_call``). A ratio is the generated code's time over PyTorch's: below 1
the generated code is the faster; the issue's target is 1.5.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import timing  # noqa: E402

BATCH = 64
TARGET = 1.5
CNN = {
    "input": [1, 28, 28],
    "cost": "cross_entropy",
    "batch": BATCH,
    "layer": [
        {"kind": "conv2d", "out_channels": 8, "kernel": 3},
        {"kind": "activation", "activation": "relu"},
        {"kind": "maxpool2d", "size": 2},
        {"kind": "flatten"},
        {"kind": "dense", "size": 10, "activation": "softmax"},
    ],
}
RNN = {
    "input": [20, 16],
    "cost": "cross_entropy",
    "batch": BATCH,
    "layer": [{"kind": "rnn", "hidden_size": 64}, {"kind": "dense", "size": 10, "activation": "softmax"}],
}
STACKS = {"CNN 1x28x28, conv 8x3x3, relu, maxpool 2, dense 10": CNN, "RNN T = 20, 16 inputs, hidden 64, dense 10": RNN}


def torch_model(data: dict[str, Any], parameters: dict[int, dict[str, Any]], dtype: Any) -> Any:
    """The stack as torch.nn modules, loaded with the same parameters."""
    import torch
    from torch import nn

    if data is CNN:
        model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 13 * 13, 10))
        numbered = {1: model[0], 5: model[4]}
    else:
        rnn, dense = nn.RNN(16, 64, batch_first=True), nn.Linear(64, 10)

        class Last(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.rnn, self.dense = rnn, dense

            def forward(self, x: Any) -> Any:
                return self.dense(self.rnn(x)[0][:, -1])

        model, numbered = Last(), {1: rnn, 2: dense}
    model = model.to(dtype)
    for number, m in numbered.items():
        m.load_state_dict({k: torch.tensor(v, dtype=dtype) for k, v in parameters[number].items()})
    return model, numbered


def cells(quick: bool) -> list[tuple[str, str, float, float, float]]:
    """(stack, dtype, NumPy, JAX and PyTorch seconds per call)."""
    import jax
    import numpy as np
    import torch

    from symbackprop.codegen.layer_modules import stack_gradient_function
    from symbackprop.model.layers.numbers import stack_numbers
    from symbackprop.model.layers.stack import read_stack

    torch.set_num_threads(1)
    out = []
    for title, data in STACKS.items():
        stack = read_stack(data, graph=False)
        numbers = stack_numbers(stack, None)
        gradient, jitted = stack_gradient_function(stack), stack_gradient_function(stack, "jax")
        for dtype, tdtype, tolerance in (("float64", torch.float64, 1e-10), ("float32", torch.float32, 1e-4)):
            x, y = numbers.x.astype(dtype), numbers.y.astype(dtype)
            params = {k: {n: a.astype(dtype) for n, a in t.items()} for k, t in numbers.parameters.items()}
            model, numbered = torch_model(data, params, tdtype)
            tx, labels = torch.tensor(x), torch.tensor(y.argmax(axis=1))

            def theirs(model: Any = model, tx: Any = tx, labels: Any = labels) -> Any:
                for p in model.parameters():
                    p.grad = None
                loss = torch.nn.functional.cross_entropy(model(tx), labels)
                loss.backward()
                return loss

            def ours(gradient: Any = gradient, x: Any = x, y: Any = y, params: Any = params) -> Any:
                return gradient(x, y, params)

            jx, jy, jparams = jax.device_put(x), jax.device_put(y), jax.device_put(params)

            def jaxs(jitted: Any = jitted, x: Any = jx, y: Any = jy, params: Any = jparams) -> Any:
                return jax.block_until_ready(jitted(x, y, params))

            loss = theirs()
            for cost, grads in (ours(), jaxs()):  # the JAX call also compiles its arithmetic, before any timing
                assert abs(cost - loss.item()) <= tolerance * max(1.0, abs(cost)), (title, cost, loss.item())
                for number, m in numbered.items():
                    for name, p in m.named_parameters():
                        got = np.asarray(grads[number][name])
                        np.testing.assert_allclose(got, p.grad.numpy(), rtol=tolerance, atol=tolerance)
            works = {"n": ours, "j": jaxs, "t": theirs}
            calls = {name: timing.calls_for(work, 0.05 if quick else 0.2) for name, work in works.items()}
            best = timing.per_call(works, calls, rounds=3 if quick else 7)
            out.append((title, dtype, best["n"], best["j"], best["t"]))
    return out


def layer_code_section(quick: bool) -> None:
    print("\n8. generated NumPy and JAX gradients of a layer stack against PyTorch CPU autograd, batch 64, one thread")
    print(
        f"   {'stack':<52} {'dtype':<8} {'NumPy ms':>9} {'JAX ms':>8} {'PyTorch ms':>11} {'NumPy/PT':>9} {'JAX/PT':>7}"
    )
    for title, dtype, ours, jaxs, theirs in cells(quick):
        print(
            f"   {title:<52} {dtype:<8} {ours * 1e3:>9.3f} {jaxs * 1e3:>8.3f} {theirs * 1e3:>11.3f} "
            f"{ours / theirs:>9.2f} {jaxs / theirs:>7.2f}  {timing.verdict(max(ours, jaxs) / theirs, TARGET)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and shorter ones")
    args = parser.parse_args()
    timing.single_thread()
    layer_code_section(args.quick)


if __name__ == "__main__":
    main()
