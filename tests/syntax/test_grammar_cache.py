"""The claim grammar's parse tables kept between runs read every claim as building them does, are kept only in
a cache folder that is this user's alone, and a damaged file is built again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..commandline import CHECKOUT

CLAIMS = [
    r"2(a_1^{(L)} - y_1) a_2^{(L-1)}",
    r"\frac{\partial C}{\partial w_{jk}^{(l)}} = a_k^{(l-1)} \delta_j^{(l)}",
    r"\sum_{j=0}^{n} |z_j| \sigma'(z_j^{(L)})",
]
READ = f"from symbackprop.syntax.tree import parse; print([repr(parse(c)) for c in {CLAIMS!r}])"


def _read(cache_root: Path, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", READ],
        capture_output=True,
        text=True,
        cwd=CHECKOUT,
        timeout=120,
        env={**os.environ, "XDG_CACHE_HOME": str(cache_root), **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kept_tables_read_every_claim_as_built_ones(tmp_path: Path) -> None:
    kept = tmp_path / "symbackprop" / "grammar" / "claims.lark.cache"
    built = _read(tmp_path, SYMBACKPROP_NO_CACHE="1")
    assert not kept.exists()
    assert _read(tmp_path) == built  # cold: built, then kept
    assert kept.stat().st_size > 0
    assert kept.parent.stat().st_mode & 0o077 == 0  # this user's alone
    assert _read(tmp_path) == built  # warm: read from the kept tables
    kept.write_bytes(kept.read_bytes()[:100])  # damaged: built again
    assert _read(tmp_path) == built


def test_a_cache_folder_others_can_write_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "symbackprop" / "grammar"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    assert _read(tmp_path) == _read(tmp_path, SYMBACKPROP_NO_CACHE="1")
    assert not list(folder.iterdir())
