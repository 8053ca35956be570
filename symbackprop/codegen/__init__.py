"""The gradient as code: a NumPy, PyTorch or JAX module generated from the matrix form, and its argument checks."""

from .graph_modules import graph_module_source
from .modules import gradient_function, module_source

__all__ = ["gradient_function", "graph_module_source", "module_source"]
