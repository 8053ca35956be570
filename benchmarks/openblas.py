"""Which OpenBLAS kernel NumPy's matrix products run on, as the benchmark's header prints it.

An OpenBLAS built for many CPUs (``DYNAMIC_ARCH``, as NumPy's wheels are) picks its kernel when it loads: the
best one for the CPU, unless ``OPENBLAS_CORETYPE`` names one. A name left in the environment can cost half the
speed: on an AVX-512 AMD EPYC, ``OPENBLAS_CORETYPE=Haswell`` (AVX2) gave 125 GFLOP/s for a single-thread 1024 x
1024 float32 product where OpenBLAS's own choice (SkylakeX) gave 234, XLA's speed; float64 60 against 98.
NumPy's ``show_config()`` names the build's target, not the kernel in use, so the name is asked of the library.
"""

from __future__ import annotations

import ctypes
import glob
import os
from pathlib import Path

# the function naming the kernel, as NumPy's scipy-openblas wheels (64-bit integers or not) and a plain OpenBLAS
# export it
CORENAME_FUNCTIONS = (
    "scipy_openblas_get_corename64_",
    "scipy_openblas_get_corename",
    "openblas_get_corename64_",
    "openblas_get_corename",
)


def blas_kernel() -> str:
    """NumPy's BLAS, its version and the kernel in use, e.g. 'scipy-openblas 0.3.31.188.0, kernel SkylakeX';
    'kernel unknown' when the library does not say (not OpenBLAS, or no way to ask it)."""
    import numpy as np

    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    name = f"{blas.get('name', 'BLAS')} {blas.get('version', '')}".strip()
    return f"{name}, kernel {openblas_core() or 'unknown'}"


def openblas_core() -> str | None:
    """The name of the kernel the loaded OpenBLAS runs ('SkylakeX', 'Haswell', ...): from threadpoolctl when it
    is installed, otherwise from OpenBLAS itself through ctypes; None when neither can tell."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pass
    else:
        for pool in threadpool_info():
            if pool.get("internal_api") == "openblas" and pool.get("architecture"):
                return str(pool["architecture"])
    for path in _openblas_libraries():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in CORENAME_FUNCTIONS:
            function = getattr(library, symbol, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                name = function()
                return name.decode().strip() if name else None
    return None


def _openblas_libraries() -> list[str]:
    """The OpenBLAS files this process has loaded (Linux: /proc/self/maps), else the ones beside NumPy."""
    import numpy as np

    maps = Path("/proc/self/maps")
    if maps.exists():
        loaded = {line.split()[-1] for line in maps.read_text().splitlines() if "openblas" in line.lower()}
        if loaded:
            return sorted(loaded)
    beside = Path(np.__file__).resolve().parent
    patterns = ("../numpy.libs/*openblas*", ".dylibs/*openblas*", "../numpy.libs/*.dll")
    return sorted(path for pattern in patterns for path in glob.glob(os.path.join(beside, pattern)))
