"""The gradient as code: a NumPy, PyTorch or JAX module generated from the matrix form, and its argument checks."""

from .modules import gradient_function, module_source

__all__ = ["gradient_function", "module_source"]
