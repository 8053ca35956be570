"""The layer kinds JAX writes its own way, whose arrays never change (NumPy's statements for them change an array in
place, or JAX's compiler has a faster form): the rest of a stack's statements are ``layer_kinds``' own, in
``jax.numpy``. Each backward pass is written out, as a lesson writes it (never ``jax.grad``), and the whole module
runs as one function compiled by ``jax.jit``:

- convolution: ``jax.lax.conv_general_dilated`` for the forward pass, for dC/dW as the correlation of the (padded)
  input with the upstream gradient (its positions a stride apart: the gradient dilated by the stride), and for dC/dX
  as the full convolution of the upstream gradient (dilated by the stride) with the flipped kernel, cropped by the
  padding. Measured on the benchmark's CNN, the forward pass and dC/dW this way took 3.5 ms where im2col's products
  took 5.1 ms (float64, one thread);
- max pooling: each window's gradient to its first maximum, ``argmax`` over the stacked windows (JAX's argmax
  takes the first of equal maxima, where PyTorch and the graph's max gates route a tie); average pooling spreads it
  evenly. Windows that tile their input (stride = size) are put back by one reshape (5.9 ms for the CNN where one
  ``.at[...].set`` per offset took 7.8 ms); overlapping ones by one ``.at[...].add`` per offset;
- rnn: the steps forward, and back-propagation through time backward, each a ``jax.lax.scan`` over the time axis
  (one compiled loop, whatever the number of steps): delta_t = (dC/dh_t + delta_{t+1} W_hh) (1 - h_t^2), the
  weights' gradients summed over the steps as two matrix products.

The statements name the array library ``numpy``, as ``layer_kinds``' do; the module writer makes it ``jax.numpy``.
"""

from __future__ import annotations

from ..model.layers.stack import Layer
from .layer_kinds import Lines, _at_offset, _input, _offsets

DIMENSIONS = {1: "('NCH', 'OIH', 'NCH')", 2: "('NCHW', 'OIHW', 'NCHW')"}  # torch's layouts: (n, C, *sides), (O, C, *k)


def _convolution(lhs: str, rhs: str, padding: str, d: int, dilated: str = "", stride: int = 1) -> str:
    """``jax.lax.conv_general_dilated`` in torch's layouts: a correlation of ``lhs`` with ``rhs`` (no flip)."""
    keyword = f", {dilated}_dilation={(stride,) * d}" if dilated else ""
    return (
        f"jax.lax.conv_general_dilated({lhs}, {rhs}, {(1,) * d if dilated or stride == 1 else (stride,) * d}, "
        f"{padding}{keyword}, dimension_numbers={DIMENSIONS[d]})"
    )


def conv_forward(layer: Layer, h: str, out: str) -> Lines:
    """torch.nn.Conv1d/Conv2d: each output the correlation of the kernel with the (padded) input at its position."""
    k, pad, stride, d = layer.number, layer["padding"], layer["stride"], len(layer.shape_in) - 1
    bias = f"b{k}[:, " + ", ".join(["None"] * d) + "]"
    padding = str(((pad, pad),) * d)
    return [f"{out} = {_convolution(h, f'W{k}', padding, d, stride=stride)} + {bias}"]


def conv_backward(layer: Layer, gz: str, g_in: str | None) -> Lines:
    """dW: the correlation of the padded input with the upstream gradient, its entries a stride apart (the rows a
    stride leaves at the end unused, cut off); db: the upstream gradient summed; dX, where needed: the full
    convolution of the upstream gradient with the flipped kernel, cropped by the padding."""
    k, pad, kernel, stride = layer.number, layer["padding"], layer["kernel"], layer["stride"]
    d = len(layer.shape_in) - 1
    sides = [n + 2 * pad for n in layer.shape_in[1:]]
    correlation = _convolution(
        f"{_input(layer)}.swapaxes(0, 1)", f"{gz}.swapaxes(0, 1)", str(((pad, pad),) * d), d, "rhs", stride
    )
    cut = "" if all((n - kernel) % stride == 0 for n in sides) else "[:, :, " + ", ".join([f":{kernel}"] * d) + "]"
    lines = [
        f"dW{k} = {correlation}.swapaxes(0, 1){cut}  # the correlation of the input with the upstream gradient",
        f"db{k} = {gz}.sum(axis={(0, *range(2, d + 2))})",
    ]
    if not g_in:
        return lines
    full = tuple((kernel - 1 - pad, kernel - 1 - pad + (n - kernel) % stride) for n in sides)
    flipped = f"numpy.flip(W{k}, axis={tuple(range(2, d + 2))}).swapaxes(0, 1)"
    return [
        *lines,
        "# the full convolution of the upstream gradient with the flipped kernel",
        f"{g_in} = {_convolution(gz, flipped, str(full), d, 'lhs', stride)}",
    ]


def _put_back(target: str, source: str, d: int, size: int, stride: int, out: tuple[int, ...], add: bool) -> Lines:
    """Each offset's slice of ``source`` put back (or added) where that offset read it, as a new array each time."""
    loop = f"j, u in enumerate(range({size}))" if d == 1 else f"j, (u, v) in enumerate((u, v) {_offsets(d, size)})"
    where = _at_offset(target, d, stride, out).removeprefix(target)
    return [f"for {loop}:", f"    {target} = {target}.at{where}.{'add' if add else 'set'}({source})"]


