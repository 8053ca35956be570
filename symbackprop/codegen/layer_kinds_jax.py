"""The layer kinds whose NumPy statements change an array in place, written for JAX, whose arrays never change:
the rest of a stack's statements are ``layer_kinds``' own, in ``jax.numpy``. Each is the same backward pass,
written out (never ``jax.grad``), and the whole module runs as one function compiled by ``jax.jit``:

- convolution: dC/dX puts each patch's gradient back where the patch was read, one kernel offset at a time, as
  the NumPy module does, each step a functional ``.at[...].add`` (which the compiler does in place);
- max pooling: each window's gradient to its first maximum, ``argmax`` over the stacked windows (JAX's argmax
  takes the first of equal maxima, where PyTorch and the graph's max gates route a tie); average pooling spreads it
  evenly; both put back with ``.at[...]``;
- rnn: the steps forward, and back-propagation through time backward, each a ``jax.lax.scan`` over the time axis
  (one compiled loop, whatever the number of steps): delta_t = (dC/dh_t + delta_{t+1} W_hh) (1 - h_t^2), the
  weights' gradients summed over the steps as two matrix products.

The statements name the array library ``numpy``, as ``layer_kinds``' do; the module writer makes it ``jax.numpy``.
"""

from __future__ import annotations

from ..model.layers.stack import Layer
from . import layer_kinds
from .layer_kinds import Lines, _at_offset, _offsets


def _put_back(target: str, source: str, d: int, size: int, stride: int, out: tuple[int, ...], add: bool) -> Lines:
    """Each offset's slice of ``source`` put back (or added) where that offset read it, as a new array each time."""
    loop = f"j, u in enumerate(range({size}))" if d == 1 else f"j, (u, v) in enumerate((u, v) {_offsets(d, size)})"
    where = _at_offset(target, d, stride, out).removeprefix(target)
    return [f"for {loop}:", f"    {target} = {target}.at{where}.{'add' if add else 'set'}({source})"]


def conv_backward(layer: Layer, gz: str, g_in: str | None) -> Lines:
    """dW and db from the upstream gradient and the patches (``layer_kinds.conv_backward``'s statements); dX, where
    needed, by putting each patch's gradient back (``gp`` the padded input's gradient, cropped at the end)."""
    lines = layer_kinds.conv_backward(layer, gz, None)
    if not g_in:
        return lines
    k, pad, kernel, stride = layer.number, layer["padding"], layer["kernel"], layer["stride"]
    channels, d = layer.shape_in[0], len(layer.shape_in) - 1
    o, positions = layer["out_channels"], layer.shape_out[1:]
    padded = ", ".join(str(n + 2 * pad) for n in layer.shape_in[1:])
    sides = ", ".join(map(str, positions))
    lines += [
        f"gc{k} = (W{k}.reshape({o}, {channels * kernel**d}).T @ gm{k}).reshape(n, {channels}, {kernel**d}, {sides})",
        f"gp{k} = numpy.zeros((n, {channels}, {padded}), dtype=dt)",
        "# each patch's gradient back where the patch was read: the full convolution with the flipped kernel",
        *_put_back(f"gp{k}", f"gc{k}[:, :, j]", d, kernel, stride, positions, add=True),
    ]
    crop = "[:, :, " + ", ".join([f"{pad}:{pad + n}" for n in layer.shape_in[1:]]) + "]" if pad else ""
    return [*lines, f"{g_in} = gp{k}{crop}"]


def pool_backward(layer: Layer, g: str, g_in: str) -> Lines:
    """A max pool routes each window's gradient to its first maximum in row-major order (as PyTorch and the graph's
    max gates do at a tie); an average pool spreads it evenly."""
    k, size, stride = layer.number, layer["size"], layer["stride"]
    d, positions = len(layer.shape_in) - 1, layer.shape_out[1:]
    shape = ", ".join(map(str, layer.shape_in))
    tiles = stride == size  # every input element in exactly one window: each is written once
    start = f"{g_in} = numpy.zeros((n, {shape}), dtype=dt)"
    if layer.kind == "avgpool2d":
        return [
            f"gw{k} = {g} * {1.0 / size**d!r}  # spread evenly over the window",
            start,
            *_put_back(g_in, f"gw{k}", d, size, stride, positions, add=not tiles),
        ]
    offsets = ", None" * (d + 2)
    return [
        f"r{k} = numpy.argmax(w{k}, axis=0)  # each window's first maximum, in row-major order",
        f"gw{k} = (numpy.arange({size**d})[:{offsets}] == r{k}) * {g}  # the gradient routed to it alone",
        start,
        *_put_back(g_in, f"gw{k}[j]", d, size, stride, positions, add=not tiles),
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
        f"dW_ih{k} = em{k}.T @ h{k - 1}.reshape(-1, {size})  # summed over the steps",
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
