"""The same layer stack built from PyTorch's own modules (torch.nn.Conv2d, MaxPool2d, BatchNorm1d, RNN, ...), in
float64 and training mode, with the stack's numbers loaded by load_state_dict: the independent computation the
layers' graph is held equal to."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from symbackprop.model.layers.numbers import StackNumbers
from symbackprop.model.layers.stack import Layer, LayerStack, decayed

ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "softplus": nn.functional.softplus,
    "identity": lambda z: z,
    "softmax": lambda z: torch.softmax(z, dim=-1),
}


def module(layer: Layer) -> nn.Module | None:
    """The torch.nn module of a layer with parameters, or of a pooling layer."""
    kind, shape = layer.kind, layer.shape_in
    if kind == "dense":
        return nn.Linear(shape[-1], layer["size"])
    if kind in ("conv1d", "conv2d"):
        cls = nn.Conv1d if kind == "conv1d" else nn.Conv2d
        return cls(shape[0], layer["out_channels"], layer["kernel"], stride=layer["stride"], padding=layer["padding"])
    if kind == "maxpool1d":
        return nn.MaxPool1d(layer["size"], stride=layer["stride"])
    if kind == "maxpool2d":
        return nn.MaxPool2d(layer["size"], stride=layer["stride"])
    if kind == "avgpool2d":
        return nn.AvgPool2d(layer["size"], stride=layer["stride"])
    if kind == "batchnorm":
        cls = nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d
        return cls(shape[0], eps=layer["eps"])
    if kind == "layernorm":
        return nn.LayerNorm(shape[-1], eps=layer["eps"])
    if kind == "rnn":
        return nn.RNN(shape[1], layer["hidden_size"], batch_first=True)
    return None


def torch_run(stack: LayerStack, numbers: StackNumbers, dropout_seed: int | None = None) -> dict[str, Any]:
    """The mean cost (with the L2 term), and d cost / d parameter (by layer and torch name) and d cost / d x, by
    autograd through PyTorch's modules; with ``dropout_seed``, each dropout layer is torch.nn.Dropout drawing its
    mask under torch.manual_seed(dropout_seed) (the spec given the mask ``dropout_mask`` read off the same draw)."""
    torch.set_default_dtype(torch.float64)
    modules = {}
    for layer in stack.layers:
        m = module(layer)
        if m is not None:
            m = m.double().train()
            if layer.number in numbers.parameters:
                state = {k: torch.tensor(v) for k, v in numbers.parameters[layer.number].items()}
                # a batch norm's running statistics are buffers, not parameters: training mode does not use them
                loaded = m.load_state_dict(state, strict=layer.kind != "batchnorm")
                assert not loaded.unexpected_keys
                assert set(loaded.missing_keys) <= {"running_mean", "running_var", "num_batches_tracked"}
            modules[layer.number] = m
    x = torch.tensor(numbers.x, requires_grad=True)
    h, outputs = x, [x]
    for layer in stack.layers:
        h = _forward(layer, modules.get(layer.number), h, numbers, outputs, dropout_seed)
        outputs.append(h)
    loss = _cost(stack.cost, h, torch.tensor(numbers.y))
    if stack.l2:
        squares = sum(
            (getattr(modules[layer.number], name) ** 2).sum() for layer in stack.layers for name in decayed(layer)
        )
        loss = loss + stack.l2 / (2 * x.shape[0]) * squares
    loss.backward()
    grads = {n: {k: p.grad.detach().numpy() for k, p in m.named_parameters()} for n, m in modules.items()}
    return {"cost": loss.item(), "gradients": grads, "x": x.grad.detach().numpy()}


def _forward(
    layer: Layer, m: nn.Module | None, h: torch.Tensor, numbers: StackNumbers, outputs: list, seed: int | None
) -> torch.Tensor:
    kind = layer.kind
    if kind == "rnn":
        assert m is not None
        out, _ = m(h)
        return out if layer["every_step"] else out[:, -1, :]
    if m is not None:
        h = m(h)
    if kind in ("dense", "activation") and layer["activation"] is not None:
        h = _activation(layer["activation"], h)
    if kind == "flatten":
        h = torch.flatten(h, 1)
    if kind == "dropout" and seed is not None:
        torch.manual_seed(seed)
        h = nn.Dropout(layer["p"]).train()(h)
    elif kind == "dropout":
        h = h * torch.tensor(numbers.masks[layer.number]) / (1 - layer["p"])
    if kind == "residual":
        h = h + outputs[layer["from"]]
    return h


def _activation(name: str, z: torch.Tensor) -> torch.Tensor:
    if name.startswith("leaky_relu"):
        slope = float(name.partition(":")[2] or 0.01)
        return nn.functional.leaky_relu(z, slope)
    return ACTIVATIONS[name](z)


def _cost(name: str, a: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    batch = a.shape[0]
    if name == "sse":
        return ((a - y) ** 2).sum() / batch
    if name == "half_sse":
        return 0.5 * ((a - y) ** 2).sum() / batch
    if name == "mse":
        return ((a - y) ** 2).sum() / (batch * a.shape[-1])
    if name == "cross_entropy":
        return -(y * torch.log(a)).sum() / batch
    assert name == "binary_cross_entropy"
    return -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).sum() / batch


def dropout_mask(p: float, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """The mask torch.nn.Dropout draws (in training) for a tensor of ``shape`` under ``torch.manual_seed(seed)``."""
    torch.manual_seed(seed)
    kept = nn.Dropout(p).train()(torch.ones(shape, dtype=torch.float64))
    return (kept != 0).double().numpy()
