"""Running the command line from tests: as a user does (a process, under its limits), or in this process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from symbackprop import cli


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python -m symbackprop ARGS`` in ``cwd``, as a user runs it: in its own process, under its limits."""
    return subprocess.run(
        [sys.executable, "-m", "symbackprop", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def here(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The command run in this process (``cli.main``, without the limits): status, stdout, stderr."""
    status = cli.main(args)
    out, err = capsys.readouterr()
    return status, out, err


def has_bwrap_sandbox() -> bool:
    """Whether pdflatex runs inside bubblewrap on this machine (CI installs it and requires it)."""
    import shutil

    from symbackprop.render import latex_build

    found = shutil.which("pdflatex")
    return found is not None and bool(latex_build.sandbox_prefix(found))
