"""A layer stack's gradient as a plain NumPy module (or PyTorch, or JAX), vectorised over the batch: one block of
whole-array statements per layer for the forward pass, the cost, then one block per layer for the backward pass,
printed from each kind's templates (``layer_kinds``; for JAX, ``layer_kinds_jax`` where its arrays, which never
change, or its compiler ask for another form) in the stack's order and the reverse. JAX's arithmetic is one function
under ``jax.jit``, its backward pass written out as NumPy's is.

The module's ``gradient(x, y, parameters, masks=None)`` takes the batch (x shaped (n, *input), y (n, *output)),
each layer's parameters by its number and torch.nn's names and shapes (``{1: {"weight": ..., "bias": ...}}``,
as ``evaluate --json`` prints them; a number may be a string, as JSON keys are) and each dropout layer's mask
(``{3: mask}``, 0s and 1s of (n, *its input)); it returns the mean cost (with the L2 term) and the gradients in the
same layout. The arithmetic runs in x's float dtype (float32 stays float32; lists become float64). A softmax
output with cross-entropy, and a sigmoid output with either cross-entropy, take the cost from the logits, as the
dense networks' code does. The same stack gives the same text.

>>> from symbackprop.model.layers.stack import read_stack
>>> stack = read_stack({"input": 2, "cost": "half_sse", "layer": [{"kind": "dense", "size": 1}]})
>>> gradient = stack_gradient_function(stack)
>>> cost, grads = gradient([[1.0, 2.0]], [[0.0]], {1: {"weight": [[0.5, -0.5]], "bias": [0.25]}})
>>> cost, grads[1]["weight"].tolist(), grads[1]["bias"].tolist()
(0.03125, [[-0.25, -0.5]], [-0.25])
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from ..base.errors import SpecError
from ..model.layers.stack import Layer, LayerStack, decayed, parameter_shapes
from . import layer_kinds as kinds
from . import layer_kinds_jax as jax_kinds
from .graph_code import comment

StackGradient = Callable[..., tuple[float, dict[int, dict[str, Any]]]]
VARIABLES = {"weight": "W", "bias": "b", "weight_ih_l0": "W_ih", "weight_hh_l0": "W_hh", "bias_ih_l0": "b_ih"}
VARIABLES["bias_hh_l0"] = "b_hh"
LOGITS = {("softmax", "cross_entropy"), ("sigmoid", "cross_entropy"), ("sigmoid", "binary_cross_entropy")}

CHECKS = '''

def _parameter(parameters, layer, name, shape, dt):
    """Layer ``layer``'s parameter ``name``, keyed by the layer's number (an int, or a string as in JSON)."""
    table = parameters.get(layer, parameters.get(str(layer)))
    if table is None or name not in table:
        raise ValueError(f"parameters[{layer}][{name!r}]: missing; it is shaped {shape}")
    return _array(f"parameters[{layer}][{name!r}]", table[name], dt, shape)


def _mask(masks, layer, shape, dt):
    """A dropout layer's mask of 0s and 1s, keyed as the parameters are."""
    if masks is None or masks.get(layer, masks.get(str(layer))) is None:
        raise ValueError(f"masks[{layer}]: missing; layer {layer} is a dropout layer and needs its mask")
    return _array(f"masks[{layer}]", masks.get(layer, masks.get(str(layer))), dt, shape)
'''
NUMPY_HELPERS = '''

def _floats(x):
    """x as an array of floats: an array's float dtype is kept (float32 stays float32), anything else is float64."""
    x = numpy.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(numpy.float64)


def _array(name, value, dt, shape):
    a = numpy.asarray(value, dtype=dt)
    if a.shape != shape:
        raise ValueError(f"{name}: must be shaped {shape}, got {a.shape}")
    return a


def _copy(a):
    return a.copy()


def _relu(z):
    return numpy.maximum(z, 0.0)


def _softplus(z):
    """ln(1 + e^z), which never overflows."""
    return numpy.logaddexp(0.0, z)


