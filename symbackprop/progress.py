"""Progress on stderr for work that takes more than a moment, shown only when stderr is a terminal.

Piped or redirected, a command stays quiet: its output is for programs then. On a terminal,
one line is rewritten in place (the label, the latest step, the seconds so far), refreshed
each second by a small background thread, and cleared when the work ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO


class Progress:
    """``with Progress("label") as p: p.step("one")``: a line on a terminal's stderr, nothing elsewhere."""

    def __init__(self, label: str, slow_after: float = 0.5, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.shown = _is_terminal(self.stream)
        after = os.environ.get("SYMBACKPROP_PROGRESS_AFTER")  # seconds; 0 shows every line at once
        self.slow_after = float(after) if after and after.replace(".", "", 1).isdigit() else slow_after
        self.start = time.monotonic()
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

    def step(self, what: str = "") -> None:
        """One more piece of the work done; ``what`` names it."""
        self.steps += 1
        self.detail = f": {self.steps}, {what}" if what else f": {self.steps}"
        self._show()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stopped.set()
        with self.lock:
            if self.width:
                self.stream.write("\r" + " " * self.width + "\r")
                self.stream.flush()
            self.width = 0

    def _tick(self) -> None:
        while not self.stopped.wait(1.0):
            self._show()

    def _show(self) -> None:
        elapsed = time.monotonic() - self.start
        if not self.shown or elapsed < self.slow_after or self.stopped.is_set():
            return
        with self.lock:
            line = f"{self.label}{self.detail} ({elapsed:.0f} s)"
            self.stream.write("\r" + line.ljust(self.width))
            self.stream.flush()
            self.width = max(self.width, len(line))


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
