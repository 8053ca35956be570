"""What the command line writes: exit statuses, the result on stdout or in the -o file, one-line messages, and
the progress line on a terminal's stderr, cleared before anything else is written."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ..base.output import is_stdout, shown, write_atomically
from ..base.progress import Progress
from ..base.stages import listening

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
PROGRESS_AFTER = 1.0  # seconds of work before a terminal sees a progress line


def emit(text: str, output: Path | None, protected: tuple[Path, ...], status: int = EXIT_OK) -> None:
    """The command's result on stdout, or in the -o file; a file is written only for a verdict (status 0 or 1),
    so a failed command leaves what was there before."""
    if output is None or is_stdout(output):
        write_stdout(text)
    elif status in (EXIT_OK, EXIT_FAILED):
        write_atomically(output, text.encode("utf-8"), protected)


_LINE: ContextVar[Progress | None] = ContextVar("symbackprop_progress_line", default=None)


def gradcheck_report(result: Any, json_wanted: bool, computed_by: str) -> int:
    """A gradient check's result (``numeric``'s GradCheck or GraphGradCheck) as the command prints it, and its
    exit status; ``computed_by`` says what was checked against the central differences."""
    if json_wanted:
        shown = {key: value for key, value in result.__dict__.items() if key != "note" or value}
        write_stdout(json.dumps(shown, indent=2) + "\n")
    else:
        verdict = "agree" if result.passed else "DISAGREE"
        write_stdout(
            f"{result.parameters} gradients at {result.where}: {computed_by} and central differences {verdict}; "
            f"largest difference {result.max_abs_error:.3g} (relative {result.max_rel_error:.3g})\n"
        )
        if getattr(result, "note", ""):
            write_stdout(f"note: {result.note}\n")
    return EXIT_OK if result.passed else EXIT_FAILED


def quiet() -> None:
    """End the progress line before the command writes to a terminal, so the two never share a line."""
    line = _LINE.get()
    if line is not None:
        line.end()


def write_stdout(text: str) -> None:
    quiet()
    sys.stdout.write(text)


def step(what: str) -> None:
    """One more piece of the current stage done (an element of --wrt all), for the progress line."""
    line = _LINE.get()
    if line is not None:
        line.step(what)


def one_line(text: str | None) -> str:
    """A message as one line for stderr: whitespace runs to one space, other control characters escaped."""
    return shown(" ".join((text or "").split()))


@contextmanager
def progress_line(command: str) -> Iterator[None]:
    """One progress line for the whole command, on a terminal's stderr: each stage the command and the engine
    announce names itself there as it begins. Cleared before any error or result is written."""
    with Progress(f"symbackprop {command}", slow_after=PROGRESS_AFTER) as line, listening(line.stage):
        token = _LINE.set(line)
        try:
            yield
        finally:
            _LINE.reset(token)