def pool_backward(layer: Layer, g: str, g_in: str) -> Lines:
    """A max pool routes each window's gradient to its first maximum in row-major order (as PyTorch and the graph's
    max gates do at a tie); an average pool spreads it evenly. ``gw`` holds each offset's gradient, as the windows
    were stacked: windows that tile the input are put back by a reshape, overlapping ones offset by offset."""
    k, size, stride = layer.number, layer["size"], layer["stride"]
    d, positions = len(layer.shape_in) - 1, layer.shape_out[1:]
    offsets = ", None" * (d + 2)
    if layer.kind == "avgpool2d":
        routed = [f"gw{k} = {g} * {1.0 / size**d!r}  # spread evenly over the window"]
        each = f"gw{k}"
    else:
        routed = [
            f"r{k} = numpy.argmax(w{k}, axis=0)  # each window's first maximum, in row-major order",
            f"gw{k} = (numpy.arange({size**d})[:{offsets}] == r{k}) * {g}  # the gradient routed to it alone",
        ]
        each = f"gw{k}[j]"
    if stride == size:  # every input element in exactly one window: the windows' axes back beside their positions
        stacked = f"numpy.broadcast_to(gw{k}, ({size**d}, *{g}.shape))" if layer.kind == "avgpool2d" else f"gw{k}"
        axes = (d, d + 1, *[i for side in range(d) for i in (d + 2 + side, side)])
        shape = ", ".join(map(str, layer.shape_in))
        split = ", ".join([str(size)] * d + ["n"] + [str(m) for m in (layer.shape_in[0], *positions)])
        return [*routed, f"{g_in} = {stacked}.reshape({split}).transpose{axes}.reshape(n, {shape})"]
    shape = ", ".join(map(str, layer.shape_in))
    return [
        *routed,
        f"{g_in} = numpy.zeros((n, {shape}), dtype=dt)",
        *_put_back(g_in, each, d, size, stride, positions, add=True),
    ]


def rnn_forward(layer: Layer, h: str, out: str) -> Lines:
    """torch.nn.RNN (tanh, h_0 = 0): every step's input term in one product, then the steps, one compiled loop."""
    k, hidden = layer.number, layer["hidden_size"]
    last = f"{out} = s{k}" if layer["every_step"] else f"{out} = s{k}[:, -1]"
    return [
        f"q{k} = {h} @ W_ih{k}.T + (b_ih{k} + b_hh{k})  # every step's input term at once",
        "",
        "def step(prev, q):",
        f"    h = numpy.tanh(q + prev @ W_hh{k}.T)",
        "    return h, h",
        "",
        f"s{k} = jax.lax.scan(step, numpy.zeros((n, {hidden}), dtype=dt), q{k}.swapaxes(0, 1))[1].swapaxes(0, 1)",
        last,
    ]


def rnn_backward(layer: Layer, g: str, g_in: str | None) -> Lines:
    """Back-propagation through time, from the last step down: the carry is delta_{t+1} W_hh (the last step's
    gradient from the cost when only the last step is taken), each step adds its own dC/dh_t (every step's)."""
    k, hidden, size = layer.number, layer["hidden_size"], layer.shape_in[1]
    if layer["every_step"]:
        start, xs, above = f"numpy.zeros((n, {hidden}), dtype=dt)", f"(s{k}.swapaxes(0, 1), {g}.swapaxes(0, 1))", " + a"
    else:
        start, xs, above = g, f"(s{k}.swapaxes(0, 1),)", ""
    lines = [
        "",
        "def back(carry, xs):",
        "    s = xs[0]" if not above else "    s, a = xs",
        f"    delta = (carry{above}) * (1.0 - s * s)",
        f"    return delta @ W_hh{k}, delta",
        "",
        f"e{k} = jax.lax.scan(back, {start}, {xs}, reverse=True)[1].swapaxes(0, 1)",
        f"em{k} = e{k}.reshape(-1, {hidden})",
        f"dW_ih{k} = em{k}.T @ {_input(layer)}.reshape(-1, {size})  # summed over the steps",
        f"dW_hh{k} = e{k}[:, 1:].reshape(-1, {hidden}).T @ s{k}[:, :-1].reshape(-1, {hidden})",
        f"db_ih{k} = em{k}.sum(axis=0)",
        f"db_hh{k} = db_ih{k}",
    ]
    return lines + ([f"{g_in} = e{k} @ W_ih{k}"] if g_in else [])


IMPORTS = """import jax
import jax.numpy

jax.config.update("jax_enable_x64", True)  # float64 when the inputs are, as the engine computes"""
HELPERS = '''

def _floats(x):
    """x as a JAX array of floats: an array's float dtype is kept (float32 stays float32), anything else is
    float64."""
    x = jax.numpy.asarray(x)
    return x if jax.numpy.issubdtype(x.dtype, jax.numpy.floating) else x.astype(jax.numpy.float64)


def _array(name, value, dt, shape):
    a = jax.numpy.asarray(value, dtype=dt)
    if a.shape != shape:
        raise ValueError(f"{name}: must be shaped {shape}, got {a.shape}")
    return a


def _relu(z):
    return jax.numpy.maximum(z, 0.0)


def _softplus(z):
    """ln(1 + e^z), which never overflows."""
    return jax.numpy.logaddexp(0.0, z)


def _pad(h, p):
    """p zeros before and after each side (every axis after the sample's and the channel's)."""
    return jax.numpy.pad(h, ((0, 0), (0, 0)) + ((p, p),) * (h.ndim - 2))


def _sigmoid(z):
    return jax.nn.sigmoid(z)


def _softmax(z):
    return jax.nn.softmax(z, axis=-1)


def _log_softmax(z):
    return jax.nn.log_softmax(z, axis=-1)
'''