def _pad(h, p):
    """p zeros before and after each side (every axis after the sample's and the channel's)."""
    return numpy.pad(h, ((0, 0), (0, 0)) + ((p, p),) * (h.ndim - 2))


def _sigmoid(z):
    """1 / (1 + e^-z) as (1 + tanh(z/2)) / 2: it never overflows."""
    return (numpy.tanh(z * 0.5) + 1.0) * 0.5


def _softmax(z):
    """The softmax over the last axis, shifted by its maximum so exp never overflows."""
    e = numpy.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(z):
    """ln softmax over the last axis: z - max - ln(sum(e^(z - max))), finite for any finite z."""
    s = z - z.max(axis=-1, keepdims=True)
    return s - numpy.log(numpy.exp(s).sum(axis=-1, keepdims=True))
'''
TORCH_HELPERS = '''

def _floats(x):
    """x as a tensor of floats: a tensor's or an array's float dtype is kept (float32 stays float32), anything else
    (lists too, which torch would make float32) becomes float64."""
    x = torch.as_tensor(x, dtype=torch.float64) if isinstance(x, (list, tuple, int, float)) else torch.as_tensor(x)
    return x if x.is_floating_point() else x.to(torch.float64)


def _array(name, value, dt, shape):
    a = torch.as_tensor(value, dtype=dt)
    if tuple(a.shape) != shape:
        raise ValueError(f"{name}: must be shaped {shape}, got {tuple(a.shape)}")
    return a


def _copy(a):
    return a.clone()


def _relu(z):
    return torch.clamp(z, min=0.0)


def _softplus(z):
    """ln(1 + e^z), exactly (torch.nn.functional.softplus returns z itself past its threshold)."""
    return torch.logaddexp(torch.zeros_like(z), z)


def _pad(h, p):
    """p zeros before and after each side (every axis after the sample's and the channel's)."""
    return torch.nn.functional.pad(h, (p, p) * (h.ndim - 2))


def _sigmoid(z):
    return torch.sigmoid(z)


def _softmax(z):
    return torch.softmax(z, dim=-1)


def _log_softmax(z):
    return torch.log_softmax(z, dim=-1)
