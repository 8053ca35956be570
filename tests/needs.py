"""What some tests need from the machine, as pytest marks: pdflatex, and bubblewrap able to confine it.

A developer machine without them skips those tests and says why; CI (CI=true) installs both and never skips.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

IN_CI = os.environ.get("CI") == "true"
NEEDS_TEX = pytest.mark.skipif(
    shutil.which("pdflatex") is None and not IN_CI,
    reason="pdflatex is not installed on this developer machine (CI installs TeX Live and runs these)",
)


def has_bwrap_sandbox() -> bool:
    """Whether pdflatex runs inside bubblewrap on this machine (CI installs it and requires it)."""
    from symbackprop.render import latex_build

    found = shutil.which("pdflatex")
    return found is not None and bool(latex_build.sandbox_prefix(found))


NEEDS_SANDBOX = pytest.mark.skipif(
    not IN_CI and not has_bwrap_sandbox(),
    reason="bubblewrap cannot run pdflatex on this developer machine (CI installs it and runs these)",
)

NEEDS_TORCH = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None and not IN_CI,
    reason="PyTorch is not installed on this developer machine (CI installs it and runs these)",
)
