"""The array libraries gradient code is generated for, as data: their module, how an input becomes an array of
floats, how each activation is spelled (and spelled in place, overwriting its argument), and the helpers a
module defines for itself.

The forms are the cheapest stable ones measured (benchmarks/kernels.py): NumPy's sigmoid is
(1 + tanh(z/2)) / 2 worked in one buffer, which never overflows and, in place, is as fast as 1 / (1 + e^-z)
in float64 and faster in float32; NumPy's relu is the maximum against a row of zeros (against the scalar 0.0
NumPy 2.4's maximum took 2.5-5x as long on a 1024 x 128 layer, one thread); PyTorch and JAX have their
own fused sigmoid. Each form is tested against the activation catalogue's NumPy form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Each activation in the backend's module {m}; {z} is Z^(l), {a} is A^(l) = g(Z^(l)).
FORWARD = {
    "sigmoid": "_sigmoid({z})",
    "tanh": "{m}.tanh({z})",
    "relu": "{m}.maximum({z}, 0.0)",
    "leaky_relu": "{m}.where({z} > 0.0, {z}, {slope} * {z})",
    "softplus": "_softplus({z})",
    "identity": "{z}",
    "softmax": "_softmax({z})",
}
# The derivatives the catalogue has no form in a = g(z) for (sigmoid, tanh and identity are written in A^(l):
# ``passes.in_outputs``). relu'(z) is read off its output, a > 0 exactly where z > 0, so Z^(l) need not be kept.
PRIME = {
    "sigmoid": "_sigmoid({z}) * (1.0 - _sigmoid({z}))",
    "tanh": "1.0 - {m}.tanh({z}) ** 2",
    "relu": "{a} > 0.0",
    "leaky_relu": "{m}.where({z} > 0.0, 1.0, {slope}).astype({z}.dtype)",  # Z's dtype, not Python's float64
    "softplus": "_sigmoid({z})",
    "identity": "1.0",
}

NUMPY_HELPERS = {
    "_sigmoid": '''

def _sigmoid(z, out=None):
    """1 / (1 + e^-z) as (1 + tanh(z/2)) / 2, in one buffer (``out`` may be z itself): it never overflows."""
    s = numpy.multiply(z, 0.5, out=out)
    numpy.tanh(s, out=s)
    s += 1.0
    s *= 0.5
    return s
''',
    "_relu": '''

def _relu(z, out=None):
    """max(z, 0) against a row of zeros (``out`` may be z itself): NumPy's maximum against the scalar 0.0 is
    not vectorised, and against an array it is; the numbers are the same."""
    return numpy.maximum(z, numpy.zeros(z.shape[-1:], dtype=z.dtype), out=out)
''',
    "_softplus": '''

def _softplus(z, out=None):
    """ln(1 + e^z), which never overflows (into ``out`` where it is given)."""
    return numpy.logaddexp(0.0, z, out=out)
''',
    "_row_sums": '''

def _row_sums(y):
    """Each row's sum as a column, by a matrix product with a column of ones: a sum along rows of a few
    entries each (10 classes) is NumPy's slowest reduction, a product with ones its fastest."""
    return y @ numpy.ones((y.shape[1], 1), dtype=y.dtype)
''',
    "_softmax": '''

def _softmax(z, out=None):
    """Each row's softmax, shifted by the row's maximum so exp never overflows (``out`` may be z itself)."""
    e = numpy.subtract(z, numpy.amax(z, axis=1, keepdims=True), out=out)
    numpy.exp(e, out=e)
    e /= e.sum(axis=1, keepdims=True)
    return e
''',
    "_log_softmax": '''

def _log_softmax(z):
    """Each row's log-softmax, z - max - ln(sum(e^(z - max))): finite for any finite z."""
    s = z - numpy.amax(z, axis=1, keepdims=True)
    s -= numpy.log(numpy.exp(s).sum(axis=1, keepdims=True))
    return s
''',
    "_floats": '''

def _floats(x):
    """x as an array of floats: an array's float dtype is kept (float32 stays float32), anything else is float64."""
    x = numpy.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(numpy.float64)
''',
    "_outer": '''

def _outer(d, a, out=None):
    """d^T a for one sample (one row each), a row of a a power of two long: numpy.dot, except for products of
    256 x 256 or more whose rows take 2 KiB or more of float64 or 4 KiB of anything, on which OpenBLAS's product
    with an inner dimension of 1 ran 2.5-8x slower than einsum's (512 x 512 in float64: 510 against 76 us).
    Each entry is one multiplication either way. Written into ``out`` where it is given."""
    row = a.shape[1] * a.itemsize
    if d.shape[1] >= 256 and (row >= 4096 or (row >= 2048 and a.itemsize == 8)):
        return numpy.einsum("ij,ik->jk", d, a, out=out)
    return numpy.dot(d.T, a, out=out)
''',
    "_into": '''

def _into(out, a, b, n, outer=None):
    """a @ b written into out, the caller's array (a gradient's BP4 product, or BP3's 1^T Delta): for one sample
    the outer product as the module computes it without out (``outer``, its _outer, where it takes that form)."""
    if n > 1 or a.ndim == 1:
        return numpy.matmul(a, b, out=out)
    return outer(a.T, b, out=out) if outer else numpy.dot(a, b, out=out)
