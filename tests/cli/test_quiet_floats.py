"""A command ignores NumPy's floating-point errors (it reports an overflow itself, in one line), whether NumPy was
imported before it began or only during it: a derivation imports NumPy only when it computes numbers (issue 20)."""

from __future__ import annotations

import subprocess
import sys

from ..commandline import CHECKOUT

DURING = """
import sys
from symbackprop.cli.quiet_floats import quiet_floats

assert "numpy" not in sys.modules
finders = list(sys.meta_path)
with quiet_floats():
    import numpy as np

    inside = np.geterr()
    big = np.float64(1e300) * np.float64(1e300)  # an overflow: a RuntimeWarning, an error under -W error
    zero = np.zeros(2) / np.zeros(2)
after = np.geterr()
loader = type(np.__spec__.loader).__name__  # NumPy's own, as a plain import leaves it
print(set(inside.values()), big, zero.tolist(), after == {"divide": "warn", "over": "warn", "under": "ignore",
      "invalid": "warn"}, sys.meta_path == finders, loader)
"""

NEVER = """
import sys
from symbackprop.cli.quiet_floats import quiet_floats

finders = list(sys.meta_path)
with quiet_floats():
    import json
print("numpy" in sys.modules, sys.meta_path == finders)
"""


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, cwd=CHECKOUT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.strip()


def test_numpy_imported_during_the_block_ignores_floating_point_errors_until_the_block_ends():
    out = _run(DURING)
    assert out == "{'ignore'} inf [nan, nan] True True SourceFileLoader", out


def test_a_block_that_imports_no_numpy_leaves_no_trace():
    assert _run(NEVER) == "False True"


def test_numpy_imported_before_the_block_is_quiet_within_it_only():
    import numpy as np

    from symbackprop.cli.quiet_floats import quiet_floats

    before = np.geterr()
    with quiet_floats():
        assert set(np.geterr().values()) == {"ignore"}
    assert np.geterr() == before