'''
BACKENDS = {"numpy": NUMPY_HELPERS, "torch": TORCH_HELPERS, "jax": jax_kinds.HELPERS}
MODULES = {"numpy": "numpy", "torch": "torch", "jax": "jax.numpy"}  # the library's module, as the code names it


def stack_module_source(stack: LayerStack, backend: str = "numpy") -> str:
    """The module's text: ``gradient(x, y, parameters, masks=None) -> (cost, gradients)`` for ``stack``, in NumPy,
    (``backend="torch"``) PyTorch or (``backend="jax"``) JAX: the same statements, the library's module in place of
    ``numpy`` (the three spell every function the statements call alike, ``axis`` and ``keepdims`` included), the
    few that differ (``_relu``, ``_softplus``, ``_pad``, ``_copy``, the softmax) as helpers of the module's own, and
    for JAX, whose arrays never change, the kinds NumPy writes in place in JAX's own form (``layer_kinds_jax``),
    the arithmetic one function compiled by ``jax.jit``."""
    if backend not in BACKENDS:
        raise SpecError(f"--backend {backend}: a layer stack's module is written for {', '.join(BACKENDS)}")
    jax = backend == "jax"
    arithmetic = _forward(stack, jax) + _cost(stack) + _backward(stack, jax)
    signature = "def gradient(x, y, parameters, masks=None):\n"
    doc = '    """The mean cost over the batch and its gradient, by layer number and torch.nn name."""\n'
    if jax:
        arguments = ", ".join(["x", "y", *_arguments(stack)])
        outer = [*_inputs(stack), f"cost, gradients = _arithmetic({arguments})", "return float(cost), gradients"]
        inner = ["n, dt, h0 = x.shape[0], x.dtype, x", *arithmetic, _returned(stack).replace("float(cost)", "cost")]
        code = (
            _code(outer, backend)
            + f"\n\n\n@jax.jit\ndef _arithmetic({arguments}):\n"
            + '    """The forward and backward pass, traced once per shape and dtype and compiled."""\n'
            + _code(inner, backend)
        )
    else:
        code = _code([*_inputs(stack), "h0 = x", *arithmetic, _returned(stack)], backend)
    return _header(stack, backend) + signature + doc + code + "\n" + CHECKS + BACKENDS[backend]


def _code(lines: list[str], backend: str) -> str:
    """The statements as a function's body, the library's module in place of ``numpy``: the statements' own text,
    no user text is in them."""
    return textwrap.indent("\n".join(lines), "    ").replace("numpy.", f"{MODULES[backend]}.")


def _arguments(stack: LayerStack) -> list[str]:
    """The arrays the compiled arithmetic takes after x and y: each parameter, then each dropout layer's mask."""
    names = [f"{VARIABLES[name]}{layer.number}" for layer in stack.layers for name in parameter_shapes(layer)]
    return names + [f"mask{layer.number}" for layer in stack.layers if layer.kind == "dropout"]


def stack_gradient_function(stack: LayerStack, backend: str = "numpy") -> StackGradient:
    """The module's ``gradient``, compiled (what ``evaluate`` computes a large stack with, in NumPy)."""
    namespace: dict[str, Any] = {}
    source = stack_module_source(stack, backend)
    exec(compile(source, f"<symbackprop gradient for {_described(stack)}, {backend}>", "exec"), namespace)
    function: StackGradient = namespace["gradient"]
    return function


def _described(stack: LayerStack) -> str:
    kinds_ = ", ".join(f"{layer.number} {_layer_words(layer)}" for layer in stack.layers)
    return f"input {list(stack.input)}; layers {kinds_}; cost {stack.cost}; l2 {stack.l2:g}"


def _layer_words(layer: Layer) -> str:
    """The layer's kind and keys on one line, for the comments and the docstring: an activation's name is the user's
    text ("leaky_relu:0.2\\n" is a valid name, the slope's spaces stripped), so it goes through ``comment``."""
    if layer.kind == "activation":
        return comment(f"activation {layer['activation']}")
    keys = ", ".join(f"{key} {value}" for key, value in layer.options.items() if key != "mask" and value is not None)
    return comment(f"{layer.kind}" + (f" ({keys})" if keys else ""))


def _header(stack: LayerStack, backend: str) -> str:
    """The module's docstring describing the stack, and the import. The spec's title is the user's text: it goes in
    a comment, printable characters on one line, never inside a string literal."""
    text = (
        "The gradient of the mean cost of a layer stack, vectorised over the batch; written by symbackprop codegen. "
        f"Stack: {_described(stack)}."
        + (" The arithmetic is compiled by jax.jit once per shape and dtype." if backend == "jax" else "")
    )
    doc = (
        '"""'
        + "\n".join(textwrap.wrap(text, 116))
        + '\n\ngradient(x, y, parameters, masks=None) -> (cost, gradients)\n"""\n\n'
    )
    title = f"# {comment(stack.title)}\n" if stack.title else ""
    return doc + title + (jax_kinds.IMPORTS if backend == "jax" else f"import {backend}") + "\n\n\n"


def _inputs(stack: LayerStack) -> list[str]:
    lines = [
        "x = _floats(x)",
        "dt = x.dtype",
        f"if x.ndim != {len(stack.input) + 1} or x.shape[1:] != {tuple(stack.input)} or x.shape[0] == 0:",
        f'    raise ValueError(f"x: must be shaped (samples, {", ".join(map(str, stack.input))}), at least one sample, '
        'got {x.shape}")',
        "n = x.shape[0]",
        f"y = _array('y', y, dt, (n, {', '.join(map(str, stack.output_shape))}))",
    ]
    for layer in stack.layers:
        for name, shape in parameter_shapes(layer).items():
            lines.append(
                f"{VARIABLES[name]}{layer.number} = _parameter(parameters, {layer.number}, {name!r}, {shape}, dt)"
            )
    for layer in stack.layers:
        if layer.kind == "dropout":
            sides = ", ".join(map(str, layer.shape_in))
            lines.append(f"mask{layer.number} = _mask(masks, {layer.number}, (n, {sides}), dt)")
    return lines


def _forward(stack: LayerStack, jax: bool) -> list[str]:
    lines: list[str] = []
    for layer in stack.layers:
        k, h, out = layer.number, f"h{layer.number - 1}", f"h{layer.number}"
        lines.append(f"# layer {k} ({_layer_words(layer)})")
        if layer.kind == "dense":
            act = layer["activation"]
            lines += kinds.dense_forward(layer, h, f"z{k}" if act else out)
            lines += kinds.activation_forward(act, f"z{k}", out) if act else []
        elif layer.kind == "activation":
            lines += kinds.activation_forward(layer["activation"], h, out)
        elif layer.kind in ("conv1d", "conv2d"):
            lines += (jax_kinds if jax else kinds).conv_forward(layer, h, out)
        elif layer.kind in ("maxpool1d", "maxpool2d", "avgpool2d"):
            lines += kinds.pool_forward(layer, h, out)
        elif layer.kind == "flatten":
            lines.append(f"{out} = {h}.reshape(n, -1)")
        elif layer.kind in ("batchnorm", "layernorm"):
            lines += kinds.norm_forward(layer, h, out)
        elif layer.kind == "dropout":
            scale = repr(1.0 / (1.0 - layer["p"]))
            lines.append(f"q{k} = mask{k} * {scale}  # kept units scaled by 1/(1 - p)")
            lines.append(f"{out} = {h} * q{k}")
        elif layer.kind == "rnn":
            lines += (jax_kinds if jax else kinds).rnn_forward(layer, h, out)
        else:
            lines.append(f"{out} = {h} + h{layer['from']}")
    return lines


def _fused(stack: LayerStack) -> str | None:
    """The logits' name when the cost is taken from them (the last layer's softmax or sigmoid with its cost)."""
    last = stack.layers[-1]
    if last.kind not in ("dense", "activation") or (last["activation"], stack.cost) not in LOGITS:
        return None
    return f"z{last.number}" if last.kind == "dense" else f"h{last.number - 1}"


def _cost(stack: LayerStack) -> list[str]:
    top = len(stack.layers)
    a, logits = f"h{top}", _fused(stack)
    seed = _seed_name(stack)
    lines = ["# the mean cost over the batch, and its gradient (the mean's 1/n in it)"]
    if logits is not None:
        act = stack.layers[-1]["activation"]
        if act == "softmax":
            lines += [
                f"cost = -(y * _log_softmax({logits})).sum() / n",
                f"{seed} = ({a} * y.sum(axis=-1, keepdims=True) - y) / n",
            ]
        elif stack.cost == "binary_cross_entropy":
            lines += [f"cost = (_softplus({logits}) - y * {logits}).sum() / n", f"{seed} = ({a} - y) / n"]
        else:
            lines += [f"cost = (y * _softplus(-{logits})).sum() / n", f"{seed} = -y * (1.0 - {a}) / n"]
    else:
        lines += _cost_lines(stack.cost, a, seed, stack.output_shape[-1])
    weights = _decayed(stack)
    if weights:
        lines.append(f"l2 = {stack.l2!r} / n  # lambda / n: the L2 term is (lambda/2n) sum w^2")
        lines += [f"cost += 0.5 * l2 * ({w} * {w}).sum()" for w in weights]
    return lines


def _decayed(stack: LayerStack) -> list[str]:
    """The variables of the weights the L2 term takes (none without l2)."""
    if not stack.l2:
        return []
    return [f"{VARIABLES[name]}{layer.number}" for layer in stack.layers for name in decayed(layer)]


def _cost_lines(cost: str, a: str, g: str, size: int) -> list[str]:
    if cost in ("sse", "half_sse", "mse"):
        scale = {"sse": "1.0", "half_sse": "0.5", "mse": f"{1.0 / size!r}"}[cost]
        return [f"r = {a} - y", f"cost = {scale} * (r * r).sum() / n", f"{g} = r * ({scale} * 2.0 / n)"]
    if cost == "cross_entropy":
        return [f"cost = -(y * numpy.log({a})).sum() / n", f"{g} = -y / {a} / n"]
    return [
        f"cost = -(y * numpy.log({a}) + (1.0 - y) * numpy.log(1.0 - {a})).sum() / n",
        f"{g} = ((1.0 - y) / (1.0 - {a}) - y / {a}) / n",
    ]


def _seed_name(stack: LayerStack) -> str:
    """The gradient the cost starts the backward pass with."""
    last = stack.layers[-1]
    if _fused(stack) is None:
        return f"g{last.number}"
    return f"gz{last.number}" if last.kind == "dense" else f"g{last.number - 1}"


def _needed(stack: LayerStack) -> list[bool]:
    """needed[j]: whether dC/dh{j} is computed (some layer at or below j has parameters)."""
    out, seen = [False], False
    for layer in stack.layers:
        seen = seen or bool(parameter_shapes(layer))
        out.append(seen)
    return out


def _backward(stack: LayerStack, jax: bool) -> list[str]:
    needed = _needed(stack)
    extra: dict[int, list[str]] = {}  # residual gradients to add to dC/dh{j} once it is computed
    lines: list[str] = []
    top = len(stack.layers)
    fused = _fused(stack) is not None
    for layer in reversed(stack.layers):
        k = layer.number
        if not needed[k] and k != top:
            break
        g_in = f"g{k - 1}" if needed[k - 1] else None
        if layer.kind == "residual":
            extra.setdefault(layer["from"], []).append(f"g{k}")
        block = _layer_backward(layer, fused and k == top, g_in, jax)
        if block or (g_in and extra.get(k - 1)):
            lines.append(f"# layer {k} ({layer.kind}), backward")
        lines += block
        if g_in:
            lines += [f"{g_in} = {g_in} + {other}  # the residual's path" for other in extra.get(k - 1, [])]
    return lines + [f"d{w} += l2 * {w}  # the L2 term's (lambda/n) w" for w in _decayed(stack)]


def _layer_backward(layer: Layer, fused: bool, g_in: str | None, jax: bool) -> list[str]:
    """One layer's backward statements; for JAX, the kinds NumPy writes in place in JAX's form."""
    k, g, h = layer.number, f"g{layer.number}", f"h{layer.number - 1}"
    kind, own = layer.kind, jax_kinds if jax else kinds
    if kind == "dense":
        act = layer["activation"]
        pre = [] if fused or not act else kinds.activation_backward(act, f"z{k}", f"h{k}", g, f"gz{k}")
        return pre + kinds.dense_backward(layer, h, f"gz{k}" if act else g, g_in)
    if kind in ("conv1d", "conv2d"):
        return own.conv_backward(layer, g, g_in)
    if kind in ("batchnorm", "layernorm"):
        return kinds.norm_backward(layer, g, g_in)
    if kind == "rnn":
        return own.rnn_backward(layer, g, g_in)
    if not g_in or (kind == "activation" and fused):
        return []
    if kind == "activation":
        return kinds.activation_backward(layer["activation"], h, f"h{k}", g, g_in)
    if kind in ("maxpool1d", "maxpool2d", "avgpool2d"):
        return own.pool_backward(layer, g, g_in)
    if kind == "flatten":
        return [f"{g_in} = {g}.reshape(n, {', '.join(map(str, layer.shape_in))})"]
    if kind == "dropout":
        return [f"{g_in} = {g} * q{k}"]
    return [f"{g_in} = {g}"]


def _returned(stack: LayerStack) -> str:
    entries = []
    for layer in stack.layers:
        names = parameter_shapes(layer)
        if names:
            inner = ", ".join(f"{name!r}: d{VARIABLES[name]}{layer.number}" for name in names)
            entries.append(f"{layer.number}: {{{inner}}}")
    return f"return float(cost), {{{', '.join(entries)}}}"