''',
    "_written": '''

def _written(out, value):
    """value written into out, the caller's array."""
    out[...] = value
    return out
''',
}

TORCH_HELPERS = {
    "_sigmoid": """

def _sigmoid(z):
    return torch.sigmoid(z)
""",
    "_softplus": '''

def _softplus(z):
    """ln(1 + e^z), which never overflows."""
    return torch.logaddexp(torch.zeros_like(z), z)
''',
    "_row_sums": """

def _row_sums(y):
    return y.sum(dim=1, keepdim=True)
""",
    "_softmax": """

def _softmax(z):
    return torch.softmax(z, dim=1)
""",
    "_log_softmax": """

def _log_softmax(z):
    return torch.log_softmax(z, dim=1)
""",
    "_floats": '''

def _floats(x):
    """x as a tensor of floats: a tensor's or array's float dtype is kept, anything else (lists, integers) is
    float64."""
    x = torch.as_tensor(x) if hasattr(x, "dtype") else torch.as_tensor(x, dtype=torch.float64)
    return x if x.is_floating_point() else x.to(torch.float64)
''',
}

JAX_HELPERS = {
    "_array": '''

def _array(v):
    """v itself when jit takes it as it is (a JAX array, a NumPy array), else v as a JAX array."""
    return v if isinstance(v, jax.Array) or type(v).__module__ == "numpy" else jax.numpy.asarray(v)
''',
    "_sigmoid": """

def _sigmoid(z):
    return jax.nn.sigmoid(z)
""",
    "_softplus": '''

def _softplus(z):
    """ln(1 + e^z), which never overflows."""
    return jax.numpy.logaddexp(0.0, z)
''',
    "_row_sums": """

def _row_sums(y):
    return y.sum(axis=1, keepdims=True)
""",
    "_softmax": """

def _softmax(z):
    return jax.nn.softmax(z, axis=1)
""",
    "_log_softmax": """

def _log_softmax(z):
    return jax.nn.log_softmax(z, axis=1)
""",
    "_floats": '''

def _floats(x):
    """x as an array of floats: an array's float dtype is kept (float32 stays float32), anything else is float64."""
    x = jax.numpy.asarray(x)
    return x if jax.numpy.issubdtype(x.dtype, jax.numpy.floating) else x.astype(jax.numpy.float64)
''',
}

JAX_IMPORTS = """import jax
import jax.numpy

jax.config.update("jax_enable_x64", True)  # float64 when the inputs are, as the engine computes"""


@dataclass(frozen=True)
class Backend:
    """An array library the gradient can be generated for (``matrix_printer.printer_for`` gives its SymPy
    printer): its module as the code names it,
    the import lines, its helpers' sources, how an array is converted to a dtype, and the activations it spells
    differently or can compute in place."""

    name: str
    title: str  # as the docstring names it
    arrays: str  # what its functions return
    module: str
    imports: str
    helpers: Mapping[str, str]
    as_dtype: str  # {x} as an array of the dtype {dtype}
    forward: Mapping[str, str] = field(default_factory=dict)
    prime: Mapping[str, str] = field(default_factory=dict)
    in_place: Mapping[str, str] = field(default_factory=dict)  # g({z}) written over {z}'s own buffer
    jitted: bool = False  # the arithmetic runs under the library's compiler (jax.jit)
    ones_product: bool = False  # BP3's 1^T Delta as a product with a vector of ones, not a sum over axis 0

    def activation(self, key: str, prime: bool) -> str:
        """The template for g (or g') of this name: the backend's own spelling, else the common one."""
        own, common = (self.prime, PRIME) if prime else (self.forward, FORWARD)
        return own.get(key, common[key]).replace("{m}", self.module)


BACKENDS = {
    "numpy": Backend(
        "numpy",
        "NumPy",
        "NumPy arrays",
        "numpy",
        "import numpy",
        NUMPY_HELPERS,
        "numpy.asarray({x}, dtype={dtype})",
        forward={"relu": "_relu({z})"},
        in_place={
            "sigmoid": "_sigmoid({z}, out={z})",
            "tanh": "numpy.tanh({z}, out={z})",
            "relu": "_relu({z}, out={z})",
            "softmax": "_softmax({z}, out={z})",
        },
        ones_product=True,
    ),
    "jax": Backend(
        "jax",
        "JAX",
        "JAX arrays",
        "jax.numpy",
        JAX_IMPORTS,
        JAX_HELPERS,
        "jax.numpy.asarray({x}, dtype={dtype})",
        jitted=True,
    ),
    "torch": Backend(
        "torch",
        "PyTorch",
        "PyTorch tensors",
        "torch",
        "import torch",
        TORCH_HELPERS,
        "torch.as_tensor({x}, dtype={dtype})",
        forward={"relu": "torch.clamp({z}, min=0.0)"},  # torch.maximum takes tensors only
        prime={"leaky_relu": "torch.where({z} > 0.0, torch.ones_like({z}), torch.full_like({z}, {slope}))"},
        in_place={"sigmoid": "{z}.sigmoid_()", "tanh": "{z}.tanh_()", "relu": "{z}.clamp_(min=0.0)"},
    ),
}
