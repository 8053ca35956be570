"""Progress on stderr for work that takes more than a moment, shown only when stderr is a terminal.

Piped or redirected, a command stays quiet: its output is for programs then. On a terminal,
one line is rewritten in place (the command, the stage it is in, the latest step, the seconds
so far), refreshed each second by a small background thread, and cleared when the work ends
or before the command writes its result, so the two never share a line.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO


class Progress:
    """``with Progress("label") as p: p.stage("proving"); p.step("one")``: a line on a terminal's stderr,
    nothing elsewhere."""

    def __init__(self, label: str, slow_after: float = 0.5, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.shown = _is_terminal(self.stream)
        after = os.environ.get("SYMBACKPROP_PROGRESS_AFTER")  # seconds; 0 shows every line at once
        self.slow_after = float(after) if after and after.replace(".", "", 1).isdigit() else slow_after
        self.start = time.monotonic()
        self.current = ""
        self.detail = ""
        self.steps = 0
        self.width = 0
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def __enter__(self) -> Progress:
        if self.shown:
            threading.Thread(target=self._tick, daemon=True).start()
            if self.slow_after == 0:
                self._show()
        return self

    def stage(self, name: str) -> None:
        """A new stage of the work begins; the line names it, and its steps count from 1 again."""
        self.current, self.steps, self.detail = name, 0, ""
        self._show()

    def step(self, what: str = "") -> None:
        """One more piece of the work done; ``what`` names it."""
        self.steps += 1
        self.detail = f": {self.steps}, {what}" if what else f": {self.steps}"
        self._show()

    def end(self) -> None:
        """Clear the line and show no more of it (at the end, or before the command writes its result)."""
        self.stopped.set()
        with self.lock:
            if self.width:
                self.stream.write("\r" + " " * self.width + "\r")
                self.stream.flush()
            self.width = 0

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.end()

    def _tick(self) -> None:
        while not self.stopped.wait(1.0):
            self._show()

    def _show(self) -> None:
        elapsed = time.monotonic() - self.start
        if not self.shown or elapsed < self.slow_after or self.stopped.is_set():
            return
        with self.lock:
            if self.stopped.is_set():  # ended while this thread waited for the lock
                return
            head = f"{self.label}: {self.current}" if self.current else self.label
            line = f"{head}{self.detail} ({elapsed:.0f} s)"[: _columns(self.stream) - 1]  # a wrapped line cannot be
            self.stream.write("\r" + line.ljust(self.width))  # rewritten in place
            self.stream.flush()
            self.width = max(self.width, len(line))


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _columns(stream: TextIO, fallback: int = 80) -> int:
    """The terminal's width, or ``fallback`` where it cannot be told."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or fallback
    except (AttributeError, ValueError, OSError):
        return fallback
