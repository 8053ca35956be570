"""A prototype of the issue's "buffers reused where the caller allows", for ``allocator.py`` to time: the
generated NumPy module rewritten so that its weight and bias gradients are written into buffers it keeps across
calls (one per layer, shape and dtype), where the generated code makes new arrays each call. The caller of such a
module must copy a gradient it wants to keep past the next call; that is the permission the issue speaks of.
Not the engine's code: a measurement of what the next step would buy, checked against the module it rewrites.
"""

from __future__ import annotations

import re

PRODUCT = re.compile(r"^(\s*)dW(\d+) = (\w+)\.T @ (A\d+) if n > 1 else .+$", re.M)  # BP4
ONES = re.compile(r"^(\s*)db(\d+) = ones @ (\w+)$", re.M)  # BP3 as 1^T Delta

HELPER = '''

_KEPT = {}


def _into_kept(key, a, b, n):
    """a @ b written into the buffer kept for key, shape and dtype (made by the first call that needs it)."""
    shape = a.shape[:-1] + b.shape[1:]
    out = _KEPT.get((key, shape, b.dtype))
    if out is None:
        out = _KEPT[(key, shape, b.dtype)] = numpy.empty(shape, b.dtype)
    if n > 1 or a.ndim == 1:
        return numpy.matmul(a, b, out=out)
    return numpy.einsum("ij,jk->ik", a, b, out=out)  # one sample: the outer product, not BLAS's k = 1 product
'''


def kept_source(source: str) -> str:
    """``source`` (a NumPy module of ``module_source``) with every dW and db written into a kept buffer."""
    source, products = PRODUCT.subn(
        lambda m: f"{m[1]}dW{m[2]} = _into_kept(('w', {m[2]}), {m[3]}.T, {m[4]}, n)", source
    )
    source = ONES.sub(lambda m: f"{m[1]}db{m[2]} = _into_kept(('b', {m[2]}), ones, {m[3]}, n)", source)
    if not products:
        raise ValueError("no BP4 product of the expected form to rewrite")
    return source + HELPER
