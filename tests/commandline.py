"""``CommandLine``: the one way the tests run symbackprop's command line, in the test's process or in one of its
own."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from symbackprop import cli

CHECKOUT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Done:
    """What a command gave: its exit status and what it wrote (the fields of ``subprocess.CompletedProcess``)."""

    returncode: int
    stdout: str
    stderr: str


class CommandLine:
    """symbackprop's command line, run for a test.

    ``run`` calls ``cli.main`` in the test's own process, in ``cwd`` and with ``env`` added, and gives what it
    wrote: most tests need nothing more, and it costs no Python start. ``process`` runs ``python -m symbackprop``
    as a user does, in a process of its own under the command's time and memory limits: for what only a process
    shows (the limits themselves, signals, a terminal, a pipe on standard output).
    """

    def run(self, *args: str, cwd: Path | str | None = None, env: Mapping[str, str] | None = None) -> Done:
        out, err = _text_stream(), _text_stream()
        with _inside(cwd, env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(list(args))
        return Done(status, _written(out), _written(err))

    def process(
        self,
        *args: str,
        cwd: Path | str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "symbackprop", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=timeout,
            env={**os.environ, "PYTHONPATH": str(CHECKOUT), **(env or {})},
        )


def _text_stream() -> io.TextIOWrapper:
    """A text stream with a ``buffer`` of bytes under it, as sys.stdout has (the command writes PDFs there)."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")


def _written(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


@contextlib.contextmanager
def _inside(cwd: Path | str | None, env: Mapping[str, str] | None) -> Iterator[None]:
    """The working directory and the environment a command runs with, restored afterwards; TMPDIR takes effect
    although tempfile keeps the folder it found first."""
    saved_env, saved_tempdir = dict(os.environ), tempfile.tempdir
    os.environ.update(env or {})
    if env and "TMPDIR" in env:
        tempfile.tempdir = env["TMPDIR"]
    try:
        with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        tempfile.tempdir = saved_tempdir
